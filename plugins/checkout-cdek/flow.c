/* checkout-cdek: the checkout conversation (F-CHK-01) after the contacts
 * and the address (contacts.c, two forms): every step is a state of the
 * host's persisted conversation "checkout", and everything the customer
 * said lives in its JSON data, so a restart resumes where they were and
 * the host's "✖️ Отмена" (or /cancel) leaves the cart as it was: the cart
 * is only emptied by the order's own transaction (ship.c).
 *
 *   [contacts: name → phone → email] → [address] → dtype → point | courier
 *   → ext (the pricing extension's steps, pricing.h) → comment → summary
 *
 * data: name, phone, email, addr{text, city, postal, city_code, lat, lon,
 * geo, verified}, dtype, cost{pickup, courier, w} (kopecks, -2 = manual),
 * manual, point{code, address, hours, dist | text}, courier{entrance,
 * floor, intercom}, choices{step: value}, comment, mem{…remembered…},
 * edit (1: go back to the summary when the edited part is done), xs (the
 * current extension step), cq (the courier question). */
#include <stdlib.h>
#include <string.h>

#include "checkout.h"

#define ADDR_MAX_LEN 300
#define COMMENT_MAX_LEN 500
#define SHORT_MAX_LEN 30

/* ---- small helpers ---- */

static json_t *dobj(walor_ctx *c, const char *k)
{
    json_t *o = json_object_get(walor_conv_data(c), k);
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(walor_conv_data(c), k, o);
    }
    return o;
}

/* the text cut to max bytes on a UTF-8 boundary, trimmed */
static char *clean_text(walor_ctx *c, const char *s, size_t max)
{
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
        n--;
    if (n > max) {
        n = max;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return walor_ctx_printf(c, "%.*s", (int)n, s);
}

static int too_long(const char *s, size_t max)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    return strlen(p) > max;
}

static int64_t user(walor_ctx *c) { return walor_ctx_user_id(c); }

static const char *esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

/* a question of the checkout: the host adds its "✖️ Отмена" row */
static int32_t ask(walor_ctx *c, const char *html, walor_kb *kb) { return walor_conv_ask(c, html, kb); }

/* ✖️ Отмена or /cancel in any part of the checkout: the cart stays */
int32_t chk_cancelled(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "checkout-cdek.btn.to_cart"), WALOR_CART_SHOW_CALLBACK);
    return walor_show(c, walor_text(c, "checkout-cdek.cancelled"), kb);
}

/* the cart emptied meanwhile: nothing to check out */
static int32_t cart_gone(walor_ctx *c)
{
    walor_conv_end(c);
    return walor_show(c, walor_text(c, "checkout-cdek.empty"), NULL);
}

static int32_t after_delivery(walor_ctx *c)
{
    if (json_is_true(json_object_get(walor_conv_data(c), "edit")))
        return walor_conv_goto(c, "summary");
    json_object_set_new(walor_conv_data(c), "xs", json_integer(0));
    return walor_conv_goto(c, "ext");
}

int chk_dkind(json_t *d) { return strcmp(chk_json_str(d, "dtype"), "courier") == 0 ? CHK_COURIER : CHK_PICKUP; }

int chk_is_moscow(walor_ctx *c, json_t *d)
{
    json_t *a = json_object_get(d, "addr");
    int64_t code = chk_json_int(json_object_get(a, "city_code"));
    if (code > 0)
        return code == walor_setting_or(c, "checkout-cdek.moscow_city", 44);
    return strcmp(chk_json_str(a, "city"), "Москва") == 0;
}

static const char *mem(walor_ctx *c, const char *k) { return chk_json_str(json_object_get(walor_conv_data(c), "mem"), k); }

/* ---- delivery type and rates (F-CHK-04, F-CHK-08, F-CHK-09) ---- */

