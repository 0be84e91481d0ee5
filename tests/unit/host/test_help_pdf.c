/* The help PDF (host/ops/help_pdf.c): line wrapping, and a regression test of
 * libharu's Ё/Е bug (LIBRARIES.md): "Ё" drawn first must not blank the
 * later "Е". pdftotext reads both letters even when "Е" is drawn blank, so
 * the page is also rasterised (poppler's pdftoppm) and the "Е" words,
 * located with pdftotext -bbox, must have ink.
 * Features: F-HOST-09 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include "unit_skip.h"

#include "ops.h"
#include "pdf_text.h"
#include "utf8.h"

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

static bool have_tools(void)
{
    return access(WH_PDF_FONT, R_OK) == 0 &&
           system("command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1") == 0;
}

/* the PDF in a temporary file, for the poppler tools */
static void write_pdf(char path[static 32], const unsigned char *pdf, size_t len)
{
    strcpy(path, "/tmp/walor-test-pdf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pdf, len), (ssize_t)len);
    close(fd);
}

/* stdout of a shell command (paths here never contain quotes); fails the
 * test when the command does not exit 0 */
__attribute__((format(printf, 1, 2))) static char *run(const char *fmt, ...)
{
    char cmd[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
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
    int status = pclose(p);
    if (status != 0)
        fail_msg("`%s` exited with %d", cmd, status);
    return out;
}

static char *pdftotext(const unsigned char *pdf, size_t len)
{
    char in[32];
    write_pdf(in, pdf, len);
    char *out = run("pdftotext -enc UTF-8 '%s' - 2>/dev/null", in);
    unlink(in);
    return out;
}

/* a raster of the first page at dpi: greyscale (1 channel) or RGB (3) */
typedef struct raster {
    int w, h, channels;
    unsigned char *px;
} raster;

static raster rasterise_as(const char *pdf, int dpi, int channels)
{
    raster r = {.channels = channels};
    char prefix[40];
    snprintf(prefix, sizeof prefix, "%s-r", pdf);
    free(run("pdftoppm -r %d %s -singlefile -f 1 -l 1 '%s' '%s' 2>/dev/null", dpi, channels == 1 ? "-gray" : "",
             pdf, prefix));
    char file[48];
    snprintf(file, sizeof file, "%s.%s", prefix, channels == 1 ? "pgm" : "ppm");
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    int maxv;
    assert_int_equal(fscanf(f, channels == 1 ? "P5 %d %d %d" : "P6 %d %d %d", &r.w, &r.h, &maxv), 3);
    assert_int_equal(maxv, 255);
    fgetc(f); /* the one whitespace after the header */
    size_t n = (size_t)r.w * (size_t)r.h * (size_t)channels;
    r.px = malloc(n);
    assert_int_equal(fread(r.px, 1, n, f), n);
    fclose(f);
    unlink(file);
    return r;
}

static raster rasterise(const char *pdf, int dpi)
{
    return rasterise_as(pdf, dpi, 1);
}

/* one word of pdftotext -bbox on the first page, its box in points from
 * the top left corner */
typedef struct word {
    double x0, y0, x1, y1;
    char text[64];
} word;

static size_t read_words(const char *pdf, word **out)
{
    char *html = run("pdftotext -enc UTF-8 -bbox -f 1 -l 1 '%s' - 2>/dev/null", pdf);
    size_t n = 0, cap = 64;
    word *w = malloc(cap * sizeof *w);
    for (const char *p = html; (p = strstr(p, "<word "));) {
        if (n == cap)
            w = realloc(w, (cap *= 2) * sizeof *w);
        word *x = &w[n++];
        assert_int_equal(
            sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">", &x->x0, &x->y0, &x->x1, &x->y1),
            4);
        const char *t = strchr(p, '>') + 1, *end = strstr(t, "</word>");
        assert_non_null(end);
        size_t l = (size_t)(end - t) < sizeof x->text - 1 ? (size_t)(end - t) : sizeof x->text - 1;
        memcpy(x->text, t, l);
        x->text[l] = '\0';
        p = end;
    }
    free(html);
    *out = w;
    return n;
}

/* dark pixels inside a word's box */
static long ink(const raster *r, const word *w, int dpi)
{
    double k = dpi / 72.0;
    long dark = 0;
    for (int y = (int)(w->y0 * k); y < (int)(w->y1 * k) && y < r->h; y++)
        for (int x = (int)(w->x0 * k); x < (int)(w->x1 * k) && x < r->w; x++)
            dark += r->px[(size_t)y * (size_t)r->w + (size_t)x] < 128;
    return dark;
}

static void test_yo_first(void **state)
{
    (void)state;
    if (!have_tools()) {
        UNIT_SKIP("the DejaVu font, pdftotext or pdftoppm (poppler-utils) is missing");
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
    assert_int_equal(wh_pdf_render("Ёлка", s, 2, WH_PDF_FONT, NULL, &pdf, &len, err, sizeof err), 0);
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

/* LIBRARIES.md: with libharu 2.3.0, "Ё" drawn before any "Е" shows as "¨"
 * and every later "Е" is blank (the same for ё/е). The document title is
 * drawn first: Ё and ё lead it, the Е words follow on the same line, in the
 * same size, and a section repeats them in the body size. */
static void test_yo_first_ye_has_ink(void **state)
{
    (void)state;
    if (!have_tools()) {
        UNIT_SKIP("the DejaVu font, pdftotext or pdftoppm (poppler-utils) is missing");
        return;
    }
    wh_pdf_section s[] = {{"Раздел", "ЁЁЁ ёёё ЕЕЕ еее"}};
    unsigned char *pdf = NULL;
    size_t len = 0;
    char err[200];
    assert_int_equal(wh_pdf_render("ЁЁЁ ёёё ЕЕЕ еее", s, 1, WH_PDF_FONT, NULL, &pdf, &len, err, sizeof err), 0);
    char path[32];
    write_pdf(path, pdf, len);
    free(pdf);
    word *w;
    size_t nw = read_words(path, &w);
    const int dpi = 150;
    raster r = rasterise(path, dpi);
    unlink(path);
    const char *pairs[][2] = {{"ЁЁЁ", "ЕЕЕ"}, {"ёёё", "еее"}};
    size_t checked = 0;
    for (size_t i = 0; i < nw; i++) {
        for (size_t j = 0; j < 2; j++) {
            if (strcmp(w[i].text, pairs[j][1]) != 0)
                continue;
            /* the Ё word of the same line: the nearest one before it */
            const word *yo = NULL;
            for (size_t k = i; k-- > 0 && !yo;)
                if (strcmp(w[k].text, pairs[j][0]) == 0)
                    yo = &w[k];
            assert_non_null(yo);
            assert_true(yo->y0 == w[i].y0);
            long area = (long)((w[i].x1 - w[i].x0) * (w[i].y1 - w[i].y0) * dpi / 72.0 * dpi / 72.0);
            long ink_ye = ink(&r, &w[i], dpi), ink_yo = ink(&r, yo, dpi);
            /* three solid letters cover a good part of their box; the dots
             * of Ё add to the same letter's ink */
            if (ink_ye * 10 < area || ink_yo <= ink_ye)
                fail_msg("%s: %ld dark pixels, %s: %ld (box %ld px)", pairs[j][1], ink_ye, pairs[j][0], ink_yo,
                         area);
            checked++;
        }
    }
    assert_int_equal(checked, 4); /* both pairs, in the title and in the body */
    free(r.px);
    free(w);
}

static void test_many_pages(void **state)
{
    (void)state;
    if (!have_tools()) {
        UNIT_SKIP("the DejaVu font, pdftotext or pdftoppm (poppler-utils) is missing");
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
    assert_int_equal(wh_pdf_render(NULL, s, 1, WH_PDF_FONT, NULL, &pdf, &len, err, sizeof err), 0);
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
    assert_int_equal(wh_pdf_render("x", s, 1, "/nonexistent/font.ttf", NULL, &pdf, &len, err, sizeof err), -1);
    assert_null(pdf);
    assert_true(strlen(err) > 0);
}

/* ---- emoji (pdf_text.c) ---- */

static void need_emoji_font(void)
{
    /* packaging/install-deps.sh installs it: its absence is a broken set-up, not a skip */
    if (access(WH_PDF_EMOJI_FONT, R_OK) != 0)
        fail_msg("%s missing: install fonts-noto-color-emoji", WH_PDF_EMOJI_FONT);
}

static unsigned char *render(const char *body, const char *emoji_font, size_t *len)
{
    wh_pdf_section s[] = {{"🛍 Каталог", body}};
    unsigned char *pdf = NULL;
    char err[200];
    assert_int_equal(wh_pdf_render("📚 Инструкции", s, 1, WH_PDF_FONT, emoji_font, &pdf, len, err, sizeof err), 0);
    return pdf;
}

static void test_glyph_kinds(void **state)
{
    (void)state;
    need_emoji_font();
    HPDF_Doc pdf = HPDF_New(NULL, NULL);
    assert_non_null(pdf);
    HPDF_UseUTFEncodings(pdf);
    HPDF_Font font = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, WH_PDF_FONT, HPDF_TRUE), "UTF-8");
    wh_pdf_text *t = wh_pdf_text_new(pdf, font, WH_PDF_FONT, WH_PDF_EMOJI_FONT);
    assert_non_null(t);
    assert_int_equal(wh_pdf_text_kind(t, 'A', 0), WH_PDF_GLYPH_TEXT);
    assert_int_equal(wh_pdf_text_kind(t, 0x0416, 0), WH_PDF_GLYPH_TEXT);     /* Ж */
    assert_int_equal(wh_pdf_text_kind(t, 0x20BD, 0), WH_PDF_GLYPH_TEXT);     /* ₽ */
    assert_int_equal(wh_pdf_text_kind(t, 0x2610, 0), WH_PDF_GLYPH_TEXT);     /* ☐, DejaVu has it */
    assert_int_equal(wh_pdf_text_kind(t, 0x2699, 0), WH_PDF_GLYPH_TEXT);     /* ⚙ as text … */
    assert_int_equal(wh_pdf_text_kind(t, 0x2699, 0xFE0F), WH_PDF_GLYPH_EMOJI); /* … ⚙️ as emoji */
    assert_int_equal(wh_pdf_text_kind(t, 0x2705, 0), WH_PDF_GLYPH_EMOJI);    /* ✅: DejaVu has none */
    assert_int_equal(wh_pdf_text_kind(t, 0x1F4C1, 0), WH_PDF_GLYPH_EMOJI);   /* 📁 */
    assert_int_equal(wh_pdf_text_kind(t, 0x1F7E2, 0), WH_PDF_GLYPH_EMOJI);   /* 🟢 (Unicode 12) */
    assert_int_equal(wh_pdf_text_kind(t, 0xFE0F, 0), WH_PDF_GLYPH_SKIP);
    assert_int_equal(wh_pdf_text_kind(t, 0x200D, 0), WH_PDF_GLYPH_SKIP);
    assert_int_equal(wh_pdf_text_kind(t, 0x1F3FD, 0), WH_PDF_GLYPH_SKIP);    /* skin tone */
    assert_int_equal(wh_pdf_text_kind(t, 0x1FAFF, 0), WH_PDF_GLYPH_NONE);    /* unassigned */
    char *p = wh_pdf_text_prepare(t, "a\xF0\x9F\xAB\xBF b \xF0\x9F\x93\x81\xEF\xB8\x8F");
    assert_string_equal(p, "a[U+1FAFF] b \xF0\x9F\x93\x81\xEF\xB8\x8F");
    free(p);
    wh_pdf_text_free(t);
    /* without an emoji font every emoji is named, none dropped */
    t = wh_pdf_text_new(pdf, font, WH_PDF_FONT, NULL);
    p = wh_pdf_text_prepare(t, "папками \xF0\x9F\x93\x81, ⚙\xEF\xB8\x8F");
    assert_string_equal(p, "папками [U+1F4C1], ⚙\xEF\xB8\x8F");
    free(p);
    wh_pdf_text_free(t);
    HPDF_Free(pdf);
}

/* every character pdftotext reads back has a glyph in DejaVu Sans: no box */
static void assert_all_in_dejavu(const char *text)
{
    FT_Library ft;
    FT_Face face;
    assert_int_equal(FT_Init_FreeType(&ft), 0);
    assert_int_equal(FT_New_Face(ft, WH_PDF_FONT, 0, &face), 0);
    size_t len = strlen(text);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t bad, n = wh_utf8_decode(text + i, len - i, &cp, &bad);
        assert_true(n > 0);
        if (cp > ' ' && FT_Get_Char_Index(face, cp) == 0)
            fail_msg("U+%04X at byte %zu has no glyph in DejaVu Sans: %.40s", (unsigned)cp, i, text + i);
        i += n;
    }
    FT_Done_Face(face);
    FT_Done_FreeType(ft);
}

/* saturated (coloured, not grey) pixels between two words of a line */
static long coloured_between(const char *path, const word *a, const word *b, int dpi)
{
    raster r = rasterise_as(path, dpi, 3);
    double k = dpi / 72.0;
    long n = 0;
    for (int y = (int)(a->y0 * k); y < (int)(a->y1 * k) && y < r.h; y++)
        for (int x = (int)(a->x1 * k); x < (int)(b->x0 * k) && x < r.w; x++) {
            const unsigned char *p = r.px + ((size_t)y * (size_t)r.w + (size_t)x) * 3;
            int mx = p[0] > p[1] ? (p[0] > p[2] ? p[0] : p[2]) : (p[1] > p[2] ? p[1] : p[2]);
            int mn = p[0] < p[1] ? (p[0] < p[2] ? p[0] : p[2]) : (p[1] < p[2] ? p[1] : p[2]);
            n += mx - mn > 60;
        }
    free(r.px);
    return n;
}

static const word *find_word(const word *w, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w[i].text, text) == 0)
            return &w[i];
    fail_msg("no word %s", text);
    return NULL;
}

