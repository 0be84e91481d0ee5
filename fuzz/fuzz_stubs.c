/* walord's process globals live in host/core/main.c, which the fuzzers do not
 * link; a few host sources refer to them. */
#include <stdint.h>

#include "host.h"

wh_host wh_g;
int64_t wh_now(void) { return 1700000000; }
