/* checkout-cdek: the checkout conversation (F-CHK-01). Every step is a
 * state of the host's persisted conversation "checkout", and everything
 * the customer said lives in its JSON data, so a restart resumes where
 * they were and /cancel (the host's) leaves the cart as it was: the cart
 * is only emptied by the order's own transaction (ship.c).
 *
 *   name → phone → email → address → dtype → point | courier → ext (the
 *   pricing extension's steps, pricing.h) → comment → summary
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

#define NAME_MAX_LEN 100
#define EMAIL_MAX_LEN 100
#define ADDR_MAX_LEN 300
#define COMMENT_MAX_LEN 500
#define SHORT_MAX_LEN 30

/* ---- small helpers ---- */

static json_t *D(walor_ctx *c) { return walor_conv_data(c); }

static void dset(walor_ctx *c, const char *k, const char *v) { json_object_set_new(D(c), k, json_string(v)); }

static json_t *dobj(walor_ctx *c, const char *k)
{
    json_t *o = json_object_get(D(c), k);
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(D(c), k, o);
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

static walor_kb *kb_tail(walor_ctx *c, walor_kb *kb)
{
    walor_kb_row(kb);
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.cancel"), "cancel");
    return kb;
}

static int32_t show(walor_ctx *c, const char *html, walor_kb *kb) { return walor_show(c, html, kb); }

/* the next state after a finished part; edit brings the customer back to the summary */
static int32_t after_contacts(walor_ctx *c)
{
    return walor_conv_goto(c, json_is_true(json_object_get(D(c), "edit")) ? "summary" : "address");
}

static int32_t after_delivery(walor_ctx *c)
{
    if (json_is_true(json_object_get(D(c), "edit")))
        return walor_conv_goto(c, "summary");
    json_object_set_new(D(c), "xs", json_integer(0));
    return walor_conv_goto(c, "ext");
}

int chk_dkind(json_t *d) { return strcmp(chk_json_str(d, "dtype"), "courier") == 0 ? CHK_COURIER : CHK_PICKUP; }

int chk_is_moscow(walor_ctx *c, json_t *d)
{
    json_t *a = json_object_get(d, "addr");
    int64_t code = chk_json_int(json_object_get(a, "city_code"));
    if (code > 0)
        return code == chk_setting_i(c, "checkout-cdek.moscow_city", 44);
    return strcmp(chk_json_str(a, "city"), "Москва") == 0;
}

/* common callback payloads of every step */
static int32_t common_cb(walor_ctx *c, const char *arg, int *handled)
{
    *handled = 1;
    if (strcmp(arg, "cancel") == 0) {
        walor_conv_end(c);
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, walor_text(c, "checkout-cdek.btn.to_cart"), WALOR_CART_SHOW_CALLBACK);
        return show(c, walor_text(c, "checkout-cdek.cancelled"), kb);
    }
    *handled = 0;
    return 0;
}

/* ---- start (the cart's "✅ Оформить заказ") ---- */

static void remember_load(walor_ctx *c, json_t *d)
{
    walor_rows *r = NULL;
    if (walor_db_query(c,
                       "SELECT name, phone, email, entrance, floor, intercom FROM checkout_cdek_customer "
                       "WHERE user_id = ?",
                       WALOR_ARGS(walor_i(user(c))), &r) < 0)
        return;
    if (walor_row_next(r) == 1) {
        static const char *const K[] = {"name", "phone", "email", "entrance", "floor", "intercom"};
        json_t *m = json_object();
        for (uint32_t i = 0; i < 6; i++)
            json_object_set_new(m, K[i], json_string(walor_col_text(r, i) ? walor_col_text(r, i) : ""));
        json_object_set_new(d, "mem", m);
    }
    walor_rows_close(r);
}

