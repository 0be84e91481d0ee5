/* (a) Update JSON as it comes from getUpdates: the answer read update by
 * update as tg_http.c does (wh_tg_parse_updates: NULs allowed, a bad
 * update cut out and kept as a stand-in) or one update as a webhook body
 * (wh_tg_parse_update) → wh_update_chat_id / wh_update_kind → inbox
 * store/dedup/set aside on an in-memory DB → pending/attempt/done. */
#include "fuzz_common.h"
#include "tg_parse.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    wh_log_set_level(WH_LOG_ERROR + 1); /* the inbox warns about every bad element */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[300];
    json_t *updates = wh_tg_parse_updates((const char *)data, size, err, sizeof err);
    if (!updates) {
        json_t *one = wh_tg_parse_update((const char *)data, size);
        if (!one)
            return 0;
        updates = json_array();
        json_array_append_new(updates, one);
    }
    if (!json_is_array(updates))
        abort(); /* documented: the "result" array */
    fuzz_update_path(updates);
    json_decref(updates);
    return 0;
}
