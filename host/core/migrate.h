/* Every migration of the host's own tables, in one call (migrate.c). */
#ifndef WH_MIGRATE_H
#define WH_MIGRATE_H

#include <stdint.h>

#include "db.h"

/* host.core, host.inbox, host.msgq, host.jobs, host.events and host.storage on db —
 * what walord applies at start, spread over its modules. walorctl restore
 * runs it on a scratch database to learn the versions this build knows.
 * 0 or a negative WALOR_E* (wh_last_error). */
int32_t wh_host_migrate_all(wh_db *db);

#endif
