/* The catalog import's spreadsheet reader (plugins/catalog/xlsx_read.c): the
 * bytes as an in-memory .xlsx (a zip source over the buffer, the same path
 * an uploaded document takes) and as a CSV. Any file an owner sends must
 * give a grid within the limits or an error, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, catalog_grid *g, const char *err)
{
    if (rc == 0) {
        if (!g || catalog_grid_rows(g) > CATALOG_SHEET_MAX_ROWS || catalog_grid_cols(g) > CATALOG_SHEET_MAX_COLS)
            abort();
        /* touch every cell: each is a valid C string */
        size_t total = 0;
        for (size_t r = 0; r < catalog_grid_rows(g); r++)
            for (size_t c = 0; c < catalog_grid_cols(g); c++)
                total += strlen(catalog_grid_cell(g, r, c));
        (void)total;
    } else if (g || !err[0]) {
        abort(); /* an error always says why and returns no grid */
    }
    catalog_grid_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    catalog_grid *g = NULL;
    int rc = catalog_xlsx_read_mem(data, size, &g, err, sizeof err);
    check(rc, g, err);
    g = NULL;
    rc = catalog_csv_read_mem(data, size, &g, err, sizeof err);
    check(rc, g, err);
    return 0;
}
