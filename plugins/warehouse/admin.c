/* warehouse: the staff section "🏬 Склад" (README.md): the section screen,
 * the stock overview with its 🟢🟡🔴 marks (F-WH-01, a paged list), the
 * card of one item with its latest ledger rows (F-WH-09), editing one level
 * (F-WH-02) and search by part of the name (one-step forms). Names,
 * variants and thresholds come from the catalog service; levels and costs
 * from the ledger. The host enforces the MANAGER role of prefix "wrh" and
 * of the forms; handlers still check that the item exists, since callback
 * data can be stale or forged. */
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
#define FORM_TIMEOUT 900

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
    return walor_show(c, walor_text(c, "warehouse.no_catalog"), kb);
}

/* an unknown or deleted item from a button or a form */
static int32_t item_gone(walor_ctx *c)
{
    if (walor_in_callback(c))
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
    int32_t rc = walor_db_row(c,
                              "SELECT count(*), coalesce(sum(on_hand), 0), coalesce(sum(on_hand * unit_cost), 0) "
                              "FROM warehouse_item WHERE deleted = 0 AND on_hand > 0",
                              NULL, 0, "iii", &items, &units, &value);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    static const walor_text_pair KB[] = {
        {"warehouse.btn.overview", "wrh:o:0"}, {"warehouse.btn.search", "wrh:f"},    {NULL, NULL},
        {"warehouse.btn.supply", "wrh:u"},     {"warehouse.btn.suppliers", "wrh:p"}, {NULL, NULL},
        {"warehouse.btn.writeoff", "wrh:w"},   {"warehouse.btn.stocktake", "wrh:t"}, {NULL, NULL},
        {"warehouse.btn.qr", "wrh:q"},         {NULL, NULL},                         {"warehouse.btn.admin", "m:core.admin"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    return walor_show(c,
                      walor_textf(c, "warehouse.section", "items", walor_plural(c, items, "позиция|позиции|позиций", 0),
                                  "units", num(c, units), "value", walor_money(c, value), NULL),
                      kb);
}

/* ---- overview (F-WH-01) ---- */

/* every item of the catalog with its level: the totals count all of them */
typedef struct stock_view {
    walor_catalog_item *items;
    wr_level *lv;
} stock_view;

static const char *stock_row(walor_ctx *c, walor_rows *r, int64_t i, walor_kb *kb, void *ud)
{
    (void)r;
    const stock_view *v = ud;
    const walor_catalog_item *it = walor_catalog_item_at(v->items, (uint32_t)i);
    const wr_level *lv = &v->lv[i];
    const char *m = mark(it, lv), *ref = wr_ref(c, it->product_id, it->variant_no);
    walor_kb_button(kb, walor_ctx_printf(c, "%s %s", m, ref),
                    walor_ctx_printf(c, "wrh:i:%lld:%lld", (long long)it->product_id, (long long)it->variant_no));
    return walor_textf(c, lv->reserved ? "warehouse.ov.line_reserved" : "warehouse.ov.line", "mark", m, "id", ref,
                       "title", wr_title(c, it), "qty", num(c, lv->on_hand), "reserved", num(c, lv->reserved), "cost",
                       walor_money(c, lv->unit_cost), "value", walor_money(c, lv->on_hand * lv->unit_cost), NULL);
}

/* page: the text after "wrh:o:", NULL for the first */
int32_t wr_overview(walor_ctx *c, const char *page)
{
    const walor_catalog_v1 *cat = wr_catalog(c);
    if (!cat)
        return no_catalog(c);
    stock_view v = {0};
    uint32_t n = 0, total = 0;
    int32_t rc = cat->items(c, NULL, WALOR_CATALOG_WITH_HIDDEN, 0, 0, &v.items, &n, &total);
    if (rc < 0)
        return rc;
    int64_t ps = walor_setting_min(c, "warehouse.page_size", 1, 15);
    int64_t counts[3] = {0}, units = 0, value = 0;
    v.lv = walor_ctx_alloc(c, (n ? n : 1) * sizeof *v.lv);
    if (!v.lv)
        return WALOR_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if ((rc = wr_level_get(c, walor_catalog_item_at(v.items, i)->product_id,
                               walor_catalog_item_at(v.items, i)->variant_no, &v.lv[i])) < 0)
            return rc;
        counts[state_of(walor_catalog_item_at(v.items, i), &v.lv[i])]++;
        units += v.lv[i].on_hand;
        value += v.lv[i].on_hand * v.lv[i].unit_cost;
    }
    walor_kb *kb = walor_kb_new(c);
    wr_kb_back(c, kb);
    walor_list_def l = {.struct_size = sizeof l, .page_size = (uint32_t)ps, .total = n, .row = stock_row, .ud = &v,
                        .page_data = "wrh:o:", .header = walor_text(c, "warehouse.ov"),
                        .empty = walor_ctx_printf(c, "%s\n%s", walor_text(c, "warehouse.ov"),
                                                  walor_text(c, "warehouse.ov.empty")),
                        .footer = walor_textf(c, "warehouse.ov.total", "items",
                                              walor_plural(c, n, "позиция|позиции|позиций", 0), "green",
                                              num(c, counts[0]), "yellow", num(c, counts[1]), "red", num(c, counts[2]),
                                              "units", num(c, units), "value", walor_money(c, value), NULL),
                        .buttons = kb, .prev_label = "warehouse.btn.prev", .next_label = "warehouse.btn.next"};
    return walor_list_show(c, &l, page);
}

/* ---- one item ---- */

static const char *kind_name(walor_ctx *c, const char *kind)
{
    return walor_text(c, walor_ctx_printf(c, "warehouse.kind.%s", kind ? kind : "edit"));
}

static char *when(walor_ctx *c, int64_t t)
{
    char *s = walor_time_format(c, t, "%d.%m %H:%M");
    return s ? s : walor_ctx_printf(c, "%s", "");
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
    return walor_show(c,
                   walor_textf(c, "warehouse.card", "mark", mark(&it, &lv), "title", wr_title(c, &it), "id",
                               wr_ref(c, pid, vno), "qty", num(c, lv.on_hand), "reserved", num(c, lv.reserved),
                               "available", num(c, lv.on_hand - lv.reserved), "cost", walor_money(c, lv.unit_cost),
                               "value", walor_money(c, lv.on_hand * lv.unit_cost), "low", num(c, it.low_stock),
                               "history", *hist ? hist : walor_text(c, "warehouse.card.no_moves"), NULL),
                   kb);
}

/* ---- edit one level (F-WH-02): a form of one INT step ---- */

/* the item the edit form is about; WALOR_ENOTFOUND when it is gone */
static int32_t edit_item(walor_ctx *c, json_t *d, walor_catalog_item *it, wr_level *lv)
{
    int64_t pid = (int64_t)json_integer_value(json_object_get(d, "pid"));
    int64_t vno = (int64_t)json_integer_value(json_object_get(d, "vno"));
    const walor_catalog_v1 *cat = wr_catalog(c);
    int32_t rc = cat ? cat->item(c, pid, vno, it) : WALOR_ENOTFOUND;
    if (rc == 0)
        rc = wr_level_get(c, pid, vno, lv);
    return rc == 0 && lv->deleted ? WALOR_ENOTFOUND : rc;
}

static const char *edit_prompt(walor_ctx *c, json_t *d)
{
    walor_catalog_item it;
    wr_level lv;
    if (edit_item(c, d, &it, &lv) != 0)
        return walor_text(c, "warehouse.item_gone");
    return walor_textf(c, "warehouse.edit.ask", "title", wr_title(c, &it), "id",
                       wr_ref(c, it.product_id, it.variant_no), "qty", num(c, lv.on_hand), "reserved",
                       num(c, lv.reserved), NULL);
}

static int32_t edit_done(walor_ctx *c, json_t *d)
{
    walor_catalog_item it;
    wr_level lv;
    int64_t q = (int64_t)json_integer_value(json_object_get(d, "qty"));
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    /* read under the write lock: an order may have reserved meanwhile */
    rc = edit_item(c, d, &it, &lv);
    if (rc == 0 && q < lv.reserved) {
        walor_tx_rollback(c);
        json_object_set_new(d, "reserved", json_integer(lv.reserved));
        return walor_form_retry(c, "qty", "warehouse.edit.below_reserved");
    }
    if (rc == 0 && q != lv.on_hand) {
        wr_move_def mv = {.product_id = it.product_id, .variant_no = it.variant_no, .kind = "edit",
                          .d_on_hand = q - lv.on_hand, .new_cost = -1, .comment = "правка остатка"};
        rc = wr_move(c, &mv);
    }
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc == WALOR_ENOTFOUND ? item_gone(c) : rc;
    }
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    const char *ref = wr_ref(c, it.product_id, it.variant_no);
    if (q != lv.on_hand)
        wr_action(c, walor_ctx_printf(c, "изменил остаток %s «%s»: %lld → %lld (%s)", ref, wr_title_raw(c, &it),
                                      (long long)lv.on_hand, (long long)q, wr_signed(c, q - lv.on_hand)));
    walor_reply(c,
                walor_textf(c, "warehouse.edit.done", "title", wr_title(c, &it), "from", num(c, lv.on_hand), "to",
                            num(c, q), "diff", wr_signed(c, q - lv.on_hand), NULL),
                NULL);
    return wr_item_card(c, it.product_id, it.variant_no);
}

