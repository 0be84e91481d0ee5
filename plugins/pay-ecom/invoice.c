/* pay-ecom: the invoice's life (payecom.h): send_details, the job that
 * creates the invoice and sends the QR code, applying a re-queried status
 * exactly once, reconciliation of pending invoices. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "payecom.h"
#include "qr.h"

#define JOB_INVOICE "invoice"
#define EV_REQUESTED "pay_ecom.requested"
#define CREATE_TRIES 5       /* invoice creation attempts before giving up */
#define RECONCILE_BATCH 100

typedef struct inv_row {
    int64_t order_id, user_id, amount, attempt, create_tries, sent_at;
    const char *state, *invoice_id, *link, *qr;
} inv_row;

/* 1 found, 0 none, < 0 error */
static int32_t load_row(walor_ctx *c, int64_t order_id, inv_row *v)
{
    return walor_found(walor_db_row(c,
                                    "SELECT order_id, user_id, amount, attempt, create_tries, sent_at, state, invoice_id,"
                                    " link, qr FROM pay_ecom_invoice"
                                    " WHERE order_id = ?",
                                    WALOR_ARGS(walor_i(order_id)), "iiiiiissss", &v->order_id, &v->user_id,
                                    &v->amount, &v->attempt, &v->create_tries, &v->sent_at, &v->state, &v->invoice_id,
                                    &v->link, &v->qr));
}

int32_t pay_schedule(walor_ctx *c, const char *job, int64_t order_id, int64_t when)
{
    json_t *pl = json_pack("{s:I}", "order_id", (json_int_t)order_id);
    if (!pl)
        return WALOR_ENOMEM;
    int32_t rc = walor_job_at(c, when, job, pay_num(c, order_id), pl);
    json_decref(pl);
    return rc;
}

void pay_meta(walor_ctx *c, int64_t order_id, const char *key, const char *value)
{
    const walor_orders_v1 *o = pay_orders(c);
    if (WALOR_ORDERS_HAS(o, set_meta) && o->set_meta(c, order_id, key, value) < 0)
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: order %lld meta %s: %s", (long long)order_id, key,
                  walor_last_error(c));
}

static int is_transient(int32_t rc) { return rc == WALOR_ETIMEDOUT || rc == WALOR_ENET; }

/* ---- send_details: runs with the caller's ctx (checkout, the staff card),
 * maybe inside its transaction: only database work here; the network part
 * is our job, reached through our own event (a job must be scheduled from
 * our ctx, and the event's subscriber has it) ---- */

