/* walor_http_fetch (SDK 1.2): plugins' outbound HTTP (CDEK, DaData, payment
 * providers, image hosts) as a plain blocking call on the worker, as
 * ARCHITECTURE.md §2 decided. Each worker keeps one curl easy handle so
 * connections and TLS sessions to the same service are reused between
 * requests. The handle is reset before every request so nothing from one
 * plugin's request (headers, auth, body) leaks into the next one's.
 *
 * The log line carries method, host, path, status and time only: query
 * strings (API keys), headers (tokens) and bodies (personal data) stay out. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "api_slots.h"
#include "ctx.h"
#include "httpc.h"
#include "error.h"
#include "log.h"

#define DEFAULT_TIMEOUT_MS 10000u
#define DEFAULT_MAX (8u * 1024 * 1024)

typedef wh_httpc_sink sink;

static int sink_add(sink *s, const char *p, size_t add)
{
    if (s->len + add > s->max) {
        s->too_big = 1;
        return -1;
    }
    if (s->len + add + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        while (cap < s->len + add + 1)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            return -1;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, add);
    s->len += add;
    s->buf[s->len] = '\0';
    return 0;
}

size_t wh_httpc_sink_write(char *p, size_t size, size_t n, void *ud)
{
    return sink_add(ud, p, size * n) ? 0 : size * n; /* 0 aborts the transfer */
}

/* Header callbacks see every response of a redirect chain or a 100
 * Continue: a status line starts a new block so only the final one stays. */
size_t wh_httpc_header_write(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0)
        s->len = 0;
    return sink_add(s, p, len) ? 0 : len;
}

int64_t wh_httpc_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void wh_httpc_loggable(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = strchr(p, '@'), *slash = strchr(p, '/');
    if (at && (!slash || at < slash))
        p = at + 1; /* user:password@ never reaches the log */
    size_t n = strcspn(p, "?#");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static int valid_method(const char *m)
{
    static const char *const ok[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL};
    for (int i = 0; ok[i]; i++)
        if (strcmp(m, ok[i]) == 0)
            return 1;
    return 0;
}

int32_t wh_httpc_response(wh_arena *a, int32_t status, const wh_httpc_sink *body, const wh_httpc_sink *hdrs,
                          walor_http_response *out)
{
    char *b = wh_arena_alloc(a, body->len + 1);
    char *hh = wh_arena_alloc(a, hdrs->len + 1);
    if (!b || !hh)
        return wh_error(WALOR_ENOMEM, "out of memory");
    if (body->len)
        memcpy(b, body->buf, body->len);
    b[body->len] = '\0';
    if (hdrs->len)
        memcpy(hh, hdrs->buf, hdrs->len);
    hh[hdrs->len] = '\0';
    out->status = status;
    out->body = b;
    out->body_len = body->len;
    out->headers = hh;
    return 0;
}

int32_t wh_httpc_check(const char *what, const char *url, const char *method)
{
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return wh_error(WALOR_EINVAL, "%s: the URL must start with http:// or https://", what);
    if (!valid_method(method))
        return wh_error(WALOR_EINVAL, "%s: unsupported method", what);
    return 0;
}

int32_t wh_httpc_headers(const char *what, const char *const *headers, struct curl_slist **out)
{
    struct curl_slist *hl = NULL;
    for (uint32_t i = 0; headers && headers[i]; i++) {
        if (strchr(headers[i], '\n') || strchr(headers[i], '\r')) {
            curl_slist_free_all(hl);
            return wh_error(WALOR_EINVAL, "%s: header %u holds a line break", what, i);
        }
        struct curl_slist *n = curl_slist_append(hl, headers[i]);
        if (!n) {
            curl_slist_free_all(hl);
            return wh_error(WALOR_ENOMEM, "out of memory");
        }
        hl = n;
    }
    /* curl would send "Expect: 100-continue" for big bodies, which costs a
     * round trip and which some providers' gateways refuse */
    struct curl_slist *n = curl_slist_append(hl, "Expect:");
    if (n)
        hl = n;
    *out = hl;
    return 0;
}

void wh_httpc_setup(CURL *h, const char *url, const char *method, struct curl_slist *hl, const void *body,
                    uint64_t body_len, uint32_t timeout_ms)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    /* storage and payment APIs answer with redirects; curl drops
     * Authorization when one leads to another host */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ms < 5000 ? timeout_ms : 5000));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, wh_httpc_header_write);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* whatever this libcurl can decode */
    curl_easy_setopt(h, CURLOPT_USERAGENT, "walord");
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
}

