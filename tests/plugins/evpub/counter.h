/* The "counter" service evpub provides (1.3) and evsub uses (needs >= 1.2).
 * Minor versions only append members, so a 1.2 consumer reads a 1.3 table. */
#ifndef EVPUB_COUNTER_H
#define EVPUB_COUNTER_H

#include <walor/plugin.h>

typedef struct evpub_counter_v1 {
    uint32_t struct_size;
    int64_t (*rows)(walor_ctx *c);   /* 1.0: rows evpub has written */
    int32_t (*version)(void);        /* 1.3: the minor, for the tests */
} evpub_counter_v1;

#endif