/* rates of both tariffs for the current cart, into data.cost; network, no tx */
static int32_t rate(walor_ctx *c)
{
    chk_view v;
    int32_t rc = chk_view_build(c, user(c), walor_conv_data(c), &v);
    if (rc < 0)
        return rc;
    json_t *cost = dobj(c, "cost");
    int64_t city = chk_json_int(json_object_get(json_object_get(walor_conv_data(c), "addr"), "city_code"));
    int manual = 0;
    static const int T[2] = {CHK_TARIFF_PICKUP, CHK_TARIFF_COURIER};
    static const char *const K[2] = {"pickup", "courier"};
    int down = city <= 0;
    for (int i = 0; i < 2; i++) {
        int64_t k = -2;
        int32_t trc = down ? WALOR_ENET : chk_cdek_tariff(c, T[i], city, &v.parcel, &k);
        if (trc < 0) {
            k = -2;
            manual = 1;
            /* CDEK unreachable: do not make the customer wait out a second timeout */
            down = down || trc == WALOR_ETIMEDOUT || trc == WALOR_ENET;
        }
        json_object_set_new(cost, K[i], json_integer(k));
    }
    json_object_set_new(cost, "w", json_integer(v.parcel.weight_g));
    json_object_set_new(walor_conv_data(c), "manual", json_boolean(manual));
    if (manual) {
        const char *why = city <= 0 ? "город доставки не определён" : "СДЭК не ответил или вернул ошибку";
        /* staff are told once the order is placed (ship.c): a quote alone may be abandoned */
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: delivery for customer %lld goes manual (%s)", (long long)user(c), why);
    }
    return 0;
}

static const char *option_label(walor_ctx *c, const char *kind, int64_t cost, const chk_free_rule *r, int moscow,
                                int k, int64_t goods)
{
    const char *key = walor_ctx_printf(c, "checkout-cdek.btn.%s", kind);
    if (cost < 0)
        return walor_textf(c, key, "price", walor_text(c, "checkout-cdek.price_manual"), NULL);
    int64_t left;
    int free = chk_free_delivery(r, moscow, k, goods, cost, &left);
    return walor_textf(c, key, "price", free ? walor_text(c, "checkout-cdek.price_free") : walor_money(c, cost), NULL);
}

/* the quote of the cart as it is now, with rates taken again when the
 * parcel changed since; 1 when the cart is empty (the checkout is over) */
static int32_t view_rated(walor_ctx *c, chk_view *v)
{
    int32_t rc = chk_view_build(c, user(c), walor_conv_data(c), v);
    if (rc < 0)
        return rc;
    if (v->n == 0)
        return (rc = cart_gone(c)) < 0 ? rc : 1;
    json_t *cost = json_object_get(walor_conv_data(c), "cost");
    if (json_is_object(cost) && chk_json_int(json_object_get(cost, "w")) == v->parcel.weight_g)
        return 0;
    if ((rc = rate(c)) < 0 || (rc = chk_view_build(c, user(c), walor_conv_data(c), v)) < 0)
        return rc;
    return 0;
}

static int32_t dtype_enter(walor_ctx *c)
{
    chk_view v;
    int32_t rc = view_rated(c, &v);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    json_t *cost = json_object_get(walor_conv_data(c), "cost");
    chk_free_rule r;
    chk_free_rule_load(c, &r);
    int moscow = chk_is_moscow(c, walor_conv_data(c));
    int64_t cp = chk_json_int(json_object_get(cost, "pickup")), cc = chk_json_int(json_object_get(cost, "courier"));
    int64_t goods = v.q.goods_to_pay;
    char *html = walor_textf(c, "checkout-cdek.ask.dtype", "address", esc(c, chk_json_str(json_object_get(walor_conv_data(c), "addr"), "text")),
                             "weight", walor_number(c, (v.parcel.weight_g + 50) / 100, 1), NULL); /* "0,9" */
    static const char *const K[2] = {"pickup", "courier"};
    int64_t costs[2] = {cp, cc};
    for (int k = 0; k < 2; k++) {
        int64_t left;
        if (costs[k] >= 0 && !chk_free_delivery(&r, moscow, k, goods, costs[k], &left) && left > 0)
            html = walor_ctx_printf(c, "%s\n%s", html,
                                    walor_textf(c, walor_ctx_printf(c, "checkout-cdek.free_left.%s", K[k]), "sum",
                                                walor_money(c, left), NULL));
    }
    if (json_is_true(json_object_get(walor_conv_data(c), "manual")))
        html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "checkout-cdek.manual_note"));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, option_label(c, "pickup", cp, &r, moscow, CHK_PICKUP, goods), "d:pickup");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, option_label(c, "courier", cc, &r, moscow, CHK_COURIER, goods), "d:courier");
    return ask(c, html, kb);
}

