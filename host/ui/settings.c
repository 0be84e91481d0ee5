#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_slots.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "money.h"
#include "setting.h"
#include "utf8.h"

static const char *ini_value(const wh_setting *s)
{
    char section[96];
    /* the host's own settings are under [shop] in the ini files */
    if (strcmp(s->p->name, "core") == 0)
        snprintf(section, sizeof section, "shop");
    else
        snprintf(section, sizeof section, "plugin.%s", s->p->name);
    const char *k = strcmp(s->p->name, "core") == 0 && strncmp(s->def.key, "shop.", 5) == 0 ? s->def.key + 5
                                                                                              : s->def.key;
    return wh_config_get(&wh_g.cfg, section, k);
}

static const char *bool01(const wh_setting *s, const char *v)
{
    /* stored as the normalizer writes it; read as 0/1 as the SDK promises */
    if (s->def.type == WALOR_SET_BOOL && v)
        return strcmp(v, "yes") == 0 || strcmp(v, "1") == 0 ? "1" : "0";
    return v;
}

const char *wh_setting_value(walor_ctx *c, const wh_setting *s, int *from_db)
{
    if (from_db)
        *from_db = 0;
    wh_rows *r = NULL;
    if (wh_db_query(c->w->db, "SELECT value FROM wh_settings WHERE key = ?", WALOR_ARGS(walor_s(s->key)), &r) == 0) {
        const char *v = NULL;
        if (wh_rows_next(r) == 1)
            v = wh_arena_strdup(c->arena, wh_rows_text(r, 0) ? wh_rows_text(r, 0) : "");
        wh_rows_close(r);
        if (v) {
            if (from_db)
                *from_db = 1;
            return bool01(s, v);
        }
    }
    const char *raw = ini_value(s);
    if (!raw)
        raw = s->def.default_value;
    if (s->def.type == WALOR_SET_TEXT || s->def.type == WALOR_SET_STRING)
        return wh_arena_strdup(c->arena, raw);
    /* defaults and ini values are typed like the owner types them */
    char out[64], why[256];
    if (wh_setting_normalize(&s->def, raw, out, sizeof out, why, sizeof why) != 0) {
        wh_logf(WH_LOG_WARN, "settings", "%s: configured value '%s' is invalid (%s), using the default", s->key, raw,
                why);
        if (wh_setting_normalize(&s->def, s->def.default_value, out, sizeof out, why, sizeof why) != 0)
            return wh_arena_strdup(c->arena, "");
    }
    return bool01(s, wh_arena_strdup(c->arena, out));
}

int32_t wh_setting_store(walor_ctx *c, const wh_setting *s, const char *value)
{
    size_t cap = strlen(value ? value : "") + 64;
    char *out = wh_arena_alloc(c->arena, cap);
    char why[256];
    if (!value || wh_setting_normalize(&s->def, value, out, cap, why, sizeof why) != 0)
        return wh_error(WALOR_EINVAL, "%s", value ? why : "Пустое значение");
    if (s->def.validate) {
        const char *pwhy = NULL;
        walor_plugin *saved = c->plugin;
        c->plugin = s->p;
        int32_t rc = s->def.validate(c, out, &pwhy);
        c->plugin = saved;
        if (rc != 0)
            return wh_error(WALOR_EINVAL, "%s", pwhy ? pwhy : "Недопустимое значение");
    }
    int32_t rc = wh_db_exec(c->w->db,
                            "INSERT INTO wh_settings(key, value, updated_by, updated_at) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, "
                            "updated_at = excluded.updated_at",
                            WALOR_ARGS(walor_s(s->key), walor_s(out), walor_i(c->user_id), walor_i(wh_now())));
    return rc < 0 ? rc : 0;
}

const char *wh_setting_display(walor_ctx *c, const wh_setting *s)
{
    const char *v = wh_setting_value(c, s, NULL);
    if (!v)
        return "";
    switch (s->def.type) {
    case WALOR_SET_BOOL:
        return strcmp(v, "1") == 0 ? "да" : "нет";
    case WALOR_SET_MONEY: {
        char buf[64];
        wh_money_format(buf, sizeof buf, strtoll(v, NULL, 10));
        return wh_arena_strdup(c->arena, buf);
    }
    default:
        if (!*v)
            return "—";
        if (strlen(v) > 40) {
            size_t n = wh_utf8_prefix(v, 40);
            return wh_arena_printf(c->arena, "%.*s…", (int)n, v);
        }
        return v;
    }
}

static const wh_setting *lookup(walor_ctx *c, const char *key)
{
    const wh_setting *s = key ? wh_find_setting(key) : NULL;
    /* a plugin may name its own settings without its prefix */
    if (!s && key && c->plugin) {
        char full[128];
        snprintf(full, sizeof full, "%s.%s", c->plugin->name, key);
        s = wh_find_setting(full);
    }
    return s;
}

static int32_t setting_int(walor_ctx *c, const char *key, int64_t *out)
{
    const wh_setting *s = lookup(c, key);
    if (!s)
        return wh_error(WALOR_ENOTFOUND, "no setting %s", key ? key : "");
    if (s->def.type != WALOR_SET_INT && s->def.type != WALOR_SET_BOOL && s->def.type != WALOR_SET_MONEY)
        return wh_error(WALOR_EINVAL, "setting %s is not a number", s->key);
    const char *v = wh_setting_value(c, s, NULL);
    *out = v ? strtoll(v, NULL, 10) : 0;
    return 0;
}

static const char *setting_str(walor_ctx *c, const char *key)
{
    const wh_setting *s = lookup(c, key);
    if (!s) {
        wh_error(WALOR_ENOTFOUND, "no setting %s", key ? key : "");
        return NULL;
    }
    return wh_setting_value(c, s, NULL);
}

static int32_t setting_set(walor_ctx *c, const char *key, const char *value)
{
    const wh_setting *s = lookup(c, key);
    if (!s)
        return wh_error(WALOR_ENOTFOUND, "no setting %s", key ? key : "");
    return wh_setting_store(c, s, value);
}

void wh_settings_fill(walor_host_api *api)
{
    api->setting_int = setting_int;
    api->setting_str = setting_str;
    api->setting_set = setting_set;
}
