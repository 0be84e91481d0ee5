/* catalog: internal declarations shared by the plugin's files. */
#ifndef CATALOG_H
#define CATALOG_H

#include <walor/plugin.h>
#include <walor/services/stock.h>

/* the search form of s (text.h catalog_fold) in the ctx arena */
char *catalog_fold_ctx(walor_ctx *c, const char *s);

/* loads the demo catalog once, when [plugin.catalog] demo = yes and the
 * catalog is empty (demo.c); 0 or a negative WALOR_E* */
int32_t catalog_demo_load(walor_ctx *c);
/* catalog_demo_load() at every way into the catalog's data: its screens,
 * the staff's "Товары" and the catalog service other plugins read (the
 * warehouse's demo stock needs the demo products even when the owner opens
 * "Склад" before anybody opened the catalog). Inside a caller's transaction
 * it waits for the next read: the load is a transaction of its own. Failures
 * are logged. */
void catalog_demo_ensure(walor_ctx *c);

/* the customer's catalog at category cat_id (0 = the root): a paged list;
 * page: the digits of a ◀️ ▶️ button, NULL for the first (catalog.c) */
int32_t catalog_show_category(walor_ctx *c, int64_t cat_id, const char *page);
/* "🏠 Главное меню" on a row of its own under a customer's screen */
void catalog_nav_tail(walor_ctx *c, walor_kb *kb);
/* the search: /search, the form "search" (search.c); called from load() */
int32_t catalog_search_register(walor_plugin *p);

/* the one seam between the card and the cart: a variant button was
 * pressed (variant_no 0 = a product without variants) */
int32_t catalog_add_to_cart(walor_ctx *c, int64_t product_id, int64_t variant_no);

/* ---- the cart (cart.c) ---- */

/* SQL of the catalog_cart table: catalog.c registers it in its numbered
 * migration list */
extern const char catalog_cart_migration[];

/* registers the cart's menu button, callbacks ("cart"), /cart, the
 * quantity conversation, texts, the `cart` service and the wipe hook */
int32_t catalog_cart_register(walor_plugin *p);

/* a variant button of the card: add one unit (checks, toast) */
int32_t catalog_cart_add(walor_ctx *c, int64_t product_id, int64_t variant_no);
/* the same; *added = 1 when the line went in (0: refused, the user was told why) */
int32_t catalog_cart_add_ex(walor_ctx *c, int64_t product_id, int64_t variant_no, int *added);
/* "🛒 Корзина (N)" for the acting user, NULL when the cart is empty */
const char *catalog_cart_label(walor_ctx *c);

/* draw the cart of walor_ctx_user_id(c) (edits the pressed message) */
int32_t catalog_cart_show(walor_ctx *c);

/* Excel / CSV import and export (import*.c, F-CAT-07): the owner's admin
 * button, conversation and help; called from load() */
int32_t catalog_import_register(walor_plugin *p);

/* admin.c (admin.h): the admin panel section "📦 Товары" (menu button,
 * callback prefixes "cadm" [MANAGER] and "cown" [OWNER], forms adm_*, texts
 * catalog.adm.*, help); called from load(); 0 or a negative WALOR_E* */
int32_t catalog_admin_register(walor_plugin *p);


/* ---- the catalog service and product events (service.c) ---- */

/* provides the `catalog` service 1.0 (<walor/services/catalog.h>) */
int32_t catalog_service_register(walor_plugin *p);

/* catalog.product_changed for product pid, in the caller's transaction
 * (or on its own when none is open) */
int32_t catalog_emit_changed(walor_ctx *c, int64_t pid);

/* deletes product pid with its variants, back-in-stock subscriptions and
 * cart lines, and emits catalog.product_deleted; the caller holds the
 * transaction. 0 or a negative WALOR_E* */
int32_t catalog_product_delete(walor_ctx *c, int64_t pid);

/* cart.c: drops every cart line of product pid (cart.changed for each
 * customer who had one), in the caller's transaction */
int32_t catalog_cart_drop_product(walor_ctx *c, int64_t pid);

/* ---- the optional external image host (imghost.c, F-CAT-11) ---- */

/* texts; called from load() */
int32_t catalog_imghost_register(walor_plugin *p);

/* [plugin.catalog] imghost_url and imghost_key are both set */
int catalog_imghost_enabled(walor_ctx *c);

/* after a new photo file_id of product pid was committed (never inside a
 * transaction): uploads it to the image host when one is configured and
 * stores the public URL if the product still has that photo; tells the
 * staff member the outcome. On failure the file_id stays. 0 or a negative
 * WALOR_E* (database errors only) */
int32_t catalog_photo_publish(walor_ctx *c, int64_t pid, const char *file_id);

/* shared by catalog.c, cart.c and admin.c */
/* "%<folded q with \ % _ escaped>%" for LIKE ... ESCAPE '\' on name_lc */
char *catalog_like_pattern(walor_ctx *c, const char *q);
char *catalog_cut(walor_ctx *c, const char *s, size_t max);   /* arena copy cut on a UTF-8 boundary */
char *catalog_num(walor_ctx *c, int64_t n);
int64_t catalog_discounted(int64_t price, int64_t pct);        /* half-up to a kopeck */
int32_t catalog_category_visible(walor_ctx *c, int64_t id);   /* 1 visible, 0 hidden/missing, < 0 error */
const walor_stock_v1 *catalog_stock_svc(walor_ctx *c);        /* NULL without a warehouse */
/* available quantity; WALOR_STOCK_UNTRACKED without a warehouse or on error */
int64_t catalog_stock_of(walor_ctx *c, const walor_stock_v1 *s, int64_t pid, int64_t vno);

#endif
