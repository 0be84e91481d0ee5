/* Online backup of the live database and the guard that keeps every other
 * piece of code away from its files (docs/RELIABILITY.md "Backups").
 *
 * The copy is made by SQLite's backup API in ONE step
 * (sqlite3_backup_step(b, -1)): the source's read transaction is held for
 * the whole copy, so the copy is the snapshot of one moment however much
 * other connections write meanwhile (a copy made in small steps restarts
 * whenever another connection writes and may never finish). It goes into a
 * temporary file next to the destination, is checked with
 * PRAGMA integrity_check through a connection of its own, and only then is
 * renamed over the destination: a reader of the destination sees the old
 * file or the whole new one, never a half-written or unverified copy.
 * Renaming the temporary copy is fine; it is not the live database. */
#include "db.h"
#include "db_int.h"
#include "pg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error.h"
#include "log.h"
#include "path.h"

/* ---- which paths are the live database's files ---- */

static const char *const live_suffixes[] = {"", "-wal", "-shm", "-journal"};

/* dir part of path resolved by realpath() + "/" + last component; the
 * file itself need not exist. 0, or -1 when the directory is missing. */
static int canonical(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX], real[PATH_MAX];
    const char *base = slash ? slash + 1 : path;
    if (wh_path_dir(path, dir, sizeof dir) != 0 || !realpath(dir, real))
        return -1;
    int w = snprintf(out, n, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

int wh_db_is_live_file(const char *db_path, const char *path)
{
    if (!db_path || !*db_path || !path || !*path || strcmp(db_path, ":memory:") == 0)
        return 0;
    char want[PATH_MAX], got[PATH_MAX], name[PATH_MAX + 16];
    struct stat ps, ds;
    int have_ps = stat(path, &ps) == 0;
    int have_got = canonical(path, got, sizeof got) == 0;
    for (size_t i = 0; i < sizeof live_suffixes / sizeof *live_suffixes; i++) {
        snprintf(name, sizeof name, "%s%s", db_path, live_suffixes[i]);
        /* another name for the same file: a hard link, a symlink, "./" */
        if (have_ps && stat(name, &ds) == 0 && ds.st_dev == ps.st_dev && ds.st_ino == ps.st_ino)
            return 1;
        if (have_got && canonical(name, want, sizeof want) == 0 && strcmp(want, got) == 0)
            return 1;
    }
    return 0;
}

/* ---- is it a Walor database ---- */

int32_t wh_db_is_walor(wh_db *db)
{
    if (wh_db_pg(db))
        return wh_pg_is_walor(wh_db_pg(db));
    int64_t n = 0;
    int32_t rc = wh_db_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'wh_migrations'",
                           NULL, 0, &n);
    if (rc < 0)
        return rc;
    if (n)
        rc = wh_db_int(db, "SELECT count(*) FROM wh_migrations WHERE owner = 'host.core'", NULL, 0, &n);
    if (rc < 0)
        return rc;
    return n ? WALOR_OK : wh_error(WALOR_ENOTFOUND, "not a Walor database (no host migrations recorded)");
}

/* ---- the copy ---- */

static int32_t sqlite_fail(int rc, const char *what, const char *path, const char *msg)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return wh_error(WALOR_EDB, "backup: no space left on the file system of %s while %s: nothing was written",
                        path, what);
    case SQLITE_NOMEM:
        return wh_error(WALOR_ENOMEM, "backup: out of memory while %s", what);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return wh_error(WALOR_EBUSY, "backup: the database stayed locked while %s", what);
    default:
        return wh_error(WALOR_EDB, "backup: %s failed for %s: %s", what, path, msg && *msg ? msg : sqlite3_errstr(rc));
    }
}

/* the whole of PRAGMA integrity_check must be the single row "ok" */
static int32_t verify(const char *path)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL);
    char first[200] = "";
    int rows = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (rows++ == 0)
            snprintf(first, sizeof first, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = SQLITE_OK;
    }
    int32_t r = 0;
    if (rc != SQLITE_DONE)
        r = sqlite_fail(rc, "checking the copy", path, h ? sqlite3_errmsg(h) : NULL);
    else if (rows != 1 || strcmp(first, "ok") != 0)
        r = wh_error(WALOR_EDB, "backup: the copy failed PRAGMA integrity_check (%d problem(s), first: %s)", rows,
                     first);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return r;
}

/* The copy carries the live database's WAL mark in its header, so its next
 * opener would make -wal and -shm files beside it. A backup is one file:
 * switch it to the rollback journal now, while it is still ours. */
