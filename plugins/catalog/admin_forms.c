/* catalog admin: the forms of the section "📦 Товары" (SDK 1.3). The host
 * asks each question with its "✖️ Отмена", checks the type (a name is one
 * line of 1–100 characters, a discount a whole number 0–99, a photo a
 * photo), says why and asks again; the validators here check what only the
 * catalog knows (a category that exists, a move that makes no cycle, HTML
 * Telegram accepts, variants, cross-sell IDs) and the on_done functions
 * write, log and show the next screen.
 *   adm_cat    a new category: its name;
 *   adm_ren    [OWNER] a new name for a category or a product;
 *   adm_sort   the order of one category's children: "c1 c3 p5 p2";
 *   adm_prod   a new product: category, name, price or variants, description,
 *              photo, then the summary with "✅ Создать";
 * and the pieces the field forms (admin_edit.c) share with them. Every
 * form carries "bk"/"bid": the screen its ✖️ and its end lead back to. */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "variants.h"

#define SORT_MAX 500 /* IDs on one sort screen */

#define T(c, key) walor_text((c), (key))
#define D(c) walor_conv_data(c)
#define I(d, k) walor_data_int((d), (k))
#define S(d, k) walor_data_str((d), (k))
static char *esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

/* starts form `name` with d (taken) and the screen to go back to */
int32_t catalog_adm_form_start(walor_ctx *c, const char *name, const char *step, json_t *d, const char *bk, int64_t bid)
{
    json_object_set_new(d, "bk", json_string(bk));
    json_object_set_new(d, "bid", json_integer((json_int_t)bid));
    int32_t rc = walor_conv_start(c, name, step, d);
    json_decref(d);
    return rc;
}

/* where ✖️ and the end of a form lead: "bk" = "p" (the product card) or "t" (the tree) */
int32_t catalog_adm_form_back(walor_ctx *c, json_t *d)
{
    return S(d, "bk")[0] == 'p' ? catalog_adm_product(c, I(d, "bid")) : catalog_adm_tree(c, I(d, "bid"), NULL);
}

int32_t catalog_adm_form_cancelled(walor_ctx *c) { return catalog_adm_form_back(c, D(c)); }

int32_t catalog_adm_form_saved(walor_ctx *c, json_t *d, const char *logline)
{
    catalog_adm_log(c, logline);
    walor_reply(c, T(c, "catalog.adm.saved"), NULL);
    return catalog_adm_form_back(c, d);
}

/* the object is gone while its form was open */

/* "корень каталога" or "c3 «Name»" as plain text */
const char *catalog_adm_plain_title(walor_ctx *c, int64_t id)
{
    catalog_adm_cat cr;
    if (id == 0)
        return T(c, "catalog.adm.root_name");
    if (catalog_adm_cat_get(c, id, &cr) != 1)
        return walor_ctx_printf(c, "c%lld", (long long)id);
    return walor_ctx_printf(c, "c%lld «%s»", (long long)id, cr.name);
}

/* ---- shared checks ---- */

/* "c3", "3", "0" or the quick answer "0" → an existing category (or 0 = the
 * root) in data "to" */
int32_t catalog_adm_parent_checked(walor_ctx *c, json_t *value, const char **why)
{
    const char *s = json_string_value(value);
    char kind = 0;
    int64_t id = 0;
    if (catalog_adm_parse_ref(s, &kind, &id) < 0 || kind == 'p') {
        *why = walor_textf(c, "catalog.adm.err.bad_ref", "ref", esc(c, catalog_cut(c, s, 40)), NULL);
        return WALOR_EINVAL;
    }
    catalog_adm_cat cr;
    int32_t rc = id ? catalog_adm_cat_get(c, id, &cr) : 1;
    if (rc < 0)
        return rc;
    if (rc == 0) {
        *why = walor_textf(c, "catalog.adm.err.no_cat", "ref", walor_ctx_printf(c, "c%lld", (long long)id), NULL);
        return WALOR_EINVAL;
    }
    json_object_set_new(D(c), "to", json_integer((json_int_t)id));
    return 0;
}

const walor_step_choice catalog_adm_root[1] = {{"0", "catalog.adm.btn.root"}};

/* a description, details or heading: "-" clears; the HTML must be sendable
 * as is, which the preview proves (the host refuses what Telegram would) */
