/* bookings: the `bookings` service for CRM and analytics
 * (sdk/include/walor/services/bookings.h). Read-only; runs with the
 * caller's ctx and transaction. */
#include <walor/services/bookings.h>

#include "bk.h"

static int32_t totals(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs, int64_t *count,
                      int64_t *sum)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, sql, args, nargs, &r);
    if (rc < 0)
        return rc;
    *count = *sum = 0;
    if ((rc = walor_row_next(r)) == 1) {
        *count = walor_col_int(r, 0);
        *sum = walor_col_int(r, 1);
    }
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

static int32_t client_totals(walor_ctx *c, int64_t client_id, int64_t *count, int64_t *sum)
{
    return totals(c,
                  "SELECT count(*), coalesce(sum(price), 0) FROM bookings_booking "
                  "WHERE client_id = ? AND status = 'completed'",
                  WALOR_ARGS(walor_i(client_id)), count, sum);
}

static int32_t period_totals(walor_ctx *c, int64_t from, int64_t to, int64_t *count, int64_t *sum)
{
    return totals(c,
                  "SELECT count(*), coalesce(sum(price), 0) FROM bookings_booking "
                  "WHERE status = 'completed' AND completed_at >= ? AND completed_at < ?",
                  WALOR_ARGS(walor_i(from), walor_i(to)), count, sum);
}

static int32_t client_list(walor_ctx *c, int64_t client_id, uint32_t offset, uint32_t limit, walor_booking_item **out,
                           uint32_t *n, int64_t *total)
{
    if (!out || !n || limit < 1 || limit > 100)
        return WALOR_EINVAL;
    *out = NULL;
    *n = 0;
    int64_t all = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM bookings_booking WHERE client_id = ?",
                              WALOR_ARGS(walor_i(client_id)), &all);
    if (rc < 0)
        return rc;
    if (total)
        *total = all;
    walor_booking_item *v = walor_ctx_alloc(c, limit * sizeof *v);
    if (!v)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    rc = walor_db_query(c,
                        "SELECT id, service_name, status, starts_at, price, coalesce(completed_at, 0) "
                        "FROM bookings_booking WHERE client_id = ? ORDER BY starts_at DESC, id DESC LIMIT ? OFFSET ?",
                        WALOR_ARGS(walor_i(client_id), walor_i(limit), walor_i(offset)), &r);
    if (rc < 0)
        return rc;
    uint32_t k = 0;
    while (k < limit && (rc = walor_row_next(r)) == 1) {
        v[k].struct_size = sizeof v[k];
        v[k].id = walor_col_int(r, 0);
        v[k].service_name = walor_ctx_printf(c, "%s", walor_col_text(r, 1) ? walor_col_text(r, 1) : "");
        v[k].status = walor_ctx_printf(c, "%s", walor_col_text(r, 2) ? walor_col_text(r, 2) : "");
        v[k].starts_at = walor_col_int(r, 3);
        v[k].price = walor_col_int(r, 4);
        v[k].completed_at = walor_col_int(r, 5);
        k++;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    *out = v;
    *n = k;
    return 0;
}

static const char *card_callback(walor_ctx *c, int64_t booking_id)
{
    int64_t one;
    if (walor_db_int(c, "SELECT 1 FROM bookings_booking WHERE id = ?", WALOR_ARGS(walor_i(booking_id)), &one) != 0)
        return NULL;
    return walor_ctx_printf(c, "bks:b:%lld", (long long)booking_id);
}

int32_t bk_service_register(walor_plugin *p)
{
    static const walor_bookings_v1 SERVICE = {.struct_size = sizeof SERVICE,
                                              .client_totals = client_totals,
                                              .period_totals = period_totals,
                                              .client_list = client_list,
                                              .card_callback = card_callback};
    return walor_service_provide(p, WALOR_BOOKINGS_SERVICE, WALOR_BOOKINGS_MAJOR, WALOR_BOOKINGS_MINOR, &SERVICE);
}
