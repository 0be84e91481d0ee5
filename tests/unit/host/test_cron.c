/* Cron expressions (host/sched/cron.c): parsing, refusals with their reasons,
 * and next fire times across month and year ends, leap years, the
 * day-of-month / day-of-week rule, and DST changes (Europe/Berlin).
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cron.h"

static void zone(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

/* "YYYY-MM-DD HH:MM[:SS]" read as UTC */
static int64_t utc(const char *s)
{
    struct tm tm = {0};
    int sec = 0;
    int n = sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec);
    assert_true(n >= 5);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm);
}

/* the same, read as local time (not for the repeated hour) */
static int64_t local(const char *s)
{
    struct tm tm = {0};
    int sec = 0;
    int n = sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec);
    assert_true(n >= 5);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static char out[64];

static const char *fmt_local(int64_t t)
{
    if (t < 0)
        return "never";
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, sizeof out, "%Y-%m-%d %H:%M %a", &tm);
    return out;
}

static const char *fmt_utc(int64_t t)
{
    if (t < 0)
        return "never";
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, sizeof out, "%Y-%m-%d %H:%M", &tm);
    return out;
}

static wh_cron parse_ok(const char *expr)
{
    wh_cron c;
    char why[200] = "";
    if (wh_cron_parse(expr, &c, why, sizeof why) != 0)
        fail_msg("'%s' refused: %s", expr, why);
    return c;
}

/* next fire of expr after a local time, as local "YYYY-MM-DD HH:MM Ddd" */
static const char *next_local(const char *expr, const char *after)
{
    wh_cron c = parse_ok(expr);
    return fmt_local(wh_cron_next(&c, local(after)));
}

static const char *next_utc(const char *expr, const char *after_utc)
{
    wh_cron c = parse_ok(expr);
    return fmt_utc(wh_cron_next(&c, utc(after_utc)));
}

static void test_basic_fields(void **state)
{
    (void)state;
    zone("UTC");
    assert_string_equal(next_local("* * * * *", "2024-01-01 00:00"), "2024-01-01 00:01 Mon");
    /* strictly after, and whole minutes */
    assert_string_equal(next_local("* * * * *", "2024-01-01 00:00:30"), "2024-01-01 00:01 Mon");
    assert_string_equal(next_local("*/5 * * * *", "2024-01-01 10:07"), "2024-01-01 10:10 Mon");
    assert_string_equal(next_local("*/5 * * * *", "2024-01-01 10:10"), "2024-01-01 10:15 Mon");
    assert_string_equal(next_local("1-10/3 * * * *", "2024-01-01 10:05"), "2024-01-01 10:07 Mon");
    assert_string_equal(next_local("1-10/3 * * * *", "2024-01-01 10:10"), "2024-01-01 11:01 Mon");
    assert_string_equal(next_local("0,30 9-17 * * *", "2024-01-01 17:30"), "2024-01-02 09:00 Tue");
    assert_string_equal(next_local("15 14 * * *", "2024-01-01 14:15"), "2024-01-02 14:15 Tue");
    assert_string_equal(next_local("0 */6 * * *", "2024-01-01 13:00"), "2024-01-01 18:00 Mon");
    assert_string_equal(next_local("5 4 * * *", "2024-01-01 04:04:59"), "2024-01-01 04:05 Mon");
    assert_string_equal(next_local("@hourly", "2024-01-01 10:00"), "2024-01-01 11:00 Mon");
    assert_string_equal(next_local("@daily", "2024-01-01 10:00"), "2024-01-02 00:00 Tue");
    assert_string_equal(next_local("@weekly", "2024-01-01 10:00"), "2024-01-07 00:00 Sun");
    assert_string_equal(next_local("@monthly", "2024-01-01 10:00"), "2024-02-01 00:00 Thu");
    assert_string_equal(next_local("@yearly", "2024-01-01 10:00"), "2025-01-01 00:00 Wed");
    assert_string_equal(next_local("  0  10\t* * *  ", "2024-01-01 10:00"), "2024-01-02 10:00 Tue");
}

