#include "inbox.h"

#include <stdlib.h>
#include <string.h>

#include <walor/types.h>

#include "error.h"
#include "log.h"
#include "tg_parse.h"

static const wh_migration inbox_migrations[] = {
    {1,
     "CREATE TABLE wh_inbox ("
     "  update_id INTEGER PRIMARY KEY,"
     "  chat_id INTEGER NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  body TEXT NOT NULL,"
     "  received_at INTEGER NOT NULL,"
     "  attempts INTEGER NOT NULL DEFAULT 0,"
     "  done_at INTEGER);"
     /* partial indexes: pending rows are few and hot, done ones many and cold */
     "CREATE INDEX wh_inbox_pending ON wh_inbox(update_id) WHERE done_at IS NULL;"
     "CREATE INDEX wh_inbox_done ON wh_inbox(done_at) WHERE done_at IS NOT NULL;"},
    /* updates set aside instead of handled: for the owner, kept until deleted by hand */
    {2, "CREATE TABLE wh_quarantine ("
        "  update_id INTEGER PRIMARY KEY,"
        "  received_at INTEGER NOT NULL,"
        "  reason TEXT NOT NULL,"
        "  body TEXT NOT NULL);"},
};

int32_t wh_inbox_migrate(wh_db *db)
{
    return wh_db_migrate(db, "host.inbox", inbox_migrations,
                         sizeof inbox_migrations / sizeof *inbox_migrations);
}

static int by_update_id(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "update_id"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "update_id"));
    return (x > y) - (x < y);
}

/* 1 if a string anywhere in v holds a NUL character */
static int has_nul(json_t *v)
{
    if (json_is_string(v))
        return strlen(json_string_value(v)) != json_string_length(v);
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, x)
            if (has_nul(x))
                return 1;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            if (has_nul(x))
                return 1;
    }
    return 0;
}

const char *wh_update_set_aside_reason(json_t *update)
{
    json_t *bad = json_object_get(update, WH_UPDATE_UNPARSED);
    if (bad) {
        const char *e = json_string_value(json_object_get(bad, "error"));
        return e && *e ? e : "unparseable";
    }
    /* C strings end at the first NUL: a plugin would see another text or
     * callback data than the user sent. No update with one reaches them. */
    if (has_nul(update))
        return "a string holds a NUL character (\\u0000)";
    return NULL;
}

int32_t wh_inbox_store(wh_db *db, json_t *updates, int64_t now, json_t **fresh, json_t **set_aside)
{
    *fresh = NULL;
    if (set_aside)
        *set_aside = NULL;
    if (!json_is_array(updates))
        return wh_error(WALOR_EINVAL, "inbox: updates is not an array");

    size_t n = json_array_size(updates);
    json_t **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return wh_error(WALOR_ENOMEM, "inbox: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *u = json_array_get(updates, i);
        if (!json_is_integer(json_object_get(u, "update_id"))) {
            wh_warn("inbox: skipping an update without update_id");
            continue;
        }
        sorted[m++] = u;
    }
    /* Telegram sends them in order; sorting makes the contract hold for
     * webhook batches and tests too */
    qsort(sorted, m, sizeof *sorted, by_update_id);

    json_t *out = json_array(), *aside = json_array();
    int32_t rc = out && aside ? wh_db_begin(db) : wh_error(WALOR_ENOMEM, "inbox: out of memory");
    for (size_t i = 0; rc >= 0 && i < m; i++) {
        json_t *u = sorted[i];
        int64_t id = (int64_t)json_integer_value(json_object_get(u, "update_id"));
        const char *why = wh_update_set_aside_reason(u);
        char *body = json_dumps(u, JSON_COMPACT);
        if (!body) {
            rc = wh_error(WALOR_ENOMEM, "inbox: cannot serialise an update");
            break;
        }
        /* attempts counts the runs after a crash (main.c): the normal path
         * needs no extra write. One set aside is stored as done: it
         * confirms its update_id like any other and is never handled. */
        rc = wh_db_exec(db,
                        "INSERT INTO wh_inbox(update_id, chat_id, kind, body, received_at, attempts, done_at) "
                        "VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT (update_id) DO NOTHING",
                        WALOR_ARGS(walor_i(id), walor_i(why ? 0 : wh_update_chat_id(u)),
                                   walor_s(why ? "set aside" : wh_update_kind(u)), walor_s(body), walor_i(now),
                                   why ? walor_i(now) : walor_null()));
        if (rc == 1 && why) {
            rc = wh_db_exec(db, "INSERT INTO wh_quarantine(update_id, received_at, reason, body) VALUES (?, ?, ?, ?) "
                                "ON CONFLICT (update_id) DO NOTHING",
                            WALOR_ARGS(walor_i(id), walor_i(now), walor_s(why), walor_s(body)));
            /* a button press is still answered, so the user's spinner stops */
            const char *qid = json_string_value(json_object_get(json_object_get(u, "callback_query"), "id"));
            json_t *e = json_pack("{s:I, s:s}", "update_id", (json_int_t)id, "reason", why);
            if (e && qid && strlen(qid) == json_string_length(json_object_get(json_object_get(u, "callback_query"),
                                                                               "id")))
                json_object_set_new(e, "callback_query_id", json_string(qid));
            if (rc >= 0 && (!e || json_array_append_new(aside, e) != 0))
                rc = wh_error(WALOR_ENOMEM, "inbox: out of memory");
        } else if (rc == 1 && json_array_append(out, u) != 0) {
            rc = wh_error(WALOR_ENOMEM, "inbox: out of memory");
        }
        free(body);
    }
    free(sorted);
    if (rc >= 0)
        rc = wh_db_commit(db);
    if (rc < 0) {
        if (out && wh_db_in_tx(db))
            wh_db_rollback(db);
        json_decref(out);
        json_decref(aside);
        return rc;
    }
    *fresh = out;
    if (set_aside)
        *set_aside = aside;
    else
        json_decref(aside);
    return 0;
}

