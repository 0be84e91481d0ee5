/* Bot API methods that create messages: sendMessage, sendPhoto,
 * sendDocument, copyMessage, forwardMessage. */
#include <stdlib.h>
#include <string.h>

#include "botapi.h"
#include "compose.h"
#include "files.h"
#include "markup.h"
#include "params.h"
#include "text.h"

/* The steps every send shares before the message exists, so that a failed
 * call never leaves half a message in the chat. */
typedef struct send_ctx {
    tgsim_chat *chat;
    json_t *markup;
    json_t *reply_to;
} send_ctx;

static int send_begin(tgsim_call *c, send_ctx *x)
{
    memset(x, 0, sizeof *x);
    x->chat = tgsim_call_chat(c, "chat_id", true);
    if (!x->chat)
        return -1;
    if (c->pre_markup_done) {
        x->markup = c->pre_markup;
        c->pre_markup = NULL;
    } else if (tgsim_markup_parse(c, &x->markup, false) != 0) {
        return -1;
    }
    if (tgsim_compose_reply_to(c, x->chat, &x->reply_to) != 0) {
        json_decref(x->markup);
        return -1;
    }
    return 0;
}

static void send_abort(send_ctx *x)
{
    json_decref(x->markup);
    json_decref(x->reply_to);
}

/* Passes flood control and creates the message; NULL after failing the call. */
static tgsim_msg *send_commit(tgsim_call *c, send_ctx *x)
{
    if (!tgsim_call_flood_ok(c, x->chat)) {
        send_abort(x);
        return NULL;
    }
    tgsim_msg *m = tgsim_compose_msg(c, x->chat);
    if (!m) {
        send_abort(x);
        return NULL;
    }
    if (x->reply_to)
        json_object_set_new(m->tg, "reply_to_message", x->reply_to);
    tgsim_compose_set_markup(x->chat, m, x->markup);
    tgsim_compose_common(c, m);
    return m;
}

static void send_done(tgsim_call *c, send_ctx *x, tgsim_msg *m)
{
    tgsim_chat_touch(c->sim, x->chat);
    c->result = json_deep_copy(m->tg);
}

void tgsim_m_send_message_prepare(tgsim_call *c)
{
    c->pre_text = calloc(1, sizeof *c->pre_text);
    if (!c->pre_text) {
        tgsim_call_fail(c, 500, "Internal Server Error");
        return;
    }
    if (tgsim_rich_render(c, "text", "entities", false, c->pre_text) != 0)
        return;
    if (tgsim_markup_parse(c, &c->pre_markup, false) == 0)
        c->pre_markup_done = true;
}

void tgsim_m_send_message(tgsim_call *c)
{
    send_ctx x;
    tgsim_rich r = *c->pre_text;
    memset(c->pre_text, 0, sizeof *c->pre_text);
    if (send_begin(c, &x) != 0) {
        tgsim_rich_free(&r);
        return;
    }
    tgsim_msg *m = send_commit(c, &x);
    if (m) {
        tgsim_rich_apply(m->tg, "text", "entities", &r);
        m->html = r.html;
        r.html = NULL;
        send_done(c, &x, m);
    }
    tgsim_rich_free(&r);
}

static bool is_photo(const tgsim_file *f)
{
    return !strncmp(f->file_path, "photos/", 7);
}

