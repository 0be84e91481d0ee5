/* The warehouse QR sheet (F-WH-08): one A4 PDF with a QR code of each
 * product's deep link and its name under it, to print and stick on shelves.
 *
 * Pure C (libharu + libqrencode, no host calls), unit-tested on its own in
 * tests/unit/plugins/warehouse/test_qrsheet.c: every code is decoded back with zbarimg.
 * Reentrant: no globals, so worker threads may render sheets concurrently. */
#ifndef WALOR_WAREHOUSE_QRSHEET_H
#define WALOR_WAREHOUSE_QRSHEET_H

#include <stddef.h>

typedef struct qrsheet_item {
    const char *url;     /* encoded in the QR code; required */
    const char *caption; /* UTF-8, e.g. the product name; NULL or "" = none */
} qrsheet_item;

/* Render an A4 PDF (several pages as needed) with one QR code + caption per item.
   Returns 0, or -1 with err filled (never a partial file at out_path). */
int wr_qrsheet_render(const qrsheet_item *items, size_t n, const char *title, const char *out_path, char *err, size_t errlen);

/* Layout, for callers that tell the merchant what to expect: 3 columns x 4
 * rows of codes per page, each cell a sticker with dashed cut guides.
 * The title (user text: the shop's name, say; NULL = none) heads every page
 * with "page/pages" on the right. Captions take up to three lines; a longer
 * one is cut with "…". Errors in err are English diagnostics for the log:
 * the caller shows its own text. out_path is written atomically (a temporary
 * file in the same directory, renamed), mode 0600. */
#define QRSHEET_COLS 3
#define QRSHEET_ROWS 4
#define QRSHEET_PER_PAGE (QRSHEET_COLS * QRSHEET_ROWS)

/* the page's geometry in points, which the tests measure the rendered page
 * against: A4, 10 mm margins (inside what office printers can print) */
#define QRSHEET_PAGE_W 595.276
#define QRSHEET_PAGE_H 841.89
#define QRSHEET_MARGIN 28.35
#define QRSHEET_HEADER_H 24.0
#define QRSHEET_CELL_W ((QRSHEET_PAGE_W - 2 * QRSHEET_MARGIN) / QRSHEET_COLS)
#define QRSHEET_CELL_H ((QRSHEET_PAGE_H - 2 * QRSHEET_MARGIN - QRSHEET_HEADER_H) / QRSHEET_ROWS)
#define QRSHEET_PAD 8.0
#define QRSHEET_CAPTION_LEADING 11.0
#define QRSHEET_CAPTION_LINES 3
/* the code's square, quiet zone included: what the cell leaves above the caption */
#define QRSHEET_QR_SIDE (QRSHEET_CELL_H - 2 * QRSHEET_PAD - QRSHEET_CAPTION_LINES * QRSHEET_CAPTION_LEADING - 2)

/* longer text cannot fit three caption lines anyway: it ends in "…" */
#define QRSHEET_TEXT_MAX_IN 2048

/* A caption or title as one line libharu can draw (valid UTF-8, BMP only,
 * no joiners or variation selectors, controls as spaces, spaces collapsed,
 * trimmed, at most QRSHEET_TEXT_MAX_IN - 1 bytes cut between letters):
 * malloc'd, NULL when out of memory. */
char *wr_qrsheet_clean_text(const char *in);

/* wr_qrsheet_render with the font file as a parameter (the tests pass a
 * missing one: the error names it) */
int wr_qrsheet_render_font(const qrsheet_item *items, size_t n, const char *title, const char *font,
                           const char *out_path, char *err, size_t errlen);

#endif
