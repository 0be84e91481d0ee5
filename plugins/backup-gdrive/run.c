/* backup-gdrive: one backup, from the request to the owners' inbox.
 *
 * A request (the daily cron, or an owner's button) writes a history row
 * 'queued' and a one-shot job in one transaction, and only when no other
 * backup is queued or running: two backups never run at once (two owners
 * pressing together, a press during the nightly run). The job marks the
 * row 'running' with this process's token, so a row left 'running' by a
 * walord that stopped is recognised as dead and marked failed.
 *
 * The job: the host's online copy (walor_db_backup: one consistent moment,
 * checked with integrity_check) → the manifest read from the copy →
 * the .zip → optionally encrypted → renamed into place under its final
 * name. Work files are named .bk-tmp-run-<id>.* in the backup folder and
 * removed on every path, so a full disk or a crash never leaves something
 * that looks like a backup, and nothing half-written is reported as one:
 * the row turns 'ok' only after the final file exists. Then the owners get
 * the archive (Telegram's 50 MB permitting) and the Drive upload is queued
 * (upload.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bk.h"
#include "bkarchive.h"
#include "bkcrypt.h"

#define TMP_RUN ".bk-tmp-run-"
#define TMP_DB ".bk-tmp-db-"
#define STALE_QUEUED_S (24 * 3600)

const char bk_migration_1[] =
    "CREATE TABLE backup_gdrive_run ("
    "  id INTEGER PRIMARY KEY,"
    "  reason TEXT NOT NULL," /* daily | manual */
    "  requested_by INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL," /* queued | running | ok | failed */
    "  token TEXT,"          /* the walord process that runs it */
    "  queued_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,"
    "  file TEXT, bytes INTEGER, sha256 TEXT, encrypted INTEGER NOT NULL DEFAULT 0,"
    "  db_bytes INTEGER, tables INTEGER, rows INTEGER,"
    "  local INTEGER NOT NULL DEFAULT 0,"  /* 1 while the archive is in the backup folder */
    "  telegram TEXT,"                     /* sent | too_big | off | failed */
    "  drive TEXT NOT NULL DEFAULT 'off'," /* off | pending | uploading | ok | failed | deleted */
    "  drive_id TEXT, drive_session TEXT, drive_offset INTEGER NOT NULL DEFAULT 0,"
    "  drive_inflight INTEGER NOT NULL DEFAULT 0, drive_attempts INTEGER NOT NULL DEFAULT 0, drive_error TEXT,"
    "  error TEXT);"
    "CREATE INDEX backup_gdrive_run_active ON backup_gdrive_run(state) WHERE state IN ('queued', 'running');"
    "CREATE TABLE backup_gdrive_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

/* ---- one at a time ---- */

int32_t bk_forget_stale(walor_ctx *c)
{
    int64_t now = walor_now(c);
    int32_t rc =
        walor_db_exec(c,
                      "UPDATE backup_gdrive_run SET state = 'failed', finished_at = ?, error = ? "
                      "WHERE state = 'running' AND (token IS NULL OR token <> ?)",
                      WALOR_ARGS(walor_i(now), walor_s(bk_t(c, "backup-gdrive.err.stopped")), walor_s(bk_token())));
    if (rc >= 0)
        rc = walor_db_exec(
            c,
            "UPDATE backup_gdrive_run SET state = 'failed', finished_at = ?, error = ? "
            "WHERE state = 'queued' AND queued_at < ?",
            WALOR_ARGS(walor_i(now), walor_s(bk_t(c, "backup-gdrive.err.never_ran")), walor_i(now - STALE_QUEUED_S)));
    return rc < 0 ? rc : 0;
}

int32_t bk_request(walor_ctx *c, const char *reason, int64_t by, int64_t *id)
{
    *id = 0;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = bk_forget_stale(c);
    int64_t busy = 0;
    if (rc == 0) {
        rc = walor_db_int(c,
                          "SELECT id FROM backup_gdrive_run WHERE state IN ('queued', 'running') ORDER BY id "
                          "LIMIT 1",
                          NULL, 0, &busy);
        if (rc == WALOR_ENOTFOUND)
            rc = 0, busy = 0;
    }
    if (rc == 0 && busy) {
        *id = busy;
        rc = walor_tx_commit(c); /* keeps what forget_stale found */
        return rc < 0 ? rc : WALOR_EBUSY;
    }
    if (rc == 0)
        rc = walor_db_int(
            c,
            "INSERT INTO backup_gdrive_run(reason, requested_by, state, queued_at) VALUES (?, ?, 'queued', ?) "
            "RETURNING id",
            WALOR_ARGS(walor_s(reason), walor_i(by), walor_i(walor_now(c))), id);
    if (rc == 0) {
        json_t *pl = json_pack("{s:I}", "id", (json_int_t)*id);
        rc = walor_job_at(c, walor_now(c), "backup", walor_ctx_printf(c, "%lld", (long long)*id), pl);
        json_decref(pl);
    }
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    return walor_tx_commit(c);
}

