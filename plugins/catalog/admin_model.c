/* catalog admin: the reads and writes its screens and forms share (admin.h). */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "variants.h"

#define SUBTREE_MAX 5000 /* categories collected for a move / delete */

int catalog_adm_parse_num(const char *s, int64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000000LL)
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

/* "c12" / "с12" (Cyrillic) / "C12" → 'c', 12; "p5" / "р5" → 'p', 5; a bare
 * number → kind 0. -1 if malformed. */
int catalog_adm_parse_ref(const char *s, char *kind, int64_t *id)
{
    *kind = 0;
    if (*s == 'c' || *s == 'C') {
        *kind = 'c';
        s++;
    } else if (*s == 'p' || *s == 'P') {
        *kind = 'p';
        s++;
    } else if (!strncmp(s, "\xD1\x81", 2) || !strncmp(s, "\xD0\xA1", 2)) { /* с С */
        *kind = 'c';
        s += 2;
    } else if (!strncmp(s, "\xD1\x80", 2) || !strncmp(s, "\xD0\xA0", 2)) { /* р Р */
        *kind = 'p';
        s += 2;
    }
    return catalog_adm_parse_num(s, id);
}

int32_t catalog_adm_log(walor_ctx *c, const char *what)
{
    int32_t rc = walor_action_log(c, what);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "catalog: action log: %s", walor_last_error(c));
    return rc;
}

/* one UPDATE of product pid and its catalog.product_changed event, committed
 * together */
int32_t catalog_adm_prod_exec(walor_ctx *c, int64_t pid, const char *sql, const walor_val *args, uint32_t nargs)
{
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c, sql, args, nargs);
    if (rc >= 0) {
        int32_t ev = catalog_emit_changed(c, pid);
        if (ev < 0)
            rc = ev;
    }
    if (rc >= 0) {
        int32_t cm = walor_tx_commit(c);
        if (cm < 0)
            rc = cm;
    }
    if (rc < 0)
        walor_tx_rollback(c);
    return rc;
}

/* 1 found, 0 missing, < 0 error */
int32_t catalog_adm_cat_get(walor_ctx *c, int64_t id, catalog_adm_cat *out)
{
    out->id = id;
    return walor_found(walor_db_row(c, "SELECT parent_id, name, hidden FROM catalog_category WHERE id = ?",
                                    WALOR_ARGS(walor_i(id)), "izi", &out->parent, &out->name, &out->hidden));
}

int32_t catalog_adm_prod_get(walor_ctx *c, int64_t id, catalog_adm_prod *p)
{
    p->id = id;
    return walor_found(walor_db_row(
        c,
        "SELECT category_id, name, description, details, unit, price, photo_file_id, hidden, "
        "discount_pct, low_stock, sort, crosssell_text, crosssell_ids FROM catalog_product WHERE id = ?",
        WALOR_ARGS(walor_i(id)), "izzzzizi" "iiizz", &p->cat, &p->name, &p->desc, &p->details, &p->unit, &p->price,
        &p->photo, &p->hidden, &p->disc, &p->low, &p->sort, &p->xtext, &p->xids));
}

int32_t catalog_adm_name_of(walor_ctx *c, int is_product, int64_t id, const char **name, int64_t *hidden)
{
    int64_t h = 0;
    int32_t rc = walor_db_row(c, is_product ? "SELECT name, hidden FROM catalog_product WHERE id = ?"
                                            : "SELECT name, hidden FROM catalog_category WHERE id = ?",
                              WALOR_ARGS(walor_i(id)), "zi", name, &h);
    if (rc == 0 && hidden)
        *hidden = h;
    return walor_found(rc);
}

/* levels from the root: a root child is 1; -1 on a loop, < -1 error */
int32_t catalog_adm_cat_depth(walor_ctx *c, int64_t id, int64_t *depth)
{
    int64_t d = 0;
    while (id != 0) {
        if (++d > 64)
            return -1;
        catalog_adm_cat cr;
        int32_t rc = catalog_adm_cat_get(c, id, &cr);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        id = cr.parent;
    }
    *depth = d;
    return 0;
}

