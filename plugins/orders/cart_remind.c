/* orders: the abandoned-cart reminder (F-ORD-12). Every `cart.changed` (the
 * catalog's event) moves the one-shot job "cart_remind" of that customer to
 * 24 h (setting) after the change, shifted into the shop's 10:00-21:00
 * window (settings; the shop's zone is the process zone). When it runs it
 * reminds once, unless the cart is empty, the customer ordered since the
 * change, the same cart content was already reminded of, or the customer
 * blocked the bot. */
#include <string.h>

#include <walor/services/cart.h>

#include "orders.h"

#define JOB "cart_remind"

static const walor_cart_v1 *cart(walor_ctx *c)
{
    const walor_cart_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_CART_SERVICE, WALOR_CART_MAJOR, NULL);
    return WALOR_CART_HAS(s, lines) ? s : NULL;
}

/* the cart's content as text ("12.1x2;13.0x1;"), *units its quantity */
static const char *signature(walor_ctx *c, int64_t user_id, int64_t *units)
{
    const walor_cart_v1 *s = cart(c);
    walor_cart_line *l = NULL;
    uint32_t n = 0;
    *units = 0;
    if (!s || s->lines(c, user_id, &l, &n) < 0)
        return NULL;
    char *sig = walor_ctx_printf(c, "%s", "");
    for (uint32_t i = 0; sig && i < n; i++) {
        const walor_cart_line *x = walor_cart_line_at(l, i);
        sig = walor_ctx_printf(c, "%s%lld.%lldx%lld;", sig, (long long)x->product_id, (long long)x->variant_no,
                               (long long)x->qty);
        *units += x->qty;
    }
    return sig;
}

static int32_t on_cart_changed(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    int64_t uid = (int64_t)json_integer_value(json_object_get(payload, "user_id"));
    if (uid <= 0)
        return 0;
    const char *key = orders_num(c, uid);
    int64_t units = 0, now = walor_now(c);
    const char *sig = signature(c, uid, &units);
    if (!sig || units <= 0) {
        int32_t rc = walor_job_cancel(c, JOB, key);
        return rc == WALOR_ENOTFOUND ? 0 : rc;
    }
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO orders_cart(user_id, changed_at, sig) VALUES (?, ?, ?) "
                               "ON CONFLICT(user_id) DO UPDATE SET changed_at = excluded.changed_at, sig = excluded.sig",
                               WALOR_ARGS(walor_i(uid), walor_i(now), walor_s(sig)));
    if (rc < 0)
        return rc;
    int64_t due = orders_remind_time(now + walor_setting_or(c, "orders.cart_remind_h", 24) * 3600,
                                     (int)walor_setting_or(c, "orders.cart_from_h", 10), (int)walor_setting_or(c, "orders.cart_to_h", 21));
    json_t *pl = json_pack("{s:I}", "user_id", (json_int_t)uid);
    if (!pl)
        return WALOR_ENOMEM;
    rc = walor_job_at(c, due, JOB, key, pl);
    json_decref(pl);
    return rc;
}

static int32_t remind(walor_ctx *c, json_t *payload)
{
    int64_t uid = (int64_t)json_integer_value(json_object_get(payload, "user_id"));
    int64_t changed;
    const char *reminded;
    int32_t rc = walor_db_row(c, "SELECT changed_at, reminded_sig FROM orders_cart WHERE user_id = ?",
                              WALOR_ARGS(walor_i(uid)), "iz", &changed, &reminded);
    if (rc < 0)
        return walor_found(rc);
    int64_t units = 0, ordered = 0;
    const char *sig = signature(c, uid, &units);
    if (!sig || units <= 0 || !strcmp(sig, reminded))
        return 0;
    rc = walor_db_int(c, "SELECT count(*) FROM orders_order WHERE user_id = ? AND created_at >= ?",
                      WALOR_ARGS(walor_i(uid), walor_i(changed)), &ordered);
    if (rc < 0)
        return rc;
    json_t *u = walor_user_get(c, uid);
    if (ordered || !u || json_is_true(json_object_get(u, "blocked")) ||
        json_integer_value(json_object_get(u, "blocked")) != 0)
        return 0;
    /* marked before the send: a reminder is better lost than sent twice */
    rc = walor_db_exec(c, "UPDATE orders_cart SET reminded_sig = ?, reminded_at = ? WHERE user_id = ?",
                       WALOR_ARGS(walor_s(sig), walor_i(walor_now(c)), walor_i(uid)));
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "orders.cart.btn"), WALOR_CART_SHOW_CALLBACK);
    rc = walor_send(c, uid, walor_textf(c, "orders.cart.remind", "qty", orders_num(c, units), NULL), kb,
                    WALOR_SEND_BULK, NULL);
    if (rc < 0)
        walor_log(c, WALOR_LOG_INFO, "orders: cart reminder to %lld not sent: %s", (long long)uid,
                  walor_last_error(c));
    return 0;
}

int32_t orders_cart_remind_register(walor_plugin *p)
{
    const walor_setting_def s[] = {
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_INT, .key = "cart_remind_h",
         .label = "Брошенная корзина: напомнить через, часов", .default_value = "24", .min = 1, .max = 720,
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_INT, .key = "cart_from_h",
         .label = "Брошенная корзина: напоминать не раньше, час", .default_value = "10", .min = 0, .max = 23,
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_INT, .key = "cart_to_h",
         .label = "Брошенная корзина: напоминать до, час", .default_value = "21", .min = 1, .max = 24,
         .flags = WALOR_SET_OWNER_EDITABLE},
    };
    int32_t rc = 0;
    for (size_t i = 0; !rc && i < sizeof s / sizeof s[0]; i++)
        rc = walor_setting(p, &s[i]);
    if (!rc) rc = walor_job(p, JOB, remind);
    if (!rc) rc = walor_subscribe(p, "cart.changed", on_cart_changed);
    return rc;
}
