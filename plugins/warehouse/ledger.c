/* The stock ledger (ledger.h). */
#include <string.h>

#include "ledger.h"

const char wr_migration_1[] =
    "CREATE TABLE warehouse_item ("
    " product_id INTEGER NOT NULL,"
    " variant_no INTEGER NOT NULL,"
    " on_hand INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),"
    " reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),"
    " unit_cost INTEGER NOT NULL DEFAULT 0," /* weighted-average kopecks per unit (wac.h) */
    " deleted INTEGER NOT NULL DEFAULT 0,"   /* catalog.product_deleted: kept for the ledger */
    " updated_at INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (product_id, variant_no));"
    "CREATE TABLE warehouse_ledger ("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " product_id INTEGER NOT NULL,"
    " variant_no INTEGER NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('supply','writeoff','sale','reserve','release','edit','stocktake',"
    "'restock','b2b')),"
    " qty INTEGER NOT NULL,"               /* change of on_hand */
    " reserved INTEGER NOT NULL DEFAULT 0," /* change of reserved */
    " stock_after INTEGER NOT NULL,"       /* on_hand after */
    " available_after INTEGER NOT NULL,"
    " unit_cost INTEGER NOT NULL,"         /* average cost after the movement */
    " staff_id INTEGER NOT NULL DEFAULT 0," /* Telegram id, 0 for jobs and services without a user */
    " order_id INTEGER,"
    " supply_id INTEGER,"
    " comment TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX warehouse_ledger_item ON warehouse_ledger(product_id, variant_no, id);"
    "CREATE INDEX warehouse_ledger_order ON warehouse_ledger(order_id);"
    /* what each order holds: 'reserved' → 'sold' → 'restocked', or → 'released' */
    "CREATE TABLE warehouse_reservation ("
    " id INTEGER PRIMARY KEY,"
    " order_id INTEGER NOT NULL,"
    " product_id INTEGER NOT NULL,"
    " variant_no INTEGER NOT NULL,"
    " qty INTEGER NOT NULL CHECK (qty > 0),"
    " state TEXT NOT NULL CHECK (state IN ('reserved','released','sold','restocked')),"
    " unit_cost INTEGER NOT NULL DEFAULT 0," /* cost of goods, set when sold */
    " updated_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX warehouse_reservation_order ON warehouse_reservation(order_id, state);"
    "CREATE TABLE warehouse_supplier ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " contact TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE warehouse_supply ("
    " id INTEGER PRIMARY KEY,"
    " supplier_id INTEGER NOT NULL REFERENCES warehouse_supplier(id),"
    " staff_id INTEGER NOT NULL,"
    " at INTEGER NOT NULL,"
    " total INTEGER NOT NULL);"
    "CREATE TABLE warehouse_supply_line ("
    " supply_id INTEGER NOT NULL REFERENCES warehouse_supply(id),"
    " product_id INTEGER NOT NULL,"
    " variant_no INTEGER NOT NULL,"
    " qty INTEGER NOT NULL,"
    " batch_total INTEGER NOT NULL,"
    " unit_cost INTEGER NOT NULL,"  /* batch_total / qty, half-up */
    " new_avg INTEGER NOT NULL);";

char *wr_item_ref(walor_ctx *c, int64_t pid, int64_t vno)
{
    return vno ? walor_ctx_printf(c, "%lld.%lld", (long long)pid, (long long)vno)
               : walor_ctx_printf(c, "%lld", (long long)pid);
}

int32_t wr_level_get(walor_ctx *c, int64_t pid, int64_t vno, wr_level *out)
{
    memset(out, 0, sizeof *out);
    int32_t rc = walor_db_row(c,
                              "SELECT on_hand, reserved, unit_cost, deleted FROM warehouse_item "
                              "WHERE product_id = ? AND variant_no = ?",
                              WALOR_ARGS(walor_i(pid), walor_i(vno)), "iiid", &out->on_hand, &out->reserved,
                              &out->unit_cost, &out->deleted);
    out->exists = rc == 0;
    return rc == WALOR_ENOTFOUND ? 0 : rc;
}

static int32_t emit_changed(walor_ctx *c, const wr_move_def *m, int64_t before, int64_t after)
{
    json_t *ev = json_pack("{s:i, s:I, s:I, s:I, s:I, s:s}", "v", 1, "product_id", (json_int_t)m->product_id,
                           "variant_no", (json_int_t)m->variant_no, "before", (json_int_t)before, "after",
                           (json_int_t)after, "reason", m->kind);
    if (!ev)
        return WALOR_ENOMEM;
    int32_t rc = walor_event_emit(c, "stock.changed",
                                  walor_ctx_printf(c, "stock:%lld", (long long)m->product_id), ev);
    json_decref(ev);
    return rc;
}

int32_t wr_move(walor_ctx *c, const wr_move_def *m)
{
    wr_level lv;
    int32_t rc = wr_level_get(c, m->product_id, m->variant_no, &lv);
    if (rc < 0)
        return rc;
    int64_t on_hand = lv.on_hand + m->d_on_hand, reserved = lv.reserved + m->d_reserved;
    if (on_hand < 0 || reserved < 0 || reserved > on_hand)
        return WALOR_ERANGE;
    int64_t cost = m->new_cost >= 0 ? m->new_cost : lv.unit_cost;
    int64_t now = walor_now(c);
    rc = walor_db_exec(c,
                       "INSERT INTO warehouse_item(product_id, variant_no, on_hand, reserved, unit_cost, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(product_id, variant_no) DO UPDATE SET "
                       "on_hand = excluded.on_hand, reserved = excluded.reserved, unit_cost = excluded.unit_cost, "
                       "updated_at = excluded.updated_at",
                       WALOR_ARGS(walor_i(m->product_id), walor_i(m->variant_no), walor_i(on_hand),
                                  walor_i(reserved), walor_i(cost), walor_i(now)));
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c,
                       "INSERT INTO warehouse_ledger(at, product_id, variant_no, kind, qty, reserved, stock_after, "
                       "available_after, unit_cost, staff_id, order_id, supply_id, comment) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       WALOR_ARGS(walor_i(now), walor_i(m->product_id), walor_i(m->variant_no), walor_s(m->kind),
                                  walor_i(m->d_on_hand), walor_i(m->d_reserved), walor_i(on_hand),
                                  walor_i(on_hand - reserved), walor_i(cost), walor_i(walor_ctx_user_id(c)),
                                  m->order_id ? walor_i(m->order_id) : walor_null(),
                                  m->supply_id ? walor_i(m->supply_id) : walor_null(),
                                  walor_s(m->comment ? m->comment : "")));
    if (rc < 0)
        return rc;
    int64_t before = lv.on_hand - lv.reserved, after = on_hand - reserved;
    if (before != after)
        rc = emit_changed(c, m, before, after);
    return rc < 0 ? rc : 0;
}
