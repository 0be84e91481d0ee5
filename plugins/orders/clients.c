/* orders: the customers' figures of the `orders` service 1.2 (client,
 * clients, client_orders, buyers), for the CRM's card, history, export and
 * the audiences of broadcasts. One definition of a sale for all of them
 * (orders.h): paid, not cancelled, not a tester's. */
#include <string.h>

#include "orders.h"

#define SALE "(paid_at > 0 AND status <> 'cancelled' AND (flags & 2) = 0)"
#define IN_PERIOD "(paid_at >= ? AND paid_at < ?)"

/* the contacts of the latest order that has each */
#define LATEST(col)                                                                                          \
    "(SELECT x." col " FROM orders_order x WHERE x.user_id = o.user_id AND x." col " <> '' ORDER BY x.id DESC " \
    "LIMIT 1)"

#define CLIENT_SQL(where)                                                                                          \
    "SELECT o.user_id, count(*), "                                                                                 \
    "sum(CASE WHEN " SALE " AND " IN_PERIOD " THEN 1 ELSE 0 END), "                                               \
    "sum(CASE WHEN " SALE " AND " IN_PERIOD " THEN total ELSE 0 END), "                                           \
    "min(created_at), max(created_at), "                                                                           \
    "min(CASE WHEN " SALE " AND " IN_PERIOD " THEN paid_at END), "                                                \
    "max(CASE WHEN " SALE " AND " IN_PERIOD " THEN paid_at END), " LATEST("contact_name") ", " LATEST("phone") \
    ", " LATEST("email") ", " LATEST("address") " FROM orders_order o WHERE " where " GROUP BY o.user_id "         \
    "ORDER BY o.user_id"

static const char *text(walor_ctx *c, walor_rows *r, uint32_t i)
{
    const char *s = walor_col_text(r, i);
    return walor_ctx_printf(c, "%s", s ? s : "");
}

/* fills the members out's struct_size covers from a row of CLIENT_SQL */
static void fill(walor_ctx *c, walor_rows *r, walor_order_client *out, int copy)
{
    walor_order_client v = {.struct_size = sizeof v};
    v.user_id = walor_col_int(r, 0);
    v.orders = walor_col_int(r, 1);
    v.sales = walor_col_int(r, 2);
    v.sales_total = walor_col_int(r, 3);
    v.first_order_at = walor_col_int(r, 4);
    v.last_order_at = walor_col_int(r, 5);
    v.first_sale_at = walor_col_int(r, 6); /* NULL reads as 0 */
    v.last_sale_at = walor_col_int(r, 7);
    if (copy) {
        v.contact_name = text(c, r, 8);
        v.phone = text(c, r, 9);
        v.email = text(c, r, 10);
        v.address = text(c, r, 11);
    } else {
        /* borrowed until the next row: the stream never keeps them */
        v.contact_name = walor_col_text(r, 8) ? walor_col_text(r, 8) : "";
        v.phone = walor_col_text(r, 9) ? walor_col_text(r, 9) : "";
        v.email = walor_col_text(r, 10) ? walor_col_text(r, 10) : "";
        v.address = walor_col_text(r, 11) ? walor_col_text(r, 11) : "";
    }
    uint32_t n = out->struct_size < sizeof v ? out->struct_size : (uint32_t)sizeof v;
    uint32_t keep = out->struct_size;
    memcpy(out, &v, n);
    out->struct_size = keep;
}

int32_t orders_svc_client(walor_ctx *c, int64_t user_id, walor_order_client *out)
{
    if (!out || out->struct_size < offsetof(walor_order_client, orders))
        return WALOR_EINVAL;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, CLIENT_SQL("o.user_id = ?"),
                                WALOR_ARGS(walor_i(0), walor_i(INT64_MAX), walor_i(0), walor_i(INT64_MAX), walor_i(0),
                                           walor_i(INT64_MAX), walor_i(0), walor_i(INT64_MAX), walor_i(user_id)),
                                &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1) {
        fill(c, r, out, 1);
    } else if (rc == 0) {
        walor_order_client none = {.struct_size = sizeof none, .user_id = user_id, .contact_name = "", .phone = "",
                                   .email = "", .address = ""};
        uint32_t keep = out->struct_size;
        memcpy(out, &none, keep < sizeof none ? keep : sizeof none);
        out->struct_size = keep;
    }
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

