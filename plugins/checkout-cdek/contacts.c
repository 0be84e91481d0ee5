/* checkout-cdek: the first questions of the checkout (F-CHK-02, F-CHK-03)
 * as two forms of the SDK 1.3 toolkit — the host asks, checks the type,
 * says why and asks again, keeps "✖️ Отмена" under every question:
 *   contacts  name → phone → e-mail, each offered as typed last time
 *             ("✅ Анна"); DaData cleans the phone and fixes e-mail typos;
 *   address   typed or shared as a location; DaData cleans it, and when it
 *             cannot, its house-level suggestions become quick answers.
 * Both carry the whole checkout data along (keys that are not steps ride
 * in the form's data) and hand it on to the "checkout" conversation
 * (flow.c): to the delivery after the address, to the summary when the
 * customer came from its "✏️". */
#include <stdio.h>
#include <string.h>

#include "checkout.h"

#define SUGGESTIONS 3

/* the next part of the checkout, with all the data so far */
static int32_t hand_on(walor_ctx *c, const char *conv, const char *state, json_t *d)
{
    return walor_conv_start(c, conv, state, d);
}

static int editing(json_t *d) { return json_is_true(json_object_get(d, "edit")); }

/* ---- the start (the cart's "✅ Оформить заказ") ---- */

/* what the customer typed last time: name, phone and e-mail answer the
 * contacts form's questions in one press (WALOR_STEP_KEEP), the courier
 * details wait in "mem" for flow.c */
static void remember_load(walor_ctx *c, json_t *d)
{
    walor_rows *r = NULL;
    if (walor_db_query(c,
                       "SELECT name, phone, email, entrance, floor, intercom FROM checkout_cdek_customer "
                       "WHERE user_id = ?",
                       WALOR_ARGS(walor_i(walor_ctx_user_id(c))), &r) < 0)
        return;
    if (walor_row_next(r) == 1) {
        static const char *const K[] = {"name", "phone", "email", "entrance", "floor", "intercom"};
        json_t *m = json_object();
        for (uint32_t i = 0; i < 6; i++) {
            const char *v = walor_col_text(r, i) ? walor_col_text(r, i) : "";
            json_object_set_new(m, K[i], json_string(v));
            if (i < 3 && *v)
                json_object_set_new(d, K[i], json_string(v));
        }
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
    if (!cart || cart->lines(c, walor_ctx_user_id(c), &lines, &n) < 0)
        return walor_alert(c, walor_text(c, "checkout-cdek.unavailable"));
    if (n == 0)
        return walor_alert(c, walor_text(c, "checkout-cdek.empty"));
    int64_t min = walor_setting_or(c, "checkout-cdek.min_order", 0), goods = 0;
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
    int32_t rc = walor_conv_start(c, CHK_CONTACTS, NULL, d);
    json_decref(d);
    return rc;
}

int32_t chk_edit_contacts(walor_ctx *c) { return hand_on(c, CHK_CONTACTS, NULL, walor_conv_data(c)); }
int32_t chk_edit_address(walor_ctx *c) { return hand_on(c, CHK_ADDRESS, NULL, walor_conv_data(c)); }

/* ---- contacts ---- */

/* "+79161234567" as DaData writes it: "+7 916 123-45-67" */
static const char *phone_shown(walor_ctx *c, const char *p)
{
    if (strlen(p) != 12)
        return p;
    return walor_ctx_printf(c, "+7 %.3s %.3s-%.2s-%.2s", p + 2, p + 5, p + 8, p + 10);
}

/* the host took a Russian number; DaData may still call it garbage, and writes it its way */
static int32_t phone_checked(walor_ctx *c, json_t *value, const char **why)
{
    const char *ph = NULL, *in = json_string_value(value);
    int rc = chk_dd_phone(c, in, &ph);
    if (rc == CHK_DD_BAD) {
        *why = "checkout-cdek.bad.phone_dd";
        return WALOR_EINVAL;
    }
    /* DaData down: the number as DaData would have written it */
    json_object_set_new(walor_conv_data(c), "phone", json_string(rc == CHK_DD_OK ? ph : phone_shown(c, in)));
    return 0;
}

static int32_t email_checked(walor_ctx *c, json_t *value, const char **why)
{
    const char *em = NULL, *in = json_string_value(value);
    int rc = chk_dd_email(c, in, &em);
    if (rc == CHK_DD_BAD || (rc == CHK_DD_DOWN && (!strchr(in, '@') || strchr(in, ' ')))) {
        *why = "checkout-cdek.bad.email_dd";
        return WALOR_EINVAL;
    }
    if (rc == CHK_DD_OK) /* "anna@yandex/ru" → "anna@yandex.ru" */
        json_object_set_new(walor_conv_data(c), "email", json_string(em));
    return 0;
}

static const walor_step_def CONTACT_STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "name",
     .prompt = "checkout-cdek.ask.name", .error = "checkout-cdek.bad.name", .min = 1, .max = 100,
     .flags = WALOR_STEP_KEEP, .keep_label = "checkout-cdek.btn.keep"},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_PHONE, .key = "phone",
     .prompt = "checkout-cdek.ask.phone", .error = "checkout-cdek.bad.phone_dd", .flags = WALOR_STEP_KEEP,
     .keep_label = "checkout-cdek.btn.keep", .validate = phone_checked},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "email",
     .prompt = "checkout-cdek.ask.email", .error = "checkout-cdek.bad.email", .min = 1, .max = 100,
     .flags = WALOR_STEP_KEEP | WALOR_STEP_SKIP, .keep_label = "checkout-cdek.btn.keep",
     .skip_label = "checkout-cdek.btn.no_email", .validate = email_checked},
};