/* ---- files ---- */

/* the backup folder, made when missing (the package's /var/lib/walor is
 * there; backups/ in it is ours to make) */
static int have_dir(void)
{
    struct stat st;
    if (stat(bk_cfg.dir, &st) != 0 && errno == ENOENT)
        mkdir(bk_cfg.dir, 0700);
    return stat(bk_cfg.dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* work files a crashed run left behind (names this plugin alone makes) */
static void drop_leftovers(walor_ctx *c, const char *prefix)
{
    DIR *d = opendir(bk_cfg.dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && unlink(bk_path(c, e->d_name)) == 0)
            walor_log(c, WALOR_LOG_INFO, "backup-gdrive: removed the work file %s of an interrupted run", e->d_name);
    closedir(d);
}

/* a whole file of at most max bytes into a malloc'd buffer: 0, WALOR_ELIMIT, WALOR_ENOTFOUND */
static int32_t slurp(const char *path, int64_t max, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return WALOR_ENOTFOUND;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > max) {
        close(fd);
        return WALOR_ELIMIT;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        return WALOR_ENOTFOUND;
    }
    *data = buf;
    *len = got;
    return 0;
}

static const char *stamp(walor_ctx *c, int64_t t, const char *fmt)
{
    const char *s = walor_time_format(c, t, fmt);
    return s && *s ? s : "0";
}

/* the owner-facing reason of a failure, with a hint when the disk is full */
static const char *reason(walor_ctx *c, const char *what, const char *detail)
{
    const char *hint = detail && (strstr(detail, "no space") || strstr(detail, "No space"))
                           ? walor_ctx_printf(c, "\n%s", bk_t(c, "backup-gdrive.err.disk_full"))
                           : "";
    return walor_ctx_printf(c, "%s: %s%s", what, detail && *detail ? detail : "?", hint);
}

typedef struct made {
    const char *file; /* final name in the backup folder */
    char sha256[65];
    uint64_t bytes;
    int64_t db_bytes, tables, rows;
} made;

/* the archive of backup id; *why (arena) on failure, nothing left behind */
static int32_t make_archive(walor_ctx *c, int64_t id, int64_t now, made *out, const char **why)
{
    const char *copy = bk_path(c, walor_ctx_printf(c, TMP_RUN "%lld.db", (long long)id));
    const char *zip = bk_path(c, walor_ctx_printf(c, TMP_RUN "%lld.zip", (long long)id));
    const char *enc = bk_path(c, walor_ctx_printf(c, TMP_RUN "%lld.enc", (long long)id));
    out->file = walor_ctx_printf(c, "walor-backup-%s-%lld.zip%s", stamp(c, now, "%Y-%m-%d-%H%M"), (long long)id,
                                 bk_cfg.passphrase ? ".enc" : "");
    char err[512] = "";
    int32_t rc = walor_db_backup(c, copy, WALOR_BACKUP_REPLACE);
    if (rc < 0) {
        *why = reason(c, bk_t(c, "backup-gdrive.err.copy"), walor_last_error(c));
        return rc;
    }
    json_t *m = bk_manifest_build(copy, walor_host_info(c), now, err, sizeof err);
    if (!m) {
        unlink(copy);
        *why = reason(c, bk_t(c, "backup-gdrive.err.manifest"), err);
        return WALOR_EDB;
    }
    json_t *db = json_object_get(m, "database"), *tables = json_object_get(m, "tables"), *v;
    const char *name;
    out->db_bytes = json_integer_value(json_object_get(db, "bytes"));
    out->tables = (int64_t)json_object_size(tables);
    out->rows = 0;
    json_object_foreach (tables, name, v)
        out->rows += json_integer_value(v);
    int r = bk_archive_write(zip, copy, m, err, sizeof err);
    json_decref(m);
    unlink(copy);
    if (r != 0) {
        *why = reason(c, bk_t(c, "backup-gdrive.err.zip"), err);
        return WALOR_EDB;
    }
    const char *src = zip;
    if (bk_cfg.passphrase) {
        r = bk_crypt_encrypt(zip, enc, bk_cfg.passphrase, 0, err, sizeof err);
        unlink(zip);
        if (r != 0) {
            *why = reason(c, bk_t(c, "backup-gdrive.err.encrypt"), err);
            return WALOR_EDB;
        }
        src = enc;
    }
    if (bk_sha256_file(src, out->sha256, &out->bytes, err, sizeof err) != 0) {
        unlink(src);
        *why = reason(c, bk_t(c, "backup-gdrive.err.zip"), err);
        return WALOR_EDB;
    }
    if (rename(src, bk_path(c, out->file)) != 0) {
        int e = errno;
        unlink(src);
        *why = reason(c, bk_t(c, "backup-gdrive.err.zip"), strerror(e));
        return WALOR_EDB;
    }
    int dfd = open(bk_cfg.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* ---- Telegram ---- */

static const char *caption(walor_ctx *c, int64_t id, int64_t at, const made *m)
{
    return walor_textf(c, "backup-gdrive.caption", "id", bk_num(c, id), "when", bk_when(c, at), "size",
                       bk_size(c, (int64_t)m->bytes), "tables", bk_num(c, m->tables), "rows",
                       walor_number(c, m->rows, 0), "sha", walor_ctx_printf(c, "%.16s", m->sha256), "lock",
                       bk_cfg.passphrase ? bk_t(c, "backup-gdrive.caption.encrypted") : "", NULL);
}

/* the archive to every owner: "sent", "too_big", "off" or "failed" */
static const char *to_owners(walor_ctx *c, int64_t id, int64_t at, const made *m)
{
    if (!bk_setting(c, "telegram", 1))
        return "off";
    if ((int64_t)m->bytes > bk_cfg.telegram_max) {
        bk_tell_owners(
            c, walor_textf(c, "backup-gdrive.too_big", "id", bk_num(c, id), "size", bk_size(c, (int64_t)m->bytes),
                           "limit", bk_size(c, bk_cfg.telegram_max), "dir", walor_html_escape(c, bk_cfg.dir), "drive",
                           bk_t(c, bk_cfg.drive ? "backup-gdrive.too_big.drive" : "backup-gdrive.too_big.no_drive"),
                           NULL));
        return "too_big";
    }
    char *data;
    size_t len;
    if (slurp(bk_path(c, m->file), bk_cfg.telegram_max, &data, &len) != 0)
        return "failed";
    json_t *owners = json_object_get(walor_host_info(c), "owners");
    const char *cap = caption(c, id, at, m);
    size_t i;
    json_t *o;
    int sent = 0;
    json_array_foreach (owners, i, o) {
        int32_t rc = walor_send_document(c, json_integer_value(o), m->file, data, len, cap, 0);
        if (rc == 0)
            sent++;
        else if (rc != WALOR_EBLOCKED)
            walor_log(c, WALOR_LOG_WARN, "backup-gdrive: backup %lld to owner %lld: %s", (long long)id,
                      (long long)json_integer_value(o), walor_last_error(c));
    }
    free(data);
    return sent ? "sent" : "failed";
}

void bk_prune_local(walor_ctx *c)
{
    walor_rows *r = NULL;
    if (walor_db_query(c, "SELECT id, file, drive FROM backup_gdrive_run WHERE local = 1 ORDER BY id DESC", NULL, 0,
                       &r) < 0)
        return;
    int64_t n = 0, drop[64];
    const char *files[64];
    size_t ndrop = 0;
    while (walor_row_next(r) == 1)
        if (++n > bk_cfg.keep_local && ndrop < 64 && strcmp(walor_col_text(r, 2), "pending") != 0 &&
            strcmp(walor_col_text(r, 2), "uploading") != 0) {
            drop[ndrop] = walor_col_int(r, 0);
            files[ndrop++] = walor_ctx_printf(c, "%s", walor_col_text(r, 1));
        }
    walor_rows_close(r);
    for (size_t i = 0; i < ndrop; i++) {
        if (unlink(bk_path(c, files[i])) != 0 && errno != ENOENT)
            continue;
        walor_db_exec(c, "UPDATE backup_gdrive_run SET local = 0 WHERE id = ?", WALOR_ARGS(walor_i(drop[i])));
    }
}

/* ---- the job ---- */

static int32_t fail_run(walor_ctx *c, int64_t id, const char *why)
{
    walor_log(c, WALOR_LOG_ERROR, "backup-gdrive: backup %lld failed: %s", (long long)id, why);
    int32_t rc =
        walor_db_exec(c, "UPDATE backup_gdrive_run SET state = 'failed', finished_at = ?, error = ? WHERE id = ?",
                      WALOR_ARGS(walor_i(walor_now(c)), walor_s(why), walor_i(id)));
    bk_tell_owners(c,
                   walor_textf(c, "backup-gdrive.failed", "id", bk_num(c, id), "why", walor_html_escape(c, why), NULL));
    return rc < 0 ? rc : 0;
}

int32_t bk_job_backup(walor_ctx *c, json_t *payload)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(payload, "id"));
    int64_t now = walor_now(c);
    int32_t rc = walor_db_exec(c,
                               "UPDATE backup_gdrive_run SET state = 'running', token = ?, started_at = ? "
                               "WHERE id = ? AND state = 'queued'",
                               WALOR_ARGS(walor_s(bk_token()), walor_i(now), walor_i(id)));
    if (rc <= 0)
        return rc; /* 0: it ran already, or was given up */
    drop_leftovers(c, TMP_RUN);
    made m = {0};
    const char *why = NULL;
    if (!have_dir())
        return fail_run(c, id, walor_textf(c, "backup-gdrive.err.no_dir", "dir", bk_cfg.dir, NULL));
    if (make_archive(c, id, now, &m, &why) < 0)
        return fail_run(c, id, why);

    rc = walor_tx_begin(c);
    if (rc >= 0)
        rc = walor_db_exec(
            c,
            "UPDATE backup_gdrive_run SET state = 'ok', finished_at = ?, file = ?, bytes = ?, sha256 = ?, "
            "encrypted = ?, db_bytes = ?, tables = ?, rows = ?, local = 1, drive = ?, error = NULL "
            "WHERE id = ?",
            WALOR_ARGS(walor_i(walor_now(c)), walor_s(m.file), walor_i((int64_t)m.bytes), walor_s(m.sha256),
                       walor_i(bk_cfg.passphrase != NULL), walor_i(m.db_bytes), walor_i(m.tables), walor_i(m.rows),
                       walor_s(bk_cfg.drive ? "pending" : "off"), walor_i(id)));
    if (rc >= 0 && bk_cfg.drive)
        rc = bk_upload_schedule(c, id);
    if (rc >= 0)
        rc = walor_tx_commit(c);
    if (rc < 0) {
        /* not recorded, so not a backup; the row must not stay 'running' */
        why = reason(c, bk_t(c, "backup-gdrive.err.record"), walor_last_error(c));
        if (walor_tx_active(c) == 1)
            walor_tx_rollback(c);
        unlink(bk_path(c, m.file));
        return fail_run(c, id, why);
    }
    walor_log(c, WALOR_LOG_INFO, "backup-gdrive: backup %lld written to %s (%llu bytes)", (long long)id, m.file,
              (unsigned long long)m.bytes);
    const char *tg = to_owners(c, id, now, &m);
    walor_db_exec(c, "UPDATE backup_gdrive_run SET telegram = ? WHERE id = ?", WALOR_ARGS(walor_s(tg), walor_i(id)));
    if (strcmp(tg, "off") == 0)
        bk_tell_owners(c, walor_textf(c, "backup-gdrive.done", "id", bk_num(c, id), "size",
                                      bk_size(c, (int64_t)m.bytes), "file", walor_html_escape(c, m.file), NULL));
    bk_prune_local(c);
    return 0;
}

/* ---- downloads ---- */

static int32_t say(walor_ctx *c, int64_t to, const char *html)
{
    int32_t rc = walor_send(c, to, html, NULL, 0, NULL);
    return rc == WALOR_EBLOCKED ? 0 : rc;
}

int32_t bk_job_send(walor_ctx *c, json_t *payload)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(payload, "id"));
    int64_t to = (int64_t)json_integer_value(json_object_get(payload, "to"));
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT file, bytes, local, drive, drive_id, started_at, sha256 FROM backup_gdrive_run "
                                "WHERE id = ? AND state = 'ok'",
                                WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    if (walor_row_next(r) != 1) {
        walor_rows_close(r);
        return say(c, to, bk_t(c, "backup-gdrive.get.gone"));
    }
    const char *file = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
    int64_t bytes = walor_col_int(r, 1), local = walor_col_int(r, 2), at = walor_col_int(r, 5);
    const char *drive = walor_ctx_printf(c, "%s", walor_col_text(r, 3));
    const char *drive_id = walor_col_text(r, 4) ? walor_ctx_printf(c, "%s", walor_col_text(r, 4)) : NULL;
    const char *sha = walor_ctx_printf(c, "%.16s", walor_col_text(r, 6) ? walor_col_text(r, 6) : "");
    walor_rows_close(r);
    if (bytes > bk_cfg.telegram_max)
        return say(c, to,
                   walor_textf(c, "backup-gdrive.get.too_big", "size", bk_size(c, bytes), "limit",
                               bk_size(c, bk_cfg.telegram_max), NULL));
    const char *cap =
        walor_textf(c, "backup-gdrive.get.caption", "id", bk_num(c, id), "when", bk_when(c, at), "sha", sha, NULL);
    char *data = NULL;
    size_t len = 0;
    if (local && slurp(bk_path(c, file), bk_cfg.telegram_max, &data, &len) == 0) {
        rc = walor_send_document(c, to, file, data, len, cap, 0);
        free(data);
        return rc == WALOR_EBLOCKED ? 0 : rc;
    }
    if (drive_id && strcmp(drive, "ok") == 0 && bk_cfg.drive) {
        const void *bytes_in = NULL;
        const char *why = NULL;
        if (bk_gd_download(c, drive_id, (uint64_t)bk_cfg.telegram_max, &bytes_in, &len, &why) == 0) {
            rc = walor_send_document(c, to, file, bytes_in, len, cap, 0);
            return rc == WALOR_EBLOCKED ? 0 : rc;
        }
        return say(
            c, to,
            walor_textf(c, "backup-gdrive.get.drive_failed", "why", walor_html_escape(c, why ? why : "?"), NULL));
    }
    return say(c, to, bk_t(c, "backup-gdrive.get.gone"));
}

