/* Long polling: one getUpdates at a time. The offset moves only after
 * on_updates said the batch is stored, so a crash or a full disk can lose
 * nothing: Telegram keeps unconfirmed updates (24 h) and re-sends them. */
#include "tg_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define TG_POLL_BACKOFF_MIN_MS 1000
#define TG_POLL_BACKOFF_MAX_MS 30000
#define TG_STORE_RETRY_MS 1000

static void poll_send(wh_tg *tg);
static void deliver(wh_tg *tg);

static void on_poll_timer(uv_timer_t *t)
{
    wh_tg *tg = t->data;
    if (!tg->polling)
        return;
    if (tg->batch)
        deliver(tg);
    else
        poll_send(tg);
}

int wh_tg_poll_init(wh_tg *tg)
{
    uv_timer_init(tg->loop, &tg->poll_timer);
    tg->poll_timer.data = tg;
    tg->open_handles++;
    tg->poll_backoff_ms = TG_POLL_BACKOFF_MIN_MS;
    return 0;
}

static char *poll_body(wh_tg *tg)
{
    json_t *p = json_pack("{sI si s[sssss]}", "offset", (json_int_t)tg->offset, "timeout",
                          (int)tg->o.poll_timeout_s, "allowed_updates", "message", "edited_message",
                          "callback_query", "my_chat_member", "pre_checkout_query");
    char *body = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    return body;
}

static void retry_later(wh_tg *tg)
{
    uv_timer_start(&tg->poll_timer, on_poll_timer, (uint64_t)tg->poll_backoff_ms, 0);
    tg->poll_backoff_ms *= 2;
    if (tg->poll_backoff_ms > TG_POLL_BACKOFF_MAX_MS)
        tg->poll_backoff_ms = TG_POLL_BACKOFF_MAX_MS;
}

static void poll_send(wh_tg *tg)
{
    tg_req *r = calloc(1, sizeof *r);
    if (r) {
        r->is_poll = 1;
        strcpy(r->method, "getUpdates");
        r->body = poll_body(tg);
    }
    long timeout = ((long)tg->o.http_timeout_s + tg->o.poll_timeout_s) * 1000L;
    if (!r || !r->body || wh_tg_http_start(tg, r, timeout) != 0) {
        tg_log(WH_LOG_ERROR, "cannot start getUpdates");
        wh_tg_req_free(r);
        retry_later(tg);
        return;
    }
    tg->poll_req = r;
    if (!tg->first_poll_sent) {
        tg->first_poll_sent = 1;
        if (tg->h.on_first_poll)
            tg->h.on_first_poll(tg->h.ud);
    }
}

static void deliver(wh_tg *tg)
{
    json_t *batch = tg->batch;
    int rc = tg->h.on_updates ? tg->h.on_updates(batch, tg->h.ud) : 0;
    if (rc != 0) {
        /* not stored: keep the offset where it is and offer the same batch
         * again; said once, not every second of a long outage */
        tg_log(tg->store_retries++ ? WH_LOG_DEBUG : WH_LOG_WARN,
               "%zu updates not stored, not acknowledged; retrying every second", json_array_size(batch));
        uv_timer_start(&tg->poll_timer, on_poll_timer, TG_STORE_RETRY_MS, 0);
        return;
    }
    if (tg->store_retries) {
        tg_log(WH_LOG_INFO, "%zu updates stored after %lld retries", json_array_size(batch),
               (long long)tg->store_retries);
        tg->store_retries = 0;
    }
    size_t i;
    json_t *u;
    json_array_foreach(batch, i, u) {
        json_t *id = json_object_get(u, "update_id");
        if (json_is_integer(id) && json_integer_value(id) >= tg->offset)
            tg->offset = (int64_t)json_integer_value(id) + 1;
    }
    atomic_fetch_add(&tg->st_updates, (uint64_t)json_array_size(batch));
    tg->batch = NULL;
    json_decref(batch);
    poll_send(tg);
}

void wh_tg_poll_done(wh_tg *tg, tg_req *r, CURLcode code, long http)
{
    wh_tg_result res;
    int64_t retry_after = 0;
    int kind = wh_tg_http_parse(tg, r, code, http, &res, &retry_after);
    tg->poll_req = NULL;
    wh_tg_req_free(r);
    if (!tg->polling) {
        json_decref(res.result);
        return;
    }
    if (kind == TG_OK && json_is_array(res.result)) {
        tg->poll_backoff_ms = TG_POLL_BACKOFF_MIN_MS;
        if (json_array_size(res.result) == 0) {
            json_decref(res.result);
            poll_send(tg);
            return;
        }
        tg->batch = res.result;
        deliver(tg);
        return;
    }
    json_decref(res.result);
    atomic_fetch_add(&tg->st_errors, 1);
    /* 409: another instance polls or a webhook is set; 401: wrong token.
     * Both need a person, so keep trying slowly and say why */
    tg_log(WH_LOG_WARN, "getUpdates failed: %d %s (retry in %lld ms)", res.error_code,
            kind == TG_OK ? "result is not an array" : res.description, (long long)tg->poll_backoff_ms);
    if (kind == TG_FLOOD && retry_after * 1000 > tg->poll_backoff_ms)
        tg->poll_backoff_ms = retry_after * 1000;
    retry_later(tg);
}

void wh_tg_poll_start(wh_tg *tg)
{
    if (tg->polling)
        return;
    tg->polling = 1;
    poll_send(tg);
}

void wh_tg_poll_stop(wh_tg *tg)
{
    tg->polling = 0;
    uv_timer_stop(&tg->poll_timer);
    if (tg->poll_req) {
        wh_tg_http_abort(tg, tg->poll_req);
        wh_tg_req_free(tg->poll_req);
        tg->poll_req = NULL;
    }
    json_decref(tg->batch);
    tg->batch = NULL;
}

void wh_tg_poll_close(wh_tg *tg)
{
    wh_tg_poll_stop(tg);
    uv_close((uv_handle_t *)&tg->poll_timer, wh_tg_handle_closed);
}
