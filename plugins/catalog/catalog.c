/* catalog: customer side of the shop's catalog (README.md): category tree
 * browsing with pagination, product cards, search, back-in-stock
 * subscriptions. Stock comes from the optional `stock` service
 * (<walor/services/stock.h>); without it everything is in stock. */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>
#include <walor/services/stock.h>

#include "catalog.h"
#include "text.h"

#define LABEL_MAX 60      /* bytes of a list button label (Telegram allows 128) */
#define NAME_MAX_SHOWN 200 /* bytes of a name in a message header */
#define MAX_DEPTH 32      /* category nesting walked when checking visibility */

/* ---- small helpers ---- */

char *catalog_fold_ctx(walor_ctx *c, const char *s)
{
    if (!s)
        s = "";
    char *o = walor_ctx_alloc(c, strlen(s) + 1);
    if (o)
        catalog_fold(s, o);
    return o;
}

char *catalog_cut(walor_ctx *c, const char *s, size_t max)
{
    char *o = walor_ctx_alloc(c, max + 1);
    if (o)
        catalog_trunc(s ? s : "", max, o);
    return o;
}

char *catalog_num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }

int64_t catalog_discounted(int64_t price, int64_t pct)
{
    if (pct <= 0 || pct >= 100)
        return price;
    return (price * (100 - pct) + 50) / 100; /* half-up to a kopeck */
}

static int parse_i64(const char *s, int64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *e = NULL;
    long long v = strtoll(s, &e, 10);
    if (v < 0 || (*e && *e != ':'))
        return -1;
    *out = v;
    return (int)(e - s);
}

/* "12:3" → a=12, b=3 (b optional, default 0) */
static int parse_pair(const char *s, int64_t *a, int64_t *b)
{
    int n = parse_i64(s, a);
    if (n < 0)
        return -1;
    *b = 0;
    if (s[n] == ':' && parse_i64(s + n + 1, b) < 0)
        return -1;
    return 0;
}

/* 1 visible, 0 hidden or missing, < 0 error. Category 0 is the root. */
int32_t catalog_category_visible(walor_ctx *c, int64_t id)
{
    for (int depth = 0; id != 0; depth++) {
        if (depth >= MAX_DEPTH)
            return 0;
        int64_t hidden;
        int32_t rc = walor_db_row(c, "SELECT parent_id, hidden FROM catalog_category WHERE id = ?",
                                  WALOR_ARGS(walor_i(id)), "ii", &id, &hidden);
        if (rc < 0)
            return walor_found(rc);
        if (hidden)
            return 0;
    }
    return 1;
}

static int32_t product_visible(walor_ctx *c, int64_t pid, int64_t *cat)
{
    int64_t cid, hidden;
    int32_t rc = walor_db_row(c, "SELECT category_id, hidden FROM catalog_product WHERE id = ?",
                              WALOR_ARGS(walor_i(pid)), "ii", &cid, &hidden);
    if (rc < 0)
        return walor_found(rc);
    if (hidden)
        return 0;
    if (cat)
        *cat = cid;
    return catalog_category_visible(c, cid);
}

const walor_stock_v1 *catalog_stock_svc(walor_ctx *c)
{
    const walor_stock_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, NULL);
    return WALOR_STOCK_HAS(s, available) ? s : NULL;
}

/* available quantity, WALOR_STOCK_UNTRACKED without a warehouse or on error */
int64_t catalog_stock_of(walor_ctx *c, const walor_stock_v1 *s, int64_t pid, int64_t vno)
{
    int64_t q = WALOR_STOCK_UNTRACKED;
    if (!s)
        return q;
    int32_t rc = s->available(c, pid, vno, &q);
    if (rc < 0) {
        walor_log(c, WALOR_LOG_WARN, "catalog: stock of %lld.%lld: %s", (long long)pid, (long long)vno,
                  walor_last_error(c));
        return WALOR_STOCK_UNTRACKED;
    }
    return q < 0 ? 0 : q;
}

void catalog_nav_tail(walor_ctx *c, walor_kb *kb)
{
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "catalog.btn.main"), "m:core.main");
}

/* ---- browsing ---- */

/* forward: not_found() goes back to the root */


static int32_t not_found(walor_ctx *c, const char *key)
{
    if (walor_in_callback(c)) {
        walor_alert(c, walor_text(c, key));
        return catalog_show_category(c, 0, NULL);
    }
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "catalog.btn.root"), "cat:c:0:0");
    catalog_nav_tail(c, kb);
    return walor_reply(c, walor_text(c, key), kb);
}

