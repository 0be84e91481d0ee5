/* walorctl restore / decrypt: backup-gdrive's archives back into the shop
 * (docs/operator-guide.md "Restore from a backup", docs/RELIABILITY.md).
 *
 * restore FILE verifies before it touches anything: the archive opens and
 * is one of ours (decrypted first when it is), the database in it matches
 * the manifest (size, sha256, every table's row count) and passes
 * PRAGMA integrity_check, and no schema in it is newer than this walord's
 * — learned by applying the host's and the plugins' migrations to a
 * scratch database in memory, exactly what walord would apply at start.
 * Then it takes the live database for itself through SQLite (refused while
 * walord runs: wh_db_open_exclusive), keeps it aside as a verified online
 * copy next to it, and writes the backup into it with SQLite's backup API
 * in one transaction (host/db/restore.c). Afterwards the restored database
 * is checked again; if that ever failed, the copy kept aside is written
 * back the same way. */
#include "restore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bkarchive.h"
#include "bkcrypt.h"
#include "bkutil.h"
#include "check.h"
#include "config.h"
#include "db.h"
#include "error.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "path.h"
#include "registry.h"
#include "migrate.h"

#define PLUGIN "plugin.backup-gdrive"

/* --passphrase-file, else WALOR_BACKUP_PASSPHRASE, else the plugin's own
 * passphrase_file / passphrase: malloc'd or NULL */
static char *passphrase(const char *file)
{
    if (!file || !*file) {
        const char *env = getenv("WALOR_BACKUP_PASSPHRASE");
        if (env && *env)
            return strdup(env);
        file = wh_config_get(&wh_g.cfg, PLUGIN, "passphrase_file");
        if (!file || !*file) {
            const char *p = wh_config_get(&wh_g.cfg, PLUGIN, "passphrase");
            return p && *p ? strdup(p) : NULL;
        }
    }
    char *s = bk_read_secret(file);
    if (!s)
        fprintf(stderr, "walorctl: cannot read a passphrase from %s\n", file);
    return s;
}

int walorctl_decrypt(const char *in, const char *out, const char *pass_file)
{
    char err[512];
    if (bk_crypt_is_encrypted(in) != 1) {
        fprintf(stderr, "walorctl: %s is not an encrypted Walor backup (nothing to decrypt)\n", in);
        return 1;
    }
    char *pass = passphrase(pass_file);
    int rc = bk_crypt_decrypt(in, out, pass, err, sizeof err);
    bk_forget(pass);
    if (rc != 0) {
        fprintf(stderr, "walorctl: %s%s\n", err,
                rc == BK_CRYPT_EPASS ? " (give it with --passphrase-file FILE or WALOR_BACKUP_PASSPHRASE)" : "");
        return 1;
    }
    printf("decrypted %s into %s\n", in, out);
    return 0;
}

/* {"owner": version} this walord would migrate a new database to: the
 * host's migrations and those of the plugins it loads (the enabled ones and
 * any other the backup has tables of, when its .so is here) */
static json_t *known_schema(const json_t *manifest)
{
    char err[512];
    wh_db *scratch = wh_db_open(":memory:", err, sizeof err);
    if (!scratch) {
        fprintf(stderr, "walorctl: %s\n", err);
        return NULL;
    }
    json_t *known = NULL;
    if (wh_host_migrate_all(scratch) < 0) {
        fprintf(stderr, "walorctl: the host's migrations failed on a scratch database: %s\n", wh_last_error());
        wh_db_close(scratch);
        return NULL;
    }
    size_t n = 0;
    char **names = wh_check_plugin_names(&wh_g.cfg, &n);
    const char *owner;
    json_t *v;
    json_object_foreach (json_object_get(manifest, "schema"), owner, v) {
        char so[4096];
        int listed = strncmp(owner, "host.", 5) == 0;
        for (size_t i = 0; !listed && i < n; i++)
            listed = strcmp(names[i], owner) == 0;
        snprintf(so, sizeof so, "%s/%s.so", wh_g.cfg.plugin_dir, owner);
        if (listed || access(so, R_OK) != 0)
            continue;
        char **more = realloc(names, (n + 2) * sizeof *names);
        if (!more)
            break;
        names = more;
        if ((names[n] = strdup(owner)))
            n++;
        names[n] = NULL;
    }
    wh_log_set_level(WH_LOG_ERROR + 1); /* a plugin's refusal here is reported below as an unknown schema */
    wh_load_plugins(wh_g.cfg.plugin_dir, names, n, scratch);
    wh_log_set_level(WH_LOG_ERROR);
    wh_check_names_free(names, n);
    wh_rows *r = NULL;
    if (wh_db_query(scratch, "SELECT owner, MAX(version) FROM wh_migrations GROUP BY owner", NULL, 0, &r) == 0) {
        known = json_object();
        while (wh_rows_next(r) == 1)
            json_object_set_new(known, wh_rows_text(r, 0), json_integer(wh_rows_int(r, 1)));
        wh_rows_close(r);
    }
    wh_unload_plugins();
    wh_registry_free();
    wh_db_close(scratch);
    return known;
}

