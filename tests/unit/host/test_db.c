/* host/db/db.c against real SQLite files in a temporary directory.
 * Features: infra */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbkit.h"

static int file_no;

/* a fresh database file per test, so tests never see each other's rows */
static void new_path(char *buf, size_t len)
{
    snprintf(buf, len, "%s/t%d.db", tmpdir, ++file_no);
}

static wh_db *fresh(char *path, size_t len)
{
    new_path(path, len);
    wh_db *db = open_ok(path);
    assert_int_equal(wh_db_script(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, s TEXT)"), 0);
    return db;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


/* ---- open ---- */

static void test_open_pragmas(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    wh_rows *r;
    assert_int_equal(wh_db_query(db, "PRAGMA journal_mode", NULL, 0, &r), 0);
    assert_int_equal(wh_rows_next(r), 1);
    assert_string_equal(wh_rows_text(r, 0), "wal");
    wh_rows_close(r);
    assert_int_equal(count(db, "PRAGMA synchronous"), 1); /* NORMAL */
    assert_int_equal(count(db, "PRAGMA foreign_keys"), 1);
    /* busy waits go through the host's own handler (woken by commits), so
     * SQLite's sleeping busy_timeout is off */
    assert_int_equal(count(db, "PRAGMA busy_timeout"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM wh_migrations"), 0);
    assert_int_equal(wh_db_check(db), 0);
    wh_db_close(db);
}

static void test_open_errors(void **state)
{
    (void)state;
    char path[300], err[256];
    snprintf(path, sizeof path, "%s/no-such-dir/x.db", tmpdir);
    assert_null(wh_db_open(path, err, sizeof err));
    assert_non_null(strstr(err, "does not exist"));
    assert_non_null(strstr(err, "no-such-dir"));

    /* a file that is not a database is refused at open, not at the first query */
    snprintf(path, sizeof path, "%s/garbage.db", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not an sqlite database file. ", f);
    fclose(f);
    assert_null(wh_db_open(path, err, sizeof err));
    assert_non_null(strstr(err, "not a database"));

    assert_null(wh_db_open("", err, sizeof err));
    assert_null(wh_db_open(NULL, NULL, 0));

    wh_db *m = wh_db_open(":memory:", err, sizeof err);
    assert_non_null(m);
    assert_int_equal(wh_db_check(m), 0);
    wh_db_close(m);
}

/* ---- binds ---- */

static void test_binds_roundtrip(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    static const char *const texts[] = {
        "Привет, мир — ёжик 🛒",
        "it's \"quoted\"",
        "'); DROP TABLE t; --",
        "Robert'); DELETE FROM t WHERE ('1'='1",
        "",
    };
    size_t n = sizeof texts / sizeof texts[0];
    for (size_t k = 0; k < n; k++)
        assert_int_equal(wh_db_exec(db, "INSERT INTO t(id, i, s) VALUES (?, ?, ?)",
                                    WALOR_ARGS(walor_i((int64_t)k + 1), walor_i((int64_t)k * 10), walor_s(texts[k]))),
                         1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM t"), (int64_t)n);
    for (size_t k = 0; k < n; k++) {
        wh_rows *r;
        assert_int_equal(wh_db_query(db, "SELECT i, s, length(s) FROM t WHERE id = ?",
                                     WALOR_ARGS(walor_i((int64_t)k + 1)), &r),
                         0);
        assert_int_equal(wh_rows_next(r), 1);
        assert_int_equal(wh_rows_int(r, 0), (int64_t)k * 10);
        assert_string_equal(wh_rows_text(r, 1), texts[k]);
        assert_int_equal(wh_rows_is_null(r, 1), 0);
        assert_int_equal(wh_rows_next(r), 0);
        assert_int_equal(wh_rows_next(r), 0); /* stays done, never re-runs */
        wh_rows_close(r);
    }
    /* the quotes were data: lookups by the literal text find exactly that row */
    int64_t id = 0;
    assert_int_equal(wh_db_int(db, "SELECT id FROM t WHERE s = ?", WALOR_ARGS(walor_s("'); DROP TABLE t; --")), &id),
                     0);
    assert_int_equal(id, 3);
    assert_int_equal(wh_db_int(db, "SELECT COUNT(*) FROM t WHERE s = ?", WALOR_ARGS(walor_s("Привет, мир — ёжик 🛒")),
                               &id),
                     0);
    assert_int_equal(id, 1);
    wh_db_close(db);
}

static void test_null_handling(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    walor_val raw_text_null = {WALOR_VAL_TEXT, 0, 0, NULL};
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(id, i, s) VALUES (1, ?, ?)", WALOR_ARGS(walor_null(), walor_s(NULL))), 1);
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(id, i, s) VALUES (2, 5, ?)", &raw_text_null, 1), 1);
    wh_rows *r;
    assert_int_equal(wh_db_query(db, "SELECT i, s FROM t ORDER BY id", NULL, 0, &r), 0);
    assert_int_equal(wh_rows_next(r), 1);
    assert_int_equal(wh_rows_is_null(r, 0), 1);
    assert_int_equal(wh_rows_is_null(r, 1), 1);
    assert_int_equal(wh_rows_int(r, 0), 0);
    assert_null(wh_rows_text(r, 1));
    /* out of range columns are refused, not undefined */
    assert_int_equal(wh_rows_int(r, 7), 0);
    assert_null(wh_rows_text(r, 7));
    assert_int_equal(wh_rows_is_null(r, 2), WALOR_EINVAL);
    assert_non_null(strstr(wh_last_error(), "out of range"));
    assert_int_equal(wh_rows_next(r), 1);
    assert_int_equal(wh_rows_int(r, 0), 5);
    assert_null(wh_rows_text(r, 1));
    assert_int_equal(wh_rows_next(r), 0);
    assert_int_equal(wh_rows_is_null(r, 0), WALOR_EINVAL); /* no current row */
    wh_rows_close(r);
    wh_rows_close(NULL);
    /* NULL = NULL is not true in SQL: a NULL bind matches nothing */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM t WHERE s IS NULL"), 2);
    int64_t v;
    assert_int_equal(wh_db_int(db, "SELECT id FROM t WHERE s = ?", WALOR_ARGS(walor_null()), &v), WALOR_ENOTFOUND);
    wh_db_close(db);
}

static void test_int64_extremes(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    static const int64_t vals[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT32_MAX + 1LL, INT64_MAX};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        int64_t out = 42;
        assert_int_equal(wh_db_exec(db, "INSERT INTO t(id, i) VALUES (?, ?)", WALOR_ARGS(walor_i((int64_t)k + 1), walor_i(vals[k]))), 1);
        assert_int_equal(wh_db_int(db, "SELECT i FROM t WHERE id = ?", WALOR_ARGS(walor_i((int64_t)k + 1)), &out), 0);
        assert_true(out == vals[k]);
        assert_int_equal(wh_db_int(db, "SELECT ?", WALOR_ARGS(walor_i(vals[k])), &out), 0);
        assert_true(out == vals[k]);
    }
    wh_db_close(db);
}

static void test_wrong_bind_count(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i, s) VALUES (?, ?)", WALOR_ARGS(walor_i(1))), WALOR_EINVAL);
    assert_non_null(strstr(wh_last_error(), "2 placeholder"));
    assert_non_null(strstr(wh_last_error(), "1 value"));
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (?)", WALOR_ARGS(walor_i(1), walor_s("top-secret"))),
                     WALOR_EINVAL);
    assert_non_null(strstr(wh_last_error(), "1 placeholder"));
    assert_non_null(strstr(wh_last_error(), "2 value"));
    assert_null(strstr(wh_last_error(), "top-secret"));
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (?)", NULL, 1), WALOR_EINVAL);
    walor_val bad = {99, 0, 0, NULL};
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (?)", &bad, 1), WALOR_EINVAL);
    wh_rows *r = (wh_rows *)&bad;
    assert_int_equal(wh_db_query(db, "SELECT ?", NULL, 0, &r), WALOR_EINVAL);
    assert_null(r);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM t"), 0);
    /* the cached statement was released after the failed bind and works again */
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i, s) VALUES (?, ?)", WALOR_ARGS(walor_i(1), walor_s("x"))), 1);
    wh_db_close(db);
}

/* ---- exec results ---- */

static void test_returning_and_changes(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    int64_t id = 0;
    assert_int_equal(wh_db_int(db, "INSERT INTO t(i) VALUES (?) RETURNING id", WALOR_ARGS(walor_i(7)), &id), 0);
    assert_int_equal(id, 1);
    assert_int_equal(wh_db_int(db, "INSERT INTO t(i) VALUES (?) RETURNING id", WALOR_ARGS(walor_i(8)), &id), 0);
    assert_int_equal(id, 2);
    assert_int_equal(wh_db_changes(db), 1);

    wh_rows *r;
    assert_int_equal(wh_db_query(db, "INSERT INTO t(i) VALUES (9), (10) RETURNING id", NULL, 0, &r), 0);
    int64_t sum = 0;
    while (wh_rows_next(r) == 1)
        sum += wh_rows_int(r, 0);
    wh_rows_close(r);
    assert_int_equal(sum, 3 + 4);
    assert_int_equal(wh_db_changes(db), 2);

    assert_int_equal(wh_db_exec(db, "UPDATE t SET s = ? WHERE i >= ?", WALOR_ARGS(walor_s("x"), walor_i(8))), 3);
    assert_int_equal(wh_db_exec(db, "DELETE FROM t WHERE id = ?", WALOR_ARGS(walor_i(999))), 0);
    assert_int_equal(wh_db_exec(db, "UPDATE t SET s = 'y'", NULL, 0), 4);
    /* non-DML statements report 0, not the count left over from the UPDATE */
    assert_int_equal(wh_db_exec(db, "CREATE TABLE other(a INTEGER)", NULL, 0), 0);
    assert_int_equal(wh_db_exec(db, "SELECT * FROM t", NULL, 0), 0);
    assert_int_equal(wh_db_exec(db, "WITH x(v) AS (SELECT 1) SELECT v FROM x", NULL, 0), 0);
    assert_int_equal(wh_db_exec(db, "WITH x(v) AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT v FROM x)", NULL, 0), 1);
    assert_int_equal(wh_db_exec(db, "-- comment\n/* another */ delete from t where id = 2", NULL, 0), 1);

    assert_int_equal(wh_db_int(db, "SELECT id FROM t WHERE id = ?", WALOR_ARGS(walor_i(999)), &id), WALOR_ENOTFOUND);
    wh_db_close(db);
}

static void test_statement_errors(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    /* the detail shows the start of the SQL and stops at 80 characters */
    assert_int_equal(wh_db_exec(db,
                                "SELEKT nonsense FROM t WHERE aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
                                "= 'MARKER_AFTER_80'",
                                NULL, 0),
                     WALOR_EDB);
    assert_non_null(strstr(wh_last_error(), "syntax error"));
    assert_non_null(strstr(wh_last_error(), "SELEKT nonsense"));
    assert_null(strstr(wh_last_error(), "MARKER_AFTER_80"));
    assert_int_equal(wh_db_exec(db, "SELECT * FROM no_such_table", NULL, 0), WALOR_EDB);
    assert_non_null(strstr(wh_last_error(), "no such table"));

    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (1); DELETE FROM t", NULL, 0), WALOR_EINVAL);
    assert_non_null(strstr(wh_last_error(), "more than one statement"));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM t"), 0);
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (1); -- trailing comment\n", NULL, 0), 1);
    assert_int_equal(wh_db_exec(db, "   ", NULL, 0), WALOR_EINVAL);
    assert_int_equal(wh_db_exec(db, NULL, NULL, 0), WALOR_EINVAL);
    assert_int_equal(wh_db_exec(NULL, "SELECT 1", NULL, 0), WALOR_EINVAL);
    /* "x" is an identifier (as in PostgreSQL), never a string */
    assert_int_equal(wh_db_exec(db, "SELECT \"no_such_column\" FROM t", NULL, 0), WALOR_EDB);
    wh_db_close(db);
}

static void test_constraint_no_value_in_message(void **state)
{
    (void)state;
    char path[256];
    new_path(path, sizeof path);
    wh_db *db = open_ok(path);
    assert_int_equal(wh_db_script(db, "CREATE TABLE u(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, "
                                      "age INTEGER CHECK (age >= 0))"),
                     0);
    const char *secret = "ivan.petrov+secret@example.ru";
    assert_int_equal(wh_db_exec(db, "INSERT INTO u(email, age) VALUES (?, ?)", WALOR_ARGS(walor_s(secret), walor_i(30))), 1);
    assert_int_equal(wh_db_exec(db, "INSERT INTO u(email, age) VALUES (?, ?)", WALOR_ARGS(walor_s(secret), walor_i(31))),
                     WALOR_EDB);
    assert_non_null(strstr(wh_last_error(), "UNIQUE constraint failed: u.email"));
    assert_null(strstr(wh_last_error(), "ivan"));
    assert_null(strstr(wh_last_error(), "31"));
    assert_int_equal(wh_db_exec(db, "INSERT INTO u(email, age) VALUES (?, ?)", WALOR_ARGS(walor_s("b@x.ru"), walor_i(-123457))),
                     WALOR_EDB);
    assert_non_null(strstr(wh_last_error(), "CHECK constraint failed"));
    assert_null(strstr(wh_last_error(), "123457"));
    assert_int_equal(wh_db_exec(db, "INSERT INTO u(email) VALUES (?)", WALOR_ARGS(walor_null())), WALOR_EDB);
    assert_non_null(strstr(wh_last_error(), "NOT NULL"));
    /* the same cached statement is usable after its failure */
    assert_int_equal(wh_db_exec(db, "INSERT INTO u(email, age) VALUES (?, ?)", WALOR_ARGS(walor_s("c@x.ru"), walor_i(1))), 1);
    int64_t id;
    assert_int_equal(wh_db_int(db, "INSERT INTO u(email) VALUES (?) RETURNING id", WALOR_ARGS(walor_s(secret)), &id),
                     WALOR_EDB);
    assert_null(strstr(wh_last_error(), "ivan"));
    wh_db_close(db);
}

/* ---- transactions ---- */

static void test_transactions(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    assert_false(wh_db_in_tx(db));
    assert_int_equal(wh_db_begin(db), 0);
    assert_true(wh_db_in_tx(db));
    assert_int_equal(wh_db_begin(db), WALOR_EBUSY);
    assert_non_null(strstr(wh_last_error(), "already open"));
    assert_true(wh_db_in_tx(db));
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (1)", NULL, 0), 1);
    assert_int_equal(wh_db_commit(db), 0);
    assert_false(wh_db_in_tx(db));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM t"), 1);

    assert_int_equal(wh_db_begin(db), 0);
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (2)", NULL, 0), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM t"), 2);
    assert_int_equal(wh_db_rollback(db), 0);
    assert_false(wh_db_in_tx(db));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM t"), 1);

    assert_int_equal(wh_db_commit(db), WALOR_EINVAL);
    assert_int_equal(wh_db_rollback(db), 0); /* nothing to undo is not an error */

    /* transactions go through wh_db_begin & co only, so the state stays known */
    assert_int_equal(wh_db_exec(db, "BEGIN", NULL, 0), WALOR_EINVAL);
    assert_int_equal(wh_db_exec(db, "begin immediate", NULL, 0), WALOR_EINVAL);
    assert_int_equal(wh_db_begin(db), 0);
    assert_int_equal(wh_db_exec(db, "COMMIT", NULL, 0), WALOR_EINVAL);
    assert_int_equal(wh_db_exec(db, "SAVEPOINT a", NULL, 0), WALOR_EINVAL);
    assert_true(wh_db_in_tx(db));
    assert_int_equal(wh_db_rollback(db), 0);

    /* an open result does not stop a commit */
    assert_int_equal(wh_db_begin(db), 0);
    assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (3)", NULL, 0), 1);
    wh_rows *r;
    assert_int_equal(wh_db_query(db, "SELECT i FROM t ORDER BY i", NULL, 0, &r), 0);
    assert_int_equal(wh_rows_next(r), 1);
    assert_int_equal(wh_db_commit(db), 0);
    assert_int_equal(wh_rows_next(r), 1);
    assert_int_equal(wh_rows_int(r, 0), 3);
    wh_rows_close(r);
    wh_db_close(db);
}

