/* Per-thread detail of the last failure, behind walor_last_error().
 * Host modules set it where they return a negative WALOR_E* so the caller
 * (often a plugin) can tell the user or the log what went wrong. */
#ifndef WH_ERROR_H
#define WH_ERROR_H

#include <stddef.h>
#include <stdint.h>

/* returns err, so `return wh_error(WALOR_EINVAL, "text too long (%zu)", n);` reads well */
int32_t wh_error(int32_t err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the same, and the message also into why (whylen bytes, may be NULL): a
 * reason for the user (Russian) that the caller shows as it is */
int32_t wh_error_why(char *why, size_t whylen, int32_t err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const char *wh_last_error(void);
void wh_clear_error(void);
const char *wh_strerror(int32_t err);

#endif
