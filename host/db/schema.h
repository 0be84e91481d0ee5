#ifndef WH_SCHEMA_H
#define WH_SCHEMA_H

#include <stdint.h>

#include "db.h"

int32_t wh_schema_migrate(wh_db *db);

#endif
