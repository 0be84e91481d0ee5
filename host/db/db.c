#include "db.h"
#include "db_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "error.h"
#include "log.h"
#include "pg.h"
#include "storage.h"

#define CACHE_MAX 128
#define CACHE_BUCKETS 256 /* power of two, twice CACHE_MAX so chains stay short */
#define SNIPPET_MAX 80
#define BUSY_TIMEOUT_MS 5000

/* what the first keyword says about a statement */
#define KIND_OTHER 0
#define KIND_DML 1   /* sqlite3_changes() is meaningful after it */
#define KIND_TXCTL 2 /* BEGIN/COMMIT/...: only wh_db_begin & co may run these */

#define ROWS_NEW 0
#define ROWS_ROW 1
#define ROWS_DONE 2
#define ROWS_ERR 3
#define ROWS_CLOSED 4

typedef struct wh_stmt wh_stmt;

struct wh_rows {
    wh_db *db;
    wh_pgrows *pg; /* a PostgreSQL result (pg.c): the rest is unused */
    sqlite3_stmt *st;
    wh_stmt *ent; /* NULL: uncached, finalized and freed on close */
    int kind;
    int state;
    int32_t err;
};

/* A cache entry owns its statement and, because a cached statement has at
 * most one open result, the wh_rows of that result too: a query through
 * the cache allocates nothing. */
struct wh_stmt {
    wh_stmt *hnext;
    wh_stmt *newer, *older; /* LRU list */
    uint64_t hash;
    char *sql;
    sqlite3_stmt *st;
    int kind;
    int busy; /* handed out (exec in progress or result open): never evicted or reused */
    wh_rows rows;
};

struct wh_db {
    wh_pg *pg; /* the PostgreSQL engine (pg.h): the SQLite members are unused */
    sqlite3 *h;
    int began;      /* we ran BEGIN and have not ended it: tells "never began" from "SQLite rolled back" */
    int autobegin;  /* the first writing statement opens the transaction (a unit of work, ctx.h) */
    uint32_t nopen; /* results not closed yet, reported at close */
    uint32_t ncached;
    wh_stmt *newest, *oldest;
    wh_stmt *buckets[CACHE_BUCKETS];
};

/* ---- error detail ---- */

/* The SQL is part of the detail so that a log line says which statement
 * failed; it has only ? placeholders, never values. Whitespace is collapsed
 * to keep log lines single. */
void wh_db_snippet(const char *sql, char *out, size_t outlen)
{
    const unsigned char *p = (const unsigned char *)(sql ? sql : "");
    size_t o = 0, max = outlen - 4 < SNIPPET_MAX ? outlen - 4 : SNIPPET_MAX;
    int space = 0;

    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    for (; *p && o < max; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = 1;
            continue;
        }
        if (space) {
            out[o++] = ' ';
            space = 0;
            if (o >= max)
                break;
        }
        out[o++] = (char)*p;
    }
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p) {
        /* never cut a UTF-8 sequence in half: drop its lead and continuation bytes */
        if ((*p & 0xC0) == 0x80) {
            while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
                o--;
            if (o > 0)
                o--;
        }
        memcpy(out + o, "\xE2\x80\xA6", 3); /* … */
        o += 3;
    }
    out[o] = '\0';
}

static int32_t map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return WALOR_EBUSY;
    case SQLITE_NOMEM:
        return WALOR_ENOMEM;
    default:
        return WALOR_EDB;
    }
}

/* sqlite3_errmsg names tables, columns and constraints but not values */
static int32_t fail_msg(int rc, const char *msg, const char *sql)
{
    char snip[SNIPPET_MAX + 8];
    wh_db_snippet(sql, snip, sizeof snip);
    return wh_error(map_rc(rc), "%s (SQL: %s)", msg, snip);
}

static int32_t fail(wh_db *db, int rc, const char *sql)
{
    wh_storage_note(rc, sqlite3_system_errno(db->h), sqlite3_errmsg(db->h));
    return fail_msg(rc, sqlite3_errmsg(db->h), sql);
}

/* wh_last_error() is the buffer wh_error() writes into, so a detail that is
 * extended with context has to be copied out first */
static int32_t fail_ctx(int32_t err, const char *owner, int32_t version, const char *what)
{
    char saved[512];
    snprintf(saved, sizeof saved, "%s", wh_last_error());
    return wh_error(err, "migration %s v%d: %s%s", owner, version, what, saved);
}

