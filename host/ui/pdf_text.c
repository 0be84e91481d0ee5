#include "pdf_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include "utf8.h"

/* emoji look right a little smaller than the em of Noto's bitmap strike */
#define EMOJI_SCALE 0.92

typedef struct emoji_img {
    uint32_t cp;
    HPDF_Image img;      /* NULL: the font had a glyph but no bitmap: drawn as a replacement */
    double left, bottom, width, height, advance; /* in ems */
} emoji_img;

struct wh_pdf_text {
    HPDF_Doc pdf;
    HPDF_Font font;
    FT_Library ft;
    FT_Face text_face, emoji_face;
    emoji_img *imgs;
    size_t nimgs, cap;
};

wh_pdf_text *wh_pdf_text_new(HPDF_Doc pdf, HPDF_Font font, const char *font_path, const char *emoji_path)
{
    wh_pdf_text *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->pdf = pdf;
    t->font = font;
    if (FT_Init_FreeType(&t->ft) != 0 || FT_New_Face(t->ft, font_path, 0, &t->text_face) != 0) {
        wh_pdf_text_free(t);
        return NULL;
    }
    /* a colour font with one bitmap strike: select it, or do without emoji */
    if (emoji_path && FT_New_Face(t->ft, emoji_path, 0, &t->emoji_face) == 0 &&
        (!FT_HAS_COLOR(t->emoji_face) || t->emoji_face->num_fixed_sizes < 1 ||
         FT_Select_Size(t->emoji_face, 0) != 0)) {
        FT_Done_Face(t->emoji_face);
        t->emoji_face = NULL;
    }
    return t;
}

void wh_pdf_text_free(wh_pdf_text *t)
{
    if (!t)
        return;
    if (t->emoji_face)
        FT_Done_Face(t->emoji_face);
    if (t->text_face)
        FT_Done_Face(t->text_face);
    if (t->ft)
        FT_Done_FreeType(t->ft);
    free(t->imgs);
    free(t);
}

size_t wh_pdf_text_images(const wh_pdf_text *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nimgs; i++)
        n += t->imgs[i].img != NULL;
    return n;
}

static int shapes_only(uint32_t cp)
{
    return cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
           (cp >= 0xE0020 && cp <= 0xE007F) || cp == 0x20E3;
}

int wh_pdf_text_kind(wh_pdf_text *t, uint32_t cp, uint32_t next)
{
    if (shapes_only(cp))
        return WH_PDF_GLYPH_SKIP;
    if (cp < 0x80)
        return WH_PDF_GLYPH_TEXT; /* ASCII, '\n' between paragraphs included */
    /* libharu's UTF-8 encoder stops at U+FFFF */
    int text = cp <= 0xFFFF && FT_Get_Char_Index(t->text_face, cp) != 0;
    int emoji = t->emoji_face && cp > 0x7F && FT_Get_Char_Index(t->emoji_face, cp) != 0;
    if (text && !(emoji && next == 0xFE0F))
        return WH_PDF_GLYPH_TEXT;
    return emoji ? WH_PDF_GLYPH_EMOJI : text ? WH_PDF_GLYPH_TEXT : WH_PDF_GLYPH_NONE;
}

/* the next code point of s[*i..len) (U+FFFD for a bad byte), 0 at the end */
static uint32_t next_cp(const char *s, size_t len, size_t *i)
{
    if (*i >= len)
        return 0;
    uint32_t cp;
    size_t bad = 1, n = wh_utf8_decode(s + *i, len - *i, &cp, &bad);
    *i += n ? n : bad;
    return n ? cp : WH_UTF8_REPLACEMENT;
}

static uint32_t peek_cp(const char *s, size_t len, size_t i)
{
    return next_cp(s, len, &i);
}

/* the image of an emoji, made once per document; NULL slot when FreeType
 * has no colour bitmap for it */
static const emoji_img *emoji(wh_pdf_text *t, uint32_t cp)
{
    for (size_t i = 0; i < t->nimgs; i++)
        if (t->imgs[i].cp == cp)
            return &t->imgs[i];
    if (t->nimgs == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        emoji_img *n = realloc(t->imgs, ncap * sizeof *n);
        if (!n)
            return NULL;
        t->imgs = n;
        t->cap = ncap;
    }
    emoji_img *e = &t->imgs[t->nimgs];
    memset(e, 0, sizeof *e);
    e->cp = cp;
    FT_Face f = t->emoji_face;
    FT_GlyphSlot g = f->glyph;
    if (FT_Load_Char(f, cp, FT_LOAD_COLOR) != 0 || g->bitmap.pixel_mode != FT_PIXEL_MODE_BGRA ||
        g->bitmap.width == 0 || g->bitmap.rows == 0) {
        t->nimgs++;
        return e;
    }
    unsigned w = g->bitmap.width, h = g->bitmap.rows;
    unsigned char *rgb = malloc((size_t)w * h * 3), *alpha = malloc((size_t)w * h);
    if (!rgb || !alpha) {
        free(rgb);
        free(alpha);
        return NULL;
    }
    for (unsigned y = 0; y < h; y++) {
        const unsigned char *row = g->bitmap.buffer + (ptrdiff_t)y * g->bitmap.pitch;
        for (unsigned x = 0; x < w; x++) {
            const unsigned char *px = row + 4 * x; /* premultiplied B, G, R, A */
            unsigned a = px[3];
            size_t k = (size_t)y * w + x;
            for (int c = 0; c < 3; c++) {
                unsigned v = a ? (px[2 - c] * 255u + a / 2) / a : 255;
                rgb[3 * k + c] = (unsigned char)(v > 255 ? 255 : v);
            }
            alpha[k] = (unsigned char)a;
        }
    }
    /* libharu copies the pixels into the document's streams */
    HPDF_Image img = HPDF_LoadRawImageFromMem(t->pdf, rgb, w, h, HPDF_CS_DEVICE_RGB, 8);
    HPDF_Image mask = HPDF_LoadRawImageFromMem(t->pdf, alpha, w, h, HPDF_CS_DEVICE_GRAY, 8);
    free(rgb);
    free(alpha);
    HPDF_Image_AddSMask(img, mask);
    double ppem = f->size->metrics.y_ppem ? f->size->metrics.y_ppem : 1;
    e->img = img;
    e->left = g->bitmap_left / ppem;
    e->bottom = (g->bitmap_top - (double)h) / ppem;
    e->width = w / ppem;
    e->height = h / ppem;
    e->advance = (g->advance.x / 64.0) / ppem;
    t->nimgs++;
    return e;
}

