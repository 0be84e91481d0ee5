/* Bulk text forms: every bad line is reported with its number and nothing
 * is half-parsed (ground rule 3).
 * Features: F-WH-03, F-WH-04, F-WH-06 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"

/* a stock-take of a 5,000-product shop is one form: 10,000 lines parse,
 * the 10,001st is an error with its number and nothing is returned */
static void test_line_limit(void **state)
{
    (void)state;
    size_t cap = 10001 * 12 + 1, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 1; i <= 10000; i++)
        len += (size_t)snprintf(text + len, cap - len, "%d 1\n", i);
    walor_form_line *l;
    uint32_t n;
    char *err;
    assert_int_equal(wh_form_parse(text, 0, &l, &n, &err), 0);
    assert_int_equal(n, 10000);
    assert_int_equal(l[9999].id, 10000);
    free(l);
    free(err);
    snprintf(text + len, cap - len, "10001 1\n");
    assert_int_equal(wh_form_parse(text, 0, &l, &n, &err), WALOR_EINVAL);
    assert_null(l);
    assert_non_null(strstr(err, "строка 10001: слишком много строк"));
    free(err);
    free(text);
}

static void test_good_lines(void **state)
{
    (void)state;
    walor_form_line *l;
    uint32_t n;
    char *err;
    assert_int_equal(wh_form_parse("12 5\n\n# comment\n 7.2\t3 \r\n", 0, &l, &n, &err), 0);
    assert_null(err);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, 12);
    assert_int_equal(l[0].sub, 0);
    assert_int_equal(l[0].qty, 5);
    assert_int_equal(l[0].line, 1);
    assert_int_equal(l[1].id, 7);
    assert_int_equal(l[1].sub, 2);
    assert_int_equal(l[1].qty, 3);
    assert_int_equal(l[1].line, 4);
    free(l);
}

static void test_amount_column(void **state)
{
    (void)state;
    walor_form_line *l;
    uint32_t n;
    char *err;
    assert_int_equal(wh_form_parse("1 10 1 500,50\n2 1 99", WALOR_FORM_AMOUNT, &l, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].amount, 150050);
    assert_int_equal(l[1].amount, 9900);
    free(l);
}

static void test_every_bad_line_reported_nothing_applied(void **state)
{
    (void)state;
    walor_form_line *l;
    uint32_t n;
    char *err;
    assert_int_equal(wh_form_parse("12 5\nabc 3\n14 -2\n15\n16 0\n17 2 x", 0, &l, &n, &err), WALOR_EINVAL);
    assert_null(l);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, "строка 2: «abc»"));
    assert_non_null(strstr(err, "строка 3: количество не может быть отрицательным"));
    assert_non_null(strstr(err, "строка 4: нужно «ID количество»"));
    assert_non_null(strstr(err, "строка 5: количество должно быть больше нуля"));
    assert_non_null(strstr(err, "строка 6: лишние данные"));
    assert_null(strstr(err, "строка 1:"));
    free(err);
}

static void test_flags_allow_negative_and_zero(void **state)
{
    (void)state;
    walor_form_line *l;
    uint32_t n;
    char *err;
    assert_int_equal(wh_form_parse("1 -2\n2 0", WALOR_FORM_NEGATIVE | WALOR_FORM_ZERO, &l, &n, &err), 0);
    assert_int_equal(l[0].qty, -2);
    assert_int_equal(l[1].qty, 0);
    free(l);
}

static void test_edges(void **state)
{
    (void)state;
    walor_form_line *l;
    uint32_t n;
    char *err;
    assert_int_equal(wh_form_parse("", 0, &l, &n, &err), WALOR_EINVAL);
    assert_non_null(strstr(err, "нет ни одной строки"));
    free(err);
    assert_int_equal(wh_form_parse("99999999999999999999 1", 0, &l, &n, &err), WALOR_EINVAL);
    free(err);
    assert_int_equal(wh_form_parse("1. 1\n.2 1\n1.0 1\n0 1", 0, &l, &n, &err), WALOR_EINVAL);
    assert_non_null(strstr(err, "строка 4:"));
    free(err);
    assert_int_equal(wh_form_parse("1 1", 0x80, &l, &n, &err), WALOR_EINVAL);
    assert_int_equal(wh_form_parse("1 1 ", WALOR_FORM_AMOUNT, &l, &n, &err), WALOR_EINVAL);
    assert_non_null(strstr(err, "не указана сумма"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines),
        cmocka_unit_test(test_amount_column),
        cmocka_unit_test(test_every_bad_line_reported_nothing_applied),
        cmocka_unit_test(test_flags_allow_negative_and_zero),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_line_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
