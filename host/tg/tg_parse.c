/* Parsing getUpdates answers and webhook bodies update by update: see
 * tg_parse.h. The text-level cutting only balances brackets and skips
 * strings; it validates nothing, jansson does that for each piece. */
#include "tg_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define RAW_MAX 4096 /* of a bad update's text kept for the owner's report */

typedef struct cur {
    const char *p, *end;
} cur;

static void ws(cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* past the string that starts at c->p; -1 when it does not end */
static int skip_string(cur *c)
{
    for (c->p++; c->p < c->end;) {
        char ch = *c->p++;
        if (ch == '\\' && c->p < c->end)
            c->p++;
        else if (ch == '"')
            return 0;
    }
    return -1;
}

/* past one value, whatever it holds; -1 when the text ends first */
static int skip_value(cur *c)
{
    ws(c);
    if (c->p >= c->end)
        return -1;
    if (*c->p == '"')
        return skip_string(c);
    if (*c->p != '{' && *c->p != '[') {
        const char *start = c->p;
        while (c->p < c->end && !memchr(",}] \t\r\n", *c->p, 8))
            c->p++;
        return c->p > start ? 0 : -1;
    }
    int depth = 0;
    while (c->p < c->end) {
        if (*c->p == '"') {
            if (skip_string(c) < 0)
                return -1;
            continue;
        }
        char ch = *c->p++;
        if (ch == '{' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ']') && --depth == 0)
            return 0;
    }
    return -1;
}

/* the member name at c->p is exactly name (no escapes in the names we need) */
static int name_is(const cur *c, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(c->end - c->p) >= n + 2 && c->p[0] == '"' && memcmp(c->p + 1, name, n) == 0 &&
           c->p[n + 1] == '"';
}

/* Walks the members of the object at c->p until one named name; leaves
 * c->p at its value. 0 found, -1 not there (or not an object). */
static int find_member(cur *c, const char *name)
{
    ws(c);
    if (c->p >= c->end || *c->p != '{')
        return -1;
    c->p++;
    for (;;) {
        ws(c);
        if (c->p >= c->end || *c->p != '"')
            return -1;
        int hit = name_is(c, name);
        if (skip_string(c) < 0)
            return -1;
        ws(c);
        if (c->p >= c->end || *c->p != ':')
            return -1;
        c->p++;
        ws(c);
        if (hit)
            return 0;
        if (skip_value(c) < 0)
            return -1;
        ws(c);
        if (c->p >= c->end || *c->p != ',')
            return -1;
        c->p++;
    }
}

int wh_tg_answer_ok(const char *text, size_t len)
{
    cur c = {text, text + len};
    if (find_member(&c, "ok") < 0 || c.end - c.p < 4 || memcmp(c.p, "true", 4) != 0)
        return 0;
    c.p += 4;
    ws(&c);
    return c.p < c.end && (*c.p == ',' || *c.p == '}');
}

/* the update_id of an update's text; 0 when it has none that is readable */
static long long update_id_of(const char *s, size_t n)
{
    cur c = {s, s + n};
    if (find_member(&c, "update_id") < 0)
        return 0;
    long long v = 0;
    int digits = 0;
    while (c.p < c.end && *c.p >= '0' && *c.p <= '9' && digits < 18) {
        v = v * 10 + (*c.p++ - '0');
        digits++;
    }
    return digits && v > 0 ? v : 0;
}

/* {"update_id": id, "walor_unparsed": {"error", "raw"}}: what the inbox
 * keeps of an update it cannot read */
static json_t *stand_in(long long id, const char *s, size_t n, const char *why)
{
    size_t keep = n < RAW_MAX ? n : RAW_MAX;
    char *cut = malloc(keep + 1);
    if (!cut)
        return NULL;
    memcpy(cut, s, keep);
    cut[keep] = '\0'; /* a NUL byte inside shortens it: a report, not a record */
    char *raw = wh_utf8_sanitize_dup(cut);
    free(cut);
    json_t *u = json_pack("{s:I, s:{s:s, s:s}}", "update_id", (json_int_t)id, WH_UPDATE_UNPARSED, "error",
                          why && *why ? why : "unparseable", "raw", raw ? raw : "");
    free(raw);
    return u;
}

json_t *wh_tg_parse_update(const char *text, size_t len)
{
    json_error_t je;
    json_t *u = json_loadb(text, len, JSON_ALLOW_NUL, &je);
    if (json_is_object(u) && json_is_integer(json_object_get(u, "update_id")))
        return u;
    char why[200];
    snprintf(why, sizeof why, "%s", u ? "not an update object" : je.text);
    json_decref(u);
    long long id = update_id_of(text, len);
    return id ? stand_in(id, text, len, why) : NULL;
}

json_t *wh_tg_parse_updates(const char *text, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *ans = json_loadb(text, len, JSON_ALLOW_NUL, &je);
    if (ans) {
        json_t *res = json_object_get(ans, "result");
        if (!json_is_array(res)) {
            snprintf(err, errlen, "no \"result\" array in the answer");
            json_decref(ans);
            return NULL;
        }
        json_incref(res);
        json_decref(ans);
        return res;
    }
    /* one update spoils the whole answer: take it apart */
    cur c = {text, text + len};
    if (find_member(&c, "result") < 0 || c.p >= c.end || *c.p != '[') {
        snprintf(err, errlen, "not a getUpdates answer: %s", je.text);
        return NULL;
    }
    c.p++;
    json_t *out = json_array();
    size_t with_id = 0, lost = 0;
    for (;;) {
        ws(&c);
        if (c.p < c.end && *c.p == ']')
            break;
        const char *start = c.p;
        if (!out || skip_value(&c) < 0)
            break;
        json_t *u = wh_tg_parse_update(start, (size_t)(c.p - start));
        if (u && json_array_append_new(out, u) == 0)
            with_id++;
        else
            lost++; /* no readable update_id: a later one's offset confirms it */
        ws(&c);
        if (c.p < c.end && *c.p == ',')
            c.p++;
        else
            break;
    }
    if (!with_id) {
        snprintf(err, errlen, "no readable update in the answer (%zu unreadable): %s", lost, je.text);
        json_decref(out);
        return NULL;
    }
    return out;
}
