/* F-CAT-03: the variant list parser and the rouble parser of the catalog
 * plugin (plugins/catalog/variants.c, compiled in: the plugin module is not
 * linked into walorcore).
 * Features: F-CAT-03 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "variants.h"

static void price_ok(const char *s, int64_t want)
{
    int64_t k = -1;
    int rc = catalog_price_parse(s, &k);
    if (rc != CATALOG_PRICE_OK)
        fail_msg("price «%s»: %s", s, catalog_price_reason(rc));
    assert_int_equal(k, want);
}

static void price_bad(const char *s, int want)
{
    int64_t k = -7;
    int rc = catalog_price_parse(s, &k);
    if (rc != want)
        fail_msg("price «%s»: got %d (%s), want %d", s, rc, catalog_price_reason(rc), want);
    assert_int_equal(k, -7); /* untouched on error */
}

static void test_price(void **state)
{
    (void)state;
    price_ok("1500", 150000);
    price_ok("1 500,50", 150050);
    price_ok("1\xC2\xA0" "500,5", 150050);        /* NBSP group */
    price_ok("1\xE2\x80\xAF" "500.05", 150005);   /* narrow NBSP, dot */
    price_ok("  1500 ₽ ", 150000);
    price_ok("1500руб", 150000);
    price_ok("1500 руб.", 150000);
    price_ok("1500р", 150000);
    price_ok("0", 0);
    price_ok("0,01", 1);
    price_ok("100000000", CATALOG_PRICE_MAX_KOP);
    price_bad("", CATALOG_PRICE_EMPTY);
    price_bad("  ₽", CATALOG_PRICE_EMPTY);
    price_bad("abc", CATALOG_PRICE_NOT_NUM);
    price_bad("12a", CATALOG_PRICE_NOT_NUM);
    price_bad("1 500 ,5", CATALOG_PRICE_NOT_NUM);
    price_bad("1500.", CATALOG_PRICE_NOT_NUM);
    price_bad(".5", CATALOG_PRICE_NOT_NUM);
    price_bad("+5", CATALOG_PRICE_NOT_NUM);
    price_bad("1  500", CATALOG_PRICE_NOT_NUM); /* two blanks are not a group split */
    price_bad("1,5,0", CATALOG_PRICE_NOT_NUM);
    price_bad("-5", CATALOG_PRICE_NEGATIVE);
    price_bad("−5", CATALOG_PRICE_NEGATIVE);
    price_bad("1,505", CATALOG_PRICE_DECIMALS);
    price_bad("100000000,01", CATALOG_PRICE_TOO_BIG);
    price_bad("99999999999999999999999", CATALOG_PRICE_TOO_BIG);
    price_bad(NULL, CATALOG_PRICE_EMPTY);
}

static void parse_ok(const char *text, size_t want_n, catalog_variant **v)
{
    size_t n = 99;
    char *err = (char *)"x";
    int rc = catalog_variants_parse(text, v, &n, &err);
    if (rc != CATALOG_OK)
        fail_msg("«%s»: rc %d: %s", text, rc, err ? err : "(null)");
    assert_null(err);
    assert_int_equal(n, want_n);
}

/* the whole error text must be exactly want */
static void parse_bad(const char *text, const char *want)
{
    catalog_variant *v = (catalog_variant *)&v;
    size_t n = 99;
    char *err = NULL;
    int rc = catalog_variants_parse(text, &v, &n, &err);
    assert_int_equal(rc, CATALOG_EINVAL);
    assert_null(v);
    assert_int_equal(n, 0);
    assert_non_null(err);
    if (strcmp(err, want) != 0)
        fail_msg("«%s»:\n got: %s\nwant: %s", text, err, want);
    free(err);
}

static void test_lines(void **state)
{
    (void)state;
    catalog_variant *v;
    parse_ok("50 мл:1000:300\n100 мл:1 800,50:550\r\n\n  200 мл : 3000 ₽ : 1 000 г  \n", 3, &v);
    assert_string_equal(v[0].label, "50 мл");
    assert_int_equal(v[0].price_kop, 100000);
    assert_int_equal(v[0].weight_g, 300);
    assert_string_equal(v[1].label, "100 мл");
    assert_int_equal(v[1].price_kop, 180050);
    assert_int_equal(v[1].weight_g, 550);
    assert_string_equal(v[2].label, "200 мл");
    assert_int_equal(v[2].price_kop, 300000);
    assert_int_equal(v[2].weight_g, 1000);
    catalog_variants_free(v, 3);

    /* weight is optional: 0 = unknown; an empty weight field too */
    parse_ok("S:990\nM:990:", 2, &v);
    assert_int_equal(v[0].weight_g, 0);
    assert_int_equal(v[1].weight_g, 0);
    catalog_variants_free(v, 2);

    /* a one-variant product; a decimal comma in a line of its own */
    parse_ok("Стандарт:1000,50:300", 1, &v);
    assert_int_equal(v[0].price_kop, 100050);
    catalog_variants_free(v, 1);

    /* 64 Cyrillic letters (128 bytes) is the limit */
    char lab[300] = "";
    for (int i = 0; i < 64; i++)
        strcat(lab, "я");
    strcat(lab, ":1:1");
    parse_ok(lab, 1, &v);
    assert_int_equal(strlen(v[0].label), 128);
    catalog_variants_free(v, 1);
}