static const walor_step_def EDIT_STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "qty", .prompt_fn = edit_prompt,
     .prompt = "warehouse.edit.ask", .error = "warehouse.edit.bad", .min = 0, .max = WR_QTY_MAX},
};

/* ---- search: a form of one STRING step ---- */

static int32_t search_done(walor_ctx *c, json_t *d)
{
    const char *q = json_string_value(json_object_get(d, "q"));
    const walor_catalog_v1 *cat = wr_catalog(c);
    if (!cat)
        return no_catalog(c);
    walor_catalog_item *found = NULL;
    uint32_t n = 0, total = 0;
    int32_t rc = cat->items(c, q, WALOR_CATALOG_WITH_HIDDEN, 0, SEARCH_MAX, &found, &n, &total);
    if (rc < 0)
        return rc;
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

static const walor_step_def SEARCH_STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "q", .prompt = "warehouse.search.ask",
     .min = 1, .max = QUERY_MAX},
};

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
        return wr_overview(c, arg + 2);
    if (!strncmp(arg, "i:", 2) && parse_pair(arg + 2, &a, &b) == 0)
        return wr_item_card(c, a, b);
    if (!strncmp(arg, "e:", 2) && parse_pair(arg + 2, &a, &b) == 0) {
        walor_catalog_item it;
        wr_level lv;
        json_t *d = json_pack("{s:I, s:I}", "pid", (json_int_t)a, "vno", (json_int_t)b);
        if (edit_item(c, d, &it, &lv) != 0) {
            json_decref(d);
            return item_gone(c);
        }
        int32_t rc = walor_conv_start(c, "edit", NULL, d);
        json_decref(d);
        return rc;
    }
    if (!strcmp(arg, "f"))
        return walor_conv_start(c, "search", NULL, NULL);
    if (!strcmp(arg, "w"))
        return wr_writeoff_start(c);
    if (!strcmp(arg, "t"))
        return wr_stocktake_start(c);
    if (!strcmp(arg, "u"))
        return walor_conv_start(c, "supply", NULL, NULL);
    if (!strncmp(arg, "pl:", 3))
        return wr_suppliers(c, arg + 3);
    if (!strcmp(arg, "p"))
        return wr_suppliers(c, NULL);
    if (!strcmp(arg, "pa"))
        return walor_conv_start(c, "supplier", NULL, NULL);
    if (!strcmp(arg, "q"))
        return wr_qr_sheet(c);
    return wr_section(c); /* "s", and anything stale or forged */
}

