/* catalog: what other plugins see of the catalog — the `catalog` service
 * 1.0 (<walor/services/catalog.h>) and the product events
 * catalog.product_changed / catalog.product_deleted, emitted in the
 * transaction of the change so a subscriber never hears of a change that
 * was rolled back.
 *
 * "Catalog order" is the category tree walked depth-first (a category's
 * own products before its subcategories', siblings by sort then ID, the
 * root's products first), then the product's sort and ID, then the
 * variant number. Categories the walk does not reach from the root (a
 * broken parent link) count as hidden and come last. */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>
#include <walor/services/catalog.h>

#include "catalog.h"
#include "text.h"

#define QUERY_MAX 100 /* bytes of a query that are matched */

/* ---- events ---- */

static int32_t emit(walor_ctx *c, const char *event, int64_t pid)
{
    json_t *pl = json_pack("{s:i, s:I}", "v", 1, "product_id", (json_int_t)pid);
    if (!pl)
        return WALOR_ENOMEM;
    int32_t rc = walor_event_emit(c, event, walor_ctx_printf(c, "product:%lld", (long long)pid), pl);
    json_decref(pl);
    return rc;
}

int32_t catalog_emit_changed(walor_ctx *c, int64_t pid) { return emit(c, "catalog.product_changed", pid); }

int32_t catalog_product_delete(walor_ctx *c, int64_t pid)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ?", WALOR_ARGS(walor_i(pid)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM catalog_subscription WHERE product_id = ?", WALOR_ARGS(walor_i(pid)));
    if (rc >= 0)
        rc = catalog_cart_drop_product(c, pid);
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM catalog_product WHERE id = ?", WALOR_ARGS(walor_i(pid)));
    if (rc >= 0)
        rc = emit(c, "catalog.product_deleted", pid);
    return rc < 0 ? rc : 0;
}

/* ---- the category tree ---- */

typedef struct tcat {
    int64_t id, parent, sort;
    const char *name;
    int hidden;  /* its own flag */
    int heff;    /* it or a category above it is hidden, or it is unreachable */
    int64_t ord; /* position in the depth-first walk */
} tcat;

typedef struct tree {
    tcat *by_id;  /* sorted by id */
    size_t n;
} tree;

static int cmp_id(const void *a, const void *b)
{
    int64_t x = ((const tcat *)a)->id, y = ((const tcat *)b)->id;
    return (x > y) - (x < y);
}

/* children together, each family by (sort, id) */
static int cmp_family(const void *a, const void *b)
{
    const tcat *x = *(const tcat *const *)a, *y = *(const tcat *const *)b;
    if (x->parent != y->parent)
        return (x->parent > y->parent) - (x->parent < y->parent);
    if (x->sort != y->sort)
        return (x->sort > y->sort) - (x->sort < y->sort);
    return (x->id > y->id) - (x->id < y->id);
}

static tcat *tree_find(const tree *t, int64_t id)
{
    tcat key = {.id = id};
    return t->n ? bsearch(&key, t->by_id, t->n, sizeof key, cmp_id) : NULL;
}

