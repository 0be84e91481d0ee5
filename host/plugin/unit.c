/* The host's unit of work: see unit.h. */
#include "unit.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

static const wh_unit_sender *_Atomic sender;

void wh_unit_set_sender(const wh_unit_sender *s) { atomic_store(&sender, s); }

static const wh_unit_sender *out(void)
{
    const wh_unit_sender *s = atomic_load(&sender);
    if (!s)
        wh_error(WALOR_EINVAL, "no message queue to send through");
    return s;
}

struct wh_held {
    wh_held *next;
    char method[48];
    json_t *params;        /* owned until handed over */
    char *up_field, *up_name, *up_mime;
    void *up_data;
    size_t up_len;
    int has_up;
    int64_t chat_id;
    uint32_t klass, flags;
    int64_t row;           /* wh_msgq id once stored */
    wh_tg_result *out;     /* a caller waits for the answer */
    int32_t *out_rc;
};

/* Only interactive calls are stored for a resend after a crash. An answer
 * to a button press has lost its moment by then; a bulk message (a
 * broadcast, a back-in-stock push, a cart reminder) is at most once: its
 * sender records who it went to before the send, and a resend would reach
 * a customer twice. */
static int stored_kind(const wh_held *h) { return h->klass == WH_TG_INTERACTIVE; }

static void held_free(wh_held *h)
{
    json_decref(h->params);
    free(h->up_field);
    free(h->up_name);
    free(h->up_mime);
    free(h->up_data);
    free(h);
}

static char *dup_opt(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    *oom |= !d;
    return d;
}

