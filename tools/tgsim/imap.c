#include "imap.h"

#include <stdlib.h>

static size_t slot_of(int64_t key, size_t cap)
{
    /* splitmix64 finaliser: user ids are sequential, which would cluster. */
    uint64_t x = (uint64_t)key;
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27; x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (size_t)x & (cap - 1);
}

void *tgsim_imap_get(const tgsim_imap *m, int64_t key)
{
    if (m->cap == 0)
        return NULL;
    for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].val)
            return NULL;
        if (m->slots[i].key == key)
            return m->slots[i].val;
    }
}

static int grow(tgsim_imap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    tgsim_imap_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].val)
            continue;
        size_t j = slot_of(m->slots[i].key, ncap);
        while (ns[j].val)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int tgsim_imap_put(tgsim_imap *m, int64_t key, void *val)
{
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) != 0)
        return -1;
    size_t i = slot_of(key, m->cap);
    while (m->slots[i].val && m->slots[i].key != key)
        i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].val)
        m->count++;
    m->slots[i].key = key;
    m->slots[i].val = val;
    return 0;
}

void tgsim_imap_clear(tgsim_imap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}
