/* orders: B2B / offline sale (F-ORD-08), admin button "🏢 Заказ B2B",
 * the form ord_b2b (SDK 1.3) in two steps:
 *   1. lines "ID quantity sum" (walor_form_parse with an amount column):
 *      every bad line is named with its number — unknown product or
 *      variant (catalog service), not enough stock (stock service) — and
 *      nothing is kept;
 *   2. delivery cost, and who pays it when it is not 0;
 *   then the form's summary, and only "✅ Провести" writes: in one
 *   transaction the order (source B2B, the "Корпоративный клиент" with user
 *   id 0) is created with its reservation, paid (the reservation becomes a
 *   sale at the average cost) and completed, so statistics count it like
 *   any completed order.
 * A line's sum is its total: when it does not divide by the quantity, the
 * line is stored as two lines whose kopecks add up to it exactly. */
#include <stdlib.h>
#include <string.h>

#include <walor/services/catalog.h>

#include "orders.h"

#define B2B_LINES_MAX 50
#define DELIVERY_MAX 100000000000LL /* kopecks: a billion roubles */

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }

static const walor_catalog_v1 *catalog(walor_ctx *c)
{
    const walor_catalog_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR,
                                                  NULL);
    return WALOR_CATALOG_HAS(s, item) ? s : NULL;
}


static char *ref(walor_ctx *c, int64_t pid, int64_t vno)
{
    return vno ? walor_ctx_printf(c, "%lld.%lld", (long long)pid, (long long)vno)
               : walor_ctx_printf(c, "%lld", (long long)pid);
}

/* ---- step 1: lines ---- */

static const char *lines_error(walor_ctx *c, const char *errors)
{
    return walor_textf(c, "orders.b2b.err.lines", "errors", errors, NULL);
}

/* every line checked against the catalog and the stock; the good list
 * replaces the text in the data */
static int32_t lines_checked(walor_ctx *c, json_t *value, const char **why)
{
    walor_form_line *fl = NULL;
    uint32_t n = 0;
    const char *errors = NULL;
    int32_t rc = walor_form_parse(c, json_string_value(value), WALOR_FORM_AMOUNT, &fl, &n, &errors);
    if (rc == WALOR_EINVAL)
        *why = lines_error(c, orders_esc(c, errors));
    else if (rc == 0 && n == 0)
        *why = "orders.b2b.err.empty";
    else if (rc == 0 && n > B2B_LINES_MAX)
        *why = walor_textf(c, "orders.b2b.err.many", "max", orders_num(c, B2B_LINES_MAX), NULL);
    if (rc < 0 || *why)
        return rc < 0 ? rc : WALOR_EINVAL;
    const walor_catalog_v1 *cat = catalog(c);
    const walor_stock_v1 *st = orders_stock(c);
    char *bad = NULL;
    json_t *arr = json_array();
    for (uint32_t i = 0; i < n; i++) {
        const walor_form_line *l = &fl[i];
        const char *no = NULL;
        walor_catalog_item it;
        memset(&it, 0, sizeof it);
        it.struct_size = sizeof it;
        if (l->qty <= 0)
            no = T(c, "orders.b2b.err.qty");
        else if (l->amount < 0)
            no = T(c, "orders.b2b.err.sum");
        else if (cat && (rc = cat->item(c, l->id, l->sub, &it)) < 0) {
            if (rc != WALOR_ENOTFOUND) {
                json_decref(arr);
                return rc;
            }
            no = walor_textf(c, "orders.b2b.err.unknown", "ref", ref(c, l->id, l->sub), NULL);
        }
        if (!no && st) {
            int64_t have = 0, want = 0;
            for (uint32_t j = 0; j <= i; j++)
                if (fl[j].id == l->id && fl[j].sub == l->sub)
                    want += fl[j].qty;
            if (st->available(c, l->id, l->sub, &have) == 0 && have != WALOR_STOCK_UNTRACKED && want > have)
                no = walor_textf(c, "orders.b2b.err.stock", "ref", ref(c, l->id, l->sub), "n", orders_num(c, have),
                                 NULL);
        }
        if (no) {
            const char *row = walor_ctx_printf(c, "строка %u: %s", l->line, no);
            bad = bad ? walor_ctx_printf(c, "%s\n%s", bad, row) : walor_ctx_printf(c, "%s", row);
            continue;
        }
        const char *name = cat && it.name ? it.name : walor_textf(c, "orders.b2b.product", "id", orders_num(c, l->id), NULL);
        json_array_append_new(arr, json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I}", "line", (json_int_t)l->line,
                                             "p", (json_int_t)l->id, "v", (json_int_t)l->sub, "q", (json_int_t)l->qty,
                                             "sum", (json_int_t)l->amount, "name", name, "label",
                                             it.variant_label ? it.variant_label : "", "w", (json_int_t)it.weight_g));
    }
    if (bad) {
        json_decref(arr);
        *why = lines_error(c, orders_esc(c, bad));
        return WALOR_EINVAL;
    }
    json_object_set_new(walor_conv_data(c), "lines", arr);
    return 0;
}

