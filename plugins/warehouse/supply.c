/* Supplies in three steps (F-WH-04) and the suppliers directory (F-WH-07).
 *
 * The supply conversation: 1) the supplier (a button, or the name of a new
 * one typed in), 2) the items as `ID quantity` lines, 3) the purchase price
 * of each line as the batch total, `ID amount` lines; the bot divides by
 * the quantity and shows the unit cost and each item's new weighted-average
 * cost (wac.h) before ✅. The supply, its lines and the ledger rows are
 * written in one transaction, with the averages computed again under the
 * write lock. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "forms.h"
#include "formtext.h"
#include "wac.h"

#define SUPPLIER_NAME_MAX 100 /* code points */
#define SUPPLIERS_SHOWN 30

static char *num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }

static walor_kb *cancel_kb(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "warehouse.btn.cancel"), "cancel");
    return kb;
}

/* ---- suppliers ---- */

/* a trimmed one-line name of 1..SUPPLIER_NAME_MAX characters, or NULL with *why */
static char *check_name(walor_ctx *c, const char *in, const char **why)
{
    while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
        in++;
    size_t l = strlen(in);
    while (l > 0 && (in[l - 1] == ' ' || in[l - 1] == '\t' || in[l - 1] == '\n' || in[l - 1] == '\r'))
        l--;
    size_t cps = 0;
    for (size_t i = 0; i < l; i++) {
        if ((unsigned char)in[i] < 0x20) {
            *why = walor_text(c, "warehouse.sup.err_line");
            return NULL;
        }
        cps += ((unsigned char)in[i] & 0xC0) != 0x80;
    }
    if (cps == 0 || cps > SUPPLIER_NAME_MAX) {
        *why = walor_textf(c, "warehouse.sup.err_len", "max", num(c, SUPPLIER_NAME_MAX), NULL);
        return NULL;
    }
    return walor_ctx_printf(c, "%.*s", (int)l, in);
}

/* the new supplier's id, 0 with a reply sent when the name is refused, < 0 on failure */
static int64_t add_supplier(walor_ctx *c, const char *text)
{
    const char *why = NULL;
    char *name = check_name(c, text, &why);
    if (!name) {
        walor_reply(c, why, cancel_kb(c));
        return 0;
    }
    int64_t id = 0;
    int32_t rc = walor_db_int(c, "SELECT id FROM warehouse_supplier WHERE name = ?", WALOR_ARGS(walor_s(name)), &id);
    if (rc == 0) {
        walor_reply(c, walor_textf(c, "warehouse.sup.exists", "name", walor_html_escape(c, name), NULL),
                    cancel_kb(c));
        return 0;
    }
    if (rc != WALOR_ENOTFOUND)
        return rc;
    rc = walor_db_int(c, "INSERT INTO warehouse_supplier(name, created_at) VALUES (?, ?) RETURNING id",
                      WALOR_ARGS(walor_s(name), walor_i(walor_now(c))), &id);
    if (rc < 0)
        return rc;
    wr_action(c, walor_ctx_printf(c, "добавил поставщика #%lld «%s»", (long long)id, name));
    return id;
}

int32_t wr_suppliers(walor_ctx *c)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT s.id, s.name, (SELECT count(*) FROM warehouse_supply p WHERE p.supplier_id = "
                                "s.id), (SELECT coalesce(sum(total), 0) FROM warehouse_supply p WHERE p.supplier_id = "
                                "s.id) FROM warehouse_supplier s ORDER BY s.name LIMIT ?",
                                WALOR_ARGS(walor_i(SUPPLIERS_SHOWN)), &r);
    if (rc < 0)
        return rc;
    char *list = walor_ctx_printf(c, "%s", "");
    while (walor_row_next(r) == 1)
        list = walor_ctx_printf(c, "%s%s\n", list,
                                walor_textf(c, "warehouse.sup.line", "id", num(c, walor_col_int(r, 0)), "name",
                                            walor_html_escape(c, walor_col_text(r, 1)), "supplies",
                                            num(c, walor_col_int(r, 2)), "total",
                                            walor_money(c, walor_col_int(r, 3)), NULL));
    walor_rows_close(r);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.sup_add"), "wrh:pa");
    walor_kb_button(kb, walor_text(c, "warehouse.btn.supply"), "wrh:u");
    wr_kb_back(c, kb);
    return wr_show(c, walor_textf(c, "warehouse.sup.list", "list", *list ? list : walor_text(c, "warehouse.sup.none"),
                                  NULL),
                   kb);
}