/* the category and all below it, breadth first; *height = levels below it */
int32_t catalog_adm_subtree(walor_ctx *c, int64_t root, int64_t **ids, int64_t *n, int64_t *height)
{
    int64_t cap = 64, cnt = 0, h = 0;
    int64_t *a = walor_ctx_alloc(c, (size_t)cap * sizeof *a);
    int64_t *lvl = walor_ctx_alloc(c, (size_t)cap * sizeof *lvl);
    if (!a || !lvl)
        return WALOR_ENOMEM;
    a[cnt] = root;
    lvl[cnt++] = 0;
    for (int64_t i = 0; i < cnt; i++) {
        walor_rows *r = NULL;
        int32_t rc = walor_db_query(c, "SELECT id FROM catalog_category WHERE parent_id = ? ORDER BY id",
                                    WALOR_ARGS(walor_i(a[i])), &r);
        if (rc < 0)
            return rc;
        while ((rc = walor_row_next(r)) == 1) {
            if (cnt >= SUBTREE_MAX) {
                walor_rows_close(r);
                return WALOR_ELIMIT;
            }
            if (cnt == cap) {
                int64_t ncap = cap * 2;
                int64_t *na = walor_ctx_alloc(c, (size_t)ncap * sizeof *na);
                int64_t *nl = walor_ctx_alloc(c, (size_t)ncap * sizeof *nl);
                if (!na || !nl) {
                    walor_rows_close(r);
                    return WALOR_ENOMEM;
                }
                memcpy(na, a, (size_t)cnt * sizeof *a);
                memcpy(nl, lvl, (size_t)cnt * sizeof *lvl);
                a = na;
                lvl = nl;
                cap = ncap;
            }
            a[cnt] = walor_col_int(r, 0);
            lvl[cnt] = lvl[i] + 1;
            if (lvl[cnt] > h)
                h = lvl[cnt];
            cnt++;
        }
        walor_rows_close(r);
        if (rc < 0)
            return rc;
    }
    *ids = a;
    *n = cnt;
    if (height)
        *height = h;
    return 0;
}

const char *catalog_adm_cat_title(walor_ctx *c, int64_t id)
{
    if (id == 0)
        return walor_text(c, "catalog.adm.root_name");
    catalog_adm_cat cr;
    if (catalog_adm_cat_get(c, id, &cr) != 1)
        return walor_ctx_printf(c, "c%lld", (long long)id);
    return walor_ctx_printf(c, "c%lld «%s»", (long long)id, walor_html_escape(c, cr.name));
}

/* stored "5 7 12" → "p5 p7 p12" as staff type them */
const char *catalog_adm_xids_shown(walor_ctx *c, const char *ids)
{
    const char *out = "";
    for (const char *s = ids; *s;) {
        if (*s < '0' || *s > '9') {
            s++;
            continue;
        }
        size_t n = strspn(s, "0123456789");
        out = walor_ctx_printf(c, "%s%sp%.*s", out, *out ? " " : "", (int)n, s);
        s += n;
    }
    return out;
}

const char *catalog_adm_vars_html(walor_ctx *c, json_t *vars, int64_t price)
{
    if (!json_is_array(vars) || json_array_size(vars) == 0)
        return walor_money(c, price);
    const char *out = "";
    size_t i;
    json_t *v;
    json_array_foreach(vars, i, v) {
        int64_t w = (int64_t)json_integer_value(json_array_get(v, 2));
        out = walor_ctx_printf(c, "%s\n  • %s — %s%s", out, walor_html_escape(c, json_string_value(json_array_get(v, 0))),
                               walor_money(c, (int64_t)json_integer_value(json_array_get(v, 1))),
                               w > 0 ? walor_ctx_printf(c, ", %lld г", (long long)w) : "");
    }
    return out;
}

