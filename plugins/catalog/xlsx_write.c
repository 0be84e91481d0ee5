/* Grid → .xlsx with libxlsxwriter: see xlsx_write.h. */
#include "xlsx_write.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

/* LIBRARIES.md: Excel and LibreOffice both show this as "1 500,50 ₽" in a
 * Russian locale */
#define ROUBLE_FORMAT "#,##0.00 [$₽-419]"

int catalog_xlsx_write(const char *path, const char *sheet, const catalog_xlsx_col *cols, size_t ncols,
                   const catalog_xlsx_cell *cells, size_t nrows, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    if (!path || !cols || ncols == 0 || ncols > LXW_COL_MAX || nrows >= LXW_ROW_MAX || (nrows && !cells)) {
        snprintf(err, errlen, "неверные аргументы экспорта");
        return -1;
    }
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) {
        snprintf(err, errlen, "не создаётся файл %s", path);
        return -1;
    }
    lxw_error e = LXW_NO_ERROR;
    size_t bad_r = 0, bad_c = 0; /* where e happened; bad_r 0 = the header row */
    lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
    lxw_format *bold = workbook_add_format(wb);
    lxw_format *money = workbook_add_format(wb);
    if (!ws || !bold || !money) {
        /* a bad sheet name is the usual cause; close to free the workbook */
        workbook_close(wb);
        snprintf(err, errlen, "не создаётся лист «%s» (имя до 31 символа, без []:*?/\\)", sheet ? sheet : "");
        return -1;
    }
    format_set_bold(bold);
    format_set_num_format(money, ROUBLE_FORMAT);

    for (size_t c = 0; c < ncols && !e; c++) {
        double w = cols[c].width > 0 ? cols[c].width : cols[c].kind == CATALOG_COL_TEXT ? 24 : 14;
        e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL);
        if (!e)
            e = worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c].title ? cols[c].title : "", bold);
        if (e)
            bad_c = c;
    }
    if (!e)
        worksheet_freeze_panes(ws, 1, 0); /* the header stays visible while scrolling */
    /* constant_memory writes rows in order: the filter range is known now */
    if (!e)
        e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)nrows, (lxw_col_t)(ncols - 1));
    for (size_t r = 0; r < nrows && !e; r++) {
        for (size_t c = 0; c < ncols && !e; c++) {
            const catalog_xlsx_cell *cell = &cells[r * ncols + c];
            lxw_row_t row = (lxw_row_t)(r + 1);
            if (cell->text) {
                if (cell->text[0])
                    e = worksheet_write_string(ws, row, (lxw_col_t)c, cell->text, NULL);
            } else if (cols[c].kind == CATALOG_COL_MONEY) {
                /* kopecks → roubles: exact in a double below 2^53 kopecks */
                e = worksheet_write_number(ws, row, (lxw_col_t)c, (double)cell->num / 100.0, money);
            } else {
                e = worksheet_write_number(ws, row, (lxw_col_t)c, (double)cell->num, NULL);
            }
            if (e) {
                bad_r = r + 1;
                bad_c = c;
            }
        }
    }
    if (e) {
        workbook_close(wb);
        snprintf(err, errlen, "строка %zu, столбец %zu: %s", bad_r + 1, bad_c + 1, lxw_strerror(e));
        return -1;
    }
    /* the file is only written here: a full disk shows up now */
    e = workbook_close(wb);
    if (e) {
        snprintf(err, errlen, "не записывается %s: %s", path, lxw_strerror(e));
        return -1;
    }
    return 0;
}
