/* The SDK's small helpers of wrappers.h that every plugin used to write
 * again, run against the real host table on a real SQLite file: a row read
 * by a format (walor_db_row, walor_row_read), the first column of many rows
 * (walor_db_ints), "is this a button press", ids from button data,
 * settings read with a default, and a date in the shop's zone.
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
#include <time.h>

#include <walor/plugin.h>

#include "api_slots.h"
#include "ctx.h"
#include "dbkit.h"
#include "host.h"
#include "registry.h"

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
static walor_ctx C;

static int setup(void **state)
{
    if (group_setup(state) != 0)
        return -1;
    char path[96];
    snprintf(path, sizeof path, "%s/idioms.db", tmpdir);
    W.db = open_ok(path);
    wh_arena_init(&W.arena);
    wh_reg.api = wh_api();
    wh_ctx_init(&C, &W);
    return wh_db_script(W.db, "CREATE TABLE t (id INTEGER, n INTEGER, name TEXT, note TEXT);"
                              "INSERT INTO t VALUES (1, 10, 'один', NULL), (2, 3000000000, 'два', 'x'),"
                              " (3, 30, NULL, 'y')") == 0
               ? 0
               : -1;
}

static int teardown(void **state)
{
    wh_db_close(W.db);
    wh_arena_free(&W.arena);
    return group_teardown(state);
}

static void test_db_row_reads_one_row_by_its_format(void **state)
{
    (void)state;
    walor_ctx *c = &C;
    int64_t id = 0, n = 0;
    int32_t n32 = 0;
    const char *name = NULL, *note = "untouched";
    assert_int_equal(walor_db_row(c, "SELECT id, n, name, note FROM t WHERE id = ?", WALOR_ARGS(walor_i(1)), "iisz",
                                  &id, &n, &name, &note),
                     0);
    assert_int_equal(id, 1);
    assert_int_equal(n, 10);
    assert_string_equal(name, "один");
    assert_string_equal(note, ""); /* 'z': NULL reads as "" */
    assert_int_equal(walor_db_row(c, "SELECT n, name, note FROM t WHERE id = 3", NULL, 0, "_ss", &name, &note), 0);
    assert_null(name); /* 's': NULL stays NULL */
    assert_string_equal(note, "y");
    assert_int_equal(walor_db_row(c, "SELECT n FROM t WHERE id = 2", NULL, 0, "d", &n32), 0);
    assert_int_equal(n32, (int32_t)3000000000LL); /* narrowed as a cast does */

    /* no row: ENOTFOUND and nothing written */
    id = 77;
    assert_int_equal(walor_db_row(c, "SELECT id FROM t WHERE id = 9", NULL, 0, "i", &id), WALOR_ENOTFOUND);
    assert_int_equal(id, 77);
    /* a query error comes back as it is */
    assert_int_equal(walor_db_row(c, "SELECT nope FROM t", NULL, 0, "i", &id), WALOR_EDB);
    /* an unknown letter, and 't' (its text would outlive the rows) */
    assert_int_equal(walor_db_row(c, "SELECT id FROM t WHERE id = 1", NULL, 0, "x", &id), WALOR_EINVAL);
    assert_int_equal(walor_db_row(c, "SELECT name FROM t WHERE id = 1", NULL, 0, "t", &name), WALOR_EINVAL);
}

static void test_row_read_in_a_loop(void **state)
{
    (void)state;
    walor_ctx *c = &C;
    walor_rows *r = NULL;
    assert_int_equal(walor_db_query(c, "SELECT id, name FROM t ORDER BY id", NULL, 0, &r), 0);
    int64_t sum = 0, id;
    const char *name, *kept = NULL;
    int32_t rc;
    while ((rc = walor_row_next(r)) == 1) {
        assert_int_equal(walor_row_read(c, r, "it", &id, &name), 0);
        sum += id;
        if (id == 1)
            assert_string_equal(name, "один"); /* borrowed, read before the next row */
        if (id == 2)
            assert_int_equal(walor_row_read(c, r, "_s", &kept), 0);
        if (id == 3)
            assert_null(name);
    }
    walor_rows_close(r);
    assert_int_equal(rc, 0);
    assert_int_equal(sum, 6);
    assert_string_equal(kept, "два"); /* 's' outlives the rows */
}

