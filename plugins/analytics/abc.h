/* analytics: ABC analysis, pure (unit-tested in
 * tests/unit/plugins/analytics/test_analytics_abc.c).
 *
 * Items sorted by revenue, largest first (ties by key, so the order is
 * stable); A are the items needed to reach 80 % of the revenue, B those
 * needed for the next 15 % (to 95 %), C the rest and everything that sold
 * nothing. "Needed" means an item belongs to a class while the revenue
 * BEFORE it is still below the class's bound: the first item is always A,
 * and a single item with all the revenue is A, not C. */
#ifndef ANALYTICS_ABC_H
#define ANALYTICS_ABC_H

#include <stddef.h>
#include <stdint.h>

#define AN_ABC_A_PCT 80
#define AN_ABC_B_PCT 95   /* A + B */

typedef struct an_abc_item {
    int64_t key1, key2;     /* product id, variant number: the tie order */
    int64_t revenue;        /* kopecks, may be 0 (or negative after refunds: treated as 0) */
    int64_t cum_before;     /* filled: revenue of the items before this one */
    char cls;               /* filled: 'A', 'B' or 'C' */
} an_abc_item;

/* Sort items[0..n) and classify them; *total gets the revenue of all
 * (negative revenues counted as 0). */
void an_abc_classify(an_abc_item *items, size_t n, int64_t *total);

#endif
