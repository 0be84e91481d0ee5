/* loyalty's pure arithmetic (plugins/loyalty/calc.c): the order of discounts
 * of a quote (product → personal → promo → certificate → bonuses, each never
 * below zero), percentages, the referral tier table, roubles as typed.
 * Features: F-LOY-02, F-LOY-05, F-LOY-07, F-LOY-08, F-LOY-09 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calc.h"

struct adj_case {
    const char *name;
    loy_adj_in in;
    int rc;
    int64_t personal, promo, cert, bonus, to_pay;
};

static void test_adjust_order(void **st)
{
    (void)st;
    static const struct adj_case cases[] = {
        {"nothing", {100000, 0, 0, 0, 0, 0, 30}, 0, 0, 0, 0, 0, 100000},
        /* personal 10 % of 1000 = 100; promo 20 % of 900 = 180; cert 300 of 720;
         * bonus ≤ 30 % of 420 = 126 (balance 500) → 126; 294 left */
        {"all four", {100000, 10, 20, 30000, 50000, LOY_BONUS_ALL, 30}, 0, 10000, 18000, 30000, 12600, 29400},
        /* the promo is taken after the personal discount, not of the goods */
        {"promo after personal", {10000, 50, 50, 0, 0, 0, 0}, 0, 5000, 2500, 0, 0, 2500},
        /* a certificate bigger than what is left stops at zero; bonuses then 0 */
        {"cert bigger", {50000, 0, 10, 100000, 90000, LOY_BONUS_ALL, 100}, 0, 0, 5000, 45000, 0, 0},
        /* bonuses capped by the balance */
        {"bonus balance", {100000, 0, 0, 0, 1500, LOY_BONUS_ALL, 50}, 0, 0, 0, 0, 1500, 98500},
        /* bonuses capped by the share */
        {"bonus share", {100000, 0, 0, 0, 1000000, LOY_BONUS_ALL, 30}, 0, 0, 0, 0, 30000, 70000},
        /* the customer asks for less than allowed */
        {"bonus wanted", {100000, 0, 0, 0, 1000000, 5000, 30}, 0, 0, 0, 0, 5000, 95000},
        /* and for more: the cap wins */
        {"bonus wanted over", {100000, 0, 0, 0, 1000000, 999999, 30}, 0, 0, 0, 0, 30000, 70000},
        /* share 100 % and enough bonuses pay the whole rest */
        {"bonus whole", {12345, 0, 0, 0, 99999, LOY_BONUS_ALL, 100}, 0, 0, 0, 0, 12345, 0},
        /* promo 100 %: nothing left for the certificate or bonuses */
        {"promo 100", {70000, 0, 100, 10000, 5000, LOY_BONUS_ALL, 100}, 0, 0, 70000, 0, 0, 0},
        /* half-up rounding of percentages: 15 % of 333 = 49.95 → 50; bonus floor 10 % of 283 = 28 */
        {"rounding", {333, 15, 0, 0, 100, LOY_BONUS_ALL, 10}, 0, 50, 0, 0, 28, 255},
        /* 0.5 rounds up: 10 % of 5 kopecks = 0.5 → 1 */
        {"half", {5, 10, 0, 0, 0, 0, 0}, 0, 1, 0, 0, 0, 4},
        /* empty order */
        {"zero goods", {0, 10, 10, 5000, 5000, LOY_BONUS_ALL, 50}, 0, 0, 0, 0, 0, 0},
        /* refused inputs */
        {"negative goods", {-1, 0, 0, 0, 0, 0, 0}, -1, 0, 0, 0, 0, 0},
        {"personal 100", {1000, 100, 0, 0, 0, 0, 0}, -1, 0, 0, 0, 0, 0},
        {"promo 101", {1000, 0, 101, 0, 0, 0, 0}, -1, 0, 0, 0, 0, 0},
        {"negative cert", {1000, 0, 0, -5, 0, 0, 0}, -1, 0, 0, 0, 0, 0},
        {"negative balance", {1000, 0, 0, 0, -5, 0, 0}, -1, 0, 0, 0, 0, 0},
        {"share 101", {1000, 0, 0, 0, 0, 0, 101}, -1, 0, 0, 0, 0, 0},
        {"overflow", {INT64_MAX / 2, 0, 0, 0, 0, 0, 0}, -1, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct adj_case *k = &cases[i];
        loy_adj_out o;
        int rc = loy_adjust(&k->in, &o);
        if (rc != k->rc || o.personal != k->personal || o.promo != k->promo || o.cert != k->cert ||
            o.bonus != k->bonus || o.goods_to_pay != k->to_pay)
            fail_msg("%s: rc %d personal %lld promo %lld cert %lld bonus %lld to pay %lld", k->name, rc,
                     (long long)o.personal, (long long)o.promo, (long long)o.cert, (long long)o.bonus,
                     (long long)o.goods_to_pay);
        if (rc == 0)
            assert_int_equal(o.goods_to_pay + o.personal + o.promo + o.cert + o.bonus, k->in.goods);
    }
}

