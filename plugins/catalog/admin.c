/* catalog: the staff section "📦 Товары" (README.md), its screens:
 *
 *   - the category tree for staff (hidden things shown, marked 🙈) as a
 *     paged list, with IDs (c3 = category 3, p5 = product 5) as the sort
 *     screen uses them;
 *   - categories (F-CAT-01): hide/show, delete [owner] when empty or
 *     "вместе с товарами";
 *   - products (F-CAT-02/03): the admin card with a button per field, delete
 *     [owner] with confirmation.
 * Creating, renaming, moving, ordering and editing are forms (admin_forms.c).
 *
 * Roles are enforced by the host: callback prefix "cadm" and the forms
 * adm_* need MANAGER; prefix "cown" and the rename form need OWNER.
 * Handlers still re-check that the object exists, since callback data can
 * be stale or forged. Every change is written to the action log with the
 * object's ID and name. */
#include <stdlib.h>
#include <string.h>

#include "admin.h"

#define ADM_PAGE 20      /* rows of the staff tree per page */
#define ADM_LABEL_MAX 60 /* bytes of a list button label */

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }
static char *esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

int32_t catalog_adm_gone(walor_ctx *c, int64_t back_cat)
{
    if (walor_in_callback(c))
        walor_alert(c, T(c, "catalog.adm.gone"));
    else
        walor_reply(c, T(c, "catalog.adm.gone"), NULL);
    return catalog_adm_tree(c, back_cat, NULL);
}

/* ---- the tree ---- */

static const char *tree_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    int64_t kind = walor_col_int(r, 0), id = walor_col_int(r, 1);
    const char *nm = walor_col_text(r, 2);
    const char *label = walor_textf(c, kind == 0 ? "catalog.adm.btn.folder" : "catalog.adm.btn.product", "id",
                                    catalog_num(c, id), "name", nm ? nm : "", NULL);
    /* the 🙈 mark must survive the cut: put it first */
    if (walor_col_int(r, 3))
        label = walor_ctx_printf(c, "%s %s", T(c, "catalog.adm.hidden_mark"), label);
    walor_kb_button(kb, catalog_cut(c, label, ADM_LABEL_MAX),
                    walor_ctx_printf(c, kind == 0 ? "cadm:t:%lld:0" : "cadm:p:%lld", (long long)id));
    return NULL;
}

/* the sections and products of one category as buttons, by pages, and what
 * staff can do there */