static int32_t dtype_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "d:pickup") == 0 || strcmp(arg, "d:courier") == 0) {
        json_object_set_new(walor_conv_data(c), "dtype", json_string(arg + 2));
        return walor_conv_goto(c, arg[2] == 'p' ? "point" : "courier");
    }
    return dtype_enter(c);
}

static int32_t dtype_msg(walor_ctx *c, const char *text)
{
    (void)text;
    return dtype_enter(c);
}

/* ---- pickup point (F-CHK-05) ---- */

static int32_t point_enter(walor_ctx *c)
{
    json_t *a = json_object_get(walor_conv_data(c), "addr");
    int64_t city = chk_json_int(json_object_get(a, "city_code"));
    chk_point *pts = NULL;
    size_t n = 0;
    if (city <= 0 || chk_cdek_points(c, city, &pts, &n) < 0 || n == 0) {
        /* no list (CDEK down, unknown city): the customer names one, staff check it */
        json_object_set_new(walor_conv_data(c), "point_typed", json_true());
        return ask(c, walor_text(c, "checkout-cdek.ask.point_typed"), walor_kb_new(c));
    }
    json_object_del(walor_conv_data(c), "point_typed");
    double *lat = walor_ctx_alloc(c, n * sizeof *lat), *lon = walor_ctx_alloc(c, n * sizeof *lon);
    if (!lat || !lon)
        return WALOR_ENOMEM;
    for (size_t i = 0; i < n; i++)
        lat[i] = pts[i].lat, lon[i] = pts[i].lon;
    int geo = json_is_true(json_object_get(a, "geo"));
    size_t idx[4] = {0, 1, 2, 3}, k = n < 4 ? n : 4;
    if (geo)
        k = chk_nearest(lat, lon, n, json_real_value(json_object_get(a, "lat")),
                        json_real_value(json_object_get(a, "lon")), idx, 4);
    char *html = walor_text(c, geo ? "checkout-cdek.ask.point" : "checkout-cdek.ask.point_nogeo");
    walor_kb *kb = walor_kb_new(c);
    json_t *shown = json_array();
    for (size_t i = 0; i < k; i++) {
        const chk_point *p = &pts[idx[i]];
        double m = geo ? chk_haversine_m(json_real_value(json_object_get(a, "lat")),
                                         json_real_value(json_object_get(a, "lon")), p->lat, p->lon)
                       : -1;
        const char *dist = m < 0     ? ""
                           : m < 1000 ? walor_ctx_printf(c, "%.0f м", m)
                                      : walor_ctx_printf(c, "%s км", walor_number(c, (int64_t)(m / 100 + 0.5), 1));
        /* without the customer's coordinates there is no distance: no "📏" line at all */
        html = walor_ctx_printf(c, "%s\n\n%s", html,
                                walor_textf(c, geo ? "checkout-cdek.point_line" : "checkout-cdek.point_line_nodist",
                                            "n", chk_i64(c, (int64_t)i + 1), "address", esc(c, p->address), "hours",
                                            esc(c, p->hours), "dist", dist, NULL));
        walor_kb_conv_button(kb, walor_ctx_printf(c, "%zu. %s", i + 1, p->address), walor_ctx_printf(c, "p:%zu", i));
        walor_kb_row(kb);
        json_array_append_new(shown, json_pack("{s:s, s:s, s:s, s:s}", "code", p->code, "address", p->address, "hours",
                                               p->hours, "dist", dist));
    }
    json_object_set_new(walor_conv_data(c), "shown", shown);
    return ask(c, html, kb);
}

