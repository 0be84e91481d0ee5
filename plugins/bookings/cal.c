/* bookings: local dates, the weekly schedule with its exceptions, and the
 * text forms staff type the schedule in (cal.h). */
#include "cal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- local dates: Howard Hinnant's civil-from-days arithmetic ---- */

int32_t bk_day_from_civil(int32_t y, int32_t m, int32_t d)
{
    y -= m <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t yoe = y - era * 400;
    int32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void bk_civil(int32_t day, int32_t *y, int32_t *m, int32_t *d)
{
    int32_t z = day + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int32_t bk_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday */
    return (int32_t)(((day % 7) + 7 + 3) % 7);
}

int32_t bk_day_of(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    return bk_day_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int32_t bk_minute_of(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    return tm.tm_hour * 60 + tm.tm_min;
}

int64_t bk_local_time(int32_t day, int32_t minute)
{
    if (minute >= BK_DAY_MIN) {
        day += minute / BK_DAY_MIN;
        minute %= BK_DAY_MIN;
    }
    int32_t y, m, d;
    bk_civil(day, &y, &m, &d);
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = minute / 60;
    tm.tm_min = minute % 60;
    tm.tm_isdst = -1; /* let the zone decide: a wall time, not an offset */
    return (int64_t)mktime(&tm);
}

int32_t bk_parse_iso_day(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' || s[7] != '-')
        return -1;
    if (y < 1971 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    int32_t day = bk_day_from_civil(y, m, d);
    int32_t yy, mm, dd;
    bk_civil(day, &yy, &mm, &dd);
    return yy == y && mm == m && dd == d ? day : -1; /* 31.02 is no date */
}

/* digits written by hand: the values are bounded, and snprintf's
 * truncation warnings cannot see it */
static void digits(char *p, int32_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

void bk_iso_day(int32_t day, char buf[11])
{
    int32_t y, m, d;
    bk_civil(day, &y, &m, &d);
    digits(buf, y < 0 ? 0 : y % 10000, 4);
    buf[4] = '-';
    digits(buf + 5, m, 2);
    buf[7] = '-';
    digits(buf + 8, d, 2);
    buf[10] = 0;
}

/* ---- the schedule ---- */

const bk_hours *bk_day_hours(const bk_calendar *cal, int32_t day)
{
    size_t lo = 0, hi = cal->nexc;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cal->exc[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < cal->nexc && cal->exc[lo].day == day)
        return cal->exc[lo].working ? &cal->exc[lo].hours : NULL;
    return cal->weekdays & (1u << bk_weekday(day)) ? &cal->hours : NULL;
}

size_t bk_day_intervals(const bk_calendar *cal, int32_t day, bk_busy out[2])
{
    const bk_hours *h = bk_day_hours(cal, day);
    if (!h || h->open >= h->close)
        return 0;
    if (h->brk_from < h->brk_to && h->brk_from > h->open && h->brk_to < h->close) {
        out[0].from = bk_local_time(day, h->open);
        out[0].to = bk_local_time(day, h->brk_from);
        out[1].from = bk_local_time(day, h->brk_to);
        out[1].to = bk_local_time(day, h->close);
        return 2;
    }
    out[0].from = bk_local_time(day, h->open);
    out[0].to = bk_local_time(day, h->close);
    return 1;
}

int bk_within_hours(const bk_calendar *cal, int64_t from, int64_t to)
{
    bk_busy iv[2];
    size_t n = bk_day_intervals(cal, bk_day_of(from), iv);
    for (size_t i = 0; i < n; i++)
        if (iv[i].from <= from && to <= iv[i].to)
            return 1;
    return 0;
}

/* ---- text forms ---- */

static const char *const WD_SHORT[7] = {"пн", "вт", "ср", "чт", "пт", "сб", "вс"};
static const char *const WD_LONG[7] = {"понедельник", "вторник", "среда",      "четверг",
                                       "пятница",     "суббота", "воскресенье"};

/* lower case of ASCII and of the basic Cyrillic capitals (А-Я, Ё) */
static size_t fold(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n + 2 < cap) {
        if (p[0] == 0xD0 && p[1] >= 0x90 && p[1] <= 0x9F) { /* А-П */
            out[n++] = (char)0xD0, out[n++] = (char)(p[1] + 0x20), p += 2;
        } else if (p[0] == 0xD0 && p[1] >= 0xA0 && p[1] <= 0xAF) { /* Р-Я */
            out[n++] = (char)0xD1, out[n++] = (char)(p[1] - 0x20), p += 2;
        } else if (p[0] == 0xD0 && p[1] == 0x81) { /* Ё */
            out[n++] = (char)0xD1, out[n++] = (char)0x91, p += 2;
        } else {
            out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            p++;
        }
    }
    out[n] = 0;
    return *p ? 0 : n + 1;
}

/* a dash: '-', '–' or '—'; returns its length or 0 */
static size_t dash(const char *p)
{
    if (*p == '-')
        return 1;
    if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
        ((unsigned char)p[2] == 0x93 || (unsigned char)p[2] == 0x94))
        return 3;
    return 0;
}

/* one day name or number at *pp; -1 if none */
static int day_token(const char **pp)
{
    const char *p = *pp;
    if (*p >= '1' && *p <= '7') {
        *pp = p + 1;
        return *p - '1';
    }
    for (int i = 0; i < 7; i++) {
        size_t l = strlen(WD_LONG[i]);
        if (!strncmp(p, WD_LONG[i], l)) {
            *pp = p + l;
            return i;
        }
    }
    for (int i = 0; i < 7; i++) {
        size_t l = strlen(WD_SHORT[i]);
        if (!strncmp(p, WD_SHORT[i], l)) {
            p += l;
            if (*p == '.')
                p++;
            *pp = p;
            return i;
        }
    }
    return -1;
}

static const char *skip_sp(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int32_t bk_parse_weekdays(const char *s, uint32_t *mask)
{
    char buf[256];
    if (!s || !fold(s, buf, sizeof buf))
        return -1;
    const char *p = skip_sp(buf);
    if (!strcmp(p, "ежедневно") || !strcmp(p, "каждый день") || !strcmp(p, "все")) {
        *mask = 0x7F;
        return 0;
    }
    if (!strcmp(p, "нет") || !*p) {
        *mask = 0;
        return 0;
    }
    uint32_t m = 0;
    for (;;) {
        p = skip_sp(p);
        int a = day_token(&p), b;
        if (a < 0)
            return -1;
        p = skip_sp(p);
        size_t dl = dash(p);
        b = a;
        if (dl) {
            p = skip_sp(p + dl);
            if ((b = day_token(&p)) < 0)
                return -1;
        }
        for (int i = a;; i = (i + 1) % 7) { /* "сб-вт" wraps over the week's end */
            m |= 1u << i;
            if (i == b)
                break;
        }
        p = skip_sp(p);
        if (!*p)
            break;
        if (*p != ',' && *p != ';')
            return -1;
        p++;
    }
    *mask = m;
    return 0;
}

void bk_format_weekdays(uint32_t mask, char *buf, size_t n)
{
    mask &= 0x7F;
    if (mask == 0x7F) {
        snprintf(buf, n, "ежедневно");
        return;
    }
    if (!mask) {
        snprintf(buf, n, "нет");
        return;
    }
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < 7;) {
        if (!(mask & (1u << i))) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < 7 && (mask & (1u << (j + 1))))
            j++;
        int w;
        if (j - i >= 2)
            w = snprintf(buf + len, n - len, "%s%s–%s", len ? ", " : "", WD_SHORT[i], WD_SHORT[j]);
        else if (j > i)
            w = snprintf(buf + len, n - len, "%s%s, %s", len ? ", " : "", WD_SHORT[i], WD_SHORT[j]);
        else
            w = snprintf(buf + len, n - len, "%s%s", len ? ", " : "", WD_SHORT[i]);
        if (w < 0 || (size_t)w >= n - len)
            return;
        len += (size_t)w;
        i = j + 1;
    }
}

/* "9", "09:30", "9.30", "24:00" → minutes; -1 bad */
static int32_t hm(const char **pp)
{
    const char *p = *pp;
    int h = 0, m = 0, nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 2)
        h = h * 10 + (*p++ - '0'), nd++;
    if (!nd)
        return -1;
    if (*p == ':' || *p == '.') {
        p++;
        if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'))
            return -1;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
    }
    if (m > 59 || h > 24 || (h == 24 && m))
        return -1;
    *pp = p;
    return h * 60 + m;
}

