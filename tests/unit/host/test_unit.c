/* The unit of work (host/plugin/unit.c) and the savepoints under it
 * (host/db/db.c) on a real SQLite file: when the transaction opens, what a
 * level's commit and rollback keep, when the done mark commits, and what a
 * network wait does. Messages (wh_msgq) need the Telegram client: they are
 * covered end to end (tests/e2e/test_host_exactly_once.py, make crash).
 *
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <walor/types.h>

#include "ctx.h"
#include "dbkit.h"
#include "host.h"
#include "unit.h"

/* main.c is not part of walorcore */
wh_host wh_g;
int64_t wh_now(void) { return 1700000000; }
int wh_host_accept_updates(struct wh_db *db, json_t *updates)
{
    (void)db;
    (void)updates;
    return 0;
}
void wh_clock_advance(int64_t seconds) { (void)seconds; }

static wh_worker W;
static wh_db *other; /* a second connection, as another worker or process sees the file */

static int setup(void **state)
{
    if (group_setup(state) != 0)
        return -1;
    char path[96];
    snprintf(path, sizeof path, "%s/unit.db", tmpdir);
    W.db = open_ok(path);
    other = open_ok(path);
    wh_arena_init(&W.arena);
    return wh_db_script(W.db, "CREATE TABLE t (v INTEGER); CREATE TABLE done (what TEXT)") == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    wh_db_close(W.db);
    wh_db_close(other);
    wh_arena_free(&W.arena);
    return group_teardown(state);
}

static int32_t put(walor_ctx *c, int64_t v)
{
    return wh_db_exec(c->w->db, "INSERT INTO t(v) VALUES (?)", WALOR_ARGS(walor_i(v)));
}

static int marks;
static int32_t mark(walor_ctx *c, void *arg)
{
    marks++;
    return wh_db_exec(c->w->db, "INSERT INTO done(what) VALUES (?)", WALOR_ARGS(walor_s(arg))) < 0 ? WALOR_EDB : 0;
}

static void start(walor_ctx *c, uint32_t flags)
{
    wh_ctx_init(c, &W);
    wh_unit_arm(c, mark, "x", flags);
}

static void test_opens_at_the_first_write_and_commits_with_the_mark(void **state)
{
    (void)state;
    walor_ctx c;
    start(&c, WH_UNIT_MARK_EARLY);
    int64_t n;
    assert_int_equal(wh_db_int(W.db, "SELECT count(*) FROM t", NULL, 0, &n), 0);
    assert_false(wh_db_in_tx(W.db)); /* reads take no write lock */
    assert_int_equal(put(&c, 1), 1);
    assert_true(wh_db_in_tx(W.db));
    assert_int_equal(count(other, "SELECT count(*) FROM t"), 0); /* not before the commit */
    assert_int_equal(wh_unit_commit(&c), 0);
    assert_int_equal(count(other, "SELECT count(*) FROM t"), 1);
    assert_int_equal(count(other, "SELECT count(*) FROM done"), 1);
    wh_ctx_finish(&c);

    /* nothing written: the mark alone */
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(wh_unit_commit(&c), 0);
    assert_int_equal(count(other, "SELECT count(*) FROM done"), 2);
    assert_false(wh_db_in_tx(W.db));
    wh_ctx_finish(&c);
    /* without a unit, a write autocommits as always */
    wh_ctx_init(&c, &W);
    assert_int_equal(put(&c, 2), 1);
    assert_false(wh_db_in_tx(W.db));
    wh_ctx_finish(&c);
    assert_int_equal(count(other, "SELECT count(*) FROM t"), 2);
}

static void test_levels_nest(void **state)
{
    (void)state;
    walor_ctx c;
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(put(&c, 10), 1);                       /* the unit's own write */
    assert_int_equal(wh_unit_tx_begin(&c), 0);              /* a handler's level */
    assert_int_equal(put(&c, 11), 1);
    assert_int_equal(wh_unit_tx_begin(&c), 0);              /* a service it calls */
    assert_int_equal(put(&c, 12), 1);
    assert_int_equal(c.tx_depth, 2);
    assert_int_equal(wh_unit_tx_rollback(&c), 0);           /* the service refuses: only its write goes */
    assert_int_equal(wh_unit_tx_begin(&c), 0);              /* another service joins and agrees */
    assert_int_equal(put(&c, 13), 1);
    assert_int_equal(wh_unit_tx_commit(&c), 0);
    assert_int_equal(wh_unit_tx_commit(&c), 0);             /* the handler's level into the unit */
    assert_int_equal(c.tx_depth, 0);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v >= 10"), 0);
    assert_int_equal(wh_unit_commit(&c), 0);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v IN (10, 11, 13)"), 3);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 12"), 0);
    wh_ctx_finish(&c);
}