/* *tester_notice: the customer is a tester; tell them after the commit */
static int32_t details_in_tx(walor_ctx *c, int64_t order_id, int64_t *tester_notice)
{
    const walor_orders_v1 *os = pay_orders(c);
    if (!os)
        return WALOR_ENOSYS;
    walor_order *o = NULL;
    int32_t rc = os->get(c, order_id, &o);
    if (rc < 0)
        return rc;
    int64_t now = walor_now(c);
    if (o->flags & WALOR_ORDER_F_TESTER) {
        rc = walor_db_exec(c,
                           "INSERT INTO pay_ecom_invoice(order_id, user_id, amount, state, created_at, updated_at)"
                           " VALUES (?, ?, ?, 'tester', ?, ?) ON CONFLICT(order_id) DO NOTHING",
                           WALOR_ARGS(walor_i(order_id), walor_i(o->user_id), walor_i(o->total), walor_i(now),
                                      walor_i(now)));
        if (rc < 0)
            return rc;
        *tester_notice = o->user_id;
        return 0;
    }
    if (strcmp(o->status, "new") != 0)
        return WALOR_ERANGE;
    if (o->total <= 0) { /* bonuses or a certificate covered it all: nothing to invoice */
        rc = walor_db_exec(c,
                           "INSERT INTO pay_ecom_invoice(order_id, user_id, amount, state, created_at, updated_at,"
                           " paid_at) VALUES (?, ?, 0, 'paid', ?, ?, ?) ON CONFLICT(order_id) DO NOTHING",
                           WALOR_ARGS(walor_i(order_id), walor_i(o->user_id), walor_i(now), walor_i(now),
                                      walor_i(now)));
        if (rc >= 0)
            rc = os->mark_paid(c, order_id, "zero-total");
        return rc < 0 ? rc : 0;
    }
    /* asking again resends the same invoice; after a failure it starts a new one */
    rc = walor_db_exec(c,
                       "INSERT INTO pay_ecom_invoice(order_id, user_id, amount, state, created_at, updated_at)"
                       " VALUES (?, ?, ?, 'creating', ?, ?) ON CONFLICT(order_id) DO UPDATE SET sent_at = 0,"
                       " updated_at = excluded.updated_at WHERE pay_ecom_invoice.state IN ('creating', 'pending')",
                       WALOR_ARGS(walor_i(order_id), walor_i(o->user_id), walor_i(o->total), walor_i(now),
                                  walor_i(now)));
    if (rc < 0)
        return rc;
    if (rc == 0) {
        rc = walor_db_exec(c,
                           "INSERT INTO pay_ecom_old_invoice(invoice_id, order_id) SELECT invoice_id, order_id"
                           " FROM pay_ecom_invoice WHERE order_id = ? AND invoice_id IS NOT NULL"
                           " AND state IN ('failed', 'expired') ON CONFLICT(invoice_id) DO NOTHING",
                           WALOR_ARGS(walor_i(order_id)));
        if (rc >= 0)
            rc = walor_db_exec(c,
                               "UPDATE pay_ecom_invoice SET state = 'creating', attempt = attempt + 1,"
                               " invoice_id = NULL, link = '', qr = '', reason = '', create_tries = 0, sent_at = 0,"
                               " updated_at = ? WHERE order_id = ? AND state IN ('failed', 'expired')",
                               WALOR_ARGS(walor_i(now), walor_i(order_id)));
        if (rc < 0)
            return rc;
    }
    json_t *pl = json_pack("{s:I}", "order_id", (json_int_t)order_id);
    if (!pl)
        return WALOR_ENOMEM;
    rc = walor_event_emit(c, EV_REQUESTED, walor_ctx_printf(c, "pay:%lld", (long long)order_id), pl);
    json_decref(pl);
    return rc;
}

/* a level of the caller's transaction (they nest since SDK 1.3): the row,
 * the replaced invoice and the event commit together or not at all */
int32_t pay_send_details(walor_ctx *c, int64_t order_id)
{
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    int64_t tester = 0;
    rc = details_in_tx(c, order_id, &tester);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    rc = walor_tx_commit(c);
    /* held by the host until the caller's work commits, dropped with it */
    if (rc == 0 && tester > 0)
        walor_send(c, tester, walor_textf(c, "pay-ecom.tester", "id", pay_num(c, order_id), NULL), NULL, 0, NULL);
    return rc;
}

static int32_t on_requested(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    int64_t id = (int64_t)json_integer_value(json_object_get(payload, "order_id"));
    return id > 0 ? pay_schedule(c, JOB_INVOICE, id, walor_now(c)) : 0;
}

/* a cancelled order's invoice stops being polled at once; a payment of it
 * that still comes is found by its webhook and flagged (late_paid) */
static int32_t on_cancelled(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    int64_t id = (int64_t)json_integer_value(json_object_get(payload, "order_id"));
    int32_t rc = walor_db_exec(c,
                               "UPDATE pay_ecom_invoice SET state = 'expired', updated_at = ? WHERE order_id = ?"
                               " AND state IN ('creating', 'pending')",
                               WALOR_ARGS(walor_i(walor_now(c)), walor_i(id)));
    if (rc > 0 && walor_job_cancel(c, JOB_INVOICE, pay_num(c, id)) == WALOR_EDB)
        return WALOR_EDB;
    return rc < 0 ? rc : 0;
}

