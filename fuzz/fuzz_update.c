/* (a) Update JSON as it comes from getUpdates: the "result" array (or one
 * update) → wh_update_chat_id / wh_update_kind → inbox store/dedup on an
 * in-memory DB → pending/attempt/done. */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    wh_log_set_level(WH_LOG_ERROR + 1); /* the inbox warns about every bad element */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    /* tg_http.c parses whole answers with flags 0 */
    json_t *j = json_loadb((const char *)data, size, 0, &jerr);
    if (!j)
        return 0;
    json_t *updates = NULL;
    if (json_is_array(j)) {
        updates = json_incref(j);
    } else if (json_is_object(j) && json_is_array(json_object_get(j, "result"))) {
        updates = json_incref(json_object_get(j, "result")); /* {"ok":true,"result":[...]} */
    } else {
        updates = json_array();
        json_array_append(updates, j);
    }
    fuzz_update_path(updates);
    json_decref(updates);
    json_decref(j);
    return 0;
}