int32_t catalog_adm_html_checked(walor_ctx *c, json_t *value, const char **why)
{
    const char *s = json_string_value(value);
    if (!strcmp(s, "-")) /* clears: html_of() reads it as "" */
        return 0;
    int32_t rc = walor_reply(c, walor_ctx_printf(c, "%s\n\n%s", T(c, "catalog.adm.desc_preview"), s), NULL);
    if (rc == WALOR_EINVAL || rc == WALOR_ELIMIT) {
        *why = walor_textf(c, "catalog.adm.err.html", "why", esc(c, walor_last_error(c)), NULL);
        return WALOR_EINVAL;
    }
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "catalog: description preview: %s", walor_last_error(c));
    return 0;
}

/* the text of an HTML step: "" for "-" or a skip */
const char *catalog_adm_html_of(json_t *d, const char *key)
{
    const char *s = S(d, key);
    return strcmp(s, "-") ? s : "";
}

/* price or variants typed in one step: "vars" (JSON [[label, kop, g], …]) and "price" */
int32_t catalog_adm_price_checked(walor_ctx *c, json_t *value, const char **why)
{
    const char *text = json_string_value(value);
    int64_t kop = 0;
    if (strlen(text) > CATALOG_VARIANTS_TEXT_MAX) {
        *why = "catalog.adm.err.var_long";
        return WALOR_EINVAL;
    }
    json_t *vars = json_array();
    if (strchr(text, ':')) {
        catalog_variant *v = NULL;
        size_t n = 0;
        char *errs = NULL;
        int rc = catalog_variants_parse(text, &v, &n, &errs);
        if (rc != CATALOG_OK) {
            json_decref(vars);
            if (rc == CATALOG_ENOMEM)
                return WALOR_ENOMEM;
            *why = walor_textf(c, "catalog.adm.err.variants", "errors", esc(c, errs ? errs : ""), NULL);
            free(errs);
            return WALOR_EINVAL;
        }
        for (size_t i = 0; i < n; i++)
            json_array_append_new(vars, json_pack("[sII]", v[i].label, (json_int_t)v[i].price_kop,
                                                  (json_int_t)v[i].weight_g));
        catalog_variants_free(v, n);
    } else {
        int rc = catalog_price_parse(text, &kop);
        if (rc != CATALOG_PRICE_OK || kop <= 0) {
            json_decref(vars);
            *why = walor_textf(c, "catalog.adm.err.price", "price", esc(c, catalog_cut(c, text, 40)), "why",
                               rc != CATALOG_PRICE_OK ? catalog_price_reason(rc) : T(c, "catalog.adm.err.zero"), NULL);
            return WALOR_EINVAL;
        }
    }
    json_object_set_new(D(c), "vars", vars);
    json_object_set_new(D(c), "price", json_integer((json_int_t)kop));
    return 0;
}

/* ---- adm_cat: a new category ---- */

static const char *newcat_ask(walor_ctx *c, json_t *d)
{
    return walor_textf(c, "catalog.adm.ask.cat_name", "parent", catalog_adm_cat_title(c, I(d, "parent")), NULL);
}

static int32_t newcat_done(walor_ctx *c, json_t *d)
{
    int64_t parent = I(d, "parent"), depth = 0, id = 0;
    const char *name = S(d, "name");
    if (parent != 0) {
        catalog_adm_cat cr;
        int32_t rc = catalog_adm_cat_get(c, parent, &cr);
        if (rc <= 0)
            return rc < 0 ? rc : catalog_adm_gone(c, 0);
        if (catalog_adm_cat_depth(c, parent, &depth) == 0 && depth >= CATALOG_ADM_MAX_DEPTH)
            return walor_form_retry(c, "name", walor_textf(c, "catalog.adm.err.depth", "max",
                                                           catalog_num(c, CATALOG_ADM_MAX_DEPTH), NULL));
    }
    int32_t rc = walor_db_int(c,
                              "INSERT INTO catalog_category(parent_id, name, name_lc, hidden, sort, created_at) "
                              "VALUES (?, ?, ?, 0, (SELECT coalesce(max(sort), 0) + 1 FROM catalog_category "
                              "WHERE parent_id = ?), ?) RETURNING id",
                              WALOR_ARGS(walor_i(parent), walor_s(name), walor_s(catalog_fold_ctx(c, name)),
                                         walor_i(parent), walor_i(walor_now(c))),
                              &id);
    if (rc < 0)
        return rc;
    catalog_adm_log(c, walor_ctx_printf(c, "создал раздел c%lld «%s» в %s", (long long)id, name,
                                 parent ? walor_ctx_printf(c, "c%lld", (long long)parent) : "корне каталога"));
    walor_reply(c, walor_textf(c, "catalog.adm.cat_created", "id", catalog_num(c, id), "name", esc(c, name), NULL), NULL);
    return catalog_adm_tree(c, id, NULL);
}

