/* First worksheet of an .xlsx, or a CSV, as a grid: see xlsx_read.h. */
#include "grid.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <zip.h>

/* ---- cell references and numbers ------------------------------------- */

int catalog_cell_ref_parse(const char *ref, uint32_t *row, uint32_t *col)
{
    uint32_t c = 0, r = 0;
    size_t i = 0;
    while (ref[i] >= 'A' && ref[i] <= 'Z') {
        c = c * 26 + (uint32_t)(ref[i] - 'A' + 1);
        if (c > 16384) /* XFD, Excel's last column */
            return -1;
        i++;
    }
    if (i == 0 || ref[i] < '1' || ref[i] > '9')
        return -1;
    while (ref[i] >= '0' && ref[i] <= '9') {
        r = r * 10 + (uint32_t)(ref[i] - '0');
        if (r > 1048576) /* Excel's last row */
            return -1;
        i++;
    }
    if (ref[i])
        return -1;
    *row = r - 1;
    *col = c - 1;
    return 0;
}

/* A number as xlsx stores it (a C-locale double written by the producer)
 * → the text an owner expects, without strtod (a daemon may run under a
 * locale with a decimal comma). Returns false when s is not a plain
 * number: the caller then keeps it as written. */
bool catalog_xlsx_num_normalize(const char *s, char *out, size_t outlen)
{
    bool neg = false;
    size_t i = 0;
    if (s[i] == '-' || s[i] == '+')
        neg = s[i++] == '-';
    char d[64];
    size_t nd = 0;
    long point = 0; /* digits before the decimal point */
    bool any = false, seen_point = false;
    for (;; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            any = true;
            if (nd == 0 && c == '0') { /* leading zero */
                if (seen_point)
                    point--;
                continue;
            }
            if (nd == sizeof d)
                return false;
            d[nd++] = c;
            if (!seen_point)
                point++;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (!any)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        bool eneg = false;
        if (s[i] == '-' || s[i] == '+')
            eneg = s[i++] == '-';
        if (s[i] < '0' || s[i] > '9')
            return false;
        long e = 0;
        while (s[i] >= '0' && s[i] <= '9') {
            if (e < 1000)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        point += eneg ? -e : e;
    }
    if (s[i])
        return false;
    /* round float noise away: 15 significant digits are what a double
     * keeps for sure and what Excel shows */
    if (nd > 15) {
        bool up = d[15] >= '5';
        nd = 15;
        for (size_t k = nd; up && k-- > 0;) {
            if (d[k] == '9') {
                d[k] = '0';
            } else {
                d[k]++;
                up = false;
            }
        }
        if (up) { /* 999… → 1000… */
            memmove(d + 1, d, nd - 1);
            d[0] = '1';
            point++;
        }
    }
    while (nd && d[nd - 1] == '0')
        nd--;
    if (nd == 0) {
        snprintf(out, outlen, "0");
        return true;
    }
    if (point > 20 || point < -20)
        return false; /* absurd for a catalog: keep as written */
    char buf[96];
    size_t o = 0;
    if (neg)
        buf[o++] = '-';
    if (point <= 0) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (long k = 0; k < -point; k++)
            buf[o++] = '0';
        memcpy(buf + o, d, nd);
        o += nd;
    } else if ((size_t)point >= nd) {
        memcpy(buf + o, d, nd);
        o += nd;
        for (size_t k = nd; k < (size_t)point; k++)
            buf[o++] = '0';
    } else {
        memcpy(buf + o, d, (size_t)point);
        o += (size_t)point;
        buf[o++] = '.';
        memcpy(buf + o, d + point, nd - (size_t)point);
        o += nd - (size_t)point;
    }
    buf[o] = '\0';
    snprintf(out, outlen, "%s", buf);
    return true;
}

/* ---- XML -------------------------------------------------------------- */

/* Names come as "namespace-URI\1local" (XML_ParserCreateNS): producers use
 * different prefixes, only the URI and local name mean anything. */
#define NS_SEP '\x01'

static const char *local(const char *name)
{
    const char *p = strrchr(name, NS_SEP);
    return p ? p + 1 : name;
}

static const char *attr(const XML_Char **atts, const char *want, bool namespaced)
{
    for (size_t i = 0; atts[i]; i += 2) {
        bool ns = strchr(atts[i], NS_SEP) != NULL;
        if (ns == namespaced && strcmp(local(atts[i]), want) == 0)
            return atts[i + 1];
    }
    return NULL;
}

typedef enum { DOC_WORKBOOK, DOC_RELS, DOC_SST, DOC_SHEET } doc_kind;

