/* warehouse: the staff section "🏬 Склад" (README.md): the section screen,
 * the stock overview with its 🟢🟡🔴 marks (F-WH-01), the card of one item
 * with its latest ledger rows (F-WH-09), editing one level (F-WH-02) and
 * search by part of the name. Names, variants and thresholds come from the
 * catalog service; levels and costs from the ledger. The host enforces the
 * MANAGER role of prefix "wrh" and of the conversations; handlers still
 * check that the item exists, since callback data can be stale or forged. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger.h"
#include "wac.h"
#include "warehouse.h"

#define CARD_LEDGER_ROWS 8
#define SEARCH_MAX 30
#define QUERY_MAX 100
#define LIST_BYTES 3200 /* of a list in one message: Telegram takes 4096 characters */

static char *num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }

/* 0 enough, 1 at or below the product's threshold, 2 nothing available */
static int state_of(const walor_catalog_item *it, const wr_level *lv)
{
    int64_t avail = lv->on_hand - lv->reserved;
    if (avail <= 0)
        return 2;
    return it->low_stock > 0 && avail <= it->low_stock ? 1 : 0;
}

static const char *mark(const walor_catalog_item *it, const wr_level *lv)
{
    static const char *const MARKS[] = {"🟢", "🟡", "🔴"};
    return MARKS[state_of(it, lv)];
}

static int32_t no_catalog(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.admin"), "m:core.admin");
    return wr_show(c, walor_text(c, "warehouse.no_catalog"), kb);
}

/* an unknown or deleted item from a button or a form */
static int32_t item_gone(walor_ctx *c)
{
    if (wr_in_callback(c))
        walor_alert(c, walor_text(c, "warehouse.item_gone"));
    else
        walor_reply(c, walor_text(c, "warehouse.item_gone"), NULL);
    return wr_section(c);
}

/* ---- section ---- */

int32_t wr_section(walor_ctx *c)
{
    wr_demo_maybe(c);
    int64_t items = 0, units = 0, value = 0;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT count(*), coalesce(sum(on_hand), 0), coalesce(sum(on_hand * unit_cost), 0) "
                                "FROM warehouse_item WHERE deleted = 0 AND on_hand > 0",
                                NULL, 0, &r);
    if (rc < 0)
        return rc;
    if (walor_row_next(r) == 1) {
        items = walor_col_int(r, 0);
        units = walor_col_int(r, 1);
        value = walor_col_int(r, 2);
    }
    walor_rows_close(r);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.overview"), "wrh:o:0");
    walor_kb_button(kb, walor_text(c, "warehouse.btn.search"), "wrh:f");
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.supply"), "wrh:u");
    walor_kb_button(kb, walor_text(c, "warehouse.btn.suppliers"), "wrh:p");
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.writeoff"), "wrh:w");
    walor_kb_button(kb, walor_text(c, "warehouse.btn.stocktake"), "wrh:t");
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.qr"), "wrh:q");
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.admin"), "m:core.admin");
    return wr_show(c, walor_textf(c, "warehouse.section", "items", num(c, items), "units", num(c, units), "value",
                                  walor_money(c, value), NULL),
                   kb);
}

/* ---- overview (F-WH-01) ---- */

