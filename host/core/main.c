/* walord: reads the configuration, loads the plugins, then runs the loop
 * thread (Telegram I/O, timers, signals) while workers handle updates. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <uv.h>

#include "api_slots.h"
#include "check.h"
#include "cluster.h"
#include "config.h"
#include "conv.h"
#include "core.h"
#include "ctx.h"
#include "dispatch.h"
#include "error.h"
#include "host.h"
#include "http.h"
#include "httpc.h"
#include "inbox.h"
#include "loader.h"
#include "log.h"
#include "menu.h"
#include "msgq.h"
#include "ops.h"
#include "pool.h"
#include "registry.h"
#include "report.h"
#include "scheduler.h"
#include "schema.h"
#include "storage.h"
#include "svc.h"
#include "texts.h"
#include "tg.h"
#include "users.h"

static uv_loop_t loop;
static wh_db *loop_db;
static uv_signal_t sig_term, sig_int;
static uv_timer_t sweep_timer;
static uint64_t start_ms;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- workers ---- */

static int worker_init(int idx, void **state, void *ud)
{
    (void)ud;
    wh_worker *w = calloc(1, sizeof *w);
    char err[256];
    if (!w)
        return -1;
    w->idx = idx;
    w->db = wh_db_open(wh_config_get(&wh_g.cfg, "walor", "db"), err, sizeof err);
    if (!w->db) {
        wh_err("worker %d: cannot open the database: %s", idx, err);
        free(w);
        return -1;
    }
    wh_arena_init(&w->arena);
    *state = w;
    return 0;
}

static void worker_fini(void *state, void *ud)
{
    (void)ud;
    wh_worker *w = state;
    wh_httpc_worker_done(w);
    wh_arena_free(&w->arena);
    wh_db_close(w->db);
    free(w);
}

/* how many started runs an update may have: one that was being handled
 * when the process died three times is set aside rather than crash it
 * forever (the first run is not counted: see redispatch_pending) */
#define MAX_ATTEMPTS 2

typedef struct update_run {
    json_t *u;
    int rerun;             /* stored before a crash or a stop, not done */
} update_run;

static void run_update(wh_worker *w, json_t *u, int rerun)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(u, "update_id"));
    int64_t attempts = 0;
    /* a re-run counts itself before it starts (its own small write), so a
     * crash during it is remembered; updates that only waited in the
     * queue when the process died are not counted */
    if (rerun && wh_inbox_attempt(w->db, id, &attempts) == 0 && attempts > MAX_ATTEMPTS) {
        char detail[160];
        snprintf(detail, sizeof detail, "update %lld set aside: it was being handled during %lld crashes",
                 (long long)id, (long long)attempts);
        wh_err("%s", detail);
        wh_inbox_done(w->db, id, wh_now());
        wh_report_failure(NULL, "host", "update", detail);
    } else {
        wh_dispatch_update(w, u);
    }
}

static void update_job(void *state, void *arg)
{
    update_run *r = arg;
    /* several instances: under the chat's lock, after its earlier updates */
    wh_cluster_run(state, r->u, r->rerun, run_update);
    json_decref(r->u);
    free(r);
}

static void drop_update(void *arg)
{
    update_run *r = arg;
    json_decref(r->u); /* still pending in the inbox: it runs after the restart */
    free(r);
}

static void submit_update(json_t *u, int rerun)
{
    int64_t key = wh_update_chat_id(u);
    if (key == 0)
        key = (int64_t)json_integer_value(json_object_get(u, "update_id"));
    update_run *r = malloc(sizeof *r);
    if (!r)
        return; /* stays pending in the inbox and runs after a restart */
    r->u = json_incref(u);
    r->rerun = rerun;
    if (wh_pool_submit(wh_g.pool, key, update_job, r, drop_update) != 0)
        drop_update(r);
}

/* writes work again (storage_watch.c): the updates workers held run now,
 * once each, in the order they were held. Their run was undone, so it does
 * not count as an attempt. */
static void release_held(void)
{
    json_t *list = wh_dispatch_take_held();
    if (json_array_size(list))
        wh_info("handling %zu update(s) held while the database could not be written", json_array_size(list));
    size_t i;
    json_t *u;
    json_array_foreach(list, i, u) submit_update(u, 0);
    json_decref(list);
    /* jobs and events that failed on the unwritable database run now */
    wh_sched_clock_moved();
    wh_events_kick();
}

