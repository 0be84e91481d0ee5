/* cluprobe: what tests/e2e/test_cluster.py counts while several walord
 * instances share one PostgreSQL database (host/core/cluster.h).
 *
 *   /seq N     waits [plugin.cluprobe] work_ms (a handler that takes a
 *              while, so the next update of the chat is in flight
 *              elsewhere), then records (update, chat, N, the process, the
 *              chat's handled count + 1) in cluprobe_seen, in the update's
 *              unit of work, and replies "seq N"
 *   /jobs K    K one-shot jobs "tick" due now, keys "<chat>-<i>"; each run
 *              records its key and process in cluprobe_jobs
 *   /blast N   N paced (bulk) messages "blast i/N" to the chat */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <walor/plugin.h>

static int64_t work_ms;

static int32_t cmd_seq(walor_ctx *c, const char *arg)
{
    long n = strtol(arg ? arg : "0", NULL, 10);
    struct timespec ts = {.tv_sec = (time_t)(work_ms / 1000), .tv_nsec = (long)(work_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    int64_t chat = walor_ctx_chat_id(c);
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO cluprobe_seen(update_id, chat_id, n, pid, handled_no) VALUES (?, ?, ?, ?, "
                               "(SELECT COALESCE(MAX(handled_no), 0) + 1 FROM cluprobe_seen WHERE chat_id = ?))",
                               WALOR_ARGS(walor_i((int64_t)json_integer_value(json_object_get(walor_ctx_update(c), "update_id"))), walor_i(chat), walor_i(n),
                                          walor_i(getpid()), walor_i(chat)));
    if (rc < 0)
        return rc;
    return walor_reply(c, walor_ctx_printf(c, "seq %ld", n), NULL);
}

static int32_t job_tick(walor_ctx *c, json_t *payload)
{
    const char *key = json_string_value(json_object_get(payload, "key"));
    int32_t rc = walor_db_exec(c, "INSERT INTO cluprobe_jobs(key, pid) VALUES (?, ?)",
                               WALOR_ARGS(walor_s(key ? key : ""), walor_i(getpid())));
    return rc < 0 ? rc : 0;
}

static int32_t cmd_jobs(walor_ctx *c, const char *arg)
{
    long k = strtol(arg ? arg : "0", NULL, 10);
    for (long i = 0; i < k; i++) {
        const char *key = walor_ctx_printf(c, "%lld-%ld", (long long)walor_ctx_chat_id(c), i);
        json_t *payload = json_pack("{s:s}", "key", key);
        int32_t rc = walor_job_at(c, walor_now(c), "tick", key, payload);
        json_decref(payload);
        if (rc < 0)
            return rc;
    }
    return walor_reply(c, walor_ctx_printf(c, "jobs %ld", k), NULL);
}

static int32_t cmd_blast(walor_ctx *c, const char *arg)
{
    long n = strtol(arg ? arg : "0", NULL, 10);
    for (long i = 1; i <= n; i++) {
        int32_t rc = walor_send(c, walor_ctx_chat_id(c), walor_ctx_printf(c, "blast %ld/%ld", i, n), NULL,
                                WALOR_SEND_BULK, NULL);
        if (rc < 0)
            return rc;
    }
    return 0;
}

#define CMD(n, fn) {.struct_size = sizeof(walor_command_def), .name = (n), .description = (n), .handler = (fn)}

static int32_t load(walor_plugin *p)
{
    static const walor_command_def cmds[] = {CMD("seq", cmd_seq), CMD("jobs", cmd_jobs), CMD("blast", cmd_blast)};
    const char *ms = walor_plugin_config(p, "work_ms");
    work_ms = ms ? strtoll(ms, NULL, 10) : 0;
    int32_t rc = walor_migration(p, 1,
                                 "CREATE TABLE cluprobe_seen (id INTEGER PRIMARY KEY, update_id INTEGER NOT NULL,"
                                 " chat_id INTEGER NOT NULL, n INTEGER NOT NULL, pid INTEGER NOT NULL,"
                                 " handled_no INTEGER NOT NULL);"
                                 "CREATE TABLE cluprobe_jobs (id INTEGER PRIMARY KEY, key TEXT NOT NULL,"
                                 " pid INTEGER NOT NULL);");
    for (size_t i = 0; rc == 0 && i < sizeof cmds / sizeof *cmds; i++)
        rc = walor_command(p, &cmds[i]);
    if (rc == 0)
        rc = walor_job(p, "tick", job_tick);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "cluprobe", .version = "1.0.0", .description = "Проба нескольких экземпляров для тестов",
                    .load = load)
