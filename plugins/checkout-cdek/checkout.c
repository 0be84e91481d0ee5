/* checkout-cdek: registration (README.md). The cart's "✅ Оформить заказ"
 * reaches chk_start() through the `checkout` service's start_callback. */
#include <stdlib.h>
#include <string.h>

#include "checkout.h"

/* ---- helpers shared by the files ---- */

int chk_setting_on(walor_ctx *c, const char *key, int dflt) { return walor_setting_or(c, key, dflt) != 0; }

const walor_cart_v1 *chk_cart(walor_ctx *c)
{
    const walor_cart_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_CART_SERVICE, WALOR_CART_MAJOR, NULL);
    return WALOR_CART_HAS(s, clear) ? s : NULL;
}

const walor_orders_v1 *chk_orders(walor_ctx *c)
{
    const walor_orders_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, NULL);
    return WALOR_ORDERS_HAS(s, set_tracking) ? s : NULL;
}

const walor_pricing_v1 *chk_pricing(walor_ctx *c)
{
    const walor_pricing_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_PRICING_SERVICE, WALOR_PRICING_MAJOR, NULL);
    return WALOR_PRICING_HAS(s, adjust) && WALOR_PRICING_HAS(s, apply) && WALOR_PRICING_HAS(s, prompt) &&
                   (s->n_steps == 0 || s->steps)
               ? s
               : NULL;
}

char *chk_i64(walor_ctx *c, int64_t v) { return walor_ctx_printf(c, "%lld", (long long)v); }

void chk_tell_staff(walor_ctx *c, int64_t order_id, const char *html)
{
    walor_log(c, WALOR_LOG_WARN, "checkout-cdek: staff told about order %lld", (long long)order_id);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "checkout-cdek.staff.btn.open"), walor_ctx_printf(c, "ord:o:%lld", (long long)order_id));
    if (walor_notify_staff(c, WALOR_ROLE_MANAGER, html, kb) < 0)
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: staff notice: %s", walor_last_error(c));
}

#define DEFAULT_BOXES "1000:150:20x15x10; 5000:300:30x20x15; 30000:600:40x30x30"

int chk_boxes(walor_ctx *c, chk_box *b)
{
    const char *spec = walor_setting_str(c, "checkout-cdek.boxes"), *why = NULL;
    int n = chk_boxes_parse(spec, b, CHK_BOXES_MAX, &why);
    return n > 0 ? n : chk_boxes_parse(DEFAULT_BOXES, b, CHK_BOXES_MAX, &why);
}

static int32_t boxes_valid(walor_ctx *c, const char *value, const char **why)
{
    (void)c;
    chk_box b[CHK_BOXES_MAX];
    return chk_boxes_parse(value, b, CHK_BOXES_MAX, why) > 0 ? 0 : WALOR_EINVAL;
}

/* ---- registration ---- */

