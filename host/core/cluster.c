/* Several walord instances on one PostgreSQL database: see cluster.h. */
#include "cluster.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "host.h"
#include "i64map.h"
#include "inbox.h"
#include "log.h"
#include "msgq.h"
#include "pool.h"
#include "tg.h"

#define MEMBERS_MS 1000   /* how often the live instances are counted */
#define SWEEP_MS 5000     /* how often unfinished updates are looked for */
#define STALE_S 10        /* pending this long: its instance died, or it crashed one */
#define RESUBMIT_S 30     /* a chat the sweep queued is not queued again before this */
#define LEADER_RETRY_MS 2000
#define SWEEP_KEY (INT64_MIN + 40) /* pool key of the sweep */

static uv_loop_t *loop;
static wh_db *ldb;
static uv_timer_t members_timer, sweep_timer, leader_timer;
static int members_on, sweep_on, leader_on;
static atomic_int instances = 1;
static atomic_int sweep_busy;
static void (*submit_fn)(json_t *u, int rerun);
static int (*leader_start)(void);

static pthread_mutex_t swept_mu = PTHREAD_MUTEX_INITIALIZER;
static wh_i64map swept; /* chat → wh_now() when the sweep last queued it (value cast) */

void wh_cluster_name(void)
{
    char host[24] = "";
    gethostname(host, sizeof host - 1);
    host[strcspn(host, ".")] = '\0';
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char name[64];
    /* pid and a random part: a restarted instance is a new member */
    snprintf(name, sizeof name, "walord %s-%d-%04x", host, (int)getpid(),
             (unsigned)((ts.tv_nsec ^ (ts.tv_sec << 7) ^ getpid()) & 0xffff));
    wh_db_set_app_name(name);
}

int wh_cluster_instances(void) { return atomic_load(&instances); }

/* ---- one chat's updates, in order, one at a time across instances ---- */

static int64_t update_id_of(json_t *u) { return (int64_t)json_integer_value(json_object_get(u, "update_id")); }

void wh_cluster_run(wh_worker *w, json_t *u, int rerun, wh_cluster_run_fn run)
{
    if (!wh_db_shared(w->db)) {
        run(w, u, rerun);
        return;
    }
    int64_t id = update_id_of(u), chat = wh_update_chat_id(u);
    /* blocks while another worker, here or on another instance, runs this chat */
    if (wh_db_lock(w->db, WH_DB_LOCK_CHAT, chat ? chat : id) < 0) {
        wh_warn("update %lld: cannot take its chat's lock: %s (it stays pending)", (long long)id, wh_last_error());
        return;
    }
    json_t *list = NULL;
    if (wh_inbox_chat_pending(w->db, chat, id, &list) < 0)
        wh_warn("update %lld: cannot read its chat's pending updates: %s", (long long)id, wh_last_error());
    int64_t now = wh_now();
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        json_t *p = json_object_get(e, "u");
        /* an earlier one of the chat that waited this long did not just
         * arrive elsewhere: it may have crashed its instance, so it counts */
        int stale = json_integer_value(json_object_get(e, "at")) < now - STALE_S;
        run(w, p, rerun || stale);
    }
    json_decref(list);
    if (wh_db_unlock(w->db, WH_DB_LOCK_CHAT, chat ? chat : id) < 0)
        wh_warn("update %lld: cannot release its chat's lock: %s", (long long)id, wh_last_error());
}

/* ---- the sweep: updates an instance left unfinished ---- */

static void sweep_job(void *state, void *arg)
{
    (void)arg;
    wh_worker *w = state;
    int64_t now = wh_now();
    wh_rows *r = NULL;
    json_t *due = json_array();
    if (due && wh_db_query(w->db,
                           "SELECT update_id, body, chat_id FROM wh_inbox WHERE done_at IS NULL AND received_at < ? "
                           "ORDER BY update_id LIMIT 500",
                           WALOR_ARGS(walor_i(now - STALE_S)), &r) == 0) {
        pthread_mutex_lock(&swept_mu);
        while (wh_rows_next(r) == 1) {
            int64_t chat = wh_rows_int(r, 2);
            int64_t key = chat ? chat : wh_rows_int(r, 0);
            /* a chat queued by an earlier sweep is still waiting for its
                 * lock (a long handler elsewhere): not again so soon */
            intptr_t last = (intptr_t)wh_i64map_get(&swept, key);
            int this_sweep = last == (intptr_t)now;
            if (last && !this_sweep && last > (intptr_t)(now - RESUBMIT_S))
                continue;
            json_error_t jerr;
            const char *body = wh_rows_text(r, 1);
            json_t *u = body ? json_loads(body, 0, &jerr) : NULL;
            if (u) {
                json_array_append_new(due, u);
                wh_i64map_put(&swept, key, (void *)(intptr_t)now);
            }
        }
        pthread_mutex_unlock(&swept_mu);
        wh_rows_close(r);
    }
    if (json_array_size(due))
        wh_info("cluster: %zu unfinished update(s) of other instances or of a crash queued again",
                json_array_size(due));
    size_t i;
    json_t *u;
    json_array_foreach(due, i, u) submit_fn(u, 1);
    json_decref(due);
    /* replies an instance committed and died before sending */
    int32_t n = wh_msgq_resend(w->db);
    if (n > 0)
        wh_info("cluster: %d message(s) of an instance that is gone sent by this one", (int)n);
    atomic_store(&sweep_busy, 0);
}