/* index in fam[] of the first child of parent, or n */
static size_t first_child(tcat *const *fam, size_t n, int64_t parent)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fam[mid]->parent < parent)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int32_t tree_load(walor_ctx *c, tree *t)
{
    memset(t, 0, sizeof *t);
    int64_t n = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM catalog_category", NULL, 0, &n);
    if (rc < 0)
        return rc;
    if (n == 0)
        return 0;
    /* a category added meanwhile by another writer is not in this snapshot:
     * keep to the count */
    t->by_id = walor_ctx_alloc(c, (size_t)n * sizeof *t->by_id);
    tcat **fam = walor_ctx_alloc(c, (size_t)n * sizeof *fam);
    size_t (*stack)[2] = walor_ctx_alloc(c, ((size_t)n + 1) * sizeof *stack);
    if (!t->by_id || !fam || !stack)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    rc = walor_db_query(c, "SELECT id, parent_id, sort, hidden, name FROM catalog_category", NULL, 0, &r);
    if (rc < 0)
        return rc;
    while (t->n < (size_t)n && (rc = walor_row_next(r)) == 1) {
        tcat *k = &t->by_id[t->n++];
        k->id = walor_col_int(r, 0);
        k->parent = walor_col_int(r, 1);
        k->sort = walor_col_int(r, 2);
        k->hidden = walor_col_int(r, 3) != 0;
        k->name = walor_ctx_printf(c, "%s", walor_col_text(r, 4) ? walor_col_text(r, 4) : "");
        k->heff = 1;
        k->ord = INT64_MAX;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    qsort(t->by_id, t->n, sizeof *t->by_id, cmp_id);
    for (size_t i = 0; i < t->n; i++)
        fam[i] = &t->by_id[i];
    qsort(fam, t->n, sizeof *fam, cmp_family);

    /* depth-first from the root; every category has one parent, so what is
     * reachable from 0 is a tree and each is visited once. stack[d] = {next
     * index in fam of the family being walked, parent's position + 1} */
    int64_t ord = 1; /* 0 is the root */
    size_t depth = 0;
    stack[0][0] = first_child(fam, t->n, 0);
    stack[0][1] = 0;
    for (;;) {
        size_t i = stack[depth][0];
        int64_t parent = stack[depth][1] ? fam[stack[depth][1] - 1]->id : 0;
        if (i >= t->n || fam[i]->parent != parent) {
            if (depth == 0)
                break;
            depth--;
            continue;
        }
        stack[depth][0] = i + 1;
        tcat *k = fam[i];
        if (k->ord != INT64_MAX) /* a parent-link loop through the root: cannot happen, but never spin */
            continue;
        int parent_hidden = stack[depth][1] ? fam[stack[depth][1] - 1]->heff : 0;
        k->heff = k->hidden || parent_hidden;
        k->ord = ord++;
        if (depth + 1 <= (size_t)n) {
            depth++;
            stack[depth][0] = first_child(fam, t->n, k->id);
            stack[depth][1] = i + 1;
        }
    }
    return 0;
}

/* ---- the service ---- */

typedef struct row {
    walor_catalog_item it;
    int64_t cat_ord, psort;
} row;

static int cmp_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->cat_ord != y->cat_ord)
        return (x->cat_ord > y->cat_ord) - (x->cat_ord < y->cat_ord);
    if (x->psort != y->psort)
        return (x->psort > y->psort) - (x->psort < y->psort);
    if (x->it.product_id != y->it.product_id)
        return (x->it.product_id > y->it.product_id) - (x->it.product_id < y->it.product_id);
    return (x->it.variant_no > y->it.variant_no) - (x->it.variant_no < y->it.variant_no);
}

static void price_of(walor_catalog_item *it, int64_t price, int64_t pct)
{
    it->discount_pct = (int32_t)pct;
    it->base_price = price;
    it->unit_price = catalog_discounted(price, pct);
}

static int32_t svc_item(walor_ctx *c, int64_t pid, int64_t vno, walor_catalog_item *out)
{
    if (!out)
        return WALOR_EINVAL;
    memset(out, 0, sizeof *out);
    catalog_demo_ensure(c);
    int64_t cat, hid, price, pct, nvar, vprice, weight;
    const char *name, *category, *label;
    int32_t low;
    int32_t rc = walor_db_row(c,
                              "SELECT p.category_id, p.name, p.hidden, p.price, p.discount_pct, p.low_stock, "
                              "(SELECT count(*) FROM catalog_variant WHERE product_id = p.id), "
                              "coalesce(k.name, ''), v.label, v.price, v.weight_g "
                              "FROM catalog_product p "
                              "LEFT JOIN catalog_category k ON k.id = p.category_id "
                              "LEFT JOIN catalog_variant v ON v.product_id = p.id AND v.no = ? "
                              "WHERE p.id = ?",
                              WALOR_ARGS(walor_i(vno), walor_i(pid)), "iziiidizsii", &cat, &name, &hid, &price, &pct,
                              &low, &nvar, &category, &label, &vprice, &weight);
    if (rc < 0)
        return rc;
    if (vno < 0 || (vno == 0 && nvar > 0) || (vno > 0 && !label)) /* no label: no such variant */
        return WALOR_ENOTFOUND;
    out->struct_size = sizeof *out;
    out->product_id = pid;
    out->variant_no = vno;
    out->category_id = cat;
    out->name = name;
    out->category = category;
    int hidden = hid != 0;
    out->low_stock = low;
    out->variant_label = label ? label : "";
    price_of(out, label ? vprice : price, pct);
    if (label)
        out->weight_g = weight;
    if (!hidden) {
        rc = catalog_category_visible(c, out->category_id);
        if (rc < 0)
            return rc;
        hidden = rc == 0;
    }
    if (hidden)
        out->flags |= WALOR_CATALOG_HIDDEN;
    return 0;
}