static wh_held *hold(walor_ctx *c, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                     uint32_t klass, uint32_t flags)
{
    wh_held *h = calloc(1, sizeof *h);
    if (!h) {
        json_decref(params);
        wh_error(WALOR_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(h->method, sizeof h->method, "%s", method);
    h->params = params ? params : json_object();
    h->chat_id = chat_id;
    h->klass = klass;
    h->flags = flags;
    int oom = !h->params;
    if (up) {
        h->has_up = 1;
        h->up_field = dup_opt(up->field ? up->field : "document", &oom);
        h->up_name = dup_opt(up->filename ? up->filename : "file", &oom);
        h->up_mime = dup_opt(up->mime, &oom);
        h->up_len = up->len;
        h->up_data = malloc(up->len ? up->len : 1);
        oom |= !h->up_data;
        if (h->up_data && up->len)
            memcpy(h->up_data, up->data, up->len);
    }
    if (oom) {
        held_free(h);
        wh_error(WALOR_ENOMEM, "out of memory");
        return NULL;
    }
    if (c->unit.tail)
        c->unit.tail->next = h;
    else
        c->unit.head = h;
    c->unit.tail = h;
    return h;
}

static wh_tg_upload upload_of(const wh_held *h)
{
    return (wh_tg_upload){.field = h->up_field, .filename = h->up_name, .data = h->up_data, .len = h->up_len,
                          .mime = h->up_mime};
}

/* the calls go out in the order they were made; a waiting one is last */
static void release(walor_ctx *c)
{
    wh_held *h = c->unit.head;
    c->unit.head = c->unit.tail = NULL;
    const wh_unit_sender *s = out();
    while (h) {
        wh_held *next = h->next;
        wh_tg_upload up = upload_of(h);
        json_t *p = h->params;
        h->params = NULL;
        if (!s) {
            json_decref(p);
            if (h->out_rc)
                *h->out_rc = WALOR_EINVAL;
        } else if (h->out) {
            int32_t rc = s->call(h->row, h->method, p, h->has_up ? &up : NULL, h->chat_id, h->klass, h->out);
            if (h->out_rc)
                *h->out_rc = rc;
        } else if (s->submit(h->row, h->method, p, h->has_up ? &up : NULL, h->chat_id, h->klass, h->flags) < 0) {
            wh_warn("%s to chat %lld not queued: %s%s", h->method, (long long)h->chat_id, wh_last_error(),
                    h->row ? " (it goes out at the next start)" : "");
        }
        held_free(h);
        h = next;
    }
}

static void drop_held(walor_ctx *c)
{
    wh_held *h = c->unit.head;
    c->unit.head = c->unit.tail = NULL;
    while (h) {
        wh_held *next = h->next;
        /* the press was not answered after all: the host answers it */
        if (strcmp(h->method, "answerCallbackQuery") == 0)
            c->answered = 0;
        held_free(h);
        h = next;
    }
}

/* undoes everything not committed */
static void undo(walor_ctx *c)
{
    wh_db *db = c->w->db;
    if (wh_db_in_tx(db) || wh_db_tx_lost(db))
        wh_db_rollback(db);
    c->tx_depth = 0;
    c->unit.by_level = 0;
    c->unit.outer_level = 0;
    c->emitted = 0;
    drop_held(c);
}

void wh_unit_arm(walor_ctx *c, wh_unit_mark_fn mark, void *arg, uint32_t flags)
{
    c->unit.armed = 1;
    c->unit.flags = flags;
    c->unit.mark = mark;
    c->unit.mark_arg = arg;
    c->unit.marked = 0;
    wh_db_autobegin(c->w->db, 1);
}

/* Commits what the unit holds. final: the end of the callback (the mark is
 * due whatever was written); otherwise a network wait, which commits only
 * when there is something to commit. */
static int32_t commit_now(walor_ctx *c, int final)
{
    wh_db *db = c->w->db;
    int stored = 0;
    for (wh_held *h = c->unit.head; h && !stored; h = h->next)
        stored = stored_kind(h);
    int need_mark = c->unit.mark && !c->unit.marked && (final || (c->unit.flags & WH_UNIT_MARK_EARLY));
    int32_t rc;
    if (wh_db_tx_lost(db)) {
        rc = wh_error(WALOR_EDB, "the transaction was rolled back by SQLite after an earlier error");
        goto fail;
    }
    int work = wh_db_in_tx(db) || stored;
    if (!work && !(final && need_mark)) {
        release(c); /* button answers, bulk sends: nothing to store */
        return 0;
    }
    if (!final && c->unit.presettle)
        c->unit.presettle(c); /* e.g. the conversation's state moves with the mark */
    if (!wh_db_in_tx(db)) {
        /* nothing written: the mark and the messages alone, in one short
         * transaction (the place where such commits could be batched) */
        if ((rc = wh_db_begin(db)) < 0)
            goto fail;
    }
    const wh_unit_sender *s = stored ? out() : NULL;
    if (stored && !s) {
        rc = WALOR_EINVAL;
        goto fail;
    }
    for (wh_held *h = c->unit.head; h; h = h->next) {
        if (!stored_kind(h))
            continue;
        wh_tg_upload up = upload_of(h);
        int64_t id = s->store(db, h->method, h->params, h->has_up ? &up : NULL, h->chat_id, h->klass, h->flags);
        if (id < 0) {
            rc = (int32_t)id;
            goto fail;
        }
        h->row = id;
    }
    if (need_mark) {
        rc = c->unit.mark(c, c->unit.mark_arg);
        if (rc == WH_UNIT_GONE) {
            undo(c);
            return WH_UNIT_GONE;
        }
        if (rc < 0)
            goto fail;
    }
    if ((rc = wh_db_commit(db)) < 0)
        goto fail;
    if (need_mark)
        c->unit.marked = 1;
    c->unit.by_level = 0;
    if (c->emitted) {
        c->emitted = 0;
        wh_ctx_events_committed(); /* the events emitted in this unit exist now */
    }
    release(c);
    return 0;
fail:;
    char saved[512];
    snprintf(saved, sizeof saved, "%s", wh_last_error());
    undo(c);
    return wh_error(rc, "%s", saved);
}

int32_t wh_unit_commit(walor_ctx *c)
{
    if (!c->unit.armed)
        return 0;
    if (c->tx_depth > 0) {
        undo(c);
        return wh_error(WALOR_EINVAL, "returned inside walor_tx_begin() without a commit: rolled back");
    }
    return commit_now(c, 1);
}

void wh_unit_rollback(walor_ctx *c)
{
    if (c->unit.armed)
        undo(c);
}

int32_t wh_unit_wait(walor_ctx *c, const char *what)
{
    if (!c->w)
        return 0;
    if (c->tx_depth > 0)
        return wh_error(WALOR_EPHASE,
                        "%s inside walor_tx_begin(): commit first, a network wait must not hold the "
                        "database's write lock",
                        what);
    if (!c->unit.armed)
        return wh_db_in_tx(c->w->db) ? wh_error(WALOR_EPHASE, "%s inside a transaction", what) : 0;
    return commit_now(c, 0);
}

int32_t wh_unit_tg(walor_ctx *c, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                   uint32_t klass, uint32_t flags, wh_tg_result *result)
{
    if (!c->unit.armed || !c->w) {
        const wh_unit_sender *s = out();
        if (!s) {
            json_decref(params);
            return WALOR_EINVAL;
        }
        if (!result)
            return s->submit(0, method, params, up, chat_id, klass, flags);
        int32_t rc = wh_unit_wait(c, method);
        if (rc < 0) {
            json_decref(params);
            return rc;
        }
        return s->call(0, method, params, up, chat_id, klass, result);
    }
    if (result) {
        memset(result, 0, sizeof *result);
        if (c->tx_depth > 0) {
            json_decref(params);
            return wh_unit_wait(c, method);
        }
    }
    wh_held *h = hold(c, method, params, up, chat_id, klass, flags);
    if (!h)
        return WALOR_ENOMEM;
    if (!result)
        return 0;
    /* a waited-for call is the last held one: commit, then it goes out after the others */
    int32_t sent = 0;
    h->out = result;
    h->out_rc = &sent;
    int32_t rc = commit_now(c, 0);
    return rc < 0 ? rc : sent;
}

/* ---- walor_tx_begin/commit/rollback ---- */

int32_t wh_unit_tx_begin(walor_ctx *c)
{
    wh_db *db = c->w->db;
    c->unit.failed_level = 0;
    if (wh_db_tx_lost(db))
        return wh_error(WALOR_EDB, "the transaction was rolled back by SQLite after an earlier error");
    if (!wh_db_in_tx(db)) {
        int32_t rc = wh_db_begin(db);
        if (rc < 0)
            return rc;
        if (!c->unit.armed) {
            /* no unit: this level is the transaction itself */
            c->unit.outer_level = ++c->tx_depth;
            return 0;
        }
        c->unit.by_level = 1;
    }
    int32_t rc = wh_db_savepoint(db, c->tx_depth + 1);
    if (rc < 0) {
        if (c->unit.by_level && c->tx_depth == 0) {
            c->unit.by_level = 0;
            wh_db_rollback(db);
        }
        return rc;
    }
    c->tx_depth++;
    return 0;
}

int32_t wh_unit_tx_commit(walor_ctx *c)
{
    if (c->tx_depth == 0)
        return wh_error(WALOR_EINVAL, "commit without walor_tx_begin()");
    wh_db *db = c->w->db;
    unsigned level = c->tx_depth--;
    c->unit.failed_level = 0;
    if (level == c->unit.outer_level) {
        c->unit.outer_level = 0;
        int32_t rc = wh_db_commit(db); /* rolls back what it could not commit */
        if (c->emitted) {
            c->emitted = 0;
            if (rc == 0)
                wh_ctx_events_committed();
        }
        if (rc < 0)
            c->unit.failed_level = level;
        return rc;
    }
    int32_t rc = wh_db_release(db, level);
    if (rc == 0) {
        if (level == 1)
            c->unit.by_level = 0; /* its writes are the unit's now */
        return 0;
    }
    /* A failed commit closes its level, undone, like a failed COMMIT: the
     * walor_tx_rollback that follows it (walor_tx_end) must not reach the
     * caller's level. (RELEASE of an inner savepoint does no I/O: it fails
     * when SQLite has already rolled the whole transaction back.) */
    char saved[512];
    snprintf(saved, sizeof saved, "%s", wh_last_error());
    if (level == 1 && c->unit.by_level) {
        c->unit.by_level = 0;
        c->emitted = 0;
        wh_db_rollback(db);
    } else {
        wh_db_rollback_to(db, level);
    }
    c->unit.failed_level = level;
    return wh_error(rc, "%s", saved);
}

int32_t wh_unit_tx_rollback(walor_ctx *c)
{
    if (c->unit.failed_level && c->unit.failed_level == c->tx_depth + 1) {
        c->unit.failed_level = 0; /* its commit failed and closed it (walor_tx_end) */
        return 0;
    }
    if (c->tx_depth == 0)
        return 0; /* error paths roll back without tracking whether they began */
    wh_db *db = c->w->db;
    unsigned level = c->tx_depth--;
    if (level == c->unit.outer_level || (level == 1 && c->unit.by_level)) {
        /* nothing was written before this level: let the write lock go */
        c->unit.outer_level = 0;
        c->unit.by_level = 0;
        c->emitted = 0;
        return wh_db_rollback(db);
    }
    return wh_db_rollback_to(db, level);
}

void wh_unit_end(walor_ctx *c)
{
    wh_db *db = c->w->db;
    if (wh_db_in_tx(db) || wh_db_tx_lost(db)) {
        if (!c->unit.armed || c->tx_depth)
            wh_logf(WH_LOG_WARN, c->plugin ? c->plugin->name : "host",
                    "callback returned inside a transaction: rolled back");
        wh_db_rollback(db);
    }
    drop_held(c);
    c->tx_depth = 0;
    c->unit.armed = 0;
    c->unit.outer_level = 0;
    c->unit.failed_level = 0;
    c->unit.by_level = 0;
    wh_db_autobegin(db, 0);
}