int32_t chk_start(walor_ctx *c, const char *arg)
{
    (void)arg;
    if (!chk_setting_on(c, "shop.open", 1))
        return walor_alert(c, walor_text(c, "checkout-cdek.closed"));
    const walor_cart_v1 *cart = chk_cart(c);
    walor_cart_line *lines = NULL;
    uint32_t n = 0;
    if (!cart || cart->lines(c, user(c), &lines, &n) < 0)
        return walor_alert(c, walor_text(c, "checkout-cdek.unavailable"));
    if (n == 0)
        return walor_alert(c, walor_text(c, "checkout-cdek.empty"));
    int64_t min = chk_setting_i(c, "checkout-cdek.min_order", 0), goods = 0;
    for (uint32_t i = 0; i < n; i++) {
        const walor_cart_line *l = walor_cart_line_at(lines, i);
        goods += l->unit_price * l->qty;
    }
    if (goods < min)
        return walor_alert(c, walor_textf(c, "checkout-cdek.min_order", "sum", walor_money(c, min), NULL));
    json_t *d = json_object();
    if (!d)
        return WALOR_ENOMEM;
    remember_load(c, d);
    int32_t rc = walor_conv_start(c, CHK_CONV, "name", d);
    json_decref(d);
    return rc;
}

/* ---- contacts (F-CHK-02) ---- */

static const char *mem(walor_ctx *c, const char *k) { return chk_json_str(json_object_get(D(c), "mem"), k); }

static int32_t name_enter(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    const char *m = mem(c, "name");
    if (*m)
        walor_kb_conv_button(kb, walor_textf(c, "checkout-cdek.btn.keep", "value", m, NULL), "keep");
    return show(c, walor_text(c, "checkout-cdek.ask.name"), kb_tail(c, kb));
}

static int32_t name_msg(walor_ctx *c, const char *text)
{
    char *t = clean_text(c, text, NAME_MAX_LEN + 8);
    if (!*t || too_long(text, NAME_MAX_LEN))
        return walor_reply(c, walor_text(c, "checkout-cdek.bad.name"), NULL);
    dset(c, "name", t);
    return walor_conv_goto(c, "phone");
}

static int32_t name_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    if (strcmp(arg, "keep") == 0 && *mem(c, "name")) {
        dset(c, "name", mem(c, "name"));
        return walor_conv_goto(c, "phone");
    }
    return name_enter(c);
}

static int32_t phone_enter(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    const char *m = mem(c, "phone");
    if (*m)
        walor_kb_conv_button(kb, walor_textf(c, "checkout-cdek.btn.keep", "value", m, NULL), "keep");
    return show(c, walor_text(c, "checkout-cdek.ask.phone"), kb_tail(c, kb));
}

/* a phone without DaData: 10-15 digits, kept as typed */
static int plausible_phone(const char *s)
{
    int digits = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (!strchr(" +-()", *s))
            return 0;
    }
    return digits >= 10 && digits <= 15;
}

static int32_t phone_take(walor_ctx *c, const char *in)
{
    const char *t = clean_text(c, in, 64);
    if (!*t || too_long(in, 64))
        return walor_reply(c, walor_text(c, "checkout-cdek.bad.phone"), NULL);
    const char *ph = NULL;
    int rc = chk_dd_phone(c, t, &ph);
    if (rc == CHK_DD_BAD || (rc == CHK_DD_DOWN && !plausible_phone(t)))
        return walor_reply(c, walor_textf(c, "checkout-cdek.bad.phone_dd", "value", esc(c, t), NULL), NULL);
    dset(c, "phone", rc == CHK_DD_OK ? ph : t);
    return walor_conv_goto(c, "email");
}

static int32_t phone_msg(walor_ctx *c, const char *text)
{
    /* a shared contact ("📎 → Контакт") carries the number */
    json_t *ct = json_object_get(json_object_get(walor_ctx_update(c), "message"), "contact");
    if (json_is_object(ct) && *chk_json_str(ct, "phone_number"))
        return phone_take(c, chk_json_str(ct, "phone_number"));
    return phone_take(c, text);
}

