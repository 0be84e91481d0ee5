/* bookings: the free-slot engine (cal.h). One pass over a day's working
 * intervals and the busy list, which is sorted and merged, so its ends are
 * sorted too and a binary search finds where a day starts: a 60-day
 * horizon over thousands of bookings is a few thousand comparisons. */
#include <stdlib.h>

#include "cal.h"

/* a 25-hour day (the autumn DST change) at the finest step */
#define MAX_DAY_SLOTS ((BK_DAY_MIN + 60) / BK_CELL_MIN + 2)

static int by_from(const void *a, const void *b)
{
    const bk_busy *x = a, *y = b;
    return x->from < y->from ? -1 : x->from > y->from ? 1 : 0;
}

size_t bk_busy_merge(bk_busy *v, size_t n)
{
    if (n < 2)
        return n;
    size_t i = 1;
    while (i < n && v[i - 1].from <= v[i].from)
        i++;
    if (i < n) /* the database gives them in order; sort only what is not */
        qsort(v, n, sizeof *v, by_from);
    size_t k = 0;
    for (i = 1; i < n; i++) {
        if (v[i].from <= v[k].to) {
            if (v[i].to > v[k].to)
                v[k].to = v[i].to;
        } else {
            v[++k] = v[i];
        }
    }
    return k + 1;
}

int32_t bk_first_day(const bk_query *q) { return bk_day_of(q->now); }
int32_t bk_last_day(const bk_query *q) { return bk_day_of(q->now) + q->horizon_days - 1; }

/* the first busy interval that ends after t */
static size_t first_ending_after(const bk_query *q, int64_t t)
{
    size_t lo = 0, hi = q->nbusy;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (q->busy[mid].to <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int64_t ceil_to_grid(int64_t t, int64_t origin, int64_t step)
{
    if (t <= origin)
        return origin;
    return origin + (t - origin + step - 1) / step * step;
}

/* walks the free starts of a day; stops after `stop` of them (0 = all) */
static size_t scan(const bk_calendar *cal, const bk_query *q, int32_t day, int64_t *out, size_t cap, size_t stop)
{
    if (q->duration_min <= 0 || q->step_min <= 0 || day < bk_first_day(q) || day > bk_last_day(q))
        return 0;
    bk_busy iv[2];
    size_t niv = bk_day_intervals(cal, day, iv), count = 0;
    const int64_t dur = (int64_t)q->duration_min * 60, hold = dur + (int64_t)q->buffer_min * 60;
    const int64_t step = (int64_t)q->step_min * 60, earliest = q->now + q->notice_s;
    for (size_t k = 0; k < niv; k++) {
        int64_t s = ceil_to_grid(earliest, iv[k].from, step);
        size_t i = first_ending_after(q, s);
        for (; s + dur <= iv[k].to; s += step) {
            while (i < q->nbusy && q->busy[i].to <= s)
                i++;
            if (i < q->nbusy && q->busy[i].from < s + hold) {
                /* jump to the first grid point at or after this booking's end */
                int64_t next = ceil_to_grid(q->busy[i].to, iv[k].from, step);
                s = next - step;
                continue;
            }
            if (count < cap)
                out[count] = s;
            if (++count == stop)
                return count;
        }
    }
    return count;
}

size_t bk_day_slots(const bk_calendar *cal, const bk_query *q, int32_t day, int64_t *out, size_t cap)
{
    return scan(cal, q, day, out, cap, 0);
}

int bk_day_has_free(const bk_calendar *cal, const bk_query *q, int32_t day)
{
    return scan(cal, q, day, NULL, 0, 1) > 0;
}

int bk_slot_ok(const bk_calendar *cal, const bk_query *q, int64_t start)
{
    int32_t day = bk_day_of(start);
    if (q->duration_min <= 0 || q->step_min <= 0 || day < bk_first_day(q) || day > bk_last_day(q) ||
        start < q->now + q->notice_s)
        return 0;
    bk_busy iv[2];
    size_t niv = bk_day_intervals(cal, day, iv);
    const int64_t dur = (int64_t)q->duration_min * 60, hold = dur + (int64_t)q->buffer_min * 60;
    for (size_t k = 0; k < niv; k++) {
        if (start < iv[k].from || start + dur > iv[k].to || (start - iv[k].from) % ((int64_t)q->step_min * 60))
            continue;
        size_t i = first_ending_after(q, start);
        return !(i < q->nbusy && q->busy[i].from < start + hold);
    }
    return 0;
}

static int64_t dist(int64_t a, int64_t b) { return a > b ? a - b : b - a; }

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

size_t bk_nearest_free(const bk_calendar *cal, const bk_query *q, int64_t want, int64_t *out, size_t cap)
{
    int64_t day_slots[MAX_DAY_SLOTS];
    int32_t day = bk_day_of(want), last = bk_last_day(q);
    if (day < bk_first_day(q))
        day = bk_first_day(q);
    size_t n = 0;
    if (!cap)
        return 0;
    /* the wanted day: the starts closest to the wanted time, before or after */
    size_t m = bk_day_slots(cal, q, day, day_slots, MAX_DAY_SLOTS);
    if (m > MAX_DAY_SLOTS)
        m = MAX_DAY_SLOTS;
    while (n < cap && m > 0) {
        size_t best = 0;
        for (size_t i = 1; i < m; i++)
            if (dist(day_slots[i], want) < dist(day_slots[best], want))
                best = i;
        out[n++] = day_slots[best];
        day_slots[best] = day_slots[--m];
    }
    /* then the earliest starts of the following days */
    for (int32_t d = day + 1; n < cap && d <= last; d++) {
        size_t got = bk_day_slots(cal, q, d, day_slots, MAX_DAY_SLOTS);
        for (size_t i = 0; i < got && i < MAX_DAY_SLOTS && n < cap; i++)
            out[n++] = day_slots[i];
    }
    qsort(out, n, sizeof *out, by_value);
    return n;
}
