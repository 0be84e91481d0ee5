/* Writing a grid to an .xlsx with libxlsxwriter: the catalog export
 * (F-CAT-07), in the same column format the import reads.
 *
 * Pure C, no host calls (unit-tested in tests/unit/plugins/catalog/test_catalog_xlsx.c by a
 * round trip through xlsx_read.c and through python3-openpyxl). */
#ifndef WALOR_CATALOG_XLSX_WRITE_H
#define WALOR_CATALOG_XLSX_WRITE_H

#include <stddef.h>
#include <stdint.h>

enum catalog_col_kind {
    CATALOG_COL_TEXT = 0, /* strings */
    CATALOG_COL_INT,      /* whole numbers (IDs, grams, percent) */
    CATALOG_COL_MONEY,    /* num is kopecks, shown as roubles "#,##0.00 [$₽-419]" */
};

typedef struct catalog_xlsx_col {
    const char *title; /* header row, bold */
    int kind;          /* enum catalog_col_kind */
    double width;      /* characters; 0 = a default for the kind */
} catalog_xlsx_col;

/* One cell: text != NULL writes that string in any column ("" leaves the
 * cell empty); text == NULL writes num as a number (kopecks in a MONEY
 * column, written as num / 100 with the rouble format). */
typedef struct catalog_xlsx_cell {
    const char *text;
    int64_t num;
} catalog_xlsx_cell;

/* Writes path (replaced if it exists): one sheet named sheet (Cyrillic is
 * fine, at most 31 characters, no []:*?/\), the header row from cols
 * (frozen, with an autofilter), then nrows rows of ncols cells from cells
 * (row-major). Rows are streamed (libxlsxwriter's constant_memory mode), so
 * a 100,000-row export stays small in memory.
 * 0, or -1 with a reason in err (NUL-terminated when errlen > 0); on
 * failure path may be left incomplete and the caller should remove it. */
int catalog_xlsx_write(const char *path, const char *sheet, const catalog_xlsx_col *cols, size_t ncols,
                   const catalog_xlsx_cell *cells, size_t nrows, char *err, size_t errlen);

#endif
