/* Money is int64_t kopecks everywhere; this is the one place that turns it
 * into what a Russian reader expects and back from what an owner types. */
#ifndef WH_MONEY_H
#define WH_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Longest result ("−9 223 372 036 854 775,808 ₽") plus the terminator. */
#define WH_MONEY_BUF 40

/* "1 500 ₽", "1 500,50 ₽", "0 ₽", "−20 ₽" (U+2212): thousands split by a
 * plain space, kopecks only when not zero. Like snprintf: writes at most
 * n bytes including the terminator (cut on a character boundary) and
 * returns the length the whole text needs. */
size_t wh_money_format(char *buf, size_t n, int64_t kop);

/* What an owner types: "1500", "1 500", "1500,5", "1500.50", "1 500,50 ₽",
 * "1500 руб", "1500р"; groups may be split by a space, NBSP or a thin
 * space. Non-negative, at most two decimals. 0 with *out_kop set, or
 * WALOR_EINVAL / WALOR_ERANGE with the reason (Russian) in wh_last_error(). */
int32_t wh_money_parse(const char *s, int64_t *out_kop);

#endif
