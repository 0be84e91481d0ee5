/* walor_http_start (SDK 1.3): plugins' asynchronous HTTP.
 *
 * A language model may take 30 s to answer and streams it token by token;
 * a blocking walor_http_fetch would hold a worker all that time, and 50
 * such conversations would take every worker from the shop. Here the
 * transfer runs on the loop thread's own curl multi (cmulti.c, the same
 * machinery as Telegram's calls, but its own connections), and only what
 * arrives goes to a worker:
 *
 *   worker: http_start ── builds the easy handle, hands it over (mu + uv_async)
 *   loop:   adds it to the multi; body bytes of a streamed 2xx answer are
 *           appended to the call's pending buffer, and one "chunk" job is
 *           queued on the pool when none is waiting; the finished transfer
 *           queues the "done" job
 *   worker: chunk job ── on_chunk(everything pending); done job ── on_done
 *
 * Both jobs go to the pool under the chat's key, so they run one at a
 * time and in order with the chat's updates (and the done job after every
 * chunk job); when the worker is slow, pieces pile up in the pending
 * buffer and are handed over together, so a fast stream never floods the
 * pool with jobs.
 *
 * Life of a call: reference counted under mu — one reference for the loop
 * (from start to the end of the transfer, then handed to the done job),
 * one for each queued chunk job and one while it sits on the cancel list.
 * on_done runs exactly once, or ud_free when the pool drops the done job
 * at shutdown.
 *
 * Logged like walor_http_fetch: method, host, path, status and time —
 * never the query string, headers or bodies. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "api_slots.h"
#include "cmulti.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "httpc.h"
#include "i64map.h"
#include "log.h"
#include "pool.h"
#include "report.h"

#define DEFAULT_TIMEOUT_MS 60000u
#define DEFAULT_MAX (8u * 1024 * 1024)
#define MAX_INFLIGHT 1024
#define MAX_CONNS 64L
/* pool keys of calls started without a chat: above every chat id (±2^53),
 * below the scheduler's job keys (top 2^61 of int64) */
#define OWN_KEY_BASE ((int64_t)1 << 55)

typedef struct acall {
    struct acall *next_in;      /* mu: incoming list */
    struct acall *next_cancel;  /* mu: cancel list */
    struct acall *prev, *next;  /* loop: transfers on the multi */
    uint64_t id;
    wh_plugin *p;
    int64_t user_id, chat_id, key;
    uint32_t role, flags;
    walor_http_chunk_fn on_chunk;
    walor_http_done_fn on_done;
    void (*ud_free)(void *ud);
    void *ud;
    char method[8];
    char where[256];            /* host/path for the log */
    uint32_t timeout_ms;

    /* loop thread until the done job is queued */
    CURL *easy;
    struct curl_slist *hl;
    void *body;
    wh_httpc_sink coll, hdrs;   /* a collected body (not streamed), the final header block */
    uint64_t max, total;
    int mode;                   /* 0: no body byte yet; 1: streaming; 2: collecting */
    int too_big;
    int64_t t0;
    char errbuf[CURL_ERROR_SIZE];
    int32_t rc, status;         /* the outcome, for the done job */
    char detail[320];

    /* mu */
    char *pend;
    size_t pend_len, pend_cap;
    int chunk_queued;
    int stop;                   /* the plugin cancelled: no more on_chunk */
    int cancel_listed;
    int refs;
} acall;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int accepting;           /* mu */
static acall *in_head, *in_tail, *cancels; /* mu */
static wh_i64map calls;         /* mu: id -> acall, while the transfer may still run */
static uint64_t next_id;        /* mu */
static int ncalls;              /* mu: accepted and not finished */

static uv_loop_t *loop;
static uv_async_t wake;
static wh_cmulti cm;
static acall *active;           /* loop */
static int started;

/* ---- references ---- */

static void call_free(acall *a)
{
    curl_slist_free_all(a->hl);
    free(a->body);
    free(a->coll.buf);
    free(a->hdrs.buf);
    free(a->pend);
    free(a);
}