static const walor_step_def ST_CAT[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "name",
     .prompt = "catalog.adm.ask.cat_name", .prompt_fn = newcat_ask, .error = "catalog.adm.err.name", .min = 1,
     .max = CATALOG_ADM_NAME_MAX},
};

int32_t catalog_adm_new_category(walor_ctx *c, int64_t parent)
{
    return catalog_adm_form_start(c, "adm_cat", NULL, json_pack("{sI}", "parent", (json_int_t)parent), "t", parent);
}

/* ---- adm_ren [OWNER]: a new name ---- */

static const char *ren_ask(walor_ctx *c, json_t *d)
{
    const char *what = walor_ctx_printf(c, "%s%lld «%s»", S(d, "k")[0] == 'p' ? "p" : "c", (long long)I(d, "id"),
                                        esc(c, S(d, "old")));
    return walor_textf(c, "catalog.adm.ask.rename", "what", what, NULL);
}

static int32_t ren_done(walor_ctx *c, json_t *d)
{
    int is_p = S(d, "k")[0] == 'p';
    int64_t id = I(d, "id");
    const char *name = S(d, "name"), *old = NULL;
    int32_t rc = catalog_adm_name_of(c, is_p, id, &old, NULL);
    if (rc <= 0)
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    rc = is_p ? catalog_adm_prod_exec(c, id, "UPDATE catalog_product SET name = ?, name_lc = ?, updated_at = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(name), walor_s(catalog_fold_ctx(c, name)), walor_i(walor_now(c)),
                                          walor_i(id)))
              : walor_db_exec(c, "UPDATE catalog_category SET name = ?, name_lc = ? WHERE id = ?",
                              WALOR_ARGS(walor_s(name), walor_s(catalog_fold_ctx(c, name)), walor_i(id)));
    if (rc < 0)
        return rc;
    return catalog_adm_form_saved(c, d, walor_ctx_printf(c, "переименовал %s %s%lld «%s» → «%s»", is_p ? "товар" : "раздел",
                                        is_p ? "p" : "c", (long long)id, old, name));
}

static const walor_step_def ST_REN[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "name",
     .prompt = "catalog.adm.ask.rename", .prompt_fn = ren_ask, .error = "catalog.adm.err.name", .min = 1,
     .max = CATALOG_ADM_NAME_MAX},
};

int32_t catalog_adm_rename(walor_ctx *c, int is_product, int64_t id)
{
    const char *old = NULL;
    int32_t rc = catalog_adm_name_of(c, is_product, id, &old, NULL);
    if (rc <= 0)
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    return catalog_adm_form_start(c, "adm_ren", NULL,
                 json_pack("{sIssss}", "id", (json_int_t)id, "k", is_product ? "p" : "c", "old", old),
                 is_product ? "p" : "t", id);
}

/* ---- adm_sort: the order of one category's children ---- */

static const char *sort_ask(walor_ctx *c, json_t *d)
{
    int64_t parent = I(d, "parent");
    walor_rows *r = NULL;
    const char *list = "";
    if (walor_db_query(c,
                       "SELECT 0, id, name, hidden, sort FROM catalog_category WHERE parent_id = ? "
                       "UNION ALL SELECT 1, id, name, hidden, sort FROM catalog_product WHERE category_id = ? "
                       "ORDER BY 1, 5, 2 LIMIT 60",
                       WALOR_ARGS(walor_i(parent), walor_i(parent)), &r) == 0) {
        while (walor_row_next(r) == 1)
            list = walor_ctx_printf(c, "%s\n<code>%s%lld</code> %s%s", list, walor_col_int(r, 0) ? "p" : "c",
                                    (long long)walor_col_int(r, 1), esc(c, catalog_cut(c, walor_col_text(r, 2), 60)),
                                    walor_col_int(r, 3) ? " 🙈" : "");
        walor_rows_close(r);
    }
    return walor_textf(c, "catalog.adm.ask.sort", "where", catalog_adm_cat_title(c, parent), "list", list, NULL);
}

const char *catalog_adm_joined(walor_ctx *c, const char *list, const char *item)
{
    return walor_ctx_printf(c, "%s%s%s", list, *list ? ", " : "", item);
}

