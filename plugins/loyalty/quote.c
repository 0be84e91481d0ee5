/* loyalty: one customer's adjustments of one order, from what the database
 * says now (calc.h does the arithmetic). Shared by the cart line and the
 * checkout's quote so both show the same figures. */
#include <string.h>

#include "loy.h"

int32_t loy_quote_for(walor_ctx *c, int64_t user_id, int64_t goods, const char *promo, const char *cert,
                      int64_t bonus_wanted, loy_quote *out)
{
    memset(out, 0, sizeof *out);
    int32_t rc = loy_personal_pct(c, user_id, &out->personal_pct);
    if (rc < 0)
        return rc;
    if (promo && *promo) {
        loy_promo p;
        rc = loy_promo_find(c, promo, &p);
        if (rc < 0 && rc != WALOR_ENOTFOUND)
            return rc;
        if (rc == 0 && !loy_promo_refusal(c, &p, user_id)) {
            out->promo_pct = p.pct;
            out->promo_code = p.code;
        }
    }
    int64_t cert_value = 0;
    if (cert && *cert) {
        loy_cert k;
        rc = loy_cert_find(c, cert, &k);
        if (rc < 0 && rc != WALOR_ENOTFOUND)
            return rc;
        if (rc == 0 && !loy_cert_refusal(c, &k)) {
            cert_value = k.balance;
            out->cert_code = k.code;
        }
    }
    if (bonus_wanted != 0) {
        rc = loy_balance(c, user_id, &out->balance);
        if (rc < 0)
            return rc;
        if (out->balance < 0)
            out->balance = 0;
    }
    out->bonus_share = loy_setting(c, "bonus_share_pct", 30);
    loy_adj_in in = {.goods = goods,
                     .personal_pct = (int32_t)out->personal_pct,
                     .promo_pct = (int32_t)out->promo_pct,
                     .cert_value = cert_value,
                     .bonus_balance = out->balance,
                     .bonus_wanted = bonus_wanted,
                     .bonus_share_pct = (int32_t)out->bonus_share};
    if (loy_adjust(&in, &out->a) < 0) {
        walor_log(c, WALOR_LOG_WARN, "loyalty: quote of user %lld refused (goods %lld)", (long long)user_id,
                  (long long)goods);
        return WALOR_EINVAL;
    }
    if (out->a.promo == 0 && out->promo_pct == 0)
        out->promo_code = NULL;
    if (out->a.cert == 0)
        out->cert_code = NULL;
    return 0;
}