static void test_percent(void **st)
{
    (void)st;
    static const struct {
        int64_t amount, pct, half_up, floor;
    } cases[] = {
        {100000, 7, 7000, 7000},   /* cashback 7 % of 1 000 ₽ */
        {12345, 7, 864, 864},      /* 864.15 */
        {12350, 7, 865, 864},      /* 864.5: half-up vs down */
        {99, 5, 5, 4},             /* 4.95 */
        {0, 5, 0, 0},
        {100, 0, 0, 0},
        {100, 100, 100, 100},
        {-1, 5, -1, -1},
        {100, 101, -1, -1},
        {INT64_MAX, 1, -1, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(loy_pct_half_up(cases[i].amount, cases[i].pct), cases[i].half_up);
        assert_int_equal(loy_pct_floor(cases[i].amount, cases[i].pct), cases[i].floor);
    }
}

static void test_tiers(void **st)
{
    (void)st;
    loy_tier t[LOY_TIERS_MAX];
    const char *why = NULL;
    assert_int_equal(loy_tiers_parse("3:500; 10:2000", t, LOY_TIERS_MAX, &why), 2);
    assert_int_equal(t[0].friends, 3);
    assert_int_equal(t[0].bonus, 50000);
    assert_int_equal(t[1].friends, 10);
    assert_int_equal(t[1].bonus, 200000);
    assert_int_equal(loy_tiers_parse(" 1 : 100 , 2:200 ;", t, LOY_TIERS_MAX, &why), 2);
    assert_int_equal(loy_tiers_parse("", t, LOY_TIERS_MAX, &why), 0);
    assert_int_equal(loy_tiers_parse(NULL, t, LOY_TIERS_MAX, &why), 0);
    static const char *const bad[] = {"3", "3:", ":500", "3:0", "0:100", "5:100; 3:200", "5:100; 5:200",
                                      "3:500 x", "a:b", "3:-5", "1:1;2:2;3:3", "3:5000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        int max = i == 10 ? 2 : LOY_TIERS_MAX;
        if (loy_tiers_parse(bad[i], t, max, &why) != -1 || !why)
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_rub(void **st)
{
    (void)st;
    static const struct {
        const char *in;
        int rc;
        int64_t k;
    } cases[] = {
        {"1500", 0, 150000},    {"1 500", 0, 150000},   {"1500,50", 0, 150050}, {"1500.5", 0, 150050},
        {" 500 ₽", 0, 50000},   {"500 руб.", 0, 50000}, {"0", 0, 0},            {"1\xC2\xA0" "000", 0, 100000},
        {"", -1, 0},            {"-5", -1, 0},          {"abc", -1, 0},         {"5,", -1, 0},
        {"5,123", -1, 0},       {"1 500 x", -1, 0},     {"2000000000", -1, 0},  {"1  000", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t k = -7;
        int rc = loy_parse_rub(cases[i].in, &k);
        if (rc != cases[i].rc || (rc == 0 && k != cases[i].k))
            fail_msg("\"%s\": rc %d, %lld kopecks", cases[i].in, rc, (long long)k);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adjust_order),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_rub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
