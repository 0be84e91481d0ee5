/* pay-ecom: giving a payment back through the provider (the `payment`
 * service 1.1, and the owner's button for a payment after a cancel).
 *
 * The invoice row moves paid | late_paid → refunding (committed before the
 * provider is asked) → refunded, so a crash while the provider works is
 * never a lost or doubled refund: a row left in `refunding` is re-checked
 * with the provider by the reconciliation (pay_refund_reconcile). The
 * refund itself is recorded with the orders service (kind "provider") in
 * the transaction that makes the row `refunded`: order.refunded follows,
 * the orders plugin tells the customer, analytics counts it. */
#include <string.h>

#include "payecom.h"

#define STUCK_S 300 /* a refund left `refunding` this long is re-checked */

const char pay_migration_2[] =
    "ALTER TABLE pay_ecom_invoice ADD COLUMN refund_from TEXT NOT NULL DEFAULT '';" /* paid | late_paid */
    "ALTER TABLE pay_ecom_invoice ADD COLUMN refund_amount INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE pay_ecom_invoice ADD COLUMN refund_by INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE pay_ecom_invoice ADD COLUMN refund_reason TEXT NOT NULL DEFAULT '';";

typedef struct refund_row {
    int64_t user_id, amount, by;
    const char *state, *invoice_id, *manual_state, *from, *reason;
} refund_row;

/* 1 found, 0 none, < 0 error */
static int32_t load(walor_ctx *c, int64_t oid, refund_row *v)
{
    return walor_found(walor_db_row(c,
                                    "SELECT user_id, refund_amount, refund_by, state, coalesce(invoice_id, ''),"
                                    " manual_state, refund_from, refund_reason FROM pay_ecom_invoice WHERE order_id = ?",
                                    WALOR_ARGS(walor_i(oid)), "iiizzzzz", &v->user_id, &v->amount, &v->by, &v->state,
                                    &v->invoice_id, &v->manual_state, &v->from, &v->reason));
}

/* the money came through the provider's invoice (not a screenshot staff
 * confirmed), so the provider can give it back */
static int provider_paid(const refund_row *v)
{
    return (!strcmp(v->state, "paid") || !strcmp(v->state, "late_paid")) && *v->invoice_id &&
           strcmp(v->manual_state, "confirmed") != 0;
}

int32_t pay_refundable(walor_ctx *c, int64_t oid, int64_t *out)
{
    if (!out)
        return WALOR_EINVAL;
    *out = 0;
    refund_row v;
    int32_t rc = load(c, oid, &v);
    if (rc <= 0 || !provider_paid(&v))
        return rc < 0 ? rc : 0;
    const walor_orders_v1 *os = pay_orders(c);
    if (!WALOR_ORDERS_HAS(os, refundable))
        return 0;
    return os->refundable(c, oid, out);
}

/* refunding → refunded and the orders' refund record, in one transaction */
static int32_t finish(walor_ctx *c, int64_t oid)
{
    const walor_orders_v1 *os = pay_orders(c);
    if (!WALOR_ORDERS_HAS(os, refund))
        return WALOR_ENOSYS;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    refund_row v;
    int twice = 0;
    rc = load(c, oid, &v);
    if (rc == 1 && strcmp(v.state, "refunding") != 0)
        rc = 0; /* someone else finished it */
    if (rc == 1) {
        rc = walor_db_exec(c, "UPDATE pay_ecom_invoice SET state = 'refunded', updated_at = ? WHERE order_id = ?",
                           WALOR_ARGS(walor_i(walor_now(c)), walor_i(oid)));
        walor_refund_new r = {.struct_size = sizeof r, .amount = v.amount, .kind = WALOR_REFUND_PROVIDER,
                              .reason = v.reason, .provider_ref = v.invoice_id, .staff_id = v.by};
        if (rc >= 0)
            rc = os->refund(c, oid, &r, NULL);
        /* a refund recorded by hand while the provider worked: the money went
         * back twice — the provider's is real, the owner must sort it out */
        twice = rc == WALOR_ERANGE;
        rc = twice ? 1 : rc < 0 ? rc : 1;
    }
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    int32_t crc = walor_tx_commit(c);
    if (crc < 0)
        return crc;
    if (rc == 1)
        pay_meta(c, oid, "state", "refunded");
    if (twice)
        walor_report_error(c, walor_ctx_printf(c, "pay-ecom: the provider refunded order %lld (%lld kopecks) after a "
                                                  "refund was recorded by hand: the customer got the money twice",
                                               (long long)oid, (long long)v.amount));
    return rc;
}

/* refunding → back to where it was: the provider kept the money */
static int32_t undo(walor_ctx *c, int64_t oid)
{
    int32_t rc = walor_db_exec(c,
                               "UPDATE pay_ecom_invoice SET state = refund_from, refund_amount = 0, updated_at = ?"
                               " WHERE order_id = ? AND state = 'refunding'",
                               WALOR_ARGS(walor_i(walor_now(c)), walor_i(oid)));
    return rc < 0 ? rc : 0;
}