int32_t catalog_adm_tree(walor_ctx *c, int64_t cat_id, const char *page)
{
    catalog_adm_cat cr = {0, 0, 0, ""};
    int32_t rc;
    if (cat_id != 0) {
        rc = catalog_adm_cat_get(c, cat_id, &cr);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            if (walor_in_callback(c))
                walor_alert(c, T(c, "catalog.adm.gone"));
            cat_id = 0;
            page = NULL;
        }
    }
    int64_t total = 0;
    rc = walor_db_int(c,
                      "SELECT (SELECT count(*) FROM catalog_category WHERE parent_id = ?) + "
                      "(SELECT count(*) FROM catalog_product WHERE category_id = ?)",
                      WALOR_ARGS(walor_i(cat_id), walor_i(cat_id)), &total);
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "catalog.adm.btn.new_cat"), walor_ctx_printf(c, "cadm:nc:%lld", (long long)cat_id));
    walor_kb_button(kb, T(c, "catalog.adm.btn.new_prod"), walor_ctx_printf(c, "cadm:np:%lld", (long long)cat_id));
    walor_kb_row(kb);
    if (total > 1) {
        walor_kb_button(kb, T(c, "catalog.adm.btn.sort"), walor_ctx_printf(c, "cadm:s:%lld", (long long)cat_id));
        walor_kb_row(kb);
    }
    if (cat_id != 0) {
        walor_kb_button(kb, T(c, cr.hidden ? "catalog.adm.btn.show" : "catalog.adm.btn.hide"),
                        walor_ctx_printf(c, "cadm:h:%lld", (long long)cat_id));
        walor_kb_button(kb, T(c, "catalog.adm.btn.move"), walor_ctx_printf(c, "cadm:mv:%lld", (long long)cat_id));
        walor_kb_row(kb);
        if (walor_ctx_role(c) >= WALOR_ROLE_OWNER) {
            walor_kb_button(kb, T(c, "catalog.adm.btn.rename"), walor_ctx_printf(c, "cown:rc:%lld", (long long)cat_id));
            walor_kb_button(kb, T(c, "catalog.adm.btn.delete"), walor_ctx_printf(c, "cown:dc:%lld", (long long)cat_id));
            walor_kb_row(kb);
        }
        walor_kb_button(kb, T(c, "catalog.adm.btn.up"), walor_ctx_printf(c, "cadm:t:%lld:0", (long long)cr.parent));
    }
    walor_kb_button(kb, T(c, "catalog.adm.btn.admin"), "cadm:a");
    const char *head = cat_id == 0 ? T(c, "catalog.adm.tree.root")
                                   : walor_textf(c, "catalog.adm.tree.cat", "id", catalog_num(c, cat_id), "name",
                                                 esc(c, catalog_cut(c, cr.name, 300)), "parent",
                                                 catalog_adm_cat_title(c, cr.parent), "status",
                                                 T(c, cr.hidden ? "catalog.adm.status.hidden"
                                                                : "catalog.adm.status.shown"),
                                                 NULL);
    walor_val args[] = {walor_i(cat_id), walor_i(cat_id)};
    walor_list_def l = {.struct_size = sizeof l, .page_size = ADM_PAGE, .row = tree_row,
                        .sql = "SELECT 0 AS kind, id, name, hidden, sort FROM catalog_category WHERE parent_id = ? "
                               "UNION ALL SELECT 1, id, name, hidden, sort FROM catalog_product WHERE category_id = ? "
                               "ORDER BY 1, 5, 2",
                        .args = args, .nargs = 2, .page_data = walor_ctx_printf(c, "cadm:t:%lld:", (long long)cat_id),
                        .header = head,
                        .empty = walor_ctx_printf(c, "%s\n\n%s", head, T(c, "catalog.adm.tree.empty")),
                        .buttons = kb};
    return walor_list_show(c, &l, page);
}

static const char *variants_text(walor_ctx *c, int64_t pid, int64_t base_price, int64_t *count)
{
    walor_rows *r = NULL;
    *count = 0;
    if (walor_db_query(c, "SELECT label, price, weight_g FROM catalog_variant WHERE product_id = ? ORDER BY sort, no",
                       WALOR_ARGS(walor_i(pid)), &r) < 0)
        return "?";
    const char *out = "";
    while (walor_row_next(r) == 1) {
        int64_t w = walor_col_int(r, 2);
        const char *line = walor_ctx_printf(c, "  • %s — %s%s", esc(c, walor_col_text(r, 0)),
                                            walor_money(c, walor_col_int(r, 1)),
                                            w > 0 ? walor_ctx_printf(c, ", %lld г", (long long)w) : "");
        out = walor_ctx_printf(c, "%s\n%s", out, line);
        (*count)++;
    }
    walor_rows_close(r);
    if (*count == 0)
        return walor_money(c, base_price);
    return out;
}

int32_t catalog_adm_product(walor_ctx *c, int64_t pid)
{
    catalog_adm_prod p;
    int32_t rc = catalog_adm_prod_get(c, pid, &p);
    if (rc <= 0) /* gone meanwhile, or a forged id */
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    int64_t nv = 0;
    const char *vars = variants_text(c, pid, p.price, &nv);
    const char *html = walor_textf(
        c, "catalog.adm.card", "id", catalog_num(c, pid), "name", esc(c, catalog_cut(c, p.name, 300)), "cat", catalog_adm_cat_title(c, p.cat),
        "price_label", T(c, nv ? "catalog.adm.card.variants" : "catalog.adm.card.price"), "price", vars, "unit",
        *p.unit ? esc(c, p.unit) : "—", "desc", *p.desc ? esc(c, catalog_cut(c, p.desc, 600)) : "—", "details",
        T(c, *p.details ? "catalog.adm.yes" : "catalog.adm.no"), "photo",
        T(c, *p.photo ? "catalog.adm.yes" : "catalog.adm.no"), "disc", catalog_num(c, p.disc), "low", catalog_num(c, p.low),
        "status", T(c, p.hidden ? "catalog.adm.status.hidden" : "catalog.adm.status.shown"), "xids",
        *p.xids ? esc(c, catalog_adm_xids_shown(c, p.xids)) : "—", "xtext", *p.xtext ? esc(c, catalog_cut(c, p.xtext, 200)) : "—",
        NULL);
    walor_kb *kb = walor_kb_new(c);
#define EB(key, f) walor_kb_button(kb, T(c, key), walor_ctx_printf(c, "cadm:e:%lld:" f, (long long)pid))
    if (walor_ctx_role(c) >= WALOR_ROLE_OWNER)
        walor_kb_button(kb, T(c, "catalog.adm.btn.e_name"), walor_ctx_printf(c, "cown:rp:%lld", (long long)pid));
    EB("catalog.adm.btn.e_var", "var");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_desc", "desc");
    EB("catalog.adm.btn.e_details", "det");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_photo", "photo");
    EB("catalog.adm.btn.e_unit", "unit");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_disc", "disc");
    EB("catalog.adm.btn.e_low", "low");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_cat", "cat");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_xids", "xids");
    EB("catalog.adm.btn.e_xtext", "xtext");
    walor_kb_row(kb);
