/* The `stock` service (<walor/services/stock.h>) over the ledger. */
#ifndef WAREHOUSE_STOCK_H
#define WAREHOUSE_STOCK_H

#include <walor/plugin.h>

/* [load] register the service table */
int32_t wr_stock_provide(walor_plugin *p);

/* report.c: the service's 1.2 report functions and migration 2 (the
 * ledger's time index) */
#include <walor/services/stock.h>
int32_t wr_moves(walor_ctx *c, int64_t from, int64_t to, uint32_t kinds, walor_stock_move_fn fn, void *ud);
int32_t wr_levels(walor_ctx *c, int64_t at, walor_stock_level_fn fn, void *ud);
extern const char wr_migration_2[];

#endif
