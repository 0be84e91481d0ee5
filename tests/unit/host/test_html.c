/* wh_html_escape / wh_html_check / wh_html_strip against Telegram's HTML rules
 * Features: infra */
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
#include "html.h"

static wh_arena A;

static int setup(void **state)
{
    (void)state;
    wh_arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wh_arena_free(&A);
    return 0;
}

static void test_escape(void **state)
{
    (void)state;
    assert_string_equal(wh_html_escape(&A, NULL), "");
    assert_string_equal(wh_html_escape(&A, ""), "");
    assert_string_equal(wh_html_escape(&A, "a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c'");
    assert_string_equal(wh_html_escape(&A, "Ёжик & Co"), "Ёжик &amp; Co");
    assert_string_equal(wh_html_escape(&A, "x\xFFy"), "x\xEF\xBF\xBDy");
    assert_string_equal(wh_html_escape(&A, "\xD0"), "\xEF\xBF\xBD");
    /* whatever a user types, the escaped form passes the checker */
    {
        const char *nasty[] = {"<b>", "&amp;", "&#0;", "<<>>", "\"'", "a & b", "&", "<a href=x>"};
        for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
            size_t vis = 0;
            char *e = wh_html_escape(&A, nasty[i]);
            assert_int_equal(wh_html_check(e, &vis, NULL, 0), 0);
            assert_int_equal(vis, strlen(nasty[i]));
            assert_string_equal(wh_html_strip(&A, e), nasty[i]);
        }
    }
}

#define OK(html, want_len)                                                         \
    do {                                                                           \
        size_t vis_ = 12345;                                                       \
        char why_[256];                                                            \
        int32_t rc_ = wh_html_check(html, &vis_, why_, sizeof why_);               \
        if (rc_ != 0)                                                              \
            fail_msg("%s rejected: %s", html, why_);                               \
        assert_int_equal(vis_, want_len);                                          \
    } while (0)

#define BAD(html, fragment)                                                        \
    do {                                                                           \
        char why_[256];                                                            \
        const char *h_ = (html);                                                   \
        int32_t rc_ = wh_html_check(h_, NULL, why_, sizeof why_);                  \
        if (rc_ != WALOR_EINVAL)                                                   \
            fail_msg("%s accepted", h_ ? h_ : "(null)");                           \
        if (!strstr(why_, fragment))                                               \
            fail_msg("%s: reason \"%s\" lacks \"%s\"", h_ ? h_ : "(null)", why_, fragment); \
        assert_string_equal(why_, wh_last_error());                                \
    } while (0)

static void test_check_accepts(void **state)
{
    (void)state;
    OK("", 0);
    OK("Привет", 6);
    OK("a > b", 5); /* Telegram takes a bare '>' as text */
    OK("<b>жирный</b> <strong>s</strong> <i>i</i><em>e</em><u>u</u><ins>n</ins>", 13);
    OK("<s>1</s><strike>2</strike><del>3</del>", 3);
    OK("<span class=\"tg-spoiler\">тсс</span><tg-spoiler>x</tg-spoiler>", 4);
    OK("<span class=tg-spoiler>x</span>", 1);
    OK("<a href=\"https://example.com/?a=1&amp;b=2\">ссылка</a>", 6);
    OK("<a href='tg://user?id=1'>me</a>", 2);
    OK("<code>x = 1;</code>", 6);
    OK("<pre>line1\nline2</pre>", 11);
    OK("<pre><code class=\"language-python\">print(1)</code></pre>", 8);
    OK("<blockquote>q</blockquote><blockquote expandable>long</blockquote>", 5);
    OK("<tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji>", 2);
    OK("<b>bold <i>both <u>all <s>four</s></u></i></b>", 18);
    OK("<a href=\"https://x.ru\"><b>жирная ссылка</b></a>", 13);
    OK("<b>a</>", 1); /* tdlib: an empty end tag closes the open one */
    OK("<B>caps</b>", 4);
    OK("&lt;&gt;&amp;&quot;", 4);
    OK("&#65;&#x42;&#x1F600;", 4); /* the emoji is 2 UTF-16 units */
    OK("😀", 2);
    OK("₽ 1 500", 7);
    OK("<b >spaced</b >", 6);
    OK("line\nbreak", 10);
}