static int32_t phone_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    if (strcmp(arg, "keep") == 0 && *mem(c, "phone")) {
        dset(c, "phone", mem(c, "phone"));
        return walor_conv_goto(c, "email");
    }
    return phone_enter(c);
}

static int32_t email_enter(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    const char *m = mem(c, "email");
    if (*m) {
        walor_kb_conv_button(kb, walor_textf(c, "checkout-cdek.btn.keep", "value", m, NULL), "keep");
        walor_kb_row(kb);
    }
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.no_email"), "skip");
    return show(c, walor_text(c, "checkout-cdek.ask.email"), kb_tail(c, kb));
}

static int32_t email_msg(walor_ctx *c, const char *text)
{
    const char *t = clean_text(c, text, EMAIL_MAX_LEN + 8);
    if (!*t || too_long(text, EMAIL_MAX_LEN))
        return walor_reply(c, walor_text(c, "checkout-cdek.bad.email"), NULL);
    const char *em = NULL;
    int rc = chk_dd_email(c, t, &em);
    if (rc == CHK_DD_BAD || (rc == CHK_DD_DOWN && (!strchr(t, '@') || strchr(t, ' '))))
        return walor_reply(c, walor_textf(c, "checkout-cdek.bad.email_dd", "value", esc(c, t), NULL), NULL);
    dset(c, "email", rc == CHK_DD_OK ? em : t);
    return after_contacts(c);
}

static int32_t email_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    if (strcmp(arg, "keep") == 0 && *mem(c, "email")) {
        dset(c, "email", mem(c, "email"));
        return after_contacts(c);
    }
    if (strcmp(arg, "skip") == 0) {
        dset(c, "email", "");
        return after_contacts(c);
    }
    return email_enter(c);
}

/* ---- address (F-CHK-03) ---- */

static int32_t address_enter(walor_ctx *c)
{
    return show(c, walor_text(c, "checkout-cdek.ask.address"), kb_tail(c, walor_kb_new(c)));
}

static void addr_store(walor_ctx *c, const chk_addr *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", json_string(a->text ? a->text : ""));
    json_object_set_new(o, "city", json_string(a->city ? a->city : ""));
    json_object_set_new(o, "postal", json_string(a->postal ? a->postal : ""));
    json_object_set_new(o, "city_code", json_integer(a->cdek_city));
    json_object_set_new(o, "geo", json_boolean(a->has_geo));
    json_object_set_new(o, "lat", json_real(a->lat));
    json_object_set_new(o, "lon", json_real(a->lon));
    json_object_set_new(o, "verified", json_boolean(a->verified));
    json_object_set_new(D(c), "addr", o);
    /* a new address makes the old rates and point meaningless */
    json_object_del(D(c), "cost");
    json_object_del(D(c), "point");
    json_object_del(D(c), "manual");
}

/* "Москва, Тверская 1" → "Москва": people write the city first; "г." is dropped */
static const char *typed_city(walor_ctx *c, const char *t)
{
    size_t n = strcspn(t, ",");
    const char *city = clean_text(c, walor_ctx_printf(c, "%.*s", (int)n, t), 60);
    if (!strncmp(city, "г. ", strlen("г. ")))
        city += strlen("г. ");
    else if (!strncmp(city, "г ", strlen("г ")))
        city += strlen("г ");
    return t[n] == ',' ? city : ""; /* without a comma the first word is as likely a street */
}

/* the CDEK city code (DaData's, else CDEK's city list), stored, on to the delivery */
static int32_t address_done(walor_ctx *c, chk_addr *a)
{
    if (!a->cdek_city && a->kladr && *a->kladr)
        a->cdek_city = chk_dd_cdek_city(c, a->kladr);
    if (!a->cdek_city && ((a->city && *a->city) || (a->postal && *a->postal)))
        a->cdek_city = chk_cdek_city_by_name(c, a->city, a->postal);
    addr_store(c, a);
    if (!a->verified)
        walor_reply(c, walor_text(c, "checkout-cdek.addr_unverified"), NULL);
    return walor_conv_goto(c, "dtype");
}

