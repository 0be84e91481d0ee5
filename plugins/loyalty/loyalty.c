/* loyalty: bonuses and cashback, the referral program with tiers, promo
 * codes, gift certificates and personal discounts (README.md). This file
 * registers the parts, the settings and the migrations, and holds the
 * small helpers they share. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calc.h"
#include "loy.h"

/* texts.c */
extern const char *const loy_texts[][2];
extern const size_t loy_ntexts;

char *loy_num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }
char *loy_esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

int64_t loy_setting(walor_ctx *c, const char *key, int64_t dflt)
{
    return walor_setting_or(c, walor_ctx_printf(c, "loyalty.%s", key), dflt);
}

char *loy_date(walor_ctx *c, int64_t t)
{
    char *s = walor_time_format(c, t, "%d.%m.%Y");
    return s ? s : "";
}

int32_t loy_log_action(walor_ctx *c, const char *what)
{
    int32_t rc = walor_action_log(c, what);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "loyalty: action log: %s", walor_last_error(c));
    return rc < 0 ? rc : 0;
}

int32_t loy_push(walor_ctx *c, int64_t user_id, const char *html)
{
    int32_t rc = walor_send(c, user_id, html, NULL, 0, NULL);
    if (rc < 0 && rc != WALOR_EBLOCKED)
        walor_log(c, WALOR_LOG_WARN, "loyalty: message to %lld: %s", (long long)user_id, walor_last_error(c));
    return 0;
}

static int32_t check_tiers(walor_ctx *c, const char *value, const char **why)
{
    (void)c;
    loy_tier t[LOY_TIERS_MAX];
    return loy_tiers_parse(value, t, LOY_TIERS_MAX, why) < 0 ? WALOR_EINVAL : 0;
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    static const char *const SQL[] = {
        "DELETE FROM loyalty_ledger WHERE user_id = ?",
        "DELETE FROM loyalty_referral WHERE friend_id = ?",
        "DELETE FROM loyalty_personal WHERE user_id = ?",
        "DELETE FROM loyalty_cart_promo WHERE user_id = ?",
    };
    for (size_t i = 0; i < sizeof SQL / sizeof SQL[0]; i++) {
        int32_t rc = walor_db_exec(c, SQL[i], WALOR_ARGS(walor_i(user_id)));
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const char HELP[] =
    "<b>💎 Бонусы</b>\n"
    "За каждый выполненный заказ начисляется кэшбэк бонусами; ими можно оплатить часть следующих заказов "
    "(шаг «Бонусы» при оформлении). Баланс и история — «💎 Мои бонусы» или /bonus.\n"
    "Пригласите друга по своей ссылке из «Мои бонусы»: после его первого оплаченного заказа вы получите бонусы, "
    "а потом — процент с каждой его покупки.\n"
    "Промокод можно ввести в корзине («🎟 Ввести промокод») или при оформлении заказа, подарочный сертификат — "
    "при оформлении.";

static int32_t load(walor_plugin *p)
{
    const walor_setting_def settings[] = {
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_INT, .key = "cashback_pct",
         .label = "Бонусы: кэшбэк с выполненного заказа, %", .default_value = "7", .min = 0, .max = 100,
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_INT, .key = "bonus_share_pct",
         .label = "Бонусы: можно оплатить до … % заказа", .default_value = "30", .min = 0, .max = 100,
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_MONEY, .key = "ref_min_order",
         .label = "Рефералы: минимальная сумма первого заказа друга", .default_value = "1000", .min = 0,
         .max = 100000000, .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_MONEY, .key = "ref_reward",
         .label = "Рефералы: бонус пригласившему за первый заказ друга", .default_value = "300", .min = 0,
         .max = 100000000, .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_INT, .key = "ref_pct",
         .label = "Рефералы: пожизненный % с покупок друга", .default_value = "5", .min = 0, .max = 100,
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_STRING, .key = "ref_tiers",
         .label = "Рефералы: ступени «друзей:рублей, …»", .default_value = "3:500, 10:2000", .min = 0, .max = 200,
         .flags = WALOR_SET_OWNER_EDITABLE, .validate = check_tiers},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_BOOL, .key = "cert_keep_rest",
         .label = "Сертификаты: сохранять остаток номинала", .default_value = "no",
         .flags = WALOR_SET_OWNER_EDITABLE},
    };
    int32_t rc = walor_migration(p, 1, loy_ledger_migration);
    if (!rc) rc = walor_migration(p, 2, loy_codes_migration);
    if (!rc) rc = walor_migration(p, 3, loy_referral_migration);
    for (size_t i = 0; !rc && i < sizeof settings / sizeof settings[0]; i++)
        rc = walor_setting(p, &settings[i]);
    if (!rc) rc = walor_texts(p, loy_texts, (uint32_t)loy_ntexts);
    if (!rc) rc = walor_wipe(p, wipe);
    if (!rc) rc = walor_help(p, "💎 Бонусы и промокоды", HELP, WALOR_ROLE_CLIENT);
    if (!rc) rc = loy_screen_register(p);
    if (!rc) rc = loy_referral_register(p);
    if (!rc) rc = loy_cart_register(p);
    if (!rc) rc = loy_pricing_register(p);
    if (!rc) rc = loy_events_register(p);
    if (!rc) rc = loy_service_register(p);
    if (!rc) rc = loy_admin_register(p);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "loyalty", .version = "0.1.0",
                    .description = "Бонусы и кэшбэк, рефералы, промокоды, сертификаты, персональные скидки",
                    .min_host_minor = 3, .load = load) /* nested walor_tx_begin, forms and lists (SDK 1.3) */
