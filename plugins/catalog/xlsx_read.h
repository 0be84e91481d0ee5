/* Reading a spreadsheet the owner sends for the catalog import (F-CAT-07):
 * the first worksheet of an .xlsx (libzip + libexpat: Debian has no xlsx
 * reader for C) or a .csv, as a grid of UTF-8 strings.
 *
 * Pure C, no host calls: unit-tested (tests/unit/plugins/catalog/test_catalog_xlsx.c) and
 * fuzzed (fuzz/fuzz_xlsx.c) directly.
 *
 * Cells: shared strings (rich text runs concatenated, phonetic runs
 * dropped), inline strings, formula results (the cached value; formulas are
 * not evaluated), numbers as text — integers without ".0" ("1500"),
 * decimals as written with float noise rounded to 15 significant digits
 * ("19.989999999999998" → "19.99"), exponents expanded ("1E3" → "1000");
 * booleans "1"/"0"; error cells as written ("#N/A"). Dates are numbers
 * (serials) in xlsx: the catalog format has no date columns.
 *
 * Limits (each a clear Russian error): CATALOG_SHEET_MAX_ROWS rows,
 * CATALOG_SHEET_MAX_COLS columns (cells with a value beyond them; empty styled
 * cells do not count), CATALOG_SHEET_MAX_BYTES of uncompressed XML/CSV in all
 * (counted while inflating, so a zip bomb stops at the limit whatever its
 * header claims). */
#ifndef WALOR_CATALOG_XLSX_READ_H
#define WALOR_CATALOG_XLSX_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CATALOG_SHEET_MAX_ROWS 100000
#define CATALOG_SHEET_MAX_COLS 64
#define CATALOG_SHEET_MAX_BYTES (50u * 1024u * 1024u)

/* rows × cols; row 0 is the sheet's row 1 (the header, in the catalog
 * format), so a row index + 1 is the row number the owner sees in Excel.
 * rows/cols reach the last cell with a value; everything inside is present,
 * empty cells as "". */
typedef struct catalog_grid catalog_grid;

size_t catalog_grid_rows(const catalog_grid *g);
size_t catalog_grid_cols(const catalog_grid *g);
/* the cell's text, "" for an empty cell or one outside the grid; valid
 * until catalog_grid_free */
const char *catalog_grid_cell(const catalog_grid *g, size_t row, size_t col);
void catalog_grid_free(catalog_grid *g);

/* 0 with *out set (free with catalog_grid_free), or -1 with a Russian reason in
 * err (always NUL-terminated when errlen > 0) and *out = NULL. An empty
 * sheet is a valid 0 × 0 grid. */
int catalog_xlsx_read_mem(const void *data, size_t len, catalog_grid **out, char *err, size_t errlen);
int catalog_xlsx_read_file(const char *path, catalog_grid **out, char *err, size_t errlen);

/* CSV as Excel and LibreOffice save it: UTF-8 (a BOM is skipped; other
 * encodings are refused with a hint to save as "CSV UTF-8"), ';' or ','
 * delimited (';' when the first line has one outside quotes — the Russian
 * Excel default — else ','), RFC 4180 quotes with "" inside and line breaks
 * in quoted cells, LF or CRLF. Blank lines are kept as empty rows so that
 * row numbers match the file; trailing ones are dropped. */
int catalog_csv_read_mem(const void *data, size_t len, catalog_grid **out, char *err, size_t errlen);
int catalog_csv_read_file(const char *path, catalog_grid **out, char *err, size_t errlen);

/* the cell reference "B3" → row 2, col 1 (0-based); -1 when malformed or
 * beyond the limits. Exposed for tests. */
int catalog_cell_ref_parse(const char *ref, uint32_t *row, uint32_t *col);

/* A number as xlsx stores it (a C-locale double written by the producer)
 * → the text an owner expects ("1.5" for 1.5, "100" for 1E2), without
 * strtod (a daemon may run under a locale with a decimal comma). false
 * when s is not a plain number: the caller keeps it as written. */
bool catalog_xlsx_num_normalize(const char *s, char *out, size_t outlen);

#endif
