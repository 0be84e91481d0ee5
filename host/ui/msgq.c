/* The durable message queue: see msgq.h. */
#include "msgq.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <walor/types.h>

#include "ctx.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "pool.h"
#include "unit.h"

#define FLUSH_KEY (INT64_MIN + 21) /* pool key of the deletion batches */
#define CHUNK 32                   /* ids per DELETE: one cached statement, padded */

static const wh_migration migrations[] = {
    {1, "CREATE TABLE wh_msgq ("
        " id INTEGER PRIMARY KEY,"
        " chat_id INTEGER NOT NULL,"
        " method TEXT NOT NULL,"
        " klass INTEGER NOT NULL,"
        " flags INTEGER NOT NULL,"
        " body TEXT NOT NULL,"          /* the JSON parameters (multipart: the form fields) */
        " up_field TEXT, up_name TEXT, up_mime TEXT, up_data BLOB,"
        " created_at INTEGER NOT NULL)"},
    /* several instances (PostgreSQL): whose client sends the row, and the
     * takeover that gave a dead instance's rows to a live one */
    {2, "ALTER TABLE wh_msgq ADD COLUMN owner TEXT;"
        "ALTER TABLE wh_msgq ADD COLUMN claim INTEGER"},
};

int32_t wh_msgq_migrate(wh_db *db)
{
    return wh_db_migrate(db, "host.msgq", migrations, sizeof migrations / sizeof *migrations);
}

int64_t wh_msgq_store(wh_db *db, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                      uint32_t klass, uint32_t flags)
{
    char *body = json_dumps(params ? params : json_object(), JSON_COMPACT);
    if (!body)
        return wh_error(WALOR_ENOMEM, "msgq: cannot serialise a %s", method);
    int64_t id = 0;
    int32_t rc = wh_db_int(db,
                           "INSERT INTO wh_msgq(chat_id, method, klass, flags, body, up_field, up_name, up_mime, "
                           "up_data, created_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           WALOR_ARGS(walor_i(chat_id), walor_s(method), walor_i(klass), walor_i(flags),
                                      walor_s(body), walor_s(up ? up->field : NULL),
                                      walor_s(up ? up->filename : NULL), walor_s(up ? up->mime : NULL),
                                      up ? wh_blob(up->data, up->len) : walor_null(), walor_i(wh_now()),
                                      walor_s(wh_db_app_name())),
                           &id);
    free(body);
    return rc < 0 ? rc : id;
}

/* ---- deleting answered rows, in batches on a worker ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t *answered;
static size_t nanswered, capanswered;
static int flush_queued;

static int32_t delete_rows(wh_db *db, const int64_t *ids, size_t n)
{
    int32_t rc = wh_db_begin(db);
    for (size_t i = 0; rc >= 0 && i < n; i += CHUNK) {
        walor_val v[CHUNK];
        for (size_t k = 0; k < CHUNK; k++)
            v[k] = walor_i(ids[i + k < n ? i + k : n - 1]); /* padded with the last id */
        rc = wh_db_exec(db,
                        "DELETE FROM wh_msgq WHERE id IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        v, CHUNK);
    }
    if (rc >= 0)
        rc = wh_db_commit(db);
    else
        wh_db_rollback(db);
    return rc < 0 ? rc : 0;
}

/* takes the ids collected so far; the caller owns the array */
static int64_t *take(size_t *n)
{
    pthread_mutex_lock(&mu);
    int64_t *ids = answered;
    *n = nanswered;
    answered = NULL;
    nanswered = capanswered = 0;
    pthread_mutex_unlock(&mu);
    return ids;
}

static void put_back(int64_t *ids, size_t n)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n; i++) {
        if (nanswered == capanswered) {
            size_t cap = capanswered ? capanswered * 2 : 64;
            int64_t *g = realloc(answered, cap * sizeof *g);
            if (!g)
                break; /* the row stays and is sent once more at the next start */
            answered = g;
            capanswered = cap;
        }
        answered[nanswered++] = ids[i];
    }
    pthread_mutex_unlock(&mu);
    free(ids);
}

