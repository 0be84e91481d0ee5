/* STUB — replaced by the HTTP listener. */
#include "api_slots.h"
#include "error.h"
#include "services.h"
int wh_http_start(uv_loop_t *loop) { (void)loop; return 0; }
void wh_http_stop(void) {}
void wh_http_fill(walor_host_api *api) { (void)api; }
