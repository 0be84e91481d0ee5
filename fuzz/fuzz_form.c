/* (e) The bulk form parser: first byte = flags, the rest = text. */
#include "form.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint32_t flags = data[0] & 0x7u; /* AMOUNT | NEGATIVE | ZERO */
    char *text = fuzz_cstr(data + 1, size - 1);
    walor_form_line *out = NULL;
    uint32_t n = 0;
    char *errors = NULL;
    int32_t rc = wh_form_parse(text, flags, &out, &n, &errors);
    if (rc == 0) {
        /* every line is well formed per the flags asked for */
        if (n > WH_FORM_MAX_LINES || (n && !out))
            abort();
        for (uint32_t i = 0; i < n; i++) {
            if (out[i].struct_size != sizeof(walor_form_line) || out[i].line == 0)
                abort();
            if (!(flags & WALOR_FORM_NEGATIVE) && out[i].qty < 0)
                abort();
            if (!(flags & WALOR_FORM_ZERO) && out[i].qty == 0)
                abort();
            if (!(flags & WALOR_FORM_AMOUNT) && out[i].amount != 0)
                abort();
        }
    } else if (rc == WALOR_EINVAL) {
        if (out)
            abort(); /* documented: nothing is half-parsed */
    }
    free(out);
    free(errors);
    free(text);
    return 0;
}