/* at a stop: a held update never ran to its end; it is still pending in the
 * inbox and runs at the next start */
static void drop_held(void) { json_decref(wh_dispatch_take_held()); }

/* updates stored before a crash or stop and not handled yet run first */
static void redispatch_pending(void)
{
    json_t *pending = NULL;
    if (wh_inbox_pending(loop_db, &pending) != 0)
        return;
    if (json_array_size(pending))
        wh_info("re-dispatching %zu stored updates", json_array_size(pending));
    size_t i;
    json_t *u;
    json_array_foreach(pending, i, u) submit_update(u, 1);
    json_decref(pending);
}

/* ---- Telegram hooks (loop thread) ---- */

/* An update that must not reach a plugin (inbox.h) is stored, confirmed
 * to Telegram like any other and reported to the owners; a button press
 * among them is answered so the user's spinner stops. */
static void report_set_aside(json_t *aside)
{
    size_t i;
    json_t *e;
    json_array_foreach(aside, i, e) {
        char detail[400];
        snprintf(detail, sizeof detail, "update %lld set aside (wh_quarantine): %s",
                 (long long)json_integer_value(json_object_get(e, "update_id")),
                 json_string_value(json_object_get(e, "reason")));
        wh_warn("%s", detail);
        wh_report_failure(NULL, "host", "incoming update", detail);
        const char *qid = json_string_value(json_object_get(e, "callback_query_id"));
        if (qid)
            wh_tg_call(wh_g.tg, "answerCallbackQuery",
                       json_pack("{s:s, s:s}", "callback_query_id", qid, "text", wh_text_get("core.set_aside")), NULL, 0,
                       WH_TG_UNPACED, NULL);
    }
}

/* Stores updates in the inbox (deduplicated) and queues the new ones for
 * the workers; 0 once durably stored. Any thread, with that thread's own
 * connection (the loop's for polling, the HTTP listener's for webhooks). */
static int accept_updates(wh_db *db, json_t *updates)
{
    json_t *fresh = NULL, *aside = NULL;
    /* nothing stored is nothing acknowledged: Telegram keeps them (storage.h) */
    if (!wh_storage_ok())
        return -1;
    if (wh_inbox_store(db, updates, wh_now(), &fresh, &aside) != 0) {
        /* the storage's own failures were logged once when they began */
        if (wh_storage_ok())
            wh_err("cannot store updates: %s", wh_last_error());
        return -1;
    }
    size_t i;
    json_t *u;
    json_array_foreach(fresh, i, u) submit_update(u, 0);
    json_decref(fresh);
    report_set_aside(aside);
    json_decref(aside);
    return 0;
}

/* test mode only (the listener checks): moves the host clock and lets the
 * scheduler run what became due */
static void clock_advance(int64_t seconds)
{
    wh_g.clock_offset += seconds;
    wh_info("test clock moved by %lld s (offset now %lld s)", (long long)seconds, (long long)wh_g.clock_offset);
    wh_sched_clock_moved();
}

static int on_updates(json_t *updates, void *ud)
{
    (void)ud;
    return accept_updates(loop_db, updates);
}

static void on_blocked(int64_t chat_id, void *ud)
{
    (void)ud;
    wh_user_set_blocked(loop_db, chat_id, 1);
    wh_info("user %lld has blocked the bot", (long long)chat_id);
}

static void on_first_poll(void *ud)
{
    (void)ud;
    wh_info("ready in %lld ms", (long long)(mono_ms() - (int64_t)start_ms));
    fputs("walord: ready\n", stderr);
    fflush(stderr);
}

/* ---- periodic work ---- */

/* Conversations the user walked away from end with a message, so that
 * they know why their next answer starts over. */
