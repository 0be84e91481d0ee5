/* Bot API dispatch: token check, method lookup, injected faults, the call
 * log, and Telegram's reply envelope. */
#include "botapi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose.h"
#include "params.h"

typedef struct method_def {
    const char *name;
    void (*prepare)(tgsim_call *c);     /* runs without the lock: may do I/O */
    void (*run)(tgsim_call *c);         /* runs under the sim lock */
} method_def;

static const method_def methods[] = {
    {"getMe", NULL, tgsim_m_get_me},
    {"logOut", NULL, tgsim_m_log_out},
    {"close", NULL, tgsim_m_log_out},
    {"getUpdates", NULL, tgsim_m_get_updates},
    {"setWebhook", NULL, tgsim_m_set_webhook},
    {"deleteWebhook", NULL, tgsim_m_delete_webhook},
    {"getWebhookInfo", NULL, tgsim_m_get_webhook_info},
    {"sendMessage", tgsim_m_send_message_prepare, tgsim_m_send_message},
    {"sendMessageDraft", tgsim_m_send_draft_prepare, tgsim_m_send_draft},
    {"sendPhoto", tgsim_m_photo_prepare, tgsim_m_send_photo},
    {"sendDocument", tgsim_m_document_prepare, tgsim_m_send_document},
    {"copyMessage", NULL, tgsim_m_copy_message},
    {"forwardMessage", NULL, tgsim_m_forward_message},
    {"editMessageText", NULL, tgsim_m_edit_text},
    {"editMessageCaption", NULL, tgsim_m_edit_caption},
    {"editMessageReplyMarkup", NULL, tgsim_m_edit_markup},
    {"deleteMessage", NULL, tgsim_m_delete_message},
    {"answerCallbackQuery", NULL, tgsim_m_answer_callback},
    {"setMyCommands", NULL, tgsim_m_set_commands},
    {"getMyCommands", NULL, tgsim_m_get_commands},
    {"deleteMyCommands", NULL, tgsim_m_delete_commands},
    {"sendChatAction", NULL, tgsim_m_send_chat_action},
    {"getChat", NULL, tgsim_m_get_chat},
    {"getFile", NULL, tgsim_m_get_file},
};

void tgsim_call_fail(tgsim_call *c, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->description, sizeof c->description, fmt, ap);
    va_end(ap);
    c->error_code = code;
}

tgsim_chat *tgsim_call_chat(tgsim_call *c, const char *key, bool for_send)
{
    int64_t id = 0;
    int rc = tgsim_param_int(c->params, key, &id);
    if (rc == 0) {
        tgsim_call_fail(c, 400, "Bad Request: %s is empty", key);
        return NULL;
    }
    tgsim_user *u = rc > 0 ? tgsim_user_get(c->sim, id) : NULL;
    tgsim_chat *chat = u ? tgsim_chat_get(c->bot, u->id) : NULL;
    if (!u || (!chat && !for_send)) {
        tgsim_call_fail(c, 400, "Bad Request: chat not found");
        return NULL;
    }
    if (!chat) {
        /* a user who never opened the bot cannot be written to first */
        tgsim_call_fail(c, 403, "Forbidden: bot can't initiate conversation with a user");
        return NULL;
    }
    if (for_send && chat->blocked) {
        tgsim_call_fail(c, 403, "Forbidden: bot was blocked by the user");
        return NULL;
    }
    return chat;
}

bool tgsim_call_flood_ok(tgsim_call *c, tgsim_chat *chat)
{
    tgsim_sim *s = c->sim;
    int64_t now = tgsim_now_ms();
    int rg = tgsim_window_check(&s->rate, s->rate_global, now);
    int rc = chat ? tgsim_window_check(&chat->rate, s->rate_per_chat, now) : 0;
    int wait = rg > rc ? rg : rc;
    if (wait) {
        c->rate_limited = true;
        c->retry_after = wait;
        tgsim_call_fail(c, 429, "Too Many Requests: retry after %d", wait);
        return false;
    }
    if (s->rate_global > 0)
        tgsim_window_record(&s->rate, now);
    if (chat && s->rate_per_chat > 0)
        tgsim_window_record(&chat->rate, now);
    return true;
}

