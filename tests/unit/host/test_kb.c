/* wh_kb: Telegram's keyboard limits (8 per row, 100 in all, 64-byte data)
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <walor/api.h>

#include "error.h"
#include "kb.h"
#include "utf8.h"

static const walor_host_api fake_api = {.struct_size = sizeof(walor_host_api)};

static int ntokenized;
static char last_long[512];

static int32_t tokenize(void *ud, const char *long_data, char out[65])
{
    (void)ud;
    ntokenized++;
    snprintf(last_long, sizeof last_long, "%s", long_data);
    snprintf(out, 65, "t:%d", ntokenized);
    return 0;
}

static int32_t tokenize_fails(void *ud, const char *long_data, char out[65])
{
    (void)ud;
    (void)long_data;
    (void)out;
    return wh_error(WALOR_EDB, "db down");
}

static char *dump(json_t *j)
{
    static char buf[8192];
    char *s = json_dumps(j, JSON_COMPACT);
    snprintf(buf, sizeof buf, "%s", s ? s : "(null)");
    free(s);
    return buf;
}

static void test_layout(void **state)
{
    wh_kb kb;
    json_t *m;
    (void)state;
    wh_kb_init(&kb, &fake_api, NULL, NULL);
    /* the handle's first member is the API table, as the SDK wrappers expect */
    assert_ptr_equal(WALOR_API((walor_kb *)(void *)&kb), &fake_api);
    assert_null(wh_kb_markup(&kb));
    assert_int_equal(wh_kb_row(&kb), 0); /* no-op on an empty row */
    assert_int_equal(wh_kb_button(&kb, "Каталог", "cat:list"), 0);
    assert_int_equal(wh_kb_button(&kb, "Корзина", "cart:"), 0);
    assert_int_equal(wh_kb_row(&kb), 0);
    assert_int_equal(wh_kb_row(&kb), 0);
    assert_int_equal(wh_kb_url(&kb, "Сайт", "https://example.com"), 0);
    assert_int_equal(wh_kb_row(&kb), 0);
    m = wh_kb_markup(&kb);
    assert_string_equal(dump(m), "{\"inline_keyboard\":[[{\"text\":\"Каталог\",\"callback_data\":\"cat:list\"},"
                                 "{\"text\":\"Корзина\",\"callback_data\":\"cart:\"}],"
                                 "[{\"text\":\"Сайт\",\"url\":\"https://example.com\"}]]}");
    /* the markup is a copy: later buttons do not change it */
    assert_int_equal(wh_kb_button(&kb, "x", "y"), 0);
    assert_int_equal(json_array_size(json_object_get(m, "inline_keyboard")), 2);
    json_decref(m);
    m = wh_kb_markup(&kb);
    assert_int_equal(json_array_size(json_object_get(m, "inline_keyboard")), 3);
    json_decref(m);
    wh_kb_clear(&kb);
    assert_null(wh_kb_markup(&kb));
    assert_int_equal(wh_kb_error(&kb), 0);
}

static void test_row_limit(void **state)
{
    wh_kb kb;
    (void)state;
    wh_kb_init(&kb, &fake_api, NULL, NULL);
    for (int i = 0; i < 8; i++)
        assert_int_equal(wh_kb_button(&kb, "b", "d"), 0);
    assert_int_equal(wh_kb_button(&kb, "ninth", "d"), WALOR_ELIMIT);
    assert_int_equal(wh_kb_error(&kb), WALOR_ELIMIT);
    assert_non_null(strstr(wh_kb_error_detail(&kb), "row"));
    /* bad stays bad: a new row does not make the keyboard sendable */
    assert_int_equal(wh_kb_row(&kb), WALOR_ELIMIT);
    assert_int_equal(wh_kb_button(&kb, "b", "d"), WALOR_ELIMIT);
    assert_null(wh_kb_markup(&kb));
    wh_kb_clear(&kb);
    /* eight per row, and a ninth fits after wh_kb_row */
    for (int i = 0; i < 8; i++)
        assert_int_equal(wh_kb_button(&kb, "b", "d"), 0);
    assert_int_equal(wh_kb_row(&kb), 0);
    assert_int_equal(wh_kb_button(&kb, "b", "d"), 0);
    wh_kb_clear(&kb);
}

static void test_total_limit(void **state)
{
    wh_kb kb;
    json_t *m;
    (void)state;
    wh_kb_init(&kb, &fake_api, NULL, NULL);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(wh_kb_button(&kb, "b", "d"), 0);
        if (i % 5 == 4)
            assert_int_equal(wh_kb_row(&kb), 0);
    }
    m = wh_kb_markup(&kb);
    assert_non_null(m);
    assert_int_equal(json_array_size(json_object_get(m, "inline_keyboard")), 20);
    json_decref(m);
    assert_int_equal(wh_kb_url(&kb, "101st", "https://x"), WALOR_ELIMIT);
    assert_int_equal(wh_kb_error(&kb), WALOR_ELIMIT);
    assert_null(wh_kb_markup(&kb));
    wh_kb_clear(&kb);
}