typedef struct xctx {
    catalog_gb *b;
    XML_Parser p;
    doc_kind kind;
    /* workbook / rels */
    char *rid;    /* r:id of the first sheet */
    char *target; /* its part name */
    /* collected text (<v>, <t>) */
    char *buf;
    size_t blen, bcap;
    bool collect;
    int rph;      /* depth inside <rPh> (phonetic runs, not the text) */
    bool in_is;   /* inside <is> of an inline string cell */
    /* shared strings */
    uint32_t *sst;
    size_t nsst, sstcap;
    bool in_si;
    /* sheet */
    bool in_c;
    uint32_t row, col;
    bool have_row, have_col;
    char ctype[16];
    bool has_v;
} xctx;

static void x_stop(xctx *x, const char *msg)
{
    catalog_gb_fail(x->b, "%s", msg);
    XML_StopParser(x->p, XML_FALSE);
}

static void x_text(void *ud, const XML_Char *s, int len)
{
    xctx *x = ud;
    if (!x->collect || x->rph || len <= 0)
        return;
    if (x->blen + (size_t)len + 1 > x->bcap) {
        size_t cap = x->bcap ? x->bcap : 256;
        while (cap < x->blen + (size_t)len + 1)
            cap *= 2;
        char *nb = realloc(x->buf, cap);
        if (!nb) {
            x_stop(x, "не хватило памяти");
            return;
        }
        x->buf = nb;
        x->bcap = cap;
    }
    memcpy(x->buf + x->blen, s, (size_t)len);
    x->blen += (size_t)len;
}

static void x_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xctx *x = ud;
    const char *n = local(name);
    switch (x->kind) {
    case DOC_WORKBOOK:
        if (!x->rid && strcmp(n, "sheet") == 0) {
            const char *id = attr(atts, "id", true);
            if (id && !(x->rid = strdup(id)))
                x_stop(x, "не хватило памяти");
        }
        break;
    case DOC_RELS:
        if (!x->target && x->rid && strcmp(n, "Relationship") == 0) {
            const char *id = attr(atts, "Id", false);
            const char *t = attr(atts, "Target", false);
            if (id && t && strcmp(id, x->rid) == 0 && !(x->target = strdup(t)))
                x_stop(x, "не хватило памяти");
        }
        break;
    case DOC_SST:
        if (strcmp(n, "si") == 0) {
            x->in_si = true;
            x->blen = 0;
        } else if (strcmp(n, "rPh") == 0) {
            x->rph++;
        } else if (x->in_si && strcmp(n, "t") == 0) {
            x->collect = true;
        }
        break;
    case DOC_SHEET:
        if (strcmp(n, "row") == 0) {
            const char *r = attr(atts, "r", false);
            uint32_t next = x->have_row ? x->row + 1 : 0;
            if (r) {
                char *end;
                unsigned long v = strtoul(r, &end, 10);
                if (*end || v == 0 || v > 1048576) {
                    x_stop(x, "повреждён лист: неверный номер строки");
                    return;
                }
                next = (uint32_t)(v - 1);
            }
            x->row = next;
            x->have_row = true;
            x->have_col = false;
        } else if (strcmp(n, "c") == 0) {
            const char *r = attr(atts, "r", false);
            const char *t = attr(atts, "t", false);
            uint32_t row = x->row, col = x->have_col ? x->col + 1 : 0;
            if (r && catalog_cell_ref_parse(r, &row, &col) != 0) {
                x_stop(x, "повреждён лист: неверная ссылка на ячейку");
                return;
            }
            if (!x->have_row) { /* a cell outside <row>: trust its reference */
                x->row = row;
                x->have_row = true;
            }
            x->row = row;
            x->col = col;
            x->have_col = true;
            snprintf(x->ctype, sizeof x->ctype, "%s", t ? t : "n");
            x->in_c = true;
            x->has_v = false;
            x->blen = 0;
        } else if (x->in_c && strcmp(n, "v") == 0) {
            x->blen = 0;
            x->collect = true;
            x->has_v = true;
        } else if (x->in_c && strcmp(n, "is") == 0) {
            x->in_is = true;
            x->blen = 0;
        } else if (x->in_is && strcmp(n, "rPh") == 0) {
            x->rph++;
        } else if (x->in_is && strcmp(n, "t") == 0) {
            x->collect = true;
        }
        break;
    }
}

