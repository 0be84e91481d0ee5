/* broadcast's audiences (plugins/broadcast/segment.c): JSON round trips,
 * the typed product/category list, and the SQL of every segment run
 * against SQLite over a walor_users table like the host's view.
 * Features: F-BRD-01 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "segment.h"

#define NOW 1800000000LL
#define DAY 86400LL

static sqlite3 *db;

static int setup(void **st)
{
    (void)st;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    const char *sql =
        "CREATE TABLE walor_users (id INTEGER PRIMARY KEY, username TEXT, first_name TEXT, last_name TEXT,"
        " language_code TEXT, registered_at INTEGER, seen_at INTEGER, role INTEGER, blocked INTEGER,"
        " start_payload TEXT);"
        "CREATE TABLE broadcast_set (set_id INTEGER, user_id INTEGER, PRIMARY KEY (set_id, user_id));"
        /* id, registered, seen, role, blocked, payload */
        "INSERT INTO walor_users(id, registered_at, seen_at, role, blocked, start_payload) VALUES"
        " (1, 1800000000 - 100 * 86400, 1800000000 - 1 * 86400, 0, 0, NULL),"   /* old, active, buyer */
        " (2, 1800000000 - 2 * 86400, 1800000000 - 2 * 86400, 0, 0, 'link_BK'),"  /* new via link */
        " (3, 1800000000 - 50 * 86400, 1800000000 - 40 * 86400, 0, 0, 'ref1'),"   /* idle 40 days */
        " (4, 1800000000 - 3 * 86400, 1800000000 - 3 * 86400, 1, 0, 'link_bk'),"  /* tester, the link typed lower */
        " (5, 1800000000 - 1 * 86400, 1800000000, 0, 1, 'link_BK'),"              /* blocked the bot */
        " (6, 1800000000 - 9 * 86400, 1800000000 - 8 * 86400, 0, 0, 'link_VK');"
        "INSERT INTO broadcast_set VALUES (7, 1), (7, 5), (8, 3), (8, 6);";
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    sqlite3_close(db);
    return 0;
}

/* the ids the segment's SQL selects, as "1,2,3" */
static const char *run(const bc_segment *s, int64_t set_id)
{
    static char out[128];
    bc_sql q;
    assert_int_equal(bc_segment_sql(s, NOW, set_id, &q), 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, q.sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_bind_parameter_count(st), (int)q.nargs);
    for (uint32_t i = 0; i < q.nargs; i++) {
        if (q.args[i].type == WALOR_VAL_INT)
            sqlite3_bind_int64(st, (int)i + 1, q.args[i].i);
        else
            sqlite3_bind_text(st, (int)i + 1, q.args[i].s, -1, SQLITE_STATIC);
    }
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        char n[24];
        snprintf(n, sizeof n, "%s%lld", out[0] ? "," : "", (long long)sqlite3_column_int64(st, 0));
        strcat(out, n);
    }
    sqlite3_finalize(st);
    return out;
}

static bc_segment seg(int kind)
{
    bc_segment s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    return s;
}

static void test_sql_of_each_segment(void **st)
{
    (void)st;
    bc_segment s = seg(BC_SEG_ALL);
    assert_string_equal(run(&s, 0), "1,2,3,4,6");           /* never the one who blocked the bot */
    s = seg(BC_SEG_PAID);
    assert_string_equal(run(&s, 7), "1");                    /* set 7: customers with a sale */
    s = seg(BC_SEG_NOORDERS);
    assert_string_equal(run(&s, 7), "2,3,4,6");
    s = seg(BC_SEG_BOUGHT);
    assert_string_equal(run(&s, 8), "3,6");
    s = seg(BC_SEG_NEW);
    s.days = 7;
    assert_string_equal(run(&s, 0), "2,4");                  /* registered in the last 7 days */
    s.days = 30;
    assert_string_equal(run(&s, 0), "2,4,6");
    s = seg(BC_SEG_IDLE);
    s.days = 30;
    assert_string_equal(run(&s, 0), "3");                    /* not seen for 30 days */
    s.days = 1;
    assert_string_equal(run(&s, 0), "2,3,4,6");
    s = seg(BC_SEG_LINK);
    strcpy(s.link, "BK");
    assert_string_equal(run(&s, 0), "2,4");                  /* link_BK and link_bk, not the blocked one */
    strcpy(s.link, "bk");
    assert_string_equal(run(&s, 0), "2,4");
    strcpy(s.link, "VK");
    assert_string_equal(run(&s, 0), "6");
    s = seg(BC_SEG_TESTERS);
    assert_string_equal(run(&s, 0), "4");
}

