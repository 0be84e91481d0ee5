#ifndef WH_SCHEMA_H
#define WH_SCHEMA_H

#include <stdint.h>

#include "db.h"

int32_t wh_schema_migrate(wh_db *db);

/* Every migration of the host's own (host.core, host.inbox, host.jobs,
 * host.events, host.storage) on db: what walord applies at start. walorctl
 * restore runs it on a scratch database to learn the versions this build
 * knows. */
int32_t wh_schema_migrate_host(wh_db *db);

#endif
