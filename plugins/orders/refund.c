/* orders: refunds (service 1.1, <walor/services/orders.h>): money given
 * back to the customer for an order, through the payment provider or by
 * hand. One orders_refund row per refund; orders_order.refunded keeps their
 * sum so that reports need no join. A refund never changes the order's
 * status. order.refunded is emitted in the refund's transaction, and our
 * own subscriber tells the customer once (orders_refund.notified_at). */
#include <string.h>

#include "orders.h"

#define REASON_MAX 1000 /* bytes: 250 characters of any script */
#define REF_MAX 200
#define AMOUNT_MAX 100000000000LL /* a billion roubles */

const char orders_migration_2[] =
    "ALTER TABLE orders_order ADD COLUMN delivery_shop INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE orders_order ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE orders_refund ("
    " id INTEGER PRIMARY KEY,"
    " order_id INTEGER NOT NULL,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " kind TEXT NOT NULL CHECK (kind IN ('provider', 'manual')),"
    " reason TEXT NOT NULL DEFAULT '',"
    " provider_ref TEXT NOT NULL DEFAULT '',"
    " staff_id INTEGER NOT NULL DEFAULT 0,"
    " at INTEGER NOT NULL,"
    " notified_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX orders_refund_order ON orders_refund(order_id, id);"
    "CREATE INDEX orders_refund_at ON orders_refund(at);"
    /* reports read sales by the time they were paid (report.c); partial, so
     * unpaid orders cost nothing: every query says paid_at > 0 */
    "CREATE INDEX orders_order_paid ON orders_order(paid_at) WHERE paid_at > 0;"
    "CREATE INDEX orders_order_user_paid ON orders_order(user_id, paid_at) WHERE paid_at > 0;";

/* what the customer paid for order `o`: the total once it was paid, or a
 * payment that came after its cancel; nothing for a tester's order */
static int64_t paid_amount(int64_t paid_at, int32_t flags, int64_t total)
{
    if (flags & WALOR_ORDER_F_TESTER)
        return 0;
    return paid_at > 0 || (flags & WALOR_ORDER_F_PAID_AFTER_CANCEL) ? total : 0;
}

typedef struct money_row {
    int64_t id, user_id, paid_at, total, refunded;
    int32_t flags, source;
    const char *status;
} money_row;

static int32_t money_of(walor_ctx *c, int64_t id, money_row *m)
{
    m->id = id;
    return walor_db_row(c,
                        "SELECT user_id, paid_at, total, refunded, flags, source, status FROM orders_order"
                        " WHERE id = ?",
                        WALOR_ARGS(walor_i(id)), "iiiidds", &m->user_id, &m->paid_at, &m->total, &m->refunded,
                        &m->flags, &m->source, &m->status);
}

static int counts_as_sale(const money_row *m)
{
    return m->paid_at > 0 && strcmp(m->status, "cancelled") != 0 && !(m->flags & WALOR_ORDER_F_TESTER);
}

int32_t orders_refundable(walor_ctx *c, int64_t id, int64_t *out)
{
    if (!out)
        return WALOR_EINVAL;
    money_row m;
    int32_t rc = money_of(c, id, &m);
    if (rc < 0)
        return rc;
    int64_t left = paid_amount(m.paid_at, m.flags, m.total) - m.refunded;
    *out = left > 0 ? left : 0;
    return 0;
}

static int valid_text(const char *s, size_t max) { return !s || strlen(s) <= max; }

int32_t orders_refund(walor_ctx *c, int64_t id, const walor_refund_new *r, int64_t *out_id)
{
    if (!r || r->struct_size < offsetof(walor_refund_new, staff_id) + sizeof r->staff_id || r->amount <= 0 ||
        r->amount > AMOUNT_MAX || !r->kind ||
        (strcmp(r->kind, WALOR_REFUND_PROVIDER) != 0 && strcmp(r->kind, WALOR_REFUND_MANUAL) != 0) ||
        !valid_text(r->reason, REASON_MAX) || !valid_text(r->provider_ref, REF_MAX) || r->staff_id < 0)
        return WALOR_EINVAL;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    money_row m;
    rc = money_of(c, id, &m);
    /* checked under the write lock: two staff refunding at once cannot
     * give back more than was paid */
    if (rc == 0 && r->amount > paid_amount(m.paid_at, m.flags, m.total) - m.refunded)
        rc = WALOR_ERANGE;
    if (rc < 0)
        return walor_tx_end(c, rc);
    int64_t now = walor_now(c), staff = r->staff_id ? r->staff_id : walor_ctx_user_id(c), rid = 0;
    rc = walor_db_int(c,
                      "INSERT INTO orders_refund(order_id, amount, kind, reason, provider_ref, staff_id, at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      WALOR_ARGS(walor_i(id), walor_i(r->amount), walor_s(r->kind),
                                 walor_s(r->reason ? r->reason : ""), walor_s(r->provider_ref ? r->provider_ref : ""),
                                 walor_i(staff), walor_i(now)),
                      &rid);
    if (rc == 0)
        rc = walor_db_exec(c, "UPDATE orders_order SET refunded = refunded + ?, updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_i(r->amount), walor_i(now), walor_i(id)));
    if (rc >= 0) {
        json_t *ev = json_pack("{s:i, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:b}", "v", 1, "order_id",
                               (json_int_t)id, "user_id", (json_int_t)m.user_id, "refund_id", (json_int_t)rid,
                               "amount", (json_int_t)r->amount, "kind", r->kind, "reason", r->reason ? r->reason : "",
                               "provider_ref", r->provider_ref ? r->provider_ref : "", "refunded",
                               (json_int_t)(m.refunded + r->amount), "status", m.status, "counted",
                               counts_as_sale(&m));
        rc = ev ? walor_event_emit(c, "order.refunded", walor_ctx_printf(c, "order:%lld", (long long)id), ev)
                : WALOR_ENOMEM;
        json_decref(ev);
    }
    if (rc >= 0 && staff && walor_ctx_role(c) >= WALOR_ROLE_MANAGER &&
        walor_action_log(c, walor_ctx_printf(c, "заказ №%lld: возврат %s (%s)", (long long)id,
                                             walor_money(c, r->amount),
                                             !strcmp(r->kind, WALOR_REFUND_PROVIDER) ? "через платёжный сервис"
                                                                                    : "вручную")) < 0)
        walor_log(c, WALOR_LOG_WARN, "orders: action log: %s", walor_last_error(c));
    rc = walor_tx_end(c, rc < 0 ? rc : 0);
    if (rc == 0 && out_id)
        *out_id = rid;
    return rc;
}

