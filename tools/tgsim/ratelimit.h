/* Sliding one-second windows for Telegram-like flood control. */
#ifndef TGSIM_RATELIMIT_H
#define TGSIM_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct tgsim_window {
    int64_t *ts;        /* ring of accepted call times (ms) within the last second */
    size_t cap, head, count;
} tgsim_window;

/* 0 if one more call fits under limit per second (limit <= 0: unlimited),
 * else the whole seconds (>= 1) until it would fit. Does not record. */
int tgsim_window_check(tgsim_window *w, int limit, int64_t now_ms);
void tgsim_window_record(tgsim_window *w, int64_t now_ms);
void tgsim_window_free(tgsim_window *w);

#endif