#undef EB
    walor_kb_button(kb, T(c, p.hidden ? "catalog.adm.btn.show" : "catalog.adm.btn.hide"),
                    walor_ctx_printf(c, "cadm:ph:%lld", (long long)pid));
    walor_kb_row(kb);
    if (walor_ctx_role(c) >= WALOR_ROLE_OWNER) {
        walor_kb_button(kb, T(c, "catalog.adm.btn.delete"), walor_ctx_printf(c, "cown:dp:%lld", (long long)pid));
        walor_kb_row(kb);
    }
    walor_kb_button(kb, T(c, "catalog.adm.btn.to_cat"), walor_ctx_printf(c, "cadm:t:%lld:0", (long long)p.cat));
    walor_kb_button(kb, T(c, "catalog.adm.btn.admin"), "cadm:a");
    return walor_show(c, html, kb);
}

/* ---- simple actions ---- */

/* 🙈 / 👁 of a product (is_p) or a category */
static int32_t toggle(walor_ctx *c, int is_p, int64_t id)
{
    const char *name;
    int64_t hidden = 0;
    int32_t rc = catalog_adm_name_of(c, is_p, id, &name, &hidden);
    if (rc <= 0)
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    int64_t nh = !hidden;
    rc = is_p ? catalog_adm_prod_exec(c, id, "UPDATE catalog_product SET hidden = ?, updated_at = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(nh), walor_i(walor_now(c)), walor_i(id)))
              : walor_db_exec(c, "UPDATE catalog_category SET hidden = ? WHERE id = ?",
                              WALOR_ARGS(walor_i(nh), walor_i(id)));
    if (rc < 0)
        return rc;
    catalog_adm_log(c, walor_ctx_printf(c, "%s %s %c%lld «%s»", nh ? "скрыл" : "показал", is_p ? "товар" : "раздел",
                                 is_p ? 'p' : 'c', (long long)id, name));
    walor_answer(c, T(c, nh ? "catalog.adm.hidden_done" : "catalog.adm.shown_done"));
    return is_p ? catalog_adm_product(c, id) : catalog_adm_tree(c, id, NULL);
}

/* a category with all below it (*n of them, itself first) and the products in them */
static int32_t contents(walor_ctx *c, int64_t id, int64_t **ids, int64_t *n, int64_t *nprod)
{
    int32_t rc = catalog_adm_subtree(c, id, ids, n, NULL);
    *nprod = 0;
    for (int64_t i = 0; rc >= 0 && i < *n; i++) {
        int64_t k = 0;
        rc = walor_db_int(c, "SELECT count(*) FROM catalog_product WHERE category_id = ?",
                          WALOR_ARGS(walor_i((*ids)[i])), &k);
        *nprod += k;
    }
    return rc < 0 ? rc : 0;
}

static int32_t ask_delete_cat(walor_ctx *c, int64_t id)
{
    catalog_adm_cat cr;
    int32_t rc = catalog_adm_cat_get(c, id, &cr);
    if (rc <= 0) /* gone meanwhile, or a forged id */
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    int64_t *ids = NULL, n = 0, nprod = 0;
    if ((rc = contents(c, id, &ids, &n, &nprod)) < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    const char *html;
    if (n == 1 && nprod == 0) {
        html = walor_textf(c, "catalog.adm.del_cat.empty", "id", catalog_num(c, id), "name", esc(c, cr.name), NULL);
        walor_kb_button(kb, T(c, "catalog.adm.btn.del_yes"), walor_ctx_printf(c, "cown:dcy:%lld", (long long)id));
    } else {
        html = walor_textf(c, "catalog.adm.del_cat.full", "id", catalog_num(c, id), "name", esc(c, cr.name), "cats",
                           catalog_num(c, n - 1), "prods", catalog_num(c, nprod), NULL);
        walor_kb_button(kb, T(c, "catalog.adm.btn.del_all"), walor_ctx_printf(c, "cown:dca:%lld", (long long)id));
    }
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "catalog.adm.btn.cancel"), walor_ctx_printf(c, "cadm:t:%lld:0", (long long)id));
    return walor_show(c, html, kb);
}

