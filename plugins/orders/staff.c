/* orders: the staff side (README.md): admin section "📋 Заказы" with the
 * header line of active counts, lists with filters and pagination
 * (F-ORD-06), the order card (F-ORD-04) and its actions (F-ORD-05), the
 * delivery list (F-ORD-07), the customer card, and the two forms that
 * relay a message to the customer or take a tracking number. The lists are
 * walor_list_show pages, the forms SDK 1.3 forms with the host's cancel.
 *
 * Roles are enforced by the host (callback prefix "ord" and the forms
 * ord_msg, ord_track need MANAGER). Handlers re-read the order, since callback data can
 * be stale or forged; every change goes through the service functions,
 * which write the history, the events and the action log. */
#include <stdlib.h>
#include <string.h>

#include <walor/services/crm.h>

#include "orders.h"

#define PAGE 10
#define LABEL_MAX 60
#define MSG_MAX 3000 /* characters of a message relayed to the customer */
#define TRACK_MAX 64

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }

static const walor_payment_v1 *payment(walor_ctx *c)
{
    const walor_payment_v1 *p = walor_service_get(walor_ctx_plugin(c), WALOR_PAYMENT_SERVICE, WALOR_PAYMENT_MAJOR,
                                                  NULL);
    return WALOR_PAYMENT_HAS(p, send_details) ? p : NULL;
}

/* ---- filters ---- */

typedef struct {
    const char *code;   /* in callback data */
    const char *where;  /* SQL condition (constant) */
} filter;

static const filter FILTERS[] = {
    {"active", "status IN ('new', 'paid', 'processing')"},
    {"new", "status = 'new'"},
    {"paid", "status = 'paid'"},
    {"processing", "status = 'processing'"},
    {"shipped", "status = 'shipped'"},
    {"completed", "status = 'completed'"},
    {"cancelled", "status = 'cancelled'"},
    {"all", "1 = 1"},
};
#define NFILTERS (sizeof FILTERS / sizeof FILTERS[0])

static const filter *find_filter(const char *code)
{
    for (size_t i = 0; i < NFILTERS; i++)
        if (!strcmp(FILTERS[i].code, code))
            return &FILTERS[i];
    return NULL;
}

/* the customer as staff see them: contact name, else the Telegram name */
static const char *who(walor_ctx *c, int64_t user_id, int32_t source, const char *contact)
{
    if (source == WALOR_ORDER_SRC_B2B)
        return T(c, "orders.b2b.client");
    if (contact && *contact)
        return contact;
    json_t *u = walor_user_get(c, user_id);
    const char *n = u ? json_string_value(json_object_get(u, "first_name")) : NULL;
    return n && *n ? n : walor_ctx_printf(c, "ID %lld", (long long)user_id);
}

/* ---- the header line ---- */

static const char *header(walor_ctx *c)
{
    int64_t n[3] = {0, 0, 0}, late = 0;
    static const char *const ST[3] = {"new", "paid", "processing"};
    for (int i = 0; i < 3; i++)
        if (walor_db_int(c, "SELECT count(*) FROM orders_order WHERE status = ?", WALOR_ARGS(walor_s(ST[i])),
                         &n[i]) < 0)
            return NULL;
    int64_t owed = 0;
    walor_db_int(c, "SELECT count(*) FROM orders_order WHERE status = 'cancelled' AND flags & ? <> 0",
                 WALOR_ARGS(walor_i(WALOR_ORDER_F_PAID_AFTER_CANCEL)), &late);
    /* cancelled after it was paid and not refunded in full (a tester's paid nothing) */
    walor_db_int(c, "SELECT count(*) FROM orders_order WHERE status = 'cancelled' AND paid_at > 0 AND flags & ? = 0"
                    " AND refunded < total",
                 WALOR_ARGS(walor_i(WALOR_ORDER_F_TESTER)), &owed);
    const char *s = walor_textf(c, "orders.adm.header", "new", orders_num(c, n[0]), "paid", orders_num(c, n[1]),
                                "processing", orders_num(c, n[2]), NULL);
    if (late)
        s = walor_ctx_printf(c, "%s\n%s", s, walor_textf(c, "orders.adm.header_late", "n", orders_num(c, late), NULL));
    if (owed)
        s = walor_ctx_printf(c, "%s\n%s", s, walor_textf(c, "orders.adm.header_owed", "n", orders_num(c, owed), NULL));
    return s;
}

