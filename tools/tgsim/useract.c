/* What a simulated user does: write text, send photos, documents, contacts
 * and locations, press inline buttons, block and unblock the bot. Each
 * action becomes the Update Telegram would deliver. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "files.h"
#include "params.h"
#include "text.h"

static json_t *version_reply(tgsim_chat *c, json_t *o)
{
    /* the caller waits for version > this to see the bot's reaction */
    json_object_set_new(o, "version", json_integer((json_int_t)c->version));
    return o;
}

/* Opens the chat for a new user message; NULL after replying with an error. */
static tgsim_chat *writable_chat(tgsim_ctl *x, tgsim_user *u)
{
    tgsim_chat *c = tgsim_chat_open(x->bot, u);
    if (!c) {
        tgsim_ctl_error(x, 500, "out of memory");
        return NULL;
    }
    if (c->blocked) {
        tgsim_ctl_error(x, 409, "user %lld has blocked the bot: POST .../unblock first",
                        (long long)u->id);
        return NULL;
    }
    return c;
}

static tgsim_msg *user_msg(tgsim_ctl *x, tgsim_chat *c, tgsim_user *u)
{
    tgsim_msg *m = tgsim_chat_new_msg(x->s, c, false);
    if (!m)
        return NULL;
    m->tg = json_pack("{s:I,s:o,s:o,s:I}", "message_id", (json_int_t)m->id, "from",
                      tgsim_user_json(u), "chat", tgsim_chat_json(c), "date",
                      (json_int_t)tgsim_unix_time());
    int64_t rid;
    tgsim_msg *t = tgsim_param_int(x->p, "reply_to_message_id", &rid) > 0 ? tgsim_chat_msg(c, rid)
                                                                            : NULL;
    if (t) {
        json_t *copy = json_deep_copy(t->tg);
        json_object_del(copy, "reply_to_message");
        json_object_set_new(m->tg, "reply_to_message", copy);
    }
    return m;
}

static void deliver(tgsim_ctl *x, tgsim_chat *c, tgsim_msg *m)
{
    int64_t uid = tgsim_bot_push_update(x->s, x->bot,
                                        json_pack("{s:o}", "message", json_deep_copy(m->tg)), 0);
    if (x->s->chat_waiters)
        pthread_cond_broadcast(&x->s->chat_cond);
    tgsim_ctl_reply(x, 200, version_reply(c, json_pack("{s:I,s:I}", "update_id", (json_int_t)uid,
                                                       "message_id", (json_int_t)m->id)));
}

static void send_text(tgsim_ctl *x, tgsim_user *u)
{
    const char *text = tgsim_param_str(x->p, "text");
    size_t n = text ? strlen(text) : 0;
    if (!n || tgsim_utf16_len(text, n) > 4096) {
        tgsim_ctl_error(x, 400, "text must be 1..4096 characters");
        return;
    }
    tgsim_chat *c = writable_chat(x, u);
    tgsim_msg *m = c ? user_msg(x, c, u) : NULL;
    if (!m)
        return;
    json_object_set_new(m->tg, "text", json_string(text));
    if (text[0] == '/') {
        /* /cmd or /cmd@botname: Telegram marks it as a bot_command entity */
        size_t k = 1;
        while (text[k] && (strchr("_@", text[k]) || (text[k] >= 'a' && text[k] <= 'z') ||
                           (text[k] >= 'A' && text[k] <= 'Z') || (text[k] >= '0' && text[k] <= '9')))
            k++;
        if (k > 1)
            json_object_set_new(m->tg, "entities",
                                json_pack("[{s:i,s:I,s:s}]", "offset", 0, "length", (json_int_t)k,
                                          "type", "bot_command"));
    }
    deliver(x, c, m);
}

static tgsim_blob *blob_param(tgsim_ctl *x, bool *bad)
{
    const char *b64 = tgsim_param_str(x->p, "data_base64");
    *bad = false;
    if (!b64)
        return NULL;
    size_t n;
    unsigned char *d = tgsim_base64_decode(b64, &n);
    if (!d) {
        *bad = true;
        return NULL;
    }
    tgsim_blob *b = tgsim_blob_new(d, n);
    free(d);
    return b;
}