static void test_commit_failure_rolls_back(void **state)
{
    (void)state;
    char path[256];
    new_path(path, sizeof path);
    wh_db *db = open_ok(path);
    assert_int_equal(wh_db_script(db, "CREATE TABLE p(id INTEGER PRIMARY KEY);"
                                      "CREATE TABLE c(id INTEGER PRIMARY KEY, "
                                      " p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"),
                     0);
    assert_int_equal(wh_db_begin(db), 0);
    assert_int_equal(wh_db_exec(db, "INSERT INTO c(p) VALUES (?)", WALOR_ARGS(walor_i(77))), 1);
    assert_int_equal(wh_db_commit(db), WALOR_EDB);
    assert_non_null(strstr(wh_last_error(), "FOREIGN KEY"));
    assert_false(wh_db_in_tx(db));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM c"), 0);
    assert_int_equal(wh_db_begin(db), 0); /* usable again */
    assert_int_equal(wh_db_rollback(db), 0);
    /* immediate foreign keys fail at the statement */
    assert_int_equal(wh_db_script(db, "CREATE TABLE c2(id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id))"), 0);
    assert_int_equal(wh_db_exec(db, "INSERT INTO c2(p) VALUES (?)", WALOR_ARGS(walor_i(77))), WALOR_EDB);
    wh_db_close(db);
}

