/* The router: one Telegram update in, the right plugin handler called,
 * with roles checked first. Runs on a worker; updates of one chat come
 * here one at a time and in order (pool.c). Whatever happens, the user
 * gets an answer: a stale or forged button, an expired conversation, an
 * unknown command and a failing handler each have one. */
#include "dispatch.h"

#include <pthread.h>
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
#include "storage.h"
#include "texts.h"
#include "unit.h"
#include "users.h"

static void say(walor_ctx *c, const char *key)
{
    char *t = wh_arena_strdup(c->arena, wh_text_get(key) ? wh_text_get(key) : key);
    c->head.api->send(c, c->chat_id, t, NULL, 0, NULL);
}

/* storage failures this worker had met when its current update began
 * (host/db/storage.h): more at the end means the update met one */
static _Thread_local uint64_t storage_mark;

static int met_storage_failure(void) { return wh_storage_thread_errors() != storage_mark; }

/* A failed handler has no effect: the writes and replies of its unit of
 * work that have not committed are undone (unit.h), its conversation
 * changes forgotten; the user gets one apology, and the update is done. */
static void handler_failed(walor_ctx *c, const char *where, int32_t rc)
{
    if (met_storage_failure()) {
        /* not the plugin's fault and not a report per update: the storage
         * watcher tells the owners once; the update runs again later (the
         * caller holds it), so nothing of this run may stay */
        wh_logf(WH_LOG_WARN, c->plugin ? c->plugin->name : "host",
                "%s could not write (the database's storage fails) in update %lld: it is held", where,
                (long long)c->update_id);
        c->failed = 1;
        wh_unit_rollback(c);
        wh_conv_forget(c);
        return;
    }
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

/* 1 when the chat has a conversation to go on with, 0 when not (an
 * expired one is ended and the user told), -1 when the user's role no
 * longer allows it: the role is checked at every step, not only at the
 * start, so a manager removed mid-way cannot finish (the conversation is
 * ended and the press or message refused) */
static int conv_alive(walor_ctx *c)
{
    if (wh_conv_load(c) != 0 || !c->conv.active)
        return 0;
    if (wh_conv_expired(c)) {
        wh_conv_clear(c);
        say(c, "core.conv_expired");
        return 0;
    }
    if (c->role < c->conv.def->min_role) {
        const char *name = wh_arena_strdup(c->arena, c->conv.def->name);
        uint32_t need = c->conv.def->min_role;
        wh_conv_clear(c);
        allowed(c, need, name);
        return -1;
    }
    return 1;
}

/* ✖️ Отмена (the host's button under every question) or /cancel: the
 * plugin's on_cancel while the data is still there, then the end */
static void cancel_conv(walor_ctx *c)
{
    const wh_conv_def *d = c->conv.def;
    int64_t seq = c->conv.seq;
    if (d->on_cancel) {
        int32_t rc = wh_ctx_call0(c, d->p, d->on_cancel);
        if (rc < 0) {
            c->plugin = d->p;
            handler_failed(c, "on_cancel", rc);
            c->plugin = NULL;
        }
    }
    if (c->conv.active && c->conv.seq == seq)
        wh_conv_clear(c);
    if (c->callback_id && !c->answered)
        c->head.api->answer(c, wh_text_get("core.cancelled_short"), 0);
    if (d->on_cancel)
        return;
    if (!c->callback_id)
        say(c, "core.cancelled");
    wh_menu_show_main(c, c->callback_id != NULL);
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
        int alive = conv_alive(c);
        if (alive > 0)
            cancel_conv(c);
        else if (alive == 0)
            say(c, "core.nothing_to_cancel");
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
    int alive = conv_alive(c);
    if (alive < 0)
        return;
    if (alive) {
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
    /* "_c<seq>:<payload>": a button of the conversation with that seq;
     * "_x<seq>": the host's ✖️ Отмена under its question */
    char *end = NULL;
    int is_cancel = data[1] == 'x';
    long long seq = strtoll(data + 2, &end, 10);
    int alive = end && *end == (is_cancel ? '\0' : ':') ? conv_alive(c) : 0;
    if (alive < 0)
        return;
    if (!alive || c->conv.seq != seq || (!is_cancel && !c->conv.state->on_callback)) {
        stale(c);
        return;
    }
    if (is_cancel) {
        cancel_conv(c);
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
    if (strncmp(data, "_c", 2) == 0 || strncmp(data, "_x", 2) == 0) {
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

static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *held;

json_t *wh_dispatch_take_held(void)
{
    pthread_mutex_lock(&held_mu);
    json_t *list = held;
    held = NULL;
    pthread_mutex_unlock(&held_mu);
    return list;
}

/* The storage cannot be written: the update stays in the inbox, not done,
 * and runs once the watcher sees writes work (main.c). The user hears why
 * nothing happens yet. */
static void hold(wh_worker *w, json_t *u, walor_ctx *c)
{
    pthread_mutex_lock(&held_mu);
    if (!held)
        held = json_array();
    if (!held || json_array_append(held, u) != 0)
        wh_err("update %lld could not be held: it runs after the next restart",
               (long long)json_integer_value(json_object_get(u, "update_id")));
    pthread_mutex_unlock(&held_mu);
    walor_ctx local;
    if (!c) {
        json_t *cb = json_object_get(u, "callback_query");
        json_t *msg = cb ? json_object_get(cb, "message") : json_object_get(u, "message");
        json_t *from = json_object_get(cb ? cb : msg, "from");
        if (!json_is_object(from))
            return; /* nobody to tell */
        wh_ctx_init(&local, w);
        c = &local;
        c->update = u;
        c->user_id = (int64_t)json_integer_value(json_object_get(from, "id"));
        c->chat_id = (int64_t)json_integer_value(json_object_get(json_object_get(msg, "chat"), "id"));
        if (!c->chat_id)
            c->chat_id = c->user_id;
        if (cb)
            c->callback_id = json_string_value(json_object_get(cb, "id"));
    }
    const char *note = wh_text_get("core.storage.user");
    if (c->callback_id && !c->answered)
        c->head.api->answer(c, note, WALOR_ANSWER_ALERT);
    else if (c->chat_id)
        say(c, "core.storage.user");
    if (c == &local)
        wh_ctx_finish(c);
}

/* the done mark of an update, in its unit of work */
static int32_t inbox_mark(walor_ctx *c, void *arg)
{
    (void)arg;
    int32_t rc = wh_inbox_settle(c->w->db, c->update_id, wh_now());
    return rc < 0 ? rc : rc == 1 ? 0 : WH_UNIT_GONE;
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

/* Commits the update's unit. A failed commit undoes the handler's work:
 * when the storage failed the update is held to run again (not done);
 * otherwise the user gets the apology with the done mark. */
static void finish(wh_worker *w, json_t *u, walor_ctx *c)
{
    int32_t rc = wh_unit_commit(c);
    if (rc >= 0)
        return;
    if (met_storage_failure()) {
        wh_unit_end(c); /* the note below goes out now: nothing here can be stored */
        hold(w, u, c);
        return;
    }
    handler_failed(c, "storing the update's effect", rc);
    if (wh_unit_commit(c) < 0)
        wh_logf(WH_LOG_ERROR, "host", "update %lld not marked done (it runs again after a restart): %s",
                (long long)c->update_id, wh_last_error());
}

void wh_dispatch_update(wh_worker *w, json_t *u)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    storage_mark = wh_storage_thread_errors();
    if (!wh_storage_ok()) {
        hold(w, u, NULL);
        return;
    }
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
        finish(w, u, &c);
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
    if (met_storage_failure()) {
        /* a write failed for the storage, even if the plugin went on: none
         * of this run stays, it is not done and runs again later */
        wh_unit_end(&c);
        hold(w, u, &c);
        wh_ctx_finish(&c);
        return;
    }
    /* the client's spinner stops only when the press is answered */
    if (c.callback_id && !c.answered)
        c.head.api->answer(&c, NULL, 0);
    finish(w, u, &c);
    wh_ctx_finish(&c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    wh_metrics_update(kind, !c.failed, (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
}