typedef struct work {
    char zip[4200], db[4200];
    int zip_ours;
} work;

static void cleanup(work *w)
{
    if (w->zip_ours && *w->zip)
        unlink(w->zip);
    if (*w->db)
        unlink(w->db);
}

/* decrypt (when needed), open, extract, verify, compare the schema: 0 and
 * *out the manifest, or 1 with the reason printed */
static int verify_archive(const char *file, const char *pass_file, work *w, json_t **out)
{
    char err[1024];
    *out = NULL;
    int enc = bk_crypt_is_encrypted(file);
    if (enc < 0) {
        fprintf(stderr, "walorctl: cannot read %s: %s\n", file, strerror(errno));
        return 1;
    }
    const char *zip = file;
    if (enc) {
        char *pass = passphrase(pass_file);
        int rc = bk_crypt_decrypt(file, w->zip, pass, err, sizeof err);
        bk_forget(pass);
        if (rc != 0) {
            fprintf(stderr, "walorctl: %s%s\n", err,
                    rc == BK_CRYPT_EPASS ? " (give it with --passphrase-file FILE, WALOR_BACKUP_PASSPHRASE or "
                                           "[plugin.backup-gdrive] passphrase_file)"
                                         : "");
            return 1;
        }
        w->zip_ours = 1;
        zip = w->zip;
    }
    json_t *m = NULL;
    int rc = bk_archive_read(zip, w->db, &m, err, sizeof err);
    if (rc == 0)
        rc = bk_manifest_verify(m, w->db, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "walorctl: %s: %s; nothing was changed\n", file, err);
        json_decref(m);
        return 1;
    }
    json_t *known = known_schema(m);
    char *unknown = NULL;
    rc = known ? bk_manifest_newer(m, known, &unknown, err, sizeof err) : BK_EIO;
    json_decref(known);
    if (rc != 0) {
        if (rc == BK_ENEWER)
            fprintf(stderr,
                    "walorctl: %s: %s — install that version of walor (and its plugins) first; "
                    "nothing was changed\n",
                    file, err);
        free(unknown);
        json_decref(m);
        return 1;
    }
    if (unknown)
        printf(
            "note: the backup has tables of %s, which this walord does not load; they are restored as they "
            "are\n",
            unknown);
    free(unknown);
    *out = m;
    return 0;
}

static int64_t total_rows(const json_t *m)
{
    const char *k;
    json_t *v;
    int64_t n = 0;
    json_object_foreach (json_object_get(m, "tables"), k, v)
        n += json_integer_value(v);
    return n;
}

/* the restored database, through the restoring connection: integrity and
 * every table's rows as the manifest says */