static void unref(acall *a)
{
    pthread_mutex_lock(&mu);
    int left = --a->refs;
    pthread_mutex_unlock(&mu);
    if (left == 0)
        call_free(a);
}

/* ---- worker side: callbacks ---- */

static void ctx_for(walor_ctx *c, wh_worker *w, const acall *a)
{
    wh_ctx_init(c, w);
    c->plugin = a->p;
    c->user_id = a->user_id;
    c->chat_id = a->chat_id;
    c->role = a->role;
    wh_clear_error();
}

static void request_cancel(acall *a);

static void chunk_job(void *state, void *arg)
{
    acall *a = arg;
    pthread_mutex_lock(&mu);
    char *data = a->pend;
    size_t len = a->pend_len;
    a->pend = NULL;
    a->pend_len = a->pend_cap = 0;
    a->chunk_queued = 0;
    int stop = a->stop;
    pthread_mutex_unlock(&mu);
    if (!stop && len && !a->p->dead) {
        walor_ctx c;
        ctx_for(&c, state, a);
        int32_t rc = a->on_chunk(&c, a->ud, data, len);
        wh_ctx_finish(&c);
        if (rc != 0)
            request_cancel(a);
    }
    free(data);
    unref(a);
}

static void chunk_drop(void *arg) { unref(arg); }

static void done_job(void *state, void *arg)
{
    acall *a = arg;
    walor_ctx c;
    ctx_for(&c, state, a);
    walor_http_response resp = {.struct_size = sizeof resp, .status = a->status, .body = "", .headers = ""};
    int32_t rc = a->rc;
    if (rc == 0 && wh_httpc_response(c.arena, a->status, &a->coll, &a->hdrs, &resp) != 0)
        rc = WALOR_ENOMEM;
    if (rc != 0)
        wh_error(rc, "%s", a->detail); /* the plugin reads why with walor_last_error() */
    else
        wh_clear_error();
    int32_t ret = a->on_done(&c, a->ud, rc, &resp);
    if (ret < 0) {
        char detail[600];
        snprintf(detail, sizeof detail, "%s: %s", wh_strerror(ret), wh_last_error());
        wh_report_failure(&c, a->p->name, "http callback", detail);
    }
    wh_ctx_finish(&c);
    unref(a);
}

static void done_drop(void *arg)
{
    acall *a = arg;
    if (a->ud_free)
        a->ud_free(a->ud);
    unref(a);
}

/* ---- loop side ---- */

static void wake_loop(void) /* mu held */
{
    if (accepting)
        uv_async_send(&wake);
}

static void request_cancel(acall *a)
{
    pthread_mutex_lock(&mu);
    a->stop = 1;
    if (!a->cancel_listed && wh_i64map_get(&calls, (int64_t)a->id) == a) {
        a->cancel_listed = 1;
        a->refs++;
        a->next_cancel = cancels;
        cancels = a;
        wake_loop();
    }
    pthread_mutex_unlock(&mu);
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    acall *a = ud;
    size_t len = size * n;
    if (a->total + len > a->max) {
        a->too_big = 1;
        return 0; /* CURLE_WRITE_ERROR ends the transfer */
    }
    a->total += len;
    if (a->mode == 0) {
        long status = 0;
        curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &status);
        /* an error's body is read whole, so on_done can show it */
        a->mode = (a->flags & WALOR_HTTP_STREAM) && status >= 200 && status < 300 ? 1 : 2;
    }
    if (a->mode == 2)
        return wh_httpc_sink_write(p, 1, len, &a->coll);

    int submit = 0;
    pthread_mutex_lock(&mu);
    if (!a->stop) {
        if (a->pend_len + len > a->pend_cap) {
            size_t cap = a->pend_cap ? a->pend_cap : 4096;
            while (cap < a->pend_len + len)
                cap *= 2;
            char *b = realloc(a->pend, cap);
            if (!b) {
                pthread_mutex_unlock(&mu);
                return 0;
            }
            a->pend = b;
            a->pend_cap = cap;
        }
        memcpy(a->pend + a->pend_len, p, len);
        a->pend_len += len;
        if (!a->chunk_queued) {
            a->chunk_queued = 1;
            a->refs++;
            submit = 1;
        }
    }
    pthread_mutex_unlock(&mu);
    if (submit && wh_pool_submit(wh_g.pool, a->key, chunk_job, a, chunk_drop) != 0) {
        pthread_mutex_lock(&mu);
        a->chunk_queued = 0;
        a->refs--; /* the loop still holds one */
        pthread_mutex_unlock(&mu);
    }
    return len;
}

