/* pay-ecom's provider message readers (plugins/pay-ecom/proto.c) on any
 * body a payment webhook or the provider could send: never crash, and what
 * they extract holds its contract — an id is a non-empty NUL-terminated
 * string that fits, a status is one of the known values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
    if (!j)
        return 0;
    char id[64];
    if (pay_callback_id(j, id, sizeof id) == 0 && (!id[0] || strlen(id) >= sizeof id))
        abort();
    const json_t *st = json_is_object(j) ? json_object_get(j, "status") : j;
    int s = pay_status_of(st);
    if (s < PAY_ST_UNKNOWN || s > PAY_ST_REFUNDED || !pay_status_name(s))
        abort();
    if (json_is_string(st)) {
        int r = pay_receipt_status_of(json_string_value(st));
        if (r < PAY_RCPT_UNKNOWN || r > PAY_RCPT_FAIL)
            abort();
    }
    const char *e = pay_error_text(j);
    if (e)
        (void)strlen(e); /* readable to its end (ASan checks it) */
    pay_invoice_resp inv;
    char idbuf[64];
    if (pay_parse_invoice(j, &inv, idbuf, sizeof idbuf) == 0 && (!inv.id || !*inv.id))
        abort();
    json_decref(j);
    return 0;
}