static void test_commas(void **state)
{
    (void)state;
    catalog_variant *v;
    parse_ok("50:1000:300, 100:1800:550", 2, &v);
    assert_string_equal(v[0].label, "50");
    assert_string_equal(v[1].label, "100");
    assert_int_equal(v[1].price_kop, 180000);
    assert_int_equal(v[1].weight_g, 550);
    catalog_variants_free(v, 2);

    /* decimal comma inside the price vs separator after the weight */
    parse_ok("50:1000,50:300,100:1800,5:550,", 2, &v);
    assert_int_equal(v[0].price_kop, 100050);
    assert_int_equal(v[0].weight_g, 300);
    assert_int_equal(v[1].price_kop, 180050);
    catalog_variants_free(v, 2);

    /* a space after the comma always separates */
    parse_ok("50:1000, 100:1800", 2, &v);
    assert_int_equal(v[0].weight_g, 0);
    assert_int_equal(v[1].price_kop, 180000);
    catalog_variants_free(v, 2);

    /* mixed: lines of comma lists */
    parse_ok("a:1:1, b:2:2\nc:3:3", 3, &v);
    assert_string_equal(v[2].label, "c");
    catalog_variants_free(v, 3);
}

static void test_errors(void **state)
{
    (void)state;
    parse_bad("50 мл:1000:300\n100 мл:abc:550", "строка 2: цена «abc» — не число");
    /* every bad line, with its own number, blank lines counted */
    parse_bad("a:abc:1\n\nb:1,555:x\nc:-5\nd:0\n:5\ne:5:1:2\nf",
              "строка 1: цена «abc» — не число\n"
              "строка 3: цена «1,555» — больше двух знаков после запятой; вес «x» — не целое число граммов\n"
              "строка 4: цена «-5» — отрицательная\n"
              "строка 5: цена «0» — должна быть больше нуля\n"
              "строка 6: пустое название\n"
              "строка 7: «e:5:1:2» — лишнее двоеточие: нужно Название:Цена:Вес\n"
              "строка 8: «f» — нужно Название:Цена:Вес (например, 50 мл:1000:300)");
    parse_bad("50:1000:300, 100:xyz:550, 200:1:2000000",
              "вариант 2: цена «xyz» — не число\n"
              "вариант 3: вес «2000000» — слишком большой (больше 1 000 000 г)");
    parse_bad("a:1, b:2\nc:q", "строка 2, вариант 1: цена «q» — не число");
    parse_bad("50 мл:1:1\n100 мл:2:2\n50 мл:3:3", "строка 3: название «50 мл» повторяется (уже в строке 1)");
    parse_bad("a:1, a:2", "вариант 2: название «a» повторяется (уже в варианте 1)");
    parse_bad("", "нет ни одного варианта: пришлите строки Название:Цена:Вес, например 50 мл:1000:300");
    parse_bad(" \n , \n", "нет ни одного варианта: пришлите строки Название:Цена:Вес, например 50 мл:1000:300");
    parse_bad("a:1:1:\xff", "строка 1: «a:1:1:?» — лишнее двоеточие: нужно Название:Цена:Вес");
    parse_bad("\xff\xfe:1", "строка 1: название не в UTF-8 «??»");
    parse_bad("a\tb:1", "строка 1: в названии управляющий символ «a?b»");

    char lab[300] = "";
    for (int i = 0; i < 65; i++)
        strcat(lab, "я");
    strcat(lab, ":1:1");
    parse_bad(lab, "строка 1: название длиннее 64 символов «яяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяя…»");

    /* more than 20 */
    char many[1024] = "";
    for (int i = 0; i < 21; i++)
        sprintf(many + strlen(many), "v%d:1:1\n", i);
    parse_bad(many, "вариантов 21, а можно не больше 20");

    /* a huge text */
    char *big = malloc(CATALOG_VARIANTS_TEXT_MAX + 2);
    memset(big, 'a', CATALOG_VARIANTS_TEXT_MAX + 1);
    big[CATALOG_VARIANTS_TEXT_MAX + 1] = '\0';
    parse_bad(big, "текст слишком длинный: не больше 16 КБ");
    free(big);
    parse_bad(NULL, "нет ни одного варианта");
}

static void test_error_cap(void **state)
{
    (void)state;
    char text[4096] = "";
    for (int i = 0; i < 40; i++)
        strcat(text, "x\n");
    catalog_variant *v = NULL;
    size_t n = 0;
    char *err = NULL;
    assert_int_equal(catalog_variants_parse(text, &v, &n, &err), CATALOG_EINVAL);
    /* 30 listed + the count error + the rest summed up */
    assert_non_null(strstr(err, "строка 30: «x»"));
    assert_null(strstr(err, "строка 31:"));
    assert_non_null(strstr(err, "вариантов 40, а можно не больше 20"));
    assert_non_null(strstr(err, "\n… и ещё ошибок: 10"));
    free(err);
    /* errors not wanted */
    assert_int_equal(catalog_variants_parse("x", &v, &n, NULL), CATALOG_EINVAL);
    catalog_variants_free(NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_price),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_commas),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
