/* broadcast: the time a broadcast is scheduled for, as staff type it —
 * pure (libc only), unit-tested in tests/unit/plugins/broadcast/test_bc_when.c.
 * Wall times are the shop's (the process's TZ, which walord sets from
 * [walor] timezone before any thread starts). */
#ifndef BC_WHEN_H
#define BC_WHEN_H

#include <stdint.h>

/* "18:30" (today), "сегодня 18:30", "завтра 9:05", "25.12 18:30",
 * "25.12.2026 18:30", "25.12.26 18:30", "2026-12-25 18:30" → UTC epoch
 * seconds in *out. 0, or -1 with *why (static, Russian) for a form it does
 * not know or a day or time that does not exist. `now` only fills in
 * "today" and the year; whether the time is past is the caller's check. */
int bc_when_parse(const char *s, int64_t now, int64_t *out, const char **why);

#endif
