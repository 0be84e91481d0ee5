/* The PostgreSQL engine behind db.h: see pg.h for what differs from
 * SQLite and why. */
#include "pg.h"
#include "pg_sql.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db.h"
#include "db_int.h"
#include "error.h"
#include "log.h"

#define SNIPPET_MAX 80
#define CACHE_MAX 256
#define INT8OID 20
#define BOOLOID 16
#define BYTEAOID 17

/* Walor's advisory locks live in classids 'W','A',0,ns: another
 * application on the same database that uses advisory locks will not
 * meet them */
#define LOCK_CLASS(ns) ((int32_t)(0x57410000 | ((ns) & 0xffff)))
#define LOCK_WRITER 1

#define KIND_READ 0
#define KIND_WRITE 1 /* INSERT/UPDATE/DELETE (also under WITH), DDL */

typedef struct tr_entry {
    uint64_t hash;
    char *sql;   /* as the caller wrote it */
    char *pgsql; /* with $n placeholders */
    int nparams;
    int kind;
    int dml;     /* its command tag counts rows */
} tr_entry;

struct wh_pg {
    PGconn *conn;
    char *conninfo;
    int began;     /* we ran BEGIN and have not ended it */
    int autobegin; /* the first writing statement opens the transaction */
    int32_t changes;
    uint32_t nopen;
    size_t ncache;
    tr_entry cache[CACHE_MAX];
};

struct wh_pgrows {
    wh_pg *pg;
    PGresult *res;
    int row;   /* current row, -1 before the first */
    int nrows;
    int dml;
    int closed;
    unsigned char *blob; /* the current row's decoded bytea (PQfreemem), until next/close */
};

/* ---- process-wide: the password from a file or credential ---- */

static char *g_password;
static char *g_app_name;

const char *wh_pg_app_name(void) { return g_app_name ? g_app_name : "walor"; }

void wh_pg_set_app_name(const char *name)
{
    free(g_app_name);
    g_app_name = name && *name ? strdup(name) : NULL;
}

void wh_pg_set_password(const char *pw)
{
    free(g_password);
    g_password = pw && *pw ? strdup(pw) : NULL;
}

/* ---- error detail ---- */


static int32_t map_state(const char *st)
{
    if (!st)
        return WALOR_EDB;
    /* 40001 serialization, 40P01 deadlock, 55P03 lock not available, 57014 cancelled (timeout) */
    if (strncmp(st, "40", 2) == 0 || strcmp(st, "55P03") == 0 || strcmp(st, "57014") == 0)
        return WALOR_EBUSY;
    if (strcmp(st, "53200") == 0)
        return WALOR_ENOMEM;
    /* 42601 syntax, 42P18 indeterminate type, 42883 no such operator: a wrong statement */
    return WALOR_EDB;
}

/* The detail names the statement, never a value: PostgreSQL's DETAIL
 * (which quotes keys) is left out, and a data exception's message is cut
 * where it starts quoting the input. */
static int32_t fail_res(wh_pg *pg, const PGresult *res, const char *sql)
{
    char snip[SNIPPET_MAX + 8];
    wh_db_snippet(sql, snip, sizeof snip);
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char buf[256];
    if (!msg) {
        snprintf(buf, sizeof buf, "%s", PQerrorMessage(pg->conn));
        buf[strcspn(buf, "\n")] = '\0';
        msg = buf;
    } else if (st && strncmp(st, "22", 2) == 0) {
        snprintf(buf, sizeof buf, "%.*s", (int)strcspn(msg, ":"), msg);
        msg = buf;
    }
    return wh_error(map_state(st), "%s%s%s%s (SQL: %s)", msg, st ? " [" : "", st ? st : "", st ? "]" : "", snip);
}

/* ---- connection ---- */

static void on_notice(void *arg, const char *message)
{
    (void)arg;
    wh_debug("postgresql: %.*s", (int)strcspn(message, "\n"), message);
}

