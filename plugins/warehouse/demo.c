/* The demo stock ([plugin.warehouse] demo = yes, conf.d/30-warehouse.ini):
 * with the catalog's demo products and no stock at all every card would
 * read "нет в наличии", so the first look at stock in an empty warehouse
 * books one supply from "Демо-поставщик" through the ledger: a few units
 * of each item (one left empty, some at the low-stock mark, so all three
 * marks show) at 60 % of the price. Never touches a warehouse that has
 * stock or supplies. */
#include <stdatomic.h>
#include <string.h>

#include "ledger.h"
#include "wac.h"
#include "warehouse.h"

static atomic_int enabled;
static atomic_int done;

void wr_demo_configure(walor_plugin *p)
{
    const char *v = walor_plugin_config(p, "demo");
    atomic_store(&enabled, v && (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "да")));
}

/* the quantity of the i-th demo item: 0 for the 3rd, the threshold for every 5th */
static int64_t demo_qty(uint32_t i, const walor_catalog_item *it)
{
    if (i == 2)
        return 0;
    if (i % 5 == 4 && it->low_stock > 0)
        return it->low_stock;
    return 5 + (int64_t)((it->product_id * 7 + it->variant_no * 3) % 16);
}

void wr_demo_maybe(walor_ctx *c)
{
    if (!atomic_load(&enabled) || atomic_load(&done))
        return;
    int64_t rows = 1;
    if (walor_db_int(c, "SELECT (SELECT count(*) FROM warehouse_item) + (SELECT count(*) FROM warehouse_supply)",
                     NULL, 0, &rows) < 0 ||
        rows > 0) {
        atomic_store(&done, rows > 0);
        return;
    }
    const walor_catalog_v1 *cat = wr_catalog(c);
    walor_catalog_item *all = NULL;
    uint32_t n = 0, total = 0;
    if (!cat || cat->items(c, NULL, WALOR_CATALOG_WITH_HIDDEN, 0, 0, &all, &n, &total) < 0 || n == 0)
        return; /* no products yet (or none readable inside this transaction): try again later */
    if (walor_tx_begin(c) < 0)
        return;
    /* again under the write lock: another worker may have just done it */
    if (walor_db_int(c, "SELECT (SELECT count(*) FROM warehouse_item) + (SELECT count(*) FROM warehouse_supply)",
                     NULL, 0, &rows) < 0 ||
        rows > 0) {
        walor_tx_rollback(c);
        atomic_store(&done, rows > 0);
        return;
    }
    int64_t sup = 0, id = 0, sum = 0;
    int32_t rc = walor_db_int(c, "INSERT INTO warehouse_supplier(name, created_at) VALUES ('Демо-поставщик', ?) "
                                 "RETURNING id", WALOR_ARGS(walor_i(walor_now(c))), &sup);
    if (rc == 0)
        rc = walor_db_int(c, "INSERT INTO warehouse_supply(supplier_id, staff_id, at, total) VALUES (?, 0, ?, 0) "
                             "RETURNING id", WALOR_ARGS(walor_i(sup), walor_i(walor_now(c))), &id);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        const walor_catalog_item *it = walor_catalog_item_at(all, i);
        int64_t q = demo_qty(i, it), batch = q * (it->unit_price * 6 / 10);
        if (q == 0)
            continue;
        sum += batch;
        rc = walor_db_exec(c,
                           "INSERT INTO warehouse_supply_line(supply_id, product_id, variant_no, qty, batch_total, "
                           "unit_cost, new_avg) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           WALOR_ARGS(walor_i(id), walor_i(it->product_id), walor_i(it->variant_no), walor_i(q),
                                      walor_i(batch), walor_i(wr_unit_cost(batch, q)),
                                      walor_i(wr_unit_cost(batch, q))));
        wr_move_def mv = {.product_id = it->product_id, .variant_no = it->variant_no, .kind = "supply",
                          .d_on_hand = q, .new_cost = wr_unit_cost(batch, q), .supply_id = id,
                          .comment = "демо-данные"};
        if (rc >= 0)
            rc = wr_move(c, &mv);
    }
    if (rc >= 0)
        rc = walor_db_exec(c, "UPDATE warehouse_supply SET total = ? WHERE id = ?", WALOR_ARGS(walor_i(sum), walor_i(id)));
    rc = walor_tx_end(c, rc < 0 ? rc : 0);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "warehouse: demo stock not loaded: %s", walor_last_error(c));
    else
        atomic_store(&done, 1);
}
