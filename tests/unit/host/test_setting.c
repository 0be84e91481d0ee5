/* wh_setting_normalize: every WALOR_SET_* type, its range and its Russian reason
 * Features: F-HOST-08 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <walor/types.h>

#include "error.h"
#include "setting.h"

static walor_setting_def def(uint32_t type, int64_t min, int64_t max)
{
    walor_setting_def d;
    memset(&d, 0, sizeof d);
    d.struct_size = sizeof d;
    d.type = type;
    d.key = "k";
    d.label = "k";
    d.min = min;
    d.max = max;
    return d;
}

#define NORM(d, in, want)                                                              \
    do {                                                                               \
        char out_[8192], why_[512];                                                    \
        int32_t rc_ = wh_setting_normalize(&(d), in, out_, sizeof out_, why_, sizeof why_); \
        if (rc_)                                                                       \
            fail_msg("\"%s\" rejected: %s", in, why_);                                 \
        assert_string_equal(out_, want);                                               \
        assert_string_equal(why_, "");                                                 \
    } while (0)

#define DENY(d, in, reason)                                                            \
    do {                                                                               \
        char out_[8192], why_[512];                                                    \
        int32_t rc_ = wh_setting_normalize(&(d), in, out_, sizeof out_, why_, sizeof why_); \
        if (rc_ != WALOR_EINVAL)                                                       \
            fail_msg("\"%s\" accepted or odd rc %d", in, rc_);                         \
        if (!strstr(why_, reason))                                                     \
            fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", in, why_, reason);          \
        assert_string_equal(why_, wh_last_error());                                    \
    } while (0)

static void test_int(void **state)
{
    walor_setting_def d = def(WALOR_SET_INT, 1, 60);
    walor_setting_def any = def(WALOR_SET_INT, 0, 0);
    (void)state;
    NORM(d, "15", "15");
    NORM(d, " 1 ", "1");
    NORM(d, "60", "60");
    NORM(d, "+7", "7");
    NORM(d, "007", "7");
    DENY(d, "0", "Введите целое число от 1 до 60");
    DENY(d, "61", "Введите целое число от 1 до 60");
    DENY(d, "", "от 1 до 60");
    DENY(d, "1.5", "целое");
    DENY(d, "десять", "целое");
    DENY(d, "-", "целое");
    DENY(d, "99999999999999999999", "целое");
    NORM(any, "-9223372036854775808", "-9223372036854775808");
    NORM(any, "9223372036854775807", "9223372036854775807");
    DENY(any, "9223372036854775808", "Введите целое число");
}

static void test_bool(void **state)
{
    walor_setting_def d = def(WALOR_SET_BOOL, 0, 0);
    (void)state;
    NORM(d, "yes", "yes");
    NORM(d, "Да", "yes");
    NORM(d, "ДА", "yes");
    NORM(d, " on ", "yes");
    NORM(d, "1", "yes");
    NORM(d, "TRUE", "yes");
    NORM(d, "нет", "no");
    NORM(d, "Нет", "no");
    NORM(d, "off", "no");
    NORM(d, "0", "no");
    NORM(d, "false", "no");
    NORM(d, "выкл", "no");
    DENY(d, "", "«да» или «нет»");
    DENY(d, "maybe", "«да» или «нет»");
    DENY(d, "2", "«да» или «нет»");
}

static void test_string(void **state)
{
    walor_setting_def d = def(WALOR_SET_STRING, 2, 5);
    walor_setting_def dflt = def(WALOR_SET_STRING, 0, 0);
    char buf[600];
    (void)state;
    NORM(d, "ab", "ab");
    NORM(d, "  Ёжик ", "Ёжик");
    NORM(d, "ЁЁЁЁЁ", "ЁЁЁЁЁ"); /* 5 characters, 10 bytes */
    DENY(d, "ЁЁЁЁЁЁ", "от 2 до 5 символов");
    DENY(d, "a", "от 2 до 5 символов");
    DENY(d, "a\nb", "в одну строку");
    DENY(d, "a\x01" "b", "управляющие");
    DENY(d, "ab\xFF", "UTF-8");
    NORM(dflt, "", "");
    memset(buf, 0, sizeof buf);
    for (int i = 0; i < 256; i++)
        strcat(buf, "я");
    NORM(dflt, buf, buf);
    strcat(buf, "я");
    DENY(dflt, buf, "не длиннее 256 символов");
}

