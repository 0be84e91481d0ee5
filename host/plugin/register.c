/* The [load]-phase slots of the API table: validate what a plugin asks to
 * register and copy it into wh_reg. Every refusal says why in
 * walor_last_error(), because a plugin author reads it in the log. */
#include "register.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "host.h"
#include "registry.h"
#include "setting.h"
#include "steps.h"

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
        states[i].step = -1;
    }
    wh_conv_def *c = WH_PUSH(wh_reg.convs);
    c->p = p;
    c->name = full;
    c->min_role = d.min_role;
    c->timeout_s = d.timeout_s ? d.timeout_s : 3600;
    c->states = states;
    c->nstates = d.nstates;
    c->on_cancel = d.on_cancel;
    return 0;
}

/* ---- forms (SDK 1.3): the steps are checked and copied here, run by host/ui/steps.c ---- */

static int32_t step_bad(const char *form, uint32_t i, const char *why)
{
    return wh_error(WALOR_EINVAL, "form %s: step %u: %s", form, i, why);
}

static int32_t check_step(const char *form, uint32_t i, const walor_step_def *s)
{
    if (!wh_name_ok(s->key, 32, NULL) || s->key[0] == '_')
        return step_bad(form, i, "key must be [a-z0-9_]{1,32}, not starting with '_'");
    if (s->type < WALOR_STEP_INT || s->type > WALOR_STEP_CHOICE)
        return step_bad(form, i, "unknown type");
    if (s->flags & ~(WALOR_STEP_SKIP | WALOR_STEP_KEEP | WALOR_STEP_LOCATION | WALOR_STEP_FILE |
                     WALOR_STEP_AT_SUMMARY))
        return step_bad(form, i, "unknown flags");
    if ((s->flags & WALOR_STEP_LOCATION) && s->type != WALOR_STEP_STRING && s->type != WALOR_STEP_TEXT)
        return step_bad(form, i, "WALOR_STEP_LOCATION is for STRING and TEXT steps");
    if ((s->flags & WALOR_STEP_FILE) && s->type != WALOR_STEP_TEXT)
        return step_bad(form, i, "WALOR_STEP_FILE is for TEXT steps");
    if (!s->prompt && !s->prompt_fn)
        return step_bad(form, i, "needs a prompt or prompt_fn");
    if (s->min > s->max)
        return step_bad(form, i, "min is above max");
    if (s->nchoices > 24 || (s->nchoices && !s->choices))
        return step_bad(form, i, "at most 24 choices, in .choices");
    if (s->type == WALOR_STEP_CHOICE && !s->nchoices && !s->choices_fn)
        return step_bad(form, i, "a CHOICE step needs choices or choices_fn");
    for (uint32_t k = 0; k < s->nchoices; k++)
        if (!s->choices[k].value || !*s->choices[k].value || !s->choices[k].label || !*s->choices[k].label)
            return step_bad(form, i, "every choice needs a value and a label");
    return 0;
}

static void free_steps(walor_step_def *st, uint32_t n)
{
    for (uint32_t i = 0; st && i < n; i++) {
        free((char *)st[i].key);
        free((char *)st[i].prompt);
        free((char *)st[i].label);
        free((char *)st[i].error);
        free((char *)st[i].skip_label);
        free((char *)st[i].keep_label);
        for (uint32_t k = 0; k < st[i].nchoices; k++) {
            free((char *)st[i].choices[k].value);
            free((char *)st[i].choices[k].label);
        }
        free((void *)st[i].choices);
    }
    free(st);
}

void wh_form_free(wh_form *f)
{
    if (!f)
        return;
    free_steps(f->steps, f->nsteps);
    free(f->summary);
    free(f->done_label);
    free(f);
}

/* the plugin's step array, walked by its own struct size, as host copies */
static int32_t copy_steps(const char *form, const walor_step_def *src, uint32_t n, walor_step_def **out)
{
    uint32_t stride = src[0].struct_size;
    if (stride < offsetof(walor_step_def, validate) || stride > sizeof(walor_step_def))
        return wh_error(WALOR_EINVAL, "form %s: walor_step_def has a bad struct_size", form);
    walor_step_def *st = calloc(n, sizeof *st);
    for (uint32_t i = 0; i < n; i++) {
        const walor_step_def *s = (const walor_step_def *)(const void *)((const char *)src + (size_t)i * stride);
        memcpy(&st[i], s, stride);
        int32_t rc = s->struct_size != stride ? step_bad(form, i, "struct_size differs from step 0's")
                                              : check_step(form, i, &st[i]);
        for (uint32_t k = 0; rc == 0 && k < i; k++)
            if (!strcmp(st[k].key, st[i].key))
                rc = step_bad(form, i, "key is used by an earlier step");
        if (rc) {
            memset(&st[i], 0, sizeof st[i]);
            free_steps(st, i);
            return rc;
        }
        st[i].struct_size = sizeof st[i];
        st[i].key = strdup(s->key);
        st[i].prompt = dupstr(s->prompt);
        st[i].label = dupstr(s->label);
        st[i].error = dupstr(s->error);
        st[i].skip_label = dupstr(st[i].skip_label); /* memcpy'd above when the plugin's struct has them */
        st[i].keep_label = dupstr(st[i].keep_label);
        if (s->nchoices) {
            walor_step_choice *ch = calloc(s->nchoices, sizeof *ch);
            for (uint32_t k = 0; k < s->nchoices; k++) {
                ch[k].value = strdup(s->choices[k].value);
                ch[k].label = strdup(s->choices[k].label);
            }
            st[i].choices = ch;
        }
    }
    *out = st;
    return 0;
}

