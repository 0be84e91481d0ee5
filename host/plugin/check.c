#include "check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <walor/types.h>

#include "error.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "registry.h"
#include "svc.h"

enum { SEV_ERROR, SEV_LIVE, SEV_WARN };

typedef struct problem {
    int sev;
    char *text; /* "file:line: section.key: why" */
} problem;

static problem *probs;
static size_t nprobs;
static const char *main_path = "walor.ini";
static int checking; /* inside wh_check_config: refusals count */
/* plugins refused for a config problem of their own: already reported */
static char **judged;
static size_t njudged;

static int lenient(void) { return wh_g.cfg.test_mode || wh_g.cfg.demo; }

static int is_error(const problem *p) { return p->sev == SEV_ERROR || (p->sev == SEV_LIVE && !lenient()); }

static void forget(void)
{
    for (size_t i = 0; i < nprobs; i++)
        free(probs[i].text);
    free(probs);
    probs = NULL;
    nprobs = 0;
    for (size_t i = 0; i < njudged; i++)
        free(judged[i]);
    free(judged);
    judged = NULL;
    njudged = 0;
}

/* where: the entry the problem is about (its file and line); NULL or a
 * default names the main file */
static void add(int sev, const wh_config_entry *where, const char *section, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add(int sev, const wh_config_entry *where, const char *section, const char *key, const char *fmt, ...)
{
    char why[512], *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    int r;
    if (where && where->line > 0)
        r = asprintf(&text, "%s:%d: %s.%s: %s", where->origin, where->line, section, key, why);
    else if (where && !strncmp(where->origin, "env ", 4))
        r = asprintf(&text, "%s: %s.%s: %s", where->origin, section, key, why);
    else
        r = asprintf(&text, "%s: %s.%s: %s", main_path, section, key, why);
    problem *np = r < 0 ? NULL : realloc(probs, (nprobs + 1) * sizeof *np);
    if (!np) {
        free(text);
        return;
    }
    probs = np;
    probs[nprobs++] = (problem){sev, text};
}

char **wh_check_plugin_names(const wh_config *c, size_t *n)
{
    char **names = calloc(c->nplugins + c->nentries + 1, sizeof *names);
    *n = 0;
    if (!names)
        return NULL;
    if (c->nplugins) {
        for (size_t i = 0; i < c->nplugins; i++)
            names[(*n)++] = strdup(c->plugins[i]);
        return names;
    }
    for (size_t i = 0; i < c->nentries; i++) {
        const wh_config_entry *e = &c->entries[i];
        if (strncmp(e->section, "plugin.", 7) != 0 || strcmp(e->key, "enabled") != 0 ||
            !wh_config_plugin_enabled(c, e->section + 7))
            continue;
        names[(*n)++] = strdup(e->section + 7);
    }
    return names;
}

void wh_check_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* the host part of an http(s) URL, lower case, into buf */
static const char *url_host(const char *url, char *buf, size_t len)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t n = strcspn(h, ":/?#");
    if (n >= len)
        n = len - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (h[i] >= 'A' && h[i] <= 'Z') ? (char)(h[i] + 32) : h[i];
    buf[n] = '\0';
    return buf;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !strcmp(s + n - t, tail) && (n == t || s[n - t - 1] == '.');
}

/* the documentation domains (RFC 2606/6761) and a few look-alikes people copy */
static int example_host(const char *host)
{
    static const char *const names[] = {"example.com", "example.org", "example.net", "example.ru", "example",
                                        "invalid",     "test",        "localhost"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ends_with(host, names[i]))
            return 1;
    return 0;
}

static void check_url(const wh_config *c, const char *section, const char *key, const char *url)
{
    const wh_config_entry *e = wh_config_entry_of(c, section, key);
    char host[256];
    if (!url || !*url)
        return;
    url_host(url, host, sizeof host);
    if (example_host(host))
        add(SEV_LIVE, e, section, key, "%s is an example address, not the shop's", host);
    else if (strncmp(url, "https://", 8) != 0)
        add(SEV_LIVE, e, section, key, "expected https:// (providers post only to https), got \"%s\"", url);
}

/* a plugin's own public_url / webhook_secret still work, with a warning */
static void check_overrides(const wh_config *c, const char *name)
{
    static const char *const keys[] = {"public_url", "webhook_secret", "webhook_secret_file"};
    char section[96];
    snprintf(section, sizeof section, "plugin.%s", name);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const wh_config_entry *e = wh_config_entry_of(c, section, keys[i]);
        if (!e)
            continue;
        add(SEV_WARN, e, section, keys[i], "deprecated: set [walor] %s once for every plugin; this value still wins for %s",
            i == 0 ? "public_url" : "webhook_secret_file (or webhook_secret)", name);
        if (i == 0)
            check_url(c, section, keys[i], e->value);
    }
}

