/* Internal to the HTTP listener (http.c): one request as a plugin route
 * handler sees it through walor_ctx.http. */
#ifndef WH_HTTP_H
#define WH_HTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <walor/plugin.h>

#include <jansson.h>
#include <uv.h>

#include "db.h"
#include "registry.h"

struct MHD_Connection;

/* a plugin route (http_routes.c), registered in [load] */
typedef struct wh_route {
    wh_plugin *p;
    char *path;                  /* relative, as registered */
    uint32_t flags;              /* WALOR_HTTP_* | WALOR_ROUTE_PREFIX */
    walor_ctx_fn fn;
    uint64_t max_body;
} wh_route;

struct wh_http_req {
    struct MHD_Connection *conn;
    const char *method;          /* libmicrohttpd's, valid for the request */
    char *url;                   /* decoded path, owned */
    const char *rest;            /* plugin routes: the part below /p/<plugin>/ (inside url) */
    int kind;                    /* which route (http.c) */
    const struct wh_route *route;
    uint64_t max_body;
    char *body;                  /* NUL-terminated, owned; NULL when empty */
    size_t body_len, body_cap;
    /* the answer; set by the handler (worker or listener thread) */
    unsigned status;
    char *resp_type;
    char *resp_body;
    size_t resp_len;
    const char *allow;           /* 405: the Allow header (static or owned by allow_buf) */
    char allow_buf[48];
    int responded;               /* walor_http_respond() was called */
    int counted;                 /* http.c: in the in-flight count until completed */
    _Atomic int state;           /* http.c: body, running on a worker, ready, sent */
};


/* ---- the listener (http.c), started and stopped by main.c ---- */

/* What the listener hands upwards. It sits below the dispatcher and the
 * scheduler, so main.c passes these in rather than the listener calling
 * them by name. */
typedef struct wh_http_hooks {
    /* stores a webhook batch in the inbox (deduplicated) and queues the new
     * updates for the workers; 0 once durably stored. Called on the
     * listener's thread with the listener's own connection. */
    int (*accept_updates)(wh_db *db, json_t *updates);
    /* test mode only (/_test/clock): moves the host clock and lets the
     * scheduler run what became due */
    void (*clock_advance)(int64_t seconds);
} wh_http_hooks;

int wh_http_start(uv_loop_t *loop, const wh_http_hooks *hooks);
void wh_http_stop(void);

/* ---- requests ---- */

/* the answer, copied; on out of memory resp_type/resp_body stay NULL and
 * the listener drops the connection */
void wh_http_set_answer(struct wh_http_req *r, unsigned status, const char *type, const void *body, size_t len);
/* status with the JSON body {"error": msg} */
void wh_http_set_error(struct wh_http_req *r, unsigned status, const char *msg);

/* WALOR_HTTP_* of a request method (HEAD counts as GET), 0 for others */
int wh_http_method_bit(const char *method);

/* The route of a live plugin for /p/<name>/<rest> (name is nl bytes) and
 * this method, or NULL. *allowed = the methods of the most specific
 * matching path, 0 when no path matches (404 rather than 405). */
const wh_route *wh_http_match(const char *name, size_t nl, const char *rest, uint32_t method_bit,
                              uint32_t *allowed);
#endif