static void finish(acall *a, int32_t rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The transfer is over (or never started): log it and queue on_done with
 * the loop's reference. */
static void finish(acall *a, int32_t rc, const char *fmt, ...)
{
    if (a->easy) {
        long status = 0;
        curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &status);
        a->status = (int32_t)status;
        wh_cmulti_remove(&cm, a->easy);
        curl_easy_cleanup(a->easy);
        a->easy = NULL;
        if (a->prev)
            a->prev->next = a->next;
        else if (active == a)
            active = a->next;
        if (a->next)
            a->next->prev = a->prev;
        a->prev = a->next = NULL;
    }
    a->rc = rc;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->detail, sizeof a->detail, fmt, ap);
        va_end(ap);
    }
    int64_t ms = a->t0 ? wh_httpc_mono_ms() - a->t0 : 0;
    const char *who = a->p->name;
    if (rc == 0)
        wh_logf(WH_LOG_DEBUG, who, "http %s %s -> %d in %lld ms (%llu bytes)", a->method, a->where, a->status,
                (long long)ms, (unsigned long long)a->total);
    else if (rc == WALOR_ECANCELED)
        wh_logf(WH_LOG_DEBUG, who, "http %s %s: %s (%lld ms)", a->method, a->where, a->detail, (long long)ms);
    else
        wh_logf(WH_LOG_WARN, who, "http: %s (%lld ms)", a->detail, (long long)ms);

    pthread_mutex_lock(&mu);
    wh_i64map_del(&calls, (int64_t)a->id);
    ncalls--;
    pthread_mutex_unlock(&mu);
    if (wh_pool_submit(wh_g.pool, a->key, done_job, a, done_drop) != 0)
        done_drop(a);
}

static void on_done(CURL *easy, CURLcode code, void *ud)
{
    (void)ud;
    acall *a = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&a);
    if (a->too_big)
        finish(a, WALOR_ELIMIT, "the response of %s is over %llu bytes", a->where, (unsigned long long)a->max);
    else if (code == CURLE_OPERATION_TIMEDOUT && wh_httpc_mono_ms() - a->t0 + 100 < (int64_t)a->timeout_ms)
        finish(a, WALOR_ETIMEDOUT, "%s %s: no data for too long (idle timeout)", a->method, a->where);
    else if (code == CURLE_OPERATION_TIMEDOUT)
        finish(a, WALOR_ETIMEDOUT, "%s %s timed out after %u ms", a->method, a->where, a->timeout_ms);
    else if (code == CURLE_WRITE_ERROR && a->stop)
        finish(a, WALOR_ECANCELED, "cancelled");
    else if (code != CURLE_OK)
        finish(a, WALOR_ENET, "%s %s failed: %s", a->method, a->where, curl_easy_strerror(code));
    else
        finish(a, 0, NULL);
}