static const method_def *find_method(tgsim_sim *s, const char *name)
{
    const method_def *m = NULL;
    for (size_t i = 0; !m && i < sizeof methods / sizeof *methods; i++)
        if (!strcasecmp(methods[i].name, name))
            m = &methods[i];
    /* POST /_sim/methods {"disable": [...]}: as a server that predates them */
    pthread_mutex_lock(&s->lock);
    size_t i;
    json_t *v;
    json_array_foreach(s->disabled, i, v) {
        if (m && !strcasecmp(json_string_value(v), m->name))
            m = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    return m;
}

/* Sleeps through a "hang" fault; shutdown cuts it short. */
static void hang(tgsim_sim *s, int ms)
{
    int64_t deadline = tgsim_now_ms() + ms;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping && tgsim_wait_until(s, &s->stop_cond, deadline))
        ;
    pthread_mutex_unlock(&s->lock);
}

static void run_call(tgsim_call *c, const method_def *m, tgsim_reply *out)
{
    tgsim_sim *s = c->sim;
    tgsim_fault f;
    pthread_mutex_lock(&s->lock);
    tgsim_fault_kind fk = tgsim_faults_take(&s->faults, m->name, &f);
    pthread_mutex_unlock(&s->lock);
    switch (fk) {
    case TGSIM_FAULT_500:
        tgsim_call_fail(c, 500, "Internal Server Error");
        return;
    case TGSIM_FAULT_429:
        c->retry_after = f.retry_after > 0 ? f.retry_after : 1;
        tgsim_call_fail(c, 429, "Too Many Requests: retry after %d", c->retry_after);
        return;
    case TGSIM_FAULT_HANG:
        hang(s, f.hang_ms > 0 ? f.hang_ms : 60000);
        out->drop = true;
        return;
    case TGSIM_FAULT_DROP:
        out->drop = true;
        return;
    case TGSIM_FAULT_NONE:
        break;
    }
    if (m->prepare)
        m->prepare(c);
    if (c->error_code)
        return;
    pthread_mutex_lock(&s->lock);
    m->run(c);
    pthread_mutex_unlock(&s->lock);
}

void tgsim_botapi_handle(tgsim_req *r, const char *token, size_t token_len, const char *method,
                         tgsim_reply *out)
{
    tgsim_sim *s = r->sim;
    tgsim_call c = {.sim = s, .req = r};
    const method_def *m = NULL;
    c.bot = tgsim_bot_by_token(s, token, token_len);
    if (!c.bot) {
        tgsim_call_fail(&c, 401, "Unauthorized");
    } else if (!(m = find_method(s, method))) {
        tgsim_call_fail(&c, 404, "Not Found");
    } else {
        char err[256];
        c.params = tgsim_params_collect(r, err, sizeof err);
        if (!c.params) {
            tgsim_call_fail(&c, 400, "%s", err);
        } else {
            int64_t chat_id;
            if (tgsim_param_int(c.params, "chat_id", &chat_id) > 0)
                c.chat_id = chat_id;
            run_call(&c, m, out);
        }
    }

    int status = out->drop ? 0 : c.error_code ? c.error_code : 200;
    if (!out->drop) {
        out->status = status;
        if (c.error_code) {
            out->json = json_pack("{s:b,s:i,s:s}", "ok", 0, "error_code", c.error_code,
                                  "description", c.description);
            if (c.retry_after)
                json_object_set_new(out->json, "parameters",
                                    json_pack("{s:i}", "retry_after", c.retry_after));
        } else {
            out->json = json_pack("{s:b,s:o}", "ok", 1, "result",
                                  c.result ? c.result : json_true());
            c.result = NULL;
            if (c.ok_description)
                json_object_set_new(out->json, "description", json_string(c.ok_description));
        }
    }
    json_decref(c.result);
    json_decref(c.params);
    free(c.upload_name);
    free(c.upload_mime);
    free(c.upload_ctype);
    if (c.pre_text) {
        tgsim_rich_free(c.pre_text);
        free(c.pre_text);
    }
    json_decref(c.pre_markup);

    char name[40];
    snprintf(name, sizeof name, "%s", m ? m->name : method);
    pthread_mutex_lock(&s->lock);
    /* blob references are counted under the lock: a reset may drop the file's one */
    tgsim_blob_unref(c.upload);
    if (c.bot)
        tgsim_calllog_add(&s->log, r->t_start, name, c.chat_id, status, c.rate_limited);
    pthread_mutex_unlock(&s->lock);
}