/* ---- two connections ---- */

struct writer {
    const char *path;
    atomic_int ready;
    atomic_int *first_committed;
    int saw_commit, rc_begin, rc_insert, rc_commit;
    double waited;
};

static void *second_writer(void *arg)
{
    struct writer *w = arg;
    char err[256];
    wh_db *db = wh_db_open(w->path, err, sizeof err);
    atomic_store(&w->ready, 1);
    if (!db) {
        w->rc_begin = -100;
        return NULL;
    }
    double t0 = now_s();
    w->rc_begin = wh_db_begin(db);
    w->waited = now_s() - t0;
    w->saw_commit = atomic_load(w->first_committed);
    w->rc_insert = wh_db_exec(db, "INSERT INTO t(i) VALUES (?)", WALOR_ARGS(walor_i(2)));
    w->rc_commit = wh_db_commit(db);
    wh_db_close(db);
    return NULL;
}

static void test_writers_serialize(void **state)
{
    (void)state;
    char path[256];
    wh_db *a = fresh(path, sizeof path);
    atomic_int committed = 0;
    struct writer w = {.path = path, .first_committed = &committed};
    assert_int_equal(wh_db_begin(a), 0);
    assert_int_equal(wh_db_exec(a, "INSERT INTO t(i) VALUES (?)", WALOR_ARGS(walor_i(1))), 1);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, second_writer, &w), 0);
    while (!atomic_load(&w.ready))
        usleep(1000);
    usleep(300 * 1000); /* the second writer is now waiting in BEGIN IMMEDIATE */
    atomic_store(&committed, 1);
    assert_int_equal(wh_db_commit(a), 0);
    pthread_join(th, NULL);
    assert_int_equal(w.rc_begin, 0);
    assert_int_equal(w.saw_commit, 1);
    assert_true(w.waited > 0.2);
    assert_true(w.waited < 4.0);
    assert_int_equal(w.rc_insert, 1);
    assert_int_equal(w.rc_commit, 0);
    assert_int_equal(count(a, "SELECT COUNT(*) FROM t"), 2);
    assert_int_equal(count(a, "SELECT SUM(i) FROM t"), 3);
    wh_db_close(a);
}

