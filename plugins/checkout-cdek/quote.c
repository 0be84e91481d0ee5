/* checkout-cdek: pure checkout arithmetic (quote.h). */
#include "quote.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_sp(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int num(const char **s, int64_t *out)
{
    const char *p = skip_sp(*s);
    if (*p < '0' || *p > '9')
        return -1;
    int64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v > 100000000)
            return -1;
        v = v * 10 + (*p++ - '0');
    }
    *out = v;
    *s = skip_sp(p);
    return 0;
}

/* the "x" between sizes: Latin x/X, or the Cyrillic х/Х a merchant types, or × */
static int is_x(const char **s)
{
    const char *p = *s;
    if (*p == 'x' || *p == 'X') {
        *s = p + 1;
        return 1;
    }
    if (!strncmp(p, "х", 2) || !strncmp(p, "Х", 2) || !strncmp(p, "×", 2)) {
        *s = p + 2;
        return 1;
    }
    return 0;
}

int chk_boxes_parse(const char *spec, chk_box *out, int max, const char **why)
{
    int n = 0;
    const char *s = spec ? spec : "";
    for (;;) {
        s = skip_sp(s);
        if (!*s)
            break;
        if (n >= max) {
            *why = "слишком много коробок";
            return -1;
        }
        int64_t mx, bw, l, w, h;
        if (num(&s, &mx) || *s++ != ':' || num(&s, &bw) || *s++ != ':' || num(&s, &l) || !is_x(&s) ||
            num(&s, &w) || !is_x(&s) || num(&s, &h)) {
            *why = "ожидается «вес_до:вес_коробки:ДxШxВ»";
            return -1;
        }
        if (mx <= 0 || l <= 0 || w <= 0 || h <= 0 || l > 1000 || w > 1000 || h > 1000) {
            *why = "вес и размеры коробки должны быть больше нуля";
            return -1;
        }
        if (n > 0 && mx <= out[n - 1].max_g) {
            *why = "коробки должны идти по возрастанию веса";
            return -1;
        }
        out[n++] = (chk_box){.max_g = mx, .weight_g = bw, .length = (int32_t)l, .width = (int32_t)w,
                             .height = (int32_t)h};
        if (*s == ';')
            s++;
        else if (*skip_sp(s)) {
            *why = "коробки разделяются «;»";
            return -1;
        }
    }
    if (n == 0) {
        *why = "нужна хотя бы одна коробка";
        return -1;
    }
    return n;
}

int chk_parcel_compute(const int64_t *weight_g, const int64_t *qty, size_t n, const chk_box *boxes, int nboxes,
                       chk_parcel *out)
{
    if (nboxes <= 0)
        return -1;
    int64_t goods = 0, units = 0;
    for (size_t i = 0; i < n; i++) {
        if (weight_g[i] < 0 || qty[i] <= 0 || weight_g[i] > 1000000 || qty[i] > 1000000)
            return -1;
        goods += weight_g[i] * qty[i];
        units += qty[i];
    }
    memset(out, 0, sizeof *out);
    out->goods_g = goods;
    out->inner_g = (units + 4) / 5 * CHK_INNER_G_PER_5;
    out->wrapped_g = ((goods + out->inner_g) * 11 + 9) / 10; /* × 1.1, up to the gram */
    int b = nboxes - 1;
    for (int i = 0; i < nboxes; i++)
        if (out->wrapped_g <= boxes[i].max_g) {
            b = i;
            break;
        }
    out->box = b;
    out->weight_g = out->wrapped_g + boxes[b].weight_g;
    out->length = boxes[b].length;
    out->width = boxes[b].width;
    out->height = boxes[b].height;
    return 0;
}

int chk_free_delivery(const chk_free_rule *r, int moscow, int kind, int64_t goods, int64_t cost, int64_t *left)
{
    if (left)
        *left = -1;
    if (!r)
        return 0;
    if (moscow) {
        int64_t t = kind == CHK_COURIER ? r->moscow_courier : r->moscow_pickup;
        if (t <= 0)
            return 0;
        if (goods >= t)
            return 1;
        if (left)
            *left = t - goods;
        return 0;
    }
    int64_t pct = kind == CHK_COURIER ? r->region_courier_pct : r->region_pickup_pct;
    if (pct <= 0)
        return 0;
    /* free when cost <= goods × pct / 100, i.e. cost × 100 <= goods × pct */
    if (cost * 100 <= goods * pct)
        return 1;
    if (left) {
        int64_t need = (cost * 100 + pct - 1) / pct; /* the smallest goods sum that makes it free */
        *left = need - goods;
    }
    return 0;
}

#define BIG ((int64_t)1 << 50) /* 11 trillion roubles: anything above is a bug, not an order */

int chk_quote_compute(const chk_qline *lines, size_t n, chk_qadj *adj, size_t nadj, int64_t carrier_cost,
                      const chk_free_rule *rule, int moscow, int kind, chk_quote *out)
{
    memset(out, 0, sizeof *out);
    out->free_left = -1;
    for (size_t i = 0; i < n; i++) {
        const chk_qline *l = &lines[i];
        if (l->qty <= 0 || l->unit_price < 0 || l->base_price < l->unit_price || l->base_price > BIG ||
            l->qty > 1000000)
            return -1;
        out->goods_base += l->base_price * l->qty;
        out->goods += l->unit_price * l->qty;
        if (out->goods_base > BIG)
            return -1;
    }
    out->product_discount = out->goods_base - out->goods;
    int64_t rest = out->goods;
    for (size_t i = 0; i < nadj; i++) {
        if (adj[i].kind < 1 || adj[i].kind > 4 || adj[i].amount < 0 || adj[i].amount > BIG)
            return -1;
        adj[i].applied = adj[i].amount < rest ? adj[i].amount : rest;
        rest -= adj[i].applied;
        out->by_kind[adj[i].kind] += adj[i].applied;
    }
    out->goods_to_pay = rest;
    if (carrier_cost == CHK_DELIVERY_UNKNOWN || carrier_cost == CHK_DELIVERY_MANUAL) {
        out->delivery_state = (int32_t)carrier_cost;
    } else if (carrier_cost < 0 || carrier_cost > BIG) {
        return -1;
    } else {
        out->carrier_cost = carrier_cost;
        out->delivery_free = chk_free_delivery(rule, moscow, kind, rest, carrier_cost, &out->free_left);
        out->delivery = out->delivery_free ? 0 : carrier_cost;
    }
    out->total = out->goods_to_pay + out->delivery;
    return 0;
}

double chk_haversine_m(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371000.0, d2r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
    double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

size_t chk_nearest(const double *lat, const double *lon, size_t n, double at_lat, double at_lon, size_t *idx,
                   size_t k)
{
    /* k is small (4): a partial selection beats sorting n */
    size_t got = 0;
    double best[16];
    if (k > 16)
        k = 16;
    for (size_t i = 0; i < n; i++) {
        double d = chk_haversine_m(at_lat, at_lon, lat[i], lon[i]);
        size_t pos = got;
        while (pos > 0 && d < best[pos - 1])
            pos--;
        if (pos >= k)
            continue;
        size_t last = got < k ? got : k - 1;
        for (size_t j = last; j > pos; j--) {
            best[j] = best[j - 1];
            idx[j] = idx[j - 1];
        }
        best[pos] = d;
        idx[pos] = i;
        if (got < k)
            got++;
    }
    return got;
}
