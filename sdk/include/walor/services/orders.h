/* The `orders` service, major 1: create orders and move them through their
 * life; read them back.
 *
 *   #include <walor/services/orders.h>
 *
 * Provided by the `orders` plugin; used by `checkout` (creates orders),
 * payment plugins (mark paid, attach payment data), `loyalty` and
 * `analytics` (read). Look it up with
 *
 *   const walor_orders_v1 *o = walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE,
 *                                                WALOR_ORDERS_MAJOR, NULL);
 *
 * ABI rules as in stock.h: fixed-width types; tables and structs begin
 * with struct_size and grow only at the end (probe table members with
 * WALOR_ORDERS_HAS(); read a struct's newer members only when its
 * struct_size covers them). Arrays of walor_order_line are stepped with
 * walor_order_line_at().
 *
 * Threads and ownership: every function is [cb]: it runs with the caller's
 * ctx, inside the caller's open transaction if there is one (otherwise a
 * changing function opens and commits its own). Strings passed in are
 * borrowed for the call; everything returned lives in the caller's ctx
 * arena. Money is int64 kopecks, times UTC epoch seconds.
 *
 * Statuses (F-ORD-01), as strings in the API, events and the DB:
 *   "new" → "paid" → "processing" → "shipped" → "delivered" → "completed"
 *   and "cancelled" from any status before "completed".
 * Which moves staff may make (forward and back) is the provider's
 * transition table (plugins/orders/README.md); a refused move is
 * WALOR_ERANGE.
 *
 * Events (emitted in the transaction of the change; aggregate "order:<id>"):
 *   order.created         {"v":1,"order_id","user_id","total","source"}
 *   order.status_changed  {"v":1,"order_id","user_id","from","to","by","note","quiet","customer_note"}
 *                         by: staff user id or 0; quiet (1.1): a step advance() walked through on
 *                         the way further, not told to the customer; customer_note (1.1): HTML
 *                         added to the customer's notice
 *   order.paid            {"v":1,"order_id","user_id","total","goods","promo_code","cert_code",
 *                          "bonus_spent","payment_ref"}
 *   order.cancelled       {"v":1,"order_id","user_id","from","was_paid","promo_code","cert_code",
 *                          "bonus_spent","stock":"returned"|"written_off"|"released"}
 *   order.completed       {"v":1,"order_id","user_id","total","goods","bonus_spent"}
 *   order.paid_after_cancel {"v":1,"order_id","user_id","total","payment_ref"}   money for a
 *                          cancelled order, kept on it for staff to refund or restore
 *   order.refunded        {"v":1,"order_id","user_id","refund_id","amount","kind","reason",
 *                          "provider_ref","refunded","status","counted"}   (1.3) a refund was
 *                          recorded; "refunded" is the order's refunds so far, "status" its
 *                          status, "counted" whether the order counts as a sale (below)
 * ("goods" is the goods sum after product, personal, promo and certificate
 * discounts: what cashback is computed on. Absent codes are "".)
 * Subscribers must ignore fields they do not know. */
#ifndef WALOR_SERVICES_ORDERS_H
#define WALOR_SERVICES_ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include "../plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR_ORDERS_SERVICE "orders"
#define WALOR_ORDERS_MAJOR 1u
#define WALOR_ORDERS_MINOR 4u

/* One line of an order: the snapshot the goods were sold with, so later
 * catalog edits never change the order. */
typedef struct walor_order_line {
    uint32_t struct_size;       /* sizeof(walor_order_line) as its writer was built */
    int32_t discount_pct;       /* product discount already applied to unit_price */
    int64_t product_id;
    int64_t variant_no;         /* 0 = the product itself */
    const char *name;           /* plain text */
    const char *variant_label;  /* "50 мл" or "" */
    int64_t base_price;         /* kopecks per unit before the product discount */
    int64_t unit_price;         /* kopecks per unit after it */
    int64_t qty;                /* > 0 */
    int64_t weight_g;           /* grams per unit */
} walor_order_line;

/* Where an order came from. */
#define WALOR_ORDER_SRC_CUSTOMER 0
#define WALOR_ORDER_SRC_STAFF    1
#define WALOR_ORDER_SRC_B2B      2

