/* analytics: the stock workbooks, both from the `stock` service's ledger.
 *
 * Stock valuation (F-AN-05): every catalog item with its stock now, unit
 * cost, stock value, sale price, and what the stock would bring and earn
 * at that price; items the catalog no longer has but the warehouse still
 * holds come last. Totals at the bottom.
 *
 * Stock movements (F-AN-06) for a period:
 *   "Оборот"    per item: stock at the start, supplies, sales, B2B, goods
 *               back from cancelled orders, write-offs, corrections (edits
 *               and stock-takes), stock at the end (= start + the rest),
 *               and the stock's value at both ends;
 *   "Движения"  every movement in time order, except that the sales of
 *               one item on one day are one line (a shop sells thousands
 *               a day; each is in the P&L's orders). Reservations change
 *               no stock and are left out. */
#include <stdlib.h>
#include <string.h>

#include "analytics.h"
#include "map.h"
#include "xlsx.h"

/* ---- item names, looked up once per item ---- */

typedef struct names {
    walor_ctx *c;
    an_map idx;
    const char **v;   /* arena strings */
    size_t cap;
} names;

static const char *name_of(names *nm, int64_t pid, int64_t vno)
{
    int added = 0;
    int64_t i = an_map_put(&nm->idx, pid, vno, &added);
    if (i < 0)
        return "";
    if ((size_t)i >= nm->cap) {
        size_t cap = nm->cap ? nm->cap * 2 : 256;
        const char **v = realloc(nm->v, cap * sizeof *v);
        if (!v)
            return "";
        nm->v = v;
        nm->cap = cap;
    }
    if (added) {
        const walor_catalog_v1 *cat = an_catalog(nm->c);
        walor_catalog_item it;
        if (cat && cat->item(nm->c, pid, vno, &it) == 0)
            nm->v[i] = it.variant_label && *it.variant_label
                           ? walor_ctx_printf(nm->c, "%s — %s", it.name, it.variant_label)
                           : it.name;
        else
            nm->v[i] = walor_textf(nm->c, "analytics.x.unknown_item", "id", an_num(nm->c, pid), NULL);
    }
    return nm->v[i];
}

static void names_free(names *nm)
{
    an_map_free(&nm->idx);
    free(nm->v);
}

/* ---- levels into an index ---- */

typedef struct lv {
    int64_t pid, vno, on_hand, reserved, cost;
    int32_t deleted, used;
} lv;

typedef struct levels {
    an_map idx;
    lv *v;
    size_t n, cap;
} levels;

static int64_t level_slot(levels *L, int64_t pid, int64_t vno)
{
    int added = 0;
    int64_t i = an_map_put(&L->idx, pid, vno, &added);
    if (i < 0)
        return -1;
    if (added) {
        if (L->n == L->cap) {
            size_t cap = L->cap ? L->cap * 2 : 256;
            lv *v = realloc(L->v, cap * sizeof *v);
            if (!v)
                return -1;
            L->v = v;
            L->cap = cap;
        }
        L->v[L->n++] = (lv){.pid = pid, .vno = vno};
    }
    return i;
}

static int32_t on_level(void *ud, const walor_stock_level *l)
{
    levels *L = ud;
    int64_t i = level_slot(L, l->product_id, l->variant_no);
    if (i < 0)
        return WALOR_ENOMEM;
    L->v[i].on_hand = l->on_hand;
    L->v[i].reserved = l->reserved;
    L->v[i].cost = l->unit_cost;
    L->v[i].deleted = l->deleted;
    return 0;
}

static void levels_free(levels *L)
{
    an_map_free(&L->idx);
    free(L->v);
}

/* ---- valuation ---- */

static const an_col VAL_COLS[] = {
    {"ID товара", 10},  {"Фасовка", 9},         {"Товар", 44},          {"Категория", 20},
    {"Остаток, шт", 11}, {"в т.ч. в резерве", 11}, {"Себестоимость за шт", 15}, {"Стоимость запаса", 16},
    {"Цена продажи", 14}, {"Выручка по цене продажи", 16}, {"Потенциальная маржа", 16}, {"Маржа, %", 10},
};

