/* (c) Cron expressions: wh_cron_parse, then wh_cron_next twice from a
 * start time. Input: the expression, optionally followed by "\n<epoch>"
 * (default 1700000000). Runs in a time zone with daylight saving time
 * (Europe/Berlin; FUZZ_CRON_TZ overrides) so DST gaps and overlaps are
 * exercised. Built only once host/sched/cron.c exists (fuzz/CMakeLists.txt). */
#include <stdio.h>
#include <time.h>

#include "cron.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tz = getenv("FUZZ_CRON_TZ");
    setenv("TZ", tz && *tz ? tz : "Europe/Berlin", 1);
    tzset();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = fuzz_cstr(data, size);
    int64_t after = 1700000000;
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        long long v = strtoll(nl + 1, NULL, 10);
        /* 1970 .. 2100: what a shop's clock can show */
        if (v >= 0 && v < 4102444800LL)
            after = v;
    }
    wh_cron c;
    char why[256];
    if (wh_cron_parse(s, &c, why, sizeof why) == 0) {
        int64_t next = wh_cron_next(&c, after);
        /* documented: an accepted expression always fires within ten years,
         * strictly after `after` */
        if (next <= after) {
            fprintf(stderr, "wh_cron_next(\"%s\", %lld) = %lld\n", s, (long long)after, (long long)next);
            abort();
        }
        int64_t again = wh_cron_next(&c, next);
        if (again <= next) {
            fprintf(stderr, "wh_cron_next(\"%s\", %lld) = %lld after %lld\n", s, (long long)next,
                    (long long)again, (long long)next);
            abort();
        }
    }
    free(s);
    return 0;
}
