/* loyalty: what the order events do (F-PAY-04, F-ORD-10, F-LOY-01).
 *   order.paid       bonuses written off, the promo code's use counted
 *                    (the limit holds: the count is a conditional UPDATE
 *                    inside the delivery, which holds the write lock),
 *                    the certificate redeemed, the referral reward;
 *   order.cancelled  all three given back (after a payment only);
 *   order.completed  cashback and the referrer's lifetime share.
 * Deliveries come at least once: every effect is keyed (ledger keys, one
 * use row per order), so a repeated delivery changes nothing and sends
 * nothing. */
#include <string.h>

#include <walor/services/orders.h>

#include "loy.h"


static int version_ok(walor_ctx *c, const char *event, json_t *p)
{
    if (walor_data_int(p, "v") == 1 && walor_data_int(p, "order_id") > 0 && walor_data_int(p, "user_id") > 0)
        return 1;
    walor_log(c, WALOR_LOG_WARN, "loyalty: %s ignored: payload version %lld or ids missing", event,
              (long long)walor_data_int(p, "v"));
    return 0;
}

static int32_t spend_bonus(walor_ctx *c, int64_t uid, int64_t oid, int64_t spent)
{
    if (spent <= 0)
        return 0;
    int64_t bal = 0;
    int32_t rc = loy_balance(c, uid, &bal);
    if (rc < 0)
        return rc;
    int64_t take = spent < bal ? spent : (bal > 0 ? bal : 0);
    if (take < spent)
        walor_report_error(c, walor_ctx_printf(c, "loyalty: заказ %lld оплачен с бонусами %lld коп., а на счёте "
                                                  "клиента %lld было только %lld коп.: списано %lld",
                                               (long long)oid, (long long)spent, (long long)uid, (long long)bal,
                                               (long long)take));
    if (take <= 0)
        return 0;
    rc = loy_ledger_add(c, uid, -take, LOY_K_SPEND, walor_ctx_printf(c, "spend:%lld", (long long)oid), oid,
                        walor_ctx_printf(c, "заказ №%lld", (long long)oid), 0);
    return rc < 0 ? rc : 0;
}

/* rc, the lookup of a code an order was paid with: 1 found, 0 when it is
 * not there (the owner is told; the paid order goes on), or the error */
static int32_t paid_code(walor_ctx *c, int32_t rc, int64_t oid, const char *with, const char *code,
                         const char *gone)
{
    if (rc != WALOR_ENOTFOUND)
        return rc < 0 ? rc : 1;
    walor_report_error(c, walor_ctx_printf(c, "loyalty: заказ %lld оплачен с %s %s, которого %s", (long long)oid,
                                           with, code, gone));
    return 0;
}

static int32_t count_promo(walor_ctx *c, int64_t uid, int64_t oid, const char *code)
{
    if (!*code)
        return 0;
    loy_promo p;
    int32_t rc = paid_code(c, loy_promo_find(c, code, &p), oid, "промокодом", code, "больше нет");
    if (rc <= 0)
        return rc;
    rc = walor_db_exec(c, "INSERT INTO loyalty_promo_use(order_id, promo_id, user_id, state, at) "
                          "VALUES (?, ?, ?, 'used', ?) ON CONFLICT(order_id) DO NOTHING",
                       WALOR_ARGS(walor_i(oid), walor_i(p.id), walor_i(uid), walor_i(walor_now(c))));
    if (rc <= 0)
        return rc; /* counted by an earlier delivery */
    rc = walor_db_exec(c, "UPDATE loyalty_promo SET used = used + 1 WHERE id = ? AND "
                          "(usage_limit = 0 OR used < usage_limit)",
                       WALOR_ARGS(walor_i(p.id)));
    if (rc < 0)
        return rc;
    if (rc == 0) {
        /* another order took the last use while this one was being paid */
        rc = walor_db_exec(c, "UPDATE loyalty_promo_use SET state = 'over' WHERE order_id = ?",
                           WALOR_ARGS(walor_i(oid)));
        if (rc < 0)
            return rc;
        walor_report_error(c, walor_ctx_printf(c, "loyalty: заказ %lld оплачен с промокодом %s сверх лимита "
                                                  "использований: скидка уже предоставлена, использование не засчитано",
                                               (long long)oid, code));
    }
    rc = walor_db_exec(c, "DELETE FROM loyalty_cart_promo WHERE user_id = ? AND code = ?",
                       WALOR_ARGS(walor_i(uid), walor_s(p.code)));
    return rc < 0 ? rc : 0;
}

