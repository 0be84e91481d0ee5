/* wh_input_parse: a form step's answer checked by its type and bounds and
 * turned into the JSON value the plugin gets (walor_step_def)
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <walor/types.h>

#include "input.h"

static int64_t today; /* 2026-03-15, set in main */

/* parses, expects success, returns the value (caller decrefs) */
static json_t *ok(uint32_t type, int64_t min, int64_t max, const char *text, json_t *msg)
{
    json_t *v = NULL;
    char why[256];
    int32_t rc = wh_input_parse(type, min, max, text, msg, today, &v, why, sizeof why);
    if (rc != 0)
        fail_msg("type %u \"%s\": refused: %s", type, text ? text : "(null)", why);
    assert_non_null(v);
    return v;
}

/* expects a refusal whose reason contains part */
static void refused(uint32_t type, int64_t min, int64_t max, const char *text, json_t *msg, const char *part)
{
    json_t *v = NULL;
    char why[256];
    int32_t rc = wh_input_parse(type, min, max, text, msg, today, &v, why, sizeof why);
    if (rc != WALOR_EINVAL || v)
        fail_msg("type %u \"%s\": accepted (rc %d)", type, text, rc);
    if (!strstr(why, part))
        fail_msg("type %u \"%s\": reason \"%s\" lacks \"%s\"", type, text, why, part);
}

static void expect_int(uint32_t type, int64_t min, int64_t max, const char *text, int64_t want)
{
    json_t *v = ok(type, min, max, text, NULL);
    assert_true(json_is_integer(v));
    assert_int_equal(json_integer_value(v), want);
    json_decref(v);
}

static void expect_str(uint32_t type, int64_t min, int64_t max, const char *text, json_t *msg, const char *want)
{
    json_t *v = ok(type, min, max, text, msg);
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), want);
    json_decref(v);
}

static void test_int(void **state)
{
    (void)state;
    expect_int(WALOR_STEP_INT, 1, 100, "15", 15);
    expect_int(WALOR_STEP_INT, 1, 100, "  100 ", 100);
    expect_int(WALOR_STEP_INT, 0, 99, "10%", 10);          /* a percentage with its sign */
    expect_int(WALOR_STEP_INT, 0, 99, "10 %", 10);
    expect_int(WALOR_STEP_INT, 0, 1000000, "1 000 000", 1000000);
    expect_int(WALOR_STEP_INT, 0, 0, "-42", -42);          /* unbounded */
    expect_int(WALOR_STEP_INT, 0, 0, "9223372036854775807", INT64_MAX);
    refused(WALOR_STEP_INT, 1, 100, "0", NULL, "от 1 до 100");
    refused(WALOR_STEP_INT, 0, 1000000, "много", NULL, "от 0 до 1 000 000"); /* bounds grouped */
    refused(WALOR_STEP_INT, 1, 100, "1.5", NULL, "целое число");
    refused(WALOR_STEP_INT, 1, 100, "", NULL, "целое число");
    refused(WALOR_STEP_INT, 0, 0, "9223372036854775808", NULL, "Введите целое число");
    refused(WALOR_STEP_INT, 0, 0, "1 0", NULL, "целое");   /* digits are grouped by three, or it is a typo */
    refused(WALOR_STEP_INT, 0, 0, "1 0000", NULL, "целое");
}

static void test_money(void **state)
{
    (void)state;
    expect_int(WALOR_STEP_MONEY, 0, 0, "1500", 150000);
    expect_int(WALOR_STEP_MONEY, 0, 0, "1 500,50 ₽", 150050);
    expect_int(WALOR_STEP_MONEY, -100000, 100000, "+500", 50000);
    expect_int(WALOR_STEP_MONEY, -100000, 100000, "-200", -20000);
    expect_int(WALOR_STEP_MONEY, -100000, 100000, "\xE2\x88\x92" "200", -20000);
    refused(WALOR_STEP_MONEY, 0, 0, "-200", NULL, "отрицательной");  /* no sign without a negative min */
    refused(WALOR_STEP_MONEY, 100, 100000, "0,5", NULL, "от 1 ₽ до 1 000 ₽");
    refused(WALOR_STEP_MONEY, 0, 0, "три тысячи", NULL, "");
    refused(WALOR_STEP_MONEY, 0, 0, "1500,555", NULL, "");
}