static void test_emoji_in_colour_no_gap_no_box(void **state)
{
    (void)state;
    need_emoji_font();
    if (!have_tools())
        fail_msg("pdftotext and pdftoppm (poppler-utils) are needed");
    /* the sentence of issue 21 that came out as «папками , товары со скидкой — значком .» */
    size_t len = 0;
    unsigned char *pdf = render("Разделы показаны папками 📁 , товары со скидкой — значком 🔥 .\n"
                                "☐ Раздел ⚙️ Настройки ✅ Готово 🟢 есть 🫿 нет 🟢",
                                WH_PDF_EMOJI_FONT, &len);
    char *text = pdftotext(pdf, len);
    /* each picture reads back as U+FFFC, the object replacement character, in its line */
    assert_non_null(strstr(text, "Разделы показаны папками \xEF\xBF\xBC , товары со скидкой — значком \xEF\xBF\xBC"));
    assert_non_null(strstr(text, "☐ Раздел"));
    assert_non_null(strstr(text, "[U+1FAFF] нет"));      /* no font has it: named */
    assert_null(strstr(text, "[U+1F"  "4C1]"));          /* the emoji were drawn, not named */
    assert_all_in_dejavu(text);
    free(text);

    char path[32];
    write_pdf(path, pdf, len);
    /* one image object (and its soft mask) per distinct emoji, however often
     * drawn: 📚 🛍 📁 🔥 ⚙️ ✅ 🟢, the 🟢 twice */
    char *list = run("pdfimages -list '%s' 2>/dev/null | awk '$3 == \"image\" { n++; ids[$11] = 1 } "
                     "END { print n, length(ids) }'", path);
    assert_string_equal(list, "8 7\n");
    free(list);
    word *w;
    size_t nw = read_words(path, &w);
    const int dpi = 100;
    /* the folder sits in colour between «папками» and «,» */
    const word *before = find_word(w, nw, "папками"), *after = NULL;
    for (const word *x = before + 1; x < w + nw && !after; x++)
        if (strcmp(x->text, ",") == 0)
            after = x;
    assert_non_null(after);
    assert_true(after->x0 - before->x1 > 8);              /* room for it: an em, not a collapsed gap */
    long c = coloured_between(path, before, after, dpi);
    if (c < 20)
        fail_msg("only %ld coloured pixels where 📁 should be", c);
    unlink(path);
    free(w);
    free(pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_yo_first),
        cmocka_unit_test(test_yo_first_ye_has_ink),
        cmocka_unit_test(test_many_pages),
        cmocka_unit_test(test_bad_font),
        cmocka_unit_test(test_glyph_kinds),
        cmocka_unit_test(test_emoji_in_colour_no_gap_no_box),
    };
    return unit_result(cmocka_run_group_tests(tests, NULL, NULL));
}
