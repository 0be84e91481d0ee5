/* What host/db's own files share beyond db.h: the engine handle behind a
 * wh_db, for code that needs an API db.c does not wrap (the online
 * backup, pg_dump). Never included outside host/db. */
#ifndef WH_DB_INT_H
#define WH_DB_INT_H

#include <sqlite3.h>

#include "db.h"

sqlite3 *wh_db_sqlite(wh_db *db); /* NULL on PostgreSQL */
/* The SQL as a log line may show it: blanks collapsed, cut at 80 bytes on
 * a character boundary with "…"; it holds placeholders, never values */
void wh_db_snippet(const char *sql, char *out, size_t outlen);
/* p after blanks and -- or slash-star comments */
const char *wh_db_skip_space(const char *p);
/* the PostgreSQL engine behind db, NULL on SQLite */
struct wh_pg *wh_db_pg(wh_db *db);

#endif