static int32_t on_menu(walor_ctx *c) { return wr_section(c); }

static int32_t to_section(walor_ctx *c) { return wr_section(c); }

int32_t wr_admin_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER,
                                 .where = WALOR_MENU_ADMIN, .order = 200, .id = "warehouse", .label = "🏬 Склад",
                                 .on_press = on_menu, .group = WALOR_MENU_GROUP_GOODS};
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "wrh",
                                   .handler = on_cb};
    const walor_form_def edit = {.struct_size = sizeof edit, .min_role = WALOR_ROLE_MANAGER, .name = "edit",
                                 .steps = EDIT_STEPS, .nsteps = 1, .timeout_s = FORM_TIMEOUT, .on_done = edit_done,
                                 .on_cancel = to_section};
    const walor_form_def search = {.struct_size = sizeof search, .min_role = WALOR_ROLE_MANAGER, .name = "search",
                                   .steps = SEARCH_STEPS, .nsteps = 1, .timeout_s = FORM_TIMEOUT,
                                   .on_done = search_done, .on_cancel = to_section};
    const walor_setting_def ps = {.struct_size = sizeof ps, .type = WALOR_SET_INT, .key = "page_size",
                                  .label = "Склад: позиций на странице остатков", .default_value = "15", .min = 5,
                                  .max = 25, .flags = WALOR_SET_OWNER_EDITABLE};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_form(p, &edit);
    if (!rc) rc = walor_form(p, &search);
    if (!rc) rc = walor_setting(p, &ps);
    return rc;
}