/* "c1 c3 p5 p2": every ID a child of this category, once; the order kept
 * in "order" as typed refs. Every bad, unknown and repeated ID is named. */
static int32_t sort_checked(walor_ctx *c, json_t *value, const char **why)
{
    json_t *d = D(c);
    int64_t parent = I(d, "parent");
    char *s = walor_ctx_printf(c, "%s", json_string_value(value));
    json_t *order = json_array();
    const char *bad = "", *unknown = "", *dups = "";
    int ntok = 0;
    char *save = NULL;
    for (char *tok = strtok_r(s, " ,;\n\t\r", &save); tok; tok = strtok_r(NULL, " ,;\n\t\r", &save)) {
        char kind = 0;
        int64_t id = 0, found = 0;
        if (++ntok > SORT_MAX) {
            json_decref(order);
            *why = walor_textf(c, "catalog.adm.err.sort_many", "max", catalog_num(c, SORT_MAX), NULL);
            return WALOR_EINVAL;
        }
        if (catalog_adm_parse_ref(tok, &kind, &id) < 0 || kind == 0) {
            bad = catalog_adm_joined(c, bad, esc(c, catalog_cut(c, tok, 30)));
            continue;
        }
        const char *ref = walor_ctx_printf(c, "%c%lld", kind, (long long)id);
        int seen = 0;
        size_t i;
        json_t *o;
        json_array_foreach(order, i, o)
            seen |= !strcmp(json_string_value(o), ref);
        if (seen) {
            dups = catalog_adm_joined(c, dups, ref);
            continue;
        }
        int32_t rc = walor_db_int(c,
                                  kind == 'c' ? "SELECT count(*) FROM catalog_category WHERE id = ? AND parent_id = ?"
                                              : "SELECT count(*) FROM catalog_product WHERE id = ? AND category_id = ?",
                                  WALOR_ARGS(walor_i(id), walor_i(parent)), &found);
        if (rc < 0) {
            json_decref(order);
            return rc;
        }
        if (!found)
            unknown = catalog_adm_joined(c, unknown, ref);
        else
            json_array_append_new(order, json_string(ref));
    }
    const char *errs = "";
    if (*bad)
        errs = walor_ctx_printf(c, "%s\n%s", errs, walor_textf(c, "catalog.adm.err.sort_bad", "list", bad, NULL));
    if (*unknown)
        errs = walor_ctx_printf(c, "%s\n%s", errs,
                                walor_textf(c, "catalog.adm.err.sort_unknown", "list", unknown, "where",
                                            catalog_adm_cat_title(c, parent), NULL));
    if (*dups)
        errs = walor_ctx_printf(c, "%s\n%s", errs, walor_textf(c, "catalog.adm.err.sort_dup", "list", dups, NULL));
    if (*errs || json_array_size(order) == 0) {
        json_decref(order);
        *why = *errs ? walor_ctx_printf(c, "%s\n%s", errs + 1, T(c, "catalog.adm.nothing_changed"))
                     : "catalog.adm.err.sort_empty";
        return WALOR_EINVAL;
    }
    json_object_set_new(d, "order", order);
    return 0;
}

/* one kind ('c' or 'p') of the children: the listed first in the given
 * order, the rest after them as they were */
static int32_t renumber(walor_ctx *c, int64_t parent, char kind, json_t *order)
{
    const char *upd = kind == 'c' ? "UPDATE catalog_category SET sort = ? WHERE id = ?"
                                  : "UPDATE catalog_product SET sort = ? WHERE id = ?";
    int64_t n = 0, id;
    size_t i;
    json_t *o;
    int32_t rc = 0;
    json_array_foreach(order, i, o)
        if (rc >= 0 && json_string_value(o)[0] == kind)
            rc = walor_db_exec(c, upd, WALOR_ARGS(walor_i(++n), walor_i(strtoll(json_string_value(o) + 1, NULL, 10))));
    walor_rows *r = NULL;
    if (rc >= 0)
        rc = walor_db_query(c,
                            kind == 'c' ? "SELECT id FROM catalog_category WHERE parent_id = ? ORDER BY sort, id"
                                        : "SELECT id FROM catalog_product WHERE category_id = ? ORDER BY sort, id",
                            WALOR_ARGS(walor_i(parent)), &r);
    if (rc < 0)
        return rc;
    int64_t cap = 64, m = 0, *rest = walor_ctx_alloc(c, (size_t)cap * sizeof *rest);
    while (rest && (rc = walor_row_next(r)) == 1) {
        id = walor_col_int(r, 0);
        const char *ref = walor_ctx_printf(c, "%c%lld", kind, (long long)id);
        int listed = 0;
        json_array_foreach(order, i, o)
            listed |= !strcmp(json_string_value(o), ref);
        if (listed)
            continue;
        if (m == cap) {
            int64_t *nr = walor_ctx_alloc(c, (size_t)cap * 2 * sizeof *nr);
            if (nr)
                memcpy(nr, rest, (size_t)m * sizeof *rest);
            rest = nr;
            cap *= 2;
            if (!rest)
                break;
        }
        rest[m++] = id;
    }
    walor_rows_close(r);
    if (!rest)
        return WALOR_ENOMEM;
    for (int64_t k = 0; rc >= 0 && k < m; k++)
        rc = walor_db_exec(c, upd, WALOR_ARGS(walor_i(n + 1 + k), walor_i(rest[k])));
    return rc < 0 ? rc : 0;
}

