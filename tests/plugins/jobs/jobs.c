/* jobs: the scheduler's test plugin (tests/e2e/test_host_jobs.py).
 *
 * Cron jobs, each registered only when listed in [plugin.jobs] crons
 * (comma-separated; all when the key is absent), so a test sees only the
 * ticks it asked for. Every run writes a row to jobs_runs(name, at):
 *   minute     "* * * * *"
 *   ten        "0 10 * * *"            (10:00 in the shop's time zone)
 *   catchup    "0 3 * * *"  WALOR_CRON_CATCH_UP
 *   nocatchup  "0 4 * * *"
 *   slow       "* * * * *"  logs "slow: running", sleeps [plugin.jobs] slow_ms,
 *                            then writes its row (a write would hold the
 *                            database's write lock until the run ends)
 * One-shot jobs:
 *   /later N      in one transaction: a row in jobs_later and the job "later"
 *                 (key "k") N seconds from now, which sends the user "готово"
 *                 → "later:N"; again before it ran: replaces it
 *   /cancel_later → "cancelled" or "nothing to cancel"
 *   /flaky        the job "flaky" now; it fails on its first two runs
 *                 (counted in memory: a failed run's writes, such as its
 *                 jobs_runs row "flaky-failed", are rolled back), then
 *                 stores the count in jobs_flaky and sends "flaky ok" */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <walor/plugin.h>

static int64_t slow_ms;

static int32_t record(walor_ctx *c, const char *name)
{
    return walor_db_exec(c, "INSERT INTO jobs_runs(name, at) VALUES (?, ?)",
                         WALOR_ARGS(walor_s(name), walor_i(walor_now(c))));
}

static int32_t run_minute(walor_ctx *c) { return record(c, "minute"); }
static int32_t run_ten(walor_ctx *c) { return record(c, "ten"); }
static int32_t run_catchup(walor_ctx *c) { return record(c, "catchup"); }
static int32_t run_nocatchup(walor_ctx *c) { return record(c, "nocatchup"); }

static int32_t run_slow(walor_ctx *c)
{
    walor_log(c, WALOR_LOG_INFO, "slow: running");
    struct timespec ts = {.tv_sec = (time_t)(slow_ms / 1000), .tv_nsec = (long)(slow_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    int32_t rc = record(c, "slow");
    return rc < 0 ? rc : 0;
}

static int32_t job_later(walor_ctx *c, json_t *payload)
{
    int64_t chat = (int64_t)json_integer_value(json_object_get(payload, "chat"));
    int32_t rc = walor_send(c, chat, "готово", NULL, 0, NULL);
    if (rc < 0)
        return rc;
    return record(c, "later") < 0 ? WALOR_EDB : 0;
}

static _Atomic int64_t flaky_runs;

static int32_t job_flaky(walor_ctx *c, json_t *payload)
{
    int64_t n = atomic_fetch_add(&flaky_runs, 1) + 1;
    if (n <= 2) {
        record(c, "flaky-failed"); /* undone with the failed run */
        walor_log(c, WALOR_LOG_INFO, "flaky: run %lld fails on purpose", (long long)n);
        return WALOR_ETIMEDOUT;
    }
    if (walor_db_exec(c, "UPDATE jobs_flaky SET n = ?", WALOR_ARGS(walor_i(n))) < 0)
        return WALOR_EDB;
    int64_t chat = (int64_t)json_integer_value(json_object_get(payload, "chat"));
    return walor_send(c, chat, walor_ctx_printf(c, "flaky ok after %lld runs", (long long)n), NULL, 0, NULL);
}

static int32_t cmd_later(walor_ctx *c, const char *arg)
{
    char *end = NULL;
    long n = strtol(arg, &end, 10);
    if (!end || end == arg || n < 0)
        return walor_reply(c, "использование: /later N", NULL);
    json_t *payload = json_pack("{s:I}", "chat", (json_int_t)walor_ctx_chat_id(c));
    /* as an order would: the row and its job commit together */
    int32_t rc = walor_tx_begin(c);
    if (rc == 0)
        rc = walor_db_exec(c, "INSERT INTO jobs_later(chat, seconds) VALUES (?, ?)",
                           WALOR_ARGS(walor_i(walor_ctx_chat_id(c)), walor_i(n)));
    if (rc >= 0)
        rc = walor_job_at(c, walor_now(c) + n, "later", "k", payload);
    json_decref(payload);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    rc = walor_tx_commit(c);
    if (rc < 0)
        return rc;
    return walor_reply(c, walor_ctx_printf(c, "later:%ld", n), NULL);
}

static int32_t cmd_cancel_later(walor_ctx *c, const char *arg)
{
    (void)arg;
    int32_t rc = walor_job_cancel(c, "later", "k");
    if (rc == WALOR_ENOTFOUND)
        return walor_reply(c, "nothing to cancel", NULL);
    if (rc < 0)
        return rc;
    return walor_reply(c, "cancelled", NULL);
}

static int32_t cmd_flaky(walor_ctx *c, const char *arg)
{
    (void)arg;
    json_t *payload = json_pack("{s:I}", "chat", (json_int_t)walor_ctx_chat_id(c));
    int32_t rc = walor_job_at(c, walor_now(c), "flaky", NULL, payload);
    json_decref(payload);
    if (rc < 0)
        return rc;
    return walor_reply(c, "flaky", NULL);
}

/* 1 if name is in the comma-separated list (NULL: every name) */
static int listed(const char *list, const char *name)
{
    if (!list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

#define CMD(n, fn) {.struct_size = sizeof(walor_command_def), .name = (n), .description = (n), .handler = (fn)}
#define CRON(n, e, f, run) {.struct_size = sizeof(walor_cron_def), .flags = (f), .name = (n), .expr = (e), .fn = (run)}

static int32_t load(walor_plugin *p)
{
    static const walor_command_def cmds[] = {
        CMD("later", cmd_later), CMD("cancel_later", cmd_cancel_later), CMD("flaky", cmd_flaky),
    };
    static const walor_cron_def crons[] = {
        CRON("minute", "* * * * *", 0, run_minute),
        CRON("ten", "0 10 * * *", 0, run_ten),
        CRON("catchup", "0 3 * * *", WALOR_CRON_CATCH_UP, run_catchup),
        CRON("nocatchup", "0 4 * * *", 0, run_nocatchup),
        CRON("slow", "* * * * *", 0, run_slow),
    };
    const char *ms = walor_plugin_config(p, "slow_ms");
    slow_ms = ms ? strtoll(ms, NULL, 10) : 0;
    int32_t rc = walor_migration(p, 1,
                                 "CREATE TABLE jobs_runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                 " at INTEGER NOT NULL);"
                                 "CREATE TABLE jobs_later (id INTEGER PRIMARY KEY, chat INTEGER NOT NULL,"
                                 " seconds INTEGER NOT NULL);"
                                 "CREATE TABLE jobs_flaky (n INTEGER NOT NULL);"
                                 "INSERT INTO jobs_flaky(n) VALUES (0)");
    for (size_t i = 0; rc == 0 && i < sizeof cmds / sizeof *cmds; i++)
        rc = walor_command(p, &cmds[i]);
    const char *list = walor_plugin_config(p, "crons");
    for (size_t i = 0; rc == 0 && i < sizeof crons / sizeof *crons; i++)
        if (listed(list, crons[i].name))
            rc = walor_cron(p, &crons[i]);
    if (rc == 0)
        rc = walor_job(p, "later", job_later);
    if (rc == 0)
        rc = walor_job(p, "flaky", job_flaky);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "jobs", .version = "1.0.0", .description = "Задания планировщика для тестов",
                    .load = load)
