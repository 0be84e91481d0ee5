/* crm: the client card (F-CRM-01) and the client's history (F-CRM-03).
 *
 * Every figure is read when the card is drawn, from whoever owns it: the
 * registration from the host (walor_user_get), orders and contacts from the
 * orders service, bonuses, discount and invited friends from the loyalty
 * service, bookings from the bookings service — each optional, the card
 * leaves out what a missing plugin would have said. The note is ours.
 *
 * Callback data "crm:c:<uid>[:<back>]": back is the callback data of the
 * screen the card was opened from (a search page, an order's card), which
 * its "⬅️ Назад" goes to; it rides along through the card's buttons. */
#include <string.h>

#include <walor/services/bookings.h>

#include "crm.h"

#define HISTORY_PAGE 8

const char *crm_card_data(walor_ctx *c, int64_t uid, const char *back)
{
    return back && *back ? walor_ctx_printf(c, "crm:c:%lld:%s", (long long)uid, back)
                         : walor_ctx_printf(c, "crm:c:%lld", (long long)uid);
}

static const walor_bookings_v1 *bookings(walor_ctx *c)
{
    const walor_bookings_v1 *b =
        walor_service_get(walor_ctx_plugin(c), WALOR_BOOKINGS_SERVICE, WALOR_BOOKINGS_MAJOR, NULL);
    return WALOR_BOOKINGS_HAS(b, client_totals) ? b : NULL;
}

/* "🔗 Реклама ВК (link_BK)", "🤝 по приглашению Анны (ID 5)", or "—" */
static const char *source(walor_ctx *c, json_t *u, const walor_loyalty_info *li)
{
    const char *payload = crm_jstr(u, "start_payload");
    const char *title, *code;
    if (crm_link_of(c, payload, &title, &code) == 0 && *code)
        return walor_textf(c, "crm.card.src_link", "title", crm_esc(c, title), "code", crm_esc(c, code), NULL);
    if (li && li->referrer_id)
        return walor_textf(c, "crm.card.src_ref", "who", crm_esc(c, crm_staff_name(c, li->referrer_id)), "id",
                           walor_ctx_printf(c, "%lld", (long long)li->referrer_id), NULL);
    return walor_text(c, "crm.card.src_none");
}

static void kb_btn(walor_ctx *c, walor_kb *kb, const char *key, const char *verb, int64_t uid, const char *back)
{
    walor_kb_button(kb, walor_text(c, key),
                    back && *back ? walor_ctx_printf(c, "crm:%s:%lld:%s", verb, (long long)uid, back)
                                  : walor_ctx_printf(c, "crm:%s:%lld", verb, (long long)uid));
}

int32_t crm_card_show(walor_ctx *c, int64_t uid, const char *back) { return crm_card_notice(c, uid, back, NULL); }

