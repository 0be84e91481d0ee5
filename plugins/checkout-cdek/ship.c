/* checkout-cdek: the order and its shipment.
 *   - "Подтвердить": one transaction through the `orders` service (stock
 *     reserved), the cart emptied and the contacts remembered in it; the
 *     payment plugin is asked for its details after the commit.
 *   - order.paid (F-CHK-10): the subscriber only schedules the job
 *     "waybill" (no network inside the delivery's transaction); the job
 *     registers the CDEK order idempotently (looked up by our number
 *     first, since CDEK accepts asynchronously and a retried POST would
 *     make a second one), then polls until CDEK gives its number, which
 *     becomes the order's tracking number.
 *   - CDEK status webhooks at /p/checkout-cdek/cdek/hook/<secret> (CDEK
 *     does not sign them: the secret is compared in constant time, and the
 *     status is re-read from CDEK before acting), and a cron poll for the
 *     webhooks that never came, move the order along (status.c's table,
 *     README "CDEK statuses"). A status already applied is not applied
 *     again. */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkout.h"
#include "status.h"

#define POLL_DELAY_S 60
#define POLL_MAX 30

static const char *esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

/* ---- placing the order ---- */

static int32_t remember_save(walor_ctx *c, json_t *d)
{
    json_t *cr = json_object_get(d, "courier");
    int32_t rc = walor_db_exec(
        c,
        "INSERT INTO checkout_cdek_customer(user_id, name, phone, email, entrance, floor, intercom, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, "
        "phone = excluded.phone, email = excluded.email, entrance = CASE WHEN ? = 1 THEN excluded.entrance "
        "ELSE checkout_cdek_customer.entrance END, "
        "floor = CASE WHEN ? = 1 THEN excluded.floor ELSE checkout_cdek_customer.floor END, "
        "intercom = CASE WHEN ? = 1 THEN excluded.intercom ELSE checkout_cdek_customer.intercom END, updated_at = excluded.updated_at",
        WALOR_ARGS(walor_i(walor_ctx_user_id(c)), walor_s(chk_json_str(d, "name")), walor_s(chk_json_str(d, "phone")),
                   walor_s(chk_json_str(d, "email")), walor_s(chk_json_str(cr, "entrance")),
                   walor_s(chk_json_str(cr, "floor")), walor_s(chk_json_str(cr, "intercom")), walor_i(walor_now(c)),
                   walor_i(cr != NULL), walor_i(cr != NULL), walor_i(cr != NULL)));
    return rc < 0 ? rc : 0;
}

static int32_t back_to_summary(walor_ctx *c, const char *key)
{
    walor_alert(c, walor_text(c, key));
    return walor_conv_goto(c, "summary");
}

static int32_t end_with(walor_ctx *c, const char *html)
{
    walor_conv_end(c);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "checkout-cdek.btn.to_cart"), WALOR_CART_SHOW_CALLBACK);
    return walor_show(c, html, kb);
}

static char *extra_json(walor_ctx *c, json_t *d, const chk_view *v)
{
    json_t *a = json_object_get(d, "addr"), *p = json_object_get(d, "point");
    json_t *lines = json_array();
    for (uint32_t i = 0; i < v->nadj; i++) {
        const walor_pricing_adjust *ad = walor_pricing_adjust_at(v->adj, i);
        json_array_append_new(lines, json_pack("{s:i, s:s, s:I}", "kind", ad->kind, "label", ad->label ? ad->label : "",
                                               "amount", (json_int_t)v->qadj[i].applied));
    }
    json_t *x = json_pack("{s:I, s:s, s:s, s:O?, s:O?, s:s, s:s, s:s, s:I, s:s, s:I, s:b, s:o}", "city_code",
                          (json_int_t)chk_json_int(json_object_get(a, "city_code")), "city", chk_json_str(a, "city"),
                          "postal", chk_json_str(a, "postal"), "lat",
                          json_is_true(json_object_get(a, "geo")) ? json_object_get(a, "lat") : NULL, "lon",
                          json_is_true(json_object_get(a, "geo")) ? json_object_get(a, "lon") : NULL, "point_code",
                          chk_json_str(p, "code"), "point_address", chk_json_str(p, "address"), "point_hours",
                          chk_json_str(p, "hours"), "tariff",
                          (json_int_t)(chk_dkind(d) == CHK_COURIER ? CHK_TARIFF_COURIER : CHK_TARIFF_PICKUP), "box",
                          walor_ctx_printf(c, "%dx%dx%d", v->parcel.length, v->parcel.width, v->parcel.height),
                          "weight_g", (json_int_t)v->parcel.weight_g, "free_delivery", v->q.delivery_free, "adjustments",
                          lines);
    char *s = x ? json_dumps(x, JSON_COMPACT) : NULL;
    json_decref(x);
    char *out = s ? walor_ctx_printf(c, "%s", s) : NULL;
    free(s);
    return out;
}