/* what a row of a category's list needs to know */
typedef struct list_view {
    int64_t page_size;
} list_view;

static const char *category_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    const list_view *v = ud;
    int64_t kind = walor_col_int(r, 0), id = walor_col_int(r, 1), disc = walor_col_int(r, 3);
    const char *nm = walor_col_text(r, 2);
    const char *label, *data;
    if (kind == 0) {
        label = walor_textf(c, "catalog.btn.folder", "name", nm ? nm : "", NULL);
        data = walor_ctx_printf(c, "cat:c:%lld:0", (long long)id);
    } else { /* the card's "⬅️ К списку" comes back to this page */
        label = walor_textf(c, disc > 0 ? "catalog.btn.product_sale" : "catalog.btn.product", "name", nm ? nm : "",
                            "pct", catalog_num(c, disc), NULL);
        data = walor_ctx_printf(c, "cat:p:%lld:%lld", (long long)id, (long long)(index / v->page_size));
    }
    walor_kb_button(kb, catalog_cut(c, label, LABEL_MAX), data);
    return NULL;
}

/* page: the digits after "cat:c:<id>:", NULL for the first */
int32_t catalog_show_category(walor_ctx *c, int64_t cat_id, const char *page)
{
    int32_t rc;
    int64_t parent = 0;
    const char *name = NULL;
    if (cat_id != 0) {
        rc = catalog_category_visible(c, cat_id);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return not_found(c, "catalog.cat_not_found");
        walor_rows *r = NULL;
        rc = walor_db_query(c, "SELECT parent_id, name FROM catalog_category WHERE id = ?",
                            WALOR_ARGS(walor_i(cat_id)), &r);
        if (rc < 0)
            return rc;
        if (walor_row_next(r) == 1) {
            parent = walor_col_int(r, 0);
            name = catalog_cut(c, walor_col_text(r, 1), NAME_MAX_SHOWN);
        }
        walor_rows_close(r);
    }
    list_view v = {.page_size = 8};
    v.page_size = walor_setting_min(c, "catalog.page_size", 1, 8);
    walor_kb *kb = walor_kb_new(c);
    if (cat_id != 0) {
        walor_kb_button(kb, walor_text(c, "catalog.btn.up"), walor_ctx_printf(c, "cat:c:%lld:0", (long long)parent));
        if (parent != 0)
            walor_kb_button(kb, walor_text(c, "catalog.btn.root"), "cat:c:0:0");
    } else {
        walor_kb_button(kb, walor_text(c, "catalog.btn.search"), "cat:s");
    }
    catalog_nav_tail(c, kb);
    const char *head = cat_id == 0 ? walor_text(c, "catalog.root")
                                   : walor_textf(c, "catalog.category", "name", walor_html_escape(c, name), NULL);
    walor_val args[] = {walor_i(cat_id), walor_i(cat_id)};
    walor_list_def l = {.struct_size = sizeof l, .page_size = (uint32_t)v.page_size, .row = category_row, .ud = &v,
                        .sql = "SELECT 0 AS kind, id, name, 0 AS disc, sort FROM catalog_category "
                               "WHERE parent_id = ? AND hidden = 0 "
                               "UNION ALL SELECT 1, id, name, discount_pct, sort FROM catalog_product "
                               "WHERE category_id = ? AND hidden = 0 ORDER BY 1, 5, 2",
                        .args = args, .nargs = 2, .page_data = walor_ctx_printf(c, "cat:c:%lld:", (long long)cat_id),
                        .header = head,
                        .empty = walor_ctx_printf(c, "%s\n\n%s", head, walor_text(c, "catalog.empty")),
                        .buttons = kb, .prev_label = "catalog.btn.prev", .next_label = "catalog.btn.next"};
    return walor_list_show(c, &l, page);
}

/* ---- the product card ---- */

typedef struct variant {
    int64_t no, price, weight, stock;
    const char *label;
} variant;

/* again: the card is drawn anew over itself after "В корзину" (its photo
 * stays: the host edits the caption) */