static void sweep_job(void *state, void *arg)
{
    (void)arg;
    wh_worker *w = state;
    if (!wh_storage_ok())
        return; /* its writes wait for the storage like every other work */
    int64_t now = wh_now();
    int64_t chats[100];
    size_t n = 0;
    wh_rows *r = NULL;
    if (wh_db_query(w->db, "SELECT chat_id FROM wh_conv WHERE active = 1 AND expires_at <= ? LIMIT 100",
                    WALOR_ARGS(walor_i(now)), &r) == 0) {
        while (n < 100 && wh_rows_next(r) == 1)
            chats[n++] = wh_rows_int(r, 0);
        wh_rows_close(r);
    }
    for (size_t i = 0; i < n; i++) {
        if (wh_db_exec(w->db, "UPDATE wh_conv SET active = 0 WHERE chat_id = ? AND active = 1 AND expires_at <= ?",
                       WALOR_ARGS(walor_i(chats[i]), walor_i(now))) != 1)
            continue;
        walor_ctx c;
        wh_ctx_init(&c, w);
        c.chat_id = c.user_id = chats[i];
        c.role = wh_user_role(w->db, chats[i]);
        c.conv_loaded = 1;
        c.head.api->send(&c, c.chat_id, wh_arena_strdup(c.arena, wh_text_get("core.conv_expired")), NULL, 0, NULL);
        wh_menu_show_main(&c, 0);
        wh_ctx_finish(&c);
    }
    wh_inbox_prune(w->db, now - 86400);
}

static void on_sweep(uv_timer_t *t)
{
    (void)t;
    wh_pool_submit(wh_g.pool, INT64_MIN, sweep_job, NULL, NULL);
}

/* Stopping: workers finish what they are doing (on a libuv pool thread,
 * because handlers may still need the loop for their Telegram calls), then
 * the Telegram client flushes queued replies and closes. Updates that were
 * queued but not started stay in the inbox for the next start. */
static uv_work_t stop_work;

static void stop_pool(uv_work_t *r)
{
    (void)r;
    wh_pool_stop(wh_g.pool);
}

static void pool_stopped(uv_work_t *r, int status)
{
    (void)r;
    (void)status;
    uv_close((uv_handle_t *)&sig_term, NULL);
    uv_close((uv_handle_t *)&sig_int, NULL);
    uv_close((uv_handle_t *)&sweep_timer, NULL);
    wh_tg_stop(wh_g.tg);
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)s;
    if (wh_g.stopping)
        return;
    wh_info("signal %d: stopping", signum);
    wh_g.stopping = 1;
    uv_timer_stop(&sweep_timer);
    /* no new work from outside, then let the workers finish theirs */
    wh_http_stop();
    wh_sched_stop();
    wh_cluster_stop();
    wh_events_stop();
    wh_ops_stop();
    wh_httpa_stop();
    uv_queue_work(&loop, &stop_work, stop_pool, pool_stopped);
}

/* ---- start-up ---- */

/* 0, or -1 when the zone is a name the system does not know (glibc would
 * silently fall back to UTC and every job would run at the wrong hour) */
/* The shop's zone ([walor] timezone) becomes the process zone once, here,
 * before any other thread exists: setenv/tzset are not thread-safe, but
 * localtime_r afterwards is. Cron times and dates shown to people use it;
 * the log stays in UTC. */
static int set_time_zone(void)
{
    const char *tz = wh_g.cfg.timezone && *wh_g.cfg.timezone ? wh_g.cfg.timezone : "Europe/Moscow";
    if (tz[0] != ':' && tz[0] != '/' && !strpbrk(tz, "0123456789")) {
        const char *dir = getenv("TZDIR");
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
        if (strstr(tz, "..") || access(path, R_OK) != 0) {
            wh_err("unknown time zone '%s' ([walor] timezone): no %s (is tzdata installed?)", tz, path);
            return -1;
        }
    }
    setenv("TZ", tz, 1);
    tzset();
    return 0;
}


static void set_commands(void)
{
    json_t *cmds = json_array();
    json_array_append_new(cmds, json_pack("{s:s, s:s}", "command", "start", "description", "Открыть магазин"));
    for (size_t i = 0; i < wh_reg.cmds.n; i++)
        if (wh_reg.cmds.v[i].flags & WALOR_CMD_LISTED && wh_reg.cmds.v[i].min_role == WALOR_ROLE_CLIENT)
            json_array_append_new(cmds, json_pack("{s:s, s:s}", "command", wh_reg.cmds.v[i].name, "description",
                                                  wh_reg.cmds.v[i].description));
    json_array_append_new(cmds, json_pack("{s:s, s:s}", "command", "cancel", "description", "Отменить действие"));
    /* optional: a failure is logged by the client and changes nothing else */
    wh_tg_call(wh_g.tg, "setMyCommands", json_pack("{s:o}", "commands", cmds), NULL, 0, WH_TG_UNPACED, NULL);
}

static int start_polling(void) { return wh_tg_start(wh_g.tg); }

