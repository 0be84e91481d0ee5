/* loyalty: declarations shared by the plugin's files (README.md). */
#ifndef LOYALTY_LOY_H
#define LOYALTY_LOY_H

#include <walor/plugin.h>

/* ---- small helpers (loyalty.c) ---- */
char *loy_num(walor_ctx *c, int64_t n);
char *loy_esc(walor_ctx *c, const char *s);            /* walor_html_escape, "" for NULL */
int64_t loy_setting(walor_ctx *c, const char *key, int64_t dflt); /* "loyalty.<key>" */
int32_t loy_log_action(walor_ctx *c, const char *what);
char *loy_date(walor_ctx *c, int64_t t);               /* "dd.mm.yyyy" in the shop's zone */
/* a message to user_id, not a reply (bulk pacing off: these are personal);
 * a customer who blocked the bot is no failure */
int32_t loy_push(walor_ctx *c, int64_t user_id, const char *html);
/* "Имя (@user, 123)" of a user, escaped, for staff screens */

/* ---- the bonus ledger (ledger.c) ---- */
/* Kinds of ledger rows; the key makes an automatic row happen once. */
#define LOY_K_CASHBACK "cashback"   /* key cashback:<order> */
#define LOY_K_SPEND "spend"         /* key spend:<order>, amount < 0 */
#define LOY_K_SPEND_BACK "spend_back" /* key spend_back:<order> */
#define LOY_K_REF_FIRST "ref_first" /* key ref_first:<friend> */
#define LOY_K_REF_LIFE "ref_life"   /* key ref_life:<order> */
#define LOY_K_TIER "tier"           /* key tier:<referrer>:<friends> */
#define LOY_K_MANUAL "manual"       /* no key */

int32_t loy_balance(walor_ctx *c, int64_t user_id, int64_t *out);
/* 1 written, 0 when a row with this key exists already, < 0 error.
 * key NULL = always written. by = staff user id or 0. */
int32_t loy_ledger_add(walor_ctx *c, int64_t user_id, int64_t amount, const char *kind, const char *key,
                       int64_t order_id, const char *note, int64_t by);
extern const char loy_ledger_migration[];

/* ---- promo codes and certificates (codes.c) ---- */
/* the comparable form of a typed code: trimmed, upper case (Cyrillic too),
 * ё → Е; NULL when it is not a code (empty, too long, spaces inside,
 * characters other than letters, digits, '-' and '_') */
char *loy_code_norm(walor_ctx *c, const char *typed);

typedef struct loy_promo {
    int64_t id, pct, usage_limit, used, expires_at, once_per_user, active;
    const char *code;
} loy_promo;
/* 0 found, WALOR_ENOTFOUND, or < 0 */
int32_t loy_promo_find(walor_ctx *c, const char *code, loy_promo *out);
/* NULL when user_id may use it now, else the reason (Russian, plain) */
const char *loy_promo_refusal(walor_ctx *c, const loy_promo *p, int64_t user_id);

typedef struct loy_cert {
    int64_t id, face, balance, expires_at;
    const char *code, *state;
} loy_cert;
int32_t loy_cert_find(walor_ctx *c, const char *code, loy_cert *out);
const char *loy_cert_refusal(walor_ctx *c, const loy_cert *k);

/* the promo code a customer applied from the cart, or NULL */
const char *loy_cart_promo(walor_ctx *c, int64_t user_id);
int32_t loy_personal_pct(walor_ctx *c, int64_t user_id, int64_t *pct);
extern const char loy_codes_migration[];

/* ---- one customer's adjustments (quote.c) ----
 * Reads the personal discount, checks the codes (a code that does not hold
 * any more simply gives nothing) and the balance, and applies calc.h's
 * order. promo / cert may be NULL or "" (none); bonus_wanted as in calc.h. */
#include "calc.h"
typedef struct loy_quote {
    loy_adj_out a;
    int64_t personal_pct, promo_pct, balance, bonus_share;
    const char *promo_code;   /* the code applied, NULL when none holds */
    const char *cert_code;
} loy_quote;
int32_t loy_quote_for(walor_ctx *c, int64_t user_id, int64_t goods, const char *promo, const char *cert,
                      int64_t bonus_wanted, loy_quote *out);

/* ---- staff changes (service.c), shared by the CRM's service and the
 * admin section: ledger/table row, action log, a message to the customer */
int32_t loy_staff_add_bonus(walor_ctx *c, int64_t user_id, int64_t amount, const char *reason, int64_t *balance);
int32_t loy_staff_set_discount(walor_ctx *c, int64_t user_id, int64_t pct);

/* ---- registration of each part, called from load() ---- */
int32_t loy_cart_register(walor_plugin *p);     /* cart_ext.c: cart line, promo conversation */
int32_t loy_pricing_register(walor_plugin *p);  /* pricing.c: checkout steps and quote lines */
int32_t loy_events_register(walor_plugin *p);   /* orders_ev.c: paid / cancelled / completed */
int32_t loy_referral_register(walor_plugin *p); /* referral.c: ref<ID>, rewards, tiers */
int32_t loy_screen_register(walor_plugin *p);   /* screen.c: "Мои бонусы" */
int32_t loy_admin_register(walor_plugin *p);    /* admin.c: "Промо и скидки" */
int32_t loy_service_register(walor_plugin *p);  /* service.c: the CRM's loyalty service */

/* referral.c: the friend's order was paid / completed (inside the delivery) */
int32_t loy_referral_on_paid(walor_ctx *c, int64_t friend_id, int64_t order_id, int64_t goods);
int32_t loy_referral_on_completed(walor_ctx *c, int64_t friend_id, int64_t order_id, int64_t paid_goods);
extern const char loy_referral_migration[];

#endif