/* DaData could not clean the text: offer its house-level suggestions, if any */
static int32_t address_suggest(walor_ctx *c, const char *t)
{
    chk_addr sg[3];
    size_t n = chk_dd_suggest(c, t, sg, 3);
    if (n == 0)
        return walor_reply(c, walor_textf(c, "checkout-cdek.bad.address_dd", "value", esc(c, t), NULL), NULL);
    json_t *arr = json_array();
    walor_kb *kb = walor_kb_new(c);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:b}", "text", sg[i].text, "city",
                                             sg[i].city ? sg[i].city : "", "postal", sg[i].postal ? sg[i].postal : "",
                                             "kladr", sg[i].kladr ? sg[i].kladr : "", "lat", sg[i].lat, "lon", sg[i].lon,
                                             "geo", sg[i].has_geo));
        walor_kb_conv_button(kb, clean_text(c, sg[i].text, 60), walor_ctx_printf(c, "s:%zu", i));
        walor_kb_row(kb);
    }
    json_object_set_new(D(c), "sugg", arr);
    return walor_reply(c, walor_textf(c, "checkout-cdek.ask.address_pick", "value", esc(c, t), NULL), kb_tail(c, kb));
}

static int32_t address_msg(walor_ctx *c, const char *text)
{
    chk_addr a;
    json_t *loc = json_object_get(json_object_get(walor_ctx_update(c), "message"), "location");
    if (json_is_object(loc)) {
        int ok1, ok2;
        double lat = chk_json_double(json_object_get(loc, "latitude"), &ok1);
        double lon = chk_json_double(json_object_get(loc, "longitude"), &ok2);
        if (!ok1 || !ok2)
            return address_enter(c);
        int rc = chk_dd_geolocate(c, lat, lon, &a);
        if (rc == CHK_DD_BAD)
            return walor_reply(c, walor_text(c, "checkout-cdek.bad.location"), NULL);
        if (rc == CHK_DD_DOWN) {
            memset(&a, 0, sizeof a);
            a.text = walor_ctx_printf(c, "геоточка %.6f, %.6f", lat, lon);
            a.lat = lat, a.lon = lon, a.has_geo = 1;
        }
    } else {
        const char *t = clean_text(c, text, ADDR_MAX_LEN + 8);
        if (!*t || too_long(text, ADDR_MAX_LEN))
            return walor_reply(c, walor_text(c, "checkout-cdek.bad.address"), NULL);
        int rc = chk_dd_address(c, t, &a);
        if (rc == CHK_DD_BAD)
            return address_suggest(c, t);
        if (rc == CHK_DD_DOWN) {
            memset(&a, 0, sizeof a); /* accepted as typed, unverified: staff see it on the order */
            a.text = t;
            a.city = typed_city(c, t); /* CDEK's city list may still know it, so rates need not stop */
        }
    }
    return address_done(c, &a);
}

static int32_t address_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    json_t *sg = NULL;
    if (arg[0] == 's' && arg[1] == ':') {
        char *e = NULL;
        long i = strtol(arg + 2, &e, 10);
        sg = *e == 0 && i >= 0 ? json_array_get(json_object_get(D(c), "sugg"), (size_t)i) : NULL;
    }
    if (!json_is_object(sg))
        return address_enter(c);
    chk_addr a = {.text = walor_ctx_printf(c, "%s", chk_json_str(sg, "text")),
                  .city = walor_ctx_printf(c, "%s", chk_json_str(sg, "city")),
                  .postal = walor_ctx_printf(c, "%s", chk_json_str(sg, "postal")),
                  .kladr = walor_ctx_printf(c, "%s", chk_json_str(sg, "kladr")),
                  .lat = json_real_value(json_object_get(sg, "lat")),
                  .lon = json_real_value(json_object_get(sg, "lon")),
                  .has_geo = json_is_true(json_object_get(sg, "geo")),
                  .verified = 1};
    json_object_del(D(c), "sugg");
    return address_done(c, &a);
}

