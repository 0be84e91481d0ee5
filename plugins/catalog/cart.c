/* catalog: the customer's cart (F-CAT-09, F-CAT-10).
 *
 *   - table catalog_cart(user_id, product_id, variant_no, qty, added_at),
 *     catalog_cart_migration (catalog.c registers it in its numbered
 *     migration list);
 *   - main-menu button "🛒 Корзина (N)" (N = units in the cart), /cart;
 *   - the cart screen edits one message: per line the name (opens the card),
 *     ➖ / "N шт" (typed quantity, the form cart_qty) / ➕; cross-sell;
 *     a line and a button of the `cart_ext` extension (loyalty); 🗑 Очистить
 *     with confirmation; the total; ✅ Оформить заказ (the `checkout`
 *     service's callback, else an alert that checkout is not enabled);
 *   - every increase: vacation mode (shop.open = 0) refuses, the stock
 *     service is asked (shop.preorder = 1 lifts the limit), hidden products
 *     and unknown variants are refused (callback data can be forged);
 *   - the `cart` service 1.0 (<walor/services/cart.h>) and the event
 *     cart.changed {"v":1, "user_id", "lines", "qty"} after every change.
 *
 * Lines of products hidden or deleted after they were added stay in the
 * table but are left out everywhere (screen, count, service); they come
 * back when the product is shown again. */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>
#include <walor/services/cart.h>
#include <walor/services/stock.h>

#include "cart.h"
#include "text.h"

#define CART_XSELL_MAX 3    /* cross-sell suggestions shown */
#define LINE_LABEL_MAX 60   /* bytes of a line's name button */
#define NAME_SHOWN_MAX 120  /* bytes of a name in the cart text */

/* ---- the cart screen ---- */

static const walor_checkout_v1 *checkout_svc(walor_ctx *c)
{
    const walor_checkout_v1 *s =
        walor_service_get(walor_ctx_plugin(c), WALOR_CHECKOUT_SERVICE, WALOR_CHECKOUT_MAJOR, NULL);
    return WALOR_CHECKOUT_HAS(s, start_callback) && s->start_callback[0] ? s : NULL;
}

static const walor_cart_ext_v1 *ext_svc(walor_ctx *c)
{
    const walor_cart_ext_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_CART_EXT_SERVICE, WALOR_CART_EXT_MAJOR,
                                                   NULL);
    return WALOR_CART_EXT_HAS(s, render) ? s : NULL;
}

static int in_cart(const catalog_cart_row *v, uint32_t n, int64_t pid)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i].l.product_id == pid)
            return 1;
    return 0;
}

typedef struct xs {
    int64_t id[CART_XSELL_MAX];
    int n;
} xs;

static int32_t xsell_try(walor_ctx *c, xs *x, const catalog_cart_row *v, uint32_t n, int64_t pid)
{
    if (x->n >= CART_XSELL_MAX || pid <= 0 || in_cart(v, n, pid))
        return 0;
    for (int i = 0; i < x->n; i++)
        if (x->id[i] == pid)
            return 0;
    int64_t cat = 0, hidden = 1;
    int32_t rc = walor_db_row(c, "SELECT category_id, hidden FROM catalog_product WHERE id = ?",
                              WALOR_ARGS(walor_i(pid)), "ii", &cat, &hidden);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (hidden)
        return 0;
    rc = catalog_category_visible(c, cat);
    if (rc <= 0)
        return rc;
    x->id[x->n++] = pid;
    return 0;
}

/* suggestions: the merchant's cross-sell IDs of the cart's products first
 * (crosssell_ids: numbers separated by anything), then other visible
 * products of the same categories; never what is in the cart */
