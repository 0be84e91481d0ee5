/* The help sections as one PDF (F-HOST-09), with libharu.
 *
 * Cyrillic needs an embedded TrueType font and the UTF-8 encoder
 * (LIBRARIES.md). libharu reports errors through a callback; ours
 * longjmp()s back into wh_pdf_render, so that style never leaves this
 * file. libharu does not wrap lines: wh_wrap_line does, measuring with
 * HPDF_Page_TextWidth. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "ops.h"
#include "pdf_text.h"

#define PAGE_W 595.0f /* A4 in points */
#define PAGE_H 842.0f
#define MARGIN 56.0f
#define BODY_SIZE 11.0f
#define TITLE_SIZE 15.0f
#define DOC_TITLE_SIZE 20.0f
#define LEADING 1.45f

static size_t utf8_len(unsigned char b)
{
    return b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
}

size_t wh_wrap_line(const char *s, size_t len, double width, wh_measure_fn measure, void *ud)
{
    if (len == 0)
        return 0;
    if (measure(ud, s, len) <= width)
        return len;
    /* the longest prefix ending before a space that fits */
    size_t best = 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] != ' ')
            continue;
        if (measure(ud, s, i) > width)
            break;
        best = i + 1; /* take the space along: the next line starts after it */
    }
    if (best)
        return best;
    /* one word wider than the line: as many whole characters as fit */
    size_t cut = utf8_len((unsigned char)s[0]);
    for (size_t i = cut; i < len;) {
        size_t step = utf8_len((unsigned char)s[i]);
        if (i + step > len || measure(ud, s, i + step) > width)
            break;
        i += step;
        cut = i;
    }
    return cut > len ? len : cut;
}

/* control characters other than '\n' become spaces; every other character
 * is kept for pdf_text.c, which draws it or names it */
static char *drawable(const char *s)
{
    char *out = strdup(s);
    for (char *p = out; p && *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n')
            *p = ' ';
    return out;
}

typedef struct pdf_state {
    jmp_buf jb;
    HPDF_STATUS status, detail;
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font font;
    wh_pdf_text *tx;
    float y, size;
} pdf_state;

static void on_error(HPDF_STATUS status, HPDF_STATUS detail, void *ud)
{
    pdf_state *st = ud;
    st->status = status;
    st->detail = detail;
    longjmp(st->jb, 1);
}

static double measure(void *ud, const char *s, size_t len)
{
    pdf_state *st = ud;
    return wh_pdf_text_width(st->tx, st->page, s, len, st->size);
}

static void new_page(pdf_state *st)
{
    st->page = HPDF_AddPage(st->pdf);
    HPDF_Page_SetSize(st->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    st->y = PAGE_H - MARGIN;
}

/* one paragraph at `size`, wrapped, breaking pages as needed */
static void paragraph(pdf_state *st, const char *text, float size)
{
    size_t len = strlen(text);
    if (len == 0) {
        st->y -= size * LEADING * 0.6f;
        return;
    }
    while (len > 0) {
        if (st->y - size * LEADING < MARGIN)
            new_page(st);
        HPDF_Page_SetFontAndSize(st->page, st->font, size);
        st->size = size;
        size_t take = wh_wrap_line(text, len, PAGE_W - 2 * MARGIN, measure, st);
        char line[2048];
        size_t l = take < sizeof line ? take : sizeof line - 1;
        memcpy(line, text, l);
        while (l > 0 && line[l - 1] == ' ')
            l--;
        line[l] = '\0';
        st->y -= size * LEADING;
        wh_pdf_text_draw(st->tx, st->page, MARGIN, st->y, line, l, size);
        text += take;
        len -= take;
    }
}

static void block(pdf_state *st, const char *text, float size)
{
    char *raw = drawable(text);
    char *clean = raw ? wh_pdf_text_prepare(st->tx, raw) : NULL;
    free(raw);
    if (!clean)
        return;
    for (char *p = clean;;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        paragraph(st, p, size);
        if (!nl)
            break;
        p = nl + 1;
    }
    free(clean);
}

/* every Cyrillic letter measured once, base letters before the composite
 * Ё/ё, works around libharu 2.3.0 subsetting composite glyphs one level
 * deep (LIBRARIES.md): without it "Ёжик" drawn first blanks every later "Е" */
static const char ALL_LETTERS[] = "EeАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя";

int wh_pdf_render(const char *doc_title, const wh_pdf_section *s, size_t n, const char *font_path,
                  const char *emoji_path, unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    /* volatile: read after longjmp, written after setjmp */
    pdf_state *volatile st = calloc(1, sizeof *st);
    unsigned char *volatile buf = NULL;
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (setjmp(st->jb)) {
        snprintf(err, errlen, "libharu error 0x%04X (detail %u)", (unsigned)st->status, (unsigned)st->detail);
        if (st->pdf)
            HPDF_Free(st->pdf);
        wh_pdf_text_free(st->tx);
        free(buf);
        free(st);
        return -1;
    }
    st->pdf = HPDF_New(on_error, st);
    if (!st->pdf) {
        snprintf(err, errlen, "cannot create a PDF document");
        free(st);
        return -1;
    }
    HPDF_SetCompressionMode(st->pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(st->pdf);
    HPDF_SetCurrentEncoder(st->pdf, "UTF-8");
    const char *font = font_path ? font_path : WH_PDF_FONT; /* not font_path itself: setjmp */
    const char *name = HPDF_LoadTTFontFromFile(st->pdf, font, HPDF_TRUE);
    st->font = HPDF_GetFont(st->pdf, name, "UTF-8");
    HPDF_Font_TextWidth(st->font, (const HPDF_BYTE *)ALL_LETTERS, (HPDF_UINT)strlen(ALL_LETTERS));
    st->tx = wh_pdf_text_new(st->pdf, st->font, font, emoji_path);
    if (!st->tx) {
        snprintf(err, errlen, "cannot read the font %s", font);
        HPDF_Free(st->pdf);
        free(st);
        return -1;
    }

    new_page(st);
    if (doc_title && *doc_title) {
        block(st, doc_title, DOC_TITLE_SIZE);
        st->y -= BODY_SIZE;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            st->y -= BODY_SIZE; /* a gap between sections */
        /* a title alone at the bottom of a page reads badly */
        if (st->y - TITLE_SIZE * LEADING - 3 * BODY_SIZE * LEADING < MARGIN)
            new_page(st);
        block(st, s[i].title ? s[i].title : "", TITLE_SIZE);
        st->y -= BODY_SIZE * 0.4f;
        block(st, s[i].text ? s[i].text : "", BODY_SIZE);
    }

    HPDF_SaveToStream(st->pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(st->pdf);
    buf = malloc(size ? size : 1);
    if (!buf) {
        HPDF_Free(st->pdf);
        wh_pdf_text_free(st->tx);
        free(st);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    HPDF_UINT32 got = size;
    HPDF_ReadFromStream(st->pdf, buf, &got);
    HPDF_Free(st->pdf);
    wh_pdf_text_free(st->tx);
    free(st);
    *out = buf;
    *outlen = got;
    return 0;
}
