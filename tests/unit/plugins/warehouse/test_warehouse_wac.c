/* warehouse's weighted-average cost (plugins/warehouse/wac.c): the spec's
 * formula with examples worked by hand, half-up rounding, and the rule for
 * zero or negative old stock.
 * Features: F-WH-05 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "wac.h"

static void test_half_up(void **st)
{
    (void)st;
    assert_int_equal(wr_div_half_up(10, 4), 3);  /* 2.5 → 3 */
    assert_int_equal(wr_div_half_up(9, 4), 2);   /* 2.25 → 2 */
    assert_int_equal(wr_div_half_up(11, 4), 3);  /* 2.75 → 3 */
    assert_int_equal(wr_div_half_up(1, 3), 0);   /* 0.33 → 0 */
    assert_int_equal(wr_div_half_up(2, 3), 1);   /* 0.67 → 1 */
    assert_int_equal(wr_div_half_up(0, 7), 0);
    assert_int_equal(wr_div_half_up(5, 0), 0);   /* no units: no cost */
    /* near the top of int64 the remainder form does not overflow */
    assert_int_equal(wr_div_half_up(INT64_MAX, 2), INT64_MAX / 2 + 1);
}

static void test_unit_cost(void **st)
{
    (void)st;
    assert_int_equal(wr_unit_cost(100000, 4), 25000);   /* 1000 ₽ / 4 = 250 ₽ */
    assert_int_equal(wr_unit_cost(100000, 3), 33333);   /* 333.333… ₽ */
    assert_int_equal(wr_unit_cost(200000, 3), 66667);   /* 666.666… ₽, half-up */
    assert_int_equal(wr_unit_cost(5, 2), 3);            /* 2.5 коп → 3 */
}

static void test_wac_examples(void **st)
{
    (void)st;
    /* 10 at 100 ₽ + 10 at 200 ₽ (batch 2000 ₽) = 150 ₽ */
    assert_int_equal(wr_wac(10, 10000, 10, 200000), 15000);
    /* 3 at 100 ₽ + 1 for 150 ₽: (300 + 150) / 4 = 112.50 ₽ */
    assert_int_equal(wr_wac(3, 10000, 1, 15000), 11250);
    /* 2 at 100,00 ₽ + 1 for 100,01 ₽: 30001 / 3 = 10000.33 → 10000 */
    assert_int_equal(wr_wac(2, 10000, 1, 10001), 10000);
    /* 2 at 100,00 ₽ + 1 for 100,02 ₽: 30002 / 3 = 10000.67 → 10001 */
    assert_int_equal(wr_wac(2, 10000, 1, 10002), 10001);
    /* 1 at 0,01 ₽ + 1 for 0,02 ₽: 3 / 2 = 1.5 коп → 2 (half-up) */
    assert_int_equal(wr_wac(1, 1, 1, 2), 2);
    /* the batch total enters exactly, rounded once: 1 at 0,01 ₽ + 3 for 0,02 ₽
     * is 3 / 4 = 0.75 коп → 1; rounding the unit cost first (0,67 → 1 коп)
     * would give (1 + 3) / 4 = 1 too, but 2 at 0,01 ₽ + 3 for 0,01 ₽ is
     * 3 / 5 = 0.6 → 1, where per-unit rounding (0,33 → 0) would give 2 / 5 → 0 */
    assert_int_equal(wr_wac(1, 1, 3, 2), 1);
    assert_int_equal(wr_wac(2, 1, 3, 1), 1);
    assert_int_equal(wr_wac(1, 0, 7, 1000), 125);
    /* a free batch lowers the average */
    assert_int_equal(wr_wac(4, 10000, 4, 0), 5000);
}

static void test_wac_empty_or_negative_stock(void **st)
{
    (void)st;
    /* nothing on hand: the old cost is forgotten, the batch's unit cost rules */
    assert_int_equal(wr_wac(0, 99999, 4, 100000), 25000);
    assert_int_equal(wr_wac(-3, 10000, 3, 60000), 20000);
    /* nothing received: the cost stays (and is 0 for an empty item) */
    assert_int_equal(wr_wac(5, 12345, 0, 0), 12345);
    assert_int_equal(wr_wac(0, 12345, 0, 0), 0);
    /* the largest line the forms accept stays inside int64 */
    assert_int_equal(wr_wac(WR_QTY_MAX, WR_AMOUNT_MAX, WR_QTY_MAX, WR_AMOUNT_MAX),
                     (WR_QTY_MAX * WR_AMOUNT_MAX + WR_AMOUNT_MAX) / (2 * WR_QTY_MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_up),
        cmocka_unit_test(test_unit_cost),
        cmocka_unit_test(test_wac_examples),
        cmocka_unit_test(test_wac_empty_or_negative_stock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
