/* analytics: periods of the shop's calendar, pure (no host calls), unit-tested
 * in tests/unit/plugins/analytics/test_analytics_period.c.
 *
 * Every report is about whole local days of the shop's time zone, which
 * walord makes the process zone (TZ): a period is [from, to) in UTC epoch
 * seconds where from and to are local midnights, so "today" and a month
 * begin at 00:00 Moscow time whatever the UTC offset. */
#ifndef ANALYTICS_PERIOD_H
#define ANALYTICS_PERIOD_H

#include <stdint.h>

#define AN_PERIOD_MAX_DAYS 1830   /* about five years: longer periods are refused */

typedef struct an_date {
    int y, m, d; /* m 1-12, d 1-31 */
} an_date;

typedef struct an_period {
    int64_t from, to;   /* local midnights, [from, to) */
    an_date first, last;/* the first and the last day, inclusive */
    int32_t days;       /* number of days */
} an_period;

/* the local date of an epoch second */
an_date an_date_of(int64_t t);
/* local midnight at the start of a date; -1 when it is no real date */
int64_t an_midnight(an_date d);
/* 1 when y-m-d is a real calendar date (1970-2999) */
int an_date_valid(an_date d);
/* days in month m of year y */
int an_month_days(int y, int m);
/* d + n days (n may be negative) */
an_date an_date_add(an_date d, int n);
/* days from a to b (b - a), exact across DST changes */
int32_t an_days_between(an_date a, an_date b);

/* the period of days first..last inclusive; -1 when a date is not real,
 * last is before first, or it is longer than AN_PERIOD_MAX_DAYS */
int an_period_of(an_date first, an_date last, an_period *out);
/* today, the week (Monday to Sunday), the month of t; the period of a month */
int an_period_day(int64_t t, an_period *out);
int an_period_week(int64_t t, an_period *out);
int an_period_month(int y, int m, an_period *out);
/* the 0-based day of a period t falls on, -1 outside it */
int32_t an_period_day_index(const an_period *p, int64_t t);

/* "7.12.2025", "07.12.25", "07.12" (the year of `today` then) → a real date.
 * 0, or -1 when it is not one. Leading/trailing blanks are ignored. */
int an_date_parse(const char *s, an_date today, an_date *out);

/* Two dates typed as a period: "01.12.2025 - 15.12.2025", "1.12.25–15.12.25",
 * "с 01.12 по 15.12", "01.12.2025 15.12.2025". */
#define AN_PERIOD_OK 0
#define AN_PERIOD_EFORMAT (-1)   /* not two dates */
#define AN_PERIOD_EDATE (-2)     /* a date that does not exist (31.02) */
#define AN_PERIOD_EORDER (-3)    /* the end before the start */
#define AN_PERIOD_ELONG (-4)     /* longer than max_days */
int an_period_parse(const char *s, an_date today, int32_t max_days, an_period *out);

/* "07.12.2025" into buf (at least 11 bytes) */
void an_date_str(an_date d, char *buf, unsigned n);
/* the month's name in the nominative, "декабрь"; "" outside 1-12 */
const char *an_month_name(int m);

#endif
