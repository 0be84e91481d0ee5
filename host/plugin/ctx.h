/* The per-callback context handed to plugin code (walor_ctx) and the
 * per-worker state it borrows. A ctx lives on the worker's stack for one
 * update (or job); its arena and deferred cleanups go when it ends. */
#ifndef WH_CTX_H
#define WH_CTX_H

#include <stdint.h>

#include <jansson.h>

#include "arena.h"
#include "db.h"
#include "registry.h"

typedef struct wh_worker {
    int idx;
    wh_db *db;
    wh_arena arena;
    void *curl;            /* the worker's CURL easy handle for walor_http_fetch (httpc.c), reused for keep-alive */
} wh_worker;

/* a conversation as stored for one chat (host/ui/conv.c) */
typedef struct wh_conv {
    int active;
    int64_t seq;           /* increases with every conversation of the chat: stale buttons carry an old one */
    const wh_conv_def *def;
    const wh_conv_state_def *state;
    json_t *data;          /* owned */
    int64_t expires_at;
    int dirty;
    const wh_conv_state_def *enter_pending; /* on_enter to run after the handler returns */
    /* forms (host/ui/steps.c) */
    int back;              /* this step was asked again from the summary or a retry: its answer goes back there */
    const char *why;       /* arena: a reason to say in front of the next question */
    int retried;           /* walor_form_retry() ran in this callback */
    const char *input;     /* arena: the answer being checked, {input} of a refusal */
} wh_conv;

/* A Bot API call a unit of work holds until it commits (unit.c) */
typedef struct wh_held wh_held;

/* writes the done mark of the work (the inbox row, the job row, the
 * delivery row) on c->w->db inside the unit's open transaction: 0, or
 * WH_UNIT_GONE when someone else settled the work meanwhile (this run's
 * effect must not count), or a negative WALOR_E* */
typedef int32_t (*wh_unit_mark_fn)(walor_ctx *c, void *arg);

/* The host's unit of work around one callback (unit.c): the writes of the
 * callback, the Bot API calls it made and the done mark of the work commit
 * in one transaction, which opens at the first write. */
typedef struct wh_unit {
    int armed;             /* 0: no unit (host-internal loops): writes autocommit, calls go out at once */
    uint32_t flags;        /* WH_UNIT_* (unit.h) */
    wh_unit_mark_fn mark;
    void *mark_arg;
    int marked;            /* the done mark has committed: what follows is a continuation */
    int by_level;          /* the transaction was begun by walor_tx_begin with nothing written before it */
    unsigned outer_level;  /* without a unit: the walor_tx_begin level that is the real transaction */
    unsigned failed_level; /* the level whose walor_tx_commit just failed (closed): its rollback is a no-op */
    void (*presettle)(walor_ctx *c); /* host state to write with an early commit (the conversation) */
    wh_held *head, *tail;
} wh_unit;

struct walor_ctx {
    walor_handle head;
    uint32_t kind;         /* WH_KIND_CTX */
    wh_worker *w;
    wh_arena *arena;
    wh_plugin *plugin;     /* whose code runs now: namespaces for texts, settings, conversations */
    json_t *update;        /* borrowed, NULL for jobs */
    int64_t update_id;
    int64_t user_id;
    int64_t chat_id;
    int64_t message_id;
    uint32_t role;
    const char *callback_id;
    int answered;
    int failed;            /* a handler returned < 0 (metrics.c counts the update as failed) */
    int conv_loaded;
    wh_conv conv;
    struct wh_http_req *http;  /* the request, in an HTTP route handler (http.c) */
    wh_unit unit;
    unsigned tx_depth;     /* walor_tx_begin levels open (savepoints inside the unit) */
    /* an event was written in the open transaction: whoever commits it
     * wakes the delivery (wh_events_kick) */
    int emitted;
};

void wh_ctx_init(walor_ctx *c, wh_worker *w);
/* rolls back what is not committed (a unit not committed with
 * wh_unit_commit, an open walor_tx_begin), runs deferred cleanups, resets
 * the arena */
void wh_ctx_finish(walor_ctx *c);

/* calls fn with c->plugin temporarily set to p, so texts and settings
 * resolve in the plugin's namespace */
int32_t wh_ctx_call(walor_ctx *c, wh_plugin *p, walor_handler_fn fn, const char *arg);
int32_t wh_ctx_call0(walor_ctx *c, wh_plugin *p, walor_ctx_fn fn);

/* A transaction that carried events committed (c->emitted): tells the
 * event delivery to look now. The delivery (sched/events.c) sits above the
 * context, since it runs subscribers in one, so it registers itself here
 * when it starts rather than being called by name; before that nothing
 * listens, and nothing needs to: its start scans for pending events. */
void wh_ctx_set_events_hook(void (*fn)(void));
void wh_ctx_events_committed(void);

#endif