static void test_db_ints(void **state)
{
    (void)state;
    walor_ctx *c = &C;
    int64_t v[2] = {0, 0};
    uint32_t n = 9;
    assert_int_equal(walor_db_ints(c, "SELECT id FROM t ORDER BY id DESC", NULL, 0, v, 2, &n), 0);
    assert_int_equal(n, 2); /* at most max */
    assert_int_equal(v[0], 3);
    assert_int_equal(v[1], 2);
    assert_int_equal(walor_db_ints(c, "SELECT id FROM t WHERE id > 5", NULL, 0, v, 2, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(walor_db_ints(c, "SELECT nope FROM t", NULL, 0, v, 2, &n), WALOR_EDB);
    assert_int_equal(count(W.db, "SELECT count(*) FROM t"), 3); /* reads only */
}

static void test_in_callback(void **state)
{
    (void)state;
    walor_ctx *c = &C;
    assert_false(walor_in_callback(c)); /* a job: no update */
    json_t *msg = json_pack("{s:I, s:{s:s}}", "update_id", (json_int_t)1, "message", "text", "hi");
    json_t *press = json_pack("{s:I, s:{s:s}}", "update_id", (json_int_t)2, "callback_query", "data", "x:1");
    c->update = msg;
    assert_false(walor_in_callback(c));
    c->update = press;
    assert_true(walor_in_callback(c));
    c->update = NULL;
    json_decref(msg);
    json_decref(press);
}

static void test_parse_id(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_int_equal(walor_parse_id("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(walor_parse_id("922337203685477579", &v), 0);
    assert_int_equal(v, 922337203685477579LL);
    static const char *const bad[] = {"", "0", "042", "-1", "+1", "4x", "4 ", " 4", "12:3", "9223372036854775807"};
    v = 5;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(walor_parse_id(bad[i], &v), WALOR_EINVAL);
    assert_int_equal(walor_parse_id(NULL, &v), WALOR_EINVAL);
    assert_int_equal(v, 5); /* untouched on a refusal */
    assert_int_equal(walor_parse_id_to("12:rest", ':', &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(walor_parse_id_to("12", ':', &v), 0);
    assert_int_equal(walor_parse_id_to(":12", ':', &v), WALOR_EINVAL);
    assert_int_equal(walor_parse_id_to("1x:2", ':', &v), WALOR_EINVAL);
}

static void test_setting_with_a_default(void **state)
{
    (void)state;
    walor_ctx *c = &C;
    /* no such setting: the default, whatever min says */
    assert_int_equal(walor_setting_or(c, "nobody.x", 7), 7);
    assert_int_equal(walor_setting_min(c, "nobody.x", 10, 7), 7);
}

static void test_time_format(void **state)
{
    (void)state;
    walor_ctx *c = &C;
    assert_string_equal(walor_time_format(c, 1767614400, "%a, %-d %B %Y, %H:%M"), "пн, 5 января 2026, 15:00");
    assert_null(walor_time_format(c, INT64_MAX, "%Y"));
    assert_non_null(strstr(walor_last_error(c), "does not convert"));
    assert_null(walor_time_format(c, 0, NULL));
}

int main(void)
{
    setenv("TZ", "Europe/Moscow", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_db_row_reads_one_row_by_its_format),
        cmocka_unit_test(test_row_read_in_a_loop),
        cmocka_unit_test(test_db_ints),
        cmocka_unit_test(test_in_callback),
        cmocka_unit_test(test_parse_id),
        cmocka_unit_test(test_setting_with_a_default),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