int32_t crm_card_notice(walor_ctx *c, int64_t uid, const char *back, const char *notice)
{
    json_t *u = walor_user_get(c, uid);
    walor_kb *kb = walor_kb_new(c);
    if (!u) {
        walor_kb_button(kb, walor_text(c, "crm.btn.back"), back && *back ? back : "crm:home");
        walor_show(c, walor_textf(c, "crm.card.not_found", "id", walor_ctx_printf(c, "%lld", (long long)uid), NULL),
                   kb);
        return WALOR_ENOTFOUND;
    }
    const char *un = crm_jstr(u, "username");
    const char *name = crm_user_name(c, u);

    walor_order_client oc = {.struct_size = sizeof oc, .contact_name = "", .phone = "", .email = "", .address = ""};
    const walor_orders_v1 *o = crm_orders(c);
    if (o && o->client(c, uid, &oc) < 0)
        return WALOR_EDB;
    walor_loyalty_info li = {.struct_size = sizeof li};
    const walor_loyalty_v1 *l = crm_loyalty(c);
    int have_loyalty = l && l->info(c, uid, &li) == 0;

    const char *note = "", *note_by = "";
    int64_t note_at = 0;
    walor_rows *r = NULL;
    if (walor_db_query(c, "SELECT note, note_by, note_at FROM crm_client WHERE user_id = ?",
                       WALOR_ARGS(walor_i(uid)), &r) == 0) {
        if (walor_row_next(r) == 1 && *walor_col_text(r, 0)) {
            note = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
            note_by = crm_staff_name(c, walor_col_int(r, 1));
            note_at = walor_col_int(r, 2);
        }
        walor_rows_close(r);
    }

    char *t = walor_textf(c, "crm.card.head", "name", crm_esc(c, *name ? name : "—"), "username",
                          *un ? walor_ctx_printf(c, "@%s", crm_esc(c, un)) : "—", "id",
                          walor_ctx_printf(c, "%lld", (long long)uid), NULL);
    if (json_integer_value(json_object_get(u, "blocked")))
        t = walor_ctx_printf(c, "%s\n%s", t, walor_text(c, "crm.card.blocked"));
    t = walor_ctx_printf(c, "%s\n%s", t,
                         walor_textf(c, "crm.card.contacts", "phone", *oc.phone ? crm_esc(c, oc.phone) : "—", "email",
                                     *oc.email ? crm_esc(c, oc.email) : "—", "address",
                                     *oc.address ? crm_esc(c, oc.address) : "—", NULL));
    t = walor_ctx_printf(c, "%s\n%s", t,
                         walor_textf(c, "crm.card.since", "date",
                                     crm_date(c, (int64_t)json_integer_value(json_object_get(u, "registered_at"))),
                                     "source", source(c, u, have_loyalty ? &li : NULL), NULL));
    if (o)
        t = walor_ctx_printf(c, "%s\n%s", t,
                             walor_textf(c, "crm.card.orders", "orders", walor_plural(c, oc.orders, "заказ|заказа|заказов", 0),
                                         "sales", crm_num(c, oc.sales), "sum", walor_money(c, oc.sales_total), "avg",
                                         walor_money(c, oc.sales ? oc.sales_total / oc.sales : 0), "last",
                                         crm_date(c, oc.last_order_at), NULL));
    const walor_bookings_v1 *b = bookings(c);
    int64_t bn = 0, bsum = 0;
    if (b && b->client_totals(c, uid, &bn, &bsum) == 0)
        t = walor_ctx_printf(c, "%s\n%s", t,
                             walor_textf(c, "crm.card.bookings", "n", walor_plural(c, bn, "запись|записи|записей", 0),
                                         "sum", walor_money(c, bsum), NULL));
    if (have_loyalty)
        t = walor_ctx_printf(c, "%s\n%s", t,
                             walor_textf(c, "crm.card.loyalty", "balance", walor_money(c, li.balance), "pct",
                                         walor_ctx_printf(c, "%d", li.discount_pct), "friends",
                                         crm_num(c, li.friends), NULL));
    t = walor_ctx_printf(c, "%s\n\n%s", t,
                         *note ? walor_textf(c, "crm.card.note", "note", crm_esc(c, note), "who", crm_esc(c, note_by),
                                             "date", crm_date(c, note_at), NULL)
                               : walor_text(c, "crm.card.no_note"));

    /* the history's pages: "crm:h:<uid>:<back>:<page>" */
    walor_kb_button(kb, walor_text(c, "crm.btn.history"),
                    walor_ctx_printf(c, "crm:h:%lld:%s:0", (long long)uid, back ? back : ""));
    if (notice && *notice)
        t = walor_ctx_printf(c, "%s\n\n%s", notice, t);
    kb_btn(c, kb, "crm.btn.note", "n", uid, back);
    walor_kb_row(kb);
    kb_btn(c, kb, "crm.btn.message", "m", uid, back);
    if (have_loyalty && WALOR_LOYALTY_HAS(l, add_bonus)) {
        walor_kb_row(kb);
        kb_btn(c, kb, "crm.btn.bonus", "b", uid, back);
        kb_btn(c, kb, "crm.btn.discount", "d", uid, back);
    }
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "crm.btn.back"), back && *back ? back : "crm:home");
    return walor_show(c, t, kb);
}

/* ---- history: orders newest first, then bookings, as one paged list ---- */