static void test_sql_refuses_bad_segments(void **st)
{
    (void)st;
    bc_sql q;
    bc_segment s = seg(BC_SEG_NEW);
    assert_int_equal(bc_segment_sql(&s, NOW, 0, &q), -1);    /* no days */
    s.days = BC_DAYS_MAX + 1;
    assert_int_equal(bc_segment_sql(&s, NOW, 0, &q), -1);
    s = seg(BC_SEG_LINK);
    assert_int_equal(bc_segment_sql(&s, NOW, 0, &q), -1);    /* no link */
    strcpy(s.link, "x'; DROP TABLE walor_users; --");
    assert_int_equal(bc_segment_sql(&s, NOW, 0, &q), -1);    /* never reaches SQL anyway: only binds do */
    s = seg(0);
    assert_int_equal(bc_segment_sql(&s, NOW, 0, &q), -1);
    s = seg(BC_SEG_MAX);
    assert_int_equal(bc_segment_sql(&s, NOW, 0, &q), -1);
}

static void test_json_round_trip(void **st)
{
    (void)st;
    const char *why = NULL;
    bc_segment s, back;
    const char *cases[] = {"{\"kind\":\"all\"}", "{\"kind\":\"new\",\"days\":7}", "{\"kind\":\"link\",\"link\":\"BK\"}",
                           "{\"kind\":\"bought\",\"products\":[12,15],\"categories\":[3]}"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *j = json_loads(cases[i], 0, NULL);
        assert_int_equal(bc_segment_from_json(j, &s, &why), 0);
        json_t *k = bc_segment_to_json(&s);
        assert_int_equal(bc_segment_from_json(k, &back, &why), 0);
        assert_memory_equal(&s, &back, sizeof s);
        json_decref(j);
        json_decref(k);
    }
    const char *bad[] = {"{}", "{\"kind\":\"vip\"}", "{\"kind\":\"new\"}", "{\"kind\":\"idle\",\"days\":0}",
                         "{\"kind\":\"link\"}", "{\"kind\":\"link\",\"link\":\"a b\"}", "{\"kind\":\"bought\"}",
                         "{\"kind\":\"bought\",\"products\":[0]}", "{\"kind\":\"bought\",\"products\":[\"1\"]}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        why = NULL;
        assert_int_equal(bc_segment_from_json(j, &s, &why), -1);
        assert_non_null(why);
        json_decref(j);
    }
}

static void test_items(void **st)
{
    (void)st;
    bc_segment s = seg(BC_SEG_BOUGHT);
    const char *why = NULL;
    assert_int_equal(bc_items_parse("12, p15 c3;P7,\nк4 р8", &s, &why), 0); /* Latin and Cyrillic c/p */
    assert_int_equal(s.nproducts, 4);
    assert_true(s.products[0] == 12 && s.products[1] == 15 && s.products[2] == 7 && s.products[3] == 8);
    assert_int_equal(s.ncategories, 2);
    assert_true(s.categories[0] == 3 && s.categories[1] == 4);
    assert_int_equal(bc_items_parse("", &s, &why), -1);
    assert_int_equal(bc_items_parse("шампунь", &s, &why), -1);
    assert_int_equal(bc_items_parse("12x", &s, &why), -1);
    assert_int_equal(bc_items_parse("p0", &s, &why), -1);
    char many[256] = "";
    for (int i = 1; i <= 21; i++)
        sprintf(many + strlen(many), "%d,", i);
    assert_int_equal(bc_items_parse(many, &s, &why), -1);
    assert_non_null(why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_of_each_segment),
        cmocka_unit_test(test_sql_refuses_bad_segments),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_items),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
