/* The [load]-phase slots of the API table: validate what a plugin asks to
 * register and copy it into wh_reg. Every refusal says why in
 * walor_last_error(), because a plugin author reads it in the log. */
#include "register.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "registry.h"
#include "setting.h"

#define CHECK_PHASE(p)                                                                     \
    do {                                                                                   \
        if (!(p) || !(p)->loading)                                                         \
            return wh_error(WALOR_EPHASE, "registration is only allowed inside load()"); \
    } while (0)

#define CHECK_SIZE(d, T)                                                                   \
    do {                                                                                   \
        if (!(d) || (d)->struct_size < sizeof(uint32_t) || (d)->struct_size > sizeof(T))  \
            return wh_error(WALOR_EINVAL, #T ": bad struct_size");                        \
    } while (0)

/* A struct from a plugin built against an older SDK may be shorter: copy
 * what it has and leave the rest zero. */
#define COPY_DEF(dst, src) \
    do { memset(&(dst), 0, sizeof(dst)); memcpy(&(dst), (src), (src)->struct_size); } while (0)

static int role_ok(uint32_t r) { return r <= WALOR_ROLE_OWNER; }

static char *dupstr(const char *s) { return s ? strdup(s) : NULL; }

static char *prefixed(const wh_plugin *p, const char *name)
{
    size_t n = strlen(p->name) + 1 + strlen(name) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s.%s", p->name, name);
    return s;
}

static int32_t reg_command(walor_plugin *p, const walor_command_def *src)
{
    CHECK_PHASE(p);
    CHECK_SIZE(src, walor_command_def);
    walor_command_def d;
    COPY_DEF(d, src);
    if (!wh_name_ok(d.name, 32, NULL))
        return wh_error(WALOR_EINVAL, "command name must be [a-z0-9_]{1,32}: '%s'", d.name ? d.name : "");
    if (!d.handler || !role_ok(d.min_role) || (d.flags & ~WALOR_CMD_LISTED))
        return wh_error(WALOR_EINVAL, "command /%s: handler, min_role or flags invalid", d.name);
    if (d.description && strlen(d.description) > 256)
        return wh_error(WALOR_EINVAL, "command /%s: description over 256 bytes", d.name);
    if (wh_find_cmd(d.name))
        return wh_error(WALOR_EEXIST, "command /%s is already registered", d.name);
    wh_cmd *c = WH_PUSH(wh_reg.cmds);
    c->p = p;
    c->name = strdup(d.name);
    c->description = dupstr(d.description ? d.description : d.name);
    c->min_role = d.min_role;
    c->flags = d.flags;
    c->fn = d.handler;
    return 0;
}

static int prefix_ok(const char *s, int allow_upper)
{
    if (!s || !*s || strlen(s) > 16)
        return 0;
    if (!allow_upper && !(s[0] >= 'a' && s[0] <= 'z'))
        return 0; /* '_' and '~' starts are the host's own namespaces */
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              (allow_upper && *c >= 'A' && *c <= 'Z')))
            return 0;
    return 1;
}

static int32_t reg_deeplink(walor_plugin *p, const walor_deeplink_def *src)
{
    CHECK_PHASE(p);
    CHECK_SIZE(src, walor_deeplink_def);
    walor_deeplink_def d;
    COPY_DEF(d, src);
    if (!prefix_ok(d.prefix, 1) || !d.handler || !role_ok(d.min_role))
        return wh_error(WALOR_EINVAL, "deep link prefix must be [A-Za-z0-9_]{1,16} with a handler: '%s'",
                        d.prefix ? d.prefix : "");
    for (size_t i = 0; i < wh_reg.deeplinks.n; i++)
        if (strcmp(wh_reg.deeplinks.v[i].prefix, d.prefix) == 0)
            return wh_error(WALOR_EEXIST, "deep link prefix '%s' is already registered by %s", d.prefix,
                            wh_reg.deeplinks.v[i].p->name);
    wh_prefix_handler *h = WH_PUSH(wh_reg.deeplinks);
    h->p = p;
    h->prefix = strdup(d.prefix);
    h->min_role = d.min_role;
    h->fn = d.handler;
    return 0;
}

