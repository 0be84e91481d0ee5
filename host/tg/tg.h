/* Telegram Bot API client (ARCHITECTURE.md §2, loop thread).
 *
 * One curl multi handle driven by libuv carries long polling and every Bot
 * API call. Workers hand requests over through a locked queue and a
 * uv_async wake-up; the loop thread orders them per chat, paces them with
 * token buckets, honours 429 retry_after and retries transient failures.
 *
 * Shutdown order for the owner of the loop: wh_tg_stop() on the loop thread
 * (from then on every wh_tg_call fails at once, so no worker can block on
 * it), let uv_run() return (the client closes its handles after at most ~2 s
 * of grace for in-flight sends), stop the worker pool, then wh_tg_free(). */
#ifndef WH_TG_H
#define WH_TG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

typedef struct wh_tg wh_tg;

typedef struct wh_tg_opts {
    const char *api_root;      /* "https://api.telegram.org" or tgsim's base URL (copied) */
    const char *token;         /* copied; never logged */
    int32_t poll;              /* 1: long-poll getUpdates; 0: don't (webhook mode later) */
    int32_t poll_timeout_s;    /* getUpdates timeout; <= 0 -> 25 */
    double bulk_rate;          /* overall msgs/s for bulk (and the global budget); <= 0 -> 30 */
    double bulk_per_chat_rate; /* msgs/s per chat for bulk; <= 0 -> 1 (groups: at most 20/min) */
    int32_t http_timeout_s;    /* per request (poll adds poll_timeout_s); <= 0 -> 30 */
    int32_t max_retries;       /* 5xx / network errors, backoff 0.5 s * 2^n capped at 30 s; < 0 -> 0 */
} wh_tg_opts;

typedef struct wh_tg_hooks {
    /* loop thread. A batch of updates (borrowed JSON array). Return 0 once
     * they are durably stored: only then is the offset advanced (next
     * getUpdates offset = last update_id + 1). Non-zero: the same batch is
     * offered again after 1 s (no new getUpdates meanwhile). */
    int (*on_updates)(json_t *updates, void *ud);
    void (*on_blocked)(int64_t chat_id, void *ud); /* loop thread: 403 for a send to this chat */
    void (*on_first_poll)(void *ud);               /* loop thread: the first getUpdates was sent */
    void *ud;
} wh_tg_hooks;

/* the description of a call failed because the client stopped */
#define WH_TG_SHUTTING_DOWN "shutting down"

#define WH_TG_INTERACTIVE 0u /* a reply to the user's action: sent at once, per-chat FIFO */
#define WH_TG_BULK        1u /* broadcast: paced by bulk_rate overall and bulk_per_chat_rate per chat */
#define WH_TG_UNPACED     2u /* answerCallbackQuery, getMe, setMyCommands, getFile…: not counted */

/* multipart file part; data copied at call time */
typedef struct wh_tg_upload {
    const char *field;
    const char *filename;
    const void *data;
    size_t len;
    const char *mime;
} wh_tg_upload;

typedef struct wh_tg_result {
    int32_t ok;            /* 1 if Telegram said ok */
    int32_t error_code;    /* HTTP-like code from Telegram's answer, or 0 for a transport failure */
    char description[256]; /* token-free */
    json_t *result;        /* new reference (caller json_decref's), NULL if !ok */
} wh_tg_result;

/* On the loop thread (it becomes "the loop thread" for wh_tg_call's check). */
wh_tg *wh_tg_new(uv_loop_t *loop, const wh_tg_opts *o, const wh_tg_hooks *h);
int wh_tg_start(wh_tg *tg);                            /* loop thread: starts polling if o->poll */
void wh_tg_set_offset(wh_tg *tg, int64_t next_offset); /* before start: resume after what the inbox has */

/* Any thread EXCEPT the loop thread. params (a JSON object or NULL) is
 * stolen, also on failure. chat_id: ordering/pacing key (0 = not chat-bound).
 * Returns a negative WALOR_E* only when the call was not taken (bad method,
 * class or upload: EINVAL; out of memory; shutting down: EBUSY).
 * out == NULL: queued, returns 0 at once; a failure later is logged.
 * out != NULL: blocks until the final answer (after retries) and returns 0
 * with the answer in *out — ok, a Telegram error, or error_code 0 for a
 * transport failure or "shutting down"; the caller decides what it means. */
int32_t wh_tg_call(wh_tg *tg, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                   uint32_t klass, wh_tg_result *out);

/* Loop thread: stop polling, let in-flight and queued interactive/unpaced
 * sends finish for up to ~2 s, fail the rest (sync callers get 0/"shutting
 * down"), close every handle. Returns at once; the work completes as the
 * loop runs. Idempotent. */
/* Like the async wh_tg_call, and done(res, ud) runs on the loop thread with
 * the final answer (res->result borrowed). done must not block; it may queue
 * further async calls. It also runs, with "shutting down", for a call that
 * is dropped at stop, so whatever ud owns can be freed there; when the call
 * is refused (a negative return) done never runs and ud stays the caller's. */
typedef void (*wh_tg_done_fn)(wh_tg_result *res, void *ud);
int32_t wh_tg_call_cb(wh_tg *tg, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                      uint32_t klass, wh_tg_done_fn done, void *ud);

/* maps Telegram's failure answer to WALOR_E* with the description as detail;
 * 0 when r->ok */
int32_t wh_tg_result_err(const wh_tg_result *r);

/* Loop thread. n live instances send for one bot: this one's paced
 * (bulk) sends get 1/n of bulk_rate (core/cluster.c). */
void wh_tg_set_share(wh_tg *tg, int n);
/* Loop thread: no paced send for ms (a new instance, until the others
 * have lowered their share). Interactive replies still go. */
void wh_tg_hold_bulk(wh_tg *tg, int64_t ms);

void wh_tg_stop(wh_tg *tg);
void wh_tg_free(wh_tg *tg); /* after the loop has run the close callbacks; NULL is fine */

/* stats for /metrics and the bench; any thread */
typedef struct wh_tg_stats {
    /* requests: HTTP requests sent (getUpdates and retries included);
     * errors: final failures (and failed polls); http_429: flood waits;
     * retries: 5xx / transport retries; updates_received: stored updates */
    uint64_t requests, errors, http_429, retries, updates_received;
    size_t queued; /* accepted calls not answered yet (waiting, paced or in flight) */
} wh_tg_stats;
void wh_tg_get_stats(wh_tg *tg, wh_tg_stats *out);

#endif