int32_t wr_overview(walor_ctx *c, int64_t page)
{
    const walor_catalog_v1 *cat = wr_catalog(c);
    if (!cat)
        return no_catalog(c);
    walor_catalog_item *all = NULL;
    uint32_t n = 0, total = 0;
    int32_t rc = cat->items(c, NULL, WALOR_CATALOG_WITH_HIDDEN, 0, 0, &all, &n, &total);
    if (rc < 0)
        return rc;
    int64_t ps = 15;
    if (walor_setting_int(c, "warehouse.page_size", &ps) != 0 || ps < 1)
        ps = 15;
    int64_t pages = n ? (n + ps - 1) / ps : 1;
    if (page < 0)
        page = 0;
    if (page >= pages)
        page = pages - 1;

    int64_t counts[3] = {0}, units = 0, value = 0;
    wr_buf list = {0};
    wr_buf_add(c, &list, "");
    walor_kb *kb = walor_kb_new(c);
    for (uint32_t i = 0; i < n; i++) {
        const walor_catalog_item *it = walor_catalog_item_at(all, i);
        wr_level lv;
        if ((rc = wr_level_get(c, it->product_id, it->variant_no, &lv)) < 0)
            return rc;
        const char *m = mark(it, &lv);
        counts[state_of(it, &lv)]++;
        units += lv.on_hand;
        value += lv.on_hand * lv.unit_cost;
        if (i < page * ps || i >= (page + 1) * ps)
            continue;
        const char *ref = wr_ref(c, it->product_id, it->variant_no);
        const char *line = walor_textf(
            c, lv.reserved ? "warehouse.ov.line_reserved" : "warehouse.ov.line", "mark", m, "id", ref, "title",
            wr_title(c, it), "qty", num(c, lv.on_hand), "reserved", num(c, lv.reserved), "cost",
            walor_money(c, lv.unit_cost), "value", walor_money(c, lv.on_hand * lv.unit_cost), NULL);
        wr_buf_add(c, &list, line);
        wr_buf_add(c, &list, "\n");
        walor_kb_row(kb);
        walor_kb_button(kb, walor_ctx_printf(c, "%s %s", m, ref),
                        walor_ctx_printf(c, "wrh:i:%lld:%lld", (long long)it->product_id, (long long)it->variant_no));
    }
    walor_kb_row(kb);
    if (page > 0)
        walor_kb_button(kb, walor_text(c, "warehouse.btn.prev"),
                        walor_ctx_printf(c, "wrh:o:%lld", (long long)page - 1));
    if (page + 1 < pages)
        walor_kb_button(kb, walor_text(c, "warehouse.btn.next"),
                        walor_ctx_printf(c, "wrh:o:%lld", (long long)page + 1));
    wr_kb_back(c, kb);
    const char *shown = n ? wr_cut_lines(c, list.s, LIST_BYTES) : walor_text(c, "warehouse.ov.empty");
    const char *html = walor_textf(c, "warehouse.ov", "list", shown, "page", num(c, page + 1), "pages", num(c, pages),
                                   "items", num(c, n), "green", num(c, counts[0]), "yellow", num(c, counts[1]), "red",
                                   num(c, counts[2]), "units", num(c, units), "value", walor_money(c, value), NULL);
    return wr_show(c, html, kb);
}

/* ---- one item ---- */

static const char *kind_name(walor_ctx *c, const char *kind)
{
    return walor_text(c, walor_ctx_printf(c, "warehouse.kind.%s", kind ? kind : "edit"));
}

static char *when(walor_ctx *c, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    localtime_r(&tt, &tm); /* walord set TZ to the shop's zone */
    strftime(buf, sizeof buf, "%d.%m %H:%M", &tm);
    return walor_ctx_printf(c, "%s", buf);
}

/* who made a movement: the staff member's first name, "бот" for services and jobs */
static const char *who(walor_ctx *c, int64_t uid)
{
    if (uid == 0)
        return walor_text(c, "warehouse.card.by_bot");
    json_t *u = walor_user_get(c, uid);
    const char *name = u ? json_string_value(json_object_get(u, "first_name")) : NULL;
    return name && *name ? walor_html_escape(c, name) : num(c, uid);
}

