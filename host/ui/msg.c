/* Message slots: send, edit in place, answer a button, photos, documents,
 * raw Bot API calls, keyboards, escaping and money. Every text is checked
 * against Telegram's HTML rules and length limits here, so a plugin learns
 * about a bad message from the return code instead of a lost reply. */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "html.h"
#include "kb.h"
#include "log.h"
#include "mime.h"
#include "money.h"
#include "msg.h"
#include "num.h"
#include "tg.h"

struct walor_kb {
    wh_kb kb;              /* begins with walor_handle, as every handle must */
    walor_ctx *c;
};

#define SEND_FLAGS (WALOR_SEND_BULK | WALOR_SEND_SILENT | WALOR_SEND_NO_PREVIEW | WALOR_SEND_LARGE_PREVIEW_ABOVE)

static int32_t check_html(const char *html, size_t limit, int allow_empty)
{
    if (!html)
        return wh_error(WALOR_EINVAL, "text is NULL");
    size_t vis = 0;
    char why[160];
    if (wh_html_check(html, &vis, why, sizeof why) != 0)
        return wh_error(WALOR_EINVAL, "bad Telegram HTML: %s", why);
    if (vis == 0 && !allow_empty)
        return wh_error(WALOR_EINVAL, "message text is empty");
    if (vis > limit)
        return wh_error(WALOR_ELIMIT, "text is %zu characters, Telegram allows %zu", vis, limit);
    return 0;
}

static int32_t add_markup(json_t *params, const walor_kb *kb)
{
    if (!kb)
        return 0;
    int32_t err = wh_kb_error(&kb->kb);
    if (err)
        return wh_error(err, "keyboard is invalid: %s", wh_strerror(err));
    json_t *m = wh_kb_markup(&kb->kb);
    if (m)
        json_object_set_new(params, "reply_markup", m);
    return 0;
}

static void add_flags(json_t *params, uint32_t flags)
{
    if (flags & WALOR_SEND_SILENT)
        json_object_set_new(params, "disable_notification", json_true());
    if (flags & WALOR_SEND_NO_PREVIEW)
        json_object_set_new(params, "link_preview_options", json_pack("{s:b}", "is_disabled", 1));
    else if (flags & WALOR_SEND_LARGE_PREVIEW_ABOVE)
        json_object_set_new(params, "link_preview_options",
                            json_pack("{s:b, s:b}", "prefer_large_media", 1, "show_above_text", 1));
}

/* sync when out_result is wanted, queued otherwise */
static int32_t call(const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id, uint32_t klass,
                    json_t **out_result)
{
    if (!out_result)
        return wh_tg_call(wh_g.tg, method, params, up, chat_id, klass, NULL);
    wh_tg_result r;
    memset(&r, 0, sizeof r);
    int32_t rc = wh_tg_call(wh_g.tg, method, params, up, chat_id, klass, &r);
    if (rc == 0)
        rc = wh_tg_result_err(&r);
    if (rc == 0)
        *out_result = r.result;
    else
        json_decref(r.result);
    return rc;
}

static int64_t result_message_id(json_t *res)
{
    return (int64_t)json_integer_value(json_object_get(res, "message_id"));
}

static int is_blocked(walor_ctx *c, int64_t chat_id)
{
    int64_t b = 0;
    return wh_db_int(c->w->db, "SELECT blocked FROM wh_users WHERE id = ?", WALOR_ARGS(walor_i(chat_id)), &b) == 0 &&
           b != 0;
}