typedef struct val_sums {
    int64_t value, revenue, margin, units;
} val_sums;

static void val_row(an_book *b, lxw_worksheet *ws, uint32_t r, const lv *l, const walor_catalog_item *it,
                    const char *name, val_sums *s)
{
    int64_t price = it ? it->unit_price : 0, value = l->on_hand * l->cost;
    an_int(ws, r, 0, l->pid);
    if (l->vno)
        an_int(ws, r, 1, l->vno);
    an_text(ws, r, 2, name, NULL);
    if (it)
        an_text(ws, r, 3, it->category, NULL);
    an_int(ws, r, 4, l->on_hand);
    an_int(ws, r, 5, l->reserved);
    an_money(b, ws, r, 6, l->cost);
    an_money(b, ws, r, 7, value);
    s->value += value;
    s->units += l->on_hand;
    if (!it)
        return;
    an_money(b, ws, r, 8, price);
    an_money(b, ws, r, 9, l->on_hand * price);
    an_money(b, ws, r, 10, l->on_hand * (price - l->cost));
    if (price > 0)
        worksheet_write_number(ws, r, 11, (double)(price - l->cost) / (double)price, b->pct);
    s->revenue += l->on_hand * price;
    s->margin += l->on_hand * (price - l->cost);
}

int32_t an_report_stock(walor_ctx *c, const char *path, an_report_info *info)
{
    const walor_stock_v1 *st = an_stock(c);
    if (!st)
        return WALOR_ENOSYS;
    levels L = {0};
    int32_t rc = st->levels(c, 0, on_level, &L);
    const walor_catalog_v1 *cat = an_catalog(c);
    walor_catalog_item *items = NULL;
    uint32_t n = 0;
    if (rc == 0 && cat)
        rc = cat->items(c, NULL, WALOR_CATALOG_WITH_HIDDEN, 0, 0, &items, &n, NULL);
    an_book b;
    val_sums s = {0};
    uint32_t r = 1;
    if (rc == 0 && an_book_open(&b, path, an_tmpdir()) < 0)
        rc = WALOR_EINVAL;
    if (rc == 0) {
        lxw_worksheet *ws = an_sheet(&b, walor_text(c, "analytics.sheet.valuation"), VAL_COLS, 12);
        for (uint32_t i = 0; ws && i < n; i++, r++) {
            const walor_catalog_item *it = walor_catalog_item_at(items, i);
            int64_t k = an_map_get(&L.idx, it->product_id, it->variant_no);
            lv zero = {.pid = it->product_id, .vno = it->variant_no};
            if (k >= 0)
                L.v[k].used = 1;
            const char *name = it->variant_label && *it->variant_label
                                   ? walor_ctx_printf(c, "%s — %s", it->name, it->variant_label)
                                   : it->name;
            val_row(&b, ws, r, k >= 0 ? &L.v[k] : &zero, it, name, &s);
        }
        /* what the catalog no longer lists but the warehouse still counts */
        for (size_t i = 0; ws && i < L.n; i++) {
            if (L.v[i].used || (L.v[i].on_hand == 0 && L.v[i].reserved == 0))
                continue;
            val_row(&b, ws, r++, &L.v[i], NULL,
                    walor_textf(c, "analytics.x.unknown_item", "id", an_num(c, L.v[i].pid), NULL), &s);
        }
        if (ws) {
            an_text(ws, r, 2, walor_text(c, "analytics.x.total"), b.bold);
            worksheet_write_formula_num(ws, r, 4, walor_ctx_printf(c, "=SUM(E2:E%u)", r), b.bold, (double)s.units);
            an_sum(&b, ws, r, 7, 1, r - 1, s.value);
            an_sum(&b, ws, r, 9, 1, r - 1, s.revenue);
            an_sum(&b, ws, r, 10, 1, r - 1, s.margin);
        } else {
            rc = WALOR_ENOMEM;
        }
        if (an_book_close(&b) < 0 && rc == 0)
            rc = WALOR_EINVAL;
    }
    levels_free(&L);
    if (info) {
        info->rows = r > 1 ? r - 1 : 0;
        info->total = s.value;
    }
    return rc;
}