int32_t bk_job_send_db(walor_ctx *c, json_t *payload)
{
    int64_t to = (int64_t)json_integer_value(json_object_get(payload, "to"));
    int64_t now = walor_now(c);
    if (!have_dir())
        return say(c, to, walor_textf(c, "backup-gdrive.err.no_dir", "dir", bk_cfg.dir, NULL));
    drop_leftovers(c, TMP_DB); /* this job never overlaps itself: any such file is a dead run's */
    const char *tmp = bk_path(c, walor_ctx_printf(c, TMP_DB "%lld-%lld.db", (long long)to, (long long)now));
    int32_t rc = walor_db_backup(c, tmp, WALOR_BACKUP_REPLACE);
    if (rc < 0)
        return say(c, to,
                   walor_textf(c, "backup-gdrive.db.failed", "why",
                               walor_html_escape(c, reason(c, bk_t(c, "backup-gdrive.err.copy"), walor_last_error(c))),
                               NULL));
    char *data = NULL;
    size_t len = 0;
    struct stat st;
    int64_t size = stat(tmp, &st) == 0 ? (int64_t)st.st_size : 0;
    rc = slurp(tmp, bk_cfg.telegram_max, &data, &len);
    unlink(tmp);
    if (rc == WALOR_ELIMIT)
        return say(c, to,
                   walor_textf(c, "backup-gdrive.get.too_big", "size", bk_size(c, size), "limit",
                               bk_size(c, bk_cfg.telegram_max), NULL));
    if (rc < 0)
        return say(c, to, bk_t(c, "backup-gdrive.get.gone"));
    rc = walor_send_document(c, to, walor_ctx_printf(c, "walor-%s.db", stamp(c, now, "%Y-%m-%d-%H%M")), data, len,
                             walor_textf(c, "backup-gdrive.db.caption", "when", bk_when(c, now), NULL), 0);
    free(data);
    return rc == WALOR_EBLOCKED ? 0 : rc;
}
