/* evpub: the publishing side of the events e2e tests (tests/e2e/test_host_events.py).
 *   /emit N AGG   one transaction: N rows in evpub_rows and N events
 *                 "evpub.tick" {"v":1,"n":i,"agg":AGG} of aggregate AGG → "emit:N"
 *   /emitfail     a row and an event, then a rollback → "emitfail"
 *                 (the event must never be delivered)
 *   /emitone AGG  one event outside any transaction, without "v" (the host adds it)
 * and the service "counter" 1.3 (counter.h). The subscriber cannot see the
 * aggregate, so the payload carries it for evsub to record. */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>

#include "counter.h"

static int64_t counter_rows(walor_ctx *c)
{
    int64_t n = -1;
    walor_db_int(c, "SELECT count(*) FROM evpub_rows", NULL, 0, &n);
    return n;
}

static int32_t counter_version(void) { return 3; }

static const evpub_counter_v1 counter = {
    .struct_size = sizeof counter,
    .rows = counter_rows,
    .version = counter_version,
};

static int32_t emit_tick(walor_ctx *c, const char *agg, long n)
{
    json_t *payload = json_pack("{s:i, s:i, s:s}", "v", 1, "n", (int)n, "agg", agg);
    int32_t rc = walor_event_emit(c, "evpub.tick", agg, payload);
    json_decref(payload);
    return rc;
}

/* "N AGG" → n, agg (arena); 0 or WALOR_EINVAL */
static int32_t parse(walor_ctx *c, const char *arg, long *n, const char **agg)
{
    char *end = NULL;
    *n = strtol(arg, &end, 10);
    if (!end || end == arg || *n < 1 || *n > 1000)
        return WALOR_EINVAL;
    end += strspn(end, " ");
    *agg = walor_ctx_printf(c, "%s", *end ? end : "a");
    return 0;
}

static int32_t cmd_emit(walor_ctx *c, const char *arg)
{
    long n;
    const char *agg;
    if (parse(c, arg, &n, &agg) != 0)
        return walor_reply(c, "использование: /emit N AGG", NULL);
    int32_t rc = walor_tx_begin(c);
    for (long i = 1; rc == 0 && i <= n; i++) {
        rc = walor_db_exec(c, "INSERT INTO evpub_rows(agg, n) VALUES (?, ?)", WALOR_ARGS(walor_s(agg), walor_i(i)));
        if (rc >= 0)
            rc = emit_tick(c, agg, i);
    }
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    rc = walor_tx_commit(c);
    if (rc < 0)
        return rc;
    return walor_reply(c, walor_ctx_printf(c, "emit:%ld", n), NULL);
}

static int32_t cmd_emitfail(walor_ctx *c, const char *arg)
{
    (void)arg;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c, "INSERT INTO evpub_rows(agg, n) VALUES ('fail', 0)", NULL, 0);
    if (rc >= 0)
        rc = emit_tick(c, "fail", 1);
    walor_tx_rollback(c);
    if (rc < 0)
        return rc;
    return walor_reply(c, "emitfail", NULL);
}

static int32_t cmd_emitone(walor_ctx *c, const char *arg)
{
    const char *agg = *arg ? arg : "one";
    json_t *payload = json_pack("{s:i, s:s}", "n", 1, "agg", agg); /* no "v" on purpose */
    int32_t rc = walor_event_emit(c, "evpub.tick", agg, payload);
    json_decref(payload);
    if (rc < 0)
        return rc;
    return walor_reply(c, "emitone", NULL);
}

#define CMD(n, fn) {.struct_size = sizeof(walor_command_def), .name = (n), .description = (n), .handler = (fn)}

static int32_t load(walor_plugin *p)
{
    static const walor_command_def cmds[] = {
        CMD("emit", cmd_emit), CMD("emitfail", cmd_emitfail), CMD("emitone", cmd_emitone),
    };
    int32_t rc = walor_migration(p, 1, "CREATE TABLE evpub_rows (id INTEGER PRIMARY KEY, agg TEXT NOT NULL,"
                                       " n INTEGER NOT NULL)");
    for (size_t i = 0; rc == 0 && i < sizeof cmds / sizeof *cmds; i++)
        rc = walor_command(p, &cmds[i]);
    if (!rc)
        rc = walor_service_provide(p, "counter", 1, 3, &counter);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "evpub", .version = "1.0.0", .description = "Публикует события для тестов", .load = load)
