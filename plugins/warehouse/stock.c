/* The `stock` service, major 1 (<walor/services/stock.h>): the other
 * plugins' way to the ledger. Every function runs with the caller's ctx,
 * in a transaction level of its own (walor_tx_begin nests in the caller's
 * since SDK 1.3). A refusal (WALOR_ERANGE, WALOR_ENOTFOUND) rolls that
 * level back, so it leaves nothing behind and does not spoil the caller's
 * transaction; since host transactions are BEGIN IMMEDIATE, the write lock
 * is held from the check to the write and two buyers of the last unit
 * cannot both pass the check. */
#include <string.h>

#include <walor/services/stock.h>

#include "ledger.h"
#include "stock.h"
#include "wac.h"
#include "warehouse.h"

#define LINE_QTY_MAX 1000000000LL /* keeps the sum of one request's lines inside int64 */
#define ORDER_LINES_MAX 10000     /* reservation rows of one order handled at once */

static int32_t available(walor_ctx *c, int64_t pid, int64_t vno, int64_t *out)
{
    if (!out || pid <= 0 || vno < 0)
        return WALOR_EINVAL;
    wr_demo_maybe(c);
    wr_level lv;
    int32_t rc = wr_level_get(c, pid, vno, &lv);
    if (rc < 0)
        return rc;
    if (lv.deleted)
        return WALOR_ENOTFOUND;
    *out = lv.on_hand - lv.reserved;
    return 0;
}

/* Lines summed per item: item k is lines[first[k]] with total sum[k]. */
typedef struct merged {
    uint32_t n;
    uint32_t *first;
    int64_t *sum;
} merged;

static int32_t merge_lines(walor_ctx *c, const walor_stock_line *l, uint32_t n, merged *m, uint32_t *failed)
{
    if (!l || n == 0)
        return WALOR_EINVAL;
    m->n = 0;
    m->first = walor_ctx_alloc(c, n * sizeof *m->first);
    m->sum = walor_ctx_alloc(c, n * sizeof *m->sum);
    if (!m->first || !m->sum)
        return WALOR_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if (l[i].product_id <= 0 || l[i].variant_no < 0 || l[i].qty <= 0 || l[i].qty > LINE_QTY_MAX) {
            if (failed)
                *failed = i;
            return WALOR_EINVAL;
        }
        uint32_t k = 0;
        while (k < m->n && (l[m->first[k]].product_id != l[i].product_id ||
                            l[m->first[k]].variant_no != l[i].variant_no))
            k++;
        if (k == m->n) {
            m->first[k] = i;
            m->sum[k] = 0;
            m->n++;
        }
        m->sum[k] += l[i].qty;
    }
    return 0;
}

/* every merged item has sum[k] available; *failed = first line that has not */
static int32_t check_available(walor_ctx *c, const walor_stock_line *l, const merged *m, uint32_t *failed)
{
    for (uint32_t k = 0; k < m->n; k++) {
        const walor_stock_line *x = &l[m->first[k]];
        wr_level lv;
        int32_t rc = wr_level_get(c, x->product_id, x->variant_no, &lv);
        if (rc < 0)
            return rc;
        if (lv.deleted || lv.on_hand - lv.reserved < m->sum[k]) {
            if (failed)
                *failed = m->first[k];
            return lv.deleted ? WALOR_ENOTFOUND : WALOR_ERANGE;
        }
    }
    return 0;
}

static int32_t add_reservation(walor_ctx *c, int64_t order_id, const walor_stock_line *x, int64_t qty)
{
    int32_t rc = walor_db_exec(c,
                               "UPDATE warehouse_reservation SET qty = qty + ?, updated_at = ? WHERE order_id = ? "
                               "AND product_id = ? AND variant_no = ? AND state = 'reserved'",
                               WALOR_ARGS(walor_i(qty), walor_i(walor_now(c)), walor_i(order_id),
                                          walor_i(x->product_id), walor_i(x->variant_no)));
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = walor_db_exec(c,
                       "INSERT INTO warehouse_reservation(order_id, product_id, variant_no, qty, state, updated_at) "
                       "VALUES (?, ?, ?, ?, 'reserved', ?)",
                       WALOR_ARGS(walor_i(order_id), walor_i(x->product_id), walor_i(x->variant_no), walor_i(qty),
                                  walor_i(walor_now(c))));
    return rc < 0 ? rc : 0;
}

