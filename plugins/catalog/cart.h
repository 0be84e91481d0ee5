/* catalog: the cart's model (cart_model.c), shared by the cart's screen
 * and service (cart.c). */
#ifndef CATALOG_CART_H
#define CATALOG_CART_H

#include <walor/services/cart.h>

#include "catalog.h"

#define CATALOG_CART_MAX_LINES 20 /* 20 lines × 4 buttons + extras stay under Telegram's 100 buttons */
#define CATALOG_CART_MAX_QTY 999  /* units of one line */

typedef struct catalog_cart_row {
    walor_cart_line l;
    int64_t category_id;
    const char *crosssell_text; /* merchant HTML, "" if none */
    const char *crosssell_ids;
} catalog_cart_row;

/* why a line may not grow (CATALOG_CART_OK_ADD: it may) */
typedef enum { CATALOG_CART_OK_ADD = 0, CATALOG_CART_NO_PRODUCT, CATALOG_CART_CLOSED, CATALOG_CART_NO_STOCK, CATALOG_CART_STOCK_LIMIT, CATALOG_CART_QTY_LIMIT, CATALOG_CART_LINES_LIMIT } catalog_cart_verdict;

int64_t catalog_cart_mul_sat(int64_t a, int64_t b);
int64_t catalog_cart_add_sat(int64_t a, int64_t b);
int catalog_cart_setting_on(walor_ctx *c, const char *key, int64_t dflt);
/* every visible line of user_id's cart, in display order (arena) */
int32_t catalog_cart_lines(walor_ctx *c, int64_t user_id, catalog_cart_row **out, uint32_t *n);
int64_t catalog_cart_units(const catalog_cart_row *v, uint32_t n);
/* the raw quantity of one line (0 when absent) */
int32_t catalog_cart_qty_of(walor_ctx *c, int64_t user_id, int64_t pid, int64_t vno, int64_t *out);
/* cart.changed in the caller's transaction */
int32_t catalog_cart_emit(walor_ctx *c, int64_t user_id);
/* the row change itself (no transaction of its own), then catalog_cart_emit; qty 0 deletes */
int32_t catalog_cart_store(walor_ctx *c, int64_t user_id, int64_t pid, int64_t vno, int64_t qty);
/* may user_id's line (pid, vno) become `want` units (> current)? */
int32_t catalog_cart_may_grow(walor_ctx *c, int64_t user_id, int64_t pid, int64_t vno, int64_t current, int64_t want,
                      catalog_cart_verdict *out, int64_t *avail);
const char *catalog_cart_verdict_text(walor_ctx *c, catalog_cart_verdict v, int64_t avail);

#endif