static int32_t show_card_ex(walor_ctx *c, int64_t pid, int64_t back_page, int details, int again)
{
    int64_t cat = 0;
    int32_t rc = product_visible(c, pid, &cat);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return not_found(c, "catalog.not_found");

    const char *name, *desc, *det, *photo, *url;
    int64_t pct, low, base;
    rc = walor_db_row(c,
                      "SELECT name, description, details, photo_file_id, image_url, discount_pct, low_stock, price "
                      "FROM catalog_product WHERE id = ?",
                      WALOR_ARGS(walor_i(pid)), "szzssiii", &name, &desc, &det, &photo, &url, &pct, &low, &base);
    if (rc == WALOR_ENOTFOUND)
        return not_found(c, "catalog.not_found");
    if (rc < 0)
        return rc;
    name = catalog_cut(c, name, NAME_MAX_SHOWN);
    if (photo && !*photo)
        photo = NULL;
    if (url && strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        url = NULL;

    variant *v = NULL;
    uint32_t nv = 0, cap = 0;
    walor_rows *r = NULL;
    rc = walor_db_query(c, "SELECT no, label, price, weight_g FROM catalog_variant WHERE product_id = ? "
                           "ORDER BY sort, no",
                        WALOR_ARGS(walor_i(pid)), &r);
    if (rc < 0)
        return rc;
    while ((rc = walor_row_next(r)) == 1) {
        if (!(v = walor_grow(c, v, nv, &cap, sizeof *v))) {
            walor_rows_close(r);
            return WALOR_ENOMEM;
        }
        variant *x = &v[nv++];
        if ((rc = walor_row_read(c, r, "izii", &x->no, &x->label, &x->price, &x->weight)) < 0)
            break;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    variant single = {0, base, 0, 0, ""};
    if (nv == 0) {
        v = &single;
        nv = 1;
    }
    const walor_stock_v1 *s = catalog_stock_svc(c);
    int all_out = 1, tracked_all = 1;
    int64_t left = 0;
    for (uint32_t i = 0; i < nv; i++) {
        v[i].stock = catalog_stock_of(c, s, pid, v[i].no);
        if (v[i].stock == WALOR_STOCK_UNTRACKED) {
            tracked_all = 0;
            all_out = 0;
        } else {
            left += v[i].stock;
            if (v[i].stock > 0)
                all_out = 0;
        }
    }

    walor_kb *kb = walor_kb_new(c);
    for (uint32_t i = 0; i < nv && !all_out; i++) {
        const char *price = walor_money(c, catalog_discounted(v[i].price, pct));
        const char *label;
        if (v[i].stock == 0)
            label = walor_textf(c, "catalog.btn.variant_out", "label", v[i].label, NULL);
        else if (v[i].no == 0)
            label = walor_textf(c, "catalog.btn.buy", "price", price, NULL);
        else
            label = walor_textf(c, "catalog.btn.variant", "label", v[i].label, "price", price, NULL);
        walor_kb_button(kb, catalog_cut(c, label, LABEL_MAX),
                        walor_ctx_printf(c, "cat:v:%lld:%lld:%lld", (long long)pid, (long long)v[i].no,
                                         (long long)back_page));
        walor_kb_row(kb);
    }
    if (*det) {
        if (!details)
            walor_kb_button(kb, walor_text(c, "catalog.btn.details"),
                            walor_ctx_printf(c, "cat:d:%lld:%lld", (long long)pid, (long long)back_page));
        else
            walor_kb_button(kb, walor_text(c, "catalog.btn.collapse"),
                            walor_ctx_printf(c, "cat:p:%lld:%lld", (long long)pid, (long long)back_page));
        walor_kb_row(kb);
    }
    if (all_out) {
        walor_kb_button(kb, walor_text(c, "catalog.btn.notify"), walor_ctx_printf(c, "cat:n:%lld", (long long)pid));
        walor_kb_row(kb);
    }
    const char *cart = catalog_cart_label(c);
    if (cart) { /* the way to what was just put in the cart */
        walor_kb_button(kb, cart, "cart:s");
        walor_kb_row(kb);
    }
    walor_kb_button(kb, walor_text(c, "catalog.btn.back"),
                    walor_ctx_printf(c, "cat:c:%lld:%lld", (long long)cat, (long long)back_page));
    if (cat != 0)
        walor_kb_button(kb, walor_text(c, "catalog.btn.root"), "cat:c:0:0");
    catalog_nav_tail(c, kb);

    /* the text around the description */
    const char *head = walor_textf(c, "catalog.card.title", "name", walor_html_escape(c, name), NULL);
    if (pct > 0)
        head = walor_ctx_printf(c, "%s\n%s", head, walor_textf(c, "catalog.card.discount", "pct", catalog_num(c, pct), NULL));
    const char *foot = "";
    if (all_out) {
        foot = walor_text(c, "catalog.card.out");
    } else if (low > 0 && nv == 1) { /* one variant: its name adds nothing */
        if (tracked_all && left > 0 && left <= low)
            foot = walor_textf(c, "catalog.card.left", "n", catalog_num(c, left), NULL);
    } else if (low > 0) {
        /* each variant is its own stock: "50 мл" may be running out while
         * "100 мл" is plentiful */
        for (uint32_t i = 0; i < nv; i++)
            if (v[i].stock != WALOR_STOCK_UNTRACKED && v[i].stock > 0 && v[i].stock <= low)
                foot = walor_ctx_printf(c, "%s%s%s", foot, *foot ? "\n" : "",
                                        walor_textf(c, "catalog.card.left_variant", "label",
                                                    walor_html_escape(c, v[i].label), "n",
                                                    catalog_num(c, v[i].stock), NULL));
    }
    if (!details && nv > 1 && pct > 0)
        foot = walor_ctx_printf(c, "%s%s%s", foot, *foot ? "\n" : "",
                                walor_textf(c, "catalog.card.sale_note", "pct", catalog_num(c, pct), NULL));
    const char *body_src = details ? det : desc;
    const char *prefix = url ? walor_ctx_printf(c, "<a href=\"%s\">\xE2\x80\x8B</a>", walor_html_escape(c, url)) : "";

    int in_cb = walor_in_callback(c);
    int32_t last = 0;
    /* 0: sanitised HTML, 1: plain text, 2: no description: a bad
     * description never costs the customer the card */
    for (int attempt = 0; attempt < 3; attempt++) {
        const char *body = "";
        if (attempt < 2 && *body_src) {
            char *m = catalog_html_sanitize(body_src, attempt == 0);
            if (!m)
                return WALOR_ENOMEM;
            body = walor_ctx_printf(c, "%s", m);
            free(m);
        }
        const char *html = walor_ctx_printf(c, "%s%s%s%s%s%s", prefix, head, *body ? "\n\n" : "", body,
                                            *foot ? "\n\n" : "", foot);
        if (url) {
            if (in_cb && walor_ctx_message_id(c))
                last = WALOR_API(c)->edit(c, walor_ctx_chat_id(c), walor_ctx_message_id(c), html, kb,
                                          WALOR_SEND_LARGE_PREVIEW_ABOVE);
            else
                last = walor_send(c, walor_ctx_chat_id(c), html, kb, WALOR_SEND_LARGE_PREVIEW_ABOVE, NULL);
        } else if (photo && again && in_cb && walor_ctx_message_id(c)) {
            last = walor_show(c, html, kb);
        } else if (photo) {
            int64_t mid = 0;
            last = walor_send_photo(c, walor_ctx_chat_id(c), photo, html, kb, 0, &mid);
            if (last == WALOR_ETG) { /* a file_id Telegram no longer knows: the card as text */
                walor_log(c, WALOR_LOG_WARN, "catalog: photo of product %lld refused: %s", (long long)pid,
                          walor_last_error(c));
                photo = NULL;
                last = walor_reply(c, html, kb);
            }
        } else {
            last = walor_show(c, html, kb);
        }
        if (last != WALOR_EINVAL && last != WALOR_ELIMIT)
            break;
        walor_log(c, WALOR_LOG_WARN, "catalog: card of product %lld, attempt %d refused: %s", (long long)pid,
                  attempt, walor_last_error(c));
    }
    return last;
}

static int32_t show_card(walor_ctx *c, int64_t pid, int64_t back_page, int details)
{
    return show_card_ex(c, pid, back_page, details, 0);
}

/* ---- cart seam, subscriptions ---- */

int32_t catalog_add_to_cart(walor_ctx *c, int64_t product_id, int64_t variant_no)
{
    return catalog_cart_add(c, product_id, variant_no);
}

/* "В корзину" on a card: added, then the card again with «🛒 Корзина (N)» */
static int32_t add_from_card(walor_ctx *c, const char *arg)
{
    int64_t pid = 0, vno = 0, page = 0;
    if (parse_pair(arg, &pid, &vno) != 0)
        return catalog_show_category(c, 0, NULL);
    const char *third = strchr(arg, ':') ? strchr(strchr(arg, ':') + 1, ':') : NULL;
    if (third && parse_i64(third + 1, &page) < 0)
        page = 0;
    int added = 0;
    int32_t rc = catalog_cart_add_ex(c, pid, vno, &added);
    if (rc < 0 || !added)
        return rc;
    return show_card_ex(c, pid, page, 0, 1);
}

static int32_t subscribe(walor_ctx *c, int64_t pid)
{
    int32_t rc = product_visible(c, pid, NULL);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return not_found(c, "catalog.not_found");
    rc = walor_db_exec(c,
                       "INSERT INTO catalog_subscription(user_id, product_id, created_at) VALUES (?, ?, ?) "
                       "ON CONFLICT(user_id, product_id) DO NOTHING",
                       WALOR_ARGS(walor_i(walor_ctx_user_id(c)), walor_i(pid), walor_i(walor_now(c))));
    if (rc < 0)
        return rc;
    return walor_alert(c, walor_text(c, rc > 0 ? "catalog.subscribed" : "catalog.already_subscribed"));
}

static int32_t on_stock_changed(walor_ctx *c, const char *event, json_t *pl)
{
    (void)event;
    if (json_integer_value(json_object_get(pl, "v")) != 1)
        return 0;
    int64_t pid = (int64_t)json_integer_value(json_object_get(pl, "product_id"));
    int64_t before = (int64_t)json_integer_value(json_object_get(pl, "before"));
    int64_t after = (int64_t)json_integer_value(json_object_get(pl, "after"));
    if (pid <= 0 || before > 0 || after <= 0)
        return 0;
    int32_t rc = product_visible(c, pid, NULL);
    if (rc <= 0)
        return rc; /* hidden: keep the subscriptions for when it is shown */
    const char *name = NULL;
    rc = walor_db_row(c, "SELECT name FROM catalog_product WHERE id = ?", WALOR_ARGS(walor_i(pid)), "s", &name);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (rc == 0)
        name = catalog_cut(c, name, NAME_MAX_SHOWN);

    int64_t n = 0;
    rc = walor_db_int(c, "SELECT count(*) FROM catalog_subscription WHERE product_id = ?", WALOR_ARGS(walor_i(pid)),
                      &n);
    if (rc < 0 || n == 0)
        return rc < 0 ? rc : 0;
    int64_t *users = walor_ctx_alloc(c, (size_t)n * sizeof *users);
    if (!users)
        return WALOR_ENOMEM;
    uint32_t k = 0;
    rc = walor_db_ints(c, "SELECT user_id FROM catalog_subscription WHERE product_id = ? ORDER BY created_at",
                       WALOR_ARGS(walor_i(pid)), users, (uint32_t)n, &k);
    if (rc < 0)
        return rc;
    /* forget first (same transaction as the delivery record), then push:
     * a crash between the two loses the pushes rather than repeating them */
    rc = walor_db_exec(c, "DELETE FROM catalog_subscription WHERE product_id = ?", WALOR_ARGS(walor_i(pid)));
    if (rc < 0)
        return rc;
    const char *html = walor_textf(c, "catalog.back_in_stock", "name", walor_html_escape(c, name), NULL);
    for (uint32_t i = 0; i < k; i++) {
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, walor_text(c, "catalog.btn.open"), walor_ctx_printf(c, "cat:p:%lld:0", (long long)pid));
        rc = walor_send(c, users[i], html, kb, WALOR_SEND_BULK, NULL);
        if (rc < 0 && rc != WALOR_EBLOCKED)
            walor_log(c, WALOR_LOG_WARN, "catalog: back-in-stock push to %lld: %s", (long long)users[i],
                      walor_last_error(c));
    }
    walor_log(c, WALOR_LOG_INFO, "catalog: product %lld back in stock, %lld subscriber(s) notified", (long long)pid,
              (long long)k);
    return 0;
}

/* ---- entry points ---- */

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    catalog_demo_ensure(c);
    int64_t a = 0, b = 0;
    if (arg[0] == 'c' && arg[1] == ':' && parse_i64(arg + 2, &a) >= 0) { /* c:<category>:<page> */
        const char *page = strchr(arg + 2, ':');
        return catalog_show_category(c, a, page ? page + 1 : NULL);
    }
    if (arg[0] && arg[1] == ':' && parse_pair(arg + 2, &a, &b) == 0) {
        switch (arg[0]) {
        case 'p': return show_card(c, a, b, 0);
        case 'd': return show_card(c, a, b, 1);
        case 'v': return add_from_card(c, arg + 2);
        case 'n': return subscribe(c, a);
        default: break;
        }
    }
    if (strcmp(arg, "s") == 0)
        return walor_conv_start(c, "search", NULL, NULL);
    return catalog_show_category(c, 0, NULL);
}

