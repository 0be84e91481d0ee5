#include "config.h"
#include "db.h"

#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <walor/types.h>

#include "error.h"
#include "inifile.h"
#include "log.h"

#define DEFAULT_ORIGIN "(default)"

struct known {
    const char *section;
    const char *key;
    const char *def; /* NULL: absent unless set */
};

static const struct known known[] = {
    {"walor", "db", "var/walor.db"},     /* a file (SQLite) or a PostgreSQL conninfo */
    {"walor", "db_password", NULL},      /* PostgreSQL's password, if not in the conninfo */
    {"walor", "db_password_file", NULL},
    {"walor", "plugin_dir", "build/lib/walor/plugins"},
    {"walor", "plugins", ""},
    {"walor", "owners", ""},
    {"walor", "workers", "4"},
    {"walor", "timezone", "Europe/Moscow"},
    {"walor", "log_level", "info"},
    {"walor", "log_file", NULL},
    {"walor", "test_mode", "no"},
    {"walor", "conf_dir", "conf.d"},
    {"walor", "texts_dir", "texts"},
    {"walor", "shop_name", ""},
    {"walor", "db_check_interval", "300"}, /* seconds between database health checks (ops.c) */
    {"walor", "demo", "no"},               /* the offline demo: placeholders are only warned about (check.c) */
    {"walor", "public_url", NULL},         /* every plugin's webhooks: <public_url>/p/<plugin>/... */
    {"walor", "webhook_secret", NULL},     /* every plugin's webhook secret derives from it */
    {"walor", "webhook_secret_file", NULL},
    {"telegram", "token", NULL},
    {"telegram", "token_file", NULL},
    {"telegram", "api_root", "https://api.telegram.org"},
    {"telegram", "mode", "polling"},
    {"telegram", "poll_timeout", "25"},
    {"telegram", "bulk_rate", "30"},
    {"telegram", "bulk_per_chat_rate", "1"},
    {"telegram", "http_timeout", "30"},
    {"telegram", "max_retries", "5"},
    {"telegram", "webhook_url", NULL},
    {"telegram", "webhook_secret", NULL},
    {"telegram", "webhook_secret_file", NULL},
    {"telegram", "webhook_path", "/telegram/webhook"}, /* the listener's local path (http.c) */
};

static const struct {
    const char *var, *section, *key;
} env_map[] = {
    {"WALOR_BOT_TOKEN", "telegram", "token"},
    {"WALOR_API_ROOT", "telegram", "api_root"},
    {"WALOR_DB", "walor", "db"},
    {"WALOR_PLUGIN_DIR", "walor", "plugin_dir"},
    {"WALOR_OWNERS", "walor", "owners"},
};

static int host_section(const char *s) { return !strcmp(s, "walor") || !strcmp(s, "telegram"); }

static const struct known *find_known(const char *section, const char *key)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(known[i].section, section) && !strcmp(known[i].key, key))
            return &known[i];
    return NULL;
}

static wh_config_entry *find(const wh_config *c, const char *section, const char *key)
{
    for (size_t i = 0; i < c->nentries; i++)
        if (!strcmp(c->entries[i].key, key) && !strcmp(c->entries[i].section, section))
            return &c->entries[i];
    return NULL;
}

/* Sets (section, key) keeping its place in the list, so the dump reads in
 * the order things were first declared. */