static const char *code_of(const chk_view *v, int kind)
{
    for (uint32_t i = 0; i < v->nadj; i++) {
        const walor_pricing_adjust *a = walor_pricing_adjust_at(v->adj, i);
        if (a->kind == kind && a->code && *a->code && v->qadj[i].applied > 0)
            return a->code;
    }
    return NULL;
}

int32_t chk_place_order(walor_ctx *c)
{
    json_t *d = walor_conv_data(c);
    if (!chk_setting_on(c, "shop.open", 1))
        return walor_alert(c, walor_text(c, "checkout-cdek.closed"));
    const walor_orders_v1 *ord = chk_orders(c);
    const walor_cart_v1 *cart = chk_cart(c);
    if (!ord || !cart)
        return walor_alert(c, walor_text(c, "checkout-cdek.unavailable"));
    chk_view v;
    int32_t rc = chk_view_build(c, walor_ctx_user_id(c), d, &v);
    if (rc < 0)
        return rc;
    if (v.n == 0)
        return end_with(c, walor_text(c, "checkout-cdek.empty"));
    /* the cart changed after the summary was drawn: new rates (network) before any transaction */
    if (chk_json_int(json_object_get(json_object_get(d, "cost"), "w")) != v.parcel.weight_g)
        return back_to_summary(c, "checkout-cdek.changed");

    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    /* again under the write lock: the cart and the discounts as they are now */
    rc = chk_view_build(c, walor_ctx_user_id(c), d, &v);
    if (rc < 0 || v.n == 0 || v.q.total != chk_json_int(json_object_get(d, "shown_total"))) {
        walor_tx_rollback(c);
        if (rc < 0)
            return rc;
        return v.n == 0 ? end_with(c, walor_text(c, "checkout-cdek.empty")) : back_to_summary(c, "checkout-cdek.changed");
    }
    walor_order_line *ol = walor_ctx_alloc(c, v.n * sizeof *ol);
    if (!ol) {
        walor_tx_rollback(c);
        return WALOR_ENOMEM;
    }
    for (uint32_t i = 0; i < v.n; i++) {
        const walor_cart_line *l = walor_cart_line_at(v.lines, i);
        ol[i] = (walor_order_line){.struct_size = sizeof *ol, .discount_pct = l->discount_pct,
                                   .product_id = l->product_id, .variant_no = l->variant_no, .name = l->name,
                                   .variant_label = l->variant_label,
                                   .base_price = l->base_price < l->unit_price ? l->unit_price : l->base_price,
                                   .unit_price = l->unit_price, .qty = l->qty, .weight_g = l->weight_g};
    }
    json_t *a = json_object_get(d, "addr"), *p = json_object_get(d, "point"), *cr = json_object_get(d, "courier");
    int courier = chk_dkind(d) == CHK_COURIER;
    const char *point = NULL, *cdet = NULL;
    if (courier)
        cdet = walor_textf(c, "checkout-cdek.order.courier", "entrance", chk_json_str(cr, "entrance"), "floor",
                           chk_json_str(cr, "floor"), "intercom", chk_json_str(cr, "intercom"), NULL);
    else
        point = chk_json_str(p, "address"); /* CDEK's point code is ours to know, not the customer's */
    walor_order_new o = {
        .struct_size = sizeof o,
        .source = WALOR_ORDER_SRC_CUSTOMER,
        .user_id = walor_ctx_user_id(c),
        .lines = ol,
        .n_lines = v.n,
        .address_verified = json_is_true(json_object_get(a, "verified")),
        .delivery_cost = v.q.delivery,
        .personal_discount = v.q.by_kind[WALOR_PRICING_PERSONAL],
        .promo_discount = v.q.by_kind[WALOR_PRICING_PROMO],
        .cert_discount = v.q.by_kind[WALOR_PRICING_CERT],
        .bonus_spent = v.q.by_kind[WALOR_PRICING_BONUS],
        .total = v.q.total,
        .promo_code = code_of(&v, WALOR_PRICING_PROMO),
        .cert_code = code_of(&v, WALOR_PRICING_CERT),
        .contact_name = chk_json_str(d, "name"),
        .phone = chk_json_str(d, "phone"),
        .email = chk_json_str(d, "email"),
        .delivery_type = courier ? "courier" : "pickup",
        .address = chk_json_str(a, "text"),
        .pickup_point = point,
        .courier_details = cdet,
        .comment = chk_json_str(d, "comment"),
        .extra_json = extra_json(c, d, &v),
        .delivery_manual = v.q.delivery_state == CHK_DELIVERY_MANUAL,
        /* a free delivery is the carrier's price paid by the shop (P&L, analytics) */
        .delivery_shop = v.q.delivery_free ? v.q.carrier_cost : 0,
    };
    int64_t id = 0;
    uint32_t failed = UINT32_MAX;
    rc = ord->create(c, &o, &id, &failed);
    if (rc == WALOR_ERANGE) {
        walor_tx_rollback(c);
        const char *name = failed < v.n ? walor_cart_line_at(v.lines, failed)->name : "";
        return end_with(c, walor_textf(c, "checkout-cdek.no_stock", "name", esc(c, name), NULL));
    }
    if (rc == 0)
        rc = remember_save(c, d);
    if (rc == 0)
        rc = cart->clear(c, walor_ctx_user_id(c));
    if (rc == 0)
        rc = walor_tx_commit(c);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    walor_conv_end(c);
    const char *idtxt = chk_i64(c, id);
    char *html = walor_textf(c, "checkout-cdek.placed", "id", idtxt, "total", walor_money(c, v.q.total), NULL);
    if (o.delivery_manual)
        html = walor_ctx_printf(c, "%s\n%s", html, walor_text(c, "checkout-cdek.placed_manual"));
    const walor_payment_v1 *pay = walor_service_get(walor_ctx_plugin(c), WALOR_PAYMENT_SERVICE, WALOR_PAYMENT_MAJOR, NULL);
    if (!WALOR_PAYMENT_HAS(pay, send_details))
        html = walor_ctx_printf(c, "%s\n%s", html, walor_text(c, "checkout-cdek.placed_wait"));
    walor_show(c, html, NULL);
    if (o.delivery_manual)
        chk_tell_staff(c, id, walor_textf(c, "checkout-cdek.staff.manual", "id", idtxt, "total", walor_money(c, v.q.total), NULL));
    if (WALOR_PAYMENT_HAS(pay, send_details) && (rc = pay->send_details(c, id)) < 0) {
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: payment details of order %lld: %s", (long long)id,
                  walor_last_error(c));
        walor_report_error(c, walor_ctx_printf(c, "checkout-cdek: реквизиты оплаты заказа %lld не отправлены", (long long)id));
    }
    return 0;
}