/* ---- the preview ---- */

static char *preview(walor_ctx *c, json_t *d, int64_t *goods)
{
    json_t *arr = json_object_get(d, "lines");
    char *s = walor_ctx_printf(c, "%s", "");
    *goods = 0;
    size_t i;
    json_t *l;
    json_array_foreach(arr, i, l)
    {
        const char *label = walor_data_str(l, "label");
        const char *name = *label ? walor_ctx_printf(c, "%s, %s", walor_data_str(l, "name"), label) : walor_data_str(l, "name");
        s = walor_ctx_printf(c, "%s%s%s", s, i ? "\n" : "",
                             walor_textf(c, "orders.b2b.line", "i", orders_num(c, (int64_t)i + 1), "ref",
                                         ref(c, walor_data_int(l, "p"), walor_data_int(l, "v")), "name", orders_esc(c, name), "qty",
                                         orders_num(c, walor_data_int(l, "q")), "sum", walor_money(c, walor_data_int(l, "sum")), NULL));
        *goods += walor_data_int(l, "sum");
    }
    return s;
}

/* ---- step 2: delivery and who pays ---- */

static const char *delivery_ask(walor_ctx *c, json_t *d)
{
    int64_t goods;
    char *p = preview(c, d, &goods);
    return walor_textf(c, "orders.b2b.ask_delivery", "lines", p, "goods", walor_money(c, goods), NULL);
}

/* who pays is asked only for a delivery that costs something */
static int32_t paid_delivery(walor_ctx *c, json_t *d)
{
    (void)c;
    return walor_data_int(d, "dc") > 0;
}

/* ---- the summary and the write ---- */

static int64_t charged_delivery(json_t *d)
{
    return walor_data_int(d, "dc") > 0 && !strcmp(walor_data_str(d, "payer"), "client") ? walor_data_int(d, "dc") : 0;
}

static const char *confirm_text(walor_ctx *c, json_t *d)
{
    int64_t goods;
    char *p = preview(c, d, &goods);
    const char *dl = walor_data_int(d, "dc") <= 0 ? T(c, "orders.b2b.no_delivery")
                                        : walor_textf(c, !strcmp(walor_data_str(d, "payer"), "client")
                                                             ? "orders.b2b.delivery_client"
                                                             : "orders.b2b.delivery_shop",
                                                      "sum", walor_money(c, walor_data_int(d, "dc")), NULL);
    return walor_textf(c, "orders.b2b.confirm", "lines", p, "goods", walor_money(c, goods), "delivery", dl, "total",
                       walor_money(c, goods + charged_delivery(d)), NULL);
}

/* the order's lines, a line whose sum does not divide by its quantity in
 * two; origin[i] is the form line number of order line i */
static walor_order_line *build_lines(walor_ctx *c, json_t *arr, uint32_t *n, uint32_t **origin)
{
    size_t cnt = json_array_size(arr);
    walor_order_line *out = walor_ctx_alloc(c, (2 * cnt + 1) * sizeof *out);
    uint32_t *org = walor_ctx_alloc(c, (2 * cnt + 1) * sizeof *org);
    if (!out || !org)
        return NULL;
    uint32_t k = 0;
    size_t i;
    json_t *l;
    json_array_foreach(arr, i, l)
    {
        int64_t unit, rest, qty = walor_data_int(l, "q");
        if (orders_split_sum(walor_data_int(l, "sum"), qty, &unit, &rest) < 0)
            return NULL;
        for (int part = 0; part < 2; part++) {
            int64_t q = part ? rest : qty - rest;
            if (q <= 0)
                continue;
            walor_order_line *o = &out[k];
            o->struct_size = sizeof *o;
            o->product_id = walor_data_int(l, "p");
            o->variant_no = walor_data_int(l, "v");
            o->name = walor_data_str(l, "name");
            o->variant_label = walor_data_str(l, "label");
            o->unit_price = o->base_price = unit + part;
            o->qty = q;
            o->weight_g = walor_data_int(l, "w");
            org[k++] = (uint32_t)walor_data_int(l, "line");
        }
    }
    *n = k;
    *origin = org;
    return out;
}

