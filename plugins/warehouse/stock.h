/* The `stock` service (<walor/services/stock.h>) over the ledger. */
#ifndef WAREHOUSE_STOCK_H
#define WAREHOUSE_STOCK_H

#include <walor/plugin.h>

/* [load] register the service table */
int32_t wr_stock_provide(walor_plugin *p);

#endif
