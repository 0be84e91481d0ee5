/* catalog: internal declarations shared by the plugin's files. */
#ifndef CATALOG_H
#define CATALOG_H

#include <walor/plugin.h>

/* the search form of s (text.h catalog_fold) in the ctx arena */
char *catalog_fold_ctx(walor_ctx *c, const char *s);

/* loads the demo catalog once, when [plugin.catalog] demo = yes and the
 * catalog is empty (demo.c); 0 or a negative WALOR_E* */
int32_t catalog_demo_load(walor_ctx *c);

/* the one seam between the card and the cart: a variant button was
 * pressed (variant_no 0 = a product without variants) */
int32_t catalog_add_to_cart(walor_ctx *c, int64_t product_id, int64_t variant_no);

#endif
