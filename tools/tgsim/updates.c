/* Bot API methods of update delivery: getUpdates (long polling with
 * Telegram's offset semantics), setWebhook, deleteWebhook, getWebhookInfo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "botapi.h"
#include "params.h"
#include "text.h"

#define MAX_POLL_SECONDS 600

static void remove_at(tgsim_bot *b, size_t i)
{
    json_decref(b->upd[i].json);
    memmove(&b->upd[i], &b->upd[i + 1], (b->nupd - i - 1) * sizeof *b->upd);
    b->nupd--;
}

/* offset N > 0 confirms every update with a smaller id; -N keeps only the last N. */
static void confirm(tgsim_bot *b, int64_t offset)
{
    if (offset > 0) {
        for (size_t i = b->nupd; i-- > 0;) {
            tgsim_update *u = &b->upd[i];
            /* a re-delivered (injected) duplicate must reach the bot once */
            if (u->id < offset && !(u->forced && !u->returned))
                remove_at(b, i);
        }
    } else if (offset < 0) {
        size_t keep = (size_t)(-offset);
        while (b->nupd > keep)
            remove_at(b, 0);
    }
}

static void drop_not_allowed(tgsim_bot *b)
{
    for (size_t i = b->nupd; i-- > 0;)
        if (!tgsim_update_allowed(b, b->upd[i].json))
            remove_at(b, i);
}

static bool set_allowed(tgsim_call *c)
{
    bool bad;
    json_t *a = tgsim_param_json(c->params, "allowed_updates", &bad);
    if (bad || (a && !json_is_array(a))) {
        json_decref(a);
        tgsim_call_fail(c, 400, "Bad Request: can't parse allowed updates JSON object");
        return false;
    }
    if (a) {
        /* remembered until the next call that passes it, like Telegram */
        json_decref(c->bot->allowed_updates);
        c->bot->allowed_updates = a;
    }
    return true;
}

void tgsim_m_get_updates(tgsim_call *c)
{
    tgsim_bot *b = c->bot;
    tgsim_sim *s = c->sim;
    if (b->webhook_url) {
        tgsim_call_fail(c, 409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first");
        return;
    }
    int64_t offset = 0, limit = 100, timeout = 0;
    if (tgsim_param_int(c->params, "offset", &offset) < 0)
        offset = 0;
    if (tgsim_param_int(c->params, "limit", &limit) <= 0)
        limit = 100;
    else if (limit < 1)
        limit = 1;
    else if (limit > 100)
        limit = 100;
    if (tgsim_param_int(c->params, "timeout", &timeout) <= 0 || timeout < 0)
        timeout = 0;
    if (timeout > MAX_POLL_SECONDS)
        timeout = MAX_POLL_SECONDS;
    if (!set_allowed(c))
        return;
    uint64_t gen = ++b->poll_gen;
    int64_t deadline = tgsim_now_ms() + timeout * 1000;
    confirm(b, offset);
    for (;;) {
        if (b->poll_gen != gen) {
            tgsim_call_fail(c, 409, "Conflict: terminated by other getUpdates request; make "
                                    "sure that only one bot instance is running");
            return;
        }
        if (b->webhook_url) {
            tgsim_call_fail(c, 409, "Conflict: terminated by setWebhook request");
            return;
        }
        drop_not_allowed(b);
        /* after confirm() everything queued is deliverable: new ids only grow, and
         * injected duplicates are kept until returned once */
        if (b->nupd || s->stopping || !tgsim_wait_until(s, &b->upd_cond, deadline))
            break;
    }
    json_t *res = json_array();
    bool raw = false;
    for (size_t i = 0; i < b->nupd && json_array_size(res) < (size_t)limit; i++) {
        b->upd[i].returned = true;
        raw = raw || json_object_get(b->upd[i].json, TGSIM_RAW_KEY);
        json_array_append_new(res, json_deep_copy(b->upd[i].json));
    }
    if (!raw) {
        c->result = res;
        return;
    }
    /* a raw update goes as its text: the answer is written by hand */
    size_t n = json_array_size(res), len = 3;
    char **texts = calloc(n ? n : 1, sizeof *texts);
    bool oom = !texts;
    for (size_t i = 0; !oom && i < n; i++) {
        texts[i] = tgsim_update_text(json_array_get(res, i));
        oom = !texts[i];
        len += oom ? 0 : strlen(texts[i]) + 1;
    }
    json_decref(res);
    char *out = oom ? NULL : malloc(len);
    if (out) {
        char *o = out;
        *o++ = '[';
        for (size_t i = 0; i < n; i++)
            o += sprintf(o, "%s%s", i ? "," : "", texts[i]);
        strcpy(o, "]");
    }
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    if (!out) {
        tgsim_call_fail(c, 500, "Internal Server Error: out of memory");
        return;
    }
    c->raw_result = out;
}

static bool secret_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 256)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