/* ---- the customer's payment message ---- */

static int64_t deadline_of(walor_ctx *c, const walor_order *o)
{
    int64_t min = walor_setting_min(c, "orders.autocancel_min", 1, 15);
    return o->created_at + min * 60;
}

static int32_t send_payment_message(walor_ctx *c, const walor_order *o, const inv_row *v)
{
    const char *id = pay_num(c, o->id);
    const char *caption = walor_textf(c, "pay-ecom.details", "id", id, "amount", walor_money(c, o->total),
                                      "deadline", pay_when(c, deadline_of(c, o)), NULL);
    walor_kb *kb = walor_kb_new(c);
    if (v->link && !strncmp(v->link, "http", 4))
        walor_kb_url(kb, walor_text(c, "pay-ecom.btn.pay"), v->link);
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.check"), walor_ctx_printf(c, "payecom:chk:%s", id));
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.shot"), walor_ctx_printf(c, "payecom:shot:%s", id));
    int64_t scale = walor_setting_or(c, "pay-ecom.qr_scale", 8);
    char *path = NULL;
    int32_t rc;
    int64_t mid = 0;
    int photo = pay_qr_png(v->qr, pay_cfg("tmp_dir", "/tmp"), (int)scale, &path) == 0;
    if (photo) {
        rc = walor_send_photo(c, o->user_id, walor_ctx_printf(c, "file:%s", path), caption, kb, 0, &mid);
        unlink(path); /* the upload is read when the call is made */
        free(path);
    } else {
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: QR code of order %lld not drawn, sending the link only",
                  (long long)o->id);
        rc = walor_send(c, o->user_id, caption, kb, 0, &mid);
    }
    /* remembered so that the payment turns this very message into its receipt */
    if (rc == 0 && mid > 0)
        pay_meta(c, o->id, "msg", walor_ctx_printf(c, "%c:%lld", photo ? 'p' : 't', (long long)mid));
    return rc;
}

/* The invoice message becomes "paid": its buttons go (pressing «Оплатить»
 * again would only confuse) and its text says so. The order's own notice
 * (the orders plugin) is the one new message the customer gets. */
static void close_invoice_message(walor_ctx *c, int64_t oid, int64_t user_id, const char *html)
{
    const walor_orders_v1 *os = pay_orders(c);
    const char *msg = NULL;
    if (!WALOR_ORDERS_HAS(os, get_meta) || os->get_meta(c, oid, "msg", &msg) != 0 || !msg || strlen(msg) < 3)
        return;
    long long mid = strtoll(msg + 2, NULL, 10);
    if (mid <= 0)
        return;
    /* no keyboard: the buttons go; the host edits a photo's caption */
    int32_t rc = walor_edit_message(c, user_id, mid, html, NULL);
    if (rc < 0)
        walor_log(c, WALOR_LOG_INFO, "pay-ecom: invoice message of order %lld not updated: %s", (long long)oid,
                  walor_last_error(c));
}

static void tell_failure(walor_ctx *c, int64_t order_id, int64_t user_id, const char *why, int customer)
{
    const char *id = pay_num(c, order_id);
    const char *ewhy = walor_html_escape(c, why && *why ? why : "—");
    if (customer && user_id > 0) {
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, walor_text(c, "pay-ecom.btn.retry"), walor_ctx_printf(c, "payecom:retry:%s", id));
        walor_kb_row(kb);
        walor_kb_button(kb, walor_text(c, "pay-ecom.btn.shot"), walor_ctx_printf(c, "payecom:shot:%s", id));
        walor_send(c, user_id, walor_textf(c, "pay-ecom.failed", "id", id, NULL), kb, 0, NULL);
    }
    walor_kb *skb = walor_kb_new(c);
    walor_kb_button(skb, walor_text(c, "pay-ecom.btn.admin_resend"), walor_ctx_printf(c, "payadm:send:%s", id));
    pay_staff(c, walor_textf(c, "pay-ecom.staff.failed", "id", id, "why", ewhy, NULL), skb);
}