/* after the provider's answer rc: ask it what became of the payment */
static int32_t settle_refund(walor_ctx *c, int64_t oid, const refund_row *v, int32_t rc, const char **why)
{
    if (rc == 0)
        return finish(c, oid) < 0 ? WALOR_EDB : 0;
    int32_t st = PAY_ST_UNKNOWN;
    const char *swhy = "";
    int32_t src = pay_provider_get()->check_status(c, v->invoice_id, &st, &swhy);
    if (src == 0 && st == PAY_ST_REFUNDED) /* it went through (a lost answer, or given back before) */
        return finish(c, oid) < 0 ? WALOR_EDB : 0;
    if (src == 0 && st == PAY_ST_PAID) {
        int32_t urc = undo(c, oid);
        return urc < 0 ? urc : rc;
    }
    /* the provider cannot tell now: the reconciliation asks again later */
    walor_log(c, WALOR_LOG_WARN, "pay-ecom: refund of order %lld: %s; status unknown (%s), re-checked later",
              (long long)oid, *why, swhy);
    return rc;
}

/* under the write lock: paid | late_paid → refunding with the amount left
 * to refund. 0 marked (*amount), 1 nothing to refund, 2 under way, < 0 error */
static int32_t mark_refunding(walor_ctx *c, int64_t oid, const char *reason, refund_row *v, int64_t *amount)
{
    int32_t rc = load(c, oid, v);
    if (rc <= 0)
        return rc < 0 ? rc : 1;
    if (!provider_paid(v))
        return !strcmp(v->state, "refunding") ? 2 : 1;
    const walor_orders_v1 *os = pay_orders(c);
    if (!WALOR_ORDERS_HAS(os, refundable))
        return WALOR_ENOSYS;
    if ((rc = os->refundable(c, oid, amount)) < 0)
        return rc;
    if (*amount <= 0)
        return 1;
    rc = walor_db_exec(c,
                       "UPDATE pay_ecom_invoice SET refund_from = state, state = 'refunding', refund_amount = ?,"
                       " refund_by = ?, refund_reason = ?, updated_at = ? WHERE order_id = ?",
                       WALOR_ARGS(walor_i(*amount), walor_i(walor_ctx_user_id(c)), walor_s(reason ? reason : ""),
                                  walor_i(walor_now(c)), walor_i(oid)));
    return rc < 0 ? rc : 0;
}

int32_t pay_refund(walor_ctx *c, int64_t oid, const char *reason, const char **why)
{
    *why = "";
    if (walor_tx_active(c) == 1)
        return WALOR_EPHASE; /* the network is never asked inside a transaction */
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    refund_row v;
    int64_t amount = 0;
    rc = mark_refunding(c, oid, reason, &v, &amount);
    if (rc != 0) {
        walor_tx_rollback(c);
        return rc;
    }
    /* committed before the provider is asked: a crash from here on leaves
     * `refunding` for the reconciliation, never a refund we forgot */
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    v.amount = amount;
    rc = pay_provider_get()->refund(c, v.invoice_id, amount, why);
    rc = settle_refund(c, oid, &v, rc, why);
    if (rc == 0)
        walor_log(c, WALOR_LOG_INFO, "pay-ecom: order %lld: %lld kopecks refunded", (long long)oid,
                  (long long)amount);
    return rc;
}

/* refunds a crash or a silent provider left `refunding`: the provider says
 * whether the money went back; the staff member who asked is told */
int32_t pay_refund_reconcile(walor_ctx *c)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT order_id FROM pay_ecom_invoice WHERE state = 'refunding' AND updated_at <= ?"
                                " ORDER BY updated_at LIMIT 20",
                                WALOR_ARGS(walor_i(walor_now(c) - STUCK_S)), &r);
    if (rc < 0)
        return rc;
    int64_t ids[20];
    size_t n = 0;
    while (n < 20 && walor_row_next(r) == 1)
        ids[n++] = walor_col_int(r, 0);
    walor_rows_close(r);
    for (size_t i = 0; i < n; i++) {
        refund_row v;
        if (load(c, ids[i], &v) != 1 || strcmp(v.state, "refunding") != 0)
            continue;
        int32_t st = PAY_ST_UNKNOWN;
        const char *why = "";
        if (pay_provider_get()->check_status(c, v.invoice_id, &st, &why) < 0)
            break; /* the provider is down: the next tick */
        const char *key = NULL;
        if (st == PAY_ST_REFUNDED && finish(c, ids[i]) == 1)
            key = "pay-ecom.staff.refunded";
        else if (st == PAY_ST_PAID && undo(c, ids[i]) == 0)
            key = "pay-ecom.staff.refund_lost";
        if (key && v.by > 0)
            walor_send(c, v.by, walor_textf(c, key, "id", pay_num(c, ids[i]), NULL), NULL, 0, NULL);
    }
    return 0;
}
