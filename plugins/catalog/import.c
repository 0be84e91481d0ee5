/* Excel / CSV import and export of the catalog (F-CAT-07): import.h.
 *
 * The top half is pure (no host calls) and unit-tested by
 * tests/unit/plugins/catalog/test_catalog_import.c, which compiles this file; the bottom
 * half is the owner's screens and the transaction. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <walor/plugin.h>

#include "catalog.h"
#include "import.h"
#include "text.h"
#include "variants.h"

/* ================================================================ pure */

enum {
    COL_ID, COL_CAT, COL_NAME, COL_DESC, COL_VAR, COL_PRICE, COL_WEIGHT, COL_DISC, COL_HIDDEN, COL_PHOTO
};

const catalog_xlsx_col CATALOG_IMP_COLS[CATALOG_IMP_NCOLS] = {
    {"ID товара", CATALOG_COL_INT, 10},   {"Категория", CATALOG_COL_TEXT, 28}, {"Название", CATALOG_COL_TEXT, 36},
    {"Описание", CATALOG_COL_TEXT, 48},   {"Вариант", CATALOG_COL_TEXT, 16},   {"Цена, ₽", CATALOG_COL_MONEY, 14},
    {"Вес, г", CATALOG_COL_INT, 10},      {"Скидка, %", CATALOG_COL_INT, 10},  {"Скрыт", CATALOG_COL_INT, 8},
    {"Фото", CATALOG_COL_TEXT, 30},
};

/* header aliases (folded), per column */
static const char *const COL_ALIASES[CATALOG_IMP_NCOLS][3] = {
    {"id товара", "id", NULL}, {"категория", NULL, NULL}, {"название", NULL, NULL},
    {"описание", NULL, NULL},  {"вариант", NULL, NULL},   {"цена, ₽", "цена", "цена, руб"},
    {"вес, г", "вес", NULL},   {"скидка, %", "скидка", NULL}, {"скрыт", NULL, NULL},
    {"фото", NULL, NULL},
};

static char *xstrdup(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *o = malloc(n + 1);
    if (o)
        memcpy(o, s ? s : "", n + 1);
    return o;
}