/* ---- the invoice job: create (idempotent) and send ---- */

static int32_t invoice_job(walor_ctx *c, json_t *payload)
{
    int64_t oid = (int64_t)json_integer_value(json_object_get(payload, "order_id"));
    inv_row v;
    int32_t rc = load_row(c, oid, &v);
    if (rc <= 0)
        return rc;
    if (strcmp(v.state, "creating") && strcmp(v.state, "pending"))
        return 0;
    const walor_orders_v1 *os = pay_orders(c);
    walor_order *o = NULL;
    if (!os || (rc = os->get(c, oid, &o)) == WALOR_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    if (strcmp(o->status, "new") != 0) {
        if (!strcmp(o->status, "cancelled") && !strcmp(v.state, "creating"))
            walor_db_exec(c, "UPDATE pay_ecom_invoice SET state = 'expired', updated_at = ? WHERE order_id = ?"
                             " AND state = 'creating'",
                          WALOR_ARGS(walor_i(walor_now(c)), walor_i(oid)));
        return 0;
    }
    const pay_provider *pv = pay_provider_get();
    if (!strcmp(v.state, "creating")) {
        pay_invoice_req q = {.order_id = oid,
                             .attempt = v.attempt,
                             .amount = o->total,
                             .description = walor_textf(c, "pay-ecom.description", "id", pay_num(c, oid), NULL),
                             .callback_url = pay_callback_url(c),
                             .email = o->email};
        pay_invoice_info inv;
        const char *why = "";
        rc = pv->create_invoice(c, &q, &inv, &why);
        int64_t now = walor_now(c);
        if (rc < 0) {
            int64_t tries = v.create_tries + 1;
            walor_log(c, WALOR_LOG_WARN, "pay-ecom: invoice of order %lld, try %lld: %s", (long long)oid,
                      (long long)tries, why);
            if (is_transient(rc) && tries < CREATE_TRIES) {
                walor_db_exec(c, "UPDATE pay_ecom_invoice SET create_tries = ?, reason = ?, updated_at = ?"
                                 " WHERE order_id = ?",
                              WALOR_ARGS(walor_i(tries), walor_s(why), walor_i(now), walor_i(oid)));
                if (tries == 1) { /* once: the customer waits knowingly, staff know the provider is down */
                    walor_kb *kb = walor_kb_new(c);
                    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.shot"),
                                    walor_ctx_printf(c, "payecom:shot:%lld", (long long)oid));
                    walor_send(c, o->user_id, walor_textf(c, "pay-ecom.delayed", "id", pay_num(c, oid), NULL), kb,
                               0, NULL);
                    pay_staff(c, walor_textf(c, "pay-ecom.staff.down", "id", pay_num(c, oid), "why",
                                             walor_html_escape(c, why), NULL),
                              NULL);
                }
                return pay_schedule(c, JOB_INVOICE, oid, now + (30LL << (tries - 1)));
            }
            int32_t n = walor_db_exec(c,
                                      "UPDATE pay_ecom_invoice SET state = 'failed', create_tries = ?, reason = ?,"
                                      " updated_at = ? WHERE order_id = ? AND state = 'creating'",
                                      WALOR_ARGS(walor_i(tries), walor_s(why), walor_i(now), walor_i(oid)));
            if (n > 0)
                tell_failure(c, oid, o->user_id, why, 1);
            return n < 0 ? n : 0;
        }
        int32_t n = walor_db_exec(c,
                                  "UPDATE pay_ecom_invoice SET state = 'pending', invoice_id = ?, link = ?, qr = ?,"
                                  " reason = '', last_check_at = ?, updated_at = ? WHERE order_id = ?"
                                  " AND state = 'creating'",
                                  WALOR_ARGS(walor_s(inv.id), walor_s(inv.link), walor_s(inv.qr), walor_i(now),
                                             walor_i(now), walor_i(oid)));
        if (n <= 0) /* cancelled (or paid by hand) while we asked: nothing to send */
            return n;
        pay_meta(c, oid, "invoice", inv.id);
        pay_meta(c, oid, "state", "pending");
        v.link = inv.link;
        v.qr = inv.qr;
        v.sent_at = 0;
        walor_log(c, WALOR_LOG_INFO, "pay-ecom: order %lld: invoice created", (long long)oid);
    }
    if (v.sent_at)
        return 0;
    rc = send_payment_message(c, o, &v);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: payment message of order %lld: %s", (long long)oid,
                  walor_last_error(c));
    rc = walor_db_exec(c, "UPDATE pay_ecom_invoice SET sent_at = ? WHERE order_id = ?",
                       WALOR_ARGS(walor_i(walor_now(c)), walor_i(oid)));
    return rc < 0 ? rc : 0;
}