static void sheet_cell_end(xctx *x)
{
    catalog_gb *b = x->b;
    const char *v = x->buf ? x->buf : "";
    size_t len = x->blen;
    if (x->buf)
        x->buf[len] = '\0';
    uint32_t off = 0;
    const char *t = x->ctype;
    if (strcmp(t, "s") == 0) {
        if (!x->has_v || len == 0)
            return;
        char *end;
        errno = 0;
        unsigned long i = strtoul(v, &end, 10);
        if (*end || errno || v[0] == '-' || i >= x->nsst) {
            x_stop(x, "повреждён файл: ячейка ссылается на несуществующую строку");
            return;
        }
        off = x->sst[i];
    } else if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0 || strcmp(t, "e") == 0 ||
               strcmp(t, "d") == 0) {
        off = catalog_gb_str(b, v, len);
    } else if (strcmp(t, "b") == 0) {
        if (len)
            off = catalog_gb_str(b, strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ? "1" : "0", 1);
    } else { /* "n" and unknown types: a number */
        char num[128];
        if (len == 0)
            return;
        if (catalog_xlsx_num_normalize(v, num, sizeof num))
            off = catalog_gb_str(b, num, strlen(num));
        else
            off = catalog_gb_str(b, v, len);
    }
    catalog_gb_cell(b, x->row, x->col, off);
    if (b->failed)
        XML_StopParser(x->p, XML_FALSE);
}

static void x_end(void *ud, const XML_Char *name)
{
    xctx *x = ud;
    const char *n = local(name);
    if (x->kind == DOC_SST) {
        if (strcmp(n, "rPh") == 0 && x->rph > 0) {
            x->rph--;
        } else if (strcmp(n, "t") == 0) {
            x->collect = false;
        } else if (strcmp(n, "si") == 0 && x->in_si) {
            x->in_si = false;
            if (x->nsst == x->sstcap) {
                size_t cap = x->sstcap ? x->sstcap * 2 : 256;
                uint32_t *s = realloc(x->sst, cap * sizeof *s);
                if (!s) {
                    x_stop(x, "не хватило памяти");
                    return;
                }
                x->sst = s;
                x->sstcap = cap;
            }
            x->sst[x->nsst++] = catalog_gb_str(x->b, x->buf ? x->buf : "", x->blen);
            x->blen = 0;
            if (x->b->failed)
                XML_StopParser(x->p, XML_FALSE);
        }
    } else if (x->kind == DOC_SHEET) {
        if (strcmp(n, "v") == 0) {
            x->collect = false;
        } else if (strcmp(n, "t") == 0) {
            x->collect = false;
        } else if (strcmp(n, "rPh") == 0 && x->rph > 0) {
            x->rph--;
        } else if (strcmp(n, "is") == 0) {
            x->in_is = false;
        } else if (strcmp(n, "c") == 0 && x->in_c) {
            x->in_c = false;
            sheet_cell_end(x);
        }
    }
}

/* xlsx parts never have a DTD; refusing one rules out entity expansion
 * tricks whatever expat's own amplification limits are. */
static void x_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                      int has_internal)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal;
    x_stop(ud, "повреждён файл: в XML есть DTD");
}

/* ---- zip -------------------------------------------------------------- */

typedef struct zreader {
    zip_t *z;
    size_t budget; /* uncompressed bytes still allowed */
} zreader;

/* Streams one part through a fresh parser of the given kind.
 * 1 = no such part, 0 = parsed, -1 = failed (error set). */
static int parse_part(zreader *zr, xctx *x, const char *part, const char *what)
{
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(zr->z, part, 0, &st) != 0)
        return 1;
    if ((st.valid & ZIP_STAT_SIZE) && st.size > zr->budget) {
        catalog_gb_fail(x->b, "файл слишком большой: больше %u МБ после распаковки", CATALOG_SHEET_MAX_BYTES >> 20);
        return -1;
    }
    zip_file_t *f = zip_fopen(zr->z, part, 0);
    if (!f) {
        catalog_gb_fail(x->b, "не читается %s (повреждён архив или он зашифрован)", what);
        return -1;
    }
    XML_Parser p = XML_ParserCreateNS(NULL, NS_SEP);
    if (!p) {
        zip_fclose(f);
        catalog_gb_fail(x->b, "не хватило памяти");
        return -1;
    }
    x->p = p;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, x_start, x_end);
    XML_SetCharacterDataHandler(p, x_text);
    XML_SetStartDoctypeDeclHandler(p, x_doctype);
    int rc = 0;
    char buf[65536];
    for (;;) {
        zip_int64_t n = zip_fread(f, buf, sizeof buf);
        if (n < 0) {
            catalog_gb_fail(x->b, "не читается %s: повреждён архив", what);
            rc = -1;
            break;
        }
        /* counted as inflated, not as declared: a zip bomb lies in its
         * headers */
        if ((size_t)n > zr->budget) {
            catalog_gb_fail(x->b, "файл слишком большой: больше %u МБ после распаковки", CATALOG_SHEET_MAX_BYTES >> 20);
            rc = -1;
            break;
        }
        zr->budget -= (size_t)n;
        if (XML_Parse(p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
            if (!x->b->failed)
                catalog_gb_fail(x->b, "повреждён %s: %s, строка %lu", what, XML_ErrorString(XML_GetErrorCode(p)),
                       (unsigned long)XML_GetCurrentLineNumber(p));
            rc = -1;
            break;
        }
        if (n == 0)
            break;
    }
    if (x->b->failed)
        rc = -1;
    XML_ParserFree(p);
    x->p = NULL;
    zip_fclose(f);
    return rc;
}

