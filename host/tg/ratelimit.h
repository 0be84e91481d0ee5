/* Token bucket for the Telegram outbox.
 *
 * Pure arithmetic with the clock passed in, so pacing is testable without
 * sleeping and the same code serves the global budget and each chat's. */
#ifndef WH_RATELIMIT_H
#define WH_RATELIMIT_H

#include <stdint.h>

typedef struct wh_bucket {
    double rate;    /* tokens per second; <= 0 means unlimited */
    double burst;   /* capacity */
    double tokens;  /* may go down to -burst after wh_bucket_force() */
    int64_t last_ms;/* tokens are accounted up to here; in the future while paused */
} wh_bucket;

void wh_bucket_init(wh_bucket *b, double rate_per_s, double burst, int64_t now_ms);

/* 0 if a token was taken, else ms until one is available (nothing taken). */
int64_t wh_bucket_take(wh_bucket *b, int64_t now_ms);

/* Like take, but never takes: lets a caller that needs two buckets at once
 * (global and per chat) take from both or from neither. */
int64_t wh_bucket_peek(const wh_bucket *b, int64_t now_ms);

/* Takes one even if the balance goes negative: interactive replies are never
 * delayed but still count against the overall budget. The debt is capped
 * at one burst (tokens >= -burst), so whatever waits for this bucket (a
 * broadcast) is slowed down by replies, never starved by them. */
void wh_bucket_force(wh_bucket *b, int64_t now_ms);

/* No tokens before until_ms (a 429's retry_after); refilling starts from an
 * empty bucket then, so the first second after a flood wait is not a burst. */
void wh_bucket_pause(wh_bucket *b, int64_t until_ms);

/* 1 when the bucket is full at now_ms (its history no longer matters). */
int wh_bucket_full(const wh_bucket *b, int64_t now_ms);

#endif
