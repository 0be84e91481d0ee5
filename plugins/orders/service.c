/* orders: the order lifecycle and the `orders` service
 * (sdk/include/walor/services/orders.h, transition table in model.c).
 *
 * Every change is one transaction level (walor_tx_begin, which nests in the
 * caller's transaction since SDK 1.3). In it go the order row, the status history row, the stock call
 * (reserve / commit / release / restock / write-off through the `stock`
 * service), the events and, for a staff member, the action log. The
 * functions run with the caller's ctx (a service call is a plain call), so
 * nothing here depends on which plugin is calling: jobs and notifications
 * are left to our own subscribers of the events (notify.c). */
#include <stdlib.h>
#include <string.h>

#include "orders.h"

#define STR_MAX 4096           /* bytes of one text field of an order */
#define EXTRA_MAX 16384        /* bytes of extra_json */
#define LINES_MAX 500          /* lines of one order */
#define QTY_MAX 1000000        /* units of one line */
#define PRICE_MAX 100000000000LL /* kopecks: a billion roubles per unit */

/* ---- small helpers ---- */

const walor_stock_v1 *orders_stock(walor_ctx *c)
{
    const walor_stock_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, NULL);
    return WALOR_STOCK_HAS(s, write_off) ? s : NULL;
}

static const char *aggregate(walor_ctx *c, int64_t id) { return walor_ctx_printf(c, "order:%lld", (long long)id); }

/* who acts: a staff member's id, 0 for the system and for customers */
static int64_t actor(walor_ctx *c) { return walor_ctx_role(c) >= WALOR_ROLE_MANAGER ? walor_ctx_user_id(c) : 0; }

static int32_t emit(walor_ctx *c, const char *event, int64_t id, json_t *ev)
{
    if (!ev)
        return WALOR_ENOMEM;
    int32_t rc = walor_event_emit(c, event, aggregate(c, id), ev);
    json_decref(ev);
    return rc;
}

static int valid_str(const char *s, size_t max) { return !s || strlen(s) <= max; }

/* ---- reading ---- */

#define ORDER_COLS                                                                                              \
    "id, user_id, source, status, created_at, updated_at, paid_at, address_verified, goods, product_discount, " \
    "delivery_cost, personal_discount, promo_discount, cert_discount, bonus_spent, total, promo_code, "         \
    "cert_code, contact_name, phone, email, delivery_type, address, pickup_point, courier_details, comment, "    \
    "extra_json, payment_screenshot, tracking, delivery_manual, flags, delivery_shop, refunded"

static int32_t read_line(walor_ctx *c, walor_rows *r, void *el, const void *arg)
{
    (void)arg;
    walor_order_line *l = el;
    l->struct_size = sizeof *l;
    return walor_row_read(c, r, "iizziiiid", &l->product_id, &l->variant_no, &l->name, &l->variant_label,
                          &l->base_price, &l->unit_price, &l->qty, &l->weight_g, &l->discount_pct);
}

int32_t orders_get(walor_ctx *c, int64_t id, walor_order **out)
{
    if (!out)
        return WALOR_EINVAL;
    *out = NULL;
    walor_order *o = walor_ctx_alloc(c, sizeof *o);
    if (!o)
        return WALOR_ENOMEM;
    o->struct_size = sizeof *o;
    int32_t rc = walor_db_row(c, "SELECT " ORDER_COLS " FROM orders_order WHERE id = ?", WALOR_ARGS(walor_i(id)),
                              "iidziiid" "iiiiiiii" "zzzzzzzzzzzzz" "ddii",
                              &o->id, &o->user_id, &o->source, &o->status, &o->created_at, &o->updated_at, &o->paid_at,
                              &o->address_verified, &o->goods, &o->product_discount, &o->delivery_cost,
                              &o->personal_discount, &o->promo_discount, &o->cert_discount, &o->bonus_spent, &o->total,
                              &o->promo_code, &o->cert_code, &o->contact_name, &o->phone, &o->email, &o->delivery_type,
                              &o->address, &o->pickup_point, &o->courier_details, &o->comment, &o->extra_json,
                              &o->payment_screenshot, &o->tracking, &o->delivery_manual, &o->flags, &o->delivery_shop,
                              &o->refunded);
    if (rc < 0)
        return rc;

    void *lines = NULL;
    rc = orders_rows_read(c, "SELECT count(*) FROM orders_line WHERE order_id = ?",
                          "SELECT product_id, variant_no, name, variant_label, base_price, unit_price, qty, weight_g,"
                          " discount_pct FROM orders_line WHERE order_id = ? ORDER BY no",
                          id, sizeof *o->lines, read_line, NULL, &lines, &o->n_lines);
    if (rc < 0)
        return rc;
    o->lines = lines;
    *out = o;
    return 0;
}

