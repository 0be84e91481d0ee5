/* orders: the customer's "📦 Мои заказы" (F-ORD-11): the history with status
 * and sums, and one order's detail. Callback prefix "myo" (any user): the
 * order is shown only to its own customer, whatever the callback data says. */
#include <string.h>

#include "orders.h"

#define PAGE 8

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }

static void tail(walor_ctx *c, walor_kb *kb)
{
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "orders.btn.main"), "m:core.main");
}

static const char *order_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    walor_kb_button(kb,
                    walor_textf(c, "orders.my.row", "id", orders_num(c, walor_col_int(r, 0)), "status",
                                orders_status_label(c, walor_col_text(r, 1)), "sum", walor_money(c, walor_col_int(r, 2)),
                                "date", orders_when(c, walor_col_int(r, 3)), NULL),
                    walor_ctx_printf(c, "myo:o:%lld", (long long)walor_col_int(r, 0)));
    return NULL;
}

/* the customer's own orders, newest first; page: the digits after "myo:l:", NULL for the first */
static int32_t show_list(walor_ctx *c, const char *page)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "orders.btn.main"), "m:core.main");
    walor_val uid = walor_i(walor_ctx_user_id(c));
    walor_list_def l = {.struct_size = sizeof l, .page_size = PAGE, .row = order_row,
                        .sql = "SELECT id, status, total, created_at FROM orders_order WHERE user_id = ? "
                               "ORDER BY id DESC",
                        .args = &uid, .nargs = 1, .page_data = "myo:l:", .header = T(c, "orders.my.title"),
                        .empty = T(c, "orders.my.empty"), .buttons = kb, .prev_label = "orders.btn.prev",
                        .next_label = "orders.btn.next"};
    return walor_list_show(c, &l, page);
}

static int32_t show_order(walor_ctx *c, int64_t id)
{
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (rc == WALOR_ENOTFOUND || o->user_id != walor_ctx_user_id(c)) {
        /* someone else's order looks exactly like a missing one */
        if (walor_in_callback(c))
            walor_alert(c, T(c, "orders.my.not_found"));
        return show_list(c, NULL);
    }
    char *s = walor_textf(c, "orders.my.card", "id", orders_num(c, id), "date", orders_when(c, o->created_at),
                          "status", orders_status_label(c, o->status), NULL);
    if (o->delivery_type && *o->delivery_type)
        s = walor_ctx_printf(c, "%s\n%s", s,
                             walor_textf(c, "orders.adm.card_dtype", "type",
                                         T(c, walor_ctx_printf(c, "orders.dt.%s", o->delivery_type)), NULL));
    const char *where = *o->pickup_point ? o->pickup_point : o->address;
    if (*where)
        s = walor_ctx_printf(c, "%s\n%s", s,
                             walor_textf(c, "orders.adm.card_address", "address", orders_esc(c, where), NULL));
    s = walor_ctx_printf(c, "%s\n\n%s\n\n%s", s, orders_lines_html(c, o), orders_sums_html(c, o));
    if (*o->tracking)
        s = walor_ctx_printf(c, "%s\n%s", s, walor_textf(c, "orders.my.track", "track", orders_esc(c, o->tracking), NULL));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "orders.my.btn.back"), "myo:l:0");
    tail(c, kb);
    return walor_show(c, s, kb);
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    int64_t n = 0;
    if (!strncmp(arg, "l:", 2))
        return show_list(c, arg + 2);
    if (!strncmp(arg, "o:", 2) && walor_parse_id(arg + 2, &n) == 0)
        return show_order(c, n);
    if (arg[0] == 'o' && walor_in_callback(c)) /* a malformed order id: as if unknown */
        walor_alert(c, T(c, "orders.my.not_found"));
    return show_list(c, NULL);
}

static int32_t on_menu(walor_ctx *c) { return show_list(c, NULL); }
static int32_t on_cmd(walor_ctx *c, const char *arg)
{
    (void)arg;
    return show_list(c, NULL);
}

static const char HELP[] =
    "<b>📦 Мои заказы</b>\n"
    "Кнопка «📦 Мои заказы» в главном меню или команда /orders: все ваши заказы со статусом и суммой; нажмите на "
    "заказ, чтобы увидеть состав, доставку и трек-номер. О каждой смене статуса бот напишет сам.";

int32_t orders_customer_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_CLIENT, .where = WALOR_MENU_MAIN,
                                 .order = 300, .id = "my_orders", .label = "📦 Мои заказы", .on_press = on_menu};
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "myo",
                                   .handler = on_cb};
    const walor_command_def cmd = {.struct_size = sizeof cmd, .min_role = WALOR_ROLE_CLIENT, .name = "orders",
                                   .description = "Мои заказы", .handler = on_cmd, .flags = WALOR_CMD_LISTED};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_command(p, &cmd);
    if (!rc) rc = walor_help(p, "📦 Мои заказы", HELP, WALOR_ROLE_CLIENT);
    return rc;
}
