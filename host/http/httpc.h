/* Outbound HTTP for plugins (walor_http_fetch, SDK 1.2). */
#ifndef WH_HTTPC_H
#define WH_HTTPC_H

#include <stddef.h>

#include "ctx.h"

/* A response body collected in memory, NUL-terminated, refused past max
 * (too_big set, the transfer aborted). Also used by files.c. */
typedef struct wh_httpc_sink {
    char *buf;
    size_t len, cap, max;
    int too_big;
} wh_httpc_sink;

/* CURLOPT_WRITEFUNCTION for a wh_httpc_sink (CURLOPT_WRITEDATA) */
size_t wh_httpc_sink_write(char *p, size_t size, size_t n, void *ud);

/* frees the worker's cached curl handle; called when a worker stops */
void wh_httpc_worker_done(wh_worker *w);

#endif
