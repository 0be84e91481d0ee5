/* wh_num_format / wh_plural_*: numbers with a decimal comma and grouped
 * thousands, Russian plural forms (walor_number, walor_plural)
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "money.h"
#include "num.h"

#define NUM(v, scale, want)                                             \
    do {                                                                \
        char b_[WH_NUM_BUF];                                            \
        size_t n_ = wh_num_format(b_, sizeof b_, v, scale);             \
        assert_string_equal(b_, want);                                  \
        assert_int_equal(n_, strlen(want));                             \
    } while (0)

static void test_number(void **state)
{
    (void)state;
    NUM(0, 0, "0");
    NUM(7, 0, "7");
    NUM(1000, 0, "1 000");
    NUM(1500000, 0, "1 500 000");
    NUM(300, 3, "0,3");        /* grams → kilograms */
    NUM(1250, 3, "1,25");
    NUM(2000, 3, "2");         /* no ",000" */
    NUM(1234567, 3, "1 234,567");
    NUM(5, 3, "0,005");
    NUM(-1250, 2, "\xE2\x88\x92" "12,5");
    NUM(-7, 0, "\xE2\x88\x92" "7");
    NUM(INT64_MIN, 0, "\xE2\x88\x92" "9 223 372 036 854 775 808");
    NUM(INT64_MAX, 6, "9 223 372 036 854,775807");
    NUM(1, 9, "0,000001");     /* scale over 6 is taken as 6 */
}

/* the same thousands as walor_money, so a price and a count look alike */
static void test_grouping_matches_money(void **state)
{
    (void)state;
    char n[WH_NUM_BUF], m[WH_MONEY_BUF];
    int64_t vals[] = {0, 999, 1000, 123456789, 1000000000000LL};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        wh_num_format(n, sizeof n, vals[i], 0);
        wh_money_format(m, sizeof m, vals[i] * 100);
        assert_int_equal(strncmp(m, n, strlen(n)), 0);
        assert_string_equal(m + strlen(n), " ₽");
    }
}

static void test_number_truncates_like_snprintf(void **state)
{
    (void)state;
    char b[5];
    size_t need = wh_num_format(b, sizeof b, 1500000, 0);
    assert_int_equal(need, strlen("1 500 000"));
    assert_string_equal(b, "1 50");
    char m[3];
    wh_num_format(m, sizeof m, -5, 0); /* never half a character */
    assert_string_equal(m, "");
}

static void test_plural_index(void **state)
{
    (void)state;
    static const struct { int64_t n; int form; } cases[] = {
        {0, 2}, {1, 0}, {2, 1}, {3, 1}, {4, 1}, {5, 2}, {10, 2}, {11, 2}, {12, 2}, {14, 2}, {15, 2},
        {20, 2}, {21, 0}, {22, 1}, {24, 1}, {25, 2}, {101, 0}, {111, 2}, {112, 2}, {121, 0}, {1000, 2},
        {1001, 0}, {1011, 2}, {-1, 0}, {-2, 1}, {-11, 2}, {INT64_MIN, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (wh_plural_index(cases[i].n) != cases[i].form)
            fail_msg("n = %lld: form %d, want %d", (long long)cases[i].n, wh_plural_index(cases[i].n),
                     cases[i].form);
    }
}

static void expect_word(const char *forms, int64_t n, const char *want)
{
    const char *w;
    size_t len;
    wh_plural_pick(forms, n, &w, &len);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(w, want, len);
}

static void test_plural_pick(void **state)
{
    (void)state;
    const char *pos = "позиция|позиции|позиций";
    expect_word(pos, 1, "позиция");
    expect_word(pos, 2, "позиции");
    expect_word(pos, 5, "позиций");
    expect_word(pos, 21, "позиция");
    expect_word(pos, 11, "позиций");
    expect_word(pos, 0, "позиций");
    expect_word("шт.", 5, "шт.");              /* one form for all */
    expect_word("день|дня", 5, "дня");         /* missing forms: the last one */
    expect_word(NULL, 3, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number),        cmocka_unit_test(test_grouping_matches_money),
        cmocka_unit_test(test_number_truncates_like_snprintf),
        cmocka_unit_test(test_plural_index),  cmocka_unit_test(test_plural_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
