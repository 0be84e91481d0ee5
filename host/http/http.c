/* The HTTP listener (ARCHITECTURE.md §2): GET /healthz, GET /metrics, the
 * Telegram webhook, plugin routes under /p/<plugin>/…, and in test mode the
 * host clock at /_test/clock.
 *
 * libmicrohttpd does all of HTTP. It runs its own small thread pool
 * (epoll); those threads only parse, check and answer. Plugin route
 * handlers run on the worker pool like every other plugin callback: the
 * listener suspends the connection (MHD_suspend_connection), submits the
 * request, and the worker resumes it when the answer is ready. We chose
 * suspend/resume over a listener thread blocking on a condition variable
 * because a blocked listener thread holds every other connection it owns:
 * one slow plugin route would delay /healthz and the webhook, and a few
 * would stall the listener. Suspended connections cost nothing while they
 * wait.
 *
 * /healthz and the webhook touch the database on the listener's own
 * connection, one for all listener threads behind a mutex: they are short
 * (SELECT 1 / one insert transaction), and SQLite serialises writers
 * anyway, so more connections would buy nothing.
 *
 * Every access handler is two-phase (LIBRARIES.md, keep-alive trap): the
 * first call only records the request, later calls take the body and
 * answer. The exceptions answer early on purpose and close the
 * connection: a body declared larger than allowed (413) and a webhook
 * call with a wrong secret (401), so that neither is read at all. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <uv.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "registry.h"
#include "report.h"
#include "storage.h"
#include "tg.h"

#define DEFAULT_LISTEN_WEBHOOK "127.0.0.1:8080"
#define MHD_THREADS 4u                       /* parse and answer only: a few are plenty */
#define LISTEN_BACKLOG 1024u
#define MAX_LISTEN 8
#define WEBHOOK_RETRY_MS 5000

enum { K_NONE, K_HEALTHZ, K_METRICS, K_WEBHOOK, K_CLOCK, K_PLUGIN, K_ERROR };
enum { S_BODY, S_RUNNING, S_READY, S_SENT };

/* ---- listener state ---- */

typedef struct listen_addr {
    struct sockaddr_storage sa;
    socklen_t len;
    char text[80];
} listen_addr;

static struct {
    /* [http], checked at start */
    listen_addr addrs[MAX_LISTEN];
    size_t naddrs;
    uint64_t max_body;
    unsigned max_conn;
    unsigned timeout_s;
    size_t max_header;
    const char *webhook_path;
    unsigned char secret_digest[32]; /* SHA-256 of the webhook secret */
    int webhook;

    uv_loop_t *loop;
    struct MHD_Daemon *d[MAX_LISTEN];
    size_t nd;
    wh_db *db;                       /* the listener's connection, under db_mu */
    pthread_mutex_t db_mu;
    int health_ok;                   /* last /healthz result, to log changes only (under db_mu) */

    /* route jobs on the worker pool: stop waits until none is left */
    pthread_mutex_t mu;
    pthread_cond_t idle;
    size_t inflight;
    _Atomic int stopping;

    int started;
    uv_work_t stop_work;
    uv_timer_t retry_timer;
    int retry_timer_open;
    int ready_said;
    int64_t start_s;
    wh_http_hooks hooks;
} H = {.db_mu = PTHREAD_MUTEX_INITIALIZER, .mu = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

/* ---- configuration ---- */

static int fail_cfg(const char *key, const char *fmt, const char *value)
{
    char msg[300];
    snprintf(msg, sizeof msg, fmt, value ? value : "");
    wh_err("[http] %s: %s", key, msg);
    return -1;
}

/* decimal, optional K or M (binary) suffix */
static int parse_size(const char *key, const char *v, uint64_t def, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!v) {
        *out = def;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    uint64_t mul = 1;
    if (end && (*end == 'k' || *end == 'K'))
        mul = 1024, end++;
    else if (end && (*end == 'm' || *end == 'M'))
        mul = 1024 * 1024, end++;
    if (errno || end == v || *end || v[0] == '-' || n > max / mul || n * mul < min) {
        char fmt[200];
        snprintf(fmt, sizeof fmt, "expected a size from %llu to %llu bytes (K and M suffixes allowed), got \"%%s\"",
                 (unsigned long long)min, (unsigned long long)max);
        return fail_cfg(key, fmt, v);
    }
    *out = (uint64_t)n * mul;
    return 0;
}

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return 0;
}

