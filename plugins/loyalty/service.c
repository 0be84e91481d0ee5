/* loyalty: the `loyalty` service for the CRM's client card (F-CRM-06,
 * <walor/services/loyalty.h>) and the staff changes behind it, which the
 * admin section uses too. */
#include <string.h>

#include <walor/services/loyalty.h>

#include "loy.h"

#define REASON_MAX 200

static int32_t user_known(walor_ctx *c, int64_t user_id)
{
    if (user_id <= 0 || !walor_user_get(c, user_id))
        return WALOR_ENOTFOUND;
    return 0;
}

int32_t loy_staff_add_bonus(walor_ctx *c, int64_t user_id, int64_t amount, const char *reason, int64_t *balance)
{
    if (amount == 0 || !reason || !*reason || strlen(reason) > REASON_MAX)
        return WALOR_EINVAL;
    int32_t rc = user_known(c, user_id);
    if (rc < 0)
        return rc;
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    int64_t bal = 0;
    rc = loy_balance(c, user_id, &bal);
    if (rc == 0 && bal + amount < 0)
        rc = WALOR_ERANGE;
    if (rc == 0)
        rc = loy_ledger_add(c, user_id, amount, LOY_K_MANUAL, NULL, 0, reason, walor_ctx_user_id(c));
    if (rc >= 0)
        rc = loy_log_action(c, walor_ctx_printf(c, "бонусы клиента %lld: %s%s (%s)", (long long)user_id,
                                                amount > 0 ? "+" : "", walor_money(c, amount), reason));
    rc = walor_tx_end(c, rc < 0 ? rc : 0);
    if (rc < 0)
        return rc;
    bal += amount;
    if (balance)
        *balance = bal;
    loy_push(c, user_id, walor_textf(c, amount > 0 ? "loyalty.push.manual_add" : "loyalty.push.manual_take", "sum",
                                     walor_money(c, amount > 0 ? amount : -amount), "reason", loy_esc(c, reason),
                                     "balance", walor_money(c, bal), NULL));
    return 0;
}

