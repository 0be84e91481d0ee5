#include "conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_slots.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "msg.h"
#include "texts.h"

int32_t wh_conv_load(walor_ctx *c)
{
    if (c->conv_loaded)
        return 0;
    memset(&c->conv, 0, sizeof c->conv);
    c->conv_loaded = 1;
    wh_rows *r = NULL;
    int32_t rc = wh_db_query(c->w->db, "SELECT seq, active, name, state, data, expires_at FROM wh_conv WHERE chat_id = ?",
                             WALOR_ARGS(walor_i(c->chat_id)), &r);
    if (rc < 0)
        return rc;
    if (wh_rows_next(r) == 1) {
        c->conv.seq = wh_rows_int(r, 0);
        c->conv.expires_at = wh_rows_int(r, 5);
        if (wh_rows_int(r, 1)) {
            const wh_conv_def *d = wh_find_conv(wh_rows_text(r, 2) ? wh_rows_text(r, 2) : "");
            /* a form's step asked from its summary is stored as "<step>!" */
            char state[64];
            snprintf(state, sizeof state, "%s", wh_rows_text(r, 3) ? wh_rows_text(r, 3) : "");
            size_t sl = strlen(state);
            if (d && d->form && sl && state[sl - 1] == '!') {
                state[sl - 1] = '\0';
                c->conv.back = 1;
            }
            const wh_conv_state_def *st = d ? wh_conv_state(d, state) : NULL;
            if (st) {
                c->conv.active = 1;
                c->conv.def = d;
                c->conv.state = st;
                const char *data = wh_rows_text(r, 4);
                c->conv.data = data ? json_loads(data, 0, NULL) : NULL;
                if (!json_is_object(c->conv.data)) {
                    json_decref(c->conv.data);
                    c->conv.data = json_object();
                }
            } else {
                /* its plugin is disabled now, or the state was renamed: the
                 * conversation cannot go on, so it is over */
                c->conv.dirty = 1;
            }
        }
    }
    wh_rows_close(r);
    return 0;
}

int32_t wh_conv_save(walor_ctx *c)
{
    if (!c->conv_loaded || !c->conv.dirty)
        return 0;
    char *data = c->conv.active && c->conv.data ? json_dumps(c->conv.data, JSON_COMPACT) : NULL;
    const char *state = c->conv.active ? c->conv.state->name : NULL;
    if (state && c->conv.back)
        state = wh_arena_printf(c->arena, "%s!", state);
    int32_t rc = wh_db_exec(
        c->w->db,
        "INSERT INTO wh_conv(chat_id, seq, active, name, state, data, updated_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET seq = excluded.seq, "
        "active = excluded.active, name = excluded.name, state = excluded.state, data = excluded.data, "
        "updated_at = excluded.updated_at, expires_at = excluded.expires_at",
        WALOR_ARGS(walor_i(c->chat_id), walor_i(c->conv.seq), walor_i(c->conv.active),
                   walor_s(c->conv.active ? c->conv.def->name : NULL),
                   walor_s(state), walor_s(data), walor_i(wh_now()),
                   walor_i(c->conv.expires_at)));
    free(data);
    if (rc >= 0)
        c->conv.dirty = 0;
    return rc < 0 ? rc : 0;
}

static void decref_cb(void *j) { json_decref(j); }

void wh_conv_clear(walor_ctx *c)
{
    if (wh_conv_load(c) != 0 || (!c->conv.active && !c->conv.dirty))
        return;
    c->conv.active = 0;
    c->conv.def = NULL;
    c->conv.state = NULL;
    c->conv.enter_pending = NULL;
    c->conv.back = 0;
    c->conv.why = NULL;
    /* the data stays valid until the callback returns: a handler commonly
     * reads its answers, ends the conversation, then replies with them */
    if (c->conv.data)
        wh_arena_defer(c->arena, decref_cb, c->conv.data);
    c->conv.data = NULL;
    c->conv.dirty = 1;
}

int wh_conv_expired(const walor_ctx *c) { return c->conv.active && c->conv.expires_at <= wh_now(); }

