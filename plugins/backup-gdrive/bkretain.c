/* Grandfather-father-son retention (bkretain.h). Walking from the newest,
 * the first backup met in a week or month is that period's newest and is
 * kept while the count lasts; of the last `daily` days every backup stays
 * (the one made by hand before a risky change is not dropped because the
 * nightly one came after it the same day). */
#include "bkretain.h"

#include <stdlib.h>
#include <time.h>

enum {
    DAY,
    WEEK,
    MONTH
};

static long period(int64_t t, int kind)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    if (kind == DAY)
        return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    if (kind == MONTH)
        return (long)(tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
    /* ISO 8601 week: the week belongs to the year of its Thursday */
    int wday = (tm.tm_wday + 6) % 7;  /* Monday 0 */
    int yday = tm.tm_yday - wday + 3; /* the Thursday of this week, as a day of this year (may spill over) */
    int year = tm.tm_year + 1900;
    int len = (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 366 : 365;
    if (yday < 0) {
        year--;
        yday += (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 366 : 365;
    } else if (yday >= len) {
        year++;
        yday -= len;
    }
    return (long)year * 100 + yday / 7 + 1;
}

typedef struct ref {
    int64_t created;
    size_t i;
} ref;

static int newest_first(const void *a, const void *b)
{
    const ref *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? 1 : -1;
    return x->i < y->i ? -1 : 1;
}

size_t bk_retain(bk_keep_item *items, size_t n, int daily, int weekly, int monthly)
{
    if (!n)
        return 0;
    ref *ord = malloc(n * sizeof *ord);
    if (!ord) { /* keep everything rather than guess */
        for (size_t i = 0; i < n; i++)
            items[i].keep = 1;
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        ord[i] = (ref){items[i].created, i};
        items[i].keep = 0;
    }
    qsort(ord, n, sizeof *ord, newest_first);
    items[ord[0].i].keep = 1;
    const int limit[3] = {daily > 0 ? daily : 0, weekly > 0 ? weekly : 0, monthly > 0 ? monthly : 0};
    for (int kind = DAY; kind <= MONTH; kind++) {
        long last = -1;
        int count = 0;
        for (size_t k = 0; k < n; k++) {
            long p = period(ord[k].created, kind);
            if (p != last) {
                if (count == limit[kind])
                    break;
                last = p;
                count++;
            } else if (kind != DAY) {
                continue; /* weeks and months keep their newest only */
            }
            items[ord[k].i].keep = 1;
        }
    }
    free(ord);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += (size_t)items[i].keep;
    return kept;
}
