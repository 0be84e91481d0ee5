/* bookings: one booking as an iCalendar file (RFC 5545) for the client's
 * calendar app. Pure code, unit-tested in tests/unit/plugins/bookings/.
 *
 * Times: with a zone name and a zone whose offset does not change during
 * the event's year (Europe/Moscow since 2014), DTSTART/DTEND are local
 * times with TZID and a VTIMEZONE of that one offset, so the event shows
 * as the shop wrote it; otherwise (a zone with DST, or no name) they are
 * UTC ("…Z"), which every calendar converts correctly. Lines end in CRLF
 * and are folded at 75 octets without splitting a UTF-8 character; text
 * values are escaped (\\ \; \, \n). */
#ifndef BOOKINGS_ICS_H
#define BOOKINGS_ICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct bk_ics {
    const char *uid;     /* stable per booking: "booking-42@shop" */
    int64_t stamp;       /* DTSTAMP: when this version was written */
    int64_t start, end;  /* epoch seconds */
    int32_t sequence;    /* 0, then +1 for each change of time */
    int32_t alarm_min;   /* a VALARM this many minutes before; 0 = none */
    const char *summary; /* plain UTF-8 text; NULL = none */
    const char *description;
    const char *location;
    const char *tzid; /* the shop's zone ("Europe/Moscow"); NULL or "" = UTC */
} bk_ics;

#define BK_ICS_MIME "text/calendar; charset=utf-8"

/* Writes the calendar into out (NUL-terminated when cap > 0, cut if it
 * does not fit) and returns the length it needs without the NUL, like
 * snprintf. */
size_t bk_ics_write(const bk_ics *e, char *out, size_t cap);

#endif