static const char *stock_state(walor_ctx *c, int64_t id)
{
    const char *s = "none";
    walor_db_row(c, "SELECT stock FROM orders_order WHERE id = ?", WALOR_ARGS(walor_i(id)), "z", &s);
    return s;
}

static walor_stock_line *stock_lines(walor_ctx *c, const walor_order *o)
{
    walor_stock_line *sl = walor_ctx_alloc(c, (o->n_lines ? o->n_lines : 1) * sizeof *sl);
    for (uint32_t i = 0; sl && i < o->n_lines; i++) {
        sl[i].product_id = o->lines[i].product_id;
        sl[i].variant_no = o->lines[i].variant_no;
        sl[i].qty = o->lines[i].qty;
    }
    return sl;
}

/* goods after every discount but bonuses: what cashback is computed on */
static int64_t net_goods(const walor_order *o)
{
    int64_t g = o->goods - o->personal_discount - o->promo_discount - o->cert_discount;
    return g < 0 ? 0 : g;
}

/* ---- transitions ---- */

/* the status row change, its history row, order.status_changed and the
 * action log; the caller has checked that the move is allowed */
/* quiet: a step on the way to a further status (advance()): recorded and
 * emitted like any move, but the customer is told only about the last one;
 * customer_html is added to that notice */
