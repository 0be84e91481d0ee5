/* wh_utf8_*: validity, boundaries, UTF-16 length, sanitising, lower-casing
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

#define V(lit) wh_utf8_valid(lit, sizeof(lit) - 1)

static void test_valid(void **state)
{
    (void)state;
    assert_true(V(""));
    assert_true(V("plain ascii"));
    assert_true(V("Привет, Ёжик"));
    assert_true(V("\xF0\x9F\x98\x80"));          /* U+1F600 */
    assert_true(V("\xF4\x8F\xBF\xBF"));          /* U+10FFFF */
    assert_true(V("\xEF\xBF\xBD"));              /* U+FFFD */
    assert_true(V("a\0b"));                      /* embedded NUL is a character */
    assert_false(V("\x80"));                     /* lone continuation */
    assert_false(V("\xC0\xAF"));                 /* overlong '/' */
    assert_false(V("\xC1\xBF"));
    assert_false(V("\xE0\x80\xAF"));             /* overlong 3-byte */
    assert_false(V("\xF0\x80\x80\xAF"));         /* overlong 4-byte */
    assert_false(V("\xED\xA0\x80"));             /* surrogate U+D800 */
    assert_false(V("\xF4\x90\x80\x80"));         /* U+110000 */
    assert_false(V("\xF5\x80\x80\x80"));
    assert_false(V("\xFF"));
    assert_false(V("\xD0"));                     /* truncated Cyrillic */
    assert_false(V("\xF0\x9F\x98"));             /* truncated emoji */
    assert_false(V("ok\xD0 "));
}

static void test_prefix(void **state)
{
    const char *s = "Привет"; /* 12 bytes, 2 per letter */
    (void)state;
    assert_int_equal(wh_utf8_prefix(s, 100), 12);
    assert_int_equal(wh_utf8_prefix(s, 12), 12);
    assert_int_equal(wh_utf8_prefix(s, 11), 10);
    assert_int_equal(wh_utf8_prefix(s, 1), 0);
    assert_int_equal(wh_utf8_prefix(s, 0), 0);
    assert_int_equal(wh_utf8_prefix("abc", 2), 2);
    assert_int_equal(wh_utf8_prefix("", 5), 0);
    assert_int_equal(wh_utf8_prefix("a\xF0\x9F\x98\x80", 4), 1);
    assert_int_equal(wh_utf8_prefix("a\xF0\x9F\x98\x80", 5), 5);
    /* ill-formed bytes are single steps and may be cut between */
    assert_int_equal(wh_utf8_prefix("\xFF\xFF\xFF", 2), 2);
    /* 64-byte callback data: 32 Cyrillic letters fit, a 33rd does not */
    {
        char buf[200] = "";
        for (int i = 0; i < 40; i++)
            strcat(buf, "ж");
        assert_int_equal(wh_utf8_prefix(buf, 64), 64);
        assert_int_equal(wh_utf8_prefix(buf, 65), 64);
    }
}

static void test_utf16(void **state)
{
    (void)state;
    assert_int_equal(wh_utf16_len("", 0), 0);
    assert_int_equal(wh_utf16_len("abc", 3), 3);
    assert_int_equal(wh_utf16_len("Ёж", 4), 2);
    assert_int_equal(wh_utf16_len("\xF0\x9F\x98\x80", 4), 2);  /* surrogate pair */
    assert_int_equal(wh_utf16_len("\xE2\x82\xBD", 3), 1);      /* ₽ */
    assert_int_equal(wh_utf16_len("\xFF" "a", 2), 2);          /* bad byte = one U+FFFD */
    assert_int_equal(wh_utf16_len("\xE2\x82" "a", 3), 2);      /* truncated ₽ = one U+FFFD */
}

static void test_sanitize(void **state)
{
    char *s;
    (void)state;
    assert_null(wh_utf8_sanitize_dup(NULL));
    s = wh_utf8_sanitize_dup("");
    assert_string_equal(s, "");
    free(s);
    s = wh_utf8_sanitize_dup("Привет 😀");
    assert_string_equal(s, "Привет 😀");
    free(s);
    s = wh_utf8_sanitize_dup("a\xFF" "b");
    assert_string_equal(s, "a\xEF\xBF\xBD" "b");
    free(s);
    /* a truncated sequence is one maximal subpart: one replacement */
    s = wh_utf8_sanitize_dup("x\xE2\x82y");
    assert_string_equal(s, "x\xEF\xBF\xBDy");
    free(s);
    /* surrogates and overlongs: each byte its own part */
    s = wh_utf8_sanitize_dup("\xED\xA0\x80");
    assert_string_equal(s, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    free(s);
    s = wh_utf8_sanitize_dup("\xC0\xAF");
    assert_string_equal(s, "\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_true(wh_utf8_valid(s, strlen(s)));
    free(s);
    s = wh_utf8_sanitize_dup("end\xF0\x9F\x98");
    assert_string_equal(s, "end\xEF\xBF\xBD");
    free(s);
}

static void test_lower(void **state)
{
    char *s;
    (void)state;
    assert_null(wh_utf8_lower_dup(NULL));
    s = wh_utf8_lower_dup("ЁЖИК Ёлка ABC xyz");
    assert_string_equal(s, "ёжик ёлка abc xyz");
    free(s);
    s = wh_utf8_lower_dup("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ");
    assert_string_equal(s, "абвгдеёжзийклмнопрстуфхцчшщъыьэюя");
    free(s);
    s = wh_utf8_lower_dup("ЄІЇҐЎ Қ Ә");
    assert_string_equal(s, "єіїґў қ ә");
    free(s);
    s = wh_utf8_lower_dup("уже строчные 123 ₽ 😀");
    assert_string_equal(s, "уже строчные 123 ₽ 😀");
    free(s);
    /* bad bytes are kept, the length never changes */
    s = wh_utf8_lower_dup("A\xFF\xD0");
    assert_memory_equal(s, "a\xFF\xD0", 4);
    free(s);
}

static void test_encode_decode(void **state)
{
    char b[4];
    uint32_t cp;
    size_t bad;
    (void)state;
    assert_int_equal(wh_utf8_encode(0x41, b), 1);
    assert_int_equal(wh_utf8_encode(0x451, b), 2);
    assert_int_equal(wh_utf8_encode(0x20BD, b), 3);
    assert_int_equal(wh_utf8_encode(0x1F600, b), 4);
    assert_int_equal(wh_utf8_decode(b, 4, &cp, &bad), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(wh_utf8_encode(0xD800, b), 0);
    assert_int_equal(wh_utf8_encode(0x110000, b), 0);
    assert_int_equal(wh_utf8_decode("\xE2\x82" "a", 3, &cp, &bad), 0);
    assert_int_equal(bad, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),   cmocka_unit_test(test_prefix), cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_sanitize), cmocka_unit_test(test_lower), cmocka_unit_test(test_encode_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