/* ---- movements ---- */

enum { K_SUPPLY, K_SALE, K_B2B, K_RESTOCK, K_WRITEOFF, K_CORR, K_N };

typedef struct turn {
    int64_t q[K_N];
} turn;

typedef struct moves {
    walor_ctx *c;
    an_book *b;
    lxw_worksheet *ws;
    uint32_t row;
    names nm;
    levels open, close;
    an_map tidx;   /* item → turn */
    turn *t;
    size_t cap;
    /* the sales of the current day, one line per item when the day ends */
    int64_t day_end;
    an_map sidx;
    struct sale {
        int64_t pid, vno, qty, cost_sum, stock_after, unit_cost, orders, last_order;
    } *sales;
    size_t nsales, capsales;
    const char *kind_label[9], *sales_label, *op_sale;
    int64_t rows;
} moves;

static int kind_slot(const walor_stock_move *m)
{
    switch (m->kind_bit) {
    case WALOR_STOCK_K_SUPPLY: return K_SUPPLY;
    case WALOR_STOCK_K_SALE: return K_SALE;
    case WALOR_STOCK_K_B2B: return K_B2B;
    case WALOR_STOCK_K_RESTOCK: return K_RESTOCK;
    case WALOR_STOCK_K_WRITEOFF: return K_WRITEOFF;
    default: return K_CORR; /* edit, stock-take */
    }
}

static int bit_index(uint32_t bit)
{
    int i = 0;
    while (bit > 1) {
        bit >>= 1;
        i++;
    }
    return i < 9 ? i : 0;
}

static void put_row(moves *s, int64_t at, int with_time, const char *op, int64_t pid, int64_t vno, int64_t qty,
                    int64_t after, int64_t cost, int64_t sum, int64_t ref, int64_t staff, const char *comment)
{
    if (s->row >= AN_XLSX_MAX_ROWS)
        return;
    uint32_t r = s->row++;
    an_date_cell(s->b, s->ws, r, 0, at, with_time);
    an_text(s->ws, r, 1, op, NULL);
    an_int(s->ws, r, 2, pid);
    if (vno)
        an_int(s->ws, r, 3, vno);
    an_text(s->ws, r, 4, name_of(&s->nm, pid, vno), NULL);
    an_int(s->ws, r, 5, qty);
    an_int(s->ws, r, 6, after);
    an_money(s->b, s->ws, r, 7, cost);
    an_money(s->b, s->ws, r, 8, sum);
    if (ref)
        an_int(s->ws, r, 9, ref);
    if (staff)
        an_int(s->ws, r, 10, staff);
    an_text(s->ws, r, 11, comment, NULL);
    s->rows++;
}

static void flush_sales(moves *s)
{
    for (size_t i = 0; i < s->nsales; i++) {
        struct sale *x = &s->sales[i];
        put_row(s, s->day_end - 1, 0, s->op_sale, x->pid, x->vno, x->qty, x->stock_after, x->unit_cost, x->cost_sum,
                0, 0, walor_textf(s->c, "analytics.mv.sales_comment", "n", an_num(s->c, x->orders), NULL));
    }
    s->nsales = 0;
    an_map_free(&s->sidx);
}

