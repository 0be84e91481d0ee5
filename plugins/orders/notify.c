/* orders: what happens after a change committed (the transactional outbox):
 *   - order.created → the auto-cancel job (F-ORD-03), a persistent one-shot
 *     job of this plugin, so it survives restarts whoever created the order;
 *   - the job cancels the order if it is still "new" and releases its stock;
 *   - order.status_changed → the customer's notification (F-ORD-09), once
 *     per status change (orders_notified), with the tracking number;
 *   - order.paid_after_cancel → a notice to the managers and owners. */
#include <string.h>

#include "orders.h"

#define JOB_AUTOCANCEL "auto_cancel"

static int64_t int_of(json_t *j, const char *k) { return (int64_t)json_integer_value(json_object_get(j, k)); }

/* the payload's order while it still waits for its payment: 1 and *o, 0
 * when it is gone or moved on meanwhile (nothing to do), or the error */
static int32_t unpaid_order(walor_ctx *c, json_t *payload, walor_order **o)
{
    int32_t rc = orders_get(c, int_of(payload, "order_id"), o);
    if (rc == WALOR_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    return orders_status_index((*o)->status) == ORD_NEW;
}

static int32_t on_created(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    int64_t id = int_of(payload, "order_id");
    walor_order *o = NULL;
    int32_t rc = unpaid_order(c, payload, &o);
    if (rc <= 0)
        return rc;
    int64_t min = walor_setting_min(c, "orders.autocancel_min", 1, 15);
    json_t *pl = json_pack("{s:I}", "order_id", (json_int_t)id);
    if (!pl)
        return WALOR_ENOMEM;
    rc = walor_job_at(c, o->created_at + min * 60, JOB_AUTOCANCEL, orders_num(c, id), pl);
    json_decref(pl);
    return rc;
}

static int32_t auto_cancel(walor_ctx *c, json_t *payload)
{
    int64_t id = int_of(payload, "order_id");
    walor_order *o = NULL;
    int32_t rc = unpaid_order(c, payload, &o); /* paid or cancelled meanwhile: nothing to do */
    if (rc <= 0)
        return rc;
    rc = orders_cancel_note(c, id, 1, walor_text(c, "orders.autocancel_reason"), "auto");
    if (rc >= 0)
        walor_log(c, WALOR_LOG_INFO, "orders: order %lld cancelled: not paid in time", (long long)id);
    return rc < 0 ? rc : 0;
}

static const char *notice_base(walor_ctx *c, const walor_order *o, const char *from, const char *to,
                               const char *note)
{
    const char *id = orders_num(c, o->id);
    if (!strcmp(to, "cancelled") && !strcmp(note, "auto"))
        return walor_textf(c, "orders.notify.auto_cancelled", "id", id, NULL);
    /* a paid order: say what happens to the money (the refund's own notice follows) */
    int f = orders_status_index(from);
    if (!strcmp(to, "cancelled") && f >= ORD_PAID && f <= ORD_DELIVERED && !(o->flags & WALOR_ORDER_F_TESTER) &&
        o->total > 0)
        return walor_textf(c, o->refunded >= o->total ? "orders.notify.cancelled_refunded"
                                                      : "orders.notify.cancelled_paid",
                           "id", id, "amount", walor_money(c, o->total), NULL);
    if (!strcmp(to, "shipped") && o->tracking && *o->tracking)
        return walor_textf(c, "orders.notify.shipped_track", "id", id, "track", orders_esc(c, o->tracking), NULL);
    return walor_textf(c, walor_ctx_printf(c, "orders.notify.%s", to), "id", id, "status",
                       orders_status_label(c, to), NULL);
}

static const char *notice_text(walor_ctx *c, const walor_order *o, const char *from, const char *to,
                               const char *note, const char *extra)
{
    const char *base = notice_base(c, o, from, to, note);
    return extra && *extra ? walor_ctx_printf(c, "%s\n\n%s", base, extra) : base;
}

static int32_t on_status(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    int64_t id = int_of(payload, "order_id"), seq = int_of(payload, "seq");
    const char *to = json_string_value(json_object_get(payload, "to"));
    const char *note = json_string_value(json_object_get(payload, "note"));
    const char *from = json_string_value(json_object_get(payload, "from"));
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc == WALOR_ENOTFOUND || orders_status_index(to) < 0)
        return 0;
    if (rc < 0)
        return rc;
    if (o->user_id <= 0 || o->source == WALOR_ORDER_SRC_B2B || json_is_true(json_object_get(payload, "quiet")))
        return 0;
    /* recorded first, in the delivery's transaction: a retry after a crash
     * does not tell the customer twice */
    rc = walor_db_exec(c, "INSERT INTO orders_notified(seq, at) VALUES (?, ?) ON CONFLICT(seq) DO NOTHING",
                       WALOR_ARGS(walor_i(seq), walor_i(walor_now(c))));
    if (rc <= 0)
        return rc < 0 ? rc : 0;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "orders.btn.open_mine"), walor_ctx_printf(c, "myo:o:%lld", (long long)id));
    const char *extra = json_string_value(json_object_get(payload, "customer_note"));
    rc = walor_send(c, o->user_id, notice_text(c, o, from ? from : "", to, note ? note : "", extra), kb, 0, NULL);
    if (rc < 0) /* a customer who blocked the bot is not a failure of the delivery */
        walor_log(c, WALOR_LOG_WARN, "orders: notice of order %lld to %lld: %s", (long long)id,
                  (long long)o->user_id, walor_last_error(c));
    return 0;
}

/* the money is real and someone must refund it or restore the order,
 * whichever payment plugin brought it */
static int32_t on_paid_after_cancel(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    int64_t id = int_of(payload, "order_id");
    const char *ref = json_string_value(json_object_get(payload, "payment_ref"));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "orders.staff.btn.open"), walor_ctx_printf(c, "ord:o:%lld", (long long)id));
    const char *html = walor_textf(c, "orders.staff.paid_after_cancel", "id", orders_num(c, id), "amount",
                                   walor_money(c, int_of(payload, "total")), "ref",
                                   orders_esc(c, ref && *ref ? ref : "—"), NULL);
    walor_log(c, WALOR_LOG_WARN, "orders: payment for cancelled order %lld (ref %s)", (long long)id,
              ref && *ref ? ref : "-");
    if (walor_notify_staff(c, WALOR_ROLE_MANAGER, html, kb) < 0) /* nobody reachable is no reason to redeliver */
        walor_log(c, WALOR_LOG_WARN, "orders: staff notice: %s", walor_last_error(c));
    return 0;
}

int32_t orders_notify_register(walor_plugin *p)
{
    const walor_setting_def ac = {.struct_size = sizeof ac, .type = WALOR_SET_INT, .key = "autocancel_min",
                                  .label = "Заказы: автоотмена неоплаченного заказа через, минут",
                                  .default_value = "15", .min = 1, .max = 10080, .flags = WALOR_SET_OWNER_EDITABLE};
    int32_t rc = walor_setting(p, &ac);
    if (!rc) rc = walor_job(p, JOB_AUTOCANCEL, auto_cancel);
    if (!rc) rc = walor_subscribe(p, "order.created", on_created);
    if (!rc) rc = walor_subscribe(p, "order.status_changed", on_status);
    if (!rc) rc = walor_subscribe(p, "order.paid_after_cancel", on_paid_after_cancel);
    return rc;
}