static int32_t contacts_done(walor_ctx *c, json_t *d)
{
    return editing(d) ? hand_on(c, CHK_CONV, "summary", d) : hand_on(c, CHK_ADDRESS, NULL, d);
}

/* ---- address ---- */

static json_t *addr_json(const chk_addr *a)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:b, s:f, s:f, s:b}", "text", a->text ? a->text : "", "city",
                     a->city ? a->city : "", "postal", a->postal ? a->postal : "", "city_code",
                     (json_int_t)a->cdek_city, "geo", a->has_geo, "lat", a->lat, "lon", a->lon, "verified",
                     a->verified);
}

/* "Москва, Тверская 1" → "Москва": people write the city first; "г." is dropped */
static const char *typed_city(walor_ctx *c, const char *t)
{
    size_t n = strcspn(t, ",");
    if (t[n] != ',')
        return ""; /* without a comma the first word is as likely a street */
    const char *city = walor_ctx_printf(c, "%.*s", (int)n, t);
    if (!strncmp(city, "г. ", strlen("г. ")))
        city += strlen("г. ");
    else if (!strncmp(city, "г ", strlen("г ")))
        city += strlen("г ");
    return city;
}

/* the address as the customer shared it: geolocated by DaData, else the bare point */
static int located(walor_ctx *c, json_t *value, chk_addr *a)
{
    double lat = json_real_value(json_object_get(value, "lat")), lon = json_real_value(json_object_get(value, "lon"));
    int rc = chk_dd_geolocate(c, lat, lon, a);
    if (rc == CHK_DD_DOWN) {
        memset(a, 0, sizeof *a);
        a->text = walor_ctx_printf(c, "геоточка %.6f, %.6f", lat, lon);
        a->lat = lat, a->lon = lon, a->has_geo = 1;
        rc = CHK_DD_OK;
    }
    return rc;
}

/* one of the suggestions offered with the last refusal, by its text */
static int suggested(walor_ctx *c, const char *t, chk_addr *a)
{
    size_t i;
    json_t *sg;
    json_array_foreach(json_object_get(walor_conv_data(c), "sugg"), i, sg)
        if (!strcmp(chk_json_str(sg, "text"), t)) {
            *a = (chk_addr){.text = walor_ctx_printf(c, "%s", t),
                            .city = walor_ctx_printf(c, "%s", chk_json_str(sg, "city")),
                            .postal = walor_ctx_printf(c, "%s", chk_json_str(sg, "postal")),
                            .kladr = walor_ctx_printf(c, "%s", chk_json_str(sg, "kladr")),
                            .lat = json_real_value(json_object_get(sg, "lat")),
                            .lon = json_real_value(json_object_get(sg, "lon")),
                            .has_geo = json_is_true(json_object_get(sg, "geo")), .verified = 1};
            return 1;
        }
    return 0;
}