/* ---- waybills (F-CHK-10) ---- */

static const char *our_number(walor_ctx *c, int64_t id)
{
    return walor_ctx_printf(c, "%s%lld", chk_cfg(c, "cdek_number_prefix", "W"), (long long)id);
}

static int32_t on_paid(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    int64_t id = chk_json_int(json_object_get(payload, "order_id"));
    if (id <= 0)
        return 0;
    json_t *pl = json_pack("{s:I, s:i}", "order_id", (json_int_t)id, "poll", 0);
    int32_t rc = walor_job_at(c, walor_now(c), "waybill", chk_i64(c, id), pl);
    json_decref(pl);
    return rc;
}

static const char *nz(const char *s) { return s ? s : ""; }

static json_t *waybill_body(walor_ctx *c, const walor_order *o, json_t *x)
{
    int64_t *w = walor_ctx_alloc(c, o->n_lines * sizeof *w), *q = walor_ctx_alloc(c, o->n_lines * sizeof *q);
    if (!w || !q)
        return NULL;
    json_t *items = json_array();
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const walor_order_line *l = walor_order_line_at(o->lines, i);
        w[i] = l->weight_g > 0 ? l->weight_g : 0;
        q[i] = l->qty;
        const char *name = l->variant_label && *l->variant_label ? walor_ctx_printf(c, "%s, %s", nz(l->name), l->variant_label)
                                                                 : nz(l->name);
        json_array_append_new(items, json_pack("{s:s, s:s, s:{s:i}, s:f, s:I, s:I}", "name", name, "ware_key",
                                               walor_ctx_printf(c, "%lld.%lld", (long long)l->product_id,
                                                                (long long)l->variant_no),
                                               "payment", "value", 0, "cost", (double)l->unit_price / 100.0,
                                               "weight", (json_int_t)(w[i] ? w[i] : 1), "amount", (json_int_t)l->qty));
    }
    chk_box boxes[CHK_BOXES_MAX];
    chk_parcel pc;
    if (chk_parcel_compute(w, q, o->n_lines, boxes, chk_boxes(c, boxes), &pc) < 0) {
        json_decref(items);
        return NULL;
    }
    int courier = strcmp(nz(o->delivery_type), "courier") == 0;
    json_t *b = json_pack("{s:i, s:s, s:i, s:s, s:{s:s, s:s, s:[{s:s}]}, s:[{s:s, s:I, s:i, s:i, s:i, s:o}]}", "type", 1,
                          "number", our_number(c, o->id), "tariff_code", courier ? CHK_TARIFF_COURIER : CHK_TARIFF_PICKUP,
                          "comment", nz(o->comment), "recipient", "name", nz(o->contact_name), "email",
                          nz(o->email), "phones", "number", nz(o->phone), "packages", "number", "1", "weight",
                          (json_int_t)pc.weight_g, "length", pc.length, "width", pc.width, "height", pc.height, "items",
                          items);
    if (!b)
        return NULL;
    const char *sp = chk_cfg(c, "cdek_shipment_point", "");
    if (*sp)
        json_object_set_new(b, "shipment_point", json_string(sp));
    else
        json_object_set_new(b, "from_location",
                            json_pack("{s:I}", "code", (json_int_t)walor_setting_or(c, "checkout-cdek.from_city", 44)));
    if (courier)
        json_object_set_new(b, "to_location",
                            json_pack("{s:I, s:s}", "code", (json_int_t)chk_json_int(json_object_get(x, "city_code")),
                                      "address", nz(o->address)));
    else
        json_object_set_new(b, "delivery_point", json_string(chk_json_str(x, "point_code")));
    return b;
}

