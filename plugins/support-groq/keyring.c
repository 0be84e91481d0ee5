/* support-groq: the model's API keys (F-SUP-03).
 *
 * Keys come from [plugin.support-groq] keys = a, b (comma-separated), or
 * keys_file = a file with one key a line (systemd credentials), or the
 * environment WALOR_SUPPORT_KEYS; an empty value is allowed for local
 * servers (Ollama, llama.cpp) that need none: key_optional = yes. They
 * never reach a log: the staff know a key by its number and last four
 * characters, the database by a hash.
 *
 * The state machine is keys.c; here it lives under a mutex, because
 * questions of different chats run on different workers at once. A key
 * set aside for 401/403 is reported to the staff once (support_key_notice
 * remembers it across restarts). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "sup.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static sup_keyring ring;
static char keys[SUP_KEYS_MAX][256];

static void add_key(walor_plugin *p, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (!n || *s == '#')
        return;
    if (ring.n == SUP_KEYS_MAX || n >= sizeof keys[0]) {
        walor_log(p, WALOR_LOG_WARN, "key #%d ignored (at most %d keys of at most 255 characters)", ring.n + 1,
                  SUP_KEYS_MAX);
        return;
    }
    memcpy(keys[ring.n], s, n);
    keys[ring.n][n] = '\0';
    ring.n++;
}

static void add_list(walor_plugin *p, const char *v, const char *seps)
{
    while (v && *v) {
        size_t n = strcspn(v, seps);
        add_key(p, v, n);
        v += n;
        v += strspn(v, seps);
    }
}

int32_t sup_keys_load(walor_plugin *p)
{
    pthread_mutex_lock(&mu);
    memset(&ring, 0, sizeof ring);
    add_list(p, walor_plugin_config(p, "keys"), ",");
    const char *path = walor_plugin_config(p, "keys_file");
    if (path && *path) {
        FILE *f = fopen(path, "r");
        if (!f) {
            pthread_mutex_unlock(&mu);
            return walor_config_invalid(p, "keys_file", 0, "the file of API keys cannot be read");
        }
        char line[512];
        while (fgets(line, sizeof line, f))
            add_key(p, line, strlen(line));
        fclose(f);
    }
    add_list(p, getenv("WALOR_SUPPORT_KEYS"), ", \n");
    const char *opt = walor_plugin_config(p, "key_optional");
    if (ring.n == 0 && opt && (!strcmp(opt, "yes") || !strcmp(opt, "1") || !strcmp(opt, "true"))) {
        keys[0][0] = '\0'; /* a local server: no Authorization header */
        ring.n = 1;
    }
    int n = ring.n;
    pthread_mutex_unlock(&mu);
    if (n == 0)
        walor_config_invalid(p, "keys", WALOR_CONFIG_WARNING,
                             "no API key (keys, keys_file or WALOR_SUPPORT_KEYS): every question goes to an operator");
    else
        walor_log(p, WALOR_LOG_INFO, "%d API key(s) for %s", n, sup_cfg.model);
    return 0;
}

int sup_keys_configured(void)
{
    pthread_mutex_lock(&mu);
    int n = ring.n;
    pthread_mutex_unlock(&mu);
    return n;
}

int sup_keys_take(uint32_t tried, int retry, int *idx, char *out, size_t cap)
{
    pthread_mutex_lock(&mu);
    int i = sup_keys_pick(&ring, sup_mono_ms(), tried, retry, NULL);
    if (i >= 0)
        snprintf(out, cap, "%s", keys[i]);
    pthread_mutex_unlock(&mu);
    *idx = i;
    return i;
}

/* FNV-1a of the key: how the database knows it without holding it */
static void fingerprint(const char *k, char *out, size_t cap)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *s = (const unsigned char *)k; *s; s++)
        h = (h ^ *s) * 1099511628211ULL;
    snprintf(out, cap, "%016llx", (unsigned long long)h);
}

void sup_keys_outcome(walor_ctx *c, int idx, int outcome, int64_t retry_after_s, const char *why)
{
    char fp[24], tail[8] = "";
    pthread_mutex_lock(&mu);
    int revoked = idx >= 0 && idx < ring.n ? sup_keys_report(&ring, idx, outcome, retry_after_s, sup_mono_ms()) : 0;
    int usable = 0, cooling = 0, gone = 0;
    sup_keys_count(&ring, sup_mono_ms(), &usable, &cooling, &gone);
    if (revoked) {
        fingerprint(keys[idx], fp, sizeof fp);
        size_t n = strlen(keys[idx]);
        snprintf(tail, sizeof tail, "%s", n > 4 ? keys[idx] + n - 4 : "");
    }
    pthread_mutex_unlock(&mu);
    if (outcome == SUP_OUT_RATE)
        walor_log(c, WALOR_LOG_INFO, "key #%d rate limited for %lld s", idx + 1, (long long)retry_after_s);
    if (!revoked)
        return;
    walor_log(c, WALOR_LOG_WARN, "key #%d (…%s) refused by the model server: set aside (%s)", idx + 1, tail,
              why ? why : "");
    /* once per key, also across restarts */
    int32_t rc = walor_db_exec(c, "INSERT INTO support_key_notice(fp, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                               WALOR_ARGS(walor_s(fp), walor_i(walor_now(c))));
    if (rc <= 0)
        return;
    walor_notify_staff(c, WALOR_ROLE_OWNER,
                       TF(c, "staff.key_revoked", "n", walor_ctx_printf(c, "%d", idx + 1), "tail", sup_esc(c, tail),
                          "why", sup_esc(c, why ? why : ""), "left", walor_ctx_printf(c, "%d", usable + cooling)),
                       NULL);
}

void sup_keys_status(int *usable, int *cooling, int *revoked)
{
    pthread_mutex_lock(&mu);
    sup_keys_count(&ring, sup_mono_ms(), usable, cooling, revoked);
    pthread_mutex_unlock(&mu);
}
