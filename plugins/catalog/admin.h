/* catalog: the staff side, admin panel section "📦 Товары" — what its files
 * share (the entry point, catalog_admin_register(), is in catalog.h):
 *   admin.c        the screens: the tree (a paged list), the product card,
 *                  hide/show, delete, and the callbacks that lead to them;
 *   admin_forms.c  the SDK 1.3 forms: a new category, rename, the order of
 *                  a category, a new product, and the pieces all forms share;
 *   admin_edit.c   the forms of one field of a product or a category's parent;
 *   admin_model.c  reads and writes the screens and forms share;
 *   admin_texts.c  the texts and the help section.
 * Names are catalog_adm_* after the section's callback prefix. */
#ifndef CATALOG_ADMIN_H
#define CATALOG_ADMIN_H

#include "catalog.h"

#define CATALOG_ADM_NAME_MAX 100  /* code points of a category/product name */
#define CATALOG_ADM_MAX_DEPTH 30  /* nesting levels of categories (the browser walks 32) */
#define CATALOG_ADM_XIDS_MAX 10   /* cross-sell product IDs of one product (the cart shows 3) */
#define CATALOG_ADM_FORM_TIMEOUT 1800
#define CATALOG_ADM_DESC_MAX 3000 /* code points of a description / details */


/* ---- admin_model.c ---- */

typedef struct catalog_adm_cat {
    int64_t id, parent, hidden;
    const char *name;
} catalog_adm_cat;

typedef struct catalog_adm_prod {
    int64_t id, cat, price, hidden, disc, low, sort;
    const char *name, *desc, *details, *unit, *photo, *xtext, *xids;
} catalog_adm_prod;

/* 1 found, 0 missing, < 0 error */
int32_t catalog_adm_cat_get(walor_ctx *c, int64_t id, catalog_adm_cat *out);
int32_t catalog_adm_prod_get(walor_ctx *c, int64_t id, catalog_adm_prod *p);
/* the name and hidden flag of a product (is_product) or a category; 1, 0, < 0 as above */
int32_t catalog_adm_name_of(walor_ctx *c, int is_product, int64_t id, const char **name, int64_t *hidden);
/* levels from the root: a root child is 1; -1 on a loop, < -1 error */
int32_t catalog_adm_cat_depth(walor_ctx *c, int64_t id, int64_t *depth);
/* the category and all below it, breadth first; *height = levels below it
 * (may be NULL); WALOR_ELIMIT past 5 000 categories */
int32_t catalog_adm_subtree(walor_ctx *c, int64_t root, int64_t **ids, int64_t *n, int64_t *height);
/* "корень каталога" or "c3 «Name»", HTML */
const char *catalog_adm_cat_title(walor_ctx *c, int64_t id);
/* stored "5 7 12" → "p5 p7 p12" as staff type them */
const char *catalog_adm_xids_shown(walor_ctx *c, const char *ids);
/* "c12" / "с12" (Cyrillic) / "C12" → 'c', 12; "p5" / "р5" → 'p', 5; a bare
 * number → kind 0. -1 if malformed. */
int catalog_adm_parse_ref(const char *s, char *kind, int64_t *id);
int catalog_adm_parse_num(const char *s, int64_t *out);
/* the action log; a failure is logged, not fatal */
int32_t catalog_adm_log(walor_ctx *c, const char *what);
/* one UPDATE of product pid and its catalog.product_changed event, committed together */
int32_t catalog_adm_prod_exec(walor_ctx *c, int64_t pid, const char *sql, const walor_val *args, uint32_t nargs);
/* the variants of a product (JSON [[label, kop, g], …]) or its one price,
 * in the caller's transaction: a label that stays keeps its number */
int32_t catalog_adm_store_variants(walor_ctx *c, int64_t pid, json_t *vars, int64_t price);
/* the variants for a message (HTML) and for the action log */
const char *catalog_adm_vars_html(walor_ctx *c, json_t *vars, int64_t price);
const char *catalog_adm_vars_plain(walor_ctx *c, json_t *vars, int64_t price);

/* ---- admin.c ---- */

/* the tree at category cat_id (0 = the root); page: the digits of a ◀️ ▶️ button, NULL for the first */
int32_t catalog_adm_tree(walor_ctx *c, int64_t cat_id, const char *page);
int32_t catalog_adm_product(walor_ctx *c, int64_t pid);
/* "Этого раздела или товара больше нет", then the tree at back_cat */
int32_t catalog_adm_gone(walor_ctx *c, int64_t back_cat);

/* ---- admin_forms.c ---- */

/* from the tree and the card: each starts its form, the object checked */
int32_t catalog_adm_new_category(walor_ctx *c, int64_t parent);
int32_t catalog_adm_new_product(walor_ctx *c, int64_t cat);
int32_t catalog_adm_sort(walor_ctx *c, int64_t parent);
int32_t catalog_adm_rename(walor_ctx *c, int is_product, int64_t id); /* OWNER */
int32_t catalog_adm_forms_register(walor_plugin *p);

/* what every form shares: starts form `name` (at step, NULL = the first)
 * with d (taken) and the screen its end leads back to ("p"/"t" and an id) */
int32_t catalog_adm_form_start(walor_ctx *c, const char *name, const char *step, json_t *d, const char *bk, int64_t bid);
int32_t catalog_adm_form_back(walor_ctx *c, json_t *d);
int32_t catalog_adm_form_cancelled(walor_ctx *c);                              /* every form's on_cancel */
int32_t catalog_adm_form_saved(walor_ctx *c, json_t *d, const char *logline); /* logged, "✅ Сохранено.", back */
/* "корень каталога" or "c3 «Name»", plain text (a form's data) */
const char *catalog_adm_plain_title(walor_ctx *c, int64_t id);
/* "a, b" + item */
const char *catalog_adm_joined(walor_ctx *c, const char *list, const char *item);
/* validators: a category by "c3"/"3"/"0" into data "to"; HTML Telegram
 * takes ("-" clears, catalog_adm_html_of reads it as ""); a price or variants into
 * data "price" and "vars" */
int32_t catalog_adm_parent_checked(walor_ctx *c, json_t *value, const char **why);
int32_t catalog_adm_html_checked(walor_ctx *c, json_t *value, const char **why);
const char *catalog_adm_html_of(json_t *d, const char *key);
int32_t catalog_adm_price_checked(walor_ctx *c, json_t *value, const char **why);
extern const walor_step_choice catalog_adm_root[1]; /* the quick answer "🗂 В корень каталога" */

/* ---- admin_edit.c ---- */

/* one field of product id ("var", "desc", …), or "move" for category id */
int32_t catalog_adm_edit(walor_ctx *c, int64_t id, const char *field);
int32_t catalog_adm_edit_register(walor_plugin *p);

/* ---- admin_texts.c ---- */

int32_t catalog_adm_texts_register(walor_plugin *p);

#endif