static int32_t read_refund(walor_ctx *c, walor_rows *r, void *el, const void *arg)
{
    const money_row *m = arg;
    walor_refund *x = el;
    x->struct_size = sizeof *x;
    x->order_flags = m->flags;
    x->order_id = m->id;
    x->user_id = m->user_id;
    x->order_status = m->status;
    return walor_row_read(c, r, "iiiisss", &x->id, &x->amount, &x->at, &x->staff_id, &x->kind, &x->reason,
                          &x->provider_ref);
}

int32_t orders_refunds_of(walor_ctx *c, int64_t id, walor_refund **out, uint32_t *n)
{
    if (!out || !n)
        return WALOR_EINVAL;
    *out = NULL;
    *n = 0;
    money_row m;
    int32_t rc = money_of(c, id, &m);
    if (rc < 0)
        return rc;
    void *a = NULL;
    rc = orders_rows_read(c, "SELECT count(*) FROM orders_refund WHERE order_id = ?",
                          "SELECT id, amount, at, staff_id, kind, reason, provider_ref FROM orders_refund"
                          " WHERE order_id = ? ORDER BY id",
                          id, sizeof **out, read_refund, &m, &a, n);
    if (rc < 0)
        return rc;
    *out = a;
    return 0;
}

/* order.refunded → the customer's notice, once per refund: the mark is
 * written in the delivery's transaction before the message goes out */
static int32_t on_refunded(walor_ctx *c, const char *event, json_t *pl)
{
    (void)event;
    int64_t rid = (int64_t)json_integer_value(json_object_get(pl, "refund_id"));
    int64_t id = (int64_t)json_integer_value(json_object_get(pl, "order_id"));
    int64_t user = (int64_t)json_integer_value(json_object_get(pl, "user_id"));
    const char *kind = json_string_value(json_object_get(pl, "kind"));
    const char *reason = json_string_value(json_object_get(pl, "reason"));
    if (rid <= 0 || user <= 0)
        return 0;
    int32_t rc = walor_db_exec(c, "UPDATE orders_refund SET notified_at = ? WHERE id = ? AND notified_at = 0",
                               WALOR_ARGS(walor_i(walor_now(c)), walor_i(rid)));
    if (rc <= 0)
        return rc < 0 ? rc : 0;
    int provider = kind && !strcmp(kind, WALOR_REFUND_PROVIDER);
    char *html = walor_textf(c, provider ? "orders.notify.refund_provider" : "orders.notify.refund_manual", "id",
                             orders_num(c, id), "amount",
                             walor_money(c, (int64_t)json_integer_value(json_object_get(pl, "amount"))), NULL);
    if (reason && *reason)
        html = walor_ctx_printf(c, "%s\n%s", html,
                                walor_textf(c, "orders.notify.refund_reason", "reason", orders_esc(c, reason), NULL));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "orders.btn.open_mine"), walor_ctx_printf(c, "myo:o:%lld", (long long)id));
    if (walor_send(c, user, html, kb, 0, NULL) < 0) /* a customer who blocked the bot is no failure */
        walor_log(c, WALOR_LOG_WARN, "orders: refund notice of order %lld: %s", (long long)id, walor_last_error(c));
    return 0;
}

int32_t orders_refund_register(walor_plugin *p)
{
    int32_t rc = walor_migration(p, 2, orders_migration_2);
    if (!rc)
        rc = walor_subscribe(p, "order.refunded", on_refunded);
    return rc;
}