static int32_t supplier_ask(walor_ctx *c) { return walor_reply(c, walor_text(c, "warehouse.sup.ask"), cancel_kb(c)); }

static int32_t supplier_got(walor_ctx *c, const char *text)
{
    int64_t id = add_supplier(c, text);
    if (id <= 0)
        return id < 0 ? (int32_t)id : 0;
    walor_conv_end(c);
    walor_reply(c, walor_text(c, "warehouse.sup.added"), NULL);
    return wr_suppliers(c);
}

static int32_t supplier_button(walor_ctx *c, const char *arg)
{
    (void)arg; /* only "cancel" */
    walor_conv_end(c);
    return wr_suppliers(c);
}

/* ---- supply: step 1, the supplier ---- */

static const char *supplier_name(walor_ctx *c, int64_t id)
{
    walor_rows *r = NULL;
    const char *name = NULL;
    if (walor_db_query(c, "SELECT name FROM warehouse_supplier WHERE id = ?", WALOR_ARGS(walor_i(id)), &r) == 0) {
        if (walor_row_next(r) == 1)
            name = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
        walor_rows_close(r);
    }
    return name;
}

static int32_t sup_ask(walor_ctx *c)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT id, name FROM warehouse_supplier ORDER BY name LIMIT ?",
                                WALOR_ARGS(walor_i(SUPPLIERS_SHOWN)), &r);
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    int n = 0;
    while (walor_row_next(r) == 1) {
        walor_kb_conv_button(kb, walor_ctx_printf(c, "🏭 %.60s", walor_col_text(r, 1)),
                             walor_ctx_printf(c, "sup:%lld", (long long)walor_col_int(r, 0)));
        walor_kb_row(kb);
        n++;
    }
    walor_rows_close(r);
    walor_kb_conv_button(kb, walor_text(c, "warehouse.btn.cancel"), "cancel");
    return walor_reply(c, walor_text(c, n ? "warehouse.supply.ask_supplier" : "warehouse.supply.first_supplier"), kb);
}

static int32_t choose(walor_ctx *c, int64_t id)
{
    json_object_set_new(walor_conv_data(c), "supplier", json_integer((json_int_t)id));
    return walor_conv_goto(c, "items");
}

static int32_t sup_got(walor_ctx *c, const char *text)
{
    int64_t id = add_supplier(c, text);
    if (id <= 0)
        return id < 0 ? (int32_t)id : 0;
    return choose(c, id);
}

static int32_t cancel(walor_ctx *c)
{
    walor_conv_end(c);
    walor_reply(c, walor_text(c, "warehouse.supply.cancelled"), NULL);
    return wr_section(c);
}

static int32_t sup_button(walor_ctx *c, const char *arg)
{
    if (!strncmp(arg, "sup:", 4)) {
        int64_t id = strtoll(arg + 4, NULL, 10);
        if (id > 0 && supplier_name(c, id))
            return choose(c, id);
        walor_alert(c, walor_text(c, "warehouse.sup.gone"));
        return sup_ask(c);
    }
    return cancel(c);
}

/* ---- step 2, the items ---- */

static int32_t items_ask(walor_ctx *c)
{
    const char *name = supplier_name(c, (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "supplier")));
    return walor_reply(c,
                       walor_textf(c, "warehouse.supply.ask_items", "supplier",
                                   walor_html_escape(c, name ? name : "?"), NULL),
                       cancel_kb(c));
}

static int32_t errors(walor_ctx *c, const char *key, const char *errs)
{
    return walor_reply(c, walor_textf(c, key, "errors", wr_cut_lines(c, errs, 3000), NULL), cancel_kb(c));
}