static int32_t msg_send(walor_ctx *c, int64_t chat_id, const char *html, const walor_kb *kb, uint32_t flags,
                    int64_t *out_mid)
{
    if (flags & ~SEND_FLAGS)
        return wh_error(WALOR_EINVAL, "unknown send flags 0x%x", flags & ~SEND_FLAGS);
    if (chat_id == 0)
        return wh_error(WALOR_EINVAL, "no chat to send to");
    int32_t rc = check_html(html, 4096, 0);
    if (rc)
        return rc;
    /* a broadcast to someone who blocked the bot only burns the rate budget */
    if ((flags & WALOR_SEND_BULK) && is_blocked(c, chat_id))
        return wh_error(WALOR_EBLOCKED, "user %lld has blocked the bot", (long long)chat_id);
    json_t *params = json_pack("{s:I, s:s, s:s}", "chat_id", (json_int_t)chat_id, "text", html, "parse_mode", "HTML");
    if (!params)
        return wh_error(WALOR_EINVAL, "text is not valid UTF-8");
    if ((rc = add_markup(params, kb)) != 0) {
        json_decref(params);
        return rc;
    }
    add_flags(params, flags);
    uint32_t klass = (flags & WALOR_SEND_BULK) ? WH_TG_BULK : WH_TG_INTERACTIVE;
    json_t *res = NULL;
    rc = call("sendMessage", params, NULL, chat_id, klass, out_mid ? &res : NULL);
    if (rc == 0 && out_mid) {
        *out_mid = result_message_id(res);
        json_decref(res);
    }
    return rc;
}

/* Telegram answers these when the message is gone or is not a text
 * message; the user should still see the new screen, so we send it. */
static int replace_instead(const char *desc)
{
    return strstr(desc, "message to edit not found") || strstr(desc, "no text in the message") ||
           strstr(desc, "message can't be edited") || strstr(desc, "MESSAGE_ID_INVALID");
}

/* What an asynchronous edit needs if Telegram answers that the message is
 * gone or has no text: a photo or document message gets the screen as its
 * caption (and keyboard) when it fits one, otherwise the same screen is
 * sent as a new message. */
typedef struct edit_fallback {
    int64_t chat_id;
    json_t *params;        /* sendMessage parameters */
    json_t *caption;       /* editMessageCaption parameters, NULL when the text is too long for a caption */
} edit_fallback;

static void edit_done(wh_tg_result *r, void *ud)
{
    edit_fallback *f = ud;
    if (!r->ok && r->error_code == 400 && f->caption && strstr(r->description, "no text in the message")) {
        json_t *p = f->caption;
        f->caption = NULL;
        if (wh_tg_call_cb(wh_g.tg, "editMessageCaption", p, NULL, f->chat_id, WH_TG_INTERACTIVE, edit_done, f) == 0)
            return; /* f goes on to the caption's answer */
    } else if (!r->ok && r->error_code == 400 && replace_instead(r->description)) {
        json_t *p = f->params;
        f->params = NULL;
        wh_tg_call(wh_g.tg, "sendMessage", p, NULL, f->chat_id, WH_TG_INTERACTIVE, NULL);
    } else if (!r->ok && !(r->error_code == 400 && strstr(r->description, "message is not modified")) &&
               strcmp(r->description, "shutting down") != 0) {
        wh_logf(WH_LOG_WARN, "tg", "editing a message in chat %lld failed: %d %s", (long long)f->chat_id,
                r->error_code, r->description);
    }
    json_decref(f->params);
    json_decref(f->caption);
    free(f);
}

/* Edits are queued like sends: a worker never waits for Telegram's round
 * trip just to learn that nothing changed. */