static void test_levels_keep_what_was_before(void **state)
{
    (void)state;
    walor_ctx c;
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(put(&c, 20), 1);
    assert_int_equal(wh_unit_tx_begin(&c), 0);
    assert_int_equal(put(&c, 21), 1);
    assert_int_equal(wh_unit_tx_rollback(&c), 0);
    assert_int_equal(wh_unit_commit(&c), 0);
    wh_ctx_finish(&c);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 20"), 1);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 21"), 0);

    /* a level that began the transaction and is rolled back lets the write lock go at once */
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(wh_unit_tx_begin(&c), 0);
    assert_true(wh_db_in_tx(W.db));
    assert_int_equal(put(&c, 22), 1);
    assert_int_equal(wh_unit_tx_rollback(&c), 0);
    assert_false(wh_db_in_tx(W.db));
    assert_int_equal(wh_unit_commit(&c), 0);
    wh_ctx_finish(&c);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 22"), 0);
    /* rollback without begin: nothing to undo, no error (error paths call it freely) */
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(wh_unit_tx_rollback(&c), 0);
    assert_int_equal(wh_unit_tx_commit(&c), WALOR_EINVAL);
    wh_ctx_finish(&c);
}

static void test_failure_undoes_everything_not_committed(void **state)
{
    (void)state;
    walor_ctx c;
    int before = marks;
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(put(&c, 30), 1);
    wh_unit_rollback(&c);                                   /* the handler returned < 0 */
    assert_int_equal(put(&c, 31), 1);                       /* the host's own work after it */
    assert_int_equal(wh_unit_commit(&c), 0);
    wh_ctx_finish(&c);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 30"), 0);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 31"), 1);
    assert_int_equal(marks, before + 1);

    /* returning inside a level: rolled back, a failure, no mark */
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(wh_unit_tx_begin(&c), 0);
    assert_int_equal(put(&c, 32), 1);
    assert_int_equal(wh_unit_commit(&c), WALOR_EINVAL);
    assert_false(wh_db_in_tx(W.db));
    assert_int_equal(marks, before + 1);
    wh_ctx_finish(&c);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 32"), 0);

    /* forgotten: finish rolls back */
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(put(&c, 33), 1);
    wh_ctx_finish(&c);
    assert_false(wh_db_in_tx(W.db));
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 33"), 0);
}

static void test_network_wait(void **state)
{
    (void)state;
    walor_ctx c;
    int before = marks;
    /* nothing held: the wait goes on, nothing commits, no mark */
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(wh_unit_wait(&c, "fetch"), 0);
    assert_int_equal(marks, before);
    /* inside a level: refused, the lock is not held across the network */
    assert_int_equal(wh_unit_tx_begin(&c), 0);
    assert_int_equal(wh_unit_wait(&c, "fetch"), WALOR_EPHASE);
    assert_int_equal(wh_unit_tx_commit(&c), 0);
    /* writes held: committed before the wait, with the mark (an update) */
    assert_int_equal(put(&c, 40), 1);
    assert_int_equal(wh_unit_wait(&c, "fetch"), 0);
    assert_false(wh_db_in_tx(W.db));
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 40"), 1);
    assert_int_equal(marks, before + 1);
    /* what follows is a continuation: it commits at the end, the mark is not written twice */
    assert_int_equal(put(&c, 41), 1);
    assert_int_equal(wh_unit_commit(&c), 0);
    assert_int_equal(marks, before + 1);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 41"), 1);
    wh_ctx_finish(&c);

    /* a job: the writes before the wait commit, the mark waits for the end */
    start(&c, 0);
    assert_int_equal(put(&c, 42), 1);
    assert_int_equal(wh_unit_wait(&c, "fetch"), 0);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 42"), 1);
    assert_int_equal(marks, before + 1);
    assert_int_equal(wh_unit_commit(&c), 0);
    assert_int_equal(marks, before + 2);
    wh_ctx_finish(&c);
}

