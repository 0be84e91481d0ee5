/* The pure half of error reports: secret scrubbing and the gate that
 * rate-limits and deduplicates them. No globals, no I/O: unit-tested in
 * tests/unit/host/test_report.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static const char *const secret_keys[] = {"token",         "secret", "password",   "passwd",
                                          "api_key",       "apikey", "authorization", "cookie",
                                          "credential",    "private_key", "phone_number"};

int wh_scrub_key(const char *key)
{
    if (!key)
        return 0;
    char low[128];
    size_t n = strlen(key);
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)key[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++)
        if (strstr(low, secret_keys[i]))
            return 1;
    return 0;
}

static int tok_char(char ch) { return isalnum((unsigned char)ch) || ch == '_' || ch == '-'; }

/* length of a bot-token-shaped run at s (6+ digits ':' 30+ token chars), 0 if none */
static size_t token_shape(const char *s, const char *start)
{
    if (s > start && isdigit((unsigned char)s[-1]))
        return 0; /* only from the first digit of a run */
    size_t d = 0;
    while (isdigit((unsigned char)s[d]))
        d++;
    if (d < 6 || s[d] != ':')
        return 0;
    size_t t = 0;
    while (tok_char(s[d + 1 + t]))
        t++;
    return t >= 30 ? d + 1 + t : 0;
}

char *wh_scrub_text(const char *s, const char *const *secrets, size_t nsecrets)
{
    if (!s)
        s = "";
    size_t len = strlen(s), cap = len + 1, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    const size_t rl = sizeof WH_SCRUBBED - 1;
    for (size_t i = 0; i < len;) {
        size_t skip = token_shape(s + i, s);
        for (size_t k = 0; !skip && k < nsecrets; k++) {
            size_t sl = secrets[k] ? strlen(secrets[k]) : 0;
            if (sl >= 6 && strncmp(s + i, secrets[k], sl) == 0)
                skip = sl;
        }
        if (skip) {
            if (n + rl + (len - i) + 1 > cap) {
                cap = n + rl + (len - i) + 1 + 64;
                char *g = realloc(out, cap);
                if (!g) {
                    free(out);
                    return NULL;
                }
                out = g;
            }
            memcpy(out + n, WH_SCRUBBED, rl);
            n += rl;
            i += skip;
            continue;
        }
        if (n + 2 > cap) {
            char *g = realloc(out, cap *= 2);
            if (!g) {
                free(out);
                return NULL;
            }
            out = g;
        }
        out[n++] = s[i++];
    }
    out[n] = '\0';
    return out;
}

void wh_scrub_json(json_t *j, const char *const *secrets, size_t nsecrets)
{
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(j, tmp, k, v) {
            if (wh_scrub_key(k))
                json_object_set_new(j, k, json_string(WH_SCRUBBED));
            else
                wh_scrub_json(v, secrets, nsecrets);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) wh_scrub_json(v, secrets, nsecrets);
    } else if (json_is_string(j)) {
        char *clean = wh_scrub_text(json_string_value(j), secrets, nsecrets);
        if (clean && strcmp(clean, json_string_value(j)) != 0)
            json_string_set(j, clean);
        free(clean);
    }
}

/* ---- the gate ---- */

static int rate_allows(const wh_report_gate *g, int64_t now)
{
    if (g->nsent < WH_REPORT_RATE)
        return 1;
    /* the oldest of the last RATE sends must have left the window */
    return now - g->sent[g->nsent % WH_REPORT_RATE] >= WH_REPORT_RATE_WINDOW;
}

static void note_send(wh_report_gate *g, int64_t now)
{
    g->sent[g->nsent % WH_REPORT_RATE] = now;
    g->nsent++;
}

static int find(const wh_report_gate *g, const char *key)
{
    for (int i = 0; i < WH_REPORT_KEYS; i++)
        if (g->e[i].key && strcmp(g->e[i].key, key) == 0)
            return i;
    return -1;
}

/* a free slot, or the one whose window started longest ago */
static int slot(wh_report_gate *g)
{
    int best = 0;
    for (int i = 0; i < WH_REPORT_KEYS; i++) {
        if (!g->e[i].key)
            return i;
        if (g->e[i].since < g->e[best].since)
            best = i;
    }
    free(g->e[best].key);
    g->e[best].key = NULL;
    return best;
}

int wh_report_gate_check(wh_report_gate *g, const char *key, int64_t now, int64_t *repeats)
{
    *repeats = 0;
    int i = find(g, key);
    if (i >= 0 && now - g->e[i].since < WH_REPORT_DEDUP) {
        g->e[i].repeats++;
        return WH_REPORT_DUP;
    }
    if (!rate_allows(g, now)) {
        g->limited++;
        return WH_REPORT_LIMITED;
    }
    if (i < 0) {
        i = slot(g);
        g->e[i].key = strdup(key);
        g->e[i].repeats = 0;
        if (!g->e[i].key)
            i = -1; /* out of memory: send, just without dedup */
    } else {
        *repeats = g->e[i].repeats;
    }
    if (i >= 0) {
        g->e[i].since = now;
        g->e[i].repeats = 0;
    }
    note_send(g, now);
    return WH_REPORT_SEND;
}

size_t wh_report_gate_due(wh_report_gate *g, int64_t now, void (*fn)(const char *key, int64_t repeats, void *ud),
                          void *ud)
{
    size_t done = 0;
    for (int i = 0; i < WH_REPORT_KEYS; i++) {
        if (!g->e[i].key || now - g->e[i].since < WH_REPORT_DEDUP)
            continue;
        if (g->e[i].repeats == 0) {
            free(g->e[i].key); /* quiet for a whole window: forget it */
            g->e[i].key = NULL;
            continue;
        }
        if (!rate_allows(g, now))
            break; /* the rest waits for the next flush */
        fn(g->e[i].key, g->e[i].repeats, ud);
        note_send(g, now);
        /* a new window: more repeats within it make one more summary */
        g->e[i].since = now;
        g->e[i].repeats = 0;
        done++;
    }
    return done;
}

int64_t wh_report_gate_take_limited(wh_report_gate *g)
{
    int64_t n = g->limited;
    g->limited = 0;
    return n;
}

void wh_report_gate_free(wh_report_gate *g)
{
    for (int i = 0; i < WH_REPORT_KEYS; i++) {
        free(g->e[i].key);
        g->e[i].key = NULL;
    }
}
