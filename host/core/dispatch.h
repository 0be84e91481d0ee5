#ifndef WH_DISPATCH_H
#define WH_DISPATCH_H

#include <jansson.h>

#include "ctx.h"

/* handles one stored update on a worker and marks it done in the inbox */
void wh_dispatch_update(wh_worker *w, json_t *update);

/* Updates a worker held because the database could not be written
 * (host/db/storage.h): stored in the inbox, not handled, not done. The
 * host takes them back (a JSON array, in the order they were held; NULL
 * when none) to queue them again once writes work, or at a stop. Any
 * thread. */
json_t *wh_dispatch_take_held(void);

#endif