static void send_media(tgsim_ctl *x, tgsim_user *u, bool photo)
{
    bool bad;
    tgsim_blob *blob = blob_param(x, &bad);
    const char *name = tgsim_param_str(x->p, "filename");
    if (bad) {
        tgsim_ctl_error(x, 400, "data_base64 is not base64");
        return;
    }
    if (!blob && !photo) {
        tgsim_ctl_error(x, 400, "send_document needs filename and data_base64");
        return;
    }
    if (!blob)
        blob = tgsim_files_sample_png();
    int w = 0, h = 0;
    if (photo && !tgsim_image_size(blob->data, blob->len, &w, &h)) {
        tgsim_blob_unref(blob);
        tgsim_ctl_error(x, 400, "data_base64 is not a PNG/JPEG/GIF/WebP image");
        return;
    }
    tgsim_chat *c = writable_chat(x, u);
    tgsim_file *f = NULL;
    if (c) {
        const char *mime = tgsim_param_str(x->p, "mime_type");
        f = photo ? tgsim_files_add_photo(x->s, blob, name, w, h)
                  : tgsim_file_add(x->s, blob, "documents", name ? name : "file",
                                   mime ? mime : tgsim_guess_mime(name), 0, 0);
    }
    tgsim_blob_unref(blob);
    tgsim_msg *m = f ? user_msg(x, c, u) : NULL;
    if (!m) {
        if (c)
            tgsim_ctl_error(x, 500, "out of memory");
        return;
    }
    json_object_set_new(m->tg, photo ? "photo" : "document",
                        photo ? tgsim_files_photo_json(f) : tgsim_files_document_json(f));
    const char *caption = tgsim_param_str(x->p, "caption");
    if (caption && *caption)
        json_object_set_new(m->tg, "caption", json_string(caption));
    deliver(x, c, m);
}

static void send_contact(tgsim_ctl *x, tgsim_user *u)
{
    const char *phone = tgsim_param_str(x->p, "phone_number");
    if (!phone || !*phone) {
        tgsim_ctl_error(x, 400, "phone_number is required");
        return;
    }
    tgsim_chat *c = writable_chat(x, u);
    tgsim_msg *m = c ? user_msg(x, c, u) : NULL;
    if (!m)
        return;
    const char *first = tgsim_param_str(x->p, "first_name");
    const char *last = tgsim_param_str(x->p, "last_name");
    int64_t uid = u->id;   /* "share my contact" sends the user's own id */
    tgsim_param_int(x->p, "user_id", &uid);
    json_t *contact = json_pack("{s:s,s:s,s:I}", "phone_number", phone, "first_name",
                                first && *first ? first : u->first_name, "user_id", (json_int_t)uid);
    if (last && *last)
        json_object_set_new(contact, "last_name", json_string(last));
    json_object_set_new(m->tg, "contact", contact);
    deliver(x, c, m);
}

static void send_location(tgsim_ctl *x, tgsim_user *u)
{
    json_t *lat = json_object_get(x->p, "latitude"), *lon = json_object_get(x->p, "longitude");
    if (!json_is_number(lat) || !json_is_number(lon)) {
        tgsim_ctl_error(x, 400, "latitude and longitude must be numbers");
        return;
    }
    /* no Telegram client can send a point off the globe */
    if (fabs(json_number_value(lat)) > 90 || fabs(json_number_value(lon)) > 180) {
        tgsim_ctl_error(x, 400, "latitude must be -90..90 and longitude -180..180");
        return;
    }
    tgsim_chat *c = writable_chat(x, u);
    tgsim_msg *m = c ? user_msg(x, c, u) : NULL;
    if (!m)
        return;
    json_object_set_new(m->tg, "location", json_pack("{s:f,s:f}", "latitude", json_number_value(lat),
                                                     "longitude", json_number_value(lon)));
    deliver(x, c, m);
}

/* Inline buttons of a live bot message matching text and/or data. */
static json_t *find_button(tgsim_msg *m, const char *text, const char *data)
{
    json_t *rows = json_object_get(json_object_get(m->tg, "reply_markup"), "inline_keyboard");
    size_t i, j;
    json_t *row, *b;
    json_array_foreach(rows, i, row) {
        json_array_foreach(row, j, b) {
            const char *bt = json_string_value(json_object_get(b, "text"));
            const char *bd = json_string_value(json_object_get(b, "callback_data"));
            if ((!text || (bt && !strcmp(bt, text))) && (!data || (bd && !strcmp(bd, data))))
                return b;
        }
    }
    return NULL;
}

static json_t *visible_buttons(tgsim_chat *c)
{
    json_t *a = json_array();
    for (size_t k = c->nmsgs; k-- > 0;) {
        tgsim_msg *m = c->msgs[k];
        json_t *rows = json_object_get(json_object_get(m->tg, "reply_markup"), "inline_keyboard");
        if (m->deleted || !m->from_bot || !rows)
            continue;
        size_t i, j;
        json_t *row, *b;
        json_array_foreach(rows, i, row) json_array_foreach(row, j, b) {
            json_t *d = json_object_get(b, "callback_data");
            json_array_append_new(a, json_pack("{s:I,s:O,s:O}", "message_id", (json_int_t)m->id,
                                               "text", json_object_get(b, "text"), "data",
                                               d ? d : json_null()));
        }
    }
    return a;
}

static tgsim_msg *newest_bot_msg(tgsim_chat *c)
{
    for (size_t k = c ? c->nmsgs : 0; k-- > 0;)
        if (c->msgs[k]->from_bot && !c->msgs[k]->deleted)
            return c->msgs[k];
    return NULL;
}

