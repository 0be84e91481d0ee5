/* analytics: what every Excel report shares (libxlsxwriter in its
 * constant-memory mode: each row goes to a temporary file as soon as the
 * next row starts, so a sheet of a million rows costs one row of memory).
 * Money is written as numbers of roubles in the ₽ format, never as text;
 * dates as Excel dates in the shop's time zone. Rows of a sheet must be
 * written in order (the mode's one rule); sheets are independent. Pure
 * apart from libxlsxwriter (no host calls). */
#ifndef ANALYTICS_XLSX_H
#define ANALYTICS_XLSX_H

#include <stdint.h>

#include <xlsxwriter.h>

#define AN_XLSX_MONEY "#,##0.00 [$₽-419]"
#define AN_XLSX_MAX_ROWS 1048576 /* Excel's limit of a sheet */

typedef struct an_book {
    lxw_workbook *wb;
    lxw_format *head;     /* header row: bold, grey, wrapped */
    lxw_format *money;
    lxw_format *money_b;  /* bold money (totals) */
    lxw_format *pct;      /* 12.3 % */
    lxw_format *date;     /* dd.mm.yyyy */
    lxw_format *datetime; /* dd.mm.yyyy hh:mm */
    lxw_format *bold;
    lxw_format *title;    /* a sheet's title line */
    lxw_format *note;     /* grey explanation text */
    lxw_format *indent;   /* a sub-line of the summary */
} an_book;

/* Create the workbook at path, temporary files in tmpdir. 0 or -1. */
int an_book_open(an_book *b, const char *path, const char *tmpdir);
/* Write it out; 0, or -1 when libxlsxwriter failed (the file is not usable). */
int an_book_close(an_book *b);

/* A sheet with a header row (row 0, frozen) and column widths; NULL on error */
typedef struct an_col {
    const char *title;
    double width;
} an_col;
lxw_worksheet *an_sheet(an_book *b, const char *name, const an_col *cols, int ncols);

void an_money(an_book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t kopecks);
void an_int(lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t v);
/* plain text, cut to Excel's 32 767 characters on a UTF-8 boundary */
void an_text(lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s, lxw_format *f);
/* a local date or date and time of an epoch second */
void an_date_cell(an_book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t t, int with_time);
/* =SUM(<col><first+1>:<col><last+1>) with its value given, so that viewers
 * that do not recalculate show it (LibreOffice) */
void an_sum(an_book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, uint32_t first, uint32_t last,
            int64_t kopecks);

#endif
