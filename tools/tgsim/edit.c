/* Bot API methods that change existing messages: editMessageText,
 * editMessageCaption, editMessageReplyMarkup, deleteMessage. */
#include <stdlib.h>
#include <string.h>

#include "botapi.h"
#include "compose.h"
#include "markup.h"
#include "params.h"
#include "text.h"

#define NOT_MODIFIED                                                                          \
    "Bad Request: message is not modified: specified new message content and reply markup " \
    "are exactly the same as a current content and reply markup of the message"

/* The bot's own live message named by chat_id + message_id, or NULL after failing. */
static tgsim_msg *target(tgsim_call *c, tgsim_chat **chatp)
{
    if (json_object_get(c->params, "inline_message_id") && !json_object_get(c->params, "chat_id")) {
        /* inline mode is not simulated: no inline message ever exists */
        tgsim_call_fail(c, 400, "Bad Request: MESSAGE_ID_INVALID");
        return NULL;
    }
    tgsim_chat *chat = tgsim_call_chat(c, "chat_id", false);
    if (!chat)
        return NULL;
    if (chat->blocked) {
        tgsim_call_fail(c, 403, "Forbidden: bot was blocked by the user");
        return NULL;
    }
    int64_t mid = 0;
    if (tgsim_param_int(c->params, "message_id", &mid) <= 0) {
        tgsim_call_fail(c, 400, "Bad Request: message identifier is not specified");
        return NULL;
    }
    tgsim_msg *m = tgsim_chat_msg(chat, mid);
    if (!m) {
        tgsim_call_fail(c, 400, "Bad Request: message to edit not found");
        return NULL;
    }
    if (!m->from_bot) {
        tgsim_call_fail(c, 400, "Bad Request: message can't be edited");
        return NULL;
    }
    *chatp = chat;
    return m;
}

static bool same_json(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return !a && !b;
    return json_equal((json_t *)a, (json_t *)b);
}

static bool same_entities(const json_t *a, const json_t *b)
{
    return (json_array_size(a) == 0 && json_array_size(b) == 0) || same_json(a, b);
}

static void finish_edit(tgsim_call *c, tgsim_chat *chat, tgsim_msg *m, json_t *markup)
{
    /* an edit without reply_markup removes the inline keyboard, as in Telegram */
    tgsim_compose_set_markup(chat, m, markup);
    json_object_set_new(m->tg, "edit_date", json_integer(tgsim_unix_time()));
    m->edited = true;
    tgsim_chat_touch(c->sim, chat);
    c->result = json_deep_copy(m->tg);
}

static void edit_rich(tgsim_call *c, bool caption)
{
    tgsim_chat *chat;
    tgsim_msg *m = target(c, &chat);
    if (!m)
        return;
    const char *field = caption ? "caption" : "text";
    const char *efield = caption ? "caption_entities" : "entities";
    bool has_media = json_object_get(m->tg, "photo") || json_object_get(m->tg, "document");
    if (!caption && !json_object_get(m->tg, "text")) {
        tgsim_call_fail(c, 400, "Bad Request: there is no text in the message to edit");
        return;
    }
    if (caption && !has_media) {
        tgsim_call_fail(c, 400, "Bad Request: there is no caption in the message to edit");
        return;
    }
    tgsim_rich r;
    if (tgsim_rich_render(c, field, efield, caption, &r) != 0)
        return;
    json_t *markup;
    if (tgsim_markup_parse(c, &markup, true) != 0) {
        tgsim_rich_free(&r);
        return;
    }
    json_t *old_text = json_object_get(m->tg, field);
    bool same_text = old_text ? !strcmp(json_string_value(old_text), r.plain) : !*r.plain;
    json_t *shown = markup ? tgsim_markup_for_message(markup) : NULL;
    bool same = same_text && same_entities(json_object_get(m->tg, efield), r.entities) &&
                same_json(json_object_get(m->tg, "reply_markup"), shown);
    json_decref(shown);
    if (same) {
        tgsim_call_fail(c, 400, NOT_MODIFIED);
    } else if (tgsim_call_flood_ok(c, chat)) {
        tgsim_rich_apply(m->tg, field, efield, &r);
        if (!caption) {
            bool bad;
            json_t *lpo = tgsim_param_json(c->params, "link_preview_options", &bad);
            if (json_is_object(lpo))
                json_object_set(m->tg, "link_preview_options", lpo);
            json_decref(lpo);
        }
        free(m->html);
        m->html = r.html;
        r.html = NULL;
        finish_edit(c, chat, m, markup);
        markup = NULL;
    }
    json_decref(markup);
    tgsim_rich_free(&r);
}

void tgsim_m_edit_text(tgsim_call *c)
{
    edit_rich(c, false);
}

void tgsim_m_edit_caption(tgsim_call *c)
{
    edit_rich(c, true);
}

void tgsim_m_edit_markup(tgsim_call *c)
{
    tgsim_chat *chat;
    tgsim_msg *m = target(c, &chat);
    if (!m)
        return;
    json_t *markup;
    if (tgsim_markup_parse(c, &markup, true) != 0)
        return;
    json_t *shown = markup ? tgsim_markup_for_message(markup) : NULL;
    bool same = same_json(json_object_get(m->tg, "reply_markup"), shown);
    json_decref(shown);
    if (same) {
        tgsim_call_fail(c, 400, NOT_MODIFIED);
        json_decref(markup);
        return;
    }
    if (!tgsim_call_flood_ok(c, chat)) {
        json_decref(markup);
        return;
    }
    finish_edit(c, chat, m, markup);
}

void tgsim_m_delete_message(tgsim_call *c)
{
    tgsim_chat *chat = tgsim_call_chat(c, "chat_id", false);
    if (!chat)
        return;
    int64_t mid = 0;
    if (tgsim_param_int(c->params, "message_id", &mid) <= 0) {
        tgsim_call_fail(c, 400, "Bad Request: message identifier is not specified");
        return;
    }
    tgsim_msg *m = tgsim_chat_msg(chat, mid);
    if (!m) {
        tgsim_call_fail(c, 400, "Bad Request: message to delete not found");
        return;
    }
    m->deleted = true;
    tgsim_chat_touch(c->sim, chat);
}
