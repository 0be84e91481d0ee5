/* Events: the transactional outbox (ARCHITECTURE.md §4).
 *
 * walor_event_emit() writes the event into wh_events, plus one row in
 * wh_event_deliveries per live subscriber, on the caller's connection and
 * inside the caller's transaction when one is open: the event exists exactly
 * when the change that caused it committed. Delivery rows are made at emit
 * time rather than derived later so that "what is left to deliver" is a
 * small indexed set (the pending rows) instead of a scan of the whole log.
 *
 * Delivery runs on the worker pool. A scan (after a kick, and every second
 * by a timer: retries, and events committed before a crash) finds, for each
 * (subscriber, aggregate), the oldest pending delivery and, if it is due,
 * starts one group job for that pair. The group job delivers the pair's
 * events one by one in event id order, each in a unit of work (unit.h)
 * whose done mark is the delivery row: the subscriber's own begin/commit
 * nest inside it, and its database effect and "delivered" commit together.
 * A crash anywhere re-delivers an event whose effect is not there, never
 * one whose effect is.
 *
 * Failures: the transaction is rolled back, the attempt counted, and the
 * delivery retried after 1, 2, 4 … 60 s, up to MAX_ATTEMPTS; then it is
 * marked failed (given up) and the owner has had a report for each attempt.
 * While a delivery waits for its retry, later events of the SAME aggregate
 * wait for that subscriber too (order per aggregate is what subscribers
 * rely on: "paid" must not overtake "created"); other aggregates and other
 * subscribers go on. Once given up, the aggregate moves on.
 *
 * Pool keys come from (subscriber, aggregate), so one pair's events run one
 * at a time and different pairs in parallel. A subscriber that is not
 * loaded (disabled, refused) keeps its pending rows: it gets them when it
 * is back. Events whose deliveries are all settled are pruned after 7 days. */
#include "scheduler.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "i64map.h"
#include "log.h"
#include "pool.h"
#include "registry.h"
#include "report.h"
#include "svc.h"
#include "storage.h"
#include "unit.h"

#define EVENT_NAME_MAX 64
#define AGGREGATE_MAX 200
#define MAX_ATTEMPTS 8
#define BACKOFF_CAP_S 60
#define SWEEP_MS 1000          /* retries are due to the second; a cheap indexed query */
#define PRUNE_EVERY_S 600
#define KEEP_S (7 * 86400)
#define PRUNE_BATCH 5000       /* keeps each delete short: workers write too */

typedef struct sub {
    wh_plugin *p;
    char *event;
    walor_event_fn fn;
} sub;

static WH_VEC(sub) subs;

static const wh_migration migrations[] = {
    {1, "CREATE TABLE wh_events ("
        " id INTEGER PRIMARY KEY,"
        " event TEXT NOT NULL,"
        " aggregate TEXT NOT NULL,"      /* '' = the one global order */
        " payload TEXT NOT NULL,"
        " created_at INTEGER NOT NULL);"
        "CREATE INDEX wh_events_created ON wh_events(created_at);"
        "CREATE TABLE wh_event_deliveries ("
        " event_id INTEGER NOT NULL REFERENCES wh_events(id) ON DELETE CASCADE,"
        " plugin TEXT NOT NULL,"
        " aggregate TEXT NOT NULL,"      /* copy of the event's, for the index below */
        " delivered_at INTEGER,"
        " failed_at INTEGER,"            /* given up after the last attempt */
        " attempts INTEGER NOT NULL DEFAULT 0,"
        " next_try INTEGER NOT NULL DEFAULT 0,"
        " last_error TEXT,"
        " PRIMARY KEY (event_id, plugin));"
        "CREATE INDEX wh_event_deliveries_pending ON wh_event_deliveries(plugin, aggregate, event_id)"
        " WHERE delivered_at IS NULL AND failed_at IS NULL;"},
};

/* ---- registration ---- */

