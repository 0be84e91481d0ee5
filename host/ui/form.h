/* Bulk text forms: one "ID quantity [amount]" line per item, the format of
 * write-offs, stock-takes and supplies. Pure, so it is unit-tested and
 * fuzzed directly. */
#ifndef WH_FORM_H
#define WH_FORM_H

#include <stddef.h>
#include <stdint.h>

#include <walor/types.h>

#define WH_FORM_MAX_LINES 10000

/* Parses text into *out (malloc'd array, *n entries). On any bad line
 * returns WALOR_EINVAL with *errors (malloc'd) listing every bad line as
 * "строка N: reason\n" and *out NULL: nothing is half-parsed. Blank lines
 * and lines starting with '#' are skipped. The caller frees both. */
int32_t wh_form_parse(const char *text, uint32_t flags, walor_form_line **out, uint32_t *n, char **errors);

#endif
