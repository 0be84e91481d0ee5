/* loyalty: the pure arithmetic (no host calls), unit-tested in
 * tests/unit/plugins/loyalty/test_loyalty_calc.c:
 *   - the order of discounts of one quote;
 *   - percentages of money (cashback, referral share);
 *   - the referral tier table of the config;
 *   - roubles as staff type them.
 * Money is int64 kopecks. */
#ifndef LOYALTY_CALC_H
#define LOYALTY_CALC_H

#include <stdint.h>

/* ---- the order of discounts ----
 * The goods sum already carries the product discounts (unit prices). Then,
 * each on what is left after the previous one and never below zero:
 *   1. personal discount %   (rounded half-up to a kopeck)
 *   2. promo code %          (rounded half-up)
 *   3. gift certificate      (its face value, at most what is left)
 *   4. bonuses               (at most the balance, at most bonus_share_pct %
 *                             of what is left, rounded down; the customer may
 *                             ask for less)
 * Delivery is added by the checkout after all of them and is never
 * discounted. */
#define LOY_BONUS_ALL (-1) /* bonus_wanted: as much as allowed */

typedef struct loy_adj_in {
    int64_t goods;            /* Σ unit_price × qty, >= 0 */
    int32_t personal_pct;     /* 0-99 */
    int32_t promo_pct;        /* 0-100 */
    int64_t cert_value;       /* face value, 0 = none */
    int64_t bonus_balance;    /* >= 0 */
    int64_t bonus_wanted;     /* kopecks, or LOY_BONUS_ALL; 0 = none */
    int32_t bonus_share_pct;  /* 0-100 */
} loy_adj_in;

typedef struct loy_adj_out {
    int64_t personal, promo, cert, bonus; /* each >= 0 */
    int64_t goods_to_pay;                 /* goods minus all four, >= 0 */
} loy_adj_out;

/* 0, or -1 on a negative sum, a percentage out of range or an overflow
 * (out is zeroed then). */
int loy_adjust(const loy_adj_in *in, loy_adj_out *out);

/* pct % of amount: half-up (discounts) or rounded down (bonuses). -1 when
 * amount or pct is negative or the product would overflow. */
int64_t loy_pct_half_up(int64_t amount, int64_t pct);
int64_t loy_pct_floor(int64_t amount, int64_t pct);

/* ---- referral tiers (F-LOY-05) ----
 * "friends:roubles" pairs separated by ';' or ',' (spaces allowed),
 * strictly increasing friends: "3:500; 10:2000". Empty = no tiers. Returns
 * the number of tiers, or -1 with *why (static, Russian) when malformed. */
#define LOY_TIERS_MAX 16
typedef struct loy_tier {
    int64_t friends;
    int64_t bonus;            /* kopecks */
} loy_tier;
int loy_tiers_parse(const char *spec, loy_tier *out, int max, const char **why);

/* ---- roubles as typed: "1500", "1 500", "1500,50", "1500.5" → kopecks.
 * 0, or -1 when malformed, negative or above 1 000 000 000 roubles. */
int loy_parse_rub(const char *s, int64_t *kopecks);

#endif