/* the live subscription of p to event, or NULL */
static const sub *find_sub(const wh_plugin *p, const char *event)
{
    for (size_t i = 0; i < subs.n; i++)
        if (subs.v[i].p == p && !p->dead && strcmp(subs.v[i].event, event) == 0)
            return &subs.v[i];
    return NULL;
}

static int32_t reg_subscribe(walor_plugin *p, const char *event, walor_event_fn fn)
{
    if (!p || p->kind != WH_KIND_PLUGIN || !p->loading)
        return wh_error(WALOR_EPHASE, "registration is only allowed inside load()");
    if (!wh_name_ok(event, EVENT_NAME_MAX, "."))
        return wh_error(WALOR_EINVAL, "event name must be [a-z0-9_.]{1,%d}", EVENT_NAME_MAX);
    if (!fn)
        return wh_error(WALOR_EINVAL, "subscriber of %s: NULL function", event);
    /* one delivery row per (event, plugin): two handlers would share it */
    if (find_sub(p, event))
        return wh_error(WALOR_EEXIST, "%s already subscribes to %s", p->name, event);
    char *copy = strdup(event);
    if (!copy)
        return wh_error(WALOR_ENOMEM, "out of memory");
    *WH_PUSH(subs) = (sub){.p = p, .event = copy, .fn = fn};
    return 0;
}

/* ---- emit ---- */

/* The payload as stored: a compact copy with "v" (schema version) added
 * when the plugin left it out. NULL with the error set. */
static char *payload_text(const char *event, json_t *payload)
{
    if (payload && !json_is_object(payload)) {
        wh_error(WALOR_EINVAL, "event %s: the payload must be a JSON object", event);
        return NULL;
    }
    json_t *v = payload ? json_object_get(payload, "v") : NULL;
    if (v && (!json_is_integer(v) || json_integer_value(v) < 1)) {
        wh_error(WALOR_EINVAL, "event %s: \"v\" (the payload's schema version) must be an integer >= 1", event);
        return NULL;
    }
    char *text;
    if (v) {
        text = json_dumps(payload, JSON_COMPACT);
    } else {
        json_t *copy = payload ? json_copy(payload) : json_object();
        if (!copy || json_object_set_new(copy, "v", json_integer(1)) != 0) {
            json_decref(copy);
            wh_error(WALOR_ENOMEM, "out of memory");
            return NULL;
        }
        text = json_dumps(copy, JSON_COMPACT);
        json_decref(copy);
    }
    if (!text)
        wh_error(WALOR_EINVAL, "event %s: the payload cannot be serialized", event);
    return text;
}

static int32_t insert_event(wh_db *db, const char *event, const char *aggregate, const char *text)
{
    int64_t id = 0;
    int32_t rc = wh_db_int(db,
                           "INSERT INTO wh_events(event, aggregate, payload, created_at) VALUES (?, ?, ?, ?) "
                           "RETURNING id",
                           WALOR_ARGS(walor_s(event), walor_s(aggregate), walor_s(text), walor_i(wh_now())), &id);
    for (size_t i = 0; rc >= 0 && i < subs.n; i++) {
        if (subs.v[i].p->dead || strcmp(subs.v[i].event, event) != 0)
            continue;
        rc = wh_db_exec(db, "INSERT INTO wh_event_deliveries(event_id, plugin, aggregate) VALUES (?, ?, ?)",
                        WALOR_ARGS(walor_i(id), walor_s(subs.v[i].p->name), walor_s(aggregate)));
    }
    return rc < 0 ? rc : 0;
}