/* What create() needs. Zero what you do not use; strings may be NULL. */
typedef struct walor_order_new {
    uint32_t struct_size;       /* sizeof(walor_order_new) as the caller was built */
    int32_t source;             /* WALOR_ORDER_SRC_* */
    int64_t user_id;            /* the customer */
    const walor_order_line *lines;  /* stepped with lines->struct_size */
    uint32_t n_lines;           /* > 0 */
    int32_t address_verified;   /* 1 when DaData confirmed the address */
    /* sums in kopecks, each >= 0; the provider recomputes goods from the
     * lines and checks total = goods - personal - promo - cert - bonus +
     * delivery (never below 0), refusing a mismatch with WALOR_EINVAL */
    int64_t delivery_cost;
    int64_t personal_discount;
    int64_t promo_discount;
    int64_t cert_discount;
    int64_t bonus_spent;
    int64_t total;
    const char *promo_code;
    const char *cert_code;
    const char *contact_name;
    const char *phone;
    const char *email;
    const char *delivery_type;  /* "pickup" | "courier" | "self" | "" */
    const char *address;        /* as shown to staff */
    const char *pickup_point;   /* code and address of the pickup point */
    const char *courier_details;/* entrance, floor, intercom */
    const char *comment;        /* the customer's comment */
    const char *extra_json;     /* a JSON object for the creating plugin's data (city code,
                                   coordinates, quote lines); stored, returned as is */
    int32_t delivery_manual;    /* 1: "менеджер рассчитает доставку вручную" (F-CHK-09) */
    int32_t reserved;
    /* ---- 1.3 ---- */
    int64_t delivery_shop;      /* what the shop pays the carrier on top of what the customer
                                   pays (free delivery, a B2B delivery the shop pays); not part
                                   of total, >= 0; an older caller's order has 0 */
} walor_order_new;

/* An order as stored. */
typedef struct walor_order {
    uint32_t struct_size;
    int32_t source;
    int64_t id;
    int64_t user_id;
    const char *status;
    int64_t created_at;
    int64_t updated_at;
    int64_t paid_at;            /* 0 when not paid */
    walor_order_line *lines;    /* step with walor_order_line_at() */
    uint32_t n_lines;
    int32_t address_verified;
    int64_t goods;              /* sum of unit_price × qty */
    int64_t product_discount;   /* sum of (base_price - unit_price) × qty */
    int64_t delivery_cost;
    int64_t personal_discount;
    int64_t promo_discount;
    int64_t cert_discount;
    int64_t bonus_spent;
    int64_t total;
    const char *promo_code;
    const char *cert_code;
    const char *contact_name;
    const char *phone;
    const char *email;
    const char *delivery_type;
    const char *address;
    const char *pickup_point;
    const char *courier_details;
    const char *comment;
    const char *extra_json;     /* "{}" when none */
    const char *payment_screenshot;  /* Telegram file_id or "" */
    const char *tracking;       /* carrier tracking number or "" */
    int32_t delivery_manual;
    int32_t flags;              /* WALOR_ORDER_F_* */
    /* ---- 1.3 (read them when struct_size covers them) ---- */
    int64_t delivery_shop;      /* as in walor_order_new */
    int64_t refunded;           /* sum of the order's refunds, kopecks */
} walor_order;

/* flags */
#define WALOR_ORDER_F_PAID_AFTER_CANCEL 0x1  /* a payment arrived for a cancelled order: staff must act */
#define WALOR_ORDER_F_TESTER            0x2  /* placed by a tester (F-HOST-02): payment skipped */

/* ---- 1.3: refunds ----
 * Money given back to the customer for an order. The refunds of an order
 * never add up to more than was paid for it (its total once it was paid,
 * or a payment that arrived after its cancel); a tester's order and an
 * unpaid one have nothing to refund. A refund never changes the order's
 * status (cancel() does that). */
#define WALOR_REFUND_PROVIDER "provider" /* through the payment provider's refund (the `payment` service) */
#define WALOR_REFUND_MANUAL   "manual"   /* given back outside the bot (cash, a transfer) and recorded by staff */

/* What refund() needs. */
typedef struct walor_refund_new {
    uint32_t struct_size;       /* sizeof(walor_refund_new) as the caller was built */
    uint32_t reserved;
    int64_t amount;             /* kopecks, > 0 */
    const char *kind;           /* WALOR_REFUND_* */
    const char *reason;         /* plain text shown to the customer, NULL or at most 1000 bytes */
    const char *provider_ref;   /* the provider's payment or refund id, NULL when none */
    int64_t staff_id;           /* who decided it; 0 = walor_user_id(c) */
} walor_refund_new;

/* A refund as stored. */
typedef struct walor_refund {
    uint32_t struct_size;
    int32_t order_flags;        /* the order's WALOR_ORDER_F_* */
    int64_t id;
    int64_t order_id;
    int64_t user_id;            /* the order's customer, 0 for B2B */
    int64_t amount;
    int64_t at;                 /* when it was recorded */
    int64_t staff_id;           /* 0 for the system */
    const char *kind;
    const char *reason;         /* "" when none */
    const char *provider_ref;   /* "" when none */
    const char *order_status;   /* the order's status now */
} walor_refund;

