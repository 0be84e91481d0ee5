/* The text PostgreSQL needs from Walor's SQL (pg.c) and the conninfo as
 * it may be shown: pure functions, no connection. */
#ifndef WH_PG_SQL_H
#define WH_PG_SQL_H

#include <stddef.h>

/* 1 when s names a PostgreSQL database (postgresql://…, postgres://… or
 * key=value …) rather than an SQLite file */
int wh_pg_is_conninfo(const char *s);

/* The conninfo with its password replaced by ***, for logs and
 * --check-config; malloc'd, the caller frees. NULL on out of memory. */
char *wh_pg_redact(const char *conninfo);

/* 1 when the n bytes at p are the word w, in any case */
int wh_pg_word_is(const char *p, size_t n, const char *w);

/* The statement with $1, $2, … for each ? outside quotes and comments
 * (malloc'd): *nparams of them; *writes when INSERT, UPDATE, DELETE or
 * DDL appears at statement level; *multi when a second statement follows
 * a ';'. NULL on out of memory. */
char *wh_pg_translate(const char *sql, int *nparams, int *writes, int *multi);

/* A migration's SQLite types in PostgreSQL's words (malloc'd, NULL on out
 * of memory): INTEGER → BIGINT, INTEGER PRIMARY KEY [AUTOINCREMENT] → an
 * identity primary key that still takes explicit ids, REAL → DOUBLE
 * PRECISION, BLOB → BYTEA; SQLite's table options STRICT and WITHOUT
 * ROWID are dropped. Quoted text and comments are left alone. */
char *wh_pg_ddl(const char *sql);

#endif
