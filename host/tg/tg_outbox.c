/* The outbox: per-chat FIFOs with one request in flight per chat, token
 * bucket pacing for bulk, flood waits (429) and retries with backoff.
 *
 * A chat has two queues: replies (interactive and unpaced, in the order
 * they were made) and bulk. The next request of a chat is the oldest reply,
 * else the oldest bulk one, so a reply never waits for a broadcast message
 * to get its pace: at most for the one request in flight. Every chat with
 * work sits in exactly one list, by its next request: ready_now
 * (interactive/unpaced), ready_bulk (paced), delayed (waits for its retry
 * backoff), flood (got a 429 and goes first after the pause), idle (nothing
 * queued, kept until its bulk budget has refilled), busy (a request in
 * flight). One uv_timer wakes the pump at the earliest moment something can
 * move, so nothing ever spins. */
#include "tg_int.h"

#include <stdlib.h>
#include <string.h>

#include <walor/types.h>

#include "log.h"

#define TG_MAX_FLOODS 20      /* 429s one request may see before it is given up */
#define TG_BACKOFF_MIN_MS 500
#define TG_BACKOFF_MAX_MS 30000
#define TG_DRAIN_MS 2000
#define TG_GROUP_RATE (20.0 / 60.0) /* Telegram: at most 20 messages a minute in a group */

#define TG_PACE_MARGIN 0.97

static int64_t now_ms(wh_tg *tg) { return (int64_t)uv_now(tg->loop); }

static void on_pace(uv_timer_t *t) { wh_tg_outbox_pump(t->data); }

static void on_drain(uv_timer_t *t)
{
    wh_tg *tg = t->data;
    wh_tg_outbox_close(tg);
}

int wh_tg_outbox_init(wh_tg *tg)
{
    wh_i64map_init(&tg->chats);
    tg_list_init(&tg->ready_now);
    tg_list_init(&tg->ready_bulk);
    tg_list_init(&tg->delayed);
    tg_list_init(&tg->flood);
    tg_list_init(&tg->idle);
    tg_list_init(&tg->busy);
    /* Telegram's limits are sliding windows measured on its side; pacing
     * exactly at the limit lands two sends 999 ms apart now and then (the
     * loop clock is cached and requests travel), so stay a little under */
    /* and start with a small burst, not a full second's worth: any one
     * second may then hold at most burst + 97 % of the rate */
    double burst = tg->o.bulk_rate * (1.0 - TG_PACE_MARGIN);
    wh_bucket_init(&tg->global, tg->o.bulk_rate * TG_PACE_MARGIN, burst < 1.0 ? 1.0 : burst, now_ms(tg));
    uv_timer_init(tg->loop, &tg->pace);
    uv_timer_init(tg->loop, &tg->drain);
    tg->pace.data = tg->drain.data = tg;
    tg->open_handles += 2;
    return 0;
}

/* Several instances share the bot's rate (core/cluster.c): each paces its
 * bulk sends at bulk_rate / n, so together they stay under it. */
void wh_tg_set_share(wh_tg *tg, int n)
{
    if (!tg || n < 1)
        return;
    double rate = tg->o.bulk_rate / n, burst = rate * (1.0 - TG_PACE_MARGIN);
    tg->global.rate = rate * TG_PACE_MARGIN;
    tg->global.burst = burst < 1.0 ? 1.0 : burst;
    if (tg->global.tokens > tg->global.burst)
        tg->global.tokens = tg->global.burst;
    wh_tg_outbox_pump(tg);
}

void wh_tg_hold_bulk(wh_tg *tg, int64_t ms)
{
    if (tg)
        wh_bucket_pause(&tg->global, now_ms(tg) + ms);
}

static tg_chat *chat_new(wh_tg *tg, int64_t chat_id)
{
    tg_chat *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    tg_list_init(&c->link);
    c->chat_id = chat_id;
    double rate = tg->o.bulk_per_chat_rate;
    if (chat_id < 0 && rate > TG_GROUP_RATE)
        rate = TG_GROUP_RATE;
    wh_bucket_init(&c->bucket, rate * TG_PACE_MARGIN, 1.0, now_ms(tg));
    if (chat_id != 0) {
        if (wh_i64map_put(&tg->chats, chat_id, c) != 0) {
            free(c);
            return NULL;
        }
        c->bound = 1;
    }
    return c;
}

static void chat_free(wh_tg *tg, tg_chat *c)
{
    tg_list_del(&c->link);
    if (c->bound)
        wh_i64map_del(&tg->chats, c->chat_id);
    free(c);
}

/* the request that goes next: a reply before any broadcast */
static tg_req *next_req(const tg_chat *c) { return c->head ? c->head : c->bhead; }

