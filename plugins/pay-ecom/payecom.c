/* pay-ecom: online payment of orders through the E-COM cash register
 * (README.md; F-PAY-01…05). Registration, texts, settings, the `payment`
 * service, and the helpers the other files share. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "payecom.h"

walor_plugin *pay_self;

/* secrets given as <key>_file (a systemd credential): read once at load */
static char file_password[256], file_secret[256];

static int read_secret(walor_plugin *p, const char *key, char *out, size_t n)
{
    const char *path = walor_plugin_config(p, key);
    if (!path || !*path)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f || !fgets(out, (int)n, f)) {
        if (f)
            fclose(f);
        walor_log(p, WALOR_LOG_ERROR, "pay-ecom: %s: cannot read the file", key);
        return -1;
    }
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

const char *pay_cfg(const char *key, const char *def)
{
    if (!strcmp(key, "password") && *file_password)
        return file_password;
    if (!strcmp(key, "webhook_secret") && *file_secret)
        return file_secret;
    const char *v = pay_self ? walor_plugin_config(pay_self, key) : NULL;
    return v && *v ? v : def;
}

const pay_provider *pay_provider_get(void) { return &pay_ecomkassa; }

const walor_orders_v1 *pay_orders(walor_ctx *c)
{
    const walor_orders_v1 *o = walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, NULL);
    return WALOR_ORDERS_HAS(o, set_meta) ? o : NULL;
}

const char *pay_callback_url(walor_ctx *c)
{
    const char *base = pay_cfg("public_url", ""), *secret = pay_cfg("webhook_secret", "");
    if (!*base || !*secret)
        return "";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    return walor_ctx_printf(c, "%.*s/p/" PAY_PLUGIN "/webhook/%s", (int)bl, base, secret);
}

char *pay_num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }

char *pay_when(walor_ctx *c, int64_t epoch)
{
    char *s = walor_time_format(c, epoch, "%d.%m.%Y %H:%M");
    return s ? s : walor_ctx_printf(c, "—");
}

static int64_t staff_chat(walor_ctx *c)
{
    return walor_setting_or(c, "pay-ecom.staff_chat", 0);
}

/* the staff chat is an extra destination: skip it when it is a manager or
 * owner in person, who already got the notice from walor_notify_staff */
static int64_t extra_chat(walor_ctx *c)
{
    int64_t chat = staff_chat(c);
    if (chat <= 0)
        return chat;
    json_t *u = walor_user_get(c, chat);
    return json_integer_value(json_object_get(u, "role")) >= WALOR_ROLE_MANAGER ? 0 : chat;
}

static void notify(walor_ctx *c, const char *html, const walor_kb *kb)
{
    if (walor_notify_staff(c, WALOR_ROLE_MANAGER, html, kb) < 0)
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: staff notice: %s", walor_last_error(c));
}

void pay_staff_chat(walor_ctx *c, const char *html, const walor_kb *kb)
{
    int64_t chat = extra_chat(c);
    if (chat && walor_send(c, chat, html, kb, 0, NULL) < 0)
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: staff chat: %s", walor_last_error(c));
}

void pay_staff(walor_ctx *c, const char *html, const walor_kb *kb)
{
    notify(c, html, kb);
    pay_staff_chat(c, html, kb);
}

void pay_staff_photo(walor_ctx *c, const char *photo, const char *caption, const walor_kb *kb)
{
    /* a notice carries no photo: the staff open it from the button (payadm:v) */
    notify(c, walor_ctx_printf(c, "%s\n%s", caption, walor_text(c, "pay-ecom.staff.see_admin")), kb);
    int64_t chat = extra_chat(c);
    if (chat && walor_send_photo(c, chat, photo, caption, kb, 0, NULL) < 0)
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: staff chat: %s", walor_last_error(c));
}

/* ---- the `payment` service (orders.h) ---- */

static int32_t svc_send_details(walor_ctx *c, int64_t order_id) { return pay_send_details(c, order_id); }

