#include "compose.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "markup.h"
#include "params.h"
#include "text.h"

int tgsim_rich_render(tgsim_call *c, const char *key, const char *ent_key, bool caption,
                      tgsim_rich *out)
{
    memset(out, 0, sizeof *out);
    const char *raw = tgsim_param_str(c->params, key);
    json_t *rv = json_object_get(c->params, key);
    char numbuf[32];
    if (!raw && json_is_integer(rv)) {
        /* Telegram coerces numbers to strings */
        snprintf(numbuf, sizeof numbuf, "%" JSON_INTEGER_FORMAT, json_integer_value(rv));
        raw = numbuf;
    }
    if (!raw)
        raw = "";
    const char *pm = tgsim_param_str(c->params, "parse_mode");
    if (pm && *pm && !strcasecmp(pm, "HTML")) {
        char err[400];
        if (tgsim_html_parse(raw, &out->plain, &out->entities, err, sizeof err) != 0) {
            tgsim_call_fail(c, 400, "Bad Request: can't parse entities: %s", err);
            return -1;
        }
        out->html = tgsim_strdup(raw);
    } else if (pm && *pm && strcasecmp(pm, "Markdown") && strcasecmp(pm, "MarkdownV2")) {
        tgsim_call_fail(c, 400, "Bad Request: unsupported parse_mode");
        return -1;
    } else {
        /* Markdown modes are accepted but not parsed (Walor uses HTML only) */
        bool bad;
        out->plain = tgsim_strdup(raw);
        out->entities = tgsim_param_json(c->params, ent_key, &bad);
        if (!json_is_array(out->entities)) {
            json_decref(out->entities);
            out->entities = json_array();
        }
    }
    tgsim_text_trim(out->plain, out->entities);
    size_t n = tgsim_utf16_len(out->plain, strlen(out->plain));
    if (!caption && n == 0) {
        tgsim_call_fail(c, 400, "Bad Request: message text is empty");
    } else if (!caption && n > TGSIM_TEXT_MAX) {
        tgsim_call_fail(c, 400, "Bad Request: message is too long");
    } else if (caption && n > TGSIM_CAPTION_MAX) {
        tgsim_call_fail(c, 400, "Bad Request: message caption is too long");
    } else {
        return 0;
    }
    tgsim_rich_free(out);
    return -1;
}

void tgsim_rich_free(tgsim_rich *r)
{
    free(r->plain);
    free(r->html);
    json_decref(r->entities);
    memset(r, 0, sizeof *r);
}

void tgsim_rich_apply(json_t *tg, const char *field, const char *efield, const tgsim_rich *r)
{
    if (*r->plain)
        json_object_set_new(tg, field, json_string(r->plain));
    else
        json_object_del(tg, field);
    if (json_array_size(r->entities))
        json_object_set_new(tg, efield, json_deep_copy(r->entities));
    else
        json_object_del(tg, efield);
}

tgsim_msg *tgsim_compose_msg(tgsim_call *c, tgsim_chat *chat)
{
    tgsim_msg *m = tgsim_chat_new_msg(c->sim, chat, true);
    if (!m) {
        tgsim_call_fail(c, 500, "Internal Server Error");
        return NULL;
    }
    tgsim_draft_end(chat); /* the finished answer replaces the streamed draft */
    m->tg = json_pack("{s:I,s:o,s:o,s:I}", "message_id", (json_int_t)m->id, "from",
                      tgsim_bot_user_json(c->bot), "chat", tgsim_chat_json(chat), "date",
                      (json_int_t)tgsim_unix_time());
    return m;
}

int tgsim_compose_reply_to(tgsim_call *c, tgsim_chat *chat, json_t **reply_to)
{
    bool bad;
    int64_t mid = 0;
    bool allow = tgsim_param_bool(c->params, "allow_sending_without_reply");
    json_t *rp = tgsim_param_json(c->params, "reply_parameters", &bad);
    *reply_to = NULL;
    if (bad || (rp && !json_is_object(rp))) {
        json_decref(rp);
        tgsim_call_fail(c, 400, "Bad Request: can't parse reply parameters JSON object");
        return -1;
    }
    if (rp) {
        if (tgsim_param_int(rp, "message_id", &mid) <= 0)
            mid = 0;
        allow = allow || tgsim_param_bool(rp, "allow_sending_without_reply");
        json_decref(rp);
    } else if (tgsim_param_int(c->params, "reply_to_message_id", &mid) <= 0) {
        mid = 0;
    }
    if (!mid)
        return 0;
    tgsim_msg *t = tgsim_chat_msg(chat, mid);
    if (!t) {
        if (allow)
            return 0;
        tgsim_call_fail(c, 400, "Bad Request: message to be replied not found");
        return -1;
    }
    *reply_to = json_deep_copy(t->tg);
    json_object_del(*reply_to, "reply_to_message");
    return 0;
}

void tgsim_compose_set_markup(tgsim_chat *chat, tgsim_msg *m, json_t *markup)
{
    json_decref(m->markup);
    m->markup = markup;
    json_t *shown = markup ? tgsim_markup_for_message(markup) : NULL;
    if (shown)
        json_object_set_new(m->tg, "reply_markup", shown);
    else
        json_object_del(m->tg, "reply_markup");
    if (!markup || m->from_bot == false)
        return;
    if (json_object_get(markup, "keyboard")) {
        json_decref(chat->keyboard);
        chat->keyboard = json_deep_copy(markup);
    } else if (json_is_true(json_object_get(markup, "remove_keyboard"))) {
        json_decref(chat->keyboard);
        chat->keyboard = NULL;
    }
}

void tgsim_compose_common(tgsim_call *c, tgsim_msg *m)
{
    bool bad;
    json_t *lpo = tgsim_param_json(c->params, "link_preview_options", &bad);
    if (json_is_object(lpo))
        json_object_set(m->tg, "link_preview_options", lpo);
    else if (tgsim_param_bool(c->params, "disable_web_page_preview"))
        json_object_set_new(m->tg, "link_preview_options", json_pack("{s:b}", "is_disabled", 1));
    json_decref(lpo);
    if (tgsim_param_bool(c->params, "protect_content"))
        json_object_set_new(m->tg, "has_protected_content", json_true());
    m->silent = tgsim_param_bool(c->params, "disable_notification");
}
