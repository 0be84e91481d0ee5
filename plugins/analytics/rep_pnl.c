/* analytics: the P&L workbook (F-AN-03). Sheets:
 *   Сводка          revenue and what it is made of, discounts by kind, net
 *                   revenue, cost of goods, gross profit and margin,
 *                   delivery paid by customers and by the shop, write-offs;
 *   Заказы          one row per sale of the period;
 *   Возвраты, Записи, Ручная выручка, Списания   the other lines, row by row.
 * Everything is streamed: the ledger's sales of the period give each
 * order's cost of goods (its unit cost at the moment of sale) into a hash
 * index, then the sales stream writes one row each. The summary sheet is
 * created first and written last (constant-memory sheets are independent). */
#include <stdlib.h>
#include <string.h>

#include "analytics.h"
#include "map.h"
#include "xlsx.h"

#define DAY 86400

typedef struct pnl {
    walor_ctx *c;
    an_book *b;
    lxw_worksheet *ws;
    uint32_t row;
    an_map idx;        /* order id → costs[] */
    int64_t *costs;
    size_t cap;
    int have_stock;
    /* sums of the period */
    int64_t n_orders, n_b2b, total_orders, total_b2b;
    int64_t catalog, product_disc, personal, promo, cert, bonus, goods_net, d_client, d_shop, cogs;
    int64_t refunds, n_refunds, refunds_x, n_refunds_x;
    int64_t bookings, n_bookings, manual, n_manual, writeoffs, n_writeoffs;
    int64_t cut;       /* sales beyond Excel's rows, summed but not listed */
    /* labels looked up once: nothing is allocated per row */
    const char *st[8], *src[3], *yes, *no, *by_provider, *by_hand;
} pnl;

static const char *const STATUSES[8] = {"new", "paid", "processing", "shipped", "delivered", "completed",
                                        "cancelled", NULL};

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }

/* ---- cost of goods per order, from the ledger's sale rows ---- */

static int32_t on_sale_move(void *ud, const walor_stock_move *m)
{
    pnl *s = ud;
    if (m->order_id <= 0)
        return 0;
    int64_t i = an_map_put(&s->idx, m->order_id, 0, NULL);
    if (i < 0)
        return WALOR_ENOMEM;
    if ((size_t)i >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        int64_t *v = realloc(s->costs, cap * sizeof *v);
        if (!v)
            return WALOR_ENOMEM;
        memset(v + s->cap, 0, (cap - s->cap) * sizeof *v);
        s->costs = v;
        s->cap = cap;
    }
    s->costs[i] += -m->qty * m->unit_cost;
    return 0;
}

/* ---- Заказы ---- */

static const an_col ORDER_COLS[] = {
    {"№ заказа", 10},           {"Оплачен", 17},           {"Источник", 13},      {"Статус", 13},
    {"Товары по ценам каталога", 15}, {"Скидка на товары", 13}, {"Персональная скидка", 13}, {"Промокод", 12},
    {"Скидка по промокоду", 13}, {"Сертификат", 13},       {"Бонусы", 12},        {"Товары после скидок", 15},
    {"Доставка: оплатил клиент", 14}, {"Доставка: оплатил магазин", 14}, {"Итого оплачено", 15},
    {"Себестоимость", 15},      {"Валовая прибыль", 15},
};
#define ORDER_NCOLS (int)(sizeof ORDER_COLS / sizeof ORDER_COLS[0])

static void labels(pnl *s)
{
    for (int i = 0; STATUSES[i]; i++)
        s->st[i] = T(s->c, walor_ctx_printf(s->c, "analytics.st.%s", STATUSES[i]));
    s->src[WALOR_ORDER_SRC_CUSTOMER] = T(s->c, "analytics.src.customer");
    s->src[WALOR_ORDER_SRC_STAFF] = T(s->c, "analytics.src.staff");
    s->src[WALOR_ORDER_SRC_B2B] = T(s->c, "analytics.src.b2b");
    s->yes = T(s->c, "analytics.x.yes");
    s->no = T(s->c, "analytics.x.no");
    s->by_provider = T(s->c, "analytics.x.refund_provider");
    s->by_hand = T(s->c, "analytics.x.refund_manual");
}