char *wh_pdf_text_prepare(wh_pdf_text *t, const char *s)
{
    size_t len = strlen(s), cap = len * 3 + 16, o = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = next_cp(s, len, &i);
        if (o + 16 >= cap) {
            char *n = realloc(out, cap *= 2);
            if (!n) {
                free(out);
                return NULL;
            }
            out = n;
        }
        int kind = wh_pdf_text_kind(t, cp, peek_cp(s, len, i));
        if (kind == WH_PDF_GLYPH_EMOJI) {
            const emoji_img *e = emoji(t, cp); /* a glyph without a bitmap cannot be drawn either */
            kind = e && e->img ? kind : WH_PDF_GLYPH_NONE;
        }
        if (kind == WH_PDF_GLYPH_NONE)
            o += (size_t)snprintf(out + o, cap - o, "[U+%04X]", (unsigned)cp);
        else
            memcpy(out + o, s + at, i - at), o += i - at;
    }
    out[o] = '\0';
    return out;
}

/* one run of text: measured, and drawn when draw is set */
static double text_run(HPDF_Page page, int draw, float x, float y, char *run, size_t *rl)
{
    if (*rl == 0)
        return 0;
    run[*rl] = '\0';
    *rl = 0;
    if (draw) {
        HPDF_Page_BeginText(page);
        HPDF_Page_TextOut(page, x, y, run);
        HPDF_Page_EndText(page);
    }
    return HPDF_Page_TextWidth(page, run);
}

/* An invisible U+FFFC OBJECT REPLACEMENT CHARACTER as wide as the emoji
 * drawn there: text extraction (search, copying) then reads one line with
 * the placeholder Unicode has for an embedded picture, instead of taking the
 * gap for a column break (poppler drops space glyphs, U+00A0 too, and goes
 * by gaps). */
static void spacer(HPDF_Page page, float x, float y, double width)
{
    static const char obj[] = "\xEF\xBF\xBC";
    double glyph = HPDF_Page_TextWidth(page, obj);
    /* the glyph itself stretched to the width (libharu allows 10-300 %), the
     * rest as character spacing: a gap after it would still split the line */
    double scale = glyph > 0 ? width / glyph * 100 : 100;
    scale = scale < 10 ? 10 : scale > 300 ? 300 : scale;
    double rest = width - glyph * scale / 100;
    HPDF_Page_BeginText(page);
    HPDF_Page_SetTextRenderingMode(page, HPDF_INVISIBLE);
    HPDF_Page_SetHorizontalScalling(page, (float)scale);
    HPDF_Page_SetCharSpace(page, (float)(rest > 0 ? rest * 100 / scale : 0));
    HPDF_Page_TextOut(page, x, y, obj);
    HPDF_Page_SetCharSpace(page, 0);
    HPDF_Page_SetHorizontalScalling(page, 100);
    HPDF_Page_SetTextRenderingMode(page, HPDF_FILL);
    HPDF_Page_EndText(page);
}

/* s in runs of text and single emoji; no allocation here, libharu may longjmp */
static double walk(wh_pdf_text *t, HPDF_Page page, int draw, float x, float y, const char *s, size_t len,
                   float size)
{
    char run[2048];
    size_t rl = 0;
    double w = 0, k = size * EMOJI_SCALE;
    if (len >= sizeof run)
        len = sizeof run - 1; /* lines are shorter (help_pdf.c) */
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = next_cp(s, len, &i);
        int kind = wh_pdf_text_kind(t, cp, peek_cp(s, len, i));
        if (kind == WH_PDF_GLYPH_TEXT || kind == WH_PDF_GLYPH_NONE) {
            /* NONE only when prepare was skipped: libharu then draws its .notdef */
            memcpy(run + rl, s + at, i - at);
            rl += i - at;
            continue;
        }
        w += text_run(page, draw, x + (float)w, y, run, &rl);
        const emoji_img *e = kind == WH_PDF_GLYPH_EMOJI ? emoji(t, cp) : NULL;
        if (e && e->img) {
            if (draw) {
                HPDF_Page_DrawImage(page, e->img, x + (float)(w + e->left * k), y + (float)(e->bottom * k),
                                    (float)(e->width * k), (float)(e->height * k));
                spacer(page, x + (float)w, y, e->advance * k);
            }
            w += e->advance * k;
        }
    }
    return w + text_run(page, draw, x + (float)w, y, run, &rl);
}

double wh_pdf_text_width(wh_pdf_text *t, HPDF_Page page, const char *s, size_t len, float size)
{
    return walk(t, page, 0, 0, 0, s, len, size);
}

void wh_pdf_text_draw(wh_pdf_text *t, HPDF_Page page, float x, float y, const char *s, size_t len, float size)
{
    walk(t, page, 1, x, y, s, len, size);
}