static int32_t xsell(walor_ctx *c, const catalog_cart_row *v, uint32_t n, xs *x)
{
    x->n = 0;
    int32_t rc = 0;
    for (uint32_t i = 0; i < n && x->n < CART_XSELL_MAX && rc >= 0; i++) {
        const char *s = v[i].crosssell_ids;
        while (*s && x->n < CART_XSELL_MAX && rc >= 0) {
            if (*s < '0' || *s > '9') {
                s++;
                continue;
            }
            char *e = NULL;
            long long id = strtoll(s, &e, 10);
            s = e;
            rc = xsell_try(c, x, v, n, id);
        }
    }
    for (uint32_t i = 0; i < n && x->n < CART_XSELL_MAX && rc >= 0; i++) {
        int64_t ids[30];
        uint32_t k = 0;
        rc = walor_db_ints(c,
                           "SELECT id FROM catalog_product WHERE category_id = ? AND hidden = 0 AND id <> ? "
                           "ORDER BY sort, id LIMIT 30",
                           WALOR_ARGS(walor_i(v[i].category_id), walor_i(v[i].l.product_id)), ids, 30, &k);
        if (rc < 0)
            return rc;
        for (uint32_t j = 0; j < k && x->n < CART_XSELL_MAX && rc >= 0; j++)
            rc = xsell_try(c, x, v, n, ids[j]);
    }
    return rc < 0 ? rc : 0;
}

static const char *line_title(walor_ctx *c, const walor_cart_line *l)
{
    if (l->variant_label && *l->variant_label)
        return walor_ctx_printf(c, "%s, %s", l->name, l->variant_label);
    return l->name;
}

static int32_t show_empty(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "catalog.cart.btn.catalog"), "cat:c:0:0");
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "catalog.btn.main"), "m:core.main");
    return walor_show(c, walor_text(c, "catalog.cart.empty"), kb);
}