static void test_reader_sees_committed(void **state)
{
    (void)state;
    char path[256];
    wh_db *a = fresh(path, sizeof path);
    wh_db *b = open_ok(path);
    assert_int_equal(wh_db_exec(a, "INSERT INTO t(i) VALUES (1)", NULL, 0), 1);
    assert_int_equal(count(b, "SELECT COUNT(*) FROM t"), 1);

    assert_int_equal(wh_db_begin(a), 0);
    assert_int_equal(wh_db_exec(a, "INSERT INTO t(i) VALUES (2)", NULL, 0), 1);
    assert_int_equal(count(b, "SELECT COUNT(*) FROM t"), 1); /* uncommitted: invisible, and no wait */
    assert_int_equal(wh_db_commit(a), 0);
    assert_int_equal(count(b, "SELECT COUNT(*) FROM t"), 2);

    /* WAL: an open reader does not block the writer, and keeps its snapshot */
    wh_rows *r;
    assert_int_equal(wh_db_query(b, "SELECT i FROM t ORDER BY i", NULL, 0, &r), 0);
    assert_int_equal(wh_rows_next(r), 1);
    double t0 = now_s();
    assert_int_equal(wh_db_exec(a, "INSERT INTO t(i) VALUES (3)", NULL, 0), 1);
    assert_true(now_s() - t0 < 1.0);
    /* writing from b's stale snapshot cannot succeed: EBUSY at once, not after 5 s */
    t0 = now_s();
    assert_int_equal(wh_db_exec(b, "INSERT INTO t(i) VALUES (4)", NULL, 0), WALOR_EBUSY);
    assert_true(now_s() - t0 < 1.0);
    assert_int_equal(wh_rows_next(r), 1);
    assert_int_equal(wh_rows_int(r, 0), 2);
    assert_int_equal(wh_rows_next(r), 0); /* row 3 is after b's snapshot */
    wh_rows_close(r);
    assert_int_equal(count(b, "SELECT COUNT(*) FROM t"), 3);
    wh_db_close(b);
    wh_db_close(a);
}

