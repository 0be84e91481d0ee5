#ifndef WH_DISPATCH_H
#define WH_DISPATCH_H

#include <jansson.h>

#include "ctx.h"

/* handles one stored update on a worker and marks it done in the inbox */
void wh_dispatch_update(wh_worker *w, json_t *update);

#endif