static void clear_webhook(tgsim_bot *b)
{
    free(b->webhook_url);
    free(b->webhook_secret);
    b->webhook_url = b->webhook_secret = NULL;
}

void tgsim_m_set_webhook(tgsim_call *c)
{
    tgsim_bot *b = c->bot;
    const char *url = tgsim_param_str(c->params, "url");
    const char *secret = tgsim_param_str(c->params, "secret_token");
    if (url && *url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
        /* plain http is allowed, as a local Bot API server allows it */
        tgsim_call_fail(c, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        return;
    }
    if (secret && *secret && !secret_ok(secret)) {
        tgsim_call_fail(c, 400, "Bad Request: secret token contains unallowed characters");
        return;
    }
    if (!set_allowed(c))
        return;
    int64_t maxc;
    if (tgsim_param_int(c->params, "max_connections", &maxc) > 0 && maxc >= 1 && maxc <= 100)
        b->wh_max_conn = (int)maxc;
    if (tgsim_param_bool(c->params, "drop_pending_updates"))
        tgsim_bot_drop_updates(b);
    bool had = b->webhook_url != NULL;
    clear_webhook(b);
    free(b->wh_error_msg);
    b->wh_error_msg = NULL;
    b->wh_error_date = 0;
    if (url && *url) {
        b->webhook_url = tgsim_strdup(url);
        b->webhook_secret = secret && *secret ? tgsim_strdup(secret) : NULL;
        c->ok_description = "Webhook was set";
    } else {
        c->ok_description = had ? "Webhook was deleted" : "Webhook is already deleted";
    }
    pthread_cond_broadcast(&b->upd_cond);
}

void tgsim_m_delete_webhook(tgsim_call *c)
{
    tgsim_bot *b = c->bot;
    c->ok_description = b->webhook_url ? "Webhook was deleted" : "Webhook is already deleted";
    clear_webhook(b);
    if (tgsim_param_bool(c->params, "drop_pending_updates"))
        tgsim_bot_drop_updates(b);
    pthread_cond_broadcast(&b->upd_cond);
}

void tgsim_m_get_webhook_info(tgsim_call *c)
{
    tgsim_bot *b = c->bot;
    size_t pending = 0;
    for (size_t i = 0; i < b->nupd; i++)
        pending += tgsim_update_allowed(b, b->upd[i].json);
    json_t *o = json_pack("{s:s,s:b,s:I}", "url", b->webhook_url ? b->webhook_url : "",
                          "has_custom_certificate", 0, "pending_update_count",
                          (json_int_t)pending);
    if (b->webhook_url) {
        json_object_set_new(o, "max_connections", json_integer(b->wh_max_conn));
        json_object_set_new(o, "ip_address", json_string("127.0.0.1"));
    }
    if (b->wh_error_date) {
        json_object_set_new(o, "last_error_date", json_integer(b->wh_error_date));
        json_object_set_new(o, "last_error_message", json_string(b->wh_error_msg));
    }
    if (b->allowed_updates && json_array_size(b->allowed_updates))
        json_object_set_new(o, "allowed_updates", json_deep_copy(b->allowed_updates));
    c->result = o;
}
