/* (d) The Telegram webhook body: one Update object per POST, parsed as
 * host/http/http.c does (wh_tg_parse_update: the body is not
 * NUL-terminated and may contain NUL bytes; one that does not parse but
 * names its update_id becomes a stand-in the inbox sets aside), then the
 * same update path as fuzz_update. */
#include "fuzz_common.h"
#include "tg_parse.h"

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
    json_t *u = wh_tg_parse_update((const char *)data, size);
    if (!u)
        return 0;
    if (!json_is_object(u) || !json_is_integer(json_object_get(u, "update_id")))
        abort(); /* documented: an update object, or NULL */
    json_t *batch = json_array();
    json_array_append(batch, u);
    fuzz_update_path(batch);
    json_decref(batch);
    json_decref(u);
    return 0;
}
