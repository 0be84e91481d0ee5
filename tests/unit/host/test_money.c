/* wh_money_format / wh_money_parse: kopecks to Russian text and back
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <walor/types.h>

#include "error.h"
#include "money.h"

#define FMT(kop, want)                                                  \
    do {                                                                \
        char b_[WH_MONEY_BUF];                                          \
        size_t n_ = wh_money_format(b_, sizeof b_, kop);                \
        assert_string_equal(b_, want);                                  \
        assert_int_equal(n_, strlen(want));                             \
    } while (0)

static void test_format(void **state)
{
    (void)state;
    FMT(0, "0 ₽");
    FMT(1, "0,01 ₽");
    FMT(50, "0,50 ₽");
    FMT(100, "1 ₽");
    FMT(99999, "999,99 ₽");
    FMT(100000, "1 000 ₽");
    FMT(150000, "1 500 ₽");
    FMT(150050, "1 500,50 ₽");
    FMT(150005, "1 500,05 ₽");
    FMT(100000000, "1 000 000 ₽");
    FMT(-2000, "\xE2\x88\x92" "20 ₽");
    FMT(-1, "\xE2\x88\x92" "0,01 ₽");
    FMT(INT64_MAX, "92 233 720 368 547 758,07 ₽");
    FMT(INT64_MIN, "\xE2\x88\x92" "92 233 720 368 547 758,08 ₽");
}

static void test_format_truncates_like_snprintf(void **state)
{
    char b[8];
    (void)state;
    /* "1 500 ₽" is 9 bytes: the cut never splits the ₽ */
    assert_int_equal(wh_money_format(b, sizeof b, 150000), 9);
    assert_string_equal(b, "1 500 ");
    assert_int_equal(wh_money_format(NULL, 0, 150000), 9);
    memset(b, 'x', sizeof b);
    assert_int_equal(wh_money_format(b, 1, 150000), 9);
    assert_string_equal(b, "");
    {
        char exact[10];
        assert_int_equal(wh_money_format(exact, sizeof exact, 150000), 9);
        assert_string_equal(exact, "1 500 ₽");
    }
}

#define PARSE(s, want)                                                          \
    do {                                                                        \
        int64_t k_ = -1;                                                        \
        int32_t rc_ = wh_money_parse(s, &k_);                                   \
        if (rc_)                                                                \
            fail_msg("\"%s\" rejected: %s", s, wh_last_error());                \
        assert_int_equal(k_, want);                                             \
    } while (0)

#define REJECT(s, code)                                                         \
    do {                                                                        \
        int64_t k_ = 777;                                                       \
        int32_t rc_ = wh_money_parse(s, &k_);                                   \
        if (rc_ != (code))                                                      \
            fail_msg("\"%s\": got %d, want %d", s ? s : "(null)", rc_, code);   \
        assert_int_equal(k_, 777);                                              \
        assert_true(strlen(wh_last_error()) > 0);                               \
    } while (0)

static void test_parse(void **state)
{
    (void)state;
    PARSE("1500", 150000);
    PARSE("0", 0);
    PARSE("1 500", 150000);
    PARSE("1500,5", 150050);
    PARSE("1500.50", 150050);
    PARSE("1500,05", 150005);
    PARSE("1 500,50 ₽", 150050);
    PARSE("1500 руб", 150000);
    PARSE("1500 руб.", 150000);
    PARSE("1500р", 150000);
    PARSE("1500 р.", 150000);
    PARSE("1500 Руб", 150000);
    PARSE("1500 RUB", 150000);
    PARSE("1500₽", 150000);
    PARSE("1500 рублей", 150000);
    PARSE("  1500  ", 150000);
    PARSE("1\xC2\xA0" "500", 150000);          /* NBSP */
    PARSE("1\xE2\x80\x89" "500", 150000);      /* thin space */
    PARSE("1\xE2\x80\xAF" "500\xC2\xA0₽", 150000); /* narrow NBSP, NBSP before ₽ */
    PARSE("1 000 000", 100000000);
    PARSE("0,01", 1);
    PARSE("007", 700);
    PARSE("92233720368547758,07", INT64_MAX);
    PARSE("92 233 720 368 547 758,07 ₽", INT64_MAX);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    REJECT(NULL, WALOR_EINVAL);
    REJECT("", WALOR_EINVAL);
    REJECT("   ", WALOR_EINVAL);
    REJECT("₽", WALOR_EINVAL);
    REJECT("-5", WALOR_EINVAL);
    REJECT("\xE2\x88\x92" "5", WALOR_EINVAL);
    REJECT("+5", WALOR_EINVAL);
    REJECT("1500,505", WALOR_EINVAL);
    REJECT("1.500", WALOR_EINVAL);   /* reads as 1,500 with three decimals: ambiguous */
    REJECT("1500,", WALOR_EINVAL);
    REJECT(",50", WALOR_EINVAL);
    REJECT("abc", WALOR_EINVAL);
    REJECT("15 00", WALOR_EINVAL);   /* a hundredfold typo */
    REJECT("1500 000", WALOR_EINVAL);
    REJECT("1 5000", WALOR_EINVAL);
    REJECT("1  500", WALOR_EINVAL);
    REJECT("1500 $", WALOR_EINVAL);
    REJECT("12abc", WALOR_EINVAL);
    REJECT("1,2,3", WALOR_EINVAL);
    REJECT("1e3", WALOR_EINVAL);
    REJECT("92233720368547758,08", WALOR_ERANGE);
    REJECT("92233720368547759", WALOR_ERANGE);
    REJECT("99999999999999999999999999", WALOR_ERANGE);
}

static void test_round_trip(void **state)
{
    const int64_t v[] = {0, 1, 99, 100, 150050, 123456789, INT64_MAX};
    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char b[WH_MONEY_BUF];
        int64_t back = -1;
        wh_money_format(b, sizeof b, v[i]);
        assert_int_equal(wh_money_parse(b, &back), 0);
        assert_int_equal(back, v[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),        cmocka_unit_test(test_format_truncates_like_snprintf),
        cmocka_unit_test(test_parse),         cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
