/* analytics: a hash index from a key of two int64 (order id; product id
 * and variant) to a dense index 0, 1, 2 … in the order keys were first
 * seen, so that reports aggregate millions of rows into a few arrays.
 * Open addressing, grown ×2 at half load; malloc'd (not in the ctx arena:
 * it lives through a whole report), freed with an_map_free(). Pure,
 * unit-tested in tests/unit/plugins/analytics/test_analytics_map.c. */
#ifndef ANALYTICS_MAP_H
#define ANALYTICS_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct an_map_slot {
    int64_t k1, k2;
    uint32_t idx1;  /* index + 1; 0 = empty */
} an_map_slot;

typedef struct an_map {
    an_map_slot *slots;
    size_t cap;     /* a power of two */
    uint32_t n;     /* keys */
} an_map;

/* The index of (k1, k2), adding it as the next index when new (*added
 * then 1). -1 when out of memory. */
int64_t an_map_put(an_map *m, int64_t k1, int64_t k2, int *added);
/* the index, or -1 when absent */
int64_t an_map_get(const an_map *m, int64_t k1, int64_t k2);
void an_map_free(an_map *m);

#endif
