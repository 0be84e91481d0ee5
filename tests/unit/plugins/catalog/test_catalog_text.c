/* catalog's pure text helpers (plugins/catalog/text.c): search folding,
 * label truncation on UTF-8 boundaries, merchant HTML sanitising.
 * Features: F-CAT-02, F-CAT-08 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void fold_eq(const char *in, const char *want)
{
    char out[256];
    catalog_fold(in, out);
    assert_string_equal(out, want);
    assert_int_equal(strlen(out), strlen(in));
}

static void test_fold(void **st)
{
    (void)st;
    fold_eq("ЁЖИК", "ежик");
    fold_eq("Ёжик", "ежик");
    fold_eq("ёжик", "ежик");
    fold_eq("АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ", "абвгдежзийклмнопрстуфхцчшщъыьэюя");
    fold_eq("Крем SPF 30", "крем spf 30");
    fold_eq("ЇЄІЎ", "їєіў");
    fold_eq("ÀÉÖ×Þ", "àéö×þ");
    fold_eq("日本 🍵", "日本 🍵");
    fold_eq("", "");
    fold_eq("\xff\xd0", "\xff\xd0"); /* ill-formed: copied */
}

static void test_trunc(void **st)
{
    (void)st;
    char out[64];
    assert_int_equal(catalog_trunc("короткое", 20, out), 0);
    assert_string_equal(out, "короткое");
    /* 10 bytes: "абв" (6) + "…" (3) = 9, never half a letter */
    assert_int_equal(catalog_trunc("абвгде", 10, out), 1);
    assert_string_equal(out, "абв…");
    assert_true(strlen(out) <= 10);
    assert_int_equal(catalog_trunc("абвгд", 9, out), 1);
    assert_string_equal(out, "абв…");
    assert_int_equal(catalog_trunc("абвгд", 8, out), 1);
    assert_string_equal(out, "аб…");
    assert_int_equal(catalog_trunc("ab cd efgh", 8, out), 1);
    assert_string_equal(out, "ab cd…");
    assert_int_equal(catalog_trunc("🍵🍵🍵", 8, out), 1);
    assert_string_equal(out, "🍵…");
    /* exact fit is not cut */
    assert_int_equal(catalog_trunc("абвг", 8, out), 0);
    for (size_t max = 4; max < 40; max++) {
        char o[64];
        catalog_trunc("Очень длинное название товара 🍵 с эмодзи", max, o);
        assert_true(strlen(o) <= max);
        /* valid UTF-8 ending: last byte not a lead byte */
        unsigned char last = (unsigned char)o[strlen(o) - 1];
        assert_false(last >= 0xC0);
    }
}

static void san_eq(const char *in, int keep, const char *want)
{
    char *s = catalog_html_sanitize(in, keep);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void test_sanitize(void **st)
{
    (void)st;
    san_eq("<b>жирный</b> и <i>курсив</i>", 1, "<b>жирный</b> и <i>курсив</i>");
    san_eq("<p>Один</p><p>Два<br>три</p>", 1, "Один\nДва\nтри\n");
    san_eq("<div class=x><span>текст</span></div>", 1, "текст\n");
    san_eq("<b>незакрытый", 1, "<b>незакрытый</b>");
    san_eq("<b><i>перекрёст</b></i>", 1, "<b><i>перекрёст</i></b>");
    san_eq("</b>лишний", 1, "лишний");
    san_eq("5 < 7 & 8 > 2", 1, "5 &lt; 7 &amp; 8 &gt; 2");
    san_eq("&amp; &lt; &#1025; &nbsp;x &copy;", 1, "&amp; &lt; &#1025;  x &amp;copy;");
    san_eq("<a href=\"https://ex.com/?a=1&b=2\">ссылка</a>", 1,
           "<a href=\"https://ex.com/?a=1&amp;b=2\">ссылка</a>");
    san_eq("<a href='javascript:alert(1)'>x</a>", 1, "x");
    san_eq("<a>без href</a>", 1, "без href");
    san_eq("<code><b>в коде</b></code>", 1, "<code>в коде</code>");
    san_eq("<pre><code>x</code></pre>", 1, "<pre><code>x</code></pre>");
    san_eq("<script>alert(1)</script>", 1, "alert(1)");
    san_eq("<B>верхний</B>", 1, "<b>верхний</b>");
    san_eq("<b>жирный</b> <a href=\"https://x.ru\">ссылка</a>", 0, "жирный ссылка");
    san_eq("", 1, "");
    san_eq(NULL, 1, "");
    /* deep nesting is capped, still balanced */
    char deep[16 * 3 * 2 + 64] = "";
    for (int i = 0; i < 20; i++)
        strcat(deep, "<b>");
    strcat(deep, "x");
    char *s = catalog_html_sanitize(deep, 1);
    assert_non_null(s);
    int open = 0, close = 0;
    for (const char *q = s; (q = strstr(q, "<b>")); q++)
        open++;
    for (const char *q = s; (q = strstr(q, "</b>")); q++)
        close++;
    assert_int_equal(open, close);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_trunc),
        cmocka_unit_test(test_sanitize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
