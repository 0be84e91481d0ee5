/* Bot API methods without messages: getMe, logOut/close, answerCallbackQuery,
 * the command menu, sendChatAction, getChat. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "botapi.h"
#include "params.h"
#include "text.h"

void tgsim_m_get_me(tgsim_call *c)
{
    c->result = tgsim_bot_user_json(c->bot);
    json_object_set_new(c->result, "can_join_groups", json_true());
    json_object_set_new(c->result, "can_read_all_group_messages", json_false());
    json_object_set_new(c->result, "supports_inline_queries", json_false());
    json_object_set_new(c->result, "can_connect_to_business", json_false());
    json_object_set_new(c->result, "has_main_web_app", json_false());
}

void tgsim_m_log_out(tgsim_call *c)
{
    c->result = json_true();
}

void tgsim_m_answer_callback(tgsim_call *c)
{
    const char *id = tgsim_param_str(c->params, "callback_query_id");
    tgsim_cbq *q = tgsim_cbq_get(c->sim, id);
    if (!q || q->answered || q->bot != c->bot) {
        tgsim_call_fail(c, 400, "Bad Request: query is too old and response timeout expired "
                                "or query ID is invalid");
        return;
    }
    q->answered = true;
    tgsim_chat *chat = tgsim_chat_get(c->bot, q->user_id);
    c->chat_id = q->user_id;
    if (chat) {
        const char *text = tgsim_param_str(c->params, "text");
        const char *url = tgsim_param_str(c->params, "url");
        json_t *a = json_pack("{s:s,s:s?,s:b,s:I}", "callback_query_id", id, "text", text,
                              "show_alert", tgsim_param_bool(c->params, "show_alert"), "date",
                              (json_int_t)tgsim_unix_time());
        if (url)
            json_object_set_new(a, "url", json_string(url));
        json_array_append_new(chat->answers, a);
        tgsim_chat_touch(c->sim, chat);
    }
    c->result = json_true();
}

/* "scope json|language" keys one command list, like Telegram's per-scope menus. */
static char *commands_key(tgsim_call *c, bool *bad)
{
    json_t *scope = tgsim_param_json(c->params, "scope", bad);
    if (*bad)
        return NULL;
    char *sj = NULL;
    const char *type = json_string_value(json_object_get(scope, "type"));
    if (scope && !(type && !strcmp(type, "default")))
        sj = json_dumps(scope, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(scope);
    const char *lang = tgsim_param_str(c->params, "language_code");
    tgsim_buf b = {0};
    tgsim_buf_addf(&b, "%s|%s", sj ? sj : "default", lang ? lang : "");
    free(sj);
    return tgsim_buf_take(&b);
}

void tgsim_m_set_commands(tgsim_call *c)
{
    bool bad;
    json_t *cmds = tgsim_param_json(c->params, "commands", &bad);
    if (bad || !json_is_array(cmds)) {
        json_decref(cmds);
        tgsim_call_fail(c, 400, "Bad Request: can't parse commands JSON object");
        return;
    }
    size_t i;
    json_t *cmd;
    json_array_foreach(cmds, i, cmd) {
        const char *name = json_string_value(json_object_get(cmd, "command"));
        const char *desc = json_string_value(json_object_get(cmd, "description"));
        size_t n = name ? strlen(name) : 0;
        bool ok = n >= 1 && n <= 32;
        for (size_t k = 0; ok && k < n; k++)
            ok = islower((unsigned char)name[k]) || isdigit((unsigned char)name[k]) ||
                 name[k] == '_';
        if (!ok) {
            tgsim_call_fail(c, 400, "Bad Request: BOT_COMMAND_INVALID");
            json_decref(cmds);
            return;
        }
        size_t dl = desc ? tgsim_utf16_len(desc, strlen(desc)) : 0;
        if (dl < 1 || dl > 256) {
            tgsim_call_fail(c, 400, "Bad Request: command description is empty");
            json_decref(cmds);
            return;
        }
    }
    char *key = commands_key(c, &bad);
    if (!key) {
        tgsim_call_fail(c, 400, "Bad Request: can't parse BotCommandScope JSON object");
        json_decref(cmds);
        return;
    }
    json_object_set_new(c->bot->commands, key, cmds);
    free(key);
}

void tgsim_m_get_commands(tgsim_call *c)
{
    bool bad;
    char *key = commands_key(c, &bad);
    if (!key) {
        tgsim_call_fail(c, 400, "Bad Request: can't parse BotCommandScope JSON object");
        return;
    }
    json_t *v = json_object_get(c->bot->commands, key);
    c->result = v ? json_deep_copy(v) : json_array();
    free(key);
}

void tgsim_m_delete_commands(tgsim_call *c)
{
    bool bad;
    char *key = commands_key(c, &bad);
    if (key)
        json_object_del(c->bot->commands, key);
    free(key);
}

void tgsim_m_send_chat_action(tgsim_call *c)
{
    static const char *const actions[] = {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note"};
    tgsim_chat *chat = tgsim_call_chat(c, "chat_id", true);
    if (!chat)
        return;
    const char *a = tgsim_param_str(c->params, "action");
    for (size_t i = 0; a && i < sizeof actions / sizeof *actions; i++)
        if (!strcmp(a, actions[i]))
            return;
    tgsim_call_fail(c, 400, "Bad Request: wrong parameter action in request");
}

void tgsim_m_get_chat(tgsim_call *c)
{
    tgsim_chat *chat = tgsim_call_chat(c, "chat_id", false);
    if (!chat)
        return;
    c->result = tgsim_chat_json(chat);
    json_object_set_new(c->result, "accent_color_id", json_integer(0));
    json_object_set_new(c->result, "max_reaction_count", json_integer(11));
}
