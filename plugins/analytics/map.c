/* analytics: the two-int64 hash index (map.h). */
#include <stdlib.h>

#include "map.h"

static size_t hash(int64_t k1, int64_t k2)
{
    uint64_t h = (uint64_t)k1 * 0x9E3779B97F4A7C15ULL ^ ((uint64_t)k2 + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
    return (size_t)(h ^ (h >> 29));
}

static int grow(an_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    an_map_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].idx1)
            continue;
        size_t j = hash(m->slots[i].k1, m->slots[i].k2) & (cap - 1);
        while (s[j].idx1)
            j = (j + 1) & (cap - 1);
        s[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    return 0;
}

int64_t an_map_get(const an_map *m, int64_t k1, int64_t k2)
{
    if (!m->cap)
        return -1;
    for (size_t j = hash(k1, k2) & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        if (!m->slots[j].idx1)
            return -1;
        if (m->slots[j].k1 == k1 && m->slots[j].k2 == k2)
            return (int64_t)m->slots[j].idx1 - 1;
    }
}

int64_t an_map_put(an_map *m, int64_t k1, int64_t k2, int *added)
{
    if (added)
        *added = 0;
    if ((size_t)(m->n + 1) * 2 > m->cap && grow(m) < 0)
        return -1;
    size_t j = hash(k1, k2) & (m->cap - 1);
    while (m->slots[j].idx1) {
        if (m->slots[j].k1 == k1 && m->slots[j].k2 == k2)
            return (int64_t)m->slots[j].idx1 - 1;
        j = (j + 1) & (m->cap - 1);
    }
    if (m->n == UINT32_MAX - 1)
        return -1;
    m->slots[j] = (an_map_slot){k1, k2, ++m->n};
    if (added)
        *added = 1;
    return (int64_t)m->n - 1;
}

void an_map_free(an_map *m)
{
    free(m->slots);
    *m = (an_map){0};
}
