/* The one walord process: what main() sets up and every module reaches.
 * A single global, like Redis's `server`, because there is exactly one
 * host per process and threading it through every call buys nothing. */
#ifndef WH_HOST_H
#define WH_HOST_H

#include <stdatomic.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

struct wh_tg;
struct wh_pool;

typedef struct wh_host {
    wh_config cfg;
    struct wh_tg *tg;
    struct wh_pool *pool;
    int64_t *owners;
    size_t nowners;
    int test_mode;
    char *bot_username;       /* from getMe, for t.me links; may be NULL */
    _Atomic int64_t clock_offset; /* seconds added to the wall clock (test mode only) */
    _Atomic int stopping;
    _Atomic int exit_code;        /* main() returns it: non-zero after a failed DB health check, 75 for a restart (ops) */
} wh_host;

extern wh_host wh_g;

/* UTC epoch seconds as the host sees them (movable in test mode). */
int64_t wh_now(void);

#endif