/* the orders' transition table moves one step at a time (paid → processing
 * → shipped → delivered → completed): a carrier status walks the order
 * forward to it, never back, and leaves unpaid or cancelled orders alone.
 * Orders 1.1 tells the customer once about where the walk ended. */
static int32_t walk_to(walor_ctx *c, const walor_orders_v1 *ord, int64_t id, const char *to, const char *note,
                       const char *customer_html)
{
    int32_t rc;
    if (WALOR_ORDERS_HAS(ord, advance)) {
        rc = ord->advance(c, id, to, note, customer_html);
    } else {
        static const char *const FLOW[] = {"paid", "processing", "shipped", "delivered", "completed"};
        walor_order *o = NULL;
        rc = ord->get(c, id, &o);
        if (rc < 0)
            return rc == WALOR_ENOTFOUND ? 0 : rc;
        int from = -1, target = -1;
        for (int i = 0; i < 5; i++) {
            if (strcmp(o->status, FLOW[i]) == 0)
                from = i;
            if (strcmp(to, FLOW[i]) == 0)
                target = i;
        }
        rc = from < 0 || target <= from ? 1 : 0;
        for (int i = from + 1; rc == 0 && i <= target; i++)
            rc = ord->set_status(c, id, FLOW[i], note);
    }
    if (rc == 1 || rc == WALOR_ERANGE || rc == WALOR_ENOTFOUND) {
        walor_log(c, WALOR_LOG_INFO, "checkout-cdek: order %lld: CDEK's %s changes nothing", (long long)id, to);
        return 0;
    }
    return rc;
}

