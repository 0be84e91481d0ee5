/* The `cart` service, major 1: what a customer is about to buy.
 *
 *   #include <walor/services/cart.h>
 *
 * Provided by the `catalog` plugin (which owns the cart screens), used by
 * `checkout` (to build the order) and `loyalty` (promo codes, bonuses).
 * Look it up with
 *
 *   const walor_cart_v1 *cart = walor_service_get(walor_ctx_plugin(c), WALOR_CART_SERVICE,
 *                                                 WALOR_CART_MAJOR, NULL);
 *
 * ABI rules as in stock.h: fixed-width types; the table begins with
 * struct_size and grows only at the end (probe new members with
 * WALOR_CART_HAS()); walor_cart_line begins with struct_size too and may
 * grow at the end: step through an array with line->struct_size, or use
 * walor_cart_line_at().
 *
 * Threads and ownership: every function is [cb], runs with the caller's ctx
 * and inside the caller's transaction. Returned arrays and the strings in
 * them live in the caller's ctx arena (freed when the callback returns; do
 * not free them). Money is int64 kopecks. */
#ifndef WALOR_SERVICES_CART_H
#define WALOR_SERVICES_CART_H

#include <stddef.h>
#include <stdint.h>

#include "../plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR_CART_SERVICE "cart"
#define WALOR_CART_MAJOR 1u
#define WALOR_CART_MINOR 0u

typedef struct walor_cart_line {
    uint32_t struct_size;     /* sizeof(walor_cart_line) as the provider was built */
    int32_t discount_pct;     /* the product's discount, 0-99, already applied to unit_price */
    int64_t product_id;
    int64_t variant_no;       /* 0 = the product itself (no variants) */
    const char *name;         /* product name, plain text (escape it for HTML) */
    const char *variant_label;/* "50 мл", or "" without variants; plain text */
    int64_t base_price;       /* kopecks per unit before the discount */
    int64_t unit_price;       /* kopecks per unit after the discount */
    int64_t qty;              /* > 0 */
    int64_t weight_g;         /* grams per unit, 0 if unknown */
} walor_cart_line;

typedef struct walor_cart_v1 {
    uint32_t struct_size;     /* sizeof(walor_cart_v1) as the provider was built */
    uint32_t reserved;        /* 0 */

    /* ---- 1.0 ---- */

    /* The lines of user_id's cart in display order; *out (arena) is NULL
     * and *n 0 for an empty cart. Lines of products that were hidden or
     * deleted since they were added are left out. */
    int32_t (*lines)(walor_ctx *c, int64_t user_id, walor_cart_line **out, uint32_t *n);

    /* Empty user_id's cart (after an order was placed). */
    int32_t (*clear)(walor_ctx *c, int64_t user_id);
} walor_cart_v1;

#define WALOR_CART_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_cart_v1, m) + sizeof((s)->m) && (s)->m != NULL)

/* The i-th line of an array returned by lines(), whatever the provider's
 * sizeof(walor_cart_line). */
static inline const walor_cart_line *walor_cart_line_at(const walor_cart_line *lines, uint32_t i)
{
    return (const walor_cart_line *)(const void *)((const char *)lines + (size_t)i * lines->struct_size);
}