typedef struct hist {
    int64_t uid;
    const walor_orders_v1 *o;
    int64_t orders;
    const walor_bookings_v1 *b;
} hist;

static const char *order_row(walor_ctx *c, hist *h, int64_t index, walor_kb *kb)
{
    int64_t *ids = NULL;
    uint32_t n = 0;
    walor_order *ord = NULL;
    if (h->o->client_orders(c, h->uid, (uint32_t)index, 1, &ids, &n, NULL) < 0 || n == 0 ||
        h->o->get(c, ids[0], &ord) < 0)
        return NULL;
    const char *id = walor_ctx_printf(c, "%lld", (long long)ord->id);
    if (WALOR_ORDERS_HAS(h->o, staff_card_data))
        walor_kb_button(kb, walor_textf(c, "crm.hist.btn_order", "id", id, NULL), h->o->staff_card_data(c, ord->id));
    return walor_textf(c, "crm.hist.order", "id", id, "date", crm_date(c, ord->created_at), "status",
                       walor_text(c, walor_ctx_printf(c, "crm.status.%s", ord->status)), "sum",
                       walor_money(c, ord->total), NULL);
}

static const char *hist_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)r;
    hist *h = ud;
    if (index < h->orders)
        return order_row(c, h, index, kb);
    walor_booking_item *bi = NULL;
    uint32_t n = 0;
    int64_t all = 0;
    if (!h->b || h->b->client_list(c, h->uid, (uint32_t)(index - h->orders), 1, &bi, &n, &all) < 0 || n == 0)
        return NULL;
    const char *cb = WALOR_BOOKINGS_HAS(h->b, card_callback) ? h->b->card_callback(c, bi->id) : NULL;
    if (cb)
        walor_kb_button(kb, walor_textf(c, "crm.hist.btn_booking", "service", bi->service_name, NULL), cb);
    return walor_textf(c, "crm.hist.booking", "service", crm_esc(c, bi->service_name), "date",
                       crm_date(c, bi->starts_at), "status",
                       walor_text(c, walor_ctx_printf(c, "crm.bstatus.%s", bi->status)), "sum",
                       walor_money(c, bi->price), NULL);
}

int32_t crm_history_show(walor_ctx *c, int64_t uid, const char *back, const char *page)
{
    json_t *u = walor_user_get(c, uid);
    if (!u)
        return crm_card_show(c, uid, back);
    hist h = {.uid = uid, .o = crm_orders(c)};
    uint32_t orders = 0;
    if (h.o && WALOR_ORDERS_HAS(h.o, client_orders)) {
        int64_t *ids = NULL;
        uint32_t n = 0;
        if (h.o->client_orders(c, uid, 0, 1, &ids, &n, &orders) < 0)
            return WALOR_EDB;
    } else {
        h.o = NULL;
    }
    h.orders = orders;
    int64_t bookings_n = 0;
    const char *head = walor_textf(c, "crm.hist.head", "name", crm_esc(c, crm_user_name(c, u)), "orders",
                                   crm_num(c, orders), NULL);
    h.b = bookings(c);
    if (h.b && WALOR_BOOKINGS_HAS(h.b, client_list)) {
        walor_booking_item *bi = NULL;
        uint32_t n = 0;
        if (h.b->client_list(c, uid, 0, 1, &bi, &n, &bookings_n) < 0)
            bookings_n = 0;
        head = walor_ctx_printf(c, "%s\n%s", head,
                                walor_textf(c, "crm.hist.bookings", "n", crm_num(c, bookings_n), NULL));
    } else {
        h.b = NULL;
    }
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "crm.btn.to_card"), crm_card_data(c, uid, back));
    walor_list_def l = {.struct_size = sizeof l, .page_size = HISTORY_PAGE, .total = orders + bookings_n,
                        .row = hist_row, .ud = &h,
                        .page_data = walor_ctx_printf(c, "crm:h:%lld:%s:", (long long)uid, back ? back : ""),
                        .header = head, .empty = walor_ctx_printf(c, "%s\n\n%s", head, walor_text(c, "crm.hist.empty")),
                        .buttons = kb};
    return walor_list_show(c, &l, page);
}
