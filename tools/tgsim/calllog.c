#include "calllog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int tgsim_calllog_init(tgsim_calllog *l, size_t cap)
{
    memset(l, 0, sizeof *l);
    l->ring = calloc(cap, sizeof *l->ring);
    if (!l->ring)
        return -1;
    l->cap = cap;
    l->next_seq = 1;
    return 0;
}

static tgsim_mstat *stat_for(tgsim_calllog *l, const char *method)
{
    for (size_t i = 0; i < l->nstats; i++)
        if (!strcmp(l->stats[i].method, method))
            return &l->stats[i];
    /* unknown method names come from clients: bound the table */
    if (l->nstats >= 256)
        method = "(other)";
    for (size_t i = 0; i < l->nstats; i++)
        if (!strcmp(l->stats[i].method, method))
            return &l->stats[i];
    if (l->nstats == l->stats_cap) {
        size_t ncap = l->stats_cap ? l->stats_cap * 2 : 32;
        tgsim_mstat *ns = realloc(l->stats, ncap * sizeof *ns);
        if (!ns)
            return NULL;
        l->stats = ns;
        l->stats_cap = ncap;
    }
    tgsim_mstat *s = &l->stats[l->nstats++];
    memset(s, 0, sizeof *s);
    snprintf(s->method, sizeof s->method, "%s", method);
    return s;
}

void tgsim_calllog_add(tgsim_calllog *l, int64_t t_ms, const char *method, int64_t chat_id,
                       int status, int rate_limited)
{
    tgsim_logent *e;
    if (l->count < l->cap) {
        e = &l->ring[(l->head + l->count) % l->cap];
        l->count++;
    } else {
        e = &l->ring[l->head];
        l->head = (l->head + 1) % l->cap;
    }
    e->seq = l->next_seq++;
    e->t_ms = t_ms;
    snprintf(e->method, sizeof e->method, "%s", method);
    e->chat_id = chat_id;
    e->status = status;

    l->total++;
    tgsim_mstat *s = stat_for(l, method);
    if (s) {
        s->calls++;
        if (status == 200)
            s->ok++;
        else
            s->errors++;
    }
    if (status > 0 && status < 600 && status != 200)
        l->by_code[status]++;
    if (status == 429)
        l->count429++;
    if (rate_limited)
        l->rate_limited++;
}

json_t *tgsim_calllog_json(const tgsim_calllog *l, const char *method, uint64_t since_seq)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++) {
        const tgsim_logent *e = &l->ring[(l->head + i) % l->cap];
        if (e->seq <= since_seq || (method && *method && strcasecmp(method, e->method)))
            continue;
        json_t *o = json_pack("{s:I,s:I,s:s,s:i}", "seq", (json_int_t)e->seq, "t_ms",
                              (json_int_t)e->t_ms, "method", e->method, "status", e->status);
        json_object_set_new(o, "chat_id", e->chat_id ? json_integer(e->chat_id) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

json_t *tgsim_calllog_stats(const tgsim_calllog *l)
{
    json_t *methods = json_object(), *codes = json_object();
    for (size_t i = 0; i < l->nstats; i++) {
        const tgsim_mstat *s = &l->stats[i];
        json_object_set_new(methods, s->method,
                            json_pack("{s:I,s:I,s:I}", "calls", (json_int_t)s->calls, "ok",
                                      (json_int_t)s->ok, "errors", (json_int_t)s->errors));
    }
    for (int c = 0; c < 600; c++) {
        if (!l->by_code[c])
            continue;
        char k[8];
        snprintf(k, sizeof k, "%d", c);
        json_object_set_new(codes, k, json_integer((json_int_t)l->by_code[c]));
    }
    return json_pack("{s:I,s:o,s:o,s:I,s:I,s:I}", "total", (json_int_t)l->total, "methods",
                     methods, "errors_by_code", codes, "count429", (json_int_t)l->count429,
                     "rate_limited", (json_int_t)l->rate_limited, "last_seq",
                     (json_int_t)(l->next_seq - 1));
}

void tgsim_calllog_reset(tgsim_calllog *l)
{
    /* seq keeps growing so a test's since_seq from before a reset stays meaningful */
    uint64_t seq = l->next_seq;
    size_t cap = l->cap;
    tgsim_logent *ring = l->ring;
    free(l->stats);
    memset(l, 0, sizeof *l);
    l->ring = ring;
    l->cap = cap;
    l->next_seq = seq;
}

void tgsim_calllog_free(tgsim_calllog *l)
{
    free(l->ring);
    free(l->stats);
    memset(l, 0, sizeof *l);
}
