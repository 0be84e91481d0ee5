/* orders: declarations shared by the plugin's files (README.md). */
#ifndef ORDERS_H
#define ORDERS_H

#include <walor/plugin.h>
#include <walor/services/orders.h>
#include <walor/services/stock.h>

#include "model.h"

/* ---- the service and the lifecycle (service.c) ---- */

extern const walor_orders_v1 orders_service;
/* the SQL of migration 1 (tables orders_*) */
extern const char orders_migration_1[];
/* migration 2 (refund.c): refunds, delivery paid by the shop, report indexes */
extern const char orders_migration_2[];

int32_t orders_get(walor_ctx *c, int64_t id, walor_order **out);
/* cancel() with a note that reaches order.status_changed ("auto" for the
 * auto-cancel job, so the customer is told why) */
int32_t orders_cancel_note(walor_ctx *c, int64_t id, int32_t return_stock, const char *reason, const char *note);
/* paid → completed in one step: a B2B / offline sale is handed over when
 * it is recorded (the staff table does not allow the jump) */
int32_t orders_complete_sale(walor_ctx *c, int64_t id);
/* ---- customers' figures, service 1.2 (clients.c) ---- */
int32_t orders_svc_client(walor_ctx *c, int64_t user_id, walor_order_client *out);
int32_t orders_svc_clients(walor_ctx *c, int64_t from, int64_t to, walor_order_client_fn fn, void *ud);
int32_t orders_svc_client_orders(walor_ctx *c, int64_t user_id, uint32_t offset, uint32_t limit, int64_t **ids,
                                 uint32_t *n, uint32_t *total);
int32_t orders_svc_buyers(walor_ctx *c, const int64_t *product_ids, uint32_t n, walor_order_user_fn fn, void *ud);
const char *orders_svc_staff_card_data(walor_ctx *c, int64_t order_id); /* "ord:o:<id>" (staff.c's) */

/* the stock provider, NULL without a warehouse */
const walor_stock_v1 *orders_stock(walor_ctx *c);

/* ---- refunds (refund.c), service 1.1 ---- */
int32_t orders_refund(walor_ctx *c, int64_t order_id, const walor_refund_new *r, int64_t *out_id);
int32_t orders_refundable(walor_ctx *c, int64_t order_id, int64_t *out_amount);
int32_t orders_refunds_of(walor_ctx *c, int64_t order_id, walor_refund **out, uint32_t *n);
/* the customer's notice of a refund, once (order.refunded subscriber) */
int32_t orders_refund_register(walor_plugin *p);

/* ---- refunds, the staff side (refund_ui.c) ---- */
int32_t orders_refund_ui_register(walor_plugin *p);
/* the card's lines about refunds made and money owed ("" when none) */
char *orders_refunds_html(walor_ctx *c, const walor_order *o);
/* "💸 Возврат": the provider's refund or a manual one */
int32_t orders_refund_screen(walor_ctx *c, int64_t id);
int32_t orders_refund_manual_start(walor_ctx *c, int64_t id);

/* ---- reports (report.c), service 1.1 ---- */
int32_t orders_scan(walor_ctx *c, int64_t from, int64_t to, uint32_t flags, walor_order_scan_fn fn, void *ud);
int32_t orders_refunds_scan(walor_ctx *c, int64_t from, int64_t to, walor_refund_fn fn, void *ud);
int32_t orders_totals(walor_ctx *c, int64_t from, int64_t to, walor_order_totals *out);

/* ---- jobs and subscribers (notify.c) ---- */
int32_t orders_notify_register(walor_plugin *p);

/* ---- staff screens: admin section, card, delivery list (staff.c) ---- */
int32_t orders_staff_register(walor_plugin *p);
/* the staff card of an order (edits the pressed message) */
int32_t orders_staff_card(walor_ctx *c, int64_t id);

/* ---- B2B / offline sale (b2b.c) ---- */
int32_t orders_b2b_register(walor_plugin *p);

/* ---- the customer's "Мои заказы" (customer.c) ---- */
int32_t orders_customer_register(walor_plugin *p);

/* ---- abandoned cart (cart_remind.c) ---- */
int32_t orders_cart_remind_register(walor_plugin *p);

/* ---- texts (texts.c) ---- */
int32_t orders_texts_register(walor_plugin *p);

/* ---- shared helpers (util.c) ---- */
/* the rows of sql (its one argument: id) into an arena array of elements
 * of size bytes, as many as count_sql (the same argument) says at most;
 * read() fills one element from the current row. 0 with *out and *n (NULL
 * and 0 without rows), or the error */
typedef int32_t (*orders_row_fn)(walor_ctx *c, walor_rows *r, void *el, const void *arg);
int32_t orders_rows_read(walor_ctx *c, const char *count_sql, const char *sql, int64_t id, size_t size,
                         orders_row_fn read, const void *arg, void **out, uint32_t *n);
char *orders_num(walor_ctx *c, int64_t n);
char *orders_esc(walor_ctx *c, const char *s);            /* html_escape, NULL → "" */
char *orders_when(walor_ctx *c, int64_t t);               /* "24.11.2026 14:05" in the shop's zone */
const char *orders_status_label(walor_ctx *c, const char *status); /* "💳 Оплачен" */
/* the order's lines as an HTML block, one per line */
char *orders_lines_html(walor_ctx *c, const walor_order *o);
/* the sums block (goods, discounts, delivery, bonuses, total) */
char *orders_sums_html(walor_ctx *c, const walor_order *o);

#endif
