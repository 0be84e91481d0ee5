/* STUB — replaced by operations. */
#include "api_slots.h"
#include "error.h"
#include "services.h"
int wh_ops_start(uv_loop_t *loop, wh_db *db) { (void)loop; (void)db; return 0; }
void wh_ops_stop(void) {}
void wh_ops_fill(walor_host_api *api) { (void)api; }
#include "report.h"
void wh_report_failure(walor_ctx *c, const char *plugin, const char *where, const char *error)
{
    (void)c; (void)plugin; (void)where; (void)error;
}
int32_t wh_ops_register(walor_plugin *core) { (void)core; return 0; }
