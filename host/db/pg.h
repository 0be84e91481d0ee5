/* The PostgreSQL engine behind db.h (libpq), for shops that run several
 * walord instances on one database (docs/operator-guide.md "PostgreSQL").
 *
 * db.c hands every call on a connection opened with a conninfo
 * (postgresql://… or key=value …) to the functions here; their contracts
 * are db.h's. What differs from SQLite, and why:
 *
 * - SQL is the common subset; `?` placeholders become $1, $2, … (outside
 *   quotes and comments). Integers are sent as int8, texts and NULLs with
 *   no type, so PostgreSQL infers them from the column they meet, as
 *   SQLite's affinity would.
 * - Writer transactions keep SQLite's BEGIN IMMEDIATE promise of ONE
 *   writer at a time, across all instances: BEGIN takes the database's
 *   writer lock (a transaction-level advisory lock), and statements run in
 *   READ COMMITTED, so a writer sees everything committed before it took
 *   the lock and nobody else writes until it commits. Every plugin's
 *   "check, then write" (the last unit in stock, a booked slot) stays
 *   correct without a retry loop. Writes outside a transaction take the
 *   same lock for their one statement.
 * - Migrations (wh_db_script) are translated once: INTEGER is 64-bit
 *   (BIGINT), INTEGER PRIMARY KEY an identity column, REAL DOUBLE
 *   PRECISION, BLOB BYTEA.
 * - A lost connection is opened again at the next statement outside a
 *   transaction; inside one, the transaction is lost (wh_db_tx_lost). */
#ifndef WH_PG_H
#define WH_PG_H

#include <stddef.h>
#include <stdint.h>

#include <walor/types.h>

#include "pg_sql.h"

typedef struct wh_pg wh_pg;
typedef struct wh_pgrows wh_pgrows;

/* The password for every connection (a file or systemd credential read
 * by the configuration); NULL: the conninfo's own, or libpq's defaults */
void wh_pg_set_password(const char *pw);
/* application_name of the connections opened from now on (NULL: "walor") */
void wh_pg_set_app_name(const char *name);
const char *wh_pg_app_name(void);


/* existing: 1 for tools (nothing is created); NULL with the reason in err */
wh_pg *wh_pg_open(const char *conninfo, int existing, char *err, size_t errlen);
void wh_pg_close(wh_pg *pg);

int32_t wh_pg_exec(wh_pg *pg, const char *sql, const walor_val *args, uint32_t nargs);
int32_t wh_pg_query(wh_pg *pg, const char *sql, const walor_val *args, uint32_t nargs, wh_pgrows **out);
int32_t wh_pg_rows_next(wh_pgrows *r);
int64_t wh_pg_rows_int(wh_pgrows *r, uint32_t col);
const char *wh_pg_rows_text(wh_pgrows *r, uint32_t col);
const void *wh_pg_rows_blob(wh_pgrows *r, uint32_t col, size_t *len);
int32_t wh_pg_rows_is_null(wh_pgrows *r, uint32_t col);
int wh_pg_rows_is_dml(const wh_pgrows *r);
void wh_pg_rows_close(wh_pgrows *r);
int32_t wh_pg_changes(wh_pg *pg);

int32_t wh_pg_begin(wh_pg *pg);
int32_t wh_pg_commit(wh_pg *pg);
int32_t wh_pg_rollback(wh_pg *pg);
int wh_pg_in_tx(const wh_pg *pg);
void wh_pg_autobegin(wh_pg *pg, int on);
int wh_pg_tx_lost(const wh_pg *pg);
/* verb: "SAVEPOINT", "RELEASE" or "ROLLBACK TO" a savepoint name */
int32_t wh_pg_savepoint_run(wh_pg *pg, const char *sql);

int32_t wh_pg_script(wh_pg *pg, const char *sql);
int32_t wh_pg_check(wh_pg *pg);
int32_t wh_pg_is_walor(wh_pg *pg);

/* pg_dump of the database into dest_path (custom format, verified with
 * pg_restore --list), through a temporary file and a rename */
int32_t wh_pg_backup(wh_pg *pg, const char *dest_path, int replace);

/* advisory locks of db.h's wh_db_lock (WH_DB_LOCK_* name spaces) */
int32_t wh_pg_lock(wh_pg *pg, int32_t ns, int64_t key);
/* 1 taken, 0 held by someone else, < 0 error */
int32_t wh_pg_try_lock(wh_pg *pg, int32_t ns, int64_t key);
int32_t wh_pg_unlock(wh_pg *pg, int32_t ns, int64_t key);

#endif