/* ---- delivery type and rates (F-CHK-04, F-CHK-08, F-CHK-09) ---- */

/* rates of both tariffs for the current cart, into data.cost; network, no tx */
static int32_t rate(walor_ctx *c)
{
    chk_view v;
    int32_t rc = chk_view_build(c, user(c), D(c), &v);
    if (rc < 0)
        return rc;
    json_t *cost = dobj(c, "cost");
    int64_t city = chk_json_int(json_object_get(json_object_get(D(c), "addr"), "city_code"));
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
    json_object_set_new(D(c), "manual", json_boolean(manual));
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

static int32_t dtype_enter(walor_ctx *c)
{
    chk_view v;
    int32_t rc = chk_view_build(c, user(c), D(c), &v);
    if (rc < 0)
        return rc;
    if (v.n == 0) {
        walor_conv_end(c);
        return show(c, walor_text(c, "checkout-cdek.empty"), NULL);
    }
    json_t *cost = json_object_get(D(c), "cost");
    if (!json_is_object(cost) || chk_json_int(json_object_get(cost, "w")) != v.parcel.weight_g) {
        rc = rate(c);
        if (rc < 0)
            return rc;
        cost = json_object_get(D(c), "cost");
    }
    chk_free_rule r;
    chk_free_rule_load(c, &r);
    int moscow = chk_is_moscow(c, D(c));
    int64_t cp = chk_json_int(json_object_get(cost, "pickup")), cc = chk_json_int(json_object_get(cost, "courier"));
    int64_t goods = v.q.goods_to_pay;
    char *html = walor_textf(c, "checkout-cdek.ask.dtype", "address", esc(c, chk_json_str(json_object_get(D(c), "addr"), "text")),
                             "weight", walor_ctx_printf(c, "%.1f", (double)v.parcel.weight_g / 1000.0), NULL);
    static const char *const K[2] = {"pickup", "courier"};
    int64_t costs[2] = {cp, cc};
    for (int k = 0; k < 2; k++) {
        int64_t left;
        if (costs[k] >= 0 && !chk_free_delivery(&r, moscow, k, goods, costs[k], &left) && left > 0)
            html = walor_ctx_printf(c, "%s\n%s", html,
                                    walor_textf(c, walor_ctx_printf(c, "checkout-cdek.free_left.%s", K[k]), "sum",
                                                walor_money(c, left), NULL));
    }
    if (json_is_true(json_object_get(D(c), "manual")))
        html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "checkout-cdek.manual_note"));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, option_label(c, "pickup", cp, &r, moscow, CHK_PICKUP, goods), "d:pickup");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, option_label(c, "courier", cc, &r, moscow, CHK_COURIER, goods), "d:courier");
    return show(c, html, kb_tail(c, kb));
}

static int32_t dtype_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    if (strcmp(arg, "d:pickup") == 0 || strcmp(arg, "d:courier") == 0) {
        dset(c, "dtype", arg + 2);
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
    json_t *a = json_object_get(D(c), "addr");
    int64_t city = chk_json_int(json_object_get(a, "city_code"));
    chk_point *pts = NULL;
    size_t n = 0;
    if (city <= 0 || chk_cdek_points(c, city, &pts, &n) < 0 || n == 0) {
        /* no list (CDEK down, unknown city): the customer names one, staff check it */
        json_object_set_new(D(c), "point_typed", json_true());
        return show(c, walor_text(c, "checkout-cdek.ask.point_typed"), kb_tail(c, walor_kb_new(c)));
    }
    json_object_del(D(c), "point_typed");
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
        const char *dist = m < 0 ? "" : m < 1000 ? walor_ctx_printf(c, "%.0f м", m) : walor_ctx_printf(c, "%.1f км", m / 1000);
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
    json_object_set_new(D(c), "shown", shown);
    return show(c, html, kb_tail(c, kb));
}

