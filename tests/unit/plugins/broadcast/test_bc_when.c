/* broadcast's scheduled times as staff type them (plugins/broadcast/when.c),
 * in the shop's zone (Europe/Moscow here).
 * Features: F-BRD-01 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "when.h"

/* 2026-12-07 20:00:00 MSK = 17:00 UTC */
#define NOW 1796662800LL

static int64_t at(const char *s)
{
    int64_t t = 0;
    const char *why = "x";
    assert_int_equal(bc_when_parse(s, NOW, &t, &why), 0);
    assert_null(why);
    return t;
}

static void bad(const char *s)
{
    int64_t t = 0;
    const char *why = NULL;
    assert_int_equal(bc_when_parse(s, NOW, &t, &why), -1);
    assert_non_null(why);
}

static int setup(void **st)
{
    (void)st;
    setenv("TZ", "Europe/Moscow", 1);
    tzset();
    return 0;
}

static void test_forms(void **st)
{
    (void)st;
    assert_true(at("20:00") == NOW);
    assert_true(at("  21:30 ") == NOW + 5400);
    assert_true(at("сегодня 20:00") == NOW);
    assert_true(at("завтра 9:05") == NOW + 13 * 3600 + 5 * 60);
    assert_true(at("08.12 20:00") == NOW + 86400);
    assert_true(at("08.12.2026 20:00") == NOW + 86400);
    assert_true(at("08.12.26 20:00") == NOW + 86400);
    assert_true(at("2026-12-08 20:00") == NOW + 86400);
    assert_true(at("01.01.2027 00:00") == NOW + 24 * 86400 + 4 * 3600);
    assert_true(at("19:00") == NOW - 3600); /* past: parsed, the caller refuses it */
    assert_true(at("завтра 00:00") == NOW + 4 * 3600);
}

static void test_refusals(void **st)
{
    (void)st;
    bad("");
    bad("скоро");
    bad("25:00");
    bad("20:60");
    bad("31.02 10:00");
    bad("25.12");          /* a day without a time */
    bad("25.12 10");
    bad("25.12.2026");
    bad("завтра");
    bad("20:00 завтра");
    bad("1.1.99999 10:00");
    bad(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
