/* Database access for the host and, through the API table, for plugins:
 * SQLite (a file path) or PostgreSQL (a conninfo; pg.h says what differs).
 *
 * One wh_db is one connection, used by one thread at a time (each worker
 * and the loop thread own one). SQL uses ? placeholders with typed binds
 * (walor_val) and is kept to the subset both engines accept
 * (docs/plugin-guide.md "SQL for both engines"). Prepared statements are
 * cached per connection by SQL text. */
#ifndef WH_DB_H
#define WH_DB_H

#include <stddef.h>
#include <stdint.h>

#include <walor/types.h>

typedef struct wh_db wh_db;
typedef struct wh_rows wh_rows;

/* Opens (creating if needed) with WAL, synchronous=NORMAL, busy_timeout
 * 5000 ms, foreign_keys=ON. NULL on failure with the reason in err. */
wh_db *wh_db_open(const char *path, char *err, size_t errlen);
/* An existing database as it is, for tools (walorctl): nothing is created,
 * no journal mode is set, and a file that is not an SQLite database is
 * refused here. NULL with the reason in err. */
wh_db *wh_db_open_existing(const char *path, char *err, size_t errlen);
/* An existing database for this connection alone (walorctl restore):
 * PRAGMA locking_mode=EXCLUSIVE before the first read, so the read takes an
 * EXCLUSIVE lock on the file and keeps it until wh_db_close. While another
 * process has the database open — walord holds a SHARED lock on it (WAL
 * mode) for as long as it runs — that fails after the busy timeout: NULL,
 * *busy = 1. NULL with *busy = 0 for the other reasons (err). */
wh_db *wh_db_open_exclusive(const char *path, int *busy, char *err, size_t errlen);
void wh_db_close(wh_db *db);

/* >= 0: number of rows changed; < 0: WALOR_EDB / WALOR_EBUSY / WALOR_EINVAL
 * with the detail in wh_last_error() (never containing bound values). */
int32_t wh_db_exec(wh_db *db, const char *sql, const walor_val *args, uint32_t nargs);

/* Starts a query; *out is valid until wh_rows_close(). Only one open
 * result per SQL text at a time on a connection. */
int32_t wh_db_query(wh_db *db, const char *sql, const walor_val *args, uint32_t nargs, wh_rows **out);
int32_t wh_rows_next(wh_rows *r);                 /* 1 row, 0 done, < 0 error */
int64_t wh_rows_int(wh_rows *r, uint32_t col);
const char *wh_rows_text(wh_rows *r, uint32_t col); /* NULL for NULL; valid until next/close */
int32_t wh_rows_is_null(wh_rows *r, uint32_t col);
void wh_rows_close(wh_rows *r);

/* first column of the first row; WALOR_ENOTFOUND when there is no row */
int32_t wh_db_int(wh_db *db, const char *sql, const walor_val *args, uint32_t nargs, int64_t *out);

/* Writer transactions (BEGIN IMMEDIATE). A second BEGIN is refused with
 * WALOR_EBUSY: levels inside a transaction are savepoints (below). */
int32_t wh_db_begin(wh_db *db);
int32_t wh_db_commit(wh_db *db);
int32_t wh_db_rollback(wh_db *db);
int wh_db_in_tx(const wh_db *db);

/* Lazy transactions for a unit of work (host/plugin/unit.c): while on, the
 * first statement that writes opens the transaction (BEGIN IMMEDIATE), so
 * reads before it take no write lock. After SQLite rolled a transaction
 * back by itself (disk full, I/O error), writes fail until the owner ends
 * it with wh_db_commit/rollback: the work before the error is gone. */
void wh_db_autobegin(wh_db *db, int on);
/* 1 when a transaction we began was rolled back by SQLite behind our back */
int wh_db_tx_lost(const wh_db *db);

/* Nested levels inside an open transaction, numbered from 1. rollback_to
 * undoes the level's writes and removes it; the outer level's stay. */
int32_t wh_db_savepoint(wh_db *db, unsigned level);
int32_t wh_db_release(wh_db *db, unsigned level);
int32_t wh_db_rollback_to(wh_db *db, unsigned level);

/* Host-private value type for wh_db_exec: a blob of .i bytes at .s */
#define WH_VAL_BLOB 0x100u
static inline walor_val wh_blob(const void *data, size_t len)
{
    walor_val v = {WH_VAL_BLOB, 0, (int64_t)len, (const char *)data};
    return v;
}
/* the type of a column of the current row: WALOR_VAL_INT, WALOR_VAL_TEXT
 * (also a real, as its text), WALOR_VAL_NULL or WH_VAL_BLOB (a tool copying
 * rows between engines, walorctl migrate-db) */
uint32_t wh_rows_type(wh_rows *r, uint32_t col);
/* the bytes of a blob (or text) column and their length; valid until next/close */
const void *wh_rows_blob(wh_rows *r, uint32_t col, size_t *len);

/* Runs a script of several statements (migrations); no binds. */
int32_t wh_db_script(wh_db *db, const char *sql);