/* ---- statement cache ---- */

static void test_cache_many(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    assert_int_equal(wh_db_begin(db), 0);
    for (int k = 0; k < 10000; k++) {
        assert_int_equal(wh_db_exec(db, "INSERT INTO t(i, s) VALUES (?, ?)", WALOR_ARGS(walor_i(k), walor_s("v"))), 1);
        int64_t v = -1;
        assert_int_equal(wh_db_int(db, "SELECT i FROM t WHERE id = ?", WALOR_ARGS(walor_i(k + 1)), &v), 0);
        assert_int_equal(v, k);
    }
    assert_int_equal(wh_db_commit(db), 0);
    /* more distinct texts than the cache holds: evictions must not break anything */
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < 300; k++) {
            char sql[64];
            snprintf(sql, sizeof sql, "SELECT i + %d FROM t WHERE id = ?", k);
            int64_t v = -1;
            assert_int_equal(wh_db_int(db, sql, WALOR_ARGS(walor_i(k + 1)), &v), 0);
            assert_int_equal(v, k + k);
        }
    /* open results pin their statements across evictions */
    wh_rows *held;
    assert_int_equal(wh_db_query(db, "SELECT i FROM t WHERE id <= ? ORDER BY id", WALOR_ARGS(walor_i(3)), &held), 0);
    assert_int_equal(wh_rows_next(held), 1);
    for (int k = 0; k < 300; k++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d", k);
        assert_int_equal(wh_db_exec(db, sql, NULL, 0), 0);
    }
    assert_int_equal(wh_rows_int(held, 0), 0);
    assert_int_equal(wh_rows_next(held), 1);
    assert_int_equal(wh_rows_int(held, 0), 1);
    wh_rows_close(held);
    wh_db_close(db);
}