static int32_t point_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    json_t *shown = json_object_get(D(c), "shown");
    if (arg[0] == 'p' && arg[1] == ':') {
        char *e = NULL;
        long i = strtol(arg + 2, &e, 10);
        json_t *p = json_array_get(shown, (size_t)(i < 0 ? 99 : i));
        if (*e == 0 && json_is_object(p)) {
            json_object_set(D(c), "point", p);
            json_object_del(D(c), "shown");
            return after_delivery(c);
        }
    }
    return point_enter(c);
}

static int32_t point_msg(walor_ctx *c, const char *text)
{
    if (!json_is_true(json_object_get(D(c), "point_typed")))
        return point_enter(c);
    const char *t = clean_text(c, text, ADDR_MAX_LEN + 8);
    if (!*t || too_long(text, ADDR_MAX_LEN))
        return walor_reply(c, walor_text(c, "checkout-cdek.bad.address"), NULL);
    json_object_set_new(D(c), "point", json_pack("{s:s, s:s}", "code", "", "address", t));
    return after_delivery(c);
}

/* ---- courier details (F-CHK-06) ---- */

static const char *const CQ[3] = {"entrance", "floor", "intercom"};

static int32_t courier_enter(walor_ctx *c)
{
    int64_t q = chk_json_int(json_object_get(D(c), "cq"));
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
    return show(c, walor_text(c, walor_ctx_printf(c, "checkout-cdek.ask.%s", CQ[q])), kb_tail(c, kb));
}

static int32_t courier_take(walor_ctx *c, const char *v)
{
    int64_t q = chk_json_int(json_object_get(D(c), "cq"));
    if (q < 0 || q > 2)
        q = 0;
    json_object_set_new(dobj(c, "courier"), CQ[q], json_string(v));
    if (q < 2) {
        json_object_set_new(D(c), "cq", json_integer(q + 1));
        return walor_conv_goto(c, "courier");
    }
    json_object_del(D(c), "cq");
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
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    if (strcmp(arg, "skip") == 0)
        return courier_take(c, "");
    if (strcmp(arg, "keep") == 0) {
        json_t *o = dobj(c, "courier");
        for (int i = 0; i < 3; i++)
            json_object_set_new(o, CQ[i], json_string(mem(c, CQ[i])));
        json_object_del(D(c), "cq");
        return after_delivery(c);
    }
    return courier_enter(c);
}

/* ---- the pricing extension's steps (pricing.h) ---- */

static walor_pricing_order *porder(walor_ctx *c, chk_view *v)
{
    if (chk_view_build(c, user(c), D(c), v) < 0)
        return NULL;
    return chk_pricing_order(c, user(c), D(c), v->lines, v->n, v->q.goods);
}

static int32_t ext_next(walor_ctx *c)
{
    if (json_is_true(json_object_get(D(c), "edit")))
        return walor_conv_goto(c, "summary");
    return walor_conv_goto(c, "comment");
}

static int32_t ext_enter(walor_ctx *c)
{
    const walor_pricing_v1 *pr = chk_pricing(c);
    for (;;) {
        int64_t xs = chk_json_int(json_object_get(D(c), "xs"));
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
            return show(c, pp.html, kb_tail(c, kb));
        }
        if (rc < 0)
            walor_log(c, WALOR_LOG_WARN, "checkout-cdek: pricing step %s: %d", st->id, rc);
        json_object_del(dobj(c, "choices"), st->id);
        if (json_is_true(json_object_get(D(c), "edit")))
            return walor_conv_goto(c, "summary");
        json_object_set_new(D(c), "xs", json_integer(xs + 1));
    }
}

static int32_t ext_take(walor_ctx *c, const char *input)
{
    const walor_pricing_v1 *pr = chk_pricing(c);
    int64_t xs = chk_json_int(json_object_get(D(c), "xs"));
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
    if (json_is_true(json_object_get(D(c), "edit")))
        return walor_conv_goto(c, "summary");
    json_object_set_new(D(c), "xs", json_integer(xs + 1));
    return walor_conv_goto(c, "ext");
}

