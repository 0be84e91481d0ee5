/* support-groq: chat completion answers, see answer.h. */
#include "answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* appends s[0..n) without its NUL characters ("\u0000" in the JSON): the
 * text is a C string from here on */
static int add_text(char **buf, size_t *len, const char *s, size_t n, size_t max)
{
    if (*len + n > max)
        n = *len < max ? max - *len : 0;
    char *b = realloc(*buf, *len + n + 1);
    if (!b)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i])
            b[(*len)++] = s[i];
    b[*len] = '\0';
    *buf = b;
    return 0;
}

static void usage(sup_answer *a, json_t *u)
{
    if (!json_is_object(u))
        return;
    json_t *p = json_object_get(u, "prompt_tokens"), *c = json_object_get(u, "completion_tokens");
    if (json_is_integer(p))
        a->prompt_tokens = json_integer_value(p);
    if (json_is_integer(c))
        a->completion_tokens = json_integer_value(c);
}

static void copy_str(char *dst, size_t cap, json_t *v)
{
    const char *s = json_string_value(v);
    if (s)
        snprintf(dst, cap, "%s", s);
}

/* tool call deltas carry an index; id and name come once, arguments in pieces */
static int merge_call(sup_answer *a, json_t *tc, int whole)
{
    json_t *ix = json_object_get(tc, "index");
    int i = json_is_integer(ix) ? (int)json_integer_value(ix) : whole;
    if (i < 0 || i >= SUP_CALLS_MAX)
        return 0; /* more calls than we act on: ignored */
    while (a->ncalls <= i) {
        memset(&a->calls[a->ncalls], 0, sizeof a->calls[0]);
        a->ncalls++;
    }
    sup_call *k = &a->calls[i];
    copy_str(k->id, sizeof k->id, json_object_get(tc, "id"));
    json_t *fn = json_object_get(tc, "function");
    copy_str(k->name, sizeof k->name, json_object_get(fn, "name"));
    json_t *args = json_object_get(fn, "arguments");
    if (json_is_string(args))
        return add_text(&k->args, &k->args_len, json_string_value(args), json_string_length(args), 64 * 1024);
    if (json_is_object(args)) { /* some local servers send an object */
        char *t = json_dumps(args, JSON_COMPACT);
        int rc = t ? add_text(&k->args, &k->args_len, t, strlen(t), 64 * 1024) : -1;
        free(t);
        return rc;
    }
    return 0;
}

static int ensure_content(sup_answer *a) { return a->content ? 0 : add_text(&a->content, &a->len, "", 0, 1); }

/* what a chunk's delta and a whole answer's message have in common: the
 * content, tool calls, and (on the choice) why it finished */
static int take(sup_answer *a, json_t *choice, json_t *m)
{
    int rc = 0;
    json_t *c = json_object_get(m, "content");
    if (json_is_string(c))
        rc = add_text(&a->content, &a->len, json_string_value(c), json_string_length(c), SUP_ANSWER_MAX);
    size_t i;
    json_t *tc;
    json_array_foreach(json_object_get(m, "tool_calls"), i, tc) {
        if (rc == 0)
            rc = merge_call(a, tc, (int)i);
    }
    copy_str(a->finish, sizeof a->finish, json_object_get(choice, "finish_reason"));
    return rc;
}

int sup_answer_chunk(sup_answer *a, const char *text, size_t len)
{
    if (ensure_content(a))
        return -1;
    json_t *j = json_loadb(text, len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return -1;
    }
    a->chunks++;
    json_t *ch = json_array_get(json_object_get(j, "choices"), 0);
    int rc = take(a, ch, json_object_get(ch, "delta"));
    usage(a, json_object_get(j, "usage"));
    usage(a, json_object_get(json_object_get(j, "x_groq"), "usage")); /* Groq puts it here */
    if (!ch && !json_object_get(j, "usage") && !json_object_get(j, "x_groq"))
        rc = -1; /* neither a choice nor a usage report: not a completion chunk */
    json_decref(j);
    return rc;
}

int sup_answer_full(sup_answer *a, const char *text, size_t len)
{
    if (ensure_content(a))
        return -1;
    json_t *j = json_loadb(text, len, 0, NULL);
    json_t *ch = json_array_get(json_object_get(j, "choices"), 0);
    json_t *m = json_object_get(ch, "message");
    if (!json_is_object(m)) {
        json_decref(j);
        return -1;
    }
    int rc = take(a, ch, m);
    if (!a->finish[0])
        snprintf(a->finish, sizeof a->finish, "%s", a->ncalls ? "tool_calls" : "stop");
    usage(a, json_object_get(j, "usage"));
    json_decref(j);
    return rc;
}

void sup_answer_error(const char *body, size_t len, char *out, size_t cap)
{
    out[0] = '\0';
    json_t *j = body && len ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *m = json_string_value(json_object_get(e, "message"));
    if (!m)
        m = json_string_value(e);
    if (!m)
        m = json_string_value(json_object_get(j, "message"));
    if (m)
        snprintf(out, cap, "%s", m);
    else if (!j && body && len && len < 300 && !memchr(body, '<', len))
        snprintf(out, cap, "%.*s", (int)len, body);
    json_decref(j);
}

void sup_answer_free(sup_answer *a)
{
    free(a->content);
    for (int i = 0; i < a->ncalls; i++)
        free(a->calls[i].args);
    memset(a, 0, sizeof *a);
}