static int32_t sort_done(walor_ctx *c, json_t *d)
{
    int64_t parent = I(d, "parent");
    json_t *order = json_object_get(d, "order");
    const char *order_txt = "";
    size_t i;
    json_t *o;
    json_array_foreach(order, i, o)
        order_txt = walor_ctx_printf(c, "%s%s%s", order_txt, *order_txt ? " " : "", json_string_value(o));
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = renumber(c, parent, 'c', order);
    if (rc >= 0)
        rc = renumber(c, parent, 'p', order);
    if (rc >= 0)
        rc = catalog_adm_log(c, walor_ctx_printf(c, "изменил порядок в %s: %s",
                                          parent ? walor_ctx_printf(c, "разделе c%lld", (long long)parent)
                                                 : "корне каталога",
                                          order_txt));
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    walor_reply(c, T(c, "catalog.adm.sorted"), NULL);
    return catalog_adm_tree(c, parent, NULL);
}

static const walor_step_def ST_SORT[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "ids", .prompt = "catalog.adm.ask.sort",
     .prompt_fn = sort_ask, .validate = sort_checked},
};

int32_t catalog_adm_sort(walor_ctx *c, int64_t parent)
{
    return catalog_adm_form_start(c, "adm_sort", NULL, json_pack("{sI}", "parent", (json_int_t)parent), "t", parent);
}

/* ---- adm_prod: a new product ---- */

static const char *prod_name_ask(walor_ctx *c, json_t *d)
{
    return walor_textf(c, "catalog.adm.ask.prod_name", "cat", catalog_adm_cat_title(c, I(d, "cat")), NULL);
}

/* the product's category is "cat"; the shared check leaves it in "to" */
static int32_t prod_cat_checked(walor_ctx *c, json_t *value, const char **why)
{
    int32_t rc = catalog_adm_parent_checked(c, value, why);
    if (rc == 0)
        json_object_set_new(D(c), "cat", json_integer((json_int_t)I(D(c), "to")));
    return rc;
}

static const char *prod_summary(walor_ctx *c, json_t *d)
{
    const char *desc = catalog_adm_html_of(d, "desc");
    return walor_textf(c, "catalog.adm.ask.confirm", "name", esc(c, S(d, "name")), "cat", catalog_adm_cat_title(c, I(d, "cat")),
                       "price", catalog_adm_vars_html(c, json_object_get(d, "vars"), I(d, "price")), "desc",
                       *desc ? esc(c, catalog_cut(c, desc, 600)) : "—", "photo",
                       T(c, *S(d, "photo") ? "catalog.adm.yes" : "catalog.adm.no"), NULL);
}