int32_t orders_svc_clients(walor_ctx *c, int64_t from, int64_t to, walor_order_client_fn fn, void *ud)
{
    if (!fn || from < 0 || to < 0 || (to && to <= from))
        return WALOR_EINVAL;
    if (to == 0)
        to = INT64_MAX;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, CLIENT_SQL("o.user_id <> 0"),
                                WALOR_ARGS(walor_i(from), walor_i(to), walor_i(from), walor_i(to), walor_i(from),
                                           walor_i(to), walor_i(from), walor_i(to)),
                                &r);
    if (rc < 0)
        return rc;
    walor_order_client cl = {.struct_size = sizeof cl};
    while ((rc = walor_row_next(r)) == 1) {
        fill(c, r, &cl, 0);
        if ((rc = fn(ud, &cl)) != 0)
            break;
    }
    walor_rows_close(r);
    return rc;
}

int32_t orders_svc_client_orders(walor_ctx *c, int64_t user_id, uint32_t offset, uint32_t limit, int64_t **ids,
                                 uint32_t *n, uint32_t *total)
{
    if (!ids || !n || limit < 1 || limit > 100)
        return WALOR_EINVAL;
    *ids = NULL;
    *n = 0;
    if (total) {
        int64_t t = 0;
        int32_t rc = walor_db_int(c, "SELECT count(*) FROM orders_order WHERE user_id = ?",
                                  WALOR_ARGS(walor_i(user_id)), &t);
        if (rc < 0)
            return rc;
        *total = (uint32_t)t;
    }
    int64_t *v = walor_ctx_alloc(c, limit * sizeof *v);
    if (!v)
        return WALOR_ENOMEM;
    int32_t rc = walor_db_ints(c, "SELECT id FROM orders_order WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
                               WALOR_ARGS(walor_i(user_id), walor_i(limit), walor_i(offset)), v, limit, n);
    if (rc < 0)
        return rc;
    if (*n)
        *ids = v;
    return 0;
}

int32_t orders_svc_buyers(walor_ctx *c, const int64_t *product_ids, uint32_t n, walor_order_user_fn fn, void *ud)
{
    if (!product_ids || !fn || n < 1 || n > 1000)
        return WALOR_EINVAL;
    /* "?, ?, …" for the ids: prepared, never formatted in */
    char *marks = walor_ctx_alloc(c, (size_t)n * 3);
    walor_val *args = walor_ctx_alloc(c, n * sizeof *args);
    if (!marks || !args)
        return WALOR_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        memcpy(marks + i * 3, i ? ", ?" : "?", i ? 3 : 1);
        args[i] = walor_i(product_ids[i]);
    }
    marks[n * 3 - 2] = '\0';
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                walor_ctx_printf(c,
                                                 "SELECT DISTINCT o.user_id FROM orders_order o JOIN orders_line l "
                                                 "ON l.order_id = o.id WHERE o.user_id <> 0 AND " SALE
                                                 " AND l.product_id IN (%s) ORDER BY o.user_id",
                                                 marks),
                                args, n, &r);
    if (rc < 0)
        return rc;
    int64_t uid;
    while ((rc = walor_row_step(c, r, "i", &uid)) == 1 && (rc = fn(ud, uid)) == 0)
        ;
    walor_rows_close(r);
    return rc;
}

const char *orders_svc_staff_card_data(walor_ctx *c, int64_t order_id)
{
    return walor_ctx_printf(c, "ord:o:%lld", (long long)order_id);
}