static int32_t record_move_ex(walor_ctx *c, const walor_order *o, int to, const char *note, int quiet,
                              const char *customer_html)
{
    int64_t now = walor_now(c), by = actor(c);
    const char *from = o->status, *tos = orders_status_name(to);
    int32_t rc = walor_db_exec(c, "UPDATE orders_order SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                               WALOR_ARGS(walor_s(tos), walor_i(now), walor_i(o->id), walor_s(from)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return WALOR_EBUSY; /* cannot happen under the write lock; never move from a status we did not see */
    int64_t seq = 0;
    rc = walor_db_int(c,
                      "INSERT INTO orders_history(order_id, from_status, to_status, by_user, at, note) "
                      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                      WALOR_ARGS(walor_i(o->id), walor_s(from), walor_s(tos), walor_i(by), walor_i(now),
                                 walor_s(note ? note : "")),
                      &seq);
    if (rc < 0)
        return rc;
    rc = emit(c, "order.status_changed", o->id,
              json_pack("{s:i, s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:b, s:s}", "v", 1, "order_id", (json_int_t)o->id,
                        "user_id", (json_int_t)o->user_id, "from", from, "to", tos, "by", (json_int_t)by, "seq",
                        (json_int_t)seq, "note", note ? note : "", "quiet", quiet,
                        "customer_note", customer_html ? customer_html : ""));
    if (rc < 0)
        return rc;
    if (by) {
        const char *what = walor_ctx_printf(c, "заказ №%lld: %s → %s", (long long)o->id,
                                            orders_status_label(c, from), orders_status_label(c, tos));
        if (walor_action_log(c, what) < 0)
            walor_log(c, WALOR_LOG_WARN, "orders: action log: %s", walor_last_error(c));
    }
    return 0;
}

static int32_t record_move(walor_ctx *c, const walor_order *o, int to, const char *note)
{
    return record_move_ex(c, o, to, note, 0, NULL);
}

/* new → paid inside an open transaction: the reservation becomes a sale */
static int32_t move_paid(walor_ctx *c, walor_order *o, const char *ref, const char *note)
{
    const walor_stock_v1 *s = orders_stock(c);
    const char *st = stock_state(c, o->id);
    int32_t rc = 0;
    if (s && !strcmp(st, "reserved")) {
        /* a B2B sale is its own ledger kind where the warehouse knows it (stock 1.1) */
        rc = o->source == WALOR_ORDER_SRC_B2B && WALOR_STOCK_HAS(s, commit_as) ? s->commit_as(c, o->id, "b2b")
                                                                               : s->commit(c, o->id);
        if (rc == WALOR_ENOTFOUND) /* reserved before a warehouse forgot it: nothing to sell */
            rc = 0;
        if (rc < 0)
            return rc;
        st = "sold";
    }
    int64_t now = walor_now(c);
    rc = walor_db_exec(c, "UPDATE orders_order SET paid_at = ?, stock = ?, payment_ref = ? WHERE id = ?",
                       WALOR_ARGS(walor_i(now), walor_s(st), walor_s(ref ? ref : ""), walor_i(o->id)));
    if (rc < 0)
        return rc;
    rc = record_move(c, o, ORD_PAID, note);
    if (rc < 0)
        return rc;
    return emit(c, "order.paid", o->id,
                json_pack("{s:i, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:s}", "v", 1, "order_id", (json_int_t)o->id,
                          "user_id", (json_int_t)o->user_id, "total", (json_int_t)o->total, "goods",
                          (json_int_t)net_goods(o), "promo_code", o->promo_code, "cert_code", o->cert_code,
                          "bonus_spent", (json_int_t)o->bonus_spent, "payment_ref", ref ? ref : ""));
}

/* ---- the service ---- */

static int line_ok(const walor_order_line *l)
{
    return l->struct_size >= offsetof(walor_order_line, weight_g) + sizeof l->weight_g && l->product_id > 0 &&
           l->variant_no >= 0 && l->qty > 0 && l->qty <= QTY_MAX && l->unit_price >= 0 &&
           l->unit_price <= PRICE_MAX && l->base_price >= l->unit_price && l->base_price <= PRICE_MAX &&
           l->name && *l->name && valid_str(l->name, STR_MAX) && valid_str(l->variant_label, STR_MAX) &&
           l->discount_pct >= 0 && l->discount_pct < 100 && l->weight_g >= 0;
}

static int is_tester(walor_ctx *c, int64_t user_id)
{
    json_t *u = user_id > 0 ? walor_user_get(c, user_id) : NULL;
    return u && json_integer_value(json_object_get(u, "role")) == WALOR_ROLE_TESTER;
}

static int32_t svc_create(walor_ctx *c, const walor_order_new *o, int64_t *out_id, uint32_t *out_failed)
{
    if (out_failed)
        *out_failed = UINT32_MAX;
    if (!o || o->struct_size < offsetof(walor_order_new, reserved) || !o->lines || o->n_lines == 0 ||
        o->n_lines > LINES_MAX || o->user_id < 0 || o->source < WALOR_ORDER_SRC_CUSTOMER ||
        o->source > WALOR_ORDER_SRC_B2B)
        return WALOR_EINVAL;
    const char *strs[] = {o->promo_code, o->cert_code,    o->contact_name,    o->phone,  o->email,
                          o->delivery_type, o->address, o->pickup_point, o->courier_details, o->comment};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (!valid_str(strs[i], STR_MAX))
            return WALOR_EINVAL;
    if (!valid_str(o->extra_json, EXTRA_MAX))
        return WALOR_EINVAL;
    if (o->extra_json && *o->extra_json) {
        json_t *j = json_loads(o->extra_json, 0, NULL);
        int obj = json_is_object(j);
        json_decref(j);
        if (!obj)
            return WALOR_EINVAL;
    }
    int64_t goods = 0, pdisc = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const walor_order_line *l = walor_order_line_at(o->lines, i);
        if (!line_ok(l))
            return WALOR_EINVAL;
        goods += l->unit_price * l->qty;
        pdisc += (l->base_price - l->unit_price) * l->qty;
    }
    /* 1.1: a 1.0 caller's struct ends before delivery_shop */
    int64_t dshop = o->struct_size >= offsetof(walor_order_new, delivery_shop) + sizeof o->delivery_shop
                        ? o->delivery_shop
                        : 0;
    if (dshop < 0 || dshop > PRICE_MAX)
        return WALOR_EINVAL;
    int64_t want = orders_expected_total(goods, o->delivery_cost, o->personal_discount, o->promo_discount,
                                         o->cert_discount, o->bonus_spent);
    if (want < 0 || want != o->total)
        return WALOR_EINVAL;
    int tester = o->source == WALOR_ORDER_SRC_CUSTOMER && is_tester(c, o->user_id);

    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    int64_t now = walor_now(c), id = 0;
    const walor_stock_v1 *s = orders_stock(c);
    rc = walor_db_int(
        c,
        "INSERT INTO orders_order(user_id, source, status, created_at, updated_at, address_verified, goods,"
        " product_discount, delivery_cost, personal_discount, promo_discount, cert_discount, bonus_spent, total,"
        " promo_code, cert_code, contact_name, phone, email, delivery_type, address, pickup_point, courier_details,"
        " comment, extra_json, delivery_manual, flags, stock, delivery_shop) "
        "VALUES (?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        WALOR_ARGS(walor_i(o->user_id), walor_i(o->source), walor_i(now), walor_i(now),
                   walor_i(o->address_verified ? 1 : 0), walor_i(goods), walor_i(pdisc), walor_i(o->delivery_cost),
                   walor_i(o->personal_discount), walor_i(o->promo_discount), walor_i(o->cert_discount),
                   walor_i(o->bonus_spent), walor_i(o->total), walor_s(o->promo_code ? o->promo_code : ""),
                   walor_s(o->cert_code ? o->cert_code : ""), walor_s(o->contact_name ? o->contact_name : ""),
                   walor_s(o->phone ? o->phone : ""), walor_s(o->email ? o->email : ""),
                   walor_s(o->delivery_type ? o->delivery_type : ""), walor_s(o->address ? o->address : ""),
                   walor_s(o->pickup_point ? o->pickup_point : ""),
                   walor_s(o->courier_details ? o->courier_details : ""), walor_s(o->comment ? o->comment : ""),
                   walor_s(o->extra_json && *o->extra_json ? o->extra_json : "{}"),
                   walor_i(o->delivery_manual ? 1 : 0), walor_i(tester ? WALOR_ORDER_F_TESTER : 0),
                   walor_s(s ? "reserved" : "none"), walor_i(dshop)),
        &id);
    walor_stock_line *sl = walor_ctx_alloc(c, o->n_lines * sizeof *sl);
    if (rc == 0 && !sl)
        rc = WALOR_ENOMEM;
    for (uint32_t i = 0; rc == 0 && i < o->n_lines; i++) {
        const walor_order_line *l = walor_order_line_at(o->lines, i);
        sl[i].product_id = l->product_id;
        sl[i].variant_no = l->variant_no;
        sl[i].qty = l->qty;
        int32_t e = walor_db_exec(c,
                                  "INSERT INTO orders_line(order_id, no, product_id, variant_no, name, variant_label,"
                                  " base_price, unit_price, qty, weight_g, discount_pct) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  WALOR_ARGS(walor_i(id), walor_i(i + 1), walor_i(l->product_id),
                                             walor_i(l->variant_no), walor_s(l->name),
                                             walor_s(l->variant_label ? l->variant_label : ""),
                                             walor_i(l->base_price), walor_i(l->unit_price), walor_i(l->qty),
                                             walor_i(l->weight_g), walor_i(l->discount_pct)));
        if (e < 0)
            rc = e;
    }
    if (rc == 0 && s) {
        /* all or nothing inside the caller's transaction too: the failed
         * level is rolled back by tx_end, the caller may go on */
        rc = s->reserve(c, id, sl, o->n_lines, out_failed);
    }
    if (rc == 0)
        rc = walor_db_exec(c,
                           "INSERT INTO orders_history(order_id, from_status, to_status, by_user, at, note) "
                           "VALUES (?, '', 'new', ?, ?, '')",
                           WALOR_ARGS(walor_i(id), walor_i(actor(c)), walor_i(now)));
    if (rc >= 0)
        rc = emit(c, "order.created", id,
                  json_pack("{s:i, s:I, s:I, s:I, s:s}", "v", 1, "order_id", (json_int_t)id, "user_id",
                            (json_int_t)o->user_id, "total", (json_int_t)o->total, "source",
                            o->source == WALOR_ORDER_SRC_B2B     ? "b2b"
                            : o->source == WALOR_ORDER_SRC_STAFF ? "staff"
                                                                 : "customer"));
    if (rc >= 0 && tester) { /* F-HOST-02: testers' orders need no payment */
        walor_order *full = NULL;
        rc = orders_get(c, id, &full);
        if (rc == 0)
            rc = move_paid(c, full, "tester", "tester");
    }
    rc = walor_tx_end(c, rc < 0 ? rc : 0);
    if (rc == 0 && out_id)
        *out_id = id;
    return rc;
}