static int is_blank(unsigned char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

/* trimmed copy (malloc'd); NBSP (C2 A0) is trimmed too */
static char *trim_dup(const char *s)
{
    if (!s)
        s = "";
    for (;;) {
        if (is_blank((unsigned char)*s))
            s++;
        else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
            s += 2;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n > 0 && is_blank((unsigned char)s[n - 1]))
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

static char *fold_dup(const char *s)
{
    char *o = malloc(strlen(s) + 1);
    if (o)
        catalog_fold(s, o);
    return o;
}

/* code points of valid UTF-8 without control characters, or -1 */
static long utf8_text_len(const char *s, int allow_newlines)
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
static void quote_cut(const char *s, char *out, size_t outlen)
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

typedef struct errs {
    catalog_imp_plan *pl;
    int oom;
} errs;

__attribute__((format(printf, 3, 4)))
static void err_add(errs *e, size_t row, const char *fmt, ...)
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
    char *m = xstrdup(msg);
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

static int parse_uint(const char *s, int64_t max, int64_t *out, int allow_suffix_g, int allow_pct)
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

static int parse_bool(const char *s, int *out)
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

static int is_url(const char *s) { return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7); }

static int photo_ok(const char *s)
{
    size_t n = strlen(s);
    if (is_url(s)) {
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
    while (is_blank((unsigned char)*s))
        s++;
    if (!*s || (s[0] == '/' && s[1 + strspn(s + 1, " \t")] == 0))
        return 0;
    int n = 0;
    for (;;) {
        char *slash = strchr(s, '/');
        if (slash)
            *slash = 0;
        while (is_blank((unsigned char)*s))
            s++;
        char *e = s + strlen(s);
        while (e > s && is_blank((unsigned char)e[-1]))
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
static char *path_join(const char *const *seg, int n)
{
    if (n == 0)
        return xstrdup("/");
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
static char *path_key(const char *path, int *bad)
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
        char *j = path_join(seg, n);
        r = j ? fold_dup(j) : NULL;
        free(j);
    }
    free(buf);
    return r;
}

/* ---- planning ---- */

typedef struct row_ref {
    char *key;     /* grouping key */
    size_t row;    /* grid row index (0 = header) */
} row_ref;

static int cmp_rowref(const void *a, const void *b)
{
    const row_ref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->row < y->row ? -1 : x->row > y->row;
}

static const catalog_imp_cur_product *cur_find(const catalog_imp_catalog *cur, int64_t id)
{
    size_t lo = 0, hi = cur ? cur->np : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cur->p[mid].id == id)
            return &cur->p[mid];
        if (cur->p[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void product_free(catalog_imp_product *p)
{
    free(p->category);
    free(p->name);
    free(p->description);
    free(p->photo);
    for (size_t i = 0; i < p->nv; i++)
        free(p->v[i].label);
    free(p->v);
    memset(p, 0, sizeof *p);
}

void catalog_imp_plan_free(catalog_imp_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->np; i++)
        product_free(&plan->p[i]);
    free(plan->p);
    for (size_t i = 0; i < plan->nerr_kept; i++)
        free(plan->errors[i]);
    free(plan->errors);
    memset(plan, 0, sizeof *plan);
}

typedef struct planner {
    const catalog_grid *g;
    const catalog_imp_catalog *cur;
    int col[CATALOG_IMP_NCOLS]; /* grid column, -1 absent */
    errs e;
} planner;

static const char *imp_cell(planner *P, size_t row, int col)
{
    return P->col[col] < 0 ? "" : catalog_grid_cell(P->g, row, (size_t)P->col[col]);
}

/* a product-level text field over the group's rows: the first non-empty
 * value; any other non-empty different value is an error. Returns a
 * malloc'd trimmed string ("" when every row is empty), NULL on OOM. */
static char *group_field(planner *P, const row_ref *rows, size_t n, int col, const char *what, int *bad)
{
    char *val = NULL;
    size_t first = 0;
    for (size_t i = 0; i < n; i++) {
        char *v = trim_dup(imp_cell(P, rows[i].row, col));
        if (!v) {
            P->e.oom = 1;
            break;
        }
        if (!*v) {
            free(v);
            continue;
        }
        if (!val) {
            val = v;
            first = rows[i].row;
        } else {
            if (strcmp(val, v) != 0) {
                err_add(&P->e, rows[i].row + 1, "%s отличается от строки %zu того же товара", what, first + 1);
                *bad = 1;
            }
            free(v);
        }
    }
    return val ? val : xstrdup("");
}

static int plan_group(planner *P, const row_ref *rows, size_t n, catalog_imp_plan *pl, int *anybad)
{
    catalog_imp_product pr;
    memset(&pr, 0, sizeof pr);
    int bad = 0;
    size_t row1 = rows[0].row + 1;
    pr.row = (uint32_t)row1;
    char q[200];

    /* ID */
    const catalog_imp_cur_product *cp = NULL;
    char *idt = trim_dup(imp_cell(P, rows[0].row, COL_ID));
    if (!idt)
        return -1;
    if (*idt) {
        int64_t id = 0;
        if (parse_uint(idt, INT64_MAX / 10, &id, 0, 0) != 0 || id <= 0) {
            quote_cut(idt, q, sizeof q);
            err_add(&P->e, row1, "ID товара «%s» — не число", q);
            bad = 1;
        } else if (!(cp = cur_find(P->cur, id))) {
            err_add(&P->e, row1, "товара с ID %lld нет в каталоге", (long long)id);
            bad = 1;
        }
        pr.id = id;
    }
    free(idt);

    /* product-level fields */
    pr.category = group_field(P, rows, n, COL_CAT, "категория", &bad);
    pr.name = group_field(P, rows, n, COL_NAME, "название", &bad);
    pr.description = group_field(P, rows, n, COL_DESC, "описание", &bad);
    char *disc = group_field(P, rows, n, COL_DISC, "скидка", &bad);
    char *hid = group_field(P, rows, n, COL_HIDDEN, "«Скрыт»", &bad);
    char *photo = group_field(P, rows, n, COL_PHOTO, "фото", &bad);
    if (!pr.category || !pr.name || !pr.description || !disc || !hid || !photo) {
        free(disc);
        free(hid);
        free(photo);
        product_free(&pr);
        return -1;
    }
    if (P->col[COL_CAT] >= 0)
        pr.set |= CATALOG_IMP_SET_CATEGORY;
    if (P->col[COL_DESC] >= 0)
        pr.set |= CATALOG_IMP_SET_DESC;
    if (P->col[COL_DISC] >= 0)
        pr.set |= CATALOG_IMP_SET_DISCOUNT;
    if (P->col[COL_HIDDEN] >= 0)
        pr.set |= CATALOG_IMP_SET_HIDDEN;
    if (P->col[COL_WEIGHT] >= 0)
        pr.set |= CATALOG_IMP_SET_WEIGHT;

    if (!*pr.name) {
        err_add(&P->e, row1, "не указано название");
        bad = 1;
    } else {
        long l = utf8_text_len(pr.name, 0);
        if (l < 0) {
            err_add(&P->e, row1, "в названии недопустимые символы");
            bad = 1;
        } else if (l > CATALOG_IMP_NAME_MAX) {
            err_add(&P->e, row1, "название длиннее %d символов", CATALOG_IMP_NAME_MAX);
            bad = 1;
        }
    }
    if (!*pr.category) {
        if (!cp || P->col[COL_CAT] >= 0) {
            err_add(&P->e, row1, "не указана категория (корень каталога — «/»)");
            bad = 1;
        }
    } else {
        char *buf = malloc(strlen(pr.category) + 1);
        const char *seg[CATALOG_IMP_CAT_DEPTH];
        if (!buf) {
            free(disc);
            free(hid);
            free(photo);
            product_free(&pr);
            return -1;
        }
        int ns = catalog_imp_path_split(pr.category, buf, seg, CATALOG_IMP_CAT_DEPTH);
        int segbad = ns < 0;
        for (int i = 0; i < ns && !segbad; i++) {
            long l = utf8_text_len(seg[i], 0);
            if (l < 0 || l > CATALOG_IMP_NAME_MAX)
                segbad = 1;
        }
        if (segbad) {
            quote_cut(pr.category, q, sizeof q);
            err_add(&P->e, row1, "категория «%s» — пустая часть пути, недопустимые символы или больше %d уровней", q,
                    CATALOG_IMP_CAT_DEPTH);
            bad = 1;
        } else {
            char *j = path_join(seg, ns);
            if (!j) {
                free(buf);
                free(disc);
                free(hid);
                free(photo);
                product_free(&pr);
                return -1;
            }
            free(pr.category);
            pr.category = j;
        }
        free(buf);
    }
    if (strlen(pr.description) > CATALOG_IMP_DESC_MAX) {
        err_add(&P->e, row1, "описание длиннее %d байт", CATALOG_IMP_DESC_MAX);
        bad = 1;
    } else if (utf8_text_len(pr.description, 1) < 0) {
        err_add(&P->e, row1, "в описании недопустимые символы");
        bad = 1;
    }
    if (*disc && parse_uint(disc, 99, &pr.discount, 0, 1) != 0) {
        quote_cut(disc, q, sizeof q);
        err_add(&P->e, row1, "скидка «%s» — нужно целое число от 0 до 99", q);
        bad = 1;
    }
    if (parse_bool(hid, &pr.hidden) != 0) {
        quote_cut(hid, q, sizeof q);
        err_add(&P->e, row1, "«Скрыт» «%s» — нужно 1 или 0", q);
        bad = 1;
    }
    if (*photo) {
        if (!photo_ok(photo)) {
            quote_cut(photo, q, sizeof q);
            err_add(&P->e, row1, "фото «%s» — не file_id Telegram и не ссылка http(s)", q);
            bad = 1;
        } else {
            pr.set |= CATALOG_IMP_SET_PHOTO;
            pr.photo_is_url = is_url(photo);
            pr.photo = photo;
            photo = NULL;
        }
    }
    free(disc);
    free(hid);
    free(photo);

    /* variants */
    if (n > CATALOG_VARIANTS_MAX) {
        err_add(&P->e, row1, "у товара %zu вариантов, больше %d нельзя", n, CATALOG_VARIANTS_MAX);
        bad = 1;
    }
    pr.v = calloc(n, sizeof *pr.v);
    if (!pr.v) {
        product_free(&pr);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i].row, rn = r + 1;
        char *label = trim_dup(imp_cell(P, r, COL_VAR));
        char *price = trim_dup(imp_cell(P, r, COL_PRICE));
        char *weight = trim_dup(imp_cell(P, r, COL_WEIGHT));
        if (!label || !price || !weight) {
            free(label);
            free(price);
            free(weight);
            product_free(&pr);
            return -1;
        }
        int64_t kop = 0, grams = 0;
        int perr = catalog_price_parse(price, &kop);
        if (perr != CATALOG_PRICE_OK) {
            quote_cut(price, q, sizeof q);
            err_add(&P->e, rn, "цена «%s» — %s", q, catalog_price_reason(perr));
            bad = 1;
        } else if (kop <= 0) {
            err_add(&P->e, rn, "цена должна быть больше нуля");
            bad = 1;
        }
        if (*weight && parse_uint(weight, CATALOG_VARIANT_WEIGHT_MAX, &grams, 1, 0) != 0) {
            quote_cut(weight, q, sizeof q);
            err_add(&P->e, rn, "вес «%s» — нужно целое число граммов от 0 до %d", q, CATALOG_VARIANT_WEIGHT_MAX);
            bad = 1;
        }
        if (!*label) {
            if (n > 1) {
                err_add(&P->e, rn, "не указан вариант (у товара несколько строк)");
                bad = 1;
            } else if (grams > 0) {
                err_add(&P->e, rn, "вес указывается только у варианта: заполните «Вариант» или очистите «Вес»");
                bad = 1;
            }
            pr.price = kop;
        } else {
            long l = utf8_text_len(label, 0);
            if (l < 0 || l > CATALOG_VARIANT_LABEL_MAX || strchr(label, ':')) {
                quote_cut(label, q, sizeof q);
                err_add(&P->e, rn, "вариант «%s» — до %d символов, без «:» и служебных символов", q,
                        CATALOG_VARIANT_LABEL_MAX);
                bad = 1;
            }
            for (size_t k = 0; k < pr.nv; k++)
                if (!strcmp(pr.v[k].label, label)) {
                    quote_cut(label, q, sizeof q);
                    err_add(&P->e, rn, "вариант «%s» повторяется у этого товара", q);
                    bad = 1;
                    break;
                }
        }
        free(price);
        free(weight);
        if (*label) {
            pr.v[pr.nv].label = label;
            pr.v[pr.nv].price = kop;
            pr.v[pr.nv].weight = grams;
            pr.nv++;
        } else {
            free(label);
        }
    }
    if (pr.nv == 0) {
        free(pr.v);
        pr.v = NULL;
    }
    if (P->e.oom) {
        product_free(&pr);
        return -1;
    }
    if (bad) {
        *anybad = 1;
        product_free(&pr);
        return 0;
    }

    /* compare with the current product */
    if (cp) {
        uint32_t ch = 0;
        if (pr.set & CATALOG_IMP_SET_CATEGORY) {
            int b1 = 0, b2 = 0;
            char *k1 = path_key(pr.category, &b1), *k2 = path_key(cp->category ? cp->category : "/", &b2);
            if (!k1 || !k2 || strcmp(k1, k2) != 0)
                ch |= CATALOG_IMP_CH_CATEGORY;
            free(k1);
            free(k2);
        }
        if (strcmp(pr.name, cp->name ? cp->name : "") != 0)
            ch |= CATALOG_IMP_CH_NAME;
        if ((pr.set & CATALOG_IMP_SET_DESC) && strcmp(pr.description, cp->description ? cp->description : "") != 0)
            ch |= CATALOG_IMP_CH_DESC;
        if ((pr.set & CATALOG_IMP_SET_DISCOUNT) && pr.discount != cp->discount)
            ch |= CATALOG_IMP_CH_DISCOUNT;
        if ((pr.set & CATALOG_IMP_SET_HIDDEN) && pr.hidden != (cp->hidden != 0))
            ch |= CATALOG_IMP_CH_HIDDEN;
        if (pr.photo) {
            const char *was = pr.photo_is_url ? cp->image_url : cp->photo_file_id;
            if (strcmp(pr.photo, was ? was : "") != 0)
                ch |= CATALOG_IMP_CH_PHOTO;
        }
        if (pr.nv != cp->nv)
            ch |= CATALOG_IMP_CH_VARIANTS;
        else if (pr.nv == 0) {
            if (pr.price != cp->price)
                ch |= CATALOG_IMP_CH_VARIANTS;
        } else {
            for (size_t i = 0; i < pr.nv; i++) {
                const catalog_imp_cur_variant *cv = &cp->v[i];
                if (strcmp(pr.v[i].label, cv->label ? cv->label : "") != 0 || pr.v[i].price != cv->price ||
                    ((pr.set & CATALOG_IMP_SET_WEIGHT) && pr.v[i].weight != cv->weight))
                    ch |= CATALOG_IMP_CH_VARIANTS;
            }
        }
        if (!ch) {
            pl->n_same++;
            product_free(&pr);
            return 0;
        }
        pr.changes = ch;
        pl->n_changed++;
    } else {
        pl->n_new++;
        /* a new product sets every field it can */
        pr.set |= CATALOG_IMP_SET_CATEGORY | CATALOG_IMP_SET_DESC | CATALOG_IMP_SET_DISCOUNT | CATALOG_IMP_SET_HIDDEN |
                  CATALOG_IMP_SET_WEIGHT;
    }
    catalog_imp_product *np = realloc(pl->p, (pl->np + 1) * sizeof *np);
    if (!np) {
        product_free(&pr);
        return -1;
    }
    pl->p = np;
    pl->p[pl->np++] = pr;
    return 0;
}

static int cmp_prod_row(const void *a, const void *b)
{
    const catalog_imp_product *x = a, *y = b;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* categories the plan would create (every missing prefix counts) */
static int count_new_categories(const catalog_imp_catalog *cur, const catalog_imp_plan *pl, size_t *out)
{
    *out = 0;
    size_t nhave = cur ? cur->ncat : 0, nk = 0, cap = nhave + 16;
    char **keys = malloc(cap * sizeof *keys);
    if (!keys)
        return -1;
    int rc = 0, bad = 0;
    for (size_t i = 0; i < nhave && !rc; i++) {
        char *k = path_key(cur->catalog_paths[i], &bad);
        if (k)
            keys[nk++] = k;
    }
    qsort(keys, nk, sizeof *keys, cmp_str);
    size_t nsorted = nk;
    for (size_t i = 0; i < pl->np && !rc; i++) {
        if (!(pl->p[i].set & CATALOG_IMP_SET_CATEGORY))
            continue;
        char *buf = malloc(strlen(pl->p[i].category) + 1);
        const char *seg[CATALOG_IMP_CAT_DEPTH];
        if (!buf) {
            rc = -1;
            break;
        }
        int ns = catalog_imp_path_split(pl->p[i].category, buf, seg, CATALOG_IMP_CAT_DEPTH);
        for (int d = 1; d <= ns && !rc; d++) {
            char *j = path_join(seg, d);
            char *k = j ? fold_dup(j) : NULL;
            free(j);
            if (!k) {
                rc = -1;
                break;
            }
            int found = bsearch(&k, keys, nsorted, sizeof *keys, cmp_str) != NULL;
            for (size_t x = nsorted; x < nk && !found; x++)
                found = !strcmp(keys[x], k);
            if (found) {
                free(k);
                continue;
            }
            if (nk == cap) {
                char **nkeys = realloc(keys, (cap *= 2) * sizeof *keys);
                if (!nkeys) {
                    free(k);
                    rc = -1;
                    break;
                }
                keys = nkeys;
            }
            keys[nk++] = k;
            (*out)++;
            if (nk - nsorted > 64) { /* keep lookups logarithmic */
                qsort(keys, nk, sizeof *keys, cmp_str);
                nsorted = nk;
            }
        }
        free(buf);
    }
    for (size_t i = 0; i < nk; i++)
        free(keys[i]);
    free(keys);
    return rc;
}

int catalog_imp_plan_make(const catalog_grid *g, const catalog_imp_catalog *cur, catalog_imp_plan *pl)
{
    memset(pl, 0, sizeof *pl);
    planner P;
    memset(&P, 0, sizeof P);
    P.g = g;
    P.cur = cur;
    P.e.pl = pl;
    for (int i = 0; i < CATALOG_IMP_NCOLS; i++)
        P.col[i] = -1;

    size_t nrows = catalog_grid_rows(g), ncols = catalog_grid_cols(g);
    if (nrows == 0) {
        err_add(&P.e, 0, "файл пуст: в первой строке должны быть заголовки столбцов");
        return P.e.oom ? -1 : 0;
    }
    for (size_t c = 0; c < ncols; c++) {
        char *t = trim_dup(catalog_grid_cell(g, 0, c));
        char *f = t ? fold_dup(t) : NULL;
        free(t);
        if (!f)
            return -1;
        for (int k = 0; k < CATALOG_IMP_NCOLS; k++)
            for (int a = 0; a < 3 && COL_ALIASES[k][a]; a++)
                if (!strcmp(f, COL_ALIASES[k][a])) {
                    if (P.col[k] >= 0)
                        err_add(&P.e, 1, "столбец «%s» встречается дважды", CATALOG_IMP_COLS[k].title);
                    else
                        P.col[k] = (int)c;
                }
        free(f);
    }
    static const int REQUIRED[] = {COL_CAT, COL_NAME, COL_PRICE};
    for (size_t i = 0; i < sizeof REQUIRED / sizeof REQUIRED[0]; i++)
        if (P.col[REQUIRED[i]] < 0)
            err_add(&P.e, 1, "нет столбца «%s» (заголовки — в первой строке)", CATALOG_IMP_COLS[REQUIRED[i]].title);
    if (pl->nerr)
        return P.e.oom ? -1 : 0;

    /* group rows: by ID, or new ones by category + name */
    row_ref *refs = calloc(nrows, sizeof *refs);
    if (!refs)
        return -1;
    size_t nref = 0;
    int rc = 0;
    for (size_t r = 1; r < nrows && !rc; r++) {
        int empty = 1;
        for (size_t c = 0; c < ncols && empty; c++) {
            const char *v = catalog_grid_cell(g, r, c);
            for (; *v && empty; v++)
                if (!is_blank((unsigned char)*v))
                    empty = 0;
        }
        if (empty)
            continue;
        pl->rows++;
        char *id = trim_dup(imp_cell(&P, r, COL_ID));
        char *key = NULL;
        if (!id) {
            rc = -1;
            break;
        }
        if (*id) {
            key = malloc(strlen(id) + 2);
            if (key)
                sprintf(key, "#%s", id);
        } else {
            char *name = trim_dup(imp_cell(&P, r, COL_NAME));
            char *catp = trim_dup(imp_cell(&P, r, COL_CAT));
            int bad = 0;
            char *ck = catp ? path_key(catp, &bad) : NULL;
            if (name && catp && (ck || bad)) {
                const char *cks = ck ? ck : catp;
                key = malloc(strlen(cks) + strlen(name) + 3);
                if (key)
                    sprintf(key, "N%s\x1f%s", cks, name);
            }
            free(name);
            free(catp);
            free(ck);
        }
        free(id);
        if (!key) {
            rc = -1;
            break;
        }
        refs[nref].key = key;
        refs[nref].row = r;
        nref++;
    }
    if (!rc && nref == 0 && !pl->nerr)
        err_add(&P.e, 0, "в файле нет строк с товарами (только заголовок)");
    if (!rc) {
        qsort(refs, nref, sizeof *refs, cmp_rowref);
        int anybad = 0;
        for (size_t i = 0; i < nref && !rc;) {
            size_t j = i + 1;
            while (j < nref && !strcmp(refs[j].key, refs[i].key))
                j++;
            rc = plan_group(&P, refs + i, j - i, pl, &anybad);
            i = j;
        }
    }
    for (size_t i = 0; i < nref; i++)
        free(refs[i].key);
    free(refs);
    if (P.e.oom)
        rc = -1;
    if (!rc && pl->nerr == 0) {
        if (pl->np > 1)
            qsort(pl->p, pl->np, sizeof *pl->p, cmp_prod_row);
        rc = count_new_categories(cur, pl, &pl->n_new_categories);
    }
    if (!rc && pl->nerr > 0) {
        /* nothing is planned when anything is wrong; errors in row order */
        for (size_t i = 0; i < pl->np; i++)
            product_free(&pl->p[i]);
        free(pl->p);
        pl->p = NULL;
        pl->np = pl->n_new = pl->n_changed = pl->n_same = pl->n_new_categories = 0;
    }
    if (!rc && pl->nerr_kept > 1) {
        /* sort errors by row number (the grouping visited products by key) */
        for (size_t i = 1; i < pl->nerr_kept; i++) {
            char *x = pl->errors[i];
            unsigned long rx = 0;
            sscanf(x, "строка %lu", &rx);
            size_t j = i;
            while (j > 0) {
                unsigned long ry = 0;
                sscanf(pl->errors[j - 1], "строка %lu", &ry);
                if (ry <= rx)
                    break;
                pl->errors[j] = pl->errors[j - 1];
                j--;
            }
            pl->errors[j] = x;
        }
    }
    return rc;
}

/* ---- plan <-> JSON ---- */

json_t *catalog_imp_plan_to_json(const catalog_imp_plan *pl)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < pl->np; i++) {
        const catalog_imp_product *p = &pl->p[i];
        json_t *vs = json_array();
        for (size_t k = 0; vs && k < p->nv; k++)
            json_array_append_new(vs, json_pack("[sII]", p->v[k].label, (json_int_t)p->v[k].price,
                                                (json_int_t)p->v[k].weight));
        json_t *o = json_pack("{sI sI sI sI ss ss ss sI si sI so}", "id", (json_int_t)p->id, "row",
                              (json_int_t)p->row, "set", (json_int_t)p->set, "ch", (json_int_t)p->changes, "cat",
                              p->category, "name", p->name, "desc", p->description, "disc",
                              (json_int_t)p->discount, "hid", p->hidden, "price", (json_int_t)p->price, "v",
                              vs ? vs : json_array());
        if (o && p->photo) {
            json_object_set_new(o, "photo", json_string(p->photo));
            json_object_set_new(o, "url", json_boolean(p->photo_is_url));
        }
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    json_t *r = json_pack("{so sI sI sI}", "p", arr, "new", (json_int_t)pl->n_new, "changed",
                          (json_int_t)pl->n_changed, "cats", (json_int_t)pl->n_new_categories);
    return r;
}

int catalog_imp_plan_from_json(const json_t *j, catalog_imp_plan *pl)
{
    memset(pl, 0, sizeof *pl);
    json_t *arr = json_object_get(j, "p");
    if (!json_is_array(arr))
        return -1;
    pl->n_new = (size_t)json_integer_value(json_object_get(j, "new"));
    pl->n_changed = (size_t)json_integer_value(json_object_get(j, "changed"));
    pl->n_new_categories = (size_t)json_integer_value(json_object_get(j, "cats"));
    size_t n = json_array_size(arr);
    pl->p = calloc(n ? n : 1, sizeof *pl->p);
    if (!pl->p)
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        catalog_imp_product *p = &pl->p[i];
        pl->np++;
        json_t *vs = json_object_get(o, "v");
        const char *cat = json_string_value(json_object_get(o, "cat"));
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *desc = json_string_value(json_object_get(o, "desc"));
        if (!cat || !name || !desc || !json_is_array(vs))
            goto bad;
        p->id = json_integer_value(json_object_get(o, "id"));
        p->row = (uint32_t)json_integer_value(json_object_get(o, "row"));
        p->set = (uint32_t)json_integer_value(json_object_get(o, "set"));
        p->changes = (uint32_t)json_integer_value(json_object_get(o, "ch"));
        p->discount = json_integer_value(json_object_get(o, "disc"));
        p->hidden = (int)json_integer_value(json_object_get(o, "hid"));
        p->price = json_integer_value(json_object_get(o, "price"));
        p->category = xstrdup(cat);
        p->name = xstrdup(name);
        p->description = xstrdup(desc);
        const char *ph = json_string_value(json_object_get(o, "photo"));
        if (ph) {
            p->photo = xstrdup(ph);
            p->photo_is_url = json_is_true(json_object_get(o, "url"));
        }
        if (!p->category || !p->name || !p->description || (ph && !p->photo))
            goto bad;
        size_t nv = json_array_size(vs);
        if (nv > CATALOG_VARIANTS_MAX)
            goto bad;
        if (nv) {
            p->v = calloc(nv, sizeof *p->v);
            if (!p->v)
                goto bad;
        }
        for (size_t k = 0; k < nv; k++) {
            json_t *v = json_array_get(vs, k);
            const char *label = json_string_value(json_array_get(v, 0));
            if (!label)
                goto bad;
            p->v[k].label = xstrdup(label);
            p->v[k].price = json_integer_value(json_array_get(v, 1));
            p->v[k].weight = json_integer_value(json_array_get(v, 2));
            p->nv++;
            if (!p->v[k].label)
                goto bad;
        }
    }
    return 0;
bad:
    catalog_imp_plan_free(pl);
    return -1;
}

/* ---- export cells ---- */

int catalog_imp_export_cells(const catalog_imp_catalog *cur, catalog_xlsx_cell **cells, size_t *nrows)
{
    size_t n = 0;
    for (size_t i = 0; i < cur->np; i++)
        n += cur->p[i].nv ? cur->p[i].nv : 1;
    catalog_xlsx_cell *c = calloc((n ? n : 1) * CATALOG_IMP_NCOLS, sizeof *c);
    if (!c)
        return -1;
    size_t r = 0;
    for (size_t i = 0; i < cur->np; i++) {
        const catalog_imp_cur_product *p = &cur->p[i];
        size_t nv = p->nv ? p->nv : 1;
        const char *photo = p->photo_file_id && *p->photo_file_id ? p->photo_file_id
                            : p->image_url ? p->image_url : "";
        for (size_t k = 0; k < nv; k++, r++) {
            catalog_xlsx_cell *row = c + r * CATALOG_IMP_NCOLS;
            row[COL_ID].num = p->id;
            row[COL_CAT].text = p->category && *p->category ? p->category : "/";
            row[COL_NAME].text = p->name ? p->name : "";
            row[COL_DESC].text = p->description ? p->description : "";
            if (p->nv) {
                row[COL_VAR].text = p->v[k].label ? p->v[k].label : "";
                row[COL_PRICE].num = p->v[k].price;
                row[COL_WEIGHT].num = p->v[k].weight;
            } else {
                row[COL_VAR].text = "";
                row[COL_PRICE].num = p->price;
                row[COL_WEIGHT].text = "";
            }
            row[COL_DISC].num = p->discount;
            row[COL_HIDDEN].num = p->hidden ? 1 : 0;
            row[COL_PHOTO].text = photo;
        }
    }
    *cells = c;
    *nrows = n;
    return 0;
}

/* ================================================================ host */

#define IMP_FILE_MAX (20u * 1024u * 1024u) /* bytes of an uploaded file (the Bot API's getFile limit) */
#define IMP_ERR_LINE 150                   /* bytes of one error line in the preview */
#define IMP_CHANGED_SHOWN 5

/* The bytes of a Telegram file. The SDK (1.0) has no slot for it: getFile
 * works through walor_tg_call(), but the download URL needs the bot token,
 * which plugins never see. Proposed slot (SDK 1.1):
 *   int32_t (*file_download)(walor_ctx *c, const char *file_id, size_t max_bytes,
 *                            void **data, size_t *len);
 * Until then: WALOR_ENOSYS, and the owner is told. */
static int32_t imp_download(walor_ctx *c, const char *file_id, void **data, size_t *len)
{
    /* WALOR_ENOSYS on a host older than SDK 1.1 */
    return walor_file_download(c, file_id, IMP_FILE_MAX, data, len);
}

/* ---- the current catalog ---- */

typedef struct imp_cat {
    int64_t id, parent;
    const char *name, *path;
} imp_cat;

static int cmp_cat_id(const void *a, const void *b)
{
    const imp_cat *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static imp_cat *cat_by_id(imp_cat *cats, size_t n, int64_t id)
{
    imp_cat key = {.id = id};
    return bsearch(&key, cats, n, sizeof *cats, cmp_cat_id);
}

static const char *cat_path(walor_ctx *c, imp_cat *cats, size_t n, imp_cat *k, int depth)
{
    if (k->path)
        return k->path;
    if (depth > CATALOG_IMP_CAT_DEPTH * 2) {
        k->path = k->name;
        return k->path;
    }
    imp_cat *par = k->parent ? cat_by_id(cats, n, k->parent) : NULL;
    k->path = par ? walor_ctx_printf(c, "%s / %s", cat_path(c, cats, n, par, depth + 1), k->name) : k->name;
    return k->path;
}

/* the whole catalog in the ctx arena */
static int32_t snapshot(walor_ctx *c, catalog_imp_catalog *out)
{
    memset(out, 0, sizeof *out);
    int64_t ncat = 0, nprod = 0, nvar = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM catalog_category", NULL, 0, &ncat);
    if (!rc)
        rc = walor_db_int(c, "SELECT count(*) FROM catalog_product", NULL, 0, &nprod);
    if (!rc)
        rc = walor_db_int(c, "SELECT count(*) FROM catalog_variant", NULL, 0, &nvar);
    if (rc < 0)
        return rc;
    imp_cat *cats = walor_ctx_alloc(c, (size_t)(ncat + 1) * sizeof *cats);
    catalog_imp_cur_product *ps = walor_ctx_alloc(c, (size_t)(nprod + 1) * sizeof *ps);
    catalog_imp_cur_variant *vs = walor_ctx_alloc(c, (size_t)(nvar + 1) * sizeof *vs);
    const char **paths = walor_ctx_alloc(c, (size_t)(ncat + 1) * sizeof *paths);
    if (!cats || !ps || !vs || !paths)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    size_t nc = 0, np = 0, nv = 0;
    rc = walor_db_query(c, "SELECT id, parent_id, name FROM catalog_category ORDER BY id", NULL, 0, &r);
    if (rc < 0)
        return rc;
    while (nc < (size_t)ncat && (rc = walor_row_next(r)) == 1) {
        cats[nc].id = walor_col_int(r, 0);
        cats[nc].parent = walor_col_int(r, 1);
        cats[nc].name = walor_ctx_printf(c, "%s", walor_col_text(r, 2) ? walor_col_text(r, 2) : "");
        cats[nc].path = NULL;
        nc++;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < nc; i++)
        paths[i] = cat_path(c, cats, nc, &cats[i], 0);

    rc = walor_db_query(c,
                        "SELECT id, category_id, name, description, photo_file_id, image_url, price, discount_pct, "
                        "hidden FROM catalog_product ORDER BY id",
                        NULL, 0, &r);
    if (rc < 0)
        return rc;
    while (np < (size_t)nprod && (rc = walor_row_next(r)) == 1) {
        catalog_imp_cur_product *p = &ps[np++];
        p->id = walor_col_int(r, 0);
        int64_t cid = walor_col_int(r, 1);
        imp_cat *k = cid ? cat_by_id(cats, nc, cid) : NULL;
        p->category = k ? k->path : "/";
        p->name = walor_ctx_printf(c, "%s", walor_col_text(r, 2) ? walor_col_text(r, 2) : "");
        p->description = walor_ctx_printf(c, "%s", walor_col_text(r, 3) ? walor_col_text(r, 3) : "");
        p->photo_file_id = walor_col_is_null(r, 4) ? NULL : walor_ctx_printf(c, "%s", walor_col_text(r, 4));
        p->image_url = walor_col_is_null(r, 5) ? NULL : walor_ctx_printf(c, "%s", walor_col_text(r, 5));
        p->price = walor_col_int(r, 6);
        p->discount = walor_col_int(r, 7);
        p->hidden = walor_col_int(r, 8) != 0;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    rc = walor_db_query(c, "SELECT product_id, no, label, price, weight_g FROM catalog_variant "
                           "ORDER BY product_id, sort, no",
                        NULL, 0, &r);
    if (rc < 0)
        return rc;
    size_t pi = 0;
    while (nv < (size_t)nvar && (rc = walor_row_next(r)) == 1) {
        int64_t pid = walor_col_int(r, 0);
        while (pi < np && ps[pi].id < pid)
            pi++;
        if (pi == np || ps[pi].id != pid)
            continue;
        catalog_imp_cur_variant *v = &vs[nv++];
        v->no = walor_col_int(r, 1);
        v->label = walor_ctx_printf(c, "%s", walor_col_text(r, 2) ? walor_col_text(r, 2) : "");
        v->price = walor_col_int(r, 3);
        v->weight = walor_col_int(r, 4);
        if (!ps[pi].v)
            ps[pi].v = v;
        ps[pi].nv++;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    out->p = ps;
    out->np = np;
    out->catalog_paths = paths;
    out->ncat = nc;
    return 0;
}

/* ---- apply ---- */

typedef struct cat_cache {
    char **key;
    int64_t *id;
    size_t n, cap;
} cat_cache;

static int32_t resolve_category(walor_ctx *c, cat_cache *cc, const char *path, int64_t now, int64_t *out,
                                size_t *created)
{
    char *buf = walor_ctx_alloc(c, strlen(path) + 1);
    const char *seg[CATALOG_IMP_CAT_DEPTH];
    if (!buf)
        return WALOR_ENOMEM;
    int ns = catalog_imp_path_split(path, buf, seg, CATALOG_IMP_CAT_DEPTH);
    if (ns < 0)
        return WALOR_EINVAL;
    int64_t parent = 0;
    for (int d = 1; d <= ns; d++) {
        char *j = path_join(seg, d);
        char *key = j ? catalog_fold_ctx(c, j) : NULL;
        free(j);
        if (!key)
            return WALOR_ENOMEM;
        size_t i;
        for (i = 0; i < cc->n; i++)
            if (!strcmp(cc->key[i], key))
                break;
        if (i < cc->n) {
            parent = cc->id[i];
            continue;
        }
        int64_t id = 0;
        int32_t rc = walor_db_int(c,
                                  "SELECT id FROM catalog_category WHERE parent_id = ? AND name_lc = ? "
                                  "ORDER BY id LIMIT 1",
                                  WALOR_ARGS(walor_i(parent), walor_s(catalog_fold_ctx(c, seg[d - 1]))), &id);
        if (rc == WALOR_ENOTFOUND) {
            rc = walor_db_int(c,
                              "INSERT INTO catalog_category(parent_id, name, name_lc, hidden, sort, created_at) "
                              "VALUES (?, ?, ?, 0, (SELECT coalesce(max(sort), 0) + 10 FROM catalog_category "
                              "WHERE parent_id = ?), ?) RETURNING id",
                              WALOR_ARGS(walor_i(parent), walor_s(seg[d - 1]),
                                         walor_s(catalog_fold_ctx(c, seg[d - 1])), walor_i(parent), walor_i(now)),
                              &id);
            if (rc == 0)
                (*created)++;
        }
        if (rc < 0)
            return rc;
        if (cc->n == cc->cap) {
            size_t ncap = cc->cap ? cc->cap * 2 : 32;
            char **nk = walor_ctx_alloc(c, ncap * sizeof *nk);
            int64_t *ni = walor_ctx_alloc(c, ncap * sizeof *ni);
            if (!nk || !ni)
                return WALOR_ENOMEM;
            if (cc->n) {
                memcpy(nk, cc->key, cc->n * sizeof *nk);
                memcpy(ni, cc->id, cc->n * sizeof *ni);
            }
            cc->key = nk;
            cc->id = ni;
            cc->cap = ncap;
        }
        cc->key[cc->n] = key;
        cc->id[cc->n] = id;
        cc->n++;
        parent = id;
    }
    *out = parent;
    return 0;
}

static int32_t sync_variants(walor_ctx *c, const catalog_imp_product *p, int64_t pid, int is_new)
{
    int32_t rc;
    if (p->nv == 0)
        return is_new ? 0 : walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ?", WALOR_ARGS(walor_i(pid)));
    /* keep the number of a variant whose label stays: stock and carts refer to (product, no) */
    int64_t cur_no[CATALOG_VARIANTS_MAX * 4];
    const char *cur_label[CATALOG_VARIANTS_MAX * 4];
    int used[CATALOG_VARIANTS_MAX * 4];
    size_t ncur = 0;
    int64_t maxno = 0;
    if (!is_new) {
        walor_rows *r = NULL;
        rc = walor_db_query(c, "SELECT no, label FROM catalog_variant WHERE product_id = ? ORDER BY no",
                            WALOR_ARGS(walor_i(pid)), &r);
        if (rc < 0)
            return rc;
        while ((rc = walor_row_next(r)) == 1) {
            int64_t no = walor_col_int(r, 0);
            if (no > maxno)
                maxno = no;
            if (ncur < sizeof cur_no / sizeof cur_no[0]) {
                cur_no[ncur] = no;
                cur_label[ncur] = walor_ctx_printf(c, "%s", walor_col_text(r, 1) ? walor_col_text(r, 1) : "");
                used[ncur] = 0;
                ncur++;
            }
        }
        walor_rows_close(r);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < p->nv; i++) {
        const catalog_imp_variant *v = &p->v[i];
        size_t k;
        for (k = 0; k < ncur; k++)
            if (!used[k] && !strcmp(cur_label[k], v->label))
                break;
        if (k < ncur) {
            used[k] = 1;
            if (p->set & CATALOG_IMP_SET_WEIGHT)
                rc = walor_db_exec(c, "UPDATE catalog_variant SET price = ?, weight_g = ?, sort = ? "
                                      "WHERE product_id = ? AND no = ?",
                                   WALOR_ARGS(walor_i(v->price), walor_i(v->weight), walor_i((int64_t)i + 1),
                                              walor_i(pid), walor_i(cur_no[k])));
            else
                rc = walor_db_exec(c, "UPDATE catalog_variant SET price = ?, sort = ? WHERE product_id = ? AND no = ?",
                                   WALOR_ARGS(walor_i(v->price), walor_i((int64_t)i + 1), walor_i(pid),
                                              walor_i(cur_no[k])));
        } else {
            rc = walor_db_exec(c, "INSERT INTO catalog_variant(product_id, no, label, price, weight_g, sort) "
                                  "VALUES (?, ?, ?, ?, ?, ?)",
                               WALOR_ARGS(walor_i(pid), walor_i(++maxno), walor_s(v->label), walor_i(v->price),
                                          walor_i(v->weight), walor_i((int64_t)i + 1)));
        }
        if (rc < 0)
            return rc;
    }
    for (size_t k = 0; k < ncur; k++)
        if (!used[k]) {
            rc = walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ? AND no = ?",
                               WALOR_ARGS(walor_i(pid), walor_i(cur_no[k])));
            if (rc < 0)
                return rc;
        }
    return 0;
}

/* 0 applied; WALOR_ENOTFOUND when a product of the plan is gone (*gone
 * has its ID); other negative: failure. Nothing is written unless 0. */
static int32_t apply_plan(walor_ctx *c, const catalog_imp_plan *pl, int64_t *gone, size_t *cats_created)
{
    int64_t now = walor_now(c);
    cat_cache cc;
    memset(&cc, 0, sizeof cc);
    *cats_created = 0;
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < pl->np && rc >= 0; i++) {
        const catalog_imp_product *p = &pl->p[i];
        int64_t cat = 0, pid = p->id;
        if (p->set & CATALOG_IMP_SET_CATEGORY) {
            rc = resolve_category(c, &cc, p->category, now, &cat, cats_created);
            if (rc < 0)
                break;
        }
        const char *lc = catalog_fold_ctx(c, p->name);
        const char *fid = p->photo && !p->photo_is_url ? p->photo : NULL;
        const char *url = p->photo && p->photo_is_url ? p->photo : NULL;
        if (pid == 0) {
            rc = walor_db_int(c,
                              "INSERT INTO catalog_product(category_id, name, name_lc, description, price, "
                              "photo_file_id, image_url, hidden, discount_pct, sort, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(sort), 0) + 10 FROM "
                              "catalog_product WHERE category_id = ?), ?, ?) RETURNING id",
                              WALOR_ARGS(walor_i(cat), walor_s(p->name), walor_s(lc), walor_s(p->description),
                                         walor_i(p->nv ? 0 : p->price), walor_s(fid), walor_s(url),
                                         walor_i(p->hidden), walor_i(p->discount), walor_i(cat), walor_i(now),
                                         walor_i(now)),
                              &pid);
            if (rc >= 0)
                rc = sync_variants(c, p, pid, 1);
            continue;
        }
        rc = walor_db_exec(c, "UPDATE catalog_product SET name = ?, name_lc = ?, updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_s(p->name), walor_s(lc), walor_i(now), walor_i(pid)));
        if (rc == 0) {
            *gone = pid;
            rc = WALOR_ENOTFOUND;
            break;
        }
        if (rc >= 0 && (p->set & CATALOG_IMP_SET_CATEGORY))
            rc = walor_db_exec(c, "UPDATE catalog_product SET category_id = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(cat), walor_i(pid)));
        if (rc >= 0 && (p->set & CATALOG_IMP_SET_DESC))
            rc = walor_db_exec(c, "UPDATE catalog_product SET description = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(p->description), walor_i(pid)));
        if (rc >= 0 && (p->set & CATALOG_IMP_SET_DISCOUNT))
            rc = walor_db_exec(c, "UPDATE catalog_product SET discount_pct = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(p->discount), walor_i(pid)));
        if (rc >= 0 && (p->set & CATALOG_IMP_SET_HIDDEN))
            rc = walor_db_exec(c, "UPDATE catalog_product SET hidden = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(p->hidden), walor_i(pid)));
        if (rc >= 0 && fid)
            rc = walor_db_exec(c, "UPDATE catalog_product SET photo_file_id = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(fid), walor_i(pid)));
        if (rc >= 0 && url)
            rc = walor_db_exec(c, "UPDATE catalog_product SET image_url = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(url), walor_i(pid)));
        if (rc >= 0 && p->nv == 0)
            rc = walor_db_exec(c, "UPDATE catalog_product SET price = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(p->price), walor_i(pid)));
        if (rc >= 0)
            rc = sync_variants(c, p, pid, 0);
        if (rc >= 0)
            rc = catalog_emit_changed(c, pid);
    }
    if (rc >= 0) {
        size_t nnew = 0, nch = 0;
        for (size_t i = 0; i < pl->np; i++)
            pl->p[i].id ? nch++ : nnew++;
        rc = walor_action_log(c, walor_ctx_printf(c, "импорт каталога: %zu новых товаров, %zu изменённых, %zu новых "
                                                     "категорий",
                                                  nnew, nch, *cats_created));
    }
    if (rc >= 0)
        rc = walor_tx_commit(c);
    if (rc < 0)
        walor_tx_rollback(c);
    return rc < 0 ? rc : 0;
}

/* ---- screens ---- */

static const char *const IMP_TEXTS[][2] = {
    {"catalog.import.ask",
     "📥 <b>Импорт каталога</b>\nПришлите файл .xlsx или .csv: одна строка на вариант, заголовки в первой строке —\n"
     "<code>ID товара | Категория | Название | Описание | Вариант | Цена, ₽ | Вес, г | Скидка, % | Скрыт | Фото</code>\n"
     "Пустой «ID товара» — новый товар. Категория — путь «Уход / Лицо», недостающие разделы создаются.\n"
     "Ничего не изменится, пока вы не подтвердите.\n\n"
     "📤 «Выгрузить» пришлёт текущий каталог в этом же формате — удобно начать с него."},
    {"catalog.import.not_doc", "Пришлите файл .xlsx или .csv документом (📎 → Файл)."},
    {"catalog.import.bad_type", "Нужен файл .xlsx или .csv, а пришёл «{name}»."},
    {"catalog.import.too_big", "Файл больше 20 МБ — разделите его на части."},
    {"catalog.import.no_download",
     "⚠️ Эта версия walord пока не умеет скачивать файлы из Telegram, поэтому импорт из сообщения недоступен. "
     "Обновите walord (нужен SDK 1.1) — файл можно будет прислать сюда же."},
    {"catalog.import.download_failed", "Не удалось скачать файл из Telegram. Попробуйте прислать его ещё раз."},
    {"catalog.import.unreadable", "❌ Не удалось прочитать файл: {reason}"},
    {"catalog.import.preview",
     "📥 <b>Предпросмотр импорта</b> ({file})\nСтрок с товарами: {rows}\n🆕 Новых товаров: {new}\n"
     "✏️ Изменённых: {changed}\n📁 Новых категорий: {cats}\n▫️ Без изменений: {same}\n❌ Ошибок: {errors}"},
    {"catalog.import.has_errors", "Исправьте файл и пришлите его снова — пока есть ошибки, ничего не изменится."},
    {"catalog.import.nothing", "Изменений нет — применять нечего."},
    {"catalog.import.confirm", "Нажмите «✅ Применить», чтобы записать изменения, или пришлите другой файл."},
    {"catalog.import.more_errors", "… и ещё {n}"},
    {"catalog.import.done", "✅ Импорт применён: новых товаров — {new}, изменённых — {changed}, новых категорий — {cats}."},
    {"catalog.import.gone", "❌ Товар с ID {id} удалили, пока вы смотрели предпросмотр. Ничего не изменено: "
                            "пришлите файл ещё раз."},
    {"catalog.import.cancelled", "Импорт отменён, каталог не изменён."},
    {"catalog.import.press", "Нажмите «✅ Применить» или «✖️ Отмена» — или пришлите другой файл."},
    {"catalog.import.export_caption", "📤 Каталог: товаров — {n}, строк — {rows}. Измените и пришлите обратно для импорта."},
    {"catalog.import.export_empty", "Каталог пуст — выгружаю только заголовки."},
    {"catalog.import.btn.export", "📤 Выгрузить"},
    {"catalog.import.btn.apply", "✅ Применить"},
    {"catalog.import.btn.cancel", "✖️ Отмена"},
};

static const char *imp_num(walor_ctx *c, size_t n) { return walor_ctx_printf(c, "%zu", n); }

static int32_t imp_ask(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "catalog.import.btn.export"), "export");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, walor_text(c, "catalog.import.btn.cancel"), "cancel");
    return walor_reply(c, walor_text(c, "catalog.import.ask"), kb);
}

static int32_t do_export(walor_ctx *c)
{
    catalog_imp_catalog cur;
    int32_t rc = snapshot(c, &cur);
    if (rc < 0)
        return rc;
    catalog_xlsx_cell *cells = NULL;
    size_t nrows = 0;
    if (catalog_imp_export_cells(&cur, &cells, &nrows) != 0)
        return WALOR_ENOMEM;
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/walor-catalog-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(cells);
        walor_log(c, WALOR_LOG_ERROR, "catalog: export: mkstemp: %s", strerror(errno));
        return WALOR_ENOMEM;
    }
    close(fd);
    char err[256];
    int w = catalog_xlsx_write(path, "Каталог", CATALOG_IMP_COLS, CATALOG_IMP_NCOLS, cells, nrows, err, sizeof err);
    free(cells);
    void *data = NULL;
    size_t len = 0;
    if (w == 0) {
        FILE *f = fopen(path, "rb");
        if (f && fseek(f, 0, SEEK_END) == 0) {
            long l = ftell(f);
            if (l > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)l)) &&
                fread(data, 1, (size_t)l, f) == (size_t)l)
                len = (size_t)l;
        }
        if (f)
            fclose(f);
    }
    unlink(path);
    if (w != 0 || len == 0) {
        free(data);
        walor_log(c, WALOR_LOG_ERROR, "catalog: export failed: %s", w ? err : "cannot read the file back");
        walor_report_error(c, "каталог: не удалось сформировать выгрузку .xlsx");
        return walor_reply(c, "❌ Не удалось сформировать файл, владелец уведомлён.", NULL);
    }
    char name[64];
    time_t t = (time_t)walor_now(c);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(name, sizeof name, "catalog-%Y-%m-%d.xlsx", &tm);
    const char *cap = walor_textf(c, "catalog.import.export_caption", "n", imp_num(c, cur.np), "rows",
                                  imp_num(c, nrows), NULL);
    rc = walor_send_document(c, walor_chat_id(c), name, data, len, cap, 0);
    free(data);
    if (rc == 0)
        walor_log(c, WALOR_LOG_INFO, "catalog: exported %zu products, %zu rows", cur.np, nrows);
    return rc;
}

static const char *change_words(walor_ctx *c, uint32_t ch)
{
    static const struct {
        uint32_t bit;
        const char *w;
    } W[] = {{CATALOG_IMP_CH_CATEGORY, "категория"}, {CATALOG_IMP_CH_NAME, "название"}, {CATALOG_IMP_CH_DESC, "описание"},
             {CATALOG_IMP_CH_VARIANTS, "варианты/цены"}, {CATALOG_IMP_CH_DISCOUNT, "скидка"}, {CATALOG_IMP_CH_HIDDEN, "видимость"},
             {CATALOG_IMP_CH_PHOTO, "фото"}};
    const char *s = "";
    for (size_t i = 0; i < sizeof W / sizeof W[0]; i++)
        if (ch & W[i].bit)
            s = walor_ctx_printf(c, "%s%s%s", s, *s ? ", " : "", W[i].w);
    return s;
}

static char *cut_ctx(walor_ctx *c, const char *s, size_t max)
{
    char *o = walor_ctx_alloc(c, max + 1);
    if (o)
        catalog_trunc(s ? s : "", max, o);
    return o;
}

/* parse + plan + preview; keeps the plan in the conversation */
static int32_t import_bytes(walor_ctx *c, const char *fname, const void *data, size_t len)
{
    size_t fl = strlen(fname);
    int csv = fl >= 4 && (!strcmp(fname + fl - 4, ".csv") || !strcmp(fname + fl - 4, ".CSV"));
    catalog_grid *g = NULL;
    char err[256];
    int r = csv ? catalog_csv_read_mem(data, len, &g, err, sizeof err) : catalog_xlsx_read_mem(data, len, &g, err, sizeof err);
    if (r != 0)
        return walor_reply(c, walor_textf(c, "catalog.import.unreadable", "reason", walor_html_escape(c, err), NULL),
                           NULL);
    catalog_imp_catalog cur;
    int32_t rc = snapshot(c, &cur);
    if (rc < 0) {
        catalog_grid_free(g);
        return rc;
    }
    catalog_imp_plan pl;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = catalog_imp_plan_make(g, &cur, &pl);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    catalog_grid_free(g);
    if (r != 0) {
        catalog_imp_plan_free(&pl);
        return WALOR_ENOMEM;
    }
    walor_log(c, WALOR_LOG_INFO, "catalog: import %s planned in %.1f ms: %zu rows, %zu new, %zu changed, %zu errors",
              fname, (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, pl.rows,
              pl.n_new, pl.n_changed, pl.nerr);
    char *html = walor_textf(c, "catalog.import.preview", "file", walor_html_escape(c, cut_ctx(c, fname, 60)), "rows",
                             imp_num(c, pl.rows), "new", imp_num(c, pl.n_new), "changed", imp_num(c, pl.n_changed),
                             "cats", imp_num(c, pl.n_new_categories), "same", imp_num(c, pl.n_same), "errors",
                             imp_num(c, pl.nerr), NULL);
    walor_kb *kb = walor_kb_new(c);
    if (pl.nerr > 0) {
        size_t shown = pl.nerr_kept < CATALOG_IMP_PREVIEW_ERRORS ? pl.nerr_kept : CATALOG_IMP_PREVIEW_ERRORS;
        for (size_t i = 0; i < shown; i++)
            html = walor_ctx_printf(c, "%s\n• %s", html, walor_html_escape(c, cut_ctx(c, pl.errors[i], IMP_ERR_LINE)));
        if (pl.nerr > shown)
            html = walor_ctx_printf(c, "%s\n%s", html,
                                    walor_textf(c, "catalog.import.more_errors", "n", imp_num(c, pl.nerr - shown), NULL));
        html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "catalog.import.has_errors"));
        walor_kb_conv_button(kb, walor_text(c, "catalog.import.btn.cancel"), "cancel");
        catalog_imp_plan_free(&pl);
        /* stay in this state (another file may follow); an older preview's
         * "Применить" finds no plan */
        json_object_del(walor_conv_data(c), "plan");
        return walor_reply(c, html, kb);
    }
    size_t shown = 0;
    for (size_t i = 0; i < pl.np && shown < IMP_CHANGED_SHOWN; i++) {
        if (!pl.p[i].id)
            continue;
        html = walor_ctx_printf(c, "%s\n✏️ ID %lld «%s»: %s", html, (long long)pl.p[i].id,
                                walor_html_escape(c, cut_ctx(c, pl.p[i].name, 60)), change_words(c, pl.p[i].changes));
        shown++;
    }
    if (pl.np == 0) {
        html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "catalog.import.nothing"));
        walor_kb_conv_button(kb, walor_text(c, "catalog.import.btn.cancel"), "cancel");
        catalog_imp_plan_free(&pl);
        json_object_del(walor_conv_data(c), "plan");
        return walor_reply(c, html, kb);
    }
    json_t *j = catalog_imp_plan_to_json(&pl);
    catalog_imp_plan_free(&pl);
    if (!j)
        return WALOR_ENOMEM;
    json_object_set_new(walor_conv_data(c), "plan", j);
    walor_conv_goto(c, "confirm");
    html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "catalog.import.confirm"));
    walor_kb_conv_button(kb, walor_text(c, "catalog.import.btn.apply"), "apply");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, walor_text(c, "catalog.import.btn.cancel"), "cancel");
    return walor_reply(c, html, kb);
}