static int32_t edit(walor_ctx *c, int64_t chat_id, int64_t message_id, const char *html, const walor_kb *kb,
                    uint32_t flags)
{
    if (flags & ~SEND_FLAGS)
        return wh_error(WALOR_EINVAL, "unknown edit flags 0x%x", flags & ~SEND_FLAGS);
    int32_t rc = check_html(html, 4096, 0);
    if (rc)
        return rc;
    if (message_id <= 0)
        return msg_send(c, chat_id, html, kb, flags & ~WALOR_SEND_BULK, NULL);
    json_t *params = json_pack("{s:I, s:I, s:s, s:s}", "chat_id", (json_int_t)chat_id, "message_id",
                               (json_int_t)message_id, "text", html, "parse_mode", "HTML");
    if (!params)
        return wh_error(WALOR_EINVAL, "text is not valid UTF-8");
    if ((rc = add_markup(params, kb)) != 0) {
        json_decref(params);
        return rc;
    }
    add_flags(params, flags & ~WALOR_SEND_SILENT);
    edit_fallback *f = malloc(sizeof *f);
    if (!f) {
        json_decref(params);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    f->chat_id = chat_id;
    f->params = json_deep_copy(params);
    json_object_del(f->params, "message_id");
    f->caption = NULL;
    if (check_html(html, 1024, 0) == 0) {
        f->caption = json_deep_copy(params);
        json_object_set(f->caption, "caption", json_object_get(params, "text"));
        json_object_del(f->caption, "text");
        json_object_del(f->caption, "link_preview_options");
    }
    rc = wh_tg_call_cb(wh_g.tg, "editMessageText", params, NULL, chat_id, WH_TG_INTERACTIVE, edit_done, f);
    if (rc < 0) {
        json_decref(f->params);
        json_decref(f->caption);
        free(f);
    }
    return rc;
}

/* SDK 1.3: the screen after a button press replaces the pressed message;
 * anything else (a command, a typed answer, a job) gets a new one */
static int32_t show(walor_ctx *c, const char *html, const walor_kb *kb)
{
    if (c->callback_id && c->message_id)
        return edit(c, c->chat_id, c->message_id, html, kb, 0);
    return msg_send(c, c->chat_id, html, kb, 0, NULL);
}

static int32_t answer(walor_ctx *c, const char *text, uint32_t flags)
{
    if (flags & ~WALOR_ANSWER_ALERT)
        return wh_error(WALOR_EINVAL, "unknown answer flags");
    if (!c->callback_id)
        return wh_error(WALOR_EINVAL, "there is no button press to answer");
    if (c->answered)
        return wh_error(WALOR_EINVAL, "the button press was already answered");
    if (text && strlen(text) > 200 * 4)
        return wh_error(WALOR_ELIMIT, "callback answer over 200 characters");
    json_t *params = json_pack("{s:s}", "callback_query_id", c->callback_id);
    if (text && *text)
        json_object_set_new(params, "text", json_string(text));
    if (flags & WALOR_ANSWER_ALERT)
        json_object_set_new(params, "show_alert", json_true());
    c->answered = 1;
    return call("answerCallbackQuery", params, NULL, 0, WH_TG_UNPACED, NULL);
}

static int32_t read_file(const char *path, char **data, size_t *len)
{
    /* closing a descriptor of the database would drop every SQLite lock of
     * the process (docs/RELIABILITY.md); its bytes go out only as a backup */
    if (wh_db_is_live_file(wh_g.cfg.db, path))
        return wh_error(WALOR_EPERM, "%s is the database or one of its files: use walor_db_backup for a copy", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return wh_error(WALOR_ENOTFOUND, "cannot open %s", path);
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size > 50 * 1024 * 1024) {
        close(fd);
        return wh_error(WALOR_ELIMIT, "%s is not a file under 50 MB", path);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        return wh_error(WALOR_EINVAL, "cannot read %s", path);
    }
    *data = buf;
    *len = got;
    return 0;
}

/* chat, caption and flags of a photo or document, checked like a message */
static int32_t media_params(int64_t chat_id, const char *caption, uint32_t flags, json_t **out)
{
    *out = NULL;
    if (flags & ~(WALOR_SEND_BULK | WALOR_SEND_SILENT))
        return wh_error(WALOR_EINVAL, "unknown media flags 0x%x", flags);
    int32_t rc = caption ? check_html(caption, 1024, 1) : 0;
    if (rc)
        return rc;
    json_t *params = json_pack("{s:I}", "chat_id", (json_int_t)chat_id);
    if (caption && *caption) {
        json_object_set_new(params, "caption", json_string(caption));
        json_object_set_new(params, "parse_mode", json_string("HTML"));
    }
    add_flags(params, flags & WALOR_SEND_SILENT);
    *out = params;
    return 0;
}

static int32_t send_photo(walor_ctx *c, int64_t chat_id, const char *photo, const char *caption, const walor_kb *kb,
                          uint32_t flags, int64_t *out_mid)
{
    (void)c;
    if (!photo || !*photo)
        return wh_error(WALOR_EINVAL, "no photo given");
    json_t *params;
    int32_t rc = media_params(chat_id, caption, flags, &params);
    if (rc)
        return rc;
    if ((rc = add_markup(params, kb)) != 0) {
        json_decref(params);
        return rc;
    }
    wh_tg_upload up = {0};
    char *data = NULL;
    if (strncmp(photo, "file:", 5) == 0) {
        size_t len = 0;
        if ((rc = read_file(photo + 5, &data, &len)) != 0) {
            json_decref(params);
            return rc;
        }
        const char *base = strrchr(photo + 5, '/');
        base = base ? base + 1 : photo + 5;
        up = (wh_tg_upload){.field = "photo", .filename = base, .data = data, .len = len,
                            .mime = wh_mime_of(base, data, len)};
    } else {
        json_object_set_new(params, "photo", json_string(photo));
    }
    json_t *res = NULL;
    rc = call("sendPhoto", params, up.data ? &up : NULL, chat_id,
              (flags & WALOR_SEND_BULK) ? WH_TG_BULK : WH_TG_INTERACTIVE, out_mid ? &res : NULL);
    free(data); /* the upload is copied at call time */
    if (rc == 0 && out_mid) {
        *out_mid = result_message_id(res);
        json_decref(res);
    }
    return rc;
}

static int32_t send_document(walor_ctx *c, int64_t chat_id, const char *filename, const void *data, size_t len,
                             const char *caption, uint32_t flags)
{
    (void)c;
    if (!filename || !*filename || !data)
        return wh_error(WALOR_EINVAL, "a document needs a file name and data");
    if (len > 50u * 1024 * 1024)
        return wh_error(WALOR_ELIMIT, "documents are limited to 50 MB");
    json_t *params;
    int32_t rc = media_params(chat_id, caption, flags, &params);
    if (rc)
        return rc;
    wh_tg_upload up = {.field = "document", .filename = filename, .data = data, .len = len,
                       .mime = wh_mime_of(filename, data, len)};
    return call("sendDocument", params, &up, chat_id, (flags & WALOR_SEND_BULK) ? WH_TG_BULK : WH_TG_INTERACTIVE,
                NULL);
}

static int32_t delete_message(walor_ctx *c, int64_t chat_id, int64_t message_id)
{
    (void)c;
    json_t *params = json_pack("{s:I, s:I}", "chat_id", (json_int_t)chat_id, "message_id", (json_int_t)message_id);
    return call("deleteMessage", params, NULL, chat_id, WH_TG_INTERACTIVE, NULL);
}

static void decref_cb(void *j) { json_decref(j); }

static int32_t tg_call(walor_ctx *c, const char *method, json_t *params, json_t **out)
{
    if (!method || !*method || strlen(method) > 40)
        return wh_error(WALOR_EINVAL, "bad method name");
    json_t *p = params ? json_deep_copy(params) : json_object();
    int64_t chat = (int64_t)json_integer_value(json_object_get(p, "chat_id"));
    json_t *res = NULL;
    int32_t rc = call(method, p, NULL, chat, WH_TG_INTERACTIVE, &res);
    if (rc == 0) {
        wh_arena_defer(c->arena, decref_cb, res);
        if (out)
            *out = res;
    }
    return rc;
}

/* ---- keyboards ---- */

static int32_t tokenize(void *ud, const char *data, char out[65])
{
    walor_ctx *c = ud;
    unsigned char rnd[9];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        return wh_error(WALOR_ENOMEM, "no randomness for a callback token");
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char tok[14] = "~";
    for (int i = 0; i < 12; i++) {
        int bit = i * 6, byte = bit / 8, off = bit % 8;
        unsigned v = ((unsigned)rnd[byte] << 8 | (byte + 1 < 9 ? rnd[byte + 1] : 0)) >> (10 - off);
        tok[1 + i] = b64[v & 63];
    }
    tok[13] = '\0';
    int32_t rc = wh_db_exec(c->w->db, "INSERT INTO wh_cbtokens(token, data, created_at) VALUES (?, ?, ?)",
                            WALOR_ARGS(walor_s(tok), walor_s(data), walor_i(wh_now())));
    if (rc < 0)
        return rc;
    memcpy(out, tok, sizeof tok);
    return 0;
}

static void kb_clear_cb(void *kb) { wh_kb_clear(kb); }

static walor_kb *kb_new(walor_ctx *c)
{
    walor_kb *kb = wh_arena_alloc(c->arena, sizeof *kb);
    if (!kb)
        return NULL;
    wh_kb_init(&kb->kb, c->head.api, tokenize, c);
    kb->c = c;
    wh_arena_defer(c->arena, kb_clear_cb, &kb->kb);
    return kb;
}

int32_t wh_msg_kb_append(walor_kb *dst, const walor_kb *src)
{
    if (!dst)
        return wh_error(WALOR_ENOMEM, "out of memory");
    return src ? wh_kb_append(&dst->kb, &src->kb) : 0;
}

static int32_t kb_button(walor_kb *kb, const char *text, const char *data) { return wh_kb_button(&kb->kb, text, data); }
static int32_t kb_url(walor_kb *kb, const char *text, const char *url) { return wh_kb_url(&kb->kb, text, url); }
static int32_t kb_row(walor_kb *kb) { return wh_kb_row(&kb->kb); }

static int32_t kb_conv_button(walor_kb *kb, const char *text, const char *payload)
{
    walor_ctx *c = kb->c;
    if (!c->conv_loaded || !c->conv.active)
        return wh_error(WALOR_EPHASE, "no active conversation for a conversation button");
    char *data = wh_arena_printf(c->arena, "_c%lld:%s", (long long)c->conv.seq, payload ? payload : "");
    return wh_kb_button(&kb->kb, text, data);
}

/* ---- text helpers ---- */

/* Staff notices (SDK 1.2): owners come from the config, managers from
 * wh_users; someone who blocked the bot is skipped rather than failing the
 * others. Interactive class: a handful of people who must act now. */
static int32_t notify_staff(walor_ctx *c, uint32_t min_role, const char *html, const walor_kb *kb)
{
    if (min_role != WALOR_ROLE_MANAGER && min_role != WALOR_ROLE_OWNER)
        return wh_error(WALOR_EINVAL, "notify_staff: min_role must be WALOR_ROLE_MANAGER or WALOR_ROLE_OWNER");
    int32_t rc = check_html(html, 4096, 0);
    if (rc)
        return rc;
    size_t cap = wh_g.nowners + 16, n = 0;
    int64_t *ids = malloc(cap * sizeof *ids);
    if (!ids)
        return wh_error(WALOR_ENOMEM, "out of memory");
    for (size_t i = 0; i < wh_g.nowners; i++)
        ids[n++] = wh_g.owners[i];
    wh_rows *r = NULL;
    rc = wh_db_query(c->w->db, "SELECT id FROM wh_users WHERE role >= ? AND blocked = 0 ORDER BY id",
                     WALOR_ARGS(walor_i(min_role)), &r);
    while (rc >= 0 && wh_rows_next(r) == 1) {
        int64_t id = wh_rows_int(r, 0);
        int dup = 0;
        for (size_t i = 0; i < n && !dup; i++)
            dup = ids[i] == id;
        if (dup)
            continue;
        if (n == cap) {
            int64_t *m = realloc(ids, (cap *= 2) * sizeof *ids);
            if (!m) {
                rc = wh_error(WALOR_ENOMEM, "out of memory");
                break;
            }
            ids = m;
        }
        ids[n++] = id;
    }
    wh_rows_close(r);
    int32_t sent = 0;
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        if (is_blocked(c, ids[i]))
            continue;
        if (msg_send(c, ids[i], html, kb, 0, NULL) == 0)
            sent++;
    }
    free(ids);
    return rc < 0 ? rc : sent;
}

