/* pay-ecom: declarations shared by the plugin's files.
 *
 * One row of pay_ecom_invoice per order carries the payment's life:
 *   state: creating → pending → paid | failed | expired | late_paid | tester
 *   (failed/expired → creating again on the customer's retry, attempt + 1;
 *   the replaced invoice id goes to pay_ecom_old_invoice, so a late payment
 *   of it is still found). Orders change only through the `orders`
 *   service; the network is touched only outside transactions (jobs,
 *   callbacks, the webhook route). */
#ifndef PAYECOM_H
#define PAYECOM_H

#include <walor/plugin.h>
#include <walor/services/orders.h>

#include "provider.h"

#define PAY_PLUGIN "pay-ecom"

/* set by load(): service calls run with the caller's ctx, so the plugin's
 * own config is read through this handle */
extern walor_plugin *pay_self;

/* raw [plugin.pay-ecom] value, or def */
const char *pay_cfg(const char *key, const char *def);
/* the provider named by [plugin.pay-ecom] provider (only "ecomkassa" today) */
const pay_provider *pay_provider_get(void);
/* the orders service, or NULL (then nothing can be paid) */
const walor_orders_v1 *pay_orders(walor_ctx *c);
/* public_url + "/p/pay-ecom/webhook/" + secret, or "" without public_url */
const char *pay_callback_url(walor_ctx *c);
char *pay_num(walor_ctx *c, int64_t n);
/* "24.11.2026 10:15" in the shop's zone */
char *pay_when(walor_ctx *c, int64_t epoch);

/* tell the managers and owners (walor_notify_staff), and [staff_chat] too
 * when it is set */
void pay_staff(walor_ctx *c, const char *html, const walor_kb *kb);
/* [staff_chat] alone: for what the orders plugin already tells the staff */
void pay_staff_chat(walor_ctx *c, const char *html, const walor_kb *kb);
/* a payment screenshot: the managers and owners get its caption with the
 * buttons, [staff_chat] (if set) the photo itself */
void pay_staff_photo(walor_ctx *c, const char *photo, const char *caption, const walor_kb *kb);

/* ---- invoice.c ---- */
int32_t pay_invoice_register(walor_plugin *p);
/* the payment service's send_details (runs with the caller's ctx, in its
 * transaction if one is open): the same invoice again while it is open, a
 * new attempt after a failure; the network part follows in our job */
int32_t pay_send_details(walor_ctx *c, int64_t order_id);
/* re-query invoice `invoice_id` of order_id (NULL = the current one) and
 * apply what the provider says; *st (may be NULL) gets PAY_ST_*.
 * Outside any transaction. */
int32_t pay_check(walor_ctx *c, int64_t order_id, const char *invoice_id, int32_t *st);
/* the order a provider id belongs to: 1 invoice (current or replaced), 2
 * fiscal receipt, 0 none, < 0 error */
int32_t pay_lookup(walor_ctx *c, const char *id, int64_t *order_id);
/* a manual confirmation by staff (manual.c): marks paid like a webhook
 * would; 0 paid now, 1 already paid, WALOR_ERANGE order cancelled */
int32_t pay_mark_paid(walor_ctx *c, int64_t order_id, const char *ref);

/* ---- refund.c ---- */
extern const char pay_migration_2[];
/* what the provider can give back of order_id's payment (0: nothing) */
int32_t pay_refundable(walor_ctx *c, int64_t order_id, int64_t *out);
/* give it back through the provider now (outside any transaction): 0
 * refunded and recorded with the orders service, 1 nothing to refund, 2
 * one is under way, < 0 the provider failed (*why) */
int32_t pay_refund(walor_ctx *c, int64_t order_id, const char *reason, const char **why);
/* refunds left `refunding` by a crash or a silent provider (cron) */
int32_t pay_refund_reconcile(walor_ctx *c);

/* run job `job` of this plugin for order_id at `when` (keyed by the order,
 * so scheduling again replaces it); our ctx only */
int32_t pay_schedule(walor_ctx *c, const char *job, int64_t order_id, int64_t when);
/* mirror a value in the order's meta (invoice, state, receipt); a failure is logged */
void pay_meta(walor_ctx *c, int64_t order_id, const char *key, const char *value);

/* ---- receipt.c ---- */
#define PAY_JOB_RECEIPT "receipt"
int32_t pay_receipt_register(walor_plugin *p);
/* one step of the fiscal receipt of order_id (create / re-query) */
int32_t pay_receipt_step(walor_ctx *c, int64_t order_id);

/* ---- webhook.c ---- */
int32_t pay_webhook_register(walor_plugin *p);

/* ---- manual.c ---- */
int32_t pay_manual_register(walor_plugin *p);
/* the customer's buttons under the payment message (manual.c draws "shot") */
int32_t pay_customer_cb(walor_ctx *c, const char *arg);

#endif
