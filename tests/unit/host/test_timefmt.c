/* Dates as the shop's people read them (host/util/timefmt.c, the slot
 * walor_time_format): strftime in the shop's zone with Russian names of
 * days and months, and the limits of the output.
 *
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

#define MON_5_JAN_2026_15H 1767614400 /* 12:00 UTC, 15:00 in Moscow */

static const char *fmt(int64_t t, const char *f)
{
    static char buf[256];
    wh_time_format(buf, sizeof buf, t, f);
    return buf;
}

static void test_zone_and_numbers(void **state)
{
    (void)state;
    assert_string_equal(fmt(MON_5_JAN_2026_15H, "%d.%m.%Y %H:%M"), "05.01.2026 15:00");
    assert_string_equal(fmt(MON_5_JAN_2026_15H - 15 * 3600 - 1, "%d.%m %H:%M:%S"), "04.01 23:59:59");
    assert_string_equal(fmt(MON_5_JAN_2026_15H, "100%% %-d"), "100% 5");
}

static void test_russian_names(void **state)
{
    (void)state;
    assert_string_equal(fmt(MON_5_JAN_2026_15H, "%a, %-d %B"), "пн, 5 января");
    assert_string_equal(fmt(MON_5_JAN_2026_15H, "%A"), "понедельник");
    assert_string_equal(fmt(MON_5_JAN_2026_15H, "%OB %Y, %b"), "январь 2026, янв");
    /* Sunday 31 May: the week starts at tm_wday 0 */
    assert_string_equal(fmt(MON_5_JAN_2026_15H + 146 * 86400, "%a %A %-d %B %OB"), "вс воскресенье 31 мая май");
    /* %O before another letter is strftime's own */
    assert_string_equal(fmt(MON_5_JAN_2026_15H, "%Om"), "01");
}

static void test_limits(void **state)
{
    (void)state;
    char small[6];
    assert_int_equal(wh_time_format(small, sizeof small, MON_5_JAN_2026_15H, "%d.%m.%Y"), 0); /* does not fit */
    assert_string_equal(small, "");
    char buf[64];
    assert_int_equal(wh_time_format(buf, sizeof buf, MON_5_JAN_2026_15H, "%d.%m"), 5);
    assert_int_equal(wh_time_format(buf, sizeof buf, MON_5_JAN_2026_15H, NULL), 0);
    assert_int_equal(wh_time_format(buf, sizeof buf, INT64_MAX, "%Y"), 0); /* past any year */
    char lots[600];
    memset(lots, 'x', sizeof lots - 1);
    lots[sizeof lots - 1] = '\0';
    assert_int_equal(wh_time_format(buf, sizeof buf, MON_5_JAN_2026_15H, lots), 0);
}

int main(void)
{
    setenv("TZ", "Europe/Moscow", 1); /* what walord does with [walor] timezone */
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_and_numbers),
        cmocka_unit_test(test_russian_names),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