int32_t catalog_cart_show(walor_ctx *c)
{
    int64_t uid = walor_ctx_user_id(c);
    catalog_cart_row *v;
    uint32_t n;
    int32_t rc = catalog_cart_lines(c, uid, &v, &n);
    if (rc < 0)
        return rc;
    if (n == 0)
        return show_empty(c);

    walor_kb *kb = walor_kb_new(c);
    const char *html = walor_text(c, "catalog.cart.title");
    int64_t subtotal = 0;
    for (uint32_t i = 0; i < n; i++) {
        const walor_cart_line *l = &v[i].l;
        int64_t sum = catalog_cart_mul_sat(l->unit_price, l->qty);
        subtotal = catalog_cart_add_sat(subtotal, sum);
        const char *title = walor_html_escape(c, catalog_cut(c, line_title(c, l), NAME_SHOWN_MAX));
        const char *price = walor_money(c, l->unit_price);
        if (l->discount_pct > 0)
            price = walor_textf(c, "catalog.cart.price_sale", "old", walor_money(c, l->base_price), "price", price,
                                "pct", catalog_num(c, l->discount_pct), NULL);
        html = walor_ctx_printf(c, "%s\n\n%s", html,
                                walor_textf(c, "catalog.cart.line", "i", catalog_num(c, i + 1), "name", title, "price", price,
                                            "qty", catalog_num(c, l->qty), "sum", walor_money(c, sum), NULL));
        const char *key = walor_ctx_printf(c, "%lld:%lld", (long long)l->product_id, (long long)l->variant_no);
        walor_kb_button(kb,
                        catalog_cut(c, walor_ctx_printf(c, "%u. %s", i + 1, line_title(c, l)), LINE_LABEL_MAX),
                        walor_ctx_printf(c, "cat:p:%lld:0", (long long)l->product_id));
        walor_kb_row(kb);
        walor_kb_button(kb, walor_text(c, "catalog.cart.btn.minus"), walor_ctx_printf(c, "cart:d:%s", key));
        walor_kb_button(kb, walor_textf(c, "catalog.cart.btn.qty", "qty", catalog_num(c, l->qty), NULL),
                        walor_ctx_printf(c, "cart:q:%s", key));
        walor_kb_button(kb, walor_text(c, "catalog.cart.btn.plus"), walor_ctx_printf(c, "cart:i:%s", key));
        walor_kb_row(kb);
    }

    /* the extension (loyalty): one line of text, one button, an amount */
    int64_t total = subtotal;
    const walor_cart_ext_v1 *ext = ext_svc(c);
    if (ext) {
        walor_cart_ext_view view;
        memset(&view, 0, sizeof view);
        view.struct_size = sizeof view;
        /* the lines as the service hands them out: a packed walor_cart_line array */
        walor_cart_line *arr = walor_ctx_alloc(c, n * sizeof *arr);
        if (!arr)
            return WALOR_ENOMEM;
        for (uint32_t i = 0; i < n; i++)
            arr[i] = v[i].l;
        rc = ext->render(c, uid, arr, n, subtotal, &view);
        if (rc < 0) {
            walor_log(c, WALOR_LOG_WARN, "catalog: cart extension failed: %s", walor_last_error(c));
        } else {
            if (view.line_html && *view.line_html)
                html = walor_ctx_printf(c, "%s\n\n%s", html, view.line_html);
            if (view.amount != 0)
                total = catalog_cart_add_sat(total, view.amount);
            if (view.button_text && *view.button_text && view.button_data && *view.button_data) {
                walor_kb_button(kb, catalog_cut(c, view.button_text, LINE_LABEL_MAX), view.button_data);
                walor_kb_row(kb);
            }
        }
    }
    if (total < 0)
        total = 0;
    html = walor_ctx_printf(c, "%s\n\n%s", html,
                            walor_textf(c, "catalog.cart.total", "sum", walor_money(c, total), NULL));
    if (!catalog_cart_setting_on(c, "shop.open", 1))
        html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "catalog.cart.closed_note"));

    xs x;
    rc = xsell(c, v, n, &x);
    if (rc < 0)
        return rc;
    if (x.n > 0) {
        const char *head = NULL;
        for (uint32_t i = 0; i < n && !head; i++)
            if (*v[i].crosssell_text) {
                char *m = catalog_html_sanitize(v[i].crosssell_text, 1);
                if (!m)
                    return WALOR_ENOMEM;
                head = walor_ctx_printf(c, "%s", m);
                free(m);
                if (head && !*head)
                    head = NULL;
            }
        html = walor_ctx_printf(c, "%s\n\n%s", html, head ? head : walor_text(c, "catalog.cart.xsell"));
        for (int i = 0; i < x.n; i++) {
            walor_rows *r = NULL;
            rc = walor_db_query(c, "SELECT name FROM catalog_product WHERE id = ?", WALOR_ARGS(walor_i(x.id[i])),
                                &r);
            if (rc < 0)
                return rc;
            const char *nm = walor_row_next(r) == 1 ? walor_ctx_printf(c, "%s", walor_col_text(r, 0) ? walor_col_text(r, 0) : "") : "";
            walor_rows_close(r);
            walor_kb_button(kb, catalog_cut(c, walor_textf(c, "catalog.cart.btn.xsell", "name", nm, NULL), LINE_LABEL_MAX),
                            walor_ctx_printf(c, "cat:p:%lld:0", (long long)x.id[i]));
            walor_kb_row(kb);
        }
    }

    walor_kb_button(kb, walor_text(c, "catalog.cart.btn.clear"), "cart:c");
    walor_kb_row(kb);
    const walor_checkout_v1 *co = checkout_svc(c);
    walor_kb_button(kb, walor_text(c, "catalog.cart.btn.checkout"), co ? co->start_callback : "cart:o");
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "catalog.cart.btn.catalog"), "cat:c:0:0");
    walor_kb_button(kb, walor_text(c, "catalog.btn.main"), "m:core.main");
    return walor_show(c, html, kb);
}

/* ---- actions ---- */

/* answers a pressed button, or replies when there is none (a typed quantity) */
static int32_t tell(walor_ctx *c, const char *text, int alert)
{
    if (walor_in_callback(c))
        return alert ? walor_alert(c, text) : walor_answer(c, text);
    return walor_reply(c, text, NULL);
}

/* sets the line to `want` after the checks an increase needs; *done = 1
 * when stored. Runs in a transaction of its own. */