/* "where and until when": the point's address and hours from the order,
 * the last day counted from CDEK's arrival time in the shop's zone */
static const char *at_point_note(walor_ctx *c, int64_t order_id, json_t *st, int64_t *until)
{
    const walor_orders_v1 *ord = chk_orders(c);
    walor_order *o = NULL;
    if (!ord || ord->get(c, order_id, &o) < 0)
        return NULL;
    json_t *x = json_loads(o->extra_json ? o->extra_json : "{}", 0, NULL);
    const char *addr = walor_ctx_printf(c, "%s", *chk_json_str(x, "point_address") ? chk_json_str(x, "point_address")
                                                                                    : nz(o->pickup_point));
    const char *hours = walor_ctx_printf(c, "%s", chk_json_str(x, "point_hours"));
    json_decref(x);
    int64_t days = walor_setting_min(c, "checkout-cdek.pickup_storage_days", 1, 7);
    int64_t arrived = chk_cdek_time(chk_json_str(st, "date_time"));
    if (arrived <= 0 || arrived > walor_now(c))
        arrived = walor_now(c);
    *until = arrived + days * 86400;
    const char *day = walor_time_format(c, *until, "%d.%m.%Y");
    if (!day)
        day = "";
    const char *note = walor_textf(c, "checkout-cdek.notify.at_point", "address", esc(c, addr), "until", day, NULL);
    if (*hours)
        note = walor_ctx_printf(c, "%s\n%s", note,
                                walor_textf(c, "checkout-cdek.notify.at_point_hours", "hours", esc(c, hours), NULL));
    if (o->tracking && *o->tracking)
        note = walor_ctx_printf(c, "%s\n%s", note,
                                walor_textf(c, "checkout-cdek.notify.at_point_track", "track", esc(c, o->tracking), NULL));
    return note;
}

/* CDEK's latest status of a shipment, applied once (replays change nothing):
 * the table is status.c's, explained in the README */
