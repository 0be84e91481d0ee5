/* Excel / CSV import and export of the catalog (F-CAT-07).
 *
 * The file format — one row per variant, header in row 1, sheet "Каталог":
 *
 *   ID товара | Категория | Название | Описание | Вариант | Цена, ₽ | Вес, г | Скидка, % | Скрыт | Фото
 *
 *   - ID товара: empty = a new product; otherwise an existing product's ID.
 *   - Категория: a path "Уход / Лицо" (segments split on '/', trimmed,
 *     matched case-insensitively with ё = е); missing categories are
 *     created (visible). "/" alone is the catalog root.
 *   - Вариант: empty = a product without variants (then one row only, and
 *     no weight: the model keeps weight per variant).
 *   - Цена, ₽: roubles as typed ("1 500,50", "1500.5"), > 0.
 *   - Вес, г: whole grams, empty = 0 (unknown).  Скидка, %: 0–99, empty = 0.
 *   - Скрыт: 1/0 (also да/нет), empty = 0.
 *   - Фото: a Telegram file_id or an http(s) URL (→ image_url); empty =
 *     unchanged.
 * Rows of one product: the same ID, or for new products the same Категория
 * and Название. Product fields (category, name, description, discount,
 * hidden, photo) may be repeated on every row or left empty after the
 * first; a different value is an error. A column that is absent from the
 * header leaves that field unchanged (ID товара, Категория, Название and
 * Цена are required).
 *
 * Two layers:
 *   - pure (import_fields.c, import_plan.c; no host calls;
 *     tests/unit/plugins/catalog/test_catalog_import.c): a snapshot of
 *     the current catalog (catalog_imp_catalog) + a grid (xlsx_read.h) → a plan
 *     (new / changed products, Russian errors with row numbers); a plan ↔
 *     JSON; the snapshot → export cells (xlsx_write.h);
 *   - host glue: the snapshot and the transaction that applies a plan
 *     (import_apply.c), the owner's admin screen, the conversation, the
 *     export (import.c). */
#ifndef WALOR_CATALOG_IMPORT_H
#define WALOR_CATALOG_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "xlsx_read.h"
#include "xlsx_write.h"

#define CATALOG_IMP_NAME_MAX 200        /* code points of a product name */
#define CATALOG_IMP_DESC_MAX 16384      /* bytes of a description */
#define CATALOG_IMP_CAT_DEPTH 16        /* category path segments */
#define CATALOG_IMP_ERRORS_KEPT 1000    /* error lines kept (the count is exact) */
#define CATALOG_IMP_PREVIEW_ERRORS 20   /* error lines shown in the preview */

/* ---- the current catalog, as the planner sees it ---- */

typedef struct catalog_imp_cur_variant {
    int64_t no;
    const char *label;
    int64_t price, weight;
} catalog_imp_cur_variant;

typedef struct catalog_imp_cur_product {
    int64_t id;
    const char *category;      /* path "Уход / Лицо", "/" = the root */
    const char *name, *description;
    const char *photo_file_id; /* NULL or "" = none */
    const char *image_url;     /* NULL or "" = none */
    int64_t price;             /* kopecks; used when nv == 0 */
    int64_t discount;
    int hidden;
    const catalog_imp_cur_variant *v; /* in display order */
    size_t nv;
} catalog_imp_cur_product;

typedef struct catalog_imp_catalog {
    const catalog_imp_cur_product *p; /* sorted by id, ascending */
    size_t np;
    const char *const *catalog_paths; /* every existing category's path */
    size_t ncat;
} catalog_imp_catalog;

/* ---- the plan ---- */

/* what a changed product changes (the preview lists them) */
#define CATALOG_IMP_CH_CATEGORY 0x01u
#define CATALOG_IMP_CH_NAME     0x02u
#define CATALOG_IMP_CH_DESC     0x04u
#define CATALOG_IMP_CH_VARIANTS 0x08u /* labels, prices, weights, order, or the single price */
#define CATALOG_IMP_CH_DISCOUNT 0x10u
#define CATALOG_IMP_CH_HIDDEN   0x20u
#define CATALOG_IMP_CH_PHOTO    0x40u

/* which fields the file sets (its column is present; for the photo: not empty) */
#define CATALOG_IMP_SET_CATEGORY 0x01u
#define CATALOG_IMP_SET_DESC     0x04u
#define CATALOG_IMP_SET_DISCOUNT 0x10u
#define CATALOG_IMP_SET_HIDDEN   0x20u
#define CATALOG_IMP_SET_PHOTO    0x40u
#define CATALOG_IMP_SET_WEIGHT   0x80u

typedef struct catalog_imp_variant {
    char *label;
    int64_t price, weight;
} catalog_imp_variant;

typedef struct catalog_imp_product {
    int64_t id;           /* 0 = new */
    uint32_t row;         /* first row (1-based, as in Excel) */
    uint32_t set;         /* CATALOG_IMP_SET_* */
    uint32_t changes;     /* CATALOG_IMP_CH_* (existing products) */
    char *category;       /* normalised path "A / B", "/" = root */
    char *name, *description;
    char *photo;          /* file_id or URL; NULL = unchanged */
    int photo_is_url;
    int64_t discount;
    int hidden;
    int64_t price;        /* kopecks when nv == 0 */
    catalog_imp_variant *v;
    size_t nv;            /* 0 = a product without variants */
} catalog_imp_product;