static void usage(void)
{
    puts("usage: walord --config FILE [--check-config]\n"
         "  --config FILE     walor.ini; conf.d/*.ini next to it are read too\n"
         "  --check-config    validate the configuration, print it (secrets hidden) and exit\n"
         "  --migrate         apply the host's and the plugins' migrations to [walor] db and exit\n"
         "  --version         print the version and the SDK version");
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

int main(int argc, char **argv)
{
    start_ms = (uint64_t)mono_ms();
    const char *config = "/etc/walor/walor.ini";
    int check_only = 0, migrate_only = 0;
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"check-config", no_argument, NULL, 'k'},
                                         {"migrate", no_argument, NULL, 'm'},
                                         {"version", no_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    for (int o; (o = getopt_long(argc, argv, "c:kmvh", opts, NULL)) != -1;) {
        switch (o) {
        case 'c': config = optarg; break;
        case 'k': check_only = 1; break;
        case 'm': migrate_only = 1; break;
        case 'v': printf("walord %s (SDK %d.%d)\n", WALOR_VERSION, WALOR_SDK_MAJOR, WALOR_SDK_MINOR); return 0;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    char err[1024];
    if (wh_config_load(&wh_g.cfg, config, err, sizeof err) != 0) {
        fprintf(stderr, "walord: %s\n", err);
        return 2;
    }
    wh_g.owners = wh_g.cfg.owners;
    wh_g.nowners = wh_g.cfg.nowners;
    wh_g.test_mode = wh_g.cfg.test_mode;
    /* before the first plugin handle or callback context exists (the
     * configuration check loads the plugins too) */
    wh_reg.api = wh_api();
    if (check_only) {
        int rc = wh_check_config_main(config);
        wh_config_free(&wh_g.cfg);
        return rc;
    }
    const char *token = wh_g.cfg.token;
    if (!token || !*token) {
        fprintf(stderr, "walord: no bot token: set [telegram] token, token_file or WALOR_BOT_TOKEN\n");
        wh_config_free(&wh_g.cfg);
        return 2;
    }
    if (set_time_zone() != 0) {
        wh_config_free(&wh_g.cfg);
        return 2;
    }
    wh_log_set_level(wh_g.cfg.log_level);
    if (wh_g.cfg.log_file && wh_log_open_file(wh_g.cfg.log_file) != 0)
        wh_warn("cannot open the log file %s", wh_g.cfg.log_file);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    int rc = 1;
    wh_cluster_name(); /* before the first connection: PostgreSQL counts instances by it */
    loop_db = wh_db_open(wh_g.cfg.db, err, sizeof err);
    if (!loop_db) {
        wh_err("%s", err); /* names the database; a password in a conninfo as *** */
        goto out;
    }
    wh_msgq_install(); /* units of work send through the durable message queue */
    if (wh_schema_migrate(loop_db) != 0 || wh_inbox_migrate(loop_db) != 0 || wh_msgq_migrate(loop_db) != 0) {
        wh_err("host migrations failed: %s", wh_last_error());
        goto out;
    }
    if (wh_core_register() != 0)
        goto out;
    wh_check_host(&wh_g.cfg, config);
    size_t nnames;
    char **names = wh_check_plugin_names(&wh_g.cfg, &nnames);
    size_t loaded = wh_load_plugins(wh_g.cfg.plugin_dir, names, nnames, loop_db);
    wh_check_names_free(names, nnames);
    if (wh_services_resolve() != 0)
        goto out;
    /* what --check-config (the unit's ExecStartPre) would refuse */
    if (wh_check_log() > 0) {
        wh_err("the configuration is not ready for a live shop: see the lines above, or run walord --check-config");
        rc = 2;
        goto out;
    }
    loaded = 0;
    for (size_t i = 0; i < wh_reg.plugins.n; i++)
        if (wh_reg.plugins.v[i]->desc && !wh_reg.plugins.v[i]->dead)
            loaded++;
    wh_info("%zu of %zu plugins loaded", loaded, nnames);
    if (wh_texts_load_dir(wh_g.cfg.texts_dir, err, sizeof err) != 0) {
        wh_err("%s", err);
        goto out;
    }

    uv_loop_init(&loop);
    wh_tg_opts topts = {
        .api_root = wh_g.cfg.api_root,
        .token = token,
        .poll = wh_g.cfg.mode != WH_TG_WEBHOOK,
        .poll_timeout_s = wh_g.cfg.poll_timeout,
        .bulk_rate = wh_g.cfg.bulk_rate,
        .bulk_per_chat_rate = wh_g.cfg.bulk_per_chat_rate,
        .http_timeout_s = wh_g.cfg.http_timeout,
        .max_retries = wh_g.cfg.max_retries,
    };
    wh_tg_hooks hooks = {.on_updates = on_updates, .on_blocked = on_blocked, .on_first_poll = on_first_poll};
    wh_g.tg = wh_tg_new(&loop, &topts, &hooks);
    wh_g.pool = wh_g.tg ? wh_pool_create(wh_g.cfg.workers, worker_init, worker_fini, NULL) : NULL;
    if (!wh_g.tg || !wh_g.pool) {
        wh_err("cannot start the Telegram client or the workers");
        goto out_loop;
    }
    /* No starting offset from the inbox: Telegram keeps the confirmed offset
     * itself, and after a week without updates it may continue from a
     * random (lower) update_id, which an offset of "our max + 1" would skip
     * forever. Whatever it re-sends is dropped by the inbox's dedup. */

    wh_ops_on_storage_resumed(release_held);
    /* their tables must exist before any plugin code runs */
    if (wh_sched_start(&loop, loop_db) != 0 || wh_events_start(&loop, loop_db) != 0 ||
        wh_ops_start(&loop, loop_db) != 0 || wh_httpa_start(&loop) != 0) {
        wh_err("cannot start the host services");
        goto out_loop;
    }
    if (migrate_only) {
        /* every table exists now: walorctl migrate-db fills a new database */
        wh_info("walord --migrate: the database is at this walord's and its plugins' schema");
        rc = 0;
        goto out_loop;
    }
    /* replies of handled updates that a crash or a stop kept from going
     * out: before anything new, so each chat gets them first */
    int32_t resent = wh_msgq_resend(loop_db);
    if (resent > 0)
        wh_info("re-sending %d stored messages", (int)resent);
    else if (resent < 0)
        wh_err("cannot read the stored messages: %s", wh_last_error());
    redispatch_pending();
    if (wh_cluster_start(&loop, loop_db, submit_update) != 0) {
        wh_err("cannot start the cluster membership");
        goto out_loop;
    }

    uv_signal_init(&loop, &sig_term);
    uv_signal_init(&loop, &sig_int);
    uv_signal_start(&sig_term, on_signal, SIGTERM);
    uv_signal_start(&sig_int, on_signal, SIGINT);
    uv_timer_init(&loop, &sweep_timer);
    uv_timer_start(&sweep_timer, on_sweep, 30000, 30000);
    set_commands();
    /* the listener first, so that "walord: ready" (printed at the first
     * poll) means every port is open */
    static const wh_http_hooks http_hooks = {.accept_updates = accept_updates, .clock_advance = clock_advance};
    if (wh_http_start(&loop, &http_hooks) != 0) {
        wh_err("cannot start the HTTP listener");
        goto out_loop;
    }
    /* several instances poll not at once: the one that holds the lock does */
    if ((wh_g.cfg.mode == WH_TG_WEBHOOK ? start_polling() : wh_cluster_poll_when_leader(&loop, loop_db, start_polling)) !=
        0) {
        wh_err("cannot start polling");
        goto out_loop;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = wh_g.exit_code; /* 0 for a plain SIGTERM; see host.h */

out_loop:
    if (!wh_g.stopping) {
        /* a start-up failure: stop whatever did start (each is a no-op otherwise) */
        wh_http_stop();
        wh_sched_stop();
    wh_cluster_stop();
        wh_events_stop();
        wh_ops_stop();
        wh_httpa_stop();
    }
    if (wh_g.pool) {
        wh_pool_stop(wh_g.pool); /* no-op after a signal stopped it */
        wh_pool_free(wh_g.pool);
    }
    if (wh_g.tg && !wh_g.stopping)
        wh_tg_stop(wh_g.tg);
    uv_walk(&loop, close_walk, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (wh_g.tg)
        wh_tg_free(wh_g.tg);
    uv_loop_close(&loop);
    drop_held();
    wh_msgq_flush(loop_db);
out:
    wh_unload_plugins();
    wh_registry_free();
    wh_db_close(loop_db);
    curl_global_cleanup();
    wh_info("stopped");
    wh_config_free(&wh_g.cfg);
    free(wh_g.bot_username);
    wh_g.bot_username = NULL;
    wh_log_close();
    return rc;
}
