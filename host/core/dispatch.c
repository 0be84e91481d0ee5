/* The router: one Telegram update in, the right plugin handler called,
 * with roles checked first. Runs on a worker; updates of one chat come
 * here one at a time and in order (pool.c). Whatever happens, the user
 * gets an answer: a stale or forged button, an expired conversation, an
 * unknown command and a failing handler each have one. */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv.h"
#include "core.h"
#include "error.h"
#include "host.h"
#include "inbox.h"
#include "log.h"
#include "metrics.h"
#include "menu.h"
#include "report.h"
#include "texts.h"
#include "unit.h"
#include "users.h"

static void say(walor_ctx *c, const char *key)
{
    char *t = wh_arena_strdup(c->arena, wh_text_get(key) ? wh_text_get(key) : key);
    c->head.api->send(c, c->chat_id, t, NULL, 0, NULL);
}

/* A failed handler has no effect: the writes and replies of its unit of
 * work that have not committed are undone (unit.h), its conversation
 * changes forgotten; the user gets one apology, and the update is done. */
static void handler_failed(walor_ctx *c, const char *where, int32_t rc)
{
    wh_logf(WH_LOG_ERROR, c->plugin ? c->plugin->name : "host", "%s failed: %s (%s) in update %lld", where,
            wh_strerror(rc), wh_last_error(), (long long)c->update_id);
    c->failed = 1;
    char detail[700];
    snprintf(detail, sizeof detail, "%s: %s", wh_strerror(rc), wh_last_error());
    wh_unit_rollback(c);
    wh_conv_forget(c);
    wh_report_failure(c, c->plugin ? c->plugin->name : "host", where, detail);
    if (c->callback_id && !c->answered)
        c->head.api->answer(c, wh_text_get("core.error_short"), WALOR_ANSWER_ALERT);
    else
        say(c, "core.error");
}

/* the role check every entry point goes through: callback data and deep
 * links come from the client and can be forged */
static int allowed(walor_ctx *c, uint32_t min_role, const char *what)
{
    if (c->role >= min_role)
        return 1;
    wh_logf(WH_LOG_WARN, "host", "user %lld (role %u) refused %s (needs role %u)", (long long)c->user_id, c->role,
            what, min_role);
    if (c->callback_id)
        c->head.api->answer(c, wh_text_get("core.denied"), WALOR_ANSWER_ALERT);
    else
        say(c, "core.denied");
    return 0;
}

static int32_t call_handler(walor_ctx *c, wh_plugin *p, walor_handler_fn fn, const char *arg, const char *where)
{
    int32_t rc = wh_ctx_call(c, p, fn, arg);
    if (rc < 0) {
        wh_plugin *saved = c->plugin;
        c->plugin = p;
        handler_failed(c, where, rc);
        c->plugin = saved;
    }
    return rc;
}

static void stale(walor_ctx *c)
{
    if (c->callback_id && !c->answered)
        c->head.api->answer(c, wh_text_get("core.stale"), 0);
    wh_menu_show_main(c, 1);
}

static int conv_alive(walor_ctx *c)
{
    if (wh_conv_load(c) != 0 || !c->conv.active)
        return 0;
    if (wh_conv_expired(c)) {
        wh_conv_clear(c);
        say(c, "core.conv_expired");
        return 0;
    }
    return 1;
}

static void deep_link(walor_ctx *c, const char *payload)
{
    const wh_prefix_handler *h = wh_find_deeplink(payload);
    if (!h) {
        wh_core_start(c);
        return;
    }
    if (!allowed(c, h->min_role, "a deep link"))
        return;
    call_handler(c, h->p, h->fn, payload + strlen(h->prefix), "deep link");
}

static void command(walor_ctx *c, const char *text)
{
    /* "/name@bot args" */
    const char *p = text + 1;
    size_t n = strcspn(p, " \n@");
    char name[40];
    if (n == 0 || n >= sizeof name) {
        say(c, "core.unknown_command");
        return;
    }
    memcpy(name, p, n);
    name[n] = '\0';
    const char *args = p + n;
    if (*args == '@')
        args += strcspn(args, " \n");
    args += strspn(args, " \n");

    if (strcmp(name, "cancel") == 0) {
        if (conv_alive(c)) {
            wh_conv_clear(c);
            say(c, "core.cancelled");
            wh_menu_show_main(c, 0);
        } else {
            say(c, "core.nothing_to_cancel");
        }
        return;
    }
    /* any other command leaves the conversation: the user went elsewhere */
    if (wh_conv_load(c) == 0 && c->conv.active)
        wh_conv_clear(c);
    if (strcmp(name, "start") == 0) {
        if (*args)
            deep_link(c, args);
        else
            wh_core_start(c);
        return;
    }
    const wh_cmd *cmd = wh_find_cmd(name);
    if (!cmd) {
        say(c, "core.unknown_command");
        return;
    }
    if (!allowed(c, cmd->min_role, name))
        return;
    call_handler(c, cmd->p, cmd->fn, args, name);
}

