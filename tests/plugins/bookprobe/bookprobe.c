/* bookprobe: stands in for the bookings plugin in the analytics e2e tests
 * (tests/e2e/test_analytics_*.py): it emits booking.changed exactly as the
 * bookings plugin will —
 *   {"v":1, "booking_id", "client_id", "service_id", "service_name",
 *    "status", "price", "starts_at", "completed_at": epoch|null}
 * with aggregate "booking:<id>". Commands (any user):
 *   /bp <id> <status> <price kopecks> [done=<epoch>|now] [client=<id>] [name=<word>]
 *       → "bp:<rc>"; completed_at is "done" (default: now) for a
 *       completed booking, null otherwise; starts_at is an hour before now
 *   /bp_raw <json>   emits the object as it is (a malformed payload) → "bp:<rc>" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>

static int32_t say(walor_ctx *c, int32_t rc) { return walor_reply(c, walor_ctx_printf(c, "bp:%d", rc), NULL); }

static int32_t emit(walor_ctx *c, long long id, json_t *pl)
{
    int32_t rc = pl ? walor_event_emit(c, "booking.changed", walor_ctx_printf(c, "booking:%lld", id), pl)
                    : WALOR_EINVAL;
    json_decref(pl);
    return rc;
}

static int32_t cmd_bp(walor_ctx *c, const char *arg)
{
    char status[32] = "", name[64] = "Стрижка";
    long long id = 0, price = 0, client = walor_ctx_user_id(c), done = walor_now(c);
    int n = 0;
    if (sscanf(arg, "%lld %31s %lld%n", &id, status, &price, &n) != 3)
        return say(c, WALOR_EINVAL);
    for (const char *p = arg + n; *p;) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, "done=", 5) && strncmp(p + 5, "now", 3))
            done = atoll(p + 5);
        else if (!strncmp(p, "client=", 7))
            client = atoll(p + 7);
        else if (!strncmp(p, "name=", 5))
            sscanf(p + 5, "%63s", name);
        while (*p && *p != ' ')
            p++;
    }
    int completed = !strcmp(status, "completed");
    json_t *pl = json_pack("{s:i, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:o}", "v", 1, "booking_id", id, "client_id",
                           client, "service_id", (json_int_t)7, "service_name", name, "status", status, "price",
                           price, "starts_at", (json_int_t)(walor_now(c) - 3600), "completed_at",
                           completed ? json_integer(done) : json_null());
    return say(c, emit(c, id, pl));
}

static int32_t cmd_raw(walor_ctx *c, const char *arg)
{
    json_t *pl = json_loads(arg, 0, NULL);
    long long id = (long long)json_integer_value(json_object_get(pl, "booking_id"));
    return say(c, emit(c, id, pl));
}

static int32_t load(walor_plugin *p)
{
    static const walor_command_def bp = {.struct_size = sizeof bp, .name = "bp", .description = "booking.changed",
                                         .handler = cmd_bp};
    static const walor_command_def raw = {.struct_size = sizeof raw, .name = "bp_raw",
                                          .description = "booking.changed (raw)", .handler = cmd_raw};
    int32_t rc = walor_command(p, &bp);
    if (!rc)
        rc = walor_command(p, &raw);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "bookprobe", .version = "1.0.0", .description = "emits booking.changed for tests",
                    .load = load)