const char *catalog_adm_vars_plain(walor_ctx *c, json_t *vars, int64_t price)
{
    if (!json_is_array(vars) || json_array_size(vars) == 0)
        return walor_ctx_printf(c, "цена %lld.%02lld ₽", (long long)(price / 100), (long long)(price % 100));
    const char *out = "";
    size_t i;
    json_t *v;
    json_array_foreach(vars, i, v) {
        int64_t k = (int64_t)json_integer_value(json_array_get(v, 1));
        out = walor_ctx_printf(c, "%s%s%s:%lld.%02lld:%lld", out, i ? ", " : "", json_string_value(json_array_get(v, 0)),
                               (long long)(k / 100), (long long)(k % 100),
                               (long long)json_integer_value(json_array_get(v, 2)));
    }
    return walor_ctx_printf(c, "фасовки %s", out);
}

/* writes the variants of a product (in the caller's transaction): a label
 * that stays keeps its number (stock is kept per number), a new label gets
 * a fresh one, labels no longer listed are removed */
int32_t catalog_adm_store_variants(walor_ctx *c, int64_t pid, json_t *vars, int64_t price)
{
    int32_t rc;
    if (!json_is_array(vars) || json_array_size(vars) == 0) {
        rc = walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ?", WALOR_ARGS(walor_i(pid)));
        if (rc >= 0)
            rc = walor_db_exec(c, "UPDATE catalog_product SET price = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(price), walor_i(pid)));
        return rc < 0 ? rc : 0;
    }
    size_t n = json_array_size(vars);
    int64_t *keep = walor_ctx_alloc(c, n * sizeof *keep);
    if (!keep)
        return WALOR_ENOMEM;
    int64_t next = 0;
    rc = walor_db_int(c, "SELECT coalesce(max(no), 0) FROM catalog_variant WHERE product_id = ?",
                      WALOR_ARGS(walor_i(pid)), &next);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const char *label = json_string_value(json_array_get(json_array_get(vars, i), 0));
        int64_t no = 0;
        rc = walor_db_int(c, "SELECT no FROM catalog_variant WHERE product_id = ? AND label = ?",
                          WALOR_ARGS(walor_i(pid), walor_s(label)), &no);
        if (rc < 0 && rc != WALOR_ENOTFOUND)
            return rc;
        keep[i] = rc == 0 ? no : ++next;
    }
    /* remove the labels not listed any more */
    walor_rows *r = NULL;
    rc = walor_db_query(c, "SELECT no FROM catalog_variant WHERE product_id = ?", WALOR_ARGS(walor_i(pid)), &r);
    if (rc < 0)
        return rc;
    int64_t *gone_no = walor_ctx_alloc(c, (CATALOG_VARIANTS_MAX * 8 + 64) * sizeof *gone_no);
    size_t ngone = 0;
    if (!gone_no) {
        walor_rows_close(r);
        return WALOR_ENOMEM;
    }
    while ((rc = walor_row_next(r)) == 1) {
        int64_t no = walor_col_int(r, 0);
        int kept = 0;
        for (size_t i = 0; i < n; i++)
            if (keep[i] == no)
                kept = 1;
        if (!kept && ngone < CATALOG_VARIANTS_MAX * 8 + 64)
            gone_no[ngone++] = no;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < ngone; i++) {
        rc = walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ? AND no = ?",
                           WALOR_ARGS(walor_i(pid), walor_i(gone_no[i])));
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(vars, i);
        const char *label = json_string_value(json_array_get(v, 0));
        int64_t kop = (int64_t)json_integer_value(json_array_get(v, 1));
        int64_t g = (int64_t)json_integer_value(json_array_get(v, 2));
        rc = walor_db_exec(c,
                           "INSERT INTO catalog_variant(product_id, no, label, price, weight_g, sort) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (product_id, no) DO UPDATE SET "
                           "label = excluded.label, price = excluded.price, weight_g = excluded.weight_g, "
                           "sort = excluded.sort",
                           WALOR_ARGS(walor_i(pid), walor_i(keep[i]), walor_s(label), walor_i(kop), walor_i(g),
                                      walor_i((int64_t)i + 1)));
        if (rc < 0)
            return rc;
    }
    return 0;
}