/* Forward-only numbered migrations of one owner ("host", a plugin name):
 * every version above the one recorded in wh_migrations is applied in
 * order, each in its own transaction together with its record. Versions
 * must be 1, 2, 3, … without gaps. */
typedef struct wh_migration {
    int32_t version;
    const char *sql;
} wh_migration;
int32_t wh_db_migrate(wh_db *db, const char *owner, const wh_migration *list, size_t n);

/* Rows changed by the last completed INSERT/UPDATE/DELETE on this
 * connection, e.g. after a query with RETURNING has been read to the end. */
int32_t wh_db_changes(wh_db *db);

/* Cheap health check for /healthz (SELECT 1 and PRAGMA schema_version,
 * which reads the file header): 0 or a negative WALOR_E*. */
int32_t wh_db_check(wh_db *db);

/* The main file's header as it is on disk (page 1 may otherwise come from
 * the WAL), read through SQLite's own descriptor: walord never opens the
 * database files itself (docs/RELIABILITY.md). 0 or WALOR_EDB. */
int32_t wh_db_check_file(wh_db *db);

/* ---- backup.c: the online backup, and the guard of the live files ----
 * A consistent, verified copy of the database behind db at dest_path
 * (docs/RELIABILITY.md "Backups"): SQLite's online backup in one step into
 * a temporary file next to dest_path, PRAGMA integrity_check on it, then a
 * rename into place. An existing dest_path is refused (WALOR_EEXIST)
 * unless flags has WH_BACKUP_REPLACE. WALOR_EPHASE inside a transaction;
 * WALOR_ENOTFOUND when the directory does not exist; WALOR_EINVAL for a
 * destination that is the live database or one of its files; WALOR_EDB
 * with a reason (disk full, I/O, a copy that failed the check), and then
 * no file is left behind. */
#define WH_BACKUP_REPLACE 0x1u /* = WALOR_BACKUP_REPLACE */
int32_t wh_db_backup(wh_db *db, const char *dest_path, uint32_t flags);

/* 1 when path names the database at db_path or its -wal, -shm or -journal
 * file (by name, or the same file under another name). Nothing but SQLite
 * may open, read, copy, rename or delete those: closing any descriptor of
 * one drops every SQLite lock of the process. */
int wh_db_is_live_file(const char *db_path, const char *path);

/* ---- restore.c ----
 * Replaces the whole content of db — opened with wh_db_open_exclusive —
 * with the SQLite database at src_path, through SQLite's online backup in
 * one step: one write transaction of db, so it holds the old database or
 * the whole new one, never a mix. 0, or WALOR_EDB with the reason (a full
 * disk leaves db as it was). walorctl restore verifies src_path first. */
int32_t wh_db_restore_from(wh_db *db, const char *src_path);

/* 0 when db is a Walor database (the host's migrations are recorded),
 * WALOR_ENOTFOUND when not, or a database error. */
int32_t wh_db_is_walor(wh_db *db);

/* ---- PostgreSQL and several instances (pg.h, docs/RELIABILITY.md) ----
 * wh_db_open takes a conninfo (postgresql://… or key=value …) as well as
 * a file path, and then runs every call above on PostgreSQL. */
int wh_db_is_conninfo(const char *path);
/* the password for PostgreSQL connections opened from now on (a file or a
 * systemd credential, read by the configuration); never logged */
void wh_db_set_password(const char *password);
/* [walor] db as it may be shown: a conninfo's password as ***; malloc'd */
char *wh_db_display(const char *path);
/* 1 when the table exists, 0 when not, < 0 on an error (either engine) */
int32_t wh_db_has_table(wh_db *db, const char *name);
/* the application name of every PostgreSQL connection opened from now on
 * (walord's tells the instance: cluster.c) */
void wh_db_set_app_name(const char *name);
/* that name ("walor" when none was set) */
const char *wh_db_app_name(void);
/* live walord instances connected to this database: the distinct
 * application names "walord …" among its sessions (1 on SQLite) */
int32_t wh_db_instances(wh_db *db);
/* 1 when several walord instances may share this database (PostgreSQL) */
int wh_db_shared(const wh_db *db);

/* Advisory locks in Walor's key space, held by this connection until
 * unlocked or until it ends (a killed instance's locks go with it). On
 * SQLite, where one process owns the database, they are always granted.
 * try_lock: 1 taken, 0 held by another connection, < 0 an error. */
#define WH_DB_LOCK_CHAT 2  /* one chat's updates, handled one at a time */
#define WH_DB_LOCK_POLL 3  /* the one instance that long-polls Telegram */
#define WH_DB_LOCK_SETUP 4 /* creating the migrations table */
#define WH_DB_LOCK_JOB 5   /* one job handler's rows, one cron job: never two at once */
#define WH_DB_LOCK_EVENT 6 /* one (subscriber, aggregate) pair's deliveries */
int32_t wh_db_lock(wh_db *db, int32_t ns, int64_t key);
int32_t wh_db_try_lock(wh_db *db, int32_t ns, int64_t key);
int32_t wh_db_unlock(wh_db *db, int32_t ns, int64_t key);

#endif
