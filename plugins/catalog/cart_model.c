/* catalog: the cart's table and rules (cart.h), what its screen and its
 * service share: the visible lines of a cart, one line's quantity, a change
 * with its cart.changed event, and whether a line may grow. */
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "text.h"

const char catalog_cart_migration[] =
    "CREATE TABLE catalog_cart ("
    " user_id INTEGER NOT NULL,"
    " product_id INTEGER NOT NULL,"
    " variant_no INTEGER NOT NULL DEFAULT 0," /* 0 = the product itself (no variants) */
    " qty INTEGER NOT NULL CHECK (qty > 0),"
    " added_at INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, product_id, variant_no));";

int64_t catalog_cart_mul_sat(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

int64_t catalog_cart_add_sat(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

int catalog_cart_setting_on(walor_ctx *c, const char *key, int64_t dflt)
{
    return walor_setting_or(c, key, dflt) != 0;
}

/* every visible line of user_id's cart, in display order (arena) */
int32_t catalog_cart_lines(walor_ctx *c, int64_t user_id, catalog_cart_row **out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(
        c,
        "SELECT k.product_id, k.variant_no, k.qty, p.name, p.discount_pct, p.price, p.category_id, p.hidden,"
        " v.label, v.price, v.weight_g, v.no,"
        " (SELECT count(*) FROM catalog_variant x WHERE x.product_id = p.id), p.crosssell_text, p.crosssell_ids "
        "FROM catalog_cart k JOIN catalog_product p ON p.id = k.product_id "
        "LEFT JOIN catalog_variant v ON v.product_id = k.product_id AND v.no = k.variant_no "
        "WHERE k.user_id = ? ORDER BY k.added_at, k.product_id, k.variant_no",
        WALOR_ARGS(walor_i(user_id)), &r);
    if (rc < 0)
        return rc;
    catalog_cart_row *v = NULL;
    uint32_t cnt = 0, cap = 0;
    while ((rc = walor_row_next(r)) == 1) {
        int64_t vno = walor_col_int(r, 1), nvar = walor_col_int(r, 12);
        if (walor_col_int(r, 7) != 0)
            continue; /* hidden product */
        if (vno != 0 ? walor_col_is_null(r, 11) : nvar > 0)
            continue; /* the variant is gone, or the product got variants since */
        if (!(v = walor_grow(c, v, cnt, &cap, sizeof *v))) {
            walor_rows_close(r);
            return WALOR_ENOMEM;
        }
        catalog_cart_row *x = &v[cnt++];
        memset(x, 0, sizeof *x);
        x->l.struct_size = sizeof x->l;
        x->l.product_id = walor_col_int(r, 0);
        x->l.variant_no = vno;
        x->l.qty = walor_col_int(r, 2);
        x->l.name = walor_ctx_printf(c, "%s", walor_col_text(r, 3) ? walor_col_text(r, 3) : "");
        int64_t pct = walor_col_int(r, 4);
        x->l.discount_pct = (int32_t)(pct > 0 && pct < 100 ? pct : 0);
        x->category_id = walor_col_int(r, 6);
        if (vno != 0) {
            x->l.variant_label = walor_ctx_printf(c, "%s", walor_col_text(r, 8) ? walor_col_text(r, 8) : "");
            x->l.base_price = walor_col_int(r, 9);
            x->l.weight_g = walor_col_int(r, 10);
        } else {
            x->l.variant_label = "";
            x->l.base_price = walor_col_int(r, 5);
            x->l.weight_g = 0;
        }
        x->l.unit_price = catalog_discounted(x->l.base_price, x->l.discount_pct);
        x->crosssell_text = walor_ctx_printf(c, "%s", walor_col_text(r, 13) ? walor_col_text(r, 13) : "");
        x->crosssell_ids = walor_ctx_printf(c, "%s", walor_col_text(r, 14) ? walor_col_text(r, 14) : "");
        if (!x->l.name || !x->l.variant_label || !x->crosssell_text || !x->crosssell_ids) {
            walor_rows_close(r);
            return WALOR_ENOMEM;
        }
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    /* products inside hidden categories are hidden too */
    uint32_t k = 0;
    for (uint32_t i = 0; i < cnt; i++) {
        rc = catalog_category_visible(c, v[i].category_id);
        if (rc < 0)
            return rc;
        if (rc)
            v[k++] = v[i];
    }
    *out = k ? v : NULL;
    *n = k;
    return 0;
}

int64_t catalog_cart_units(const catalog_cart_row *v, uint32_t n)
{
    int64_t u = 0;
    for (uint32_t i = 0; i < n; i++)
        u = catalog_cart_add_sat(u, v[i].l.qty);
    return u;
}

/* the raw quantity of one line (0 when absent) */
int32_t catalog_cart_qty_of(walor_ctx *c, int64_t user_id, int64_t pid, int64_t vno, int64_t *out)
{
    *out = 0;
    int32_t rc = walor_db_int(c, "SELECT qty FROM catalog_cart WHERE user_id = ? AND product_id = ? AND variant_no = ?",
                              WALOR_ARGS(walor_i(user_id), walor_i(pid), walor_i(vno)), out);
    return rc == WALOR_ENOTFOUND ? 0 : rc;
}

/* cart.changed in the caller's transaction */
int32_t catalog_cart_emit(walor_ctx *c, int64_t user_id)
{
    catalog_cart_row *v;
    uint32_t n;
    int32_t rc = catalog_cart_lines(c, user_id, &v, &n);
    if (rc < 0)
        return rc;
    json_t *ev = json_pack("{s:i, s:I, s:I, s:I}", "v", 1, "user_id", (json_int_t)user_id, "lines", (json_int_t)n,
                           "qty", (json_int_t)catalog_cart_units(v, n));
    if (!ev)
        return WALOR_ENOMEM;
    rc = walor_event_emit(c, "cart.changed", walor_ctx_printf(c, "cart:%lld", (long long)user_id), ev);
    json_decref(ev);
    return rc;
}

/* the row change itself (no transaction of its own); qty 0 deletes */
int32_t catalog_cart_store(walor_ctx *c, int64_t user_id, int64_t pid, int64_t vno, int64_t qty)
{
    int32_t rc;
    if (qty <= 0)
        rc = walor_db_exec(c, "DELETE FROM catalog_cart WHERE user_id = ? AND product_id = ? AND variant_no = ?",
                           WALOR_ARGS(walor_i(user_id), walor_i(pid), walor_i(vno)));
    else
        rc = walor_db_exec(c,
                           "INSERT INTO catalog_cart(user_id, product_id, variant_no, qty, added_at) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT(user_id, product_id, variant_no) DO UPDATE SET qty = excluded.qty",
                           WALOR_ARGS(walor_i(user_id), walor_i(pid), walor_i(vno), walor_i(qty), walor_i(walor_now(c))));
    if (rc < 0)
        return rc;
    return catalog_cart_emit(c, user_id);
}

static int32_t catalog_cart_check_item(walor_ctx *c, int64_t pid, int64_t vno)
{
    int64_t cat, hidden, nvar, has;
    int32_t rc = walor_db_row(c,
                              "SELECT category_id, hidden, (SELECT count(*) FROM catalog_variant WHERE product_id = ?),"
                              " (SELECT count(*) FROM catalog_variant WHERE product_id = ? AND no = ?) "
                              "FROM catalog_product WHERE id = ?",
                              WALOR_ARGS(walor_i(pid), walor_i(pid), walor_i(vno), walor_i(pid)), "iiii", &cat, &hidden,
                              &nvar, &has);
    if (rc < 0)
        return walor_found(rc);
    if (hidden || (vno == 0 ? nvar > 0 : has == 0))
        return 0;
    return catalog_category_visible(c, cat);
}

/* may user_id's line (pid, vno) become `want` units (> current)? */
int32_t catalog_cart_may_grow(walor_ctx *c, int64_t user_id, int64_t pid, int64_t vno, int64_t current, int64_t want,
                        catalog_cart_verdict *out, int64_t *avail)
{
    *out = CATALOG_CART_OK_ADD;
    *avail = 0;
    int32_t rc = catalog_cart_check_item(c, pid, vno);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        *out = CATALOG_CART_NO_PRODUCT;
        return 0;
    }
    if (!catalog_cart_setting_on(c, "shop.open", 1)) {
        *out = CATALOG_CART_CLOSED;
        return 0;
    }
    if (want > CATALOG_CART_MAX_QTY) {
        *out = CATALOG_CART_QTY_LIMIT;
        return 0;
    }
    if (current == 0) {
        catalog_cart_row *v;
        uint32_t n;
        rc = catalog_cart_lines(c, user_id, &v, &n);
        if (rc < 0)
            return rc;
        if (n >= CATALOG_CART_MAX_LINES) {
            *out = CATALOG_CART_LINES_LIMIT;
            return 0;
        }
    }
    if (catalog_cart_setting_on(c, "shop.preorder", 0))
        return 0; /* pre-order: stock does not limit the cart */
    int64_t s = catalog_stock_of(c, catalog_stock_svc(c), pid, vno);
    if (s != WALOR_STOCK_UNTRACKED && want > s) {
        *avail = s;
        *out = s == 0 ? CATALOG_CART_NO_STOCK : CATALOG_CART_STOCK_LIMIT;
    }
    return 0;
}

const char *catalog_cart_verdict_text(walor_ctx *c, catalog_cart_verdict v, int64_t avail)
{
    switch (v) {
    case CATALOG_CART_NO_PRODUCT: return walor_text(c, "catalog.not_found");
    case CATALOG_CART_CLOSED: return walor_text(c, "catalog.cart.closed");
    case CATALOG_CART_NO_STOCK: return walor_text(c, "catalog.cart.no_stock");
    case CATALOG_CART_STOCK_LIMIT: return walor_textf(c, "catalog.cart.stock_limit", "n", catalog_num(c, avail), NULL);
    case CATALOG_CART_QTY_LIMIT: return walor_textf(c, "catalog.cart.qty_limit", "n", catalog_num(c, CATALOG_CART_MAX_QTY), NULL);
    case CATALOG_CART_LINES_LIMIT: return walor_textf(c, "catalog.cart.lines_limit", "n", catalog_num(c, CATALOG_CART_MAX_LINES), NULL);
    default: return "";
    }
}

