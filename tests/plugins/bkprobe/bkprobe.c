/* bkprobe: a consumer of the `bookings` service for the e2e tests
 * (tests/e2e/test_bookings_staff.py), as CRM and analytics use it:
 *   /bkprobe_totals <client>        → "totals:<count>:<sum>"
 *   /bkprobe_period <from> <to>     → "period:<count>:<sum>"
 *   /bkprobe_list <client> <off> <lim> → "list:<total>:<id>,<status>,<price>,<starts>,<name>;…"
 *   /bkprobe_card <booking>         → "card:<callback data>" or "card:none"
 * It also counts booking.changed deliveries per booking in bkprobe_seen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>
#include <walor/services/bookings.h>

static const walor_bookings_v1 *svc(walor_ctx *c)
{
    return walor_service_get(walor_ctx_plugin(c), WALOR_BOOKINGS_SERVICE, WALOR_BOOKINGS_MAJOR, NULL);
}

static int32_t say(walor_ctx *c, const char *s) { return walor_reply(c, walor_html_escape(c, s), NULL); }

static int32_t totals(walor_ctx *c, const char *arg)
{
    int64_t n = 0, sum = 0;
    const walor_bookings_v1 *b = svc(c);
    if (!WALOR_BOOKINGS_HAS(b, client_totals))
        return say(c, "error:no service");
    int32_t rc = b->client_totals(c, strtoll(arg, NULL, 10), &n, &sum);
    return say(c, walor_ctx_printf(c, "totals:%d:%lld:%lld", (int)rc, (long long)n, (long long)sum));
}

static int32_t period(walor_ctx *c, const char *arg)
{
    int64_t n = 0, sum = 0;
    long long from = 0, to = 0;
    const walor_bookings_v1 *b = svc(c);
    if (!WALOR_BOOKINGS_HAS(b, period_totals) || sscanf(arg, "%lld %lld", &from, &to) != 2)
        return say(c, "error:usage");
    int32_t rc = b->period_totals(c, from, to, &n, &sum);
    return say(c, walor_ctx_printf(c, "period:%d:%lld:%lld", (int)rc, (long long)n, (long long)sum));
}

static int32_t list(walor_ctx *c, const char *arg)
{
    long long client = 0;
    unsigned off = 0, lim = 0;
    const walor_bookings_v1 *b = svc(c);
    if (!WALOR_BOOKINGS_HAS(b, client_list) || sscanf(arg, "%lld %u %u", &client, &off, &lim) != 3)
        return say(c, "error:usage");
    walor_booking_item *items = NULL;
    uint32_t n = 0;
    int64_t total = 0;
    int32_t rc = b->client_list(c, client, off, lim, &items, &n, &total);
    if (rc < 0)
        return say(c, walor_ctx_printf(c, "list:error:%d", (int)rc));
    char *s = walor_ctx_printf(c, "list:%lld:", (long long)total);
    for (uint32_t i = 0; i < n; i++) {
        const walor_booking_item *it = walor_booking_item_at(items, i);
        s = walor_ctx_printf(c, "%s%lld,%s,%lld,%lld,%s;", s, (long long)it->id, it->status, (long long)it->price,
                             (long long)it->starts_at, it->service_name);
    }
    return say(c, s);
}

static int32_t card(walor_ctx *c, const char *arg)
{
    const walor_bookings_v1 *b = svc(c);
    if (!WALOR_BOOKINGS_HAS(b, card_callback))
        return say(c, "error:no service");
    const char *d = b->card_callback(c, strtoll(arg, NULL, 10));
    return say(c, walor_ctx_printf(c, "card:%s", d ? d : "none"));
}

static int32_t seen(walor_ctx *c, const char *event, json_t *pl)
{
    (void)event;
    int32_t rc = walor_db_exec(c, "INSERT INTO bkprobe_seen(booking_id, status, price) VALUES (?, ?, ?)",
                               WALOR_ARGS(walor_i((int64_t)json_integer_value(json_object_get(pl, "booking_id"))),
                                          walor_s(json_string_value(json_object_get(pl, "status"))),
                                          walor_i((int64_t)json_integer_value(json_object_get(pl, "price")))));
    return rc < 0 ? rc : 0;
}

static int32_t load(walor_plugin *p)
{
    static const walor_command_def cmds[] = {
        {.struct_size = sizeof(walor_command_def), .name = "bkprobe_totals", .description = "t", .handler = totals},
        {.struct_size = sizeof(walor_command_def), .name = "bkprobe_period", .description = "p", .handler = period},
        {.struct_size = sizeof(walor_command_def), .name = "bkprobe_list", .description = "l", .handler = list},
        {.struct_size = sizeof(walor_command_def), .name = "bkprobe_card", .description = "c", .handler = card},
    };
    int32_t rc = walor_migration(p, 1,
                                 "CREATE TABLE bkprobe_seen (id INTEGER PRIMARY KEY, booking_id INTEGER,"
                                 " status TEXT, price INTEGER);");
    for (size_t i = 0; !rc && i < sizeof cmds / sizeof cmds[0]; i++)
        rc = walor_command(p, &cmds[i]);
    if (!rc)
        rc = walor_subscribe(p, "booking.changed", seen);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "bkprobe", .version = "1.0.0", .description = "bookings service probe",
                    .requires = "bookings", .min_host_minor = 3, .load = load)
