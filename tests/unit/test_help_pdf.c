/* The help PDF (host/help_pdf.c): line wrapping, and a regression test of
 * libharu's Ё/Е bug (LIBRARIES.md): "Ёжик" drawn first must not blank the
 * later "Е" — checked on the real PDF with pdftotext (poppler-utils). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ops.h"

/* every byte is 1 point wide: easy to reason about */
static double bytes(void *ud, const char *s, size_t len)
{
    (void)ud;
    (void)s;
    return (double)len;
}

static void test_wrap(void **state)
{
    (void)state;
    const char *s = "aaa bbb ccc";
    assert_int_equal(wh_wrap_line(s, strlen(s), 100, bytes, NULL), strlen(s)); /* fits */
    assert_int_equal(wh_wrap_line(s, strlen(s), 8, bytes, NULL), 8);           /* "aaa bbb " */
    assert_int_equal(wh_wrap_line(s, strlen(s), 7, bytes, NULL), 8);           /* "aaa bbb" fits, space taken along */
    assert_int_equal(wh_wrap_line(s, strlen(s), 5, bytes, NULL), 4);           /* "aaa " */
    /* a word longer than the line is cut, at a UTF-8 boundary */
    const char *w = "ЖЖЖЖ"; /* 2 bytes each */
    assert_int_equal(wh_wrap_line(w, strlen(w), 5, bytes, NULL), 4);
    assert_int_equal(wh_wrap_line(w, strlen(w), 1, bytes, NULL), 2); /* at least one character */
    assert_int_equal(wh_wrap_line("", 0, 10, bytes, NULL), 0);
}

static char *pdftotext(const unsigned char *pdf, size_t len)
{
    char in[] = "/tmp/walor-test-pdf-XXXXXX";
    int fd = mkstemp(in);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pdf, len), (ssize_t)len);
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", in);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    for (size_t r; (r = fread(out + n, 1, cap - n - 1, p)) > 0;) {
        n += r;
        if (cap - n < 1024)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    unlink(in);
    return out;
}

static void test_yo_first(void **state)
{
    (void)state;
    if (access(WH_PDF_FONT, R_OK) != 0 || system("command -v pdftotext >/dev/null 2>&1") != 0) {
        skip();
        return;
    }
    wh_pdf_section s[] = {
        {"Ёжик", "Ёжик ушёл в лес.\nЕжевика и ещё раз Ежевика."},
        {"Второй раздел 🙂", "Длинный абзац, который обязательно переносится на несколько строк, потому что "
                              "в нём много слов: раз, два, три, четыре, пять, шесть, семь, восемь, девять, десять, "
                              "одиннадцать, двенадцать, тринадцать, четырнадцать, пятнадцать."},
    };
    unsigned char *pdf = NULL;
    size_t len = 0;
    char err[200];
    assert_int_equal(wh_pdf_render("Ёлка", s, 2, WH_PDF_FONT, &pdf, &len, err, sizeof err), 0);
    assert_true(len > 1000);
    assert_memory_equal(pdf, "%PDF", 4);
    char *text = pdftotext(pdf, len);
    assert_non_null(strstr(text, "Ёжик"));
    assert_non_null(strstr(text, "Ежевика"));
    assert_non_null(strstr(text, "Ёлка"));
    assert_non_null(strstr(text, "пятнадцать"));
    free(text);
    free(pdf);
}

static void test_many_pages(void **state)
{
    (void)state;
    if (access(WH_PDF_FONT, R_OK) != 0 || system("command -v pdftotext >/dev/null 2>&1") != 0) {
        skip();
        return;
    }
    /* 300 paragraphs: several pages, the last one still there */
    size_t cap = 300 * 64;
    char *body = malloc(cap), *p = body;
    for (int i = 0; i < 300; i++)
        p += sprintf(p, "Абзац номер %d с текстом.\n", i);
    wh_pdf_section s[] = {{"Много", body}};
    unsigned char *pdf = NULL;
    size_t len = 0;
    char err[200];
    assert_int_equal(wh_pdf_render(NULL, s, 1, WH_PDF_FONT, &pdf, &len, err, sizeof err), 0);
    char *text = pdftotext(pdf, len);
    assert_non_null(strstr(text, "Абзац номер 299"));
    assert_non_null(strstr(text, "\f")); /* pdftotext separates pages with a form feed */
    free(text);
    free(pdf);
    free(body);
}

static void test_bad_font(void **state)
{
    (void)state;
    wh_pdf_section s[] = {{"a", "b"}};
    unsigned char *pdf = NULL;
    size_t len = 0;
    char err[200] = "";
    assert_int_equal(wh_pdf_render("x", s, 1, "/nonexistent/font.ttf", &pdf, &len, err, sizeof err), -1);
    assert_null(pdf);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_yo_first),
        cmocka_unit_test(test_many_pages),
        cmocka_unit_test(test_bad_font),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