static void test_text(void **state)
{
    wh_kb kb;
    char t[200];
    (void)state;
    wh_kb_init(&kb, &fake_api, NULL, NULL);
    memset(t, 'a', 128);
    t[128] = '\0';
    assert_int_equal(wh_kb_button(&kb, t, "d"), 0);
    t[128] = 'a';
    t[129] = '\0';
    /* too long: cut with an ellipsis, not refused (a product name or a
     * setting's sentence must not break the whole screen) */
    assert_int_equal(wh_kb_button(&kb, t, "d"), 0);
    json_t *m = wh_kb_markup(&kb);
    const char *got = json_string_value(json_object_get(
        json_array_get(json_array_get(json_object_get(m, "inline_keyboard"), 0), 1), "text"));
    assert_non_null(got);
    assert_int_equal(strlen(got), 128);
    assert_string_equal(got + 125, "\xE2\x80\xA6");
    json_decref(m);
    wh_kb_clear(&kb);
    /* Cyrillic (2 bytes a letter): cut at a letter, never inside one */
    char cyr[300] = "";
    for (int i = 0; i < 100; i++)
        strcat(cyr, "ж");
    assert_int_equal(wh_kb_button(&kb, cyr, "d"), 0);
    m = wh_kb_markup(&kb);
    got = json_string_value(json_object_get(
        json_array_get(json_array_get(json_object_get(m, "inline_keyboard"), 0), 0), "text"));
    assert_non_null(got);
    assert_int_equal(strlen(got), 62 * 2 + 3);
    assert_true(wh_utf8_valid(got, strlen(got)));
    json_decref(m);
    wh_kb_clear(&kb);
    assert_int_equal(wh_kb_button(&kb, "", "d"), WALOR_EINVAL);
    wh_kb_clear(&kb);
    assert_int_equal(wh_kb_button(&kb, NULL, "d"), WALOR_EINVAL);
    wh_kb_clear(&kb);
    assert_int_equal(wh_kb_button(&kb, "bad\xFF", "d"), WALOR_EINVAL);
    assert_int_equal(wh_kb_error(&kb), WALOR_EINVAL);
    wh_kb_clear(&kb);
}

static void test_data(void **state)
{
    wh_kb kb;
    char d[200];
    json_t *m;
    (void)state;
    wh_kb_init(&kb, &fake_api, NULL, NULL);
    memset(d, 'x', 64);
    d[64] = '\0';
    assert_int_equal(wh_kb_button(&kb, "64", d), 0);
    d[64] = 'x';
    d[65] = '\0';
    assert_int_equal(wh_kb_button(&kb, "65", d), WALOR_ELIMIT); /* no tokenizer */
    wh_kb_clear(&kb);
    assert_int_equal(wh_kb_button(&kb, "e", ""), WALOR_EINVAL);
    wh_kb_clear(&kb);
    assert_int_equal(wh_kb_button(&kb, "e", NULL), WALOR_EINVAL);
    wh_kb_clear(&kb);
    assert_int_equal(wh_kb_button(&kb, "e", "a\xFF"), WALOR_EINVAL);
    wh_kb_clear(&kb);

    /* 33 Cyrillic letters are 66 bytes: over the limit though 33 characters */
    wh_kb_init(&kb, &fake_api, tokenize, NULL);
    ntokenized = 0;
    d[0] = '\0';
    for (int i = 0; i < 33; i++)
        strcat(d, "ж");
    assert_int_equal(wh_kb_button(&kb, "long", d), 0);
    assert_int_equal(ntokenized, 1);
    assert_string_equal(last_long, d);
    assert_int_equal(wh_kb_button(&kb, "short", "p:1"), 0);
    assert_int_equal(ntokenized, 1);
    m = wh_kb_markup(&kb);
    assert_string_equal(dump(m), "{\"inline_keyboard\":[[{\"text\":\"long\",\"callback_data\":\"t:1\"},"
                                 "{\"text\":\"short\",\"callback_data\":\"p:1\"}]]}");
    json_decref(m);
    wh_kb_clear(&kb);

    wh_kb_init(&kb, &fake_api, tokenize_fails, NULL);
    assert_int_equal(wh_kb_button(&kb, "long", d), WALOR_EDB);
    assert_non_null(strstr(wh_kb_error_detail(&kb), "db down"));
    wh_kb_clear(&kb);
}

static void test_url(void **state)
{
    wh_kb kb;
    (void)state;
    wh_kb_init(&kb, &fake_api, NULL, NULL);
    assert_int_equal(wh_kb_url(&kb, "a", "http://x.ru"), 0);
    assert_int_equal(wh_kb_url(&kb, "b", "HTTPS://x.ru/путь"), 0);
    assert_int_equal(wh_kb_url(&kb, "c", "tg://resolve?domain=x"), 0);
    wh_kb_clear(&kb);
    const char *bad[] = {"ftp://x", "javascript:alert(1)", "https://", "x.ru", "https://a b", "https://a\n", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(wh_kb_url(&kb, "t", bad[i]), WALOR_EINVAL);
        wh_kb_clear(&kb);
    }
    assert_int_equal(wh_kb_url(&kb, "t", NULL), WALOR_EINVAL);
    wh_kb_clear(&kb);
    assert_int_equal(wh_kb_url(&kb, "", "https://x"), WALOR_EINVAL);
    wh_kb_release(&kb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout), cmocka_unit_test(test_row_limit), cmocka_unit_test(test_total_limit),
        cmocka_unit_test(test_text),   cmocka_unit_test(test_data),      cmocka_unit_test(test_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
