/* STUB — replaced by the scheduler. */
#include "api_slots.h"
#include "error.h"
#include "services.h"
int wh_sched_start(uv_loop_t *loop, wh_db *db) { (void)loop; (void)db; return 0; }
void wh_sched_stop(void) {}
void wh_sched_clock_moved(void) {}
void wh_sched_fill(walor_host_api *api) { (void)api; }
