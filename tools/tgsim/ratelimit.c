#include "ratelimit.h"

#include <stdlib.h>

static void expire(tgsim_window *w, int64_t now_ms)
{
    while (w->count && w->ts[w->head] <= now_ms - 1000) {
        w->head = (w->head + 1) % w->cap;
        w->count--;
    }
}

int tgsim_window_check(tgsim_window *w, int limit, int64_t now_ms)
{
    if (limit <= 0)
        return 0;
    expire(w, now_ms);
    if (w->count < (size_t)limit)
        return 0;
    /* the call fits again once the oldest calls that exceed the limit leave the window */
    int64_t oldest = w->ts[(w->head + w->count - (size_t)limit) % w->cap];
    int64_t wait_ms = oldest + 1000 - now_ms;
    int secs = (int)((wait_ms + 999) / 1000);
    return secs < 1 ? 1 : secs;
}

void tgsim_window_record(tgsim_window *w, int64_t now_ms)
{
    if (w->count == w->cap) {
        /* rate limits may be raised at run time: grow instead of dropping history */
        size_t ncap = w->cap ? w->cap * 2 : 8;
        int64_t *nts = malloc(ncap * sizeof *nts);
        if (!nts)
            return;
        for (size_t i = 0; i < w->count; i++)
            nts[i] = w->ts[(w->head + i) % w->cap];
        free(w->ts);
        w->ts = nts;
        w->cap = ncap;
        w->head = 0;
    }
    w->ts[(w->head + w->count) % w->cap] = now_ms;
    w->count++;
}

void tgsim_window_free(tgsim_window *w)
{
    free(w->ts);
    w->ts = NULL;
    w->cap = w->head = w->count = 0;
}
