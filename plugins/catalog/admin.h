/* catalog: the staff side, admin panel section "📦 Товары" (admin.c):
 * category tree for staff, categories (F-CAT-01), products and variants
 * (F-CAT-02/03), the sort screen. The entry point,
 * catalog_admin_register(), is declared in catalog.h for load(). */
#ifndef CATALOG_ADMIN_H
#define CATALOG_ADMIN_H

#include "catalog.h"

#endif
