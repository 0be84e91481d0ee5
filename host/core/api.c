/* Assembles the host API table from the slots each module provides. The
 * table is built once; its layout is frozen by sdk/include/walor/api.h
 * and guarded by the ABI check, so only this file knows all of it. */
#include <stdlib.h>
#include <string.h>

#include "api_slots.h"
#include "error.h"
#include "register.h"
#include "registry.h"

static walor_host_api table;
static int built;

static void host_free(void *p) { free(p); }

const walor_host_api *wh_api(void)
{
    if (!built) {
        table.struct_size = (uint32_t)sizeof table;
        table.major = WALOR_SDK_MAJOR;
        table.minor = WALOR_SDK_MINOR;
        table.strerror = wh_strerror;
        table.last_error = wh_last_error;
        table.free = host_free;
        wh_register_fill(&table);
        wh_ctxapi_fill(&table);
        wh_texts_fill(&table);
        wh_msg_fill(&table);
        wh_conv_fill(&table);
        wh_settings_fill(&table);
        wh_dbapi_fill(&table);
        wh_menu_fill(&table);
        wh_sched_fill(&table);
        wh_events_fill(&table);
        wh_http_fill(&table);
        wh_ops_fill(&table);
        wh_form_fill(&table);
        wh_files_fill(&table);
        wh_httpc_fill(&table);
        wh_steps_fill(&table);
        wh_list_fill(&table);
        wh_httpa_fill(&table);
        wh_users_fill(&table);
        built = 1;
    }
    return &table;
}
