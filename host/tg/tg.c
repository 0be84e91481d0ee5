/* Telegram client: life cycle, the worker-side entry point and the glue
 * between the outbox, the poller and the HTTP layer. */
#include "tg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <walor/types.h>

#include "error.h"
#include "log.h"

void wh_tg_redact(const wh_tg *tg, const char *in, char *out, size_t n)
{
    size_t tlen = tg->token ? strlen(tg->token) : 0;
    size_t o = 0;
    if (!n)
        return;
    while (*in && o + 1 < n) {
        if (tlen && strncmp(in, tg->token, tlen) == 0) {
            static const char mask[] = "<token>";
            for (const char *m = mask; *m && o + 1 < n; m++)
                out[o++] = *m;
            in += tlen;
        } else {
            out[o++] = *in++;
        }
    }
    out[o] = '\0';
}

void wh_tg_req_free(tg_req *r)
{
    if (!r)
        return;
    free(r->body);
    json_decref(r->params);
    free(r->up_field);
    free(r->up_filename);
    free(r->up_mime);
    free(r->up_data);
    free(r->resp);
    free(r);
}

void wh_tg_handle_closed(uv_handle_t *h)
{
    wh_tg *tg = h->data;
    tg->open_handles--;
}

static void on_wake(uv_async_t *a) { wh_tg_outbox_pump(a->data); }

/* the outbox is closed and nothing is in flight: close everything else */
void wh_tg_close_handles(wh_tg *tg)
{
    if (tg->dropped)
        tg_log(WH_LOG_WARN, "%zu queued requests not sent: shutting down", tg->dropped);
    wh_tg_poll_close(tg);
    wh_tg_http_close(tg);
    pthread_mutex_lock(&tg->mu);
    tg->accepting = 0;
    pthread_mutex_unlock(&tg->mu);
    uv_close((uv_handle_t *)&tg->wake, wh_tg_handle_closed);
}

wh_tg *wh_tg_new(uv_loop_t *loop, const wh_tg_opts *o, const wh_tg_hooks *h)
{
    if (!loop || !o || !o->api_root || !o->token || !*o->token) {
        wh_error(WALOR_EINVAL, "tg: api_root and token are required");
        return NULL;
    }
    wh_tg *tg = calloc(1, sizeof *tg);
    if (!tg)
        return NULL;
    tg->loop = loop;
    tg->loop_thread = pthread_self();
    tg->o = *o;
    if (h)
        tg->h = *h;
    tg->api_root = strdup(o->api_root);
    tg->token = strdup(o->token);
    if (!tg->api_root || !tg->token)
        goto fail;
    /* a trailing slash would give "//bot…", which some proxies reject */
    size_t rl = strlen(tg->api_root);
    while (rl && tg->api_root[rl - 1] == '/')
        tg->api_root[--rl] = '\0';
    tg->o.api_root = tg->api_root;
    tg->o.token = tg->token;
    if (tg->o.poll_timeout_s <= 0)
        tg->o.poll_timeout_s = 25;
    if (tg->o.bulk_rate <= 0)
        tg->o.bulk_rate = 30;
    if (tg->o.bulk_per_chat_rate <= 0)
        tg->o.bulk_per_chat_rate = 1;
    if (tg->o.http_timeout_s <= 0)
        tg->o.http_timeout_s = 30;
    if (tg->o.max_retries < 0)
        tg->o.max_retries = 0;

    /* reference counted by libcurl; must precede any thread using curl */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        goto fail;
    if (wh_tg_http_init(tg) != 0) {
        curl_slist_free_all(tg->json_hdrs);
        curl_slist_free_all(tg->form_hdrs);
        curl_global_cleanup();
        goto fail;
    }
    pthread_mutex_init(&tg->mu, NULL);
    wh_tg_outbox_init(tg);
    wh_tg_poll_init(tg);
    uv_async_init(loop, &tg->wake, on_wake);
    tg->wake.data = tg;
    tg->open_handles++;
    tg->accepting = 1;
    tg->state = TG_RUNNING;
    return tg;
fail:
    tg_log(WH_LOG_ERROR, "cannot initialise the Telegram client");
    free(tg->api_root);
    free(tg->token);
    free(tg);
    return NULL;
}

void wh_tg_set_offset(wh_tg *tg, int64_t next_offset) { tg->offset = next_offset; }

int wh_tg_start(wh_tg *tg)
{
    if (tg->state != TG_RUNNING)
        return wh_error(WALOR_EPHASE, "tg: stopped");
    if (tg->o.poll)
        wh_tg_poll_start(tg);
    return 0;
}