/* the product ID a query names when it is a number, else -1 */
static int64_t query_id(const char *q)
{
    while (*q == ' ')
        q++;
    int64_t v = 0;
    const char *s = q;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (s == q)
        return -1;
    while (*s == ' ')
        s++;
    return *s ? -1 : v;
}

static int32_t svc_items(walor_ctx *c, const char *query, uint32_t flags, uint32_t offset, uint32_t limit,
                         walor_catalog_item **out, uint32_t *n, uint32_t *total)
{
    if (!out || !n)
        return WALOR_EINVAL;
    *out = NULL;
    *n = 0;
    if (total)
        *total = 0;
    catalog_demo_ensure(c);
    tree t;
    int32_t rc = tree_load(c, &t);
    if (rc < 0)
        return rc;

    const char *q = query ? catalog_cut(c, query, QUERY_MAX) : "";
    const char *pat = q && *q ? catalog_like_pattern(c, q) : "";
    if (!q || !pat)
        return WALOR_ENOMEM;
    int64_t qid = *q ? query_id(q) : -1;
    int with_hidden = (flags & WALOR_CATALOG_WITH_HIDDEN) != 0;

    int64_t cap = 0;
    rc = walor_db_int(c,
                      "SELECT count(*) FROM catalog_product p LEFT JOIN catalog_variant v ON v.product_id = p.id "
                      "WHERE (? = '' OR p.name_lc LIKE ? ESCAPE '\\' OR p.id = ?) AND (? = 1 OR p.hidden = 0)",
                      WALOR_ARGS(walor_s(pat), walor_s(pat), walor_i(qid), walor_i(with_hidden)), &cap);
    if (rc < 0 || cap == 0)
        return rc < 0 ? rc : 0;
    row *rows = walor_ctx_alloc(c, (size_t)cap * sizeof *rows);
    if (!rows)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    rc = walor_db_query(c,
                        "SELECT p.id, p.category_id, p.name, p.hidden, p.sort, p.price, p.discount_pct, p.low_stock, "
                        "v.no, v.label, v.price, v.weight_g "
                        "FROM catalog_product p LEFT JOIN catalog_variant v ON v.product_id = p.id "
                        "WHERE (? = '' OR p.name_lc LIKE ? ESCAPE '\\' OR p.id = ?) AND (? = 1 OR p.hidden = 0)",
                        WALOR_ARGS(walor_s(pat), walor_s(pat), walor_i(qid), walor_i(with_hidden)), &r);
    if (rc < 0)
        return rc;
    size_t k = 0;
    while (k < (size_t)cap && (rc = walor_row_next(r)) == 1) {
        row *w = &rows[k];
        memset(w, 0, sizeof *w);
        w->it.struct_size = sizeof w->it;
        w->it.product_id = walor_col_int(r, 0);
        w->it.category_id = walor_col_int(r, 1);
        w->psort = walor_col_int(r, 4);
        int hidden = walor_col_int(r, 3) != 0;
        const tcat *cat = w->it.category_id ? tree_find(&t, w->it.category_id) : NULL;
        if (w->it.category_id == 0) {
            w->cat_ord = 0;
        } else if (cat) {
            w->cat_ord = cat->ord;
            hidden = hidden || cat->heff;
        } else {
            w->cat_ord = INT64_MAX;
            hidden = 1;
        }
        if (hidden && !with_hidden)
            continue;
        w->it.flags = hidden ? WALOR_CATALOG_HIDDEN : 0;
        w->it.name = walor_ctx_printf(c, "%s", walor_col_text(r, 2) ? walor_col_text(r, 2) : "");
        w->it.category = cat ? cat->name : "";
        w->it.low_stock = (int32_t)walor_col_int(r, 7);
        if (walor_col_is_null(r, 8)) {
            w->it.variant_label = "";
            price_of(&w->it, walor_col_int(r, 5), walor_col_int(r, 6));
        } else {
            w->it.variant_no = walor_col_int(r, 8);
            w->it.variant_label = walor_ctx_printf(c, "%s", walor_col_text(r, 9) ? walor_col_text(r, 9) : "");
            price_of(&w->it, walor_col_int(r, 10), walor_col_int(r, 6));
            w->it.weight_g = walor_col_int(r, 11);
        }
        if (!w->it.name || !w->it.variant_label) {
            walor_rows_close(r);
            return WALOR_ENOMEM;
        }
        k++;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    qsort(rows, k, sizeof *rows, cmp_row);
    if (total)
        *total = k > UINT32_MAX ? UINT32_MAX : (uint32_t)k;
    if (offset >= k)
        return 0;
    size_t m = k - offset;
    if (limit && m > limit)
        m = limit;
    walor_catalog_item *arr = walor_ctx_alloc(c, m * sizeof *arr);
    if (!arr)
        return WALOR_ENOMEM;
    for (size_t i = 0; i < m; i++)
        arr[i] = rows[offset + i].it;
    *out = arr;
    *n = (uint32_t)m;
    return 0;
}

/* &amp; &lt; &gt; &quot; back to characters, in place (what is left after
 * catalog_html_sanitize(…, 0); numeric entities stay as they are) */
static void unescape(char *s)
{
    static const struct {
        const char *e;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}};
    char *o = s;
    for (const char *p = s; *p;) {
        size_t i = 0;
        for (; i < sizeof ents / sizeof ents[0]; i++)
            if (strncmp(p, ents[i].e, strlen(ents[i].e)) == 0)
                break;
        if (i < sizeof ents / sizeof ents[0]) {
            *o++ = ents[i].c;
            p += strlen(ents[i].e);
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
}

static int32_t svc_describe(walor_ctx *c, int64_t pid, const char **out)
{
    if (!out)
        return WALOR_EINVAL;
    *out = "";
    const char *desc;
    int32_t rc = walor_db_row(c, "SELECT description FROM catalog_product WHERE id = ?", WALOR_ARGS(walor_i(pid)),
                              "z", &desc);
    if (rc < 0)
        return rc;
    char *plain = catalog_html_sanitize(desc, 0);
    if (!plain)
        return WALOR_ENOMEM;
    unescape(plain);
    *out = walor_ctx_printf(c, "%s", plain);
    free(plain);
    return *out ? 0 : WALOR_ENOMEM;
}

static int32_t svc_product(walor_ctx *c, int64_t pid, uint32_t flags, walor_catalog_item **out, uint32_t *n)
{
    if (!out || !n)
        return WALOR_EINVAL;
    *out = NULL;
    *n = 0;
    int64_t nvar = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM catalog_variant WHERE product_id = ?", WALOR_ARGS(walor_i(pid)),
                              &nvar);
    if (rc < 0)
        return rc;
    walor_catalog_item *arr = walor_ctx_alloc(c, (size_t)(nvar ? nvar : 1) * sizeof *arr);
    if (!arr)
        return WALOR_ENOMEM;
    uint32_t k = 0;
    if (nvar == 0) {
        rc = svc_item(c, pid, 0, &arr[0]);
        k = rc == 0;
    } else {
        int64_t *nos = walor_ctx_alloc(c, (size_t)nvar * sizeof *nos);
        if (!nos)
            return WALOR_ENOMEM;
        uint32_t m = 0;
        rc = walor_db_ints(c, "SELECT no FROM catalog_variant WHERE product_id = ? ORDER BY no", WALOR_ARGS(walor_i(pid)),
                           nos, (uint32_t)nvar, &m);
        if (rc < 0)
            return rc;
        for (uint32_t i = 0; i < m && (rc = svc_item(c, pid, nos[i], &arr[k])) == 0; i++)
            k++;
    }
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (k == 0)
        return WALOR_ENOTFOUND;
    if ((arr[0].flags & WALOR_CATALOG_HIDDEN) && !(flags & WALOR_CATALOG_WITH_HIDDEN))
        return WALOR_ENOTFOUND;
    *out = arr;
    *n = k;
    return 0;
}

static const char *svc_card_data(walor_ctx *c, int64_t pid)
{
    return walor_ctx_printf(c, "cat:p:%lld:0", (long long)pid);
}

static const walor_catalog_v1 CATALOG_SVC = {.struct_size = sizeof(walor_catalog_v1), .item = svc_item,
                                              .items = svc_items, .describe = svc_describe,
                                              .card_data = svc_card_data, .product = svc_product};

int32_t catalog_service_register(walor_plugin *p)
{
    return walor_service_provide(p, WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, WALOR_CATALOG_MINOR, &CATALOG_SVC);
}
