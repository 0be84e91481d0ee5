/* Excel / CSV import (import.h): what the planner reads from a cell — the
 * columns, trimmed and folded text, counted UTF-8, numbers, yes/no, photos,
 * category paths — and the error list. Pure (no host calls): unit-tested by
 * tests/unit/plugins/catalog/test_catalog_import.c with import_plan.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "import.h"
#include "text.h"


const catalog_xlsx_col CATALOG_IMP_COLS[CATALOG_IMP_NCOLS] = {
    {"ID товара", CATALOG_COL_INT, 10},   {"Категория", CATALOG_COL_TEXT, 28}, {"Название", CATALOG_COL_TEXT, 36},
    {"Описание", CATALOG_COL_TEXT, 48},   {"Вариант", CATALOG_COL_TEXT, 16},   {"Цена, ₽", CATALOG_COL_MONEY, 14},
    {"Вес, г", CATALOG_COL_INT, 10},      {"Скидка, %", CATALOG_COL_INT, 10},  {"Скрыт", CATALOG_COL_INT, 8},
    {"Фото", CATALOG_COL_TEXT, 30},
};


char *catalog_imp_strdup(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *o = malloc(n + 1);
    if (o)
        memcpy(o, s ? s : "", n + 1);
    return o;
}

int catalog_imp_blank(unsigned char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

/* trimmed copy (malloc'd); NBSP (C2 A0) is trimmed too */
char *catalog_imp_trim(const char *s)
{
    if (!s)
        s = "";
    for (;;) {
        if (catalog_imp_blank((unsigned char)*s))
            s++;
        else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
            s += 2;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n > 0 && catalog_imp_blank((unsigned char)s[n - 1]))
            n--;
        else if (n > 1 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0)
            n -= 2;
        else
            break;
    }
    char *o = malloc(n + 1);
    if (o) {
        /* Windows line breaks inside a cell (CSV from Excel) become \n, as
         * staff type them in Telegram */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\r') {
                o[k++] = '\n';
                if (i + 1 < n && s[i + 1] == '\n')
                    i++;
            } else {
                o[k++] = s[i];
            }
        }
        o[k] = 0;
    }
    return o;
}

char *catalog_imp_fold(const char *s)
{
    char *o = malloc(strlen(s) + 1);
    if (o)
        catalog_fold(s, o);
    return o;
}

/* code points of valid UTF-8 without control characters, or -1 */
long catalog_imp_text_len(const char *s, int allow_newlines)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;
    while (*p) {
        unsigned char c = *p;
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            if ((c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7F)
                return -1;
            k = 1;
            cp = c;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4;
            cp = c & 0x07;
        } else {
            return -1;
        }
        for (size_t i = 1; i < k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return -1;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return -1;
        p += k;
        n++;
    }
    return n;
}

/* the user's text inside «…» in an error: at most 40 code points */
void catalog_imp_quote(const char *s, char *out, size_t outlen)
{
    size_t o = 0, cps = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && o + 8 < outlen) {
        size_t k = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
        if (cps == 40) {
            memcpy(out + o, "…", 3);
            o += 3;
            break;
        }
        for (size_t i = 0; i < k && p[i]; i++)
            out[o++] = (char)((p[i] < 0x20) ? ' ' : p[i]);
        p += k;
        cps++;
    }
    out[o] = 0;
}

/* ---- error list ---- */

void catalog_imp_err(catalog_imp_errs *e, size_t row, const char *fmt, ...)
{
    catalog_imp_plan *pl = e->pl;
    pl->nerr++;
    if (pl->nerr_kept >= CATALOG_IMP_ERRORS_KEPT)
        return;
    char msg[512];
    int n = 0;
    if (row > 0)
        n = snprintf(msg, sizeof msg, "строка %zu: ", row);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    char **ne = realloc(pl->errors, (pl->nerr_kept + 1) * sizeof *ne);
    char *m = catalog_imp_strdup(msg);
    if (!ne || !m) {
        free(m);
        if (ne)
            pl->errors = ne;
        e->oom = 1;
        return;
    }
    pl->errors = ne;
    pl->errors[pl->nerr_kept++] = m;
}