/* ---- lists ---- */

static const char *order_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    int64_t id = walor_col_int(r, 0);
    const char *label = walor_textf(c, "orders.adm.row", "id", orders_num(c, id), "status",
                                    orders_status_label(c, walor_col_text(r, 1)), "sum",
                                    walor_money(c, walor_col_int(r, 2)), "who",
                                    who(c, walor_col_int(r, 3), (int32_t)walor_col_int(r, 4), walor_col_text(r, 5)),
                                    NULL);
    walor_kb_button(kb, walor_cut(c, label, LABEL_MAX), walor_ctx_printf(c, "ord:o:%lld", (long long)id));
    return NULL;
}

/* page: the digits after "ord:l:<filter>:", NULL for the first page */
static int32_t show_list(walor_ctx *c, const filter *f, const char *page)
{
    int64_t total = 0;
    int32_t rc = walor_db_int(c, walor_ctx_printf(c, "SELECT count(*) FROM orders_order WHERE %s", f->where), NULL,
                              0, &total);
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    for (size_t i = 0; i < NFILTERS; i++) {
        if (i && i % 4 == 0)
            walor_kb_row(kb);
        const char *lbl = T(c, walor_ctx_printf(c, "orders.adm.f.%s", FILTERS[i].code));
        walor_kb_button(kb, &FILTERS[i] == f ? walor_ctx_printf(c, "• %s", lbl) : lbl,
                        walor_ctx_printf(c, "ord:l:%s:0", FILTERS[i].code));
    }
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "orders.adm.btn.admin"), "ord:adm");
    const char *head = walor_textf(c, "orders.adm.list", "filter", T(c, walor_ctx_printf(c, "orders.adm.f.%s", f->code)),
                                   "n", orders_num(c, total), NULL);
    /* the filter's condition is a constant of the table above, never user data */
    walor_list_def l = {.struct_size = sizeof l, .page_size = PAGE, .row = order_row,
                        .sql = walor_ctx_printf(c,
                                                "SELECT id, status, total, user_id, source, contact_name FROM "
                                                "orders_order WHERE %s ORDER BY id DESC",
                                                f->where),
                        .page_data = walor_ctx_printf(c, "ord:l:%s:", f->code), .header = head,
                        .empty = walor_ctx_printf(c, "%s\n%s", head, T(c, "orders.adm.list_empty")), .buttons = kb,
                        .prev_label = "orders.btn.prev", .next_label = "orders.btn.next"};
    return walor_list_show(c, &l, page);
}

static const char *delivery_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    int64_t id = walor_col_int(r, 0);
    const char *type = walor_col_text(r, 6);
    const char *where = *walor_col_text(r, 8) ? walor_col_text(r, 8) : walor_col_text(r, 7);
    const char *extra = walor_col_text(r, 9);
    /* a blank line before every order */
    const char *text = walor_ctx_printf(
        c, "\n%s",
        walor_textf(c, "orders.adm.delivery_row", "id", orders_num(c, id), "status",
                    orders_status_label(c, walor_col_text(r, 1)), "type",
                    T(c, walor_ctx_printf(c, "orders.dt.%s", *type ? type : "none")), "address",
                    orders_esc(c, *where ? where : T(c, "orders.adm.no_address")), "who",
                    orders_esc(c, who(c, walor_col_int(r, 2), (int32_t)walor_col_int(r, 3), walor_col_text(r, 4))),
                    "phone", orders_esc(c, walor_col_text(r, 5)), NULL));
    if (extra && *extra)
        text = walor_ctx_printf(c, "%s\n%s", text,
                                walor_textf(c, "orders.adm.courier", "text", orders_esc(c, extra), NULL));
    walor_kb_button(kb, walor_ctx_printf(c, "№%lld", (long long)id), walor_ctx_printf(c, "ord:o:%lld", (long long)id));
    return text;
}