/* ---- applying a status the provider confirmed ---- */

static void tell_paid(walor_ctx *c, int64_t oid, int64_t user_id, int64_t amount, int late)
{
    const char *id = pay_num(c, oid);
    const char *html = walor_textf(c, late ? "pay-ecom.paid_late" : "pay-ecom.paid", "id", id, "amount",
                                   walor_money(c, amount), NULL);
    if (user_id > 0 && late) /* news the order's notices do not carry: the order was cancelled */
        walor_send(c, user_id, html, NULL, 0, NULL);
    else if (user_id > 0)
        close_invoice_message(c, oid, user_id, html);
    if (late) /* the orders plugin tells the managers and owners (paid after cancel) */
        pay_staff_chat(c, walor_textf(c, "pay-ecom.staff.late", "id", id, "amount", walor_money(c, amount), NULL), NULL);
}

/* the one place an order becomes paid here: the row's state moves first,
 * under the write lock, so of two concurrent confirmations only one calls
 * mark_paid (which is exactly-once itself, too). Inside the caller's tx.
 * 0 paid now (tell the customer), 1 nothing changed, 2 our row caught up
 * with an order staff had already marked paid (the customer knows). */
static int32_t settle(walor_ctx *c, int64_t oid, const char *ref, int *late)
{
    int64_t now = walor_now(c);
    int32_t n = walor_db_exec(c,
                              "UPDATE pay_ecom_invoice SET state = 'paid', paid_at = ?, updated_at = ?, reason = ''"
                              " WHERE order_id = ? AND state NOT IN ('paid', 'late_paid', 'refunding', 'refunded', 'tester')",
                              WALOR_ARGS(walor_i(now), walor_i(now), walor_i(oid)));
    if (n <= 0)
        return n < 0 ? n : 1;
    const walor_orders_v1 *os = pay_orders(c);
    if (!os)
        return WALOR_ENOSYS;
    int32_t rc = os->mark_paid(c, oid, ref);
    *late = 0;
    if (rc == WALOR_ERANGE) {
        *late = 1;
        rc = walor_db_exec(c, "UPDATE pay_ecom_invoice SET state = 'late_paid' WHERE order_id = ?",
                           WALOR_ARGS(walor_i(oid)));
        if (rc >= 0)
            rc = 0;
    } else if (rc == 1) {
        return 2; /* staff marked it paid already (and a receipt is theirs to see to) */
    }
    int64_t fiscal = 0;
    if (rc == 0 && !*late && walor_setting_int(c, "pay-ecom.fiscal", &fiscal) == 0 && fiscal) {
        rc = walor_db_exec(c, "UPDATE pay_ecom_invoice SET receipt_state = 'queued' WHERE order_id = ?",
                           WALOR_ARGS(walor_i(oid)));
        if (rc >= 0)
            rc = pay_schedule(c, PAY_JOB_RECEIPT, oid, now);
    }
    return rc;
}

