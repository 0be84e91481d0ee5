/* backup-gdrive: the Drive upload and Drive's retention (EXTERNAL-APIS.md
 * §5.4–5.6).
 *
 * An archive up to 5 MB goes in one multipart request. A bigger one goes
 * by Google's resumable protocol in chunk-sized job steps: each run of the
 * one-shot job "upload" (key upload:<id>) sends one chunk (drive_chunk_kb,
 * 8 MiB by default — seconds on a slow line) and schedules itself a second
 * later, the session URI and the confirmed offset stored in the history
 * row. So no worker is held for the whole upload (the scheduler hands the
 * worker back between runs; the pause keeps it from running the next chunk
 * on the same worker at once), a restart resumes where Drive says it
 * stopped, and other jobs run between the chunks. Before a chunk the row
 * is marked in flight; a run that finds that mark (walord died during a
 * PUT) first asks Drive how much it has (`Content-Range: bytes * / total`).
 *
 * Failures: 429, 5xx, Drive's rate-limit 403s and network errors are
 * retried (1, 2, 4 … 64 min, 8 attempts); anything else — the §5.3 trap
 * (403 storageQuotaExceeded: a service account has no storage), a key or
 * refresh token Google refuses, a wrong folder — fails the upload at once.
 * The owners hear of a failure once per distinct Drive error text, and once
 * when uploads work again. Retention deletes only files this plugin made
 * (appProperties walor=backup), never anything else in the folder. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bk.h"
#include "bkretain.h"

#define MAX_ATTEMPTS 8
#define PAGE_MAX 100
#define LIST_MAX (4u * 1024 * 1024)

int32_t bk_upload_schedule(walor_ctx *c, int64_t id)
{
    json_t *pl = json_pack("{s:I}", "id", (json_int_t)id);
    int32_t rc = walor_job_at(c, walor_now(c), "upload", walor_ctx_printf(c, "upload:%lld", (long long)id), pl);
    json_decref(pl);
    return rc;
}

typedef struct up {
    int64_t id, bytes, offset, attempts, created;
    int inflight;
    const char *file, *path, *session, *sha256;
} up;

/* ---- the outcomes ---- */

static const char *state_get(walor_ctx *c, const char *key)
{
    walor_rows *r = NULL;
    const char *v = NULL;
    if (walor_db_query(c, "SELECT value FROM backup_gdrive_state WHERE key = ?", WALOR_ARGS(walor_s(key)), &r) == 0 &&
        walor_row_next(r) == 1)
        v = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
    walor_rows_close(r);
    return v;
}

