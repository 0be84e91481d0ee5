#include "loader.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "error.h"
#include "log.h"
#include "registry.h"

typedef struct cand {
    char *file;            /* name as configured */
    char *path;
    void *dl;
    const walor_plugin_desc *d;
    int state;             /* 0 pending, 1 loaded, -1 refused */
} cand;

static void refuse(cand *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(cand *c, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    wh_logf(WH_LOG_ERROR, "loader", "plugin %s refused: %s", c->file, why);
    wh_check_refused(c->file, why);
    c->state = -1;
}

int wh_check_desc(const walor_plugin_desc *d, char *why, size_t n)
{
    if (!d)
        return snprintf(why, n, "walor_plugin_entry() returned NULL"), -1;
    if (d->magic != WALOR_PLUGIN_MAGIC)
        return snprintf(why, n, "wrong magic 0x%08x (not built with the Walor SDK)", d->magic), -1;
    if (d->struct_size < offsetof(walor_plugin_desc, unload))
        return snprintf(why, n, "descriptor too small (%u bytes)", d->struct_size), -1;
    if (d->sdk_major != WALOR_SDK_MAJOR)
        return snprintf(why, n, "built for SDK %u.x, this host speaks SDK %d.x", d->sdk_major, WALOR_SDK_MAJOR), -1;
    if (d->min_host_minor > WALOR_SDK_MINOR)
        return snprintf(why, n, "needs host SDK %d.%u or newer, this host is %d.%d", WALOR_SDK_MAJOR,
                        d->min_host_minor, WALOR_SDK_MAJOR, WALOR_SDK_MINOR),
               -1;
    if (!d->name || !wh_name_ok(d->name, 32, "-"))
        return snprintf(why, n, "plugin name must be [a-z0-9_-]{1,32}"), -1;
    if (strcmp(d->name, "core") == 0)
        return snprintf(why, n, "the name 'core' is the host's"), -1;
    if (!d->load)
        return snprintf(why, n, "no load() function"), -1;
    return 0;
}

/* removes everything plugin p registered, after its load() failed */
static void drop_registrations(wh_plugin *p)
{
#define DROP(vec, freeit)                                 \
    do {                                                  \
        size_t j = 0;                                     \
        for (size_t i = 0; i < (vec).n; i++) {            \
            if ((vec).v[i].p == p) {                      \
                __typeof__(&(vec).v[i]) e = &(vec).v[i];  \
                freeit;                                   \
                (void)e;                                  \
            } else {                                      \
                (vec).v[j++] = (vec).v[i];                \
            }                                             \
        }                                                 \
        (vec).n = j;                                      \
    } while (0)
    DROP(wh_reg.cmds, (free(e->name), free(e->description)));
    DROP(wh_reg.deeplinks, free(e->prefix));
    DROP(wh_reg.callbacks, free(e->prefix));
    DROP(wh_reg.convs, wh_conv_def_free(e));
    DROP(wh_reg.menus, (free(e->id), free(e->label)));
    DROP(wh_reg.settings, (free(e->key), free((char *)e->def.key), free((char *)e->def.label),
                           free((char *)e->def.default_value)));
    DROP(wh_reg.migrations, free(e->sql));
    DROP(wh_reg.headers, (void)0);
    DROP(wh_reg.wipes, (void)0);
#undef DROP
    /* texts have no owner field: they are keyed "<plugin>." */
    size_t pl = strlen(p->name), j = 0;
    for (size_t i = 0; i < wh_reg.texts.n; i++) {
        wh_text *t = &wh_reg.texts.v[i];
        if (strncmp(t->key, p->name, pl) == 0 && t->key[pl] == '.') {
            free(t->key);
            free(t->default_text);
            free(t->override);
        } else {
            wh_reg.texts.v[j++] = *t;
        }
    }
    wh_reg.texts.n = j;
    /* the plugin object itself stays in the list, marked dead, so that
     * indexes stay stable; it is freed with the registry */
    p->loading = 0;
    p->dead = 1;
}

static int32_t migrate(wh_plugin *p, wh_db *db)
{
    size_t n = 0;
    for (size_t i = 0; i < wh_reg.migrations.n; i++)
        if (wh_reg.migrations.v[i].p == p)
            n++;
    if (!n)
        return 0;
    wh_migration *list = calloc(n, sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < wh_reg.migrations.n; i++)
        if (wh_reg.migrations.v[i].p == p)
            list[k++] = (wh_migration){wh_reg.migrations.v[i].version, wh_reg.migrations.v[i].sql};
    int32_t rc = wh_db_migrate(db, p->name, list, n);
    free(list);
    return rc;
}

static cand *find_loaded_name(cand *cs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (cs[i].state != -1 && cs[i].d && strcmp(cs[i].d->name, name) == 0)
            return &cs[i];
    return NULL;
}

/* 1 when every requirement of c is loaded, 0 if one is still pending, -1 if one can never be */
static int requirements(cand *cs, size_t n, cand *c, char *missing, size_t mlen)
{
    if (!c->d->requires)
        return 1;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", c->d->requires);
    int result = 1;
    for (char *save = NULL, *tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
        cand *dep = find_loaded_name(cs, n, tok);
        if (!dep || dep == c) {
            snprintf(missing, mlen, "%s", tok);
            return -1;
        }
        if (dep->state == 0)
            result = 0;
    }
    return result;
}

void wh_loader_refuse(wh_plugin *p, const char *why)
{
    wh_logf(WH_LOG_ERROR, "loader", "plugin %s refused: %s", p->name, why);
    wh_check_refused(p->name, why);
    drop_registrations(p);
    p->desc = NULL; /* never unload() it; its code stays mapped until exit */
}

size_t wh_load_plugins(const char *dir, char *const *names, size_t n, wh_db *db)
{
    cand *cs = calloc(n ? n : 1, sizeof *cs);
    char why[512];
    for (size_t i = 0; i < n; i++) {
        cand *c = &cs[i];
        c->file = names[i];
        if (!wh_name_ok(names[i], 32, "-")) {
            refuse(c, "bad plugin name in the config");
            continue;
        }
        size_t plen = strlen(dir) + strlen(names[i]) + 8;
        c->path = malloc(plen);
        snprintf(c->path, plen, "%s/%s.so", dir, names[i]);
        if (access(c->path, R_OK) != 0) {
            refuse(c, "no file %s", c->path);
            continue;
        }
        c->dl = dlopen(c->path, RTLD_NOW | RTLD_LOCAL);
        if (!c->dl) {
            refuse(c, "dlopen failed: %s", dlerror());
            continue;
        }
        walor_plugin_entry_fn entry;
        *(void **)&entry = dlsym(c->dl, WALOR_PLUGIN_ENTRY_SYMBOL);
        if (!entry) {
            refuse(c, "no %s symbol: not a Walor plugin", WALOR_PLUGIN_ENTRY_SYMBOL);
            continue;
        }
        c->d = entry();
        if (wh_check_desc(c->d, why, sizeof why) != 0) {
            c->d = NULL;
            refuse(c, "%s", why);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (cs[j].state != -1 && cs[j].d && strcmp(cs[j].d->name, c->d->name) == 0) {
                refuse(c, "duplicate plugin name '%s' (already provided by %s)", c->d->name, cs[j].file);
                break;
            }
    }
    /* load in rounds: each round loads whatever has all its requirements */
    size_t loaded = 0;
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t i = 0; i < n; i++) {
            cand *c = &cs[i];
            if (c->state != 0 || !c->d)
                continue;
            char missing[64];
            int r = requirements(cs, n, c, missing, sizeof missing);
            if (r < 0) {
                refuse(c, "requires plugin '%s', which is not loaded", missing);
                progress = 1;
                continue;
            }
            if (r == 0)
                continue;
            wh_plugin *p = wh_plugin_new(c->d->name, c->d, c->dl, c->path);
            p->loading = 1;
            wh_clear_error();
            int32_t rc = c->d->load(p);
            p->loading = 0;
            if (rc == 0 && db) /* no database: --check-config only runs load() */
                rc = migrate(p, db);
            if (rc != 0) {
                refuse(c, "load failed: %s (%s)", wh_strerror(rc), wh_last_error());
                drop_registrations(p);
                p->desc = NULL; /* never unload() a plugin that did not load */
            } else {
                c->state = 1;
                c->dl = NULL; /* owned by the plugin object now */
                loaded++;
                wh_logf(WH_LOG_INFO, "loader", "plugin %s %s loaded (SDK %u.%u)", p->name,
                        c->d->version ? c->d->version : "?", c->d->sdk_major, c->d->sdk_minor);
            }
            progress = 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (cs[i].state == 0 && cs[i].d)
            refuse(&cs[i], "circular requirements");
        if (cs[i].state != 1 && cs[i].dl) {
            /* a refused plugin's code might still be referenced by a
             * dropped registration's pointers: keep it mapped until exit */
            wh_plugin *dead = wh_plugin_new(cs[i].d ? "-refused-" : "-refused-", NULL, cs[i].dl, cs[i].path);
            dead->desc = NULL;
        }
        free(cs[i].path);
    }
    free(cs);
    return loaded;
}

void wh_unload_plugins(void)
{
    for (size_t i = wh_reg.plugins.n; i-- > 0;) {
        wh_plugin *p = wh_reg.plugins.v[i];
        /* a descriptor from an SDK without unload() ends before the field */
        if (p->desc && p->desc->struct_size >= offsetof(walor_plugin_desc, unload) + sizeof p->desc->unload &&
            p->desc->unload)
            p->desc->unload(p);
    }
    /* No dlclose(): this runs on the way out, unmapping buys nothing, and
     * code that stays mapped lets ASan's and valgrind's leak stacks name
     * the plugin (and the libraries it pulled in) instead of "???". */
}