static void flush_job(void *state, void *arg)
{
    (void)arg;
    wh_db *db = ((wh_worker *)state)->db;
    for (;;) {
        size_t n;
        int64_t *ids = take(&n);
        if (n && delete_rows(db, ids, n) < 0) {
            /* the database is busy: the next answer brings a new batch, exit flushes the rest */
            wh_warn("msgq: cannot delete %zu answered messages: %s", n, wh_last_error());
            put_back(ids, n);
            pthread_mutex_lock(&mu);
            flush_queued = 0;
            pthread_mutex_unlock(&mu);
            return;
        }
        free(ids);
        pthread_mutex_lock(&mu);
        int done = nanswered == 0;
        if (done)
            flush_queued = 0;
        pthread_mutex_unlock(&mu);
        if (done)
            return;
    }
}

static void flush_drop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    flush_queued = 0;
    pthread_mutex_unlock(&mu);
}

/* any thread: the row's call has its final answer */
static void forget(int64_t row)
{
    pthread_mutex_lock(&mu);
    if (nanswered == capanswered) {
        size_t cap = capanswered ? capanswered * 2 : 64;
        int64_t *g = realloc(answered, cap * sizeof *g);
        if (!g) {
            pthread_mutex_unlock(&mu);
            return; /* sent once more at the next start */
        }
        answered = g;
        capanswered = cap;
    }
    answered[nanswered++] = row;
    int submit = !flush_queued && wh_g.pool && !wh_g.stopping;
    if (submit)
        flush_queued = 1;
    pthread_mutex_unlock(&mu);
    if (submit && wh_pool_submit(wh_g.pool, FLUSH_KEY, flush_job, NULL, flush_drop) != 0)
        flush_drop(NULL);
}

void wh_msgq_flush(wh_db *db)
{
    size_t n;
    int64_t *ids = take(&n);
    if (n && delete_rows(db, ids, n) < 0)
        wh_warn("msgq: %zu answered messages not deleted, they go out again at the next start: %s", n,
                wh_last_error());
    free(ids);
}

/* ---- handing calls to the Telegram client ---- */

/* Telegram answers these when the message is gone or is not a text
 * message; the user should still see the new screen, so it is sent. */
static int replace_instead(const char *desc)
{
    return strstr(desc, "message to edit not found") || strstr(desc, "no text in the message") ||
           strstr(desc, "message can't be edited") || strstr(desc, "MESSAGE_ID_INVALID");
}

static int shutting_down(const wh_tg_result *r)
{
    return !r->ok && r->error_code == 0 && strcmp(r->description, WH_TG_SHUTTING_DOWN) == 0;
}

typedef struct sent {
    int64_t row;
    int64_t chat_id;
    char method[40];
    json_t *fallback;      /* sendMessage parameters of an edit, or NULL */
    json_t *caption;       /* editMessageCaption parameters of an edit that fits a caption, or NULL */
} sent;

static void sent_free(sent *s)
{
    json_decref(s->fallback);
    json_decref(s->caption);
    free(s);
}

static int32_t submit(sent *s, const char *method, json_t *params, const wh_tg_upload *up, uint32_t klass);

static void on_answer(wh_tg_result *r, void *ud)
{
    sent *s = ud;
    if (shutting_down(r)) {
        sent_free(s); /* the row stays: it goes out at the next start */
        return;
    }
    if (!r->ok && r->error_code == 400 && s->caption && strstr(r->description, "no text in the message")) {
        /* a photo's or document's screen: its caption (the row goes along,
         * so a crash now still sends it, and a failure falls back below) */
        json_t *p = s->caption;
        s->caption = NULL;
        snprintf(s->method, sizeof s->method, "editMessageCaption");
        submit(s, "editMessageCaption", p, NULL, WH_TG_INTERACTIVE); /* s goes on with it, or is freed */
        return;
    } else if (!r->ok && r->error_code == 400 && s->fallback && replace_instead(r->description)) {
        json_t *p = s->fallback;
        s->fallback = NULL;
        /* the row goes with the replacement, so a crash now still sends it */
        if (wh_msgq_submit(s->row, "sendMessage", p, NULL, s->chat_id, WH_TG_INTERACTIVE, 0) == 0) {
            sent_free(s);
            return;
        }
    } else if (!r->ok && !(r->error_code == 400 && strstr(r->description, "message is not modified"))) {
        wh_logf(r->error_code == 403 ? WH_LOG_INFO : WH_LOG_WARN, "tg", "%s to chat %lld failed: %d %s", s->method,
                (long long)s->chat_id, r->error_code, r->description);
    }
    if (s->row)
        forget(s->row);
    sent_free(s);
}