/* "host:port" or "[v6]:port" */
static int parse_addr(const char *item, listen_addr *out)
{
    char host[64], port[8];
    const char *colon;
    size_t hl;
    if (item[0] == '[') {
        const char *rb = strchr(item, ']');
        if (!rb || rb[1] != ':')
            return fail_cfg("listen", "expected host:port or [ipv6]:port, got \"%s\"", item);
        hl = (size_t)(rb - item - 1);
        memcpy(host, item + 1, hl < sizeof host ? hl : 0);
        colon = rb + 1;
    } else {
        colon = strrchr(item, ':');
        if (!colon || strchr(item, ':') != colon)
            return fail_cfg("listen", "expected host:port or [ipv6]:port, got \"%s\"", item);
        hl = (size_t)(colon - item);
        memcpy(host, item, hl < sizeof host ? hl : 0);
    }
    size_t pl = strlen(colon + 1);
    if (hl == 0 || hl >= sizeof host || pl == 0 || pl >= sizeof port ||
        strspn(colon + 1, "0123456789") != pl || atoi(colon + 1) > 65535)
        return fail_cfg("listen", "expected host:port or [ipv6]:port with a port 0-65535, got \"%s\"", item);
    host[hl] = '\0';
    memcpy(port, colon + 1, pl + 1);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || !res || res->ai_addrlen > sizeof out->sa) {
        if (res)
            freeaddrinfo(res);
        return fail_cfg("listen", "cannot resolve \"%s\"", item);
    }
    memcpy(&out->sa, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    snprintf(out->text, sizeof out->text, "%s", item);
    return 0;
}

static int parse_listen(const char *v)
{
    H.naddrs = 0;
    if (!v || !*v) {
        if (!H.webhook)
            return 0; /* no listener: nothing asked for one */
        v = DEFAULT_LISTEN_WEBHOOK;
    }
    char *copy = strdup(v);
    if (!copy)
        return -1;
    int rc = 0;
    char *save = NULL;
    for (char *it = strtok_r(copy, ",", &save); it && rc == 0; it = strtok_r(NULL, ",", &save)) {
        while (*it == ' ' || *it == '\t')
            it++;
        size_t n = strlen(it);
        while (n && (it[n - 1] == ' ' || it[n - 1] == '\t'))
            it[--n] = '\0';
        if (!*it)
            continue;
        if (H.naddrs == MAX_LISTEN) {
            rc = fail_cfg("listen", "at most 8 addresses, got \"%s\"", v);
            break;
        }
        rc = parse_addr(it, &H.addrs[H.naddrs]);
        if (rc == 0)
            H.naddrs++;
    }
    free(copy);
    return rc;
}

static int reserved_path(const char *p)
{
    return !strcmp(p, "/healthz") || !strcmp(p, "/metrics") || !strncmp(p, "/p/", 3) || !strncmp(p, "/_test/", 7);
}

