/* Counters behind GET /metrics (http.c renders them).
 *
 * Producers (the dispatcher on every worker, the scheduler, the listener)
 * bump relaxed atomics: no lock on the hot path, and a scrape reads each
 * counter once, so a scrape may see one counter a moment ahead of another,
 * which Prometheus tolerates. */
#ifndef WH_METRICS_H
#define WH_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* End of wh_dispatch_update: one update of this kind ("message", …; NULL or
 * unknown counts as "other") went through the router; ok = no handler
 * failed; usec = time spent in the dispatcher. Any thread. */
void wh_metrics_update(const char *kind, int ok, int64_t usec);

/* A scheduled job ran (ok = it returned >= 0). Any thread. */
void wh_metrics_job(int ok);

/* The listener answered a request with this status. */
void wh_metrics_http(unsigned status);

/* Updates stored through the webhook. */
void wh_metrics_webhook_stored(size_t n);

/* Values owned by other modules, gathered by the caller at scrape time so
 * that the renderer stays a pure function (and unit-testable). */
typedef struct wh_metrics_ext {
    uint64_t tg_requests, tg_errors, tg_429, tg_retries, tg_updates_polled;
    size_t outbox_queued;
    size_t worker_queued;
    size_t plugins_loaded;
    int64_t uptime_s;
} wh_metrics_ext;

/* Prometheus text exposition format 0.0.4; malloc'd, NUL-terminated,
 * *len without the NUL. NULL when out of memory. */
char *wh_metrics_render(const wh_metrics_ext *ext, size_t *len);

/* zeroes every counter (unit tests) */
void wh_metrics_reset(void);

#endif
