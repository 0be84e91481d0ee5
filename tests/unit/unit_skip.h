/* Skips that ctest reports as skipped. cmocka's skip() counts as a pass in
 * the executable's exit code, so a test that could not run (a tool missing
 * here) would show as "Passed". A test calls UNIT_SKIP(why) instead, and
 * main() returns unit_result(failed): the failures, or 77 when nothing
 * failed but something was skipped, which tests/unit/CMakeLists.txt declares
 * as every unit test's SKIP_RETURN_CODE. Features: infra */
#ifndef WALOR_UNIT_SKIP_H
#define WALOR_UNIT_SKIP_H

#include <stdio.h>

static int unit_skipped;

#define UNIT_SKIP(why)                         \
    do {                                       \
        unit_skipped++;                        \
        fprintf(stderr, "skipped: %s\n", why); \
        skip();                                \
    } while (0)

static inline int unit_result(int failed) { return failed ? failed : unit_skipped ? 77 : 0; }

#endif