static void on_wake(uv_async_t *h)
{
    (void)h;
    pthread_mutex_lock(&mu);
    acall *in = in_head, *cl = cancels;
    in_head = in_tail = NULL;
    cancels = NULL;
    pthread_mutex_unlock(&mu);

    for (acall *a = in, *next; a; a = next) {
        next = a->next_in;
        a->t0 = wh_httpc_mono_ms();
        if (wh_cmulti_add(&cm, a->easy) != 0) {
            curl_easy_cleanup(a->easy);
            a->easy = NULL;
            finish(a, WALOR_ENET, "%s %s: cannot start the transfer", a->method, a->where);
            continue;
        }
        a->next = active;
        if (active)
            active->prev = a;
        active = a;
    }
    for (acall *a = cl, *next; a; a = next) {
        next = a->next_cancel;
        if (a->easy) /* still on the multi */
            finish(a, WALOR_ECANCELED, "cancelled");
        unref(a);
    }
}

/* ---- slots ---- */

static int32_t http_start(walor_ctx *c, const walor_http_async *rq, uint64_t *out_id)
{
    if (!c || !rq || rq->struct_size < offsetof(walor_http_async, ud) + sizeof rq->ud)
        return wh_error(WALOR_EINVAL, "http_start needs a request (struct_size set)");
    if (rq->flags & ~WALOR_HTTP_STREAM)
        return wh_error(WALOR_EINVAL, "http_start: unknown flags 0x%x", rq->flags & ~WALOR_HTTP_STREAM);
    if (!rq->on_done || ((rq->flags & WALOR_HTTP_STREAM) && !rq->on_chunk))
        return wh_error(WALOR_EINVAL, "http_start: on_done (and on_chunk when streaming) is required");
    if (!c->plugin)
        return wh_error(WALOR_EPHASE, "http_start outside a plugin callback");
    const char *method = rq->method ? rq->method : rq->body ? "POST" : "GET";
    int32_t rc = wh_httpc_check("http_start", rq->url, method);
    if (rc)
        return rc;

    acall *a = calloc(1, sizeof *a);
    if (!a)
        return wh_error(WALOR_ENOMEM, "out of memory");
    if ((rc = wh_httpc_headers("http_start", rq->headers, &a->hl)) != 0) {
        free(a);
        return rc;
    }
    if (rq->body) {
        a->body = malloc(rq->body_len ? rq->body_len : 1);
        if (!a->body) {
            call_free(a);
            return wh_error(WALOR_ENOMEM, "out of memory");
        }
        memcpy(a->body, rq->body, rq->body_len);
    }
    a->easy = curl_easy_init();
    if (!a->easy) {
        call_free(a);
        return wh_error(WALOR_ENOMEM, "curl_easy_init failed");
    }
    a->p = c->plugin;
    a->user_id = c->user_id;
    a->chat_id = c->chat_id;
    a->role = c->role;
    a->flags = rq->flags;
    a->on_chunk = rq->on_chunk;
    a->on_done = rq->on_done;
    a->ud_free = rq->ud_free;
    a->ud = rq->ud;
    snprintf(a->method, sizeof a->method, "%s", method);
    wh_httpc_loggable(rq->url, a->where, sizeof a->where);
    a->timeout_ms = rq->timeout_ms ? rq->timeout_ms : DEFAULT_TIMEOUT_MS;
    a->max = rq->max_response ? rq->max_response : DEFAULT_MAX;
    a->coll.max = (size_t)a->max;
    a->hdrs.max = WH_HTTPC_MAX_HEADERS;
    a->refs = 1; /* the loop's */

    wh_httpc_setup(a->easy, rq->url, method, a->hl, a->body, rq->body_len, a->timeout_ms);
    curl_easy_setopt(a->easy, CURLOPT_PRIVATE, a);
    curl_easy_setopt(a->easy, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(a->easy, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(a->easy, CURLOPT_HEADERDATA, &a->hdrs);
    curl_easy_setopt(a->easy, CURLOPT_ERRORBUFFER, a->errbuf);
    curl_easy_setopt(a->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)(a->timeout_ms < 10000 ? a->timeout_ms : 10000));
    if (rq->idle_timeout_ms) {
        /* "less than 1 byte/s for N seconds" is curl's idle timeout */
        curl_easy_setopt(a->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(a->easy, CURLOPT_LOW_SPEED_TIME, (long)((rq->idle_timeout_ms + 999) / 1000));
    }

    pthread_mutex_lock(&mu);
    if (!accepting)
        rc = wh_error(WALOR_EBUSY, "http_start: walord is stopping");
    else if (ncalls >= MAX_INFLIGHT)
        rc = wh_error(WALOR_ELIMIT, "http_start: %d requests are in flight already", MAX_INFLIGHT);
    else if (wh_i64map_put(&calls, (int64_t)(a->id = next_id + 1), a) != 0)
        rc = wh_error(WALOR_ENOMEM, "out of memory");
    if (rc) {
        pthread_mutex_unlock(&mu);
        curl_easy_cleanup(a->easy);
        call_free(a);
        return rc;
    }
    next_id++;
    ncalls++;
    a->key = rq->order_key ? rq->order_key : c->chat_id ? c->chat_id : OWN_KEY_BASE + (int64_t)a->id;
    if (in_tail)
        in_tail->next_in = a;
    else
        in_head = a;
    in_tail = a;
    wake_loop();
    pthread_mutex_unlock(&mu);
    if (out_id)
        *out_id = a->id;
    return 0;
}

static int32_t http_cancel(walor_ctx *c, uint64_t id)
{
    if (!c)
        return wh_error(WALOR_EINVAL, "http_cancel without a ctx");
    pthread_mutex_lock(&mu);
    acall *a = wh_i64map_get(&calls, (int64_t)id);
    if (a && a->p != c->plugin)
        a = NULL; /* another plugin's request is not there for this one */
    if (a)
        a->refs++;
    pthread_mutex_unlock(&mu);
    if (!a)
        return wh_error(WALOR_ENOTFOUND, "no request %llu in flight", (unsigned long long)id);
    request_cancel(a);
    unref(a);
    return 0;
}

/* ---- start and stop (loop thread, main.c) ---- */

int wh_httpa_start(uv_loop_t *l)
{
    loop = l;
    wh_i64map_init(&calls);
    if (wh_cmulti_init(&cm, loop, MAX_CONNS, on_done, NULL, NULL) != 0)
        return wh_error(WALOR_ENOMEM, "httpa: cannot create the curl multi handle");
    uv_async_init(loop, &wake, on_wake);
    pthread_mutex_lock(&mu);
    accepting = 1;
    pthread_mutex_unlock(&mu);
    started = 1;
    return 0;
}

static void wake_closed(uv_handle_t *h) { (void)h; }

/* Refuse new requests and end every one in flight with WALOR_ECANCELED:
 * their on_done still runs if the pool gets to it before it stops, and
 * ud_free otherwise. */
void wh_httpa_stop(void)
{
    if (!started)
        return;
    started = 0;
    pthread_mutex_lock(&mu);
    accepting = 0;
    acall *in = in_head, *cl = cancels;
    in_head = in_tail = NULL;
    cancels = NULL;
    pthread_mutex_unlock(&mu);
    for (acall *a = in, *next; a; a = next) {
        next = a->next_in;
        curl_easy_cleanup(a->easy);
        a->easy = NULL;
        finish(a, WALOR_ECANCELED, "walord is stopping");
    }
    while (active)
        finish(active, WALOR_ECANCELED, "walord is stopping");
    for (acall *a = cl, *next; a; a = next) {
        next = a->next_cancel;
        unref(a);
    }
    wh_cmulti_close(&cm, NULL);
    uv_close((uv_handle_t *)&wake, wake_closed);
    pthread_mutex_lock(&mu);
    wh_i64map_free(&calls);
    wh_i64map_init(&calls); /* a late http_cancel finds nothing */
    pthread_mutex_unlock(&mu);
}

void wh_httpa_fill(walor_host_api *api)
{
    api->http_start = http_start;
    api->http_cancel = http_cancel;
}