/* page: the digits after "ord:dl:", NULL for the first page */
static int32_t show_delivery(walor_ctx *c, const char *page)
{
    static const char WHERE[] = "status IN ('paid', 'processing')";
    int64_t total = 0;
    int32_t rc = walor_db_int(c, walor_ctx_printf(c, "SELECT count(*) FROM orders_order WHERE %s", WHERE), NULL, 0,
                              &total);
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "orders.adm.btn.admin"), "ord:adm");
    const char *head = walor_textf(c, "orders.adm.delivery", "n", orders_num(c, total), NULL);
    walor_list_def l = {.struct_size = sizeof l, .page_size = PAGE, .row = delivery_row,
                        .sql = walor_ctx_printf(c,
                                                "SELECT id, status, user_id, source, contact_name, phone, "
                                                "delivery_type, address, pickup_point, courier_details FROM "
                                                "orders_order WHERE %s ORDER BY id",
                                                WHERE),
                        .page_data = "ord:dl:", .header = head,
                        .empty = walor_ctx_printf(c, "%s\n%s", head, T(c, "orders.adm.delivery_empty")),
                        .buttons = kb, .prev_label = "orders.btn.prev", .next_label = "orders.btn.next"};
    return walor_list_show(c, &l, page);
}

/* ---- the card ---- */

static char *add(walor_ctx *c, char *acc, const char *key, const char *name, const char *value)
{
    if (!acc || !value || !*value)
        return acc;
    return walor_ctx_printf(c, "%s\n%s", acc, walor_textf(c, key, name, orders_esc(c, value), NULL));
}

static char *card_text(walor_ctx *c, const walor_order *o)
{
    json_t *u = o->user_id > 0 ? walor_user_get(c, o->user_id) : NULL;
    const char *uname = u ? json_string_value(json_object_get(u, "username")) : NULL;
    const char *src = T(c, o->source == WALOR_ORDER_SRC_B2B     ? "orders.src.b2b"
                           : o->source == WALOR_ORDER_SRC_STAFF ? "orders.src.staff"
                                                                : "orders.src.customer");
    char *s = walor_textf(c, "orders.adm.card", "id", orders_num(c, o->id), "status",
                          orders_status_label(c, o->status), "date", orders_when(c, o->created_at), "source", src,
                          NULL);
    if (o->source == WALOR_ORDER_SRC_B2B)
        s = walor_ctx_printf(c, "%s\n%s", s,
                             walor_textf(c, "orders.adm.card_client_b2b", "who",
                                         orders_esc(c, T(c, "orders.b2b.client")), NULL));
    else
        s = walor_ctx_printf(c, "%s\n%s", s,
                         walor_textf(c, "orders.adm.card_client", "who",
                                     orders_esc(c, who(c, o->user_id, o->source, o->contact_name)), "username",
                                     uname && *uname ? walor_ctx_printf(c, " (@%s)", orders_esc(c, uname)) : "",
                                     "uid", orders_num(c, o->user_id), NULL));
    s = add(c, s, "orders.adm.card_phone", "phone", o->phone);
    s = add(c, s, "orders.adm.card_email", "email", o->email);
    if (o->delivery_type && *o->delivery_type)
        s = walor_ctx_printf(c, "%s\n%s", s,
                             walor_textf(c, "orders.adm.card_dtype", "type",
                                         T(c, walor_ctx_printf(c, "orders.dt.%s", o->delivery_type)), NULL));
    s = add(c, s, "orders.adm.card_address", "address", o->address);
    if (o->address && *o->address && o->address_verified)
        s = walor_ctx_printf(c, "%s %s", s, T(c, "orders.adm.card_verified"));
    s = add(c, s, "orders.adm.card_pickup", "point", o->pickup_point);
    s = add(c, s, "orders.adm.card_courier", "text", o->courier_details);
    s = add(c, s, "orders.adm.card_comment", "text", o->comment);
    s = walor_ctx_printf(c, "%s\n\n%s\n%s\n\n%s", s, T(c, "orders.adm.card_lines"), orders_lines_html(c, o),
                         orders_sums_html(c, o));
    const char *refunds = orders_refunds_html(c, o);
    if (refunds && *refunds)
        s = walor_ctx_printf(c, "%s\n\n%s", s, refunds);
    s = walor_ctx_printf(c, "%s\n\n%s", s,
                         T(c, o->payment_screenshot && *o->payment_screenshot ? "orders.adm.card_shot_yes"
                                                                              : "orders.adm.card_shot_no"));
    s = add(c, s, "orders.adm.card_track", "track", o->tracking);
    if (o->flags & WALOR_ORDER_F_PAID_AFTER_CANCEL)
        s = walor_ctx_printf(c, "%s\n%s", s, T(c, "orders.adm.card_late"));
    if (o->flags & WALOR_ORDER_F_TESTER)
        s = walor_ctx_printf(c, "%s\n%s", s, T(c, "orders.adm.card_tester"));
    return s;
}

