/* Variant list typed by staff in the product admin card (F-CAT-03), and the
 * rouble amount parser the Excel import shares with it.
 *
 * Pure C, no host calls: unit-tested and fuzzed directly (tests/unit/
 * test_catalog_variants.c, fuzz/fuzz_variants.c).
 *
 * Accepted input — one variant per line:
 *     50 мл:1000:300
 *     100 мл:1 800,50:550
 * or several on one line, separated by commas:
 *     50:1000:300, 100:1800:550
 * (lines and commas may be mixed; blank lines are skipped).
 *
 * Each variant is  Название:Цена[:Вес]
 *   - Название: trimmed, non-empty, at most CATALOG_VARIANT_LABEL_MAX code points
 *     of valid UTF-8, no control characters; no ':' (it separates fields).
 *     Duplicates (exact, after trimming) are an error.
 *   - Цена: roubles, see catalog_price_parse(); must be > 0 (a zero price is
 *     almost always a typo, and a free item is not sold through variants).
 *   - Вес: whole grams, 0 … CATALOG_VARIANT_WEIGHT_MAX, optional "г" suffix and
 *     group spaces. Optional: omitted means 0 = "weight unknown" (delivery
 *     plugins must treat 0 as unknown, not as weightless).
 * Comma ambiguity: a comma between two digits inside the price field with no
 * space after it is a decimal comma ("50:1000,50:300" is 1000,50 ₽); any
 * other comma separates variants. To be unambiguous in the one-line form
 * write kopecks with a dot or put a space after the separating comma.
 *
 * At most CATALOG_VARIANTS_MAX variants. Nothing is half-parsed: on any error the
 * result is empty and the errors list EVERY bad line/item, in Russian, one
 * per line: "строка 2: цена «abc» — не число" (several lines, one variant
 * each), "вариант 3: …" (one line, several variants), "строка 2, вариант 3:
 * …" (both). */
#ifndef WALOR_CATALOG_VARIANTS_H
#define WALOR_CATALOG_VARIANTS_H

#include <stddef.h>
#include <stdint.h>

#define CATALOG_VARIANTS_MAX 20
#define CATALOG_VARIANT_LABEL_MAX 64          /* code points */
#define CATALOG_VARIANT_WEIGHT_MAX 1000000    /* grams: 1 t; more is a typo */
#define CATALOG_PRICE_MAX_KOP 10000000000LL   /* 100 000 000 ₽ */
#define CATALOG_VARIANTS_TEXT_MAX 16384       /* bytes of input accepted */
#define CATALOG_VARIANTS_ERRORS_MAX 30        /* listed errors; then "… и ещё N" */

typedef struct catalog_variant {
    char *label;       /* malloc'd, trimmed UTF-8 */
    int64_t price_kop; /* > 0 */
    int64_t weight_g;  /* >= 0; 0 = not given */
} catalog_variant;

/* Return codes of this module. */
#define CATALOG_OK 0
#define CATALOG_EINVAL (-1) /* bad input: *errors says why */
#define CATALOG_ENOMEM (-2)

/* Parses text. On CATALOG_OK: *out (malloc'd, *n entries, n >= 1) and
 * *errors = NULL. On CATALOG_EINVAL: *out = NULL, *n = 0, *errors = malloc'd
 * Russian text, one error per line, no trailing newline. On CATALOG_ENOMEM all
 * three are cleared. errors may be NULL when the caller does not want it. */
int catalog_variants_parse(const char *text, catalog_variant **out, size_t *n, char **errors);
void catalog_variants_free(catalog_variant *v, size_t n);

/* Price reasons, for catalog_price_reason(). */
enum catalog_price_err {
    CATALOG_PRICE_OK = 0,
    CATALOG_PRICE_EMPTY,     /* "не указана" */
    CATALOG_PRICE_NOT_NUM,   /* "не число" */
    CATALOG_PRICE_NEGATIVE,  /* "отрицательная" */
    CATALOG_PRICE_DECIMALS,  /* "больше двух знаков после запятой" */
    CATALOG_PRICE_TOO_BIG,   /* "слишком большая" */
};

/* Roubles as an owner types them → kopecks: "1500", "1 500", "1500,5",
 * "1500.50", "1 500,50 ₽", "1500 руб", "1500р"; groups split by a space, NBSP,
 * thin or narrow no-break space. Leading/trailing blanks ignored. Zero is
 * accepted here (the caller decides); negatives, more than two decimals,
 * more than CATALOG_PRICE_MAX_KOP and anything else are rejected.
 * Returns CATALOG_PRICE_OK with *kop set, or the reason. */
int catalog_price_parse(const char *s, int64_t *kop);
/* The reason in Russian, to follow "цена «…» — ". Static string. */
const char *catalog_price_reason(int err);

#endif
