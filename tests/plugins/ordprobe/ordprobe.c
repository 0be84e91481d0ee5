/* ordprobe: drives the `orders` service for the e2e tests until checkout
 * exists (tests/e2e/test_orders_*.py). Commands (any user; the order is the
 * caller's):
 *   /ordprobe_new [pid[.vno]x<qty>@<kopecks>[/<base kopecks>] …] [key=value …]
 *       create an order from these lines, or from the caller's cart (the
 *       `cart` service) without lines; keys: delivery, personal, promo,
 *       cert, bonus, total, dshop (delivery paid by the shop) (kopecks), pcode,
 *       ccode, addr, type, phone, name, email; b2b=1 makes it a B2B order (user 0).
 *       Replies "order:<id>" or "error:<code>:<failed line>".
 *   /ordprobe_paid <id> [ref]       mark_paid → "paid:<rc>"
 *   /ordprobe_status <id> <to>      set_status → "status:<rc>"
 *   /ordprobe_cancel <id> <0|1>     cancel → "cancel:<rc>"
 *   /ordprobe_track <id> <number>   set_tracking → "track:<rc>"
 *   /ordprobe_shot <id> <file_id>   set_screenshot → "shot:<rc>"
 *   /ordprobe_meta <id> <key> [val] set_meta then get_meta → "meta:<rc>:<value>"
 *   /ordprobe_get <id>              get → "get:<rc>:<status>:<total>:<n lines>:<flags>:<first name>"
 *   /ordprobe_refund <id> <kopecks> <manual|provider> [reason]   refund (1.1) → "refund:<rc>"
 *   /ordprobe_bench <n>             n orders of 3 lines, timed →
 *                                   "bench: order_create_per_s=<N>"
 * With [plugin.ordprobe] stock = yes it also provides the `stock` service
 * (levels in ordprobe_stock, every move in ordprobe_ledger, set with
 * /ordprobe_stock <pid> <vno> <qty>, an item without a row is untracked); with
 * payment = yes the `payment` service (send_details writes
 * ordprobe_invoice and sends "💳 Реквизиты для оплаты заказа №N"; with
 * payment_timeout = yes it fails with WALOR_ETIMEDOUT, as after a bank API
 * timeout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <walor/plugin.h>
#include <walor/services/cart.h>
#include <walor/services/orders.h>
#include <walor/services/stock.h>

static const walor_orders_v1 *svc(walor_ctx *c)
{
    return walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, NULL);
}

/* "<what>:<rc>", the one-line answer the tests read */
static int32_t say(walor_ctx *c, const char *what, long long rc)
{
    return walor_reply(c, walor_ctx_printf(c, "%s:%lld", what, rc), NULL);
}

/* ---- the fake stock provider ---- */

static int32_t level(walor_ctx *c, int64_t pid, int64_t vno, int64_t *qty)
{
    return walor_db_int(c, "SELECT qty FROM ordprobe_stock WHERE product_id = ? AND variant_no = ?",
                        WALOR_ARGS(walor_i(pid), walor_i(vno)), qty);
}

static int32_t ledger(walor_ctx *c, int64_t order_id, int64_t pid, int64_t vno, int64_t qty, const char *reason,
                      const char *comment)
{
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO ordprobe_ledger(order_id, product_id, variant_no, qty, reason, comment)"
                               " VALUES (?, ?, ?, ?, ?, ?)",
                               WALOR_ARGS(walor_i(order_id), walor_i(pid), walor_i(vno), walor_i(qty),
                                          walor_s(reason), walor_s(comment ? comment : "")));
    return rc < 0 ? rc : 0;
}

static int32_t move(walor_ctx *c, int64_t pid, int64_t vno, int64_t delta)
{
    int32_t rc = walor_db_exec(c, "UPDATE ordprobe_stock SET qty = qty + ? WHERE product_id = ? AND variant_no = ?",
                               WALOR_ARGS(walor_i(delta), walor_i(pid), walor_i(vno)));
    return rc < 0 ? rc : 0;
}

static int32_t st_available(walor_ctx *c, int64_t pid, int64_t vno, int64_t *out)
{
    int32_t rc = level(c, pid, vno, out);
    if (rc == WALOR_ENOTFOUND) {
        *out = WALOR_STOCK_UNTRACKED;
        return 0;
    }
    return rc;
}

