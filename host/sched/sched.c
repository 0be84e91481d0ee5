/* The scheduler: cron jobs and one-shot persistent jobs (ARCHITECTURE.md §3).
 *
 * Everything is decided on the loop thread by one uv timer armed for the
 * earliest due time, and every plugin callback runs on the worker pool.
 *
 * Cron jobs live in memory: each has its next fire time (cron.c, in the
 * shop's time zone). When a tick comes while the previous run of the same
 * job is still going, the tick is skipped (logged), so a job never
 * overlaps itself. A failed run (negative return) is reported and retried
 * after 30 s, 1, 2, 4 min (5 attempts) but never past the next regular
 * tick, which is the retry from then on. wh_cron_state keeps, per job, the
 * last run and `checked_at`, the last tick walord dealt with (ran or
 * skipped, or when it first saw the job): a fire time between checked_at
 * and the start means walord was down then, and a job flagged
 * WALOR_CRON_CATCH_UP runs once at start for all such ticks.
 *
 * One-shot jobs are rows of wh_jobs, written on the caller's connection
 * and so inside the caller's transaction when one is open. The timer is
 * armed for the earliest run_at of each registered handler (an indexed
 * lookup per handler); a due handler gets one runner on the pool, which
 * runs that handler's due rows one after another (pool key per job name:
 * the same job never overlaps itself). A row is deleted in the unit of work
 * of a run that returned 0 (unit.h), with that run's writes; a run that
 * waits on the network commits its writes before the wait but keeps the
 * row, so a crash runs it again — at-least-once, handlers that call out
 * must be idempotent; a failure is
 * reported and the row retried with backoff, then kept with its attempts
 * exhausted for `walorctl jobs`. Rows carry a generation bumped by every
 * replace, so a run that finishes after the row was replaced (or the
 * handler rescheduled itself) leaves the new one alone.
 *
 * Wake-ups: job_at from a worker (immediately, or after the callback when
 * inside a transaction: the loop must not look before the commit), a
 * runner that finished, a test clock move. A safety re-evaluation every
 * minute catches wall-clock jumps and rows written by other processes. */
#include "scheduler.h"
#include "storage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "api_slots.h"
#include "cron.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "registry.h"
#include "report.h"
#include "unit.h"

#define JOB_NAME_MAX 48
#define JOB_KEY_MAX 200
#define PAYLOAD_MAX (64 * 1024)
#define MAX_ATTEMPTS 5
#define MAX_ATTEMPTS_SQL "5"   /* the same, inside SQL text (the partial index needs a literal) */
#define BACKOFF_BASE_S 30
#define SAFETY_S 60            /* longest sleep: clock jumps and other writers are seen within it */
#define HOLD_S 5               /* a handler whose rows cannot be read or updated waits this long */
#define BATCH 100              /* rows per runner turn: a handler that keeps rescheduling itself
                                  for "now" cannot hold a worker forever */

typedef struct cron_job {
    wh_plugin *p;
    char *name;
    char *expr;
    wh_cron cron;
    uint32_t flags;
    walor_ctx_fn fn;
    int64_t key;               /* pool key */
    /* under mu */
    int64_t next_fire;
    int64_t retry_at;          /* 0: no retry pending */
    int attempts;              /* failed runs since the last regular tick */
    int running;
} cron_job;

typedef struct job_handler {
    wh_plugin *p;
    char *name;
    walor_job_fn fn;
    int64_t key;
    /* under mu */
    int running;               /* a runner is queued or running */
    int64_t hold_until;
} job_handler;

/* filled during load() on the main thread, fixed from wh_sched_start on */
static WH_VEC(cron_job) crons;
static WH_VEC(job_handler) handlers;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* kick_mu orders uv_async_send from other threads against the close at stop */
static pthread_mutex_t kick_mu = PTHREAD_MUTEX_INITIALIZER;
static uv_timer_t timer;
static uv_async_t wake;
static int live;               /* handles open; under kick_mu (read on the loop without it) */
static _Atomic int stopping;
static wh_db *ldb;             /* the loop thread's connection */