static const char *status_label(const pnl *s, const char *st)
{
    for (int i = 0; STATUSES[i]; i++)
        if (!strcmp(STATUSES[i], st))
            return s->st[i];
    return st;
}

static int32_t on_order(void *ud, const walor_order *o, const walor_order_line *l)
{
    (void)l;
    pnl *s = ud;
    int64_t idx = s->have_stock ? an_map_get(&s->idx, o->id, 0) : -1;
    int64_t cost = idx >= 0 ? s->costs[idx] : 0, net = o->total - o->delivery_cost;
    if (o->source == WALOR_ORDER_SRC_B2B) {
        s->n_b2b++;
        s->total_b2b += o->total;
    } else {
        s->n_orders++;
        s->total_orders += o->total;
    }
    s->catalog += o->goods + o->product_discount;
    s->product_disc += o->product_discount;
    s->personal += o->personal_discount;
    s->promo += o->promo_discount;
    s->cert += o->cert_discount;
    s->bonus += o->bonus_spent;
    s->goods_net += net;
    s->d_client += o->delivery_cost;
    s->d_shop += o->delivery_shop;
    s->cogs += cost;
    if (s->row >= AN_XLSX_MAX_ROWS - 2) { /* keep the last row for the totals */
        s->cut++;
        return 0;
    }
    uint32_t r = s->row++;
    an_book *b = s->b;
    an_int(s->ws, r, 0, o->id);
    an_date_cell(b, s->ws, r, 1, o->paid_at, 1);
    an_text(s->ws, r, 2, s->src[o->source >= 0 && o->source <= 2 ? o->source : 0], NULL);
    an_text(s->ws, r, 3, status_label(s, o->status), NULL);
    const int64_t m[] = {o->goods + o->product_discount, o->product_discount, o->personal_discount};
    for (int i = 0; i < 3; i++)
        an_money(b, s->ws, r, (uint16_t)(4 + i), m[i]);
    an_text(s->ws, r, 7, o->promo_code, NULL);
    const int64_t m2[] = {o->promo_discount, o->cert_discount, o->bonus_spent, net, o->delivery_cost,
                          o->delivery_shop, o->total, cost, net - cost};
    for (int i = 0; i < 9; i++)
        an_money(b, s->ws, r, (uint16_t)(8 + i), m2[i]);
    return 0;
}

static void order_totals(pnl *s)
{
    uint32_t r = s->row;
    an_text(s->ws, r, 0, T(s->c, "analytics.x.total"), s->b->bold);
    const int64_t v[] = {s->catalog, s->product_disc, s->personal, 0, s->promo, s->cert, s->bonus, s->goods_net,
                         s->d_client, s->d_shop, s->total_orders + s->total_b2b, s->cogs, s->goods_net - s->cogs};
    for (int i = 0; i < 13; i++)
        if (i != 3) /* the promo code column */
            an_sum(s->b, s->ws, r, (uint16_t)(4 + i), 1, r - 1, v[i]);
    if (s->cut)
        an_text(s->ws, r + 1, 0,
                walor_textf(s->c, "analytics.x.cut", "orders", walor_plural(s->c, s->cut, "заказ|заказа|заказов", 0),
                            NULL),
                s->b->note);
}

/* ---- Возвраты ---- */

typedef struct sheet_ctx {
    pnl *s;
    lxw_worksheet *ws;
    uint32_t row;
} sheet_ctx;