static int32_t event_emit(walor_ctx *c, const char *event, const char *aggregate, json_t *payload)
{
    if (!c || c->kind != WH_KIND_CTX || !c->w)
        return wh_error(WALOR_EPHASE, "event_emit needs a callback context");
    if (!wh_name_ok(event, EVENT_NAME_MAX, "."))
        return wh_error(WALOR_EINVAL, "event name must be [a-z0-9_.]{1,%d}", EVENT_NAME_MAX);
    if (!aggregate)
        aggregate = "";
    if (strlen(aggregate) > AGGREGATE_MAX)
        return wh_error(WALOR_EINVAL, "event %s: aggregate longer than %d bytes", event, AGGREGATE_MAX);
    char *text = payload_text(event, payload);
    if (!text)
        return WALOR_EINVAL;
    wh_db *db = c->w->db;
    int32_t rc;
    if (wh_db_in_tx(db) || c->unit.armed) {
        /* the caller's transaction or its unit of work (which opens at this
         * insert): it commits or not, and whoever commits it kicks the
         * delivery */
        rc = insert_event(db, event, aggregate, text);
        if (rc == 0)
            c->emitted = 1;
        /* on failure part of the event may be written: the caller, who got
         * an error inside its transaction, is expected to roll back */
    } else {
        rc = wh_db_begin(db);
        if (rc == 0) {
            rc = insert_event(db, event, aggregate, text);
            rc = rc == 0 ? wh_db_commit(db) : (wh_db_rollback(db), rc);
        }
        if (rc == 0)
            wh_events_kick();
    }
    free(text);
    return rc;
}

/* ---- delivery ---- */

static uv_async_t kick_async;
static uv_timer_t sweep_timer;
static _Atomic int running;      /* the handles above are live */
static _Atomic int stopping;
static _Atomic int scan_busy;    /* a scan job is queued or running */
static _Atomic int scan_dirty;   /* something committed since the scan looked */
static _Atomic int64_t last_prune;

/* the scan's SQL, with one ? per loaded subscriber plugin (built at start,
 * after every plugin loaded; read-only afterwards) */
static char *scan_sql;
static const char **scan_plugins;
static size_t nscan_plugins;

/* (plugin, aggregate) pairs with a group job queued or running */
typedef struct group {
    int64_t key;
    wh_plugin *p;
    char *aggregate;
    int again;                   /* the scan found work while the job ran: look once more */
} group;

static pthread_mutex_t groups_mu = PTHREAD_MUTEX_INITIALIZER;
static wh_i64map groups;

/* Pool key of a pair: FNV-1a of "plugin\0aggregate", moved below -2^62 so
 * it never shares a queue with a chat (Telegram ids are within ±2^53). */
static int64_t group_key(const char *plugin, const char *aggregate)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = plugin; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h *= 1099511628211ULL; /* the separator */
    for (const char *s = aggregate; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return INT64_MIN + 16 + (int64_t)(h >> 3);
}

static int64_t backoff_s(int64_t attempts)
{
    if (attempts < 1)
        return 1;
    if (attempts > 7)
        return BACKOFF_CAP_S;
    int64_t s = (int64_t)1 << (attempts - 1);
    return s < BACKOFF_CAP_S ? s : BACKOFF_CAP_S;
}

static void record_failure(wh_db *db, int64_t id, const char *plugin, int64_t attempts, const char *detail,
                           int give_up)
{
    int64_t now = wh_now();
    int32_t rc = wh_db_exec(db,
                            "UPDATE wh_event_deliveries SET attempts = ?, last_error = ?, next_try = ?, failed_at = ? "
                            "WHERE event_id = ? AND plugin = ?",
                            WALOR_ARGS(walor_i(attempts), walor_s(detail), walor_i(now + backoff_s(attempts)),
                                       give_up ? walor_i(now) : walor_null(), walor_i(id), walor_s(plugin)));
    if (rc < 0) /* the attempt is not counted: it is retried at the next sweep */
        wh_warn("event #%lld to %s: cannot record the failed attempt: %s", (long long)id, plugin, wh_last_error());
}

typedef struct delivery {
    int64_t id;
    const char *plugin;
} delivery;

/* the done mark of a delivery, in the subscriber's unit of work */
static int32_t delivered_mark(walor_ctx *c, void *arg)
{
    const delivery *d = arg;
    int32_t rc = wh_db_exec(c->w->db,
                            "UPDATE wh_event_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
                            "WHERE event_id = ? AND plugin = ? AND delivered_at IS NULL AND failed_at IS NULL",
                            WALOR_ARGS(walor_i(wh_now()), walor_i(d->id), walor_s(d->plugin)));
    if (rc < 0)
        return rc;
    /* 0 rows: settled meanwhile by another process on the same database,
     * so this run's effect must not count twice */
    return rc == 1 ? 0 : WH_UNIT_GONE;
}