static int32_t svc_get(walor_ctx *c, int64_t id, walor_order **out) { return orders_get(c, id, out); }

/* the transaction of a change to an order opened, the order read into *o
 * and its status into *st (ORD_*); when reading fails the transaction is
 * already ended, so the caller only returns */
static int32_t begin_order(walor_ctx *c, int64_t id, walor_order **o, int *st)
{
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = orders_get(c, id, o);
    if (rc < 0)
        return walor_tx_end(c, rc);
    *st = orders_status_index((*o)->status);
    return rc;
}

/* a move that changed nothing (1) or is not allowed (WALOR_ERANGE) writes
 * nothing: the caller's work in its own transaction stays as it is */
static int32_t end_move(walor_ctx *c, int32_t rc)
{
    if (rc == WALOR_ERANGE || rc == 1) {
        walor_tx_rollback(c);
        return rc;
    }
    return walor_tx_end(c, rc);
}

static int32_t svc_mark_paid(walor_ctx *c, int64_t id, const char *ref)
{
    if (!valid_str(ref, 200))
        return WALOR_EINVAL;
    walor_order *o = NULL;
    int st;
    int32_t rc = begin_order(c, id, &o, &st);
    if (rc < 0)
        return rc;
    if (st == ORD_CANCELLED) {
        /* the money is real: keep it on the order and tell the owner */
        rc = walor_db_exec(c,
                           "UPDATE orders_order SET flags = flags | ?, payment_ref = ?, updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_i(WALOR_ORDER_F_PAID_AFTER_CANCEL), walor_s(ref ? ref : ""),
                                      walor_i(walor_now(c)), walor_i(id)));
        /* staff are told from our subscriber once this commits (notify.c) */
        if (rc >= 0)
            rc = emit(c, "order.paid_after_cancel", id,
                      json_pack("{s:i, s:I, s:I, s:I, s:s}", "v", 1, "order_id", (json_int_t)id, "user_id",
                                (json_int_t)o->user_id, "total", (json_int_t)o->total, "payment_ref", ref ? ref : ""));
        if (rc >= 0)
            rc = 2; /* committed, then WALOR_ERANGE */
    } else if (st != ORD_NEW) {
        rc = 1;
    } else {
        rc = move_paid(c, o, ref, "");
    }
    rc = walor_tx_end(c, rc);
    return rc == 2 ? WALOR_ERANGE : rc;
}