static int32_t apply_entity(walor_ctx *c, int64_t order_id, json_t *ent)
{
    const walor_orders_v1 *ord = chk_orders(c);
    if (!ord)
        return WALOR_ENOSYS;
    const char *cdek_no = chk_json_str(ent, "cdek_number");
    json_t *st = json_array_get(json_object_get(ent, "statuses"), 0);
    const char *code = chk_json_str(st, "code");
    chk_cdek_act act = chk_cdek_action(code);
    if (json_is_true(json_object_get(ent, "is_return")) && act != CHK_ACT_NONE)
        act = CHK_ACT_RETURN; /* a return shipment's own statuses say nothing good about the order */
    const char *alert = NULL;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    if (*cdek_no) {
        rc = walor_db_exec(c, "UPDATE checkout_cdek_shipment SET cdek_number = ?, updated_at = ? "
                              "WHERE order_id = ? AND cdek_number = ''",
                           WALOR_ARGS(walor_s(cdek_no), walor_i(walor_now(c)), walor_i(order_id)));
        if (rc > 0)
            rc = ord->set_tracking(c, order_id, cdek_no);
    }
    if (rc >= 0 && *code) {
        rc = walor_db_exec(c, "UPDATE checkout_cdek_shipment SET last_code = ?, updated_at = ? "
                              "WHERE order_id = ? AND last_code <> ?",
                           WALOR_ARGS(walor_s(code), walor_i(walor_now(c)), walor_i(order_id), walor_s(code)));
        int fresh = rc > 0;
        const char *note = walor_ctx_printf(c, "СДЭК: %s", *chk_json_str(st, "name") ? chk_json_str(st, "name") : code);
        const char *name = esc(c, *chk_json_str(st, "name") ? chk_json_str(st, "name") : code);
        const char *idtxt = chk_i64(c, order_id);
        if (!fresh || rc < 0) {
        } else if (act == CHK_ACT_SHIPPED) {
            rc = walk_to(c, ord, order_id, "shipped", note, NULL);
        } else if (act == CHK_ACT_AT_POINT) {
            int64_t until = 0;
            const char *cnote = at_point_note(c, order_id, st, &until);
            rc = walk_to(c, ord, order_id, "delivered", note, cnote);
            if (rc >= 0)
                rc = walor_db_exec(c, "UPDATE checkout_cdek_shipment SET state = 'at_point' WHERE order_id = ?",
                                   WALOR_ARGS(walor_i(order_id)));
            json_t *pl = json_pack("{s:I}", "order_id", (json_int_t)order_id);
            if (rc >= 0)
                rc = walor_job_at(c, until, "pickup_expiry", idtxt, pl);
            json_decref(pl);
        } else if (act == CHK_ACT_HANDED) {
            rc = walk_to(c, ord, order_id, "completed", note, NULL);
            if (rc >= 0)
                rc = walor_db_exec(c, "UPDATE checkout_cdek_shipment SET state = 'delivered' WHERE order_id = ?",
                                   WALOR_ARGS(walor_i(order_id)));
            if (rc >= 0 && walor_job_cancel(c, "pickup_expiry", idtxt) == WALOR_EDB)
                rc = WALOR_EDB;
        } else if (act == CHK_ACT_NOT_DELIVERED) {
            alert = walor_textf(c, "checkout-cdek.staff.not_delivered", "id", idtxt, "why", name, NULL);
        } else if (act == CHK_ACT_RETURN) {
            alert = walor_textf(c, "checkout-cdek.staff.returned", "id", idtxt, "why", name, NULL);
        } else if (act == CHK_ACT_REMOVED) {
            alert = walor_textf(c, "checkout-cdek.staff.removed", "id", idtxt, NULL);
        }
    }
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if ((rc = walor_tx_commit(c)) == 0 && alert)
        chk_tell_staff(c, order_id, alert);
    return rc;
}

/* the storage period at the pickup point ran out and CDEK has not reported
 * the hand-over: staff call the customer before the parcel goes back */
static int32_t pickup_expiry_job(walor_ctx *c, json_t *payload)
{
    int64_t id = chk_json_int(json_object_get(payload, "order_id"));
    const walor_orders_v1 *ord = chk_orders(c);
    walor_order *o = NULL;
    if (id <= 0 || !ord || ord->get(c, id, &o) < 0 || strcmp(o->status, "delivered") != 0)
        return 0;
    chk_tell_staff(c, id, walor_textf(c, "checkout-cdek.staff.storage_expired", "id", chk_i64(c, id), NULL));
    return 0;
}

static void subscribe_webhook(walor_ctx *c);

