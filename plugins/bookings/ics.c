/* bookings: the iCalendar writer (ics.h). */
#include "ics.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cal.h"

typedef struct out {
    char *p;
    size_t cap, len;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->p + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

/* one content line, folded: at most 75 octets a line, a continuation
 * starts with a space, and a UTF-8 sequence is never split */
static void line(out *o, const char *s)
{
    size_t n = strlen(s), col = 0;
    while (n) {
        size_t room = 75 - col, take = n < room ? n : room;
        if (take < n)
            while (take > 0 && ((unsigned char)s[take] & 0xC0) == 0x80)
                take--;
        put(o, s, take);
        s += take;
        n -= take;
        if (n) {
            put(o, "\r\n ", 3);
            col = 1;
        }
    }
    put(o, "\r\n", 2);
}

/* NAME:value with the value escaped as TEXT */
static void text_line(out *o, const char *name, const char *v)
{
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s:", name);
    const unsigned char *p = (const unsigned char *)v;
    for (; *p && n + 3 < sizeof buf; p++) {
        if (*p == '\\' || *p == ';' || *p == ',')
            buf[n++] = '\\', buf[n++] = (char)*p;
        else if (*p == '\n')
            buf[n++] = '\\', buf[n++] = 'n';
        else if (*p >= 0x20 || *p == '\t') /* CR and other controls are not allowed in TEXT */
            buf[n++] = (char)*p;
    }
    if (*p) { /* cut: drop a character the cut went through */
        while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > 0 && ((unsigned char)buf[n - 1] & 0x80))
            n--;
    }
    buf[n] = 0;
    line(o, buf);
}

static int local_tm(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)t;
    return localtime_r(&tt, tm) != NULL;
}

/* the zone's offset from UTC at t, in seconds (portable: no tm_gmtoff) */
static int64_t offset_at(int64_t t)
{
    struct tm tm;
    if (!local_tm(t, &tm))
        return 0;
    int64_t local = (int64_t)bk_day_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return local - t;
}

/* 1 when the zone keeps one offset all through t's year */
static int fixed_offset_year(int64_t t)
{
    struct tm tm;
    if (!local_tm(t, &tm))
        return 0;
    int64_t jan = (int64_t)bk_day_from_civil(tm.tm_year + 1900, 1, 1) * 86400;
    int64_t off = offset_at(t);
    for (int m = 0; m < 12; m++) /* mid-month samples catch any summer time */
        if (offset_at(jan + (int64_t)m * 30 * 86400 + 15 * 86400) != off)
            return 0;
    return 1;
}

static int tzid_ok(const char *z)
{
    if (!z || !*z || strlen(z) > 64)
        return 0;
    for (const char *p = z; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '/' ||
              *p == '_' || *p == '-' || *p == '+'))
            return 0;
    return 1;
}

static void utc_stamp(int64_t t, char buf[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static void local_stamp(int64_t t, char buf[16])
{
    struct tm tm;
    local_tm(t, &tm);
    strftime(buf, 16, "%Y%m%dT%H%M%S", &tm);
}

static void offset_text(int64_t off, char buf[8])
{
    int64_t a = off < 0 ? -off : off;
    snprintf(buf, 8, "%c%02d%02d", off < 0 ? '-' : '+', (int)(a / 3600), (int)(a % 3600 / 60));
}

size_t bk_ics_write(const bk_ics *e, char *dst, size_t cap)
{
    out o = {dst, cap, 0};
    char buf[256], a[20], b[20];
    int local = tzid_ok(e->tzid) && fixed_offset_year(e->start) && fixed_offset_year(e->end);

    line(&o, "BEGIN:VCALENDAR");
    line(&o, "VERSION:2.0");
    line(&o, "PRODID:-//Walor//Walor bookings//RU");
    line(&o, "CALSCALE:GREGORIAN");
    line(&o, "METHOD:PUBLISH");
    if (local) {
        char off[8];
        struct tm tm;
        local_tm(e->start, &tm);
        char name[16] = "";
        strftime(name, sizeof name, "%Z", &tm);
        offset_text(offset_at(e->start), off);
        snprintf(buf, sizeof buf, "TZID:%s", e->tzid);
        line(&o, "BEGIN:VTIMEZONE");
        line(&o, buf);
        line(&o, "BEGIN:STANDARD");
        line(&o, "DTSTART:19700101T000000");
        snprintf(buf, sizeof buf, "TZOFFSETFROM:%s", off);
        line(&o, buf);
        snprintf(buf, sizeof buf, "TZOFFSETTO:%s", off);
        line(&o, buf);
        if (*name && tzid_ok(name)) {
            snprintf(buf, sizeof buf, "TZNAME:%s", name);
            line(&o, buf);
        }
        line(&o, "END:STANDARD");
        line(&o, "END:VTIMEZONE");
    }
    line(&o, "BEGIN:VEVENT");
    text_line(&o, "UID", e->uid ? e->uid : "");
    utc_stamp(e->stamp, a);
    snprintf(buf, sizeof buf, "DTSTAMP:%s", a);
    line(&o, buf);
    if (local) {
        local_stamp(e->start, a);
        local_stamp(e->end, b);
        snprintf(buf, sizeof buf, "DTSTART;TZID=%s:%s", e->tzid, a);
        line(&o, buf);
        snprintf(buf, sizeof buf, "DTEND;TZID=%s:%s", e->tzid, b);
        line(&o, buf);
    } else {
        utc_stamp(e->start, a);
        utc_stamp(e->end, b);
        snprintf(buf, sizeof buf, "DTSTART:%s", a);
        line(&o, buf);
        snprintf(buf, sizeof buf, "DTEND:%s", b);
        line(&o, buf);
    }
    snprintf(buf, sizeof buf, "SEQUENCE:%d", (int)(e->sequence < 0 ? 0 : e->sequence));
    line(&o, buf);
    if (e->summary)
        text_line(&o, "SUMMARY", e->summary);
    if (e->description && *e->description)
        text_line(&o, "DESCRIPTION", e->description);
    if (e->location && *e->location)
        text_line(&o, "LOCATION", e->location);
    line(&o, "STATUS:CONFIRMED");
    if (e->alarm_min > 0) {
        line(&o, "BEGIN:VALARM");
        line(&o, "ACTION:DISPLAY");
        text_line(&o, "DESCRIPTION", e->summary ? e->summary : "");
        snprintf(buf, sizeof buf, "TRIGGER:-PT%dM", (int)e->alarm_min);
        line(&o, buf);
        line(&o, "END:VALARM");
    }
    line(&o, "END:VEVENT");
    line(&o, "END:VCALENDAR");
    if (cap)
        dst[o.len < cap ? o.len : cap - 1] = 0;
    return o.len;
}
