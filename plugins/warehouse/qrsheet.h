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

#endif
