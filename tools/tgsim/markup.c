#include "markup.h"

#include <string.h>

#include "params.h"

/* More than one action per button is accepted by the real Bot API (it takes
 * the first); the fake is strict because the documentation says "exactly one"
 * and a second action is always a bug in the bot. */
static const char *const actions[] = {
    "callback_data", "url", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game",
    "pay", "web_app", "copy_text",
};

static bool url_ok(const char *u)
{
    return !strncmp(u, "http://", 7) || !strncmp(u, "https://", 8) || !strncmp(u, "tg://", 5);
}

static int check_inline_button(tgsim_call *c, json_t *b)
{
    if (!json_is_object(b)) {
        tgsim_call_fail(c, 400, "Bad Request: can't parse inline keyboard button: "
                                "InlineKeyboardButton must be an Object");
        return -1;
    }
    json_t *text = json_object_get(b, "text");
    if (!json_is_string(text)) {
        tgsim_call_fail(c, 400, "Bad Request: can't parse inline keyboard button: "
                                "Field \"text\" must be of type String");
        return -1;
    }
    int n = 0;
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
        if (json_object_get(b, actions[i]))
            n++;
    if (n == 0) {
        tgsim_call_fail(c, 400, "Bad Request: can't parse inline keyboard button: "
                                "Text buttons are unallowed in the inline keyboard");
        return -1;
    }
    if (n > 1) {
        tgsim_call_fail(c, 400, "Bad Request: can't parse inline keyboard button: "
                                "exactly one of the optional fields must be used");
        return -1;
    }
    if (json_string_length(text) == 0) {
        tgsim_call_fail(c, 400, "Bad Request: BUTTON_TEXT_INVALID");
        return -1;
    }
    json_t *data = json_object_get(b, "callback_data");
    if (data) {
        /* the limit is in bytes: 32 Cyrillic letters already fill it */
        size_t len = json_is_string(data) ? json_string_length(data) : 0;
        if (!json_is_string(data) || len < 1 || len > 64) {
            tgsim_call_fail(c, 400, "Bad Request: BUTTON_DATA_INVALID");
            return -1;
        }
    }
    json_t *url = json_object_get(b, "url");
    if (url && (!json_is_string(url) || !url_ok(json_string_value(url)))) {
        tgsim_call_fail(c, 400, "Bad Request: BUTTON_URL_INVALID");
        return -1;
    }
    return 0;
}

static int check_rows(tgsim_call *c, json_t *rows, const char *field, const char *type,
                      bool is_inline)
{
    if (!json_is_array(rows)) {
        tgsim_call_fail(c, 400, "Bad Request: field \"%s\" of the %s must be an Array of Arrays",
                        field, type);
        return -1;
    }
    size_t i, j, total = 0;
    json_t *row, *b;
    json_array_foreach(rows, i, row) {
        if (!json_is_array(row)) {
            tgsim_call_fail(c, 400,
                            "Bad Request: field \"%s\" of the %s must be an Array of Arrays",
                            field, type);
            return -1;
        }
        json_array_foreach(row, j, b) {
            total++;
            if (is_inline) {
                if (check_inline_button(c, b) != 0)
                    return -1;
            } else if (!json_is_string(b) &&
                       !(json_is_object(b) && json_is_string(json_object_get(b, "text")))) {
                tgsim_call_fail(c, 400, "Bad Request: can't parse keyboard button: "
                                        "KeyboardButton must be a String or an Object");
                return -1;
            }
        }
    }
    if (total > 100) {
        tgsim_call_fail(c, 400, "Bad Request: reply markup is too long");
        return -1;
    }
    return 0;
}

int tgsim_markup_parse(tgsim_call *c, json_t **out, bool inline_only)
{
    bool bad;
    json_t *m = tgsim_param_json(c->params, "reply_markup", &bad);
    *out = NULL;
    if (bad || (m && !json_is_object(m))) {
        json_decref(m);
        tgsim_call_fail(c, 400, "Bad Request: can't parse reply keyboard markup JSON object");
        return -1;
    }
    if (!m)
        return 0;
    int rc = 0;
    json_t *ik = json_object_get(m, "inline_keyboard");
    if (ik) {
        rc = check_rows(c, ik, "inline_keyboard", "InlineKeyboardMarkup", true);
    } else if (inline_only) {
        tgsim_call_fail(c, 400, "Bad Request: inline keyboard expected");
        rc = -1;
    } else if (json_object_get(m, "keyboard")) {
        rc = check_rows(c, json_object_get(m, "keyboard"), "keyboard", "ReplyKeyboardMarkup",
                        false);
    } else if (!json_is_true(json_object_get(m, "remove_keyboard")) &&
               !json_is_true(json_object_get(m, "force_reply"))) {
        tgsim_call_fail(c, 400, "Bad Request: can't parse reply keyboard markup JSON object");
        rc = -1;
    }
    if (rc != 0) {
        json_decref(m);
        return -1;
    }
    *out = m;
    return 0;
}

json_t *tgsim_markup_for_message(const json_t *markup)
{
    json_t *ik = json_object_get(markup, "inline_keyboard");
    if (!ik || json_array_size(ik) == 0)
        return NULL;
    return json_pack("{s:o}", "inline_keyboard", json_deep_copy(ik));
}
