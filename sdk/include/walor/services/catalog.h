/* The `catalog` service, major 1: read-only access to the products and
 * their variants for other plugins (warehouse screens, order snapshots,
 * B2B sales, QR sheets, analytics).
 *
 *   #include <walor/services/catalog.h>
 *
 * Provided by the `catalog` plugin. Look it up with
 *
 *   const walor_catalog_v1 *cat = walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE,
 *                                                   WALOR_CATALOG_MAJOR, NULL);
 *
 * ABI rules as in stock.h. walor_catalog_item begins with struct_size and
 * may grow at the end: step through an array with walor_catalog_item_at().
 *
 * A "stock item" is (product_id, variant_no) as in stock.h: every variant
 * of a product with variants (variant_no 1, 2, …), or the product itself
 * (variant_no 0) when it has none.
 *
 * Threads and ownership: every function is [cb], runs with the caller's
 * ctx and inside the caller's transaction; returned arrays and strings
 * live in the caller's ctx arena. Money is int64 kopecks.
 *
 * Events emitted by the catalog (aggregate "product:<id>"):
 *   catalog.product_deleted {"v":1, "product_id": <int>}
 *     after the owner deleted a product: carts drop its lines; the stock
 *     provider may archive its levels. Its ID is never reused.
 *   catalog.product_changed {"v":1, "product_id": <int>}
 *     after any edit of a product or its variants (prices, names, hiding). */
#ifndef WALOR_SERVICES_CATALOG_H
#define WALOR_SERVICES_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "../plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR_CATALOG_SERVICE "catalog"
#define WALOR_CATALOG_MAJOR 1u
#define WALOR_CATALOG_MINOR 1u

/* walor_catalog_item.flags */
#define WALOR_CATALOG_HIDDEN 0x1    /* the product, or a category above it, is hidden from customers */

typedef struct walor_catalog_item {
    uint32_t struct_size;       /* sizeof(walor_catalog_item) as the provider was built */
    int32_t flags;              /* WALOR_CATALOG_* */
    int64_t product_id;
    int64_t variant_no;         /* 0 = the product itself (no variants) */
    int64_t category_id;
    const char *name;           /* product name, plain text (escape for HTML) */
    const char *variant_label;  /* "50 мл", or "" without variants */
    const char *category;       /* category name, plain text */
    int64_t base_price;         /* kopecks per unit before the product discount */
    int64_t unit_price;         /* after it */
    int64_t weight_g;           /* grams per unit, 0 if unknown */
    int32_t discount_pct;       /* 0-99 */
    int32_t low_stock;          /* the product's "Осталось: N шт" threshold; 0 = none */
} walor_catalog_item;

/* items() flags */
#define WALOR_CATALOG_WITH_HIDDEN 0x1   /* include hidden products (staff screens) */

typedef struct walor_catalog_v1 {
    uint32_t struct_size;       /* sizeof(walor_catalog_v1) as the provider was built */
    uint32_t reserved;          /* 0 */

    /* ---- 1.0 ---- */

    /* One stock item into *out (zeroed by the provider; out->struct_size
     * set by the caller is ignored). WALOR_ENOTFOUND for an unknown or
     * deleted product, a variant number it does not have, or variant_no 0
     * of a product that has variants. Hidden items are found (flagged). */
    int32_t (*item)(walor_ctx *c, int64_t product_id, int64_t variant_no, walor_catalog_item *out);

    /* Stock items in catalog order (category tree order, then the
     * product's sort, then variant number), *n of them from the offset-th,
     * at most limit (0 = no limit); *total (may be NULL) is the number
     * matching without offset/limit. query (NULL or "" = all) keeps items
     * whose product name contains it, case-insensitively for Cyrillic too,
     * or whose product ID equals it when it is a number. *out is NULL when
     * *n is 0. */
    int32_t (*items)(walor_ctx *c, const char *query, uint32_t flags, uint32_t offset, uint32_t limit,
                     walor_catalog_item **out, uint32_t *n, uint32_t *total);

    /* ---- 1.1 ---- */

    /* The product's description as plain text (the merchant's HTML with
     * its tags dropped and &amp; &lt; &gt; &quot; decoded; escape it again
     * for a message), "" when it has none. WALOR_ENOTFOUND for an unknown
     * or deleted product. */
    int32_t (*describe)(walor_ctx *c, int64_t product_id, const char **out_text);

    /* Callback data of a button that opens the product's card for the
     * customer who presses it (arena), so another plugin can offer the
     * card without knowing the catalog's callback formats. */
    const char *(*card_data)(walor_ctx *c, int64_t product_id);

    /* The stock items of one product by its ID (its variants in number
     * order, or the product itself): items() without scanning the catalog.
     * WALOR_ENOTFOUND for an unknown or deleted product, and for a hidden
     * one unless flags has WALOR_CATALOG_WITH_HIDDEN. */
    int32_t (*product)(walor_ctx *c, int64_t product_id, uint32_t flags, walor_catalog_item **out, uint32_t *n);
} walor_catalog_v1;

#define WALOR_CATALOG_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_catalog_v1, m) + sizeof((s)->m) && (s)->m != NULL)

static inline const walor_catalog_item *walor_catalog_item_at(const walor_catalog_item *items, uint32_t i)
{
    return (const walor_catalog_item *)(const void *)((const char *)items + (size_t)i * items->struct_size);
}

#ifdef __cplusplus
}
#endif
#endif
