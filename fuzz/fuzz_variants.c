/* The catalog's variant list parser (plugins/catalog/variants.c) on any
 * text staff could type: never crashes, and the documented contract holds —
 * nothing is half-parsed, and what is accepted is within the limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "variants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    catalog_variant *v = NULL;
    size_t n = 0;
    char *errors = NULL;
    int rc = catalog_variants_parse(text, &v, &n, &errors);
    if (rc == CATALOG_OK) {
        if (!v || n == 0 || n > CATALOG_VARIANTS_MAX || errors)
            abort();
        for (size_t i = 0; i < n; i++) {
            if (!v[i].label[0] || v[i].price_kop <= 0 || v[i].price_kop > CATALOG_PRICE_MAX_KOP ||
                v[i].weight_g < 0 || v[i].weight_g > CATALOG_VARIANT_WEIGHT_MAX || strchr(v[i].label, ':'))
                abort();
            for (size_t j = 0; j < i; j++)
                if (strcmp(v[i].label, v[j].label) == 0)
                    abort(); /* duplicates are errors */
        }
    } else if (rc == CATALOG_EINVAL) {
        if (v || n || !errors || !errors[0])
            abort();
    }
    /* the price parser alone, on the same bytes */
    int64_t kop = -1;
    if (catalog_price_parse(text, &kop) == CATALOG_PRICE_OK && (kop < 0 || kop > CATALOG_PRICE_MAX_KOP))
        abort();
    catalog_variants_free(v, n);
    free(errors);
    free(text);
    return 0;
}