int32_t loy_staff_set_discount(walor_ctx *c, int64_t user_id, int64_t pct)
{
    if (pct < 0 || pct > 99)
        return WALOR_ERANGE;
    int32_t rc = user_known(c, user_id);
    if (rc < 0)
        return rc;
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    if (pct == 0)
        rc = walor_db_exec(c, "DELETE FROM loyalty_personal WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    else
        rc = walor_db_exec(c, "INSERT INTO loyalty_personal(user_id, pct, set_by, set_at) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT(user_id) DO UPDATE SET pct = excluded.pct, set_by = excluded.set_by, "
                              "set_at = excluded.set_at",
                           WALOR_ARGS(walor_i(user_id), walor_i(pct), walor_i(walor_ctx_user_id(c)),
                                      walor_i(walor_now(c))));
    if (rc >= 0)
        rc = loy_log_action(c, walor_ctx_printf(c, "персональная скидка клиента %lld: %lld%%", (long long)user_id,
                                                (long long)pct));
    rc = walor_tx_end(c, rc < 0 ? rc : 0);
    if (rc < 0)
        return rc;
    loy_push(c, user_id, pct ? walor_textf(c, "loyalty.push.discount", "pct", loy_num(c, pct), NULL)
                             : walor_text(c, "loyalty.push.discount_off"));
    return 0;
}

static int32_t info(walor_ctx *c, int64_t user_id, walor_loyalty_info *out)
{
    int64_t bal = 0, earned = 0, spent = 0;
    int32_t rc = walor_db_row(c,
                              "SELECT coalesce(sum(amount), 0),"
                              " coalesce(sum(CASE WHEN amount > 0 AND kind <> 'spend_back' THEN amount END), 0),"
                              " coalesce(sum(CASE WHEN kind IN ('spend', 'spend_back') THEN amount END), 0)"
                              " FROM loyalty_ledger WHERE user_id = ?",
                              WALOR_ARGS(walor_i(user_id)), "iii", &bal, &earned, &spent);
    if (rc < 0)
        return rc;
    spent = -spent;
    int64_t pct = 0, ref = 0, friends = 0;
    rc = loy_personal_pct(c, user_id, &pct);
    if (rc < 0)
        return rc;
    walor_db_int(c, "SELECT referrer_id FROM loyalty_referral WHERE friend_id = ?", WALOR_ARGS(walor_i(user_id)), &ref);
    walor_db_int(c, "SELECT count(*) FROM loyalty_referral WHERE referrer_id = ?", WALOR_ARGS(walor_i(user_id)),
                 &friends);
#define FITS(m) (out->struct_size >= offsetof(walor_loyalty_info, m) + sizeof out->m)
    if (FITS(discount_pct)) out->discount_pct = (int32_t)pct;
    if (FITS(balance)) out->balance = bal;
    if (FITS(earned)) out->earned = earned;
    if (FITS(spent)) out->spent = spent;
    if (FITS(referrer_id)) out->referrer_id = ref;
    if (FITS(friends)) out->friends = friends;
#undef FITS
    return 0;
}

static int32_t add_bonus(walor_ctx *c, int64_t user_id, int64_t amount, const char *reason, int64_t *out_balance)
{
    return loy_staff_add_bonus(c, user_id, amount, reason, out_balance);
}

static int32_t set_discount(walor_ctx *c, int64_t user_id, int32_t pct)
{
    return loy_staff_set_discount(c, user_id, pct);
}

/* info() of everyone at once: each table grouped once, joined on the ids
 * that appear anywhere (UNION also orders them) */
static int32_t infos(walor_ctx *c, walor_loyalty_info_fn fn, void *ud)
{
    if (!fn)
        return WALOR_EINVAL;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(
        c,
        "SELECT i.id, coalesce(l.bal, 0), coalesce(l.earned, 0), coalesce(l.spent, 0), coalesce(p.pct, 0),"
        " coalesce(r.referrer_id, 0), coalesce(f.n, 0) FROM"
        " (SELECT user_id AS id FROM loyalty_ledger UNION SELECT user_id FROM loyalty_personal"
        "  UNION SELECT friend_id FROM loyalty_referral UNION SELECT referrer_id FROM loyalty_referral) i"
        " LEFT JOIN (SELECT user_id, sum(amount) AS bal,"
        "  sum(CASE WHEN amount > 0 AND kind <> 'spend_back' THEN amount ELSE 0 END) AS earned,"
        "  -sum(CASE WHEN kind IN ('spend', 'spend_back') THEN amount ELSE 0 END) AS spent"
        "  FROM loyalty_ledger GROUP BY user_id) l ON l.user_id = i.id"
        " LEFT JOIN loyalty_personal p ON p.user_id = i.id"
        " LEFT JOIN loyalty_referral r ON r.friend_id = i.id"
        " LEFT JOIN (SELECT referrer_id, count(*) AS n FROM loyalty_referral GROUP BY referrer_id) f"
        "  ON f.referrer_id = i.id"
        " ORDER BY i.id",
        NULL, 0, &r);
    if (rc < 0)
        return rc;
    walor_loyalty_info li = {.struct_size = sizeof li};
    int64_t uid;
    while ((rc = walor_row_step(c, r, "iiiidii", &uid, &li.balance, &li.earned, &li.spent, &li.discount_pct,
                                &li.referrer_id, &li.friends)) == 1 &&
           (rc = fn(ud, uid, &li)) == 0)
        ;
    walor_rows_close(r);
    return rc;
}

static const walor_loyalty_v1 SERVICE = {
    .struct_size = sizeof SERVICE,
    .info = info,
    .add_bonus = add_bonus,
    .set_discount = set_discount,
    .infos = infos,
};

int32_t loy_service_register(walor_plugin *p)
{
    return walor_service_provide(p, WALOR_LOYALTY_SERVICE, WALOR_LOYALTY_MAJOR, WALOR_LOYALTY_MINOR, &SERVICE);
}
