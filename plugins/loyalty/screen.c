/* loyalty: the customer's "💎 Мои бонусы" (main menu; the label carries
 * the balance): balance, the latest ledger rows with paging, the personal
 * discount, the referral link, invited friends and the next tier. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "loy.h"

#define HISTORY_PAGE 10

/* the bot's username for t.me links: asked once (getMe), kept for the
 * process; the config may name it ([plugin.loyalty] bot_username) */
static pthread_mutex_t bot_mu = PTHREAD_MUTEX_INITIALIZER;
static char bot_name[64];

static const char *bot_username(walor_ctx *c)
{
    const char *cfg = walor_plugin_config(walor_ctx_plugin(c), "bot_username");
    if (cfg && *cfg)
        return cfg;
    pthread_mutex_lock(&bot_mu);
    if (!bot_name[0]) {
        json_t *res = NULL;
        if (walor_tg_call(c, "getMe", NULL, &res) == 0 && res) {
            const char *u = json_string_value(json_object_get(res, "username"));
            if (u)
                snprintf(bot_name, sizeof bot_name, "%s", u);
        }
    }
    const char *out = bot_name[0] ? walor_ctx_printf(c, "%s", bot_name) : NULL;
    pthread_mutex_unlock(&bot_mu);
    return out;
}

static const char *menu_label(walor_ctx *c)
{
    int64_t bal = 0;
    if (loy_balance(c, walor_ctx_user_id(c), &bal) != 0 || bal <= 0)
        return NULL;
    return walor_textf(c, "loyalty.btn.menu_balance", "sum", walor_money(c, bal), NULL);
}

static const char *signed_money(walor_ctx *c, int64_t k)
{
    return k > 0 ? walor_ctx_printf(c, "+%s", walor_money(c, k)) : walor_money(c, k);
}

static const char *history(walor_ctx *c, int64_t uid, int64_t page, int64_t *pages)
{
    int64_t total = 0;
    walor_db_int(c, "SELECT count(*) FROM loyalty_ledger WHERE user_id = ?", WALOR_ARGS(walor_i(uid)), &total);
    *pages = total ? (total + HISTORY_PAGE - 1) / HISTORY_PAGE : 1;
    if (page >= *pages)
        page = *pages - 1;
    walor_rows *r = NULL;
    if (walor_db_query(c, "SELECT amount, note, created_at FROM loyalty_ledger WHERE user_id = ? "
                          "ORDER BY id DESC LIMIT ? OFFSET ?",
                       WALOR_ARGS(walor_i(uid), walor_i(HISTORY_PAGE), walor_i(page * HISTORY_PAGE)), &r) < 0)
        return "";
    const char *out = "";
    while (walor_row_next(r) == 1)
        out = walor_ctx_printf(c, "%s\n%s", out,
                               walor_textf(c, "loyalty.my.row", "date", loy_date(c, walor_col_int(r, 2)), "sum",
                                           signed_money(c, walor_col_int(r, 0)), "note",
                                           loy_esc(c, walor_col_text(r, 1)), NULL));
    walor_rows_close(r);
    return *out ? out : walor_ctx_printf(c, "\n%s", walor_text(c, "loyalty.my.no_history"));
}

