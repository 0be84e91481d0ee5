/* analytics: the revenue chart (F-AN-02) as a PNG drawn with cairo. Pure
 * apart from cairo and fontconfig (no host calls), so it is unit-tested on
 * its own (tests/unit/plugins/analytics/test_analytics_chart.c). */
#ifndef ANALYTICS_CHART_H
#define ANALYTICS_CHART_H

#include <stdint.h>

#include "period.h"

/* the picture: sized for a phone screen (Telegram shows it full width) */
#define AN_CHART_W 1200
#define AN_CHART_H 900
/* the plot area, in pixels */
#define AN_CHART_X0 200.0
#define AN_CHART_X1 1110.0
#define AN_CHART_Y0 220.0  /* top */
#define AN_CHART_Y1 800.0  /* bottom (the value 0 when nothing is negative) */

/* the colours of bars and the orders line (tests find the bars by them) */
#define AN_CHART_BAR_RGB 0x3B82F6
#define AN_CHART_NEG_RGB 0xEF4444
#define AN_CHART_LINE_RGB 0xF59E0B

typedef struct an_chart {
    const char *title;       /* "Выручка · декабрь 2025" */
    const char *subtitle;    /* "Итого 150 000 ₽ · заказов 47 · активных дней 18 из 31" */
    const char *empty;       /* drawn in the plot when every day is 0, e.g. "Нет продаж" */
    const char *legend_rev;  /* "выручка" */
    const char *legend_ord;  /* "заказы" */
    an_date first;           /* the first day */
    int32_t days;            /* 1 … */
    const int64_t *revenue;  /* kopecks per day */
    const int64_t *orders;   /* orders per day */
} an_chart;

/* Draw the chart into a PNG file at path. 0, or -1 (cairo's failure). */
int an_chart_png(const an_chart *ch, const char *path);

/* Release cairo's and fontconfig's caches (at unload: valgrind-clean). */
void an_chart_cleanup(void);

#endif
