/* orders: the order lifecycle plugin (README.md): the `orders` service,
 * auto-cancel, notifications, staff screens, delivery list, B2B sales, the
 * customer's order history and the abandoned-cart reminder. */
#include "orders.h"

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    /* a tester's orders go with everything hanging off them */
    int32_t rc = walor_db_exec(c,
                               "DELETE FROM orders_history WHERE order_id IN (SELECT id FROM orders_order WHERE user_id = ?)",
                               WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM orders_meta WHERE order_id IN (SELECT id FROM orders_order WHERE user_id = ?)",
                           WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM orders_line WHERE order_id IN (SELECT id FROM orders_order WHERE user_id = ?)",
                           WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM orders_order WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM orders_cart WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

static int32_t load(walor_plugin *p)
{
    int32_t rc = walor_migration(p, 1, orders_migration_1);
    if (!rc) rc = orders_refund_register(p);
    if (!rc) rc = walor_service_provide(p, WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, WALOR_ORDERS_MINOR,
                                        &orders_service);
    if (!rc) rc = orders_texts_register(p);
    if (!rc) rc = orders_notify_register(p);
    if (!rc) rc = orders_staff_register(p);
    if (!rc) rc = orders_b2b_register(p);
    if (!rc) rc = orders_customer_register(p);
    if (!rc) rc = orders_cart_remind_register(p);
    if (!rc) rc = orders_refund_ui_register(p);
    if (!rc) rc = walor_wipe(p, wipe);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "orders", .version = "0.1.0",
                    .description = "Заказы: статусы, автоотмена, экраны персонала, B2B, уведомления, история",
                    .min_host_minor = 3, /* nested tx, forms, paged lists, refund form (SDK 1.3) */ .load = load)
