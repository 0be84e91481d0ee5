/* Supplies in three steps (F-WH-04) and the suppliers directory (F-WH-07).
 *
 * The supply form (SDK 1.3): 1) the supplier (a button, or the name of a new
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

/* ---- suppliers ---- */

static const char *supplier_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)kb, (void)ud;
    return walor_textf(c, "warehouse.sup.line", "id", num(c, walor_col_int(r, 0)), "name",
                       walor_html_escape(c, walor_col_text(r, 1)), "supplies", num(c, walor_col_int(r, 2)), "total",
                       walor_money(c, walor_col_int(r, 3)), NULL);
}

/* the directory, a paged list; page: the digits after "wrh:pl:", NULL for the first */
int32_t wr_suppliers(walor_ctx *c, const char *page)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.sup_add"), "wrh:pa");
    walor_kb_button(kb, walor_text(c, "warehouse.btn.supply"), "wrh:u");
    wr_kb_back(c, kb);
    walor_list_def l = {.struct_size = sizeof l, .page_size = SUPPLIERS_SHOWN, .row = supplier_row,
                        .sql = "SELECT s.id, s.name, (SELECT count(*) FROM warehouse_supply p WHERE p.supplier_id = "
                               "s.id), (SELECT coalesce(sum(total), 0) FROM warehouse_supply p WHERE p.supplier_id = "
                               "s.id) FROM warehouse_supplier s ORDER BY s.name, s.id",
                        .page_data = "wrh:pl:", .header = walor_text(c, "warehouse.sup.list"),
                        .empty = walor_text(c, "warehouse.sup.none"), .buttons = kb,
                        .prev_label = "warehouse.btn.prev", .next_label = "warehouse.btn.next"};
    return walor_list_show(c, &l, page);
}

/* the id of the supplier of that name, 0 when there is none, < 0 on failure */
static int64_t supplier_id(walor_ctx *c, const char *name)
{
    int64_t id = 0;
    int32_t rc = walor_db_int(c, "SELECT id FROM warehouse_supplier WHERE name = ?", WALOR_ARGS(walor_s(name)), &id);
    return rc == 0 ? id : rc == WALOR_ENOTFOUND ? 0 : rc;
}

static int64_t supplier_add(walor_ctx *c, const char *name)
{
    int64_t id = 0;
    int32_t rc = walor_db_int(c, "INSERT INTO warehouse_supplier(name, created_at) VALUES (?, ?) RETURNING id",
                              WALOR_ARGS(walor_s(name), walor_i(walor_now(c))), &id);
    if (rc < 0)
        return rc;
    wr_action(c, walor_ctx_printf(c, "добавил поставщика #%lld «%s»", (long long)id, name));
    return id;
}

/* a new supplier's name is not taken */
static int32_t name_free(walor_ctx *c, json_t *value, const char **why)
{
    int64_t id = supplier_id(c, json_string_value(value));
    if (id > 0)
        *why = "warehouse.sup.exists";
    return id < 0 ? (int32_t)id : id > 0 ? WALOR_EINVAL : 0;
}

static int32_t supplier_done(walor_ctx *c, json_t *d)
{
    const char *name = json_string_value(json_object_get(d, "name"));
    int64_t id = supplier_id(c, name);
    if (id > 0) /* taken meanwhile */
        return walor_form_retry(c, "name", "warehouse.sup.exists");
    if (id == 0)
        id = supplier_add(c, name);
    if (id < 0)
        return (int32_t)id;
    walor_reply(c, walor_text(c, "warehouse.sup.added"), NULL);
    return wr_suppliers(c, NULL);
}

static int32_t to_suppliers(walor_ctx *c) { return wr_suppliers(c, NULL); }

static const walor_step_def SUPPLIER_STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "name", .prompt = "warehouse.sup.ask",
     .error = "warehouse.sup.err_len", .min = 1, .max = SUPPLIER_NAME_MAX, .validate = name_free},
};

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

/* the suppliers as quick answers: a press answers as if the name were typed */
static const walor_step_choice *suppliers(walor_ctx *c, json_t *d, uint32_t *n)
{
    (void)d;
    walor_rows *r = NULL;
    walor_step_choice *v = walor_ctx_alloc(c, SUPPLIERS_SHOWN * sizeof *v);
    *n = 0;
    if (!v || walor_db_query(c, "SELECT name FROM warehouse_supplier ORDER BY name LIMIT ?",
                             WALOR_ARGS(walor_i(SUPPLIERS_SHOWN)), &r) < 0)
        return NULL;
    while (walor_row_next(r) == 1) {
        v[*n].value = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
        v[(*n)++].label = walor_ctx_printf(c, "🏭 %.60s", walor_col_text(r, 0));
    }
    walor_rows_close(r);
    return v;
}

