/* analytics: completed bookings count in revenue. The bookings plugin
 * announces every change with booking.changed
 *   {"v":1, "booking_id", "client_id", "service_id", "service_name",
 *    "status": "pending|confirmed|completed|cancelled",
 *    "price": kopecks (the final price once completed), "starts_at",
 *    "completed_at": epoch|null}
 * and we keep one fact per booking (analytics_booking): a later change
 * replaces the earlier one, so a booking completed and then cancelled
 * counts nowhere, and a redelivered event changes nothing. Reading our own
 * facts keeps analytics independent of whether that plugin is loaded. */
#include <string.h>

#include "analytics.h"

#define NAME_MAX_BYTES 200

static int known_status(const char *s)
{
    static const char *const ok[] = {"pending", "confirmed", "completed", "cancelled"};
    for (size_t i = 0; s && i < sizeof ok / sizeof ok[0]; i++)
        if (!strcmp(s, ok[i]))
            return 1;
    return 0;
}

static int64_t jint(json_t *o, const char *k) { return (int64_t)json_integer_value(json_object_get(o, k)); }

static int32_t on_changed(walor_ctx *c, const char *event, json_t *pl)
{
    (void)event;
    int64_t id = jint(pl, "booking_id"), price = jint(pl, "price"), starts = jint(pl, "starts_at");
    const char *status = json_string_value(json_object_get(pl, "status"));
    const char *name = json_string_value(json_object_get(pl, "service_name"));
    json_t *done = json_object_get(pl, "completed_at");
    if (jint(pl, "v") != 1 || id <= 0 || !known_status(status) || price < 0 || price > AN_MANUAL_AMOUNT_MAX) {
        /* a payload we cannot read would fail forever: log it and go on */
        walor_log(c, WALOR_LOG_WARN, "analytics: booking.changed ignored: unreadable payload (booking %lld)",
                  (long long)id);
        return 0;
    }
    int completed = !strcmp(status, "completed");
    /* a completed booking without its time counts on its start */
    int64_t at = completed ? (json_is_integer(done) ? (int64_t)json_integer_value(done) : starts) : 0;
    char nm[NAME_MAX_BYTES + 1];
    size_t nl = name ? strlen(name) : 0;
    if (nl > NAME_MAX_BYTES) { /* cut on a UTF-8 boundary */
        nl = NAME_MAX_BYTES;
        while (nl > 0 && ((unsigned char)name[nl] & 0xC0) == 0x80)
            nl--;
    }
    memcpy(nm, name ? name : "", nl);
    nm[nl] = 0;
    int32_t rc = walor_db_exec(
        c,
        "INSERT INTO analytics_booking(booking_id, client_id, service_id, service_name, status, price, starts_at,"
        " completed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(booking_id) DO UPDATE SET"
        " client_id = excluded.client_id, service_id = excluded.service_id, service_name = excluded.service_name,"
        " status = excluded.status, price = excluded.price, starts_at = excluded.starts_at,"
        " completed_at = excluded.completed_at, updated_at = excluded.updated_at",
        WALOR_ARGS(walor_i(id), walor_i(jint(pl, "client_id")), walor_i(jint(pl, "service_id")), walor_s(nm),
                   walor_s(status), walor_i(price), walor_i(starts), completed ? walor_i(at) : walor_null(),
                   walor_i(walor_now(c))));
    return rc < 0 ? rc : 0;
}

int32_t an_bookings_sum(walor_ctx *c, int64_t from, int64_t to, int64_t *n, int64_t *sum)
{
    return an_count_sum(c,
                        "SELECT count(*), coalesce(sum(price), 0) FROM analytics_booking"
                        " WHERE status = 'completed' AND completed_at >= ? AND completed_at < ?",
                        from, to, n, sum);
}

int32_t an_bookings_scan(walor_ctx *c, int64_t from, int64_t to, an_booking_fn fn, void *ud)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT booking_id, client_id, service_id, service_name, price, starts_at, completed_at"
                                " FROM analytics_booking WHERE status = 'completed' AND completed_at >= ?"
                                " AND completed_at < ? ORDER BY completed_at, booking_id",
                                WALOR_ARGS(walor_i(from), walor_i(to)), &r);
    if (rc < 0)
        return rc;
    an_booking b;
    while ((rc = walor_row_next(r)) == 1) {
        b = (an_booking){walor_col_int(r, 0), walor_col_int(r, 1), walor_col_int(r, 2), walor_col_int(r, 4),
                         walor_col_int(r, 5), walor_col_int(r, 6), walor_col_text(r, 3)};
        int32_t stop = fn(ud, &b);
        if (stop) {
            walor_rows_close(r);
            return stop;
        }
    }
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

int32_t an_bookings_register(walor_plugin *p) { return walor_subscribe(p, "booking.changed", on_changed); }
