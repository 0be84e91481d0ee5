/* analytics: the ABC workbook (F-AN-04). Every line of the period's sales
 * is added to its stock item (product and variant) in a hash index; the
 * items are then classified (abc.c) and written, largest revenue first.
 * An item's revenue is what its lines sold for (unit price after the
 * product discount × quantity): order-wide discounts (personal, promo,
 * certificate, bonuses) are in the P&L, not spread over items. Sheets:
 * "ABC" (one row per item with its class) and "Итоги" (per class). */
#include <stdlib.h>
#include <string.h>

#include "abc.h"
#include "analytics.h"
#include "map.h"
#include "xlsx.h"

typedef struct item {
    int64_t pid, vno, qty, revenue, orders, last_order;
    char *name;   /* malloc'd: the first name the item sold under in the period */
} item;

typedef struct abc {
    an_map idx;
    item *v;
    size_t n, cap;
    int oom;
} abc;

static char *name_of(const walor_order_line *l)
{
    const char *n = l->name ? l->name : "", *v = l->variant_label ? l->variant_label : "";
    size_t a = strlen(n), b = strlen(v);
    char *s = malloc(a + b + 6);
    if (!s)
        return NULL;
    memcpy(s, n, a);
    if (b) {
        memcpy(s + a, " — ", 5);
        memcpy(s + a + 5, v, b);
        a += 5 + b;
    }
    s[a] = 0;
    return s;
}

static int32_t on_line(void *ud, const walor_order *o, const walor_order_line *l)
{
    abc *a = ud;
    int added = 0;
    int64_t i = an_map_put(&a->idx, l->product_id, l->variant_no, &added);
    if (i < 0)
        return WALOR_ENOMEM;
    if (added) {
        if (a->n == a->cap) {
            size_t cap = a->cap ? a->cap * 2 : 256;
            item *v = realloc(a->v, cap * sizeof *v);
            if (!v)
                return WALOR_ENOMEM;
            a->v = v;
            a->cap = cap;
        }
        a->v[a->n++] = (item){.pid = l->product_id, .vno = l->variant_no, .name = name_of(l)};
    }
    item *it = &a->v[i];
    it->qty += l->qty;
    it->revenue += l->unit_price * l->qty;
    if (it->last_order != o->id) { /* an item may be two lines of one order (a B2B split) */
        it->orders++;
        it->last_order = o->id;
    }
    return 0;
}

static const an_col COLS[] = {{"№", 6},       {"ID товара", 10},       {"Фасовка", 9},  {"Товар", 44},
                              {"Продано, шт", 12}, {"Заказов", 10},     {"Выручка", 16}, {"Доля", 9},
                              {"Накопленная доля", 12}, {"Класс", 8}};

static void totals_sheet(walor_ctx *c, an_book *b, lxw_worksheet *ws, const an_abc_item *v, size_t n,
                         int64_t total, const an_period *p)
{
    int64_t cnt[3] = {0, 0, 0}, rev[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        int k = v[i].cls - 'A';
        cnt[k]++;
        rev[k] += v[i].revenue > 0 ? v[i].revenue : 0;
    }
    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 3, 16, NULL);
    an_text(ws, 0, 0, walor_textf(c, "analytics.abc.title", "period", an_period_label(c, p), NULL), b->title);
    an_text(ws, 1, 0, walor_text(c, "analytics.abc.rule"), b->note);
    static const char *const H[] = {"Класс", "Позиций", "Выручка", "Доля выручки"};
    for (int i = 0; i < 4; i++)
        an_text(ws, 3, (uint16_t)i, H[i], b->head);
    for (int k = 0; k < 3; k++) {
        an_text(ws, (uint32_t)(4 + k), 0, walor_text(c, walor_ctx_printf(c, "analytics.abc.class_%c", 'a' + k)),
                NULL);
        an_int(ws, (uint32_t)(4 + k), 1, cnt[k]);
        an_money(b, ws, (uint32_t)(4 + k), 2, rev[k]);
        worksheet_write_number(ws, (uint32_t)(4 + k), 3, total > 0 ? (double)rev[k] / (double)total : 0, b->pct);
    }
    an_text(ws, 7, 0, walor_text(c, "analytics.x.total"), b->bold);
    an_int(ws, 7, 1, (int64_t)n);
    an_sum(b, ws, 7, 2, 4, 6, total);
    worksheet_write_number(ws, 7, 3, total > 0 ? 1.0 : 0, b->pct);
}

int32_t an_report_abc(walor_ctx *c, const an_period *p, const char *path, an_report_info *info)
{
    const walor_orders_v1 *os = an_orders(c);
    if (!os)
        return WALOR_ENOSYS;
    abc a = {0};
    int32_t rc = os->scan(c, p->from, p->to, WALOR_ORDERS_SCAN_LINES, on_line, &a);
    an_abc_item *v = a.n ? calloc(a.n, sizeof *v) : NULL;
    if (rc == 0 && a.n && !v)
        rc = WALOR_ENOMEM;
    int64_t total = 0;
    if (rc == 0) {
        for (size_t i = 0; i < a.n; i++)
            v[i] = (an_abc_item){.key1 = a.v[i].pid, .key2 = a.v[i].vno, .revenue = a.v[i].revenue};
        an_abc_classify(v, a.n, &total);
    }
    an_book b;
    if (rc == 0 && an_book_open(&b, path, an_tmpdir()) < 0)
        rc = WALOR_EINVAL;
    if (rc == 0) {
        lxw_worksheet *ws = an_sheet(&b, walor_text(c, "analytics.sheet.abc"), COLS, 10);
        lxw_worksheet *ts = an_sheet(&b, walor_text(c, "analytics.sheet.totals"), NULL, 0);
        for (size_t i = 0; ws && i < a.n; i++) {
            item *it = &a.v[an_map_get(&a.idx, v[i].key1, v[i].key2)];
            uint32_t r = (uint32_t)i + 1;
            an_int(ws, r, 0, (int64_t)i + 1);
            an_int(ws, r, 1, it->pid);
            if (it->vno)
                an_int(ws, r, 2, it->vno);
            an_text(ws, r, 3, it->name, NULL);
            an_int(ws, r, 4, it->qty);
            an_int(ws, r, 5, it->orders);
            an_money(&b, ws, r, 6, it->revenue);
            int64_t rv = it->revenue > 0 ? it->revenue : 0;
            worksheet_write_number(ws, r, 7, total > 0 ? (double)rv / (double)total : 0, b.pct);
            worksheet_write_number(ws, r, 8, total > 0 ? (double)(v[i].cum_before + rv) / (double)total : 0, b.pct);
            char cls[2] = {v[i].cls, 0};
            an_text(ws, r, 9, cls, b.bold);
        }
        if (ws) {
            an_text(ws, (uint32_t)a.n + 1, 3, walor_text(c, "analytics.x.total"), b.bold);
            an_sum(&b, ws, (uint32_t)a.n + 1, 6, 1, (uint32_t)a.n, total);
        }
        if (ts)
            totals_sheet(c, &b, ts, v, a.n, total, p);
        if (!ws || !ts)
            rc = WALOR_ENOMEM;
        if (an_book_close(&b) < 0 && rc == 0)
            rc = WALOR_EINVAL;
    }
    for (size_t i = 0; i < a.n; i++)
        free(a.v[i].name);
    free(a.v);
    free(v);
    an_map_free(&a.idx);
    if (info) {
        info->rows = (int64_t)a.n;
        info->total = total;
    }
    return rc;
}