static void btn(walor_ctx *c, walor_kb *kb, const char *key, const char *fmt, int64_t id)
{
    walor_kb_button(kb, T(c, key), walor_ctx_printf(c, fmt, (long long)id));
}

int32_t orders_staff_card(walor_ctx *c, int64_t id)
{
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc == WALOR_ENOTFOUND) {
        if (walor_in_callback(c))
            walor_alert(c, T(c, "orders.adm.not_found"));
        return show_list(c, &FILTERS[0], NULL);
    }
    if (rc < 0)
        return rc;
    int st = orders_status_index(o->status);
    walor_kb *kb = walor_kb_new(c);
    if (st == ORD_NEW) {
        btn(c, kb, "orders.adm.btn.paid", "ord:pay:%lld", id);
        btn(c, kb, "orders.adm.btn.details", "ord:d:%lld", id);
        walor_kb_row(kb);
    }
    int nx = orders_next(st), pv = orders_prev(st);
    if (nx >= 0)
        walor_kb_button(kb, walor_textf(c, "orders.adm.btn.next", "status",
                                        orders_status_label(c, orders_status_name(nx)), NULL),
                        walor_ctx_printf(c, "ord:s:%lld:%s", (long long)id, orders_status_name(nx)));
    if (pv >= 0)
        walor_kb_button(kb, walor_textf(c, "orders.adm.btn.prev", "status",
                                        orders_status_label(c, orders_status_name(pv)), NULL),
                        walor_ctx_printf(c, "ord:s:%lld:%s", (long long)id, orders_status_name(pv)));
    if (st != ORD_COMPLETED && st != ORD_CANCELLED) {
        walor_kb_row(kb);
        btn(c, kb, "orders.adm.btn.cancel", "ord:x:%lld", id);
    }
    if (st >= ORD_PAID && st <= ORD_DELIVERED)
        btn(c, kb, "orders.adm.btn.track", "ord:t:%lld", id);
    walor_kb_row(kb);
    int64_t owed = 0;
    if (orders_refundable(c, id, &owed) == 0 && owed > 0) {
        btn(c, kb, "orders.adm.btn.refund", "ord:rf:%lld", id);
        walor_kb_row(kb);
    }
    if (o->user_id > 0 && o->source != WALOR_ORDER_SRC_B2B) {
        btn(c, kb, "orders.adm.btn.message", "ord:m:%lld", id);
        btn(c, kb, "orders.adm.btn.client", "ord:u:%lld", id);
        walor_kb_row(kb);
    }
    if (o->payment_screenshot && *o->payment_screenshot) {
        btn(c, kb, "orders.adm.btn.shot", "ord:ph:%lld", id);
        walor_kb_row(kb);
    }
    walor_kb_button(kb, T(c, "orders.adm.btn.list"), "ord:l:active:0");
    return walor_show(c, card_text(c, o), kb);
}

