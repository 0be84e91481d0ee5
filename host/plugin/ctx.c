/* walor_ctx life cycle and the slots that only read or annotate it:
 * memory, logging, facts about the update, texts, users, action log. */
#include "ctx.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_slots.h"
#include "check.h"
#include "error.h"
#include "host.h"
#include "log.h"

static void (*_Atomic events_hook)(void);

void wh_ctx_set_events_hook(void (*fn)(void)) { atomic_store(&events_hook, fn); }

void wh_ctx_events_committed(void)
{
    void (*fn)(void) = atomic_load(&events_hook);
    if (fn)
        fn();
}

void wh_ctx_init(walor_ctx *c, wh_worker *w)
{
    memset(c, 0, sizeof *c);
    c->head.api = wh_reg.api;
    c->kind = WH_KIND_CTX;
    c->w = w;
    c->arena = &w->arena;
}

void wh_ctx_finish(walor_ctx *c)
{
    if (wh_db_in_tx(c->w->db)) {
        wh_logf(WH_LOG_WARN, c->plugin ? c->plugin->name : "host",
                "callback returned inside a transaction: rolled back");
        wh_db_rollback(c->w->db);
    }
    if (c->emitted && !c->tx_managed) /* a commit on the host's side carried events */
        wh_ctx_events_committed();
    json_decref(c->conv.data);
    c->conv.data = NULL;
    wh_arena_reset(c->arena);
}

int32_t wh_ctx_call(walor_ctx *c, wh_plugin *p, walor_handler_fn fn, const char *arg)
{
    wh_plugin *saved = c->plugin;
    c->plugin = p;
    wh_clear_error();
    int32_t rc = fn(c, arg ? arg : "");
    c->plugin = saved;
    return rc;
}

int32_t wh_ctx_call0(walor_ctx *c, wh_plugin *p, walor_ctx_fn fn)
{
    wh_plugin *saved = c->plugin;
    c->plugin = p;
    wh_clear_error();
    int32_t rc = fn(c);
    c->plugin = saved;
    return rc;
}

static void *ctx_alloc(walor_ctx *c, size_t n) { return wh_arena_alloc(c->arena, n); }

static char *ctx_vprintf(walor_ctx *c, const char *fmt, va_list ap) { return wh_arena_vprintf(c->arena, fmt, ap); }

static void vlog(const void *handle, int32_t level, const char *fmt, va_list ap)
{
    const char *who = "plugin";
    if (handle) {
        const struct { walor_handle h; uint32_t kind; } *hd = handle;
        if (hd->kind == WH_KIND_PLUGIN)
            who = ((const wh_plugin *)handle)->name;
        else if (hd->kind == WH_KIND_CTX && ((const walor_ctx *)handle)->plugin)
            who = ((const walor_ctx *)handle)->plugin->name;
    }
    wh_vlogf(level, who, fmt, ap);
}

static const char *plugin_name(const walor_plugin *p) { return p ? p->name : NULL; }

/* public_url and webhook_secret are every plugin's: [walor] public_url,
 * and the plugin's own secret derived from [walor] webhook_secret. A value
 * in the plugin's section (deprecated, warned about at start) still wins. */
static const char *plugin_config(const walor_plugin *p, const char *key)
{
    if (!p || !key)
        return NULL;
    char section[96];
    snprintf(section, sizeof section, "plugin.%s", p->name);
    const char *v = wh_config_get(&wh_g.cfg, section, key);
    if (v && *v)
        return v;
    if (!strcmp(key, "public_url") && wh_g.cfg.public_url)
        return wh_g.cfg.public_url;
    if (!strcmp(key, "webhook_secret") && p->webhook_secret[0] &&
        !wh_config_get(&wh_g.cfg, section, "webhook_secret_file"))
        return p->webhook_secret;
    return v;
}

static walor_plugin *ctx_plugin(walor_ctx *c) { return c->plugin; }
static int64_t ctx_user_id(walor_ctx *c) { return c->user_id; }
static int64_t ctx_chat_id(walor_ctx *c) { return c->chat_id; }
static uint32_t ctx_role(walor_ctx *c) { return c->role; }
static int64_t ctx_message_id(walor_ctx *c) { return c->message_id; }
static json_t *ctx_update(walor_ctx *c) { return c->update; }
static int64_t ctx_now(walor_ctx *c) { (void)c; return wh_now(); }

static void decref_cb(void *j) { json_decref(j); }

static json_t *user_get(walor_ctx *c, int64_t user_id)
{
    wh_rows *r = NULL;
    if (wh_db_query(c->w->db,
                    "SELECT id, username, first_name, last_name, language_code, registered_at, role, blocked, "
                    "start_payload FROM wh_users WHERE id = ?",
                    WALOR_ARGS(walor_i(user_id)), &r) < 0)
        return NULL;
    json_t *u = NULL;
    if (wh_rows_next(r) == 1) {
        uint32_t role = (uint32_t)wh_rows_int(r, 6);
        for (size_t i = 0; i < wh_g.nowners; i++)
            if (wh_g.owners[i] == user_id)
                role = WALOR_ROLE_OWNER;
        /* start_payload: what followed /start in the user's very first
         * message (a referral plugin binds only on that first start) */
        u = json_pack("{s:I, s:s?, s:s, s:s?, s:s?, s:I, s:i, s:b, s:s?}", "id", (json_int_t)wh_rows_int(r, 0),
                      "username", wh_rows_text(r, 1), "first_name", wh_rows_text(r, 2) ? wh_rows_text(r, 2) : "",
                      "last_name", wh_rows_text(r, 3), "language_code", wh_rows_text(r, 4), "registered_at",
                      (json_int_t)wh_rows_int(r, 5), "role", (int)role, "blocked", (int)wh_rows_int(r, 7),
                      "start_payload", wh_rows_text(r, 8));
    }
    wh_rows_close(r);
    if (u)
        wh_arena_defer(c->arena, decref_cb, u);
    else
        wh_error(WALOR_ENOTFOUND, "no user %lld", (long long)user_id);
    return u;
}

static int32_t action_log(walor_ctx *c, const char *what)
{
    if (!what || !*what)
        return wh_error(WALOR_EINVAL, "action log needs a description");
    int32_t rc = wh_db_exec(c->w->db, "INSERT INTO wh_action_log(user_id, plugin, what, at) VALUES (?, ?, ?, ?)",
                            WALOR_ARGS(walor_i(c->user_id), walor_s(c->plugin ? c->plugin->name : "core"),
                                       walor_s(what), walor_i(wh_now())));
    return rc < 0 ? rc : 0;
}

void wh_ctxapi_fill(walor_host_api *api)
{
    api->ctx_alloc = ctx_alloc;
    api->ctx_vprintf = ctx_vprintf;
    api->vlog = vlog;
    api->plugin_name = plugin_name;
    api->plugin_config = plugin_config;
    api->config_invalid = wh_check_plugin_value;
    api->ctx_plugin = ctx_plugin;
    api->ctx_user_id = ctx_user_id;
    api->ctx_chat_id = ctx_chat_id;
    api->ctx_role = ctx_role;
    api->ctx_message_id = ctx_message_id;
    api->ctx_update = ctx_update;
    api->now = ctx_now;
    api->user_get = user_get;
    api->action_log = action_log;
}