/* ---- 1.3: reports ----
 * An order COUNTS AS A SALE once it was paid (paid_at > 0) unless it is
 * cancelled or a tester's (WALOR_ORDER_F_TESTER); it counts at paid_at. A
 * cancelled order counts nowhere, also if it was paid before. B2B sales
 * (source WALOR_ORDER_SRC_B2B) are sales. Periods are [from, to) in UTC
 * epoch seconds. */

/* scan(): one call per sale, or per line of each sale with
 * WALOR_ORDERS_SCAN_LINES (then `line` is set, and the calls of one order
 * follow each other). `o` has every sum, status, source, the times,
 * promo_code, cert_code, flags, delivery_shop and refunded; its other
 * strings are "" and lines NULL. Both are borrowed until the call
 * returns. A non-zero return stops the scan, and scan() returns it. */
typedef int32_t (*walor_order_scan_fn)(void *ud, const walor_order *o, const walor_order_line *line);
#define WALOR_ORDERS_SCAN_LINES 0x1u

/* refunds(): one call per refund, borrowed until it returns; non-zero stops */
typedef int32_t (*walor_refund_fn)(void *ud, const walor_refund *r);

/* totals(): the sales of a period in one figure each */
#define WALOR_ORDERS_TOTALS_NEW 0x1u /* count new_customers too (a lookup per sale of the period) */
typedef struct walor_order_totals {
    uint32_t struct_size;       /* set by the caller; members past it are left alone */
    uint32_t flags;             /* set by the caller: WALOR_ORDERS_TOTALS_* */
    int64_t orders;             /* sales paid in the period, B2B included */
    int64_t total;              /* the sum of their totals */
    int64_t b2b_orders;         /* of them, B2B */
    int64_t b2b_total;
    int64_t refunds;            /* refunds recorded in the period for orders that count as sales */
    int64_t refunds_n;
    int64_t new_customers;      /* with WALOR_ORDERS_TOTALS_NEW: customers (B2B aside) whose first sale
                                   ever is in the period; else 0 */
} walor_order_totals;

/* ---- 1.4: customers' figures, for the CRM (client card, history,
 * export, audiences of broadcasts) ----
 * A sale is an order that counts as a sale (1.3, above: paid, neither
 * cancelled nor a tester's), at paid_at; its total is counted whole
 * (refunds are the reports' own figure). B2B orders (user_id 0) belong to
 * no customer and are left out. */
typedef struct walor_order_client {
    uint32_t struct_size;       /* set by the caller of client(); the provider's size in clients() */
    uint32_t reserved;
    int64_t user_id;
    int64_t orders;             /* orders placed, in any status */
    int64_t sales;              /* sales (in the period asked for) */
    int64_t sales_total;        /* the sum of their totals, kopecks */
    int64_t first_order_at;     /* created_at of the first and the latest order; 0 without orders */
    int64_t last_order_at;
    int64_t first_sale_at;      /* paid_at of the first and the latest sale (in the period); 0 without */
    int64_t last_sale_at;
    /* the contacts of the customer's latest order that has each (plain
     * text, "" when none): what checkout asked them last */
    const char *contact_name;
    const char *phone;
    const char *email;
    const char *address;
} walor_order_client;

/* clients(): one call per customer, borrowed until it returns; a non-zero
 * return stops the stream and is returned */
typedef int32_t (*walor_order_client_fn)(void *ud, const walor_order_client *cl);
/* buyers(): one call per customer id, ascending */
typedef int32_t (*walor_order_user_fn)(void *ud, int64_t user_id);