static void test_month_and_year_ends(void **state)
{
    (void)state;
    zone("UTC");
    assert_string_equal(next_local("0 0 1 1 *", "2024-12-31 23:59"), "2025-01-01 00:00 Wed");
    assert_string_equal(next_local("* * * * *", "2024-12-31 23:59"), "2025-01-01 00:00 Wed");
    assert_string_equal(next_local("30 23 31 dec *", "2024-12-31 23:30"), "2025-12-31 23:30 Wed");
    /* April and June have no 31st */
    assert_string_equal(next_local("0 0 31 * *", "2024-04-01 00:00"), "2024-05-31 00:00 Fri");
    assert_string_equal(next_local("0 0 31 * *", "2024-05-31 00:00"), "2024-07-31 00:00 Wed");
    assert_string_equal(next_local("0 0 30 * *", "2024-01-30 00:00"), "2024-03-30 00:00 Sat");
    assert_string_equal(next_local("0 0 1 jan-mar *", "2024-03-02 00:00"), "2025-01-01 00:00 Wed");
    assert_string_equal(next_local("0 12 * JUL,Aug *", "2024-01-15 00:00"), "2024-07-01 12:00 Mon");
    assert_string_equal(next_local("59 23 * * *", "2024-02-28 23:59"), "2024-02-29 23:59 Thu");
    assert_string_equal(next_local("59 23 * * *", "2023-02-28 23:59"), "2023-03-01 23:59 Wed");
}

static void test_leap_years(void **state)
{
    (void)state;
    zone("UTC");
    assert_string_equal(next_local("0 12 29 2 *", "2023-03-01 00:00"), "2024-02-29 12:00 Thu");
    assert_string_equal(next_local("0 12 29 2 *", "2024-02-29 12:00"), "2028-02-29 12:00 Tue");
    /* 2100 is not a leap year, 2000 was */
    assert_string_equal(next_local("0 12 29 2 *", "2096-03-01 00:00"), "2104-02-29 12:00 Fri");
    assert_string_equal(next_local("0 0 29 feb *", "1999-01-01 00:00"), "2000-02-29 00:00 Tue");
    /* Feb 29 that is a Sunday: 28 years apart */
    assert_string_equal(next_local("0 0 29 2 */7", "2005-01-01 00:00"), "2032-02-29 00:00 Sun");
}

static void test_day_rules(void **state)
{
    (void)state;
    zone("UTC");
    /* 2024-01-31 is a Wednesday */
    assert_string_equal(next_local("0 0 * * mon", "2024-01-31 00:00"), "2024-02-05 00:00 Mon");
    assert_string_equal(next_local("0 0 * * 1", "2024-01-31 00:00"), "2024-02-05 00:00 Mon");
    /* 0 and 7 are both Sunday */
    assert_string_equal(next_local("0 0 * * 7", "2024-01-01 00:00"), "2024-01-07 00:00 Sun");
    assert_string_equal(next_local("0 0 * * 0", "2024-01-01 00:00"), "2024-01-07 00:00 Sun");
    assert_string_equal(next_local("0 0 * * sun", "2024-01-01 00:00"), "2024-01-07 00:00 Sun");
    assert_string_equal(next_local("0 9 * * mon-fri", "2024-01-05 10:00"), "2024-01-08 09:00 Mon");
    assert_string_equal(next_local("0 9 * * 1-5", "2024-01-06 10:00"), "2024-01-08 09:00 Mon");
    assert_string_equal(next_local("0 9 * * fri-sun", "2024-01-01 00:00"), "2024-01-05 09:00 Fri");
    assert_string_equal(next_local("0 9 * * sat-sun", "2024-01-01 00:00"), "2024-01-06 09:00 Sat");
    assert_string_equal(next_local("0 9 * * mon-sun", "2024-01-06 10:00"), "2024-01-07 09:00 Sun");
    assert_string_equal(next_local("0 9 * * 5-7", "2024-01-07 10:00"), "2024-01-12 09:00 Fri");
    /* both restricted: either one (the 13th OR a Friday) */
    assert_string_equal(next_local("0 0 13 * fri", "2024-09-01 00:00"), "2024-09-06 00:00 Fri");
    assert_string_equal(next_local("0 0 13 * fri", "2024-09-10 00:00"), "2024-09-13 00:00 Fri");
    assert_string_equal(next_local("0 0 13 * fri", "2024-10-11 00:00"), "2024-10-13 00:00 Sun");
    assert_string_equal(next_local("0 0 1 * mon", "2024-01-30 00:00"), "2024-02-01 00:00 Thu");
    /* a '*' in either makes it AND: a Sunday that is the 13th */
    assert_string_equal(next_local("0 0 13 * */7", "2024-09-01 00:00"), "2024-10-13 00:00 Sun");
}

