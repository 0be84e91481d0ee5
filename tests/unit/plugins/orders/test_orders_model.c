/* orders' pure model (plugins/orders/model.c): status names, the staff
 * transition table, the total check, the abandoned-cart window in the
 * shop's zone (10:00-21:00 Moscow, edges included) and the B2B sum split.
 * Features: F-ORD-01, F-ORD-05, F-ORD-08, F-ORD-12 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "model.h"

static void test_names(void **st)
{
    (void)st;
    for (int i = 0; i < ORD_NSTATUS; i++)
        assert_int_equal(orders_status_index(orders_status_name(i)), i);
    assert_int_equal(orders_status_index("Paid"), -1);
    assert_int_equal(orders_status_index(""), -1);
    assert_int_equal(orders_status_index(NULL), -1);
    assert_string_equal(orders_status_name(ORD_NSTATUS), "");
    assert_string_equal(orders_status_name(-1), "");
}

static void test_transitions(void **st)
{
    (void)st;
    /* the whole table: exactly these moves are allowed */
    static const int ok[][2] = {{ORD_PAID, ORD_PROCESSING},      {ORD_PROCESSING, ORD_SHIPPED},
                                {ORD_SHIPPED, ORD_DELIVERED},    {ORD_DELIVERED, ORD_COMPLETED},
                                {ORD_PROCESSING, ORD_PAID},      {ORD_SHIPPED, ORD_PROCESSING},
                                {ORD_DELIVERED, ORD_SHIPPED}};
    int n = 0;
    for (int f = -1; f <= ORD_NSTATUS; f++)
        for (int t = -1; t <= ORD_NSTATUS; t++) {
            int want = 0;
            for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
                want |= ok[i][0] == f && ok[i][1] == t;
            assert_int_equal(orders_move_allowed(f, t), want);
            n += want;
        }
    assert_int_equal(n, 7);
    assert_int_equal(orders_next(ORD_NEW), -1);
    assert_int_equal(orders_next(ORD_PAID), ORD_PROCESSING);
    assert_int_equal(orders_next(ORD_COMPLETED), -1);
    assert_int_equal(orders_next(ORD_CANCELLED), -1);
    assert_int_equal(orders_prev(ORD_PAID), -1);
    assert_int_equal(orders_prev(ORD_PROCESSING), ORD_PAID);
    assert_int_equal(orders_prev(ORD_COMPLETED), -1);
    assert_true(orders_is_active(ORD_NEW) && orders_is_active(ORD_PROCESSING));
    assert_false(orders_is_active(ORD_SHIPPED) || orders_is_active(ORD_CANCELLED));
}

static void test_total(void **st)
{
    (void)st;
    assert_int_equal(orders_expected_total(350000, 30000, 0, 10000, 0, 0), 370000);
    assert_int_equal(orders_expected_total(1000, 0, 0, 0, 5000, 0), 0);
    assert_int_equal(orders_expected_total(1000, 500, 0, 0, 1200, 0), 300); /* a certificate may cover delivery */
    assert_int_equal(orders_expected_total(1000, 0, 0, 0, 0, -1), -1);
    assert_int_equal(orders_expected_total(INT64_MAX, 0, 0, 0, 0, 0), -1);
}

/* epoch of a Moscow wall time (UTC+3 all year) */
static int64_t msk(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s,
                    .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}

static void test_window(void **st)
{
    (void)st;
    setenv("TZ", "Europe/Moscow", 1);
    tzset();
    assert_int_equal(msk(2026, 11, 24, 10, 0, 0), 1795503600); /* 07:00 UTC */
    assert_int_equal(orders_remind_time(msk(2026, 11, 24, 9, 59, 59), 10, 21), msk(2026, 11, 24, 10, 0, 0));
    assert_int_equal(orders_remind_time(msk(2026, 11, 24, 10, 0, 0), 10, 21), msk(2026, 11, 24, 10, 0, 0));
    assert_int_equal(orders_remind_time(msk(2026, 11, 24, 15, 30, 5), 10, 21), msk(2026, 11, 24, 15, 30, 5));
    assert_int_equal(orders_remind_time(msk(2026, 11, 24, 20, 59, 59), 10, 21), msk(2026, 11, 24, 20, 59, 59));
    assert_int_equal(orders_remind_time(msk(2026, 11, 24, 21, 0, 0), 10, 21), msk(2026, 11, 25, 10, 0, 0));
    assert_int_equal(orders_remind_time(msk(2026, 11, 24, 23, 59, 0), 10, 21), msk(2026, 11, 25, 10, 0, 0));
    assert_int_equal(orders_remind_time(msk(2026, 12, 31, 22, 0, 0), 10, 21), msk(2027, 1, 1, 10, 0, 0));
    assert_int_equal(orders_remind_time(msk(2026, 11, 24, 0, 0, 0), 10, 21), msk(2026, 11, 24, 10, 0, 0));
    /* another zone: the window follows the shop's wall clock */
    setenv("TZ", "Asia/Vladivostok", 1);
    tzset();
    int64_t t = msk(2026, 11, 24, 21, 0, 0);
    assert_int_equal(orders_remind_time(t, 10, 21), msk(2026, 11, 25, 10, 0, 0));
    setenv("TZ", "UTC", 1);
    tzset();
}

static void test_split(void **st)
{
    (void)st;
    int64_t unit, rest;
    assert_int_equal(orders_split_sum(100000, 3, &unit, &rest), 0);
    assert_int_equal(unit, 33333);
    assert_int_equal(rest, 1);
    assert_int_equal(unit * (3 - rest) + (unit + 1) * rest, 100000);
    assert_int_equal(orders_split_sum(0, 2, &unit, &rest), 0);
    assert_int_equal(unit, 0);
    assert_int_equal(orders_split_sum(5, 0, &unit, &rest), -1);
    assert_int_equal(orders_split_sum(-5, 1, &unit, &rest), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),  cmocka_unit_test(test_transitions), cmocka_unit_test(test_total),
        cmocka_unit_test(test_window), cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
