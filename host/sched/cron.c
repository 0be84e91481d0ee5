/* Cron expressions: parsing into bit sets and the next fire time (cron.h).
 *
 * The next fire time is searched in wall-clock terms (year, month, day,
 * hour, minute as on the shop's clock) with our own calendar arithmetic,
 * and only a matching wall time is converted to an instant with mktime().
 * Stepping through wall time rather than through instants is what keeps
 * "10:00 every day" at 10:00 across DST changes; the conversion is where
 * the two DST oddities (a skipped and a repeated hour) are settled. */
#include "cron.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Feb 29 on a given weekday recurs only every 28 years (40 across 2100) */
#define SEARCH_YEARS 50

typedef struct field_spec {
    const char *name;
    int lo, hi;
    const char *const *names; /* names[i] is value lo + i; NULL: numbers only */
} field_spec;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const field_spec fields[5] = {
    {"minute", 0, 59, NULL},
    {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},
    {"month", 1, 12, month_names},
    {"day of week", 0, 7, dow_names}, /* 7 is Sunday as well */
};

static int32_t fail(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int32_t fail(char *why, size_t n, const char *fmt, ...)
{
    if (why && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* a number or (where the field has them) a three-letter name at *s;
 * advances *s. 0 or -1 */
static int read_value(const field_spec *f, const char **s, int *out)
{
    const char *p = *s;
    if (isdigit((unsigned char)*p)) {
        int v = 0, digits = 0;
        while (isdigit((unsigned char)*p)) {
            if (++digits > 3)
                return -1; /* out of range anyway; stops an overflow */
            v = v * 10 + (*p++ - '0');
        }
        *out = v;
        *s = p;
        return 0;
    }
    if (!f->names || !isalpha((unsigned char)p[0]) || !isalpha((unsigned char)p[1]) ||
        !isalpha((unsigned char)p[2]) || isalpha((unsigned char)p[3]))
        return -1;
    for (int i = 0; f->names[i]; i++)
        if (strncasecmp(p, f->names[i], 3) == 0) {
            *out = f->lo + i;
            *s = p + 3;
            return 0;
        }
    return -1;
}

/* one comma-free element of field fi, text [s, end), into *bits */
static int32_t parse_element(int fi, const char *s, const char *end, uint64_t *bits, char *why, size_t n)
{
    const field_spec *f = &fields[fi];
    int len = (int)(end - s);
    int lo, hi, step = 1, ranged = 0;
    const char *p = s;
    if (*p == '*') {
        lo = f->lo;
        hi = fi == 4 ? 6 : f->hi; /* 7 would only repeat Sunday */
        p++;
        ranged = 1;
    } else {
        if (read_value(f, &p, &lo) != 0)
            return fail(why, n, "field %d (%s): '%.*s' is not a %s", fi + 1, f->name, len, s,
                        f->names ? "number or name" : "number");
        hi = lo;
        if (p < end && *p == '-') {
            p++;
            const char *at = p;
            if (read_value(f, &p, &hi) != 0)
                return fail(why, n, "field %d (%s): '%.*s' has no valid end of range", fi + 1, f->name, len, s);
            if (fi == 4 && hi == 0 && isalpha((unsigned char)*at))
                hi = 7; /* "mon-sun" ends on the Sunday at the end of the week */
            ranged = 1;
        }
        if (lo < f->lo || lo > f->hi)
            return fail(why, n, "field %d (%s): %d is out of range %d-%d", fi + 1, f->name, lo, f->lo, f->hi);
        if (hi < f->lo || hi > f->hi)
            return fail(why, n, "field %d (%s): %d is out of range %d-%d", fi + 1, f->name, hi, f->lo, f->hi);
        if (hi < lo)
            return fail(why, n, "field %d (%s): range %d-%d goes backwards", fi + 1, f->name, lo, hi);
    }
    if (p < end && *p == '/') {
        p++;
        if (!ranged)
            return fail(why, n, "field %d (%s): a step needs * or a range before it ('%.*s')", fi + 1, f->name,
                        len, s);
        if (!isdigit((unsigned char)*p) || read_value(&(field_spec){"", 0, 0, NULL}, &p, &step) != 0 || step < 1 ||
            step > f->hi)
            return fail(why, n, "field %d (%s): bad step in '%.*s' (1-%d)", fi + 1, f->name, len, s, f->hi);
    }
    if (p != end)
        return fail(why, n, "field %d (%s): unexpected '%.*s' in '%.*s'", fi + 1, f->name, (int)(end - p), p, len, s);
    for (int v = lo; v <= hi; v += step)
        *bits |= (uint64_t)1 << (fi == 4 ? v % 7 : v);
    return 0;
}

static int32_t parse_field(int fi, const char *s, size_t len, uint64_t *bits, char *why, size_t n)
{
    const char *end = s + len;
    *bits = 0;
    while (s <= end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *e = comma ? comma : end;
        if (e == s)
            return fail(why, n, "field %d (%s): empty list element", fi + 1, fields[fi].name);
        if (parse_element(fi, s, e, bits, why, n) != 0)
            return -1;
        s = e + 1;
    }
    return 0;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static const struct {
    const char *name, *expr;
} macros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"},
};

int32_t wh_cron_parse(const char *expr, wh_cron *out, char *why, size_t n)
{
    if (!expr || !out)
        return fail(why, n, "no expression");
    while (isspace((unsigned char)*expr))
        expr++;
    if (*expr == '@') {
        size_t len = strcspn(expr, " \t\r\n");
        const char *rest = expr + len;
        while (isspace((unsigned char)*rest))
            rest++;
        for (size_t i = 0; i < sizeof macros / sizeof *macros; i++)
            if (strlen(macros[i].name) == len && strncasecmp(expr, macros[i].name, len) == 0 && !*rest)
                return wh_cron_parse(macros[i].expr, out, why, n);
        return fail(why, n, "unknown macro '%.*s' (@yearly, @monthly, @weekly, @daily, @hourly)", (int)len, expr);
    }
    const char *start[6];
    size_t len[6];
    int nf = 0;
    for (const char *p = expr; *p;) {
        if (nf == 6)
            break;
        start[nf] = p;
        len[nf] = strcspn(p, " \t\r\n");
        p += len[nf++];
        while (isspace((unsigned char)*p))
            p++;
    }
    if (nf != 5)
        return fail(why, n, "expected 5 fields (minute hour day-of-month month day-of-week), got %s%d",
                    nf == 6 ? "more than " : "", nf == 6 ? 5 : nf);
    wh_cron c = {0};
    uint64_t bits[5];
    for (int i = 0; i < 5; i++)
        if (parse_field(i, start[i], len[i], &bits[i], why, n) != 0)
            return -1;
    c.minutes = bits[0];
    c.hours = (uint32_t)bits[1];
    c.days = (uint32_t)bits[2];
    c.months = (uint16_t)bits[3];
    c.dows = (uint8_t)bits[4];
    if (start[2][0] == '*')
        c.flags |= WH_CRON_DOM_STAR;
    if (start[4][0] == '*')
        c.flags |= WH_CRON_DOW_STAR;
    /* When the day of month decides (the AND case), it must exist in one
     * of the months; over 28 years every date meets every weekday, so the
     * weekday cannot make it impossible. */
    if (c.flags & (WH_CRON_DOM_STAR | WH_CRON_DOW_STAR)) {
        int possible = 0;
        for (int m = 1; m <= 12 && !possible; m++)
            if (c.months >> m & 1)
                for (int d = 1; d <= days_in_month(2000, m) && !possible; d++) /* 2000: Feb 29 exists */
                    possible = (int)(c.days >> d & 1);
        if (!possible)
            return fail(why, n, "the day of month never occurs in the months given: it would never run");
    }
    *out = c;
    return 0;
}

/* ---- next fire time ---- */

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int weekday(int64_t y, int m, int d)
{
    int64_t w = (days_from_civil(y, m, d) + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

static int day_matches(const wh_cron *c, int64_t y, int m, int d)
{
    int dom = (int)(c->days >> d & 1);
    int dow = c->dows >> weekday(y, m, d) & 1;
    /* Vixie cron's rule: a '*' in either field makes it AND, else OR */
    if (c->flags & (WH_CRON_DOM_STAR | WH_CRON_DOW_STAR))
        return dom && dow;
    return dom || dow;
}

/* wall-clock time of instant t as seconds of a clock without zones */
static int wall_of(int64_t t, int64_t *out)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return -1;
    *out = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
           tm.tm_min * 60 + tm.tm_sec;
    return 0;
}

#define CONV_FOUND 1
#define CONV_SKIP 0
#define CONV_ERROR (-1)

/* The instant of wall time y-m-d h:mi that is after `after`: *out and
 * CONV_FOUND; CONV_SKIP when the wall time exists only at or before it. */
static int to_instant(int64_t y, int m, int d, int h, int mi, int64_t after, int64_t *out)
{
    int64_t want = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60;
    int64_t best = INT64_MAX;
    int exists = 0;
    /* Both readings (standard and summer time) for the repeated hour; the
     * round trip tells a real reading from mktime's normalization. */
    for (int dst = 0; dst <= 1; dst++) {
        struct tm tm = {.tm_year = (int)(y - 1900), .tm_mon = m - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
                        .tm_isdst = dst};
        time_t e = mktime(&tm);
        int64_t back;
        if (e == (time_t)-1 || wall_of((int64_t)e, &back) != 0 || back != want)
            continue;
        exists = 1;
        if ((int64_t)e > after && (int64_t)e < best)
            best = (int64_t)e;
    }
    if (best != INT64_MAX) {
        *out = best;
        return CONV_FOUND;
    }
    if (exists)
        return CONV_SKIP;
    /* Skipped by a clock change: the first instant whose wall time is past
     * it, i.e. the moment right after the jump. Offsets are within ±14 h,
     * so the wall time is below `want` at lo and at or above it at hi. */
    int64_t lo = want - 16 * 3600, hi = want + 16 * 3600, w;
    if (wall_of(lo, &w) != 0 || w >= want || wall_of(hi, &w) != 0 || w < want)
        return CONV_ERROR;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (wall_of(mid, &w) != 0)
            return CONV_ERROR;
        if (w >= want)
            hi = mid;
        else
            lo = mid;
    }
    if (hi <= after)
        return CONV_SKIP;
    *out = hi;
    return CONV_FOUND;
}

int64_t wh_cron_next(const wh_cron *c, int64_t after)
{
    time_t tt = (time_t)after;
    struct tm tm;
    if (!c || !localtime_r(&tt, &tm))
        return -1;
    int64_t y = (int64_t)tm.tm_year + 1900, ylimit = y + SEARCH_YEARS;
    int mo = tm.tm_mon + 1, d = tm.tm_mday, h = tm.tm_hour, mi = tm.tm_min + 1;
    for (;;) {
        if (mi > 59) {
            mi = 0;
            h++;
        }
        if (h > 23) {
            h = 0;
            d++;
        }
        if (d > days_in_month(y, mo)) {
            d = 1;
            if (++mo > 12) {
                mo = 1;
                y++;
            }
        }
        if (y > ylimit)
            return -1;
        if (!(c->months >> mo & 1)) {
            d = 1, h = 0, mi = 0;
            if (++mo > 12) {
                mo = 1;
                y++;
            }
            continue;
        }
        if (!day_matches(c, y, mo, d)) {
            d++, h = 0, mi = 0;
            continue;
        }
        if (!(c->hours >> h & 1)) {
            h++, mi = 0;
            continue;
        }
        if (!(c->minutes >> mi & 1)) {
            mi++;
            continue;
        }
        int64_t e;
        int r = to_instant(y, mo, d, h, mi, after, &e);
        if (r == CONV_FOUND)
            return e;
        if (r == CONV_ERROR)
            return -1;
        mi++;
    }
}