static void test_string_and_text(void **state)
{
    (void)state;
    expect_str(WALOR_STEP_STRING, 1, 64, "  Мария  ", NULL, "Мария");
    refused(WALOR_STEP_STRING, 3, 32, "ab", NULL, "от 3 до 32");
    refused(WALOR_STEP_STRING, 1, 64, "две\nстроки", NULL, "одну строку");
    refused(WALOR_STEP_STRING, 1, 64, "   ", NULL, "");
    expect_str(WALOR_STEP_TEXT, 0, 0, " строка 1\nстрока 2 <b> ", NULL, "строка 1\nстрока 2 <b>"); /* plain text */
    refused(WALOR_STEP_TEXT, 0, 0, "  ", NULL, "Напишите текст");
    refused(WALOR_STEP_TEXT, 5, 0, "абв", NULL, "хотя бы 5 символов");
    refused(WALOR_STEP_TEXT, 2, 0, "а", NULL, "хотя бы 2 символа");
    refused(WALOR_STEP_TEXT, 0, 3, "абвг", NULL, "не больше 3");
    refused(WALOR_STEP_TEXT, 0, 0, "a\x01" "b", NULL, "управляющие");
    refused(WALOR_STEP_TEXT, 0, 0, "\xff\xfe", NULL, "UTF-8");
}