static void press(tgsim_ctl *x, tgsim_user *u)
{
    const char *text = tgsim_param_str(x->p, "text");
    const char *data = tgsim_param_str(x->p, "data");
    bool force = tgsim_param_bool(x->p, "force");
    int64_t mid = 0;
    tgsim_param_int(x->p, "message_id", &mid);
    if (!text && !data) {
        tgsim_ctl_error(x, 400, "press needs text or data");
        return;
    }
    tgsim_chat *c = tgsim_chat_get(x->bot, u->id);
    if (c && c->blocked) {
        tgsim_ctl_error(x, 409, "user %lld has blocked the bot", (long long)u->id);
        return;
    }
    tgsim_msg *m = NULL;
    json_t *button = NULL;
    for (size_t k = c ? c->nmsgs : 0; k-- > 0 && !button;) {
        tgsim_msg *cand = c->msgs[k];
        if (cand->deleted || !cand->from_bot || (mid && cand->id != mid))
            continue;
        button = find_button(cand, text, data);
        m = button ? cand : NULL;
    }
    if (!button && force && data) {
        /* a forged callback: the data is sent though no button carries it */
        m = mid ? tgsim_chat_msg(c, mid) : newest_bot_msg(c);
        if (!m) {
            tgsim_ctl_error(x, 404, "no bot message to attach a forged callback to");
            return;
        }
    } else if (!button) {
        json_t *err = json_pack("{s:b,s:s,s:o}", "ok", 0, "error", "no such inline button",
                                "buttons", c ? visible_buttons(c) : json_array());
        tgsim_ctl_reply(x, 404, err);
        return;
    } else if (!json_object_get(button, "callback_data")) {
        json_t *url = json_object_get(button, "url");
        if (url) {
            tgsim_ctl_reply(x, 200, version_reply(c, json_pack("{s:O}", "url", url)));
        } else {
            tgsim_ctl_error(x, 400, "the button has no callback_data");
        }
        return;
    } else {
        data = json_string_value(json_object_get(button, "callback_data"));
    }
    char qid[32];
    tgsim_cbq *q = tgsim_cbq_new(x->s, x->bot, u->id, qid, sizeof qid);
    char *inst = tgsim_chat_instance(c);
    if (!q || !inst) {
        free(inst);
        tgsim_ctl_error(x, 500, "out of memory");
        return;
    }
    json_t *cq = json_pack("{s:s,s:o,s:o,s:s,s:s}", "id", qid, "from", tgsim_user_json(u),
                           "message", json_deep_copy(m->tg), "chat_instance", inst, "data", data);
    free(inst);
    int64_t uid = tgsim_bot_push_update(x->s, x->bot, json_pack("{s:o}", "callback_query", cq), 0);
    tgsim_ctl_reply(x, 200, version_reply(c, json_pack("{s:I,s:s,s:I}", "update_id",
                                                       (json_int_t)uid, "callback_query_id", qid,
                                                       "message_id", (json_int_t)m->id)));
}

static void block(tgsim_ctl *x, tgsim_user *u, bool blocked)
{
    tgsim_chat *c = tgsim_chat_open(x->bot, u);
    if (!c) {
        tgsim_ctl_error(x, 500, "out of memory");
        return;
    }
    if (c->blocked != blocked) {
        c->blocked = blocked;
        /* Telegram tells the bot with a my_chat_member update */
        json_t *old_m = json_pack("{s:o,s:s}", "user", tgsim_bot_user_json(x->bot), "status",
                                  blocked ? "member" : "kicked");
        json_t *new_m = json_pack("{s:o,s:s}", "user", tgsim_bot_user_json(x->bot), "status",
                                  blocked ? "kicked" : "member");
        if (blocked)
            json_object_set_new(new_m, "until_date", json_integer(0));
        json_t *upd = json_pack("{s:{s:o,s:o,s:I,s:o,s:o}}", "my_chat_member", "chat",
                                tgsim_chat_json(c), "from", tgsim_user_json(u), "date",
                                (json_int_t)tgsim_unix_time(), "old_chat_member", old_m,
                                "new_chat_member", new_m);
        tgsim_bot_push_update(x->s, x->bot, upd, 0);
    }
    tgsim_ctl_reply(x, 200, version_reply(c, json_pack("{s:b,s:b}", "ok", 1, "blocked", blocked)));
}

void tgsim_useract(tgsim_ctl *x, tgsim_user *u, const char *action)
{
    if (!strcmp(action, "send"))
        send_text(x, u);
    else if (!strcmp(action, "send_photo"))
        send_media(x, u, true);
    else if (!strcmp(action, "send_document"))
        send_media(x, u, false);
    else if (!strcmp(action, "send_contact"))
        send_contact(x, u);
    else if (!strcmp(action, "send_location"))
        send_location(x, u);
    else if (!strcmp(action, "press"))
        press(x, u);
    else if (!strcmp(action, "block"))
        block(x, u, true);
    else if (!strcmp(action, "unblock"))
        block(x, u, false);
    else
        tgsim_ctl_error(x, 404, "no such user action: %s", action);
}
