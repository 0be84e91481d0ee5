/* support-groq: the facts a grounded answer may use, read live.
 *
 * Products: every stock item of the products the index found, from the
 * catalog service (name, variant, price after discount, the discount,
 * category) and the stock service (what is available; no warehouse means
 * everything is in stock), plus the start of the description. Hidden
 * products never reach the prompt. The shop: "About us" and the delivery
 * and payment text the owner wrote for the assistant. */
#include <string.h>

#include <walor/services/catalog.h>
#include <walor/services/stock.h>

#include "fmt.h"
#include "sup.h"

#define DESC_CHARS 300 /* UTF-16 units of a description in the prompt */

static const char *stock_words(walor_ctx *c, const walor_stock_v1 *st, const walor_catalog_item *it)
{
    if (!st || !st->available)
        return "в наличии";
    int64_t q = 0;
    if (st->available(c, it->product_id, it->variant_no, &q) < 0)
        return "наличие уточняйте";
    if (q == WALOR_STOCK_UNTRACKED)
        return "в наличии";
    if (q <= 0)
        return "нет в наличии";
    return walor_ctx_printf(c, "в наличии %lld шт.", (long long)q);
}

static const char *cut_desc(walor_ctx *c, const char *d)
{
    size_t n = strlen(d);
    if (sup_utf16_len(d, n) <= DESC_CHARS)
        return d;
    size_t keep = sup_fmt_tail(d, sup_utf16_len(d, n) - DESC_CHARS); /* where the first DESC_CHARS end */
    return walor_ctx_printf(c, "%.*s…", (int)keep, d);
}

int32_t sup_product_items(walor_ctx *c, int64_t pid, walor_catalog_item **items, uint32_t *n)
{
    *items = NULL;
    *n = 0;
    const walor_catalog_v1 *cat =
        walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, NULL);
    if (!cat)
        return WALOR_ENOTFOUND;
    if (WALOR_CATALOG_HAS(cat, product))
        return cat->product(c, pid, 0, items, n);
    /* a 1.0 catalog: its search, which also matches names with these digits */
    walor_catalog_item *all = NULL;
    uint32_t m = 0;
    int32_t rc = cat->items(c, walor_ctx_printf(c, "%lld", (long long)pid), 0, 0, 0, &all, &m, NULL);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < m; i++) {
        const walor_catalog_item *it = walor_catalog_item_at(all, i);
        if (it->product_id != pid)
            continue;
        if (!*items)
            *items = (walor_catalog_item *)(void *)it; /* the product's items are together */
        (*n)++;
    }
    return *n ? 0 : WALOR_ENOTFOUND;
}

char *sup_facts_products(walor_ctx *c, const int64_t *pids, int n, int64_t *shown, int *nshown)
{
    *nshown = 0;
    const walor_catalog_v1 *cat =
        walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, NULL);
    const walor_stock_v1 *st = walor_service_get(walor_ctx_plugin(c), WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, NULL);
    char *out = "";
    for (int k = 0; cat && k < n; k++) {
        walor_catalog_item *items = NULL;
        uint32_t m = 0;
        if (sup_product_items(c, pids[k], &items, &m) < 0)
            continue;
        char *lines = "";
        const char *name = NULL, *category = "";
        for (uint32_t i = 0; i < m; i++) {
            const walor_catalog_item *it = walor_catalog_item_at(items, i);
            if (it->product_id != pids[k] || (it->flags & WALOR_CATALOG_HIDDEN))
                continue;
            name = it->name;
            category = it->category;
            const char *price = it->discount_pct > 0
                                    ? walor_ctx_printf(c, "%s (скидка %d%%, без скидки %s)", walor_money(c, it->unit_price),
                                                       (int)it->discount_pct, walor_money(c, it->base_price))
                                    : walor_money(c, it->unit_price);
            lines = walor_ctx_printf(c, "%s\n  - %s%s%s, %s", lines, *it->variant_label ? it->variant_label : "",
                                     *it->variant_label ? ": " : "", price, stock_words(c, st, it));
        }
        if (!name)
            continue;
        const char *desc = "";
        if (WALOR_CATALOG_HAS(cat, describe) && cat->describe(c, pids[k], &desc) < 0)
            desc = "";
        out = walor_ctx_printf(c, "%s• %s (товар №%lld%s%s)%s%s%s\n", out, name, (long long)pids[k],
                               *category ? ", раздел " : "", category, lines, *desc ? "\n  Описание: " : "",
                               *desc ? cut_desc(c, desc) : "");
        if (*nshown < SUP_MAX_PRODUCTS)
            shown[(*nshown)++] = pids[k];
    }
    return out;
}

char *sup_facts_shop(walor_ctx *c)
{
    const char *about = sup_setting_str(c, "shop.about_text");
    const char *delivery = sup_setting_str(c, "delivery_text");
    return walor_ctx_printf(c, "%s%s%s%s", *about ? "О магазине: " : "", about, *about ? "\n" : "",
                            *delivery ? walor_ctx_printf(c, "Доставка и оплата: %s\n", delivery) : "");
}
