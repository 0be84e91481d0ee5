/* (f) Telegram HTML (wh_html_check, wh_html_escape, wh_html_strip) and
 * money (wh_money_parse, and wh_money_format → wh_money_parse round trip). */
#include <stdio.h>

#include "arena.h"
#include "fuzz_common.h"
#include "html.h"
#include "money.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);

    size_t vis = 0;
    char why[256];
    int32_t rc = wh_html_check(s, &vis, why, sizeof why);
    (void)rc;

    wh_arena a;
    wh_arena_init(&a);
    char *esc = wh_html_escape(&a, s);
    if (!esc)
        abort();
    /* escaped text is always acceptable Telegram HTML */
    if (wh_html_check(esc, NULL, why, sizeof why) != 0) {
        fprintf(stderr, "escaped text refused: %s\n", why);
        abort();
    }
    char *strip = wh_html_strip(&a, s);
    if (!strip)
        abort();
    wh_arena_free(&a);

    int64_t kop = 0;
    if (wh_money_parse(s, &kop) == 0) {
        if (kop < 0)
            abort(); /* documented: non-negative */
        char buf[WH_MONEY_BUF];
        size_t need = wh_money_format(buf, sizeof buf, kop);
        if (need >= sizeof buf)
            abort();
        int64_t back = -1;
        if (wh_money_parse(buf, &back) != 0 || back != kop) {
            fprintf(stderr, "money round trip: %lld -> \"%s\" -> %lld\n", (long long)kop, buf, (long long)back);
            abort();
        }
    }
    free(s);
    return 0;
}