static const wh_migration migrations[] = {
    {1, "CREATE TABLE wh_jobs ("
        " id INTEGER PRIMARY KEY,"
        " plugin TEXT NOT NULL,"
        " name TEXT NOT NULL,"
        " key TEXT,"                     /* NULL: anonymous (never replaced, cannot be cancelled) */
        " run_at INTEGER NOT NULL,"
        " payload TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0,"
        " last_error TEXT,"
        " gen INTEGER NOT NULL DEFAULT 0,"  /* bumped by every replace */
        " created_at INTEGER NOT NULL,"
        " UNIQUE (plugin, name, key));"
        "CREATE INDEX wh_jobs_due ON wh_jobs(plugin, name, run_at) WHERE attempts < " MAX_ATTEMPTS_SQL ";"
        "CREATE TABLE wh_cron_state ("
        " plugin TEXT NOT NULL,"
        " name TEXT NOT NULL,"
        " last_run INTEGER,"             /* start of the last run; NULL: never ran */
        " checked_at INTEGER NOT NULL,"  /* last tick dealt with (catch-up reference) */
        " runs INTEGER NOT NULL DEFAULT 0,"
        " last_error TEXT,"              /* of the last run; NULL: it succeeded */
        " PRIMARY KEY (plugin, name));"},
    /* several instances (PostgreSQL): the last tick one of them took */
    {2, "ALTER TABLE wh_cron_state ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0"},
};

/* ---- helpers ---- */

/* Pool key of a job: FNV-1a of "plugin\0name" in the top 2^61 of int64, so
 * it never shares a queue with a chat (within ±2^53) or an event group
 * (the bottom of the range). */
static int64_t job_key(const char *plugin, const char *name)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = plugin; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h *= 1099511628211ULL;
    for (const char *s = name; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return INT64_MAX - 16 - (int64_t)(h >> 3);
}

static int64_t backoff_s(int attempts)
{
    return (int64_t)BACKOFF_BASE_S << (attempts < 1 ? 0 : attempts > 8 ? 7 : attempts - 1);
}

/* "2024-06-01 10:00 MSK" for logs */
static const char *local_time(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S %Z", &tm))
        snprintf(buf, n, "@%lld", (long long)t);
    return buf;
}

static int name_taken(const wh_plugin *p, const char *name)
{
    for (size_t i = 0; i < crons.n; i++)
        if (crons.v[i].p == p && strcmp(crons.v[i].name, name) == 0)
            return 1;
    for (size_t i = 0; i < handlers.n; i++)
        if (handlers.v[i].p == p && strcmp(handlers.v[i].name, name) == 0)
            return 1;
    return 0;
}

static job_handler *find_handler(const char *plugin, const char *name)
{
    for (size_t i = 0; i < handlers.n; i++)
        if (!handlers.v[i].p->dead && strcmp(handlers.v[i].p->name, plugin) == 0 &&
            strcmp(handlers.v[i].name, name) == 0)
            return &handlers.v[i];
    return NULL;
}

/* any thread: have the loop look at the schedule again */
static void kick(void)
{
    pthread_mutex_lock(&kick_mu);
    if (live)
        uv_async_send(&wake);
    pthread_mutex_unlock(&kick_mu);
}

static void kick_cb(void *arg)
{
    (void)arg;
    kick();
}

/* ---- registration (load) ---- */