/* ---- actions ---- */

static int32_t result(walor_ctx *c, int64_t id, int32_t rc, const char *done_key)
{
    if (rc == 0)
        walor_answer(c, T(c, done_key));
    else if (rc == 1)
        walor_answer(c, T(c, "orders.adm.no_change"));
    else if (rc == WALOR_ERANGE)
        walor_alert(c, T(c, "orders.adm.refused"));
    else if (rc == WALOR_ENOTFOUND)
        walor_alert(c, T(c, "orders.adm.not_found"));
    else if (rc < 0)
        return rc;
    return orders_staff_card(c, id);
}

static int32_t confirm(walor_ctx *c, int64_t id, const char *ask_key, const char *yes_key, const char *yes_fmt)
{
    walor_kb *kb = walor_kb_new(c);
    btn(c, kb, yes_key, yes_fmt, id);
    walor_kb_row(kb);
    btn(c, kb, "orders.adm.btn.back", "ord:o:%lld", id);
    return walor_show(c, walor_textf(c, ask_key, "id", orders_num(c, id), NULL), kb);
}

static int32_t cancel_menu(walor_ctx *c, int64_t id)
{
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc < 0)
        return result(c, id, rc, "");
    int st = orders_status_index(o->status);
    if (st == ORD_CANCELLED || st == ORD_COMPLETED)
        return result(c, id, st == ORD_CANCELLED ? 1 : WALOR_ERANGE, "");
    if (st == ORD_NEW)
        return confirm(c, id, "orders.adm.cancel_ask_new", "orders.adm.btn.cancel_yes", "ord:xr:%lld");
    walor_kb *kb = walor_kb_new(c);
    btn(c, kb, "orders.adm.btn.cancel_return", "ord:xr:%lld", id);
    walor_kb_row(kb);
    btn(c, kb, "orders.adm.btn.cancel_writeoff", "ord:xw:%lld", id);
    walor_kb_row(kb);
    btn(c, kb, "orders.adm.btn.back", "ord:o:%lld", id);
    return walor_show(c, walor_textf(c, "orders.adm.cancel_ask_paid", "id", orders_num(c, id), NULL), kb);
}

static int32_t send_details(walor_ctx *c, int64_t id)
{
    const walor_payment_v1 *p = payment(c);
    if (!p)
        return walor_alert(c, T(c, "orders.adm.no_payment"));
    int32_t rc = p->send_details(c, id);
    if (rc == 0) {
        if (walor_action_log(c, walor_ctx_printf(c, "заказ №%lld: отправил реквизиты", (long long)id)) < 0)
            walor_log(c, WALOR_LOG_WARN, "orders: action log: %s", walor_last_error(c));
        return walor_answer(c, T(c, "orders.adm.details_sent"));
    }
    walor_log(c, WALOR_LOG_WARN, "orders: payment details of %lld: %s", (long long)id, walor_last_error(c));
    return walor_alert(c, T(c, rc == WALOR_ERANGE ? "orders.adm.details_not_new" : "orders.adm.details_failed"));
}