static int32_t imp_message(walor_ctx *c, const char *text)
{
    json_t *msg = json_object_get(walor_update(c), "message");
    json_t *doc = json_object_get(msg, "document");
    (void)text;
    if (!doc)
        return walor_reply(c, walor_text(c, "catalog.import.not_doc"), NULL);
    const char *fname = json_string_value(json_object_get(doc, "file_name"));
    const char *fid = json_string_value(json_object_get(doc, "file_id"));
    if (!fname)
        fname = "";
    size_t fl = strlen(fname);
    int ok = fl >= 5 && (!strcmp(fname + fl - 5, ".xlsx") || !strcmp(fname + fl - 5, ".XLSX"));
    ok = ok || (fl >= 4 && (!strcmp(fname + fl - 4, ".csv") || !strcmp(fname + fl - 4, ".CSV")));
    if (!ok || !fid)
        return walor_reply(c, walor_textf(c, "catalog.import.bad_type", "name",
                                          walor_html_escape(c, cut_ctx(c, fname, 60)), NULL),
                           NULL);
    json_int_t size = json_integer_value(json_object_get(doc, "file_size"));
    if (size > (json_int_t)IMP_FILE_MAX)
        return walor_reply(c, walor_text(c, "catalog.import.too_big"), NULL);
    void *data = NULL;
    size_t len = 0;
    int32_t rc = imp_download(c, fid, &data, &len);
    if (rc == WALOR_ENOSYS) {
        walor_log(c, WALOR_LOG_WARN, "catalog: import of %s: the host cannot download files (SDK slot missing)",
                  fname);
        return walor_reply(c, walor_text(c, "catalog.import.no_download"), NULL);
    }
    if (rc < 0 || len > IMP_FILE_MAX) {
        if (data)
            walor_free(c, data);
        return walor_reply(c, walor_text(c, rc < 0 ? "catalog.import.download_failed" : "catalog.import.too_big"),
                           NULL);
    }
    rc = import_bytes(c, fname, data, len);
    walor_free(c, data);
    return rc;
}