int bk_parse_span(const char *s, int allow_empty, int32_t *from, int32_t *to, const char **why)
{
    char buf[128];
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!s || !fold(s, buf, sizeof buf)) {
        *why = "Слишком длинно. Пример: 10:00-19:00";
        return -1;
    }
    const char *p = skip_sp(buf);
    size_t l = strlen(p);
    while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
        l--;
    if (allow_empty && (!l || (l == 1 && *p == '-') || (l == 3 && dash(p) == 3) || (l == 6 && !strncmp(p, "нет", 6)) ||
                        !strncmp(p, "без", 6))) {
        *from = *to = 0;
        return 0;
    }
    int32_t a = hm(&p);
    p = skip_sp(p);
    size_t dl = a >= 0 ? dash(p) : 0;
    if (a < 0 || !dl) {
        *why = "Напишите время как 10:00-19:00";
        return -1;
    }
    p = skip_sp(p + dl);
    int32_t b = hm(&p);
    p = skip_sp(p);
    if (b < 0 || *p) {
        *why = "Напишите время как 10:00-19:00";
        return -1;
    }
    if (a >= b) {
        *why = "Конец должен быть позже начала";
        return -1;
    }
    if (a % BK_CELL_MIN || b % BK_CELL_MIN) {
        *why = "Время — с шагом 5 минут (например, 10:05, но не 10:03)";
        return -1;
    }
    *from = a;
    *to = b;
    return 0;
}

void bk_format_hm(int32_t minute, char *buf, size_t n)
{
    char t[6];
    if (minute < 0 || minute > BK_DAY_MIN)
        minute = 0;
    digits(t, minute / 60, 2);
    t[2] = ':';
    digits(t + 3, minute % 60, 2);
    t[5] = 0;
    snprintf(buf, n, "%s", t);
}

void bk_format_span(int32_t from, int32_t to, char *buf, size_t n)
{
    if (from == 0 && to == 0) {
        snprintf(buf, n, "—");
        return;
    }
    char t[16];
    bk_format_hm(from, t, 6);
    memcpy(t + 5, "–", 3);
    bk_format_hm(to, t + 8, 6);
    snprintf(buf, n, "%.13s", t);
}

int bk_hours_check(const bk_hours *h, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (h->open < 0 || h->close > BK_DAY_MIN || h->open >= h->close) {
        *why = "Конец рабочего дня должен быть позже начала";
        return -1;
    }
    if (h->brk_from == 0 && h->brk_to == 0)
        return 0;
    if (!(h->brk_from > h->open && h->brk_to < h->close && h->brk_from < h->brk_to)) {
        *why = "Перерыв должен быть внутри рабочего дня";
        return -1;
    }
    return 0;
}