static int32_t set_line(walor_ctx *c, int64_t pid, int64_t vno, int64_t want, int from_card, catalog_cart_verdict *why,
                        int64_t *avail, int *done)
{
    int64_t uid = walor_ctx_user_id(c), cur = 0;
    *done = 0;
    *why = CATALOG_CART_OK_ADD;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = catalog_cart_qty_of(c, uid, pid, vno, &cur);
    if (rc >= 0 && from_card)
        want = cur + 1;
    if (rc >= 0 && want > cur)
        rc = catalog_cart_may_grow(c, uid, pid, vno, cur, want, why, avail);
    if (rc >= 0 && *why == CATALOG_CART_OK_ADD && want != cur) {
        rc = catalog_cart_store(c, uid, pid, vno, want);
        if (rc >= 0)
            *done = 1;
    }
    if (rc < 0 || !*done) {
        walor_tx_rollback(c);
        return rc < 0 ? rc : 0;
    }
    return walor_tx_commit(c);
}

int32_t catalog_cart_add_ex(walor_ctx *c, int64_t product_id, int64_t variant_no, int *added)
{
    catalog_cart_verdict why;
    int64_t avail;
    int done;
    *added = 0;
    int32_t rc = set_line(c, product_id, variant_no, 0, 1, &why, &avail, &done);
    if (rc < 0)
        return rc;
    if (why != CATALOG_CART_OK_ADD)
        return tell(c, catalog_cart_verdict_text(c, why, avail), 1);
    *added = 1;
    return walor_answer(c, walor_text(c, "catalog.cart.added"));
}

int32_t catalog_cart_add(walor_ctx *c, int64_t product_id, int64_t variant_no)
{
    int added;
    return catalog_cart_add_ex(c, product_id, variant_no, &added);
}

static int32_t change_qty(walor_ctx *c, int64_t pid, int64_t vno, int delta)
{
    int64_t cur = 0;
    int32_t rc = catalog_cart_qty_of(c, walor_ctx_user_id(c), pid, vno, &cur);
    if (rc < 0)
        return rc;
    if (cur == 0) { /* an old screen: the line is gone */
        walor_answer(c, walor_text(c, "catalog.cart.gone"));
        return catalog_cart_show(c);
    }
    catalog_cart_verdict why;
    int64_t avail;
    int done;
    rc = set_line(c, pid, vno, cur + delta, 0, &why, &avail, &done);
    if (rc < 0)
        return rc;
    if (why != CATALOG_CART_OK_ADD) {
        tell(c, catalog_cart_verdict_text(c, why, avail), 1);
        return why == CATALOG_CART_NO_PRODUCT ? catalog_cart_show(c) : 0;
    }
    if (cur + delta <= 0)
        walor_answer(c, walor_text(c, "catalog.cart.removed"));
    return catalog_cart_show(c);
}

static int32_t clear_user(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM catalog_cart WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    if (rc <= 0)
        return rc; /* nothing there: no event */
    return catalog_cart_emit(c, user_id);
}

static int32_t ask_clear(walor_ctx *c)
{
    catalog_cart_row *v;
    uint32_t n;
    int32_t rc = catalog_cart_lines(c, walor_ctx_user_id(c), &v, &n);
    if (rc < 0)
        return rc;
    if (n == 0)
        return show_empty(c);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "catalog.cart.btn.clear_yes"), "cart:cy");
    walor_kb_button(kb, walor_text(c, "catalog.cart.btn.clear_no"), "cart:s");
    return walor_show(c, walor_textf(c, "catalog.cart.clear_ask", "n", walor_plural(c, n, "позиция|позиции|позиций", 0), NULL),
                      kb);
}

static int32_t do_clear(walor_ctx *c)
{
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = clear_user(c, walor_ctx_user_id(c));
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    rc = walor_tx_commit(c);
    if (rc < 0)
        return rc;
    walor_answer(c, walor_text(c, "catalog.cart.cleared"));
    return show_empty(c);
}

static int32_t checkout(walor_ctx *c)
{
    if (checkout_svc(c)) { /* a screen drawn before checkout was there: draw it again with its button */
        walor_answer(c, walor_text(c, "catalog.cart.checkout_again"));
        return catalog_cart_show(c);
    }
    return walor_alert(c, walor_text(c, "catalog.cart.no_checkout"));
}

/* ---- the typed quantity (form cart_qty) ---- */