/* one by one, so that each product's cart lines go and its event fires */
static int32_t delete_products_in(walor_ctx *c, int64_t cat)
{
    int64_t n = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM catalog_product WHERE category_id = ?", WALOR_ARGS(walor_i(cat)),
                              &n);
    if (rc < 0 || n == 0)
        return rc < 0 ? rc : 0;
    int64_t *ids = walor_ctx_alloc(c, (size_t)n * sizeof *ids), k = 0;
    if (!ids)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    rc = walor_db_query(c, "SELECT id FROM catalog_product WHERE category_id = ?", WALOR_ARGS(walor_i(cat)), &r);
    if (rc < 0)
        return rc;
    while (k < n && (rc = walor_row_next(r)) == 1)
        ids[k++] = walor_col_int(r, 0);
    walor_rows_close(r);
    for (int64_t i = 0; rc >= 0 && i < k; i++)
        rc = catalog_product_delete(c, ids[i]);
    return rc;
}

/* with_all = 0: only an empty category (re-checked here) */
static int32_t delete_cat(walor_ctx *c, int64_t id, int with_all)
{
    catalog_adm_cat cr;
    int32_t rc = catalog_adm_cat_get(c, id, &cr);
    if (rc <= 0) /* gone meanwhile, or a forged id */
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    int64_t *ids = NULL, n = 0, nprod = 0;
    rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = contents(c, id, &ids, &n, &nprod);
    if (rc >= 0 && !with_all && (n > 1 || nprod > 0)) {
        walor_tx_rollback(c);
        return ask_delete_cat(c, id); /* something arrived meanwhile: ask again */
    }
    for (int64_t i = 0; rc >= 0 && i < n; i++) {
        rc = delete_products_in(c, ids[i]);
        if (rc >= 0)
            rc = walor_db_exec(c, "DELETE FROM catalog_category WHERE id = ?", WALOR_ARGS(walor_i(ids[i])));
    }
    if (rc >= 0)
        rc = catalog_adm_log(c, n > 1 || nprod > 0
                               ? walor_ctx_printf(c, "удалил раздел c%lld «%s» вместе с содержимым: подразделов %lld, "
                                                     "товаров %lld",
                                                  (long long)id, cr.name, (long long)(n - 1), (long long)nprod)
                               : walor_ctx_printf(c, "удалил раздел c%lld «%s»", (long long)id, cr.name));
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    walor_answer(c, T(c, "catalog.adm.deleted"));
    return catalog_adm_tree(c, cr.parent, NULL);
}

static int32_t ask_delete_prod(walor_ctx *c, int64_t id)
{
    catalog_adm_prod p;
    int32_t rc = catalog_adm_prod_get(c, id, &p);
    if (rc <= 0) /* gone meanwhile, or a forged id */
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "catalog.adm.btn.del_yes"), walor_ctx_printf(c, "cown:dpy:%lld", (long long)id));
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "catalog.adm.btn.cancel"), walor_ctx_printf(c, "cadm:p:%lld", (long long)id));
    return walor_show(c, walor_textf(c, "catalog.adm.del_prod", "id", catalog_num(c, id), "name", esc(c, p.name), NULL), kb);
}

