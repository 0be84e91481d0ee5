/* A moment as the shop's people read it: strftime(3) in the process's time
 * zone (walord sets TZ to the shop's zone before any thread starts) with
 * the names of days and months in Russian, which the C locale cannot give.
 * walor_time_format is this. */
#ifndef WH_TIMEFMT_H
#define WH_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* t (UTC epoch seconds) through fmt into buf (at most n bytes with the
 * terminator). Besides strftime's conversions: %a "пн", %A "понедельник",
 * %b "янв", %B "января" (the genitive: "5 января"), %OB "январь" (the
 * nominative: "январь 2026"), as glibc's ru_RU has them. Returns the length,
 * or 0 when t cannot be converted or the text does not fit (or is empty). */
size_t wh_time_format(char *buf, size_t n, int64_t t, const char *fmt);

#endif