static const char *referral_part(walor_ctx *c, int64_t uid)
{
    const char *bot = bot_username(c);
    const char *link = bot ? walor_ctx_printf(c, "https://t.me/%s?start=ref%lld", bot, (long long)uid)
                           : walor_ctx_printf(c, "/start ref%lld", (long long)uid);
    int64_t invited = 0, bought = 0;
    walor_db_int(c, "SELECT count(*) FROM loyalty_referral WHERE referrer_id = ?", WALOR_ARGS(walor_i(uid)), &invited);
    walor_db_int(c, "SELECT count(*) FROM loyalty_referral WHERE referrer_id = ? AND first_order <> 0",
                 WALOR_ARGS(walor_i(uid)), &bought);
    const char *out = walor_textf(c, "loyalty.my.ref", "link", loy_esc(c, link), "reward",
                                  walor_money(c, loy_setting(c, "ref_reward", 30000)), "min",
                                  walor_money(c, loy_setting(c, "ref_min_order", 100000)), "pct",
                                  loy_num(c, loy_setting(c, "ref_pct", 5)), "invited", loy_num(c, invited), "bought",
                                  loy_num(c, bought), NULL);
    const char *spec = walor_setting_str(c, "loyalty.ref_tiers");
    loy_tier t[LOY_TIERS_MAX];
    const char *why = NULL;
    int n = loy_tiers_parse(spec ? spec : "", t, LOY_TIERS_MAX, &why);
    for (int i = 0; i < n; i++)
        if (t[i].friends > bought)
            return walor_ctx_printf(c, "%s\n%s", out,
                                    walor_textf(c, "loyalty.my.tier_next", "left", loy_num(c, t[i].friends - bought),
                                                "n", loy_num(c, t[i].friends), "sum", walor_money(c, t[i].bonus),
                                                NULL));
    if (n > 0)
        out = walor_ctx_printf(c, "%s\n%s", out, walor_text(c, "loyalty.my.tier_all"));
    return out;
}

static int32_t show(walor_ctx *c, int64_t page)
{
    int64_t uid = walor_ctx_user_id(c), bal = 0, pct = 0, pages = 1;
    int32_t rc = loy_balance(c, uid, &bal);
    if (rc < 0)
        return rc;
    rc = loy_personal_pct(c, uid, &pct);
    if (rc < 0)
        return rc;
    if (page < 0)
        page = 0;
    const char *hist = history(c, uid, page, &pages);
    if (page >= pages)
        page = pages - 1;
    const char *html = walor_textf(c, "loyalty.my.head", "balance", walor_money(c, bal), "cashback",
                                   loy_num(c, loy_setting(c, "cashback_pct", 7)), "share",
                                   loy_num(c, loy_setting(c, "bonus_share_pct", 30)), NULL);
    if (pct > 0)
        html = walor_ctx_printf(c, "%s\n%s", html, walor_textf(c, "loyalty.my.personal", "pct", loy_num(c, pct), NULL));
    html = walor_ctx_printf(c, "%s\n\n%s%s\n\n%s", html, walor_text(c, "loyalty.my.history"), hist,
                            referral_part(c, uid));
    walor_kb *kb = walor_kb_new(c);
    if (page > 0)
        walor_kb_button(kb, walor_text(c, "loyalty.btn.newer"), walor_ctx_printf(c, "loyb:h:%lld", (long long)page - 1));
    if (page + 1 < pages)
        walor_kb_button(kb, walor_text(c, "loyalty.btn.older"), walor_ctx_printf(c, "loyb:h:%lld", (long long)page + 1));
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "loyalty.btn.main"), "m:core.main");
    return walor_show(c, html, kb);
}

static int32_t on_menu(walor_ctx *c) { return show(c, 0); }

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    int64_t page = 0;
    if (!strncmp(arg, "h:", 2) && (loy_parse_id(arg + 2, &page) == 0 || !strcmp(arg + 2, "0")))
        return show(c, page);
    return show(c, 0);
}

static int32_t on_cmd(walor_ctx *c, const char *arg)
{
    (void)arg;
    return show(c, 0);
}

int32_t loy_screen_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_CLIENT, .where = WALOR_MENU_MAIN,
                                 .order = 300, .id = "bonus", .label = "💎 Мои бонусы", .label_fn = menu_label,
                                 .on_press = on_menu};
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "loyb",
                                   .handler = on_cb};
    const walor_command_def cmd = {.struct_size = sizeof cmd, .min_role = WALOR_ROLE_CLIENT, .name = "bonus",
                                   .description = "Мои бонусы и реферальная ссылка", .handler = on_cmd,
                                   .flags = WALOR_CMD_LISTED};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_command(p, &cmd);
    return rc;
}