static int32_t completed_event(walor_ctx *c, const walor_order *o)
{
    return emit(c, "order.completed", o->id,
                json_pack("{s:i, s:I, s:I, s:I, s:I, s:I}", "v", 1, "order_id", (json_int_t)o->id, "user_id",
                          (json_int_t)o->user_id, "total", (json_int_t)o->total, "goods", (json_int_t)net_goods(o),
                          "bonus_spent", (json_int_t)o->bonus_spent));
}

static int32_t svc_set_status(walor_ctx *c, int64_t id, const char *to, const char *note)
{
    int t = orders_status_index(to);
    if (t < 0 || t == ORD_CANCELLED || !valid_str(note, STR_MAX))
        return WALOR_EINVAL;
    walor_order *o = NULL;
    int from;
    int32_t rc = begin_order(c, id, &o, &from);
    if (rc < 0)
        return rc;
    if (from == t)
        rc = 1;
    else if (from == ORD_NEW && t == ORD_PAID)
        rc = WALOR_EINVAL; /* a payment is mark_paid(): it sells the stock and emits order.paid */
    else if (!orders_move_allowed(from, t))
        rc = WALOR_ERANGE;
    else
        rc = record_move(c, o, t, note);
    if (rc == 0 && t == ORD_COMPLETED)
        rc = completed_event(c, o);
    return end_move(c, rc);
}

/* 1.1: a carrier's (or any system's) news moves the order forward through
 * every status between, one recorded step each, telling the customer once */
