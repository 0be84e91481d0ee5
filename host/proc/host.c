/* The process globals (host.h). They live here, not in main.c, so that
 * unit tests and tools link the same definitions walord runs with. */
#include "host.h"

#include <time.h>

wh_host wh_g;

int64_t wh_now(void) { return (int64_t)time(NULL) + atomic_load(&wh_g.clock_offset); }