/* reserve for order_id (> 0) or write off (order_id 0, with comment): all
 * of the lines or none, under one lock */
static int32_t take(walor_ctx *c, int64_t order_id, const walor_stock_line *l, uint32_t n, const char *comment,
                    uint32_t *failed)
{
    merged m;
    int32_t rc = merge_lines(c, l, n, &m, failed);
    if (rc < 0 || (rc = walor_tx_begin(c)) < 0)
        return rc;
    rc = check_available(c, l, &m, failed);
    for (uint32_t k = 0; rc == 0 && k < m.n; k++) {
        const walor_stock_line *x = &l[m.first[k]];
        wr_move_def mv = {.product_id = x->product_id, .variant_no = x->variant_no, .new_cost = -1,
                          .order_id = order_id, .comment = comment};
        if (order_id) {
            mv.kind = "reserve";
            mv.d_reserved = m.sum[k];
        } else {
            mv.kind = "writeoff";
            mv.d_on_hand = -m.sum[k];
        }
        rc = wr_move(c, &mv);
        if (rc == 0 && order_id)
            rc = add_reservation(c, order_id, x, m.sum[k]);
    }
    return walor_tx_end(c, rc);
}

static int32_t reserve(walor_ctx *c, int64_t order_id, const walor_stock_line *l, uint32_t n, uint32_t *failed)
{
    if (failed)
        *failed = UINT32_MAX;
    if (order_id <= 0)
        return WALOR_EINVAL;
    return take(c, order_id, l, n, NULL, failed);
}

/* the rows of order_id in `state` */
typedef struct res_row {
    int64_t id, pid, vno, qty, cost;
} res_row;

static int32_t order_rows(walor_ctx *c, int64_t order_id, const char *state, res_row **out, uint32_t *n)
{
    *n = 0;
    *out = NULL;
    int64_t cnt = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM warehouse_reservation WHERE order_id = ? AND state = ?",
                              WALOR_ARGS(walor_i(order_id), walor_s(state)), &cnt);
    if (rc < 0 || cnt == 0)
        return rc < 0 ? rc : 0;
    if (cnt > ORDER_LINES_MAX)
        cnt = ORDER_LINES_MAX;
    *out = walor_ctx_alloc(c, (size_t)cnt * sizeof **out);
    if (!*out)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    rc = walor_db_query(c,
                                "SELECT id, product_id, variant_no, qty, unit_cost FROM warehouse_reservation "
                                "WHERE order_id = ? AND state = ? ORDER BY id LIMIT ?",
                                WALOR_ARGS(walor_i(order_id), walor_s(state), walor_i(ORDER_LINES_MAX)), &r);
    if (rc < 0)
        return rc;
    while (*n < cnt && (rc = walor_row_next(r)) == 1) {
        res_row *x = &(*out)[(*n)++];
        x->id = walor_col_int(r, 0);
        x->pid = walor_col_int(r, 1);
        x->vno = walor_col_int(r, 2);
        x->qty = walor_col_int(r, 3);
        x->cost = walor_col_int(r, 4);
    }
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

