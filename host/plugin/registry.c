#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

wh_registry wh_reg;

void *wh_vec_push(void *vec, size_t elem_size)
{
    struct { char *v; size_t n, cap; } *g = vec;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        char *nv = realloc(g->v, cap * elem_size);
        if (!nv) {
            fputs("walord: out of memory during registration\n", stderr);
            abort();
        }
        g->v = nv;
        g->cap = cap;
    }
    char *e = g->v + g->n * elem_size;
    memset(e, 0, elem_size);
    g->n++;
    return e;
}

wh_plugin *wh_plugin_new(const char *name, const walor_plugin_desc *desc, void *dl, const char *path)
{
    wh_plugin *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->head.api = wh_reg.api;
    p->kind = WH_KIND_PLUGIN;
    p->desc = desc;
    p->dl = dl;
    p->name = strdup(name);
    p->path = path ? strdup(path) : NULL;
    p->index = (int)wh_reg.plugins.n;
    wh_config_derive_secret(&wh_g.cfg, name, p->webhook_secret);
    *WH_PUSH(wh_reg.plugins) = p;
    return p;
}

int wh_name_ok(const char *s, size_t maxlen, const char *extra)
{
    if (!s || !*s || strlen(s) > maxlen)
        return 0;
    for (const char *c = s; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')
            continue;
        if (extra && strchr(extra, *c))
            continue;
        return 0;
    }
    return 1;
}

const wh_cmd *wh_find_cmd(const char *name)
{
    for (size_t i = 0; i < wh_reg.cmds.n; i++)
        if (strcmp(wh_reg.cmds.v[i].name, name) == 0)
            return &wh_reg.cmds.v[i];
    return NULL;
}

const wh_prefix_handler *wh_find_deeplink(const char *payload)
{
    const wh_prefix_handler *best = NULL;
    size_t bestlen = 0;
    for (size_t i = 0; i < wh_reg.deeplinks.n; i++) {
        size_t l = strlen(wh_reg.deeplinks.v[i].prefix);
        if (l > bestlen && strncmp(payload, wh_reg.deeplinks.v[i].prefix, l) == 0) {
            best = &wh_reg.deeplinks.v[i];
            bestlen = l;
        }
    }
    return best;
}

const wh_prefix_handler *wh_find_callback(const char *prefix, size_t len)
{
    for (size_t i = 0; i < wh_reg.callbacks.n; i++) {
        const char *p = wh_reg.callbacks.v[i].prefix;
        if (strlen(p) == len && memcmp(p, prefix, len) == 0)
            return &wh_reg.callbacks.v[i];
    }
    return NULL;
}

const wh_conv_def *wh_find_conv(const char *full)
{
    for (size_t i = 0; i < wh_reg.convs.n; i++)
        if (strcmp(wh_reg.convs.v[i].name, full) == 0)
            return &wh_reg.convs.v[i];
    return NULL;
}

const wh_conv_state_def *wh_conv_state(const wh_conv_def *d, const char *state)
{
    if (!d)
        return NULL;
    if (!state)
        return d->nstates ? &d->states[0] : NULL;
    for (size_t i = 0; i < d->nstates; i++)
        if (strcmp(d->states[i].name, state) == 0)
            return &d->states[i];
    return NULL;
}

const wh_menu *wh_find_menu(const char *full_id)
{
    for (size_t i = 0; i < wh_reg.menus.n; i++)
        if (strcmp(wh_reg.menus.v[i].id, full_id) == 0)
            return &wh_reg.menus.v[i];
    return NULL;
}

const wh_setting *wh_find_setting(const char *key)
{
    for (size_t i = 0; i < wh_reg.settings.n; i++)
        if (strcmp(wh_reg.settings.v[i].key, key) == 0)
            return &wh_reg.settings.v[i];
    return NULL;
}

wh_text *wh_find_text(const char *key)
{
    for (size_t i = 0; i < wh_reg.texts.n; i++)
        if (strcmp(wh_reg.texts.v[i].key, key) == 0)
            return &wh_reg.texts.v[i];
    return NULL;
}

wh_plugin *wh_find_plugin(const char *name)
{
    for (size_t i = 0; i < wh_reg.plugins.n; i++)
        if (strcmp(wh_reg.plugins.v[i]->name, name) == 0)
            return wh_reg.plugins.v[i];
    return NULL;
}

void wh_conv_def_free(wh_conv_def *d)
{
    for (size_t j = 0; j < d->nstates; j++)
        free(d->states[j].name);
    free(d->states);
    free(d->name);
    wh_form_free(d->form);
}

void wh_registry_free(void)
{
    for (size_t i = 0; i < wh_reg.cmds.n; i++) {
        free(wh_reg.cmds.v[i].name);
        free(wh_reg.cmds.v[i].description);
    }
    for (size_t i = 0; i < wh_reg.deeplinks.n; i++)
        free(wh_reg.deeplinks.v[i].prefix);
    for (size_t i = 0; i < wh_reg.callbacks.n; i++)
        free(wh_reg.callbacks.v[i].prefix);
    for (size_t i = 0; i < wh_reg.convs.n; i++)
        wh_conv_def_free(&wh_reg.convs.v[i]);
    for (size_t i = 0; i < wh_reg.menus.n; i++) {
        free(wh_reg.menus.v[i].id);
        free(wh_reg.menus.v[i].label);
    }
    for (size_t i = 0; i < wh_reg.settings.n; i++) {
        wh_setting *s = &wh_reg.settings.v[i];
        free(s->key);
        free((char *)s->def.key);
        free((char *)s->def.label);
        free((char *)s->def.default_value);
    }
    for (size_t i = 0; i < wh_reg.texts.n; i++) {
        free(wh_reg.texts.v[i].key);
        free(wh_reg.texts.v[i].default_text);
        free(wh_reg.texts.v[i].override);
    }
    for (size_t i = 0; i < wh_reg.migrations.n; i++)
        free(wh_reg.migrations.v[i].sql);
    for (size_t i = 0; i < wh_reg.plugins.n; i++) {
        free(wh_reg.plugins.v[i]->name);
        free(wh_reg.plugins.v[i]->path);
        free(wh_reg.plugins.v[i]);
    }
    free(wh_reg.plugins.v);
    free(wh_reg.cmds.v);
    free(wh_reg.deeplinks.v);
    free(wh_reg.callbacks.v);
    free(wh_reg.convs.v);
    free(wh_reg.menus.v);
    free(wh_reg.settings.v);
    free(wh_reg.texts.v);
    free(wh_reg.migrations.v);
    free(wh_reg.headers.v);
    free(wh_reg.wipes.v);
    const walor_host_api *api = wh_reg.api; /* the table outlives the registrations */
    memset(&wh_reg, 0, sizeof wh_reg);
    wh_reg.api = api;
}