static int32_t on_menu(walor_ctx *c)
{
    catalog_demo_ensure(c);
    return catalog_show_category(c, 0, NULL);
}

static int32_t on_deeplink(walor_ctx *c, const char *arg)
{
    catalog_demo_ensure(c);
    int64_t id = 0;
    if (parse_i64(arg, &id) < 0 || arg[strspn(arg, "0123456789")] != 0)
        return not_found(c, "catalog.not_found");
    return show_card(c, id, 0, 0);
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM catalog_subscription WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

/* ---- registration ---- */

static const walor_text_pair TEXTS[] = {
    {"catalog.root", "🛍 <b>Каталог</b>\nВыберите раздел или товар:"},
    {"catalog.category", "📁 <b>{name}</b>"},
    {"catalog.empty", "Здесь пока ничего нет."},
    {"catalog.cat_not_found", "Этот раздел недоступен."},
    {"catalog.not_found", "Товар не найден или недоступен."},
    {"catalog.btn.folder", "📁 {name}"},
    {"catalog.btn.product", "{name}"},
    {"catalog.btn.product_sale", "🔥 {name} (−{pct}%)"},
    {"catalog.btn.prev", "◀️ Назад"},
    {"catalog.btn.next", "Вперёд ▶️"},
    {"catalog.btn.up", "⬆️ Наверх"},
    {"catalog.btn.root", "🗂 В начало каталога"},
    {"catalog.btn.back", "⬅️ К списку"},
    {"catalog.btn.main", "🏠 Главное меню"},
    {"catalog.btn.search", "🔎 Поиск"},
    {"catalog.btn.search_again", "🔎 Искать ещё"},
    {"catalog.btn.details", "📖 Подробнее"},
    {"catalog.btn.collapse", "⬅️ Свернуть"},
    {"catalog.btn.variant", "{label} — {price}"},
    {"catalog.btn.variant_out", "{label} — нет в наличии"},
    {"catalog.btn.buy", "🛒 Купить — {price}"},
    {"catalog.btn.notify", "🔔 Сообщить о поступлении"},
    {"catalog.btn.open", "🛍 Открыть товар"},
    {"catalog.card.title", "<b>{name}</b>"},
    {"catalog.card.discount", "🔥 Скидка {pct}%"},
    {"catalog.card.sale_note", "Цены указаны со скидкой {pct}%."},
    {"catalog.card.left", "⚠️ Осталось: {n} шт"},
    {"catalog.card.left_variant", "⚠️ {label} — осталось: {n} шт"},
    {"catalog.card.out", "❌ Нет в наличии"},
    {"catalog.out_alert", "Этой фасовки сейчас нет в наличии."},
    {"catalog.cart_soon", "Корзина появится в следующей версии."},
    {"catalog.subscribed", "🔔 Готово! Мы напишем, когда товар снова появится."},
    {"catalog.already_subscribed", "Вы уже подписаны: мы напишем, когда товар появится."},
    {"catalog.back_in_stock", "🔔 Снова в наличии: <b>{name}</b>"},
    {"catalog.search.ask", "🔎 Напишите название товара или его часть:"},
    {"catalog.search.found", "🔎 По запросу «{q}» найдено: {n}"},
    {"catalog.search.none", "🔎 По запросу «{q}» ничего не нашлось. Попробуйте часть слова."},
    {"catalog.search.more", "Показаны первые {n}: уточните запрос."},
};

static const char MIGRATION_1[] =
    "CREATE TABLE catalog_category ("
    " id INTEGER PRIMARY KEY,"
    " parent_id INTEGER NOT NULL DEFAULT 0," /* 0 = root */
    " name TEXT NOT NULL,"
    " name_lc TEXT NOT NULL," /* catalog_fold(name): SQLite's lower() is ASCII-only */
    " hidden INTEGER NOT NULL DEFAULT 0,"
    " sort INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX catalog_category_parent ON catalog_category(parent_id, sort, id);"
    "CREATE TABLE catalog_product ("
    " id INTEGER PRIMARY KEY,"
    " category_id INTEGER NOT NULL DEFAULT 0," /* 0 = root */
    " name TEXT NOT NULL,"
    " name_lc TEXT NOT NULL,"
    " description TEXT NOT NULL DEFAULT '',"   /* merchant HTML */
    " details TEXT NOT NULL DEFAULT '',"       /* \"Подробнее\", merchant HTML */
    " unit TEXT NOT NULL DEFAULT '',"
    " price INTEGER NOT NULL DEFAULT 0,"       /* kopecks, when there are no variants */
    " photo_file_id TEXT,"
    " image_url TEXT,"
    " hidden INTEGER NOT NULL DEFAULT 0,"
    " discount_pct INTEGER NOT NULL DEFAULT 0 CHECK (discount_pct >= 0 AND discount_pct <= 99),"
    " low_stock INTEGER NOT NULL DEFAULT 0,"
    " crosssell_text TEXT NOT NULL DEFAULT '',"
    " crosssell_ids TEXT NOT NULL DEFAULT '',"
    " sort INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL DEFAULT 0,"
    " updated_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX catalog_product_cat ON catalog_product(category_id, sort, id);"
    "CREATE INDEX catalog_product_name ON catalog_product(name_lc);"
    "CREATE TABLE catalog_variant ("
    " product_id INTEGER NOT NULL REFERENCES catalog_product(id) ON DELETE CASCADE,"
    " no INTEGER NOT NULL CHECK (no > 0),"
    " label TEXT NOT NULL,"
    " price INTEGER NOT NULL CHECK (price >= 0),"
    " weight_g INTEGER NOT NULL DEFAULT 0,"
    " sort INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (product_id, no));"
    "CREATE TABLE catalog_subscription ("
    " user_id INTEGER NOT NULL,"
    " product_id INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, product_id));"
    "CREATE INDEX catalog_subscription_product ON catalog_subscription(product_id);";

static const char HELP[] =
    "<b>🛍 Каталог</b>\n"
    "Откройте «🛍 Каталог» в главном меню: разделы показаны папками 📁, товары со скидкой — значком 🔥. "
    "В карточке товара выберите фасовку. Если товара нет, нажмите «🔔 Сообщить о поступлении» — мы напишем, "
    "когда он появится.\n"
    "Поиск: кнопка «🔎 Поиск» или команда /search и часть названия.";

static int32_t load(walor_plugin *p)
{
    int32_t rc = walor_migration(p, 1, MIGRATION_1);
    if (!rc) rc = walor_migration(p, 2, catalog_cart_migration); /* cart.c */
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_CLIENT, .where = WALOR_MENU_MAIN,
                                 .order = 100, .id = "catalog", .label = "🛍 Каталог", .on_press = on_menu};
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "cat",
                                   .handler = on_cb};
    const walor_deeplink_def dl = {.struct_size = sizeof dl, .min_role = WALOR_ROLE_CLIENT, .prefix = "p",
                                   .handler = on_deeplink};
    const walor_setting_def ps = {.struct_size = sizeof ps, .type = WALOR_SET_INT, .key = "page_size",
                                  .label = "Каталог: строк на странице", .default_value = "8", .min = 1, .max = 20,
                                  .flags = WALOR_SET_OWNER_EDITABLE};
    if (!rc) rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_deeplink(p, &dl);
    if (!rc) rc = catalog_search_register(p);
    if (!rc) rc = walor_setting(p, &ps);
    if (!rc) rc = walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]);
    if (!rc) rc = walor_subscribe(p, "stock.changed", on_stock_changed);
    if (!rc) rc = walor_wipe(p, wipe);
    if (!rc) rc = walor_help(p, "🛍 Каталог", HELP, WALOR_ROLE_CLIENT);
    if (!rc) rc = catalog_admin_register(p);
    if (!rc) rc = catalog_import_register(p);
    if (!rc) rc = catalog_cart_register(p);
    if (!rc) rc = catalog_service_register(p);
    if (!rc) rc = catalog_imghost_register(p);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "catalog", .version = "0.1.0",
                    .description = "Каталог: разделы, карточки товаров, поиск, уведомления о поступлении",
                    .min_host_minor = 3, /* forms and paged lists (SDK 1.3) */
                    .load = load)
