/* The record of every Bot API call (bounded ring) and per-method totals, so
 * tests can check pacing, retries and error counts. Caller holds the sim lock. */
#ifndef TGSIM_CALLLOG_H
#define TGSIM_CALLLOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tgsim_logent {
    uint64_t seq;
    int64_t t_ms;
    char method[40];
    int64_t chat_id;        /* 0 when the call named no chat */
    int status;             /* HTTP status; 0 = connection closed without a response */
} tgsim_logent;

typedef struct tgsim_mstat {
    char method[40];
    uint64_t calls, ok, errors;
} tgsim_mstat;

typedef struct tgsim_calllog {
    tgsim_logent *ring;
    size_t cap, head, count;
    uint64_t next_seq;
    tgsim_mstat *stats;
    size_t nstats, stats_cap;
    uint64_t by_code[600];
    uint64_t count429, rate_limited, total;
} tgsim_calllog;

int tgsim_calllog_init(tgsim_calllog *l, size_t cap);
void tgsim_calllog_add(tgsim_calllog *l, int64_t t_ms, const char *method, int64_t chat_id,
                       int status, int rate_limited);
/* Entries with seq > since_seq, optionally only of one method (NULL = all). */
json_t *tgsim_calllog_json(const tgsim_calllog *l, const char *method, uint64_t since_seq);
json_t *tgsim_calllog_stats(const tgsim_calllog *l);
void tgsim_calllog_reset(tgsim_calllog *l);
void tgsim_calllog_free(tgsim_calllog *l);

#endif
