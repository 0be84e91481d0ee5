/* Plugin HTTP routes: registration in [load] and the API slots a route
 * handler uses (http_method … http_respond). Kept apart from the listener
 * (http.c) so that every program linking the API table (unit tests too)
 * does not pull in the daemon's webhook intake and test clock. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "http.h"
#include "registry.h"

#define ROUTE_DEFAULT_MAX_BODY (64u * 1024u)
#define MAX_RESPONSE (16u * 1024u * 1024u)  /* a plugin's answer; larger is a bug */

/* registered in [load], read-only afterwards: lookups need no lock */
static WH_VEC(wh_route) routes;

/* ---- answers ---- */

void wh_http_set_answer(struct wh_http_req *r, unsigned status, const char *type, const void *body, size_t len)
{
    free(r->resp_type);
    free(r->resp_body);
    r->status = status;
    r->resp_type = strdup(type);
    r->resp_body = malloc(len ? len : 1);
    r->resp_len = 0;
    if (r->resp_body && len) {
        memcpy(r->resp_body, body, len);
        r->resp_len = len;
    }
}

/* every error body is {"error":"…"} */
void wh_http_set_error(struct wh_http_req *r, unsigned status, const char *msg)
{
    json_t *j = json_pack("{s:s}", "error", msg);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    wh_http_set_answer(r, status, "application/json", s ? s : "{}", s ? strlen(s) : 2);
    free(s);
}

/* ---- lookup ---- */

int wh_http_method_bit(const char *m)
{
    if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
        return WALOR_HTTP_GET;
    if (!strcmp(m, "POST"))
        return WALOR_HTTP_POST;
    if (!strcmp(m, "PUT"))
        return WALOR_HTTP_PUT;
    if (!strcmp(m, "DELETE"))
        return WALOR_HTTP_DELETE;
    return 0;
}

/* how well rt matches /p/<name>/<rest>: 0 not at all, SIZE_MAX exactly,
 * else 1 + the length of the matching prefix (longer is more specific) */
static size_t rank(const wh_route *rt, const char *name, size_t nl, const char *rest)
{
    if (rt->p->dead || strlen(rt->p->name) != nl || strncmp(rt->p->name, name, nl) != 0)
        return 0;
    if (strcmp(rt->path, rest) == 0)
        return SIZE_MAX;
    size_t pl = strlen(rt->path);
    if ((rt->flags & WALOR_ROUTE_PREFIX) && strncmp(rt->path, rest, pl) == 0)
        return 1 + pl;
    return 0;
}

/* /p/<plugin>/<rest>: the most specific matching path decides which
 * methods apply (405 with Allow when none of its routes takes this one) */
const wh_route *wh_http_match(const char *name, size_t nl, const char *rest, uint32_t method_bit, uint32_t *allowed)
{
    size_t top = 0;
    for (size_t i = 0; i < routes.n; i++) {
        size_t k = rank(&routes.v[i], name, nl, rest);
        if (k > top)
            top = k;
    }
    const wh_route *best = NULL;
    *allowed = 0;
    for (size_t i = 0; top && i < routes.n; i++) {
        const wh_route *rt = &routes.v[i];
        if (rank(rt, name, nl, rest) != top)
            continue;
        *allowed |= rt->flags & 0xFu;
        if (!best && (rt->flags & method_bit))
            best = rt;
    }
    return best;
}

/* ---- API slots ---- */