static PGconn *connect_to(const char *conninfo, char *err, size_t errlen)
{
    /* later keywords override what the conninfo says */
    const char *keys[5] = {"dbname", "fallback_application_name", NULL, NULL, NULL};
    const char *vals[5] = {conninfo, "walor", NULL, NULL, NULL};
    int k = 2;
    if (g_app_name) {
        keys[k] = "application_name";
        vals[k++] = g_app_name;
    }
    if (g_password) {
        keys[k] = "password";
        vals[k++] = g_password;
    }
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        if (err && errlen) {
            /* libpq's message names host and user, never the password */
            snprintf(err, errlen, "%s", conn ? PQerrorMessage(conn) : "out of memory");
            size_t n = strlen(err);
            while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
                err[--n] = '\0';
            for (char *q = err; *q; q++)
                if (*q == '\n')
                    *q = ' ';
        }
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, on_notice, NULL);
    /* times are epoch seconds everywhere; UTC keeps any server-side date
     * arithmetic from depending on the server's zone */
    PGresult *res = PQexec(conn, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        if (err && errlen)
            snprintf(err, errlen, "session setup failed: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

/* Outside a transaction, a connection the server or the network dropped
 * is opened again; inside one the transaction is gone and the caller
 * hears so. */
static int32_t ensure_conn(wh_pg *pg)
{
    if (PQstatus(pg->conn) == CONNECTION_OK)
        return 0;
    if (pg->began)
        return wh_error(WALOR_EDB, "the connection to PostgreSQL was lost inside a transaction");
    PQreset(pg->conn);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(pg->conn));
        msg[strcspn(msg, "\n")] = '\0';
        return wh_error(WALOR_EDB, "cannot reach PostgreSQL: %s", msg);
    }
    PQsetNoticeProcessor(pg->conn, on_notice, NULL);
    PGresult *res = PQexec(pg->conn, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    PQclear(res);
    wh_info("postgresql: connection opened again");
    return 0;
}

static int32_t simple(wh_pg *pg, const char *sql)
{
    int32_t rc = ensure_conn(pg);
    if (rc < 0)
        return rc;
    PGresult *res = PQexec(pg->conn, sql);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        rc = fail_res(pg, res, sql);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    return 0;
}

static int32_t lock_call(wh_pg *pg, const char *fn, int32_t ns, int64_t key, int *got)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT %s(%d, %d)", fn, (int)LOCK_CLASS(ns), (int)(int32_t)(key ^ (key >> 32)));
    int32_t rc = ensure_conn(pg);
    if (rc < 0)
        return rc;
    PGresult *res = PQexec(pg->conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail_res(pg, res, sql);
        PQclear(res);
        return rc;
    }
    if (got)
        *got = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return 0;
}

int32_t wh_pg_lock(wh_pg *pg, int32_t ns, int64_t key) { return lock_call(pg, "pg_advisory_lock", ns, key, NULL); }

int32_t wh_pg_try_lock(wh_pg *pg, int32_t ns, int64_t key)
{
    int got = 0;
    int32_t rc = lock_call(pg, "pg_try_advisory_lock", ns, key, &got);
    return rc < 0 ? rc : got;
}

int32_t wh_pg_unlock(wh_pg *pg, int32_t ns, int64_t key)
{
    return lock_call(pg, "pg_advisory_unlock", ns, key, NULL);
}

wh_pg *wh_pg_open(const char *conninfo, int existing, char *err, size_t errlen)
{
    char why[512] = "";
    PGconn *conn = connect_to(conninfo, why, sizeof why);
    char *shown = wh_pg_redact(conninfo);
    if (!conn) {
        if (err && errlen)
            snprintf(err, errlen, "cannot open database %s: %s", shown ? shown : "", why);
        wh_error(WALOR_EDB, "cannot open database %s: %s", shown ? shown : "", why);
        free(shown);
        return NULL;
    }
    wh_pg *pg = calloc(1, sizeof *pg);
    if (!pg || !(pg->conninfo = strdup(conninfo))) {
        free(pg);
        PQfinish(conn);
        free(shown);
        if (err && errlen)
            snprintf(err, errlen, "cannot open database: out of memory");
        return NULL;
    }
    pg->conn = conn;
    if (!existing) {
        /* several instances may start at once: one creates the table */
        int32_t rc = wh_pg_lock(pg, WH_DB_LOCK_SETUP, 0);
        if (rc == 0) {
            rc = simple(pg, "CREATE TABLE IF NOT EXISTS wh_migrations("
                            " owner TEXT NOT NULL, version BIGINT NOT NULL, applied_at BIGINT NOT NULL,"
                            " PRIMARY KEY(owner, version));"
                            /* SQLite's functions that plugins use and PostgreSQL
                             * names otherwise (docs/plugin-guide.md "SQL for both
                             * engines"): one place instead of a text per dialect */
                            "CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer"
                            " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos($1, $2)'");
            wh_pg_unlock(pg, WH_DB_LOCK_SETUP, 0);
        }
        if (rc < 0) {
            if (err && errlen)
                snprintf(err, errlen, "cannot open database %s: %s", shown ? shown : "", wh_last_error());
            wh_pg_close(pg);
            free(shown);
            return NULL;
        }
    }
    free(shown);
    return pg;
}