int32_t pay_mark_paid(walor_ctx *c, int64_t oid, const char *ref)
{
    inv_row v;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = load_row(c, oid, &v);
    if (rc == 0) { /* staff confirm an order whose details were never sent: start its row */
        const walor_orders_v1 *os = pay_orders(c);
        walor_order *o = NULL;
        rc = os ? os->get(c, oid, &o) : WALOR_ENOSYS;
        if (rc == 0)
            rc = walor_db_exec(c,
                               "INSERT INTO pay_ecom_invoice(order_id, user_id, amount, state, created_at, updated_at)"
                               " VALUES (?, ?, ?, 'creating', ?, ?)",
                               WALOR_ARGS(walor_i(oid), walor_i(o->user_id), walor_i(o->total),
                                          walor_i(walor_now(c)), walor_i(walor_now(c))));
        if (rc >= 0)
            rc = load_row(c, oid, &v);
    }
    int late = 0;
    if (rc > 0)
        rc = settle(c, oid, ref, &late);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    int32_t res = rc >= 1 ? 1 : late ? WALOR_ERANGE : 0;
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    if (res != 1) {
        pay_meta(c, oid, "state", late ? "late_paid" : "paid");
        tell_paid(c, oid, v.user_id, v.amount, late);
    }
    return res;
}

static int32_t apply(walor_ctx *c, int64_t oid, const char *invoice_id, int32_t st, const char *why)
{
    int64_t now = walor_now(c);
    if (st == PAY_ST_PENDING) {
        int32_t rc = walor_db_exec(c, "UPDATE pay_ecom_invoice SET last_check_at = ? WHERE order_id = ?",
                                   WALOR_ARGS(walor_i(now), walor_i(oid)));
        return rc < 0 ? rc : 0;
    }
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    inv_row v;
    rc = load_row(c, oid, &v);
    int late = 0, changed = 0;
    if (rc > 0 && st == PAY_ST_PAID) {
        rc = settle(c, oid, invoice_id, &late);
        changed = rc == 0;
    } else if (rc > 0) {
        /* a failure of a replaced invoice means nothing: the current one counts */
        rc = walor_db_exec(c,
                           "UPDATE pay_ecom_invoice SET state = 'failed', reason = ?, last_check_at = ?,"
                           " updated_at = ? WHERE order_id = ? AND invoice_id = ? AND state = 'pending'",
                           WALOR_ARGS(walor_s(why && *why ? why : pay_status_name(st)), walor_i(now), walor_i(now),
                                      walor_i(oid), walor_s(invoice_id)));
        changed = rc > 0;
    }
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    if (!changed)
        return 0;
    if (st == PAY_ST_PAID) {
        walor_log(c, WALOR_LOG_INFO, "pay-ecom: order %lld paid%s", (long long)oid, late ? " after its cancel" : "");
        pay_meta(c, oid, "state", late ? "late_paid" : "paid");
        tell_paid(c, oid, v.user_id, v.amount, late);
    } else {
        walor_log(c, WALOR_LOG_INFO, "pay-ecom: order %lld: payment %s", (long long)oid, pay_status_name(st));
        pay_meta(c, oid, "state", "failed");
        tell_failure(c, oid, v.user_id, why && *why ? why : walor_text(c, "pay-ecom.reason.unknown"), 1);
    }
    return 0;
}

int32_t pay_check(walor_ctx *c, int64_t oid, const char *invoice_id, int32_t *out)
{
    inv_row v;
    int32_t rc = load_row(c, oid, &v);
    if (rc <= 0)
        return rc < 0 ? rc : WALOR_ENOTFOUND;
    if (!invoice_id)
        invoice_id = v.invoice_id;
    if (!invoice_id) {
        if (out)
            *out = !strcmp(v.state, "paid") || !strcmp(v.state, "tester") ? PAY_ST_PAID : PAY_ST_PENDING;
        return 0;
    }
    int32_t st = PAY_ST_UNKNOWN;
    const char *why = "";
    rc = pay_provider_get()->check_status(c, invoice_id, &st, &why);
    if (rc < 0) {
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: status of order %lld: %s", (long long)oid, why);
        return rc;
    }
    if (out)
        *out = st;
    return apply(c, oid, invoice_id, st, why);
}