static int32_t point_cb(walor_ctx *c, const char *arg)
{
    json_t *shown = json_object_get(walor_conv_data(c), "shown");
    if (arg[0] == 'p' && arg[1] == ':') {
        char *e = NULL;
        long i = strtol(arg + 2, &e, 10);
        json_t *p = json_array_get(shown, (size_t)(i < 0 ? 99 : i));
        if (*e == 0 && json_is_object(p)) {
            json_object_set(walor_conv_data(c), "point", p);
            json_object_del(walor_conv_data(c), "shown");
            return after_delivery(c);
        }
    }
    return point_enter(c);
}

static int32_t point_msg(walor_ctx *c, const char *text)
{
    if (!json_is_true(json_object_get(walor_conv_data(c), "point_typed")))
        return point_enter(c);
    const char *t = clean_text(c, text, ADDR_MAX_LEN + 8);
    if (!*t || too_long(text, ADDR_MAX_LEN))
        return walor_reply(c, walor_text(c, "checkout-cdek.bad.address"), NULL);
    json_object_set_new(walor_conv_data(c), "point", json_pack("{s:s, s:s}", "code", "", "address", t));
    return after_delivery(c);
}

/* ---- courier details (F-CHK-06) ---- */

static const char *const CQ[3] = {"entrance", "floor", "intercom"};

static int32_t courier_enter(walor_ctx *c)
{
    int64_t q = chk_json_int(json_object_get(walor_conv_data(c), "cq"));
    if (q < 0 || q > 2)
        q = 0;
    walor_kb *kb = walor_kb_new(c);
    if (q == 0 && (*mem(c, "entrance") || *mem(c, "floor") || *mem(c, "intercom"))) {
        walor_kb_conv_button(kb,
                             walor_textf(c, "checkout-cdek.btn.keep_courier", "entrance", mem(c, "entrance"), "floor",
                                         mem(c, "floor"), "intercom", mem(c, "intercom"), NULL),
                             "keep");
        walor_kb_row(kb);
    }
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.none"), "skip");
    return ask(c, walor_text(c, walor_ctx_printf(c, "checkout-cdek.ask.%s", CQ[q])), kb);
}

static int32_t courier_take(walor_ctx *c, const char *v)
{
    int64_t q = chk_json_int(json_object_get(walor_conv_data(c), "cq"));
    if (q < 0 || q > 2)
        q = 0;
    json_object_set_new(dobj(c, "courier"), CQ[q], json_string(v));
    if (q < 2) {
        json_object_set_new(walor_conv_data(c), "cq", json_integer(q + 1));
        return walor_conv_goto(c, "courier");
    }
    json_object_del(walor_conv_data(c), "cq");
    return after_delivery(c);
}

static int32_t courier_msg(walor_ctx *c, const char *text)
{
    const char *t = clean_text(c, text, SHORT_MAX_LEN + 8);
    if (!*t || too_long(text, SHORT_MAX_LEN))
        return walor_reply(c, walor_text(c, "checkout-cdek.bad.short"), NULL);
    return courier_take(c, t);
}

static int32_t courier_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "skip") == 0)
        return courier_take(c, "");
    if (strcmp(arg, "keep") == 0) {
        json_t *o = dobj(c, "courier");
        for (int i = 0; i < 3; i++)
            json_object_set_new(o, CQ[i], json_string(mem(c, CQ[i])));
        json_object_del(walor_conv_data(c), "cq");
        return after_delivery(c);
    }
    return courier_enter(c);
}

/* ---- the pricing extension's steps (pricing.h) ---- */