static int valid_method(const char *m)
{
    size_t n = 0;
    for (; m && m[n]; n++) {
        char c = m[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return n > 0 && n < sizeof ((tg_req *)0)->method;
}

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

/* builds the request on the caller's thread, so the loop thread only sends */
static tg_req *req_new(const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id, uint32_t klass)
{
    tg_req *r = calloc(1, sizeof *r);
    if (!r) {
        json_decref(params);
        return NULL;
    }
    snprintf(r->method, sizeof r->method, "%s", method);
    r->chat_id = chat_id;
    r->klass = klass;
    int oom = 0;
    if (up) {
        r->params = params;
        r->has_up = 1;
        r->up_field = dup_or_null(up->field ? up->field : "document", &oom);
        r->up_filename = dup_or_null(up->filename ? up->filename : "file", &oom);
        r->up_mime = dup_or_null(up->mime, &oom);
        r->up_len = up->len;
        r->up_data = malloc(up->len ? up->len : 1);
        if (r->up_data && up->len)
            memcpy(r->up_data, up->data, up->len);
        oom |= !r->up_data;
    } else {
        r->body = json_dumps(params, JSON_COMPACT);
        json_decref(params);
        oom |= !r->body;
    }
    if (oom) {
        wh_tg_req_free(r);
        return NULL;
    }
    return r;
}

static int32_t submit(wh_tg *tg, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                      uint32_t klass, wh_tg_result *out, wh_tg_done_fn done, void *done_ud);

int32_t wh_tg_call(wh_tg *tg, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                   uint32_t klass, wh_tg_result *out)
{
    return submit(tg, method, params, up, chat_id, klass, out, NULL, NULL);
}

int32_t wh_tg_call_cb(wh_tg *tg, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                      uint32_t klass, wh_tg_done_fn done, void *ud)
{
    return submit(tg, method, params, up, chat_id, klass, NULL, done, ud);
}

static int32_t submit(wh_tg *tg, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                      uint32_t klass, wh_tg_result *out, wh_tg_done_fn done, void *done_ud)
{
    if (out)
        memset(out, 0, sizeof *out);
    int want_result = out || (done && !(klass & WH_TG_NO_RESULT));
    klass &= ~WH_TG_NO_RESULT;
    if (!valid_method(method) || klass > WH_TG_UNPACED || (params && !json_is_object(params)) ||
        (up && !up->data && up->len)) {
        json_decref(params);
        return wh_error(WALOR_EINVAL, "tg: bad call of %s", valid_method(method) ? method : "(invalid method)");
    }
    if (out && pthread_equal(pthread_self(), tg->loop_thread)) {
        json_decref(params);
        return wh_error(WALOR_EINVAL, "tg: synchronous %s on the loop thread would never return", method);
    }
    if (!params && !(params = json_object()))
        return wh_error(WALOR_ENOMEM, "tg: out of memory");
    tg_req *r = req_new(method, params, up, chat_id, klass);
    if (!r)
        return wh_error(WALOR_ENOMEM, "tg: out of memory");
    r->done = done;
    r->done_ud = done_ud;
    r->want_result = want_result;

    tg_waiter w;
    if (out) {
        pthread_cond_init(&w.cv, NULL);
        w.done = 0;
        w.out = out;
        r->waiter = &w;
    }
    pthread_mutex_lock(&tg->mu);
    if (!tg->accepting) {
        pthread_mutex_unlock(&tg->mu);
        wh_tg_req_free(r);
        if (out) {
            pthread_cond_destroy(&w.cv);
            snprintf(out->description, sizeof out->description, "%s", TG_SHUTTING_DOWN);
        }
        return wh_error(WALOR_EBUSY, "tg: %s: %s", method, TG_SHUTTING_DOWN);
    }
    if (tg->in_tail)
        tg->in_tail->next = r;
    else
        tg->in_head = r;
    tg->in_tail = r;
    atomic_fetch_add(&tg->st_queued, 1);
    /* under the lock: the loop closes the async handle only after taking it
     * away from us under the same lock */
    uv_async_send(&tg->wake);
    if (!out) {
        pthread_mutex_unlock(&tg->mu);
        return 0;
    }
    while (!w.done)
        pthread_cond_wait(&w.cv, &tg->mu);
    pthread_mutex_unlock(&tg->mu);
    pthread_cond_destroy(&w.cv);
    return 0;
}

void wh_tg_stop(wh_tg *tg)
{
    if (tg->state != TG_RUNNING)
        return;
    pthread_mutex_lock(&tg->mu);
    tg->accepting = 0;
    pthread_mutex_unlock(&tg->mu);
    wh_tg_poll_stop(tg);
    wh_tg_outbox_stop(tg);
}

void wh_tg_free(wh_tg *tg)
{
    if (!tg)
        return;
    if (tg->open_handles != 0) {
        /* the loop still points at our handles: freeing would corrupt it */
        tg_log(WH_LOG_ERROR, "freed with %d open handles (call wh_tg_stop and run the loop first); leaking it",
               tg->open_handles);
        return;
    }
    wh_tg_outbox_free(tg);
    pthread_mutex_destroy(&tg->mu);
    free(tg->api_root);
    free(tg->token);
    free(tg);
    curl_global_cleanup();
}

void wh_tg_get_stats(wh_tg *tg, wh_tg_stats *out)
{
    out->requests = atomic_load(&tg->st_requests);
    out->errors = atomic_load(&tg->st_errors);
    out->http_429 = atomic_load(&tg->st_429);
    out->retries = atomic_load(&tg->st_retries);
    out->updates_received = atomic_load(&tg->st_updates);
    out->queued = atomic_load(&tg->st_queued);
}

int32_t wh_tg_result_err(const wh_tg_result *r)
{
    if (r->ok)
        return 0;
    if (r->error_code == 403)
        return wh_error(WALOR_EBLOCKED, "%s", r->description);
    if (r->error_code == 0)
        return wh_error(WALOR_ETIMEDOUT, "Telegram unreachable: %s", r->description);
    return wh_error(WALOR_ETG, "%d %s", r->error_code, r->description);
}