static int32_t on_move(void *ud, const walor_stock_move *m)
{
    moves *s = ud;
    if (m->at >= s->day_end) {
        flush_sales(s);
        s->day_end = an_midnight(an_date_add(an_date_of(m->at), 1));
    }
    int added = 0;
    int64_t ti = an_map_put(&s->tidx, m->product_id, m->variant_no, &added);
    if (ti < 0)
        return WALOR_ENOMEM;
    if ((size_t)ti >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        turn *t = realloc(s->t, cap * sizeof *t);
        if (!t)
            return WALOR_ENOMEM;
        memset(t + s->cap, 0, (cap - s->cap) * sizeof *t);
        s->t = t;
        s->cap = cap;
    }
    s->t[ti].q[kind_slot(m)] += m->qty;
    if (m->kind_bit != WALOR_STOCK_K_SALE) {
        put_row(s, m->at, 1, s->kind_label[bit_index(m->kind_bit)], m->product_id, m->variant_no, m->qty,
                m->stock_after, m->unit_cost, m->qty * m->unit_cost, m->order_id ? m->order_id : m->supply_id,
                m->staff_id, m->comment);
        return 0;
    }
    int64_t si = an_map_put(&s->sidx, m->product_id, m->variant_no, &added);
    if (si < 0)
        return WALOR_ENOMEM;
    if (added) {
        if (s->nsales == s->capsales) {
            size_t cap = s->capsales ? s->capsales * 2 : 256;
            struct sale *v = realloc(s->sales, cap * sizeof *v);
            if (!v)
                return WALOR_ENOMEM;
            s->sales = v;
            s->capsales = cap;
        }
        s->sales[s->nsales++] = (struct sale){.pid = m->product_id, .vno = m->variant_no};
    }
    struct sale *x = &s->sales[si];
    x->qty += m->qty;
    x->cost_sum += m->qty * m->unit_cost;
    x->stock_after = m->stock_after;
    x->unit_cost = m->unit_cost;
    if (x->last_order != m->order_id) {
        x->orders++;
        x->last_order = m->order_id;
    }
    return 0;
}

static const an_col TURN_COLS[] = {
    {"ID товара", 10}, {"Фасовка", 9},   {"Товар", 40},       {"На начало", 11},  {"Поставки", 11},
    {"Продажи", 11},   {"B2B", 9},       {"Возвраты на склад", 12}, {"Списания", 11}, {"Корректировки", 13},
    {"На конец", 11},  {"Стоимость на начало", 15}, {"Стоимость на конец", 15},
};
static const an_col MOVE_COLS[] = {
    {"Дата", 17},   {"Операция", 16}, {"ID товара", 10}, {"Фасовка", 9}, {"Товар", 40}, {"Кол-во", 9},
    {"Остаток после", 11}, {"Себестоимость за шт", 14}, {"Сумма по себестоимости", 15},
    {"Заказ / поставка", 12}, {"Сотрудник (ID)", 14}, {"Комментарий", 40},
};

static int by_item(const void *a, const void *b)
{
    const lv *x = a, *y = b;
    return x->pid != y->pid ? (x->pid < y->pid ? -1 : 1) : (x->vno < y->vno ? -1 : x->vno > y->vno);
}