static const walor_text_pair TEXTS[] = {
    {"checkout-cdek.closed", "Магазин сейчас не принимает заказы. Загляните позже!"},
    {"checkout-cdek.unavailable", "Оформление заказа временно недоступно. Попробуйте позже."},
    {"checkout-cdek.empty", "🛒 Корзина пуста — оформлять нечего."},
    {"checkout-cdek.min_order", "Минимальная сумма заказа — {sum}."},
    {"checkout-cdek.cancelled", "Оформление отменено. Товары остались в корзине."},
    {"checkout-cdek.changed", "Корзина или скидки изменились — проверьте заказ ещё раз."},
    {"checkout-cdek.no_stock", "😔 Товара «{name}» не хватает на складе — его только что купили. "
                               "Проверьте корзину и оформите заказ снова."},
    {"checkout-cdek.placed", "✅ <b>Заказ №{id} оформлен</b> на сумму {total}."},
    {"checkout-cdek.placed_manual", "🚚 Стоимость доставки менеджер рассчитает вручную и сообщит вам."},
    {"checkout-cdek.staff.btn.open", "📋 Открыть заказ"},
    {"checkout-cdek.staff.manual",
     "🚚 <b>Доставка вручную</b>: СДЭК не рассчитал доставку заказа №{id} на {total}. "
     "Рассчитайте её и сообщите клиенту."},
    {"checkout-cdek.staff.not_delivered", "📦 СДЭК: заказ №{id} не вручён получателю ({why}). Свяжитесь с клиентом."},
    {"checkout-cdek.staff.returned", "↩️ СДЭК: заказ №{id} возвращается отправителю ({why}). Свяжитесь с клиентом."},
    {"checkout-cdek.staff.removed", "🗑 СДЭК: заказ №{id} удалён в СДЭК. Проверьте накладную."},
    {"checkout-cdek.staff.storage_expired", "⏳ Заказ №{id} лежит в пункте выдачи, срок хранения истёк, а клиент его "
                                           "не забрал. Напомните клиенту, пока посылка не ушла обратно."},
    {"checkout-cdek.notify.at_point", "📍 Пункт выдачи СДЭК: {address}\nЗаберите заказ до {until} включительно."},
    {"checkout-cdek.notify.at_point_hours", "🕘 Часы работы: {hours}"},
    {"checkout-cdek.notify.at_point_track", "🔢 Номер отправления: <code>{track}</code>"},
    {"checkout-cdek.staff.point_manual",
     "🚚 Заказ №{id}: пункт выдачи указан клиентом вручную — оформите накладную СДЭК сами."},
    {"checkout-cdek.staff.refused", "❌ СДЭК отклонил накладную заказа №{id}: {why}. Исправьте данные и оформите её вручную."},
    {"checkout-cdek.staff.no_number", "⚠️ СДЭК так и не присвоил номер заказу №{id}: проверьте накладную в кабинете СДЭК."},
    {"checkout-cdek.placed_wait", "💳 Менеджер свяжется с вами и подтвердит оплату."},
    {"checkout-cdek.ask.name", "📝 <b>Оформление заказа</b>\nШаг 1. Как вас зовут? Напишите имя и фамилию получателя."},
    {"checkout-cdek.ask.phone", "📞 Номер телефона получателя (например, +7 916 123-45-67):"},
    {"checkout-cdek.ask.email", "✉️ Электронная почта для чека (или нажмите «Без почты»):"},
    {"checkout-cdek.ask.address", "📍 Адрес доставки: напишите город, улицу и дом — или отправьте геолокацию "
                                  "(📎 → Геопозиция)."},
    {"checkout-cdek.ask.address_pick", "🔎 Точного адреса «{input}» не нашлось. Может быть, один из этих? "
                                       "Или напишите адрес подробнее."},
    {"checkout-cdek.ask.dtype", "🚚 <b>Способ доставки</b>\nАдрес: {address}\nВес посылки: {weight} кг"},
    {"checkout-cdek.ask.point", "🏪 Ближайшие пункты выдачи СДЭК — выберите один:"},
    {"checkout-cdek.ask.point_nogeo", "🏪 Пункты выдачи СДЭК в вашем городе — выберите один:"},
    {"checkout-cdek.ask.point_typed", "🏪 Список пунктов выдачи сейчас недоступен. Напишите адрес удобного пункта "
                                      "СДЭК — менеджер проверит его."},
    {"checkout-cdek.point_line", "{n}. <b>{address}</b>\n🕘 {hours}\n📏 {dist}"},
    {"checkout-cdek.point_line_nodist", "{n}. <b>{address}</b>\n🕘 {hours}"},
    {"checkout-cdek.ask.entrance", "🚪 Подъезд (номер или «нет»):"},
    {"checkout-cdek.ask.floor", "🏢 Этаж:"},
    {"checkout-cdek.ask.intercom", "🔔 Домофон (код или «нет»):"},
    {"checkout-cdek.ask.comment", "💬 Комментарий к заказу (или нажмите «Без комментария»):"},
    {"checkout-cdek.bad.name", "Напишите имя текстом, не длиннее 100 символов."},
    {"checkout-cdek.bad.phone_dd", "Не получилось распознать номер «{input}»: проверьте цифры и код страны "
                                   "и напишите его ещё раз."},
    {"checkout-cdek.bad.email", "Напишите адрес почты, не длиннее 100 символов."},
    {"checkout-cdek.bad.email_dd", "Адрес «{input}» не похож на электронную почту. Проверьте его или нажмите "
                                   "«Без почты»."},
    {"checkout-cdek.bad.address", "Напишите адрес текстом, не длиннее 300 символов."},
    {"checkout-cdek.bad.address_dd", "Не получилось найти адрес «{input}». Напишите город, улицу и номер дома."},
    {"checkout-cdek.bad.location", "Рядом с этой точкой адрес не нашёлся. Напишите адрес текстом."},
    {"checkout-cdek.bad.short", "Ответ слишком длинный: не больше 30 символов."},
    {"checkout-cdek.bad.comment", "Комментарий слишком длинный: не больше {n} символов."},
    {"checkout-cdek.bad.ext", "Не подходит. Попробуйте ещё раз или нажмите «Пропустить»."},
    {"checkout-cdek.addr_unverified", "⚠️ Адрес сейчас не удалось проверить — мы приняли его как есть, "
                                      "менеджер уточнит его при необходимости."},
    {"checkout-cdek.manual_note", "⚠️ Рассчитать доставку сейчас не удалось: менеджер рассчитает доставку "
                                  "вручную и сообщит вам стоимость."},
    {"checkout-cdek.free_left.pickup", "До бесплатной доставки в пункт выдачи осталось {sum}."},
    {"checkout-cdek.free_left.courier", "До бесплатной доставки курьером осталось {sum}."},
    {"checkout-cdek.price_free", "бесплатно"},
    {"checkout-cdek.price_manual", "менеджер рассчитает доставку вручную"},
    {"checkout-cdek.btn.pickup", "🏪 Пункт выдачи СДЭК — {price}"},
    {"checkout-cdek.btn.courier", "🚚 Курьер СДЭК — {price}"},
    {"checkout-cdek.btn.keep", "✅ {value}"},
    {"checkout-cdek.btn.keep_courier", "✅ Как в прошлый раз: подъезд {entrance}, этаж {floor}, домофон {intercom}"},
    {"checkout-cdek.btn.no_email", "Без почты"},
    {"checkout-cdek.btn.none", "Нет"},
    {"checkout-cdek.btn.skip", "Пропустить"},
    {"checkout-cdek.btn.no_comment", "Без комментария"},
    {"checkout-cdek.btn.to_cart", "🛒 В корзину"},
    {"checkout-cdek.btn.confirm", "✅ Подтвердить"},
    {"checkout-cdek.btn.e_contacts", "✏️ Контакты"},
    {"checkout-cdek.btn.e_address", "✏️ Адрес"},
    {"checkout-cdek.btn.e_dtype", "✏️ Способ доставки"},
    {"checkout-cdek.btn.e_point", "✏️ Пункт выдачи"},
    {"checkout-cdek.btn.e_courier", "✏️ Подъезд, этаж"},
    {"checkout-cdek.btn.e_ext", "✏️ {title}"},
    {"checkout-cdek.btn.e_comment", "✏️ Комментарий"},
    {"checkout-cdek.sum.head", "🧾 <b>Проверьте заказ</b>\n\n👤 {contacts}\n📍 {address}\n{where}"},
    {"checkout-cdek.sum.unverified", "(⚠️ адрес не проверен)"},
    {"checkout-cdek.sum.pickup", "🏪 Пункт выдачи СДЭК: {address} ({hours})"},
    {"checkout-cdek.sum.courier", "🚚 Курьер СДЭК: подъезд {entrance}, этаж {floor}, домофон {intercom}"},
    {"checkout-cdek.sum.comment", "💬 {comment}"},
    {"checkout-cdek.sum.line", "{n}. {name} — {price} × {qty} шт = {sum}"},
    {"checkout-cdek.sum.goods", "Товары: {sum}"},
    {"checkout-cdek.sum.product_discount", "Скидки на товары: {sum}"},
    {"checkout-cdek.sum.adjust", "{label}: {sum}"},
    {"checkout-cdek.sum.delivery", "Доставка: {sum}"},
    {"checkout-cdek.sum.free_left", "До бесплатной доставки осталось {sum}."},
    {"checkout-cdek.sum.total", "<b>Итого: {sum}</b>"},
    {"checkout-cdek.order.courier", "подъезд {entrance}, этаж {floor}, домофон {intercom}"},
};