static int32_t on_refund(void *ud, const walor_refund *x)
{
    sheet_ctx *h = ud;
    pnl *s = h->s;
    int counted = strcmp(x->order_status, "cancelled") != 0 && !(x->order_flags & WALOR_ORDER_F_TESTER);
    if (counted) {
        s->refunds += x->amount;
        s->n_refunds++;
    } else {
        s->refunds_x += x->amount;
        s->n_refunds_x++;
    }
    if (h->row >= AN_XLSX_MAX_ROWS - 1)
        return 0;
    uint32_t r = h->row++;
    an_date_cell(s->b, h->ws, r, 0, x->at, 1);
    an_int(h->ws, r, 1, x->order_id);
    an_money(s->b, h->ws, r, 2, x->amount);
    an_text(h->ws, r, 3, !strcmp(x->kind, WALOR_REFUND_PROVIDER) ? s->by_provider : s->by_hand, NULL);
    an_text(h->ws, r, 4, x->reason, NULL);
    an_text(h->ws, r, 5, status_label(s, x->order_status), NULL);
    an_text(h->ws, r, 6, counted ? s->yes : s->no, NULL);
    return 0;
}

/* ---- Записи, Ручная выручка ---- */

static int32_t on_booking(void *ud, const an_booking *k)
{
    sheet_ctx *h = ud;
    h->s->bookings += k->price;
    h->s->n_bookings++;
    if (h->row >= AN_XLSX_MAX_ROWS - 1)
        return 0;
    uint32_t r = h->row++;
    an_date_cell(h->s->b, h->ws, r, 0, k->completed_at, 1);
    an_int(h->ws, r, 1, k->booking_id);
    an_text(h->ws, r, 2, k->service_name, NULL);
    if (k->client_id)
        an_int(h->ws, r, 3, k->client_id);
    an_money(h->s->b, h->ws, r, 4, k->price);
    return 0;
}

static int32_t on_manual(void *ud, const an_manual *m)
{
    sheet_ctx *h = ud;
    h->s->manual += m->amount;
    h->s->n_manual++;
    if (h->row >= AN_XLSX_MAX_ROWS - 1)
        return 0;
    uint32_t r = h->row++;
    an_date_cell(h->s->b, h->ws, r, 0, m->day, 0);
    an_int(h->ws, r, 1, m->id);
    an_text(h->ws, r, 2, m->category, NULL);
    an_text(h->ws, r, 3, m->comment, NULL);
    an_money(h->s->b, h->ws, r, 4, m->amount);
    if (m->staff_id)
        an_int(h->ws, r, 5, m->staff_id);
    return 0;
}

/* ---- Списания ---- */

static const char *item_name(walor_ctx *c, int64_t pid, int64_t vno)
{
    const walor_catalog_v1 *cat = an_catalog(c);
    walor_catalog_item it;
    if (!cat || cat->item(c, pid, vno, &it) != 0)
        return walor_textf(c, "analytics.x.unknown_item", "id", an_num(c, pid), NULL);
    return it.variant_label && *it.variant_label ? walor_ctx_printf(c, "%s — %s", it.name, it.variant_label)
                                                 : it.name;
}

static int32_t on_writeoff(void *ud, const walor_stock_move *m)
{
    sheet_ctx *h = ud;
    int64_t sum = -m->qty * m->unit_cost;
    h->s->writeoffs += sum;
    h->s->n_writeoffs++;
    if (h->row >= AN_XLSX_MAX_ROWS - 1)
        return 0;
    uint32_t r = h->row++;
    an_date_cell(h->s->b, h->ws, r, 0, m->at, 1);
    an_int(h->ws, r, 1, m->product_id);
    if (m->variant_no)
        an_int(h->ws, r, 2, m->variant_no);
    an_text(h->ws, r, 3, item_name(h->s->c, m->product_id, m->variant_no), NULL);
    an_int(h->ws, r, 4, -m->qty);
    an_money(h->s->b, h->ws, r, 5, m->unit_cost);
    an_money(h->s->b, h->ws, r, 6, sum);
    an_text(h->ws, r, 7, m->comment, NULL);
    return 0;
}

/* ---- Сводка ---- */

typedef struct line {
    const char *key;    /* analytics.pnl.<key>: the label; analytics.pnl.<key>_why: the explanation */
    int64_t value;      /* kopecks, or per mille for the margin */
    int64_t n;          /* shown as "(N)" after the label when >= 0 */
    int kind;           /* 0 money, 1 bold money, 2 percent, 3 blank, 4 money indented */
} line;