static void test_and_rule_with_star_step(void **state)
{
    (void)state;
    zone("UTC");
    /* day-of-month "*\/10" starts with '*': AND with Monday → days 1, 11,
     * 21, 31 that are Mondays; 2024-01-01 is one, the next is 2024-03-11 */
    assert_string_equal(next_local("0 0 */10 * mon", "2024-01-01 00:00"), "2024-03-11 00:00 Mon");
    /* Feb 30 does not exist but Mondays in Feb do: OR rule, fine */
    assert_string_equal(next_local("0 0 30 2 mon", "2025-01-31 00:00"), "2025-02-03 00:00 Mon");
}

static void test_moscow(void **state)
{
    (void)state;
    zone("Europe/Moscow");
    /* 10:00 in Moscow is 07:00 UTC, all year (no DST since 2014) */
    assert_string_equal(next_utc("0 10 * * *", "2024-06-01 06:59:59"), "2024-06-01 07:00");
    assert_string_equal(next_utc("0 10 * * *", "2024-06-01 07:00"), "2024-06-02 07:00");
    assert_string_equal(next_utc("0 10 * * *", "2024-12-31 08:00"), "2025-01-01 07:00");
    assert_string_equal(next_utc("0 10 * * *", "2024-01-15 07:00"), "2024-01-16 07:00");
    /* midnight in Moscow is 21:00 UTC the day before */
    assert_string_equal(next_utc("0 0 1 * *", "2024-01-15 00:00"), "2024-01-31 21:00");
    assert_string_equal(next_local("0 10 * * *", "2024-06-01 10:00"), "2024-06-02 10:00 Sun");
}

static void test_berlin_dst(void **state)
{
    (void)state;
    zone("Europe/Berlin");
    /* spring forward 2024-03-31: 02:00 CET → 03:00 CEST (01:00 UTC).
     * 02:30 does not exist that day: it runs at the jump, then as usual */
    assert_string_equal(next_utc("30 2 * * *", "2024-03-30 12:00"), "2024-03-31 01:00");
    assert_string_equal(next_utc("30 2 * * *", "2024-03-31 01:00"), "2024-04-01 00:30");
    /* several skipped times collapse into one run */
    wh_cron c = parse_ok("*/15 2 * * *");
    int64_t t = wh_cron_next(&c, utc("2024-03-31 00:50"));
    assert_string_equal(fmt_utc(t), "2024-03-31 01:00");
    assert_string_equal(fmt_utc(wh_cron_next(&c, t)), "2024-04-01 00:00");
    /* 10:00 stays 10:00 on the wall: 09:00 UTC before, 08:00 UTC after */
    assert_string_equal(next_utc("0 10 * * *", "2024-03-30 08:00"), "2024-03-30 09:00");
    assert_string_equal(next_utc("0 10 * * *", "2024-03-30 09:30"), "2024-03-31 08:00");
    /* every minute keeps going across the jump: 01:59 CET, then 03:00 CEST */
    assert_string_equal(next_utc("* * * * *", "2024-03-31 00:58"), "2024-03-31 00:59");
    assert_string_equal(next_utc("* * * * *", "2024-03-31 00:59"), "2024-03-31 01:00");
    assert_string_equal(next_local("0 3 * * *", "2024-03-31 00:00"), "2024-03-31 03:00 Sun");

    /* fall back 2024-10-27: 03:00 CEST → 02:00 CET (01:00 UTC); 02:30
     * happens twice and runs once, at the first */
    assert_string_equal(next_utc("30 2 * * *", "2024-10-26 12:00"), "2024-10-27 00:30");
    assert_string_equal(next_utc("30 2 * * *", "2024-10-27 00:30"), "2024-10-28 01:30");
    /* from inside the second pass the repeated minutes still come */
    assert_string_equal(next_utc("*/15 * * * *", "2024-10-27 01:10"), "2024-10-27 01:15");
    assert_string_equal(next_utc("0 10 * * *", "2024-10-27 07:00"), "2024-10-27 09:00");
}

static void expect_refused(const char *expr, const char *reason)
{
    wh_cron c;
    char why[200] = "";
    if (wh_cron_parse(expr, &c, why, sizeof why) == 0)
        fail_msg("'%s' was accepted", expr ? expr : "(null)");
    if (!strstr(why, reason))
        fail_msg("'%s': reason \"%s\" does not contain \"%s\"", expr ? expr : "(null)", why, reason);
}