static int32_t svc_refundable(walor_ctx *c, int64_t order_id, int64_t *out) { return pay_refundable(c, order_id, out); }

static int32_t svc_refund(walor_ctx *c, int64_t order_id, const char *reason, const char **why)
{
    const char *w = "";
    int32_t rc = pay_refund(c, order_id, reason, &w);
    if (why)
        *why = w;
    return rc == 1 ? WALOR_ENOTFOUND : rc == 2 ? 1 : rc;
}

static const walor_payment_v1 PAYMENT = {.struct_size = sizeof PAYMENT, .send_details = svc_send_details,
                                         .refundable = svc_refundable, .refund = svc_refund};

/* ---- registration ---- */

static const walor_text_pair TEXTS[] = {
    {"pay-ecom.description", "Заказ №{id}"},
    {"pay-ecom.details",
     "💳 <b>Оплата заказа №{id}</b>\n"
     "Сумма: <b>{amount}</b>\n"
     "Оплатите до {deadline}, иначе заказ отменится автоматически.\n\n"
     "Отсканируйте QR-код в приложении банка (СБП) или нажмите «Оплатить»."},
    {"pay-ecom.tester", "🧪 Заказ №{id} оформлен тестировщиком: оплата не требуется."},
    {"pay-ecom.delayed",
     "⏳ Платёжный сервис отвечает с задержкой. Реквизиты для оплаты заказа №{id} придут следующим сообщением.\n"
     "Если вы уже оплатили другим способом, отправьте скриншот оплаты."},
    {"pay-ecom.failed",
     "❌ Оплата заказа №{id} не прошла.\nПопробуйте ещё раз или отправьте скриншот, если деньги списались."},
    {"pay-ecom.paid", "✅ Оплата заказа №{id} получена: {amount}. Спасибо!"},
    {"pay-ecom.paid_late",
     "💳 Мы получили оплату {amount} по заказу №{id}, но заказ к этому времени был отменён. "
     "Менеджер свяжется с вами: вернёт деньги или восстановит заказ."},
    {"pay-ecom.receipt", "🧾 Чек по заказу №{id}: {link}"},
    {"pay-ecom.no_order", "Заказ не найден."},
    {"pay-ecom.check_paid", "✅ Оплата получена."},
    {"pay-ecom.check_pending", "⏳ Оплата пока не поступила. Если вы уже оплатили, подождите минуту."},
    {"pay-ecom.check_failed", "Оплата не прошла: вы можете попробовать ещё раз."},
    {"pay-ecom.check_down", "Платёжный сервис сейчас не отвечает. Попробуйте через минуту."},
    {"pay-ecom.retry_closed", "Этот заказ уже оплачен или отменён."},
    {"pay-ecom.retry_busy", "Счёт на оплату уже выставлен: воспользуйтесь им."},
    {"pay-ecom.retry_started", "Готовим новый счёт…"},
    {"pay-ecom.reason.unknown", "платёж отклонён"},
    {"pay-ecom.reason.receipt_lost", "касса не ответила за отведённое время"},
    {"pay-ecom.shot.ask",
     "📎 Пришлите скриншот или фото оплаты заказа №{id} одним сообщением. Менеджер проверит его и подтвердит заказ."},
    {"pay-ecom.shot.not_image", "Это не похоже на скриншот. Пришлите изображение (фото или файл) или нажмите «Отмена»."},
    {"pay-ecom.shot.thanks", "✅ Скриншот по заказу №{id} получен. Менеджер проверит оплату и подтвердит заказ."},
    {"pay-ecom.shot.cancelled", "Хорошо, скриншот не отправлен."},
    {"pay-ecom.shot.rejected",
     "❌ Оплата заказа №{id} по скриншоту не подтверждена. Проверьте перевод и пришлите другой скриншот "
     "или свяжитесь с нами."},
    {"pay-ecom.btn.pay", "💳 Оплатить"},
    {"pay-ecom.btn.check", "🔄 Я оплатил — проверить"},
    {"pay-ecom.btn.shot", "📎 Отправить скриншот оплаты"},
    {"pay-ecom.btn.retry", "🔁 Оплатить снова"},
    {"pay-ecom.btn.confirm", "✅ Подтвердить оплату"},
    {"pay-ecom.btn.reject", "❌ Отклонить"},
    {"pay-ecom.btn.admin_resend", "💳 Выставить счёт снова"},
    {"pay-ecom.btn.back", "⬅️ Назад"},
    {"pay-ecom.staff.shot", "📎 <b>Скриншот оплаты</b> заказа №{id} на {amount}\nКлиент: {name} (id {user})"},
    {"pay-ecom.staff.see_admin", "Посмотрите его кнопкой ниже или в 🛠 → 💳 Оплаты."},
    {"pay-ecom.btn.view", "🖼 Посмотреть скриншот"},
    {"pay-ecom.staff.failed", "❌ <b>Ошибка оплаты</b> заказа №{id}: {why}"},
    {"pay-ecom.staff.down", "⚠️ Платёжный сервис не отвечает при выставлении счёта по заказу №{id}: {why}. Пробуем снова."},
    {"pay-ecom.staff.late",
     "⚠️ <b>Оплата после отмены</b>: по заказу №{id} пришло {amount}, а заказ уже отменён. "
     "Верните деньги или восстановите заказ."},
    {"pay-ecom.staff.receipt_fail", "🧾 Чек по заказу №{id} не пробит: {why}"},
    {"pay-ecom.staff.confirmed", "✅ Оплата заказа №{id} подтверждена."},
    {"pay-ecom.staff.confirmed_late", "⚠️ Заказ №{id} уже отменён: оплата записана, заказ помечен для разбора."},
    {"pay-ecom.staff.already_paid", "Заказ №{id} уже оплачен."},
    {"pay-ecom.staff.rejected", "❌ Скриншот по заказу №{id} отклонён, клиенту сообщено."},
    {"pay-ecom.staff.nothing", "По заказу №{id} нет скриншота, ждущего проверки."},
    {"pay-ecom.staff.cannot_send", "Заказ №{id} нельзя оплатить: он не новый или не найден."},
    {"pay-ecom.staff.sent", "Реквизиты отправлены клиенту."},
    {"pay-ecom.adm.title", "💳 <b>Оплаты</b>: скриншоты на проверке и неудачные оплаты"},
    {"pay-ecom.adm.empty", "💳 <b>Оплаты</b>: нет скриншотов на проверке и неудачных оплат."},
    {"pay-ecom.adm.row_shot", "📎 №{id} — {amount}: скриншот"},
    {"pay-ecom.adm.row_failed", "❌ №{id} — {amount}: не оплачен"},
    {"pay-ecom.adm.row_late", "⚠️ №{id} — {amount}: оплата после отмены"},
    {"pay-ecom.adm.late",
     "⚠️ <b>Оплата после отмены</b>: по заказу №{id} получено {amount}, а заказ уже отменён.\n"
     "Верните деньги клиенту (только владелец) или восстановите заказ в 📋 Заказы."},
    {"pay-ecom.btn.refund", "↩️ Вернуть деньги"},
    {"pay-ecom.staff.refunded", "↩️ Оплата заказа №{id} возвращена клиенту."},
    {"pay-ecom.staff.not_late", "По заказу №{id} нет оплаты после отмены, которую можно вернуть."},
    {"pay-ecom.staff.refund_failed", "Вернуть оплату заказа №{id} не удалось: {why}"},
    {"pay-ecom.staff.refund_lost", "Возврат оплаты заказа №{id} не прошёл: платёжный сервис деньги не вернул. "
                                   "Попробуйте ещё раз из карточки заказа."},
    {"pay-ecom.staff.refund_busy", "Возврат оплаты заказа №{id} уже выполняется: дождитесь ответа платёжного "
                                   "сервиса."},
    {"pay-ecom.late_refund_reason", "оплата пришла после отмены заказа"},
};

