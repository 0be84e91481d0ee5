/* The host's migrations in one place (migrate.h): each module keeps its own
 * list and applies it when it starts; this file, at the top of the layers,
 * calls them all for a database no walord runs on. */
#include "migrate.h"

#include "inbox.h"
#include "msgq.h"
#include "ops.h"
#include "schema.h"
#include "scheduler.h"

int32_t wh_host_migrate_all(wh_db *db)
{
    int32_t rc = wh_schema_migrate(db);
    if (rc >= 0)
        rc = wh_inbox_migrate(db);
    if (rc >= 0)
        rc = wh_msgq_migrate(db);
    if (rc >= 0)
        rc = wh_sched_migrate(db);
    if (rc >= 0)
        rc = wh_events_migrate(db);
    if (rc >= 0)
        rc = wh_storage_migrate(db);
    return rc;
}