/* Delivers event id to g's subscriber in a unit of work whose done mark is
 * the delivery row (unit.h): its writes and "delivered" commit together.
 * 1: settled (delivered or given up), look at the next; 0: failed, wait
 * for the retry; -1: the host could not try (database busy): the sweep
 * comes back. */
static int deliver(wh_worker *w, group *g, int64_t id, const char *event, const char *text, int64_t attempts)
{
    const char *plugin = g->p->name;
    const sub *s = find_sub(g->p, event);
    if (!s) {
        /* e.g. a newer version of the plugin dropped the subscription */
        record_failure(w->db, id, plugin, attempts, "the plugin no longer subscribes to this event", 1);
        wh_warn("event %s #%lld: %s no longer subscribes to it: dropped", event, (long long)id, plugin);
        return 1;
    }
    walor_ctx c;
    wh_ctx_init(&c, w);
    c.plugin = g->p;
    delivery d = {id, plugin};
    wh_unit_arm(&c, delivered_mark, &d, WH_UNIT_MARK_EARLY);
    uint64_t storage_errors = wh_storage_thread_errors();
    json_t *payload = json_loads(text, 0, NULL);
    char detail[700] = "";
    int ok = 0;
    if (!payload) {
        snprintf(detail, sizeof detail, "the stored payload is not valid JSON");
    } else {
        wh_clear_error();
        storage_errors = wh_storage_thread_errors();
        int32_t rc = s->fn(&c, event, payload);
        if (rc < 0) {
            snprintf(detail, sizeof detail, "%s%s%s", wh_strerror(rc), *wh_last_error() ? ": " : "",
                     wh_last_error());
        } else {
            rc = wh_unit_commit(&c);
            if (rc == WH_UNIT_GONE) {
                wh_ctx_finish(&c);
                json_decref(payload);
                return 1;
            }
            if (rc < 0)
                snprintf(detail, sizeof detail, "%s", wh_last_error());
            else
                ok = 1;
        }
    }
    int give_up = 0, settled = c.unit.marked;
    if (!ok && !settled && wh_storage_thread_errors() != storage_errors) {
        /* the storage failed, not the subscriber: no attempt counted, no
         * report (the storage watcher tells the owners once); the sweep
         * delivers it once writes work again */
        wh_unit_rollback(&c);
        wh_logf(WH_LOG_WARN, plugin, "event %s #%lld could not be delivered (the database's storage fails): held",
                event, (long long)id);
        wh_ctx_finish(&c);
        json_decref(payload);
        return -1;
    }
    if (!ok) {
        wh_unit_rollback(&c);
        char where[96];
        snprintf(where, sizeof where, "event %s", event);
        wh_report_failure(&c, plugin, where, detail);
    }
    wh_ctx_finish(&c);
    json_decref(payload);
    if (ok) {
        wh_logf(WH_LOG_DEBUG, plugin, "event %s #%lld delivered", event, (long long)id);
        return 1;
    }
    if (settled) {
        /* a network wait committed the delivery with what came before it */
        wh_logf(WH_LOG_ERROR, plugin, "event %s #%lld failed after its delivery was recorded, not retried: %s", event,
                (long long)id, detail);
        return 1;
    }
    attempts++;
    give_up = attempts >= MAX_ATTEMPTS;
    record_failure(w->db, id, plugin, attempts, detail, give_up);
    if (give_up)
        wh_logf(WH_LOG_ERROR, plugin, "event %s #%lld (aggregate '%s') given up after %lld attempts: %s", event,
                (long long)id, g->aggregate, (long long)attempts, detail);
    else
        wh_logf(WH_LOG_WARN, plugin, "event %s #%lld (aggregate '%s') attempt %lld failed, retry in %lld s: %s", event,
                (long long)id, g->aggregate, (long long)attempts, (long long)backoff_s(attempts), detail);
    return give_up ? 1 : 0;
}