static int32_t reg_cron(walor_plugin *p, const walor_cron_def *src)
{
    if (!p || p->kind != WH_KIND_PLUGIN || !p->loading)
        return wh_error(WALOR_EPHASE, "registration is only allowed inside load()");
    if (!src || src->struct_size < sizeof(uint32_t) || src->struct_size > sizeof(walor_cron_def))
        return wh_error(WALOR_EINVAL, "walor_cron_def: bad struct_size");
    walor_cron_def d;
    memset(&d, 0, sizeof d);
    memcpy(&d, src, src->struct_size);
    if (!wh_name_ok(d.name, JOB_NAME_MAX, "."))
        return wh_error(WALOR_EINVAL, "cron job name must be [a-z0-9_.]{1,%d}", JOB_NAME_MAX);
    if (d.flags & ~WALOR_CRON_CATCH_UP)
        return wh_error(WALOR_EINVAL, "cron job %s: unknown flags 0x%x", d.name, d.flags & ~WALOR_CRON_CATCH_UP);
    if (!d.fn)
        return wh_error(WALOR_EINVAL, "cron job %s: NULL function", d.name);
    wh_cron c;
    char why[200];
    if (wh_cron_parse(d.expr, &c, why, sizeof why) != 0)
        return wh_error(WALOR_EINVAL, "cron job %s: \"%s\": %s", d.name, d.expr ? d.expr : "(null)", why);
    if (name_taken(p, d.name))
        return wh_error(WALOR_EEXIST, "%s already has a job named %s", p->name, d.name);
    char *name = strdup(d.name), *expr = strdup(d.expr);
    if (!name || !expr) {
        free(name);
        free(expr);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    *WH_PUSH(crons) = (cron_job){.p = p, .name = name, .expr = expr, .cron = c, .flags = d.flags, .fn = d.fn,
                                 .key = job_key(p->name, name)};
    return 0;
}

static int32_t reg_job(walor_plugin *p, const char *name, walor_job_fn fn)
{
    if (!p || p->kind != WH_KIND_PLUGIN || !p->loading)
        return wh_error(WALOR_EPHASE, "registration is only allowed inside load()");
    if (!wh_name_ok(name, JOB_NAME_MAX, "."))
        return wh_error(WALOR_EINVAL, "job name must be [a-z0-9_.]{1,%d}", JOB_NAME_MAX);
    if (!fn)
        return wh_error(WALOR_EINVAL, "job %s: NULL function", name);
    if (name_taken(p, name))
        return wh_error(WALOR_EEXIST, "%s already has a job named %s", p->name, name);
    char *copy = strdup(name);
    if (!copy)
        return wh_error(WALOR_ENOMEM, "out of memory");
    *WH_PUSH(handlers) = (job_handler){.p = p, .name = copy, .fn = fn, .key = job_key(p->name, copy)};
    return 0;
}

/* ---- one-shot jobs: scheduling (callbacks, any worker) ---- */

static int32_t job_at(walor_ctx *c, int64_t when, const char *name, const char *key, json_t *payload)
{
    if (!c || c->kind != WH_KIND_CTX || !c->w || !c->plugin)
        return wh_error(WALOR_EPHASE, "walor_job_at needs a plugin's callback context");
    if (!wh_name_ok(name, JOB_NAME_MAX, "."))
        return wh_error(WALOR_EINVAL, "job name must be [a-z0-9_.]{1,%d}", JOB_NAME_MAX);
    if (!find_handler(c->plugin->name, name))
        return wh_error(WALOR_EINVAL, "%s has no job handler %s (register it with walor_job() in load())",
                        c->plugin->name, name);
    if (key && (!*key || strlen(key) > JOB_KEY_MAX))
        return wh_error(WALOR_EINVAL, "job %s: the key must be 1-%d bytes or NULL", name, JOB_KEY_MAX);
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("{}");
    if (!text)
        return wh_error(WALOR_EINVAL, "job %s: the payload cannot be serialized", name);
    if (strlen(text) > PAYLOAD_MAX) {
        free(text);
        return wh_error(WALOR_EINVAL, "job %s: the payload is over %d bytes", name, PAYLOAD_MAX);
    }
    wh_db *db = c->w->db;
    /* a replaced job starts over: new time, payload, attempts */
    int32_t rc = wh_db_exec(db,
                            "INSERT INTO wh_jobs(plugin, name, key, run_at, payload, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT (plugin, name, key) DO UPDATE SET run_at = excluded.run_at, "
                            "payload = excluded.payload, attempts = 0, last_error = NULL, gen = wh_jobs.gen + 1, "
                            "created_at = excluded.created_at",
                            WALOR_ARGS(walor_s(c->plugin->name), walor_s(name), key ? walor_s(key) : walor_null(),
                                       walor_i(when), walor_s(text), walor_i(wh_now())));
    free(text);
    if (rc < 0)
        return rc;
    char at[64];
    wh_logf(WH_LOG_DEBUG, c->plugin->name, "job %s (key %s) scheduled at %s", name, key ? key : "-",
            local_time(when, at, sizeof at));
    /* inside a transaction the row is not visible to the loop before the
     * commit: wake it when the callback is over, by then committed or gone */
    if (wh_db_in_tx(db))
        wh_arena_defer(c->arena, kick_cb, NULL);
    else
        kick();
    return 0;
}

static int32_t job_cancel(walor_ctx *c, const char *name, const char *key)
{
    if (!c || c->kind != WH_KIND_CTX || !c->w || !c->plugin)
        return wh_error(WALOR_EPHASE, "walor_job_cancel needs a plugin's callback context");
    if (!wh_name_ok(name, JOB_NAME_MAX, "."))
        return wh_error(WALOR_EINVAL, "job name must be [a-z0-9_.]{1,%d}", JOB_NAME_MAX);
    if (!key || !*key)
        return wh_error(WALOR_EINVAL, "job %s: only a job scheduled with a key can be cancelled", name);
    int32_t rc = wh_db_exec(c->w->db, "DELETE FROM wh_jobs WHERE plugin = ? AND name = ? AND key = ?",
                            WALOR_ARGS(walor_s(c->plugin->name), walor_s(name), walor_s(key)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return wh_error(WALOR_ENOTFOUND, "no job %s with key %s", name, key);
    wh_logf(WH_LOG_DEBUG, c->plugin->name, "job %s (key %s) cancelled", name, key);
    return 0;
}

/* ---- running (workers) ---- */

/* What a callback's return means: 1 ok, 0 failed with the reason in
 * detail. A success still has to commit its unit of work: that commit's
 * failure (a level left open, a full disk) is a failure too. */
static int finished_ok(walor_ctx *c, int32_t rc, char *detail, size_t n)
{
    detail[0] = '\0';
    if (rc < 0 && *wh_last_error())
        snprintf(detail, n, "%s: %s", wh_strerror(rc), wh_last_error());
    else if (rc < 0)
        snprintf(detail, n, "%s", wh_strerror(rc));
    else if ((rc = wh_unit_commit(c)) < 0)
        snprintf(detail, n, "%s", wh_last_error());
    if (detail[0])
        wh_unit_rollback(c);
    return detail[0] == '\0';
}

typedef struct cron_run {
    cron_job *j;
    int64_t tick;
} cron_run;

static int32_t record_cron(wh_db *db, const cron_job *j, int64_t started, int64_t tick, const char *error)
{
    return wh_db_exec(db,
                      "INSERT INTO wh_cron_state(plugin, name, last_run, checked_at, runs, last_error) "
                      "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (plugin, name) DO UPDATE SET last_run = excluded.last_run, "
                      /* a tick skipped while this run went on may be later */
                      "checked_at = CASE WHEN excluded.checked_at > wh_cron_state.checked_at "
                      "THEN excluded.checked_at ELSE wh_cron_state.checked_at END, "
                      "runs = wh_cron_state.runs + 1, last_error = excluded.last_error",
                      WALOR_ARGS(walor_s(j->p->name), walor_s(j->name), walor_i(started), walor_i(tick),
                                 error ? walor_s(error) : walor_null()));
}

typedef struct cron_mark {
    const cron_job *j;
    int64_t started, tick;
} cron_mark;

/* a successful run's record commits with its writes (unit.h) */
static int32_t cron_done(walor_ctx *c, void *arg)
{
    const cron_mark *m = arg;
    int32_t rc = record_cron(c->w->db, m->j, m->started, m->tick, NULL);
    return rc < 0 ? rc : 0;
}

static void cron_locked(wh_worker *w, cron_run *r);

/* Several instances fire the same tick: the one whose claim lands runs
 * it. 1 this run is ours, 0 another instance took the tick, < 0 error. */
static int32_t claim_tick(wh_db *db, const cron_job *j, int64_t tick)
{
    return wh_db_exec(db,
                      "INSERT INTO wh_cron_state(plugin, name, checked_at, claimed) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (plugin, name) DO UPDATE SET claimed = excluded.claimed "
                      "WHERE wh_cron_state.claimed < excluded.claimed",
                      WALOR_ARGS(walor_s(j->p->name), walor_s(j->name), walor_i(tick - 1), walor_i(tick)));
}

static void cron_end(cron_job *j, cron_run *r)
{
    pthread_mutex_lock(&mu);
    j->running = 0;
    pthread_mutex_unlock(&mu);
    free(r);
}

static void cron_fn(void *state, void *arg)
{
    wh_worker *w = state;
    cron_run *r = arg;
    cron_job *j = r->j;
    /* never two runs at once, also across instances: the job's lock is held
     * for the run and goes with the connection of an instance that dies */
    int32_t got = wh_db_try_lock(w->db, WH_DB_LOCK_JOB, j->key);
    if (got != 1) {
        if (got == 0)
            wh_logf(WH_LOG_DEBUG, j->p->name, "cron job %s runs on another instance: this tick is skipped", j->name);
        cron_end(j, r);
        return;
    }
    got = claim_tick(w->db, j, r->tick);
    if (got != 1) {
        if (got < 0)
            wh_logf(WH_LOG_WARN, j->p->name, "cron job %s: cannot claim the tick: %s", j->name, wh_last_error());
        wh_db_unlock(w->db, WH_DB_LOCK_JOB, j->key);
        cron_end(j, r);
        return;
    }
    cron_locked(w, r);
    wh_db_unlock(w->db, WH_DB_LOCK_JOB, j->key);
}

static void cron_locked(wh_worker *w, cron_run *r)
{
    cron_job *j = r->j;
    int64_t started = wh_now();
    walor_ctx c;
    wh_ctx_init(&c, w);
    c.plugin = j->p;
    cron_mark m = {j, started, r->tick};
    wh_unit_arm(&c, cron_done, &m, 0);
    wh_clear_error();
    char detail[700], where[80];
    uint64_t storage_errors = wh_storage_thread_errors();
    int ok = finished_ok(&c, j->fn(&c), detail, sizeof detail);
    if (!ok && wh_storage_thread_errors() != storage_errors) {
        /* the storage failed, not the job: no report (the storage watcher
         * tells the owners once), no attempt counted; it runs again as soon
         * as writes work (evaluate() waits for that) */
        wh_ctx_finish(&c);
        pthread_mutex_lock(&mu);
        j->running = 0;
        j->retry_at = wh_now();
        pthread_mutex_unlock(&mu);
        wh_logf(WH_LOG_WARN, j->p->name, "cron job %s could not write (the database's storage fails): held",
                j->name);
        free(r);
        return;
    }
    snprintf(where, sizeof where, "job %s", j->name);
    if (!ok)
        wh_report_failure(&c, j->p->name, where, detail);
    wh_ctx_finish(&c);
    wh_metrics_job(ok);

    if (!ok && record_cron(w->db, j, started, r->tick, detail) < 0)
        wh_warn("cron job %s.%s: cannot record the run: %s", j->p->name, j->name, wh_last_error());

    int64_t retry = 0;
    int attempts;
    pthread_mutex_lock(&mu);
    j->running = 0;
    if (ok) {
        j->attempts = 0;
    } else {
        j->attempts++;
        /* the next regular tick is the retry once it comes first */
        if (j->attempts < MAX_ATTEMPTS && wh_now() + backoff_s(j->attempts) < j->next_fire)
            retry = j->retry_at = wh_now() + backoff_s(j->attempts);
    }
    attempts = j->attempts;
    pthread_mutex_unlock(&mu);
    if (ok)
        wh_logf(WH_LOG_DEBUG, j->p->name, "cron job %s done in %lld s", j->name, (long long)(wh_now() - started));
    else if (retry)
        wh_logf(WH_LOG_WARN, j->p->name, "cron job %s attempt %d failed, retry in %lld s: %s", j->name, attempts,
                (long long)(retry - wh_now()), detail);
    else
        wh_logf(WH_LOG_ERROR, j->p->name, "cron job %s failed (attempt %d), next at its next tick: %s", j->name,
                attempts, detail);
    free(r);
    if (retry)
        kick();
}

static void cron_drop(void *arg)
{
    cron_run *r = arg;
    pthread_mutex_lock(&mu);
    r->j->running = 0;
    pthread_mutex_unlock(&mu);
    free(r);
}

typedef struct job_row {
    int64_t id, gen;
} job_row;

/* a successful run deletes its row in its own unit of work (unit.h); a
 * handler that rescheduled itself bumped gen, and its new row stays */
static int32_t job_done(walor_ctx *c, void *arg)
{
    const job_row *jr = arg;
    int32_t rc = wh_db_exec(c->w->db, "DELETE FROM wh_jobs WHERE id = ? AND gen = ?",
                            WALOR_ARGS(walor_i(jr->id), walor_i(jr->gen)));
    return rc < 0 ? rc : 0;
}

/* Runs one due row of h. 0 done (whatever the handler said); -1 the
 * outcome could not be recorded: the runner stops and the row is tried
 * again later (at-least-once). */
static int run_row(wh_worker *w, job_handler *h, int64_t id, int64_t gen, const char *key, const char *text,
                   int64_t attempts)
{
    const char *plugin = h->p->name;
    walor_ctx c;
    wh_ctx_init(&c, w);
    c.plugin = h->p;
    job_row jr = {id, gen};
    wh_unit_arm(&c, job_done, &jr, 0);
    json_t *payload = json_loads(text, JSON_DECODE_ANY, NULL);
    char detail[700], where[80];
    int ok;
    if (!payload) {
        snprintf(detail, sizeof detail, "the stored payload is not valid JSON");
        ok = 0;
    } else {
        wh_clear_error();
        uint64_t storage_errors = wh_storage_thread_errors();
        ok = finished_ok(&c, h->fn(&c, payload), detail, sizeof detail);
        if (!ok && wh_storage_thread_errors() != storage_errors) {
            /* the storage failed, not the job: the row stays as it was (no
             * attempt, no report) and runs once writes work again */
            wh_ctx_finish(&c);
            json_decref(payload);
            wh_logf(WH_LOG_WARN, plugin, "job %s (key %s) could not write (the database's storage fails): held",
                    h->name, key ? key : "-");
            return -1;
        }
    }
    int give_up = 0;
    if (!ok) {
        attempts++;
        give_up = attempts >= MAX_ATTEMPTS;
        snprintf(where, sizeof where, "job %s", h->name);
        wh_report_failure(&c, plugin, where, detail);
    }
    wh_ctx_finish(&c);
    json_decref(payload);
    wh_metrics_job(ok);

    int32_t rc = 0;
    int64_t now = wh_now();
    if (ok)
        ; /* deleted with its effect */
    else if (give_up) /* kept, with run_at as it was, for walorctl jobs */
        rc = wh_db_exec(w->db, "UPDATE wh_jobs SET attempts = ?, last_error = ? WHERE id = ? AND gen = ?",
                        WALOR_ARGS(walor_i(attempts), walor_s(detail), walor_i(id), walor_i(gen)));
    else
        rc = wh_db_exec(w->db, "UPDATE wh_jobs SET attempts = ?, last_error = ?, run_at = ? WHERE id = ? AND gen = ?",
                        WALOR_ARGS(walor_i(attempts), walor_s(detail), walor_i(now + backoff_s((int)attempts)),
                                   walor_i(id), walor_i(gen)));
    if (ok)
        wh_logf(WH_LOG_DEBUG, plugin, "job %s (key %s) done", h->name, key ? key : "-");
    else if (give_up)
        wh_logf(WH_LOG_ERROR, plugin, "job %s (key %s) given up after %lld attempts: %s", h->name, key ? key : "-",
                (long long)attempts, detail);
    else
        wh_logf(WH_LOG_WARN, plugin, "job %s (key %s) attempt %lld failed, retry in %lld s: %s", h->name,
                key ? key : "-", (long long)attempts, (long long)backoff_s((int)attempts), detail);
    if (rc < 0) {
        wh_warn("job %s.%s #%lld: cannot record the outcome: %s", plugin, h->name, (long long)id, wh_last_error());
        return -1;
    }
    return 0;
}

/* the oldest due row of h: 1 ran, 0 none due, -1 error */
static int run_next(wh_worker *w, job_handler *h)
{
    wh_rows *r = NULL;
    if (wh_db_query(w->db,
                    "SELECT id, gen, key, payload, attempts FROM wh_jobs WHERE plugin = ? AND name = ? "
                    "AND attempts < " MAX_ATTEMPTS_SQL " AND run_at <= ? ORDER BY run_at, id LIMIT 1",
                    WALOR_ARGS(walor_s(h->p->name), walor_s(h->name), walor_i(wh_now())), &r) < 0) {
        wh_warn("jobs: reading the due %s.%s jobs failed: %s", h->p->name, h->name, wh_last_error());
        return -1;
    }
    int got = wh_rows_next(r);
    int64_t id = 0, gen = 0, attempts = 0;
    char *key = NULL, *text = NULL;
    int oom = 0;
    if (got == 1) {
        id = wh_rows_int(r, 0);
        gen = wh_rows_int(r, 1);
        if (wh_rows_text(r, 2) && !(key = strdup(wh_rows_text(r, 2))))
            oom = 1;
        if (!(text = strdup(wh_rows_text(r, 3) ? wh_rows_text(r, 3) : "")))
            oom = 1;
        attempts = wh_rows_int(r, 4);
    }
    wh_rows_close(r);
    int res = got < 0 || oom ? -1 : got == 0 ? 0 : run_row(w, h, id, gen, key, text, attempts) == 0 ? 1 : -1;
    free(key);
    free(text);
    return res;
}

static void runner_fn(void *state, void *arg)
{
    wh_worker *w = state;
    job_handler *h = arg;
    int res = 0;
    /* one runner per handler across instances too: a row is run by the
     * holder of the handler's lock, and deleted in that run's unit */
    int32_t got = wh_db_try_lock(w->db, WH_DB_LOCK_JOB, h->key);
    if (got == 1) {
        for (int n = 0; n < BATCH && !atomic_load(&stopping) && (res = run_next(w, h)) > 0; n++)
            ;
        wh_db_unlock(w->db, WH_DB_LOCK_JOB, h->key);
    } else {
        res = -1; /* another instance runs them: look again after the hold */
    }
    pthread_mutex_lock(&mu);
    h->running = 0;
    if (res < 0)
        h->hold_until = wh_now() + HOLD_S;
    pthread_mutex_unlock(&mu);
    kick(); /* its next row's time, or rows that became due while it ran */
}

static void runner_drop(void *arg)
{
    job_handler *h = arg;
    pthread_mutex_lock(&mu);
    h->running = 0;
    pthread_mutex_unlock(&mu);
}

/* ---- the loop side ---- */

static void on_timer(uv_timer_t *t);

/* a tick that found the previous run still going counts as dealt with */
static void note_checked(cron_job *j, int64_t tick)
{
    if (wh_db_exec(ldb,
                   "INSERT INTO wh_cron_state(plugin, name, checked_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (plugin, name) DO UPDATE SET checked_at = excluded.checked_at",
                   WALOR_ARGS(walor_s(j->p->name), walor_s(j->name), walor_i(tick))) < 0)
        wh_warn("cron job %s.%s: cannot record the tick: %s", j->p->name, j->name, wh_last_error());
}

static void start_cron(cron_job *j, int64_t tick)
{
    cron_run *r = malloc(sizeof *r);
    if (r) {
        r->j = j;
        r->tick = tick;
        if (wh_pool_submit(wh_g.pool, j->key, cron_fn, r, cron_drop) == 0)
            return;
        free(r);
    }
    pthread_mutex_lock(&mu);
    j->running = 0;
    pthread_mutex_unlock(&mu);
}

static void start_runner(job_handler *h)
{
    if (wh_pool_submit(wh_g.pool, h->key, runner_fn, h, runner_drop) != 0) {
        pthread_mutex_lock(&mu);
        h->running = 0;
        pthread_mutex_unlock(&mu);
    }
}

static int64_t realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sleep until `due` (host clock, s), at most SAFETY_S */
static void arm(int64_t due)
{
    int64_t now_ms = realtime_ms() + atomic_load(&wh_g.clock_offset) * 1000;
    /* +5 ms: time() may read a coarse clock a tick behind CLOCK_REALTIME,
     * and waking before wh_now() reaches `due` only costs another round */
    int64_t delay = due * 1000 - now_ms + 5;
    if (delay < 1)
        delay = 1;
    if (delay > SAFETY_S * 1000)
        delay = SAFETY_S * 1000;
    uv_timer_start(&timer, on_timer, (uint64_t)delay, 0);
}

/* Starts what is due and arms the timer for the rest. Loop thread. */
static void evaluate(void)
{
    if (!live || atomic_load(&stopping))
        return;
    int64_t now = wh_now();
    if (!wh_storage_ok()) {
        /* nothing starts while the database cannot be written; look again in a second */
        arm(now + 1);
        return;
    }
    int64_t due = now + SAFETY_S;
    char at[64];
    for (size_t i = 0; i < crons.n; i++) {
        cron_job *j = &crons.v[i];
        if (j->p->dead)
            continue;
        int start = 0, skipped = 0;
        pthread_mutex_lock(&mu);
        if (j->next_fire <= now) {
            if (j->running)
                skipped = 1;
            else
                start = 1;
            j->attempts = 0;
            j->retry_at = 0;
            int64_t next = wh_cron_next(&j->cron, now);
            j->next_fire = next < 0 ? INT64_MAX : next;
        } else if (j->retry_at && j->retry_at <= now && !j->running) {
            start = 1;
            j->retry_at = 0;
        }
        if (start)
            j->running = 1;
        if (j->next_fire < due)
            due = j->next_fire;
        if (j->retry_at && j->retry_at < due)
            due = j->retry_at;
        pthread_mutex_unlock(&mu);
        if (skipped) {
            wh_logf(WH_LOG_WARN, j->p->name, "cron job %s: the previous run is still going, the tick at %s is skipped",
                    j->name, local_time(now, at, sizeof at));
            note_checked(j, now);
        }
        if (start)
            start_cron(j, now);
    }
    for (size_t i = 0; i < handlers.n; i++) {
        job_handler *h = &handlers.v[i];
        if (h->p->dead)
            continue;
        pthread_mutex_lock(&mu);
        int busy = h->running;
        int64_t hold = h->hold_until;
        pthread_mutex_unlock(&mu);
        if (busy) /* its runner kicks when it ends */
            continue;
        if (hold > now) {
            if (hold < due)
                due = hold;
            continue;
        }
        int64_t first = 0;
        int32_t rc = wh_db_int(ldb,
                               "SELECT run_at FROM wh_jobs WHERE plugin = ? AND name = ? "
                               "AND attempts < " MAX_ATTEMPTS_SQL " ORDER BY run_at LIMIT 1",
                               WALOR_ARGS(walor_s(h->p->name), walor_s(h->name)), &first);
        if (rc == WALOR_ENOTFOUND)
            continue;
        if (rc < 0) {
            wh_warn("jobs: reading the schedule of %s.%s failed: %s", h->p->name, h->name, wh_last_error());
            continue; /* the safety re-evaluation tries again */
        }
        if (first <= now) {
            pthread_mutex_lock(&mu);
            h->running = 1;
            pthread_mutex_unlock(&mu);
            start_runner(h);
        } else if (first < due) {
            due = first;
        }
    }
    arm(due);
}

static void on_timer(uv_timer_t *t)
{
    (void)t;
    evaluate();
}

static void on_wake(uv_async_t *a)
{
    (void)a;
    evaluate();
}

void wh_sched_clock_moved(void) { kick(); }

/* At start: the next tick of every cron job, and the ticks missed while
 * walord was down (run once now with WALOR_CRON_CATCH_UP, else skipped). */
static void plan_crons(int64_t now)
{
    char at[64];
    for (size_t i = 0; i < crons.n; i++) {
        cron_job *j = &crons.v[i];
        if (j->p->dead)
            continue;
        int64_t next = wh_cron_next(&j->cron, now);
        j->next_fire = next < 0 ? INT64_MAX : next;
        int64_t checked = 0;
        int32_t rc = wh_db_int(ldb, "SELECT checked_at FROM wh_cron_state WHERE plugin = ? AND name = ?",
                               WALOR_ARGS(walor_s(j->p->name), walor_s(j->name)), &checked);
        if (rc == WALOR_ENOTFOUND) {
            /* first sight: from now on a downtime can be told */
            note_checked(j, now);
            continue;
        }
        if (rc < 0) {
            wh_warn("cron job %s.%s: cannot read its state: %s", j->p->name, j->name, wh_last_error());
            continue;
        }
        int64_t missed = wh_cron_next(&j->cron, checked);
        if (missed < 0 || missed > now)
            continue;
        if (j->flags & WALOR_CRON_CATCH_UP) {
            wh_logf(WH_LOG_INFO, j->p->name,
                    "cron job %s: the run of %s was missed while walord was down: running it now", j->name,
                    local_time(missed, at, sizeof at));
            j->next_fire = now;
        } else {
            wh_logf(WH_LOG_INFO, j->p->name, "cron job %s: the run of %s was missed while walord was down: skipped "
                    "(no WALOR_CRON_CATCH_UP)", j->name, local_time(missed, at, sizeof at));
            note_checked(j, now);
        }
    }
}

/* rows whose handler is not loaded wait for it; said once per start */
static void report_orphans(void)
{
    wh_rows *r = NULL;
    if (wh_db_query(ldb,
                    "SELECT plugin, name, count(*) FROM wh_jobs WHERE attempts < " MAX_ATTEMPTS_SQL
                    " GROUP BY plugin, name",
                    NULL, 0, &r) < 0)
        return;
    while (wh_rows_next(r) == 1) {
        const char *plugin = wh_rows_text(r, 0) ? wh_rows_text(r, 0) : "";
        const char *name = wh_rows_text(r, 1) ? wh_rows_text(r, 1) : "";
        if (!find_handler(plugin, name))
            wh_warn("%lld one-shot job(s) %s.%s wait in wh_jobs: no such handler is loaded (plugin disabled?); "
                    "they run when it is back",
                    (long long)wh_rows_int(r, 2), plugin, name);
    }
    wh_rows_close(r);
}

int32_t wh_sched_migrate(wh_db *db)
{
    return wh_db_migrate(db, "host.jobs", migrations, sizeof migrations / sizeof *migrations);
}

int wh_sched_start(uv_loop_t *loop, wh_db *loop_db)
{
    if (wh_sched_migrate(loop_db) < 0) {
        wh_err("scheduler: migrations failed: %s", wh_last_error());
        return -1;
    }
    ldb = loop_db;
    if (uv_timer_init(loop, &timer) != 0)
        return -1;
    if (uv_async_init(loop, &wake, on_wake) != 0) {
        uv_close((uv_handle_t *)&timer, NULL);
        return -1;
    }
    atomic_store(&stopping, 0);
    pthread_mutex_lock(&kick_mu);
    live = 1;
    pthread_mutex_unlock(&kick_mu);
    plan_crons(wh_now());
    report_orphans();
    wh_info("scheduler: time zone %s, %zu cron jobs, %zu job handlers", getenv("TZ"), crons.n, handlers.n);
    evaluate();
    return 0;
}

void wh_sched_stop(void)
{
    pthread_mutex_lock(&kick_mu);
    int was = live;
    live = 0;
    pthread_mutex_unlock(&kick_mu);
    if (!was)
        return;
    /* runners stop between two rows; queued runs are dropped by the pool
     * (their rows stay for the next start) */
    atomic_store(&stopping, 1);
    uv_timer_stop(&timer);
    uv_close((uv_handle_t *)&timer, NULL);
    uv_close((uv_handle_t *)&wake, NULL);
}

/* at exit, after the plugins and the workers are gone */
static void free_tables(void)
{
    for (size_t i = 0; i < crons.n; i++) {
        free(crons.v[i].name);
        free(crons.v[i].expr);
    }
    free(crons.v);
    memset(&crons, 0, sizeof crons);
    for (size_t i = 0; i < handlers.n; i++)
        free(handlers.v[i].name);
    free(handlers.v);
    memset(&handlers, 0, sizeof handlers);
}

void wh_sched_fill(walor_host_api *api)
{
    static int once;
    if (!once++)
        atexit(free_tables);
    api->reg_cron = reg_cron;
    api->reg_job = reg_job;
    api->job_at = job_at;
    api->job_cancel = job_cancel;
}
