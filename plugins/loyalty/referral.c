/* loyalty: the referral program (F-LOY-03 … F-LOY-06).
 *   - /start ref<ID> binds the new customer to <ID> on their first start
 *     only: the host keeps what followed /start in the user's very first
 *     message (user_get → start_payload), so a customer who used the bot
 *     before, or follows a second link, is never (re)bound. No self-
 *     referral, no loops (the referrer's own chain is walked).
 *   - the friend's first paid order at or above ref_min_order gives the
 *     referrer ref_reward; every later order of the friend, when it is
 *     completed, gives the referrer ref_pct % of what the friend paid;
 *   - tiers (ref_tiers, "friends:roubles; …"): an extra bonus when the
 *     number of friends who made a qualifying order reaches a step, once;
 *   - both sides are told on binding and on the first order, the referrer
 *     on a tier. */
#include <string.h>

#include "loy.h"

#define CHAIN_MAX 64
#define FRIENDS "друг|друга|друзей" /* walor_plural: "2 друга" */

const char loy_referral_migration[] =
    "CREATE TABLE loyalty_referral ("
    " friend_id INTEGER PRIMARY KEY,"
    " referrer_id INTEGER NOT NULL,"
    " bound_at INTEGER NOT NULL,"
    " first_order INTEGER NOT NULL DEFAULT 0," /* the qualifying order, 0 = none yet */
    " rewarded_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX loyalty_referral_referrer ON loyalty_referral(referrer_id);";

static int64_t referrer_of(walor_ctx *c, int64_t uid)
{
    int64_t r = 0;
    if (walor_db_int(c, "SELECT referrer_id FROM loyalty_referral WHERE friend_id = ?", WALOR_ARGS(walor_i(uid)), &r) !=
        0)
        return 0;
    return r;
}

/* 1 when binding friend under referrer would close a loop */
static int loops(walor_ctx *c, int64_t friend_id, int64_t referrer)
{
    for (int i = 0; referrer && i < CHAIN_MAX; i++) {
        if (referrer == friend_id)
            return 1;
        referrer = referrer_of(c, referrer);
    }
    return referrer != 0; /* a chain deeper than CHAIN_MAX: refuse rather than guess */
}

static const char *first_name(walor_ctx *c, int64_t uid)
{
    json_t *u = walor_user_get(c, uid);
    const char *n = u ? json_string_value(json_object_get(u, "first_name")) : NULL;
    return loy_esc(c, n && *n ? n : walor_text(c, "loyalty.ref.someone"));
}

static int32_t bind_referrer(walor_ctx *c, int64_t uid, int64_t ref, const char *payload)
{
    if (ref == uid)
        return 0;
    json_t *me = walor_user_get(c, uid);
    const char *first = me ? json_string_value(json_object_get(me, "start_payload")) : NULL;
    /* the link must be what this user's very first message carried */
    if (!first || strcmp(first, payload) != 0)
        return 0;
    if (!walor_user_get(c, ref) || referrer_of(c, uid) || loops(c, uid, ref))
        return 0;
    int32_t rc = walor_db_exec(c, "INSERT INTO loyalty_referral(friend_id, referrer_id, bound_at) VALUES (?, ?, ?) "
                                  "ON CONFLICT(friend_id) DO NOTHING",
                               WALOR_ARGS(walor_i(uid), walor_i(ref), walor_i(walor_now(c))));
    if (rc <= 0)
        return rc;
    loy_push(c, ref, walor_textf(c, "loyalty.push.ref_bound", "name", first_name(c, uid), NULL));
    return walor_reply(c, walor_textf(c, "loyalty.ref.welcome", "name", first_name(c, ref), NULL), NULL);
}

static int32_t on_deeplink(walor_ctx *c, const char *arg)
{
    int64_t ref = 0;
    if (walor_parse_id(arg, &ref) == 0) {
        int32_t rc = bind_referrer(c, walor_ctx_user_id(c), ref, walor_ctx_printf(c, "ref%s", arg));
        if (rc < 0)
            return rc;
    }
    return walor_show_main_menu(c);
}

