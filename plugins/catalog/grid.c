/* The grid of a spreadsheet, the builder its readers fill, and the CSV
 * reader (xlsx_read.h, grid.h). Pure C: unit-tested and fuzzed with
 * xlsx_read.c. */
#include "grid.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the grid --------------------------------------------------------- */

struct catalog_grid {
    size_t rows, cols;
    uint32_t *idx; /* rows*cols offsets into text; 0 = "" */
    char *text;
};

size_t catalog_grid_rows(const catalog_grid *g) { return g ? g->rows : 0; }
size_t catalog_grid_cols(const catalog_grid *g) { return g ? g->cols : 0; }

const char *catalog_grid_cell(const catalog_grid *g, size_t row, size_t col)
{
    if (!g || row >= g->rows || col >= g->cols)
        return "";
    return g->text + g->idx[row * g->cols + col];
}

void catalog_grid_free(catalog_grid *g)
{
    if (!g)
        return;
    free(g->idx);
    free(g->text);
    free(g);
}

void catalog_gb_fail(catalog_gb *b, const char *fmt, ...)
{
    if (b->failed)
        return; /* the first error is the one that explains */
    b->failed = true;
    if (b->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err, b->errlen, fmt, ap);
        va_end(ap);
    }
}

bool catalog_gb_init(catalog_gb *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->err = err;
    b->errlen = errlen;
    if (errlen)
        err[0] = '\0';
    b->text = malloc(4096);
    if (!b->text)
        return false;
    b->tcap = 4096;
    b->text[0] = '\0';
    b->tlen = 1;
    return true;
}

void catalog_gb_free(catalog_gb *b)
{
    free(b->text);
    free(b->cells);
}

uint32_t catalog_gb_str(catalog_gb *b, const char *s, size_t len)
{
    if (b->failed)
        return 0;
    if (len == 0)
        return 0;
    if (b->tlen + len + 1 > CATALOG_SHEET_MAX_BYTES * 2u) {
        /* cannot happen within the input limit; keeps offsets in 32 bits */
        catalog_gb_fail(b, "таблица слишком большая");
        return 0;
    }
    if (b->tlen + len + 1 > b->tcap) {
        size_t cap = b->tcap;
        while (cap < b->tlen + len + 1)
            cap *= 2;
        char *t = realloc(b->text, cap);
        if (!t) {
            catalog_gb_fail(b, "не хватило памяти");
            return 0;
        }
        b->text = t;
        b->tcap = cap;
    }
    uint32_t off = (uint32_t)b->tlen;
    memcpy(b->text + b->tlen, s, len);
    b->text[b->tlen + len] = '\0';
    b->tlen += len + 1;
    return off;
}

void catalog_gb_cell(catalog_gb *b, uint32_t row, uint32_t col, uint32_t off)
{
    if (b->failed || off == 0)
        return; /* empty cells do not extend the grid */
    if (row >= CATALOG_SHEET_MAX_ROWS) {
        catalog_gb_fail(b, "в таблице больше %d строк (строка %u)", CATALOG_SHEET_MAX_ROWS, row + 1);
        return;
    }
    if (col >= CATALOG_SHEET_MAX_COLS) {
        catalog_gb_fail(b, "в таблице больше %d столбцов (строка %u)", CATALOG_SHEET_MAX_COLS, row + 1);
        return;
    }
    if (b->ncells == b->ccap) {
        size_t cap = b->ccap ? b->ccap * 2 : 1024;
        catalog_gb_cellpos *c = realloc(b->cells, cap * sizeof *c);
        if (!c) {
            catalog_gb_fail(b, "не хватило памяти");
            return;
        }
        b->cells = c;
        b->ccap = cap;
    }
    b->cells[b->ncells++] = (catalog_gb_cellpos){row, col, off};
    if (row + 1 > b->maxrow)
        b->maxrow = row + 1;
    if (col + 1 > b->maxcol)
        b->maxcol = col + 1;
}

int catalog_gb_finish(catalog_gb *b, catalog_grid **out)
{
    *out = NULL;
    if (b->failed) {
        catalog_gb_free(b);
        return -1;
    }
    catalog_grid *g = calloc(1, sizeof *g);
    size_t n = (size_t)b->maxrow * b->maxcol;
    uint32_t *idx = calloc(n ? n : 1, sizeof *idx);
    if (!g || !idx) {
        free(g);
        free(idx);
        catalog_gb_fail(b, "не хватило памяти");
        catalog_gb_free(b);
        return -1;
    }
    for (size_t i = 0; i < b->ncells; i++)
        idx[(size_t)b->cells[i].row * b->maxcol + b->cells[i].col] = b->cells[i].off; /* last wins */
    g->rows = b->maxrow;
    g->cols = b->maxcol;
    g->idx = idx;
    g->text = b->text;
    free(b->cells);
    *out = g;
    return 0;
}