static void enqueue(tg_chat *c, tg_req *r)
{
    r->next = NULL;
    tg_req **head = r->klass == WH_TG_BULK ? &c->bhead : &c->head;
    tg_req **tail = r->klass == WH_TG_BULK ? &c->btail : &c->tail;
    if (*tail)
        (*tail)->next = r;
    else
        *head = r;
    *tail = r;
}

/* takes r, the front of one of c's queues, out of it */
static void dequeue(tg_chat *c, tg_req *r)
{
    if (r == c->head) {
        c->head = r->next;
        if (!c->head)
            c->tail = NULL;
    } else if (r == c->bhead) {
        c->bhead = r->next;
        if (!c->bhead)
            c->btail = NULL;
    }
    r->next = NULL;
}

/* puts a chat that is not in flight into the list its next request calls for */
static void chat_place(wh_tg *tg, tg_chat *c)
{
    tg_list_del(&c->link);
    if (c->cur) {
        tg_list_add_tail(&tg->busy, &c->link);
        return;
    }
    tg_req *r = next_req(c);
    if (!r) {
        if (!c->bound || wh_bucket_full(&c->bucket, now_ms(tg)))
            chat_free(tg, c);
        else
            tg_list_add_tail(&tg->idle, &c->link);
        return;
    }
    if (r->flood)
        tg_list_add_tail(&tg->flood, &c->link);
    else if (r->not_before > now_ms(tg))
        tg_list_add_tail(&tg->delayed, &c->link);
    else if (r->klass == WH_TG_BULK)
        tg_list_add_tail(&tg->ready_bulk, &c->link);
    else
        tg_list_add_tail(&tg->ready_now, &c->link);
}

void wh_tg_finish(wh_tg *tg, tg_req *r, wh_tg_result *res)
{
    if (!res->ok) {
        atomic_fetch_add(&tg->st_errors, 1);
        if (res->error_code == 403 && r->chat_id != 0 && tg->h.on_blocked)
            tg->h.on_blocked(r->chat_id, tg->h.ud);
    }
    /* counted out before the caller wakes, so what it reads next is current */
    tg->outstanding--;
    atomic_fetch_sub(&tg->st_queued, 1);
    if (r->waiter) {
        pthread_mutex_lock(&tg->mu);
        *r->waiter->out = *res;
        r->waiter->done = 1;
        pthread_cond_signal(&r->waiter->cv);
        pthread_mutex_unlock(&tg->mu);
    } else if (r->done) {
        r->done(res, r->done_ud);
        json_decref(res->result);
    } else if (!res->ok && res->error_code == 0 && strcmp(res->description, TG_SHUTTING_DOWN) == 0) {
        tg->dropped++; /* one line for all of them at close */
    } else {
        if (!res->ok)
            wh_logf(res->error_code == 403 ? WH_LOG_INFO : WH_LOG_WARN, "tg", "%s to chat %lld failed: %d %s",
                    r->method, (long long)r->chat_id, res->error_code, res->description);
        json_decref(res->result);
    }
    wh_tg_req_free(r);
}

static void fail(wh_tg *tg, tg_req *r, const char *why)
{
    wh_tg_result res;
    memset(&res, 0, sizeof res);
    snprintf(res.description, sizeof res.description, "%s", why);
    wh_tg_finish(tg, r, &res);
}

/* takes r out of its chat's queue and finishes it */
static void finish_req(wh_tg *tg, tg_chat *c, tg_req *r, wh_tg_result *res)
{
    dequeue(c, r);
    r->not_before = 0;
    r->flood = 0;
    wh_tg_finish(tg, r, res);
}

static void fail_req(wh_tg *tg, tg_chat *c, tg_req *r, const char *why)
{
    wh_tg_result res;
    memset(&res, 0, sizeof res);
    snprintf(res.description, sizeof res.description, "%s", why);
    finish_req(tg, c, r, &res);
}

static void take_incoming(wh_tg *tg)
{
    pthread_mutex_lock(&tg->mu);
    tg_req *r = tg->in_head;
    tg->in_head = tg->in_tail = NULL;
    pthread_mutex_unlock(&tg->mu);

    while (r) {
        tg_req *next = r->next;
        r->next = NULL;
        tg->outstanding++;
        tg_chat *c = r->chat_id ? wh_i64map_get(&tg->chats, r->chat_id) : NULL;
        if (!c)
            c = chat_new(tg, r->chat_id);
        if (!c) {
            fail(tg, r, "out of memory");
        } else if (tg->state != TG_RUNNING && r->klass == WH_TG_BULK) {
            /* accepted just before stop: broadcasts do not get the grace period */
            fail(tg, r, TG_SHUTTING_DOWN);
            if (!next_req(c) && !c->cur)
                chat_place(tg, c);
        } else {
            r->chat = c;
            enqueue(c, r);
            /* a new next request (the first, or a reply ahead of broadcasts) */
            if (!c->cur && next_req(c) == r)
                chat_place(tg, c);
        }
        r = next;
    }
}

