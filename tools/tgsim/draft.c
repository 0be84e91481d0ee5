/* sendMessageDraft (EXTERNAL-APIS.md §7.8): the partial reply a bot streams
 * into a private chat while it generates it. The draft is the chat's
 * transient state, never a message: later calls with the same draft_id
 * replace it (another id starts a new one), a bot message in the chat
 * ends it (the finished answer has arrived), and so does 30 s without an
 * update (--draft-lifetime-ms). The chat view shows it as "draft". Drafts are not messages, so
 * flood control does not count them. */
#include <stdlib.h>
#include <string.h>

#include "botapi.h"
#include "compose.h"
#include "params.h"
#include "text.h"

void tgsim_m_send_draft_prepare(tgsim_call *c)
{
    c->pre_text = calloc(1, sizeof *c->pre_text);
    if (!c->pre_text) {
        tgsim_call_fail(c, 500, "Internal Server Error");
        return;
    }
    /* no text (or only blanks) is the "thinking…" placeholder; anything
     * else follows sendMessage's rules, 4096 characters included */
    const char *raw = tgsim_param_str(c->params, "text");
    if (!raw || !raw[strspn(raw, " \t\r\n")]) {
        c->pre_text->plain = tgsim_strdup("");
        c->pre_text->entities = json_array();
        return;
    }
    tgsim_rich_render(c, "text", "entities", false, c->pre_text);
}

void tgsim_m_send_draft(tgsim_call *c)
{
    int64_t draft_id = 0;
    int rc = tgsim_param_int(c->params, "draft_id", &draft_id);
    if (rc == 0) {
        tgsim_call_fail(c, 400, "Bad Request: draft_id is empty");
        return;
    }
    if (rc < 0 || draft_id == 0) {
        tgsim_call_fail(c, 400, "Bad Request: invalid draft_id");
        return;
    }
    tgsim_chat *chat = tgsim_call_chat(c, "chat_id", true);
    if (!chat)
        return;
    tgsim_rich *r = c->pre_text;
    int64_t updates = 1;
    if (chat->draft && json_integer_value(json_object_get(chat->draft, "draft_id")) == draft_id)
        updates += json_integer_value(json_object_get(chat->draft, "updates"));
    json_t *d = json_pack("{s:I,s:s,s:O,s:I,s:I}", "draft_id", (json_int_t)draft_id, "text", r->plain, "entities",
                          r->entities, "updates", (json_int_t)updates, "date", (json_int_t)tgsim_unix_time());
    if (!d) {
        tgsim_call_fail(c, 500, "Internal Server Error");
        return;
    }
    /* html: as sent with parse_mode=HTML, else the escaped plain text */
    char *esc = r->html ? NULL : tgsim_html_escape(r->plain);
    json_object_set_new(d, "html", json_string(r->html ? r->html : esc ? esc : ""));
    free(esc);
    json_decref(chat->draft);
    chat->draft = d;
    chat->draft_ms = tgsim_now_ms();
    chat->draft_life_ms = c->sim->cfg.draft_lifetime_ms > 0 ? c->sim->cfg.draft_lifetime_ms : 30000;
    tgsim_chat_touch(c->sim, chat);
    c->result = json_true();
}

void tgsim_draft_end(tgsim_chat *chat)
{
    json_decref(chat->draft);
    chat->draft = NULL;
}

json_t *tgsim_draft_view(tgsim_chat *chat)
{
    if (chat->draft && tgsim_now_ms() - chat->draft_ms > chat->draft_life_ms)
        tgsim_draft_end(chat);
    return chat->draft ? json_deep_copy(chat->draft) : json_null();
}
