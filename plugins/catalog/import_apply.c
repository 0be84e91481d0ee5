/* Excel / CSV import (import.h): the host side of a plan — the snapshot of
 * the current catalog the planner compares with, and the one transaction
 * that applies a plan (categories created, products written with their
 * variants, every change's event). */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>

#include "catalog.h"
#include "import.h"
#include "text.h"
#include "variants.h"

/* ---- the current catalog ---- */

typedef struct imp_cat {
    int64_t id, parent;
    const char *name, *path;
} imp_cat;

static int cmp_cat_id(const void *a, const void *b)
{
    const imp_cat *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static imp_cat *cat_by_id(imp_cat *cats, size_t n, int64_t id)
{
    imp_cat key = {.id = id};
    return bsearch(&key, cats, n, sizeof *cats, cmp_cat_id);
}

static const char *cat_path(walor_ctx *c, imp_cat *cats, size_t n, imp_cat *k, int depth)
{
    if (k->path)
        return k->path;
    if (depth > CATALOG_IMP_CAT_DEPTH * 2) {
        k->path = k->name;
        return k->path;
    }
    imp_cat *par = k->parent ? cat_by_id(cats, n, k->parent) : NULL;
    k->path = par ? walor_ctx_printf(c, "%s / %s", cat_path(c, cats, n, par, depth + 1), k->name) : k->name;
    return k->path;
}

/* the whole catalog in the ctx arena */
int32_t catalog_imp_snapshot(walor_ctx *c, catalog_imp_catalog *out)
{
    memset(out, 0, sizeof *out);
    int64_t ncat = 0, nprod = 0, nvar = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM catalog_category", NULL, 0, &ncat);
    if (!rc)
        rc = walor_db_int(c, "SELECT count(*) FROM catalog_product", NULL, 0, &nprod);
    if (!rc)
        rc = walor_db_int(c, "SELECT count(*) FROM catalog_variant", NULL, 0, &nvar);
    if (rc < 0)
        return rc;
    imp_cat *cats = walor_ctx_alloc(c, (size_t)(ncat + 1) * sizeof *cats);
    catalog_imp_cur_product *ps = walor_ctx_alloc(c, (size_t)(nprod + 1) * sizeof *ps);
    catalog_imp_cur_variant *vs = walor_ctx_alloc(c, (size_t)(nvar + 1) * sizeof *vs);
    const char **paths = walor_ctx_alloc(c, (size_t)(ncat + 1) * sizeof *paths);
    if (!cats || !ps || !vs || !paths)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    size_t nc = 0, np = 0, nv = 0;
    rc = walor_db_query(c, "SELECT id, parent_id, name FROM catalog_category ORDER BY id", NULL, 0, &r);
    if (rc < 0)
        return rc;
    while (nc < (size_t)ncat && (rc = walor_row_next(r)) == 1) {
        cats[nc].id = walor_col_int(r, 0);
        cats[nc].parent = walor_col_int(r, 1);
        cats[nc].name = walor_ctx_printf(c, "%s", walor_col_text(r, 2) ? walor_col_text(r, 2) : "");
        cats[nc].path = NULL;
        nc++;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < nc; i++)
        paths[i] = cat_path(c, cats, nc, &cats[i], 0);

    rc = walor_db_query(c,
                        "SELECT id, category_id, name, description, photo_file_id, image_url, price, discount_pct, "
                        "hidden FROM catalog_product ORDER BY id",
                        NULL, 0, &r);
    if (rc < 0)
        return rc;
    while (np < (size_t)nprod && (rc = walor_row_next(r)) == 1) {
        catalog_imp_cur_product *p = &ps[np++];
        p->id = walor_col_int(r, 0);
        int64_t cid = walor_col_int(r, 1);
        imp_cat *k = cid ? cat_by_id(cats, nc, cid) : NULL;
        p->category = k ? k->path : "/";
        p->name = walor_ctx_printf(c, "%s", walor_col_text(r, 2) ? walor_col_text(r, 2) : "");
        p->description = walor_ctx_printf(c, "%s", walor_col_text(r, 3) ? walor_col_text(r, 3) : "");
        p->photo_file_id = walor_col_is_null(r, 4) ? NULL : walor_ctx_printf(c, "%s", walor_col_text(r, 4));
        p->image_url = walor_col_is_null(r, 5) ? NULL : walor_ctx_printf(c, "%s", walor_col_text(r, 5));
        p->price = walor_col_int(r, 6);
        p->discount = walor_col_int(r, 7);
        p->hidden = walor_col_int(r, 8) != 0;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    rc = walor_db_query(c, "SELECT product_id, no, label, price, weight_g FROM catalog_variant "
                           "ORDER BY product_id, sort, no",
                        NULL, 0, &r);
    if (rc < 0)
        return rc;
    size_t pi = 0;
    while (nv < (size_t)nvar && (rc = walor_row_next(r)) == 1) {
        int64_t pid = walor_col_int(r, 0);
        while (pi < np && ps[pi].id < pid)
            pi++;
        if (pi == np || ps[pi].id != pid)
            continue;
        catalog_imp_cur_variant *v = &vs[nv++];
        v->no = walor_col_int(r, 1);
        v->label = walor_ctx_printf(c, "%s", walor_col_text(r, 2) ? walor_col_text(r, 2) : "");
        v->price = walor_col_int(r, 3);
        v->weight = walor_col_int(r, 4);
        if (!ps[pi].v)
            ps[pi].v = v;
        ps[pi].nv++;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    out->p = ps;
    out->np = np;
    out->catalog_paths = paths;
    out->ncat = nc;
    return 0;
}

/* ---- apply ---- */

typedef struct cat_cache {
    char **key;
    int64_t *id;
    size_t n, cap;
} cat_cache;

static int32_t resolve_category(walor_ctx *c, cat_cache *cc, const char *path, int64_t now, int64_t *out,
                                size_t *created)
{
    char *buf = walor_ctx_alloc(c, strlen(path) + 1);
    const char *seg[CATALOG_IMP_CAT_DEPTH];
    if (!buf)
        return WALOR_ENOMEM;
    int ns = catalog_imp_path_split(path, buf, seg, CATALOG_IMP_CAT_DEPTH);
    if (ns < 0)
        return WALOR_EINVAL;
    int64_t parent = 0;
    for (int d = 1; d <= ns; d++) {
        char *j = catalog_imp_path_join(seg, d);
        char *key = j ? catalog_fold_ctx(c, j) : NULL;
        free(j);
        if (!key)
            return WALOR_ENOMEM;
        size_t i;
        for (i = 0; i < cc->n; i++)
            if (!strcmp(cc->key[i], key))
                break;
        if (i < cc->n) {
            parent = cc->id[i];
            continue;
        }
        int64_t id = 0;
        int32_t rc = walor_db_int(c,
                                  "SELECT id FROM catalog_category WHERE parent_id = ? AND name_lc = ? "
                                  "ORDER BY id LIMIT 1",
                                  WALOR_ARGS(walor_i(parent), walor_s(catalog_fold_ctx(c, seg[d - 1]))), &id);
        if (rc == WALOR_ENOTFOUND) {
            rc = walor_db_int(c,
                              "INSERT INTO catalog_category(parent_id, name, name_lc, hidden, sort, created_at) "
                              "VALUES (?, ?, ?, 0, (SELECT coalesce(max(sort), 0) + 10 FROM catalog_category "
                              "WHERE parent_id = ?), ?) RETURNING id",
                              WALOR_ARGS(walor_i(parent), walor_s(seg[d - 1]),
                                         walor_s(catalog_fold_ctx(c, seg[d - 1])), walor_i(parent), walor_i(now)),
                              &id);
            if (rc == 0)
                (*created)++;
        }
        if (rc < 0)
            return rc;
        if (cc->n == cc->cap) {
            size_t ncap = cc->cap ? cc->cap * 2 : 32;
            char **nk = walor_ctx_alloc(c, ncap * sizeof *nk);
            int64_t *ni = walor_ctx_alloc(c, ncap * sizeof *ni);
            if (!nk || !ni)
                return WALOR_ENOMEM;
            if (cc->n) {
                memcpy(nk, cc->key, cc->n * sizeof *nk);
                memcpy(ni, cc->id, cc->n * sizeof *ni);
            }
            cc->key = nk;
            cc->id = ni;
            cc->cap = ncap;
        }
        cc->key[cc->n] = key;
        cc->id[cc->n] = id;
        cc->n++;
        parent = id;
    }
    *out = parent;
    return 0;
}

static int32_t sync_variants(walor_ctx *c, const catalog_imp_product *p, int64_t pid, int is_new)
{
    int32_t rc;
    if (p->nv == 0)
        return is_new ? 0 : walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ?", WALOR_ARGS(walor_i(pid)));
    /* keep the number of a variant whose label stays: stock and carts refer to (product, no) */
    int64_t cur_no[CATALOG_VARIANTS_MAX * 4];
    const char *cur_label[CATALOG_VARIANTS_MAX * 4];
    int used[CATALOG_VARIANTS_MAX * 4];
    size_t ncur = 0;
    int64_t maxno = 0;
    if (!is_new) {
        walor_rows *r = NULL;
        rc = walor_db_query(c, "SELECT no, label FROM catalog_variant WHERE product_id = ? ORDER BY no",
                            WALOR_ARGS(walor_i(pid)), &r);
        if (rc < 0)
            return rc;
        while ((rc = walor_row_next(r)) == 1) {
            int64_t no = walor_col_int(r, 0);
            if (no > maxno)
                maxno = no;
            if (ncur < sizeof cur_no / sizeof cur_no[0]) {
                cur_no[ncur] = no;
                cur_label[ncur] = walor_ctx_printf(c, "%s", walor_col_text(r, 1) ? walor_col_text(r, 1) : "");
                used[ncur] = 0;
                ncur++;
            }
        }
        walor_rows_close(r);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < p->nv; i++) {
        const catalog_imp_variant *v = &p->v[i];
        size_t k;
        for (k = 0; k < ncur; k++)
            if (!used[k] && !strcmp(cur_label[k], v->label))
                break;
        if (k < ncur) {
            used[k] = 1;
            if (p->set & CATALOG_IMP_SET_WEIGHT)
                rc = walor_db_exec(c, "UPDATE catalog_variant SET price = ?, weight_g = ?, sort = ? "
                                      "WHERE product_id = ? AND no = ?",
                                   WALOR_ARGS(walor_i(v->price), walor_i(v->weight), walor_i((int64_t)i + 1),
                                              walor_i(pid), walor_i(cur_no[k])));
            else
                rc = walor_db_exec(c, "UPDATE catalog_variant SET price = ?, sort = ? WHERE product_id = ? AND no = ?",
                                   WALOR_ARGS(walor_i(v->price), walor_i((int64_t)i + 1), walor_i(pid),
                                              walor_i(cur_no[k])));
        } else {
            rc = walor_db_exec(c, "INSERT INTO catalog_variant(product_id, no, label, price, weight_g, sort) "
                                  "VALUES (?, ?, ?, ?, ?, ?)",
                               WALOR_ARGS(walor_i(pid), walor_i(++maxno), walor_s(v->label), walor_i(v->price),
                                          walor_i(v->weight), walor_i((int64_t)i + 1)));
        }
        if (rc < 0)
            return rc;
    }
    for (size_t k = 0; k < ncur; k++)
        if (!used[k]) {
            rc = walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ? AND no = ?",
                               WALOR_ARGS(walor_i(pid), walor_i(cur_no[k])));
            if (rc < 0)
                return rc;
        }
    return 0;
}

/* 0 applied; WALOR_ENOTFOUND when a product of the plan is gone (*gone
 * has its ID); other negative: failure. Nothing is written unless 0. */
int32_t catalog_imp_apply(walor_ctx *c, const catalog_imp_plan *pl, int64_t *gone, size_t *cats_created)
{
    int64_t now = walor_now(c);
    cat_cache cc;
    memset(&cc, 0, sizeof cc);
    *cats_created = 0;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < pl->np && rc >= 0; i++) {
        const catalog_imp_product *p = &pl->p[i];
        int64_t cat = 0, pid = p->id;
        if (p->set & CATALOG_IMP_SET_CATEGORY) {
            rc = resolve_category(c, &cc, p->category, now, &cat, cats_created);
            if (rc < 0)
                break;
        }
        const char *lc = catalog_fold_ctx(c, p->name);
        const char *fid = p->photo && !p->photo_is_url ? p->photo : NULL;
        const char *url = p->photo && p->photo_is_url ? p->photo : NULL;
        if (pid == 0) {
            rc = walor_db_int(c,
                              "INSERT INTO catalog_product(category_id, name, name_lc, description, price, "
                              "photo_file_id, image_url, hidden, discount_pct, sort, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(sort), 0) + 10 FROM "
                              "catalog_product WHERE category_id = ?), ?, ?) RETURNING id",
                              WALOR_ARGS(walor_i(cat), walor_s(p->name), walor_s(lc), walor_s(p->description),
                                         walor_i(p->nv ? 0 : p->price), walor_s(fid), walor_s(url),
                                         walor_i(p->hidden), walor_i(p->discount), walor_i(cat), walor_i(now),
                                         walor_i(now)),
                              &pid);
            if (rc >= 0)
                rc = sync_variants(c, p, pid, 1);
            continue;
        }
        rc = walor_db_exec(c, "UPDATE catalog_product SET name = ?, name_lc = ?, updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_s(p->name), walor_s(lc), walor_i(now), walor_i(pid)));
        if (rc == 0) {
            *gone = pid;
            rc = WALOR_ENOTFOUND;
            break;
        }
        if (rc >= 0 && (p->set & CATALOG_IMP_SET_CATEGORY))
            rc = walor_db_exec(c, "UPDATE catalog_product SET category_id = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(cat), walor_i(pid)));
        if (rc >= 0 && (p->set & CATALOG_IMP_SET_DESC))
            rc = walor_db_exec(c, "UPDATE catalog_product SET description = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(p->description), walor_i(pid)));
        if (rc >= 0 && (p->set & CATALOG_IMP_SET_DISCOUNT))
            rc = walor_db_exec(c, "UPDATE catalog_product SET discount_pct = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(p->discount), walor_i(pid)));
        if (rc >= 0 && (p->set & CATALOG_IMP_SET_HIDDEN))
            rc = walor_db_exec(c, "UPDATE catalog_product SET hidden = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(p->hidden), walor_i(pid)));
        if (rc >= 0 && fid)
            rc = walor_db_exec(c, "UPDATE catalog_product SET photo_file_id = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(fid), walor_i(pid)));
        if (rc >= 0 && url)
            rc = walor_db_exec(c, "UPDATE catalog_product SET image_url = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(url), walor_i(pid)));
        if (rc >= 0 && p->nv == 0)
            rc = walor_db_exec(c, "UPDATE catalog_product SET price = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(p->price), walor_i(pid)));
        if (rc >= 0)
            rc = sync_variants(c, p, pid, 0);
        if (rc >= 0)
            rc = catalog_emit_changed(c, pid);
    }
    if (rc >= 0) {
        size_t nnew = 0, nch = 0;
        for (size_t i = 0; i < pl->np; i++)
            pl->p[i].id ? nch++ : nnew++;
        rc = walor_action_log(c, walor_ctx_printf(c, "импорт каталога: %zu новых товаров, %zu изменённых, %zu новых "
                                                     "категорий",
                                                  nnew, nch, *cats_created));
    }
    if (rc >= 0)
        rc = walor_tx_commit(c);
    if (rc < 0)
        walor_tx_rollback(c);
    return rc < 0 ? rc : 0;
}