static int32_t waybill_job(walor_ctx *c, json_t *payload)
{
    int64_t id = chk_json_int(json_object_get(payload, "order_id"));
    int64_t poll = chk_json_int(json_object_get(payload, "poll"));
    const walor_orders_v1 *ord = chk_orders(c);
    if (id <= 0 || !ord)
        return 0;
    subscribe_webhook(c);
    walor_order *o = NULL;
    int32_t rc = ord->get(c, id, &o);
    if (rc == WALOR_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    if (strcmp(nz(o->delivery_type), "pickup") != 0 && strcmp(nz(o->delivery_type), "courier") != 0)
        return 0;
    const char *uuid = NULL;
    walor_rows *r = NULL;
    if ((rc = walor_db_query(c, "SELECT uuid FROM checkout_cdek_shipment WHERE order_id = ?", WALOR_ARGS(walor_i(id)),
                             &r)) < 0)
        return rc;
    if (walor_row_next(r) == 1)
        uuid = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
    walor_rows_close(r);
    json_t *x = json_loads(o->extra_json ? o->extra_json : "{}", 0, NULL);
    json_t *ent = NULL;
    const char *why = NULL;
    int32_t got = WALOR_ENOTFOUND; /* what CDEK said about the order: 0 fine, 1 invalid */
    if (!uuid) {
        /* already registered by an earlier run that died before saving? */
        got = chk_cdek_order_get(c, NULL, our_number(c, id), &ent, &why);
        if (got >= 0) {
            uuid = walor_ctx_printf(c, "%s", chk_json_str(ent, "uuid"));
        } else if (got == WALOR_ENOTFOUND) {
            if (strcmp(nz(o->delivery_type), "pickup") == 0 && !*chk_json_str(x, "point_code")) {
                json_decref(x);
                chk_tell_staff(c, id, walor_textf(c, "checkout-cdek.staff.point_manual", "id", chk_i64(c, id), NULL));
                return 0;
            }
            json_t *b = waybill_body(c, o, x);
            int32_t status = 0;
            rc = b ? chk_cdek_order_create(c, b, &uuid, &status) : WALOR_ENOMEM;
            json_decref(b);
            if (rc == WALOR_EINVAL) { /* CDEK refused the data: a retry will not help */
                json_decref(x);
                chk_tell_staff(c, id, walor_textf(c, "checkout-cdek.staff.refused", "id", chk_i64(c, id), "why",
                                                  walor_ctx_printf(c, "HTTP %d", (int)status), NULL));
                return 0;
            }
            if (rc < 0) {
                json_decref(x);
                return rc; /* the host retries the job with a back-off and reports it */
            }
        } else {
            json_decref(x);
            return got;
        }
        rc = walor_db_exec(c,
                           "INSERT INTO checkout_cdek_shipment(order_id, number, uuid, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT(order_id) DO NOTHING",
                           WALOR_ARGS(walor_i(id), walor_s(our_number(c, id)), walor_s(uuid), walor_i(walor_now(c)),
                                      walor_i(walor_now(c))));
        if (rc < 0) {
            json_decref(x);
            json_decref(ent);
            return rc;
        }
    }
    json_decref(x);
    if (!ent && (got = chk_cdek_order_get(c, uuid, NULL, &ent, &why)) < 0 && got != WALOR_ENOTFOUND)
        return got;
    if (got == 1) { /* CDEK refused it after accepting it: staff must fix the data */
        json_decref(ent);
        rc = walor_db_exec(c, "UPDATE checkout_cdek_shipment SET state = 'invalid', updated_at = ? WHERE order_id = ?",
                           WALOR_ARGS(walor_i(walor_now(c)), walor_i(id)));
        chk_tell_staff(c, id, walor_textf(c, "checkout-cdek.staff.refused", "id", chk_i64(c, id), "why",
                                          walor_html_escape(c, why && *why ? why : "без объяснения"), NULL));
        return rc < 0 ? rc : 0;
    }
    if (ent) {
        rc = apply_entity(c, id, ent);
        int got_number = *chk_json_str(ent, "cdek_number") != 0;
        json_decref(ent);
        if (rc < 0 || got_number)
            return rc;
    }
    if (poll >= POLL_MAX) {
        chk_tell_staff(c, id, walor_textf(c, "checkout-cdek.staff.no_number", "id", chk_i64(c, id), NULL));
        return 0;
    }
    /* CDEK validates asynchronously: ask again later */
    json_t *pl = json_pack("{s:I, s:I}", "order_id", (json_int_t)id, "poll", (json_int_t)(poll + 1));
    rc = walor_job_at(c, walor_now(c) + POLL_DELAY_S, "waybill", chk_i64(c, id), pl);
    json_decref(pl);
    return rc;
}

/* ---- status webhooks and the poll ---- */

static int webhook_subscribed; /* once per process is enough: subscribing again replaces the URL */

static void subscribe_webhook(walor_ctx *c)
{
    const char *pub = chk_cfg(c, "public_url", NULL), *secret = chk_cfg(c, "webhook_secret", NULL);
    if (!pub || !secret || __atomic_load_n(&webhook_subscribed, __ATOMIC_ACQUIRE))
        return;
    if (chk_cdek_webhook(c, chk_url(c, pub, walor_ctx_printf(c, "p/%s/cdek/hook/%s", CHK_PLUGIN, secret))) == 0)
        __atomic_store_n(&webhook_subscribed, 1, __ATOMIC_RELEASE);
}

static int secret_ok(walor_ctx *c, const char *got)
{
    const char *want = chk_cfg(c, "webhook_secret", NULL);
    if (!want || strlen(want) < 16)
        return 0; /* no (or a guessable) secret configured: the route is closed */
    size_t n = strlen(want);
    if (strlen(got) != n)
        return 0;
    return CRYPTO_memcmp(got, want, n) == 0;
}

static int32_t respond(walor_ctx *c, uint32_t status, const char *json)
{
    return walor_http_respond(c, status, "application/json", json, strlen(json));
}

static int32_t on_hook(walor_ctx *c)
{
    const char *path = walor_http_path(c);
    const char *pre = "cdek/hook/";
    if (!path || strncmp(path, pre, strlen(pre)) != 0 || !secret_ok(c, path + strlen(pre)))
        return respond(c, 403, "{\"error\":\"forbidden\"}");
    size_t len = 0;
    const char *body = walor_http_body(c, &len);
    json_t *j = body ? json_loadb(body, len, 0, NULL) : NULL;
    const char *uuid = chk_json_str(j, "uuid");
    if (strcmp(chk_json_str(j, "type"), "ORDER_STATUS") != 0 || !*uuid) {
        json_decref(j);
        return respond(c, 200, "{}"); /* other webhook types: not ours to act on */
    }
    int64_t order_id = 0;
    int32_t rc = walor_db_int(c, "SELECT order_id FROM checkout_cdek_shipment WHERE uuid = ?", WALOR_ARGS(walor_s(uuid)),
                              &order_id);
    if (rc == WALOR_ENOTFOUND) {
        json_decref(j);
        return respond(c, 200, "{}");
    }
    const char *u = walor_ctx_printf(c, "%s", uuid);
    json_decref(j);
    if (rc < 0)
        return rc;
    /* CDEK does not sign webhooks: believe its API, not the request */
    json_t *ent = NULL;
    rc = chk_cdek_order_get(c, u, NULL, &ent, NULL);
    if (rc == 1) { /* the waybill job reports invalid orders */
        json_decref(ent);
        return respond(c, 200, "{}");
    }
    if (rc < 0) {
        respond(c, 503, "{\"error\":\"try later\"}");
        return 0; /* the poll picks it up */
    }
    rc = apply_entity(c, order_id, ent);
    json_decref(ent);
    if (rc < 0)
        return rc;
    return respond(c, 200, "{}");
}

static int32_t poll_cron(walor_ctx *c)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT order_id, uuid FROM checkout_cdek_shipment WHERE state = 'active' AND uuid <> '' "
                                "ORDER BY updated_at LIMIT 50",
                                NULL, 0, &r);
    if (rc < 0)
        return rc;
    int64_t ids[50];
    const char *uuids[50];
    int n = 0;
    while (n < 50 && walor_row_next(r) == 1) {
        ids[n] = walor_col_int(r, 0);
        uuids[n++] = walor_ctx_printf(c, "%s", walor_col_text(r, 1));
    }
    walor_rows_close(r);
    for (int i = 0; i < n; i++) {
        json_t *ent = NULL;
        if (chk_cdek_order_get(c, uuids[i], NULL, &ent, NULL) != 0) {
            json_decref(ent);
            continue;
        }
        rc = apply_entity(c, ids[i], ent);
        json_decref(ent);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int32_t chk_ship_register(walor_plugin *p)
{
    static const walor_route_def hook = {.struct_size = sizeof hook, .flags = WALOR_HTTP_POST | WALOR_ROUTE_PREFIX,
                                         .path = "cdek/hook/", .handler = on_hook, .max_body = 64 * 1024};
    static const walor_cron_def poll = {.struct_size = sizeof poll, .name = "cdek.poll", .expr = "*/30 * * * *",
                                        .fn = poll_cron};
    int32_t rc = walor_route(p, &hook);
    if (!rc) rc = walor_cron(p, &poll);
    if (!rc) rc = walor_job(p, "waybill", waybill_job);
    if (!rc) rc = walor_job(p, "pickup_expiry", pickup_expiry_job);
    if (!rc) rc = walor_subscribe(p, "order.paid", on_paid);
    return rc;
}