static int32_t tiers(walor_ctx *c, int64_t ref)
{
    const char *spec = walor_setting_str(c, "loyalty.ref_tiers");
    loy_tier t[LOY_TIERS_MAX];
    const char *why = NULL;
    int n = loy_tiers_parse(spec ? spec : "", t, LOY_TIERS_MAX, &why);
    if (n <= 0)
        return 0;
    int64_t friends = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM loyalty_referral WHERE referrer_id = ? AND first_order <> 0",
                              WALOR_ARGS(walor_i(ref)), &friends);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n && t[i].friends <= friends; i++) {
        rc = loy_ledger_add(c, ref, t[i].bonus, LOY_K_TIER,
                            walor_ctx_printf(c, "tier:%lld:%lld", (long long)ref, (long long)t[i].friends), 0,
                            walor_ctx_printf(c, "ступень: %s", walor_plural(c, t[i].friends, FRIENDS, 0)), 0);
        if (rc < 0)
            return rc;
        if (rc == 1)
            loy_push(c, ref, walor_textf(c, "loyalty.push.tier", "n", walor_plural(c, t[i].friends, FRIENDS, 0),
                                         "sum", walor_money(c, t[i].bonus), NULL));
    }
    return 0;
}

int32_t loy_referral_on_paid(walor_ctx *c, int64_t friend_id, int64_t order_id, int64_t goods)
{
    int64_t ref = referrer_of(c, friend_id);
    if (!ref || goods < loy_setting(c, "ref_min_order", 100000))
        return 0;
    int32_t rc = walor_db_exec(c, "UPDATE loyalty_referral SET first_order = ?, rewarded_at = ? "
                                  "WHERE friend_id = ? AND first_order = 0",
                               WALOR_ARGS(walor_i(order_id), walor_i(walor_now(c)), walor_i(friend_id)));
    if (rc <= 0)
        return rc; /* not the first qualifying order */
    int64_t reward = loy_setting(c, "ref_reward", 30000);
    if (reward > 0) {
        rc = loy_ledger_add(c, ref, reward, LOY_K_REF_FIRST, walor_ctx_printf(c, "ref_first:%lld", (long long)friend_id),
                            order_id, walor_ctx_printf(c, "первый заказ друга (№%lld)", (long long)order_id), 0);
        if (rc < 0)
            return rc;
    }
    loy_push(c, ref, walor_textf(c, "loyalty.push.ref_first", "name", first_name(c, friend_id), "sum",
                                 walor_money(c, reward), NULL));
    loy_push(c, friend_id, walor_textf(c, "loyalty.push.ref_first_friend", "name", first_name(c, ref), NULL));
    return tiers(c, ref);
}

int32_t loy_referral_on_completed(walor_ctx *c, int64_t friend_id, int64_t order_id, int64_t paid_goods)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT referrer_id, first_order FROM loyalty_referral WHERE friend_id = ?",
                                WALOR_ARGS(walor_i(friend_id)), &r);
    if (rc < 0)
        return rc;
    int64_t ref = 0, first = 0;
    if (walor_row_next(r) == 1) {
        ref = walor_col_int(r, 0);
        first = walor_col_int(r, 1);
    }
    walor_rows_close(r);
    /* lifetime share: orders after the first qualifying one */
    if (!ref || !first || order_id <= first)
        return 0;
    int64_t share = loy_pct_floor(paid_goods, loy_setting(c, "ref_pct", 5));
    if (share <= 0)
        return 0;
    rc = loy_ledger_add(c, ref, share, LOY_K_REF_LIFE, walor_ctx_printf(c, "ref_life:%lld", (long long)order_id),
                        order_id, walor_ctx_printf(c, "покупка друга (заказ №%lld)", (long long)order_id), 0);
    if (rc == 1)
        loy_push(c, ref, walor_textf(c, "loyalty.push.ref_life", "name", first_name(c, friend_id), "sum",
                                     walor_money(c, share), NULL));
    return rc < 0 ? rc : 0;
}

int32_t loy_referral_register(walor_plugin *p)
{
    const walor_deeplink_def dl = {.struct_size = sizeof dl, .min_role = WALOR_ROLE_CLIENT, .prefix = "ref",
                                   .handler = on_deeplink};
    return walor_deeplink(p, &dl);
}