/* all or nothing: check every line, then move */
static int32_t take(walor_ctx *c, int64_t order_id, const walor_stock_line *l, uint32_t n, uint32_t *failed,
                    const char *reason, const char *comment)
{
    if (failed)
        *failed = UINT32_MAX;
    if (!l || n == 0)
        return WALOR_EINVAL;
    for (uint32_t i = 0; i < n; i++) {
        int64_t have = 0, want = 0;
        if (l[i].qty <= 0)
            return WALOR_EINVAL;
        if (level(c, l[i].product_id, l[i].variant_no, &have) != 0)
            continue;
        for (uint32_t j = 0; j <= i; j++)
            if (l[j].product_id == l[i].product_id && l[j].variant_no == l[i].variant_no)
                want += l[j].qty;
        if (want > have) {
            if (failed)
                *failed = i;
            return WALOR_ERANGE;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        int64_t have = 0;
        if (level(c, l[i].product_id, l[i].variant_no, &have) != 0)
            continue;
        int32_t rc = move(c, l[i].product_id, l[i].variant_no, -l[i].qty);
        if (rc == 0)
            rc = ledger(c, order_id, l[i].product_id, l[i].variant_no, -l[i].qty, reason, comment);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int32_t st_reserve(walor_ctx *c, int64_t order_id, const walor_stock_line *l, uint32_t n, uint32_t *failed)
{
    return take(c, order_id, l, n, failed, "reserve", NULL);
}

/* rows of `reason` for the order, turned into `to` (qty sign flipped when back) */
static int32_t turn(walor_ctx *c, int64_t order_id, const char *reason, const char *to, int back, const char *comment)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT product_id, variant_no, sum(qty) FROM ordprobe_ledger WHERE order_id = ? AND "
                                "reason = ? GROUP BY product_id, variant_no",
                                WALOR_ARGS(walor_i(order_id), walor_s(reason)), &r);
    if (rc < 0)
        return rc;
    int64_t rows[64][3];
    int n = 0;
    while (n < 64 && walor_row_next(r) == 1) {
        rows[n][0] = walor_col_int(r, 0);
        rows[n][1] = walor_col_int(r, 1);
        rows[n][2] = walor_col_int(r, 2);
        n++;
    }
    walor_rows_close(r);
    int64_t done = 0;
    walor_db_int(c, "SELECT count(*) FROM ordprobe_ledger WHERE order_id = ? AND reason = ?",
                 WALOR_ARGS(walor_i(order_id), walor_s(to)), &done);
    if (n == 0)
        return WALOR_ENOTFOUND;
    if (done) /* idempotent per order */
        return 0;
    for (int i = 0; i < n; i++) {
        if (back)
            rc = move(c, rows[i][0], rows[i][1], -rows[i][2]);
        if (rc == 0)
            rc = ledger(c, order_id, rows[i][0], rows[i][1], back ? -rows[i][2] : rows[i][2], to, comment);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int32_t st_release(walor_ctx *c, int64_t order_id)
{
    int64_t sold = 0;
    walor_db_int(c, "SELECT count(*) FROM ordprobe_ledger WHERE order_id = ? AND reason = 'sale'",
                 WALOR_ARGS(walor_i(order_id)), &sold);
    if (sold)
        return 0;
    int32_t rc = turn(c, order_id, "reserve", "release", 1, NULL);
    return rc == WALOR_ENOTFOUND ? 0 : rc;
}

static int32_t st_commit(walor_ctx *c, int64_t order_id) { return turn(c, order_id, "reserve", "sale", 0, NULL); }

static int32_t st_restock(walor_ctx *c, int64_t order_id, const char *comment)
{
    return turn(c, order_id, "sale", "restock", 1, comment);
}

static int32_t st_write_off(walor_ctx *c, const walor_stock_line *l, uint32_t n, const char *comment,
                            uint32_t *failed)
{
    return take(c, 0, l, n, failed, "writeoff", comment);
}

static const walor_stock_v1 STOCK = {.struct_size = sizeof(walor_stock_v1), .available = st_available,
                                     .reserve = st_reserve, .release = st_release, .commit = st_commit,
                                     .restock = st_restock, .write_off = st_write_off};

/* ---- the fake payment provider ---- */

static int payment_times_out;

static int32_t pay_send(walor_ctx *c, int64_t order_id)
{
    if (payment_times_out) /* the bank's API did not answer */
        return WALOR_ETIMEDOUT;
    walor_order *o = NULL;
    int32_t rc = svc(c)->get(c, order_id, &o);
    if (rc < 0)
        return rc;
    if (strcmp(o->status, "new") != 0)
        return WALOR_ERANGE;
    rc = walor_db_exec(c, "INSERT INTO ordprobe_invoice(order_id) VALUES (?) ON CONFLICT DO NOTHING",
                       WALOR_ARGS(walor_i(order_id)));
    if (rc < 0)
        return rc;
    return walor_send(c, o->user_id, walor_ctx_printf(c, "💳 Реквизиты для оплаты заказа №%lld", (long long)order_id),
                      NULL, 0, NULL);
}

static const walor_payment_v1 PAYMENT = {.struct_size = sizeof(walor_payment_v1), .send_details = pay_send};

/* ---- commands ---- */

typedef struct {
    walor_order_new o;
    walor_order_line lines[16];
} draft;

static int32_t from_cart(walor_ctx *c, draft *d)
{
    const walor_cart_v1 *cart = walor_service_get(walor_ctx_plugin(c), WALOR_CART_SERVICE, WALOR_CART_MAJOR, NULL);
    walor_cart_line *cl = NULL;
    uint32_t n = 0;
    if (!WALOR_CART_HAS(cart, lines) || cart->lines(c, walor_ctx_user_id(c), &cl, &n) < 0)
        return WALOR_ENOSYS;
    for (uint32_t i = 0; i < n && i < 16; i++) {
        const walor_cart_line *l = walor_cart_line_at(cl, i);
        walor_order_line *o = &d->lines[d->o.n_lines++];
        o->struct_size = sizeof *o;
        o->product_id = l->product_id;
        o->variant_no = l->variant_no;
        o->name = l->name;
        o->variant_label = l->variant_label;
        o->base_price = l->base_price;
        o->unit_price = l->unit_price;
        o->qty = l->qty;
        o->weight_g = l->weight_g;
        o->discount_pct = l->discount_pct;
    }
    return 0;
}

static int32_t cmd_new(walor_ctx *c, const char *arg)
{
    draft *d = walor_ctx_alloc(c, sizeof *d);
    if (!d)
        return WALOR_ENOMEM;
    d->o.struct_size = sizeof d->o;
    d->o.user_id = walor_ctx_user_id(c);
    d->o.lines = d->lines;
    long long total = -1;
    char *buf = walor_ctx_printf(c, "%s", arg), *save = NULL;
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        long long pid, vno = 0, qty, price, base = -1;
        char *eq = strchr(t, '=');
        if (eq) {
            *eq = 0;
            const char *v = eq + 1;
            long long n = atoll(v);
            if (!strcmp(t, "delivery")) d->o.delivery_cost = n;
            else if (!strcmp(t, "personal")) d->o.personal_discount = n;
            else if (!strcmp(t, "promo")) d->o.promo_discount = n;
            else if (!strcmp(t, "cert")) d->o.cert_discount = n;
            else if (!strcmp(t, "bonus")) d->o.bonus_spent = n;
            else if (!strcmp(t, "total")) total = n;
            else if (!strcmp(t, "dshop")) d->o.delivery_shop = n;
            else if (!strcmp(t, "b2b") && n) {
                d->o.source = WALOR_ORDER_SRC_B2B;
                d->o.user_id = 0;
            }
            else if (!strcmp(t, "pcode")) d->o.promo_code = v;
            else if (!strcmp(t, "ccode")) d->o.cert_code = v;
            else if (!strcmp(t, "addr")) d->o.address = v;
            else if (!strcmp(t, "type")) d->o.delivery_type = v;
            else if (!strcmp(t, "phone")) d->o.phone = v;
            else if (!strcmp(t, "name")) d->o.contact_name = v;
            else if (!strcmp(t, "email")) d->o.email = v;
            continue;
        }
        if (d->o.n_lines >= 16)
            break;
        int ok = sscanf(t, "%lld.%lldx%lld@%lld/%lld", &pid, &vno, &qty, &price, &base) >= 4;
        if (!ok) {
            vno = 0;
            base = -1;
            ok = sscanf(t, "%lldx%lld@%lld/%lld", &pid, &qty, &price, &base) >= 3;
        }
        if (!ok)
            return walor_reply(c, "error:syntax", NULL);
        walor_order_line *l = &d->lines[d->o.n_lines++];
        l->struct_size = sizeof *l;
        l->product_id = pid;
        l->variant_no = vno;
        l->name = walor_ctx_printf(c, "Товар %lld", pid);
        l->variant_label = vno ? walor_ctx_printf(c, "фасовка %lld", vno) : "";
        l->unit_price = price;
        l->base_price = base >= 0 ? base : price;
        l->qty = qty;
        l->weight_g = 100;
    }
    if (d->o.n_lines == 0 && from_cart(c, d) < 0)
        return walor_reply(c, "error:nocart", NULL);
    int64_t goods = 0;
    for (uint32_t i = 0; i < d->o.n_lines; i++)
        goods += d->lines[i].unit_price * d->lines[i].qty;
    int64_t t = goods + d->o.delivery_cost - d->o.personal_discount - d->o.promo_discount - d->o.cert_discount -
                d->o.bonus_spent;
    d->o.total = total >= 0 ? total : t < 0 ? 0 : t;
    int64_t id = 0;
    uint32_t failed = UINT32_MAX;
    int32_t rc = svc(c)->create(c, &d->o, &id, &failed);
    if (rc < 0)
        return walor_reply(c, walor_ctx_printf(c, "error:%d:%lld", rc, failed == UINT32_MAX ? -1LL : (long long)failed),
                           NULL);
    return say(c, "order", (long long)id);
}

static int32_t cmd_refund(walor_ctx *c, const char *arg)
{
    long long id = 0, amount = 0;
    char kind[16] = "";
    int n = 0;
    if (sscanf(arg, "%lld %lld %15s%n", &id, &amount, kind, &n) != 3)
        return walor_reply(c, "usage", NULL);
    const char *reason = arg + n;
    while (*reason == ' ')
        reason++;
    walor_refund_new r = {.struct_size = sizeof r, .amount = amount, .kind = kind, .reason = reason};
    return say(c, "refund", svc(c)->refund(c, id, &r, NULL));
}

static int parse2(const char *arg, long long *id, char *word, size_t n)
{
    char fmt[32];
    snprintf(fmt, sizeof fmt, "%%lld %%%zus", n - 1);
    word[0] = 0;
    return sscanf(arg, fmt, id, word);
}

static int32_t cmd_paid(walor_ctx *c, const char *arg)
{
    long long id;
    char ref[64];
    int k = parse2(arg, &id, ref, sizeof ref);
    if (k < 1)
        return walor_reply(c, "usage", NULL);
    return say(c, "paid", svc(c)->mark_paid(c, id, k == 2 ? ref : NULL));
}

static int32_t cmd_status(walor_ctx *c, const char *arg)
{
    long long id;
    char to[32];
    if (parse2(arg, &id, to, sizeof to) != 2)
        return walor_reply(c, "usage", NULL);
    return say(c, "status", svc(c)->set_status(c, id, to, NULL));
}

static int32_t cmd_cancel(walor_ctx *c, const char *arg)
{
    long long id, ret = 1;
    if (sscanf(arg, "%lld %lld", &id, &ret) < 1)
        return walor_reply(c, "usage", NULL);
    return say(c, "cancel", svc(c)->cancel(c, id, (int32_t)ret, "probe"));
}

static int32_t cmd_track(walor_ctx *c, const char *arg)
{
    long long id;
    char t[64];
    if (parse2(arg, &id, t, sizeof t) != 2)
        return walor_reply(c, "usage", NULL);
    return say(c, "track", svc(c)->set_tracking(c, id, t));
}

static int32_t cmd_shot(walor_ctx *c, const char *arg)
{
    long long id;
    char f[200];
    if (parse2(arg, &id, f, sizeof f) != 2)
        return walor_reply(c, "usage", NULL);
    return say(c, "shot", svc(c)->set_screenshot(c, id, f));
}

static int32_t cmd_meta(walor_ctx *c, const char *arg)
{
    long long id;
    char key[32], val[64];
    int k = sscanf(arg, "%lld %31s %63s", &id, key, val);
    if (k < 2)
        return walor_reply(c, "usage", NULL);
    int32_t rc = svc(c)->set_meta(c, id, key, k == 3 ? val : NULL);
    const char *got = "";
    int32_t g = svc(c)->get_meta(c, id, key, &got);
    return walor_reply(c, walor_ctx_printf(c, "meta:%d:%d:%s", rc, g, walor_html_escape(c, got)), NULL);
}

static int32_t cmd_get(walor_ctx *c, const char *arg)
{
    walor_order *o = NULL;
    int32_t rc = svc(c)->get(c, atoll(arg), &o);
    if (rc < 0)
        return say(c, "get", rc);
    return walor_reply(c,
                       walor_ctx_printf(c, "get:0:%s:%lld:%u:%d:%s", o->status, (long long)o->total, o->n_lines,
                                        o->flags, walor_html_escape(c, walor_order_line_at(o->lines, 0)->name)),
                       NULL);
}

static int32_t cmd_stock(walor_ctx *c, const char *arg)
{
    long long pid, vno, qty;
    if (sscanf(arg, "%lld %lld %lld", &pid, &vno, &qty) != 3)
        return walor_reply(c, "usage", NULL);
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO ordprobe_stock(product_id, variant_no, qty) VALUES (?, ?, ?) "
                               "ON CONFLICT(product_id, variant_no) DO UPDATE SET qty = excluded.qty",
                               WALOR_ARGS(walor_i(pid), walor_i(vno), walor_i(qty)));
    return say(c, "stock", rc < 0 ? rc : 0);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* creation as checkout will do it: 3 lines, reservation included, each
 * order its own transaction */
static int32_t cmd_bench(walor_ctx *c, const char *arg)
{
    long long n = atoll(arg);
    if (n <= 0 || n > 1000000)
        n = 1000;
    walor_order_line lines[3];
    for (int i = 0; i < 3; i++)
        lines[i] = (walor_order_line){.struct_size = sizeof lines[i], .product_id = 1000 + i, .variant_no = 0,
                                      .name = "Бенчмарк", .variant_label = "", .base_price = 10000 * (i + 1),
                                      .unit_price = 10000 * (i + 1), .qty = 1, .weight_g = 100};
    walor_order_new o = {.struct_size = sizeof o, .user_id = walor_ctx_user_id(c), .lines = lines, .n_lines = 3,
                         .total = 60000, .contact_name = "Бенчмарк", .phone = "+70000000000"};
    double t0 = mono();
    for (long long i = 0; i < n; i++) {
        int64_t id;
        int32_t rc = svc(c)->create(c, &o, &id, NULL);
        if (rc < 0)
            return walor_reply(c, walor_ctx_printf(c, "bench: failed at %lld: %d", i, rc), NULL);
    }
    double dt = mono() - t0;
    return walor_reply(c, walor_ctx_printf(c, "bench: order_create_per_s=%.0f", (double)n / (dt > 0 ? dt : 1e-9)),
                       NULL);
}

static const char MIGRATION[] =
    "CREATE TABLE ordprobe_stock (product_id INTEGER NOT NULL, variant_no INTEGER NOT NULL, qty INTEGER NOT NULL,"
    " PRIMARY KEY (product_id, variant_no));"
    "CREATE TABLE ordprobe_ledger (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, product_id INTEGER NOT NULL,"
    " variant_no INTEGER NOT NULL, qty INTEGER NOT NULL, reason TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE ordprobe_invoice (order_id INTEGER PRIMARY KEY);";

static int yes(const walor_plugin *p, const char *key)
{
    const char *v = walor_plugin_config(p, key);
    return v && (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true"));
}

static int32_t load(walor_plugin *p)
{
    static const struct {
        const char *name;
        walor_handler_fn fn;
    } CMDS[] = {{"ordprobe_new", cmd_new},       {"ordprobe_paid", cmd_paid},   {"ordprobe_status", cmd_status},
                {"ordprobe_cancel", cmd_cancel}, {"ordprobe_track", cmd_track}, {"ordprobe_meta", cmd_meta},
                {"ordprobe_get", cmd_get},       {"ordprobe_stock", cmd_stock}, {"ordprobe_bench", cmd_bench},
                {"ordprobe_shot", cmd_shot},     {"ordprobe_refund", cmd_refund}};
    int32_t rc = walor_migration(p, 1, MIGRATION);
    for (size_t i = 0; !rc && i < sizeof CMDS / sizeof CMDS[0]; i++) {
        const walor_command_def d = {.struct_size = sizeof d, .min_role = WALOR_ROLE_CLIENT, .name = CMDS[i].name,
                                     .description = "test", .handler = CMDS[i].fn};
        rc = walor_command(p, &d);
    }
    if (!rc) rc = walor_service_require(p, WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, 0);
    if (!rc && yes(p, "stock"))
        rc = walor_service_provide(p, WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, WALOR_STOCK_MINOR, &STOCK);
    payment_times_out = yes(p, "payment_timeout");
    if (!rc && yes(p, "payment"))
        rc = walor_service_provide(p, WALOR_PAYMENT_SERVICE, WALOR_PAYMENT_MAJOR, WALOR_PAYMENT_MINOR, &PAYMENT);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "ordprobe", .version = "1.0.0", .description = "orders test driver",
                    .requires = "orders", .load = load)