static void test_phone(void **state)
{
    (void)state;
    const char *same[] = {"+7 912 345-67-89", "8 (912) 345-67-89", "89123456789", "+79123456789", "9123456789",
                          "7 912 345 67 89", "+7(912)3456789", "8.912.345.67.89"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        expect_str(WALOR_STEP_PHONE, 0, 0, same[i], NULL, "+79123456789");
    expect_str(WALOR_STEP_PHONE, 0, 0, "8 (495) 123-45-67", NULL, "+74951234567");
    const char *bad[] = {"12345", "+8 912 345-67-89", "+1 202 555 0100", "4951234567", "8912345678", "телефон",
                         "+7 912 345-67-89 доб. 5", "", "++79123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(WALOR_STEP_PHONE, 0, 0, bad[i], NULL, "номер телефона");
    /* a shared contact wins over the (empty) text */
    json_t *msg = json_pack("{s:{s:s, s:s}}", "contact", "phone_number", "79161234567", "first_name", "Анна");
    expect_str(WALOR_STEP_PHONE, 0, 0, "", msg, "+79161234567");
    json_decref(msg);
}

static void test_email(void **state)
{
    (void)state;
    expect_str(WALOR_STEP_EMAIL, 0, 0, " Ivan.Petrov+shop@Example.RU ", NULL, "Ivan.Petrov+shop@example.ru");
    expect_str(WALOR_STEP_EMAIL, 0, 0, "a@b-c.io", NULL, "a@b-c.io");
    expect_str(WALOR_STEP_EMAIL, 0, 0, "почта@пример.рф", NULL, "почта@пример.рф");
    const char *bad[] = {"ivan", "ivan@", "@example.ru", "ivan@example", "iv an@example.ru", "ivan@@example.ru",
                         "ivan@example..ru", ".ivan@example.ru", "ivan.@example.ru", "ivan@-example.ru",
                         "ivan@example-.ru", "ivan@example.r", "iv..an@example.ru"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(WALOR_STEP_EMAIL, 0, 0, bad[i], NULL, "адрес почты");
}

static void test_date(void **state)
{
    (void)state;
    expect_str(WALOR_STEP_DATE, 0, 0, "25.12.2026", NULL, "2026-12-25");
    expect_str(WALOR_STEP_DATE, 0, 0, "5.1.2027", NULL, "2027-01-05");
    expect_str(WALOR_STEP_DATE, 0, 0, "25/12/26", NULL, "2026-12-25");
    expect_str(WALOR_STEP_DATE, 0, 0, "2026-12-25", NULL, "2026-12-25");
    expect_str(WALOR_STEP_DATE, 0, 0, "25.12", NULL, "2026-12-25");     /* this year */
    expect_str(WALOR_STEP_DATE, 0, 0, "сегодня", NULL, "2026-03-15");
    expect_str(WALOR_STEP_DATE, 0, 0, "Завтра", NULL, "2026-03-16");
    expect_str(WALOR_STEP_DATE, 0, 0, "29.02.2028", NULL, "2028-02-29");
    refused(WALOR_STEP_DATE, 0, 0, "31.02.2026", NULL, "Такой даты нет");
    refused(WALOR_STEP_DATE, 0, 0, "29.02.2027", NULL, "Такой даты нет");
    refused(WALOR_STEP_DATE, 0, 0, "32.01.2026", NULL, "Такой даты нет");
    refused(WALOR_STEP_DATE, 0, 0, "вчера вечером", NULL, "например 25.12.2026");
    refused(WALOR_STEP_DATE, 0, 0, "25.12.20266", NULL, "например");
    refused(WALOR_STEP_DATE, 0, 0, "25-12.2026", NULL, "например");
    /* bounds are days from today */
    expect_str(WALOR_STEP_DATE, 0, 30, "14.04.2026", NULL, "2026-04-14");
    refused(WALOR_STEP_DATE, 0, 30, "15.04.2026", NULL, "с 15.03.2026 по 14.04.2026");
    refused(WALOR_STEP_DATE, 1, 30, "сегодня", NULL, "с 16.03.2026");
    expect_str(WALOR_STEP_DATE, -365 * 120, 0, "01.01.1990", NULL, "1990-01-01");
}

static void test_days_round_trip(void **state)
{
    (void)state;
    assert_int_equal(wh_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(wh_days_from_civil(2000, 3, 1), 11017);
    for (int64_t d = -800000; d < 800000; d += 997) {
        int64_t y;
        unsigned m, dd;
        wh_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(wh_days_from_civil(y, m, dd), d);
    }
}

static void test_photo(void **state)
{
    (void)state;
    json_t *msg = json_pack("{s:[{s:s, s:i, s:i}, {s:s, s:i, s:i}, {s:s, s:i, s:i}]}", "photo", "file_id", "small",
                            "width", 90, "height", 60, "file_id", "big", "width", 1280, "height", 853, "file_id", "mid",
                            "width", 320, "height", 213);
    expect_str(WALOR_STEP_PHOTO, 0, 0, "подпись", msg, "big");
    json_decref(msg);
    refused(WALOR_STEP_PHOTO, 0, 0, "вот фото", NULL, "Пришлите фотографию");
    json_t *doc = json_pack("{s:{s:s}}", "document", "file_id", "doc");
    refused(WALOR_STEP_PHOTO, 0, 0, "", doc, "Пришлите фотографию");
    json_decref(doc);
}

/* WALOR_STEP_LOCATION: a shared point, as the checkout's address step takes it */
static void test_location(void **state)
{
    (void)state;
    json_t *msg = json_pack("{s:{s:f, s:f}}", "location", "latitude", 55.7576, "longitude", 37.6131);
    json_t *v = wh_input_location(msg);
    assert_non_null(v);
    assert_true(json_real_value(json_object_get(v, "lat")) > 55.7575 && json_real_value(json_object_get(v, "lat")) < 55.7577);
    assert_true(json_real_value(json_object_get(v, "lon")) > 37.6130 && json_real_value(json_object_get(v, "lon")) < 37.6132);
    json_decref(v);
    json_decref(msg);
    msg = json_pack("{s:{s:i, s:i}}", "location", "latitude", 0, "longitude", 0);   /* integers are numbers too */
    v = wh_input_location(msg);
    assert_non_null(v);
    json_decref(v);
    json_decref(msg);
    assert_null(wh_input_location(NULL));                                          /* a typed answer */
    msg = json_pack("{s:s}", "text", "Москва");
    assert_null(wh_input_location(msg));
    json_decref(msg);
    msg = json_pack("{s:{s:f, s:s}}", "location", "latitude", 55.0, "longitude", "37");   /* forged */
    assert_null(wh_input_location(msg));
    json_decref(msg);
    msg = json_pack("{s:{s:f, s:f}}", "location", "latitude", 91.0, "longitude", 37.0);  /* off the globe */
    assert_null(wh_input_location(msg));
    json_decref(msg);
}

static void test_unknown_type(void **state)
{
    (void)state;
    refused(WALOR_STEP_CHOICE, 0, 0, "да", NULL, "Неизвестный тип");
    refused(99, 0, 0, "x", NULL, "Неизвестный тип");
}

int main(void)
{
    today = wh_days_from_civil(2026, 3, 15);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),    cmocka_unit_test(test_money), cmocka_unit_test(test_string_and_text),
        cmocka_unit_test(test_phone),  cmocka_unit_test(test_email), cmocka_unit_test(test_date),
        cmocka_unit_test(test_days_round_trip), cmocka_unit_test(test_photo), cmocka_unit_test(test_location),
        cmocka_unit_test(test_unknown_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