static void test_cache_same_sql_open_twice(void **state)
{
    (void)state;
    char path[256];
    wh_db *db = fresh(path, sizeof path);
    for (int k = 1; k <= 5; k++)
        assert_int_equal(wh_db_exec(db, "INSERT INTO t(i) VALUES (?)", WALOR_ARGS(walor_i(k))), 1);
    const char *sql = "SELECT i FROM t WHERE i >= ? ORDER BY i";
    for (int round = 0; round < 3; round++) {
        wh_rows *r1, *r2, *r3;
        assert_int_equal(wh_db_query(db, sql, WALOR_ARGS(walor_i(1)), &r1), 0);
        assert_int_equal(wh_db_query(db, sql, WALOR_ARGS(walor_i(4)), &r2), 0);
        assert_ptr_not_equal(r1, r2);
        assert_int_equal(wh_rows_next(r1), 1);
        assert_int_equal(wh_rows_next(r2), 1);
        assert_int_equal(wh_rows_int(r1, 0), 1);
        assert_int_equal(wh_rows_int(r2, 0), 4);
        /* the same text as exec while both are open */
        assert_int_equal(wh_db_exec(db, sql, WALOR_ARGS(walor_i(0))), 0);
        int64_t v;
        assert_int_equal(wh_db_int(db, sql, WALOR_ARGS(walor_i(3)), &v), 0);
        assert_int_equal(v, 3);
        assert_int_equal(wh_db_query(db, sql, WALOR_ARGS(walor_i(5)), &r3), 0);
        assert_int_equal(wh_rows_next(r1), 1);
        assert_int_equal(wh_rows_int(r1, 0), 2);
        assert_int_equal(wh_rows_next(r2), 1);
        assert_int_equal(wh_rows_int(r2, 0), 5);
        assert_int_equal(wh_rows_next(r2), 0);
        assert_int_equal(wh_rows_next(r3), 1);
        assert_int_equal(wh_rows_int(r3, 0), 5);
        /* closed out of order */
        if (round % 2) {
            wh_rows_close(r1);
            wh_rows_close(r2);
        } else {
            wh_rows_close(r2);
            wh_rows_close(r1);
        }
        wh_rows_close(r3);
    }
    wh_db_close(db);
}