/* the cart line of product p, variant v of the data; NULL when it is gone */
static const walor_cart_line *qty_line(walor_ctx *c, json_t *d)
{
    int64_t pid = (int64_t)json_integer_value(json_object_get(d, "p"));
    int64_t vno = (int64_t)json_integer_value(json_object_get(d, "v"));
    catalog_cart_row *v;
    uint32_t n;
    if (catalog_cart_lines(c, walor_ctx_user_id(c), &v, &n) < 0)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (v[i].l.product_id == pid && v[i].l.variant_no == vno)
            return &v[i].l;
    return NULL;
}

static const char *qty_ask(walor_ctx *c, json_t *d)
{
    const walor_cart_line *l = qty_line(c, d);
    if (!l)
        return walor_text(c, "catalog.cart.gone");
    return walor_textf(c, "catalog.cart.qty_ask", "name",
                       walor_html_escape(c, catalog_cut(c, line_title(c, l), NAME_SHOWN_MAX)), "qty",
                       catalog_num(c, l->qty), NULL);
}

static int32_t qty_done(walor_ctx *c, json_t *d)
{
    int64_t pid = (int64_t)json_integer_value(json_object_get(d, "p"));
    int64_t vno = (int64_t)json_integer_value(json_object_get(d, "v"));
    int64_t want = (int64_t)json_integer_value(json_object_get(d, "n")), cur = 0;
    int32_t rc = catalog_cart_qty_of(c, walor_ctx_user_id(c), pid, vno, &cur);
    if (rc < 0)
        return rc;
    if (cur == 0) {
        walor_reply(c, walor_text(c, "catalog.cart.gone"), NULL);
        return catalog_cart_show(c);
    }
    catalog_cart_verdict why;
    int64_t avail;
    int done;
    rc = set_line(c, pid, vno, want, 0, &why, &avail, &done);
    if (rc < 0)
        return rc;
    if (why == CATALOG_CART_STOCK_LIMIT || why == CATALOG_CART_NO_STOCK || why == CATALOG_CART_QTY_LIMIT) /* a smaller number may do */
        return walor_form_retry(c, "n", catalog_cart_verdict_text(c, why, avail));
    if (why != CATALOG_CART_OK_ADD)
        walor_reply(c, catalog_cart_verdict_text(c, why, avail), NULL);
    else if (want == 0)
        walor_reply(c, walor_text(c, "catalog.cart.removed"), NULL);
    return catalog_cart_show(c);
}

static const walor_step_def QTY_STEP[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "n", .prompt = "catalog.cart.qty_ask",
     .prompt_fn = qty_ask, .error = "catalog.cart.qty_bad", .min = 0, .max = CATALOG_CART_MAX_QTY},
};

/* ---- entry points ---- */

static int parse_line(const char *s, int64_t *pid, int64_t *vno)
{
    char *e = NULL;
    if (*s < '0' || *s > '9')
        return -1;
    long long a = strtoll(s, &e, 10);
    if (*e != ':' || e[1] < '0' || e[1] > '9')
        return -1;
    long long b = strtoll(e + 1, &e, 10);
    if (*e || a <= 0 || b < 0)
        return -1;
    *pid = a;
    *vno = b;
    return 0;
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    int64_t pid = 0, vno = 0;
    if (arg[0] && arg[1] == ':' && parse_line(arg + 2, &pid, &vno) == 0) {
        switch (arg[0]) {
        case 'i': return change_qty(c, pid, vno, +1);
        case 'd': return change_qty(c, pid, vno, -1);
        case 'q': {
            json_t *d = json_pack("{s:I, s:I}", "p", (json_int_t)pid, "v", (json_int_t)vno);
            if (!d)
                return WALOR_ENOMEM;
            int32_t rc = qty_line(c, d) ? walor_conv_start(c, "cart_qty", NULL, d) : WALOR_ENOTFOUND;
            json_decref(d);
            if (rc != WALOR_ENOTFOUND)
                return rc;
            walor_alert(c, walor_text(c, "catalog.cart.gone"));
            return catalog_cart_show(c);
        }
        default: break;
        }
    }
    if (strcmp(arg, "c") == 0)
        return ask_clear(c);
    if (strcmp(arg, "cy") == 0)
        return do_clear(c);
    if (strcmp(arg, "o") == 0)
        return checkout(c);
    return catalog_cart_show(c); /* "s" and anything unknown */
}

