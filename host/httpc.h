/* Outbound HTTP for plugins (walor_http_fetch, SDK 1.2). */
#ifndef WH_HTTPC_H
#define WH_HTTPC_H

#include "ctx.h"

/* frees the worker's cached curl handle; called when a worker stops */
void wh_httpc_worker_done(wh_worker *w);

#endif
