/* analytics: ABC analysis (abc.h). Shares are compared in integers:
 * cum_before < total × pct / 100 ⇔ cum_before × 100 < total × pct, so no
 * rounding decides a class (sums beyond 9·10^16 kopecks are compared in
 * roubles so the products stay inside int64). */
#include <stdint.h>
#include <stdlib.h>

#include "abc.h"

static int64_t rev(const an_abc_item *x) { return x->revenue > 0 ? x->revenue : 0; }

static int by_revenue(const void *a, const void *b)
{
    const an_abc_item *x = a, *y = b;
    if (rev(x) != rev(y))
        return rev(x) > rev(y) ? -1 : 1;
    if (x->key1 != y->key1)
        return x->key1 < y->key1 ? -1 : 1;
    return x->key2 < y->key2 ? -1 : x->key2 > y->key2;
}

void an_abc_classify(an_abc_item *items, size_t n, int64_t *total)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += rev(&items[i]);
    if (n > 1)
        qsort(items, n, sizeof *items, by_revenue);
    int64_t cum = 0, div = sum > INT64_MAX / 100 ? 100 : 1;
    for (size_t i = 0; i < n; i++) {
        items[i].cum_before = cum;
        int64_t c = cum / div * 100, s = sum / div;
        if (rev(&items[i]) == 0)
            items[i].cls = 'C';
        else if (c < s * AN_ABC_A_PCT)
            items[i].cls = 'A';
        else if (c < s * AN_ABC_B_PCT)
            items[i].cls = 'B';
        else
            items[i].cls = 'C';
        cum += rev(&items[i]);
    }
    if (total)
        *total = sum;
}