static void sweep_drop(void *arg)
{
    (void)arg;
    atomic_store(&sweep_busy, 0);
}

static void on_sweep(uv_timer_t *t)
{
    (void)t;
    if (wh_g.stopping || atomic_exchange(&sweep_busy, 1))
        return;
    if (wh_pool_submit(wh_g.pool, SWEEP_KEY, sweep_job, NULL, sweep_drop) != 0)
        atomic_store(&sweep_busy, 0);
}

/* ---- members ---- */

static void count_members(void)
{
    int32_t n = wh_db_instances(ldb);
    if (n < 1)
        return; /* the server did not answer: keep the last count */
    if (atomic_exchange(&instances, n) != n) {
        wh_info("cluster: %d live instance(s): this one sends at 1/%d of the bot's rate", (int)n, (int)n);
        wh_tg_set_share(wh_g.tg, n);
    }
}

static void on_members(uv_timer_t *t)
{
    (void)t;
    count_members();
}

int wh_cluster_start(uv_loop_t *l, wh_db *loop_db, void (*submit)(json_t *u, int rerun))
{
    if (!wh_db_shared(loop_db))
        return 0;
    loop = l;
    ldb = loop_db;
    submit_fn = submit;
    wh_i64map_init(&swept);
    atomic_store(&instances, 1);
    count_members();
    /* until the others have counted this one, they still send at their
     * old share: this instance's own paced sends wait that long */
    wh_tg_hold_bulk(wh_g.tg, 2 * MEMBERS_MS);
    uv_timer_init(loop, &members_timer);
    uv_timer_start(&members_timer, on_members, MEMBERS_MS, MEMBERS_MS);
    members_on = 1;
    uv_timer_init(loop, &sweep_timer);
    uv_timer_start(&sweep_timer, on_sweep, SWEEP_MS, SWEEP_MS);
    sweep_on = 1;
    wh_info("cluster: PostgreSQL shared by %d instance(s)", wh_cluster_instances());
    return 0;
}

static void closed(uv_handle_t *h) { (void)h; }

void wh_cluster_stop(void)
{
    if (members_on)
        uv_close((uv_handle_t *)&members_timer, closed);
    if (sweep_on)
        uv_close((uv_handle_t *)&sweep_timer, closed);
    if (leader_on)
        uv_close((uv_handle_t *)&leader_timer, closed);
    members_on = sweep_on = leader_on = 0;
    pthread_mutex_lock(&swept_mu);
    wh_i64map_free(&swept);
    pthread_mutex_unlock(&swept_mu);
}

/* ---- the one poller ---- */

static void try_lead(uv_timer_t *t)
{
    (void)t;
    if (wh_g.stopping)
        return;
    int32_t got = wh_db_try_lock(ldb, WH_DB_LOCK_POLL, 0);
    if (got == 1) {
        if (leader_on) {
            uv_timer_stop(&leader_timer);
            wh_info("cluster: the polling instance is gone: this one polls now");
        }
        leader_start();
        return;
    }
    if (got < 0)
        wh_warn("cluster: cannot ask who polls: %s", wh_last_error());
    if (!leader_on) {
        wh_info("cluster: another instance polls Telegram; this one stands by");
        fputs("walord: ready (standby: another instance polls)\n", stderr);
        fflush(stderr);
        uv_timer_init(loop, &leader_timer);
        leader_on = 1;
        uv_timer_start(&leader_timer, try_lead, LEADER_RETRY_MS, LEADER_RETRY_MS);
    }
}

int wh_cluster_poll_when_leader(uv_loop_t *l, wh_db *loop_db, int (*start)(void))
{
    if (!wh_db_shared(loop_db))
        return start();
    loop = l;
    ldb = loop_db;
    leader_start = start;
    try_lead(NULL);
    return 0;
}
