/* The restore of a backup into the live database's place, for walorctl
 * restore (docs/RELIABILITY.md "Restore").
 *
 * Nothing is renamed or copied by hand: the database at its usual path is
 * opened through SQLite for this process alone (wh_db_open_exclusive,
 * which fails while walord runs), and the verified copy is written INTO it
 * with SQLite's online backup API in one step. The destination's pages are
 * all replaced in one write transaction of the destination, journalled like
 * any other, so the database is the old one or the whole restored one —
 * also across a crash or a full disk — and it stays in WAL mode (the
 * backup API keeps the destination's journal mode). */
#include "db.h"
#include "db_int.h"

#include "error.h"

int32_t wh_db_restore_from(wh_db *db, const char *src_path)
{
    if (!db || !src_path || !*src_path)
        return wh_error(WALOR_EINVAL, "restore: NULL database or empty source");
    if (wh_db_in_tx(db))
        return wh_error(WALOR_EPHASE, "restore: not inside a transaction");
    sqlite3 *src = NULL;
    int rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int32_t r = wh_error(WALOR_EDB, "restore: cannot open %s: %s", src_path,
                             src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
        sqlite3_close(src);
        return r;
    }
    sqlite3 *dst = wh_db_sqlite(db);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        int32_t r = wh_error(WALOR_EDB, "restore: %s", sqlite3_errmsg(dst));
        sqlite3_close(src);
        return r;
    }
    rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    int32_t r = 0;
    if (rc != SQLITE_DONE || fin != SQLITE_OK) {
        int code = rc != SQLITE_DONE ? rc : fin;
        r = wh_error(WALOR_EDB, "restore: copying %s into the database failed (%s): %s%s", src_path,
                     sqlite3_errstr(code), sqlite3_errmsg(dst),
                     (code & 0xff) == SQLITE_FULL ? "; the database is left as it was" : "");
    }
    sqlite3_close(src);
    return r;
}