int32_t wh_conv_run_enter(walor_ctx *c)
{
    /* bounded so two states that bounce between each other cannot hang a worker */
    for (int i = 0; i < 16 && c->conv.active && c->conv.enter_pending; i++) {
        const wh_conv_state_def *st = c->conv.enter_pending;
        c->conv.enter_pending = NULL;
        if (!st->on_enter)
            continue;
        int32_t rc = wh_ctx_call0(c, c->conv.def->p, st->on_enter);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void touch(walor_ctx *c)
{
    c->conv.expires_at = wh_now() + (c->conv.def ? c->conv.def->timeout_s : 3600);
    c->conv.dirty = 1;
}

static int32_t conv_start(walor_ctx *c, const char *name, const char *state, json_t *data)
{
    if (!c->plugin || !name)
        return wh_error(WALOR_EINVAL, "conversation name missing");
    if (c->chat_id == 0)
        return wh_error(WALOR_EPHASE, "a conversation needs a chat");
    char full[128];
    snprintf(full, sizeof full, "%s.%s", c->plugin->name, name);
    const wh_conv_def *d = wh_find_conv(full);
    if (!d)
        return wh_error(WALOR_ENOTFOUND, "no conversation %s", full);
    if (c->role < d->min_role)
        return wh_error(WALOR_EPERM, "conversation %s needs a higher role", full);
    const wh_conv_state_def *st = wh_conv_state(d, state);
    if (!st)
        return wh_error(WALOR_ENOTFOUND, "conversation %s has no state %s", full, state);
    if (data && !json_is_object(data))
        return wh_error(WALOR_EINVAL, "conversation data must be a JSON object");
    int32_t rc = wh_conv_load(c);
    if (rc)
        return rc;
    if (c->conv.data)
        wh_arena_defer(c->arena, decref_cb, c->conv.data);
    c->conv.data = data ? json_deep_copy(data) : json_object();
    c->conv.active = 1;
    c->conv.seq++;
    c->conv.def = d;
    c->conv.state = st;
    c->conv.enter_pending = st;
    c->conv.back = 0;
    c->conv.why = NULL;
    touch(c);
    return 0;
}

static int32_t conv_goto(walor_ctx *c, const char *state)
{
    if (wh_conv_load(c) != 0 || !c->conv.active)
        return wh_error(WALOR_EPHASE, "no active conversation");
    if (!c->plugin || c->conv.def->p != c->plugin)
        return wh_error(WALOR_EPERM, "the conversation belongs to another plugin");
    const wh_conv_state_def *st = wh_conv_state(c->conv.def, state);
    if (!st || !state)
        return wh_error(WALOR_ENOTFOUND, "conversation %s has no state %s", c->conv.def->name, state ? state : "");
    c->conv.state = st;
    c->conv.enter_pending = st;
    c->conv.back = 0;
    c->conv.why = NULL;
    touch(c);
    return 0;
}

int32_t wh_conv_goto_step(walor_ctx *c, const wh_conv_state_def *st, int back)
{
    c->conv.state = st;
    c->conv.enter_pending = st;
    c->conv.back = back;
    touch(c);
    return 0;
}

int32_t wh_conv_ask(walor_ctx *c, const char *html, const walor_kb *kb, int edit)
{
    const walor_host_api *api = c->head.api;
    if (wh_conv_load(c) != 0 || !c->conv.active)
        return wh_error(WALOR_EPHASE, "no active conversation to ask in");
    walor_kb *all = api->kb_new(c);
    int32_t rc = wh_msg_kb_append(all, kb);
    if (rc == 0)
        rc = api->kb_button(all, wh_text_get("core.btn.cancel"),
                            wh_arena_printf(c->arena, "_x%lld", (long long)c->conv.seq));
    if (rc < 0)
        return rc;
    if (edit && c->callback_id && c->message_id)
        return api->edit(c, c->chat_id, c->message_id, html, all, 0);
    return api->send(c, c->chat_id, html, all, 0, NULL);
}

static int32_t conv_ask(walor_ctx *c, const char *html, const walor_kb *kb) { return wh_conv_ask(c, html, kb, 0); }

static json_t *conv_data(walor_ctx *c)
{
    if (wh_conv_load(c) != 0 || !c->conv.active)
        return NULL;
    c->conv.dirty = 1; /* the caller may change it; saving is cheap */
    return c->conv.data;
}

static int32_t conv_end(walor_ctx *c)
{
    if (wh_conv_load(c) != 0 || !c->conv.active)
        return wh_error(WALOR_EPHASE, "no active conversation");
    wh_conv_clear(c);
    return 0;
}

void wh_conv_fill(walor_host_api *api)
{
    api->conv_start = conv_start;
    api->conv_goto = conv_goto;
    api->conv_data = conv_data;
    api->conv_end = conv_end;
    api->conv_ask = conv_ask;
}