static const char *message_text(json_t *msg)
{
    const char *t = json_string_value(json_object_get(msg, "text"));
    if (!t)
        t = json_string_value(json_object_get(msg, "caption"));
    return t ? t : "";
}

static void on_message(walor_ctx *c, json_t *msg)
{
    const char *text = message_text(msg);
    if (text[0] == '/') {
        command(c, text);
        return;
    }
    if (conv_alive(c)) {
        const wh_conv_state_def *st = c->conv.state;
        if (st->on_message) {
            /* touch the deadline: the user is still at it */
            c->conv.expires_at = wh_now() + c->conv.def->timeout_s;
            c->conv.dirty = 1;
            call_handler(c, c->conv.def->p, st->on_message, text, c->conv.def->name);
        } else {
            say(c, "core.use_buttons");
        }
        return;
    }
    say(c, "core.not_understood");
    wh_menu_show_main(c, 0);
}

static void conv_button(walor_ctx *c, const char *data)
{
    /* "_c<seq>:<payload>": a button of the conversation with that seq */
    char *end = NULL;
    long long seq = strtoll(data + 2, &end, 10);
    if (!end || *end != ':' || !conv_alive(c) || c->conv.seq != seq || !c->conv.state->on_callback) {
        stale(c);
        return;
    }
    c->conv.expires_at = wh_now() + c->conv.def->timeout_s;
    c->conv.dirty = 1;
    call_handler(c, c->conv.def->p, c->conv.state->on_callback, end + 1, c->conv.def->name);
}

static void on_callback(walor_ctx *c, const char *data)
{
    if (!data || !*data) {
        stale(c);
        return;
    }
    if (data[0] == '~') {
        /* a long payload behind a token (kb.c); expired or forged → stale */
        wh_rows *r = NULL;
        const char *full = NULL;
        if (wh_db_query(c->w->db, "SELECT data FROM wh_cbtokens WHERE token = ?", WALOR_ARGS(walor_s(data)), &r) == 0) {
            if (wh_rows_next(r) == 1 && wh_rows_text(r, 0))
                full = wh_arena_strdup(c->arena, wh_rows_text(r, 0));
            wh_rows_close(r);
        }
        if (!full || full[0] == '~') {
            stale(c);
            return;
        }
        data = full;
    }
    if (strncmp(data, "_c", 2) == 0) {
        conv_button(c, data);
        return;
    }
    const char *colon = strchr(data, ':');
    if (!colon) {
        stale(c);
        return;
    }
    size_t plen = (size_t)(colon - data);
    if (plen == 1 && data[0] == 'm') {
        const wh_menu *m = wh_find_menu(colon + 1);
        if (!m) {
            stale(c);
            return;
        }
        if (!allowed(c, m->min_role, m->id))
            return;
        int32_t rc = wh_ctx_call0(c, m->p, m->on_press);
        if (rc < 0) {
            c->plugin = m->p;
            handler_failed(c, m->id, rc);
            c->plugin = NULL;
        }
        return;
    }
    const wh_prefix_handler *h = wh_find_callback(data, plen);
    if (!h) {
        stale(c); /* a disabled plugin's button, or made up */
        return;
    }
    if (!allowed(c, h->min_role, h->prefix))
        return;
    call_handler(c, h->p, h->fn, colon + 1, h->prefix);
}

static void my_chat_member(wh_worker *w, json_t *obj)
{
    const char *status = json_string_value(json_object_get(json_object_get(obj, "new_chat_member"), "status"));
    int64_t uid = (int64_t)json_integer_value(json_object_get(json_object_get(obj, "from"), "id"));
    if (status && uid)
        wh_user_set_blocked(w->db, uid, strcmp(status, "kicked") == 0);
}

/* the done mark of an update, in its unit of work */
static int32_t inbox_mark(walor_ctx *c, void *arg)
{
    (void)arg;
    return wh_inbox_done(c->w->db, c->update_id, wh_now());
}

static void save_conv(walor_ctx *c)
{
    if (wh_conv_save(c) < 0)
        wh_logf(WH_LOG_ERROR, "host", "cannot save conversation of chat %lld: %s", (long long)c->chat_id,
                wh_last_error());
}

