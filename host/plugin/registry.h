/* Everything plugins registered during load(): commands, deep links,
 * callback prefixes, conversations, menus, settings, texts, migrations.
 *
 * Registration happens on the main thread before any worker starts, and
 * the tables are read-only afterwards, so lookups need no locks. The host's
 * own screens (start, menus, admin, settings editor, staff) are registered
 * the same way by a built-in plugin named "core". */
#ifndef WH_REGISTRY_H
#define WH_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <walor/plugin.h>

/* second member of every host handle, so vlog() can tell what it got */
#define WH_KIND_PLUGIN 0x706c7567u
#define WH_KIND_CTX 0x63747821u

struct walor_plugin {
    walor_handle head;
    uint32_t kind;
    const walor_plugin_desc *desc;
    void *dl;              /* NULL for the built-in core */
    char *name;
    char *path;
    int index;             /* load order */
    int loading;           /* registration allowed only while 1 */
    int dead;              /* refused after registering: modules skip its entries */
    char webhook_secret[33]; /* derived from [walor] webhook_secret (config.h); "" without it */
};
typedef struct walor_plugin wh_plugin;

typedef struct wh_cmd {
    wh_plugin *p;
    char *name;
    char *description;
    uint32_t min_role;
    uint32_t flags;
    walor_handler_fn fn;
} wh_cmd;

typedef struct wh_prefix_handler {  /* deep links and callback prefixes */
    wh_plugin *p;
    char *prefix;
    uint32_t min_role;
    walor_handler_fn fn;
} wh_prefix_handler;

typedef struct wh_conv_state_def {
    char *name;
    walor_ctx_fn on_enter;
    walor_handler_fn on_message;
    walor_handler_fn on_callback;
    int32_t step;          /* a form's step: index into form->steps; -1 for its summary and plain states */
} wh_conv_state_def;

/* a form (walor_form_def): the steps and hooks the host runs (host/ui/steps.c) */
typedef struct wh_form {
    walor_step_def *steps; /* copies at the host's size; strings and choices owned */
    uint32_t nsteps;
    char *summary;         /* text key or NULL */
    const char *(*summary_fn)(walor_ctx *c, json_t *data);
    int32_t (*on_done)(walor_ctx *c, json_t *data);
    char *done_label;      /* text key, text or NULL */
} wh_form;

typedef struct wh_conv_def {
    wh_plugin *p;
    char *name;            /* "<plugin>.<name>" */
    uint32_t min_role;
    uint32_t timeout_s;
    wh_conv_state_def *states;
    size_t nstates;
    walor_ctx_fn on_cancel;
    wh_form *form;         /* NULL for a conversation of the plugin's own states */
} wh_conv_def;

typedef struct wh_menu {
    wh_plugin *p;
    char *id;              /* "<plugin>.<id>" */
    char *label;
    uint32_t where;
    uint32_t min_role;
    int32_t order;
    uint32_t group;        /* WALOR_MENU_GROUP_*, or WH_MENU_GROUP_NAV */
    int seq;               /* registration order, breaks ties */
    const char *(*label_fn)(walor_ctx *c);
    walor_ctx_fn on_press;
} wh_menu;

typedef struct wh_setting {
    wh_plugin *p;
    char *key;             /* "<plugin>.<key>" */
    walor_setting_def def; /* strings below are owned copies */
} wh_setting;

typedef struct wh_text {
    char *key;
    char *default_text;
    char *override;        /* from conf.d/texts, NULL if none */
} wh_text;

typedef struct wh_plugin_migration {
    wh_plugin *p;
    int32_t version;
    char *sql;
} wh_plugin_migration;

typedef struct wh_hook {
    wh_plugin *p;
    void *fn;
} wh_hook;

/* the host's own admin navigation ("🏠 Главное меню"): alone on the last rows */
#define WH_MENU_GROUP_NAV 100u

#define WH_VEC(T) struct { T *v; size_t n, cap; }

typedef struct wh_registry {
    /* the table every plugin handle and callback context carries; set once
     * at start by whoever builds it (core/api.c, the one place that knows
     * every module), before anything registers */
    const walor_host_api *api;
    WH_VEC(wh_plugin *) plugins;
    WH_VEC(wh_cmd) cmds;
    WH_VEC(wh_prefix_handler) deeplinks;
    WH_VEC(wh_prefix_handler) callbacks;
    WH_VEC(wh_conv_def) convs;
    WH_VEC(wh_menu) menus;
    WH_VEC(wh_setting) settings;
    WH_VEC(wh_text) texts;
    WH_VEC(wh_plugin_migration) migrations;
    WH_VEC(wh_hook) headers;
    WH_VEC(wh_hook) wipes;
} wh_registry;

extern wh_registry wh_reg;

/* grows a WH_VEC by one zeroed element and returns it; aborts on OOM
 * (registration happens at start, where there is nothing to save) */
void *wh_vec_push(void *vec, size_t elem_size);
#define WH_PUSH(vec) ((__typeof__((vec).v))wh_vec_push(&(vec), sizeof *(vec).v))

wh_plugin *wh_plugin_new(const char *name, const walor_plugin_desc *desc, void *dl, const char *path);
void wh_registry_free(void);
void wh_form_free(wh_form *f); /* register.c, which makes them */
void wh_conv_def_free(wh_conv_def *d); /* its states, name and form */

/* lookups (read-only after start) */
const wh_cmd *wh_find_cmd(const char *name);
const wh_prefix_handler *wh_find_deeplink(const char *payload);   /* longest prefix */
const wh_prefix_handler *wh_find_callback(const char *prefix, size_t len);
const wh_conv_def *wh_find_conv(const char *full_name);
const wh_conv_state_def *wh_conv_state(const wh_conv_def *d, const char *state);
const wh_menu *wh_find_menu(const char *full_id);
const wh_setting *wh_find_setting(const char *key);
wh_text *wh_find_text(const char *key);
wh_plugin *wh_find_plugin(const char *name);

/* validation shared by the registration slots */
int wh_name_ok(const char *s, size_t maxlen, const char *extra_chars);

#endif