/* ---- drafts (SDK 1.3) ----
 * sendMessageDraft is new in the Bot API: a local Bot API server or a
 * proxy of an older version answers 404 "Not Found" (or 400 "method not
 * found"). The first such answer is remembered for the life of the
 * process, and from then on send_draft says WALOR_ENOSYS at once, so the
 * plugin edits a message instead. */
static _Atomic int draft_unknown; /* 1: this server does not know the method */

static void draft_done(wh_tg_result *r, void *ud)
{
    (void)ud;
    if (r->ok || strcmp(r->description, "shutting down") == 0)
        return;
    if (r->error_code == 404 || (r->error_code == 400 && strstr(r->description, "method not found"))) {
        if (!atomic_exchange(&draft_unknown, 1))
            wh_logf(WH_LOG_INFO, "tg", "this Telegram server has no sendMessageDraft (%d %s): replies are "
                                       "streamed by editing a message", r->error_code, r->description);
    } else {
        wh_logf(WH_LOG_DEBUG, "tg", "sendMessageDraft failed: %d %s", r->error_code, r->description);
    }
}

static int32_t send_draft(walor_ctx *c, int64_t chat_id, int64_t draft_id, const char *html, uint32_t flags)
{
    (void)c;
    if (flags)
        return wh_error(WALOR_EINVAL, "unknown draft flags 0x%x", flags);
    if (chat_id == 0 || draft_id == 0)
        return wh_error(WALOR_EINVAL, "a draft needs a chat and a non-zero draft_id");
    if (atomic_load(&draft_unknown))
        return wh_error(WALOR_ENOSYS, "this Telegram server has no sendMessageDraft");
    int32_t rc = check_html(html, 4096, 1); /* "" is the "typing…" placeholder */
    if (rc)
        return rc;
    json_t *params = json_pack("{s:I, s:I, s:s, s:s}", "chat_id", (json_int_t)chat_id, "draft_id",
                               (json_int_t)draft_id, "text", html, "parse_mode", "HTML");
    if (!params)
        return wh_error(WALOR_EINVAL, "text is not valid UTF-8");
    /* interactive: in order with the final sendMessage of the same chat */
    return wh_tg_call_cb(wh_g.tg, "sendMessageDraft", params, NULL, chat_id, WH_TG_INTERACTIVE, draft_done, NULL);
}

