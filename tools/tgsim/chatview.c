/* GET /_sim/users/{id}/chat: the conversation as the user sees it now, with
 * a long poll on the chat's version. */
#include <stdlib.h>
#include <string.h>

#include "botapi.h"
#include "control.h"
#include "params.h"
#include "text.h"

#define MAX_WAIT_MS 60000

static void copy_field(json_t *dst, const json_t *tg, const char *key)
{
    json_t *v = json_object_get(tg, key);
    if (v)
        json_object_set_new(dst, key, json_deep_copy(v));
}

static json_t *msg_view(const tgsim_msg *m)
{
    const json_t *tg = m->tg;
    const char *text = json_string_value(json_object_get(tg, "text"));
    const char *caption = json_string_value(json_object_get(tg, "caption"));
    json_t *o = json_pack("{s:I,s:s,s:O,s:b}", "message_id", (json_int_t)m->id, "from",
                          m->from_bot ? "bot" : "user", "date", json_object_get(tg, "date"),
                          "edited", m->edited);
    json_object_set_new(o, "text", text ? json_string(text) : json_null());
    json_object_set_new(o, "caption", caption ? json_string(caption) : json_null());
    /* html: exactly what the bot sent with parse_mode=HTML; otherwise the
     * escaped plain text, so it is always safe to show as HTML */
    if (m->html) {
        json_object_set_new(o, "html", json_string(m->html));
    } else {
        char *esc = tgsim_html_escape(text ? text : caption ? caption : "");
        json_object_set_new(o, "html", json_string(esc ? esc : ""));
        free(esc);
    }
    json_object_set_new(o, "parse_mode", m->html ? json_string("HTML") : json_null());
    json_object_set_new(o, "reply_markup", m->markup ? json_deep_copy(m->markup) : json_null());
    static const char *const keys[] = {"entities", "caption_entities", "photo", "document",
                                       "contact", "location", "edit_date", "link_preview_options",
                                       "forward_origin"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        copy_field(o, tg, keys[i]);
    json_t *reply = json_object_get(tg, "reply_to_message");
    if (reply)
        json_object_set(o, "reply_to_message_id", json_object_get(reply, "message_id"));
    if (m->upload)
        json_object_set(o, "upload", m->upload);
    if (m->silent)
        json_object_set_new(o, "disable_notification", json_true());
    return o;
}

static json_t *view(tgsim_bot *b, tgsim_user *u)
{
    tgsim_chat *c = tgsim_chat_get(b, u->id);
    json_t *msgs = json_array();
    for (size_t i = 0; c && i < c->nmsgs; i++)
        if (!c->msgs[i]->deleted)
            json_array_append_new(msgs, msg_view(c->msgs[i]));
    json_t *o = json_pack("{s:I,s:o,s:s,s:b,s:o}", "version", (json_int_t)(c ? c->version : 0),
                          "user", tgsim_user_json(u), "bot", b->username, "blocked",
                          c ? c->blocked : 0, "messages", msgs);
    json_object_set_new(o, "callback_answers", c ? json_deep_copy(c->answers) : json_array());
    json_object_set_new(o, "keyboard", c && c->keyboard ? json_deep_copy(c->keyboard) : json_null());
    json_object_set_new(o, "draft", c ? tgsim_draft_view(c) : json_null());
    return o;
}

void tgsim_chatview(tgsim_ctl *x, int64_t user_id)
{
    tgsim_sim *s = x->s;
    int64_t after = -1, timeout = 0;
    bool wait = tgsim_param_int(x->p, "after_version", &after) > 0 && after >= 0;
    tgsim_param_int(x->p, "timeout_ms", &timeout);
    if (timeout > MAX_WAIT_MS)
        timeout = MAX_WAIT_MS;
    int64_t deadline = tgsim_now_ms() + (timeout > 0 ? timeout : 0);
    if (wait && timeout > 0) {
        s->chat_waiters++;
        for (;;) {
            /* look both up again after every wake-up: a reset frees them */
            tgsim_user *u = tgsim_user_get(s, user_id);
            tgsim_chat *c = u ? tgsim_chat_get(x->bot, user_id) : NULL;
            if (!u || (c && c->version > (uint64_t)after) || s->stopping ||
                !tgsim_wait_until(s, &s->chat_cond, deadline))
                break;
        }
        s->chat_waiters--;
    }
    tgsim_user *u = tgsim_user_get(s, user_id);
    if (!u)
        tgsim_ctl_error(x, 404, "no user %lld", (long long)user_id);
    else
        tgsim_ctl_reply(x, 200, view(x->bot, u));
}