static int32_t prod_done(walor_ctx *c, json_t *d)
{
    int64_t cat = I(d, "cat"), price = I(d, "price"), id = 0;
    const char *name = S(d, "name"), *desc = catalog_adm_html_of(d, "desc"), *photo = S(d, "photo");
    json_t *vars = json_object_get(d, "vars");
    catalog_adm_cat cr;
    int32_t rc = cat ? catalog_adm_cat_get(c, cat, &cr) : 1;
    if (rc <= 0)
        return rc < 0 ? rc : walor_form_retry(c, "cat", walor_textf(c, "catalog.adm.err.no_cat", "ref",
                                                                    walor_ctx_printf(c, "c%lld", (long long)cat), NULL));
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    int64_t now = walor_now(c);
    rc = walor_db_int(c,
                      "INSERT INTO catalog_product(category_id, name, name_lc, description, price, photo_file_id, "
                      "sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                      "(SELECT coalesce(max(sort), 0) + 1 FROM catalog_product WHERE category_id = ?), ?, ?) "
                      "RETURNING id",
                      WALOR_ARGS(walor_i(cat), walor_s(name), walor_s(catalog_fold_ctx(c, name)), walor_s(desc),
                                 walor_i(price), *photo ? walor_s(photo) : walor_null(), walor_i(cat), walor_i(now),
                                 walor_i(now)),
                      &id);
    if (rc >= 0)
        rc = catalog_adm_store_variants(c, id, vars, price);
    if (rc >= 0)
        rc = catalog_adm_log(c, walor_ctx_printf(c, "создал товар p%lld «%s» в %s: %s", (long long)id, name,
                                          cat ? walor_ctx_printf(c, "c%lld", (long long)cat) : "корне каталога",
                                          catalog_adm_vars_plain(c, vars, price)));
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    walor_answer(c, T(c, "catalog.adm.created"));
    if (*photo && catalog_photo_publish(c, id, photo) < 0)
        walor_log(c, WALOR_LOG_WARN, "catalog: image URL of product %lld not stored: %s", (long long)id,
                  walor_last_error(c));
    return catalog_adm_product(c, id);
}

static const walor_step_def ST_PROD[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "cat_ref",
     .prompt = "catalog.adm.ask.prod_cat", .label = "catalog.adm.btn.e_cat", .min = 1, .max = 40, .nchoices = 1,
     .choices = catalog_adm_root, .validate = prod_cat_checked},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "name",
     .prompt = "catalog.adm.ask.prod_name", .prompt_fn = prod_name_ask, .label = "catalog.adm.btn.e_name",
     .error = "catalog.adm.err.name", .min = 1, .max = CATALOG_ADM_NAME_MAX},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "price_in",
     .prompt = "catalog.adm.ask.price", .label = "catalog.adm.btn.e_var", .validate = catalog_adm_price_checked},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "desc", .prompt = "catalog.adm.ask.desc",
     .label = "catalog.adm.btn.e_desc", .error = "catalog.adm.err.desc", .max = CATALOG_ADM_DESC_MAX,
     .flags = WALOR_STEP_SKIP, .validate = catalog_adm_html_checked},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_PHOTO, .key = "photo", .prompt = "catalog.adm.ask.photo",
     .label = "catalog.adm.btn.e_photo", .error = "catalog.adm.err.not_photo", .flags = WALOR_STEP_SKIP},
};

int32_t catalog_adm_new_product(walor_ctx *c, int64_t cat)
{
    if (cat != 0) {
        catalog_adm_cat cr;
        int32_t rc = catalog_adm_cat_get(c, cat, &cr);
        if (rc <= 0)
            return rc < 0 ? rc : catalog_adm_gone(c, 0);
    }
    /* from a category: that category; from the root: asked */
    return catalog_adm_form_start(c, "adm_prod", cat ? "name" : NULL, json_pack("{sI}", "cat", (json_int_t)cat), "t", cat);
}

int32_t catalog_adm_forms_register(walor_plugin *p)
{
#define FORM(name_, role_, steps_, n_, done_, ...)                                                                  \
    {.struct_size = sizeof(walor_form_def), .min_role = (role_), .name = (name_), .steps = (steps_), .nsteps = (n_), \
     .timeout_s = CATALOG_ADM_FORM_TIMEOUT, .on_done = (done_), .on_cancel = catalog_adm_form_cancelled, __VA_ARGS__}
    const walor_form_def forms[] = {
        FORM("adm_cat", WALOR_ROLE_MANAGER, ST_CAT, 1, newcat_done),
        FORM("adm_ren", WALOR_ROLE_OWNER, ST_REN, 1, ren_done),
        FORM("adm_sort", WALOR_ROLE_MANAGER, ST_SORT, 1, sort_done),
        FORM("adm_prod", WALOR_ROLE_MANAGER, ST_PROD, sizeof ST_PROD / sizeof ST_PROD[0], prod_done,
             .summary_fn = prod_summary, .done_label = "catalog.adm.btn.create"),
    };
    int32_t rc = 0;
    for (size_t i = 0; !rc && i < sizeof forms / sizeof forms[0]; i++)
        rc = walor_form(p, &forms[i]);
    if (!rc) rc = catalog_adm_edit_register(p);
#undef FORM
    return rc;
}
