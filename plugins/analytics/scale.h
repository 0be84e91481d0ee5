/* analytics: the chart's arithmetic, pure (unit-tested in
 * tests/unit/plugins/analytics/test_analytics_scale.c): axis scales with
 * round steps, where the bars go, how often a date label fits, and money
 * written the way the chart shows it. */
#ifndef ANALYTICS_SCALE_H
#define ANALYTICS_SCALE_H

#include <stddef.h>
#include <stdint.h>

typedef struct an_axis {
    double lo, hi, step;  /* lo and hi are multiples of step; lo <= 0 <= hi */
    int n;                /* (hi - lo) / step */
} an_axis;

/* An axis from min(0, vmin) to max(0, vmax) in at most max_ticks steps of
 * 1, 2 or 5 × 10^k (at least 1 when `integer`); all zero gives 0..1 step. */
void an_axis_nice(double vmin, double vmax, int max_ticks, int integer, an_axis *out);

/* where value v lands between pixel y_lo (at axis lo) and y_hi (at hi) */
double an_axis_px(const an_axis *a, double v, double y_lo, double y_hi);

/* The bar of day i of n in a plot from x0 to x1: [*bx0, *bx1] (a bar is
 * 70 % of its day's width, centred). */
void an_bar_span(int n, int i, double x0, double x1, double *bx0, double *bx1);

/* every how many days a date label goes so labels are at least min_px
 * apart, when a day is day_px wide (>= 1) */
int an_label_every(double day_px, double min_px);

/* kopecks → "150 000 ₽", "−5 000 ₽", "1 500,50 ₽" with thin spaces (U+2009)
 * between thousands and before the sign; whole roubles when kopecks are 0
 * or when round_rub. */
void an_rub(int64_t kopecks, int round_rub, char *buf, size_t n);

#endif