/* ---- statement cache ---- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void lru_unlink(wh_db *db, wh_stmt *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        db->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        db->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push(wh_db *db, wh_stmt *e)
{
    e->older = db->newest;
    e->newer = NULL;
    if (db->newest)
        db->newest->newer = e;
    db->newest = e;
    if (!db->oldest)
        db->oldest = e;
}

static void cache_drop(wh_db *db, wh_stmt *e)
{
    wh_stmt **pp = &db->buckets[e->hash & (CACHE_BUCKETS - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(db, e);
    sqlite3_finalize(e->st);
    free(e->sql);
    free(e);
    db->ncached--;
}

const char *wh_db_skip_space(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

static int classify(const char *sql, sqlite3_stmt *st)
{
    static const char *const dml[] = {"INSERT", "UPDATE", "DELETE", "REPLACE"};
    static const char *const txctl[] = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"};
    const char *p = wh_db_skip_space(sql);
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
        n++;
    for (size_t i = 0; i < sizeof dml / sizeof dml[0]; i++)
        if (strlen(dml[i]) == n && strncasecmp(p, dml[i], n) == 0)
            return KIND_DML;
    for (size_t i = 0; i < sizeof txctl / sizeof txctl[0]; i++)
        if (strlen(txctl[i]) == n && strncasecmp(p, txctl[i], n) == 0)
            return KIND_TXCTL;
    /* a WITH prefix leads either a SELECT or a DML statement */
    if (n == 4 && strncasecmp(p, "WITH", 4) == 0 && !sqlite3_stmt_readonly(st))
        return KIND_DML;
    return KIND_OTHER;
}

static int32_t prepare(wh_db *db, const char *sql, unsigned flags, sqlite3_stmt **out)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    *out = NULL;
    int rc = sqlite3_prepare_v3(db->h, sql, -1, flags, &st, &tail);
    if (rc != SQLITE_OK)
        return fail(db, rc, sql);
    if (!st)
        return wh_error(WALOR_EINVAL, "empty SQL statement");
    /* a second statement would be silently ignored; only comments may follow */
    tail = wh_db_skip_space(tail ? tail : "");
    while (*tail == ';')
        tail = wh_db_skip_space(tail + 1);
    if (*tail) {
        sqlite3_finalize(st);
        char snip[SNIPPET_MAX + 8];
        wh_db_snippet(sql, snip, sizeof snip);
        return wh_error(WALOR_EINVAL, "SQL holds more than one statement; use wh_db_script (SQL: %s)", snip);
    }
    *out = st;
    return WALOR_OK;
}

/* Hands out a statement for sql: the cached one if it is free, else a fresh
 * uncached one (*ent = NULL) so that a result still open on the cached
 * statement is never reset under its reader. */
static int32_t acquire(wh_db *db, const char *sql, int allow_txctl, wh_stmt **ent, sqlite3_stmt **st, int *kind)
{
    *ent = NULL;
    *st = NULL;
    if (!db || !sql)
        return wh_error(WALOR_EINVAL, "NULL database or SQL");
    uint64_t hash = fnv1a(sql);
    wh_stmt *e = db->buckets[hash & (CACHE_BUCKETS - 1)];
    while (e && (e->hash != hash || strcmp(e->sql, sql) != 0))
        e = e->hnext;

    if (e && !e->busy) {
        lru_unlink(db, e);
        lru_push(db, e);
        *kind = e->kind;
    } else {
        sqlite3_stmt *fresh;
        int32_t rc = prepare(db, sql, e ? 0 : SQLITE_PREPARE_PERSISTENT, &fresh);
        if (rc < 0)
            return rc;
        *kind = classify(sql, fresh);
        if (*kind == KIND_TXCTL && !allow_txctl) {
            sqlite3_finalize(fresh);
            return wh_error(WALOR_EINVAL, "transaction control statements are not allowed here; "
                                          "use wh_db_begin/commit/rollback");
        }
        if (e) {
            *st = fresh;
            return WALOR_OK;
        }
        if (db->ncached >= CACHE_MAX) {
            wh_stmt *victim = db->oldest;
            while (victim && victim->busy)
                victim = victim->newer;
            if (victim)
                cache_drop(db, victim);
        }
        e = db->ncached < CACHE_MAX ? calloc(1, sizeof *e) : NULL;
        if (e && !(e->sql = strdup(sql))) {
            free(e);
            e = NULL;
        }
        if (!e) { /* cache full of open results, or no memory: still usable, just not cached */
            *st = fresh;
            return WALOR_OK;
        }
        e->hash = hash;
        e->st = fresh;
        e->kind = *kind;
        e->hnext = db->buckets[hash & (CACHE_BUCKETS - 1)];
        db->buckets[hash & (CACHE_BUCKETS - 1)] = e;
        lru_push(db, e);
        db->ncached++;
    }
    if (e->kind == KIND_TXCTL && !allow_txctl)
        return wh_error(WALOR_EINVAL, "transaction control statements are not allowed here; "
                                      "use wh_db_begin/commit/rollback");
    e->busy = 1;
    *ent = e;
    *st = e->st;
    return WALOR_OK;
}

static void release(wh_stmt *ent, sqlite3_stmt *st)
{
    if (ent) {
        /* clearing drops the copies of bound strings now rather than at the next use */
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        ent->busy = 0;
    } else {
        sqlite3_finalize(st);
    }
}

