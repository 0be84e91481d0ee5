/* Counters for GET /metrics. Every counter is a relaxed atomic: the
 * dispatcher bumps them on each update from every worker, and a lock there
 * would serialise the workers for the sake of a scrape every few seconds. */
#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the update kinds walord asks Telegram for, plus one bucket for the rest:
 * a fixed list keeps label cardinality bounded whatever arrives */
static const char *const kinds[] = {"message", "edited_message", "callback_query", "my_chat_member",
                                    "pre_checkout_query", "other"};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* handler latency buckets (seconds): shop handlers are a few queries and
 * maybe one API call, so most land between 1 ms and 1 s */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

#define RELAXED memory_order_relaxed

static _Atomic uint64_t upd_ok[NKINDS], upd_failed[NKINDS];
static _Atomic uint64_t lat_bucket[NBOUNDS + 1]; /* not cumulative; the last is +Inf */
static _Atomic uint64_t lat_count, lat_sum_us;
static _Atomic uint64_t jobs_run, jobs_failed;
static _Atomic uint64_t http_class[6]; /* 1xx … 5xx, [0] = anything else */
static _Atomic uint64_t webhook_stored;

static size_t kind_index(const char *kind)
{
    if (kind)
        for (size_t i = 0; i + 1 < NKINDS; i++)
            if (strcmp(kinds[i], kind) == 0)
                return i;
    return NKINDS - 1;
}

void wh_metrics_update(const char *kind, int ok, int64_t usec)
{
    size_t k = kind_index(kind);
    atomic_fetch_add_explicit(ok ? &upd_ok[k] : &upd_failed[k], 1, RELAXED);
    if (usec < 0)
        usec = 0;
    double s = (double)usec / 1e6;
    size_t b = 0;
    while (b < NBOUNDS && s > bounds[b])
        b++;
    atomic_fetch_add_explicit(&lat_bucket[b], 1, RELAXED);
    atomic_fetch_add_explicit(&lat_count, 1, RELAXED);
    atomic_fetch_add_explicit(&lat_sum_us, (uint64_t)usec, RELAXED);
}

void wh_metrics_job(int ok)
{
    atomic_fetch_add_explicit(&jobs_run, 1, RELAXED);
    if (!ok)
        atomic_fetch_add_explicit(&jobs_failed, 1, RELAXED);
}

void wh_metrics_http(unsigned status)
{
    unsigned c = status / 100;
    atomic_fetch_add_explicit(&http_class[c >= 1 && c <= 5 ? c : 0], 1, RELAXED);
}

void wh_metrics_webhook_stored(size_t n) { atomic_fetch_add_explicit(&webhook_stored, n, RELAXED); }

void wh_metrics_reset(void)
{
    for (size_t i = 0; i < NKINDS; i++) {
        atomic_store(&upd_ok[i], 0);
        atomic_store(&upd_failed[i], 0);
    }
    for (size_t i = 0; i <= NBOUNDS; i++)
        atomic_store(&lat_bucket[i], 0);
    atomic_store(&lat_count, 0);
    atomic_store(&lat_sum_us, 0);
    atomic_store(&jobs_run, 0);
    atomic_store(&jobs_failed, 0);
    for (size_t i = 0; i < 6; i++)
        atomic_store(&http_class[i], 0);
    atomic_store(&webhook_stored, 0);
}

/* ---- rendering ---- */