int32_t wr_item_card(walor_ctx *c, int64_t pid, int64_t vno)
{
    const walor_catalog_v1 *cat = wr_catalog(c);
    if (!cat)
        return no_catalog(c);
    walor_catalog_item it;
    int32_t rc = cat->item(c, pid, vno, &it);
    if (rc == WALOR_ENOTFOUND)
        return item_gone(c);
    if (rc < 0)
        return rc;
    wr_level lv;
    if ((rc = wr_level_get(c, pid, vno, &lv)) < 0)
        return rc;
    char *hist = walor_ctx_printf(c, "%s", "");
    walor_rows *r = NULL;
    rc = walor_db_query(c,
                        "SELECT at, kind, qty, reserved, stock_after, unit_cost, staff_id, comment FROM "
                        "warehouse_ledger WHERE product_id = ? AND variant_no = ? ORDER BY id DESC LIMIT ?",
                        WALOR_ARGS(walor_i(pid), walor_i(vno), walor_i(CARD_LEDGER_ROWS)), &r);
    if (rc < 0)
        return rc;
    while (walor_row_next(r) == 1) {
        int64_t dq = walor_col_int(r, 2), dr = walor_col_int(r, 3);
        const char *comment = walor_col_text(r, 7);
        hist = walor_ctx_printf(
            c, "%s%s\n", hist,
            walor_textf(c, "warehouse.card.move", "when", when(c, walor_col_int(r, 0)), "kind",
                        kind_name(c, walor_col_text(r, 1)), "qty", wr_signed(c, dq ? dq : -dr), "after",
                        num(c, walor_col_int(r, 4)), "cost", walor_money(c, walor_col_int(r, 5)), "staff",
                        who(c, walor_col_int(r, 6)), "comment",
                        comment && *comment ? walor_html_escape(c, walor_ctx_printf(c, " · %s", comment)) : "",
                        NULL));
    }
    walor_rows_close(r);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.edit"),
                    walor_ctx_printf(c, "wrh:e:%lld:%lld", (long long)pid, (long long)vno));
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.overview"), "wrh:o:0");
    wr_kb_back(c, kb);
    return wr_show(c,
                   walor_textf(c, "warehouse.card", "mark", mark(&it, &lv), "title", wr_title(c, &it), "id",
                               wr_ref(c, pid, vno), "qty", num(c, lv.on_hand), "reserved", num(c, lv.reserved),
                               "available", num(c, lv.on_hand - lv.reserved), "cost", walor_money(c, lv.unit_cost),
                               "value", walor_money(c, lv.on_hand * lv.unit_cost), "low", num(c, it.low_stock),
                               "history", *hist ? hist : walor_text(c, "warehouse.card.no_moves"), NULL),
                   kb);
}

/* ---- edit one level (F-WH-02) ---- */

/* the item the edit conversation is about; when it is gone the conversation
 * ends with a word to the user and 1 is returned (the handler is done) */
static int32_t edit_item(walor_ctx *c, walor_catalog_item *it, wr_level *lv)
{
    json_t *d = walor_conv_data(c);
    int64_t pid = (int64_t)json_integer_value(json_object_get(d, "pid"));
    int64_t vno = (int64_t)json_integer_value(json_object_get(d, "vno"));
    const walor_catalog_v1 *cat = wr_catalog(c);
    int32_t rc = cat ? cat->item(c, pid, vno, it) : WALOR_ENOTFOUND;
    if (rc == 0)
        rc = wr_level_get(c, pid, vno, lv);
    if (rc == 0 && lv->deleted)
        rc = WALOR_ENOTFOUND;
    if (rc != WALOR_ENOTFOUND)
        return rc;
    walor_conv_end(c);
    rc = item_gone(c);
    return rc < 0 ? rc : 1;
}

static int32_t edit_ask(walor_ctx *c)
{
    walor_catalog_item it;
    wr_level lv;
    int32_t rc = edit_item(c, &it, &lv);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "warehouse.btn.cancel"), "cancel");
    return walor_reply(c,
                       walor_textf(c, "warehouse.edit.ask", "title", wr_title(c, &it), "id",
                                   wr_ref(c, it.product_id, it.variant_no), "qty", num(c, lv.on_hand), "reserved",
                                   num(c, lv.reserved), NULL),
                       kb);
}

/* a whole non-negative number of at most WR_QTY_MAX; -1 otherwise */
static int64_t parse_qty(const char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > WR_QTY_MAX)
            return -1;
    }
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    return *s ? -1 : v;
}