/* The sheet part from a relationship Target: relative to xl/ unless it is
 * absolute ("/xl/worksheets/sheet1.xml", as some producers write it). */
static char *sheet_part(const char *target)
{
    char *s;
    if (target[0] == '/')
        return strdup(target + 1);
    const char *t = target;
    while (strncmp(t, "./", 2) == 0)
        t += 2;
    if (asprintf(&s, "xl/%s", t) < 0)
        return NULL;
    return s;
}

int catalog_xlsx_read_mem(const void *data, size_t len, catalog_grid **out, char *err, size_t errlen)
{
    *out = NULL;
    catalog_gb b;
    if (!catalog_gb_init(&b, err, errlen)) {
        if (errlen)
            snprintf(err, errlen, "не хватило памяти");
        return -1;
    }
    if (len >= 4 && memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0) {
        catalog_gb_fail(&b, "это старый формат Excel (.xls) или файл с паролем: сохраните как .xlsx без пароля");
        catalog_gb_free(&b);
        return -1;
    }
    /* every xlsx starts with a local file header; libzip would take an
     * empty input for an empty archive and say something less helpful */
    if (len < 22 || memcmp(data, "PK\x03\x04", 4) != 0) {
        catalog_gb_fail(&b, "это не файл .xlsx: не zip-архив");
        catalog_gb_free(&b);
        return -1;
    }
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        int code = zip_error_code_zip(&ze);
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS || code == ZIP_ER_READ || code == ZIP_ER_SEEK)
            catalog_gb_fail(&b, "это не файл .xlsx: не zip-архив или он повреждён");
        else if (code == ZIP_ER_MEMORY)
            catalog_gb_fail(&b, "не хватило памяти");
        else
            catalog_gb_fail(&b, "это не файл .xlsx: архив не открывается");
        catalog_gb_free(&b);
        return -1;
    }
    zip_error_fini(&ze);

    zreader zr = {z, CATALOG_SHEET_MAX_BYTES};
    xctx x = {0};
    x.b = &b;
    char *part = NULL;
    int rc;

    x.kind = DOC_WORKBOOK;
    rc = parse_part(&zr, &x, "xl/workbook.xml", "xl/workbook.xml");
    if (rc == 1)
        catalog_gb_fail(&b, "это не книга Excel (.xlsx): в архиве нет xl/workbook.xml");
    if (rc == 0 && x.rid) {
        x.kind = DOC_RELS;
        rc = parse_part(&zr, &x, "xl/_rels/workbook.xml.rels", "xl/_rels/workbook.xml.rels");
    }
    if (!b.failed) {
        /* without a usable relationship, the name every producer uses */
        part = x.target ? sheet_part(x.target) : strdup("xl/worksheets/sheet1.xml");
        if (!part)
            catalog_gb_fail(&b, "не хватило памяти");
    }
    if (!b.failed) {
        x.kind = DOC_SST;
        rc = parse_part(&zr, &x, "xl/sharedStrings.xml", "xl/sharedStrings.xml");
        /* rc == 1: no shared strings, fine (numbers only, inline strings) */
    }
    if (!b.failed) {
        x.kind = DOC_SHEET;
        x.collect = false;
        x.rph = 0;
        x.blen = 0;
        rc = parse_part(&zr, &x, part, "лист");
        if (rc == 1)
            catalog_gb_fail(&b, "в книге нет первого листа (%s)", part);
    }
    free(part);
    free(x.rid);
    free(x.target);
    free(x.buf);
    free(x.sst);
    zip_discard(z);
    return catalog_gb_finish(&b, out);
}

int catalog_xlsx_read_file(const char *path, catalog_grid **out, char *err, size_t errlen)
{
    char *d;
    size_t n;
    *out = NULL;
    if (catalog_gb_slurp(path, &d, &n, err, errlen) != 0)
        return -1;
    int rc = catalog_xlsx_read_mem(d, n, out, err, errlen);
    free(d);
    return rc;
}