void wh_check_host(const wh_config *c, const char *path)
{
    size_t n = 0;
    char **names;

    forget();
    main_path = path ? path : "walor.ini";
    names = wh_check_plugin_names(c, &n);
    if (n == 0)
        add(SEV_ERROR, wh_config_entry_of(c, "walor", "plugins"), "walor", "plugins",
            "no plugin is enabled: set enabled = yes in a [plugin.<name>] section in %s", c->conf_dir);
    if (c->conf_files == 0)
        add(SEV_ERROR, wh_config_entry_of(c, "walor", "conf_dir"), "walor", "conf_dir",
            "%s holds no .ini file besides the main one: the plugins' files (NN-<plugin>.ini) are never read",
            c->conf_dir);
    if (c->nowners == 0)
        add(SEV_LIVE, wh_config_entry_of(c, "walor", "owners"), "walor", "owners",
            "no owner: give the Telegram ID of at least one owner (walorctl setup asks for it)");
    check_url(c, "walor", "public_url", c->public_url);
    if (c->public_url && !wh_config_get(c, "http", "listen"))
        add(SEV_ERROR, wh_config_entry_of(c, "walor", "public_url"), "walor", "public_url",
            "is set, but [http] listen is not: nothing answers the providers' webhooks");
    if (c->mode == WH_TG_WEBHOOK)
        check_url(c, "telegram", "webhook_url", c->webhook_url);
    for (size_t i = 0; i < n; i++)
        check_overrides(c, names[i]);
    wh_check_names_free(names, n);
}

int32_t wh_check_plugin_value(struct walor_plugin *p, const char *key, uint32_t flags, const char *why)
{
    char section[96];
    const wh_config_entry *e;
    int sev;

    if (!p || !why || !*why || (flags & ~(uint32_t)(WALOR_CONFIG_LIVE | WALOR_CONFIG_WARNING)) ||
        (flags & WALOR_CONFIG_LIVE && flags & WALOR_CONFIG_WARNING))
        return wh_error(WALOR_EINVAL, "walor_config_invalid: bad arguments");
    if (!p->loading)
        return wh_error(WALOR_EPHASE, "walor_config_invalid: only inside load()");
    sev = flags & WALOR_CONFIG_LIVE ? SEV_LIVE : flags & WALOR_CONFIG_WARNING ? SEV_WARN : SEV_ERROR;
    snprintf(section, sizeof section, "plugin.%s", p->name);
    /* a missing key: point at the plugin's section, where it belongs */
    e = key ? wh_config_entry_of(&wh_g.cfg, section, key) : NULL;
    if (!e)
        e = wh_config_entry_of(&wh_g.cfg, section, "enabled");
    if (!e)
        e = wh_config_entry_of(&wh_g.cfg, "walor", "plugins");
    add(sev, e, section, key ? key : "enabled", "%s", why);
    if (!is_error(&probs[nprobs - 1]))
        return 0;
    char **nj = realloc(judged, (njudged + 1) * sizeof *nj);
    if (nj) {
        judged = nj;
        if ((judged[njudged] = strdup(p->name)))
            njudged++;
    }
    return wh_error(WALOR_EINVAL, "%s", probs[nprobs - 1].text);
}

void wh_check_refused(const char *name, const char *why)
{
    char section[96];
    const wh_config_entry *e;
    if (!checking || !name)
        return;
    for (size_t i = 0; i < njudged; i++)
        if (!strcmp(judged[i], name))
            return;
    snprintf(section, sizeof section, "plugin.%s", name);
    e = wh_config_entry_of(&wh_g.cfg, section, "enabled");
    if (!e)
        e = wh_config_entry_of(&wh_g.cfg, "walor", "plugins");
    add(SEV_ERROR, e, section, "enabled", "the plugin cannot be loaded: %s", why);
}

/* why a live problem is only a warning in this run */
static const char *leniency(const problem *p)
{
    if (p->sev != SEV_LIVE || is_error(p))
        return "";
    return wh_g.cfg.demo ? " (accepted in the demo)" : " (accepted in test mode)";
}

size_t wh_check_log(void)
{
    size_t errors = 0;
    for (size_t i = 0; i < nprobs; i++) {
        int err = is_error(&probs[i]);
        wh_logf(err ? WH_LOG_ERROR : WH_LOG_WARN, "config", "%s%s", probs[i].text, leniency(&probs[i]));
        errors += (size_t)err;
    }
    return errors;
}

size_t wh_check_config(const char *path, FILE *out)
{
    size_t n = 0, errors = 0;
    char **names;

    wh_check_host(&wh_g.cfg, path);
    names = wh_check_plugin_names(&wh_g.cfg, &n);
    checking = 1;
    /* no database: load() only registers, so nothing is written */
    wh_load_plugins(wh_g.cfg.plugin_dir, names, n, NULL);
    wh_services_resolve();
    checking = 0;
    wh_check_names_free(names, n);
    for (size_t i = 0; i < nprobs; i++) {
        int err = is_error(&probs[i]);
        errors += (size_t)err;
        fprintf(out, "%s: %s%s\n", err ? "error" : "warning", probs[i].text, leniency(&probs[i]));
    }
    return errors;
}

int wh_check_config_main(const char *path)
{
    wh_config_dump(&wh_g.cfg, stdout);
    fflush(stdout);
    wh_log_set_level(WH_LOG_WARN); /* the plugins' load() runs: only what is wrong */
    size_t errors = wh_check_config(path, stderr);
    fflush(stderr);
    wh_unload_plugins();
    wh_registry_free();
    if (errors)
        printf("configuration NOT ready: %zu error(s), each named above with its file and line\n", errors);
    else
        printf("configuration OK\n");
    return errors ? 2 : 0;
}
