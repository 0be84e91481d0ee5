/* Private to the Telegram client (tg.c, tg_http.c, tg_outbox.c, tg_poll.c).
 * Everything here except the fields marked "mu" is touched only on the loop
 * thread. */
#ifndef WH_TG_INT_H
#define WH_TG_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <curl/curl.h>

#include "cmulti.h"
#include "i64map.h"
#include "ratelimit.h"
#include "log.h"
#include "tg.h"

#define tg_log(level, ...) wh_logf(level, "tg", __VA_ARGS__)
#define TG_SHUTTING_DOWN WH_TG_SHUTTING_DOWN

/* intrusive circular doubly linked list: O(1) moves between the outbox's
 * lists without allocating */
typedef struct tg_link {
    struct tg_link *prev, *next;
} tg_link;

static inline void tg_list_init(tg_link *l) { l->prev = l->next = l; }
static inline int tg_list_empty(const tg_link *l) { return l->next == l; }
static inline void tg_list_del(tg_link *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->prev = e->next = e;
}
static inline void tg_list_add_tail(tg_link *l, tg_link *e)
{
    e->prev = l->prev;
    e->next = l;
    l->prev->next = e;
    l->prev = e;
}
static inline void tg_list_add_head(tg_link *l, tg_link *e)
{
    e->next = l->next;
    e->prev = l;
    l->next->prev = e;
    l->next = e;
}
#define tg_container(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

typedef struct tg_waiter {
    pthread_cond_t cv;
    int done;
    wh_tg_result *out;
} tg_waiter;

struct tg_chat;

typedef struct tg_req {
    struct tg_req *next;       /* incoming list, then its chat's FIFO */
    struct tg_chat *chat;
    char method[64];
    char *body;                /* JSON body, serialised by the caller's thread */
    json_t *params;            /* multipart only: the form fields */
    char *up_field, *up_filename, *up_mime;
    void *up_data;
    size_t up_len;
    int has_up;
    int64_t chat_id;
    uint32_t klass;
    int retries;               /* 5xx / transport retries done */
    int floods;                /* 429 answers seen */
    int flood;                 /* got a 429: goes first after the pause */
    int64_t not_before;        /* backoff of its retry */
    int probe;                 /* sent as the first request after a flood wait */
    int is_poll;
    int want_result;           /* a waiter or done() reads the result: parse an ok answer */
    tg_waiter *waiter;         /* sync caller, or NULL */
    wh_tg_done_fn done;        /* async caller's completion, or NULL */
    void *done_ud;
    CURL *easy;
    curl_mime *mime;
    char *resp;
    size_t resp_len, resp_cap;
    char errbuf[CURL_ERROR_SIZE];
} tg_req;

/* One per chat with queued or in-flight requests (and for a while after, to
 * remember its bulk budget). Chat 0 requests each get a private one that is
 * not in the map, so they do not wait for each other. Two queues: replies
 * (interactive and unpaced) in the order they were made, and broadcasts;
 * a reply never waits behind a broadcast message that is only waiting for
 * its pace. One request in flight per chat. */
typedef struct tg_chat {
    tg_link link;              /* in exactly one of the outbox lists */
    int64_t chat_id;
    int bound;                 /* in the map */
    tg_req *head, *tail;       /* replies */
    tg_req *bhead, *btail;     /* bulk */
    tg_req *cur;               /* in flight, or NULL */
    wh_bucket bucket;          /* bulk pacing of this chat */
} tg_chat;

enum { TG_RUNNING, TG_DRAINING, TG_CLOSING };

/* what an answer means for the request */
enum { TG_OK, TG_FINAL, TG_RETRY, TG_FLOOD };

struct wh_tg {
    uv_loop_t *loop;
    pthread_t loop_thread;
    char *api_root, *token;
    wh_tg_opts o;
    wh_tg_hooks h;
    int state;

    /* mu: the hand-over from workers */
    pthread_mutex_t mu;
    tg_req *in_head, *in_tail;  /* mu */
    int accepting;              /* mu: calls are taken and wake may be sent */
    uv_async_t wake;

    /* http (tg_http.c) */
    wh_cmulti cm;
    struct curl_slist *json_hdrs, *form_hdrs;
    int inflight;               /* easy handles in the multi */

    /* outbox (tg_outbox.c) */
    wh_i64map chats;
    tg_link ready_now, ready_bulk, delayed, flood, idle, busy;
    wh_bucket global;
    int64_t pause_until;
    int probing;                /* flood probes in flight */
    uv_timer_t pace;
    uv_timer_t drain;
    size_t outstanding;         /* accepted and not finished, loop side */

    /* polling (tg_poll.c) */
    int64_t offset;
    tg_req *poll_req;
    json_t *batch;              /* refused by on_updates, offered again */
    int64_t store_retries;      /* times in a row the batch was refused */
    int64_t poll_backoff_ms;
    int polling, first_poll_sent;
    uv_timer_t poll_timer;

    int open_handles;
    size_t dropped;             /* failed with "shutting down" */

    _Atomic uint64_t st_requests, st_errors, st_429, st_retries, st_updates;
    _Atomic size_t st_queued;
};

/* tg.c */
void wh_tg_redact(const wh_tg *tg, const char *in, char *out, size_t n);
void wh_tg_req_free(tg_req *r);
void wh_tg_handle_closed(uv_handle_t *h);
void wh_tg_close_handles(wh_tg *tg);

/* tg_http.c */
int wh_tg_http_init(wh_tg *tg);
int wh_tg_http_start(wh_tg *tg, tg_req *r, long timeout_ms);
void wh_tg_http_abort(wh_tg *tg, tg_req *r);
void wh_tg_http_close(wh_tg *tg);
/* classifies a finished transfer; fills res (result is a new ref when ok) */
int wh_tg_http_parse(wh_tg *tg, tg_req *r, CURLcode code, long http, wh_tg_result *res, int64_t *retry_after_s);

/* tg_outbox.c */
int wh_tg_outbox_init(wh_tg *tg);
void wh_tg_outbox_pump(wh_tg *tg);
void wh_tg_outbox_done(wh_tg *tg, tg_req *r, CURLcode code, long http);
void wh_tg_outbox_stop(wh_tg *tg);
void wh_tg_outbox_close(wh_tg *tg);
void wh_tg_outbox_free(wh_tg *tg);
void wh_tg_finish(wh_tg *tg, tg_req *r, wh_tg_result *res);

/* tg_poll.c */
int wh_tg_poll_init(wh_tg *tg);
void wh_tg_poll_start(wh_tg *tg);
void wh_tg_poll_done(wh_tg *tg, tg_req *r, CURLcode code, long http);
void wh_tg_poll_stop(wh_tg *tg);
void wh_tg_poll_close(wh_tg *tg);

#endif
