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
typedef struct cat_gb_cellpos {
    uint32_t row, col, off;
} cat_gb_cellpos;

typedef struct cat_gb {
    char *text;
    size_t tlen, tcap;
    cat_gb_cellpos *cells;
    size_t ncells, ccap;
    uint32_t maxrow, maxcol; /* +1; 0 = no cell yet */
    char *err;
    size_t errlen;
    bool failed;
} cat_gb;

__attribute__((format(printf, 2, 3))) void cat_gb_fail(cat_gb *b, const char *fmt, ...);
bool cat_gb_init(cat_gb *b, char *err, size_t errlen);
void cat_gb_free(cat_gb *b);
/* stores s (len bytes) + NUL; returns its offset, 0 on failure */
uint32_t cat_gb_str(cat_gb *b, const char *s, size_t len);
void cat_gb_cell(cat_gb *b, uint32_t row, uint32_t col, uint32_t off);
/* hands the text over to the grid; b is freed either way */
int cat_gb_finish(cat_gb *b, cat_grid **out);
/* the whole file, up to the input limit */
int cat_gb_slurp(const char *path, char **data, size_t *len, char *err, size_t errlen);

#endif