/* ---- migrations ---- */

static const wh_migration shop_v[] = {
    {1, "CREATE TABLE shop_item(id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
    {2, "ALTER TABLE shop_item ADD COLUMN price INTEGER NOT NULL DEFAULT 0;"
        "INSERT INTO shop_item(name, price) VALUES ('Чай', 15000)"},
    {3, "CREATE INDEX shop_item_name ON shop_item(name)"},
    {4, "CREATE TABLE shop_order(id INTEGER PRIMARY KEY, item INTEGER REFERENCES shop_item(id))"},
};

static void test_migrations_apply_and_resume(void **state)
{
    (void)state;
    char path[256];
    new_path(path, sizeof path);
    wh_db *db = open_ok(path);
    assert_int_equal(wh_db_migrate(db, "shop", shop_v, 3), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM wh_migrations WHERE owner = 'shop'"), 3);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM shop_item"), 1);
    assert_int_equal(count(db, "SELECT MIN(applied_at) > 1700000000 FROM wh_migrations"), 1);
    assert_int_equal(wh_db_migrate(db, "shop", shop_v, 3), 0); /* again: nothing to do */
    wh_db_close(db);

    db = open_ok(path);
    /* v1 and v2 would fail if re-run (table exists, row duplicated) */
    assert_int_equal(wh_db_migrate(db, "shop", shop_v, 4), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM wh_migrations WHERE owner = 'shop'"), 4);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM shop_item"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM shop_order"), 0);
    /* another owner starts at its own version 1 */
    static const wh_migration other[] = {{1, "CREATE TABLE other_x(a INTEGER)"}};
    assert_int_equal(wh_db_migrate(db, "other", other, 1), 0);
    assert_int_equal(count(db, "SELECT MAX(version) FROM wh_migrations WHERE owner = 'other'"), 1);
    /* an older build on a newer database: warned, not fatal */
    assert_int_equal(wh_db_migrate(db, "shop", shop_v, 2), 0);
    assert_int_equal(wh_db_migrate(db, "empty", NULL, 0), 0);
    wh_db_close(db);
}

static void test_migration_broken_rolls_back(void **state)
{
    (void)state;
    char path[256];
    new_path(path, sizeof path);
    wh_db *db = open_ok(path);
    static const wh_migration list[] = {
        {1, "CREATE TABLE b_one(a INTEGER)"},
        {2, "CREATE TABLE b_two(a INTEGER); INSERT INTO b_one VALUES (1); INSERT INTO b_nowhere VALUES (1)"},
        {3, "CREATE TABLE b_three(a INTEGER)"},
    };
    assert_int_equal(wh_db_migrate(db, "broken", list, 3), WALOR_EDB);
    const char *e = wh_last_error();
    assert_non_null(strstr(e, "broken"));
    assert_non_null(strstr(e, "v2"));
    assert_non_null(strstr(e, "no such table: b_nowhere"));
    assert_false(wh_db_in_tx(db));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM wh_migrations WHERE owner = 'broken'"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('b_two', 'b_three')"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM b_one"), 0);
    /* a migration that commits by itself cannot be atomic: reported */
    static const wh_migration sneaky[] = {{1, "CREATE TABLE s_one(a INTEGER); COMMIT"}};
    assert_int_equal(wh_db_migrate(db, "sneaky", sneaky, 1), WALOR_EINVAL);
    assert_non_null(strstr(wh_last_error(), "ended the transaction"));
    assert_false(wh_db_in_tx(db));
    assert_int_equal(wh_db_begin(db), 0);
    assert_int_equal(wh_db_migrate(db, "late", list, 1), WALOR_EBUSY);
    assert_int_equal(wh_db_rollback(db), 0);
    wh_db_close(db);
}

static void test_migration_validation(void **state)
{
    (void)state;
    char path[256];
    new_path(path, sizeof path);
    wh_db *db = open_ok(path);
    static const wh_migration gap[] = {{1, "CREATE TABLE g1(a)"}, {3, "CREATE TABLE g3(a)"}};
    static const wh_migration unsorted[] = {{2, "CREATE TABLE u2(a)"}, {1, "CREATE TABLE u1(a)"}};
    static const wh_migration zero[] = {{0, "CREATE TABLE z0(a)"}};
    static const wh_migration nosql[] = {{1, NULL}};
    assert_int_equal(wh_db_migrate(db, "gap", gap, 2), WALOR_EINVAL);
    assert_non_null(strstr(wh_last_error(), "gap"));
    assert_non_null(strstr(wh_last_error(), "expected 2"));
    assert_int_equal(wh_db_migrate(db, "unsorted", unsorted, 2), WALOR_EINVAL);
    assert_int_equal(wh_db_migrate(db, "zero", zero, 1), WALOR_EINVAL);
    assert_int_equal(wh_db_migrate(db, "nosql", nosql, 1), WALOR_EINVAL);
    assert_int_equal(wh_db_migrate(db, "", shop_v, 1), WALOR_EINVAL);
    assert_int_equal(wh_db_migrate(db, "x", NULL, 1), WALOR_EINVAL);
    /* validation comes first: nothing of a bad list is applied */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM wh_migrations"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'g1'"), 0);
    wh_db_close(db);
}