static int32_t bind_args(wh_db *db, sqlite3_stmt *st, const walor_val *args, uint32_t nargs)
{
    int want = sqlite3_bind_parameter_count(st);
    if (want < 0 || (uint32_t)want != nargs) {
        char snip[SNIPPET_MAX + 8];
        wh_db_snippet(sqlite3_sql(st), snip, sizeof snip);
        return wh_error(WALOR_EINVAL, "SQL has %d placeholder(s) but %u value(s) were given (SQL: %s)", want,
                        nargs, snip);
    }
    if (nargs && !args)
        return wh_error(WALOR_EINVAL, "%u value(s) announced but args is NULL", nargs);
    for (uint32_t i = 0; i < nargs; i++) {
        int rc, idx = (int)i + 1;
        switch (args[i].type) {
        case WALOR_VAL_INT:
            rc = sqlite3_bind_int64(st, idx, args[i].i);
            break;
        case WALOR_VAL_TEXT:
            rc = args[i].s ? sqlite3_bind_text(st, idx, args[i].s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
            break;
        case WALOR_VAL_NULL:
            rc = sqlite3_bind_null(st, idx);
            break;
        case WH_VAL_BLOB:
            if (args[i].i < 0 || (args[i].i && !args[i].s))
                return wh_error(WALOR_EINVAL, "value %u: bad blob", idx);
            rc = sqlite3_bind_blob64(st, idx, args[i].s ? args[i].s : "", (sqlite3_uint64)args[i].i, SQLITE_TRANSIENT);
            break;
        default:
            return wh_error(WALOR_EINVAL, "value %u has unknown type %u", idx, args[i].type);
        }
        if (rc != SQLITE_OK)
            return fail(db, rc, sqlite3_sql(st));
    }
    return WALOR_OK;
}

static int32_t clamp_changes(sqlite3_int64 n)
{
    return n > INT32_MAX ? INT32_MAX : (int32_t)n;
}

/* In-process writers wait for each other on a condition variable instead
 * of SQLite's default busy handler, which naps 1, 2, 5 … 100 ms: a worker
 * (or the loop thread storing updates) stuck behind another thread's commit
 * wakes as soon as that commit lands. Another process's lock is still
 * waited for by waking every 2 ms, up to BUSY_TIMEOUT_MS. */
static pthread_mutex_t writer_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_cv = PTHREAD_COND_INITIALIZER;
static uint64_t writer_gen;

static void writer_done(void)
{
    pthread_mutex_lock(&writer_mu);
    writer_gen++;
    pthread_cond_broadcast(&writer_cv);
    pthread_mutex_unlock(&writer_mu);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_for_writer(void *arg, int count)
{
    (void)arg;
    static _Thread_local int64_t started;
    int64_t now = mono_ms();
    if (count == 0)
        started = now;
    if (now - started >= BUSY_TIMEOUT_MS)
        return 0;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 2 * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&writer_mu);
    uint64_t gen = writer_gen;
    while (gen == writer_gen)
        if (pthread_cond_timedwait(&writer_cv, &writer_mu, &until) != 0)
            break;
    pthread_mutex_unlock(&writer_mu);
    return 1;
}

static int32_t begin_immediate(wh_db *db);

/* A statement that writes, on a connection whose unit of work has not
 * started its transaction yet, starts it first. A transaction that SQLite
 * rolled back by itself (disk full, I/O error) is not silently replaced by
 * a new one: the writes before the error are gone, so the ones after it
 * must not commit as if nothing happened. */
static int32_t auto_begin(wh_db *db, sqlite3_stmt *st, int kind)
{
    if (!db->autobegin || kind == KIND_TXCTL || sqlite3_stmt_readonly(st))
        return 0;
    if (!sqlite3_get_autocommit(db->h))
        return 0;
    if (db->began)
        return wh_error(WALOR_EDB, "the transaction was rolled back by SQLite after an earlier error");
    return begin_immediate(db);
}

static int32_t run(wh_db *db, const char *sql, const walor_val *args, uint32_t nargs, int allow_txctl)
{
    wh_stmt *ent;
    sqlite3_stmt *st;
    int kind;
    int32_t r = acquire(db, sql, allow_txctl, &ent, &st, &kind);
    if (r < 0)
        return r;
    r = auto_begin(db, st, kind);
    if (r == 0)
        r = bind_args(db, st, args, nargs);
    if (r < 0) {
        release(ent, st);
        return r;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        r = fail(db, rc, sql); /* before release: reset would not keep the message for us */
        release(ent, st);
        return r;
    }
    r = kind == KIND_DML ? clamp_changes(sqlite3_changes64(db->h)) : 0;
    /* COMMIT and ROLLBACK count as read-only for SQLite, yet free the lock */
    int wrote = allow_txctl || !sqlite3_stmt_readonly(st);
    release(ent, st);
    if (wrote)
        writer_done();
    return r;
}

sqlite3 *wh_db_sqlite(wh_db *db) { return db ? db->h : NULL; }
wh_pg *wh_db_pg(wh_db *db) { return db ? db->pg : NULL; }

/* ---- open / close ---- */

static void open_error(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void open_error(char *err, size_t errlen, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (err && errlen)
        snprintf(err, errlen, "%s", buf);
    wh_error(WALOR_EDB, "%s", buf);
}

/* SQLite would say only "unable to open database file" */
static int check_parent_dir(const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return 0;
    char *dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    if (!dir) {
        open_error(err, errlen, "cannot open database %s: out of memory", path);
        return -1;
    }
    struct stat sb;
    int r = 0;
    if (stat(dir, &sb) != 0) {
        if (errno == ENOENT)
            open_error(err, errlen, "cannot open database %s: directory %s does not exist", path, dir);
        else
            open_error(err, errlen, "cannot open database %s: directory %s: %s", path, dir, strerror(errno));
        r = -1;
    } else if (!S_ISDIR(sb.st_mode)) {
        open_error(err, errlen, "cannot open database %s: %s is not a directory", path, dir);
        r = -1;
    }
    free(dir);
    return r;
}

#define OPEN_EXISTING 1 /* no file, no table and no journal mode created: tools looking at a database */
#define OPEN_EXCLUSIVE 2 /* OPEN_EXISTING, and no other process may have it open (walorctl restore) */
static _Thread_local int open_busy; /* the last OPEN_EXCLUSIVE failed because another process has the file */

static wh_db *open_db(const char *path, int how, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!path || !*path) {
        open_error(err, errlen, "cannot open database: empty path");
        return NULL;
    }
    int memory = strcmp(path, ":memory:") == 0;
    if (!memory && check_parent_dir(path, err, errlen) < 0)
        return NULL;

    sqlite3 *h = NULL;
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (how == OPEN_EXISTING ? 0 : SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &h, oflags, NULL);
    if (rc != SQLITE_OK) {
        wh_storage_note(rc, h ? sqlite3_system_errno(h) : 0, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        open_error(err, errlen, "cannot open database %s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    /* before the journal_mode switch, which needs a lock another process may hold */
    sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
    /* "x" is an identifier in PostgreSQL; SQLite would quietly take it as a string */
    sqlite3_db_config(h, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
    sqlite3_db_config(h, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
    sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);

    if (how == OPEN_EXISTING || how == OPEN_EXCLUSIVE) {
        /* a file that is not a database fails here, not at the caller's first query */
        char *msg = NULL;
        /* Exclusive: set before the first read, so that the read itself
         * takes an EXCLUSIVE lock on the database file (the WAL index then
         * lives in this process's heap). In WAL mode every other
         * connection holds a SHARED lock on the file for as long as it is
         * open, so the read fails with SQLITE_BUSY while walord runs. */
        rc = how == OPEN_EXCLUSIVE ? sqlite3_exec(h, "PRAGMA locking_mode=EXCLUSIVE", NULL, NULL, &msg) : SQLITE_OK;
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(h, "SELECT count(*) FROM sqlite_master", NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            open_busy = (rc & 0xff) == SQLITE_BUSY;
            open_error(err, errlen, "cannot open database %s: %s", path, msg ? msg : sqlite3_errmsg(h));
            sqlite3_free(msg);
            sqlite3_close(h);
            return NULL;
        }
        goto ready;
    }
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(h, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        wh_storage_note(rc, sqlite3_system_errno(h), sqlite3_errmsg(h));
        open_error(err, errlen, "cannot open database %s: %s", path, sqlite3_errmsg(h));
        sqlite3_finalize(st);
        sqlite3_close(h);
        return NULL;
    }
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    if (!memory && (!mode || strcasecmp(mode, "wal") != 0)) {
        open_error(err, errlen, "cannot open database %s: WAL mode refused (journal_mode is %s)", path,
                   mode ? mode : "unknown");
        sqlite3_finalize(st);
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_finalize(st);

    char *msg = NULL;
    rc = sqlite3_exec(h,
                      "PRAGMA synchronous=NORMAL;"
                      "PRAGMA foreign_keys=ON;"
                      "CREATE TABLE IF NOT EXISTS wh_migrations("
                      " owner TEXT NOT NULL,"
                      " version INTEGER NOT NULL,"
                      " applied_at INTEGER NOT NULL,"
                      " PRIMARY KEY(owner, version))",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        wh_storage_note(rc, sqlite3_system_errno(h), msg ? msg : sqlite3_errmsg(h));
        open_error(err, errlen, "cannot open database %s: %s", path, msg ? msg : sqlite3_errmsg(h));
        sqlite3_free(msg);
        sqlite3_close(h);
        return NULL;
    }

ready:
    sqlite3_busy_handler(h, wait_for_writer, NULL);
    wh_db *db = calloc(1, sizeof *db);
    if (!db) {
        open_error(err, errlen, "cannot open database %s: out of memory", path);
        sqlite3_close(h);
        return NULL;
    }
    db->h = h;
    return db;
}

/* a conninfo picks the PostgreSQL engine; a path, SQLite */
static wh_db *open_pg(const char *conninfo, int existing, char *err, size_t errlen)
{
    wh_db *db = calloc(1, sizeof *db);
    if (!db) {
        open_error(err, errlen, "cannot open database: out of memory");
        return NULL;
    }
    if (!(db->pg = wh_pg_open(conninfo, existing, err, errlen))) {
        free(db);
        return NULL;
    }
    return db;
}

wh_db *wh_db_open(const char *path, char *err, size_t errlen)
{
    if (wh_pg_is_conninfo(path))
        return open_pg(path, 0, err, errlen);
    return open_db(path, 0, err, errlen);
}

int wh_db_shared(const wh_db *db) { return db && db->pg; }

int32_t wh_db_has_table(wh_db *db, const char *name)
{
    int64_t n = 0;
    int32_t rc = wh_db_int(db,
                           db && db->pg ? "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                                          "AND tablename = ?"
                                        : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                           WALOR_ARGS(walor_s(name)), &n);
    return rc < 0 ? rc : n > 0;
}

int wh_db_is_conninfo(const char *path) { return wh_pg_is_conninfo(path); }

char *wh_db_display(const char *path) { return wh_pg_is_conninfo(path) ? wh_pg_redact(path) : strdup(path ? path : ""); }

void wh_db_set_password(const char *password) { wh_pg_set_password(password); }

void wh_db_set_app_name(const char *name) { wh_pg_set_app_name(name); }

const char *wh_db_app_name(void) { return wh_pg_app_name(); }

int32_t wh_db_instances(wh_db *db)
{
    if (!db || !db->pg)
        return 1;
    int64_t n = 0;
    int32_t rc = wh_db_int(db,
                           "SELECT count(DISTINCT application_name) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND application_name LIKE 'walord %'",
                           NULL, 0, &n);
    return rc < 0 ? rc : (int32_t)n;
}

int32_t wh_db_lock(wh_db *db, int32_t ns, int64_t key) { return db && db->pg ? wh_pg_lock(db->pg, ns, key) : 0; }

int32_t wh_db_try_lock(wh_db *db, int32_t ns, int64_t key)
{
    return db && db->pg ? wh_pg_try_lock(db->pg, ns, key) : 1;
}

int32_t wh_db_unlock(wh_db *db, int32_t ns, int64_t key) { return db && db->pg ? wh_pg_unlock(db->pg, ns, key) : 0; }

wh_db *wh_db_open_existing(const char *path, char *err, size_t errlen)
{
    if (wh_pg_is_conninfo(path))
        return open_pg(path, 1, err, errlen);
    if (path && strcmp(path, ":memory:") == 0) {
        open_error(err, errlen, "cannot open database: an existing file is needed");
        return NULL;
    }
    return open_db(path, OPEN_EXISTING, err, errlen);
}

wh_db *wh_db_open_exclusive(const char *path, int *busy, char *err, size_t errlen)
{
    *busy = 0;
    if (path && strcmp(path, ":memory:") == 0) {
        open_error(err, errlen, "cannot open database: an existing file is needed");
        return NULL;
    }
    open_busy = 0;
    wh_db *db = open_db(path, OPEN_EXCLUSIVE, err, errlen);
    *busy = !db && open_busy;
    return db;
}

void wh_db_close(wh_db *db)
{
    if (!db)
        return;
    if (db->pg) {
        wh_pg_close(db->pg);
        free(db);
        return;
    }
    if (db->nopen)
        wh_warn("database closed with %u result(s) still open", db->nopen);
    if (!sqlite3_get_autocommit(db->h))
        wh_warn("database closed inside a transaction; it is rolled back");
    while (db->oldest)
        cache_drop(db, db->oldest);
    /* _v2: a leaked uncached result keeps the connection alive instead of failing the close */
    sqlite3_close_v2(db->h);
    free(db);
}

/* ---- statements ---- */

int32_t wh_db_exec(wh_db *db, const char *sql, const walor_val *args, uint32_t nargs)
{
    if (db && db->pg)
        return wh_pg_exec(db->pg, sql, args, nargs);
    return run(db, sql, args, nargs, 0);
}

int32_t wh_db_changes(wh_db *db)
{
    if (!db)
        return wh_error(WALOR_EINVAL, "NULL database");
    if (db->pg)
        return wh_pg_changes(db->pg);
    return clamp_changes(sqlite3_changes64(db->h));
}

int32_t wh_db_query(wh_db *db, const char *sql, const walor_val *args, uint32_t nargs, wh_rows **out)
{
    if (!out)
        return wh_error(WALOR_EINVAL, "NULL result pointer");
    *out = NULL;
    if (db && db->pg) {
        wh_rows *rows = calloc(1, sizeof *rows);
        if (!rows)
            return wh_error(WALOR_ENOMEM, "out of memory for a query result");
        int32_t rc = wh_pg_query(db->pg, sql, args, nargs, &rows->pg);
        if (rc < 0) {
            free(rows);
            return rc;
        }
        rows->db = db;
        rows->kind = wh_pg_rows_is_dml(rows->pg) ? KIND_DML : KIND_OTHER;
        *out = rows;
        return WALOR_OK;
    }
    wh_stmt *ent;
    sqlite3_stmt *st;
    int kind;
    int32_t r = acquire(db, sql, 0, &ent, &st, &kind);
    if (r < 0)
        return r;
    r = auto_begin(db, st, kind);
    if (r == 0)
        r = bind_args(db, st, args, nargs);
    if (r < 0) {
        release(ent, st);
        return r;
    }
    wh_rows *rows = ent ? &ent->rows : calloc(1, sizeof *rows);
    if (!rows) {
        release(ent, st);
        return wh_error(WALOR_ENOMEM, "out of memory for a query result");
    }
    rows->db = db;
    rows->st = st;
    rows->ent = ent;
    rows->kind = kind;
    rows->state = ROWS_NEW;
    rows->err = 0;
    db->nopen++;
    *out = rows;
    return WALOR_OK;
}

int32_t wh_rows_next(wh_rows *r)
{
    if (!r || r->state == ROWS_CLOSED)
        return wh_error(WALOR_EINVAL, "NULL or closed result");
    if (r->pg)
        return wh_pg_rows_next(r->pg);
    if (r->state == ROWS_DONE)
        return 0;
    if (r->state == ROWS_ERR)
        return r->err;
    int rc = sqlite3_step(r->st);
    if (rc == SQLITE_ROW) {
        r->state = ROWS_ROW;
        return 1;
    }
    if (rc == SQLITE_DONE) {
        r->state = ROWS_DONE;
        /* ends the read snapshot now, so a caller slow to close does not hold back checkpoints */
        sqlite3_reset(r->st);
        return 0;
    }
    r->state = ROWS_ERR;
    r->err = fail(r->db, rc, sqlite3_sql(r->st));
    return r->err;
}

static int column_ok(wh_rows *r, uint32_t col)
{
    if (!r || r->state != ROWS_ROW) {
        wh_error(WALOR_EINVAL, "no current row");
        return 0;
    }
    int n = sqlite3_column_count(r->st);
    if (col >= (uint32_t)n) {
        wh_error(WALOR_EINVAL, "column %u out of range (the result has %d)", col, n);
        return 0;
    }
    return 1;
}

int64_t wh_rows_int(wh_rows *r, uint32_t col)
{
    if (r && r->pg)
        return wh_pg_rows_int(r->pg, col);
    return column_ok(r, col) ? sqlite3_column_int64(r->st, (int)col) : 0;
}

const char *wh_rows_text(wh_rows *r, uint32_t col)
{
    if (r && r->pg)
        return wh_pg_rows_text(r->pg, col);
    return column_ok(r, col) ? (const char *)sqlite3_column_text(r->st, (int)col) : NULL;
}

uint32_t wh_rows_type(wh_rows *r, uint32_t col)
{
    if (r && r->pg)
        return wh_pg_rows_is_null(r->pg, col) == 1 ? WALOR_VAL_NULL : WALOR_VAL_TEXT;
    if (!column_ok(r, col))
        return WALOR_VAL_NULL;
    switch (sqlite3_column_type(r->st, (int)col)) {
    case SQLITE_INTEGER: return WALOR_VAL_INT;
    case SQLITE_BLOB: return WH_VAL_BLOB;
    case SQLITE_NULL: return WALOR_VAL_NULL;
    default: return WALOR_VAL_TEXT;
    }
}

const void *wh_rows_blob(wh_rows *r, uint32_t col, size_t *len)
{
    if (r && r->pg)
        return wh_pg_rows_blob(r->pg, col, len);
    if (len)
        *len = 0;
    if (!column_ok(r, col))
        return NULL;
    const void *p = sqlite3_column_blob(r->st, (int)col);
    if (len)
        *len = (size_t)sqlite3_column_bytes(r->st, (int)col);
    return p;
}

int32_t wh_rows_is_null(wh_rows *r, uint32_t col)
{
    if (r && r->pg)
        return wh_pg_rows_is_null(r->pg, col);
    if (!column_ok(r, col))
        return WALOR_EINVAL;
    return sqlite3_column_type(r->st, (int)col) == SQLITE_NULL;
}

void wh_rows_close(wh_rows *r)
{
    if (!r || r->state == ROWS_CLOSED)
        return;
    if (r->pg) {
        wh_pg_rows_close(r->pg);
        free(r);
        return;
    }
    r->db->nopen--;
    if (!sqlite3_stmt_readonly(r->st))
        writer_done(); /* INSERT … RETURNING */
    if (r->ent) {
        release(r->ent, r->st);
        r->state = ROWS_CLOSED; /* the struct lives on in the cache entry */
    } else {
        sqlite3_finalize(r->st);
        free(r);
    }
}

int32_t wh_db_int(wh_db *db, const char *sql, const walor_val *args, uint32_t nargs, int64_t *out)
{
    if (!out)
        return wh_error(WALOR_EINVAL, "NULL output pointer");
    wh_rows *r;
    int32_t rc = wh_db_query(db, sql, args, nargs, &r);
    if (rc < 0)
        return rc;
    rc = wh_rows_next(r);
    if (rc == 0) {
        wh_rows_close(r);
        char snip[SNIPPET_MAX + 8];
        wh_db_snippet(sql, snip, sizeof snip);
        return wh_error(WALOR_ENOTFOUND, "no row (SQL: %s)", snip);
    }
    if (rc > 0) {
        *out = wh_rows_int(r, 0);
        rc = WALOR_OK;
        /* INSERT … RETURNING: finish the statement so the change is complete and counted */
        if (r->kind == KIND_DML) {
            int32_t n;
            while ((n = wh_rows_next(r)) > 0)
                ;
            if (n < 0)
                rc = n;
        }
    }
    wh_rows_close(r);
    return rc;
}

/* ---- transactions ---- */

int wh_db_in_tx(const wh_db *db)
{
    if (db && db->pg)
        return wh_pg_in_tx(db->pg);
    return db && !sqlite3_get_autocommit(db->h);
}

static int32_t begin_immediate(wh_db *db)
{
    int32_t rc = run(db, "BEGIN IMMEDIATE", NULL, 0, 1);
    if (rc < 0)
        return rc;
    db->began = 1;
    return WALOR_OK;
}

int32_t wh_db_begin(wh_db *db)
{
    if (!db)
        return wh_error(WALOR_EINVAL, "NULL database");
    if (db->pg)
        return wh_pg_begin(db->pg);
    if (!sqlite3_get_autocommit(db->h))
        return wh_error(WALOR_EBUSY, "a transaction is already open on this connection (no nesting)");
    return begin_immediate(db);
}

void wh_db_autobegin(wh_db *db, int on)
{
    if (db)
        db->autobegin = on ? 1 : 0;
    if (db && db->pg)
        wh_pg_autobegin(db->pg, on);
}

int wh_db_tx_lost(const wh_db *db)
{
    if (db && db->pg)
        return wh_pg_tx_lost(db->pg);
    return db && db->began && sqlite3_get_autocommit(db->h);
}

/* savepoint names are fixed per level so that each is one cached statement */
static int32_t savepoint_run(wh_db *db, const char *verb, unsigned level)
{
    if (level == 0 || level > 64)
        return wh_error(WALOR_ELIMIT, "transactions nest at most 64 deep");
    char sql[48];
    snprintf(sql, sizeof sql, "%s walor_sp%u", verb, level);
    if (db->pg)
        return wh_pg_savepoint_run(db->pg, sql);
    int32_t rc = run(db, sql, NULL, 0, 1);
    return rc < 0 ? rc : WALOR_OK;
}

int32_t wh_db_savepoint(wh_db *db, unsigned level)
{
    if (!db)
        return wh_error(WALOR_EINVAL, "NULL database");
    if (!wh_db_in_tx(db))
        return wh_error(WALOR_EINVAL, "a savepoint needs an open transaction");
    return savepoint_run(db, "SAVEPOINT", level);
}

int32_t wh_db_release(wh_db *db, unsigned level)
{
    if (!db)
        return wh_error(WALOR_EINVAL, "NULL database");
    if (wh_db_tx_lost(db))
        return wh_error(WALOR_EDB, "the transaction was rolled back by SQLite after an earlier error");
    return savepoint_run(db, "RELEASE", level);
}

int32_t wh_db_rollback_to(wh_db *db, unsigned level)
{
    if (!db)
        return wh_error(WALOR_EINVAL, "NULL database");
    if (!wh_db_in_tx(db))
        return WALOR_OK; /* SQLite rolled everything back already */
    int32_t rc = savepoint_run(db, "ROLLBACK TO", level);
    /* ROLLBACK TO keeps the savepoint on the stack: take it off */
    return rc < 0 ? rc : savepoint_run(db, "RELEASE", level);
}

int32_t wh_db_commit(wh_db *db)
{
    if (!db)
        return wh_error(WALOR_EINVAL, "NULL database");
    if (db->pg)
        return wh_pg_commit(db->pg);
    if (sqlite3_get_autocommit(db->h)) {
        if (db->began) {
            db->began = 0;
            return wh_error(WALOR_EDB, "the transaction was already rolled back by SQLite after an earlier error");
        }
        return wh_error(WALOR_EINVAL, "commit without an open transaction");
    }
    int32_t rc = run(db, "COMMIT", NULL, 0, 1);
    if (rc < 0 && !sqlite3_get_autocommit(db->h)) {
        /* e.g. a deferred foreign key: SQLite keeps the transaction open, the caller expects it gone */
        char saved[512];
        snprintf(saved, sizeof saved, "%s", wh_last_error());
        run(db, "ROLLBACK", NULL, 0, 1);
        wh_error(rc, "%s; rolled back", saved);
    }
    db->began = 0;
    return rc < 0 ? rc : WALOR_OK;
}

int32_t wh_db_rollback(wh_db *db)
{
    if (!db)
        return wh_error(WALOR_EINVAL, "NULL database");
    if (db->pg)
        return wh_pg_rollback(db->pg);
    db->began = 0;
    /* nothing to undo is fine: error paths roll back without tracking whether SQLite already did */
    if (sqlite3_get_autocommit(db->h))
        return WALOR_OK;
    int32_t rc = run(db, "ROLLBACK", NULL, 0, 1);
    return rc < 0 ? rc : WALOR_OK;
}

/* ---- scripts, migrations ---- */

int32_t wh_db_script(wh_db *db, const char *sql)
{
    if (!db || !sql)
        return wh_error(WALOR_EINVAL, "NULL database or SQL");
    if (db->pg)
        return wh_pg_script(db->pg, sql);
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    writer_done();
    if (rc != SQLITE_OK) {
        wh_storage_note(rc, sqlite3_system_errno(db->h), msg ? msg : sqlite3_errmsg(db->h));
        int32_t r = fail_msg(rc, msg ? msg : sqlite3_errmsg(db->h), sql);
        sqlite3_free(msg);
        return r;
    }
    return WALOR_OK;
}

static int32_t applied_version(wh_db *db, const char *owner, int64_t *v)
{
    return wh_db_int(db, "SELECT COALESCE(MAX(version), 0) FROM wh_migrations WHERE owner = ?",
                     WALOR_ARGS(walor_s(owner)), v);
}

int32_t wh_db_migrate(wh_db *db, const char *owner, const wh_migration *list, size_t n)
{
    if (!db || !owner || !*owner || (n && !list))
        return wh_error(WALOR_EINVAL, "migrate: NULL database, owner or list");
    if (n > INT32_MAX)
        return wh_error(WALOR_EINVAL, "migrations of %s: too many", owner);
    for (size_t i = 0; i < n; i++) {
        if (list[i].version != (int32_t)(i + 1))
            return wh_error(WALOR_EINVAL,
                            "migrations of %s: entry %zu has version %d, expected %zu "
                            "(versions must be 1, 2, 3, ... in order without gaps)",
                            owner, i, list[i].version, i + 1);
        if (!list[i].sql)
            return wh_error(WALOR_EINVAL, "migrations of %s: version %zu has no SQL", owner, i + 1);
    }
    if (wh_db_in_tx(db))
        return wh_error(WALOR_EBUSY, "migrations of %s: a transaction is already open", owner);

    int64_t cur;
    int32_t rc = applied_version(db, owner, &cur);
    if (rc < 0)
        return fail_ctx(rc, owner, 1, "reading the applied version: ");
    if (cur > (int64_t)n) {
        /* an older binary on a newer schema: refusing to start would turn a rollback of a release into an outage */
        wh_warn("migrations of %s: database is at version %lld, this build knows only %zu", owner, (long long)cur, n);
        return WALOR_OK;
    }
    for (int32_t v = (int32_t)cur + 1; v <= (int32_t)n; v++) {
        rc = wh_db_begin(db);
        if (rc < 0)
            return fail_ctx(rc, owner, v, "");
        /* under the write lock: another process may have applied it while we waited */
        rc = applied_version(db, owner, &cur);
        if (rc < 0) {
            fail_ctx(rc, owner, v, "");
            wh_db_rollback(db);
            return rc;
        }
        if (cur >= v) {
            wh_db_rollback(db);
            continue;
        }
        rc = wh_db_script(db, list[v - 1].sql);
        if (rc < 0) {
            fail_ctx(rc, owner, v, "failed, rolled back: ");
            wh_db_rollback(db);
            return rc;
        }
        if (!wh_db_in_tx(db)) {
            if (db->pg)
                wh_pg_rollback(db->pg);
            db->began = 0;
            return wh_error(WALOR_EINVAL,
                            "migration %s v%d ended the transaction itself (BEGIN/COMMIT/END/ROLLBACK "
                            "in the script); it is not recorded",
                            owner, v);
        }
        rc = wh_db_exec(db, "INSERT INTO wh_migrations(owner, version, applied_at) VALUES (?, ?, ?)",
                        WALOR_ARGS(walor_s(owner), walor_i(v), walor_i((int64_t)time(NULL))));
        if (rc < 0) {
            fail_ctx(rc, owner, v, "recording it failed: ");
            wh_db_rollback(db);
            return rc;
        }
        rc = wh_db_commit(db);
        if (rc < 0)
            return fail_ctx(rc, owner, v, "commit failed: ");
        wh_info("migration %s v%d applied", owner, v);
    }
    return WALOR_OK;
}

/* ---- health, backup ---- */

int32_t wh_db_check(wh_db *db)
{
    if (db && db->pg)
        return wh_pg_check(db->pg);
    int64_t v = 0;
    int32_t rc = wh_db_int(db, "SELECT 1", NULL, 0, &v);
    if (rc < 0)
        return rc;
    if (v != 1)
        return wh_error(WALOR_EDB, "health check: SELECT 1 returned %lld", (long long)v);
    /* reads the file header: catches a file that is gone bad or unreadable, unlike SELECT 1 */
    return wh_db_int(db, "PRAGMA schema_version", NULL, 0, &v);
}

/* The header as it is in the main file, read through the connection's own
 * descriptor (SQLITE_FCNTL_FILE_POINTER → xRead): page 1 may be served
 * from the WAL, so no query notices a file whose start was overwritten,
 * and opening the file ourselves would cost the process its POSIX locks
 * (ops.c). */
int32_t wh_db_check_file(wh_db *db)
{
    if (!db)
        return wh_error(WALOR_EINVAL, "NULL database");
    if (db->pg)
        return WALOR_OK; /* no file: the server keeps its own checksums */
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(db->h, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods)
        return wh_error(WALOR_EDB, "health check: the database file is not open");
    unsigned char hdr[100];
    int rc = f->pMethods->xRead(f, hdr, (int)sizeof hdr, 0);
    if (rc == SQLITE_IOERR_SHORT_READ)
        return wh_error(WALOR_EDB, "health check: the database file is shorter than an SQLite header");
    if (rc != SQLITE_OK) {
        wh_storage_note(rc, sqlite3_system_errno(db->h), sqlite3_errstr(rc));
        return wh_error(WALOR_EDB, "health check: reading the database file failed: %s", sqlite3_errstr(rc));
    }
    if (memcmp(hdr, "SQLite format 3", 16) != 0)
        return wh_error(WALOR_EDB, "health check: the database file has no SQLite header");
    return WALOR_OK;
}
