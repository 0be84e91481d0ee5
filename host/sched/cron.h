/* 5-field cron expressions ("minute hour day-of-month month day-of-week")
 * and their next fire time in the process's local time zone (TZ, set once
 * by the scheduler from [walor] timezone). Pure: no I/O, no globals besides
 * the C library's time zone state, safe from any thread after tzset().
 *
 * Syntax, as Vixie cron and cronie read it:
 *   *  a,b,c  a-b  * /n (without the space)  a-b/n   per field
 *   names jan..dec in the month field, sun..sat in the day-of-week field
 *   (case-insensitive, also inside ranges: mon-fri); day-of-week 0 and 7
 *   are both Sunday; @yearly @annually @monthly @weekly @daily @midnight
 *   @hourly stand for their usual five fields.
 * Day rule: when both day fields are restricted (neither starts with '*'),
 * a day matches if EITHER matches ("0 0 1 * mon" = the 1st and every
 * Monday); otherwise only the restricted one counts.
 *
 * Daylight saving time: a wall-clock time that does not exist (skipped
 * when clocks go forward) fires at the instant after the jump; one that
 * occurs twice (clocks go back) fires at its first occurrence only. */
#ifndef WH_CRON_H
#define WH_CRON_H

#include <stddef.h>
#include <stdint.h>

typedef struct wh_cron {
    uint64_t minutes;  /* bit m: minute m (0-59) */
    uint32_t hours;    /* bit h: hour h (0-23) */
    uint32_t days;     /* bit d: day of month d (1-31) */
    uint16_t months;   /* bit m: month m (1-12) */
    uint8_t dows;      /* bit d: day of week d (0 = Sunday .. 6) */
    uint8_t flags;     /* WH_CRON_DOM_STAR, WH_CRON_DOW_STAR */
} wh_cron;

#define WH_CRON_DOM_STAR 0x1u /* the day-of-month field started with '*' */
#define WH_CRON_DOW_STAR 0x2u /* the day-of-week field started with '*' */

/* 0, or -1 with a one-line reason in why ("field 2 (hour): 24 is out of
 * range 0-23"). An expression that can never fire (e.g. "0 0 30 2 *") is
 * refused too. why may be NULL. */
int32_t wh_cron_parse(const char *expr, wh_cron *out, char *why, size_t n);

/* The first fire time strictly after `after` (UTC epoch seconds), in the
 * local time zone; always a whole minute of wall-clock time (or the end of
 * a DST gap). -1 if none within ten years (cannot happen for an
 * expression wh_cron_parse accepted) or on a time conversion failure. */
int64_t wh_cron_next(const wh_cron *c, int64_t after_epoch);

#endif
