#include "ratelimit.h"

#include <math.h>

void wh_bucket_init(wh_bucket *b, double rate_per_s, double burst, int64_t now_ms)
{
    b->rate = rate_per_s;
    b->burst = burst < 1.0 ? 1.0 : burst;
    b->tokens = b->burst;
    b->last_ms = now_ms;
}

/* balance at now_ms without changing the bucket; while paused (last_ms in
 * the future) nothing accrues */
static double balance(const wh_bucket *b, int64_t now_ms)
{
    if (now_ms <= b->last_ms)
        return b->tokens;
    double t = b->tokens + (double)(now_ms - b->last_ms) * b->rate / 1000.0;
    return t > b->burst ? b->burst : t;
}

static void refill(wh_bucket *b, int64_t now_ms)
{
    if (now_ms <= b->last_ms)
        return;
    b->tokens = balance(b, now_ms);
    b->last_ms = now_ms;
}

int64_t wh_bucket_peek(const wh_bucket *b, int64_t now_ms)
{
    if (b->rate <= 0)
        return 0;
    int64_t paused = b->last_ms > now_ms ? b->last_ms - now_ms : 0;
    double t = balance(b, now_ms);
    if (t >= 1.0 && paused == 0)
        return 0;
    double need = t >= 1.0 ? 0.0 : 1.0 - t;
    /* round up (waking a hair early would find no token and go round once
     * more), but forgive float noise: 1.0000000001 ms is 1 ms */
    int64_t wait = paused + (int64_t)ceil(need * 1000.0 / b->rate - 1e-6);
    return wait > 0 ? wait : 1;
}

int64_t wh_bucket_take(wh_bucket *b, int64_t now_ms)
{
    if (b->rate <= 0)
        return 0;
    int64_t wait = wh_bucket_peek(b, now_ms);
    if (wait)
        return wait;
    refill(b, now_ms);
    b->tokens -= 1.0;
    return 0;
}

void wh_bucket_force(wh_bucket *b, int64_t now_ms)
{
    if (b->rate <= 0)
        return;
    refill(b, now_ms);
    b->tokens -= 1.0;
    /* the debt stops at one burst: a busy user's replies may slow the
     * broadcast to them, never hold it back without end */
    if (b->tokens < -b->burst)
        b->tokens = -b->burst;
}

void wh_bucket_pause(wh_bucket *b, int64_t until_ms)
{
    if (until_ms <= b->last_ms)
        return;
    /* Telegram's flood wait is the authority on our budget: whatever we
     * thought we had (or owed) no longer matters once it has spoken */
    b->tokens = 0;
    b->last_ms = until_ms;
}

int wh_bucket_full(const wh_bucket *b, int64_t now_ms)
{
    if (b->rate <= 0)
        return 1;
    return now_ms >= b->last_ms && balance(b, now_ms) >= b->burst;
}