int catalog_gb_slurp(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "не открывается файл: %s", strerror(errno));
        return -1;
    }
    size_t cap = 65536, n = 0;
    char *d = malloc(cap);
    while (d) {
        if (n == cap) {
            if (cap > CATALOG_SHEET_MAX_BYTES) {
                free(d);
                fclose(f);
                snprintf(err, errlen, "файл слишком большой: больше %u МБ", CATALOG_SHEET_MAX_BYTES >> 20);
                return -1;
            }
            char *nd = realloc(d, cap * 2);
            if (!nd) {
                free(d);
                d = NULL;
                break;
            }
            d = nd;
            cap *= 2;
        }
        size_t r = fread(d + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    bool bad = !d || ferror(f);
    fclose(f);
    if (bad) {
        free(d);
        snprintf(err, errlen, d ? "файл не читается" : "не хватило памяти");
        return -1;
    }
    *data = d;
    *len = n;
    return 0;
}

/* ---- CSV -------------------------------------------------------------- */

static bool valid_utf8(const unsigned char *s, size_t len, size_t *bad_line)
{
    size_t line = 1;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (c == 0 || n == 0 || i + n > len)
            goto bad;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                goto bad;
        if ((n == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0))) ||
            (n == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))))
            goto bad;
        if (c == '\n')
            line++;
        i += n;
    }
    return true;
bad:
    *bad_line = line;
    return false;
}

int catalog_csv_read_mem(const void *data, size_t len, catalog_grid **out, char *err, size_t errlen)
{
    *out = NULL;
    catalog_gb b;
    if (!catalog_gb_init(&b, err, errlen)) {
        if (errlen)
            snprintf(err, errlen, "не хватило памяти");
        return -1;
    }
    const char *s = data;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
    }
    size_t bad_line = 0;
    if (len > CATALOG_SHEET_MAX_BYTES) {
        catalog_gb_fail(&b, "файл слишком большой: больше %u МБ", CATALOG_SHEET_MAX_BYTES >> 20);
    } else if (!valid_utf8((const unsigned char *)s, len, &bad_line)) {
        catalog_gb_fail(&b, "файл не в кодировке UTF-8 (строка %zu): сохраните его как «CSV UTF-8»", bad_line);
    }
    if (b.failed) {
        catalog_gb_free(&b);
        return -1;
    }
    /* the delimiter: ';' if the first line has one outside quotes */
    char delim = ',';
    bool q = false;
    for (size_t i = 0; i < len && (q || (s[i] != '\n' && s[i] != '\r')); i++) {
        if (s[i] == '"')
            q = !q;
        else if (!q && s[i] == ';') {
            delim = ';';
            break;
        }
    }
    char *field = NULL;
    size_t flen = 0, fcap = 0;
    uint32_t row = 0, col = 0;
    size_t i = 0;
    bool done = len == 0;
    while (!done && !b.failed) {
        flen = 0;
        bool quoted = false;
        if (i < len && s[i] == '"') {
            quoted = true;
            i++;
        }
        /* one field */
        for (;;) {
            if (i >= len) {
                if (quoted) {
                    catalog_gb_fail(&b, "строка %u: не закрыта кавычка", row + 1);
                }
                break;
            }
            char c = s[i];
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        i += 2;
                        goto put;
                    }
                    quoted = false; /* text after the closing quote joins the field, as Excel does */
                    i++;
                    continue;
                }
            } else if (c == delim || c == '\n' || c == '\r') {
                break;
            }
            i++;
        put:
            if (flen + 1 >= fcap) {
                size_t cap = fcap ? fcap * 2 : 256;
                char *nf = realloc(field, cap);
                if (!nf) {
                    catalog_gb_fail(&b, "не хватило памяти");
                    break;
                }
                field = nf;
                fcap = cap;
            }
            field[flen++] = c;
        }
        if (b.failed)
            break;
        catalog_gb_cell(&b, row, col, catalog_gb_str(&b, field, flen));
        if (i >= len) {
            done = true;
        } else if (s[i] == delim) {
            i++;
            if (++col > CATALOG_SHEET_MAX_COLS + 1)
                col = CATALOG_SHEET_MAX_COLS + 1; /* catalog_gb_cell reports it when a value comes */
        } else { /* end of record: \n, \r\n or a lone \r */
            if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
                i++;
            i++;
            row++;
            col = 0;
            if (i >= len)
                done = true;
            if (row > CATALOG_SHEET_MAX_ROWS + 1)
                catalog_gb_fail(&b, "в таблице больше %d строк", CATALOG_SHEET_MAX_ROWS);
        }
    }
    free(field);
    return catalog_gb_finish(&b, out);
}

int catalog_csv_read_file(const char *path, catalog_grid **out, char *err, size_t errlen)
{
    char *d;
    size_t n;
    *out = NULL;
    if (catalog_gb_slurp(path, &d, &n, err, errlen) != 0)
        return -1;
    int rc = catalog_csv_read_mem(d, n, out, err, errlen);
    free(d);
    return rc;
}