static int32_t svc_advance(walor_ctx *c, int64_t id, const char *to, const char *note, const char *customer_html)
{
    int t = orders_status_index(to);
    if (t <= ORD_PAID || t == ORD_CANCELLED || !valid_str(note, STR_MAX) || !valid_str(customer_html, STR_MAX))
        return WALOR_EINVAL;
    walor_order *o = NULL;
    int from;
    int32_t rc = begin_order(c, id, &o, &from);
    if (rc < 0)
        return rc;
    if (from == ORD_NEW || from == ORD_CANCELLED) {
        rc = WALOR_ERANGE; /* unpaid or cancelled goods do not travel */
    } else if (from >= t) {
        rc = 1;
    } else {
        for (int st = from; rc == 0 && st < t;) {
            int next = orders_next(st);
            if (next < 0 || next > t) {
                rc = WALOR_ERANGE;
                break;
            }
            rc = record_move_ex(c, o, next, note, next != t, next == t ? customer_html : NULL);
            o->status = orders_status_name(next);
            if (rc == 0 && next == ORD_COMPLETED)
                rc = completed_event(c, o);
            st = next;
        }
    }
    return end_move(c, rc);
}

int32_t orders_complete_sale(walor_ctx *c, int64_t id)
{
    walor_order *o = NULL;
    int st;
    int32_t rc = begin_order(c, id, &o, &st);
    if (rc < 0)
        return rc;
    if (st != ORD_PAID)
        rc = WALOR_ERANGE;
    if (rc == 0)
        rc = record_move(c, o, ORD_COMPLETED, "b2b");
    if (rc == 0)
        rc = completed_event(c, o);
    return walor_tx_end(c, rc);
}

int32_t orders_cancel_note(walor_ctx *c, int64_t id, int32_t return_stock, const char *reason, const char *note)
{
    if (!valid_str(reason, STR_MAX))
        return WALOR_EINVAL;
    walor_order *o = NULL;
    int st;
    int32_t rc = begin_order(c, id, &o, &st);
    if (rc < 0)
        return rc;
    if (st == ORD_CANCELLED || st == ORD_COMPLETED) {
        walor_tx_rollback(c);
        return st == ORD_CANCELLED ? 1 : WALOR_ERANGE;
    }
    const walor_stock_v1 *s = orders_stock(c);
    const char *held = stock_state(c, id), *word;
    if (!strcmp(held, "reserved") || (st == ORD_NEW && strcmp(held, "sold") != 0)) {
        word = "released";
        if (s && !strcmp(held, "reserved"))
            rc = s->release(c, id);
    } else {
        word = return_stock ? "returned" : "written_off";
        if (s && !strcmp(held, "sold")) {
            /* a write-off is booked as goods back on the shelf and then
             * written off, so the ledger says where they went */
            rc = s->restock(c, id, walor_ctx_printf(c, "заказ №%lld отменён", (long long)id));
            if (rc == WALOR_ENOTFOUND)
                rc = 0;
            if (rc == 0 && !return_stock) {
                walor_stock_line *sl = stock_lines(c, o);
                rc = sl ? s->write_off(c, sl, o->n_lines,
                                       walor_ctx_printf(c, "заказ №%lld отменён: списание", (long long)id), NULL)
                        : WALOR_ENOMEM;
            }
        }
    }
    if (rc >= 0)
        rc = walor_db_exec(c, "UPDATE orders_order SET stock = ?, cancel_reason = ? WHERE id = ?",
                           WALOR_ARGS(walor_s(word), walor_s(reason ? reason : ""), walor_i(id)));
    if (rc >= 0)
        rc = record_move(c, o, ORD_CANCELLED, note ? note : reason);
    if (rc >= 0)
        rc = emit(c, "order.cancelled", id,
                  json_pack("{s:i, s:I, s:I, s:s, s:b, s:s, s:s, s:I, s:s}", "v", 1, "order_id", (json_int_t)id,
                            "user_id", (json_int_t)o->user_id, "from", o->status, "was_paid", st >= ORD_PAID,
                            "promo_code", o->promo_code, "cert_code", o->cert_code, "bonus_spent",
                            (json_int_t)o->bonus_spent, "stock", word));
    return walor_tx_end(c, rc < 0 ? rc : 0);
}

static int32_t svc_cancel(walor_ctx *c, int64_t id, int32_t return_stock, const char *reason)
{
    return orders_cancel_note(c, id, return_stock, reason, NULL);
}

static int32_t set_field(walor_ctx *c, int64_t id, const char *sql, const char *value, const char *what)
{
    if (!value || !valid_str(value, 256))
        return WALOR_EINVAL;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c, sql, WALOR_ARGS(walor_s(value), walor_i(walor_now(c)), walor_i(id)));
    if (rc == 0)
        rc = WALOR_ENOTFOUND;
    if (rc > 0 && actor(c) &&
        walor_action_log(c, walor_ctx_printf(c, "заказ №%lld: %s", (long long)id, what)) < 0)
        walor_log(c, WALOR_LOG_WARN, "orders: action log: %s", walor_last_error(c));
    return walor_tx_end(c, rc < 0 ? rc : 0);
}

