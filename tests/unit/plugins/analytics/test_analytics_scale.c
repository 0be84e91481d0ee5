/* analytics' chart arithmetic (plugins/analytics/scale.c): round axis steps
 * for revenue and for order counts, negative days, the bar of each day,
 * how often a date label fits, and money with thin spaces.
 * Features: F-AN-02 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scale.h"

static void test_axis(void **st)
{
    (void)st;
    an_axis a;
    an_axis_nice(0, 43210, 5, 0, &a); /* 8642 per step → 10 000 */
    assert_true(a.lo == 0 && a.hi == 50000 && a.step == 10000 && a.n == 5);
    an_axis_nice(0, 1, 5, 0, &a);
    assert_true(a.step == 0.2 && a.hi == 1.0 && a.n == 5);
    an_axis_nice(0, 0, 5, 0, &a); /* nothing sold: 0..1 */
    assert_true(a.lo == 0 && a.hi == 1 && a.n == 5);
    an_axis_nice(-1200, 5000, 5, 0, &a); /* a day of refunds below 0 */
    assert_true(a.step == 2000 && a.lo == -2000 && a.hi == 6000 && a.n == 4);
    an_axis_nice(0, 3, 5, 1, &a); /* orders: whole steps */
    assert_true(a.step == 1 && a.hi == 3 && a.n == 3);
    an_axis_nice(0, 0, 4, 1, &a);
    assert_true(a.step == 1 && a.hi == 4);
    an_axis_nice(0, 97, 5, 1, &a);
    assert_true(a.step == 20 && a.hi == 100);
    /* the top of the axis is never below the data */
    for (double v = 1; v < 1e9; v *= 3.7) {
        an_axis_nice(0, v, 5, 0, &a);
        assert_true(a.hi >= v && a.n <= 5 && a.n >= 1);
    }
    an_axis_nice(0, 50000, 5, 0, &a);
    assert_true(an_axis_px(&a, 0, 800, 200) == 800 && an_axis_px(&a, 50000, 800, 200) == 200);
    assert_true(an_axis_px(&a, 25000, 800, 200) == 500);
}

static void test_bars(void **st)
{
    (void)st;
    double x0, x1, p0, p1;
    an_bar_span(10, 0, 100, 1100, &x0, &x1);
    assert_true(x0 == 115 && x1 == 185);
    an_bar_span(10, 9, 100, 1100, &x0, &x1);
    assert_true(x0 == 1015 && x1 == 1085);
    for (int i = 1; i < 31; i++) { /* bars never touch */
        an_bar_span(31, i - 1, 200, 1110, &p0, &p1);
        an_bar_span(31, i, 200, 1110, &x0, &x1);
        assert_true(x0 - p1 > 5);
    }
}

static void test_label_every(void **st)
{
    (void)st;
    assert_int_equal(an_label_every(29.4, 56), 2);  /* a month on the chart */
    assert_int_equal(an_label_every(60, 56), 1);
    assert_int_equal(an_label_every(9.8, 110), 14); /* a quarter with dd.mm labels */
    assert_int_equal(an_label_every(0.1, 56), 365);
}

static void test_rub(void **st)
{
    (void)st;
    char b[64];
    an_rub(15000000, 1, b, sizeof b);
    assert_string_equal(b, "150\xE2\x80\x89" "000\xE2\x80\x89₽");
    an_rub(150050, 0, b, sizeof b);
    assert_string_equal(b, "1\xE2\x80\x89" "500,50\xE2\x80\x89₽");
    an_rub(150050, 1, b, sizeof b);
    assert_string_equal(b, "1\xE2\x80\x89" "501\xE2\x80\x89₽");
    an_rub(-500000, 1, b, sizeof b);
    assert_string_equal(b, "\xE2\x88\x92" "5\xE2\x80\x89" "000\xE2\x80\x89₽");
    an_rub(0, 1, b, sizeof b);
    assert_string_equal(b, "0\xE2\x80\x89₽");
    an_rub(99, 0, b, sizeof b);
    assert_string_equal(b, "0,99\xE2\x80\x89₽");
    an_rub(123456789012, 1, b, sizeof b);
    assert_string_equal(b, "1\xE2\x80\x89" "234\xE2\x80\x89" "567\xE2\x80\x89" "890\xE2\x80\x89₽");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axis),
        cmocka_unit_test(test_bars),
        cmocka_unit_test(test_label_every),
        cmocka_unit_test(test_rub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