/* the turnover sheet: every item seen at either end or moved */
static void turnover(moves *s, lxw_worksheet *ws, int64_t *value_open, int64_t *value_close)
{
    levels all = {0};
    for (size_t i = 0; i < s->open.n; i++)
        level_slot(&all, s->open.v[i].pid, s->open.v[i].vno);
    for (size_t i = 0; i < s->close.n; i++)
        level_slot(&all, s->close.v[i].pid, s->close.v[i].vno);
    for (size_t i = 0; i < s->tidx.cap; i++)
        if (s->tidx.slots[i].idx1)
            level_slot(&all, s->tidx.slots[i].k1, s->tidx.slots[i].k2);
    if (all.n > 1)
        qsort(all.v, all.n, sizeof *all.v, by_item);
    uint32_t r = 1;
    for (size_t i = 0; i < all.n && r < AN_XLSX_MAX_ROWS - 1; i++) {
        int64_t pid = all.v[i].pid, vno = all.v[i].vno;
        int64_t oi = an_map_get(&s->open.idx, pid, vno), ci = an_map_get(&s->close.idx, pid, vno);
        int64_t ti = an_map_get(&s->tidx, pid, vno);
        int64_t o = oi >= 0 ? s->open.v[oi].on_hand : 0, cl = ci >= 0 ? s->close.v[ci].on_hand : 0;
        int64_t vo = oi >= 0 ? o * s->open.v[oi].cost : 0, vc = ci >= 0 ? cl * s->close.v[ci].cost : 0;
        static const turn none;
        const turn *t = ti >= 0 ? &s->t[ti] : &none;
        int moved = 0;
        for (int k = 0; k < K_N; k++)
            moved |= t->q[k] != 0;
        if (!o && !cl && !moved)
            continue;
        an_int(ws, r, 0, pid);
        if (vno)
            an_int(ws, r, 1, vno);
        an_text(ws, r, 2, name_of(&s->nm, pid, vno), NULL);
        an_int(ws, r, 3, o);
        for (int k = 0; k < K_N; k++)
            an_int(ws, r, (uint16_t)(4 + k), t->q[k]);
        an_int(ws, r, 10, cl);
        an_money(s->b, ws, r, 11, vo);
        an_money(s->b, ws, r, 12, vc);
        *value_open += vo;
        *value_close += vc;
        r++;
    }
    an_text(ws, r, 2, walor_text(s->c, "analytics.x.total"), s->b->bold);
    an_sum(s->b, ws, r, 11, 1, r - 1, *value_open);
    an_sum(s->b, ws, r, 12, 1, r - 1, *value_close);
    levels_free(&all);
}

int32_t an_report_moves(walor_ctx *c, const an_period *p, const char *path, an_report_info *info)
{
    const walor_stock_v1 *st = an_stock(c);
    if (!st)
        return WALOR_ENOSYS;
    an_book b;
    moves s = {.c = c, .b = &b, .row = 1, .nm = {.c = c}};
    static const char *const KINDS[9] = {"supply", "writeoff", "sale", "reserve", "release", "edit", "stocktake",
                                         "restock", "b2b"};
    for (int i = 0; i < 9; i++)
        s.kind_label[i] = walor_text(c, walor_ctx_printf(c, "analytics.mv.%s", KINDS[i]));
    s.op_sale = walor_text(c, "analytics.mv.sales_day");
    int32_t rc = st->levels(c, p->from, on_level, &s.open);
    if (rc == 0)
        rc = st->levels(c, p->to, on_level, &s.close);
    if (rc == 0 && an_book_open(&b, path, an_tmpdir()) < 0)
        rc = WALOR_EINVAL;
    int64_t vo = 0, vc = 0;
    if (rc == 0) {
        lxw_worksheet *ts = an_sheet(&b, walor_text(c, "analytics.sheet.turnover"), TURN_COLS, 13);
        s.ws = an_sheet(&b, walor_text(c, "analytics.sheet.moves"), MOVE_COLS, 12);
        rc = ts && s.ws ? 0 : WALOR_ENOMEM;
        if (rc == 0)
            rc = st->moves(c, p->from, p->to,
                           WALOR_STOCK_K_ALL & ~(WALOR_STOCK_K_RESERVE | WALOR_STOCK_K_RELEASE), on_move, &s);
        if (rc == 0) {
            flush_sales(&s);
            turnover(&s, ts, &vo, &vc);
        }
        if (an_book_close(&b) < 0 && rc == 0)
            rc = WALOR_EINVAL;
    }
    names_free(&s.nm);
    levels_free(&s.open);
    levels_free(&s.close);
    an_map_free(&s.tidx);
    an_map_free(&s.sidx);
    free(s.t);
    free(s.sales);
    if (info) {
        info->rows = s.rows;
        info->total = vc;
    }
    return rc;
}
