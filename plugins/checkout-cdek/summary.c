/* checkout-cdek: the quote of a conversation (the cart as it is now, the
 * pricing extension's adjustments, the chosen delivery) through the one
 * quote function, and the summary screen drawn from it. No network here:
 * the rates are taken by flow.c and kept in the conversation's data. */
#include <string.h>

#include "checkout.h"

void chk_free_rule_load(walor_ctx *c, chk_free_rule *r)
{
    memset(r, 0, sizeof *r);
    r->moscow_pickup = walor_setting_or(c, "checkout-cdek.free_msk_pickup", 0);
    r->moscow_courier = walor_setting_or(c, "checkout-cdek.free_msk_courier", 0);
    r->region_pickup_pct = (int32_t)walor_setting_or(c, "checkout-cdek.free_region_pickup_pct", 0);
    r->region_courier_pct = (int32_t)walor_setting_or(c, "checkout-cdek.free_region_courier_pct", 0);
}

walor_pricing_order *chk_pricing_order(walor_ctx *c, int64_t user_id, json_t *d, const walor_cart_line *lines,
                                       uint32_t n, int64_t goods)
{
    walor_pricing_order *o = walor_ctx_alloc(c, sizeof *o);
    json_t *ch = json_object_get(d, "choices");
    size_t k = json_object_size(ch);
    const char **steps = walor_ctx_alloc(c, (k + 1) * sizeof *steps);
    const char **vals = walor_ctx_alloc(c, (k + 1) * sizeof *vals);
    if (!o || !steps || !vals)
        return NULL;
    uint32_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(ch, key, v)
    {
        if (!json_is_string(v))
            continue;
        steps[i] = walor_ctx_printf(c, "%s", key);
        vals[i++] = walor_ctx_printf(c, "%s", json_string_value(v));
    }
    o->struct_size = sizeof *o;
    o->user_id = user_id;
    o->lines = lines;
    o->n_lines = n;
    o->goods = goods;
    json_t *cost = json_object_get(d, "cost");
    const char *dt = chk_json_str(d, "dtype");
    o->delivery_cost = *dt && json_is_integer(json_object_get(cost, dt)) ? chk_json_int(json_object_get(cost, dt)) : -1;
    o->choice_steps = steps;
    o->choice_values = vals;
    o->n_choices = i;
    return o;
}

int32_t chk_view_build(walor_ctx *c, int64_t user_id, json_t *d, chk_view *v)
{
    memset(v, 0, sizeof *v);
    const walor_cart_v1 *cart = chk_cart(c);
    if (!cart)
        return WALOR_ENOSYS;
    int32_t rc = cart->lines(c, user_id, &v->lines, &v->n);
    if (rc < 0)
        return rc;
    if (v->n == 0)
        return 0;
    chk_qline *ql = walor_ctx_alloc(c, v->n * sizeof *ql);
    int64_t *w = walor_ctx_alloc(c, v->n * sizeof *w), *q = walor_ctx_alloc(c, v->n * sizeof *q);
    if (!ql || !w || !q)
        return WALOR_ENOMEM;
    int64_t goods = 0;
    for (uint32_t i = 0; i < v->n; i++) {
        const walor_cart_line *l = walor_cart_line_at(v->lines, i);
        ql[i] = (chk_qline){.base_price = l->base_price < l->unit_price ? l->unit_price : l->base_price,
                            .unit_price = l->unit_price,
                            .qty = l->qty};
        w[i] = l->weight_g > 0 ? l->weight_g : 0;
        q[i] = l->qty;
        goods += l->unit_price * l->qty;
    }
    chk_box boxes[CHK_BOXES_MAX];
    int nb = chk_boxes(c, boxes);
    if (chk_parcel_compute(w, q, v->n, boxes, nb, &v->parcel) < 0)
        return WALOR_EINVAL;
    /* the pricing extension's lines */
    const walor_pricing_v1 *pr = chk_pricing(c);
    if (pr) {
        walor_pricing_order *o = chk_pricing_order(c, user_id, d, v->lines, v->n, goods);
        size_t sz = sizeof(walor_pricing_adjust);
        v->adj = walor_ctx_alloc(c, sz * WALOR_PRICING_MAX_ADJUST);
        if (!o || !v->adj)
            return WALOR_ENOMEM;
        for (uint32_t i = 0; i < WALOR_PRICING_MAX_ADJUST; i++)
            v->adj[i].struct_size = (uint32_t)sz;
        uint32_t n = 0;
        rc = pr->adjust(c, o, v->adj, WALOR_PRICING_MAX_ADJUST, &n);
        if (rc < 0) {
            walor_log(c, WALOR_LOG_WARN, "checkout-cdek: pricing adjust: %d", rc);
            n = 0;
        }
        for (uint32_t i = 0; i < n && i < WALOR_PRICING_MAX_ADJUST; i++) {
            const walor_pricing_adjust *a = walor_pricing_adjust_at(v->adj, i);
            if (a->kind < 1 || a->kind > 4 || a->amount <= 0)
                continue;
            v->qadj[v->nadj].kind = a->kind;
            v->qadj[v->nadj].amount = a->amount;
            if (v->nadj != i) /* keep adj[] and qadj[] index-aligned */
                *walor_pricing_adjust_at(v->adj, v->nadj) = *a;
            v->nadj++;
        }
    }
    int64_t carrier = CHK_DELIVERY_UNKNOWN;
    const char *dt = chk_json_str(d, "dtype");
    json_t *cost = json_object_get(d, "cost");
    if (*dt && json_is_integer(json_object_get(cost, dt))) {
        carrier = chk_json_int(json_object_get(cost, dt));
        if (carrier < 0)
            carrier = CHK_DELIVERY_MANUAL;
    }
    chk_free_rule r;
    chk_free_rule_load(c, &r);
    if (chk_quote_compute(ql, v->n, v->qadj, v->nadj, carrier, &r, chk_is_moscow(c, d), chk_dkind(d), &v->q) < 0)
        return WALOR_EINVAL;
    return 0;
}

