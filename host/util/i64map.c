#include "i64map.h"

#include <stdlib.h>

void wh_i64map_init(wh_i64map *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->len = 0;
}

void wh_i64map_free(wh_i64map *m)
{
    free(m->slots);
    wh_i64map_init(m);
}

/* chat ids are sequential-ish and negative for groups: mix the bits so
 * neighbours do not form long probe runs */
static size_t hash(int64_t key)
{
    uint64_t x = (uint64_t)key;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return (size_t)x;
}

static wh_i64map_slot *find(const wh_i64map *m, int64_t key)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        wh_i64map_slot *s = &m->slots[i];
        if (!s->val)
            return NULL;
        if (s->key == key)
            return s;
    }
}

void *wh_i64map_get(const wh_i64map *m, int64_t key)
{
    wh_i64map_slot *s = find(m, key);
    return s ? s->val : NULL;
}

static void insert(wh_i64map_slot *slots, size_t cap, int64_t key, void *val)
{
    size_t mask = cap - 1;
    size_t i = hash(key) & mask;
    while (slots[i].val && slots[i].key != key)
        i = (i + 1) & mask;
    slots[i].key = key;
    slots[i].val = val;
}

static int grow(wh_i64map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    wh_i64map_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].val)
            insert(slots, cap, m->slots[i].key, m->slots[i].val);
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int wh_i64map_put(wh_i64map *m, int64_t key, void *val)
{
    wh_i64map_slot *s = find(m, key);
    if (s) {
        s->val = val;
        return 0;
    }
    /* load factor <= 1/2 keeps probe runs short */
    if ((m->len + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    insert(m->slots, m->cap, key, val);
    m->len++;
    return 0;
}

void *wh_i64map_del(wh_i64map *m, int64_t key)
{
    wh_i64map_slot *s = find(m, key);
    if (!s)
        return NULL;
    void *val = s->val;
    size_t mask = m->cap - 1;
    size_t i = (size_t)(s - m->slots);
    /* backward-shift deletion: no tombstones, so lookups stay short after
     * millions of chats have come and gone */
    for (size_t j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
        size_t home = hash(m->slots[j].key) & mask;
        /* move j into the hole at i unless its home lies cyclically in (i, j] */
        int in_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_between) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].val = NULL;
    m->len--;
    return val;
}
