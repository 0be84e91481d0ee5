/* bookings: the working calendar and the free-slot engine. Pure code (no
 * host calls), unit-tested in tests/unit/plugins/bookings/ and timed by
 * bench/bookings_bench.c.
 *
 * Times are UTC epoch seconds. Local dates and times of day are in the
 * process's time zone, which walord sets to the shop's ([walor] timezone,
 * Europe/Moscow by default) before any thread starts; localtime_r and
 * mktime are thread-safe after that. A local date is a day number: days
 * since 1970-01-01 in the civil calendar, so "tomorrow" is day + 1 whatever
 * the zone's offset or a DST change does to the length of a day.
 *
 * The grid: every working hour, duration, buffer and slot step is a
 * multiple of BK_CELL, so a booking covers whole cells and the database's
 * unique index on cells (store.c) decides overlaps exactly as this engine
 * predicts them. */
#ifndef BOOKINGS_CAL_H
#define BOOKINGS_CAL_H

#include <stddef.h>
#include <stdint.h>

#define BK_CELL 300 /* seconds */
#define BK_CELL_MIN (BK_CELL / 60)
#define BK_DAY_MIN 1440

/* Working hours of one day, in minutes of the local day: [open, close)
 * with an optional break [brk_from, brk_to) inside it (both 0: none). */
typedef struct bk_hours {
    int32_t open, close;
    int32_t brk_from, brk_to;
} bk_hours;

/* An exception: a day off, or a working day with its own hours (also on a
 * weekday that is normally off). */
typedef struct bk_exception {
    int32_t day;
    int32_t working; /* 0: day off; 1: works with .hours */
    bk_hours hours;
} bk_exception;

typedef struct bk_calendar {
    uint32_t weekdays; /* bit 0 = Monday … bit 6 = Sunday */
    bk_hours hours;
    const bk_exception *exc; /* sorted by day, one per day */
    size_t nexc;
} bk_calendar;

/* Time someone holds: a booking from its start to its end plus the buffer
 * that was set when it was made. */
typedef struct bk_busy {
    int64_t from, to;
} bk_busy;

/* What a customer asks for, and what limits the answer. */
typedef struct bk_query {
    int64_t now;
    int64_t notice_s;     /* the earliest start is now + notice_s */
    int32_t horizon_days; /* bookable days: today … today + horizon_days - 1 */
    int32_t duration_min; /* > 0, a multiple of BK_CELL_MIN */
    int32_t buffer_min;   /* after each booking, >= 0 */
    int32_t step_min;     /* distance of slot starts, > 0 */
    const bk_busy *busy;  /* sorted by from, merged (bk_busy_merge) */
    size_t nbusy;
} bk_query;

/* ---- local dates ---- */
int32_t bk_day_from_civil(int32_t y, int32_t m, int32_t d);
void bk_civil(int32_t day, int32_t *y, int32_t *m, int32_t *d);
int32_t bk_weekday(int32_t day); /* 0 = Monday … 6 = Sunday */
int32_t bk_day_of(int64_t t);    /* the local day of t */
int32_t bk_minute_of(int64_t t); /* minutes since local midnight of t */
/* the epoch of wall time `minute` of local day `day` (a time skipped by a
 * DST change is the instant after the jump); minute may be 1440 (midnight
 * of the next day) */
int64_t bk_local_time(int32_t day, int32_t minute);
/* "2026-12-25" → day; -1 when it is not a valid date */
int32_t bk_parse_iso_day(const char *s);
/* "2026-12-25" into buf (11 bytes) */
void bk_iso_day(int32_t day, char buf[11]);

/* ---- the schedule ---- */
/* the hours of `day`, or NULL when nobody works that day */
const bk_hours *bk_day_hours(const bk_calendar *cal, int32_t day);
/* the working intervals of `day` as epochs (1 or 2: the break splits the
 * day); 0 on a day off */
size_t bk_day_intervals(const bk_calendar *cal, int32_t day, bk_busy out[2]);
/* 1 when [from, to) lies inside the working intervals of its day */
int bk_within_hours(const bk_calendar *cal, int64_t from, int64_t to);

/* ---- free slots ---- */
/* sort by start and merge overlapping or touching intervals in place;
 * returns the new count */
size_t bk_busy_merge(bk_busy *v, size_t n);
/* 1 when a booking of q->duration_min may start at `start`: on the step
 * grid of a working interval, inside it, at or after now + notice, on a
 * day within the horizon, and [start, end + buffer) free */
int bk_slot_ok(const bk_calendar *cal, const bk_query *q, int64_t start);
/* the free starts of `day`, ascending; writes at most cap, returns how many
 * there are */
size_t bk_day_slots(const bk_calendar *cal, const bk_query *q, int32_t day, int64_t *out, size_t cap);
/* 1 when `day` has at least one free start */
int bk_day_has_free(const bk_calendar *cal, const bk_query *q, int32_t day);
/* first and last bookable day of q */
int32_t bk_first_day(const bk_query *q);
int32_t bk_last_day(const bk_query *q);
/* up to cap free starts nearest to `want` (the same day first, then later
 * days within the horizon), ascending; returns how many */
size_t bk_nearest_free(const bk_calendar *cal, const bk_query *q, int64_t want, int64_t *out, size_t cap);

/* ---- the settings' text forms (Russian, as staff type them) ---- */
/* "пн-пт", "пн,ср,пт", "пн-чт, сб", "1-5", "ежедневно" → mask; -1 bad */
int32_t bk_parse_weekdays(const char *s, uint32_t *mask);
/* "пн–пт", "пн, ср, пт", "ежедневно", "нет" into buf (>= 64 bytes) */
void bk_format_weekdays(uint32_t mask, char *buf, size_t n);
/* "10:00-19:00" (also "10-19", "10.00 – 19.00") → [open, close) on the
 * grid; allow_empty: "", "-", "нет" give 0,0. 0 ok, -1 bad (why: Russian) */
int bk_parse_span(const char *s, int allow_empty, int32_t *from, int32_t *to, const char **why);
/* "10:00–19:00" into buf (>= 16 bytes); "—" for 0,0 */
void bk_format_span(int32_t from, int32_t to, char *buf, size_t n);
/* "HH:MM" into buf (>= 6 bytes) */
void bk_format_hm(int32_t minute, char *buf, size_t n);
/* hours + break are consistent: open < close, the break (if any) strictly
 * inside; 0 ok, -1 with *why */
int bk_hours_check(const bk_hours *h, const char **why);

#endif