static int path_ok(const char *s, int prefix)
{
    size_t n = s ? strlen(s) : 0;
    if (!s || n > 200 || (n == 0 && !prefix) || s[0] == '/')
        return 0;
    if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-/") != n)
        return 0;
    /* no empty, "." or ".." segment: a path means what it says */
    for (const char *seg = s; *seg;) {
        size_t l = strcspn(seg, "/");
        if ((l == 0) || (l == 1 && seg[0] == '.') || (l == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        seg += l;
        if (*seg == '/')
            seg++;
    }
    return 1;
}

static int32_t reg_route(walor_plugin *p, const walor_route_def *src)
{
    if (!p || !p->loading)
        return wh_error(WALOR_EPHASE, "registration is only allowed inside load()");
    if (!src || src->struct_size < sizeof(uint32_t) || src->struct_size > sizeof(walor_route_def))
        return wh_error(WALOR_EINVAL, "walor_route_def: bad struct_size");
    walor_route_def d;
    memset(&d, 0, sizeof d);
    memcpy(&d, src, src->struct_size);
    uint32_t methods = d.flags & 0xFu;
    int prefix = (d.flags & WALOR_ROUTE_PREFIX) != 0;
    if (!methods || (d.flags & ~(0xFu | WALOR_ROUTE_PREFIX)))
        return wh_error(WALOR_EINVAL, "route: flags must name at least one WALOR_HTTP_* method and nothing else");
    if (!d.handler)
        return wh_error(WALOR_EINVAL, "route: no handler");
    if (!path_ok(d.path, prefix))
        return wh_error(WALOR_EINVAL,
                        "route path must be relative, up to 200 characters of [A-Za-z0-9._~-/] without empty, "
                        "'.' or '..' segments: '%s'",
                        d.path ? d.path : "");
    for (size_t i = 0; i < routes.n; i++) {
        const wh_route *o = &routes.v[i];
        if (o->p == p && !strcmp(o->path, d.path) && ((o->flags ^ d.flags) & WALOR_ROUTE_PREFIX) == 0 &&
            (o->flags & methods))
            return wh_error(WALOR_EEXIST, "route %s is already registered for one of these methods", d.path);
    }
    char *path = strdup(d.path);
    if (!path)
        return wh_error(WALOR_ENOMEM, "out of memory");
    wh_route *rt = WH_PUSH(routes);
    rt->p = p;
    rt->path = path;
    rt->flags = d.flags;
    rt->fn = d.handler;
    rt->max_body = d.max_body ? d.max_body : ROUTE_DEFAULT_MAX_BODY;
    return WALOR_OK;
}

static struct wh_http_req *req_of(walor_ctx *c) { return c ? c->http : NULL; }

static const char *http_method(walor_ctx *c)
{
    struct wh_http_req *r = req_of(c);
    return r ? r->method : NULL;
}

static const char *http_path(walor_ctx *c)
{
    struct wh_http_req *r = req_of(c);
    return r ? r->rest : NULL;
}

/* the connection is suspended while the handler runs, so its header and
 * argument lists are not touched by the listener meanwhile */
static const char *http_header(walor_ctx *c, const char *name)
{
    struct wh_http_req *r = req_of(c);
    return r && name ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

static const char *http_query(walor_ctx *c, const char *name)
{
    struct wh_http_req *r = req_of(c);
    return r && name ? MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name) : NULL;
}

static const void *http_body(walor_ctx *c, size_t *len)
{
    struct wh_http_req *r = req_of(c);
    if (len)
        *len = r ? r->body_len : 0;
    if (!r)
        return NULL;
    return r->body ? r->body : "";
}

static int32_t http_respond(walor_ctx *c, uint32_t status, const char *type, const void *body, size_t len)
{
    struct wh_http_req *r = req_of(c);
    if (!r)
        return wh_error(WALOR_EPHASE, "http_respond outside an HTTP route handler");
    if (r->responded)
        return wh_error(WALOR_EEXIST, "http_respond: this request was answered already");
    if (status < 100 || status > 599)
        return wh_error(WALOR_EINVAL, "http_respond: status %u is not 100-599", status);
    if (!type)
        type = "application/octet-stream";
    size_t tl = strlen(type);
    if (tl == 0 || tl > 200)
        return wh_error(WALOR_EINVAL, "http_respond: content type empty or over 200 bytes");
    for (size_t i = 0; i < tl; i++)
        if ((unsigned char)type[i] < 0x20 || (unsigned char)type[i] == 0x7F)
            return wh_error(WALOR_EINVAL, "http_respond: control character in the content type");
    if (!body && len)
        return wh_error(WALOR_EINVAL, "http_respond: NULL body with length %zu", len);
    if (len > MAX_RESPONSE)
        return wh_error(WALOR_ERANGE, "http_respond: body of %zu bytes over %u", len, MAX_RESPONSE);
    wh_http_set_answer(r, status, type, body, len);
    if (!r->resp_type || !r->resp_body)
        return wh_error(WALOR_ENOMEM, "out of memory");
    r->responded = 1;
    return WALOR_OK;
}

static void free_routes(void)
{
    for (size_t i = 0; i < routes.n; i++)
        free(routes.v[i].path);
    free(routes.v);
    memset(&routes, 0, sizeof routes);
}

void wh_http_fill(walor_host_api *api)
{
    static int once;
    if (!once++)
        atexit(free_routes);
    api->reg_route = reg_route;
    api->http_method = http_method;
    api->http_path = http_path;
    api->http_header = http_header;
    api->http_query = http_query;
    api->http_body = http_body;
    api->http_respond = http_respond;
}

