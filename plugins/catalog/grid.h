/* The grid of a spreadsheet (xlsx_read.h) and the builder its readers fill:
 * the .xlsx reader (xlsx_read.c) and the CSV reader (grid.c). Pure C,
 * internal to the two. */
#ifndef WALOR_CATALOG_GRID_H
#define WALOR_CATALOG_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlsx_read.h"

/* What a reader collects before the grid is built: every string once in
 * one buffer (offset 0 is ""), cells as (row, col, offset) in file order.
 * Shared strings live in the same buffer, so a t="s" cell costs 12 bytes. */
typedef struct catalog_gb_cellpos {
    uint32_t row, col, off;
} catalog_gb_cellpos;

typedef struct catalog_gb {
    char *text;
    size_t tlen, tcap;
    catalog_gb_cellpos *cells;
    size_t ncells, ccap;
    uint32_t maxrow, maxcol; /* +1; 0 = no cell yet */
    char *err;
    size_t errlen;
    bool failed;
} catalog_gb;

__attribute__((format(printf, 2, 3))) void catalog_gb_fail(catalog_gb *b, const char *fmt, ...);
bool catalog_gb_init(catalog_gb *b, char *err, size_t errlen);
void catalog_gb_free(catalog_gb *b);
/* stores s (len bytes) + NUL; returns its offset, 0 on failure */
uint32_t catalog_gb_str(catalog_gb *b, const char *s, size_t len);
void catalog_gb_cell(catalog_gb *b, uint32_t row, uint32_t col, uint32_t off);
/* hands the text over to the grid; b is freed either way */
int catalog_gb_finish(catalog_gb *b, catalog_grid **out);
/* the whole file, up to the input limit */
int catalog_gb_slurp(const char *path, char **data, size_t *len, char *err, size_t errlen);

#endif