static const char *item_error(walor_ctx *c, int mode, const wr_fline *x)
{
    (void)mode;
    if (x->lv.deleted)
        return walor_text(c, "warehouse.item_gone");
    if (x->qty > WR_QTY_MAX)
        return walor_textf(c, "warehouse.form.qty_max", "max", num(c, WR_QTY_MAX), NULL);
    return NULL;
}

static int32_t items_got(walor_ctx *c, const char *text)
{
    const char *in = wr_form_input(c, text);
    if (!in)
        return 0;
    wr_fline *l;
    uint32_t n;
    char *errs = NULL;
    int32_t rc = wr_form_resolve(c, in, 0, item_error, 0, &l, &n, &errs);
    if (rc == WALOR_ENOSYS) {
        walor_conv_end(c);
        return walor_reply(c, walor_text(c, "warehouse.no_catalog"), NULL);
    }
    if (rc < 0 && rc != WALOR_EINVAL)
        return rc;
    if (errs)
        return errors(c, "warehouse.supply.items_errors", errs);
    json_object_set_new(walor_conv_data(c), "lines", wr_lines_json(l, n));
    return walor_conv_goto(c, "prices");
}

/* ---- step 3, the batch totals ---- */

static int32_t prices_ask(walor_ctx *c)
{
    wr_fline *l;
    uint32_t n;
    int32_t rc = wr_conv_lines(c, "items", &l, &n);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    wr_buf b = {0};
    for (uint32_t i = 0; i < n && i < WR_LIST_SHOWN; i++)
        wr_buf_add(c, &b,
                   walor_ctx_printf(c, "%s\n",
                                    walor_textf(c, "warehouse.supply.item", "id", wr_ref(c, l[i].pid, l[i].vno),
                                                "title", wr_title(c, &l[i].it), "qty", num(c, l[i].qty), NULL)));
    if (n > WR_LIST_SHOWN)
        wr_buf_add(c, &b, walor_textf(c, "warehouse.more", "n", num(c, n - WR_LIST_SHOWN), NULL));
    return walor_reply(c, walor_textf(c, "warehouse.supply.ask_prices", "list", b.s, NULL), cancel_kb(c));
}

/* "ID amount" lines in the form the host's money parser reads (formtext.h) */
static char *as_amount_form(walor_ctx *c, const char *in)
{
    char *out = walor_ctx_alloc(c, wr_amount_form_size(in));
    if (out)
        wr_amount_form(in, out);
    return out;
}