static int32_t svc_set_tracking(walor_ctx *c, int64_t id, const char *tracking)
{
    return set_field(c, id, "UPDATE orders_order SET tracking = ?, updated_at = ? WHERE id = ?", tracking,
                     "трек-номер");
}

static int32_t svc_set_screenshot(walor_ctx *c, int64_t id, const char *file_id)
{
    return set_field(c, id, "UPDATE orders_order SET payment_screenshot = ?, updated_at = ? WHERE id = ?", file_id,
                     "скриншот оплаты");
}

static int32_t order_exists(walor_ctx *c, int64_t id)
{
    int64_t n = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM orders_order WHERE id = ?", WALOR_ARGS(walor_i(id)), &n);
    return rc < 0 ? rc : n ? 0 : WALOR_ENOTFOUND;
}

static int32_t svc_set_meta(walor_ctx *c, int64_t id, const char *key, const char *value)
{
    if (!key || !*key || strlen(key) > 64 || !valid_str(value, STR_MAX))
        return WALOR_EINVAL;
    const char *pl = walor_plugin_name(walor_ctx_plugin(c));
    int32_t rc = order_exists(c, id);
    if (rc < 0)
        return rc;
    if (value)
        rc = walor_db_exec(c,
                           "INSERT INTO orders_meta(order_id, plugin, key, value) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT(order_id, plugin, key) DO UPDATE SET value = excluded.value",
                           WALOR_ARGS(walor_i(id), walor_s(pl), walor_s(key), walor_s(value)));
    else
        rc = walor_db_exec(c, "DELETE FROM orders_meta WHERE order_id = ? AND plugin = ? AND key = ?",
                           WALOR_ARGS(walor_i(id), walor_s(pl), walor_s(key)));
    return rc < 0 ? rc : 0;
}

static int32_t svc_user_orders(walor_ctx *c, int64_t user_id, uint32_t limit, int64_t **ids, uint32_t *n)
{
    if (!ids || !n || user_id == 0)
        return WALOR_EINVAL;
    *ids = NULL;
    *n = 0;
    if (limit == 0 || limit > 100)
        limit = limit ? 100 : 20;
    int64_t *out = walor_ctx_alloc(c, limit * sizeof *out);
    if (!out)
        return WALOR_ENOMEM;
    uint32_t k = 0;
    int32_t rc = walor_db_ints(c, "SELECT id FROM orders_order WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                               WALOR_ARGS(walor_i(user_id), walor_i(limit)), out, limit, &k);
    if (rc < 0)
        return rc;
    *ids = k ? out : NULL;
    *n = k;
    return 0;
}

static int32_t svc_get_meta(walor_ctx *c, int64_t id, const char *key, const char **out)
{
    if (!key || !out)
        return WALOR_EINVAL;
    return walor_db_row(c, "SELECT value FROM orders_meta WHERE order_id = ? AND plugin = ? AND key = ?",
                        WALOR_ARGS(walor_i(id), walor_s(walor_plugin_name(walor_ctx_plugin(c))), walor_s(key)), "z",
                        out);
}

const walor_orders_v1 orders_service = {
    .struct_size = sizeof(walor_orders_v1),
    .create = svc_create,
    .get = svc_get,
    .mark_paid = svc_mark_paid,
    .set_status = svc_set_status,
    .cancel = svc_cancel,
    .set_tracking = svc_set_tracking,
    .set_screenshot = svc_set_screenshot,
    .set_meta = svc_set_meta,
    .user_orders = svc_user_orders,
    .get_meta = svc_get_meta,
    .advance = svc_advance,
    .refund = orders_refund,
    .refundable = orders_refundable,
    .refunds_of = orders_refunds_of,
    .scan = orders_scan,
    .refunds = orders_refunds_scan,
    .totals = orders_totals,
    .client = orders_svc_client,
    .clients = orders_svc_clients,
    .client_orders = orders_svc_client_orders,
    .buyers = orders_svc_buyers,
    .staff_card_data = orders_svc_staff_card_data,
};
