/* crm's pure search helpers (plugins/crm/norm.c): phone keys from every
 * usual notation, the classification of a typed query, name folding
 * (the catalog's, with ё = е).
 * Features: F-CRM-02 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "norm.h"

static void key_eq(const char *in, int strict, const char *want)
{
    char k[CRM_PHONE_KEY_MAX + 1];
    size_t n = crm_phone_key(in, strict, k);
    assert_string_equal(k, want);
    assert_int_equal(n, strlen(want));
}

static void test_phone_formats(void **st)
{
    (void)st;
    const char *same[] = {"+7 912 345-67-89", "8 (912) 345-67-89", "89123456789", "+79123456789",
                          "7 912 345 67 89",  "912 345 67 89",     "9123456789",  "8-912-345-67-89",
                          "+7(912)345.67.89", " +7 912 3456789 "};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        key_eq(same[i], 0, "9123456789");
        key_eq(same[i], 1, "9123456789");
    }
    key_eq("+380 50 123 4567", 0, "380501234567");   /* foreign: all digits */
    key_eq("8 800 555-35-35", 0, "8005553535");
    key_eq("тел. +7 912 345 67 89 (Анна)", 0, "9123456789"); /* stored: words ignored */
    key_eq("тел. +7 912", 1, "");                    /* a query with words is no phone */
    key_eq("", 0, "");
    key_eq(NULL, 0, "");
    key_eq("---", 0, "");
    key_eq("12345678901234567", 0, "");              /* 17 digits: no phone */
}

static void test_query_kinds(void **st)
{
    (void)st;
    crm_query q;
    assert_int_equal(crm_query_parse("", &q), CRM_Q_SHORT);
    assert_int_equal(crm_query_parse("  я ", &q), CRM_Q_SHORT);      /* one character */
    assert_int_equal(crm_query_parse("@", &q), CRM_Q_SHORT);
    assert_int_equal(crm_query_parse("@a", &q), CRM_Q_SHORT);
    assert_int_equal(crm_query_parse("7", &q), CRM_Q_SHORT);

    assert_int_equal(crm_query_parse("@IvanP", &q), CRM_Q_USERNAME);
    assert_string_equal(q.text, "@ivanp");
    assert_string_equal(q.upper, "ivanp~");                 /* the prefix range's bound */
    char un[16];
    crm_username_key("Semyon_E", un, sizeof un);
    assert_string_equal(un, "semyon_e");
    crm_username_key(NULL, un, sizeof un);
    assert_string_equal(un, "");

    assert_int_equal(crm_query_parse("  СЕМЁН  ", &q), CRM_Q_NAME);
    assert_string_equal(q.text, "семен");
    assert_int_equal(crm_query_parse("Анна-Мария", &q), CRM_Q_NAME);
    assert_string_equal(q.text, "анна-мария");

    /* a plain number: an ID and a piece of a phone */
    assert_int_equal(crm_query_parse("100002", &q), CRM_Q_NUMBER);
    assert_true(q.id == 100002);
    assert_string_equal(q.phone, "100002");
    assert_string_equal(q.trunk, "");

    /* a whole phone in any notation: its key, no ID */
    assert_int_equal(crm_query_parse("+7 (912) 345-67-89", &q), CRM_Q_NUMBER);
    assert_true(q.id == 0);
    assert_string_equal(q.phone, "9123456789");
    assert_int_equal(crm_query_parse("89123456789", &q), CRM_Q_NUMBER);
    assert_string_equal(q.phone, "9123456789");

    /* the start of a number with its trunk prefix */
    assert_int_equal(crm_query_parse("8 912 345", &q), CRM_Q_NUMBER);
    assert_string_equal(q.phone, "8912345");
    assert_string_equal(q.trunk, "912345");
    assert_true(q.id == 0);                              /* spaces: no ID */
    assert_int_equal(crm_query_parse("+7 912 34", &q), CRM_Q_NUMBER);
    assert_string_equal(q.trunk, "91234");

    /* too few digits for a phone: only the ID is tried */
    assert_int_equal(crm_query_parse("42", &q), CRM_Q_NUMBER);
    assert_true(q.id == 42);
    assert_string_equal(q.phone, "");

    /* a very long query is cut on a character boundary, never mid-letter */
    char longq[400];
    longq[0] = '\0';
    for (int i = 0; i < 100; i++)
        strcat(longq, "Я");
    assert_int_equal(crm_query_parse(longq, &q), CRM_Q_NAME);
    assert_true(strlen(q.text) <= CRM_Q_TEXT_MAX && strlen(q.text) % 2 == 0);
}

static void test_name_fold(void **st)
{
    (void)st;
    char out[128];
    crm_name_fold("Семён", "ЁЛКИН", "Semyon_E", out, sizeof out);
    assert_string_equal(out, "семен елкин @semyon_e");
    crm_name_fold("Анна", NULL, "", out, sizeof out);
    assert_string_equal(out, "анна");
    crm_name_fold("", "", "anna", out, sizeof out);
    assert_string_equal(out, " @anna");
    crm_name_fold("Анна", "Петрова", NULL, out, 8); /* room for 7 bytes: three letters, never half a fourth */
    assert_string_equal(out, "анн");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_formats),
        cmocka_unit_test(test_query_kinds),
        cmocka_unit_test(test_name_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
