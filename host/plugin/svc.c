/* Services: named, versioned function tables one plugin offers others
 * (ARCHITECTURE.md §3). A provider registers "stock" 1.4 with a vtable; a
 * consumer requires "stock" 1.2 and, after load, gets the table with
 * walor_service_get(). Semantic versioning on the table: the same major is
 * append-only (a consumer built for minor 2 works with any minor >= 2), a
 * new major is a new table and may be offered next to the old one.
 *
 * Registration happens on the main thread during load(); wh_services_resolve()
 * runs once after every plugin loaded and before any worker starts, so the
 * tables are read-only afterwards and service_get() needs no lock. */
#include "svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "loader.h"
#include "registry.h"

typedef struct provided {
    wh_plugin *p;
    char *name;
    uint32_t major, minor;
    const void *vtable;
} provided;

typedef struct required {
    wh_plugin *p;
    char *name;
    uint32_t major, min_minor;
} required;

static WH_VEC(provided) provs;
static WH_VEC(required) reqs;

#define SVC_NAME_MAX 48

static int32_t check_phase(const wh_plugin *p)
{
    if (!p || p->kind != WH_KIND_PLUGIN || !p->loading)
        return wh_error(WALOR_EPHASE, "registration is only allowed inside load()");
    return 0;
}

static int32_t check_name(const char *name)
{
    if (!wh_name_ok(name, SVC_NAME_MAX, "."))
        return wh_error(WALOR_EINVAL, "service name must be [a-z0-9_.]{1,%d}", SVC_NAME_MAX);
    return 0;
}

/* the live provider of name+major; a refused plugin's table is never handed out */
static const provided *find_provider(const char *name, uint32_t major)
{
    for (size_t i = 0; i < provs.n; i++)
        if (!provs.v[i].p->dead && provs.v[i].major == major && strcmp(provs.v[i].name, name) == 0)
            return &provs.v[i];
    return NULL;
}

static int32_t service_provide(walor_plugin *p, const char *name, uint32_t major, uint32_t minor,
                               const void *vtable)
{
    int32_t rc = check_phase(p);
    if (rc < 0 || (rc = check_name(name)) < 0)
        return rc;
    /* every SDK struct begins with its size: a table without one cannot be versioned */
    if (!vtable || *(const uint32_t *)vtable < sizeof(uint32_t))
        return wh_error(WALOR_EINVAL, "service %s %u.%u: the vtable must begin with uint32_t struct_size", name,
                        major, minor);
    const provided *other = find_provider(name, major);
    if (other)
        return wh_error(WALOR_EEXIST, "service %s %u.x is already provided by %s", name, major, other->p->name);
    char *copy = strdup(name);
    if (!copy)
        return wh_error(WALOR_ENOMEM, "out of memory");
    *WH_PUSH(provs) = (provided){.p = p, .name = copy, .major = major, .minor = minor, .vtable = vtable};
    return 0;
}

static int32_t service_require(walor_plugin *p, const char *name, uint32_t major, uint32_t min_minor)
{
    int32_t rc = check_phase(p);
    if (rc < 0 || (rc = check_name(name)) < 0)
        return rc;
    char *copy = strdup(name);
    if (!copy)
        return wh_error(WALOR_ENOMEM, "out of memory");
    *WH_PUSH(reqs) = (required){.p = p, .name = copy, .major = major, .min_minor = min_minor};
    return 0;
}

static const void *service_get(const walor_plugin *p, const char *name, uint32_t major, uint32_t *out_minor)
{
    (void)p; /* any plugin may use any service; the argument is there for a later access policy */
    const provided *s = name ? find_provider(name, major) : NULL;
    if (out_minor)
        *out_minor = s ? s->minor : 0;
    if (!s)
        wh_error(WALOR_ENOTFOUND, "no loaded plugin provides service %s %u.x", name ? name : "(null)", major);
    return s ? s->vtable : NULL;
}

/* why r is not met, or 0 when it is */
static int unmet(const required *r, char *why, size_t n)
{
    const provided *s = find_provider(r->name, r->major);
    if (s && s->minor >= r->min_minor)
        return 0;
    int k = snprintf(why, n, "requires service %s %u.%u, but ", r->name, r->major, r->min_minor);
    if (k < 0 || (size_t)k >= n)
        return 1;
    if (s) {
        snprintf(why + k, n - (size_t)k, "%s provides only %s %u.%u", s->p->name, s->name, s->major, s->minor);
        return 1;
    }
    /* name the majors that are there: "only stock 2.0 (warehouse)" tells the operator what to upgrade */
    size_t at = (size_t)k;
    int others = 0;
    for (size_t i = 0; i < provs.n && at < n; i++) {
        const provided *o = &provs.v[i];
        if (o->p->dead || strcmp(o->name, r->name) != 0)
            continue;
        int m = snprintf(why + at, n - at, "%s%s %u.%u (%s)", others ? ", " : "only ", o->name, o->major, o->minor,
                         o->p->name);
        if (m < 0)
            break;
        at += (size_t)m;
        others++;
    }
    if (!others) {
        /* say so when the provider was there but refused: the root cause is in its line */
        const provided *refused = NULL;
        for (size_t i = 0; i < provs.n && !refused; i++)
            if (provs.v[i].major == r->major && strcmp(provs.v[i].name, r->name) == 0)
                refused = &provs.v[i];
        if (refused)
            snprintf(why + at, n - at, "its provider %s was refused", refused->p->name);
        else
            snprintf(why + at, n - at, "no loaded plugin provides it");
    }
    else if (at < n)
        snprintf(why + at, n - at, " %s loaded", others > 1 ? "are" : "is");
    return 1;
}

int wh_services_resolve(void)
{
    /* a refused provider may leave its consumers unmet: repeat until stable */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < reqs.n; i++) {
            const required *r = &reqs.v[i];
            char why[400];
            if (r->p->dead || !unmet(r, why, sizeof why))
                continue;
            wh_loader_refuse(r->p, why);
            changed = 1;
        }
    }
    return 0;
}

void wh_svc_free(void)
{
    for (size_t i = 0; i < provs.n; i++)
        free(provs.v[i].name);
    for (size_t i = 0; i < reqs.n; i++)
        free(reqs.v[i].name);
    free(provs.v);
    free(reqs.v);
    memset(&provs, 0, sizeof provs);
    memset(&reqs, 0, sizeof reqs);
}

void wh_svc_fill(walor_host_api *api)
{
    api->service_provide = service_provide;
    api->service_require = service_require;
    api->service_get = service_get;
}