int32_t wh_msgq_submit(int64_t row, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                       uint32_t klass, uint32_t flags)
{
    sent *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(params);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    s->row = row;
    s->chat_id = chat_id;
    snprintf(s->method, sizeof s->method, "%s", method);
    if ((flags & WH_MSG_FALLBACK) && params) {
        s->fallback = json_deep_copy(params);
        json_object_del(s->fallback, "message_id");
    }
    if ((flags & WH_MSG_CAPTION) && params) {
        s->caption = json_deep_copy(params);
        json_object_set(s->caption, "caption", json_object_get(params, "text"));
        json_object_del(s->caption, "text");
        json_object_del(s->caption, "link_preview_options");
    }
    return submit(s, method, params, up, klass);
}

/* hands the call over with s as its completion; s is freed on failure */
static int32_t submit(sent *s, const char *method, json_t *params, const wh_tg_upload *up, uint32_t klass)
{
    int32_t rc = wh_tg_call_cb(wh_g.tg, method, params, up, s->chat_id, klass, on_answer, s);
    if (rc < 0)
        sent_free(s); /* a stored row goes out at the next start */
    return rc;
}

int32_t wh_msgq_call(int64_t row, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                     uint32_t klass, wh_tg_result *out)
{
    int32_t rc = wh_tg_call(wh_g.tg, method, params, up, chat_id, klass, out);
    if (rc == 0 && row && !shutting_down(out))
        forget(row);
    return rc;
}

/* Several instances: the rows of instances that are gone (no connection
 * under their name) become this one's, marked with a claim of their own
 * so that only they are read back. 0 nothing claimed, 1 claimed, < 0. */
static int32_t take_over(wh_db *db, int64_t claim)
{
    int32_t rc = wh_db_exec(db,
                            "UPDATE wh_msgq SET owner = ?, claim = ? WHERE owner IS NULL OR owner NOT IN "
                            "(SELECT application_name FROM pg_stat_activity WHERE datname = current_database())",
                            WALOR_ARGS(walor_s(wh_db_app_name()), walor_i(claim)));
    return rc < 0 ? rc : rc > 0;
}

int32_t wh_msgq_resend(wh_db *db)
{
    wh_rows *r = NULL;
    int32_t rc;
    if (wh_db_shared(db)) {
        static _Atomic int64_t claims;
        int64_t claim = ((int64_t)getpid() << 24) + ++claims;
        if ((rc = take_over(db, claim)) <= 0)
            return rc;
        rc = wh_db_query(db,
                         "SELECT id, chat_id, method, klass, flags, body, up_field, up_name, up_mime, up_data "
                         "FROM wh_msgq WHERE claim = ? ORDER BY id",
                         WALOR_ARGS(walor_i(claim)), &r);
    } else {
        rc = wh_db_query(db,
                         "SELECT id, chat_id, method, klass, flags, body, up_field, up_name, up_mime, up_data "
                         "FROM wh_msgq ORDER BY id",
                         NULL, 0, &r);
    }
    if (rc < 0)
        return rc;
    int32_t n = 0;
    while ((rc = wh_rows_next(r)) == 1) {
        int64_t id = wh_rows_int(r, 0);
        const char *body = wh_rows_text(r, 5);
        json_t *params = body ? json_loads(body, 0, NULL) : NULL;
        if (!json_is_object(params)) {
            /* cannot happen unless the row was edited by hand: drop it, keep the others */
            wh_warn("msgq: message %lld has an unreadable body, dropped", (long long)id);
            json_decref(params);
            forget(id);
            continue;
        }
        wh_tg_upload up = {0};
        int has_up = wh_rows_text(r, 6) != NULL;
        if (has_up) {
            size_t len = 0;
            const void *data = wh_rows_blob(r, 9, &len);
            up = (wh_tg_upload){.field = wh_rows_text(r, 6), .filename = wh_rows_text(r, 7),
                                .mime = wh_rows_text(r, 8), .data = data ? data : "", .len = len};
        }
        /* the upload is copied by the call, so the row's buffers may go */
        if (wh_msgq_submit(id, wh_rows_text(r, 2), params, has_up ? &up : NULL, wh_rows_int(r, 1),
                           (uint32_t)wh_rows_int(r, 3), (uint32_t)wh_rows_int(r, 4)) == 0)
            n++;
    }
    wh_rows_close(r);
    return rc < 0 ? rc : n;
}

void wh_msgq_install(void)
{
    static const wh_unit_sender sender = {wh_msgq_store, wh_msgq_submit, wh_msgq_call};
    wh_unit_set_sender(&sender);
}