static const char MIGRATION_1[] =
    "CREATE TABLE pay_ecom_invoice ("
    " order_id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " amount INTEGER NOT NULL,"                       /* kopecks */
    " attempt INTEGER NOT NULL DEFAULT 1,"            /* +1 per new invoice after a failure */
    " state TEXT NOT NULL,"                           /* payecom.h */
    " invoice_id TEXT,"                               /* the provider's, NULL while creating */
    " link TEXT NOT NULL DEFAULT '',"
    " qr TEXT NOT NULL DEFAULT '',"
    " reason TEXT NOT NULL DEFAULT '',"
    " create_tries INTEGER NOT NULL DEFAULT 0,"
    " sent_at INTEGER NOT NULL DEFAULT 0,"            /* the payment message went out */
    " last_check_at INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " paid_at INTEGER NOT NULL DEFAULT 0,"
    " receipt_uuid TEXT,"
    " receipt_state TEXT NOT NULL DEFAULT '',"        /* '' | queued | wait | done | fail */
    " receipt_link TEXT NOT NULL DEFAULT '',"
    " receipt_polls INTEGER NOT NULL DEFAULT 0,"
    " shot_file TEXT NOT NULL DEFAULT '',"            /* the customer's screenshot (file_id) */
    " manual_state TEXT NOT NULL DEFAULT '');"        /* '' | sent | confirmed | rejected */
    "CREATE UNIQUE INDEX pay_ecom_invoice_ext ON pay_ecom_invoice(invoice_id);"
    "CREATE UNIQUE INDEX pay_ecom_invoice_receipt ON pay_ecom_invoice(receipt_uuid);"
    "CREATE INDEX pay_ecom_invoice_state ON pay_ecom_invoice(state, last_check_at);"
    "CREATE TABLE pay_ecom_old_invoice ("            /* invoices replaced by a retry: a late payment still counts */
    " invoice_id TEXT PRIMARY KEY,"
    " order_id INTEGER NOT NULL);"
    "CREATE TABLE pay_ecom_token ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " token TEXT NOT NULL,"
    " expires_at INTEGER NOT NULL);";