static char *html_escape(walor_ctx *c, const char *s) { return wh_html_escape(c->arena, s); }

static char *money(walor_ctx *c, int64_t kop)
{
    char buf[64];
    wh_money_format(buf, sizeof buf, kop);
    return wh_arena_strdup(c->arena, buf);
}

static char *number(walor_ctx *c, int64_t value, uint32_t scale)
{
    char buf[WH_NUM_BUF];
    if (scale > 6) {
        wh_error(WALOR_EINVAL, "number: scale %u is over 6", scale);
        return NULL;
    }
    wh_num_format(buf, sizeof buf, value, scale);
    return wh_arena_strdup(c->arena, buf);
}

static char *plural(walor_ctx *c, int64_t n, const char *forms, uint32_t flags)
{
    const char *w;
    size_t wl;
    char num[WH_NUM_BUF];
    if (!forms || (flags & ~WALOR_PLURAL_WORD)) {
        wh_error(WALOR_EINVAL, "plural: forms missing or unknown flags");
        return NULL;
    }
    wh_plural_pick(forms, n, &w, &wl);
    if (flags & WALOR_PLURAL_WORD)
        return wh_arena_printf(c->arena, "%.*s", (int)wl, w);
    wh_num_format(num, sizeof num, n, 0);
    return wh_arena_printf(c->arena, "%s %.*s", num, (int)wl, w);
}

void wh_msg_fill(walor_host_api *api)
{
    api->send = msg_send;
    api->notify_staff = notify_staff;
    api->edit = edit;
    api->answer = answer;
    api->send_photo = send_photo;
    api->send_document = send_document;
    api->delete_message = delete_message;
    api->tg_call = tg_call;
    api->kb_new = kb_new;
    api->kb_button = kb_button;
    api->kb_url = kb_url;
    api->kb_row = kb_row;
    api->kb_conv_button = kb_conv_button;
    api->html_escape = html_escape;
    api->money = money;
    api->show = show;
    api->number = number;
    api->plural = plural;
    api->send_draft = send_draft;
}
