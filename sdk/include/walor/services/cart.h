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

#ifdef __cplusplus
}
#endif
#endif
