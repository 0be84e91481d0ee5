/* orders: small helpers shared by the screens (orders.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "orders.h"

char *orders_num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }

char *orders_esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

char *orders_when(walor_ctx *c, int64_t t)
{
    char *s = walor_time_format(c, t, "%d.%m.%Y %H:%M");
    return s ? s : orders_num(c, t);
}

const char *orders_status_label(walor_ctx *c, const char *status)
{
    if (orders_status_index(status) < 0)
        return status ? status : "";
    return walor_text(c, walor_ctx_printf(c, "orders.st.%s", status));
}

int32_t orders_rows_read(walor_ctx *c, const char *count_sql, const char *sql, int64_t id, size_t size,
                         orders_row_fn read, const void *arg, void **out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    int64_t cnt = 0;
    int32_t rc = walor_db_int(c, count_sql, WALOR_ARGS(walor_i(id)), &cnt);
    if (rc < 0 || cnt <= 0)
        return rc < 0 ? rc : 0;
    char *a = walor_ctx_alloc(c, (size_t)cnt * size);
    if (!a)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    rc = walor_db_query(c, sql, WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    uint32_t i = 0;
    while (rc >= 0 && i < (uint32_t)cnt && (rc = walor_row_next(r)) == 1)
        rc = read(c, r, a + size * i++, arg);
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    *out = a;
    *n = i;
    return 0;
}

char *orders_lines_html(walor_ctx *c, const walor_order *o)
{
    char *out = walor_ctx_printf(c, "%s", "");
    for (uint32_t i = 0; out && i < o->n_lines; i++) {
        const walor_order_line *l = walor_order_line_at(o->lines, i);
        const char *name = l->variant_label && *l->variant_label
                               ? walor_ctx_printf(c, "%s, %s", orders_esc(c, l->name), orders_esc(c, l->variant_label))
                               : orders_esc(c, l->name);
        const char *line = walor_textf(c, "orders.line", "i", orders_num(c, i + 1), "name", name, "price",
                                       walor_money(c, l->unit_price), "qty", orders_num(c, l->qty), "sum",
                                       walor_money(c, l->unit_price * l->qty), NULL);
        out = walor_ctx_printf(c, "%s%s%s", out, i ? "\n" : "", line);
    }
    return out;
}

static char *add_sum(walor_ctx *c, char *acc, const char *key, int64_t v, int show_zero)
{
    if (!acc || (!v && !show_zero))
        return acc;
    return walor_ctx_printf(c, "%s\n%s", acc, walor_textf(c, key, "sum", walor_money(c, v), NULL));
}

char *orders_sums_html(walor_ctx *c, const walor_order *o)
{
    char *s = walor_textf(c, "orders.sum.goods", "sum", walor_money(c, o->goods + o->product_discount), NULL);
    s = add_sum(c, s, "orders.sum.product_discount", o->product_discount, 0);
    s = add_sum(c, s, "orders.sum.personal", o->personal_discount, 0);
    if (s && o->promo_discount)
        s = walor_ctx_printf(c, "%s\n%s", s,
                             walor_textf(c, "orders.sum.promo", "code", orders_esc(c, o->promo_code), "sum",
                                         walor_money(c, o->promo_discount), NULL));
    if (s && o->cert_discount)
        s = walor_ctx_printf(c, "%s\n%s", s,
                             walor_textf(c, "orders.sum.cert", "code", orders_esc(c, o->cert_code), "sum",
                                         walor_money(c, o->cert_discount), NULL));
    s = add_sum(c, s, "orders.sum.bonus", o->bonus_spent, 0);
    if (s && o->delivery_manual)
        s = walor_ctx_printf(c, "%s\n%s", s, walor_text(c, "orders.sum.delivery_manual"));
    else
        s = add_sum(c, s, "orders.sum.delivery", o->delivery_cost, 1);
    return add_sum(c, s, "orders.sum.total", o->total, 1);
}