static int32_t on_menu(walor_ctx *c) { return catalog_cart_show(c); }

static int32_t on_cmd(walor_ctx *c, const char *arg)
{
    (void)arg;
    return catalog_cart_show(c);
}

const char *catalog_cart_label(walor_ctx *c)
{
    catalog_cart_row *v;
    uint32_t n;
    if (catalog_cart_lines(c, walor_ctx_user_id(c), &v, &n) < 0 || n == 0)
        return NULL;
    return walor_textf(c, "catalog.cart.menu_n", "n", catalog_num(c, catalog_cart_units(v, n)), NULL);
}

static const char *menu_label(walor_ctx *c)
{
    const char *l = catalog_cart_label(c);
    return l ? l : walor_text(c, "catalog.cart.menu");
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM catalog_cart WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

int32_t catalog_cart_drop_product(walor_ctx *c, int64_t pid)
{
    int64_t n = 0;
    int32_t rc = walor_db_int(c, "SELECT count(DISTINCT user_id) FROM catalog_cart WHERE product_id = ?",
                              WALOR_ARGS(walor_i(pid)), &n);
    if (rc < 0 || n == 0)
        return rc < 0 ? rc : 0;
    int64_t *users = walor_ctx_alloc(c, (size_t)n * sizeof *users);
    if (!users)
        return WALOR_ENOMEM;
    uint32_t k = 0;
    rc = walor_db_ints(c, "SELECT DISTINCT user_id FROM catalog_cart WHERE product_id = ?", WALOR_ARGS(walor_i(pid)),
                       users, (uint32_t)n, &k);
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c, "DELETE FROM catalog_cart WHERE product_id = ?", WALOR_ARGS(walor_i(pid)));
    for (uint32_t i = 0; rc >= 0 && i < k; i++)
        rc = catalog_cart_emit(c, users[i]);
    return rc < 0 ? rc : 0;
}

/* ---- the cart service ---- */

static int32_t svc_lines(walor_ctx *c, int64_t user_id, walor_cart_line **out, uint32_t *n)
{
    if (!out || !n)
        return WALOR_EINVAL;
    *out = NULL;
    *n = 0;
    catalog_cart_row *v;
    uint32_t k;
    int32_t rc = catalog_cart_lines(c, user_id, &v, &k);
    if (rc < 0 || k == 0)
        return rc < 0 ? rc : 0;
    walor_cart_line *arr = walor_ctx_alloc(c, k * sizeof *arr);
    if (!arr)
        return WALOR_ENOMEM;
    for (uint32_t i = 0; i < k; i++)
        arr[i] = v[i].l;
    *out = arr;
    *n = k;
    return 0;
}

static int32_t svc_clear(walor_ctx *c, int64_t user_id)
{
    int32_t rc = clear_user(c, user_id);
    return rc < 0 ? rc : 0;
}

static const walor_cart_v1 CART_SVC = {.struct_size = sizeof(walor_cart_v1), .lines = svc_lines,
                                        .clear = svc_clear};

/* ---- registration ---- */