static int32_t prices_got(walor_ctx *c, const char *text)
{
    const char *in = wr_form_input(c, text);
    if (!in)
        return 0;
    json_t *arr = json_object_get(walor_conv_data(c), "lines");
    walor_form_line *fl = NULL;
    uint32_t fn = 0;
    const char *perr = NULL;
    const char *form = as_amount_form(c, in);
    if (!form)
        return WALOR_ENOMEM;
    int32_t rc = walor_form_parse(c, form, WALOR_FORM_AMOUNT, &fl, &fn, &perr);
    if (rc == WALOR_EINVAL)
        return errors(c, "warehouse.supply.price_errors", walor_html_escape(c, perr ? perr : ""));
    if (rc < 0)
        return rc;
    size_t n = json_array_size(arr);
    uint32_t *given = walor_ctx_alloc(c, (n ? n : 1) * sizeof *given);
    int64_t *amount = walor_ctx_alloc(c, (n ? n : 1) * sizeof *amount);
    if (!given || !amount)
        return WALOR_ENOMEM;
    wr_buf b = {0};
    for (uint32_t i = 0; i < fn; i++) {
        size_t k = 0;
        for (; k < n; k++) {
            json_t *e = json_array_get(arr, k);
            if (json_integer_value(json_array_get(e, 1)) == fl[i].id &&
                json_integer_value(json_array_get(e, 2)) == fl[i].sub)
                break;
        }
        const char *ref = wr_ref(c, fl[i].id, fl[i].sub), *e = NULL;
        if (k == n)
            e = walor_textf(c, "warehouse.supply.not_in_supply", "id", ref, NULL);
        else if (given[k])
            e = walor_textf(c, "warehouse.form.dup", "id", ref, "line", num(c, given[k]), NULL);
        else if (fl[i].amount < 0 || fl[i].amount > WR_AMOUNT_MAX)
            e = walor_textf(c, "warehouse.supply.amount_range", "max", walor_money(c, WR_AMOUNT_MAX), NULL);
        if (e) {
            wr_buf_add(c, &b, walor_ctx_printf(c, "строка %u: %s\n", fl[i].line, e));
            continue;
        }
        given[k] = fl[i].line;
        amount[k] = fl[i].amount;
    }
    for (size_t k = 0; k < n; k++)
        if (!given[k]) {
            json_t *e = json_array_get(arr, k);
            wr_buf_add(c, &b,
                       walor_ctx_printf(c, "%s\n",
                                        walor_textf(c, "warehouse.supply.missing", "id",
                                                    wr_ref(c, (int64_t)json_integer_value(json_array_get(e, 1)),
                                                           (int64_t)json_integer_value(json_array_get(e, 2))),
                                                    NULL)));
        }
    if (b.len)
        return errors(c, "warehouse.supply.price_errors", b.s);
    for (size_t k = 0; k < n; k++)
        json_array_set_new(json_array_get(arr, k), 4, json_integer((json_int_t)amount[k]));
    return walor_conv_goto(c, "confirm");
}

/* ---- step 4, the summary and ✅ ---- */

static int32_t confirm_show(walor_ctx *c)
{
    json_t *d = walor_conv_data(c);
    wr_fline *l;
    uint32_t n;
    int32_t rc = wr_conv_lines(c, "items", &l, &n);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    const char *name = supplier_name(c, (int64_t)json_integer_value(json_object_get(d, "supplier")));
    wr_buf b = {0};
    int64_t units = 0, total = 0;
    for (uint32_t i = 0; i < n; i++) {
        units += l[i].qty;
        total += l[i].amount;
        if (i >= WR_LIST_SHOWN)
            continue;
        wr_buf_add(c, &b,
                   walor_ctx_printf(
                       c, "%s\n",
                       walor_textf(c, "warehouse.supply.line", "id", wr_ref(c, l[i].pid, l[i].vno), "title",
                                   wr_title(c, &l[i].it), "qty", num(c, l[i].qty), "amount",
                                   walor_money(c, l[i].amount), "unit",
                                   walor_money(c, wr_unit_cost(l[i].amount, l[i].qty)), "old",
                                   walor_money(c, l[i].lv.unit_cost), "new",
                                   walor_money(c, wr_wac(l[i].lv.on_hand, l[i].lv.unit_cost, l[i].qty, l[i].amount)),
                                   "stock", num(c, l[i].lv.on_hand), NULL)));
    }
    if (n > WR_LIST_SHOWN)
        wr_buf_add(c, &b, walor_textf(c, "warehouse.more", "n", num(c, n - WR_LIST_SHOWN), NULL));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "warehouse.btn.supply_ok"), "ok");
    walor_kb_conv_button(kb, walor_text(c, "warehouse.btn.cancel"), "cancel");
    return walor_reply(c,
                       walor_textf(c, "warehouse.supply.summary", "supplier", walor_html_escape(c, name ? name : "?"),
                                   "list", b.s, "n", num(c, n), "units", num(c, units), "total",
                                   walor_money(c, total), NULL),
                       kb);
}