typedef struct buf {
    char *s;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)k;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void head(buf *b, const char *name, const char *type, const char *help)
{
    put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static uint64_t get(_Atomic uint64_t *v) { return atomic_load_explicit(v, RELAXED); }

char *wh_metrics_render(const wh_metrics_ext *x, size_t *len)
{
    buf b = {.cap = 8192};
    if (!(b.s = malloc(b.cap)))
        return NULL;
    b.s[0] = '\0';

    head(&b, "walor_updates_received_total", "counter",
         "Updates that went through the router, by kind (ignored kinds such as edits and group messages are not counted).");
    for (size_t i = 0; i < NKINDS; i++)
        put(&b, "walor_updates_received_total{kind=\"%s\"} %llu\n", kinds[i],
            (unsigned long long)(get(&upd_ok[i]) + get(&upd_failed[i])));
    head(&b, "walor_updates_handled_total", "counter", "Updates whose handlers all succeeded, by kind.");
    for (size_t i = 0; i < NKINDS; i++)
        put(&b, "walor_updates_handled_total{kind=\"%s\"} %llu\n", kinds[i], (unsigned long long)get(&upd_ok[i]));
    head(&b, "walor_updates_failed_total", "counter", "Updates where a plugin handler returned an error, by kind.");
    for (size_t i = 0; i < NKINDS; i++)
        put(&b, "walor_updates_failed_total{kind=\"%s\"} %llu\n", kinds[i],
            (unsigned long long)get(&upd_failed[i]));

    head(&b, "walor_handler_duration_seconds", "histogram", "Time from the start to the end of routing one update.");
    uint64_t cum = 0;
    for (size_t i = 0; i < NBOUNDS; i++) {
        cum += get(&lat_bucket[i]);
        put(&b, "walor_handler_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[i], (unsigned long long)cum);
    }
    cum += get(&lat_bucket[NBOUNDS]);
    put(&b, "walor_handler_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    /* _count is the +Inf bucket so that the two always agree in one scrape */
    put(&b, "walor_handler_duration_seconds_sum %.6f\n", (double)get(&lat_sum_us) / 1e6);
    put(&b, "walor_handler_duration_seconds_count %llu\n", (unsigned long long)cum);

    head(&b, "walor_updates_stored_total", "counter", "Updates newly stored in the inbox, by how they arrived.");
    put(&b, "walor_updates_stored_total{via=\"polling\"} %llu\n", (unsigned long long)x->tg_updates_polled);
    put(&b, "walor_updates_stored_total{via=\"webhook\"} %llu\n", (unsigned long long)get(&webhook_stored));

    head(&b, "walor_telegram_requests_total", "counter", "HTTP requests sent to the Bot API (polls and retries included).");
    put(&b, "walor_telegram_requests_total %llu\n", (unsigned long long)x->tg_requests);
    head(&b, "walor_telegram_errors_total", "counter", "Bot API calls that failed for good (and failed polls).");
    put(&b, "walor_telegram_errors_total %llu\n", (unsigned long long)x->tg_errors);
    head(&b, "walor_telegram_429_total", "counter", "Flood-control answers (429) from the Bot API.");
    put(&b, "walor_telegram_429_total %llu\n", (unsigned long long)x->tg_429);
    head(&b, "walor_telegram_retries_total", "counter", "Bot API calls retried after a 5xx or a network error.");
    put(&b, "walor_telegram_retries_total %llu\n", (unsigned long long)x->tg_retries);
    head(&b, "walor_outbox_queue_length", "gauge", "Bot API calls accepted and not answered yet.");
    put(&b, "walor_outbox_queue_length %zu\n", x->outbox_queued);

    head(&b, "walor_worker_queue_length", "gauge", "Jobs waiting for or running on the worker pool.");
    put(&b, "walor_worker_queue_length %zu\n", x->worker_queued);
    head(&b, "walor_db_pool_waits_total", "counter",
         "Waits for a database connection: always 0, each worker owns its connection (SQLite lock waits are not counted).");
    put(&b, "walor_db_pool_waits_total 0\n");

    head(&b, "walor_jobs_run_total", "counter", "Scheduled jobs run.");
    put(&b, "walor_jobs_run_total %llu\n", (unsigned long long)get(&jobs_run));
    head(&b, "walor_jobs_failed_total", "counter", "Scheduled jobs that returned an error.");
    put(&b, "walor_jobs_failed_total %llu\n", (unsigned long long)get(&jobs_failed));

    head(&b, "walor_http_responses_total", "counter", "Responses of the HTTP listener, by status class.");
    static const char *const cls[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (size_t i = 1; i < 6; i++)
        put(&b, "walor_http_responses_total{code=\"%s\"} %llu\n", cls[i], (unsigned long long)get(&http_class[i]));

    head(&b, "walor_plugins_loaded", "gauge", "Plugins loaded and running (the built-in core not counted).");
    put(&b, "walor_plugins_loaded %zu\n", x->plugins_loaded);
    head(&b, "walor_uptime_seconds", "gauge", "Seconds since walord started its listener.");
    put(&b, "walor_uptime_seconds %lld\n", (long long)x->uptime_s);

    if (b.oom) {
        free(b.s);
        return NULL;
    }
    if (len)
        *len = b.n;
    return b.s;
}
