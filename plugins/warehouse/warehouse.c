/* warehouse: the stock ledger and its staff screens (README.md).
 *
 *   ledger.c  levels and the ledger, the only writer of stock
 *   stock.c   the `stock` service other plugins use
 *   wac.c     weighted-average cost arithmetic
 *   admin.c   staff section "📦 Склад": overview, search, one level
 *   forms.c   bulk write-off and stock-take
 *   supply.c  supplies and the suppliers directory
 *   texts.c   default texts; util.c shared helpers; qr.c the QR sheet
 *   demo.c    demo stock for `make run`
 * Product names, variants and thresholds come from the `catalog` service. */
#include <walor/plugin.h>

#include "ledger.h"
#include "stock.h"
#include "warehouse.h"

/* catalog.product_deleted: the ID is never reused, so its levels are
 * archived (kept for the ledger, no longer reservable or listed) */
static int32_t on_product_deleted(walor_ctx *c, const char *event, json_t *pl)
{
    (void)event;
    if (json_integer_value(json_object_get(pl, "v")) != 1)
        return 0;
    int64_t pid = (int64_t)json_integer_value(json_object_get(pl, "product_id"));
    if (pid <= 0)
        return 0;
    int32_t rc = walor_db_exec(c, "UPDATE warehouse_item SET deleted = 1, updated_at = ? WHERE product_id = ?",
                               WALOR_ARGS(walor_i(walor_now(c)), walor_i(pid)));
    return rc < 0 ? rc : 0;
}

static const char HELP[] =
    "<b>🏬 Склад</b> (🛠 Админ-панель → 🏬 Склад)\n"
    "• 📋 Остатки: 🟢 достаточно, 🟡 не выше порога товара, 🔴 нет в наличии; нажмите позицию, чтобы увидеть "
    "движения и изменить остаток.\n"
    "• Списание, инвентаризация, поставка — списком, по строке на позицию: <code>ID количество</code>. "
    "Фасовку указывайте как <code>ID.N</code> (<code>12.2 5</code> — вторая фасовка товара 12), товар без фасовок — "
    "просто <code>ID</code>. Длинный список можно прислать файлом .txt.\n"
    "• Поставка: поставщик → товары → сумма за партию по каждой строке (<code>12.2 2 500</code>); бот покажет "
    "цену за штуку и новую среднюю себестоимость.\n"
    "• Ничего не меняется, пока вы не подтвердите; ошибки показываются с номерами строк.";

static int32_t load(walor_plugin *p)
{
    wr_demo_configure(p);
    int32_t rc = walor_migration(p, 1, wr_migration_1);
    if (!rc) rc = walor_migration(p, 2, wr_migration_2);
    if (!rc) rc = wr_stock_provide(p);
    if (!rc) rc = walor_subscribe(p, "catalog.product_deleted", on_product_deleted);
    if (!rc) rc = wr_texts_register(p);
    if (!rc) rc = wr_admin_register(p);
    if (!rc) rc = wr_forms_register(p);
    if (!rc) rc = wr_supply_register(p);
    if (!rc) rc = walor_help(p, "🏬 Склад", HELP, WALOR_ROLE_MANAGER);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "warehouse", .version = "0.1.0",
                    .description = "Склад: остатки, себестоимость, поставки, списания, инвентаризация, QR-коды",
                    .min_host_minor = 3, /* nested walor_tx_begin, forms and paged lists (SDK 1.3) */ .load = load)
