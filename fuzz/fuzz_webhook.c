/* (d) The Telegram webhook body: one Update object per POST. Parsed like
 * the body of a request (not NUL-terminated, may contain NUL bytes), then
 * the same update path as fuzz_update. host/http/http.c exposes no pure body
 * parser yet; when it does, call it here instead of json_loadb. */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    wh_log_set_level(WH_LOG_ERROR + 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20) /* the listener refuses bodies over its limit */
        return 0;
    json_error_t jerr;
    json_t *u = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!u)
        return 0;
    if (json_is_object(u)) {
        json_t *batch = json_array();
        json_array_append(batch, u);
        fuzz_update_path(batch);
        json_decref(batch);
    }
    json_decref(u);
    return 0;
}