static walor_pricing_order *porder(walor_ctx *c, chk_view *v)
{
    if (chk_view_build(c, user(c), walor_conv_data(c), v) < 0)
        return NULL;
    return chk_pricing_order(c, user(c), walor_conv_data(c), v->lines, v->n, v->q.goods);
}

static int32_t ext_next(walor_ctx *c)
{
    if (json_is_true(json_object_get(walor_conv_data(c), "edit")))
        return walor_conv_goto(c, "summary");
    return walor_conv_goto(c, "comment");
}

static int32_t ext_enter(walor_ctx *c)
{
    const walor_pricing_v1 *pr = chk_pricing(c);
    for (;;) {
        int64_t xs = chk_json_int(json_object_get(walor_conv_data(c), "xs"));
        if (!pr || xs < 0 || xs >= pr->n_steps)
            return ext_next(c);
        const walor_pricing_step *st = &pr->steps[xs];
        chk_view v;
        walor_pricing_order *o = porder(c, &v);
        walor_pricing_prompt pp = {.struct_size = sizeof pp};
        int32_t rc = o ? pr->prompt(c, st->id, o, &pp) : -1;
        if (rc == 0 && pp.html) {
            walor_kb *kb = walor_kb_new(c);
            for (int i = 0; i < WALOR_PRICING_MAX_CHOICES && pp.choice_label[i]; i++) {
                walor_kb_conv_button(kb, pp.choice_label[i],
                                     walor_ctx_printf(c, "v:%s", pp.choice_value[i] ? pp.choice_value[i] : ""));
                walor_kb_row(kb);
            }
            walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.skip"), "skip");
            return ask(c, pp.html, kb);
        }
        if (rc < 0)
            walor_log(c, WALOR_LOG_WARN, "checkout-cdek: pricing step %s: %d", st->id, rc);
        json_object_del(dobj(c, "choices"), st->id);
        if (json_is_true(json_object_get(walor_conv_data(c), "edit")))
            return walor_conv_goto(c, "summary");
        json_object_set_new(walor_conv_data(c), "xs", json_integer(xs + 1));
    }
}

static int32_t ext_take(walor_ctx *c, const char *input)
{
    const walor_pricing_v1 *pr = chk_pricing(c);
    int64_t xs = chk_json_int(json_object_get(walor_conv_data(c), "xs"));
    if (!pr || xs < 0 || xs >= pr->n_steps)
        return ext_next(c);
    const char *id = pr->steps[xs].id;
    chk_view v;
    walor_pricing_order *o = porder(c, &v);
    const char *val = NULL, *err = NULL;
    int32_t rc = o ? pr->apply(c, id, o, input, &val, &err) : -1;
    if (rc == WALOR_EINVAL)
        return walor_reply(c, esc(c, err ? err : walor_text(c, "checkout-cdek.bad.ext")), NULL);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: pricing apply %s: %d", id, rc);
    if (rc == 0 && val && *val)
        json_object_set_new(dobj(c, "choices"), id, json_string(val));
    else
        json_object_del(dobj(c, "choices"), id);
    if (json_is_true(json_object_get(walor_conv_data(c), "edit")))
        return walor_conv_goto(c, "summary");
    json_object_set_new(walor_conv_data(c), "xs", json_integer(xs + 1));
    return walor_conv_goto(c, "ext");
}

static int32_t ext_msg(walor_ctx *c, const char *text) { return ext_take(c, clean_text(c, text, 64)); }

static int32_t ext_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "skip") == 0)
        return ext_take(c, "");
    if (arg[0] == 'v' && arg[1] == ':')
        return ext_take(c, arg + 2);
    return ext_enter(c);
}

/* ---- comment ---- */

static int32_t comment_enter(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.no_comment"), "skip");
    return ask(c, walor_text(c, "checkout-cdek.ask.comment"), kb);
}

