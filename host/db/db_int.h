/* What host/db's own files share beyond db.h: the SQLite handle behind a
 * wh_db, for code that needs an SQLite API db.c does not wrap (the online
 * backup). Never included outside host/db. */
#ifndef WH_DB_INT_H
#define WH_DB_INT_H

#include <sqlite3.h>

#include "db.h"

sqlite3 *wh_db_sqlite(wh_db *db);

#endif
