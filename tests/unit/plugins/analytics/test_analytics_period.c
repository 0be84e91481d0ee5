/* analytics' periods (plugins/analytics/period.c) in the shop's zone,
 * Europe/Moscow (UTC+3, no DST since 2014): local midnights as period
 * bounds, months and leap years, Monday weeks, the day a second falls on
 * around midnight, and every way staff type a period — with each bad input
 * named.
 * Features: F-AN-01, F-AN-02 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "period.h"

/* 2025-12-07 00:00 MSK = 2025-12-06 21:00 UTC */
#define DEC7_MSK 1765054800LL

static int setup(void **st)
{
    (void)st;
    setenv("TZ", "Europe/Moscow", 1);
    tzset();
    return 0;
}

static void test_midnight(void **st)
{
    (void)st;
    assert_int_equal(an_midnight((an_date){2025, 12, 7}), DEC7_MSK);
    an_date d = an_date_of(DEC7_MSK);
    assert_int_equal(d.y, 2025);
    assert_int_equal(d.m, 12);
    assert_int_equal(d.d, 7);
    /* one second before Moscow midnight is still the 6th, though UTC says 20:59 */
    d = an_date_of(DEC7_MSK - 1);
    assert_int_equal(d.d, 6);
    assert_int_equal(an_midnight((an_date){2025, 2, 29}), -1);
    assert_int_equal(an_midnight((an_date){2024, 2, 29}) > 0, 1);
}

static void test_day_and_index(void **st)
{
    (void)st;
    an_period p;
    assert_int_equal(an_period_day(DEC7_MSK + 12 * 3600, &p), 0);
    assert_int_equal(p.from, DEC7_MSK);
    assert_int_equal(p.to, DEC7_MSK + 86400);
    assert_int_equal(p.days, 1);
    /* the boundary: 23:59:59 is in, 00:00:00 of the next day is out */
    assert_int_equal(an_period_day_index(&p, DEC7_MSK + 86399), 0);
    assert_int_equal(an_period_day_index(&p, DEC7_MSK + 86400), -1);
    assert_int_equal(an_period_day_index(&p, DEC7_MSK - 1), -1);
}

static void test_month(void **st)
{
    (void)st;
    an_period p;
    assert_int_equal(an_period_month(2025, 12, &p), 0);
    assert_int_equal(p.days, 31);
    assert_int_equal(p.from, DEC7_MSK - 6 * 86400);
    assert_int_equal(p.to, DEC7_MSK + 25 * 86400);
    assert_int_equal(an_period_day_index(&p, DEC7_MSK), 6);
    assert_int_equal(an_period_month(2024, 2, &p), 0);
    assert_int_equal(p.days, 29);
    assert_int_equal(an_period_month(2025, 2, &p), 0);
    assert_int_equal(p.days, 28);
    assert_int_equal(an_period_month(2025, 13, &p), -1);
    assert_string_equal(an_month_name(12), "декабрь");
    assert_string_equal(an_month_name(0), "");
}

static void test_week(void **st)
{
    (void)st;
    an_period p;
    /* Sunday 7 December 2025: its week began on Monday the 1st */
    assert_int_equal(an_period_week(DEC7_MSK + 3600, &p), 0);
    assert_int_equal(p.first.d, 1);
    assert_int_equal(p.last.d, 7);
    assert_int_equal(p.days, 7);
    /* Monday 8th starts a new one */
    assert_int_equal(an_period_week(DEC7_MSK + 86400, &p), 0);
    assert_int_equal(p.first.d, 8);
    /* across a year: Wednesday 1 January 2025 → Monday 30 December 2024 */
    assert_int_equal(an_period_week(an_midnight((an_date){2025, 1, 1}), &p), 0);
    assert_int_equal(p.first.y, 2024);
    assert_int_equal(p.first.m, 12);
    assert_int_equal(p.first.d, 30);
}

static void test_arith(void **st)
{
    (void)st;
    an_date d = an_date_add((an_date){2024, 2, 28}, 1);
    assert_int_equal(d.m * 100 + d.d, 229);
    d = an_date_add((an_date){2025, 12, 31}, 1);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20260101);
    assert_int_equal(an_days_between((an_date){2025, 1, 1}, (an_date){2025, 12, 31}), 364);
    char buf[16];
    an_date_str((an_date){2025, 3, 7}, buf, sizeof buf);
    assert_string_equal(buf, "07.03.2025");
}

static void test_date_parse(void **st)
{
    (void)st;
    an_date today = {2025, 12, 7}, d;
    assert_int_equal(an_date_parse(" 07.12.2025 ", today, &d), 0);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20251207);
    assert_int_equal(an_date_parse("1.2.24", today, &d), 0);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20240201);
    assert_int_equal(an_date_parse("15.11", today, &d), 0);
    assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 20251115);
    assert_int_equal(an_date_parse("31.02.2025", today, &d), -1);
    assert_int_equal(an_date_parse("2025-12-07", today, &d), -1);
    assert_int_equal(an_date_parse("вчера", today, &d), -1);
    assert_int_equal(an_date_parse("", today, &d), -1);
    assert_int_equal(an_date_parse("07.12.2025x", today, &d), -1);
    assert_int_equal(an_date_parse("123.12.2025", today, &d), -1);
}

static void test_period_parse(void **st)
{
    (void)st;
    an_date today = {2025, 12, 7};
    an_period p;
    assert_int_equal(an_period_parse("01.12.2025 - 15.12.2025", today, 400, &p), AN_PERIOD_OK);
    assert_int_equal(p.days, 15);
    assert_int_equal(p.from, DEC7_MSK - 6 * 86400);
    assert_int_equal(p.to, DEC7_MSK + 9 * 86400);
    assert_int_equal(an_period_parse("с 1.12 по 15.12", today, 400, &p), AN_PERIOD_OK);
    assert_int_equal(p.days, 15);
    assert_int_equal(an_period_parse("01.12.25—15.12.25", today, 400, &p), AN_PERIOD_OK);
    assert_int_equal(an_period_parse("01.12.2025 15.12.2025", today, 400, &p), AN_PERIOD_OK);
    assert_int_equal(an_period_parse("07.12.2025 - 07.12.2025", today, 400, &p), AN_PERIOD_OK);
    assert_int_equal(p.days, 1);
    /* each bad input has its own answer */
    assert_int_equal(an_period_parse("01.12.2025", today, 400, &p), AN_PERIOD_EFORMAT);
    assert_int_equal(an_period_parse("декабрь", today, 400, &p), AN_PERIOD_EFORMAT);
    assert_int_equal(an_period_parse("1.12 - 5.12 - 9.12", today, 400, &p), AN_PERIOD_EFORMAT);
    assert_int_equal(an_period_parse("за 3 дня", today, 400, &p), AN_PERIOD_EFORMAT);
    assert_int_equal(an_period_parse("30.02.2025 - 05.03.2025", today, 400, &p), AN_PERIOD_EDATE);
    assert_int_equal(an_period_parse("15.12.2025 - 01.12.2025", today, 400, &p), AN_PERIOD_EORDER);
    assert_int_equal(an_period_parse("01.01.2024 - 01.12.2025", today, 400, &p), AN_PERIOD_ELONG);
    assert_int_equal(an_period_parse("01.01.2020 - 01.12.2025", today, 100000, &p), AN_PERIOD_ELONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_midnight),   cmocka_unit_test(test_day_and_index), cmocka_unit_test(test_month),
        cmocka_unit_test(test_week),       cmocka_unit_test(test_arith),         cmocka_unit_test(test_date_parse),
        cmocka_unit_test(test_period_parse),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
