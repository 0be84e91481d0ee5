/* warehouse: the stock ledger and its staff screens (README.md).
 *
 *   ledger.c  levels and the ledger, the only writer of stock
 *   stock.c   the `stock` service other plugins use
 *   wac.c     weighted-average cost arithmetic
 *   admin.c   staff section "📦 Склад": overview, search, one level
 *   forms.c   bulk write-off and stock-take
 *   supply.c  supplies and the suppliers directory
 * Product names, variants and thresholds come from the `catalog` service. */
#include <walor/plugin.h>

#include "ledger.h"
#include "stock.h"
#include "warehouse.h"

/* catalog.product_deleted: the ID is never reused, so its levels are
 * archived (kept for the ledger, no longer reservable or listed) */
static int32_t on_product_deleted(walor_ctx *c, const char *event, json_t *pl)
{
    (void)event;
    if (json_integer_value(json_object_get(pl, "v")) != 1)
        return 0;
    int64_t pid = (int64_t)json_integer_value(json_object_get(pl, "product_id"));
    if (pid <= 0)
        return 0;
    int32_t rc = walor_db_exec(c, "UPDATE warehouse_item SET deleted = 1, updated_at = ? WHERE product_id = ?",
                               WALOR_ARGS(walor_i(walor_now(c)), walor_i(pid)));
    return rc < 0 ? rc : 0;
}

static int32_t load(walor_plugin *p)
{
    int32_t rc = walor_migration(p, 1, wr_migration_1);
    if (!rc) rc = wr_stock_provide(p);
    if (!rc) rc = walor_subscribe(p, "catalog.product_deleted", on_product_deleted);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "warehouse", .version = "0.1.0",
                    .description = "Склад: остатки, себестоимость, поставки, списания, инвентаризация, QR-коды",
                    .load = load)