void wh_pg_close(wh_pg *pg)
{
    if (!pg)
        return;
    if (pg->nopen)
        wh_warn("database closed with %u result(s) still open", pg->nopen);
    if (pg->began || PQtransactionStatus(pg->conn) == PQTRANS_INTRANS)
        wh_warn("database closed inside a transaction; it is rolled back");
    for (size_t i = 0; i < pg->ncache; i++) {
        free(pg->cache[i].sql);
        free(pg->cache[i].pgsql);
    }
    PQfinish(pg->conn);
    free(pg->conninfo);
    free(pg);
}

/* ---- statements: ? → $n, classification, cached per connection ---- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int32_t lookup(wh_pg *pg, const char *sql, const tr_entry **out)
{
    uint64_t h = fnv1a(sql);
    for (size_t i = 0; i < pg->ncache; i++)
        if (pg->cache[i].hash == h && strcmp(pg->cache[i].sql, sql) == 0) {
            *out = &pg->cache[i];
            return 0;
        }
    int np, writes, multi;
    char *pgsql = wh_pg_translate(sql, &np, &writes, &multi);
    char *copy = strdup(sql);
    if (!pgsql || !copy) {
        free(pgsql);
        free(copy);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    if (multi) {
        char snip[SNIPPET_MAX + 8];
        wh_db_snippet(sql, snip, sizeof snip);
        free(pgsql);
        free(copy);
        return wh_error(WALOR_EINVAL, "SQL holds more than one statement; use wh_db_script (SQL: %s)", snip);
    }
    const char *first = wh_db_skip_space(sql);
    size_t flen = 0;
    while (isalpha((unsigned char)first[flen]))
        flen++;
    static const char *const txctl[] = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "START"};
    for (size_t i = 0; i < sizeof txctl / sizeof *txctl; i++)
        if (wh_pg_word_is(first, flen, txctl[i])) {
            free(pgsql);
            free(copy);
            return wh_error(WALOR_EINVAL, "transaction control statements are not allowed here; "
                                          "use wh_db_begin/commit/rollback");
        }
    int dml = wh_pg_word_is(first, flen, "INSERT") || wh_pg_word_is(first, flen, "UPDATE") || wh_pg_word_is(first, flen, "DELETE") ||
              (wh_pg_word_is(first, flen, "WITH") && writes);
    if (pg->ncache == CACHE_MAX) {
        /* a fixed set of statements in practice: starting over is rare and cheap */
        for (size_t i = 0; i < pg->ncache; i++) {
            free(pg->cache[i].sql);
            free(pg->cache[i].pgsql);
        }
        pg->ncache = 0;
    }
    tr_entry *e = &pg->cache[pg->ncache++];
    e->hash = h;
    e->sql = copy;
    e->pgsql = pgsql;
    e->nparams = np;
    e->dml = dml;
    /* a SELECT that names INSERT in a string is caught by the quotes; in
     * an identifier (no such table names here) it would only take the lock */
    e->kind = (writes && !wh_pg_word_is(first, flen, "SELECT")) ? KIND_WRITE : KIND_READ;
    *out = e;
    return 0;
}

/* ---- transactions ---- */

static int32_t begin_locked(wh_pg *pg)
{
    /* as SQLite's busy timeout: a writer that cannot get the lock in 10 s
     * (a long migration elsewhere, a session left open by hand) hears
     * WALOR_EBUSY rather than waiting for ever; the limit ends with the
     * transaction, so a chat's lock may still wait for a long handler */
    char sql[128];
    snprintf(sql, sizeof sql, "BEGIN; SET LOCAL lock_timeout = '10s'; SELECT pg_advisory_xact_lock(%d, 1)",
             (int)LOCK_CLASS(LOCK_WRITER));
    int32_t rc = simple(pg, sql);
    if (rc < 0) {
        if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE) {
            PGresult *res = PQexec(pg->conn, "ROLLBACK");
            PQclear(res);
        }
        return rc;
    }
    pg->began = 1;
    return 0;
}