static int32_t to_one_file(const char *tmp)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_open_v2(tmp, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(h, "PRAGMA journal_mode=DELETE", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    int32_t r = 0;
    if (rc != SQLITE_ROW)
        r = sqlite_fail(rc, "finishing the copy", tmp, h ? sqlite3_errmsg(h) : NULL);
    else if (strcmp((const char *)sqlite3_column_text(st, 0), "delete") != 0)
        r = wh_error(WALOR_EDB, "backup: the copy stayed in %s mode", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (sqlite3_close(h) != SQLITE_OK && r == 0)
        r = wh_error(WALOR_EDB, "backup: closing the copy failed");
    return r;
}

static int32_t copy_into(sqlite3 *src, const char *tmp)
{
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int32_t r = sqlite_fail(rc, "creating the copy", tmp, dst ? sqlite3_errmsg(dst) : NULL);
        sqlite3_close(dst);
        return r;
    }
    /* the copy's own commit is durable before it is renamed into place */
    sqlite3_exec(dst, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        int32_t r = sqlite_fail(sqlite3_errcode(dst), "starting the copy", tmp, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return r;
    }
    rc = sqlite3_backup_step(b, -1); /* one step: one snapshot (see the top of this file) */
    int fin = sqlite3_backup_finish(b);
    int32_t r = 0;
    if (rc != SQLITE_DONE)
        r = sqlite_fail(rc, "copying", tmp, sqlite3_errmsg(dst));
    else if (fin != SQLITE_OK)
        r = sqlite_fail(fin, "finishing the copy", tmp, sqlite3_errmsg(dst));
    rc = sqlite3_close(dst);
    if (r == 0 && rc != SQLITE_OK)
        r = sqlite_fail(rc, "closing the copy", tmp, NULL);
    return r ? r : to_one_file(tmp);
}

/* the temporary copy's files: ours, never the live database's */
static void drop_tmp(const char *tmp)
{
    char side[PATH_MAX + 16];
    unlink(tmp);
    for (size_t i = 1; i < sizeof live_suffixes / sizeof *live_suffixes; i++) {
        snprintf(side, sizeof side, "%s%s", tmp, live_suffixes[i]);
        unlink(side);
    }
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int32_t wh_db_backup(wh_db *db, const char *dest_path, uint32_t flags)
{
    if (!db || !dest_path || !*dest_path)
        return wh_error(WALOR_EINVAL, "backup: NULL database or empty destination");
    if (flags & ~WH_BACKUP_REPLACE)
        return wh_error(WALOR_EINVAL, "backup: unknown flags 0x%x", flags & ~WH_BACKUP_REPLACE);
    if (wh_db_in_tx(db))
        return wh_error(WALOR_EPHASE, "backup: not inside a transaction (commit first: the copy holds committed data)");
    sqlite3 *src = wh_db_sqlite(db);
    const char *live = src ? sqlite3_db_filename(src, "main") : "";
    if (src && (!live || !*live))
        return wh_error(WALOR_EINVAL, "backup: an in-memory database has no file to copy");
    if (src && wh_db_is_live_file(live, dest_path))
        return wh_error(WALOR_EINVAL, "backup: %s is the live database or one of its files", dest_path);

    char dir[PATH_MAX];
    const char *slash = strrchr(dest_path, '/');
    if (slash && !slash[1])
        return wh_error(WALOR_EINVAL, "backup: %s names a directory, not a file", dest_path);
    if (wh_path_dir(dest_path, dir, sizeof dir) != 0)
        return wh_error(WALOR_EINVAL, "backup: the destination path is too long");
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return wh_error(WALOR_ENOTFOUND, "backup: the directory %s does not exist", dir);
    if (access(dir, W_OK) != 0)
        return wh_error(WALOR_EDB, "backup: cannot write into %s: %s", dir, strerror(errno));
    if (stat(dest_path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return wh_error(WALOR_EINVAL, "backup: %s is a directory", dest_path);
        if (!(flags & WH_BACKUP_REPLACE))
            return wh_error(WALOR_EEXIST, "backup: %s already exists", dest_path);
    }
    if (wh_db_pg(db)) /* PostgreSQL: pg_dump's consistent snapshot */
        return wh_pg_backup(wh_db_pg(db), dest_path, 1);

    static atomic_uint seq;
    char tmp[PATH_MAX];
    for (int i = 0;; i++) {
        int w = snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%u", dest_path, (long)getpid(), atomic_fetch_add(&seq, 1));
        if (w < 0 || (size_t)w >= sizeof tmp)
            return wh_error(WALOR_EINVAL, "backup: the destination path is too long");
        if (stat(tmp, &st) != 0)
            break;
        if (i > 100)
            return wh_error(WALOR_EEXIST, "backup: cannot find a free temporary name next to %s", dest_path);
    }

    int32_t r = copy_into(src, tmp);
    if (r == 0)
        r = verify(tmp);
    if (r == 0) {
        int moved;
        if (flags & WH_BACKUP_REPLACE) {
            moved = rename(tmp, dest_path);
        } else {
            /* no-replace even if the destination appeared meanwhile */
            moved = renameat2(AT_FDCWD, tmp, AT_FDCWD, dest_path, RENAME_NOREPLACE);
            if (moved != 0 && errno == EINVAL) /* a file system without RENAME_NOREPLACE */
                moved = stat(dest_path, &st) == 0 ? (errno = EEXIST, -1) : rename(tmp, dest_path);
        }
        if (moved != 0)
            r = errno == EEXIST ? wh_error(WALOR_EEXIST, "backup: %s already exists", dest_path)
                                : wh_error(WALOR_EDB, "backup: cannot rename the copy to %s: %s", dest_path,
                                           strerror(errno));
        else if (sync_dir(dir) != 0)
            wh_warn("backup: %s written, but syncing its directory failed: %s", dest_path, strerror(errno));
    }
    if (r != 0)
        drop_tmp(tmp);
    return r;
}