static int32_t delete_prod(walor_ctx *c, int64_t id)
{
    catalog_adm_prod p;
    int32_t rc = catalog_adm_prod_get(c, id, &p);
    if (rc <= 0) /* gone meanwhile, or a forged id */
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = catalog_product_delete(c, id);
    if (rc >= 0)
        rc = catalog_adm_log(c, walor_ctx_printf(c, "удалил товар p%lld «%s»", (long long)id, p.name));
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    walor_answer(c, T(c, "catalog.adm.deleted"));
    return catalog_adm_tree(c, p.cat, NULL);
}

/* ---- entry points ---- */

/* "12" → 12; "12:3" → 12 and "3" in *page */
static int split_page(walor_ctx *c, const char *s, int64_t *id, const char **page)
{
    const char *colon = strchr(s, ':');
    *page = colon ? colon + 1 : NULL;
    return catalog_adm_parse_num(colon ? walor_ctx_printf(c, "%.*s", (int)(colon - s), s) : s, id);
}

/* prefix cadm, MANAGER */
static int32_t on_adm(walor_ctx *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t vl = colon ? (size_t)(colon - arg) : strlen(arg);
    const char *rest = colon ? colon + 1 : "", *page = NULL;
    int64_t a = 0;
#define IS(v) (vl == strlen(v) && !strncmp(arg, v, vl))
    if (IS("a"))
        return walor_show_admin_menu(c);
    if (IS("e")) { /* e:<id>:<field> */
        const char *f = strchr(rest, ':');
        if (!f || split_page(c, walor_ctx_printf(c, "%.*s", (int)(f - rest), rest), &a, &page) < 0)
            return catalog_adm_tree(c, 0, NULL);
        return catalog_adm_edit(c, a, f + 1);
    }
    if (split_page(c, rest, &a, &page) < 0)
        return catalog_adm_tree(c, 0, NULL);
    if (IS("t"))
        return catalog_adm_tree(c, a, page);
    if (IS("p"))
        return catalog_adm_product(c, a);
    if (IS("h") || IS("ph"))
        return toggle(c, arg[0] == 'p', a);
    if (IS("nc"))
        return catalog_adm_new_category(c, a);
    if (IS("np"))
        return catalog_adm_new_product(c, a);
    if (IS("s"))
        return catalog_adm_sort(c, a);
    if (IS("mv"))
        return catalog_adm_edit(c, a, "move");
#undef IS
    return catalog_adm_tree(c, 0, NULL);
}

/* prefix cown, OWNER: rename, delete */
static int32_t on_own(walor_ctx *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    int64_t id = 0;
    if (!colon || catalog_adm_parse_num(colon + 1, &id) < 0)
        return catalog_adm_tree(c, 0, NULL);
    size_t vl = (size_t)(colon - arg);
#define IS(v) (vl == strlen(v) && !strncmp(arg, v, vl))
    if (IS("rc") || IS("rp"))
        return catalog_adm_rename(c, arg[1] == 'p', id);
    if (IS("dc"))
        return ask_delete_cat(c, id);
    if (IS("dcy"))
        return delete_cat(c, id, 0);
    if (IS("dca"))
        return delete_cat(c, id, 1);
    if (IS("dp"))
        return ask_delete_prod(c, id);
    if (IS("dpy"))
        return delete_prod(c, id);
#undef IS
    return catalog_adm_tree(c, 0, NULL);
}

static int32_t on_menu(walor_ctx *c)
{
    catalog_demo_ensure(c);
    return catalog_adm_tree(c, 0, NULL);
}

int32_t catalog_admin_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                                 .order = 100, .id = "products", .label = "📦 Товары", .on_press = on_menu,
                                 .group = WALOR_MENU_GROUP_GOODS};
    const walor_callback_def adm = {.struct_size = sizeof adm, .min_role = WALOR_ROLE_MANAGER, .prefix = "cadm",
                                    .handler = on_adm};
    const walor_callback_def own = {.struct_size = sizeof own, .min_role = WALOR_ROLE_OWNER, .prefix = "cown",
                                    .handler = on_own};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &adm);
    if (!rc) rc = walor_callback(p, &own);
    if (!rc) rc = catalog_adm_forms_register(p);
    if (!rc) rc = catalog_adm_texts_register(p);
    return rc;
}