static const char *esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

char *chk_summary_html(walor_ctx *c, json_t *d, const chk_view *v)
{
    json_t *a = json_object_get(d, "addr"), *p = json_object_get(d, "point"), *cr = json_object_get(d, "courier");
    const char *contacts = walor_ctx_printf(c, "%s, %s%s%s", esc(c, chk_json_str(d, "name")), esc(c, chk_json_str(d, "phone")),
                                            *chk_json_str(d, "email") ? ", " : "", esc(c, chk_json_str(d, "email")));
    const char *addr = esc(c, chk_json_str(a, "text"));
    if (!json_is_true(json_object_get(a, "verified")))
        addr = walor_ctx_printf(c, "%s %s", addr, walor_text(c, "checkout-cdek.sum.unverified"));
    const char *where;
    if (chk_dkind(d) == CHK_COURIER)
        where = walor_textf(c, "checkout-cdek.sum.courier", "entrance", esc(c, chk_json_str(cr, "entrance")), "floor",
                            esc(c, chk_json_str(cr, "floor")), "intercom", esc(c, chk_json_str(cr, "intercom")), NULL);
    else
        where = walor_textf(c, "checkout-cdek.sum.pickup", "address", esc(c, chk_json_str(p, "address")), "hours",
                            esc(c, chk_json_str(p, "hours")), NULL);
    char *h = walor_textf(c, "checkout-cdek.sum.head", "contacts", contacts, "address", addr, "where", where, NULL);
    if (*chk_json_str(d, "comment"))
        h = walor_ctx_printf(c, "%s\n%s", h,
                             walor_textf(c, "checkout-cdek.sum.comment", "comment", esc(c, chk_json_str(d, "comment")), NULL));
    h = walor_ctx_printf(c, "%s\n", h);
    for (uint32_t i = 0; i < v->n; i++) {
        const walor_cart_line *l = walor_cart_line_at(v->lines, i);
        const char *name = *l->variant_label ? walor_ctx_printf(c, "%s, %s", l->name, l->variant_label) : l->name;
        h = walor_ctx_printf(c, "%s\n%s", h,
                             walor_textf(c, "checkout-cdek.sum.line", "n", chk_i64(c, i + 1), "name", esc(c, name),
                                         "price", walor_money(c, l->unit_price), "qty", chk_i64(c, l->qty), "sum",
                                         walor_money(c, l->unit_price * l->qty), NULL));
    }
    h = walor_ctx_printf(c, "%s\n\n%s", h, walor_textf(c, "checkout-cdek.sum.goods", "sum", walor_money(c, v->q.goods_base), NULL));
    if (v->q.product_discount > 0)
        h = walor_ctx_printf(c, "%s\n%s", h,
                             walor_textf(c, "checkout-cdek.sum.product_discount", "sum",
                                         walor_money(c, -v->q.product_discount), NULL));
    for (uint32_t i = 0; i < v->nadj; i++) {
        const walor_pricing_adjust *ad = walor_pricing_adjust_at(v->adj, i);
        if (v->qadj[i].applied <= 0)
            continue;
        h = walor_ctx_printf(c, "%s\n%s", h,
                             walor_textf(c, "checkout-cdek.sum.adjust", "label", esc(c, ad->label ? ad->label : ""),
                                         "sum", walor_money(c, -v->qadj[i].applied), NULL));
    }
    const char *dl;
    if (v->q.delivery_state == CHK_DELIVERY_MANUAL)
        dl = walor_text(c, "checkout-cdek.price_manual");
    else if (v->q.delivery_free)
        dl = walor_text(c, "checkout-cdek.price_free");
    else
        dl = walor_money(c, v->q.delivery);
    h = walor_ctx_printf(c, "%s\n%s", h, walor_textf(c, "checkout-cdek.sum.delivery", "sum", dl, NULL));
    if (v->q.free_left > 0)
        h = walor_ctx_printf(c, "%s\n%s", h,
                             walor_textf(c, "checkout-cdek.sum.free_left", "sum", walor_money(c, v->q.free_left), NULL));
    return walor_ctx_printf(c, "%s\n\n%s", h, walor_textf(c, "checkout-cdek.sum.total", "sum", walor_money(c, v->q.total), NULL));
}