static struct {
    walor_ctx_fn enter;
    walor_handler_fn message, callback;
} form_runner;

void wh_register_form_runner(walor_ctx_fn enter, walor_handler_fn message, walor_handler_fn callback)
{
    form_runner.enter = enter;
    form_runner.message = message;
    form_runner.callback = callback;
}

static int32_t reg_form(walor_plugin *p, const walor_form_def *src)
{
    CHECK_PHASE(p);
    if (!form_runner.enter)
        return wh_error(WALOR_EPHASE, "forms are not available before the API table is built");
    CHECK_SIZE(src, walor_form_def);
    walor_form_def d;
    COPY_DEF(d, src);
    if (!wh_name_ok(d.name, 32, NULL) || !d.steps || d.nsteps == 0 || d.nsteps > 32 || !d.on_done ||
        !role_ok(d.min_role))
        return wh_error(WALOR_EINVAL, "form needs a [a-z0-9_] name, 1-32 steps and on_done");
    char *full = prefixed(p, d.name);
    if (wh_find_conv(full)) {
        free(full);
        return wh_error(WALOR_EEXIST, "conversation %s.%s is already registered", p->name, d.name);
    }
    wh_form *f = calloc(1, sizeof *f);
    int32_t rc = copy_steps(d.name, d.steps, d.nsteps, &f->steps);
    if (rc) {
        free(f);
        free(full);
        return rc;
    }
    f->nsteps = d.nsteps;
    f->summary = dupstr(d.summary);
    f->done_label = dupstr(d.done_label);
    f->summary_fn = d.summary_fn;
    f->on_done = d.on_done;
    /* one state a step, named by its key, and the summary after them */
    size_t n = d.nsteps + ((d.summary || d.summary_fn) ? 1 : 0);
    wh_conv_state_def *states = calloc(n, sizeof *states);
    for (size_t i = 0; i < n; i++) {
        states[i].name = strdup(i < d.nsteps ? f->steps[i].key : WH_FORM_SUMMARY_STATE);
        states[i].on_enter = form_runner.enter;
        states[i].on_message = form_runner.message;
        states[i].on_callback = form_runner.callback;
        states[i].step = i < d.nsteps ? (int32_t)i : -1;
    }
    wh_conv_def *c = WH_PUSH(wh_reg.convs);
    c->p = p;
    c->name = full;
    c->min_role = d.min_role;
    c->timeout_s = d.timeout_s ? d.timeout_s : 3600;
    c->states = states;
    c->nstates = n;
    c->on_cancel = d.on_cancel;
    c->form = f;
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
    /* the host's own navigation row is the one group a plugin cannot take */
    if (d.group > WALOR_MENU_GROUP_SYSTEM && !(d.group == WH_MENU_GROUP_NAV && strcmp(p->name, "core") == 0))
        return wh_error(WALOR_EINVAL, "menu button %s: unknown group %u", d.id, d.group);
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
    m->group = d.group;
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

static int32_t reg_texts(walor_plugin *p, const walor_text_pair *table, uint32_t n)
{
    CHECK_PHASE(p);
    if (n && !table)
        return wh_error(WALOR_EINVAL, "texts: no table");
    size_t pl = strlen(p->name);
    /* all checked first, so a bad row registers none of them */
    for (uint32_t i = 0; i < n; i++) {
        const char *key = table[i][0], *text = table[i][1];
        if (!key || !text || strncmp(key, p->name, pl) != 0 || key[pl] != '.' || !wh_name_ok(key + pl + 1, 64, ".-"))
            return wh_error(WALOR_EINVAL, "texts[%u]: key must be '%s.<key>' with [a-z0-9_.-] and a text: '%s'", i,
                            p->name, key ? key : "");
        if (wh_find_text(key))
            return wh_error(WALOR_EEXIST, "texts[%u]: text %s is already registered", i, key);
        for (uint32_t k = 0; k < i; k++)
            if (!strcmp(table[k][0], key))
                return wh_error(WALOR_EEXIST, "texts[%u]: %s is twice in the table", i, key);
    }
    for (uint32_t i = 0; i < n; i++) {
        wh_text *t = WH_PUSH(wh_reg.texts);
        t->key = strdup(table[i][0]);
        t->default_text = strdup(table[i][1]);
    }
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

static int32_t db_dialect(walor_plugin *p)
{
    (void)p;
    return wh_db_is_conninfo(wh_g.cfg.db) ? WALOR_DB_POSTGRESQL : WALOR_DB_SQLITE;
}

/* the text of the engine this walord runs on is the one registered */
static int32_t reg_migration_v2(walor_plugin *p, int32_t version, const char *sqlite_sql, const char *pg_sql)
{
    const char *sql = db_dialect(p) == WALOR_DB_POSTGRESQL ? (pg_sql ? pg_sql : sqlite_sql)
                                                           : (sqlite_sql ? sqlite_sql : pg_sql);
    return reg_migration(p, version, sql);
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
    api->reg_migration_v2 = reg_migration_v2;
    api->db_dialect = db_dialect;
    api->reg_admin_header = reg_admin_header;
    api->reg_wipe = reg_wipe;
    api->reg_texts = reg_texts;
    api->reg_form = reg_form;
}