typedef struct walor_orders_v1 {
    uint32_t struct_size;       /* sizeof(walor_orders_v1) as the provider was built */
    uint32_t reserved;          /* 0 */

    /* ---- 1.0 ---- */

    /* Create an order in status "new" and reserve its stock through the
     * `stock` service, all or nothing (call inside walor_tx_begin/commit to
     * make it part of your own change). WALOR_ERANGE when a line lacks
     * stock: *out_failed (may be NULL) is its 0-based index. Schedules the
     * auto-cancel (F-ORD-03); a tester's order is created "paid". */
    int32_t (*create)(walor_ctx *c, const walor_order_new *o, int64_t *out_id, uint32_t *out_failed);

    /* The order, or WALOR_ENOTFOUND. */
    int32_t (*get)(walor_ctx *c, int64_t order_id, walor_order **out);

    /* Mark paid, exactly once: 0 when this call moved it from "new" to
     * "paid" (stock reservation committed as a sale, order.paid emitted,
     * the customer notified); 1 when it was already paid or further (no
     * change); WALOR_ERANGE when it is cancelled (the order gets
     * WALOR_ORDER_F_PAID_AFTER_CANCEL and staff are told; never lost).
     * payment_ref (may be NULL) is the provider's payment id, stored. */
    int32_t (*mark_paid)(walor_ctx *c, int64_t order_id, const char *payment_ref);

    /* Move to status `to` as the acting user (walor_user_id(c); 0 for a
     * system move such as a carrier webhook). Same status is 1 (no change);
     * a move the transition table refuses is WALOR_ERANGE. Use cancel()
     * for "cancelled" and mark_paid() for "new" → "paid" (both
     * WALOR_EINVAL here); the back move "processing" → "paid" is a
     * set_status() like the others and emits no second order.paid. */
    int32_t (*set_status)(walor_ctx *c, int64_t order_id, const char *to, const char *note);

    /* Cancel: an unpaid order's reservation is released; a paid one's goods
     * are restocked (return_stock = 1) or written off (0). 1 when already
     * cancelled; WALOR_ERANGE for a completed order. */
    int32_t (*cancel)(walor_ctx *c, int64_t order_id, int32_t return_stock, const char *reason);

    /* Attach the carrier tracking number / the payment screenshot file_id. */
    int32_t (*set_tracking)(walor_ctx *c, int64_t order_id, const char *tracking);
    int32_t (*set_screenshot)(walor_ctx *c, int64_t order_id, const char *file_id);

    /* Small per-plugin data on an order (invoice id, waybill uuid): one
     * value per (order, calling plugin, key); value NULL deletes. get_meta
     * gives WALOR_ENOTFOUND when unset. */
    int32_t (*set_meta)(walor_ctx *c, int64_t order_id, const char *key, const char *value);
    int32_t (*get_meta)(walor_ctx *c, int64_t order_id, const char *key, const char **out);

    /* ---- 1.1 ---- */

    /* A carrier's (or another system's) news: move a paid order forward to
     * `to` ("processing" … "completed") through every status between, each
     * recorded in the history with `note` and emitted, telling the customer
     * once, about `to`, with customer_html (may be NULL; escape user data)
     * below the standard notice. Reaching "completed" emits order.completed.
     * 1 when the order is already at or past `to` (replays change nothing);
     * WALOR_ERANGE for an unpaid or cancelled order; WALOR_EINVAL for "new",
     * "paid" or "cancelled" as `to`. */
    int32_t (*advance)(walor_ctx *c, int64_t order_id, const char *to, const char *note, const char *customer_html);

    /* ---- 1.2 ---- */

    /* The orders of one customer, newest first: at most limit ids (0 = 20,
     * at most 100) into *ids (arena, NULL when *n is 0). With get() a
     * plugin shows "my orders" without ever taking an order number from
     * the customer on trust. */
    int32_t (*user_orders)(walor_ctx *c, int64_t user_id, uint32_t limit, int64_t **ids, uint32_t *n);

    /* ---- 1.3 ---- */

    /* Record a refund of order_id (walor_refund_new above) and emit
     * order.refunded; the customer is told by the provider of this service.
     * WALOR_ERANGE when the amount is more than can still be refunded
     * (refundable()), WALOR_EINVAL for a bad kind, amount or reason,
     * WALOR_ENOTFOUND for an unknown order. *out_id (may be NULL) is the
     * refund's id. Works in the caller's transaction when one is open. */
    int32_t (*refund)(walor_ctx *c, int64_t order_id, const walor_refund_new *r, int64_t *out_id);

    /* What can still be refunded: paid minus refunded, 0 when nothing. */
    int32_t (*refundable)(walor_ctx *c, int64_t order_id, int64_t *out_amount);

    /* The refunds of an order, oldest first; *out (arena) NULL when *n is 0. */
    int32_t (*refunds_of)(walor_ctx *c, int64_t order_id, walor_refund **out, uint32_t *n);

    /* Stream the sales paid in [from, to), by paid_at then id, without
     * holding them in memory (reports over millions of orders). Run it
     * outside a transaction: it reads while others write. */
    int32_t (*scan)(walor_ctx *c, int64_t from, int64_t to, uint32_t flags, walor_order_scan_fn fn, void *ud);

    /* Stream every refund recorded in [from, to), by time, with its
     * order's status and flags (a refund of a cancelled order is there
     * too: the order itself counts nowhere). */
    int32_t (*refunds)(walor_ctx *c, int64_t from, int64_t to, walor_refund_fn fn, void *ud);

    /* The sales of [from, to) summed (from = 0: since the beginning). */
    int32_t (*totals)(walor_ctx *c, int64_t from, int64_t to, walor_order_totals *out);

    /* ---- 1.4 ---- */

    /* One customer's figures over all time into *out (its struct_size set
     * by the caller; members past it are left alone). A customer without
     * orders gets zeros and "": 0. */
    int32_t (*client)(walor_ctx *c, int64_t user_id, walor_order_client *out);

    /* Every customer with at least one order, by user id, without holding
     * them in memory. Sales are those paid in [from, to) (0, 0: all time);
     * orders, order dates and contacts are over all time, and a customer
     * whose sales all fall outside the period comes with sales = 0. Run it
     * outside a transaction (it reads while others write). */
    int32_t (*clients)(walor_ctx *c, int64_t from, int64_t to, walor_order_client_fn fn, void *ud);

    /* A customer's orders, newest first: the ids from the offset-th, at
     * most limit (1-100), into *ids (arena, NULL when *n is 0); *total
     * (may be NULL) is how many they have. */
    int32_t (*client_orders)(walor_ctx *c, int64_t user_id, uint32_t offset, uint32_t limit, int64_t **ids,
                             uint32_t *n, uint32_t *total);

    /* The customers with a sale of any of the n products (any variant),
     * one call of fn each, ascending; n 1-1000. */
    int32_t (*buyers)(walor_ctx *c, const int64_t *product_ids, uint32_t n, walor_order_user_fn fn, void *ud);

    /* Callback data of a button that opens the order's staff card (arena),
     * so another plugin's staff screen (the CRM's client history) links to
     * it without knowing the orders plugin's callback formats. */
    const char *(*staff_card_data)(walor_ctx *c, int64_t order_id);
} walor_orders_v1;