static const char HELP[] =
    "<b>💳 Оплата заказов</b>\n"
    "После оформления клиент получает QR-код СБП и ссылку на оплату. Оплата проверяется у платёжного сервиса, "
    "заказ становится «Оплачен» сам, клиенту приходит подтверждение, а при включённой фискализации — чек.\n"
    "Если клиент прислал скриншот оплаты, он приходит в чат персонала с кнопками «✅ Подтвердить оплату» и "
    "«❌ Отклонить»; все ждущие скриншоты и неудачные оплаты — в 🛠 → 💳 Оплаты.\n"
    "Оплата, пришедшая после автоотмены, не теряется: заказ помечается, и владелец получает сообщение.";

/* What a live shop cannot keep (walord --check-config names the line):
 * no account, receipts without the company's details, the template's
 * stand-ins, and no public address for the provider's payment webhooks. */
static int32_t check_config(walor_plugin *p)
{
    int32_t rc = 0;
    const char *fiscal = pay_cfg("fiscal", "yes");
#define BAD(key, why)                                                           \
    do {                                                                        \
        int32_t r_ = walor_config_invalid(p, key, WALOR_CONFIG_LIVE, why);      \
        rc = rc ? rc : r_;                                                      \
    } while (0)
    if (!*pay_cfg("login", ""))
        BAD("login", "no E-COM account: the login of the cash register's account is empty");
    if (!*pay_cfg("password", ""))
        BAD("password", "no E-COM account: set password_file (or password)");
    if (!*pay_cfg("group_code", ""))
        BAD("group_code", "no E-COM cash register group (group_code) to send invoices and receipts to");
    if (strcasecmp(fiscal, "no") && strcasecmp(fiscal, "false") && strcasecmp(fiscal, "off") && strcmp(fiscal, "0")) {
        if (!*pay_cfg("inn", ""))
            BAD("inn", "fiscal = yes needs the company's INN for the receipts (or fiscal = no)");
        if (!*pay_cfg("company_email", ""))
            BAD("company_email", "fiscal = yes needs the company's e-mail for the receipts (or fiscal = no)");
        if (!*pay_cfg("payment_address", ""))
            BAD("payment_address", "fiscal = yes needs the shop's address for the receipts, e.g. https://t.me/<bot>");
    }
    if (strstr(pay_cfg("payment_address", ""), "your_shop_bot"))
        BAD("payment_address", "still the template's address: the shop's own bot link (https://t.me/<bot>)");
    if (!*pay_cfg("public_url", ""))
        BAD("public_url", "no [walor] public_url: payments would only be noticed by the reconciliation every "
                          "reconcile_s seconds, not when the provider calls");
    else if (strlen(pay_cfg("webhook_secret", "")) < 16)
        BAD("webhook_secret", "no [walor] webhook_secret (16+ characters): the provider's payment webhooks are "
                              "refused and payments are noticed only by the reconciliation");
#undef BAD
    return rc;
}

