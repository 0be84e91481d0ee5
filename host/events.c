/* STUB — replaced by events and services. */
#include "api_slots.h"
#include "error.h"
#include "services.h"
int wh_events_start(uv_loop_t *loop, wh_db *db) { (void)loop; (void)db; return 0; }
void wh_events_stop(void) {}
void wh_events_kick(void) {}
int wh_services_resolve(void) { return 0; }
void wh_events_fill(walor_host_api *api) { (void)api; }