/* the oldest pending delivery of g, if due: 1 settled, 0 nothing (more) to do now, -1 error */
static int deliver_next(wh_worker *w, group *g)
{
    wh_rows *r = NULL;
    if (wh_db_query(w->db,
                    "SELECT d.event_id, e.event, e.payload, d.attempts, d.next_try "
                    "FROM wh_event_deliveries d JOIN wh_events e ON e.id = d.event_id "
                    "WHERE d.plugin = ? AND d.aggregate = ? AND d.delivered_at IS NULL AND d.failed_at IS NULL "
                    "ORDER BY d.event_id LIMIT 1",
                    WALOR_ARGS(walor_s(g->p->name), walor_s(g->aggregate)), &r) < 0) {
        wh_warn("events: reading deliveries of %s failed: %s", g->p->name, wh_last_error());
        return -1;
    }
    int got = wh_rows_next(r);
    int64_t id = 0, attempts = 0, next_try = 0;
    char *event = NULL, *text = NULL;
    if (got == 1) {
        id = wh_rows_int(r, 0);
        event = strdup(wh_rows_text(r, 1) ? wh_rows_text(r, 1) : "");
        text = strdup(wh_rows_text(r, 2) ? wh_rows_text(r, 2) : "");
        attempts = wh_rows_int(r, 3);
        next_try = wh_rows_int(r, 4);
    }
    wh_rows_close(r);
    int res;
    if (got != 1)
        res = got < 0 ? -1 : 0;
    else if (!event || !text)
        res = -1;
    else if (next_try > wh_now())
        res = 0; /* waiting for its retry; the later events of this aggregate wait with it */
    else
        res = deliver(w, g, id, event, text, attempts);
    free(event);
    free(text);
    return res;
}

static void group_free(group *g)
{
    free(g->aggregate);
    free(g);
}

static void group_forget(group *g)
{
    pthread_mutex_lock(&groups_mu);
    if (wh_i64map_get(&groups, g->key) == g)
        wh_i64map_del(&groups, g->key);
    pthread_mutex_unlock(&groups_mu);
    group_free(g);
}

static void group_job(void *state, void *arg)
{
    wh_worker *w = state;
    group *g = arg;
    /* one pair's deliveries run on one instance at a time: another one that
     * holds the lock delivers them, and the sweep looks again in a second */
    int32_t got = wh_db_try_lock(w->db, WH_DB_LOCK_EVENT, g->key);
    if (got != 1) {
        group_forget(g);
        return;
    }
    for (;;) {
        while (!atomic_load(&stopping) && deliver_next(w, g) > 0)
            ;
        pthread_mutex_lock(&groups_mu);
        if (g->again && !atomic_load(&stopping)) {
            g->again = 0;
            pthread_mutex_unlock(&groups_mu);
            continue;
        }
        wh_i64map_del(&groups, g->key);
        pthread_mutex_unlock(&groups_mu);
        break;
    }
    wh_db_unlock(w->db, WH_DB_LOCK_EVENT, g->key);
    group_free(g);
}

static void group_drop(void *arg) { group_forget(arg); }

static void start_group(wh_plugin *p, const char *aggregate)
{
    int64_t key = group_key(p->name, aggregate);
    pthread_mutex_lock(&groups_mu);
    group *g = wh_i64map_get(&groups, key);
    if (g) {
        /* running (or a pair with the same hash is): it looks again before it ends */
        g->again = 1;
        pthread_mutex_unlock(&groups_mu);
        return;
    }
    g = calloc(1, sizeof *g);
    char *agg = strdup(aggregate);
    if (!g || !agg || wh_i64map_put(&groups, key, g) != 0) {
        pthread_mutex_unlock(&groups_mu);
        free(g);
        free(agg);
        return; /* out of memory: the next sweep tries again */
    }
    g->key = key;
    g->p = p;
    g->aggregate = agg;
    pthread_mutex_unlock(&groups_mu);
    if (wh_pool_submit(wh_g.pool, key, group_job, g, group_drop) != 0)
        group_forget(g);
}