static void test_refused(void **state)
{
    (void)state;
    expect_refused(NULL, "no expression");
    expect_refused("", "expected 5 fields");
    expect_refused("   ", "got 0");
    expect_refused("* * * *", "got 4");
    expect_refused("* * * * * *", "got more than 5");
    expect_refused("60 * * * *", "field 1 (minute): 60 is out of range 0-59");
    expect_refused("* 24 * * *", "field 2 (hour): 24 is out of range 0-23");
    expect_refused("* * 0 * *", "field 3 (day of month): 0 is out of range 1-31");
    expect_refused("* * 32 * *", "out of range 1-31");
    expect_refused("* * * 13 *", "field 4 (month): 13 is out of range 1-12");
    expect_refused("* * * 0 *", "out of range 1-12");
    expect_refused("* * * * 8", "field 5 (day of week): 8 is out of range 0-7");
    expect_refused("1-70 * * * *", "70 is out of range 0-59");
    expect_refused("9999 * * * *", "'9999' is not a number");
    expect_refused("*/0 * * * *", "bad step");
    expect_refused("*/60 * * * *", "bad step");
    expect_refused("*/ * * * *", "bad step");
    expect_refused("5/10 * * * *", "a step needs * or a range before it");
    expect_refused("10-5 * * * *", "range 10-5 goes backwards");
    expect_refused("* * * * fri-mon", "range 5-1 goes backwards");
    expect_refused("1,,2 * * * *", "empty list element");
    expect_refused("1, * * * *", "empty list element");
    expect_refused("a * * * *", "'a' is not a number");
    expect_refused("* * * foo *", "'foo' is not a number or name");
    expect_refused("* * * january *", "not a number or name");
    expect_refused("* * * * mon-", "no valid end of range");
    expect_refused("* mon * * *", "field 2 (hour): 'mon' is not a number");
    expect_refused("1-2x * * * *", "unexpected 'x'");
    expect_refused("*x * * * *", "unexpected");
    expect_refused("-1 * * * *", "not a number");
    expect_refused("0 0 30 2 *", "never");
    expect_refused("0 0 31 4,6,9,11 *", "never");
    expect_refused("0 0 30,31 feb *", "never");
    expect_refused("@reboot", "unknown macro '@reboot'");
    expect_refused("@daily extra", "unknown macro");
    /* a NULL or short buffer is fine */
    wh_cron c;
    assert_int_equal(wh_cron_parse("61 * * * *", &c, NULL, 0), -1);
    char tiny[8];
    assert_int_equal(wh_cron_parse("61 * * * *", &c, tiny, sizeof tiny), -1);
    assert_int_equal(strlen(tiny), 7);
}

static void test_accepted(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "* * * * *", "0 0 1 1 *", "59 23 31 12 7", "0-59 0-23 1-31 1-12 0-7", "*/1 */1 */1 */1 */1",
        "0 0 29 2 *", "0 0 31 1,3 *", "0,15,30,45 * * * *", "0 9 * * MON-FRI", "0 0 * DEC SUN",
        "0 0 30 2 mon", "@annually", "@midnight", "@HOURLY",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        parse_ok(ok[i]);
    wh_cron c = parse_ok("0 9 * * mon-fri");
    assert_int_equal(c.dows, 0x3e);
    assert_int_equal(c.flags, WH_CRON_DOM_STAR);
    c = parse_ok("0 0 * * 7");
    assert_int_equal(c.dows, 0x01);
    c = parse_ok("*/20 1,2 5 * *");
    assert_true(c.minutes == ((1ull << 0) | (1ull << 20) | (1ull << 40)));
    assert_int_equal(c.hours, 0x6);
    assert_int_equal(c.days, 1u << 5);
    assert_int_equal(c.flags, WH_CRON_DOW_STAR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_fields), cmocka_unit_test(test_month_and_year_ends),
        cmocka_unit_test(test_leap_years),   cmocka_unit_test(test_day_rules),
        cmocka_unit_test(test_and_rule_with_star_step), cmocka_unit_test(test_moscow),
        cmocka_unit_test(test_berlin_dst),   cmocka_unit_test(test_refused),
        cmocka_unit_test(test_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
