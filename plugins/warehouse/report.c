/* The `stock` service's report functions (1.2, <walor/services/stock.h>):
 * the ledger of a period and the levels at a moment, each streamed through
 * a callback one row at a time (nothing is copied into the ctx arena), so a
 * report over millions of ledger rows costs one row of memory. */
#include <string.h>

#include <walor/services/stock.h>

#include "ledger.h"
#include "stock.h"

/* Reports read the ledger of a period kind by kind (a P&L needs the sales
 * only, movements everything but reservations, which are half the rows):
 * one cursor per kind on (kind, at), merged in time order here. Ids grow
 * with time, so the levels at a moment are each item's last row below the
 * first id of that moment (the item index). */
const char wr_migration_2[] = "CREATE INDEX warehouse_ledger_kind_at ON warehouse_ledger(kind, at);";

static const char *const KINDS[] = {"supply", "writeoff", "sale", "reserve", "release", "edit", "stocktake",
                                    "restock", "b2b"};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

typedef struct cursor {
    walor_rows *r;
    uint32_t bit;
    int64_t at, id;   /* of the current row */
    int live;         /* a row is current */
} cursor;

static int32_t cursor_step(cursor *k)
{
    int32_t rc = walor_row_next(k->r);
    k->live = rc == 1;
    if (k->live) {
        k->id = walor_col_int(k->r, 0);
        k->at = walor_col_int(k->r, 1);
    }
    return rc < 0 ? rc : 0;
}

int32_t wr_moves(walor_ctx *c, int64_t from, int64_t to, uint32_t kinds, walor_stock_move_fn fn, void *ud)
{
    if (!fn || to < from || !(kinds & WALOR_STOCK_K_ALL) || (kinds & ~WALOR_STOCK_K_ALL))
        return WALOR_EINVAL;
    cursor k[NKINDS];
    size_t n = 0;
    int32_t rc = 0;
    for (size_t i = 0; rc == 0 && i < NKINDS; i++) {
        if (!(kinds & (1u << i)))
            continue;
        k[n] = (cursor){.bit = 1u << i};
        rc = walor_db_query(c,
                            "SELECT id, at, product_id, variant_no, kind, qty, reserved, stock_after, unit_cost,"
                            " staff_id, coalesce(order_id, 0), coalesce(supply_id, 0), comment FROM warehouse_ledger"
                            " WHERE kind = ? AND at >= ? AND at < ? ORDER BY at, id",
                            WALOR_ARGS(walor_s(KINDS[i]), walor_i(from), walor_i(to)), &k[n].r);
        if (rc == 0)
            rc = cursor_step(&k[n++]);
    }
    walor_stock_move m = {.struct_size = sizeof m};
    while (rc == 0) {
        cursor *best = NULL; /* the oldest current row of all kinds */
        for (size_t i = 0; i < n; i++)
            if (k[i].live && (!best || k[i].at < best->at || (k[i].at == best->at && k[i].id < best->id)))
                best = &k[i];
        if (!best)
            break;
        walor_rows *r = best->r;
        m.id = best->id;
        m.at = best->at;
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
        m.kind_bit = best->bit;
        rc = fn(ud, &m);
        if (rc == 0)
            rc = cursor_step(best);
    }
    for (size_t i = 0; i < n; i++)
        walor_rows_close(k[i].r);
    return rc;
}

/* the first ledger id at or after `at` (past the last one when none) */
static int32_t first_id_from(walor_ctx *c, int64_t at, int64_t *out)
{
    int32_t rc = walor_db_int(c, "SELECT coalesce(max(id), 0) + 1 FROM warehouse_ledger", NULL, 0, out);
    for (size_t i = 0; rc == 0 && i < NKINDS; i++) {
        int64_t id = 0;
        rc = walor_db_int(c, "SELECT id FROM warehouse_ledger WHERE kind = ? AND at >= ? ORDER BY at, id LIMIT 1",
                          WALOR_ARGS(walor_s(KINDS[i]), walor_i(at)), &id);
        if (rc == WALOR_ENOTFOUND)
            rc = 0;
        else if (rc == 0 && id < *out)
            *out = id;
    }
    return rc;
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
        /* each item's last row below the first row of `at` is its level
         * just before `at` */
        int64_t bound = 0;
        rc = first_id_from(c, at, &bound);
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
    while ((rc = walor_row_step(c, r, "iiiiid", &l.product_id, &l.variant_no, &l.on_hand, &l.reserved, &l.unit_cost,
                                &l.deleted)) == 1 &&
           (rc = fn(ud, &l)) == 0)
        ;
    walor_rows_close(r);
    return rc;
}