static void dispatch(wh_tg *tg, tg_chat *c, int64_t now)
{
    tg_req *r = next_req(c);
    tg_list_del(&c->link);
    if (r->klass == WH_TG_INTERACTIVE) {
        wh_bucket_force(&tg->global, now);
        wh_bucket_force(&c->bucket, now);
    }
    long timeout = (long)tg->o.http_timeout_s * 1000L;
    if (wh_tg_http_start(tg, r, timeout) != 0) {
        fail_req(tg, c, r, "cannot start the request");
        chat_place(tg, c);
        return;
    }
    c->cur = r;
    tg_list_add_tail(&tg->busy, &c->link);
    if (r->probe)
        tg->probing++;
}

/* idle chats are in the order they fell idle, so the full ones are at the head */
static void sweep_idle(wh_tg *tg, int64_t now)
{
    while (!tg_list_empty(&tg->idle)) {
        tg_chat *c = tg_container(tg->idle.next, tg_chat, link);
        if (!wh_bucket_full(&c->bucket, now))
            break;
        chat_free(tg, c);
    }
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

void wh_tg_outbox_pump(wh_tg *tg)
{
    if (tg->state == TG_CLOSING)
        return;
    take_incoming(tg);
    uv_update_time(tg->loop);
    int64_t now = now_ms(tg);
    int64_t wake = INT64_MAX;
    sweep_idle(tg, now);

    if (now < tg->pause_until) {
        wake = tg->pause_until;
        goto arm;
    }
    /* after a flood wait only the requests that hit it go, and the rest wait
     * for their answers: resuming everything at once would just collect
     * another round of 429s */
    while (!tg_list_empty(&tg->flood)) {
        tg_chat *c = tg_container(tg->flood.next, tg_chat, link);
        tg_req *r = next_req(c);
        r->probe = 1;
        r->flood = 0;
        dispatch(tg, c, now);
    }
    if (tg->probing > 0)
        goto arm;

    for (tg_link *l = tg->delayed.next, *next; l != &tg->delayed; l = next) {
        next = l->next;
        tg_chat *c = tg_container(l, tg_chat, link);
        if (next_req(c)->not_before <= now)
            chat_place(tg, c);
        else
            wake = min64(wake, next_req(c)->not_before);
    }
    while (!tg_list_empty(&tg->ready_now))
        dispatch(tg, tg_container(tg->ready_now.next, tg_chat, link), now);

    for (tg_link *l = tg->ready_bulk.next, *next; l != &tg->ready_bulk; l = next) {
        next = l->next;
        tg_chat *c = tg_container(l, tg_chat, link);
        int64_t g = wh_bucket_peek(&tg->global, now);
        if (g > 0) {
            /* every bulk request needs the global budget: no point looking further */
            wake = min64(wake, now + g);
            break;
        }
        int64_t w = wh_bucket_peek(&c->bucket, now);
        if (w > 0) {
            wake = min64(wake, now + w);
            continue;
        }
        wh_bucket_take(&tg->global, now);
        wh_bucket_take(&c->bucket, now);
        dispatch(tg, c, now);
    }
    if (!tg_list_empty(&tg->idle)) {
        /* wake once the oldest idle chat can be forgotten */
        tg_chat *c = tg_container(tg->idle.next, tg_chat, link);
        int64_t refill = c->bucket.rate > 0 ? (int64_t)((c->bucket.burst - c->bucket.tokens) * 1000.0 / c->bucket.rate) : 0;
        wake = min64(wake, (c->bucket.last_ms > now ? c->bucket.last_ms : now) + refill + 1);
    }
arm:
    if (wake == INT64_MAX)
        uv_timer_stop(&tg->pace);
    else
        uv_timer_start(&tg->pace, on_pace, (uint64_t)(wake > now ? wake - now : 0), 0);
    if (tg->state == TG_DRAINING && tg->outstanding == 0)
        wh_tg_outbox_close(tg);
}

static int64_t backoff_ms(int n)
{
    int64_t ms = TG_BACKOFF_MIN_MS;
    for (int i = 0; i < n && ms < TG_BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < TG_BACKOFF_MAX_MS ? ms : TG_BACKOFF_MAX_MS;
}

void wh_tg_outbox_done(wh_tg *tg, tg_req *r, CURLcode code, long http)
{
    tg_chat *c = r->chat;
    wh_tg_result res;
    int64_t retry_after = 0;
    int kind = wh_tg_http_parse(tg, r, code, http, &res, &retry_after);
    /* the loop's cached time predates this response: a retry_after counted
     * from it could fire a few ms before Telegram's window ends */
    uv_update_time(tg->loop);
    int64_t now = now_ms(tg);
    c->cur = NULL;
    if (r->probe) {
        r->probe = 0;
        tg->probing--;
    }
    if (kind == TG_FLOOD) {
        atomic_fetch_add(&tg->st_429, 1);
        if (++r->floods < TG_MAX_FLOODS) {
            int64_t until = now + retry_after * 1000 + 1; /* ms clocks round: never early */
            if (until > tg->pause_until) {
                tg_log(WH_LOG_WARN, "flood wait %llds (%s to chat %lld)", (long long)retry_after, r->method,
                        (long long)r->chat_id);
                tg->pause_until = until;
                wh_bucket_pause(&tg->global, until);
            }
            r->flood = 1;
            chat_place(tg, c);
            return;
        }
    } else if (kind == TG_RETRY && r->retries < tg->o.max_retries) {
        int64_t delay = backoff_ms(r->retries);
        r->retries++;
        atomic_fetch_add(&tg->st_retries, 1);
        tg_log(WH_LOG_DEBUG, "%s to chat %lld: %d %s, retry %d in %lld ms", r->method, (long long)r->chat_id,
                 res.error_code, res.description, r->retries, (long long)delay);
        r->not_before = now + delay;
        chat_place(tg, c);
        return;
    }
    finish_req(tg, c, r, &res);
    chat_place(tg, c);
}

/* fails the broadcasts a chat has queued (not the one in flight, which is
 * one message and gets the grace period) */
static void drop_bulk(wh_tg *tg, tg_chat *c)
{
    tg_req *r = c->bhead;
    c->bhead = c->btail = NULL;
    while (r) {
        tg_req *next = r->next;
        r->next = NULL;
        if (r == c->cur) {
            c->bhead = c->btail = r;
        } else {
            wh_tg_result res;
            memset(&res, 0, sizeof res);
            snprintf(res.description, sizeof res.description, "%s", TG_SHUTTING_DOWN);
            wh_tg_finish(tg, r, &res);
        }
        r = next;
    }
}

void wh_tg_outbox_stop(wh_tg *tg)
{
    tg->state = TG_DRAINING;
    take_incoming(tg);
    /* queued broadcasts do not get the grace period; each chat once, then
     * placed again by what is left (collected first: placing a chat may
     * put it back into a list being walked) */
    tg_link *lists[] = {&tg->ready_now, &tg->ready_bulk, &tg->delayed, &tg->flood, &tg->busy};
    size_t n = 0;
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        for (tg_link *l = lists[i]->next; l != lists[i]; l = l->next)
            n++;
    tg_chat **all = n ? malloc(n * sizeof *all) : NULL;
    size_t k = 0;
    for (size_t i = 0; all && i < sizeof lists / sizeof *lists; i++)
        for (tg_link *l = lists[i]->next; l != lists[i]; l = l->next)
            all[k++] = tg_container(l, tg_chat, link);
    for (size_t i = 0; i < k; i++) {
        drop_bulk(tg, all[i]);
        chat_place(tg, all[i]);
    }
    free(all);
    uv_timer_start(&tg->drain, on_drain, TG_DRAIN_MS, 0);
    wh_tg_outbox_pump(tg);
}

static void fail_chat(wh_tg *tg, tg_chat *c)
{
    if (c->cur) {
        wh_tg_http_abort(tg, c->cur);
        if (c->cur->probe)
            tg->probing--;
        c->cur = NULL;
    }
    tg_req *r;
    while ((r = next_req(c)))
        fail_req(tg, c, r, TG_SHUTTING_DOWN);
    chat_free(tg, c);
}

/* the end of the grace period, or nothing left to wait for: fail what is
 * left and close every handle */
void wh_tg_outbox_close(wh_tg *tg)
{
    if (tg->state == TG_CLOSING)
        return;
    tg->state = TG_CLOSING;
    take_incoming(tg);
    tg_link *lists[] = {&tg->busy, &tg->ready_now, &tg->ready_bulk, &tg->delayed, &tg->flood, &tg->idle};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        while (!tg_list_empty(lists[i]))
            fail_chat(tg, tg_container(lists[i]->next, tg_chat, link));
    uv_timer_stop(&tg->pace);
    uv_timer_stop(&tg->drain);
    uv_close((uv_handle_t *)&tg->pace, wh_tg_handle_closed);
    uv_close((uv_handle_t *)&tg->drain, wh_tg_handle_closed);
    wh_tg_close_handles(tg);
}

void wh_tg_outbox_free(wh_tg *tg) { wh_i64map_free(&tg->chats); }
