/* The stock ledger (F-WH-09): the only code that changes a stock level.
 *
 * warehouse_item holds the current level of each stock item (product_id,
 * variant_no as in <walor/services/stock.h>): on_hand (physically in the
 * shop) and reserved (promised to unpaid orders); available = on_hand -
 * reserved. Every change is one warehouse_ledger row with the change of
 * on_hand (qty) and of reserved, the levels after it and the unit cost at
 * that moment, so for every item
 *
 *   on_hand  = Σ ledger.qty        reserved = Σ ledger.reserved
 *
 * (`walorctl stock-check` and tests/e2e/test_warehouse_stock.py prove it).
 * A change of the available quantity emits `stock.changed` in the same
 * transaction. Callers run wr_move() inside a transaction. */
#ifndef WAREHOUSE_LEDGER_H
#define WAREHOUSE_LEDGER_H

#include <stdint.h>

#include <walor/plugin.h>

typedef struct wr_level {
    int64_t on_hand, reserved, unit_cost;
    int32_t exists;   /* the warehouse has a row for it */
    int32_t deleted;  /* the catalog deleted the product */
} wr_level;

/* One movement. kind: supply, writeoff, sale, reserve, release, edit,
 * stocktake, restock, b2b. new_cost < 0 keeps the unit cost. */
typedef struct wr_move_def {
    int64_t product_id, variant_no;
    const char *kind;
    int64_t d_on_hand, d_reserved;
    int64_t new_cost;
    int64_t order_id;   /* 0 = none */
    int64_t supply_id;  /* 0 = none */
    const char *comment;
} wr_move_def;

/* the level of an item (zeros and exists = 0 when the warehouse never saw it) */
int32_t wr_level_get(walor_ctx *c, int64_t pid, int64_t vno, wr_level *out);

/* Apply a movement: WALOR_ERANGE (nothing written) when on_hand or
 * reserved would go below zero or reserved above on_hand. It moves the
 * levels of deleted products too (an order placed before the deletion is
 * still sold or released): callers that start something new check
 * wr_level.deleted. The staff member is walor_ctx_user_id(c). */
int32_t wr_move(walor_ctx *c, const wr_move_def *m);

/* "12" or "12.3" */
char *wr_item_ref(walor_ctx *c, int64_t pid, int64_t vno);

extern const char wr_migration_1[];

#endif