/* ---- the cart's extension point: service `cart_ext`, major 1 ----
 *
 * Lets one other plugin (loyalty: promo codes, bonuses) put one line of
 * text and one button on the cart screen, and adjust the total the screen
 * shows. The cart looks the service up each time it draws the screen; the
 * extension provides it in load():
 *
 *   static int32_t render(walor_ctx *c, int64_t user_id, const walor_cart_line *lines, uint32_t n,
 *                         int64_t subtotal, walor_cart_ext_view *out)
 *   {
 *       out->line_html = walor_ctx_printf(c, "🎟 Промокод %s: −%s", esc_code, walor_money(c, off));
 *       out->amount = -off;
 *       out->button_text = "🎟 Ввести промокод";
 *       out->button_data = "loy:promo";          // the extension's own callback prefix
 *       return 0;
 *   }
 *   static const walor_cart_ext_v1 ext = {.struct_size = sizeof ext, .render = render};
 *   walor_service_provide(p, WALOR_CART_EXT_SERVICE, WALOR_CART_EXT_MAJOR, WALOR_CART_EXT_MINOR, &ext);
 *
 * Rules:
 *   - render() is [cb] with the cart's ctx (walor_ctx_plugin(c) is the
 *     catalog: start your own conversations from your own button's
 *     handler, not from render()); it must not send or edit messages and
 *     must be quick (it runs on every redraw of the cart).
 *   - lines/n are the cart's lines (as cart.lines() returns them: step with
 *     walor_cart_line_at()); subtotal is the sum of unit_price × qty.
 *   - out arrives zeroed with out->struct_size set by the cart; fill only
 *     members that fit in it (newer members: check out->struct_size).
 *     Strings live in the ctx arena (walor_ctx_printf) or are static.
 *     Everything is optional: NULL/0 leaves it out.
 *   - amount is added to the total the screen shows (negative = a
 *     discount; the total never goes below 0). It is display only: checkout
 *     asks loyalty for the discount of the order it builds.
 *   - A negative return is logged and the cart is drawn without the
 *     extension.
 *   - Your button's handler brings the customer back to the cart by
 *     showing a button with callback data WALOR_CART_SHOW_CALLBACK ("cart:s").
 *   - Services have one provider per name and major: a second extension
 *     plugin is refused at load ("already provided"); combine extensions in
 *     one plugin, or grow this interface in a new minor. */
#define WALOR_CART_EXT_SERVICE "cart_ext"
#define WALOR_CART_EXT_MAJOR 1u
#define WALOR_CART_EXT_MINOR 0u

/* callback data that shows the cart screen (edits the pressed message) */
#define WALOR_CART_SHOW_CALLBACK "cart:s"

typedef struct walor_cart_ext_view {
    uint32_t struct_size;     /* set by the cart: sizeof(walor_cart_ext_view) as the cart was built */
    uint32_t reserved;
    const char *line_html;    /* one line above the total, Telegram HTML (escape user data) */
    int64_t amount;           /* kopecks added to the shown total; negative = discount */
    const char *button_text;  /* a button above "🗑 Очистить" */
    const char *button_data;  /* its callback data, "<your prefix>:<payload>" */
} walor_cart_ext_view;

typedef struct walor_cart_ext_v1 {
    uint32_t struct_size;     /* sizeof(walor_cart_ext_v1) as the provider was built */
    uint32_t reserved;        /* 0 */

    /* ---- 1.0 ---- */
    int32_t (*render)(walor_ctx *c, int64_t user_id, const walor_cart_line *lines, uint32_t n, int64_t subtotal,
                      walor_cart_ext_view *out);
} walor_cart_ext_v1;

#define WALOR_CART_EXT_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_cart_ext_v1, m) + sizeof((s)->m) && (s)->m != NULL)

/* ---- what the cart's "✅ Оформить заказ" calls: service `checkout`, major 1 ----
 *
 * Provided by the checkout plugin. The cart looks it up when it draws the
 * screen: with it, the button carries start_callback, so pressing it goes
 * straight to the checkout plugin's own callback handler with the checkout
 * plugin's ctx (it can start its conversations there); the handler reads
 * the order from the `cart` service above and calls cart.clear() once the
 * order is placed. Without it the button answers "Оформление заказа пока
 * не подключено". Checking vacation mode, stock and minimum sums at checkout
 * is the checkout plugin's job. */
#define WALOR_CHECKOUT_SERVICE "checkout"
#define WALOR_CHECKOUT_MAJOR 1u
#define WALOR_CHECKOUT_MINOR 0u

typedef struct walor_checkout_v1 {
    uint32_t struct_size;     /* sizeof(walor_checkout_v1) as the provider was built */
    uint32_t reserved;        /* 0 */

    /* ---- 1.0 ---- */
    /* static callback data of the checkout button, "<checkout's prefix>:<payload>", <= 64 bytes */
    const char *start_callback;
} walor_checkout_v1;

#define WALOR_CHECKOUT_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_checkout_v1, m) + sizeof((s)->m) && (s)->m != NULL)

/* Event `cart.changed` (aggregate "cart:<user_id>"), emitted by the catalog in
 * the transaction of every change of a cart (add, ➖/➕, typed quantity,
 * clear, cart.clear()):
 *   {"v": 1, "user_id": <int>, "lines": <visible lines after the change>,
 *    "qty": <units after the change>}
 * Read the lines themselves with cart.lines(). */

#ifdef __cplusplus
}
#endif
#endif