static int32_t show_client(walor_ctx *c, int64_t id)
{
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc < 0)
        return result(c, id, rc, "");
    /* the CRM's full card when the plugin is there, with a way back here */
    const walor_crm_v1 *crm = walor_service_get(walor_ctx_plugin(c), WALOR_CRM_SERVICE, WALOR_CRM_MAJOR, NULL);
    if (o->user_id && WALOR_CRM_HAS(crm, open_card)) {
        rc = crm->open_card(c, o->user_id, walor_ctx_printf(c, "ord:o:%lld", (long long)id));
        return rc == WALOR_ENOTFOUND ? 0 : rc;
    }
    json_t *u = walor_user_get(c, o->user_id);
    const char *first = u ? json_string_value(json_object_get(u, "first_name")) : NULL;
    const char *last = u ? json_string_value(json_object_get(u, "last_name")) : NULL;
    const char *uname = u ? json_string_value(json_object_get(u, "username")) : NULL;
    int64_t n = 0, sum = 0;
    walor_db_int(c, "SELECT count(*) FROM orders_order WHERE user_id = ? AND status <> 'cancelled'",
                 WALOR_ARGS(walor_i(o->user_id)), &n);
    walor_db_int(c, "SELECT coalesce(sum(total), 0) FROM orders_order WHERE user_id = ? AND status <> 'cancelled'",
                 WALOR_ARGS(walor_i(o->user_id)), &sum);
    const char *name = walor_ctx_printf(c, "%s%s%s", first ? first : "", last && *last ? " " : "", last ? last : "");
    walor_kb *kb = walor_kb_new(c);
    btn(c, kb, "orders.adm.btn.back", "ord:o:%lld", id);
    return walor_show(c,
                      walor_textf(c, "orders.adm.client", "name", orders_esc(c, *name ? name : "—"), "username",
                                  uname && *uname ? walor_ctx_printf(c, "@%s", orders_esc(c, uname)) : "—", "uid",
                                  orders_num(c, o->user_id), "n", orders_num(c, n), "sum", walor_money(c, sum), NULL),
                      kb);
}

static int32_t show_shot(walor_ctx *c, int64_t id)
{
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc < 0)
        return result(c, id, rc, "");
    if (!*o->payment_screenshot)
        return walor_alert(c, T(c, "orders.adm.no_shot"));
    return walor_send_photo(c, walor_ctx_chat_id(c), o->payment_screenshot,
                            walor_textf(c, "orders.adm.shot", "id", orders_num(c, id), NULL), NULL, 0, NULL);
}

/* the forms ord_msg and ord_track: {"id": order} and the answer */
static int32_t start_input(walor_ctx *c, int64_t id, const char *form)
{
    int32_t rc = orders_get(c, id, &(walor_order *){NULL});
    if (rc < 0)
        return result(c, id, rc, "");
    json_t *d = json_pack("{s:I}", "id", (json_int_t)id);
    rc = walor_conv_start(c, form, NULL, d);
    json_decref(d);
    return rc;
}

static int64_t form_order(json_t *d) { return (int64_t)json_integer_value(json_object_get(d, "id")); }

/* ✖️ Отмена: back to the order's card */
static int32_t input_cancelled(walor_ctx *c) { return orders_staff_card(c, form_order(walor_conv_data(c))); }

/* a tracking number is one word */
static int32_t one_word(walor_ctx *c, json_t *value, const char **why)
{
    (void)c;
    if (!strpbrk(json_string_value(value), " \t"))
        return 0;
    *why = "orders.adm.err.track";
    return WALOR_EINVAL;
}

static int32_t track_done(walor_ctx *c, json_t *d)
{
    int64_t id = form_order(d);
    int32_t rc = orders_service.set_tracking(c, id, json_string_value(json_object_get(d, "track")));
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    walor_reply(c, T(c, rc == 0 ? "orders.adm.track_saved" : "orders.adm.not_found"), NULL);
    return rc == 0 ? orders_staff_card(c, id) : 0;
}