/* what the order took off with the certificate (the provider's order), or
 * -1 when unknown */
static int64_t cert_discount_of(walor_ctx *c, int64_t oid)
{
    const walor_orders_v1 *o = walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, NULL);
    walor_order *ord = NULL;
    if (!WALOR_ORDERS_HAS(o, get) || o->get(c, oid, &ord) != 0 || !ord)
        return -1;
    return ord->cert_discount;
}

static int32_t redeem_cert(walor_ctx *c, int64_t uid, int64_t oid, const char *code)
{
    if (!*code)
        return 0;
    loy_cert k;
    int32_t rc = paid_code(c, loy_cert_find(c, code, &k), oid, "сертификатом", code, "нет");
    if (rc <= 0)
        return rc;
    int64_t done = 0;
    rc = walor_db_int(c, "SELECT count(*) FROM loyalty_cert_use WHERE order_id = ?", WALOR_ARGS(walor_i(oid)), &done);
    if (rc < 0 || done)
        return rc < 0 ? rc : 0;
    if (strcmp(k.state, "active") != 0 || k.balance <= 0) {
        walor_report_error(c, walor_ctx_printf(c, "loyalty: заказ %lld оплачен с сертификатом %s, который уже "
                                                  "погашен: проверьте заказ",
                                               (long long)oid, code));
        return 0;
    }
    int64_t keep = loy_setting(c, "cert_keep_rest", 0);
    int64_t used = cert_discount_of(c, oid);
    int64_t take = k.balance;
    if (keep && used >= 0 && used < k.balance)
        take = used;
    int64_t left = keep ? k.balance - take : 0;
    rc = walor_db_exec(c, "INSERT INTO loyalty_cert_use(order_id, cert_id, user_id, amount, state, at) "
                          "VALUES (?, ?, ?, ?, 'used', ?)",
                       WALOR_ARGS(walor_i(oid), walor_i(k.id), walor_i(uid), walor_i(k.balance - left),
                                  walor_i(walor_now(c))));
    if (rc >= 0)
        rc = walor_db_exec(c, "UPDATE loyalty_cert SET balance = ?, state = ?, used_by = ?, used_order = ?, "
                              "used_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_i(left), walor_s(left > 0 ? "active" : "used"), walor_i(uid),
                                      walor_i(oid), walor_i(walor_now(c)), walor_i(k.id)));
    return rc < 0 ? rc : 0;
}

static int32_t on_paid(walor_ctx *c, const char *event, json_t *p)
{
    if (!version_ok(c, event, p))
        return 0;
    int64_t oid = walor_data_int(p, "order_id"), uid = walor_data_int(p, "user_id");
    int32_t rc = spend_bonus(c, uid, oid, walor_data_int(p, "bonus_spent"));
    if (rc == 0)
        rc = count_promo(c, uid, oid, walor_data_str(p, "promo_code"));
    if (rc == 0)
        rc = redeem_cert(c, uid, oid, walor_data_str(p, "cert_code"));
    if (rc == 0)
        rc = loy_referral_on_paid(c, uid, oid, walor_data_int(p, "goods"));
    return rc;
}

