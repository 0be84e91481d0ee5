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
#define WALOR_ORDERS_MINOR 2u

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
} walor_order;

/* flags */
#define WALOR_ORDER_F_PAID_AFTER_CANCEL 0x1  /* a payment arrived for a cancelled order: staff must act */
#define WALOR_ORDER_F_TESTER            0x2  /* placed by a tester (F-HOST-02): payment skipped */

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
#define WALOR_PAYMENT_MINOR 0u

typedef struct walor_payment_v1 {
    uint32_t struct_size;
    uint32_t reserved;

    /* ---- 1.0 ---- */
    /* Create (or reuse: idempotent per order) the invoice of order_id and
     * send the customer its QR code and link. Network work may finish
     * after the call returns (a job); errors reported here are the
     * immediate ones (unknown order, not "new"). */
    int32_t (*send_details)(walor_ctx *c, int64_t order_id);
} walor_payment_v1;

#define WALOR_PAYMENT_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_payment_v1, m) + sizeof((s)->m) && (s)->m != NULL)

#ifdef __cplusplus
}
#endif
#endif