static int32_t message_done(walor_ctx *c, json_t *d)
{
    int64_t id = form_order(d);
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (rc == WALOR_ENOTFOUND)
        return walor_reply(c, T(c, "orders.adm.not_found"), NULL);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "orders.btn.open_mine"), walor_ctx_printf(c, "myo:o:%lld", (long long)id));
    rc = walor_send(c, o->user_id,
                    walor_textf(c, "orders.msg.to_customer", "id", orders_num(c, id), "text",
                                orders_esc(c, json_string_value(json_object_get(d, "text"))), NULL),
                    kb, 0, NULL);
    if (rc == WALOR_EBLOCKED)
        return walor_reply(c, T(c, "orders.adm.blocked"), NULL);
    if (rc < 0)
        return rc;
    if (walor_action_log(c, walor_ctx_printf(c, "заказ №%lld: написал клиенту", (long long)id)) < 0)
        walor_log(c, WALOR_LOG_WARN, "orders: action log: %s", walor_last_error(c));
    walor_reply(c, T(c, "orders.adm.message_sent"), NULL);
    return orders_staff_card(c, id);
}

static const walor_step_def ST_MSG[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "text",
     .prompt = "orders.adm.ask_message", .error = "orders.adm.err.message", .min = 1, .max = MSG_MAX},
};
static const walor_step_def ST_TRACK[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "track",
     .prompt = "orders.adm.ask_track", .error = "orders.adm.err.track", .min = 1, .max = TRACK_MAX,
     .validate = one_word},
};

/* ---- entry points ---- */

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t vl = colon ? (size_t)(colon - arg) : strlen(arg);
    char verb[8] = {0};
    if (vl >= sizeof verb)
        return show_list(c, &FILTERS[0], NULL);
    memcpy(verb, arg, vl);
    const char *rest = colon ? colon + 1 : "";
    if (!strcmp(verb, "adm"))
        return walor_show_admin_menu(c);
    if (!strcmp(verb, "l")) { /* l:<filter>:<page>; an unknown filter: the first page of the active */
        const char *c2 = strchr(rest, ':');
        char code[16] = {0};
        if (c2 && (size_t)(c2 - rest) < sizeof code)
            memcpy(code, rest, (size_t)(c2 - rest));
        const filter *f = find_filter(code);
        return f ? show_list(c, f, c2 + 1) : show_list(c, &FILTERS[0], NULL);
    }
    if (!strcmp(verb, "dl"))
        return show_delivery(c, rest);
    int64_t id = 0;
    const char *to = NULL;
    if (!strcmp(verb, "s")) { /* s:<id>:<to> */
        const char *c2 = strchr(rest, ':');
        if (!c2)
            return show_list(c, &FILTERS[0], NULL);
        char num[24] = {0};
        if ((size_t)(c2 - rest) < sizeof num)
            memcpy(num, rest, (size_t)(c2 - rest));
        if (walor_parse_id(num, &id) < 0)
            return show_list(c, &FILTERS[0], NULL);
        to = c2 + 1;
    } else if (walor_parse_id(rest, &id) < 0) {
        return show_list(c, &FILTERS[0], NULL);
    }
    if (!strcmp(verb, "o"))
        return orders_staff_card(c, id);
    if (!strcmp(verb, "s")) {
        int32_t rc = orders_service.set_status(c, id, to, NULL);
        return result(c, id, rc == WALOR_EINVAL ? WALOR_ERANGE : rc, "orders.adm.moved");
    }
    if (!strcmp(verb, "pay"))
        return confirm(c, id, "orders.adm.paid_ask", "orders.adm.btn.paid_yes", "ord:payy:%lld");
    if (!strcmp(verb, "payy"))
        return result(c, id, orders_service.mark_paid(c, id, "manual"), "orders.adm.paid_done");
    if (!strcmp(verb, "x"))
        return cancel_menu(c, id);
    if (!strcmp(verb, "xr") || !strcmp(verb, "xw")) {
        int32_t rc = orders_service.cancel(c, id, verb[1] == 'r', T(c, "orders.adm.cancel_reason"));
        int64_t owed = 0;
        /* a paid order: what happens to the money comes next, not the card */
        if (rc == 0 && orders_refundable(c, id, &owed) == 0 && owed > 0) {
            walor_answer(c, T(c, "orders.adm.cancelled"));
            return orders_refund_screen(c, id);
        }
        return result(c, id, rc, "orders.adm.cancelled");
    }
    if (!strcmp(verb, "rf"))
        return orders_refund_screen(c, id);
    if (!strcmp(verb, "rfm"))
        return orders_refund_manual_start(c, id);
    if (!strcmp(verb, "d"))
        return send_details(c, id);
    if (!strcmp(verb, "m") || !strcmp(verb, "t"))
        return start_input(c, id, verb[0] == 'm' ? "ord_msg" : "ord_track");
    if (!strcmp(verb, "u"))
        return show_client(c, id);
    if (!strcmp(verb, "ph"))
        return show_shot(c, id);
    return show_list(c, &FILTERS[0], NULL);
}