static int32_t imp_callback(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "export"))
        return do_export(c);
    if (!strcmp(arg, "apply")) {
        catalog_imp_plan pl;
        json_t *j = json_object_get(walor_conv_data(c), "plan");
        if (!j || catalog_imp_plan_from_json(j, &pl) != 0)
            return walor_reply(c, walor_text(c, "catalog.import.not_doc"), NULL);
        int64_t gone = 0;
        size_t cats = 0;
        int32_t rc = apply_plan(c, &pl, &gone, &cats);
        size_t nnew = pl.n_new, nch = pl.n_changed;
        catalog_imp_plan_free(&pl);
        if (rc == WALOR_ENOTFOUND) {
            json_object_del(walor_conv_data(c), "plan");
            return walor_reply(c, walor_textf(c, "catalog.import.gone", "id",
                                              walor_ctx_printf(c, "%lld", (long long)gone), NULL),
                               NULL);
        }
        if (rc < 0)
            return rc;
        walor_log(c, WALOR_LOG_INFO, "catalog: import applied: %zu new, %zu changed, %zu categories", nnew, nch, cats);
        walor_conv_end(c);
        walor_answer(c, walor_text(c, "catalog.import.btn.apply"));
        return walor_reply(c, walor_textf(c, "catalog.import.done", "new", imp_num(c, nnew), "changed",
                                          imp_num(c, nch), "cats", imp_num(c, cats), NULL),
                           NULL);
    }
    /* cancel */
    walor_conv_end(c);
    walor_reply(c, walor_text(c, "catalog.import.cancelled"), NULL);
    return walor_show_admin_menu(c);
}