static int32_t on_cancelled(walor_ctx *c, const char *event, json_t *p)
{
    if (!version_ok(c, event, p))
        return 0;
    int64_t oid = walor_data_int(p, "order_id"), uid = walor_data_int(p, "user_id");
    /* bonuses: give back exactly what order.paid took */
    int64_t spent = 0;
    int32_t rc = walor_db_int(c, "SELECT coalesce(sum(amount), 0) FROM loyalty_ledger WHERE key = ?",
                              WALOR_ARGS(walor_s(walor_ctx_printf(c, "spend:%lld", (long long)oid))), &spent);
    if (rc < 0)
        return rc;
    int back = 0;
    if (spent < 0) {
        rc = loy_ledger_add(c, uid, -spent, LOY_K_SPEND_BACK, walor_ctx_printf(c, "spend_back:%lld", (long long)oid),
                            oid, walor_ctx_printf(c, "отмена заказа №%lld", (long long)oid), 0);
        if (rc < 0)
            return rc;
        back = rc;
    }
    /* the promo code's use */
    int64_t promo_id = 0;
    rc = walor_db_int(c, "SELECT promo_id FROM loyalty_promo_use WHERE order_id = ? AND state = 'used'",
                      WALOR_ARGS(walor_i(oid)), &promo_id);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (rc == 0) {
        rc = walor_db_exec(c, "UPDATE loyalty_promo SET used = used - 1 WHERE id = ? AND used > 0",
                           WALOR_ARGS(walor_i(promo_id)));
        if (rc < 0)
            return rc;
    }
    rc = walor_db_exec(c, "UPDATE loyalty_promo_use SET state = 'released' WHERE order_id = ? AND state <> 'released'",
                       WALOR_ARGS(walor_i(oid)));
    if (rc < 0)
        return rc;
    /* the certificate */
    walor_rows *r = NULL;
    rc = walor_db_query(c, "SELECT u.cert_id, u.amount, k.code FROM loyalty_cert_use u JOIN loyalty_cert k "
                           "ON k.id = u.cert_id WHERE u.order_id = ? AND u.state = 'used'",
                        WALOR_ARGS(walor_i(oid)), &r);
    if (rc < 0)
        return rc;
    int64_t cert_id = 0, amount = 0;
    const char *code = NULL;
    if (walor_row_next(r) == 1) {
        cert_id = walor_col_int(r, 0);
        amount = walor_col_int(r, 1);
        code = walor_ctx_printf(c, "%s", walor_col_text(r, 2));
    }
    walor_rows_close(r);
    if (cert_id) {
        rc = walor_db_exec(c, "UPDATE loyalty_cert_use SET state = 'released' WHERE order_id = ?",
                           WALOR_ARGS(walor_i(oid)));
        if (rc >= 0)
            rc = walor_db_exec(c, "UPDATE loyalty_cert SET balance = balance + ?, state = 'active', used_by = 0, "
                                  "used_order = 0, used_at = 0 WHERE id = ?",
                               WALOR_ARGS(walor_i(amount), walor_i(cert_id)));
        if (rc < 0)
            return rc;
    }
    if (back || cert_id) {
        const char *html = walor_textf(c, "loyalty.push.cancel_back", "order", loy_num(c, oid), NULL);
        if (back)
            html = walor_ctx_printf(c, "%s\n%s", html,
                                    walor_textf(c, "loyalty.push.cancel_bonus", "sum", walor_money(c, -spent), NULL));
        if (cert_id)
            html = walor_ctx_printf(c, "%s\n%s", html,
                                    walor_textf(c, "loyalty.push.cancel_cert", "code", loy_esc(c, code), NULL));
        loy_push(c, uid, html);
    }
    return 0;
}

static int32_t on_completed(walor_ctx *c, const char *event, json_t *p)
{
    if (!version_ok(c, event, p))
        return 0;
    int64_t oid = walor_data_int(p, "order_id"), uid = walor_data_int(p, "user_id");
    /* cashback on what was paid for the goods in money, not in bonuses */
    int64_t paid = walor_data_int(p, "goods") - walor_data_int(p, "bonus_spent");
    if (paid < 0)
        paid = 0;
    int64_t cb = loy_pct_floor(paid, loy_setting(c, "cashback_pct", 7));
    if (cb > 0) {
        int32_t rc = loy_ledger_add(c, uid, cb, LOY_K_CASHBACK, walor_ctx_printf(c, "cashback:%lld", (long long)oid),
                                    oid, walor_ctx_printf(c, "кэшбэк за заказ №%lld", (long long)oid), 0);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            int64_t bal = 0;
            loy_balance(c, uid, &bal);
            loy_push(c, uid, walor_textf(c, "loyalty.push.cashback", "sum", walor_money(c, cb), "order",
                                         loy_num(c, oid), "balance", walor_money(c, bal), NULL));
        }
    }
    return loy_referral_on_completed(c, uid, oid, paid);
}

int32_t loy_events_register(walor_plugin *p)
{
    int32_t rc = walor_subscribe(p, "order.paid", on_paid);
    if (!rc) rc = walor_subscribe(p, "order.cancelled", on_cancelled);
    if (!rc) rc = walor_subscribe(p, "order.completed", on_completed);
    return rc;
}