static wh_plugin *live_subscriber(const char *name)
{
    for (size_t i = 0; i < subs.n; i++)
        if (!subs.v[i].p->dead && strcmp(subs.v[i].p->name, name) == 0)
            return subs.v[i].p;
    return NULL;
}

/* starts a group job for every (subscriber, aggregate) whose oldest pending delivery is due */
static void scan_once(wh_worker *w)
{
    if (!scan_sql)
        return;
    walor_val *args = calloc(nscan_plugins + 1, sizeof *args);
    if (!args)
        return;
    args[0] = walor_i(wh_now());
    for (size_t i = 0; i < nscan_plugins; i++)
        args[i + 1] = walor_s(scan_plugins[i]);
    wh_rows *r = NULL;
    if (wh_db_query(w->db, scan_sql, args, (uint32_t)(nscan_plugins + 1), &r) < 0) {
        wh_warn("events: scan failed: %s", wh_last_error());
        free(args);
        return;
    }
    while (wh_rows_next(r) == 1) {
        wh_plugin *p = live_subscriber(wh_rows_text(r, 0) ? wh_rows_text(r, 0) : "");
        if (p)
            start_group(p, wh_rows_text(r, 1) ? wh_rows_text(r, 1) : "");
    }
    wh_rows_close(r);
    free(args);
}

static void prune(wh_worker *w)
{
    int64_t now = wh_now();
    if (now - atomic_load(&last_prune) < PRUNE_EVERY_S)
        return;
    atomic_store(&last_prune, now);
    int64_t total = 0;
    for (int batch = 0; batch < 20; batch++) {
        /* settled events only; their delivery rows go with them (ON DELETE CASCADE) */
        int32_t n = wh_db_exec(w->db,
                               "DELETE FROM wh_events WHERE id IN (SELECT e.id FROM wh_events e WHERE e.created_at < ? "
                               "AND NOT EXISTS (SELECT 1 FROM wh_event_deliveries d WHERE d.event_id = e.id "
                               "AND d.delivered_at IS NULL AND d.failed_at IS NULL) LIMIT ?)",
                               WALOR_ARGS(walor_i(now - KEEP_S), walor_i(PRUNE_BATCH)));
        if (n < 0) {
            wh_warn("events: pruning old events failed: %s", wh_last_error());
            break;
        }
        total += n;
        if (n < PRUNE_BATCH)
            break;
    }
    if (total)
        wh_info("events: pruned %lld settled events older than 7 days", (long long)total);
}

static void submit_scan(void);

static void scan_job(void *state, void *arg)
{
    (void)arg;
    wh_worker *w = state;
    prune(w);
    do {
        atomic_store(&scan_dirty, 0);
        scan_once(w);
    } while (atomic_load(&scan_dirty) && !atomic_load(&stopping));
    atomic_store(&scan_busy, 0);
    /* a kick between the last look and the line above found the scan busy */
    if (atomic_load(&scan_dirty) && !atomic_load(&stopping))
        submit_scan();
}

static void scan_drop(void *arg)
{
    (void)arg;
    atomic_store(&scan_busy, 0);
}

static void submit_scan(void)
{
    if (!wh_storage_ok())
        return; /* the sweep looks again every second */
    int idle = 0;
    if (!wh_g.pool || !atomic_compare_exchange_strong(&scan_busy, &idle, 1))
        return;
    /* a key of its own: a scan never waits behind a chat's updates */
    if (wh_pool_submit(wh_g.pool, INT64_MIN + 1, scan_job, NULL, scan_drop) != 0)
        atomic_store(&scan_busy, 0);
}

static void on_kick(uv_async_t *h)
{
    (void)h;
    submit_scan();
}

static void on_sweep(uv_timer_t *t)
{
    (void)t;
    atomic_store(&scan_dirty, 1);
    submit_scan();
}

void wh_events_kick(void)
{
    atomic_store(&scan_dirty, 1);
    if (atomic_load(&running) && !atomic_load(&stopping))
        uv_async_send(&kick_async);
}