static const walor_text_pair TEXTS[] = {
    {"catalog.cart.menu", "🛒 Корзина"},
    {"catalog.cart.menu_n", "🛒 Корзина ({n})"},
    {"catalog.cart.title", "🛒 <b>Корзина</b>"},
    {"catalog.cart.empty", "🛒 Ваша корзина пока пуста.\nЗагляните в каталог — выберите что-нибудь приятное!"},
    {"catalog.cart.line", "{i}. <b>{name}</b>\n{price} × {qty} шт = <b>{sum}</b>"},
    {"catalog.cart.price_sale", "<s>{old}</s> {price} (−{pct}%)"},
    {"catalog.cart.total", "💰 Итого: <b>{sum}</b>"},
    {"catalog.cart.xsell", "✨ <b>Вам может понравиться:</b>"},
    {"catalog.cart.closed_note", "🏖 Магазин сейчас на каникулах: добавить товары нельзя."},
    {"catalog.cart.added", "✅ Добавлено в корзину"},
    {"catalog.cart.removed", "Товар убран из корзины."},
    {"catalog.cart.gone", "Этого товара уже нет в корзине."},
    {"catalog.cart.closed", "🏖 Магазин на каникулах: добавлять товары в корзину сейчас нельзя."},
    {"catalog.cart.no_stock", "Этой фасовки сейчас нет в наличии."},
    {"catalog.cart.stock_limit", "Больше добавить нельзя: в наличии только {n} шт."},
    {"catalog.cart.qty_limit", "Можно заказать не больше {n} шт одного товара."},
    {"catalog.cart.lines_limit", "В корзине может быть не больше {n} разных товаров."},
    {"catalog.cart.qty_ask", "✏️ Сколько штук «{name}» положить в корзину? Сейчас: {qty}.\n"
                             "Напишите число (0 — убрать из корзины)."},
    {"catalog.cart.qty_bad", "Нужно целое число, не больше {max}, например 3; 0 убирает товар из корзины."},
    {"catalog.cart.clear_ask", "🗑 Очистить корзину? Будут удалены все товары ({n})."},
    {"catalog.cart.cleared", "Корзина очищена."},
    {"catalog.cart.no_checkout", "Оформление заказа пока не подключено."},
    {"catalog.cart.checkout_again", "Оформление заказа подключено — нажмите кнопку ещё раз."},
    {"catalog.cart.btn.minus", "➖"},
    {"catalog.cart.btn.plus", "➕"},
    {"catalog.cart.btn.qty", "{qty} шт"},
    {"catalog.cart.btn.xsell", "✨ {name}"},
    {"catalog.cart.btn.clear", "🗑 Очистить"},
    {"catalog.cart.btn.clear_yes", "🗑 Да, очистить"},
    {"catalog.cart.btn.clear_no", "↩️ Нет, назад"},
    {"catalog.cart.btn.checkout", "✅ Оформить заказ"},
    {"catalog.cart.btn.catalog", "🛍 В каталог"},
};

static const char HELP[] =
    "<b>🛒 Корзина</b>\n"
    "В карточке товара нажмите кнопку с фасовкой и ценой — товар попадёт в корзину. Откройте «🛒 Корзина» в "
    "главном меню или командой /cart: ➖ и ➕ меняют количество, кнопка с количеством позволяет написать число "
    "(0 — убрать товар), название открывает карточку. «🗑 Очистить» удаляет всё (после подтверждения), "
    "«✅ Оформить заказ» — переход к оформлению.";

int32_t catalog_cart_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_CLIENT, .where = WALOR_MENU_MAIN,
                                 .order = 110, .id = "cart", .label = "🛒 Корзина", .label_fn = menu_label,
                                 .on_press = on_menu};
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "cart",
                                   .handler = on_cb};
    const walor_command_def cmd = {.struct_size = sizeof cmd, .min_role = WALOR_ROLE_CLIENT, .name = "cart",
                                   .description = "Корзина", .handler = on_cmd, .flags = WALOR_CMD_LISTED};
    const walor_form_def qty = {.struct_size = sizeof qty, .min_role = WALOR_ROLE_CLIENT, .name = "cart_qty",
                                .steps = QTY_STEP, .nsteps = 1, .timeout_s = 600, .on_done = qty_done,
                                .on_cancel = catalog_cart_show};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_command(p, &cmd);
    if (!rc) rc = walor_form(p, &qty);
    if (!rc) rc = walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]);
    if (!rc) rc = walor_service_provide(p, WALOR_CART_SERVICE, WALOR_CART_MAJOR, WALOR_CART_MINOR, &CART_SVC);
    if (!rc) rc = walor_wipe(p, wipe);
    if (!rc) rc = walor_help(p, "🛒 Корзина", HELP, WALOR_ROLE_CLIENT);
    return rc;
}
