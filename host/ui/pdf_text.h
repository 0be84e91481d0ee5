/* Lines of mixed text and emoji for the help PDF (help_pdf.c).
 *
 * libharu draws text only with its UTF-8 encoder, which knows the Basic
 * Multilingual Plane alone, and DejaVu Sans has no emoji; the one emoji font
 * Debian has in colour (Noto Color Emoji) keeps its glyphs as PNG bitmaps
 * (CBDT) that libharu cannot use as a font. So each character is drawn by
 * the first that can:
 *   - DejaVu Sans, as PDF text (copyable, searchable), when it has the glyph
 *     and no emoji presentation (U+FE0F) was asked for;
 *   - Noto Color Emoji, as an image of its bitmap read with FreeType
 *     (one image per distinct emoji per document);
 *   - neither: the documented replacement "[U+XXXX]" in DejaVu Sans, never
 *     an empty box and never a silent gap.
 * Variation selectors, the zero width joiner, skin tone modifiers and tag
 * characters only shape their neighbour and draw nothing (a ZWJ sequence
 * shows as its parts). */
#ifndef WH_PDF_TEXT_H
#define WH_PDF_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>

#define WH_PDF_EMOJI_FONT "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"

typedef struct wh_pdf_text wh_pdf_text;

/* font: the libharu font drawn from font_path. emoji_path may be NULL or
 * missing: every emoji then gets the textual replacement. NULL when out of
 * memory or font_path cannot be read by FreeType. */
wh_pdf_text *wh_pdf_text_new(HPDF_Doc pdf, HPDF_Font font, const char *font_path, const char *emoji_path);
void wh_pdf_text_free(wh_pdf_text *t);

/* s with every character no font has replaced by "[U+XXXX]" (malloc'd), so
 * that wrapping measures what will be drawn. */
char *wh_pdf_text_prepare(wh_pdf_text *t, const char *s);

/* The width in points of s[0..len) at size, and drawing it with its
 * baseline at (x, y). The page's font must be set to size already. */
double wh_pdf_text_width(wh_pdf_text *t, HPDF_Page page, const char *s, size_t len, float size);
void wh_pdf_text_draw(wh_pdf_text *t, HPDF_Page page, float x, float y, const char *s, size_t len, float size);

/* How a code point is drawn, given the one after it (0 at the end). */
enum { WH_PDF_GLYPH_TEXT, WH_PDF_GLYPH_EMOJI, WH_PDF_GLYPH_SKIP, WH_PDF_GLYPH_NONE };
int wh_pdf_text_kind(wh_pdf_text *t, uint32_t cp, uint32_t next);

/* how many emoji images the document holds so far (tests) */
size_t wh_pdf_text_images(const wh_pdf_text *t);

#endif
