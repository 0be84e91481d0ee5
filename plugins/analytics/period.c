/* analytics: periods of the shop's calendar (period.h). Day arithmetic is
 * done on civil day numbers (Howard Hinnant's days_from_civil), so it does
 * not depend on the zone; only the conversion of a date to its local
 * midnight and back asks the C library, in the process zone. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "period.h"

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static an_date civil_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    return (an_date){(int)(y + (m <= 2)), m, d};
}

int an_month_days(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return n[m - 1] + (m == 2 && leap);
}

int an_date_valid(an_date d)
{
    return d.y >= 1970 && d.y <= 2999 && d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= an_month_days(d.y, d.m);
}

an_date an_date_of(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return (an_date){1970, 1, 1};
    return (an_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

int64_t an_midnight(an_date d)
{
    if (!an_date_valid(d))
        return -1;
    struct tm tm = {.tm_year = d.y - 1900, .tm_mon = d.m - 1, .tm_mday = d.d, .tm_isdst = -1};
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t;
}

an_date an_date_add(an_date d, int n) { return civil_from_days(days_from_civil(d.y, d.m, d.d) + n); }

int32_t an_days_between(an_date a, an_date b)
{
    return (int32_t)(days_from_civil(b.y, b.m, b.d) - days_from_civil(a.y, a.m, a.d));
}

int an_period_of(an_date first, an_date last, an_period *out)
{
    if (!an_date_valid(first) || !an_date_valid(last))
        return -1;
    int32_t n = an_days_between(first, last) + 1;
    if (n < 1 || n > AN_PERIOD_MAX_DAYS)
        return -1;
    an_date after = an_date_add(last, 1);
    int64_t from = an_midnight(first), to = an_date_valid(after) ? an_midnight(after) : -1;
    if (from < 0 || to <= from)
        return -1;
    *out = (an_period){.from = from, .to = to, .first = first, .last = last, .days = n};
    return 0;
}

int an_period_day(int64_t t, an_period *out)
{
    an_date d = an_date_of(t);
    return an_period_of(d, d, out);
}

int an_period_week(int64_t t, an_period *out)
{
    an_date d = an_date_of(t);
    /* 1970-01-01 (day 0) was a Thursday: Monday is 0 */
    int wd = (int)((days_from_civil(d.y, d.m, d.d) % 7 + 7 + 3) % 7);
    an_date mon = an_date_add(d, -wd);
    return an_period_of(mon, an_date_add(mon, 6), out);
}

int an_period_month(int y, int m, an_period *out)
{
    if (m < 1 || m > 12)
        return -1;
    return an_period_of((an_date){y, m, 1}, (an_date){y, m, an_month_days(y, m)}, out);
}

int32_t an_period_day_index(const an_period *p, int64_t t)
{
    if (t < p->from || t >= p->to)
        return -1;
    int32_t i = an_days_between(p->first, an_date_of(t));
    return i >= 0 && i < p->days ? i : -1;
}

/* digits at *s into *v (at most 4); the number of digits read */
static int number(const char **s, int *v)
{
    int n = 0;
    *v = 0;
    while (n < 4 && isdigit((unsigned char)**s)) {
        *v = *v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    return isdigit((unsigned char)**s) ? -1 : n;
}

/* one "d.m[.y]" at *s, moving *s past it: 1 read, 0 not a date here, -1 malformed */
static int one_date(const char **s, an_date today, an_date *out)
{
    const char *p = *s;
    int d, m, y = today.y, nd = number(&p, &d);
    if (nd < 1 || nd > 2 || *p != '.')
        return nd == 0 ? 0 : -1;
    p++;
    int nm = number(&p, &m);
    if (nm < 1 || nm > 2)
        return -1;
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        p++;
        int ny = number(&p, &y);
        if (ny == 2)
            y += 2000;
        else if (ny != 4)
            return -1;
    } else if (*p == '.') {
        p++; /* "07.12." */
    }
    *out = (an_date){y, m, d};
    *s = p;
    return 1;
}

int an_date_parse(const char *s, an_date today, an_date *out)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    an_date d;
    if (one_date(&s, today, &d) != 1)
        return -1;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (*s || !an_date_valid(d))
        return -1;
    *out = d;
    return 0;
}

int an_period_parse(const char *s, an_date today, int32_t max_days, an_period *out)
{
    an_date d[2];
    int n = 0;
    const char *p = s;
    while (*p) {
        if (isdigit((unsigned char)*p)) {
            if (n == 2)
                return AN_PERIOD_EFORMAT;
            if (one_date(&p, today, &d[n]) != 1)
                return AN_PERIOD_EFORMAT;
            n++;
            continue;
        }
        /* between the dates: blanks, dashes, "с", "по", "-" in any form */
        p++;
    }
    if (n != 2)
        return AN_PERIOD_EFORMAT;
    if (!an_date_valid(d[0]) || !an_date_valid(d[1]))
        return AN_PERIOD_EDATE;
    int32_t days = an_days_between(d[0], d[1]) + 1;
    if (days < 1)
        return AN_PERIOD_EORDER;
    if (days > max_days || days > AN_PERIOD_MAX_DAYS)
        return AN_PERIOD_ELONG;
    return an_period_of(d[0], d[1], out) == 0 ? AN_PERIOD_OK : AN_PERIOD_EDATE;
}

void an_date_str(an_date d, char *buf, unsigned n)
{
    snprintf(buf, n, "%02d.%02d.%04d", d.d, d.m, d.y);
}

const char *an_month_name(int m)
{
    static const char *const names[12] = {"январь", "февраль", "март",     "апрель",  "май",    "июнь",
                                          "июль",   "август",  "сентябрь", "октябрь", "ноябрь", "декабрь"};
    return m >= 1 && m <= 12 ? names[m - 1] : "";
}
