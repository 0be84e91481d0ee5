/* Open-addressing hash map from int64 keys to pointers.
 * Users, chats and callback queries are looked up on every Bot API call; a
 * linear scan would make the simulator slower than the bot under benchmark. */
#ifndef TGSIM_IMAP_H
#define TGSIM_IMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct tgsim_imap_slot {
    int64_t key;
    void *val;      /* NULL marks an empty slot; values are never NULL */
} tgsim_imap_slot;

typedef struct tgsim_imap {
    tgsim_imap_slot *slots;
    size_t cap;     /* power of two or 0 */
    size_t count;
} tgsim_imap;

void *tgsim_imap_get(const tgsim_imap *m, int64_t key);
/* Returns -1 on allocation failure. Replaces an existing value. */
int tgsim_imap_put(tgsim_imap *m, int64_t key, void *val);
void tgsim_imap_clear(tgsim_imap *m);

#endif