typedef struct catalog_imp_plan {
    catalog_imp_product *p;   /* new and changed products only, in file order */
    size_t np;
    size_t n_new, n_changed, n_same;
    size_t n_new_categories;
    char **errors;        /* "строка N: …", at most CATALOG_IMP_ERRORS_KEPT */
    size_t nerr_kept, nerr; /* nerr: every error found */
    size_t rows;          /* data rows read (not counting blank ones) */
} catalog_imp_plan;

/* Plans the import of grid g against the catalog cur. Always fills *plan
 * (free with catalog_imp_plan_free); when plan->nerr > 0 the plan has no
 * products (np == 0: an import with any error changes nothing).
 * 0, or -1 on out of memory. */
int catalog_imp_plan_make(const catalog_grid *g, const catalog_imp_catalog *cur, catalog_imp_plan *plan);
void catalog_imp_plan_free(catalog_imp_plan *plan);

/* A plan's products as JSON (kept in the conversation between the preview
 * and the confirmation) and back. _from_json: 0, or -1 on a malformed
 * document. */
json_t *catalog_imp_plan_to_json(const catalog_imp_plan *plan);
int catalog_imp_plan_from_json(const json_t *j, catalog_imp_plan *plan);

/* Splits a category path into trimmed segments: "Уход / Лицо" → 2.
 * "/" (or "") → 0 = the root. Segments point into buf (a copy of path,
 * room for strlen(path) + 1). -1 when a segment is empty ("Уход //Лицо")
 * or there are more than max. */
int catalog_imp_path_split(const char *path, char *buf, const char **seg, int max);

/* The export: the header + one row per variant (one row for a product
 * without variants), in the import format. *cells: CATALOG_IMP_NCOLS * *nrows
 * cells, malloc'd (free()); their strings point into cur. 0, or -1 on out
 * of memory. */
#define CATALOG_IMP_NCOLS 10
extern const catalog_xlsx_col CATALOG_IMP_COLS[CATALOG_IMP_NCOLS];
int catalog_imp_export_cells(const catalog_imp_catalog *cur, catalog_xlsx_cell **cells, size_t *nrows);

/* ---- what the planner reads from a cell (import_fields.c) ---- */

/* the columns, in CATALOG_IMP_COLS order */
enum {
    CATALOG_IMP_COL_ID, CATALOG_IMP_COL_CAT, CATALOG_IMP_COL_NAME, CATALOG_IMP_COL_DESC,
    CATALOG_IMP_COL_VAR, CATALOG_IMP_COL_PRICE, CATALOG_IMP_COL_WEIGHT, CATALOG_IMP_COL_DISC, CATALOG_IMP_COL_HIDDEN, CATALOG_IMP_COL_PHOTO
};

/* the plan's error list: every error counted, the first CATALOG_IMP_ERRORS_KEPT kept */
typedef struct catalog_imp_errs {
    catalog_imp_plan *pl;
    int oom;
} catalog_imp_errs;
__attribute__((format(printf, 3, 4))) void catalog_imp_err(catalog_imp_errs *e, size_t row, const char *fmt, ...);

char *catalog_imp_strdup(const char *s);     /* malloc'd; NULL as "" */
int catalog_imp_blank(unsigned char ch);      /* space, tab, CR, LF */
char *catalog_imp_trim(const char *s);        /* malloc'd, trimmed (NBSP too), CRLF → LF */
char *catalog_imp_fold(const char *s);        /* malloc'd catalog_fold */
/* code points of valid UTF-8 without control characters, or -1 */
long catalog_imp_text_len(const char *s, int allow_newlines);
/* the user's text inside «…» in an error: at most 40 code points */
void catalog_imp_quote(const char *s, char *out, size_t outlen);
/* field parsers: 0 ok, -1 bad */
int catalog_imp_uint(const char *s, int64_t max, int64_t *out, int allow_suffix_g, int allow_pct);
int catalog_imp_bool(const char *s, int *out);
int catalog_imp_is_url(const char *s);
int catalog_imp_photo_ok(const char *s);     /* a file_id or an http(s) URL */
char *catalog_imp_path_join(const char *const *seg, int n); /* "Уход / Лицо", malloc'd */
char *catalog_imp_path_key(const char *path, int *bad);     /* folded, for comparing; malloc'd */

/* ---- the host side (import_apply.c) ---- */

typedef struct walor_ctx walor_ctx;
/* the current catalog as the planner sees it (arena) */
int32_t catalog_imp_snapshot(walor_ctx *c, catalog_imp_catalog *out);
/* the plan in one transaction; *gone: a product that was deleted meanwhile
 * (nothing applied then), *cats_created: categories made for its paths */
int32_t catalog_imp_apply(walor_ctx *c, const catalog_imp_plan *pl, int64_t *gone, size_t *cats_created);

#endif
