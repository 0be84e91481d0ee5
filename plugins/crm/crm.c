/* crm: client cards, search, history, notes, direct messages, bonuses and
 * discounts through loyalty, Excel export and tracking links (README.md).
 * This file registers the parts, the migrations and the help, and holds
 * the small helpers they share. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm.h"

char *crm_num(walor_ctx *c, int64_t n) { return walor_number(c, n, 0); }
char *crm_esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

char *crm_date(walor_ctx *c, int64_t t)
{
    char *s = t > 0 ? walor_time_format(c, t, "%d.%m.%Y") : NULL;
    return s ? s : "—";
}

int32_t crm_log_action(walor_ctx *c, const char *what)
{
    int32_t rc = walor_action_log(c, what);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "crm: action log: %s", walor_last_error(c));
    return 0;
}

const char *crm_jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

const walor_orders_v1 *crm_orders(walor_ctx *c)
{
    const walor_orders_v1 *o = walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, NULL);
    return WALOR_ORDERS_HAS(o, client) && WALOR_ORDERS_HAS(o, clients) ? o : NULL;
}

const walor_loyalty_v1 *crm_loyalty(walor_ctx *c)
{
    const walor_loyalty_v1 *l =
        walor_service_get(walor_ctx_plugin(c), WALOR_LOYALTY_SERVICE, WALOR_LOYALTY_MAJOR, NULL);
    return WALOR_LOYALTY_HAS(l, info) ? l : NULL;
}

const char *crm_user_name(walor_ctx *c, json_t *u)
{
    const char *first = crm_jstr(u, "first_name"), *last = crm_jstr(u, "last_name");
    return walor_ctx_printf(c, "%s%s%s", first, *first && *last ? " " : "", last);
}

const char *crm_staff_name(walor_ctx *c, int64_t id)
{
    json_t *u = id ? walor_user_get(c, id) : NULL;
    const char *n = u ? crm_user_name(c, u) : "";
    return *n ? n : walor_ctx_printf(c, "ID %lld", (long long)id);
}

int64_t crm_state_get(walor_ctx *c, const char *key)
{
    int64_t v = 0;
    walor_db_int(c, "SELECT value FROM crm_state WHERE key = ?", WALOR_ARGS(walor_s(key)), &v);
    return v;
}

int32_t crm_state_set(walor_ctx *c, const char *key, int64_t v)
{
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO crm_state(key, value) VALUES (?, ?) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               WALOR_ARGS(walor_s(key), walor_i(v)));
    return rc < 0 ? rc : 0;
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM crm_click WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM crm_client WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

static const char HELP[] =
    "<b>👥 Клиенты</b>\n"
    "🛠 Админ-панель → «👥 Клиенты».\n"
    "• <b>Поиск</b>: @username, Telegram ID, телефон в любом виде (+7 912…, 8 (912)…, 912 345-67-89) или часть "
    "имени — регистр и ё/е не важны. Из заказа карточка открывается кнопкой «👤 Карточка клиента».\n"
    "• <b>Карточка</b>: контакты из последнего заказа, дата регистрации, откуда пришёл (трекинг-ссылка или "
    "приглашение друга), заказы и сумма оплат, средний чек, бонусы, скидка, приглашённые друзья, заметка.\n"
    "• «📜 История» — все заказы (и записи на услуги) клиента; «📝 Заметка» — текст для коллег, «-» удаляет; "
    "«✉️ Написать» — сообщение клиенту от имени магазина; «💎 Бонусы» и «🏷 Скидка» меняют баланс и "
    "персональную скидку (записывается в журнал).\n"
    "• «📥 Выгрузка в Excel» — все клиенты с цифрами карточки и лист «Сводка» за выбранный период.\n"
    "• «🔗 Трекинг-ссылки» — ссылки вида t.me/бот?start=link_КОД для рекламы: клики, уникальные и новые "
    "пользователи, их заказы и выручка, QR-код; старые ссылки убираются в архив.";

static int32_t load(walor_plugin *p)
{
    int32_t rc = walor_migration(p, 1, crm_clients_migration);
    if (!rc) rc = walor_migration(p, 2, crm_links_migration);
    if (!rc) rc = walor_migration(p, 3, crm_search_migration);
    if (!rc) rc = walor_migration(p, 4, crm_username_migration);
    if (!rc) rc = crm_texts_register(p);
    if (!rc) rc = walor_wipe(p, wipe);
    if (!rc) rc = walor_help(p, "👥 Клиенты", HELP, WALOR_ROLE_MANAGER);
    if (!rc) rc = crm_clients_register(p);
    if (!rc) rc = crm_search_register(p);
    if (!rc) rc = crm_actions_register(p);
    if (!rc) rc = crm_export_register(p);
    if (!rc) rc = crm_links_register(p);
    if (!rc) rc = crm_admin_register(p);
    if (!rc) rc = crm_service_register(p);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "crm", .version = "0.1.0",
                    .description = "Клиенты: карточки, поиск, история, заметки, выгрузка, трекинг-ссылки",
                    .min_host_minor = 3, .load = load)