static void test_a_transaction_sqlite_lost_is_not_replaced(void **state)
{
    (void)state;
    walor_ctx c;
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(put(&c, 50), 1);
    /* as SQLite does after a disk-full or I/O error: the whole transaction is gone */
    assert_int_equal(wh_db_script(W.db, "ROLLBACK"), 0);
    assert_true(wh_db_tx_lost(W.db));
    /* a later write must not open a new transaction and commit as if nothing happened */
    assert_int_equal(put(&c, 51), WALOR_EDB);
    assert_int_equal(wh_unit_tx_begin(&c), WALOR_EDB);
    assert_true(wh_unit_commit(&c) < 0);
    wh_ctx_finish(&c);
    assert_false(wh_db_tx_lost(W.db));
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v IN (50, 51)"), 0);
}

/* walor_tx_end (wrappers.h) rolls back after a failed commit: the failed
 * level is closed already, so that rollback must not reach the caller's */
static int32_t tx_end(walor_ctx *c, int32_t rc)
{
    if (rc >= 0) {
        int32_t cm = wh_unit_tx_commit(c);
        if (cm >= 0)
            return rc;
        rc = cm;
    }
    wh_unit_tx_rollback(c);
    return rc;
}

static void test_a_failed_commit_closes_only_its_level(void **state)
{
    (void)state;
    walor_ctx c;
    start(&c, WH_UNIT_MARK_EARLY);
    assert_int_equal(put(&c, 60), 1);
    assert_int_equal(wh_unit_tx_begin(&c), 0);              /* the caller's level */
    assert_int_equal(wh_unit_tx_begin(&c), 0);              /* a service's level */
    assert_int_equal(put(&c, 61), 1);
    assert_int_equal(wh_db_script(W.db, "ROLLBACK"), 0);    /* SQLite lost it (disk full, I/O) */
    assert_int_equal(tx_end(&c, 0), WALOR_EDB);            /* the service's commit fails */
    assert_int_equal(c.tx_depth, 1);                        /* the caller's level is still the caller's */
    assert_int_equal(tx_end(&c, WALOR_EDB), WALOR_EDB);     /* and the caller ends it */
    assert_int_equal(c.tx_depth, 0);
    assert_int_equal(wh_unit_tx_rollback(&c), 0);           /* a stray rollback: nothing to do */
    assert_true(wh_unit_commit(&c) < 0);                    /* the unit knows its writes are gone */
    wh_ctx_finish(&c);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v IN (60, 61)"), 0);

    /* without a unit the level is the transaction: a failed COMMIT rolls it
     * back, and the rollback after it is a no-op */
    assert_int_equal(wh_db_script(W.db, "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                                        "CREATE TABLE child (p INTEGER REFERENCES parent(id) "
                                        "DEFERRABLE INITIALLY DEFERRED); PRAGMA foreign_keys = ON"),
                     0);
    wh_ctx_init(&c, &W);
    assert_int_equal(wh_unit_tx_begin(&c), 0);
    assert_int_equal(put(&c, 62), 1);
    assert_int_equal(wh_db_exec(W.db, "INSERT INTO child(p) VALUES (7)", NULL, 0), 1);
    assert_true(tx_end(&c, 0) < 0);                         /* the deferred key fails the COMMIT */
    assert_int_equal(c.tx_depth, 0);
    assert_false(wh_db_in_tx(W.db));
    wh_ctx_finish(&c);
    assert_int_equal(count(other, "SELECT count(*) FROM t WHERE v = 62"), 0);
    assert_int_equal(wh_db_script(W.db, "PRAGMA foreign_keys = OFF"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opens_at_the_first_write_and_commits_with_the_mark),
        cmocka_unit_test(test_levels_nest),
        cmocka_unit_test(test_levels_keep_what_was_before),
        cmocka_unit_test(test_failure_undoes_everything_not_committed),
        cmocka_unit_test(test_network_wait),
        cmocka_unit_test(test_a_transaction_sqlite_lost_is_not_replaced),
        cmocka_unit_test(test_a_failed_commit_closes_only_its_level),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
