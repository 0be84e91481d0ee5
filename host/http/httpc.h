/* Outbound HTTP for plugins (walor_http_fetch, SDK 1.2). */
#ifndef WH_HTTPC_H
#define WH_HTTPC_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

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

/* Shared by walor_http_fetch (blocking, here) and walor_http_start
 * (asynchronous, httpa.c). */
#define WH_HTTPC_MAX_HEADERS (64u * 1024)
/* CURLOPT_HEADERFUNCTION for a wh_httpc_sink: keeps the final response's block */
size_t wh_httpc_header_write(char *p, size_t size, size_t n, void *ud);
/* 0, or WALOR_EINVAL (not http/https, unknown method) with the reason set,
 * "<what>: …" (what: the slot the plugin called) */
int32_t wh_httpc_check(const char *what, const char *url, const char *method);
/* "Name: value" lines (NULL-terminated, may be NULL) as a curl list with
 * "Expect:" added; WALOR_EINVAL for a line break in a header */
int32_t wh_httpc_headers(const char *what, const char *const *headers, struct curl_slist **out);
/* the options every plugin request shares: URL, protocols, redirects,
 * timeouts, headers, method and body (borrowed: keep it alive) */
void wh_httpc_setup(CURL *h, const char *url, const char *method, struct curl_slist *hl, const void *body,
                    uint64_t body_len, uint32_t timeout_ms);
/* "https://host:port/path?query" -> "host:port/path": all the log may show */
void wh_httpc_loggable(const char *url, char *out, size_t cap);
int64_t wh_httpc_mono_ms(void);
/* out->status/body/headers from the sinks, copied into the arena */
int32_t wh_httpc_response(wh_arena *a, int32_t status, const wh_httpc_sink *body, const wh_httpc_sink *hdrs,
                          walor_http_response *out);

/* frees the worker's cached curl handle; called when a worker stops */
void wh_httpc_worker_done(wh_worker *w);

/* plugins' asynchronous HTTP (httpa.c, SDK 1.3): its own curl multi on the
 * loop; stop ends what is in flight with WALOR_ECANCELED (before the pool
 * stops, so on_done still runs where it can) */
struct uv_loop_s;
int wh_httpa_start(struct uv_loop_s *loop);
void wh_httpa_stop(void);

#endif