int32_t pay_lookup(walor_ctx *c, const char *id, int64_t *oid)
{
    int32_t rc = walor_db_int(c, "SELECT order_id FROM pay_ecom_invoice WHERE invoice_id = ?", WALOR_ARGS(walor_s(id)),
                              oid);
    if (rc == 0)
        return 1;
    if (rc == WALOR_ENOTFOUND)
        rc = walor_db_int(c, "SELECT order_id FROM pay_ecom_old_invoice WHERE invoice_id = ?", WALOR_ARGS(walor_s(id)),
                          oid);
    if (rc == 0)
        return 1;
    if (rc == WALOR_ENOTFOUND)
        rc = walor_db_int(c, "SELECT order_id FROM pay_ecom_invoice WHERE receipt_uuid = ?", WALOR_ARGS(walor_s(id)),
                          oid);
    if (rc == 0)
        return 2;
    return rc == WALOR_ENOTFOUND ? 0 : rc;
}

/* ---- reconciliation: lost webhooks ---- */

static int32_t reconcile(walor_ctx *c)
{
    int64_t every = walor_setting_min(c, "pay-ecom.reconcile_s", 10, 120), now = walor_now(c);
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT order_id FROM pay_ecom_invoice WHERE state = 'pending'"
                                " AND last_check_at <= ? ORDER BY last_check_at LIMIT ?",
                                WALOR_ARGS(walor_i(now - every), walor_i(RECONCILE_BATCH)), &r);
    if (rc < 0)
        return rc;
    int64_t ids[RECONCILE_BATCH];
    size_t n = 0;
    while (n < RECONCILE_BATCH && walor_row_next(r) == 1)
        ids[n++] = walor_col_int(r, 0);
    walor_rows_close(r);
    const walor_orders_v1 *os = pay_orders(c);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t st = PAY_ST_UNKNOWN;
        rc = pay_check(c, ids[i], NULL, &st);
        if (is_transient(rc)) /* the provider is down: the next tick tries again */
            break;
        done++;
        walor_order *o = NULL;
        /* a pending invoice of an order auto-cancelled meanwhile stops being polled;
         * if it is paid later its webhook still finds it (state late_paid) */
        if (rc == 0 && st == PAY_ST_PENDING && os && os->get(c, ids[i], &o) == 0 && strcmp(o->status, "new"))
            walor_db_exec(c, "UPDATE pay_ecom_invoice SET state = 'expired', updated_at = ? WHERE order_id = ?"
                             " AND state = 'pending'",
                          WALOR_ARGS(walor_i(now), walor_i(ids[i])));
    }
    if (n)
        walor_log(c, WALOR_LOG_INFO, "pay-ecom: reconciled %zu of %zu pending invoice(s)", done, n);
    return pay_refund_reconcile(c);
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c,
                               "DELETE FROM pay_ecom_old_invoice WHERE order_id IN"
                               " (SELECT order_id FROM pay_ecom_invoice WHERE user_id = ?)",
                               WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM pay_ecom_invoice WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

int32_t pay_invoice_register(walor_plugin *p)
{
    static const walor_cron_def rec = {.struct_size = sizeof rec, .name = "reconcile", .expr = "* * * * *",
                                       .fn = reconcile};
    int32_t rc = walor_job(p, JOB_INVOICE, invoice_job);
    if (!rc) rc = walor_cron(p, &rec);
    if (!rc) rc = walor_subscribe(p, EV_REQUESTED, on_requested);
    if (!rc) rc = walor_subscribe(p, "order.cancelled", on_cancelled);
    if (!rc) rc = walor_wipe(p, wipe);
    return rc;
}
