/* analytics: Excel helpers (xlsx.h). */
#include <string.h>
#include <time.h>

#include "xlsx.h"

#define TEXT_MAX 32767

int an_book_open(an_book *b, const char *path, const char *tmpdir)
{
    memset(b, 0, sizeof *b);
    lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
    b->wb = workbook_new_opt(path, &o);
    if (!b->wb)
        return -1;
    b->head = workbook_add_format(b->wb);
    format_set_bold(b->head);
    format_set_bg_color(b->head, 0xE5E7EB);
    format_set_text_wrap(b->head);
    format_set_align(b->head, LXW_ALIGN_VERTICAL_TOP);
    b->money = workbook_add_format(b->wb);
    format_set_num_format(b->money, AN_XLSX_MONEY);
    b->money_b = workbook_add_format(b->wb);
    format_set_num_format(b->money_b, AN_XLSX_MONEY);
    format_set_bold(b->money_b);
    b->pct = workbook_add_format(b->wb);
    format_set_num_format(b->pct, "0.0%");
    b->date = workbook_add_format(b->wb);
    format_set_num_format(b->date, "dd.mm.yyyy");
    b->datetime = workbook_add_format(b->wb);
    format_set_num_format(b->datetime, "dd.mm.yyyy hh:mm");
    b->bold = workbook_add_format(b->wb);
    format_set_bold(b->bold);
    b->title = workbook_add_format(b->wb);
    format_set_bold(b->title);
    format_set_font_size(b->title, 14);
    b->note = workbook_add_format(b->wb);
    format_set_font_color(b->note, 0x6B7280);
    b->indent = workbook_add_format(b->wb);
    format_set_indent(b->indent, 1);
    return 0;
}

int an_book_close(an_book *b)
{
    if (!b->wb)
        return -1;
    lxw_error e = workbook_close(b->wb);
    b->wb = NULL;
    return e == LXW_NO_ERROR ? 0 : -1;
}

lxw_worksheet *an_sheet(an_book *b, const char *name, const an_col *cols, int ncols)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
    if (!ws)
        return NULL;
    for (int i = 0; i < ncols; i++) {
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, cols[i].width, NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)i, cols[i].title, b->head);
    }
    if (ncols)
        worksheet_freeze_panes(ws, 1, 0);
    return ws;
}

void an_money(an_book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t kopecks)
{
    worksheet_write_number(ws, row, col, (double)kopecks / 100.0, b->money);
}

void an_int(lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t v)
{
    worksheet_write_number(ws, row, col, (double)v, NULL);
}

void an_text(lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s, lxw_format *f)
{
    if (!s || !*s)
        return;
    size_t n = strlen(s);
    if (n <= TEXT_MAX) {
        worksheet_write_string(ws, row, col, s, f);
        return;
    }
    char buf[TEXT_MAX + 1];
    n = TEXT_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, s, n);
    buf[n] = 0;
    worksheet_write_string(ws, row, col, buf, f);
}

void an_date_cell(an_book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t t, int with_time)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !localtime_r(&tt, &tm))
        return;
    lxw_datetime dt = {.year = tm.tm_year + 1900, .month = tm.tm_mon + 1, .day = tm.tm_mday};
    if (with_time) {
        dt.hour = tm.tm_hour;
        dt.min = tm.tm_min;
        dt.sec = tm.tm_sec;
    }
    worksheet_write_datetime(ws, row, col, &dt, with_time ? b->datetime : b->date);
}

void an_sum(an_book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, uint32_t first, uint32_t last,
            int64_t kopecks)
{
    char f[64], c[8];
    lxw_col_to_name(c, col, LXW_FALSE);
    if (last < first) /* no rows: a plain zero, not SUM of an inverted range */
        snprintf(f, sizeof f, "=0");
    else
        snprintf(f, sizeof f, "=SUM(%s%u:%s%u)", c, first + 1, c, last + 1);
    worksheet_write_formula_num(ws, row, col, f, b->money_b, (double)kopecks / 100.0);
}