#define WALOR_ORDERS_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_orders_v1, m) + sizeof((s)->m) && (s)->m != NULL)

static inline const walor_order_line *walor_order_line_at(const walor_order_line *lines, uint32_t i)
{
    return (const walor_order_line *)(const void *)((const char *)lines + (size_t)i * lines->struct_size);
}

/* ---- payment providers: service `payment`, major 1 ----
 *
 * Provided by a payment plugin (pay-ecom). The orders plugin's staff card
 * calls send_details() for "💳 Отправить реквизиты"; checkout calls it
 * after confirmation. Without a provider the order waits for staff to
 * confirm a manual payment. */
#define WALOR_PAYMENT_SERVICE "payment"
#define WALOR_PAYMENT_MAJOR 1u
#define WALOR_PAYMENT_MINOR 1u

typedef struct walor_payment_v1 {
    uint32_t struct_size;
    uint32_t reserved;

    /* ---- 1.0 ---- */
    /* Create (or reuse: idempotent per order) the invoice of order_id and
     * send the customer its QR code and link. Network work may finish
     * after the call returns (a job); errors reported here are the
     * immediate ones (unknown order, not "new"). */
    int32_t (*send_details)(walor_ctx *c, int64_t order_id);

    /* ---- 1.1 ---- */
    /* How much of order_id's payment the provider can give back itself
     * (*out_amount; 0 when it cannot: paid by hand or not at all, a
     * tester's order, refunded already or a refund under way). */
    int32_t (*refundable)(walor_ctx *c, int64_t order_id, int64_t *out_amount);
    /* Give that amount back through the provider now, on behalf of
     * walor_user_id(c), waiting for the provider (bounded by its timeout;
     * never inside a transaction: WALOR_EPHASE). reason as in
     * walor_refund_new. When the provider confirms, the refund is recorded
     * with the orders service (kind WALOR_REFUND_PROVIDER) in the same
     * transaction as the provider's own state: order.refunded follows and
     * the customer is told. 0 refunded; 1 a refund is under way already;
     * WALOR_ENOTFOUND nothing the provider can give back; another negative
     * code when the provider failed, with its reason in *why (may be NULL;
     * arena). A refund whose answer was lost is settled later by asking
     * the provider, never sent twice. */
    int32_t (*refund)(walor_ctx *c, int64_t order_id, const char *reason, const char **why);
} walor_payment_v1;

#define WALOR_PAYMENT_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_payment_v1, m) + sizeof((s)->m) && (s)->m != NULL)

#ifdef __cplusplus
}
#endif
#endif