/* Registers the user in a small transaction of its own, before the unit:
 * a failing handler does not take the registration (and the /start
 * payload a referral binds to) with it, and doing it again is harmless. */
static void register_user(walor_ctx *c, json_t *from, json_t *msg)
{
    wh_db *db = c->w->db;
    wh_db_autobegin(db, 1); /* usually nothing changed: no write, no lock */
    int is_new = 0;
    int32_t rc = wh_user_touch(db, from, wh_now(), &c->role, &is_new);
    if (rc == 0 && is_new && msg) {
        const char *t = message_text(msg);
        if (strncmp(t, "/start ", 7) == 0)
            rc = wh_db_exec(db, "UPDATE wh_users SET start_payload = ? WHERE id = ?",
                            WALOR_ARGS(walor_s(t + 7), walor_i(c->user_id)));
    }
    if (wh_db_in_tx(db) || wh_db_tx_lost(db))
        rc = rc < 0 ? (wh_db_rollback(db), rc) : wh_db_commit(db);
    wh_db_autobegin(db, 0);
    if (rc < 0) {
        wh_logf(WH_LOG_ERROR, "host", "cannot register user %lld: %s", (long long)c->user_id, wh_last_error());
        c->role = wh_is_owner(c->user_id) ? WALOR_ROLE_OWNER : WALOR_ROLE_CLIENT;
    }
}

/* commits the update's unit; a failed commit undoes the handler's work,
 * and the user gets the apology with the done mark */
static void finish(walor_ctx *c)
{
    int32_t rc = wh_unit_commit(c);
    if (rc >= 0)
        return;
    handler_failed(c, "storing the update's effect", rc);
    if (wh_unit_commit(c) < 0)
        wh_logf(WH_LOG_ERROR, "host", "update %lld not marked done (it runs again after a restart): %s",
                (long long)c->update_id, wh_last_error());
}

void wh_dispatch_update(wh_worker *w, json_t *u)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    walor_ctx c;
    wh_ctx_init(&c, w);
    c.update = u;
    c.update_id = (int64_t)json_integer_value(json_object_get(u, "update_id"));
    const char *kind = wh_update_kind(u);
    json_t *obj = kind ? json_object_get(u, kind) : NULL;
    int is_msg = obj && strcmp(kind, "message") == 0;
    int is_cb = obj && strcmp(kind, "callback_query") == 0;
    json_t *msg = is_msg ? obj : is_cb ? json_object_get(obj, "message") : NULL;
    json_t *from = json_object_get(obj, "from");
    const char *chat_type = json_string_value(json_object_get(json_object_get(msg, "chat"), "type"));
    if ((!is_msg && !is_cb) || !json_is_object(from) || (chat_type && strcmp(chat_type, "private") != 0)) {
        /* edits, channel posts and groups are not part of a shop's dialogue */
        wh_unit_arm(&c, inbox_mark, NULL, WH_UNIT_MARK_EARLY);
        if (obj && strcmp(kind, "my_chat_member") == 0)
            my_chat_member(w, obj);
        finish(&c);
        wh_ctx_finish(&c);
        return;
    }

    c.user_id = (int64_t)json_integer_value(json_object_get(from, "id"));
    c.chat_id = msg ? (int64_t)json_integer_value(json_object_get(json_object_get(msg, "chat"), "id")) : c.user_id;
    if (c.chat_id == 0)
        c.chat_id = c.user_id;
    c.message_id = msg ? (int64_t)json_integer_value(json_object_get(msg, "message_id")) : 0;
    if (is_cb)
        c.callback_id = json_string_value(json_object_get(obj, "id"));
    register_user(&c, from, is_msg ? obj : NULL);

    wh_unit_arm(&c, inbox_mark, NULL, WH_UNIT_MARK_EARLY);
    c.unit.presettle = save_conv; /* a network wait commits the conversation's step too */
    if (is_msg)
        on_message(&c, obj);
    else
        on_callback(&c, json_string_value(json_object_get(obj, "data")));

    int32_t erc;
    if (!c.failed && (erc = wh_conv_run_enter(&c)) < 0)
        handler_failed(&c, "conversation step", erc);
    save_conv(&c);
    /* the client's spinner stops only when the press is answered */
    if (c.callback_id && !c.answered)
        c.head.api->answer(&c, NULL, 0);
    finish(&c);
    wh_ctx_finish(&c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    wh_metrics_update(kind, !c.failed, (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
}