static int32_t edit_got(walor_ctx *c, const char *text)
{
    walor_catalog_item it;
    wr_level lv;
    int32_t rc = edit_item(c, &it, &lv);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    int64_t q = parse_qty(text);
    if (q < 0)
        return walor_reply(c, walor_textf(c, "warehouse.edit.bad", "max", num(c, WR_QTY_MAX), NULL), NULL);
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    /* re-read under the write lock: an order may have reserved meanwhile */
    if ((rc = wr_level_get(c, it.product_id, it.variant_no, &lv)) < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if (q < lv.reserved) {
        walor_tx_rollback(c);
        return walor_reply(c, walor_textf(c, "warehouse.edit.below_reserved", "reserved", num(c, lv.reserved), NULL),
                           NULL);
    }
    if (q != lv.on_hand) {
        wr_move_def mv = {.product_id = it.product_id, .variant_no = it.variant_no, .kind = "edit",
                          .d_on_hand = q - lv.on_hand, .new_cost = -1, .comment = "правка остатка"};
        if ((rc = wr_move(c, &mv)) < 0) {
            walor_tx_rollback(c);
            return rc;
        }
    }
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    const char *ref = wr_ref(c, it.product_id, it.variant_no);
    if (q != lv.on_hand)
        wr_action(c, walor_ctx_printf(c, "изменил остаток %s «%s»: %lld → %lld (%s)", ref, wr_title_raw(c, &it),
                                      (long long)lv.on_hand, (long long)q, wr_signed(c, q - lv.on_hand)));
    walor_conv_end(c);
    walor_reply(c,
                walor_textf(c, "warehouse.edit.done", "title", wr_title(c, &it), "from", num(c, lv.on_hand), "to",
                            num(c, q), "diff", wr_signed(c, q - lv.on_hand), NULL),
                NULL);
    return wr_item_card(c, it.product_id, it.variant_no);
}

static int32_t conv_cancel(walor_ctx *c, const char *arg)
{
    (void)arg; /* only "cancel" */
    walor_conv_end(c);
    return wr_section(c);
}

/* ---- search ---- */

static int32_t search_ask(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "warehouse.btn.cancel"), "cancel");
    return walor_reply(c, walor_text(c, "warehouse.search.ask"), kb);
}

static int32_t search_got(walor_ctx *c, const char *text)
{
    while (*text == ' ' || *text == '\n')
        text++;
    if (!*text)
        return search_ask(c);
    const walor_catalog_v1 *cat = wr_catalog(c);
    if (!cat) {
        walor_conv_end(c);
        return no_catalog(c);
    }
    char q[QUERY_MAX + 1];
    size_t l = strlen(text);
    while (l > 0 && (text[l - 1] == ' ' || text[l - 1] == '\n'))
        l--;
    if (l > QUERY_MAX) { /* cut on a character boundary */
        l = QUERY_MAX;
        while (l > 0 && ((unsigned char)text[l] & 0xC0) == 0x80)
            l--;
    }
    memcpy(q, text, l);
    q[l] = 0;
    walor_catalog_item *found = NULL;
    uint32_t n = 0, total = 0;
    int32_t rc = cat->items(c, q, WALOR_CATALOG_WITH_HIDDEN, 0, SEARCH_MAX, &found, &n, &total);
    if (rc < 0)
        return rc;
    walor_conv_end(c);
    walor_kb *kb = walor_kb_new(c);
    char *list = walor_ctx_printf(c, "%s", "");
    for (uint32_t i = 0; i < n; i++) {
        const walor_catalog_item *it = walor_catalog_item_at(found, i);
        wr_level lv;
        if ((rc = wr_level_get(c, it->product_id, it->variant_no, &lv)) < 0)
            return rc;
        const char *ref = wr_ref(c, it->product_id, it->variant_no);
        list = walor_ctx_printf(c, "%s%s\n", list,
                                walor_textf(c, "warehouse.search.line", "mark", mark(it, &lv), "id", ref, "title",
                                            wr_title(c, it), "qty", num(c, lv.on_hand), NULL));
        walor_kb_button(kb, walor_ctx_printf(c, "%s %s", mark(it, &lv), ref),
                        walor_ctx_printf(c, "wrh:i:%lld:%lld", (long long)it->product_id, (long long)it->variant_no));
        if (i % 4 == 3)
            walor_kb_row(kb);
    }
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.search_again"), "wrh:f");
    wr_kb_back(c, kb);
    const char *eq = walor_html_escape(c, q);
    if (n == 0)
        return walor_reply(c, walor_textf(c, "warehouse.search.none", "q", eq, NULL), kb);
    return walor_reply(c,
                       walor_textf(c, "warehouse.search.found", "q", eq, "n", num(c, total), "list",
                                   wr_cut_lines(c, list, LIST_BYTES), "more",
                                   total > n ? walor_textf(c, "warehouse.search.more", "n", num(c, n), NULL) : "",
                                   NULL),
                       kb);
}