static int32_t set(wh_config *c, const char *section, const char *key, const char *value, const char *origin,
                   int line)
{
    wh_config_entry *e = find(c, section, key);
    char *v = strdup(value), *o = strdup(origin);

    if (!v || !o) {
        free(v);
        free(o);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    if (!e) {
        if (c->nentries == c->capentries) {
            size_t cap = c->capentries ? c->capentries * 2 : 64;
            wh_config_entry *ne = realloc(c->entries, cap * sizeof *ne);
            if (!ne) {
                free(v);
                free(o);
                return wh_error(WALOR_ENOMEM, "out of memory");
            }
            c->entries = ne;
            c->capentries = cap;
        }
        e = &c->entries[c->nentries];
        e->section = strdup(section);
        e->key = strdup(key);
        if (!e->section || !e->key) {
            free(e->section);
            free(e->key);
            free(v);
            free(o);
            return wh_error(WALOR_ENOMEM, "out of memory");
        }
        c->nentries++;
    } else {
        free(e->value);
        free(e->origin);
    }
    e->value = v;
    e->origin = o;
    e->line = line;
    return 0;
}

struct load {
    wh_config *c;
    const char *origin;
    int is_main;
};

static int on_entry(void *ud, const char *section, const char *key, const char *value, int line)
{
    struct load *l = ud;

    if (!*section)
        return wh_error(WALOR_EINVAL, "key %s is outside of any [section]", key);
    if (host_section(section)) {
        if (!find_known(section, key))
            return wh_error(WALOR_EINVAL, "unknown key %s in [%s]", key, section);
        if (!l->is_main && !strcmp(key, "conf_dir"))
            return wh_error(WALOR_EINVAL, "conf_dir can only be set in the main file");
    }
    if (!strncmp(section, "plugin.", 7) && section[7] == '\0')
        return wh_error(WALOR_EINVAL, "[plugin.] needs a plugin name");
    return set(l->c, section, key, value, l->origin, line);
}

/* "file:line" or "env WALOR_X" or "(default)", for messages */
static int32_t bad(const wh_config_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int32_t bad(const wh_config_entry *e, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (e->line > 0)
        return wh_error(WALOR_EINVAL, "%s:%d: %s.%s: %s", e->origin, e->line, e->section, e->key, msg);
    return wh_error(WALOR_EINVAL, "%s: %s.%s: %s", e->origin, e->section, e->key, msg);
}

static int parse_bool(const char *v, int *out)
{
    static const char *const t[] = {"yes", "true", "on", "1"};
    static const char *const f[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(v, t[i])) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(v, f[i])) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int parse_ll(const char *v, long long *out)
{
    char *end;
    errno = 0;
    if (!*v)
        return -1;
    *out = strtoll(v, &end, 10);
    return (errno || *end || end == v) ? -1 : 0;
}

static int32_t get_int(wh_config *c, const char *section, const char *key, long long lo, long long hi, int *out)
{
    wh_config_entry *e = find(c, section, key);
    long long v;
    if (parse_ll(e->value, &v) || v < lo || v > hi)
        return bad(e, "expected a whole number from %lld to %lld, got \"%s\"", lo, hi, e->value);
    *out = (int)v;
    return 0;
}

static int32_t get_rate(wh_config *c, const char *key, double *out)
{
    wh_config_entry *e = find(c, "telegram", key);
    char *end;
    double v;
    errno = 0;
    v = strtod(e->value, &end);
    if (!*e->value || *end || errno || !isfinite(v) || v <= 0 || v > 1000)
        return bad(e, "expected messages per second, more than 0 and at most 1000, got \"%s\"", e->value);
    *out = v;
    return 0;
}

static const char *get(const wh_config *c, const char *section, const char *key)
{
    const wh_config_entry *e = find(c, section, key);
    return e ? e->value : NULL;
}

/* Splits a comma/blank separated list in place into NUL-terminated words. */
static size_t split(char *s, char **words, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(s, ", \t\n", &save); w; w = strtok_r(NULL, ", \t\n", &save))
        if (n < max)
            words[n++] = w;
        else
            return max + 1;
    return n;
}

static int32_t load_plugins(wh_config *c)
{
    wh_config_entry *e = find(c, "walor", "plugins");
    char *copy = strdup(e->value);
    char *words[256];
    size_t n;

    if (!copy)
        return wh_error(WALOR_ENOMEM, "out of memory");
    n = split(copy, words, 256);
    if (n > 256) {
        free(copy);
        return bad(e, "more than 256 plugins");
    }
    c->plugins = calloc(n + 1, sizeof *c->plugins);
    if (!c->plugins) {
        free(copy);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (const char *p = words[i]; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
                int32_t rc = bad(e, "bad plugin name \"%s\" (letters a-z, digits, _ and -)", words[i]);
                free(copy);
                return rc;
            }
        for (size_t j = 0; j < c->nplugins; j++)
            dup |= !strcmp(c->plugins[j], words[i]);
        if (dup)
            continue;
        if (!(c->plugins[c->nplugins] = strdup(words[i]))) {
            free(copy);
            return wh_error(WALOR_ENOMEM, "out of memory");
        }
        c->nplugins++;
    }
    free(copy);
    return 0;
}

static int32_t load_owners(wh_config *c)
{
    wh_config_entry *e = find(c, "walor", "owners");
    char *copy = strdup(e->value);
    char *words[1024];
    size_t n;

    if (!copy)
        return wh_error(WALOR_ENOMEM, "out of memory");
    n = split(copy, words, 1024);
    if (n > 1024) {
        free(copy);
        return bad(e, "more than 1024 owners");
    }
    c->owners = calloc(n ? n : 1, sizeof *c->owners);
    if (!c->owners) {
        free(copy);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        long long v;
        if (parse_ll(words[i], &v) || v <= 0) {
            int32_t rc = bad(e, "\"%s\" is not a Telegram user id (a positive number)", words[i]);
            free(copy);
            return rc;
        }
        c->owners[c->nowners++] = v;
    }
    free(copy);
    return 0;
}

/* First line of a secret file, as systemd's LoadCredential= provides it. */
static int32_t read_first_line(const wh_config_entry *e, char **out)
{
    FILE *f = fopen(e->value, "re");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    if (!f)
        return bad(e, "cannot read %s: %s", e->value, strerror(errno));
    n = getline(&line, &cap, f);
    fclose(f);
    if (n < 0) {
        free(line);
        return bad(e, "%s is empty", e->value);
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        line[--n] = '\0';
    if (n == 0) {
        free(line);
        return bad(e, "the first line of %s is empty", e->value);
    }
    *out = line;
    return 0;
}

/* A secret the files do not set may be a systemd credential of the unit
 * (LoadCredential=NAME:...): $CREDENTIALS_DIRECTORY/NAME, when it exists. */
static int32_t credential(wh_config *c, const char *section, const char *file_key, const char *name)
{
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    char *path = NULL, origin[64];
    int32_t rc = 0;
    if (!dir || !*dir || find(c, section, file_key))
        return 0;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return wh_error(WALOR_ENOMEM, "out of memory");
    snprintf(origin, sizeof origin, "credential %s", name);
    if (access(path, F_OK) == 0)
        rc = set(c, section, file_key, path, origin, 0);
    free(path);
    return rc;
}

static int32_t load_secret(wh_config *c, const char *section, const char *key, const char *file_key, char **out)
{
    wh_config_entry *v = find(c, section, key), *f = find(c, section, file_key);
    if (v && f && strncmp(v->origin, "env ", 4) != 0)
        return bad(f, "set either %s or %s, not both", key, file_key);
    if (v) {
        *out = strdup(v->value);
        return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
    }
    if (f)
        return read_first_line(f, out);
    return 0;
}

static char *join_path(const char *dir, const char *rel)
{
    char *p;
    if (rel[0] == '/' || !dir || !*dir || !strcmp(dir, "."))
        return strdup(rel);
    if (!strcmp(rel, "."))
        return strdup(dir);
    if (asprintf(&p, "%s/%s", dir, rel) < 0)
        return NULL;
    return p;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* glob() treats these as patterns, a directory name may contain them */
static char *glob_escape(const char *s)
{
    char *o = malloc(strlen(s) * 2 + 1), *p = o;
    if (!o)
        return NULL;
    for (; *s; s++) {
        if (strchr("*?[]\\", *s))
            *p++ = '\\';
        *p++ = *s;
    }
    *p = '\0';
    return o;
}

static int32_t load_conf_dir(wh_config *c, const char *main_path, char *err, size_t errlen)
{
    const wh_config_entry *e = find(c, "walor", "conf_dir");
    int is_default = !strcmp(e->origin, DEFAULT_ORIGIN);
    struct stat dst, mst;
    char *esc, *pattern = NULL;
    glob_t g;
    int r;
    int32_t rc = 0;

    if (stat(c->conf_dir, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
        if (is_default)
            return 0;
        return bad(e, "%s is not a directory", c->conf_dir);
    }
    esc = glob_escape(c->conf_dir);
    if (!esc || asprintf(&pattern, "%s/*.ini", esc) < 0) {
        free(esc);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    free(esc);
    memset(&g, 0, sizeof g);
    r = glob(pattern, 0, NULL, &g); /* sorted: 10-catalog.ini before 20-orders.ini */
    free(pattern);
    if (r == GLOB_NOMATCH)
        return 0;
    if (r != 0) {
        globfree(&g);
        return bad(e, "cannot list %s", c->conf_dir);
    }
    if (stat(main_path, &mst) != 0)
        memset(&mst, 0, sizeof mst);
    for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
        struct stat st;
        struct load l = {c, g.gl_pathv[i], 0};
        if (stat(g.gl_pathv[i], &st) == 0 && st.st_dev == mst.st_dev && st.st_ino == mst.st_ino)
            continue;
        if (stat(g.gl_pathv[i], &st) == 0 && !S_ISREG(st.st_mode))
            continue;
        rc = wh_ini_parse_file(g.gl_pathv[i], on_entry, &l, err, errlen);
        c->conf_files++;
    }
    globfree(&g);
    return rc;
}

/* [walor] public_url: http(s)://host[:port][/path], kept without the
 * trailing '/' so that "<public_url>/p/..." is right either way. */
static int32_t load_public_url(wh_config *c)
{
    wh_config_entry *e = find(c, "walor", "public_url");
    const char *v = e ? e->value : NULL;
    if (!v || !*v)
        return 0;
    size_t scheme = !strncmp(v, "https://", 8) ? 8 : !strncmp(v, "http://", 7) ? 7 : 0;
    if (!scheme || !v[scheme] || v[scheme] == '/' || strpbrk(v, " \t?#"))
        return bad(e, "expected the bot's public address, https://host[/path], got \"%s\"", v);
    if (!(c->public_url = strdup(v)))
        return wh_error(WALOR_ENOMEM, "out of memory");
    for (size_t n = strlen(c->public_url); n > scheme && c->public_url[n - 1] == '/'; n--)
        c->public_url[n - 1] = '\0';
    return 0;
}

static int32_t load_webhook_master(wh_config *c)
{
    int32_t rc = find(c, "walor", "webhook_secret") ? 0 : credential(c, "walor", "webhook_secret_file", "webhook-secret");
    if (rc)
        return rc;
    rc = load_secret(c, "walor", "webhook_secret", "webhook_secret_file", &c->webhook_master);
    if (rc || !c->webhook_master)
        return rc;
    size_t n = strlen(c->webhook_master);
    if (n < 16 || n > 256 ||
        strspn(c->webhook_master, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != n) {
        wh_config_entry *e = find(c, "walor", "webhook_secret");
        /* the secret itself is never put into a message */
        return bad(e ? e : find(c, "walor", "webhook_secret_file"),
                   "expected 16-256 characters A-Z a-z 0-9 _ - (openssl rand -hex 16)");
    }
    return 0;
}

void wh_config_derive_secret(const wh_config *c, const char *name, char out[33])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char msg[96];

    out[0] = '\0';
    if (!c || !c->webhook_master || !name)
        return;
    snprintf(msg, sizeof msg, "walor webhook %s", name);
    if (!HMAC(EVP_sha256(), c->webhook_master, (int)strlen(c->webhook_master), (const unsigned char *)msg,
              strlen(msg), mac, &n) || n < 16)
        return;
    for (unsigned i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

static int32_t interpret(wh_config *c)
{
    int32_t rc;
    const char *v;
    wh_config_entry *e;
    int bv;

    c->db = get(c, "walor", "db");
    c->plugin_dir = get(c, "walor", "plugin_dir");
    c->timezone = get(c, "walor", "timezone");
    c->log_file = get(c, "walor", "log_file");
    c->shop_name = get(c, "walor", "shop_name");
    c->webhook_url = get(c, "telegram", "webhook_url");
    if (!*c->db)
        return bad(find(c, "walor", "db"), "is empty");
    if (!*c->plugin_dir)
        return bad(find(c, "walor", "plugin_dir"), "is empty");
    if (!*c->timezone)
        return bad(find(c, "walor", "timezone"), "is empty");
    if (c->log_file && !*c->log_file)
        c->log_file = NULL;
    /* appending to it (and the owner's log download opening it) would
     * overwrite the database and drop every lock SQLite holds on it */
    if (c->log_file && wh_db_is_live_file(c->db, c->log_file))
        return bad(find(c, "walor", "log_file"), "%s is the database or one of its files ([walor] db = %s)",
                   c->log_file, c->db);
    if ((rc = load_plugins(c)) || (rc = load_owners(c)))
        return rc;
    if ((rc = get_int(c, "walor", "workers", 1, 64, &c->workers)))
        return rc;

    e = find(c, "walor", "log_level");
    if (!strcasecmp(e->value, "debug"))
        c->log_level = WH_LOG_DEBUG;
    else if (!strcasecmp(e->value, "info"))
        c->log_level = WH_LOG_INFO;
    else if (!strcasecmp(e->value, "warn") || !strcasecmp(e->value, "warning"))
        c->log_level = WH_LOG_WARN;
    else if (!strcasecmp(e->value, "error"))
        c->log_level = WH_LOG_ERROR;
    else
        return bad(e, "expected debug, info, warn or error, got \"%s\"", e->value);

    e = find(c, "walor", "test_mode");
    if (parse_bool(e->value, &c->test_mode))
        return bad(e, "expected yes or no, got \"%s\"", e->value);
    e = find(c, "walor", "demo");
    if (parse_bool(e->value, &c->demo))
        return bad(e, "expected yes or no, got \"%s\"", e->value);

    for (size_t i = 0; i < c->nentries; i++) {
        e = &c->entries[i];
        if (!strncmp(e->section, "plugin.", 7) && !strcmp(e->key, "enabled") && parse_bool(e->value, &bv))
            return bad(e, "expected yes or no, got \"%s\"", e->value);
    }

    e = find(c, "telegram", "api_root");
    if (strncmp(e->value, "https://", 8) && strncmp(e->value, "http://", 7))
        return bad(e, "expected an http:// or https:// URL, got \"%s\"", e->value);
    if (!(c->api_root = strdup(e->value)))
        return wh_error(WALOR_ENOMEM, "out of memory");
    for (size_t n = strlen(c->api_root); n > 0 && c->api_root[n - 1] == '/'; n--)
        c->api_root[n - 1] = '\0';

    e = find(c, "telegram", "mode");
    if (!strcmp(e->value, "polling"))
        c->mode = WH_TG_POLLING;
    else if (!strcmp(e->value, "webhook"))
        c->mode = WH_TG_WEBHOOK;
    else
        return bad(e, "expected polling or webhook, got \"%s\"", e->value);

    if ((rc = get_int(c, "telegram", "poll_timeout", 0, 50, &c->poll_timeout)) ||
        (rc = get_int(c, "telegram", "http_timeout", 1, 600, &c->http_timeout)) ||
        (rc = get_int(c, "telegram", "max_retries", 0, 100, &c->max_retries)) ||
        (rc = get_rate(c, "bulk_rate", &c->bulk_rate)) ||
        (rc = get_rate(c, "bulk_per_chat_rate", &c->bulk_per_chat_rate)))
        return rc;

    if ((!find(c, "telegram", "token") && (rc = credential(c, "telegram", "token_file", "bot-token"))) ||
        (rc = load_secret(c, "telegram", "token", "token_file", &c->token)))
        return rc;
    if (!c->token || !*c->token)
        return wh_error(WALOR_EINVAL,
                        "no bot token: set [telegram] token or token_file, or the WALOR_BOT_TOKEN environment variable");
    for (const char *p = c->token; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '/' || *p == 0x7F) {
            e = find(c, "telegram", "token");
            if (!e)
                e = find(c, "telegram", "token_file");
            /* the token itself is never put into a message */
            return bad(e, "the bot token contains a blank, '/' or a control character");
        }

    if ((rc = load_public_url(c)) || (rc = load_webhook_master(c)))
        return rc;
    if ((rc = credential(c, "walor", "db_password_file", "db-password")) ||
        (rc = load_secret(c, "walor", "db_password", "db_password_file", &c->db_password)))
        return rc;
    /* every connection opened from now on, by any thread or tool */
    wh_db_set_password(c->db_password);
    if ((rc = load_secret(c, "telegram", "webhook_secret", "webhook_secret_file", &c->webhook_secret)))
        return rc;
    if (!c->webhook_secret && c->webhook_master && c->mode == WH_TG_WEBHOOK) {
        /* the one scheme: Telegram's header secret derives from the master too */
        char derived[33];
        wh_config_derive_secret(c, "telegram", derived);
        if (!(c->webhook_secret = strdup(derived)))
            return wh_error(WALOR_ENOMEM, "out of memory");
    }
    if (c->webhook_secret) {
        size_t n = strlen(c->webhook_secret);
        e = find(c, "telegram", "webhook_secret");
        if (!e)
            e = find(c, "telegram", "webhook_secret_file");
        if (n < 1 || n > 256 || strspn(c->webhook_secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                           "0123456789_-") != n)
            return bad(e, "Telegram accepts 1-256 characters A-Z a-z 0-9 _ - as a webhook secret");
    }
    if (c->mode == WH_TG_WEBHOOK) {
        /* Telegram posts only to https; plain http is for tgsim in test mode */
        if (!c->webhook_url || (strncmp(c->webhook_url, "https://", 8) != 0 &&
                                !(c->test_mode && strncmp(c->webhook_url, "http://", 7) == 0)))
            return bad(find(c, "telegram", "mode"), "webhook mode needs webhook_url = https://...");
    }
    v = get(c, "walor", "texts_dir");
    if (!(c->texts_dir = join_path(c->conf_dir, v)))
        return wh_error(WALOR_ENOMEM, "out of memory");
    return 0;
}

int32_t wh_config_load(wh_config *c, const char *path, char *err, size_t errlen)
{
    struct load l;
    char *dir;
    int32_t rc;

    memset(c, 0, sizeof *c);
    if (err && errlen)
        err[0] = '\0';
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].def && (rc = set(c, known[i].section, known[i].key, known[i].def, DEFAULT_ORIGIN, 0)))
            goto fail;

    l.c = c;
    l.origin = path;
    l.is_main = 1;
    if ((rc = wh_ini_parse_file(path, on_entry, &l, err, errlen)))
        return rc; /* the message names path:line already */

    if (!(dir = dir_of(path))) {
        rc = wh_error(WALOR_ENOMEM, "out of memory");
        goto fail;
    }
    c->conf_dir = join_path(dir, get(c, "walor", "conf_dir"));
    free(dir);
    if (!c->conf_dir) {
        rc = wh_error(WALOR_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = load_conf_dir(c, path, err, errlen))) {
        if (err && errlen && *err)
            return rc;
        goto fail;
    }

    for (size_t i = 0; i < sizeof env_map / sizeof env_map[0]; i++) {
        const char *v = getenv(env_map[i].var);
        char origin[64];
        if (!v)
            continue;
        snprintf(origin, sizeof origin, "env %s", env_map[i].var);
        if ((rc = set(c, env_map[i].section, env_map[i].key, v, origin, 0)))
            goto fail;
    }

    if ((rc = interpret(c)))
        goto fail;
    return 0;

fail:
    if (err && errlen)
        snprintf(err, errlen, "%s", wh_last_error());
    return rc;
}

const wh_config_entry *wh_config_entry_of(const wh_config *c, const char *section, const char *key)
{
    return (c && section && key) ? find(c, section, key) : NULL;
}

const char *wh_config_get(const wh_config *c, const char *section, const char *key)
{
    return (c && section && key) ? get(c, section, key) : NULL;
}

int wh_config_plugin_enabled(const wh_config *c, const char *name)
{
    char section[128];
    const char *v;
    int on = 0;

    if (!c || !name)
        return 0;
    if (c->nplugins) {
        for (size_t i = 0; i < c->nplugins; i++)
            if (!strcmp(c->plugins[i], name))
                return 1;
        return 0;
    }
    if (snprintf(section, sizeof section, "plugin.%s", name) >= (int)sizeof section)
        return 0;
    v = get(c, section, "enabled");
    return v && parse_bool(v, &on) == 0 && on;
}

static int is_secret(const char *key)
{
    static const char *const words[] = {"token", "secret", "key", "password", "passwd"};
    size_t n = strlen(key);
    char low[64];

    /* a *_file key names where a secret is, which is worth seeing */
    if (n >= 5 && !strcmp(key + n - 5, "_file"))
        return 0;
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (key[i] >= 'A' && key[i] <= 'Z') ? (char)(key[i] + 32) : key[i];
    low[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(low, words[i]))
            return 1;
    return 0;
}

void wh_config_dump(const wh_config *c, FILE *out)
{
    /* sections in first-seen order, each once */
    for (size_t i = 0; i < c->nentries; i++) {
        int first = 1;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(c->entries[k].section, c->entries[i].section))
                first = 0;
        if (!first)
            continue;
        fprintf(out, "%s[%s]\n", i ? "\n" : "", c->entries[i].section);
        for (size_t j = i; j < c->nentries; j++) {
            const wh_config_entry *e = &c->entries[j];
            if (strcmp(e->section, c->entries[i].section))
                continue;
            fprintf(out, "%s = ", e->key);
            char *shown = NULL;
            if (is_secret(e->key)) {
                fputs("***", out);
            } else if (!strcmp(e->section, "walor") && !strcmp(e->key, "db") && (shown = wh_db_display(e->value))) {
                fputs(shown, out); /* a conninfo's password as *** */
                free(shown);
            } else {
                for (const char *p = e->value; *p; p++) {
                    if (*p == '\n')
                        fputs("\\n", out);
                    else if (*p == '\\')
                        fputs("\\\\", out);
                    else
                        fputc(*p, out);
                }
            }
            if (e->line > 0)
                fprintf(out, "    ; %s:%d\n", e->origin, e->line);
            else
                fprintf(out, "    ; %s\n", e->origin);
        }
    }
}

void wh_config_free(wh_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nentries; i++) {
        if (is_secret(c->entries[i].key))
            explicit_bzero(c->entries[i].value, strlen(c->entries[i].value));
        free(c->entries[i].section);
        free(c->entries[i].key);
        free(c->entries[i].value);
        free(c->entries[i].origin);
    }
    free(c->entries);
    for (size_t i = 0; i < c->nplugins; i++)
        free(c->plugins[i]);
    free(c->plugins);
    free(c->owners);
    free(c->conf_dir);
    free(c->texts_dir);
    free(c->api_root);
    free(c->public_url);
    if (c->webhook_master) {
        explicit_bzero(c->webhook_master, strlen(c->webhook_master));
        free(c->webhook_master);
    }
    if (c->token) {
        explicit_bzero(c->token, strlen(c->token));
        free(c->token);
    }
    if (c->db_password) {
        explicit_bzero(c->db_password, strlen(c->db_password));
        free(c->db_password);
    }
    if (c->webhook_secret) {
        explicit_bzero(c->webhook_secret, strlen(c->webhook_secret));
        free(c->webhook_secret);
    }
    memset(c, 0, sizeof *c);
}