/* a Drive error the owners have not heard yet: tell them, remember it */
static void report_once(walor_ctx *c, int64_t id, const char *why)
{
    const char *told = state_get(c, "drive_error");
    if (told && strcmp(told, why) == 0)
        return;
    walor_db_exec(c,
                  "INSERT INTO backup_gdrive_state(key, value) VALUES ('drive_error', ?) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  WALOR_ARGS(walor_s(why)));
    bk_tell_owners(c, walor_textf(c, "backup-gdrive.drive.failed", "id", bk_num(c, id), "why",
                                  walor_html_escape(c, why), "hint",
                                  strstr(why, "storageQuotaExceeded") ? bk_t(c, "backup-gdrive.drive.hint_quota")
                                  : strstr(why, "invalid_grant")      ? bk_t(c, "backup-gdrive.drive.hint_grant")
                                  : strstr(why, "404")                ? bk_t(c, "backup-gdrive.drive.hint_folder")
                                                                      : "",
                                  NULL));
}

static int32_t failed(walor_ctx *c, const up *u, const char *why)
{
    walor_log(c, WALOR_LOG_ERROR, "backup-gdrive: upload of backup %lld to Google Drive failed: %s", (long long)u->id,
              why);
    int32_t rc = walor_db_exec(c,
                               "UPDATE backup_gdrive_run SET drive = 'failed', drive_error = ?, drive_session = NULL, "
                               "drive_inflight = 0 WHERE id = ?",
                               WALOR_ARGS(walor_s(why), walor_i(u->id)));
    report_once(c, u->id, why);
    return rc < 0 ? rc : 0;
}

static int32_t retry(walor_ctx *c, const up *u, const char *why)
{
    if (u->attempts + 1 >= MAX_ATTEMPTS)
        return failed(c, u, why);
    int64_t wait = 60LL << (u->attempts < 6 ? u->attempts : 6);
    walor_log(c, WALOR_LOG_WARN, "backup-gdrive: upload of backup %lld: %s; trying again in %lld s", (long long)u->id,
              why, (long long)wait);
    int32_t rc = walor_db_exec(c,
                               "UPDATE backup_gdrive_run SET drive_attempts = drive_attempts + 1, drive_error = ? "
                               "WHERE id = ?",
                               WALOR_ARGS(walor_s(why), walor_i(u->id)));
    json_t *pl = json_pack("{s:I}", "id", (json_int_t)u->id);
    if (rc >= 0)
        rc = walor_job_at(c, walor_now(c) + wait, "upload", walor_ctx_printf(c, "upload:%lld", (long long)u->id), pl);
    json_decref(pl);
    return rc < 0 ? rc : 0;
}

static int32_t done(walor_ctx *c, const up *u, const walor_http_response *r)
{
    json_t *j = json_loadb(r->body, (size_t)r->body_len, 0, NULL);
    const char *fid = json_string_value(json_object_get(j, "id"));
    const char *id = fid ? walor_ctx_printf(c, "%s", fid) : NULL;
    json_decref(j);
    if (!id)
        return failed(c, u, walor_ctx_printf(c, "Drive answered %d without a file id", r->status));
    int32_t rc =
        walor_db_exec(c,
                      "UPDATE backup_gdrive_run SET drive = 'ok', drive_id = ?, drive_session = NULL, "
                      "drive_inflight = 0, drive_offset = ?, drive_attempts = 0, drive_error = NULL WHERE id = ?",
                      WALOR_ARGS(walor_s(id), walor_i(u->bytes), walor_i(u->id)));
    walor_log(c, WALOR_LOG_INFO, "backup-gdrive: backup %lld uploaded to Google Drive", (long long)u->id);
    if (rc >= 0 && state_get(c, "drive_error")) {
        walor_db_exec(c, "DELETE FROM backup_gdrive_state WHERE key = 'drive_error'", NULL, 0);
        bk_tell_owners(c, walor_textf(c, "backup-gdrive.drive.back", "id", bk_num(c, u->id), NULL));
    }
    if (rc >= 0)
        rc = walor_job_at(c, walor_now(c), "retain", "retain", NULL);
    bk_prune_local(c); /* it may leave the folder now */
    return rc < 0 ? rc : 0;
}

static int32_t progress(walor_ctx *c, const up *u, int64_t offset)
{
    int32_t rc =
        walor_db_exec(c,
                      "UPDATE backup_gdrive_run SET drive = 'uploading', drive_offset = ?, drive_inflight = 0, "
                      "drive_attempts = 0 WHERE id = ?",
                      WALOR_ARGS(walor_i(offset), walor_i(u->id)));
    json_t *pl = json_pack("{s:I}", "id", (json_int_t)u->id);
    /* a second later: the worker goes back to the pool between chunks */
    if (rc >= 0)
        rc = walor_job_at(c, walor_now(c) + 1, "upload", walor_ctx_printf(c, "upload:%lld", (long long)u->id), pl);
    json_decref(pl);
    return rc < 0 ? rc : 0;
}

/* what Drive's answer (or its absence) means for the upload */
static int32_t judge(walor_ctx *c, const up *u, int32_t rc, const walor_http_response *r, const char *why)
{
    if (rc == WALOR_EPERM || rc == WALOR_EINVAL) /* the token endpoint refused the key, or the key is broken */
        return failed(c, u, why);
    if (rc < 0)
        return retry(c, u, why);
    const char *reason = bk_gd_reason(c, r);
    if (r->status == 429 || r->status >= 500 ||
        (r->status == 403 && (!strcmp(reason, "userRateLimitExceeded") || !strcmp(reason, "rateLimitExceeded"))))
        return retry(c, u, bk_gd_error(c, r));
    return failed(c, u, bk_gd_error(c, r));
}

/* ---- the requests ---- */

static const char *metadata(walor_ctx *c, const up *u)
{
    json_t *m = json_pack("{s:s, s:[s], s:s, s:{s:s, s:s, s:s}}", "name", u->file, "parents", bk_cfg.folder_id,
                          "mimeType", "application/octet-stream", "appProperties", "walor", "backup", "walor_created",
                          bk_num(c, u->created), "walor_sha256", u->sha256 ? u->sha256 : "");
    char *s = json_dumps(m, JSON_COMPACT);
    const char *out = s ? walor_ctx_printf(c, "%s", s) : "{}";
    free(s);
    json_decref(m);
    return out;
}

/* [offset, offset + len) of the archive, in the arena */
static char *read_range(walor_ctx *c, const char *path, int64_t offset, int64_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf = fd >= 0 ? walor_ctx_alloc(c, (size_t)len + 1) : NULL;
    int64_t got = 0;
    while (buf && got < len) {
        ssize_t n = pread(fd, buf + got, (size_t)(len - got), (off_t)(offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    if (fd >= 0)
        close(fd);
    return buf && got == len ? buf : NULL;
}

static int32_t multipart(walor_ctx *c, const up *u)
{
    char *data = read_range(c, u->path, 0, u->bytes);
    if (!data)
        return failed(c, u, bk_t(c, "backup-gdrive.err.archive_gone"));
    unsigned char rnd[12];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        return retry(c, u, "no random boundary");
    char boundary[40] = "walor";
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(boundary + 5 + 2 * i, 3, "%02x", rnd[i]);
    const char *head = walor_ctx_printf(c,
                                        "--%s\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n%s\r\n"
                                        "--%s\r\nContent-Type: application/octet-stream\r\n\r\n",
                                        boundary, metadata(c, u), boundary);
    const char *tail = walor_ctx_printf(c, "\r\n--%s--\r\n", boundary);
    size_t hl = strlen(head), tl = strlen(tail), total = hl + (size_t)u->bytes + tl;
    char *body = walor_ctx_alloc(c, total);
    if (!body)
        return retry(c, u, "out of memory");
    memcpy(body, head, hl);
    memcpy(body + hl, data, (size_t)u->bytes);
    memcpy(body + hl + u->bytes, tail, tl);
    walor_http_response r;
    const char *why = NULL;
    int32_t rc =
        bk_gd_call(c, "POST",
                   walor_ctx_printf(c,
                                    "%s/upload/drive/v3/files?uploadType=multipart&supportsAllDrives=true"
                                    "&fields=id",
                                    bk_cfg.api_url),
                   NULL, walor_ctx_printf(c, "multipart/related; boundary=%s", boundary), body, total, 0, &r, &why);
    if (rc == 0 && (r.status == 200 || r.status == 201))
        return done(c, u, &r);
    return judge(c, u, rc, &r, why);
}

/* the end offset Drive confirmed: "Range: bytes=0-N" → N + 1; none → 0 */
static int64_t confirmed(walor_ctx *c, const walor_http_response *r)
{
    const char *range = walor_http_resp_header(c, r, "Range");
    long long a, b;
    if (range && sscanf(range, "bytes=%lld-%lld", &a, &b) == 2 && a == 0 && b >= 0)
        return b + 1;
    return 0;
}

static int32_t resumable(walor_ctx *c, up *u)
{
    walor_http_response r;
    const char *why = NULL;
    int32_t rc;
    if (!u->session) {
        const char *hdr[] = {"X-Upload-Content-Type: application/octet-stream",
                             walor_ctx_printf(c, "X-Upload-Content-Length: %lld", (long long)u->bytes), NULL};
        const char *meta = metadata(c, u);
        rc = bk_gd_call(c, "POST",
                        walor_ctx_printf(c,
                                         "%s/upload/drive/v3/files?uploadType=resumable&supportsAllDrives=true"
                                         "&fields=id",
                                         bk_cfg.api_url),
                        hdr, "application/json; charset=UTF-8", meta, strlen(meta), 0, &r, &why);
        const char *loc = rc == 0 && r.status == 200 ? walor_http_resp_header(c, &r, "Location") : NULL;
        if (!loc)
            return judge(c, u, rc, &r, why);
        u->session = loc;
        u->offset = 0;
        rc = walor_db_exec(c,
                           "UPDATE backup_gdrive_run SET drive = 'uploading', drive_session = ?, drive_offset = 0, "
                           "drive_inflight = 0 WHERE id = ?",
                           WALOR_ARGS(walor_s(loc), walor_i(u->id)));
        if (rc < 0)
            return rc;
    } else if (u->inflight) {
        /* walord stopped during a PUT: how much did Drive keep? */
        const char *hdr[] = {walor_ctx_printf(c, "Content-Range: bytes */%lld", (long long)u->bytes), NULL};
        rc = bk_gd_call(c, "PUT", u->session, hdr, NULL, "", 0, 0, &r, &why);
        if (rc == 0 && (r.status == 200 || r.status == 201))
            return done(c, u, &r);
        if (rc == 0 && r.status == 308)
            u->offset = confirmed(c, &r);
        else if (rc == 0 && (r.status == 404 || r.status == 410))
            u->session = NULL;
        else
            return judge(c, u, rc, &r, why);
        if (!u->session)
            return walor_db_exec(c,
                                 "UPDATE backup_gdrive_run SET drive_session = NULL, drive_offset = 0, "
                                 "drive_inflight = 0 WHERE id = ?",
                                 WALOR_ARGS(walor_i(u->id))) < 0
                       ? WALOR_EDB
                       : progress(c, u, 0);
    }
    int64_t len = u->bytes - u->offset < bk_cfg.chunk ? u->bytes - u->offset : bk_cfg.chunk;
    char *chunk = read_range(c, u->path, u->offset, len);
    if (!chunk)
        return failed(c, u, bk_t(c, "backup-gdrive.err.archive_gone"));
    rc = walor_db_exec(c, "UPDATE backup_gdrive_run SET drive_inflight = 1 WHERE id = ?", WALOR_ARGS(walor_i(u->id)));
    if (rc < 0)
        return rc;
    const char *hdr[] = {walor_ctx_printf(c, "Content-Range: bytes %lld-%lld/%lld", (long long)u->offset,
                                          (long long)(u->offset + len - 1), (long long)u->bytes),
                         NULL};
    rc = bk_gd_call(c, "PUT", u->session, hdr, "application/octet-stream", chunk, (size_t)len, 0, &r, &why);
    if (rc == 0 && (r.status == 200 || r.status == 201))
        return done(c, u, &r);
    if (rc == 0 && r.status == 308)
        return progress(c, u, confirmed(c, &r));
    if (rc == 0 && (r.status == 404 || r.status == 410)) {
        /* the session expired (a week) or Drive forgot it: start over */
        walor_db_exec(c,
                      "UPDATE backup_gdrive_run SET drive_session = NULL, drive_offset = 0, drive_inflight = 0 "
                      "WHERE id = ?",
                      WALOR_ARGS(walor_i(u->id)));
        return retry(c, u, bk_gd_error(c, &r));
    }
    return judge(c, u, rc, &r, why);
}

int32_t bk_job_upload(walor_ctx *c, json_t *payload)
{
    up u = {.id = (int64_t)json_integer_value(json_object_get(payload, "id"))};
    walor_rows *r = NULL;
    int32_t rc =
        walor_db_query(c,
                       "SELECT file, bytes, drive, drive_session, drive_offset, drive_inflight, drive_attempts, "
                       "local, started_at, sha256 FROM backup_gdrive_run WHERE id = ? AND state = 'ok'",
                       WALOR_ARGS(walor_i(u.id)), &r);
    if (rc < 0)
        return rc;
    if (walor_row_next(r) != 1) {
        walor_rows_close(r);
        return 0;
    }
    const char *drive = walor_ctx_printf(c, "%s", walor_col_text(r, 2));
    u.file = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
    u.bytes = walor_col_int(r, 1);
    u.session = walor_col_text(r, 3) ? walor_ctx_printf(c, "%s", walor_col_text(r, 3)) : NULL;
    u.offset = walor_col_int(r, 4);
    u.inflight = (int)walor_col_int(r, 5);
    u.attempts = walor_col_int(r, 6);
    int64_t local = walor_col_int(r, 7);
    u.created = walor_col_int(r, 8);
    u.sha256 = walor_col_text(r, 9) ? walor_ctx_printf(c, "%s", walor_col_text(r, 9)) : NULL;
    walor_rows_close(r);
    if (strcmp(drive, "pending") != 0 && strcmp(drive, "uploading") != 0)
        return 0;
    if (bk_cfg.drive == BK_DRIVE_OFF)
        return walor_db_exec(c, "UPDATE backup_gdrive_run SET drive = 'off' WHERE id = ?", WALOR_ARGS(walor_i(u.id))) <
                       0
                   ? WALOR_EDB
                   : 0;
    u.path = bk_path(c, u.file);
    struct stat st;
    if (!local || stat(u.path, &st) != 0 || st.st_size != u.bytes)
        return failed(c, &u, bk_t(c, "backup-gdrive.err.archive_gone"));
    if (u.bytes <= bk_cfg.multipart_max && !u.session)
        return multipart(c, &u);
    return resumable(c, &u);
}

/* ---- retention on Drive ---- */

typedef struct dfile {
    const char *id;
    bk_keep_item k;
} dfile;

static int64_t rfc3339(const char *s)
{
    struct tm tm = {0};
    if (!s ||
        sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

int32_t bk_job_retain(walor_ctx *c, json_t *payload)
{
    (void)payload;
    if (bk_cfg.drive == BK_DRIVE_OFF)
        return 0;
    const char *q = walor_ctx_printf(c,
                                     "'%s' in parents and trashed = false and "
                                     "appProperties has { key='walor' and value='backup' }",
                                     bk_cfg.folder_id);
    dfile *files = NULL;
    size_t n = 0, cap = 0;
    const char *page = NULL, *why = NULL;
    for (int pages = 0; pages < 1000; pages++) {
        const char *url = walor_ctx_printf(
            c, "%s/drive/v3/files?q=%s&fields=%s&pageSize=%d&supportsAllDrives=true&includeItemsFromAllDrives=true%s%s",
            bk_cfg.api_url, walor_url_escape(c, q),
            walor_url_escape(c, "nextPageToken,files(id,name,createdTime,appProperties)"), PAGE_MAX,
            page ? "&pageToken=" : "", page ? walor_url_escape(c, page) : "");
        walor_http_response r;
        int32_t rc = bk_gd_call(c, "GET", url, NULL, NULL, NULL, 0, LIST_MAX, &r, &why);
        if (rc < 0 || r.status != 200) {
            why = rc < 0 ? why : bk_gd_error(c, &r);
            walor_log(c, WALOR_LOG_WARN, "backup-gdrive: listing the backups on Google Drive: %s", why);
            return 0; /* the next upload tries again */
        }
        json_t *j = json_loadb(r.body, (size_t)r.body_len, 0, NULL);
        size_t i;
        json_t *f;
        json_array_foreach (json_object_get(j, "files"), i, f) {
            json_t *ap = json_object_get(f, "appProperties");
            const char *mark = json_string_value(json_object_get(ap, "walor"));
            const char *id = json_string_value(json_object_get(f, "id"));
            if (!mark || strcmp(mark, "backup") != 0 || !id) /* not ours, whatever the query said */
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                dfile *g = walor_ctx_alloc(c, cap * sizeof *g);
                if (!g)
                    break;
                if (n)
                    memcpy(g, files, n * sizeof *g);
                files = g;
            }
            const char *made = json_string_value(json_object_get(ap, "walor_created"));
            int64_t t = made ? strtoll(made, NULL, 10) : 0;
            files[n].id = walor_ctx_printf(c, "%s", id);
            files[n].k.created = t > 0 ? t : rfc3339(json_string_value(json_object_get(f, "createdTime")));
            n++;
        }
        const char *next = json_string_value(json_object_get(j, "nextPageToken"));
        page = next && *next ? walor_ctx_printf(c, "%s", next) : NULL;
        json_decref(j);
        if (!page)
            break;
    }
    bk_keep_item *items = n ? walor_ctx_alloc(c, n * sizeof *items) : NULL;
    for (size_t i = 0; i < n; i++)
        items[i] = files[i].k;
    bk_retain(items, n, (int)bk_setting(c, "keep_daily", 7), (int)bk_setting(c, "keep_weekly", 4),
              (int)bk_setting(c, "keep_monthly", 6));
    for (size_t i = 0; i < n; i++) {
        if (items[i].keep)
            continue;
        walor_http_response r;
        const char *url = walor_ctx_printf(c, "%s/drive/v3/files/%s?supportsAllDrives=true", bk_cfg.api_url,
                                           walor_url_escape(c, files[i].id));
        int32_t rc = bk_gd_call(c, "DELETE", url, NULL, NULL, NULL, 0, 0, &r, &why);
        if (rc == 0 && (r.status == 204 || r.status == 200 || r.status == 404)) {
            walor_db_exec(c, "UPDATE backup_gdrive_run SET drive = 'deleted' WHERE drive_id = ?",
                          WALOR_ARGS(walor_s(files[i].id)));
            walor_log(c, WALOR_LOG_INFO, "backup-gdrive: deleted the old backup %s from Google Drive", files[i].id);
        } else {
            walor_log(c, WALOR_LOG_WARN, "backup-gdrive: deleting %s from Google Drive: %s", files[i].id,
                      rc < 0 ? why : bk_gd_error(c, &r));
        }
    }
    return 0;
}