struct migrator {
    const char *path;
    pthread_barrier_t *go;
    int rc;
};

static const wh_migration race_v[] = {
    {1, "CREATE TABLE r1(a INTEGER)"}, {2, "CREATE TABLE r2(a INTEGER)"}, {3, "INSERT INTO r1 VALUES (1)"},
    {4, "CREATE TABLE r4(a INTEGER)"}, {5, "INSERT INTO r1 VALUES (2)"},
};

static void *migrator_thread(void *arg)
{
    struct migrator *m = arg;
    char err[256];
    wh_db *db = wh_db_open(m->path, err, sizeof err);
    if (!db) {
        m->rc = -100;
        pthread_barrier_wait(m->go);
        return NULL;
    }
    pthread_barrier_wait(m->go); /* all connections open, so the migrations really overlap */
    m->rc = wh_db_migrate(db, "race", race_v, 5);
    wh_db_close(db);
    return NULL;
}

static void test_migration_race(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++) {
        char path[256];
        new_path(path, sizeof path);
        wh_db *db = open_ok(path); /* creates the file and wh_migrations up front */
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 3);
        struct migrator m[3];
        pthread_t th[3];
        for (int k = 0; k < 3; k++) {
            m[k] = (struct migrator){.path = path, .go = &go, .rc = 1};
            assert_int_equal(pthread_create(&th[k], NULL, migrator_thread, &m[k]), 0);
        }
        for (int k = 0; k < 3; k++)
            pthread_join(th[k], NULL);
        pthread_barrier_destroy(&go);
        for (int k = 0; k < 3; k++)
            assert_int_equal(m[k].rc, 0);
        assert_int_equal(count(db, "SELECT COUNT(*) FROM wh_migrations WHERE owner = 'race'"), 5);
        assert_int_equal(count(db, "SELECT COUNT(*) FROM r1"), 2);
        wh_db_close(db);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_pragmas),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_binds_roundtrip),
        cmocka_unit_test(test_null_handling),
        cmocka_unit_test(test_int64_extremes),
        cmocka_unit_test(test_wrong_bind_count),
        cmocka_unit_test(test_returning_and_changes),
        cmocka_unit_test(test_statement_errors),
        cmocka_unit_test(test_constraint_no_value_in_message),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_commit_failure_rolls_back),
        cmocka_unit_test(test_writers_serialize),
        cmocka_unit_test(test_reader_sees_committed),
        cmocka_unit_test(test_cache_many),
        cmocka_unit_test(test_cache_same_sql_open_twice),
        cmocka_unit_test(test_migrations_apply_and_resume),
        cmocka_unit_test(test_migration_broken_rolls_back),
        cmocka_unit_test(test_migration_validation),
        cmocka_unit_test(test_migration_race),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
