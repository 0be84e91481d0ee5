/* STUB — replaced by operations. */
#include "api_slots.h"
#include "error.h"
#include "services.h"
int wh_ops_start(uv_loop_t *loop, wh_db *db) { (void)loop; (void)db; return 0; }
void wh_ops_stop(void) {}
void wh_ops_fill(walor_host_api *api) { (void)api; }