static int read_config(void)
{
    const wh_config *cfg = &wh_g.cfg;
    uint64_t v;
    H.webhook = cfg->mode == WH_TG_WEBHOOK;
    if (parse_listen(wh_config_get(cfg, "http", "listen")) != 0)
        return -1;
    if (parse_size("max_body", wh_config_get(cfg, "http", "max_body"), 1024 * 1024, 1024, 1024ull * 1024 * 1024,
                   &H.max_body) != 0)
        return -1;
    if (parse_size("max_connections", wh_config_get(cfg, "http", "max_connections"), 256, MHD_THREADS, 100000,
                   &v) != 0)
        return -1;
    H.max_conn = (unsigned)v;
    if (parse_size("request_timeout", wh_config_get(cfg, "http", "request_timeout"), 10, 1, 3600, &v) != 0)
        return -1;
    H.timeout_s = (unsigned)v;
    if (parse_size("max_header", wh_config_get(cfg, "http", "max_header"), 16 * 1024, 1024, 1024 * 1024, &v) != 0)
        return -1;
    H.max_header = (size_t)v;

    H.webhook_path = wh_config_get(cfg, "telegram", "webhook_path");
    if (!H.webhook_path)
        H.webhook_path = "/telegram/webhook";
    if (H.webhook_path[0] != '/' || reserved_path(H.webhook_path) || strlen(H.webhook_path) > 200) {
        wh_err("[telegram] webhook_path: expected a path starting with '/' outside /healthz, /metrics, /p/ and "
               "/_test/, got \"%s\"", H.webhook_path);
        return -1;
    }
    if (H.webhook) {
        /* without a secret anyone who finds the URL could inject updates */
        if (!cfg->webhook_secret) {
            wh_err("[telegram] webhook mode needs webhook_secret (or webhook_secret_file)");
            return -1;
        }
        unsigned int n = 0;
        if (!EVP_Digest(cfg->webhook_secret, strlen(cfg->webhook_secret), H.secret_digest, &n, EVP_sha256(), NULL) ||
            n != sizeof H.secret_digest) {
            wh_err("cannot hash the webhook secret");
            return -1;
        }
    }
    if (wh_g.cfg.test_mode)
        for (size_t i = 0; i < H.naddrs; i++)
            if (!is_loopback((const struct sockaddr *)&H.addrs[i].sa)) {
                /* /_test/clock moves the host's time: never reachable from outside */
                wh_err("[http] listen: %s is not a loopback address, and test_mode is on; refusing to start "
                       "(turn test_mode off in production)", H.addrs[i].text);
                return -1;
            }
    return 0;
}

/* ---- answers ---- */

static void set_json(struct wh_http_req *r, unsigned status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s) {
        wh_http_set_error(r, 500, "out of memory");
        return;
    }
    wh_http_set_answer(r, status, "application/json", s, strlen(s));
    free(s);
}

static enum MHD_Result send_answer(struct wh_http_req *r)
{
    if (!r->resp_type || !r->resp_body)
        return MHD_NO; /* out of memory: drop the connection */
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->resp_len, r->resp_body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->resp_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status, resp);
    MHD_destroy_response(resp);
    atomic_store(&r->state, S_SENT);
    wh_metrics_http(r->status);
    return ret;
}

/* ---- routing ---- */