static const walor_checkout_v1 SERVICE = {.struct_size = sizeof SERVICE, .start_callback = CHK_PREFIX ":go"};

static const char MIGRATION_1[] =
    "CREATE TABLE checkout_cdek_customer ("     /* what a customer typed last time (F-CHK-02, F-CHK-06) */
    " user_id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',"
    " entrance TEXT NOT NULL DEFAULT '', floor TEXT NOT NULL DEFAULT '', intercom TEXT NOT NULL DEFAULT '',"
    " updated_at INTEGER NOT NULL);"
    "CREATE TABLE checkout_cdek_points ("       /* CDEK pickup points per city, with a TTL */
    " city_code INTEGER PRIMARY KEY,"
    " fetched_at INTEGER NOT NULL,"
    " body TEXT NOT NULL);"
    "CREATE TABLE checkout_cdek_shipment ("     /* one CDEK order per shop order (F-CHK-10) */
    " order_id INTEGER PRIMARY KEY,"
    " number TEXT NOT NULL,"                    /* ours, sent as CDEK's `number` */
    " uuid TEXT NOT NULL DEFAULT '',"
    " cdek_number TEXT NOT NULL DEFAULT '',"
    " last_code TEXT NOT NULL DEFAULT '',"      /* the CDEK status applied last: replays change nothing */
    " state TEXT NOT NULL DEFAULT 'active',"    /* active | delivered | invalid */
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX checkout_cdek_shipment_uuid ON checkout_cdek_shipment(uuid);";

