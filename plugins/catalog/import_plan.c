/* Excel / CSV import (import.h): the plan — the rows of a grid grouped into
 * products and compared with the current catalog (new, changed, every error
 * with its row), the plan to JSON and back (it waits in the conversation for
 * ✅), and the export's cells. Pure (no host calls): unit-tested by
 * tests/unit/plugins/catalog/test_catalog_import.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "import.h"
#include "text.h"
#include "variants.h"

/* header aliases (folded), per column */
static const char *const COL_ALIASES[CATALOG_IMP_NCOLS][3] = {
    {"id товара", "id", NULL}, {"категория", NULL, NULL}, {"название", NULL, NULL},
    {"описание", NULL, NULL},  {"вариант", NULL, NULL},   {"цена, ₽", "цена", "цена, руб"},
    {"вес, г", "вес", NULL},   {"скидка, %", "скидка", NULL}, {"скрыт", NULL, NULL},
    {"фото", NULL, NULL},
};

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
    catalog_imp_errs e;
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
        char *v = catalog_imp_trim(imp_cell(P, rows[i].row, col));
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
                catalog_imp_err(&P->e, rows[i].row + 1, "%s отличается от строки %zu того же товара", what, first + 1);
                *bad = 1;
            }
            free(v);
        }
    }
    return val ? val : catalog_imp_strdup("");
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
    char *idt = catalog_imp_trim(imp_cell(P, rows[0].row, CATALOG_IMP_COL_ID));
    if (!idt)
        return -1;
    if (*idt) {
        int64_t id = 0;
        if (catalog_imp_uint(idt, INT64_MAX / 10, &id, 0, 0) != 0 || id <= 0) {
            catalog_imp_quote(idt, q, sizeof q);
            catalog_imp_err(&P->e, row1, "ID товара «%s» — не число", q);
            bad = 1;
        } else if (!(cp = cur_find(P->cur, id))) {
            catalog_imp_err(&P->e, row1, "товара с ID %lld нет в каталоге", (long long)id);
            bad = 1;
        }
        pr.id = id;
    }
    free(idt);

    /* product-level fields */
    pr.category = group_field(P, rows, n, CATALOG_IMP_COL_CAT, "категория", &bad);
    pr.name = group_field(P, rows, n, CATALOG_IMP_COL_NAME, "название", &bad);
    pr.description = group_field(P, rows, n, CATALOG_IMP_COL_DESC, "описание", &bad);
    char *disc = group_field(P, rows, n, CATALOG_IMP_COL_DISC, "скидка", &bad);
    char *hid = group_field(P, rows, n, CATALOG_IMP_COL_HIDDEN, "«Скрыт»", &bad);
    char *photo = group_field(P, rows, n, CATALOG_IMP_COL_PHOTO, "фото", &bad);
    if (!pr.category || !pr.name || !pr.description || !disc || !hid || !photo) {
        free(disc);
        free(hid);
        free(photo);
        product_free(&pr);
        return -1;
    }
    if (P->col[CATALOG_IMP_COL_CAT] >= 0)
        pr.set |= CATALOG_IMP_SET_CATEGORY;
    if (P->col[CATALOG_IMP_COL_DESC] >= 0)
        pr.set |= CATALOG_IMP_SET_DESC;
    if (P->col[CATALOG_IMP_COL_DISC] >= 0)
        pr.set |= CATALOG_IMP_SET_DISCOUNT;
    if (P->col[CATALOG_IMP_COL_HIDDEN] >= 0)
        pr.set |= CATALOG_IMP_SET_HIDDEN;
    if (P->col[CATALOG_IMP_COL_WEIGHT] >= 0)
        pr.set |= CATALOG_IMP_SET_WEIGHT;

    if (!*pr.name) {
        catalog_imp_err(&P->e, row1, "не указано название");
        bad = 1;
    } else {
        long l = catalog_imp_text_len(pr.name, 0);
        if (l < 0) {
            catalog_imp_err(&P->e, row1, "в названии недопустимые символы");
            bad = 1;
        } else if (l > CATALOG_IMP_NAME_MAX) {
            catalog_imp_err(&P->e, row1, "название длиннее %d символов", CATALOG_IMP_NAME_MAX);
            bad = 1;
        }
    }
    if (!*pr.category) {
        if (!cp || P->col[CATALOG_IMP_COL_CAT] >= 0) {
            catalog_imp_err(&P->e, row1, "не указана категория (корень каталога — «/»)");
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
            long l = catalog_imp_text_len(seg[i], 0);
            if (l < 0 || l > CATALOG_IMP_NAME_MAX)
                segbad = 1;
        }
        if (segbad) {
            catalog_imp_quote(pr.category, q, sizeof q);
            catalog_imp_err(&P->e, row1, "категория «%s» — пустая часть пути, недопустимые символы или больше %d уровней", q,
                    CATALOG_IMP_CAT_DEPTH);
            bad = 1;
        } else {
            char *j = catalog_imp_path_join(seg, ns);
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
        catalog_imp_err(&P->e, row1, "описание длиннее %d байт", CATALOG_IMP_DESC_MAX);
        bad = 1;
    } else if (catalog_imp_text_len(pr.description, 1) < 0) {
        catalog_imp_err(&P->e, row1, "в описании недопустимые символы");
        bad = 1;
    }
    if (*disc && catalog_imp_uint(disc, 99, &pr.discount, 0, 1) != 0) {
        catalog_imp_quote(disc, q, sizeof q);
        catalog_imp_err(&P->e, row1, "скидка «%s» — нужно целое число от 0 до 99", q);
        bad = 1;
    }
    if (catalog_imp_bool(hid, &pr.hidden) != 0) {
        catalog_imp_quote(hid, q, sizeof q);
        catalog_imp_err(&P->e, row1, "«Скрыт» «%s» — нужно 1 или 0", q);
        bad = 1;
    }
    if (*photo) {
        if (!catalog_imp_photo_ok(photo)) {
            catalog_imp_quote(photo, q, sizeof q);
            catalog_imp_err(&P->e, row1, "фото «%s» — не file_id Telegram и не ссылка http(s)", q);
            bad = 1;
        } else {
            pr.set |= CATALOG_IMP_SET_PHOTO;
            pr.photo_is_url = catalog_imp_is_url(photo);
            pr.photo = photo;
            photo = NULL;
        }
    }
    free(disc);
    free(hid);
    free(photo);

    /* variants */
    if (n > CATALOG_VARIANTS_MAX) {
        catalog_imp_err(&P->e, row1, "у товара %zu вариантов, больше %d нельзя", n, CATALOG_VARIANTS_MAX);
        bad = 1;
    }
    pr.v = calloc(n, sizeof *pr.v);
    if (!pr.v) {
        product_free(&pr);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i].row, rn = r + 1;
        char *label = catalog_imp_trim(imp_cell(P, r, CATALOG_IMP_COL_VAR));
        char *price = catalog_imp_trim(imp_cell(P, r, CATALOG_IMP_COL_PRICE));
        char *weight = catalog_imp_trim(imp_cell(P, r, CATALOG_IMP_COL_WEIGHT));
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
            catalog_imp_quote(price, q, sizeof q);
            catalog_imp_err(&P->e, rn, "цена «%s» — %s", q, catalog_price_reason(perr));
            bad = 1;
        } else if (kop <= 0) {
            catalog_imp_err(&P->e, rn, "цена должна быть больше нуля");
            bad = 1;
        }
        if (*weight && catalog_imp_uint(weight, CATALOG_VARIANT_WEIGHT_MAX, &grams, 1, 0) != 0) {
            catalog_imp_quote(weight, q, sizeof q);
            catalog_imp_err(&P->e, rn, "вес «%s» — нужно целое число граммов от 0 до %d", q, CATALOG_VARIANT_WEIGHT_MAX);
            bad = 1;
        }
        if (!*label) {
            if (n > 1) {
                catalog_imp_err(&P->e, rn, "не указан вариант (у товара несколько строк)");
                bad = 1;
            } else if (grams > 0) {
                catalog_imp_err(&P->e, rn, "вес указывается только у варианта: заполните «Вариант» или очистите «Вес»");
                bad = 1;
            }
            pr.price = kop;
        } else {
            long l = catalog_imp_text_len(label, 0);
            if (l < 0 || l > CATALOG_VARIANT_LABEL_MAX || strchr(label, ':')) {
                catalog_imp_quote(label, q, sizeof q);
                catalog_imp_err(&P->e, rn, "вариант «%s» — до %d символов, без «:» и служебных символов", q,
                        CATALOG_VARIANT_LABEL_MAX);
                bad = 1;
            }
            for (size_t k = 0; k < pr.nv; k++)
                if (!strcmp(pr.v[k].label, label)) {
                    catalog_imp_quote(label, q, sizeof q);
                    catalog_imp_err(&P->e, rn, "вариант «%s» повторяется у этого товара", q);
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
            char *k1 = catalog_imp_path_key(pr.category, &b1), *k2 = catalog_imp_path_key(cp->category ? cp->category : "/", &b2);
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
        char *k = catalog_imp_path_key(cur->catalog_paths[i], &bad);
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
            char *j = catalog_imp_path_join(seg, d);
            char *k = j ? catalog_imp_fold(j) : NULL;
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
        catalog_imp_err(&P.e, 0, "файл пуст: в первой строке должны быть заголовки столбцов");
        return P.e.oom ? -1 : 0;
    }
    for (size_t c = 0; c < ncols; c++) {
        char *t = catalog_imp_trim(catalog_grid_cell(g, 0, c));
        char *f = t ? catalog_imp_fold(t) : NULL;
        free(t);
        if (!f)
            return -1;
        for (int k = 0; k < CATALOG_IMP_NCOLS; k++)
            for (int a = 0; a < 3 && COL_ALIASES[k][a]; a++)
                if (!strcmp(f, COL_ALIASES[k][a])) {
                    if (P.col[k] >= 0)
                        catalog_imp_err(&P.e, 1, "столбец «%s» встречается дважды", CATALOG_IMP_COLS[k].title);
                    else
                        P.col[k] = (int)c;
                }
        free(f);
    }
    static const int REQUIRED[] = {CATALOG_IMP_COL_CAT, CATALOG_IMP_COL_NAME, CATALOG_IMP_COL_PRICE};
    for (size_t i = 0; i < sizeof REQUIRED / sizeof REQUIRED[0]; i++)
        if (P.col[REQUIRED[i]] < 0)
            catalog_imp_err(&P.e, 1, "нет столбца «%s» (заголовки — в первой строке)", CATALOG_IMP_COLS[REQUIRED[i]].title);
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
                if (!catalog_imp_blank((unsigned char)*v))
                    empty = 0;
        }
        if (empty)
            continue;
        pl->rows++;
        char *id = catalog_imp_trim(imp_cell(&P, r, CATALOG_IMP_COL_ID));
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
            char *name = catalog_imp_trim(imp_cell(&P, r, CATALOG_IMP_COL_NAME));
            char *catp = catalog_imp_trim(imp_cell(&P, r, CATALOG_IMP_COL_CAT));
            int bad = 0;
            char *ck = catp ? catalog_imp_path_key(catp, &bad) : NULL;
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
        catalog_imp_err(&P.e, 0, "в файле нет строк с товарами (только заголовок)");
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
        p->category = catalog_imp_strdup(cat);
        p->name = catalog_imp_strdup(name);
        p->description = catalog_imp_strdup(desc);
        const char *ph = json_string_value(json_object_get(o, "photo"));
        if (ph) {
            p->photo = catalog_imp_strdup(ph);
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
            p->v[k].label = catalog_imp_strdup(label);
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
            row[CATALOG_IMP_COL_ID].num = p->id;
            row[CATALOG_IMP_COL_CAT].text = p->category && *p->category ? p->category : "/";
            row[CATALOG_IMP_COL_NAME].text = p->name ? p->name : "";
            row[CATALOG_IMP_COL_DESC].text = p->description ? p->description : "";
            if (p->nv) {
                row[CATALOG_IMP_COL_VAR].text = p->v[k].label ? p->v[k].label : "";
                row[CATALOG_IMP_COL_PRICE].num = p->v[k].price;
                row[CATALOG_IMP_COL_WEIGHT].num = p->v[k].weight;
            } else {
                row[CATALOG_IMP_COL_VAR].text = "";
                row[CATALOG_IMP_COL_PRICE].num = p->price;
                row[CATALOG_IMP_COL_WEIGHT].text = "";
            }
            row[CATALOG_IMP_COL_DISC].num = p->discount;
            row[CATALOG_IMP_COL_HIDDEN].num = p->hidden ? 1 : 0;
            row[CATALOG_IMP_COL_PHOTO].text = photo;
        }
    }
    *cells = c;
    *nrows = n;
    return 0;
}

