/* loyalty: the customer's "💎 Мои бонусы" (main menu; the label carries
 * the balance): balance, the ledger rows by pages (walor_list_show), the
 * personal discount, the referral link, invited friends and the next tier. */
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

static const char *history_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)kb, (void)ud;
    return walor_textf(c, "loyalty.my.row", "date", loy_date(c, walor_col_int(r, 2)), "sum",
                       signed_money(c, walor_col_int(r, 0)), "note", loy_esc(c, walor_col_text(r, 1)), NULL);
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
                                    walor_textf(c, "loyalty.my.tier_next", "left",
                                                walor_plural(c, t[i].friends - bought, "друг|друга|друзей", 0), "n",
                                                walor_plural(c, t[i].friends, "друге|друзьях|друзьях", 0), "sum",
                                                walor_money(c, t[i].bonus), NULL));
    if (n > 0)
        out = walor_ctx_printf(c, "%s\n%s", out, walor_text(c, "loyalty.my.tier_all"));
    return out;
}

/* the balance, the history by pages, the referral part; page: the digits
 * after "loyb:h:", NULL for the first */
static int32_t show(walor_ctx *c, const char *page)
{
    int64_t uid = walor_ctx_user_id(c), bal = 0, pct = 0;
    int32_t rc = loy_balance(c, uid, &bal);
    if (rc < 0)
        return rc;
    rc = loy_personal_pct(c, uid, &pct);
    if (rc < 0)
        return rc;
    const char *head = walor_textf(c, "loyalty.my.head", "balance", walor_money(c, bal), "cashback",
                                   loy_num(c, loy_setting(c, "cashback_pct", 7)), "share",
                                   loy_num(c, loy_setting(c, "bonus_share_pct", 30)), NULL);
    if (pct > 0)
        head = walor_ctx_printf(c, "%s\n%s", head, walor_textf(c, "loyalty.my.personal", "pct", loy_num(c, pct), NULL));
    head = walor_ctx_printf(c, "%s\n\n%s", head, walor_text(c, "loyalty.my.history"));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "loyalty.btn.main"), "m:core.main");
    walor_val who = walor_i(uid);
    walor_list_def l = {.struct_size = sizeof l, .page_size = HISTORY_PAGE, .row = history_row,
                        .sql = "SELECT amount, note, created_at FROM loyalty_ledger WHERE user_id = ? ORDER BY id DESC",
                        .args = &who, .nargs = 1, .page_data = "loyb:h:", .header = head,
                        .empty = walor_ctx_printf(c, "%s\n%s", head, walor_text(c, "loyalty.my.no_history")),
                        .footer = referral_part(c, uid), .buttons = kb, .prev_label = "loyalty.btn.newer",
                        .next_label = "loyalty.btn.older"};
    return walor_list_show(c, &l, page);
}

static int32_t on_menu(walor_ctx *c) { return show(c, NULL); }

static int32_t on_cb(walor_ctx *c, const char *arg) { return show(c, !strncmp(arg, "h:", 2) ? arg + 2 : NULL); }

static int32_t on_cmd(walor_ctx *c, const char *arg)
{
    (void)arg;
    return show(c, NULL);
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
