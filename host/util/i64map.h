/* int64 key -> pointer hash map (open addressing, linear probing).
 *
 * Shared by the worker pool (chat -> queue of jobs) and the Telegram outbox
 * (chat -> queue of requests): both need O(1) lookup by chat id on every
 * submit. Not thread-safe; the owner holds its own lock. */
#ifndef WH_I64MAP_H
#define WH_I64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct wh_i64map_slot {
    int64_t key;
    void *val; /* NULL marks an empty slot, so values are never NULL */
} wh_i64map_slot;

typedef struct wh_i64map {
    wh_i64map_slot *slots;
    size_t cap; /* power of two, or 0 before the first put */
    size_t len;
} wh_i64map;

void wh_i64map_init(wh_i64map *m);
void wh_i64map_free(wh_i64map *m);
void *wh_i64map_get(const wh_i64map *m, int64_t key);
int wh_i64map_put(wh_i64map *m, int64_t key, void *val); /* 0, or -1 out of memory; val != NULL */
void *wh_i64map_del(wh_i64map *m, int64_t key);          /* the removed value or NULL */

#endif
