/* The `stock` service's report functions (1.2, <walor/services/stock.h>):
 * the ledger of a period and the levels at a moment, each streamed through
 * a callback one row at a time (nothing is copied into the ctx arena), so a
 * report over millions of ledger rows costs one row of memory. */
#include <string.h>

#include <walor/services/stock.h>

#include "ledger.h"
#include "stock.h"

/* a time range of the ledger reads the `at` index; ids grow with time, so
 * the levels at a moment are each item's last row below the first id of
 * that moment (the item index) */
const char wr_migration_2[] = "CREATE INDEX warehouse_ledger_at ON warehouse_ledger(at);";

/* the kinds as bits, in SQL so that the filter needs no dynamic statement */
#define KIND_BIT                                                                                              \
    "(CASE kind WHEN 'supply' THEN 1 WHEN 'writeoff' THEN 2 WHEN 'sale' THEN 4 WHEN 'reserve' THEN 8"          \
    " WHEN 'release' THEN 16 WHEN 'edit' THEN 32 WHEN 'stocktake' THEN 64 WHEN 'restock' THEN 128"             \
    " WHEN 'b2b' THEN 256 ELSE 0 END)"

int32_t wr_moves(walor_ctx *c, int64_t from, int64_t to, uint32_t kinds, walor_stock_move_fn fn, void *ud)
{
    if (!fn || to < from || !(kinds & WALOR_STOCK_K_ALL) || (kinds & ~WALOR_STOCK_K_ALL))
        return WALOR_EINVAL;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT id, at, product_id, variant_no, kind, qty, reserved, stock_after, unit_cost,"
                                " staff_id, coalesce(order_id, 0), coalesce(supply_id, 0), comment, " KIND_BIT
                                " FROM warehouse_ledger WHERE at >= ? AND at < ? AND (" KIND_BIT " & ?) <> 0"
                                " ORDER BY id",
                                WALOR_ARGS(walor_i(from), walor_i(to), walor_i(kinds)), &r);
    if (rc < 0)
        return rc;
    walor_stock_move m = {.struct_size = sizeof m};
    while ((rc = walor_row_next(r)) == 1) {
        m.id = walor_col_int(r, 0);
        m.at = walor_col_int(r, 1);
        m.product_id = walor_col_int(r, 2);
        m.variant_no = walor_col_int(r, 3);
        m.kind = walor_col_text(r, 4);
        m.qty = walor_col_int(r, 5);
        m.reserved = walor_col_int(r, 6);
        m.stock_after = walor_col_int(r, 7);
        m.unit_cost = walor_col_int(r, 8);
        m.staff_id = walor_col_int(r, 9);
        m.order_id = walor_col_int(r, 10);
        m.supply_id = walor_col_int(r, 11);
        m.comment = walor_col_text(r, 12);
        m.kind_bit = (uint32_t)walor_col_int(r, 13);
        int32_t stop = fn(ud, &m);
        if (stop) {
            walor_rows_close(r);
            return stop;
        }
    }
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

int32_t wr_levels(walor_ctx *c, int64_t at, walor_stock_level_fn fn, void *ud)
{
    if (!fn || at < 0)
        return WALOR_EINVAL;
    walor_rows *r = NULL;
    int32_t rc;
    if (at == 0) {
        rc = walor_db_query(c,
                            "SELECT product_id, variant_no, on_hand, reserved, unit_cost, deleted FROM warehouse_item"
                            " ORDER BY product_id, variant_no",
                            NULL, 0, &r);
    } else {
        /* the first ledger row at or after `at` (or past the end); each item's
         * last row below it is its level just before `at` */
        int64_t bound = 0;
        rc = walor_db_int(c, "SELECT coalesce(min(id), (SELECT coalesce(max(id), 0) + 1 FROM warehouse_ledger))"
                             " FROM warehouse_ledger WHERE at >= ?",
                          WALOR_ARGS(walor_i(at)), &bound);
        if (rc < 0)
            return rc;
        rc = walor_db_query(c,
                            "SELECT i.product_id, i.variant_no, l.stock_after, l.stock_after - l.available_after,"
                            " l.unit_cost, i.deleted FROM warehouse_item i"
                            " JOIN warehouse_ledger l ON l.id = (SELECT max(x.id) FROM warehouse_ledger x"
                            " WHERE x.product_id = i.product_id AND x.variant_no = i.variant_no AND x.id < ?)"
                            " ORDER BY i.product_id, i.variant_no",
                            WALOR_ARGS(walor_i(bound)), &r);
    }
    if (rc < 0)
        return rc;
    walor_stock_level l = {.struct_size = sizeof l};
    while ((rc = walor_row_next(r)) == 1) {
        l.product_id = walor_col_int(r, 0);
        l.variant_no = walor_col_int(r, 1);
        l.on_hand = walor_col_int(r, 2);
        l.reserved = walor_col_int(r, 3);
        l.unit_cost = walor_col_int(r, 4);
        l.deleted = (int32_t)walor_col_int(r, 5);
        int32_t stop = fn(ud, &l);
        if (stop) {
            walor_rows_close(r);
            return stop;
        }
    }
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}
