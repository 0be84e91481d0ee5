/* evsub: the subscribing side of the events e2e tests (tests/e2e/test_host_events.py).
 * Subscribes to "evpub.tick" and appends (aggregate, n, counter minor) to
 * evsub_seen inside the delivery transaction, after calling evpub's service
 * "counter" (requires 1.2; evpub provides 1.3).
 *   /failnext K [AGG]  the next K deliveries (of aggregate AGG only, if given)
 *                 write a row and fail with an error (the row may not stay),
 *                 but the last of them rolls back a nested level and
 *                 succeeds (its row stays, the level's does not) → "failnext:K"
 *   /evslow MS    every delivery sleeps MS ms first (crash tests) → "evslow:MS"
 *   /counter      "counter 1.<minor>: <rows>" from the service
 * Both knobs live in memory: a restart clears them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <walor/plugin.h>

#include "../evpub/counter.h"

static _Atomic long fail_next;
static char fail_agg[64];          /* written before fail_next is stored, read after it is loaded */
static _Atomic long sleep_ms;

static void nap(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static const evpub_counter_v1 *counter(walor_ctx *c, uint32_t *minor)
{
    const evpub_counter_v1 *t = walor_service_get(walor_ctx_plugin(c), "counter", 1, minor);
    /* a table from an older minor is shorter: only read what it has */
    return t && t->struct_size >= offsetof(evpub_counter_v1, rows) + sizeof t->rows ? t : NULL;
}

static int32_t on_tick(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    long ms = atomic_load(&sleep_ms);
    if (ms > 0)
        nap(ms);
    uint32_t minor = 0;
    const evpub_counter_v1 *t = counter(c, &minor);
    if (!t)
        return WALOR_ENOTFOUND;
    int64_t rows = t->rows(c);
    const char *agg = json_string_value(json_object_get(payload, "agg"));
    json_int_t n = json_integer_value(json_object_get(payload, "n"));
    int32_t rc = walor_db_exec(c, "INSERT INTO evsub_seen(aggregate, n, svc_minor, v) VALUES (?, ?, ?, ?)",
                               WALOR_ARGS(walor_s(agg ? agg : ""), walor_i((int64_t)n), walor_i(minor),
                                          walor_i((int64_t)json_integer_value(json_object_get(payload, "v")))));
    if (rc < 0)
        return rc;
    if (rows < 0)
        return WALOR_EDB;
    long left = atomic_load(&fail_next);
    if (left > 0 && fail_agg[0] && (!agg || strcmp(agg, fail_agg) != 0))
        return 0;
    while (left > 0 && !atomic_compare_exchange_weak(&fail_next, &left, left - 1))
        ;
    if (left <= 0)
        return 0;
    if (left > 1)
        return WALOR_EINVAL; /* the row above must be rolled back */
    /* the last one: a nested level that the subscriber rolls back; only
     * that level's writes go, the row above stays and the delivery succeeds */
    walor_tx_begin(c);
    walor_db_exec(c, "INSERT INTO evsub_seen(aggregate, n, svc_minor, v) VALUES ('nested', 0, 0, 0)", NULL, 0);
    walor_tx_rollback(c);
    return 0;
}

static int32_t cmd_failnext(walor_ctx *c, const char *arg)
{
    char *end = NULL;
    long k = strtol(arg, &end, 10);
    end += strspn(end, " ");
    snprintf(fail_agg, sizeof fail_agg, "%s", end);
    atomic_store(&fail_next, k);
    return walor_reply(c, walor_ctx_printf(c, "failnext:%ld", k), NULL);
}

static int32_t cmd_evslow(walor_ctx *c, const char *arg)
{
    long ms = strtol(arg, NULL, 10);
    atomic_store(&sleep_ms, ms);
    return walor_reply(c, walor_ctx_printf(c, "evslow:%ld", ms), NULL);
}

static int32_t cmd_counter(walor_ctx *c, const char *arg)
{
    (void)arg;
    uint32_t minor = 0;
    const evpub_counter_v1 *t = counter(c, &minor);
    if (!t)
        return walor_reply(c, "counter: нет", NULL);
    int32_t v = t->struct_size >= sizeof *t ? t->version() : -1;
    return walor_reply(c, walor_ctx_printf(c, "counter 1.%u (%d): %lld", minor, v, (long long)t->rows(c)), NULL);
}

#define CMD(n, fn) {.struct_size = sizeof(walor_command_def), .name = (n), .description = (n), .handler = (fn)}

static int32_t load(walor_plugin *p)
{
    static const walor_command_def cmds[] = {
        CMD("failnext", cmd_failnext), CMD("evslow", cmd_evslow), CMD("counter", cmd_counter),
    };
    int32_t rc = walor_migration(p, 1, "CREATE TABLE evsub_seen (id INTEGER PRIMARY KEY, aggregate TEXT NOT NULL,"
                                       " n INTEGER NOT NULL, svc_minor INTEGER NOT NULL, v INTEGER NOT NULL)");
    for (size_t i = 0; rc == 0 && i < sizeof cmds / sizeof *cmds; i++)
        rc = walor_command(p, &cmds[i]);
    if (!rc)
        rc = walor_subscribe(p, "evpub.tick", on_tick);
    if (!rc)
        rc = walor_service_require(p, "counter", 1, 2);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "evsub", .version = "1.0.0", .description = "Подписчик для тестов событий", .load = load)