/* DaData could not clean the text: its house-level suggestions, kept for the quick answers */
static int32_t suggest(walor_ctx *c, const char *t, const char **why)
{
    chk_addr sg[SUGGESTIONS];
    size_t n = chk_dd_suggest(c, t, sg, SUGGESTIONS);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:b}", "text", sg[i].text, "city",
                                             sg[i].city ? sg[i].city : "", "postal", sg[i].postal ? sg[i].postal : "",
                                             "kladr", sg[i].kladr ? sg[i].kladr : "", "lat", sg[i].lat, "lon",
                                             sg[i].lon, "geo", sg[i].has_geo));
    json_object_set_new(walor_conv_data(c), "sugg", arr);
    *why = n ? "checkout-cdek.ask.address_pick" : "checkout-cdek.bad.address_dd";
    return WALOR_EINVAL;
}

static const walor_step_choice *suggestions(walor_ctx *c, json_t *d, uint32_t *n)
{
    json_t *arr = json_object_get(d, "sugg");
    walor_step_choice *v = walor_ctx_alloc(c, (json_array_size(arr) + 1) * sizeof *v);
    *n = 0;
    size_t i;
    json_t *sg;
    json_array_foreach(arr, i, sg)
        if (v) {
            v[*n].value = chk_json_str(sg, "text");
            v[(*n)++].label = chk_json_str(sg, "text");
        }
    return v;
}

/* typed, picked from the suggestions or shared: the address object in "addr",
 * with the CDEK city code when it can be found; rates and the point go */
static int32_t address_checked(walor_ctx *c, json_t *value, const char **why)
{
    chk_addr a;
    if (json_is_object(value)) {
        if (located(c, value, &a) == CHK_DD_BAD) {
            *why = "checkout-cdek.bad.location";
            return WALOR_EINVAL;
        }
    } else if (!suggested(c, json_string_value(value), &a)) {
        const char *t = json_string_value(value);
        int rc = chk_dd_address(c, t, &a);
        if (rc == CHK_DD_BAD)
            return suggest(c, t, why);
        if (rc == CHK_DD_DOWN) {
            memset(&a, 0, sizeof a); /* accepted as typed, unverified: staff see it on the order */
            a.text = t;
            a.city = typed_city(c, t); /* CDEK's city list may still know it, so rates need not stop */
        }
    }
    if (!a.cdek_city && a.kladr && *a.kladr)
        a.cdek_city = chk_dd_cdek_city(c, a.kladr);
    if (!a.cdek_city && ((a.city && *a.city) || (a.postal && *a.postal)))
        a.cdek_city = chk_cdek_city_by_name(c, a.city, a.postal);
    json_t *d = walor_conv_data(c);
    json_object_set_new(d, "addr", addr_json(&a));
    /* a new address makes the old rates and point meaningless */
    json_object_del(d, "sugg");
    json_object_del(d, "cost");
    json_object_del(d, "point");
    json_object_del(d, "manual");
    if (!a.verified)
        walor_reply(c, walor_text(c, "checkout-cdek.addr_unverified"), NULL);
    return 0;
}

static const walor_step_def ADDRESS_STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "addr",
     .prompt = "checkout-cdek.ask.address", .error = "checkout-cdek.bad.address", .min = 1, .max = 300,
     .flags = WALOR_STEP_LOCATION, .validate = address_checked, .choices_fn = suggestions},
};

static int32_t address_done(walor_ctx *c, json_t *d) { return hand_on(c, CHK_CONV, "dtype", d); }

int32_t chk_contacts_register(walor_plugin *p)
{
    /* as long as the checkout: the cart waits longer than a form */
    const walor_form_def contacts = {.struct_size = sizeof contacts, .min_role = WALOR_ROLE_CLIENT,
                                     .name = CHK_CONTACTS, .steps = CONTACT_STEPS, .nsteps = 3,
                                     .timeout_s = CHK_TIMEOUT, .on_done = contacts_done, .on_cancel = chk_cancelled};
    const walor_form_def address = {.struct_size = sizeof address, .min_role = WALOR_ROLE_CLIENT,
                                    .name = CHK_ADDRESS, .steps = ADDRESS_STEPS, .nsteps = 1,
                                    .timeout_s = CHK_TIMEOUT, .on_done = address_done, .on_cancel = chk_cancelled};
    int32_t rc = walor_form(p, &contacts);
    if (!rc) rc = walor_form(p, &address);
    return rc;
}
