/* analytics' revenue chart (plugins/analytics/chart.c), rendered and read
 * back: the PNG's size, a bar exactly on the days that had revenue (and
 * its height on the revenue axis), a red bar below zero for a day of
 * refunds, the orders line over the plot, and an empty period drawn
 * without bars. cairo and fontconfig are released at the end, as the
 * plugin does at unload.
 * Features: F-AN-02 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "period.h"
#include "scale.h"
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "chart.h"

static cairo_surface_t *render(const an_chart *ch)
{
    char path[] = "/tmp/walor-chart-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(an_chart_png(ch, path), 0);
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    unlink(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    return s;
}

static unsigned px(cairo_surface_t *s, int x, int y)
{
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    return *(const uint32_t *)(const void *)(d + y * stride + x * 4) & 0xFFFFFF;
}

/* the top y of the bar-coloured run in column x, -1 when there is none */
static int bar_top(cairo_surface_t *s, int x, unsigned color)
{
    for (int y = (int)AN_CHART_Y0 - 5; y <= (int)AN_CHART_Y1 + 5; y++)
        if (px(s, x, y) == color)
            return y;
    return -1;
}

static void test_bars_on_days(void **st)
{
    (void)st;
    int64_t rev[31] = {0}, ord[31] = {0};
    rev[0] = 1500000;  /* 15 000 ₽ */
    rev[6] = 4321000;  /* 43 210 ₽: the axis goes to 50 000 */
    rev[30] = 10000;   /* 100 ₽: tiny but visible */
    ord[0] = 3;
    ord[6] = 7;
    ord[30] = 1;
    an_chart ch = {.title = "Выручка · декабрь 2025", .subtitle = "Итого 58 310 ₽ · заказов 11 · активных дней 3 из 31",
                   .empty = "Нет продаж", .legend_rev = "выручка", .legend_ord = "заказы",
                   .first = {2025, 12, 1}, .days = 31, .revenue = rev, .orders = ord};
    cairo_surface_t *s = render(&ch);
    assert_int_equal(cairo_image_surface_get_width(s), AN_CHART_W);
    assert_int_equal(cairo_image_surface_get_height(s), AN_CHART_H);
    int bars = 0;
    for (int i = 0; i < 31; i++) {
        double x0, x1;
        an_bar_span(31, i, AN_CHART_X0, AN_CHART_X1, &x0, &x1);
        int x = (int)(x0 + 3); /* off the centre, where the orders line's dots are */
        int top = bar_top(s, x, AN_CHART_BAR_RGB);
        if (rev[i]) {
            assert_true(top >= 0);
            bars++;
        } else {
            assert_int_equal(top, -1);
        }
    }
    assert_int_equal(bars, 3);
    /* 43 210 of 50 000: 86.42 % of the plot's height above the zero line */
    double x0, x1;
    an_bar_span(31, 6, AN_CHART_X0, AN_CHART_X1, &x0, &x1);
    int want = (int)(AN_CHART_Y1 - 0.8642 * (AN_CHART_Y1 - AN_CHART_Y0));
    int got = bar_top(s, (int)x0 + 3, AN_CHART_BAR_RGB);
    assert_true(got >= want - 1 && got <= want + 1);
    /* the orders line passes over the plot */
    int line = 0;
    for (int x = (int)AN_CHART_X0; x < (int)AN_CHART_X1; x++)
        line += bar_top(s, x, AN_CHART_LINE_RGB) >= 0;
    assert_true(line > 500);
    cairo_surface_destroy(s);
}

static void test_negative_and_empty(void **st)
{
    (void)st;
    int64_t rev[3] = {500000, -120000, 0}, ord[3] = {2, 0, 0};
    an_chart ch = {.title = "Ёжик: выручка", .subtitle = "", .empty = "Нет продаж", .legend_rev = "выручка",
                   .legend_ord = "заказы", .first = {2025, 11, 30}, .days = 3, .revenue = rev, .orders = ord};
    cairo_surface_t *s = render(&ch);
    double x0, x1;
    an_bar_span(3, 1, AN_CHART_X0, AN_CHART_X1, &x0, &x1);
    assert_true(bar_top(s, (int)x0 + 3, AN_CHART_NEG_RGB) >= 0);
    an_bar_span(3, 2, AN_CHART_X0, AN_CHART_X1, &x0, &x1);
    assert_int_equal(bar_top(s, (int)x0 + 3, AN_CHART_BAR_RGB), -1);
    assert_int_equal(bar_top(s, (int)x0 + 3, AN_CHART_NEG_RGB), -1);
    cairo_surface_destroy(s);

    int64_t zero[1] = {0};
    an_chart e = {.title = "Выручка · 07.12.2025", .empty = "Нет продаж", .first = {2025, 12, 7}, .days = 1,
                  .revenue = zero, .orders = zero};
    s = render(&e);
    int any = 0;
    for (int x = (int)AN_CHART_X0; x < (int)AN_CHART_X1; x += 2)
        any |= bar_top(s, x, AN_CHART_BAR_RGB) >= 0;
    assert_int_equal(any, 0);
    cairo_surface_destroy(s);
}

static void test_refused(void **st)
{
    (void)st;
    int64_t v[1] = {0};
    an_chart ch = {.days = 0, .revenue = v, .orders = v};
    assert_int_equal(an_chart_png(&ch, "/tmp/x.png"), -1);
    ch.days = 1;
    assert_int_equal(an_chart_png(&ch, "/nonexistent-dir/x.png"), -1);
}

static int teardown(void **st)
{
    (void)st;
    an_chart_cleanup();
    return 0;
}

int main(void)
{
    setenv("TZ", "Europe/Moscow", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bars_on_days),
        cmocka_unit_test(test_negative_and_empty),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