/* the scan query for the subscriber plugins that are loaded now */
static int build_scan(void)
{
    free(scan_sql);
    free(scan_plugins);
    scan_sql = NULL;
    scan_plugins = NULL;
    nscan_plugins = 0;
    if (!subs.n)
        return 0;
    scan_plugins = calloc(subs.n, sizeof *scan_plugins);
    if (!scan_plugins)
        return -1;
    for (size_t i = 0; i < subs.n; i++) {
        if (subs.v[i].p->dead)
            continue;
        int seen = 0;
        for (size_t j = 0; j < nscan_plugins && !seen; j++)
            seen = strcmp(scan_plugins[j], subs.v[i].p->name) == 0;
        if (!seen)
            scan_plugins[nscan_plugins++] = subs.v[i].p->name;
    }
    if (!nscan_plugins)
        return 0;
    static const char head[] =
        "SELECT d.plugin, d.aggregate FROM wh_event_deliveries d "
        "WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_try <= ? "
        "AND NOT EXISTS (SELECT 1 FROM wh_event_deliveries o WHERE o.plugin = d.plugin AND o.aggregate = d.aggregate "
        "AND o.delivered_at IS NULL AND o.failed_at IS NULL AND o.event_id < d.event_id) "
        "AND d.plugin IN (";
    static const char tail[] = ") ORDER BY d.event_id LIMIT 1000";
    size_t len = sizeof head + 3 * nscan_plugins + sizeof tail;
    scan_sql = malloc(len);
    if (!scan_sql)
        return -1;
    char *s = scan_sql;
    s += sprintf(s, "%s", head);
    for (size_t i = 0; i < nscan_plugins; i++)
        s += sprintf(s, "%s?", i ? ", " : "");
    sprintf(s, "%s", tail);
    return 0;
}

int32_t wh_events_migrate(wh_db *db)
{
    return wh_db_migrate(db, "host.events", migrations, sizeof migrations / sizeof *migrations);
}

int wh_events_start(uv_loop_t *loop, wh_db *loop_db)
{
    if (wh_events_migrate(loop_db) < 0) {
        wh_err("events: migrations failed: %s", wh_last_error());
        return -1;
    }
    if (build_scan() != 0) {
        wh_err("events: out of memory");
        return -1;
    }
    if (uv_async_init(loop, &kick_async, on_kick) != 0)
        return -1;
    uv_timer_init(loop, &sweep_timer);
    uv_timer_start(&sweep_timer, on_sweep, SWEEP_MS, SWEEP_MS);
    atomic_store(&stopping, 0);
    atomic_store(&running, 1);
    wh_ctx_set_events_hook(wh_events_kick);
    wh_debug("events: %zu subscriptions of %zu plugins", subs.n, nscan_plugins);
    /* events committed before a stop or a crash are delivered now */
    wh_events_kick();
    return 0;
}

void wh_events_stop(void)
{
    if (!atomic_exchange(&running, 0))
        return;
    /* group jobs stop between two deliveries; the pool drops the queued ones
     * (their rows stay pending in the database for the next start) */
    atomic_store(&stopping, 1);
    uv_close((uv_handle_t *)&kick_async, NULL);
    uv_timer_stop(&sweep_timer);
    uv_close((uv_handle_t *)&sweep_timer, NULL);
}

/* at exit, after the plugins and the workers are gone */
static void free_tables(void)
{
    for (size_t i = 0; i < subs.n; i++)
        free(subs.v[i].event);
    free(subs.v);
    memset(&subs, 0, sizeof subs);
    free(scan_sql);
    free(scan_plugins);
    scan_sql = NULL;
    scan_plugins = NULL;
    wh_i64map_free(&groups);
    wh_svc_free();
}

void wh_events_fill(walor_host_api *api)
{
    static int once;
    if (!once++)
        atexit(free_tables);
    api->reg_subscribe = reg_subscribe;
    api->event_emit = event_emit;
    wh_svc_fill(api);
}