static int32_t apply(walor_ctx *c)
{
    json_t *d = walor_conv_data(c);
    int64_t sup = (int64_t)json_integer_value(json_object_get(d, "supplier"));
    const char *name = supplier_name(c, sup);
    if (!name) {
        walor_reply(c, walor_text(c, "warehouse.sup.gone"), NULL);
        return walor_conv_goto(c, "supplier");
    }
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    wr_fline *l;
    uint32_t n;
    rc = wr_lines_load(c, json_object_get(d, "lines"), &l, &n); /* levels as of now, under the lock */
    if (rc == WALOR_ENOTFOUND) {
        walor_tx_rollback(c);
        walor_reply(c, walor_text(c, "warehouse.form.changed"), NULL);
        return walor_conv_goto(c, "items");
    }
    int64_t total = 0, units = 0, id = 0;
    for (uint32_t i = 0; i < n; i++)
        total += l[i].amount, units += l[i].qty;
    if (rc == 0)
        rc = walor_db_int(c,
                          "INSERT INTO warehouse_supply(supplier_id, staff_id, at, total) VALUES (?, ?, ?, ?) "
                          "RETURNING id",
                          WALOR_ARGS(walor_i(sup), walor_i(walor_ctx_user_id(c)), walor_i(walor_now(c)), walor_i(total)),
                          &id);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        int64_t avg = wr_wac(l[i].lv.on_hand, l[i].lv.unit_cost, l[i].qty, l[i].amount);
        rc = walor_db_exec(c,
                           "INSERT INTO warehouse_supply_line(supply_id, product_id, variant_no, qty, batch_total, "
                           "unit_cost, new_avg) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           WALOR_ARGS(walor_i(id), walor_i(l[i].pid), walor_i(l[i].vno), walor_i(l[i].qty),
                                      walor_i(l[i].amount), walor_i(wr_unit_cost(l[i].amount, l[i].qty)),
                                      walor_i(avg)));
        if (rc < 0)
            break;
        wr_move_def mv = {.product_id = l[i].pid, .variant_no = l[i].vno, .kind = "supply", .d_on_hand = l[i].qty,
                          .new_cost = avg, .supply_id = id,
                          .comment = walor_ctx_printf(c, "поставка №%lld, %s", (long long)id, name)};
        rc = wr_move(c, &mv);
    }
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    wr_action(c, walor_ctx_printf(c, "провёл поставку №%lld от «%s»: %u позиций, %lld шт на %s", (long long)id, name, n,
                                  (long long)units, walor_money(c, total)));
    walor_conv_end(c);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.overview"), "wrh:o:0");
    wr_kb_back(c, kb);
    return walor_reply(c,
                       walor_textf(c, "warehouse.supply.done", "id", num(c, id), "n", num(c, n), "units",
                                   num(c, units), "total", walor_money(c, total), NULL),
                       kb);
}

static int32_t step_button(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "ok"))
        return apply(c);
    return cancel(c);
}

/* the confirmation step takes a new price list too */
static const walor_conv_state SUPPLY_STATES[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "supplier", .on_enter = sup_ask, .on_message = sup_got,
     .on_callback = sup_button},
    {.struct_size = sizeof(walor_conv_state), .name = "items", .on_enter = items_ask, .on_message = items_got,
     .on_callback = step_button},
    {.struct_size = sizeof(walor_conv_state), .name = "prices", .on_enter = prices_ask, .on_message = prices_got,
     .on_callback = step_button},
    {.struct_size = sizeof(walor_conv_state), .name = "confirm", .on_enter = confirm_show, .on_message = prices_got,
     .on_callback = step_button},
};
static const walor_conv_state SUPPLIER_STATES[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "name", .on_enter = supplier_ask, .on_message = supplier_got,
     .on_callback = supplier_button},
};

int32_t wr_supply_register(walor_plugin *p)
{
    const walor_conv_def supply = {.struct_size = sizeof supply, .min_role = WALOR_ROLE_MANAGER, .name = "supply",
                                   .states = SUPPLY_STATES, .nstates = 4, .timeout_s = 3600};
    const walor_conv_def supplier = {.struct_size = sizeof supplier, .min_role = WALOR_ROLE_MANAGER,
                                     .name = "supplier", .states = SUPPLIER_STATES, .nstates = 1, .timeout_s = 900};
    int32_t rc = walor_conversation(p, &supply);
    if (!rc) rc = walor_conversation(p, &supplier);
    return rc;
}
