/* Numbers and Russian plurals as a reader expects them: "1 500 000",
 * "0,3", "21 позиция". Pure, so unit-tested directly; walor_number and
 * walor_plural are these, and walor_money groups its roubles the same way. */
#ifndef WH_NUM_H
#define WH_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Longest result ("−9 223 372 036 854 775 808") plus the terminator. */
#define WH_NUM_BUF 40

/* Writes the decimal digits of v in groups of three split by a plain
 * space (as wh_money_format does) into out, which must hold 27 bytes;
 * returns the length (no terminator written). */
size_t wh_num_group(char *out, uint64_t v);

/* value / 10^scale (scale 0-6, more is treated as 6) with a decimal comma,
 * grouped thousands, trailing fractional zeros dropped and U+2212 for a
 * minus: (300, 3) → "0,3", (-1250, 2) → "−12,5". Like snprintf: at most n
 * bytes with the terminator; returns the length the whole text needs. */
size_t wh_num_format(char *buf, size_t n, int64_t value, uint32_t scale);

/* snprintf's contract for a finished text of len bytes: at most n bytes
 * into buf with the terminator, cut on a UTF-8 character boundary; returns
 * len (what the whole text needs) */
size_t wh_num_out(char *buf, size_t n, const char *text, size_t len);

/* Which Russian form goes with n: 0 one (1, 21, 101), 1 few (2-4, 22-24),
 * 2 many (0, 5-20, 11-14, 25…). */
int wh_plural_index(int64_t n);

/* The form for n out of "one|few|many" ("позиция|позиции|позиций"): its
 * start and length in *word, *len. A string with fewer forms repeats its
 * last one ("шт." alone is fine). */
void wh_plural_pick(const char *forms, int64_t n, const char **word, size_t *len);

#endif