static int32_t imp_confirm_message(walor_ctx *c, const char *text)
{
    if (json_object_get(json_object_get(walor_update(c), "message"), "document"))
        return imp_message(c, text); /* another file replaces the plan */
    return walor_reply(c, walor_text(c, "catalog.import.press"), NULL);
}

static int32_t imp_menu(walor_ctx *c) { return walor_conv_start(c, "import", NULL, NULL); }

static const walor_conv_state IMP_STATES[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "file", .on_enter = imp_ask, .on_message = imp_message,
     .on_callback = imp_callback},
    {.struct_size = sizeof(walor_conv_state), .name = "confirm", .on_message = imp_confirm_message,
     .on_callback = imp_callback},
};

static const char IMP_HELP[] =
    "<b>📥 Импорт и 📤 экспорт каталога</b> (только владелец)\n"
    "Админ-панель → «📥 Импорт / 📤 Экспорт». «📤 Выгрузить» присылает каталог файлом .xlsx: одна строка на "
    "вариант, столбцы <i>ID товара, Категория, Название, Описание, Вариант, Цена, ₽, Вес, г, Скидка, %, Скрыт, "
    "Фото</i>. Измените файл (новые товары — с пустым ID) и пришлите его обратно (.xlsx или .csv): бот покажет, "
    "сколько товаров новых, сколько изменится и какие строки с ошибками. Пока есть ошибки, ничего не меняется; "
    "изменения записываются целиком только после «✅ Применить».";

int32_t catalog_import_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_OWNER, .where = WALOR_MENU_ADMIN,
                                 .order = 210, .id = "import", .label = "📥 Импорт / 📤 Экспорт", .on_press = imp_menu,
                                 .group = WALOR_MENU_GROUP_GOODS};
    const walor_conv_def conv = {.struct_size = sizeof conv, .min_role = WALOR_ROLE_OWNER, .name = "import",
                                 .states = IMP_STATES, .nstates = 2, .timeout_s = 3600};
    int32_t rc = walor_menu(p, &menu);
    if (!rc)
        rc = walor_conversation(p, &conv);
    for (size_t i = 0; !rc && i < sizeof IMP_TEXTS / sizeof IMP_TEXTS[0]; i++)
        rc = walor_text_default(p, IMP_TEXTS[i][0], IMP_TEXTS[i][1]);
    if (!rc)
        rc = walor_help(p, "📥 Импорт и экспорт каталога", IMP_HELP, WALOR_ROLE_OWNER);
    return rc;
}