static const char *supplier_ask(walor_ctx *c, json_t *d)
{
    uint32_t n = 0;
    suppliers(c, d, &n);
    return walor_text(c, n ? "warehouse.supply.ask_supplier" : "warehouse.supply.first_supplier");
}

/* a supplier of the list, or a new one by the name typed (written with the
 * supply, at ✅): "supplier_id" 0 */
static int32_t supplier_chosen(walor_ctx *c, json_t *value, const char **why)
{
    (void)why;
    int64_t id = supplier_id(c, json_string_value(value));
    if (id < 0)
        return (int32_t)id;
    json_object_set_new(walor_conv_data(c), "supplier_id", json_integer((json_int_t)id));
    return 0;
}

/* ---- step 2, the items ---- */

static const char *item_error(walor_ctx *c, int mode, const wr_fline *x)
{
    (void)mode;
    if (x->lv.deleted)
        return walor_text(c, "warehouse.item_gone");
    if (x->qty > WR_QTY_MAX)
        return walor_textf(c, "warehouse.form.qty_max", "max", num(c, WR_QTY_MAX), NULL);
    return NULL;
}

static const char *errors(walor_ctx *c, const char *key, const char *errs)
{
    return walor_textf(c, key, "errors", wr_cut_lines(c, errs, 3000), NULL);
}

/* "ID quantity" lines resolved through the catalog; they replace the text,
 * and a price list of other items is asked again */
static int32_t items_checked(walor_ctx *c, json_t *value, const char **why)
{
    wr_fline *l;
    uint32_t n;
    char *errs = NULL;
    int32_t rc = wr_form_resolve(c, json_string_value(value), 0, item_error, 0, &l, &n, &errs);
    if (rc == WALOR_ENOSYS)
        *why = "warehouse.no_catalog";
    else if (errs)
        *why = errors(c, "warehouse.supply.items_errors", errs);
    if (rc < 0)
        return rc == WALOR_ENOSYS ? WALOR_EINVAL : rc;
    json_object_set_new(walor_conv_data(c), "items", wr_lines_json(l, n));
    json_object_del(walor_conv_data(c), "prices");
    return 0;
}

/* ---- step 3, the batch totals ---- */

/* the first WR_LIST_SHOWN items, one line() each, and "… N more" */
static const char *items_list(walor_ctx *c, const wr_fline *l, uint32_t n,
                              const char *(*line)(walor_ctx *c, const wr_fline *x))
{
    wr_buf b = {0};
    wr_buf_add(c, &b, "");
    for (uint32_t i = 0; i < n && i < WR_LIST_SHOWN; i++)
        wr_buf_add(c, &b, walor_ctx_printf(c, "%s\n", line(c, &l[i])));
    if (n > WR_LIST_SHOWN)
        wr_buf_add(c, &b, walor_textf(c, "warehouse.more", "n", num(c, n - WR_LIST_SHOWN), NULL));
    return b.s;
}

static const char *item_line(walor_ctx *c, const wr_fline *x)
{
    return walor_textf(c, "warehouse.supply.item", "id", wr_ref(c, x->pid, x->vno), "title", wr_title(c, &x->it),
                       "qty", num(c, x->qty), NULL);
}

static const char *prices_ask(walor_ctx *c, json_t *d)
{
    wr_fline *l;
    uint32_t n;
    if (wr_lines_load(c, json_object_get(d, "items"), &l, &n) != 0)
        return walor_text(c, "warehouse.form.changed");
    return walor_textf(c, "warehouse.supply.ask_prices", "list", items_list(c, l, n, item_line), NULL);
}

/* "ID amount" lines in the form the host's money parser reads (formtext.h) */
static char *as_amount_form(walor_ctx *c, const char *in)
{
    char *out = walor_ctx_alloc(c, wr_amount_form_size(in));
    if (out)
        wr_amount_form(in, out);
    return out;
}

/* one batch total for every item of the supply, no other: kept with the items */
static int32_t prices_checked(walor_ctx *c, json_t *value, const char **why)
{
    json_t *arr = json_object_get(walor_conv_data(c), "items");
    walor_form_line *fl = NULL;
    uint32_t fn = 0;
    const char *perr = NULL;
    const char *form = as_amount_form(c, json_string_value(value));
    if (!form)
        return WALOR_ENOMEM;
    int32_t rc = walor_form_parse(c, form, WALOR_FORM_AMOUNT, &fl, &fn, &perr);
    if (rc == WALOR_EINVAL)
        *why = errors(c, "warehouse.supply.price_errors", walor_html_escape(c, perr ? perr : ""));
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
    if (b.len) {
        *why = errors(c, "warehouse.supply.price_errors", b.s);
        return WALOR_EINVAL;
    }
    int64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        json_array_set_new(json_array_get(arr, k), 4, json_integer((json_int_t)amount[k]));
        total += amount[k];
    }
    json_object_set_new(walor_conv_data(c), "prices", json_integer((json_int_t)total));
    return 0;
}