static int32_t on_menu(walor_ctx *c) { return show_list(c, &FILTERS[0], NULL); }
static int32_t on_delivery(walor_ctx *c) { return show_delivery(c, NULL); }

static const char HELP[] =
    "<b>📋 Заказы</b>\n"
    "🛠 Админ-панель → «📋 Заказы»: фильтры (активные, новые, оплаченные, в сборке, отправленные, выполненные, "
    "отменённые, все) и страницы. В карточке заказа — клиент, состав, суммы, доставка, скриншот оплаты, трек-номер.\n"
    "• <b>Статус</b>: ▶️ вперёд и ◀️ назад на один шаг (Оплачен → В сборке → Отправлен → Доставлен → Выполнен). "
    "Выполненный и отменённый заказ больше не меняются.\n"
    "• <b>Новый заказ</b>: «✅ Оплата получена» (ручное подтверждение) или «💳 Отправить реквизиты». Неоплаченный "
    "заказ отменяется сам через 15 минут (⚙️ Настройки), товар возвращается в продажу.\n"
    "• <b>Отмена</b>: оплаченный заказ — с возвратом товара на склад или со списанием; затем бот предложит вернуть "
    "деньги: через платёжный сервис (владелец) или записать возврат, сделанный вручную. Клиент получит сообщение, "
    "возврат попадёт в статистику. «💸 Возврат денег» есть в карточке любого оплаченного заказа.\n"
    "• «✉️ Написать клиенту» пересылает ваше сообщение покупателю; «🔢 Трек-номер» сохраняет номер, покупатель "
    "увидит его в уведомлении об отправке.\n"
    "«🚚 Доставка» — оплаченные и собираемые заказы с адресами. Все действия записываются в журнал.";

int32_t orders_staff_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                                 .order = 20, .id = "orders", .label = "📋 Заказы", .on_press = on_menu,
                                 .group = WALOR_MENU_GROUP_SALES};
    const walor_menu_def dl = {.struct_size = sizeof dl, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                               .order = 21, .id = "delivery", .label = "🚚 Доставка", .on_press = on_delivery,
                               .group = WALOR_MENU_GROUP_SALES};
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "ord",
                                   .handler = on_cb};
    const walor_form_def msg = {.struct_size = sizeof msg, .min_role = WALOR_ROLE_MANAGER, .name = "ord_msg",
                                .steps = ST_MSG, .nsteps = 1, .timeout_s = 1800, .on_done = message_done,
                                .on_cancel = input_cancelled};
    const walor_form_def track = {.struct_size = sizeof track, .min_role = WALOR_ROLE_MANAGER, .name = "ord_track",
                                  .steps = ST_TRACK, .nsteps = 1, .timeout_s = 1800, .on_done = track_done,
                                  .on_cancel = input_cancelled};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_menu(p, &dl);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_form(p, &msg);
    if (!rc) rc = walor_form(p, &track);
    if (!rc) rc = walor_admin_header(p, header);
    if (!rc) rc = walor_help(p, "📋 Заказы", HELP, WALOR_ROLE_MANAGER);
    return rc;
}