static void allow_header(struct wh_http_req *r, uint32_t methods)
{
    r->allow_buf[0] = '\0';
    static const struct {
        uint32_t bit;
        const char *names;
    } m[] = {{WALOR_HTTP_GET, "GET, HEAD"}, {WALOR_HTTP_POST, "POST"}, {WALOR_HTTP_PUT, "PUT"},
             {WALOR_HTTP_DELETE, "DELETE"}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (methods & m[i].bit) {
            if (r->allow_buf[0])
                strcat(r->allow_buf, ", ");
            strcat(r->allow_buf, m[i].names);
        }
    r->allow = r->allow_buf;
}

/* /p/<plugin>/<rest>: the most specific matching path decides which
 * methods apply (405 with Allow when none of its routes takes this one) */
static void route_plugin(struct wh_http_req *r, const char *method)
{
    const char *name = r->url + 3;
    const char *slash = strchr(name, '/');
    if (!slash) {
        r->kind = K_ERROR;
        wh_http_set_error(r, 404, "not found");
        return;
    }
    size_t nl = (size_t)(slash - name);
    const char *rest = slash + 1;
    uint32_t allowed = 0;
    const wh_route *best = wh_http_match(name, nl, rest, (uint32_t)wh_http_method_bit(method), &allowed);
    if (best) {
        r->kind = K_PLUGIN;
        r->route = best;
        r->rest = rest;
        r->max_body = best->max_body < H.max_body ? best->max_body : H.max_body;
        return;
    }
    r->kind = K_ERROR;
    if (allowed) {
        allow_header(r, allowed);
        wh_http_set_error(r, 405, "method not allowed");
    } else {
        wh_http_set_error(r, 404, "not found");
    }
}

static void route(struct wh_http_req *r, const char *method)
{
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    int post = !strcmp(method, "POST");
    r->max_body = H.max_body;
    if (!strcmp(r->url, "/healthz") || !strcmp(r->url, "/metrics")) {
        r->kind = r->url[1] == 'h' ? K_HEALTHZ : K_METRICS;
        if (!get) {
            r->kind = K_ERROR;
            r->allow = "GET, HEAD";
            wh_http_set_error(r, 405, "method not allowed");
        }
    } else if (H.webhook && !strcmp(r->url, H.webhook_path)) {
        r->kind = K_WEBHOOK;
        if (!post) {
            r->kind = K_ERROR;
            r->allow = "POST";
            wh_http_set_error(r, 405, "method not allowed");
        }
    } else if (wh_g.cfg.test_mode && !strcmp(r->url, "/_test/clock")) {
        r->kind = K_CLOCK;
        if (!get && !post) {
            r->kind = K_ERROR;
            r->allow = "GET, HEAD, POST";
            wh_http_set_error(r, 405, "method not allowed");
        }
    } else if (!strncmp(r->url, "/p/", 3)) {
        route_plugin(r, method);
    } else {
        r->kind = K_ERROR;
        wh_http_set_error(r, 404, "not found");
    }
}

/* ---- built-in routes (listener threads) ---- */

/* under db_mu */
static void reopen_db(void)
{
    char err[256];
    wh_db_close(H.db);
    H.db = wh_db_open(wh_g.cfg.db, err, sizeof err);
    if (!H.db)
        wh_error(WALOR_EDB, "cannot open the database: %s", err);
}

static void do_healthz(struct wh_http_req *r)
{
    if (atomic_load(&H.stopping) || wh_g.stopping) {
        wh_http_set_error(r, 503, "stopping");
        return;
    }
    if (!wh_storage_ok()) { /* full or read-only: see storage.h */
        wh_http_set_error(r, 503, "database storage unavailable");
        return;
    }
    pthread_mutex_lock(&H.db_mu);
    int32_t rc = H.db ? wh_db_check(H.db) : WALOR_EDB;
    if (rc < 0) {
        /* once SQLite has seen a bad file header, the connection keeps
         * failing until another connection writes, even after the file is
         * repaired: judge by a fresh connection, and keep it */
        reopen_db();
        rc = H.db ? wh_db_check(H.db) : WALOR_EDB;
    }
    if (rc < 0 && H.health_ok)
        wh_err("health check: the database is unusable: %s", wh_last_error());
    else if (rc == 0 && !H.health_ok)
        wh_info("health check: the database is usable");
    H.health_ok = rc == 0;
    pthread_mutex_unlock(&H.db_mu);
    if (rc < 0)
        wh_http_set_error(r, 503, "database unavailable");
    else
        wh_http_set_answer(r, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

static void do_metrics(struct wh_http_req *r)
{
    wh_metrics_ext x = {0};
    if (wh_g.tg) {
        wh_tg_stats st;
        wh_tg_get_stats(wh_g.tg, &st);
        x.tg_requests = st.requests;
        x.tg_errors = st.errors;
        x.tg_429 = st.http_429;
        x.tg_retries = st.retries;
        x.tg_updates_polled = st.updates_received;
        x.outbox_queued = st.queued;
    }
    if (wh_g.pool)
        x.worker_queued = wh_pool_queued(wh_g.pool);
    for (size_t i = 0; i < wh_reg.plugins.n; i++)
        if (wh_reg.plugins.v[i]->dl && !wh_reg.plugins.v[i]->dead)
            x.plugins_loaded++;
    x.uptime_s = (int64_t)time(NULL) - H.start_s;
    size_t len = 0;
    char *text = wh_metrics_render(&x, &len);
    if (!text) {
        wh_http_set_error(r, 500, "out of memory");
        return;
    }
    wh_http_set_answer(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

static int secret_ok(struct MHD_Connection *conn)
{
    const char *got = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Telegram-Bot-Api-Secret-Token");
    unsigned char d[32];
    unsigned int n = 0;
    if (!got)
        got = "";
    /* comparing digests keeps the time independent of where (and whether
     * by length) the given value differs from the secret */
    if (!EVP_Digest(got, strlen(got), d, &n, EVP_sha256(), NULL) || n != sizeof d)
        return 0;
    return CRYPTO_memcmp(d, H.secret_digest, sizeof d) == 0;
}

static void do_webhook(struct wh_http_req *r)
{
    json_error_t jerr;
    json_t *u = r->body ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
    if (!json_is_object(u) || !json_is_integer(json_object_get(u, "update_id"))) {
        json_decref(u);
        wh_warn("webhook: malformed update (%zu bytes) refused", r->body_len);
        wh_http_set_error(r, 400, "malformed update");
        return;
    }
    if (!wh_storage_ok()) {
        /* cannot be stored, so not acknowledged: Telegram sends it again */
        json_decref(u);
        wh_http_set_error(r, 503, "database storage unavailable");
        return;
    }
    json_t *batch = json_array();
    if (!batch || json_array_append_new(batch, u) != 0) {
        json_decref(batch);
        wh_http_set_error(r, 500, "out of memory");
        return;
    }
    pthread_mutex_lock(&H.db_mu);
    if (!H.db)
        reopen_db(); /* /healthz found it broken; maybe it is back */
    int rc = H.db ? H.hooks.accept_updates(H.db, batch) : -1;
    pthread_mutex_unlock(&H.db_mu);
    json_decref(batch);
    if (rc != 0) {
        /* not stored: a non-2xx answer makes Telegram send it again */
        if (!wh_storage_ok())
            wh_http_set_error(r, 503, "database storage unavailable");
        else
            wh_http_set_error(r, 500, "cannot store the update");
        return;
    }
    wh_metrics_webhook_stored(1);
    wh_http_set_answer(r, 200, "application/json", "{}", 2);
}

static void do_clock(struct wh_http_req *r, const char *method)
{
    if (!strcmp(method, "POST")) {
        json_error_t jerr;
        json_t *j = r->body ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
        json_t *a = json_object_get(j, "advance_s");
        if (!json_is_integer(a) || json_integer_value(a) < 0 ||
            json_integer_value(a) > (json_int_t)100 * 366 * 86400) {
            json_decref(j);
            wh_http_set_error(r, 400, "expected {\"advance_s\": seconds >= 0}");
            return;
        }
        int64_t n = (int64_t)json_integer_value(a);
        json_decref(j);
        H.hooks.clock_advance(n);
    }
    set_json(r, 200, json_pack("{s:I}", "now", (json_int_t)wh_now()));
}

/* ---- plugin routes (worker pool) ---- */

static void job_done(struct wh_http_req *r)
{
    atomic_store(&r->state, S_READY);
    /* from here on r belongs to the listener again, which may free it;
     * the request stays in flight until its answer is sent (on_completed) */
    MHD_resume_connection(r->conn);
}

static void route_job(void *state, void *arg)
{
    wh_worker *w = state;
    struct wh_http_req *r = arg;
    const wh_route *rt = r->route;
    walor_ctx c;
    wh_ctx_init(&c, w);
    c.plugin = rt->p;
    c.http = r;
    int32_t rc = wh_ctx_call0(&c, rt->p, rt->fn);
    if (rc < 0) {
        char detail[700], where[300];
        snprintf(detail, sizeof detail, "%s: %s", wh_strerror(rc), wh_last_error());
        snprintf(where, sizeof where, "route %s /p/%s/%s", r->method, rt->p->name, rt->path);
        wh_logf(WH_LOG_ERROR, rt->p->name, "%s failed: %s", where, detail);
        wh_report_failure(&c, rt->p->name, where, detail);
        wh_http_set_error(r, 500, "internal error");
    } else if (!r->responded) {
        wh_logf(WH_LOG_ERROR, rt->p->name, "route %s /p/%s/%s returned without an answer", r->method, rt->p->name,
                rt->path);
        wh_http_set_error(r, 500, "the handler did not answer");
    }
    wh_ctx_finish(&c);
    job_done(r);
}

/* the pool is stopping and will not run it */
static void route_drop(void *arg)
{
    struct wh_http_req *r = arg;
    wh_http_set_error(r, 503, "shutting down");
    job_done(r);
}

/* listener thread: hand the request to a worker and park the connection */
static enum MHD_Result run_plugin(struct wh_http_req *r)
{
    /* each request its own key: requests run in parallel, and negative
     * keys never meet a chat's (chats are positive for users, and the
     * host's own keys sit at INT64_MIN) */
    static _Atomic int64_t seq;
    int64_t key = -(int64_t)(1 + (atomic_fetch_add(&seq, 1) & (INT64_MAX >> 2)));

    pthread_mutex_lock(&H.mu);
    int refuse = atomic_load(&H.stopping);
    if (!refuse)
        H.inflight++;
    pthread_mutex_unlock(&H.mu);
    r->counted = !refuse;
    if (refuse) {
        wh_http_set_error(r, 503, "shutting down");
        return send_answer(r);
    }
    atomic_store(&r->state, S_RUNNING);
    /* suspend before submitting: a worker may finish (and resume) at once */
    MHD_suspend_connection(r->conn);
    if (wh_pool_submit(wh_g.pool, key, route_job, r, route_drop) != 0) {
        wh_http_set_error(r, 503, "shutting down");
        job_done(r);
    }
    return MHD_YES;
}

/* ---- the access handler ---- */

static enum MHD_Result early(struct wh_http_req *r, unsigned status, const char *msg)
{
    wh_http_set_error(r, status, msg);
    return send_answer(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)version;
    struct wh_http_req *r = *con_cls;
    if (!r) {
        /* phase one: look at the headers, answer nothing yet */
        if (!(r = calloc(1, sizeof *r)) || !(r->url = strdup(url ? url : "/"))) {
            free(r);
            return MHD_NO;
        }
        *con_cls = r;
        r->conn = conn;
        r->method = method;
        route(r, method);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || !end || *end || n > r->max_body)
                return early(r, 413, "request body too large");
        }
        if (r->kind == K_WEBHOOK && !secret_ok(conn)) {
            const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
            char ip[INET6_ADDRSTRLEN] = "?";
            if (ci && ci->client_addr) {
                const struct sockaddr *sa = ci->client_addr;
                if (sa->sa_family == AF_INET)
                    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
                else if (sa->sa_family == AF_INET6)
                    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
            }
            wh_warn("webhook: request from %s with a wrong or missing secret token refused", ip);
            return early(r, 401, "unauthorized");
        }
        return MHD_YES;
    }

    int st = atomic_load(&r->state);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (st != S_BODY)
            return MHD_YES; /* answered early: MHD closes after the answer */
        if (r->body_len + n > r->max_body)
            return MHD_NO;  /* a chunked body over the limit: drop the connection */
        if (r->kind == K_ERROR)
            return MHD_YES; /* the answer does not depend on the body */
        if (r->body_len + n + 1 > r->body_cap) {
            size_t cap = r->body_cap ? r->body_cap : 4096;
            while (cap < r->body_len + n + 1)
                cap *= 2;
            char *b = realloc(r->body, cap);
            if (!b)
                return MHD_NO;
            r->body = b;
            r->body_cap = cap;
        }
        memcpy(r->body + r->body_len, upload_data, n);
        r->body_len += n;
        r->body[r->body_len] = '\0';
        return MHD_YES;
    }

    /* phase two: the whole request is here (or a worker resumed it) */
    switch (st) {
    case S_SENT:
    case S_RUNNING:
        return MHD_YES;
    case S_READY:
        return send_answer(r);
    default:
        break;
    }
    switch (r->kind) {
    case K_HEALTHZ: do_healthz(r); break;
    case K_METRICS: do_metrics(r); break;
    case K_WEBHOOK: do_webhook(r); break;
    case K_CLOCK: do_clock(r, method); break;
    case K_PLUGIN: return run_plugin(r);
    default: break; /* K_ERROR: the answer was set while routing */
    }
    return send_answer(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct wh_http_req *r = *con_cls;
    if (!r)
        return;
    if (r->counted) {
        /* a plugin route is over only once its answer went out (or the
         * client left): stopping waits for this, not for the worker */
        pthread_mutex_lock(&H.mu);
        if (--H.inflight == 0)
            pthread_cond_broadcast(&H.idle);
        pthread_mutex_unlock(&H.mu);
    }
    free(r->url);
    free(r->body);
    free(r->resp_type);
    free(r->resp_body);
    free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    wh_logf(WH_LOG_WARN, "http", "%s", line);
}

/* ---- Telegram: setWebhook / deleteWebhook (loop thread) ---- */

static void set_webhook(void);

static void say_ready(void)
{
    if (H.ready_said++)
        return;
    wh_info("ready: Telegram posts updates to the webhook");
    fputs("walord: ready\n", stderr);
    fflush(stderr);
}

static void on_retry_timer(uv_timer_t *t)
{
    (void)t;
    set_webhook();
}

static void on_set_webhook(wh_tg_result *res, void *ud)
{
    (void)ud;
    if (res->ok) {
        wh_info("webhook set; the listener takes updates at %s", H.webhook_path);
        say_ready();
        return;
    }
    if (atomic_load(&H.stopping) || wh_g.stopping)
        return;
    wh_err("setWebhook failed (%d: %s); trying again in %d s", res->error_code, res->description,
           WEBHOOK_RETRY_MS / 1000);
    if (H.retry_timer_open)
        uv_timer_start(&H.retry_timer, on_retry_timer, WEBHOOK_RETRY_MS, 0);
}

static void set_webhook(void)
{
    /* the same kinds the poller asks for (tg_poll.c) */
    json_t *p = json_pack("{s:s, s:s, s:[sssss], s:b}", "url", wh_g.cfg.webhook_url, "secret_token",
                          wh_g.cfg.webhook_secret, "allowed_updates", "message", "edited_message", "callback_query",
                          "my_chat_member", "pre_checkout_query", "drop_pending_updates", 0);
    if (wh_tg_call_cb(wh_g.tg, "setWebhook", p, NULL, 0, WH_TG_UNPACED, on_set_webhook, NULL) < 0)
        wh_err("setWebhook not sent: %s", wh_last_error());
}

static void on_delete_webhook(wh_tg_result *res, void *ud)
{
    (void)ud;
    if (!res->ok && !wh_g.stopping)
        wh_warn("deleteWebhook failed (%d: %s); polling gets 409 while a webhook is set", res->error_code,
                res->description);
}

/* ---- start / stop ---- */

static void stop_daemons(void)
{
    for (size_t i = 0; i < H.nd; i++)
        MHD_stop_daemon(H.d[i]);
    H.nd = 0;
}

static int start_daemons(void)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    /* headers, the read buffer and our answer's headers share this pool:
     * a request whose headers do not fit gets 431 from libmicrohttpd */
    size_t mem = H.max_header + 16 * 1024;
    for (size_t i = 0; i < H.naddrs; i++) {
        listen_addr *a = &H.addrs[i];
        unsigned f = flags | (a->sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
        struct MHD_Daemon *d = MHD_start_daemon(
            /* the logger first, so that option errors reach our log too */
            f, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
            (const struct sockaddr *)&a->sa,
            MHD_OPTION_THREAD_POOL_SIZE, MHD_THREADS, MHD_OPTION_CONNECTION_TIMEOUT, H.timeout_s,
            MHD_OPTION_CONNECTION_LIMIT, H.max_conn, MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem,
            MHD_OPTION_LISTEN_BACKLOG_SIZE, LISTEN_BACKLOG, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
        if (!d) {
            wh_err("[http] listen: cannot listen on %s (in use, or not an address of this host?)", a->text);
            return -1;
        }
        H.d[H.nd++] = d;
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        wh_info("HTTP listener on %s (port %u)", a->text, di ? (unsigned)di->port : 0u);
    }
    return 0;
}

int wh_http_start(uv_loop_t *loop, const wh_http_hooks *hooks)
{
    char err[256];
    H.loop = loop;
    H.hooks = *hooks;
    H.start_s = (int64_t)time(NULL);
    atomic_store(&H.stopping, 0);
    if (read_config() != 0)
        return -1;
    if (H.naddrs) {
        H.db = wh_db_open(wh_g.cfg.db, err, sizeof err);
        if (!H.db) {
            wh_err("HTTP listener: cannot open the database: %s", err);
            return -1;
        }
        H.health_ok = 1;
        if (start_daemons() != 0) {
            stop_daemons();
            wh_db_close(H.db);
            H.db = NULL;
            return -1;
        }
    }
    H.started = 1;
    if (H.webhook) {
        uv_timer_init(loop, &H.retry_timer);
        H.retry_timer_open = 1;
        set_webhook();
    } else {
        /* Telegram keeps the updates that arrived while a webhook was set
         * and hands them to getUpdates once it is deleted: switching back
         * to polling loses nothing */
        json_t *p = json_pack("{s:b}", "drop_pending_updates", 0);
        if (wh_tg_call_cb(wh_g.tg, "deleteWebhook", p, NULL, 0, WH_TG_UNPACED, on_delete_webhook, NULL) < 0)
            wh_warn("deleteWebhook not sent: %s", wh_last_error());
    }
    return 0;
}

/* a libuv pool thread: waiting here instead of on the loop thread lets
 * route handlers that send messages (through the loop) finish. Waits until
 * every plugin route that was taken has sent its answer: MHD_stop_daemon
 * closes whatever connection is still open. */
static void stop_wait(uv_work_t *w)
{
    (void)w;
    pthread_mutex_lock(&H.mu);
    while (H.inflight)
        pthread_cond_wait(&H.idle, &H.mu);
    pthread_mutex_unlock(&H.mu);
    stop_daemons();
}

static void stop_done(uv_work_t *w, int status)
{
    (void)w;
    (void)status;
    wh_db_close(H.db);
    H.db = NULL;
    wh_info("HTTP listener stopped");
}

void wh_http_stop(void)
{
    if (!H.started || atomic_load(&H.stopping))
        return;
    pthread_mutex_lock(&H.mu);
    atomic_store(&H.stopping, 1);
    pthread_mutex_unlock(&H.mu);
    if (H.retry_timer_open) {
        uv_timer_stop(&H.retry_timer);
        uv_close((uv_handle_t *)&H.retry_timer, NULL);
        H.retry_timer_open = 0;
    }
    /* no new connections; open ones finish what they are doing */
    for (size_t i = 0; i < H.nd; i++) {
        MHD_socket s = MHD_quiesce_daemon(H.d[i]);
        if (s != MHD_INVALID_SOCKET)
            close(s);
    }
    if (H.nd == 0 && !H.db)
        return;
    if (uv_queue_work(H.loop, &H.stop_work, stop_wait, stop_done) != 0) {
        stop_wait(&H.stop_work); /* cannot happen with a live loop; stay correct anyway */
        stop_done(&H.stop_work, 0);
    }
}