static int32_t record(walor_ctx *c, json_t *d)
{
    uint32_t n = 0, *origin = NULL, failed = UINT32_MAX;
    walor_order_line *lines = build_lines(c, json_object_get(d, "lines"), &n, &origin);
    if (!lines || n == 0)
        return WALOR_ENOMEM;
    int64_t goods = 0;
    for (uint32_t i = 0; i < n; i++)
        goods += lines[i].unit_price * lines[i].qty;
    int64_t dcharged = charged_delivery(d);
    const char *payer = walor_data_int(d, "dc") > 0 && *walor_data_str(d, "payer") ? walor_data_str(d, "payer") : "none";
    json_t *extra = json_pack("{s:{s:I, s:s}}", "b2b", "delivery_cost", (json_int_t)walor_data_int(d, "dc"), "delivery_payer",
                              payer);
    char *extra_s = extra ? json_dumps(extra, JSON_COMPACT) : NULL;
    json_decref(extra);
    walor_order_new o = {.struct_size = sizeof o, .source = WALOR_ORDER_SRC_B2B, .user_id = 0, .lines = lines,
                         .n_lines = n, .delivery_cost = dcharged, .total = goods + dcharged,
                         .contact_name = T(c, "orders.b2b.client_plain"),
                         .extra_json = extra_s ? walor_ctx_printf(c, "%s", extra_s) : NULL,
                         .delivery_shop = !strcmp(walor_data_str(d, "payer"), "shop") ? walor_data_int(d, "dc") : 0};
    free(extra_s);
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    rc = orders_service.create(c, &o, &id, &failed);
    if (rc == 0)
        rc = orders_service.mark_paid(c, id, "b2b");
    if (rc == 0)
        rc = orders_complete_sale(c, id);
    if (rc == 0 && walor_action_log(c, walor_ctx_printf(c, "B2B-продажа: заказ №%lld на %s", (long long)id,
                                                         walor_money(c, o.total))) < 0)
        rc = WALOR_EDB;
    if (rc < 0) {
        walor_tx_rollback(c);
        if (rc == WALOR_ERANGE && failed < n) /* stock went since step 1: the summary again, with the line */
            return walor_form_retry(c, NULL,
                                    lines_error(c, walor_ctx_printf(c, "строка %u: %s", origin[failed],
                                                                    T(c, "orders.b2b.err.stock_now"))));
        return rc;
    }
    rc = walor_tx_commit(c);
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "orders.b2b.btn.open"), walor_ctx_printf(c, "ord:o:%lld", (long long)id));
    return walor_reply(c, walor_textf(c, "orders.b2b.done", "id", orders_num(c, id), "sum", walor_money(c, o.total), NULL),
                       kb);
}

static int32_t cancelled(walor_ctx *c) { return walor_reply(c, T(c, "orders.b2b.cancelled"), NULL); }

static int32_t on_menu(walor_ctx *c) { return walor_conv_start(c, "ord_b2b", NULL, NULL); }

static const walor_step_choice PAYERS[] = {{"client", "orders.b2b.btn.client_pays"}, {"shop", "orders.b2b.btn.shop_pays"}};

static const walor_step_def ST[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "lines", .prompt = "orders.b2b.ask_lines",
     .label = "orders.b2b.btn.e_lines", .validate = lines_checked},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_MONEY, .key = "dc", .prompt = "orders.b2b.ask_delivery",
     .prompt_fn = delivery_ask, .label = "orders.b2b.btn.e_delivery", .error = "orders.b2b.err.delivery", .min = 0,
     .max = DELIVERY_MAX},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_CHOICE, .key = "payer", .prompt = "orders.b2b.ask_payer",
     .label = "orders.b2b.btn.e_payer", .nchoices = 2, .choices = PAYERS, .ask_if = paid_delivery},
};