/* ---- dispatch ---- */

static int parse_pair(const char *s, int64_t *a, int64_t *b)
{
    char *e = NULL;
    if (*s < '0' || *s > '9')
        return -1;
    long long x = strtoll(s, &e, 10);
    if (*e != ':' || e[1] < '0' || e[1] > '9')
        return -1;
    long long y = strtoll(e + 1, &e, 10);
    if (*e)
        return -1;
    *a = x, *b = y;
    return 0;
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    int64_t a = 0, b = 0;
    if (!strncmp(arg, "o:", 2))
        return wr_overview(c, strtoll(arg + 2, NULL, 10));
    if (!strncmp(arg, "i:", 2) && parse_pair(arg + 2, &a, &b) == 0)
        return wr_item_card(c, a, b);
    if (!strncmp(arg, "e:", 2) && parse_pair(arg + 2, &a, &b) == 0) {
        json_t *d = json_pack("{s:I, s:I}", "pid", (json_int_t)a, "vno", (json_int_t)b);
        int32_t rc = walor_conv_start(c, "edit", NULL, d);
        json_decref(d);
        return rc;
    }
    if (!strcmp(arg, "f"))
        return walor_conv_start(c, "search", NULL, NULL);
    if (!strcmp(arg, "w"))
        return walor_conv_start(c, "writeoff", NULL, NULL);
    if (!strcmp(arg, "t"))
        return walor_conv_start(c, "stocktake", NULL, NULL);
    if (!strcmp(arg, "u"))
        return walor_conv_start(c, "supply", NULL, NULL);
    if (!strcmp(arg, "p"))
        return wr_suppliers(c);
    if (!strcmp(arg, "pa"))
        return walor_conv_start(c, "supplier", NULL, NULL);
    if (!strcmp(arg, "q"))
        return wr_qr_sheet(c);
    return wr_section(c); /* "s", and anything stale or forged */
}

static int32_t on_menu(walor_ctx *c) { return wr_section(c); }

static const walor_conv_state EDIT_STATES[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "qty", .on_enter = edit_ask, .on_message = edit_got,
     .on_callback = conv_cancel},
};
static const walor_conv_state SEARCH_STATES[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "q", .on_enter = search_ask, .on_message = search_got,
     .on_callback = conv_cancel},
};

int32_t wr_admin_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER,
                                 .where = WALOR_MENU_ADMIN, .order = 200, .id = "warehouse", .label = "🏬 Склад",
                                 .on_press = on_menu, .group = WALOR_MENU_GROUP_GOODS};
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "wrh",
                                   .handler = on_cb};
    const walor_conv_def edit = {.struct_size = sizeof edit, .min_role = WALOR_ROLE_MANAGER, .name = "edit",
                                 .states = EDIT_STATES, .nstates = 1, .timeout_s = 900};
    const walor_conv_def search = {.struct_size = sizeof search, .min_role = WALOR_ROLE_MANAGER, .name = "search",
                                   .states = SEARCH_STATES, .nstates = 1, .timeout_s = 900};
    const walor_setting_def ps = {.struct_size = sizeof ps, .type = WALOR_SET_INT, .key = "page_size",
                                  .label = "Склад: позиций на странице остатков", .default_value = "15", .min = 5,
                                  .max = 25, .flags = WALOR_SET_OWNER_EDITABLE};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_conversation(p, &edit);
    if (!rc) rc = walor_conversation(p, &search);
    if (!rc) rc = walor_setting(p, &ps);
    return rc;
}
