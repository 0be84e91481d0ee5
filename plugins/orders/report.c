/* orders: what reports read (service 1.1): sales of a period streamed row
 * by row, refunds streamed, and the period's totals in one query each.
 *
 * A sale is an order that was paid (paid_at > 0), is not cancelled and is
 * not a tester's; it counts at paid_at (orders.h). The streams step one
 * SQLite cursor and hand each row to the caller while it is current: no
 * row is copied into the ctx arena, so a report over a million orders
 * costs the memory of one row. Every query names paid_at > 0 so that the
 * partial index orders_order_paid (refund.c's migration) serves it. */
#include <string.h>

#include "orders.h"

#define SALE "o.paid_at > 0 AND o.status <> 'cancelled' AND (o.flags & 2) = 0"

#define SCAN_COLS                                                                                                  \
    "o.id, o.user_id, o.source, o.status, o.created_at, o.updated_at, o.paid_at, o.goods, o.product_discount, "    \
    "o.delivery_cost, o.personal_discount, o.promo_discount, o.cert_discount, o.bonus_spent, o.total, "            \
    "o.promo_code, o.cert_code, o.flags, o.delivery_shop, o.refunded, o.address_verified, o.delivery_manual"

int32_t orders_scan(walor_ctx *c, int64_t from, int64_t to, uint32_t flags, walor_order_scan_fn fn, void *ud)
{
    if (!fn || (flags & ~WALOR_ORDERS_SCAN_LINES) || to < from)
        return WALOR_EINVAL;
    int lines = (flags & WALOR_ORDERS_SCAN_LINES) != 0;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(
        c,
        lines ? "SELECT " SCAN_COLS ", l.product_id, l.variant_no, l.name, l.variant_label, l.base_price,"
                " l.unit_price, l.qty, l.weight_g, l.discount_pct FROM orders_order o"
                " JOIN orders_line l ON l.order_id = o.id"
                " WHERE " SALE " AND o.paid_at >= ? AND o.paid_at < ? ORDER BY o.paid_at, o.id, l.no"
              : "SELECT " SCAN_COLS " FROM orders_order o WHERE " SALE " AND o.paid_at >= ? AND o.paid_at < ?"
                " ORDER BY o.paid_at, o.id",
        WALOR_ARGS(walor_i(from), walor_i(to)), &r);
    if (rc < 0)
        return rc;
    /* the strings scan() does not read are "" (orders.h) */
    walor_order o = {.struct_size = sizeof o, .contact_name = "", .phone = "", .email = "", .delivery_type = "",
                     .address = "", .pickup_point = "", .courier_details = "", .comment = "", .extra_json = "{}",
                     .payment_screenshot = "", .tracking = ""};
    walor_order_line l = {.struct_size = sizeof l};
    /* the columns of SCAN_COLS, then those of the line */
    while ((rc = walor_row_step(c, r, lines ? "iidtiiii" "iiiiiii" "ttdiidd" "iittiiiid" : "iidtiiii" "iiiiiii" "ttdiidd",
                                &o.id, &o.user_id, &o.source, &o.status, &o.created_at, &o.updated_at, &o.paid_at,
                                &o.goods, &o.product_discount, &o.delivery_cost, &o.personal_discount,
                                &o.promo_discount, &o.cert_discount, &o.bonus_spent, &o.total, &o.promo_code,
                                &o.cert_code, &o.flags, &o.delivery_shop, &o.refunded, &o.address_verified,
                                &o.delivery_manual, &l.product_id, &l.variant_no, &l.name, &l.variant_label,
                                &l.base_price, &l.unit_price, &l.qty, &l.weight_g, &l.discount_pct)) == 1 &&
           (rc = fn(ud, &o, lines ? &l : NULL)) == 0)
        ;
    walor_rows_close(r);
    return rc;
}

int32_t orders_refunds_scan(walor_ctx *c, int64_t from, int64_t to, walor_refund_fn fn, void *ud)
{
    if (!fn || to < from)
        return WALOR_EINVAL;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT r.id, r.order_id, o.user_id, r.amount, r.at, r.staff_id, r.kind, r.reason,"
                                " r.provider_ref, o.status, o.flags FROM orders_refund r"
                                " JOIN orders_order o ON o.id = r.order_id"
                                " WHERE r.at >= ? AND r.at < ? ORDER BY r.at, r.id",
                                WALOR_ARGS(walor_i(from), walor_i(to)), &r);
    if (rc < 0)
        return rc;
    walor_refund x = {.struct_size = sizeof x};
    while ((rc = walor_row_step(c, r, "iiiiii" "tttt" "d", &x.id, &x.order_id, &x.user_id, &x.amount, &x.at,
                                &x.staff_id, &x.kind, &x.reason, &x.provider_ref, &x.order_status, &x.order_flags)) ==
               1 &&
           (rc = fn(ud, &x)) == 0)
        ;
    walor_rows_close(r);
    return rc;
}

/* the first row's integer columns into out[0..n) */
static int32_t ints(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs, int64_t *out, uint32_t n)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, sql, args, nargs, &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    for (uint32_t i = 0; rc == 1 && i < n; i++)
        out[i] = walor_col_int(r, i);
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

int32_t orders_totals(walor_ctx *c, int64_t from, int64_t to, walor_order_totals *out)
{
    if (!out || out->struct_size < offsetof(walor_order_totals, new_customers) + sizeof out->new_customers ||
        to < from || (out->flags & ~WALOR_ORDERS_TOTALS_NEW))
        return WALOR_EINVAL;
    int64_t v[4] = {0, 0, 0, 0}, rf[2] = {0, 0}, nc = 0;
    int32_t rc = ints(c,
                      "SELECT count(*), coalesce(sum(o.total), 0),"
                      " coalesce(sum(CASE WHEN o.source = 2 THEN 1 ELSE 0 END), 0),"
                      " coalesce(sum(CASE WHEN o.source = 2 THEN o.total ELSE 0 END), 0)"
                      " FROM orders_order o WHERE " SALE " AND o.paid_at >= ? AND o.paid_at < ?",
                      WALOR_ARGS(walor_i(from), walor_i(to)), v, 4);
    if (rc == 0)
        rc = ints(c,
                  "SELECT count(*), coalesce(sum(r.amount), 0) FROM orders_refund r"
                  " JOIN orders_order o ON o.id = r.order_id WHERE r.at >= ? AND r.at < ? AND " SALE,
                  WALOR_ARGS(walor_i(from), walor_i(to)), rf, 2);
    /* a new customer: a sale in the period and none before it (one index
     * lookup per sale of the period: asked for only when shown) */
    if (rc == 0 && (out->flags & WALOR_ORDERS_TOTALS_NEW))
        rc = ints(c,
                  "SELECT count(DISTINCT o.user_id) FROM orders_order o WHERE " SALE
                  " AND o.paid_at >= ? AND o.paid_at < ? AND o.source <> 2 AND o.user_id > 0"
                  " AND NOT EXISTS (SELECT 1 FROM orders_order p WHERE p.user_id = o.user_id AND p.paid_at > 0"
                  " AND p.paid_at < ? AND p.status <> 'cancelled' AND (p.flags & 2) = 0)",
                  WALOR_ARGS(walor_i(from), walor_i(to), walor_i(from)), &nc, 1);
    if (rc < 0)
        return rc;
    out->orders = v[0];
    out->total = v[1];
    out->b2b_orders = v[2];
    out->b2b_total = v[3];
    out->refunds_n = rf[0];
    out->refunds = rf[1];
    out->new_customers = nc;
    return 0;
}