/* ---- the summary and ✅ ---- */

static const char *summary_line(walor_ctx *c, const wr_fline *x)
{
    return walor_textf(c, "warehouse.supply.line", "id", wr_ref(c, x->pid, x->vno), "title", wr_title(c, &x->it),
                       "qty", num(c, x->qty), "amount", walor_money(c, x->amount), "unit",
                       walor_money(c, wr_unit_cost(x->amount, x->qty)), "old", walor_money(c, x->lv.unit_cost), "new",
                       walor_money(c, wr_wac(x->lv.on_hand, x->lv.unit_cost, x->qty, x->amount)), "stock",
                       num(c, x->lv.on_hand), NULL);
}

static const char *summary(walor_ctx *c, json_t *d)
{
    wr_fline *l;
    uint32_t n;
    if (wr_lines_load(c, json_object_get(d, "items"), &l, &n) != 0)
        return walor_text(c, "warehouse.form.changed");
    const char *name = json_string_value(json_object_get(d, "supplier"));
    int64_t units = 0, total = 0;
    for (uint32_t i = 0; i < n; i++) {
        units += l[i].qty;
        total += l[i].amount;
    }
    return walor_textf(c, "warehouse.supply.summary", "supplier", walor_html_escape(c, name ? name : "?"), "list",
                       items_list(c, l, n, summary_line), "n", num(c, n), "units", num(c, units), "total",
                       walor_money(c, total), NULL);
}

static int32_t apply(walor_ctx *c, json_t *d)
{
    int64_t sup = walor_data_int(d, "supplier_id");
    const char *name = sup ? supplier_name(c, sup) : walor_data_str(d, "supplier");
    if (!name)
        return walor_form_retry(c, "supplier", "warehouse.sup.gone");
    if (!sup && (sup = supplier_id(c, name)) == 0) /* a new one, unless somebody added it meanwhile */
        sup = supplier_add(c, name);
    if (sup < 0)
        return (int32_t)sup;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    wr_fline *l;
    uint32_t n;
    rc = wr_lines_load(c, json_object_get(d, "items"), &l, &n); /* levels as of now, under the lock */
    if (rc == WALOR_ENOTFOUND) {
        walor_tx_rollback(c);
        return walor_form_retry(c, "items", "warehouse.form.changed");
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
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    const char *items = walor_plural(c, n, "позиция|позиции|позиций", 0);
    wr_action(c, walor_ctx_printf(c, "провёл поставку №%lld от «%s»: %s, %lld шт на %s", (long long)id, name, items,
                                  (long long)units, walor_money(c, total)));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.overview"), "wrh:o:0");
    wr_kb_back(c, kb);
    return walor_reply(c,
                       walor_textf(c, "warehouse.supply.done", "id", num(c, id), "n", items, "units", num(c, units),
                                   "total", walor_money(c, total), NULL),
                       kb);
}

static int32_t cancelled(walor_ctx *c)
{
    walor_reply(c, walor_text(c, "warehouse.supply.cancelled"), NULL);
    return wr_section(c);
}

/* the summary takes a new price list too */
static const walor_step_def SUPPLY_STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "supplier",
     .prompt = "warehouse.supply.first_supplier", .prompt_fn = supplier_ask, .label = "warehouse.btn.e_supplier",
     .error = "warehouse.sup.err_len", .min = 1, .max = SUPPLIER_NAME_MAX, .choices_fn = suppliers,
     .validate = supplier_chosen},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "items",
     .prompt = "warehouse.supply.ask_items", .label = "warehouse.btn.e_items", .max = WR_FILE_CHARS,
     .flags = WALOR_STEP_FILE, .validate = items_checked},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "prices",
     .prompt = "warehouse.supply.ask_prices", .prompt_fn = prices_ask, .label = "warehouse.btn.e_prices",
     .max = WR_FILE_CHARS, .flags = WALOR_STEP_FILE | WALOR_STEP_AT_SUMMARY, .validate = prices_checked},
};

int32_t wr_supply_register(walor_plugin *p)
{
    const walor_form_def supply = {.struct_size = sizeof supply, .min_role = WALOR_ROLE_MANAGER, .name = "supply",
                                   .steps = SUPPLY_STEPS, .nsteps = 3, .timeout_s = 3600, .summary_fn = summary,
                                   .on_done = apply, .on_cancel = cancelled, .done_label = "warehouse.btn.supply_ok"};
    const walor_form_def supplier = {.struct_size = sizeof supplier, .min_role = WALOR_ROLE_MANAGER,
                                     .name = "supplier", .steps = SUPPLIER_STEPS, .nsteps = 1, .timeout_s = 900,
                                     .on_done = supplier_done, .on_cancel = to_suppliers};
    int32_t rc = walor_form(p, &supply);
    if (!rc) rc = walor_form(p, &supplier);
    return rc;
}