/* ---- field parsers: 0 ok, -1 bad (an error was added) ---- */

int catalog_imp_uint(const char *s, int64_t max, int64_t *out, int allow_suffix_g, int allow_pct)
{
    int64_t v = 0;
    int digits = 0;
    const char *p = s;
    while (*p) {
        if (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            digits++;
            if (v > max)
                return -1;
            p++;
        } else if (*p == ' ' && digits) {
            p++;
        } else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0 && digits) {
            p += 2;
        } else {
            break;
        }
    }
    if (!digits)
        return -1;
    while (*p == ' ')
        p++;
    if (allow_suffix_g && (!strcmp(p, "г") || !strcmp(p, "гр") || !strcmp(p, "g")))
        p += strlen(p);
    if (allow_pct && !strcmp(p, "%"))
        p++;
    if (*p == '.' || *p == ',') { /* "300.0" from a number cell */
        const char *q = p + 1;
        while (*q == '0')
            q++;
        if (!*q && q > p + 1)
            p = q;
    }
    if (*p)
        return -1;
    *out = v;
    return 0;
}

int catalog_imp_bool(const char *s, int *out)
{
    char f[16];
    if (strlen(s) >= sizeof f)
        return -1;
    catalog_fold(s, f);
    if (!*f || !strcmp(f, "0") || !strcmp(f, "нет") || !strcmp(f, "no") || !strcmp(f, "false") ||
        !strcmp(f, "ложь")) {
        *out = 0;
        return 0;
    }
    if (!strcmp(f, "1") || !strcmp(f, "да") || !strcmp(f, "yes") || !strcmp(f, "true") || !strcmp(f, "истина")) {
        *out = 1;
        return 0;
    }
    return -1;
}

int catalog_imp_is_url(const char *s) { return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7); }

int catalog_imp_photo_ok(const char *s)
{
    size_t n = strlen(s);
    if (catalog_imp_is_url(s)) {
        if (n > 2048)
            return 0;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
            if (*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == 0x7F)
                return 0;
        return 1;
    }
    if (n == 0 || n > 255)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-'))
            return 0;
    return 1;
}

int catalog_imp_path_split(const char *path, char *buf, const char **seg, int max)
{
    strcpy(buf, path ? path : "");
    char *s = buf;
    while (catalog_imp_blank((unsigned char)*s))
        s++;
    if (!*s || (s[0] == '/' && s[1 + strspn(s + 1, " \t")] == 0))
        return 0;
    int n = 0;
    for (;;) {
        char *slash = strchr(s, '/');
        if (slash)
            *slash = 0;
        while (catalog_imp_blank((unsigned char)*s))
            s++;
        char *e = s + strlen(s);
        while (e > s && catalog_imp_blank((unsigned char)e[-1]))
            *--e = 0;
        if (!*s || n >= max)
            return -1;
        seg[n++] = s;
        if (!slash)
            break;
        s = slash + 1;
    }
    return n;
}

/* "A / B" from the segments (malloc'd); "/" for the root */
char *catalog_imp_path_join(const char *const *seg, int n)
{
    if (n == 0)
        return catalog_imp_strdup("/");
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(seg[i]) + 3;
    char *o = malloc(len);
    if (!o)
        return NULL;
    o[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(o, " / ");
        strcat(o, seg[i]);
    }
    return o;
}

/* normalised + folded path, for comparing (malloc'd); NULL when malformed
 * or out of memory (*bad tells which) */
char *catalog_imp_path_key(const char *path, int *bad)
{
    *bad = 0;
    char *buf = malloc(strlen(path ? path : "") + 1);
    if (!buf)
        return NULL;
    const char *seg[CATALOG_IMP_CAT_DEPTH];
    int n = catalog_imp_path_split(path, buf, seg, CATALOG_IMP_CAT_DEPTH);
    char *r = NULL;
    if (n < 0)
        *bad = 1;
    else {
        char *j = catalog_imp_path_join(seg, n);
        r = j ? catalog_imp_fold(j) : NULL;
        free(j);
    }
    free(buf);
    return r;
}