static int32_t comment_msg(walor_ctx *c, const char *text)
{
    if (too_long(text, COMMENT_MAX_LEN))
        return walor_reply(c, walor_textf(c, "checkout-cdek.bad.comment", "n", chk_i64(c, COMMENT_MAX_LEN), NULL), NULL);
    json_object_set_new(walor_conv_data(c), "comment", json_string(clean_text(c, text, COMMENT_MAX_LEN)));
    return walor_conv_goto(c, "summary");
}

static int32_t comment_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "skip") == 0) {
        json_object_set_new(walor_conv_data(c), "comment", json_string(""));
        return walor_conv_goto(c, "summary");
    }
    return comment_enter(c);
}

/* ---- summary ---- */

static int32_t summary_enter(walor_ctx *c)
{
    json_object_set_new(walor_conv_data(c), "edit", json_true());
    chk_view v;
    int32_t rc = view_rated(c, &v);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    json_object_set_new(walor_conv_data(c), "shown_total", json_integer(v.q.total));
    static const walor_text_pair KB[] = {
        {"checkout-cdek.btn.confirm", "ok"},         {NULL, NULL},
        {"checkout-cdek.btn.e_contacts", "e:contacts"}, {"checkout-cdek.btn.e_address", "e:address"}, {NULL, NULL},
        {"checkout-cdek.btn.e_dtype", "e:dtype"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 1);
    walor_kb_conv_button(kb,
                         walor_text(c, chk_dkind(walor_conv_data(c)) == CHK_COURIER ? "checkout-cdek.btn.e_courier"
                                                                       : "checkout-cdek.btn.e_point"),
                         "e:where");
    const walor_pricing_v1 *pr = chk_pricing(c);
    for (uint32_t i = 0; pr && i < pr->n_steps && i < 8; i++) {
        walor_kb_row(kb);
        walor_kb_conv_button(kb, walor_textf(c, "checkout-cdek.btn.e_ext", "title", pr->steps[i].title, NULL),
                             walor_ctx_printf(c, "e:x:%u", i));
    }
    walor_kb_row(kb);
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.e_comment"), "e:comment");
    return ask(c, chk_summary_html(c, walor_conv_data(c), &v), kb);
}

static int32_t summary_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "ok") == 0)
        return chk_place_order(c);
    if (strcmp(arg, "e:contacts") == 0)
        return chk_edit_contacts(c);
    if (strcmp(arg, "e:address") == 0)
        return chk_edit_address(c);
    if (strcmp(arg, "e:dtype") == 0)
        return walor_conv_goto(c, "dtype");
    if (strcmp(arg, "e:where") == 0) {
        json_object_del(walor_conv_data(c), "cq");
        return walor_conv_goto(c, chk_dkind(walor_conv_data(c)) == CHK_COURIER ? "courier" : "point");
    }
    if (strcmp(arg, "e:comment") == 0)
        return walor_conv_goto(c, "comment");
    if (strncmp(arg, "e:x:", 4) == 0) {
        json_object_set_new(walor_conv_data(c), "xs", json_integer(atoi(arg + 4)));
        return walor_conv_goto(c, "ext");
    }
    return summary_enter(c);
}

static int32_t summary_msg(walor_ctx *c, const char *text)
{
    (void)text;
    return summary_enter(c);
}

#define ST(n, e, m, cb) {.struct_size = sizeof(walor_conv_state), .name = n, .on_enter = e, .on_message = m, .on_callback = cb}
const walor_conv_state chk_states[] = {
    ST("dtype", dtype_enter, dtype_msg, dtype_cb),
    ST("point", point_enter, point_msg, point_cb),
    ST("courier", courier_enter, courier_msg, courier_cb),
    ST("ext", ext_enter, ext_msg, ext_cb),
    ST("comment", comment_enter, comment_msg, comment_cb),
    ST("summary", summary_enter, summary_msg, summary_cb),
};
const uint32_t chk_nstates = sizeof chk_states / sizeof chk_states[0];