static int32_t ext_msg(walor_ctx *c, const char *text) { return ext_take(c, clean_text(c, text, 64)); }

static int32_t ext_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
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
    return show(c, walor_text(c, "checkout-cdek.ask.comment"), kb_tail(c, kb));
}

static int32_t comment_msg(walor_ctx *c, const char *text)
{
    if (too_long(text, COMMENT_MAX_LEN))
        return walor_reply(c, walor_textf(c, "checkout-cdek.bad.comment", "n", chk_i64(c, COMMENT_MAX_LEN), NULL), NULL);
    dset(c, "comment", clean_text(c, text, COMMENT_MAX_LEN));
    return walor_conv_goto(c, "summary");
}

static int32_t comment_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    if (strcmp(arg, "skip") == 0) {
        dset(c, "comment", "");
        return walor_conv_goto(c, "summary");
    }
    return comment_enter(c);
}

/* ---- summary ---- */

static int32_t summary_enter(walor_ctx *c)
{
    json_object_set_new(D(c), "edit", json_true());
    chk_view v;
    int32_t rc = chk_view_build(c, user(c), D(c), &v);
    if (rc < 0)
        return rc;
    if (v.n == 0) {
        walor_conv_end(c);
        return show(c, walor_text(c, "checkout-cdek.empty"), NULL);
    }
    /* the cart changed since the rates were taken: take them again */
    json_t *cost = json_object_get(D(c), "cost");
    if (!json_is_object(cost) || chk_json_int(json_object_get(cost, "w")) != v.parcel.weight_g) {
        if ((rc = rate(c)) < 0 || (rc = chk_view_build(c, user(c), D(c), &v)) < 0)
            return rc;
    }
    json_object_set_new(D(c), "shown_total", json_integer(v.q.total));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.confirm"), "ok");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.e_contacts"), "e:contacts");
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.e_address"), "e:address");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, walor_text(c, "checkout-cdek.btn.e_dtype"), "e:dtype");
    walor_kb_conv_button(kb,
                         walor_text(c, chk_dkind(D(c)) == CHK_COURIER ? "checkout-cdek.btn.e_courier"
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
    return show(c, chk_summary_html(c, D(c), &v), kb_tail(c, kb));
}

static int32_t summary_cb(walor_ctx *c, const char *arg)
{
    int h;
    int32_t rc = common_cb(c, arg, &h);
    if (h)
        return rc;
    if (strcmp(arg, "ok") == 0)
        return chk_place_order(c);
    if (strcmp(arg, "e:contacts") == 0)
        return walor_conv_goto(c, "name");
    if (strcmp(arg, "e:address") == 0)
        return walor_conv_goto(c, "address");
    if (strcmp(arg, "e:dtype") == 0)
        return walor_conv_goto(c, "dtype");
    if (strcmp(arg, "e:where") == 0) {
        json_object_del(D(c), "cq");
        return walor_conv_goto(c, chk_dkind(D(c)) == CHK_COURIER ? "courier" : "point");
    }
    if (strcmp(arg, "e:comment") == 0)
        return walor_conv_goto(c, "comment");
    if (strncmp(arg, "e:x:", 4) == 0) {
        json_object_set_new(D(c), "xs", json_integer(atoi(arg + 4)));
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
    ST("name", name_enter, name_msg, name_cb),
    ST("phone", phone_enter, phone_msg, phone_cb),
    ST("email", email_enter, email_msg, email_cb),
    ST("address", address_enter, address_msg, address_cb),
    ST("dtype", dtype_enter, dtype_msg, dtype_cb),
    ST("point", point_enter, point_msg, point_cb),
    ST("courier", courier_enter, courier_msg, courier_cb),
    ST("ext", ext_enter, ext_msg, ext_cb),
    ST("comment", comment_enter, comment_msg, comment_cb),
    ST("summary", summary_enter, summary_msg, summary_cb),
};
const uint32_t chk_nstates = sizeof chk_states / sizeof chk_states[0];