static void test_text(void **state)
{
    walor_setting_def d = def(WALOR_SET_TEXT, 0, 0);
    walor_setting_def cap = def(WALOR_SET_TEXT, 0, 1024);
    char *big;
    (void)state;
    NORM(d, "<b>Добро пожаловать!</b>\nМы открыты.", "<b>Добро пожаловать!</b>\nМы открыты.");
    NORM(d, "", "");
    DENY(d, "<b>oops", "Ошибка в разметке: тег <b> не закрыт");
    DENY(d, "<p>x</p>", "неизвестный тег <p>");
    big = malloc(4098 * 2);
    big[0] = '\0';
    for (int i = 0; i < 4096; i++)
        strcat(big + (i ? (size_t)(i - 1) : 0), "x");
    {
        char out[8192], why[512];
        assert_int_equal(wh_setting_normalize(&d, big, out, sizeof out, why, sizeof why), 0);
        strcat(big, "y");
        assert_int_equal(wh_setting_normalize(&d, big, out, sizeof out, why, sizeof why), WALOR_EINVAL);
        assert_non_null(strstr(why, "4097"));
        assert_non_null(strstr(why, "4096"));
        big[1025] = '\0';
        assert_int_equal(wh_setting_normalize(&cap, big, out, sizeof out, why, sizeof why), WALOR_EINVAL);
        assert_non_null(strstr(why, "1024"));
        /* entities count as the one character they show */
        assert_int_equal(wh_setting_normalize(&cap, "&lt;&amp;", out, sizeof out, why, sizeof why), 0);
    }
    free(big);
}

static void test_money(void **state)
{
    walor_setting_def d = def(WALOR_SET_MONEY, 10000, 100000000);
    walor_setting_def any = def(WALOR_SET_MONEY, 0, 0);
    (void)state;
    NORM(d, "1500", "150000");
    NORM(d, "1 500,50 ₽", "150050");
    NORM(d, "100", "10000");
    NORM(d, "1 000 000", "100000000");
    DENY(d, "99,99", "Введите сумму от 100 ₽ до 1 000 000 ₽");
    DENY(d, "1 000 000,01", "Введите сумму от 100 ₽ до 1 000 000 ₽");
    DENY(d, "-5", "отрицательной");
    DENY(d, "1,505", "двух знаков");
    DENY(d, "много", "начинаться с цифры");
    DENY(d, "15 штук", "Не понимаю сумму");
    DENY(d, "", "Введите сумму");
    NORM(any, "0", "0");
    NORM(any, "92233720368547758,07", "9223372036854775807");
    DENY(any, "92233720368547758,08", "Слишком большая сумма");
}

static void test_misc(void **state)
{
    walor_setting_def d = def(WALOR_SET_INT, 0, 0), odd = def(99, 0, 0);
    char out[4], why[128];
    (void)state;
    /* out too small is the caller's problem, reported as a range error */
    assert_int_equal(wh_setting_normalize(&d, "12345", out, sizeof out, why, sizeof why), WALOR_ERANGE);
    assert_int_equal(wh_setting_normalize(&d, "123", out, sizeof out, why, sizeof why), 0);
    assert_string_equal(out, "123");
    assert_int_equal(wh_setting_normalize(&odd, "1", out, sizeof out, why, sizeof why), WALOR_EINVAL);
    assert_int_equal(wh_setting_normalize(NULL, "1", out, sizeof out, why, sizeof why), WALOR_EINVAL);
    /* NULL why is allowed; the reason is still in wh_last_error() */
    assert_int_equal(wh_setting_normalize(&d, "x", out, sizeof out, NULL, 0), WALOR_EINVAL);
    assert_string_equal(wh_last_error(), "Введите целое число");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),  cmocka_unit_test(test_bool),  cmocka_unit_test(test_string),
        cmocka_unit_test(test_text), cmocka_unit_test(test_money), cmocka_unit_test(test_misc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