static void summary(pnl *s, lxw_worksheet *ws, const an_period *p)
{
    walor_ctx *c = s->c;
    an_book *b = s->b;
    worksheet_set_column(ws, 0, 0, 46, NULL);
    worksheet_set_column(ws, 1, 1, 18, NULL);
    worksheet_set_column(ws, 2, 2, 80, NULL);
    an_text(ws, 0, 0, walor_textf(c, "analytics.pnl.title", "period", an_period_label(c, p), NULL), b->title);
    an_text(ws, 1, 0, T(c, "analytics.x.tz_note"), b->note);
    an_text(ws, 3, 0, T(c, "analytics.pnl.h_what"), b->head);
    an_text(ws, 3, 1, T(c, "analytics.pnl.h_sum"), b->head);
    an_text(ws, 3, 2, T(c, "analytics.pnl.h_why"), b->head);
    int64_t net = s->goods_net + s->bookings + s->manual - s->refunds, gross = net - s->cogs;
    int64_t revenue = s->total_orders + s->total_b2b + s->bookings + s->manual - s->refunds;
    const line L[] = {
        {"revenue", revenue, -1, 1},
        {"orders", s->total_orders, s->n_orders, 4},
        {"b2b", s->total_b2b, s->n_b2b, 4},
        {"bookings", s->bookings, s->n_bookings, 4},
        {"manual", s->manual, s->n_manual, 4},
        {"refunds", -s->refunds, s->n_refunds, 4},
        {"", 0, -1, 3},
        {"catalog", s->catalog, -1, 0},
        {"product_disc", -s->product_disc, -1, 4},
        {"personal", -s->personal, -1, 4},
        {"promo", -s->promo, -1, 4},
        {"cert", -s->cert, -1, 4},
        {"bonus", -s->bonus, -1, 4},
        {"goods_net", s->goods_net, -1, 1},
        {"", 0, -1, 3},
        {"net", net, -1, 1},
        {"cogs", -s->cogs, -1, 0},
        {"gross", gross, -1, 1},
        {"margin", net > 0 ? gross * 1000 / net : 0, -1, 2},
        {"", 0, -1, 3},
        {"d_client", s->d_client, -1, 0},
        {"d_shop", -s->d_shop, -1, 0},
        {"writeoffs", -s->writeoffs, s->n_writeoffs, 0},
        {"profit", gross - s->d_shop - s->writeoffs, -1, 1},
        {"", 0, -1, 3},
        {"refunds_x", s->refunds_x, s->n_refunds_x, 0},
    };
    uint32_t r = 4;
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++, r++) {
        if (L[i].kind == 3)
            continue;
        const char *label = T(c, walor_ctx_printf(c, "analytics.pnl.%s", L[i].key));
        if (L[i].n >= 0)
            label = walor_ctx_printf(c, "%s (%s)", label, an_num(c, L[i].n));
        an_text(ws, r, 0, label, L[i].kind == 1 ? b->bold : L[i].kind == 4 ? b->indent : NULL);
        if (L[i].kind == 2)
            worksheet_write_number(ws, r, 1, (double)L[i].value / 1000.0, b->pct);
        else
            worksheet_write_number(ws, r, 1, (double)L[i].value / 100.0, L[i].kind == 1 ? b->money_b : b->money);
        an_text(ws, r, 2, T(c, walor_ctx_printf(c, "analytics.pnl.%s_why", L[i].key)), b->note);
    }
    if (!s->have_stock)
        an_text(ws, r + 1, 0, T(c, "analytics.pnl.no_stock"), b->note);
}