static const char HELP[] =
    "<b>🛒 Оформление заказа</b>\n"
    "В корзине нажмите «✅ Оформить заказ» и ответьте на вопросы: имя, телефон, почта, адрес (текстом или "
    "геолокацией), способ доставки СДЭК — пункт выдачи или курьер. В конце проверьте сводку: любой пункт можно "
    "изменить кнопкой «✏️». «✖️ Отмена» или /cancel прерывает оформление, товары остаются в корзине.";

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM checkout_cdek_customer WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

#define SET(t, k, l, d, mn, mx, v)                                                                           \
    {.struct_size = sizeof(walor_setting_def), .type = t, .key = k, .label = l, .default_value = d, .min = mn, \
     .max = mx, .flags = WALOR_SET_OWNER_EDITABLE, .validate = v}

static const walor_setting_def SETTINGS[] = {
    SET(WALOR_SET_MONEY, "free_msk_pickup", "Доставка: бесплатно в ПВЗ по Москве от суммы (0 — нет)", "0", 0,
        100000000, NULL),
    SET(WALOR_SET_MONEY, "free_msk_courier", "Доставка: бесплатно курьером по Москве от суммы (0 — нет)", "0", 0,
        100000000, NULL),
    SET(WALOR_SET_INT, "free_region_pickup_pct",
        "Доставка: регионы, ПВЗ бесплатно, если доставка не дороже % от заказа (0 — нет)", "0", 0, 100, NULL),
    SET(WALOR_SET_INT, "free_region_courier_pct",
        "Доставка: регионы, курьер бесплатно, если доставка не дороже % от заказа (0 — нет)", "0", 0, 100, NULL),
    SET(WALOR_SET_MONEY, "min_order", "Минимальная сумма заказа (0 — нет)", "0", 0, 100000000, NULL),
    SET(WALOR_SET_INT, "from_city", "СДЭК: код города отправки (44 — Москва)", "44", 1, 100000000, NULL),
    SET(WALOR_SET_INT, "moscow_city", "СДЭК: код Москвы для бесплатной доставки", "44", 1, 100000000, NULL),
    SET(WALOR_SET_STRING, "boxes", "Коробки: «вес_до:вес_коробки:ДxШxВ; …» в граммах и см", DEFAULT_BOXES, 1, 200,
        boxes_valid),
    SET(WALOR_SET_INT, "points_ttl_h", "СДЭК: хранить список пунктов выдачи, часов", "24", 1, 720, NULL),
    SET(WALOR_SET_INT, "pickup_storage_days", "СДЭК: срок хранения в пункте выдачи, дней", "7", 1, 60, NULL),
};

static int32_t load(walor_plugin *p)
{
    int32_t rc = walor_migration(p, 1, MIGRATION_1);
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = CHK_PREFIX,
                                   .handler = chk_start};
    const walor_conv_def conv = {.struct_size = sizeof conv, .min_role = WALOR_ROLE_CLIENT, .name = CHK_CONV,
                                 .states = chk_states, .nstates = chk_nstates, .timeout_s = CHK_TIMEOUT,
                                 .on_cancel = chk_cancelled};
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_conversation(p, &conv);
    if (!rc) rc = chk_contacts_register(p);
    for (size_t i = 0; !rc && i < sizeof SETTINGS / sizeof SETTINGS[0]; i++)
        rc = walor_setting(p, &SETTINGS[i]);
    if (!rc) rc = walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]);
    if (!rc) rc = walor_service_provide(p, WALOR_CHECKOUT_SERVICE, WALOR_CHECKOUT_MAJOR, WALOR_CHECKOUT_MINOR, &SERVICE);
    if (!rc) rc = walor_wipe(p, wipe);
    if (!rc) rc = walor_help(p, "🛒 Оформление заказа", HELP, WALOR_ROLE_CLIENT);
    if (!rc) rc = chk_ship_register(p);
    if (!rc) rc = chk_config_check(p);
    return rc;
}

static void unload(walor_plugin *p)
{
    (void)p;
    chk_cdek_forget_token();
}

WALOR_PLUGIN_DEFINE(.name = "checkout-cdek", .version = "0.1.0",
                    .description = "Оформление заказа: контакты и адрес (DaData), доставка СДЭК",
                    .requires = "catalog", .min_host_minor = 3 /* forms (SDK 1.3) */, .load = load, .unload = unload)