static void test_check_rejects(void **state)
{
    (void)state;
    BAD(NULL, "нет текста");
    BAD("<foo>x</foo>", "неизвестный тег <foo> (позиция 1)");
    BAD("abc <br/>", "неизвестный тег <br/> (позиция 5)");
    BAD("Ёжик<p>", "позиция 5"); /* characters, not bytes */
    BAD("1 < 2", "символ < нужно записать как &lt;");
    BAD("Tom & Jerry", "символ & нужно записать как &amp;");
    BAD("&nbsp;", "неизвестная сущность &nbsp;");
    BAD("&#xZZ;", "неверная числовая сущность");
    BAD("&#0;", "неверная числовая сущность");
    BAD("&#xD800;", "неверная числовая сущность");
    BAD("&#x110000;", "неверная числовая сущность");
    BAD("&lt", "&amp;");
    BAD("<b>unclosed", "тег <b> не закрыт");
    BAD("<b><i>x</b></i>", "тег <i> закрыт тегом </b>");
    BAD("x</b>", "лишний закрывающий тег </b>");
    BAD("<b", "незакрытый тег <b");
    BAD("<b>x</b", "незакрытый тег </b");
    BAD("<span>x</span>", "class=\"tg-spoiler\"");
    BAD("<span class=\"bold\">x</span>", "tg-spoiler");
    BAD("<a>x</a>", "нет href");
    BAD("<a href=\"\">x</a>", "пустая ссылка");
    BAD("<a href=\"https://x\" target=\"_blank\">x</a>", "недопустимый атрибут target");
    BAD("<b class=\"x\">x</b>", "недопустимый атрибут class в теге <b>");
    BAD("<a href=\"https://x\"><a href=\"https://y\">x</a></a>", "внутри другой ссылки");
    BAD("<code><b>x</b></code>", "внутри <code>");
    BAD("<pre><b>x</b></pre>", "внутри <pre>");
    BAD("<code class=\"python\">x</code>", "language-");
    BAD("<blockquote><blockquote>x</blockquote></blockquote>", "внутри другой цитаты");
    BAD("<tg-emoji>x</tg-emoji>", "emoji-id");
    BAD("<tg-emoji emoji-id=\"12a\">x</tg-emoji>", "emoji-id");
    BAD("<a href=\"https://x>y</a>", "кавычка");
    BAD("<a href=https://x>y</a>", "в кавычки");
    BAD("<b expandable>x</b>", "без значения");
    BAD("bad \xFF utf", "UTF-8");
    BAD("<>", "символ <");
    {
        char deep[32 * 3 + 40] = "";
        for (int i = 0; i < 33; i++)
            strcat(deep, "<b>");
        BAD(deep, "вложенность");
    }
    /* the English gloss is there too */
    BAD("<foo>", "unknown tag");
}

static void test_check_long(void **state)
{
    /* 4096 visible characters of Cyrillic inside formatting: 8192+ bytes */
    size_t n = 4096 * 2 + 100, vis = 0;
    char *s = malloc(n);
    (void)state;
    strcpy(s, "<b>");
    for (int i = 0; i < 4096; i++)
        strcat(s + (i ? 3 + (size_t)(i - 1) * 2 : 0), "ж");
    strcat(s, "</b>");
    assert_int_equal(wh_html_check(s, &vis, NULL, 0), 0);
    assert_int_equal(vis, 4096);
    free(s);
}

static void test_strip(void **state)
{
    (void)state;
    assert_string_equal(wh_html_strip(&A, NULL), "");
    assert_string_equal(wh_html_strip(&A, "<b>Цена:</b> 1&nbsp;500 &lt;&#8381;&gt;"), "Цена: 1&nbsp;500 <₽>");
    assert_string_equal(wh_html_strip(&A, "<a href=\"https://x?a=1&amp;b=2\">link</a>"), "link");
    assert_string_equal(wh_html_strip(&A, "<pre><code class=\"language-c\">int x;</code></pre>"), "int x;");
    /* malformed input: stray characters show as themselves */
    assert_string_equal(wh_html_strip(&A, "1 < 2 & 3 > 0"), "1 < 2 & 3 > 0");
    assert_string_equal(wh_html_strip(&A, "<b>open <i>x"), "open x");
    assert_string_equal(wh_html_strip(&A, "<foo bar=\"a>b\">t</foo>"), "t");
    assert_string_equal(wh_html_strip(&A, "x</b>y"), "xy");
    assert_string_equal(wh_html_strip(&A, "bad\xFF"), "bad\xEF\xBF\xBD");
    assert_string_equal(wh_html_strip(&A, "<b"), "<b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),      cmocka_unit_test(test_check_accepts),
        cmocka_unit_test(test_check_rejects), cmocka_unit_test(test_check_long),
        cmocka_unit_test(test_strip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