static void send_media(tgsim_call *c, bool photo)
{
    send_ctx x;
    tgsim_rich r;
    if (tgsim_rich_render(c, "caption", "caption_entities", true, &r) != 0)
        return;
    if (send_begin(c, &x) != 0) {
        tgsim_rich_free(&r);
        return;
    }
    tgsim_file *f = NULL;
    if (c->upload_file_id) {
        f = tgsim_file_by_id(c->sim, c->upload_file_id);
        if (!f)
            tgsim_call_fail(c, 400, "Bad Request: wrong file identifier/HTTP URL specified");
        else if (photo && !is_photo(f))
            tgsim_call_fail(c, 400, "Bad Request: can't use file of type Document as Photo");
        else if (!photo && is_photo(f))
            tgsim_call_fail(c, 400, "Bad Request: can't use file of type Photo as Document");
    } else if (photo) {
        f = tgsim_files_add_photo(c->sim, c->upload, c->upload_name, c->upload_w, c->upload_h);
    } else {
        f = tgsim_file_add(c->sim, c->upload, "documents", c->upload_name, c->upload_mime, 0, 0);
    }
    if (c->error_code || !f) {
        if (!c->error_code)
            tgsim_call_fail(c, 500, "Internal Server Error");
        send_abort(&x);
        tgsim_rich_free(&r);
        return;
    }
    tgsim_msg *m = send_commit(c, &x);
    if (m) {
        if (photo)
            json_object_set_new(m->tg, "photo", tgsim_files_photo_json(f));
        else
            json_object_set_new(m->tg, "document", tgsim_files_document_json(f));
        tgsim_rich_apply(m->tg, "caption", "caption_entities", &r);
        m->html = r.html;
        r.html = NULL;
        if (c->upload)
            m->upload = json_pack("{s:s?,s:s?}", "filename", c->upload_name, "content_type", c->upload_ctype);
        send_done(c, &x, m);
    }
    tgsim_rich_free(&r);
}

void tgsim_m_send_photo(tgsim_call *c)
{
    send_media(c, true);
}

void tgsim_m_send_document(tgsim_call *c)
{
    send_media(c, false);
}

static const char *const content_keys[] = {"text", "entities", "photo", "document", "caption",
                                           "caption_entities", "contact", "location"};

/* copyMessage and forwardMessage: the same content in another (or the same) chat. */
static void copy_or_forward(tgsim_call *c, bool forward)
{
    const char *what = forward ? "forward" : "copy";
    tgsim_chat *from = tgsim_call_chat(c, "from_chat_id", false);
    if (!from)
        return;
    int64_t mid = 0;
    if (tgsim_param_int(c->params, "message_id", &mid) <= 0) {
        tgsim_call_fail(c, 400, "Bad Request: message identifier is not specified");
        return;
    }
    tgsim_msg *src = tgsim_chat_msg(from, mid);
    if (!src) {
        tgsim_call_fail(c, 400, "Bad Request: message to %s not found", what);
        return;
    }
    tgsim_rich cap = {0};
    bool new_caption = !forward && json_object_get(c->params, "caption");
    if (new_caption && tgsim_rich_render(c, "caption", "caption_entities", true, &cap) != 0)
        return;
    send_ctx x;
    if (send_begin(c, &x) != 0) {
        tgsim_rich_free(&cap);
        return;
    }
    if (forward) {
        /* forwards keep no keyboard */
        json_decref(x.markup);
        x.markup = NULL;
    }
    tgsim_msg *m = send_commit(c, &x);
    if (!m) {
        tgsim_rich_free(&cap);
        return;
    }
    for (size_t i = 0; i < sizeof content_keys / sizeof *content_keys; i++) {
        json_t *v = json_object_get(src->tg, content_keys[i]);
        if (v)
            json_object_set_new(m->tg, content_keys[i], json_deep_copy(v));
    }
    m->html = tgsim_strdup(src->html);
    if (new_caption) {
        tgsim_rich_apply(m->tg, "caption", "caption_entities", &cap);
        free(m->html);
        m->html = cap.html;
        cap.html = NULL;
    }
    if (forward) {
        json_t *origin_user = json_deep_copy(json_object_get(src->tg, "from"));
        json_t *date = json_object_get(src->tg, "date");
        json_object_set_new(m->tg, "forward_origin",
                            json_pack("{s:s,s:o,s:O}", "type", "user", "sender_user",
                                      origin_user, "date", date));
        json_object_set(m->tg, "forward_date", date);
        tgsim_chat_touch(c->sim, x.chat);
        c->result = json_deep_copy(m->tg);
    } else {
        tgsim_chat_touch(c->sim, x.chat);
        c->result = json_pack("{s:I}", "message_id", (json_int_t)m->id);
    }
    tgsim_rich_free(&cap);
}

void tgsim_m_copy_message(tgsim_call *c)
{
    copy_or_forward(c, false);
}

void tgsim_m_forward_message(tgsim_call *c)
{
    copy_or_forward(c, true);
}
