/* analytics: the chart's arithmetic (scale.h). No libm: the steps are
 * found by multiplying by ten. */
#include <stdio.h>
#include <string.h>

#include "scale.h"

#define THIN "\xE2\x80\x89"   /* U+2009 THIN SPACE */
#define MINUS "\xE2\x88\x92"  /* U+2212 MINUS SIGN */

static double floor_to(double v, double step)
{
    long long k = (long long)(v / step);
    if ((double)k * step > v)
        k--;
    return (double)k * step;
}

static double ceil_to(double v, double step)
{
    long long k = (long long)(v / step);
    if ((double)k * step < v)
        k++;
    return (double)k * step;
}

void an_axis_nice(double vmin, double vmax, int max_ticks, int integer, an_axis *out)
{
    double lo = vmin < 0 ? vmin : 0, hi = vmax > 0 ? vmax : 0;
    if (max_ticks < 1)
        max_ticks = 1;
    if (hi - lo <= 0)
        hi = lo + (integer ? max_ticks : 1);
    double raw = (hi - lo) / max_ticks, mag = 1;
    while (mag * 10 <= raw)
        mag *= 10;
    while (mag > raw)
        mag /= 10;
    double step = mag;
    static const double f[] = {1, 2, 5, 10};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i] * mag >= raw) {
            step = f[i] * mag;
            break;
        }
    if (integer && step < 1)
        step = 1;
    out->step = step;
    out->lo = floor_to(lo, step);
    out->hi = ceil_to(hi, step);
    out->n = (int)((out->hi - out->lo) / step + 0.5);
}

double an_axis_px(const an_axis *a, double v, double y_lo, double y_hi)
{
    return y_lo + (v - a->lo) / (a->hi - a->lo) * (y_hi - y_lo);
}

void an_bar_span(int n, int i, double x0, double x1, double *bx0, double *bx1)
{
    double w = (x1 - x0) / (n > 0 ? n : 1), pad = w * 0.15;
    *bx0 = x0 + w * i + pad;
    *bx1 = x0 + w * (i + 1) - pad;
}

int an_label_every(double day_px, double min_px)
{
    if (day_px <= 0)
        return 1;
    static const int steps[] = {1, 2, 5, 7, 10, 14, 15, 30, 61, 91, 182, 365};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * day_px >= min_px)
            return steps[i];
    return 365;
}

void an_rub(int64_t kopecks, int round_rub, char *buf, size_t n)
{
    int neg = kopecks < 0;
    uint64_t k = neg ? (uint64_t)0 - (uint64_t)kopecks : (uint64_t)kopecks;
    uint64_t rub = k / 100, kop = k % 100;
    if (round_rub && kop >= 50)
        rub++;
    char digits[32], grouped[96];
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)rub);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) {
            memcpy(grouped + o, THIN, 3);
            o += 3;
        }
        grouped[o++] = digits[i];
    }
    grouped[o] = 0;
    if (round_rub || kop == 0)
        snprintf(buf, n, "%s%s" THIN "₽", neg ? MINUS : "", grouped);
    else
        snprintf(buf, n, "%s%s,%02llu" THIN "₽", neg ? MINUS : "", grouped, (unsigned long long)kop);
}