static int check_restored(wh_db *db, const json_t *m, char *err, size_t errlen)
{
    wh_rows *r = NULL;
    int ok = wh_db_query(db, "PRAGMA integrity_check", NULL, 0, &r) == 0 && wh_rows_next(r) == 1 &&
             wh_rows_text(r, 0) && strcmp(wh_rows_text(r, 0), "ok") == 0 && wh_rows_next(r) == 0;
    wh_rows_close(r);
    if (!ok)
        return snprintf(err, errlen, "the restored database fails PRAGMA integrity_check"), -1;
    const char *name;
    json_t *v;
    json_object_foreach (json_object_get(m, "tables"), name, v) {
        char sql[512];
        int64_t n = -1;
        if (strchr(name, '"') || snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", name) >= (int)sizeof sql ||
            wh_db_int(db, sql, NULL, 0, &n) != 0 || n != json_integer_value(v))
            return snprintf(err, errlen, "table %s has %lld rows after the restore, the backup %lld", name,
                            (long long)n, (long long)json_integer_value(v)),
                   -1;
    }
    return 0;
}

/* PostgreSQL ([walor] db is a conninfo): the archive holds pg_dump's
 * archive; after the same checks, pg_restore puts it in place in one
 * transaction (--clean: every table of the dump dropped and made again),
 * the current database kept aside first as a dump next to the archive.
 * Refused while any walord is connected. */
static int run_pg_restore(const char *dump)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (wh_g.cfg.db_password)
            setenv("PGPASSWORD", wh_g.cfg.db_password, 1);
        execlp("pg_restore", "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
               "--exit-on-error", "--dbname", wh_g.cfg.db, dump, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int restore_pg(const char *file, const char *pass_file, int check_only)
{
    work w = {0};
    char dir[] = "/tmp/walor-restore-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "walorctl: cannot make a work directory: %s\n", strerror(errno));
        return 1;
    }
    snprintf(w.zip, sizeof w.zip, "%s/archive.zip", dir);
    snprintf(w.db, sizeof w.db, "%s/walor.pgdump", dir);
    json_t *m = NULL;
    int rc = verify_archive(file, pass_file, &w, &m);
    if (rc == 0 && !bk_manifest_is_pg(m)) {
        fprintf(stderr, "walorctl: %s holds an SQLite database: restore it into an SQLite file ([walor] db = a path), "
                        "then move it with walorctl migrate-db; nothing was changed\n", file);
        rc = 1;
    }
    if (rc == 0 && check_only)
        puts("the backup can be restored here (--check: nothing was changed)");
    char err[1024];
    wh_db *db = rc == 0 && !check_only ? wh_db_open(wh_g.cfg.db, err, sizeof err) : NULL;
    if (rc == 0 && !check_only && !db) {
        fprintf(stderr, "walorctl: %s\n", err);
        rc = 1;
    }
    if (db && wh_db_instances(db) > 0) {
        fprintf(stderr, "walorctl: walord is connected to the database: stop every instance first "
                        "(systemctl stop walord); nothing was changed\n");
        rc = 1;
    }
    char aside[4200] = "";
    if (db && rc == 0) {
        char stamp[32], fdir[4096];
        time_t now = time(NULL);
        struct tm tm;
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
        if (wh_path_dir(file, fdir, sizeof fdir) != 0)
            snprintf(fdir, sizeof fdir, ".");
        snprintf(aside, sizeof aside, "%s/walor-before-restore-%s.pgdump", fdir, stamp);
        if (wh_db_backup(db, aside, 0) < 0) {
            fprintf(stderr, "walorctl: keeping the current database aside failed: %s; nothing was changed\n",
                    wh_last_error());
            rc = 1;
        }
    }
    wh_db_close(db);
    if (db && rc == 0) {
        if (run_pg_restore(w.db) != 0) {
            fprintf(stderr, "walorctl: pg_restore failed (its messages are above); the database is as it was "
                            "(one transaction)\n");
            rc = 1;
        } else {
            printf("restored the database from %s\n", file);
            printf("the database before the restore is kept as %s (pg_restore --clean -d … to go back)\n", aside);
            puts("start walord now (systemctl start walord)");
        }
    }
    cleanup(&w);
    rmdir(dir);
    json_decref(m);
    return rc;
}