static int32_t reg_callback(walor_plugin *p, const walor_callback_def *src)
{
    CHECK_PHASE(p);
    CHECK_SIZE(src, walor_callback_def);
    walor_callback_def d;
    COPY_DEF(d, src);
    if (!prefix_ok(d.prefix, 0) || !d.handler || !role_ok(d.min_role))
        return wh_error(WALOR_EINVAL, "callback prefix must be [a-z][a-z0-9_]{0,15} with a handler: '%s'",
                        d.prefix ? d.prefix : "");
    const wh_prefix_handler *old = wh_find_callback(d.prefix, strlen(d.prefix));
    if (old || strcmp(d.prefix, "m") == 0)
        return wh_error(WALOR_EEXIST, "callback prefix '%s' is already taken%s%s", d.prefix,
                        old ? " by " : " by the host", old ? old->p->name : "");
    wh_prefix_handler *h = WH_PUSH(wh_reg.callbacks);
    h->p = p;
    h->prefix = strdup(d.prefix);
    h->min_role = d.min_role;
    h->fn = d.handler;
    return 0;
}

static int32_t reg_conversation(walor_plugin *p, const walor_conv_def *src)
{
    CHECK_PHASE(p);
    CHECK_SIZE(src, walor_conv_def);
    walor_conv_def d;
    COPY_DEF(d, src);
    if (!wh_name_ok(d.name, 32, NULL) || !d.states || d.nstates == 0 || d.nstates > 64 || !role_ok(d.min_role))
        return wh_error(WALOR_EINVAL, "conversation needs a [a-z0-9_] name and 1-64 states");
    char *full = prefixed(p, d.name);
    if (wh_find_conv(full)) {
        free(full);
        return wh_error(WALOR_EEXIST, "conversation %s.%s is already registered", p->name, d.name);
    }
    wh_conv_state_def *states = calloc(d.nstates, sizeof *states);
    for (uint32_t i = 0; i < d.nstates; i++) {
        const walor_conv_state *s = &d.states[i];
        if (s->struct_size < sizeof(uint32_t) || s->struct_size > sizeof(walor_conv_state) ||
            !wh_name_ok(s->name, 32, NULL)) {
            for (uint32_t j = 0; j < i; j++)
                free(states[j].name);
            free(states);
            free(full);
            return wh_error(WALOR_EINVAL, "conversation %s: state %u needs struct_size and a [a-z0-9_] name",
                            d.name, i);
        }
        walor_conv_state st;
        COPY_DEF(st, s);
        states[i].name = strdup(st.name);
        states[i].on_enter = st.on_enter;
        states[i].on_message = st.on_message;
        states[i].on_callback = st.on_callback;
    }
    wh_conv_def *c = WH_PUSH(wh_reg.convs);
    c->p = p;
    c->name = full;
    c->min_role = d.min_role;
    c->timeout_s = d.timeout_s ? d.timeout_s : 3600;
    c->states = states;
    c->nstates = d.nstates;
    return 0;
}

static int32_t reg_menu(walor_plugin *p, const walor_menu_def *src)
{
    CHECK_PHASE(p);
    CHECK_SIZE(src, walor_menu_def);
    walor_menu_def d;
    COPY_DEF(d, src);
    if (!wh_name_ok(d.id, 24, NULL) || !d.on_press || !role_ok(d.min_role) ||
        (d.where != WALOR_MENU_MAIN && d.where != WALOR_MENU_ADMIN) || !d.label || !*d.label)
        return wh_error(WALOR_EINVAL, "menu button needs an [a-z0-9_]{1,24} id, a label, on_press and where");
    char *full = prefixed(p, d.id);
    if (wh_find_menu(full)) {
        free(full);
        return wh_error(WALOR_EEXIST, "menu button %s.%s is already registered", p->name, d.id);
    }
    wh_menu *m = WH_PUSH(wh_reg.menus);
    m->p = p;
    m->id = full;
    m->label = strdup(d.label);
    m->where = d.where;
    m->min_role = d.min_role;
    m->order = d.order;
    m->seq = (int)wh_reg.menus.n;
    m->label_fn = d.label_fn;
    m->on_press = d.on_press;
    return 0;
}