/* The pending updates a query yields (update_id, body[, received_at]), in
 * its order: the updates, or with_at {"u": update, "at": received_at}. */
static int32_t collect(wh_db *db, const char *sql, const walor_val *args, uint32_t nargs, int with_at, json_t **out)
{
    *out = NULL;
    json_t *arr = json_array();
    if (!arr)
        return wh_error(WALOR_ENOMEM, "inbox: out of memory");
    wh_rows *r;
    int32_t rc = wh_db_query(db, sql, args, nargs, &r);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    while ((rc = wh_rows_next(r)) == 1) {
        json_error_t jerr;
        const char *body = wh_rows_text(r, 1);
        json_t *u = body ? json_loads(body, 0, &jerr) : NULL;
        if (!u) {
            /* cannot happen unless the row was edited by hand; keep going so one
             * bad row does not stop every other pending update */
            wh_warn("inbox: update %lld has an unreadable body", (long long)wh_rows_int(r, 0));
            continue;
        }
        if (with_at)
            u = json_pack("{s:o, s:I}", "u", u, "at", (json_int_t)wh_rows_int(r, 2));
        if (!u || json_array_append_new(arr, u) != 0) {
            rc = wh_error(WALOR_ENOMEM, "inbox: out of memory");
            break;
        }
    }
    wh_rows_close(r);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int32_t wh_inbox_pending(wh_db *db, json_t **out)
{
    return collect(db, "SELECT update_id, body FROM wh_inbox WHERE done_at IS NULL ORDER BY update_id", NULL, 0, 0,
                   out);
}

int32_t wh_inbox_chat_pending(wh_db *db, int64_t chat_id, int64_t upto, json_t **out)
{
    if (!chat_id)
        return collect(db, "SELECT update_id, body, received_at FROM wh_inbox WHERE update_id = ? AND done_at IS NULL",
                       WALOR_ARGS(walor_i(upto)), 1, out);
    return collect(db,
                   "SELECT update_id, body, received_at FROM wh_inbox WHERE chat_id = ? AND update_id <= ? "
                   "AND done_at IS NULL ORDER BY update_id",
                   WALOR_ARGS(walor_i(chat_id), walor_i(upto)), 1, out);
}

int32_t wh_inbox_attempt(wh_db *db, int64_t update_id, int64_t *attempts_after)
{
    int32_t rc = wh_db_exec(db, "UPDATE wh_inbox SET attempts = attempts + 1 WHERE update_id = ?",
                            WALOR_ARGS(walor_i(update_id)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return wh_error(WALOR_ENOTFOUND, "inbox: no update %lld", (long long)update_id);
    int64_t n = 0;
    rc = wh_db_int(db, "SELECT attempts FROM wh_inbox WHERE update_id = ?", WALOR_ARGS(walor_i(update_id)), &n);
    if (rc < 0)
        return rc;
    if (attempts_after)
        *attempts_after = n;
    return 0;
}

int32_t wh_inbox_done(wh_db *db, int64_t update_id, int64_t now)
{
    int32_t rc = wh_db_exec(db, "UPDATE wh_inbox SET done_at = ? WHERE update_id = ?",
                            WALOR_ARGS(walor_i(now), walor_i(update_id)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return wh_error(WALOR_ENOTFOUND, "inbox: no update %lld", (long long)update_id);
    return 0;
}

int32_t wh_inbox_settle(wh_db *db, int64_t update_id, int64_t now)
{
    int32_t rc = wh_db_exec(db, "UPDATE wh_inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL",
                            WALOR_ARGS(walor_i(now), walor_i(update_id)));
    return rc < 0 ? rc : rc == 1;
}

int32_t wh_inbox_prune(wh_db *db, int64_t done_before)
{
    return wh_db_exec(db,
                      "DELETE FROM wh_inbox WHERE done_at IS NOT NULL AND done_at < ? "
                      "AND update_id < (SELECT MAX(update_id) FROM wh_inbox)",
                      WALOR_ARGS(walor_i(done_before)));
}

int64_t wh_inbox_max_id(wh_db *db)
{
    int64_t max = 0;
    int32_t rc = wh_db_int(db, "SELECT COALESCE(MAX(update_id), 0) FROM wh_inbox", NULL, 0, &max);
    return rc < 0 ? rc : max;
}

/* the payload object: the one member besides update_id */
static json_t *payload(json_t *update, const char **kind)
{
    const char *k;
    json_t *v;
    json_object_foreach(update, k, v) {
        if (json_is_object(v)) {
            if (kind)
                *kind = k;
            return v;
        }
    }
    return NULL;
}

static int64_t id_at(json_t *obj, const char *member)
{
    json_t *id = json_object_get(json_object_get(obj, member), "id");
    return json_is_integer(id) ? (int64_t)json_integer_value(id) : 0;
}

int64_t wh_update_chat_id(json_t *update)
{
    json_t *p = payload(update, NULL);
    if (!p)
        return 0;
    int64_t id;
    if ((id = id_at(p, "chat")))          /* messages, posts, member updates, join requests */
        return id;
    if ((id = id_at(json_object_get(p, "message"), "chat"))) /* callback_query */
        return id;
    if ((id = id_at(p, "from")))          /* inline, pre_checkout, shipping, callbacks on inline messages */
        return id;
    return id_at(p, "user");              /* poll_answer, reactions without a chat */
}

const char *wh_update_kind(json_t *update)
{
    const char *kind = "unknown";
    payload(update, &kind);
    return kind;
}