static int32_t set_state(walor_ctx *c, int64_t id, const char *state, int64_t cost)
{
    int32_t rc = walor_db_exec(c,
                               "UPDATE warehouse_reservation SET state = ?, unit_cost = ?, updated_at = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(state), walor_i(cost), walor_i(walor_now(c)), walor_i(id)));
    return rc < 0 ? rc : 0;
}

/* the order's rows still in state `from`; none of them is no error only when
 * done_sql counts rows that went on already (a repeated call) */
static int32_t pending_rows(walor_ctx *c, int64_t order_id, const char *from, const char *done_sql, res_row **rows,
                            uint32_t *n)
{
    int32_t rc = order_rows(c, order_id, from, rows, n);
    if (rc < 0 || *n > 0)
        return rc;
    int64_t done = 0;
    rc = walor_db_int(c, done_sql, WALOR_ARGS(walor_i(order_id)), &done);
    return rc < 0 ? rc : done > 0 ? 0 : WALOR_ENOTFOUND;
}

/* one reservation row moved on: its ledger move and its new state */
typedef int32_t (*row_step)(walor_ctx *c, int64_t order_id, const res_row *x, const char *arg);

/* every row of the order in state `from` moved on by step, all or none, in
 * a transaction level of its own; done_sql as pending_rows' (NULL: no rows
 * is no error) */
static int32_t each_row(walor_ctx *c, int64_t order_id, const char *from, const char *done_sql, row_step step,
                        const char *arg)
{
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    res_row *rows;
    uint32_t n;
    rc = done_sql ? pending_rows(c, order_id, from, done_sql, &rows, &n) : order_rows(c, order_id, from, &rows, &n);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = step(c, order_id, &rows[i], arg);
    return walor_tx_end(c, rc);
}

static int32_t release_row(walor_ctx *c, int64_t order_id, const res_row *x, const char *arg)
{
    (void)arg;
    wr_move_def mv = {.product_id = x->pid, .variant_no = x->vno, .kind = "release", .d_reserved = -x->qty,
                      .new_cost = -1, .order_id = order_id};
    int32_t rc = wr_move(c, &mv);
    return rc == 0 ? set_state(c, x->id, "released", 0) : rc;
}

static int32_t release(walor_ctx *c, int64_t order_id)
{
    return each_row(c, order_id, "reserved", NULL, release_row, NULL);
}

/* arg: the ledger kind, "sale" or "b2b" */
static int32_t sell_row(walor_ctx *c, int64_t order_id, const res_row *x, const char *kind)
{
    wr_level lv;
    int32_t rc = wr_level_get(c, x->pid, x->vno, &lv);
    if (rc < 0)
        return rc;
    wr_move_def mv = {.product_id = x->pid, .variant_no = x->vno, .kind = kind, .d_on_hand = -x->qty,
                      .d_reserved = -x->qty, .new_cost = -1, .order_id = order_id};
    rc = wr_move(c, &mv);
    return rc == 0 ? set_state(c, x->id, "sold", lv.unit_cost) : rc;
}

static int32_t commit_as(walor_ctx *c, int64_t order_id, const char *kind)
{
    if (!kind || (strcmp(kind, "sale") != 0 && strcmp(kind, "b2b") != 0))
        return WALOR_EINVAL;
    return each_row(c, order_id, "reserved",
                    "SELECT count(*) FROM warehouse_reservation WHERE order_id = ? AND state IN ('sold','restocked')",
                    sell_row, kind);
}

static int32_t commit(walor_ctx *c, int64_t order_id) { return commit_as(c, order_id, "sale"); }

/* arg: the ledger comment */
static int32_t restock_row(walor_ctx *c, int64_t order_id, const res_row *x, const char *comment)
{
    wr_level lv;
    int32_t rc = wr_level_get(c, x->pid, x->vno, &lv);
    if (rc < 0)
        return rc;
    /* the goods come back at the cost they left with */
    wr_move_def mv = {.product_id = x->pid, .variant_no = x->vno, .kind = "restock", .d_on_hand = x->qty,
                      .new_cost = wr_wac(lv.on_hand, lv.unit_cost, x->qty, x->qty * x->cost),
                      .order_id = order_id, .comment = comment};
    rc = wr_move(c, &mv);
    return rc == 0 ? set_state(c, x->id, "restocked", x->cost) : rc;
}

static int32_t restock(walor_ctx *c, int64_t order_id, const char *comment)
{
    return each_row(c, order_id, "sold",
                    "SELECT count(*) FROM warehouse_reservation WHERE order_id = ? AND state = 'restocked'",
                    restock_row, comment);
}

static int32_t write_off(walor_ctx *c, const walor_stock_line *l, uint32_t n, const char *comment, uint32_t *failed)
{
    if (failed)
        *failed = UINT32_MAX;
    return take(c, 0, l, n, comment, failed);
}

static const walor_stock_v1 TABLE = {.struct_size = sizeof(walor_stock_v1), .available = available,
                                     .reserve = reserve, .release = release, .commit = commit, .commit_as = commit_as,
                                     .restock = restock, .write_off = write_off, .moves = wr_moves,
                                     .levels = wr_levels};

int32_t wr_stock_provide(walor_plugin *p)
{
    return walor_service_provide(p, WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, WALOR_STOCK_MINOR, &TABLE);
}