static int32_t reg_setting(walor_plugin *p, const walor_setting_def *src)
{
    CHECK_PHASE(p);
    CHECK_SIZE(src, walor_setting_def);
    walor_setting_def d;
    COPY_DEF(d, src);
    if (!wh_name_ok(d.key, 48, ".") || d.type < WALOR_SET_INT || d.type > WALOR_SET_MONEY ||
        (d.flags & ~WALOR_SET_OWNER_EDITABLE) || !d.label)
        return wh_error(WALOR_EINVAL, "setting needs a [a-z0-9_.]{1,48} key, a known type, a label");
    /* the host's own settings live under "shop." so the owner sees one list */
    char *full = strcmp(p->name, "core") == 0 ? strdup(d.key) : prefixed(p, d.key);
    if (wh_find_setting(full)) {
        free(full);
        return wh_error(WALOR_EEXIST, "setting %s is already registered", d.key);
    }
    char out[64], why[256];
    if (d.default_value && d.type != WALOR_SET_TEXT &&
        wh_setting_normalize(&d, d.default_value, out, sizeof out, why, sizeof why) != 0) {
        free(full);
        return wh_error(WALOR_EINVAL, "setting %s: default '%s' is invalid: %s", d.key, d.default_value, why);
    }
    wh_setting *s = WH_PUSH(wh_reg.settings);
    s->p = p;
    s->key = full;
    s->def = d;
    s->def.key = strdup(d.key);
    s->def.label = strdup(d.label);
    s->def.default_value = strdup(d.default_value ? d.default_value : "");
    return 0;
}

static int32_t reg_text(walor_plugin *p, const char *key, const char *text)
{
    CHECK_PHASE(p);
    size_t pl = strlen(p->name);
    if (!key || !text || strncmp(key, p->name, pl) != 0 || key[pl] != '.' || !wh_name_ok(key + pl + 1, 64, ".-"))
        return wh_error(WALOR_EINVAL, "text key must be '%s.<key>' with [a-z0-9_.-]: '%s'", p->name,
                        key ? key : "");
    if (wh_find_text(key))
        return wh_error(WALOR_EEXIST, "text %s is already registered", key);
    wh_text *t = WH_PUSH(wh_reg.texts);
    t->key = strdup(key);
    t->default_text = strdup(text);
    return 0;
}

static int32_t reg_migration(walor_plugin *p, int32_t version, const char *sql)
{
    CHECK_PHASE(p);
    if (version < 1 || !sql || !*sql)
        return wh_error(WALOR_EINVAL, "migration version must be >= 1 with SQL");
    int32_t last = 0;
    for (size_t i = 0; i < wh_reg.migrations.n; i++)
        if (wh_reg.migrations.v[i].p == p)
            last = wh_reg.migrations.v[i].version;
    if (version != last + 1)
        return wh_error(WALOR_EINVAL, "migrations must be registered in order 1, 2, 3…: got %d after %d",
                        version, last);
    wh_plugin_migration *m = WH_PUSH(wh_reg.migrations);
    m->p = p;
    m->version = version;
    m->sql = strdup(sql);
    return 0;
}

static int32_t reg_admin_header(walor_plugin *p, walor_header_fn fn)
{
    CHECK_PHASE(p);
    if (!fn)
        return wh_error(WALOR_EINVAL, "admin header needs a function");
    wh_hook *h = WH_PUSH(wh_reg.headers);
    h->p = p;
    h->fn = (void *)fn;
    return 0;
}

static int32_t reg_wipe(walor_plugin *p, walor_wipe_fn fn)
{
    CHECK_PHASE(p);
    if (!fn)
        return wh_error(WALOR_EINVAL, "wipe hook needs a function");
    wh_hook *h = WH_PUSH(wh_reg.wipes);
    h->p = p;
    h->fn = (void *)fn;
    return 0;
}

void wh_register_fill(walor_host_api *api)
{
    api->reg_command = reg_command;
    api->reg_deeplink = reg_deeplink;
    api->reg_callback = reg_callback;
    api->reg_conversation = reg_conversation;
    api->reg_menu = reg_menu;
    api->reg_setting = reg_setting;
    api->reg_text = reg_text;
    api->reg_migration = reg_migration;
    api->reg_admin_header = reg_admin_header;
    api->reg_wipe = reg_wipe;
}