int walorctl_restore(const char *file, const char *pass_file, int check_only)
{
    const char *target = wh_g.cfg.db;
    if (wh_db_is_conninfo(target))
        return restore_pg(file, pass_file, check_only);
    char dir[4096];
    struct stat st;
    if (wh_path_dir(target, dir, sizeof dir) != 0 || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "walorctl: the database's directory of %s does not exist: create it first\n", target);
        return 1;
    }
    if (wh_db_is_live_file(target, file)) {
        fprintf(stderr, "walorctl: %s is the live database, not a backup\n", file);
        return 1;
    }
    work w = {0};
    snprintf(w.zip, sizeof w.zip, "%s.restore-%ld.zip", target, (long)getpid());
    snprintf(w.db, sizeof w.db, "%s.restore-%ld.db", target, (long)getpid());
    json_t *m = NULL;
    if (verify_archive(file, pass_file, &w, &m) != 0) {
        cleanup(&w);
        return 1;
    }
    json_int_t made = json_integer_value(json_object_get(m, "created_at"));
    char when[64] = "?";
    time_t t = (time_t)made;
    struct tm tm;
    if (made > 0 && localtime_r(&t, &tm))
        strftime(when, sizeof when, "%d.%m.%Y %H:%M", &tm);
    printf(
        "backup %s: made %s by walord %s, %zu tables, %lld rows, database %lld bytes, sha256 and "
        "integrity_check ok\n",
        file, when, json_string_value(json_object_get(m, "walord")), json_object_size(json_object_get(m, "tables")),
        (long long)total_rows(m),
        (long long)json_integer_value(json_object_get(json_object_get(m, "database"), "bytes")));
    if (check_only) {
        puts("the backup can be restored here (--check: nothing was changed)");
        cleanup(&w);
        json_decref(m);
        return 0;
    }

    char err[1024];
    if (access(target, F_OK) != 0) {
        wh_db *fresh = wh_db_open(target, err, sizeof err); /* an empty database in WAL mode, as walord makes it */
        if (!fresh) {
            fprintf(stderr, "walorctl: %s\n", err);
            cleanup(&w);
            json_decref(m);
            return 1;
        }
        wh_db_close(fresh);
    }
    int busy = 0;
    wh_db *db = wh_db_open_exclusive(target, &busy, err, sizeof err);
    if (!db) {
        if (busy)
            fprintf(stderr,
                    "walorctl: %s is open in another process — walord is running (or a sqlite3 shell, "
                    "another walorctl): stop it first (systemctl stop walord); nothing was changed\n",
                    target);
        else
            fprintf(stderr, "walorctl: %s\n", err);
        cleanup(&w);
        json_decref(m);
        return 1;
    }
    int64_t tables = 0;
    wh_db_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'wh_migrations'", NULL, 0,
              &tables);
    int walor = wh_db_is_walor(db) == 0;
    char aside[4200] = "";
    int rc = 0;
    if (!walor && tables) {
        fprintf(stderr, "walorctl: %s is not a Walor database; nothing was changed\n", target);
        rc = 1;
    } else if (walor) {
        char stamp[32];
        time_t now = time(NULL);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
        snprintf(aside, sizeof aside, "%s.before-restore-%s", target, stamp);
        if (wh_db_backup(db, aside, 0) < 0) {
            fprintf(stderr, "walorctl: keeping the current database aside failed: %s; nothing was changed\n",
                    wh_last_error());
            rc = 1;
        }
    }
    if (!rc && wh_db_restore_from(db, w.db) < 0) {
        fprintf(stderr, "walorctl: %s\n", wh_last_error());
        rc = 1;
    }
    if (!rc && check_restored(db, m, err, sizeof err) != 0) {
        fprintf(stderr, "walorctl: %s\n", err);
        rc = 1;
        if (*aside && wh_db_restore_from(db, aside) == 0)
            fprintf(stderr, "walorctl: the database before the restore is back in place\n");
    }
    wh_db_close(db); /* the last connection: SQLite folds the WAL in and removes it */
    cleanup(&w);
    if (!rc) {
        printf("restored %s from %s: %zu tables, %lld rows, integrity ok\n", target, file,
               json_object_size(json_object_get(m, "tables")), (long long)total_rows(m));
        if (*aside)
            printf("the database before the restore is kept as %s\n", aside);
        puts("start walord now (systemctl start walord)");
    }
    json_decref(m);
    return rc;
}