int wh_pg_in_tx(const wh_pg *pg)
{
    if (!pg)
        return 0;
    PGTransactionStatusType s = PQtransactionStatus(pg->conn);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

int wh_pg_tx_lost(const wh_pg *pg)
{
    return pg && pg->began && PQtransactionStatus(pg->conn) != PQTRANS_INTRANS;
}

void wh_pg_autobegin(wh_pg *pg, int on)
{
    if (pg)
        pg->autobegin = on ? 1 : 0;
}

int32_t wh_pg_begin(wh_pg *pg)
{
    if (wh_pg_in_tx(pg))
        return wh_error(WALOR_EBUSY, "a transaction is already open on this connection (no nesting)");
    return begin_locked(pg);
}

int32_t wh_pg_commit(wh_pg *pg)
{
    PGTransactionStatusType s = PQtransactionStatus(pg->conn);
    if (s == PQTRANS_IDLE || s == PQTRANS_UNKNOWN) {
        if (pg->began) {
            pg->began = 0;
            return wh_error(WALOR_EDB, "the transaction was lost (the connection to PostgreSQL ended)");
        }
        return wh_error(WALOR_EINVAL, "commit without an open transaction");
    }
    pg->began = 0;
    if (s == PQTRANS_INERROR) {
        PGresult *res = PQexec(pg->conn, "ROLLBACK");
        PQclear(res);
        return wh_error(WALOR_EDB, "the transaction was aborted by an earlier failed statement; rolled back");
    }
    PGresult *res = PQexec(pg->conn, "COMMIT");
    int32_t rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail_res(pg, res, "COMMIT");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = wh_error(WALOR_EDB, "the transaction was rolled back by PostgreSQL");
    PQclear(res);
    if (rc < 0 && PQtransactionStatus(pg->conn) != PQTRANS_IDLE) {
        res = PQexec(pg->conn, "ROLLBACK");
        PQclear(res);
    }
    return rc;
}

int32_t wh_pg_rollback(wh_pg *pg)
{
    pg->began = 0;
    PGTransactionStatusType s = PQtransactionStatus(pg->conn);
    if (s != PQTRANS_INTRANS && s != PQTRANS_INERROR)
        return 0;
    PGresult *res = PQexec(pg->conn, "ROLLBACK");
    int32_t rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail_res(pg, res, "ROLLBACK");
    PQclear(res);
    return rc;
}

int32_t wh_pg_savepoint_run(wh_pg *pg, const char *sql)
{
    if (PQtransactionStatus(pg->conn) == PQTRANS_IDLE)
        return wh_error(WALOR_EINVAL, "a savepoint needs an open transaction");
    return simple(pg, sql);
}

/* ---- running statements ---- */

typedef struct params {
    const char *values[64];
    int lengths[64];
    int formats[64];
    unsigned int types[64];
    char ints[64][24];
    const char **v;
    int *l, *f;
    unsigned int *t;
    char (*iv)[24];
} params;

static void params_free(params *ps)
{
    if (ps->v != ps->values) {
        free(ps->v);
        free(ps->l);
        free(ps->f);
        free(ps->t);
        free(ps->iv);
    }
}

static int32_t params_fill(params *ps, const tr_entry *e, const walor_val *args, uint32_t nargs)
{
    ps->v = ps->values;
    if ((uint32_t)e->nparams != nargs) {
        char snip[SNIPPET_MAX + 8];
        wh_db_snippet(e->sql, snip, sizeof snip);
        return wh_error(WALOR_EINVAL, "SQL has %d placeholder(s) but %u value(s) were given (SQL: %s)", e->nparams,
                        nargs, snip);
    }
    if (nargs && !args)
        return wh_error(WALOR_EINVAL, "%u value(s) announced but args is NULL", nargs);
    ps->v = ps->values;
    ps->l = ps->lengths;
    ps->f = ps->formats;
    ps->t = ps->types;
    ps->iv = ps->ints;
    if (nargs > 64) {
        ps->v = calloc(nargs, sizeof *ps->v);
        ps->l = calloc(nargs, sizeof *ps->l);
        ps->f = calloc(nargs, sizeof *ps->f);
        ps->t = calloc(nargs, sizeof *ps->t);
        ps->iv = calloc(nargs, sizeof *ps->iv);
        if (!ps->v || !ps->l || !ps->f || !ps->t || !ps->iv)
            return wh_error(WALOR_ENOMEM, "out of memory"); /* params_free frees what exists */
    }
    for (uint32_t i = 0; i < nargs; i++) {
        ps->l[i] = 0;
        ps->f[i] = 0;
        ps->t[i] = 0;
        switch (args[i].type) {
        case WALOR_VAL_INT:
            snprintf(ps->iv[i], sizeof ps->iv[i], "%lld", (long long)args[i].i);
            ps->v[i] = ps->iv[i];
            ps->t[i] = INT8OID;
            break;
        case WALOR_VAL_TEXT:
            ps->v[i] = args[i].s; /* NULL text is SQL NULL, as in db.c */
            break;
        case WALOR_VAL_NULL:
            ps->v[i] = NULL;
            break;
#ifdef WH_VAL_BLOB
        case WH_VAL_BLOB:
            if (args[i].i < 0 || args[i].i > INT32_MAX || (args[i].i && !args[i].s))
                return wh_error(WALOR_EINVAL, "value %u: bad blob", i + 1);
            ps->v[i] = args[i].s ? args[i].s : "";
            ps->l[i] = (int)args[i].i;
            ps->f[i] = 1;
            ps->t[i] = BYTEAOID;
            break;
#endif
        default:
            return wh_error(WALOR_EINVAL, "value %u has unknown type %u", i + 1, args[i].type);
        }
    }
    return 0;
}

/* One statement; *out gets its result (the caller clears it). A write
 * outside a transaction takes the writer lock for itself: it is its own
 * transaction, as in SQLite. */
/* The statement on a connection that is up, with the writer lock for a
 * write outside a transaction. *gone: the connection broke. */
static int32_t run_once(wh_pg *pg, const tr_entry *e, const params *ps, uint32_t nargs, PGresult **out, int *gone)
{
    int32_t rc;
    if ((rc = ensure_conn(pg)) < 0)
        return rc;
    int own = 0;
    if (e->kind == KIND_WRITE && !wh_pg_in_tx(pg)) {
        if (pg->began)
            return wh_error(WALOR_EDB, "the transaction was lost (the connection to PostgreSQL ended)");
        if ((rc = begin_locked(pg)) < 0) {
            *gone = PQstatus(pg->conn) == CONNECTION_BAD;
            return rc;
        }
        own = !pg->autobegin;
    }
    PGresult *res = PQexecParams(pg->conn, e->pgsql, (int)nargs, ps->t, ps->v, ps->l, ps->f, 0);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        rc = fail_res(pg, res, e->sql);
        PQclear(res);
        *gone = PQstatus(pg->conn) == CONNECTION_BAD;
        if (own && !*gone) {
            char saved[512];
            snprintf(saved, sizeof saved, "%s", wh_last_error());
            wh_pg_rollback(pg);
            wh_error(rc, "%s", saved);
        }
        return rc;
    }
    if (e->dml) {
        const char *n = PQcmdTuples(res);
        long long v = n && *n ? atoll(n) : 0;
        pg->changes = v > INT32_MAX ? INT32_MAX : (int32_t)v;
    }
    if (own && (rc = wh_pg_commit(pg)) < 0) {
        PQclear(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* One statement; *out gets its result (the caller clears it). A write
 * outside a transaction takes the writer lock for itself: it is its own
 * transaction, as in SQLite. A connection found broken (a server restart,
 * a cut) is opened again and the statement sent once more, when no
 * transaction of the caller's was open: nothing of it can have committed. */
static int32_t run(wh_pg *pg, const char *sql, const walor_val *args, uint32_t nargs, PGresult **out,
                   const tr_entry **ent)
{
    *out = NULL;
    if (!pg || !sql)
        return wh_error(WALOR_EINVAL, "NULL database or SQL");
    const tr_entry *e = NULL;
    int32_t rc = lookup(pg, sql, &e);
    if (rc < 0)
        return rc;
    *ent = e;
    params ps;
    rc = params_fill(&ps, e, args, nargs);
    if (rc < 0) {
        params_free(&ps);
        return rc;
    }
    int idle = !pg->began && !wh_pg_in_tx(pg), gone = 0;
    rc = run_once(pg, e, &ps, nargs, out, &gone);
    if (rc < 0 && gone && idle) {
        pg->began = 0; /* what this call began died with the connection */
        wh_warn("postgresql: the connection was lost; opening it again");
        gone = 0;
        rc = run_once(pg, e, &ps, nargs, out, &gone);
    } else if (rc < 0 && gone) {
        pg->began = 1; /* the caller's transaction is gone: tx_lost until it ends it */
    }
    params_free(&ps);
    return rc;
}

int32_t wh_pg_exec(wh_pg *pg, const char *sql, const walor_val *args, uint32_t nargs)
{
    PGresult *res;
    const tr_entry *e = NULL;
    int32_t rc = run(pg, sql, args, nargs, &res, &e);
    if (rc < 0)
        return rc;
    PQclear(res);
    return e->dml ? pg->changes : 0;
}

int32_t wh_pg_changes(wh_pg *pg) { return pg ? pg->changes : 0; }

int32_t wh_pg_query(wh_pg *pg, const char *sql, const walor_val *args, uint32_t nargs, wh_pgrows **out)
{
    *out = NULL;
    PGresult *res;
    const tr_entry *e = NULL;
    int32_t rc = run(pg, sql, args, nargs, &res, &e);
    if (rc < 0)
        return rc;
    wh_pgrows *r = calloc(1, sizeof *r);
    if (!r) {
        PQclear(res);
        return wh_error(WALOR_ENOMEM, "out of memory for a query result");
    }
    r->pg = pg;
    r->res = res;
    r->row = -1;
    r->nrows = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    r->dml = e->dml;
    pg->nopen++;
    *out = r;
    return 0;
}

int32_t wh_pg_rows_next(wh_pgrows *r)
{
    if (!r || r->closed)
        return wh_error(WALOR_EINVAL, "NULL or closed result");
    if (r->blob) {
        PQfreemem(r->blob);
        r->blob = NULL;
    }
    if (r->row + 1 >= r->nrows) {
        r->row = r->nrows;
        return 0;
    }
    r->row++;
    return 1;
}

static int column_ok(wh_pgrows *r, uint32_t col)
{
    if (!r || r->closed || r->row < 0 || r->row >= r->nrows) {
        wh_error(WALOR_EINVAL, "no current row");
        return 0;
    }
    int n = PQnfields(r->res);
    if (col >= (uint32_t)n) {
        wh_error(WALOR_EINVAL, "column %u out of range (the result has %d)", col, n);
        return 0;
    }
    return 1;
}

int64_t wh_pg_rows_int(wh_pgrows *r, uint32_t col)
{
    if (!column_ok(r, col) || PQgetisnull(r->res, r->row, (int)col))
        return 0;
    const char *v = PQgetvalue(r->res, r->row, (int)col);
    if (PQftype(r->res, (int)col) == BOOLOID)
        return v[0] == 't';
    /* numeric (SUM of bigints) and floats: as SQLite, the integer part */
    return strtoll(v, NULL, 10);
}

const char *wh_pg_rows_text(wh_pgrows *r, uint32_t col)
{
    if (!column_ok(r, col) || PQgetisnull(r->res, r->row, (int)col))
        return NULL;
    const char *v = PQgetvalue(r->res, r->row, (int)col);
    /* a comparison reads as SQLite shows it: 1 or 0 */
    if (PQftype(r->res, (int)col) == BOOLOID)
        return v[0] == 't' ? "1" : "0";
    return v;
}

const void *wh_pg_rows_blob(wh_pgrows *r, uint32_t col, size_t *len)
{
    if (len)
        *len = 0;
    if (!column_ok(r, col) || PQgetisnull(r->res, r->row, (int)col))
        return NULL;
    const char *v = PQgetvalue(r->res, r->row, (int)col);
    if (PQftype(r->res, (int)col) != BYTEAOID) {
        if (len)
            *len = (size_t)PQgetlength(r->res, r->row, (int)col);
        return v;
    }
    size_t n = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *)v, &n);
    if (!bytes)
        return NULL;
    if (r->blob)
        PQfreemem(r->blob);
    r->blob = bytes; /* valid until the next row or the close, as db.h says */
    if (len)
        *len = n;
    return bytes;
}

int32_t wh_pg_rows_is_null(wh_pgrows *r, uint32_t col)
{
    if (!column_ok(r, col))
        return WALOR_EINVAL;
    return PQgetisnull(r->res, r->row, (int)col) ? 1 : 0;
}

int wh_pg_rows_is_dml(const wh_pgrows *r) { return r && r->dml; }

void wh_pg_rows_close(wh_pgrows *r)
{
    if (!r || r->closed)
        return;
    r->closed = 1;
    r->pg->nopen--;
    if (r->blob)
        PQfreemem(r->blob);
    PQclear(r->res);
    free(r);
}

int32_t wh_pg_script(wh_pg *pg, const char *sql)
{
    if (!pg || !sql)
        return wh_error(WALOR_EINVAL, "NULL database or SQL");
    char *t = wh_pg_ddl(sql);
    if (!t)
        return wh_error(WALOR_ENOMEM, "out of memory");
    int32_t rc = ensure_conn(pg);
    if (rc == 0) {
        PGresult *res = PQexec(pg->conn, t);
        ExecStatusType s = PQresultStatus(res);
        if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
            rc = fail_res(pg, res, sql);
        PQclear(res);
    }
    free(t);
    return rc;
}

/* ---- health, identity, backup ---- */

int32_t wh_pg_check(wh_pg *pg)
{
    PGresult *res;
    const tr_entry *e;
    int32_t rc = run(pg, "SELECT 1", NULL, 0, &res, &e);
    if (rc < 0)
        return rc;
    int ok = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    PQclear(res);
    return ok ? 0 : wh_error(WALOR_EDB, "health check: SELECT 1 did not return 1");
}

int32_t wh_pg_is_walor(wh_pg *pg)
{
    PGresult *res;
    const tr_entry *e;
    int32_t rc = run(pg, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'wh_migrations'",
                     NULL, 0, &res, &e);
    if (rc < 0)
        return rc;
    int has = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") != 0;
    PQclear(res);
    if (!has)
        return wh_error(WALOR_ENOTFOUND, "not a Walor database (no wh_migrations table)");
    rc = run(pg, "SELECT count(*) FROM wh_migrations WHERE owner = 'host.core'", NULL, 0, &res, &e);
    if (rc < 0)
        return rc;
    has = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") != 0;
    PQclear(res);
    return has ? 0 : wh_error(WALOR_ENOTFOUND, "not a Walor database (the host's migrations are not recorded)");
}

static int32_t run_tool(char *const argv[], const char *what)
{
    pid_t pid = fork();
    if (pid < 0)
        return wh_error(WALOR_EDB, "%s: cannot start: %s", what, strerror(errno));
    if (pid == 0) {
        if (g_password)
            setenv("PGPASSWORD", g_password, 1);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return wh_error(WALOR_EDB, "%s failed (exit %d)", what, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

int32_t wh_pg_backup(wh_pg *pg, const char *dest, int replace)
{
    if (wh_pg_in_tx(pg))
        return wh_error(WALOR_EPHASE, "backup inside a transaction");
    struct stat sb;
    if (!replace && stat(dest, &sb) == 0)
        return wh_error(WALOR_EEXIST, "%s exists", dest);
    size_t n = strlen(dest);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return wh_error(WALOR_ENOMEM, "out of memory");
    snprintf(tmp, n + 16, "%s.tmp-%d", dest, (int)getpid());
    /* pg_dump gives one consistent snapshot of a live database, as SQLite's
     * online backup does for a file */
    char *dump[] = {"pg_dump", "--format=custom", "--no-owner", "--file", tmp, "--dbname", pg->conninfo, NULL};
    int32_t rc = run_tool(dump, "pg_dump");
    if (rc == 0) {
        char *check[] = {"pg_restore", "--list", tmp, NULL};
        rc = run_tool(check, "pg_restore --list (checking the dump)");
    }
    if (rc == 0 && rename(tmp, dest) != 0)
        rc = wh_error(WALOR_EDB, "cannot rename the dump into place: %s", strerror(errno));
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}