static const walor_text_pair TEXTS[] = {
    {"orders.b2b.ask_lines", "🏢 <b>Заказ B2B / офлайн-продажа</b>\nШаг 1 из 2. Напишите товары, по одному в строке: "
                             "<code>ID количество сумма</code>\nНапример:\n<code>12 5 7500</code> — 5 шт товара 12 "
                             "за 7 500 ₽\n<code>12.2 3 1000,50</code> — фасовка 2 товара 12"},
    {"orders.b2b.err.lines", "Ошибки — ничего не записано:\n{errors}\nИсправьте и пришлите список целиком."},
    {"orders.b2b.err.empty", "Список пуст: напишите хотя бы одну строку <code>ID количество сумма</code>."},
    {"orders.b2b.err.many", "Слишком много строк: не больше {max}."},
    {"orders.b2b.err.qty", "количество должно быть больше нуля"},
    {"orders.b2b.err.sum", "сумма не может быть отрицательной"},
    {"orders.b2b.err.unknown", "товара {ref} нет в каталоге"},
    {"orders.b2b.err.stock", "товара {ref} в наличии только {n} шт"},
    {"orders.b2b.err.stock_now", "товар закончился, пока вы оформляли продажу"},
    {"orders.b2b.err.delivery", "Стоимость доставки — сумма в рублях, например <code>500</code> или "
                                "<code>0</code>."},
    {"orders.b2b.product", "Товар {id}"},
    {"orders.b2b.line", "{i}. [{ref}] {name} — {qty} шт на {sum}"},
    {"orders.b2b.ask_delivery", "🏢 <b>Состав:</b>\n{lines}\nТовары: {goods}\n\nШаг 2 из 2. Стоимость доставки в "
                                "рублях (0 — без доставки):"},
    {"orders.b2b.ask_payer", "Доставка {dc}: кто её оплачивает?"},
    {"orders.b2b.no_delivery", "Доставка: нет"},
    {"orders.b2b.delivery_client", "Доставка: {sum}, платит клиент"},
    {"orders.b2b.delivery_shop", "Доставка: {sum}, платит магазин (в расходы)"},
    {"orders.b2b.confirm", "🏢 <b>Проверьте B2B-продажу</b>\n{lines}\n\nТовары: {goods}\n{delivery}\n💰 <b>Итого с "
                           "клиента: {total}</b>\n\nТовары будут списаны со склада по средней себестоимости, заказ "
                           "сразу получит статус «Выполнен»."},
    {"orders.b2b.done", "✅ B2B-заказ №{id} проведён: товары списаны, сумма {sum}."},
    {"orders.b2b.cancelled", "B2B-продажа отменена, ничего не записано."},
    {"orders.b2b.client_plain", "Корпоративный клиент"},
    {"orders.b2b.btn.client_pays", "👤 Платит клиент"},
    {"orders.b2b.btn.shop_pays", "🏪 Платит магазин"},
    {"orders.b2b.btn.confirm", "✅ Провести"},
    {"orders.b2b.btn.e_lines", "📦 Товары"},
    {"orders.b2b.btn.e_delivery", "🚚 Доставка"},
    {"orders.b2b.btn.e_payer", "👤 Кто платит"},
    {"orders.b2b.btn.open", "📋 Открыть заказ"},
};

static const char HELP[] =
    "<b>🏢 Заказ B2B / офлайн-продажа</b>\n"
    "Для продаж вне бота (организации, ярмарки). 🛠 → «🏢 Заказ B2B»:\n"
    "1. Товары по одному в строке: <code>ID количество сумма</code>, фасовка через точку: <code>12.2 3 1000</code>. "
    "Сумма — за всю строку. Если строка неверна (нет товара, не хватает остатка), бот назовёт номер каждой такой "
    "строки и ничего не запишет.\n"
    "2. Стоимость доставки (0 — без неё) и кто платит.\n"
    "После «✅ Провести» товар списывается со склада по средней себестоимости, заказ «Корпоративного клиента» сразу "
    "выполнен и попадает в статистику.";

int32_t orders_b2b_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                                 .order = 22, .id = "b2b", .label = "🏢 Заказ B2B", .on_press = on_menu,
                                 .group = WALOR_MENU_GROUP_SALES};
    const walor_form_def form = {.struct_size = sizeof form, .min_role = WALOR_ROLE_MANAGER, .name = "ord_b2b",
                                 .steps = ST, .nsteps = sizeof ST / sizeof ST[0], .timeout_s = 3600,
                                 .summary_fn = confirm_text, .on_done = record, .on_cancel = cancelled,
                                 .done_label = "orders.b2b.btn.confirm"};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_form(p, &form);
    if (!rc) rc = walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]);
    if (!rc) rc = walor_help(p, "🏢 Заказ B2B", HELP, WALOR_ROLE_MANAGER);
    return rc;
}