static int32_t http_fetch(walor_ctx *c, const walor_http_request *rq, walor_http_response *out)
{
    if (!c || !rq || !out || rq->struct_size < offsetof(walor_http_request, max_response) + sizeof rq->max_response ||
        out->struct_size < offsetof(walor_http_response, headers) + sizeof out->headers)
        return wh_error(WALOR_EINVAL, "http_fetch needs a request and a response (struct_size set)");
    const char *method = rq->method ? rq->method : rq->body ? "POST" : "GET";
    int32_t rc = wh_httpc_check("http_fetch", rq->url, method);
    if (rc)
        return rc;
    if (c->tx_managed)
        return wh_error(WALOR_EPHASE, "http_fetch in an event subscriber, which runs inside the delivery's "
                                      "transaction: do network work in a job (walor_job)");
    if (c->w && wh_db_in_tx(c->w->db))
        return wh_error(WALOR_EPHASE, "http_fetch inside a transaction: commit first, a network wait must not "
                                      "hold the database write lock");
    out->status = 0;
    out->body = "";
    out->body_len = 0;
    out->headers = "";

    CURL *h = c->w ? c->w->curl : NULL;
    int own = 0;
    if (!h) {
        h = curl_easy_init();
        if (!h)
            return wh_error(WALOR_ENOMEM, "curl_easy_init failed");
        if (c->w)
            c->w->curl = h;
        else
            own = 1;
    } else {
        curl_easy_reset(h);
    }

    struct curl_slist *hl = NULL;
    if ((rc = wh_httpc_headers("http_fetch", rq->headers, &hl)) != 0)
        goto done;

    uint32_t tmo = rq->timeout_ms ? rq->timeout_ms : DEFAULT_TIMEOUT_MS;
    sink body = {.max = rq->max_response ? (size_t)rq->max_response : DEFAULT_MAX};
    sink hdrs = {.max = WH_HTTPC_MAX_HEADERS};
    wh_httpc_setup(h, rq->url, method, hl, rq->body, rq->body_len, tmo);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, wh_httpc_sink_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hdrs);

    int64_t t0 = wh_httpc_mono_ms();
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    int64_t ms = wh_httpc_mono_ms() - t0;
    char where[256];
    wh_httpc_loggable(rq->url, where, sizeof where);
    const char *who = c->plugin ? c->plugin->name : "host";

    if (body.too_big) {
        rc = wh_error(WALOR_ELIMIT, "the response of %s is over %zu bytes", where, body.max);
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        rc = wh_error(WALOR_ETIMEDOUT, "%s %s timed out after %u ms", method, where, tmo);
    } else if (cc != CURLE_OK) {
        rc = wh_error(WALOR_ENET, "%s %s failed: %s", method, where, curl_easy_strerror(cc));
    } else {
        rc = wh_httpc_response(c->arena, (int32_t)status, &body, &hdrs, out);
    }
    if (rc == 0)
        wh_logf(WH_LOG_DEBUG, who, "http %s %s -> %ld in %lld ms", method, where, status, (long long)ms);
    else
        wh_logf(WH_LOG_WARN, who, "http: %s (%lld ms)", wh_last_error(), (long long)ms);
    free(body.buf);
    free(hdrs.buf);
done:
    /* the handle keeps pointers to the list and to our sinks: drop them now */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    if (own)
        curl_easy_cleanup(h);
    return rc;
}

static char *url_escape(walor_ctx *c, const char *s)
{
    if (!c || !s)
        return NULL;
    char *e = curl_easy_escape(NULL, s, (int)strlen(s));
    if (!e)
        return NULL;
    char *r = wh_arena_strdup(c->arena, e);
    curl_free(e);
    return r;
}

/* SDK 1.3: what the 1.2 wrapper did in every plugin, done once here */
static int32_t http_post(walor_ctx *c, const char *url, const char *const *headers, const char *content_type,
                         const void *body, uint64_t body_len, uint32_t timeout_ms, walor_http_response *out)
{
    const char *hs[34];
    uint32_t n = 0;
    if (!c || !out)
        return wh_error(WALOR_EINVAL, "http_post: no response to fill");
    if (content_type) {
        if (strpbrk(content_type, "\r\n"))
            return wh_error(WALOR_EINVAL, "http_post: a line break in the content type");
        hs[n++] = wh_arena_printf(c->arena, "Content-Type: %s", content_type);
    }
    for (uint32_t i = 0; headers && headers[i]; i++) {
        if (n == 33)
            return wh_error(WALOR_EINVAL, "http_post: more than 32 headers");
        hs[n++] = headers[i];
    }
    hs[n] = NULL;
    walor_http_request rq = {.struct_size = sizeof rq, .timeout_ms = timeout_ms, .method = "POST", .url = url,
                             .headers = hs, .body = body ? body : "", .body_len = body_len};
    return http_fetch(c, &rq, out);
}

/* the first header `name` of a response's header block, trimmed */
static const char *http_resp_header(walor_ctx *c, const walor_http_response *r, const char *name)
{
    size_t nl = name ? strlen(name) : 0;
    if (!c || !r || !nl || r->struct_size < offsetof(walor_http_response, headers) + sizeof r->headers)
        return NULL;
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1, *end = p + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
                end--;
            return wh_arena_strndup(c->arena, v, (size_t)(end - v));
        }
        p = eol ? eol + 1 : p + len;
    }
    return NULL;
}

void wh_httpc_worker_done(wh_worker *w)
{
    if (w && w->curl) {
        curl_easy_cleanup(w->curl);
        w->curl = NULL;
    }
}

void wh_httpc_fill(walor_host_api *api)
{
    api->http_fetch = http_fetch;
    api->url_escape = url_escape;
    api->http_post = http_post;
    api->http_resp_header = http_resp_header;
}
