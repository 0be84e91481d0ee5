/* Message slots: send, edit in place, answer a button, photos, documents,
 * raw Bot API calls, keyboards, escaping and money. Every text is checked
 * against Telegram's HTML rules and length limits here, so a plugin learns
 * about a bad message from the return code instead of a lost reply. */
#include <fcntl.h>
#include <pthread.h>
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
#include "msgq.h"
#include "num.h"
#include "timefmt.h"
#include "tg.h"
#include "unit.h"

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

/* queued when out_result is NULL, else waited for (a network wait): either
 * way through the callback's unit of work, which holds the call until its
 * writes commit (unit.h) */
static int32_t call(walor_ctx *c, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                    uint32_t klass, uint32_t flags, json_t **out_result)
{
    if (!out_result)
        return wh_unit_tg(c, method, params, up, chat_id, klass, flags, NULL);
    wh_tg_result r;
    memset(&r, 0, sizeof r);
    int32_t rc = wh_unit_tg(c, method, params, up, chat_id, klass, flags, &r);
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
    rc = call(c, "sendMessage", params, NULL, chat_id, klass, 0, out_mid ? &res : NULL);
    if (rc == 0 && out_mid) {
        *out_mid = result_message_id(res);
        json_decref(res);
    }
    return rc;
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
    /* a message that is gone is sent anew, a photo's or document's screen
     * becomes its caption when it fits one (msgq.c) */
    uint32_t fallback = WH_MSG_FALLBACK | (check_html(html, 1024, 0) == 0 ? WH_MSG_CAPTION : 0);
    return call(c, "editMessageText", params, NULL, chat_id, WH_TG_INTERACTIVE, fallback, NULL);
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
    return call(c, "answerCallbackQuery", params, NULL, 0, WH_TG_UNPACED, 0, NULL);
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
    rc = call(c, "sendPhoto", params, up.data ? &up : NULL, chat_id,
              (flags & WALOR_SEND_BULK) ? WH_TG_BULK : WH_TG_INTERACTIVE, 0, out_mid ? &res : NULL);
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
    return call(c, "sendDocument", params, &up, chat_id, (flags & WALOR_SEND_BULK) ? WH_TG_BULK : WH_TG_INTERACTIVE,
                0, NULL);
}

static int32_t delete_message(walor_ctx *c, int64_t chat_id, int64_t message_id)
{
    json_t *params = json_pack("{s:I, s:I}", "chat_id", (json_int_t)chat_id, "message_id", (json_int_t)message_id);
    return call(c, "deleteMessage", params, NULL, chat_id, WH_TG_INTERACTIVE, 0, NULL);
}

static void decref_cb(void *j) { json_decref(j); }

static int32_t tg_call(walor_ctx *c, const char *method, json_t *params, json_t **out)
{
    if (!method || !*method || strlen(method) > 40)
        return wh_error(WALOR_EINVAL, "bad method name");
    /* any method: not stored for a re-send, but after what the unit holds */
    int32_t rc = wh_unit_wait(c, "walor_tg_call");
    if (rc < 0)
        return rc;
    json_t *p = params ? json_deep_copy(params) : json_object();
    int64_t chat = (int64_t)json_integer_value(json_object_get(p, "chat_id"));
    json_t *res = NULL;
    wh_tg_result r;
    rc = wh_msgq_call(0, method, p, NULL, chat, WH_TG_INTERACTIVE, &r);
    if (rc == 0 && (rc = wh_tg_result_err(&r)) == 0)
        res = r.result;
    else
        json_decref(r.result);
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

/* SDK 1.3: the checks of a send, for a text being written (a broadcast, a
 * note), with the reason in Russian only: the English gloss is for logs */
static int32_t html_check(walor_ctx *c, const char *html, uint32_t limit, const char **why)
{
    size_t vis = 0, max = limit ? limit : 4096;
    char reason[160];
    const char *r = NULL;
    int32_t rc = 0;
    if (!html) {
        rc = wh_error(WALOR_EINVAL, "text is NULL");
        r = "пустой текст";
    } else if ((rc = wh_html_check(html, &vis, reason, sizeof reason)) != 0) {
        char *gloss = strstr(reason, " / ");
        if (gloss)
            *gloss = '\0';
        r = wh_arena_printf(c->arena, "ошибка в разметке: %s", reason);
    } else if (vis == 0) {
        rc = wh_error(WALOR_EINVAL, "message text is empty");
        r = "пустой текст";
    } else if (vis > max) {
        rc = wh_error(WALOR_ELIMIT, "text is %zu characters, Telegram allows %zu", vis, max);
        r = wh_arena_printf(c->arena, "текст длиной %zu символов, Telegram принимает не больше %zu", vis, max);
    }
    if (why)
        *why = r;
    return rc;
}

/* SDK 1.3: getMe once for the process (a bot's username does not change
 * while it runs); a failure is asked again at the next call */
static pthread_mutex_t bot_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *bot_username(walor_ctx *c)
{
    pthread_mutex_lock(&bot_mu);
    if (!wh_g.bot_username) {
        json_t *res = NULL;
        if (tg_call(c, "getMe", NULL, &res) == 0) {
            const char *u = json_string_value(json_object_get(res, "username"));
            if (u && *u)
                wh_g.bot_username = strdup(u);
        }
    }
    const char *out = wh_g.bot_username ? wh_arena_strdup(c->arena, wh_g.bot_username) : NULL;
    pthread_mutex_unlock(&bot_mu);
    return out;
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

static char *time_format(walor_ctx *c, int64_t t, const char *fmt)
{
    char buf[256];
    if (!fmt) {
        wh_error(WALOR_EINVAL, "time_format: no format");
        return NULL;
    }
    if (wh_time_format(buf, sizeof buf, t, fmt) == 0 && *fmt) {
        wh_error(WALOR_EINVAL, "time_format: %lld does not convert, or the text is over 255 bytes", (long long)t);
        return NULL;
    }
    return wh_arena_strdup(c->arena, buf);
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
    api->html_check = html_check;
    api->bot_username = bot_username;
    api->money = money;
    api->show = show;
    api->number = number;
    api->plural = plural;
    api->time_format = time_format;
    api->send_draft = send_draft;
}