int32_t an_report_pnl(walor_ctx *c, const an_period *p, const char *path, an_report_info *info)
{
    const walor_orders_v1 *os = an_orders(c);
    const walor_stock_v1 *st = an_stock(c);
    an_book b;
    if (!os)
        return WALOR_ENOSYS;
    if (an_book_open(&b, path, an_tmpdir()) < 0)
        return WALOR_EINVAL;
    pnl s = {.c = c, .b = &b, .row = 1, .have_stock = st != NULL};
    labels(&s);
    lxw_worksheet *sum = an_sheet(&b, T(c, "analytics.sheet.summary"), NULL, 0);
    s.ws = an_sheet(&b, T(c, "analytics.sheet.orders"), ORDER_COLS, ORDER_NCOLS);
    static const an_col RC[] = {{"Дата", 17}, {"№ заказа", 10}, {"Сумма", 14}, {"Способ", 26},
                                {"Причина", 40}, {"Статус заказа", 14}, {"Учтён в выручке", 12}};
    static const an_col BC[] = {{"Завершена", 17}, {"№ записи", 10}, {"Услуга", 36}, {"Клиент (ID)", 14},
                                {"Сумма", 14}};
    static const an_col MC[] = {{"Дата", 12}, {"№", 8}, {"Категория", 20}, {"Комментарий", 50},
                                {"Сумма", 14}, {"Записал (ID)", 14}};
    static const an_col WC[] = {{"Дата", 17}, {"ID товара", 10}, {"Фасовка", 9}, {"Товар", 40}, {"Кол-во", 9},
                                {"Себестоимость за шт", 15}, {"Сумма", 14}, {"Комментарий", 40}};
    sheet_ctx rs = {&s, an_sheet(&b, T(c, "analytics.sheet.refunds"), RC, 7), 1};
    sheet_ctx bs = {&s, an_sheet(&b, T(c, "analytics.sheet.bookings"), BC, 5), 1};
    sheet_ctx ms = {&s, an_sheet(&b, T(c, "analytics.sheet.manual"), MC, 6), 1};
    sheet_ctx ws = {&s, an_sheet(&b, T(c, "analytics.sheet.writeoffs"), WC, 8), 1};
    int32_t rc = sum && s.ws && rs.ws && bs.ws && ms.ws && ws.ws ? 0 : WALOR_ENOMEM;
    /* a sale is written in the ledger in the same transaction as the
     * payment: a day either side keeps the second it was stamped with */
    if (rc == 0 && st)
        rc = st->moves(c, p->from - DAY, p->to + DAY, WALOR_STOCK_K_SALE | WALOR_STOCK_K_B2B, on_sale_move, &s);
    if (rc == 0)
        rc = os->scan(c, p->from, p->to, 0, on_order, &s);
    if (rc == 0)
        rc = os->refunds(c, p->from, p->to, on_refund, &rs);
    if (rc == 0)
        rc = an_bookings_scan(c, p->from, p->to, on_booking, &bs);
    if (rc == 0)
        rc = an_manual_scan(c, p->from, p->to, on_manual, &ms);
    if (rc == 0 && st)
        rc = st->moves(c, p->from, p->to, WALOR_STOCK_K_WRITEOFF, on_writeoff, &ws);
    if (rc == 0) {
        order_totals(&s);
        summary(&s, sum, p);
        const sheet_ctx *tot[] = {&rs, &bs, &ms, &ws};
        static const uint16_t col[] = {2, 4, 4, 6};
        const int64_t sums[] = {s.refunds + s.refunds_x, s.bookings, s.manual, s.writeoffs};
        for (int i = 0; i < 4; i++) {
            an_text(tot[i]->ws, tot[i]->row, 0, T(c, "analytics.x.total"), b.bold);
            an_sum(&b, tot[i]->ws, tot[i]->row, col[i], 1, tot[i]->row - 1, sums[i]);
        }
    }
    an_map_free(&s.idx);
    free(s.costs);
    if (an_book_close(&b) < 0 && rc == 0)
        rc = WALOR_EINVAL;
    if (info) {
        info->rows = s.n_orders + s.n_b2b;
        info->total = s.total_orders + s.total_b2b + s.bookings + s.manual - s.refunds;
    }
    return rc;
}