static int32_t load(walor_plugin *p)
{
    pay_self = p;
    const walor_setting_def settings[] = {
        {.struct_size = sizeof settings[0], .type = WALOR_SET_BOOL, .key = "fiscal",
         .label = "Оплата: пробивать чек (54-ФЗ) после оплаты", .default_value = "yes",
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof settings[0], .type = WALOR_SET_INT, .key = "staff_chat",
         .label = "Оплата: Telegram ID ещё одного чата для скриншотов и ошибок (0 — только менеджерам и владельцам)",
         .default_value = "0", .min = -(INT64_C(1) << 52), .max = INT64_C(1) << 52,
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof settings[0], .type = WALOR_SET_INT, .key = "api_timeout_ms",
         .label = "Оплата: тайм-аут запроса к платёжному сервису, мс", .default_value = "10000", .min = 100,
         .max = 60000},
        {.struct_size = sizeof settings[0], .type = WALOR_SET_INT, .key = "reconcile_s",
         .label = "Оплата: проверять неоплаченные счета раз в, секунд", .default_value = "120", .min = 10,
         .max = 86400},
        {.struct_size = sizeof settings[0], .type = WALOR_SET_INT, .key = "receipt_poll_s",
         .label = "Оплата: опрашивать статус чека раз в, секунд", .default_value = "60", .min = 5, .max = 3600},
        {.struct_size = sizeof settings[0], .type = WALOR_SET_INT, .key = "qr_scale",
         .label = "Оплата: пикселей на модуль QR-кода", .default_value = "8", .min = 2, .max = 32},
    };
    int32_t rc = walor_migration(p, 1, MIGRATION_1);
    if (!rc) rc = walor_migration(p, 2, pay_migration_2);
    if (!rc && (read_secret(p, "password_file", file_password, sizeof file_password) ||
                read_secret(p, "webhook_secret_file", file_secret, sizeof file_secret)))
        rc = WALOR_EINVAL;
    for (size_t i = 0; !rc && i < sizeof settings / sizeof settings[0]; i++)
        rc = walor_setting(p, &settings[i]);
    if (!rc) rc = walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]);
    if (!rc) rc = walor_service_require(p, WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, 0); /* refunds need 1.1: probed */
    if (!rc) rc = walor_service_provide(p, WALOR_PAYMENT_SERVICE, WALOR_PAYMENT_MAJOR, WALOR_PAYMENT_MINOR, &PAYMENT);
    if (!rc) rc = pay_invoice_register(p);
    if (!rc) rc = pay_receipt_register(p);
    if (!rc) rc = pay_webhook_register(p);
    if (!rc) rc = pay_manual_register(p);
    if (!rc) rc = walor_help(p, "💳 Оплата", HELP, WALOR_ROLE_MANAGER);
    if (!rc)
        rc = check_config(p);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = PAY_PLUGIN, .version = "0.1.0",
                    .description = "Оплата заказов через E-COM кассу: счёт с QR-кодом, вебхуки, чеки, ручная оплата",
                    .min_host_minor = 3 /* nested tx, paged lists (SDK 1.3) */, .requires = "orders", .load = load)
