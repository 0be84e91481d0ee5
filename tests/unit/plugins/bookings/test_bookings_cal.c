/* bookings' calendar model (plugins/bookings/cal.c): local dates in the
 * shop's zone, the weekly schedule with its break and exceptions, a DST
 * change in a zone that has one, and the text forms staff type.
 * Features: F-BOOK-02, F-BOOK-03 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../../../plugins/bookings/cal.c"

static void zone(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static int setup_moscow(void **st)
{
    (void)st;
    zone("Europe/Moscow");
    return 0;
}

static int64_t utc(int y, int m, int d, int hh, int mm)
{
    return (int64_t)bk_day_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static void test_civil_days(void **st)
{
    (void)st;
    assert_int_equal(bk_day_from_civil(1970, 1, 1), 0);
    assert_int_equal(bk_day_from_civil(2000, 3, 1), 11017);
    for (int32_t day = -800; day < 80000; day += 37) {
        int32_t y, m, d;
        bk_civil(day, &y, &m, &d);
        assert_int_equal(bk_day_from_civil(y, m, d), day);
    }
    assert_int_equal(bk_weekday(bk_day_from_civil(2026, 1, 1)), 3);   /* Thursday */
    assert_int_equal(bk_weekday(bk_day_from_civil(2026, 3, 2)), 0);   /* Monday */
    assert_int_equal(bk_weekday(bk_day_from_civil(1969, 12, 28)), 6); /* Sunday, before the epoch */
    char buf[11];
    bk_iso_day(bk_day_from_civil(2026, 2, 28), buf);
    assert_string_equal(buf, "2026-02-28");
    assert_int_equal(bk_parse_iso_day("2026-02-28"), bk_day_from_civil(2026, 2, 28));
    assert_int_equal(bk_parse_iso_day("2026-02-29"), -1); /* no such date */
    assert_int_equal(bk_parse_iso_day("2026-2-28"), -1);
    assert_int_equal(bk_parse_iso_day("2026-02-28x"), -1);
    assert_int_equal(bk_parse_iso_day(""), -1);
    assert_int_equal(bk_parse_iso_day(NULL), -1);
}

/* 00:30 in Moscow is 21:30 UTC of the day before: the booking's day is
 * Moscow's, and the wall time converts back exactly */
static void test_moscow_half_past_midnight(void **st)
{
    (void)st;
    int32_t day = bk_day_from_civil(2026, 1, 15);
    int64_t t = bk_local_time(day, 30);
    assert_int_equal(t, utc(2026, 1, 14, 21, 30));
    assert_int_equal(bk_day_of(t), day);
    assert_int_equal(bk_minute_of(t), 30);
    assert_int_equal(bk_day_of(t - 31 * 60), day - 1); /* 23:59 the evening before */
    assert_int_equal(bk_local_time(day, BK_DAY_MIN), bk_local_time(day + 1, 0));
}

static void test_schedule(void **st)
{
    (void)st;
    const bk_exception exc[] = {
        {bk_day_from_civil(2026, 3, 3), 0, {0, 0, 0, 0}},             /* a Tuesday off */
        {bk_day_from_civil(2026, 3, 7), 1, {11 * 60, 15 * 60, 0, 0}}, /* a Saturday at work */
    };
    bk_calendar cal = {.weekdays = 0x1F, .hours = {10 * 60, 19 * 60, 13 * 60, 14 * 60}, .exc = exc, .nexc = 2};
    int32_t mon = bk_day_from_civil(2026, 3, 2);
    bk_busy iv[2];
    assert_int_equal(bk_day_intervals(&cal, mon, iv), 2);
    assert_int_equal(iv[0].from, utc(2026, 3, 2, 7, 0));
    assert_int_equal(iv[0].to, utc(2026, 3, 2, 10, 0));
    assert_int_equal(iv[1].from, utc(2026, 3, 2, 11, 0));
    assert_int_equal(iv[1].to, utc(2026, 3, 2, 16, 0));
    assert_null(bk_day_hours(&cal, mon + 1)); /* the exception's day off */
    assert_int_equal(bk_day_intervals(&cal, mon + 1, iv), 0);
    assert_non_null(bk_day_hours(&cal, mon + 2));
    assert_int_equal(bk_day_intervals(&cal, mon + 5, iv), 1); /* the extra Saturday */
    assert_int_equal(iv[0].to - iv[0].from, 4 * 3600);
    assert_null(bk_day_hours(&cal, mon + 6));  /* Sunday */
    assert_null(bk_day_hours(&cal, mon + 12)); /* the next Saturday is off again */
    /* inside the hours, not across the break or past the end */
    assert_true(bk_within_hours(&cal, utc(2026, 3, 2, 7, 0), utc(2026, 3, 2, 8, 0)));
    assert_false(bk_within_hours(&cal, utc(2026, 3, 2, 9, 30), utc(2026, 3, 2, 10, 30)));
    assert_false(bk_within_hours(&cal, utc(2026, 3, 2, 15, 30), utc(2026, 3, 2, 16, 30)));
    assert_false(bk_within_hours(&cal, utc(2026, 3, 3, 8, 0), utc(2026, 3, 3, 9, 0)));
}

/* Europe/Berlin jumps 02:00 → 03:00 on 2026-03-29: that day is 23 hours
 * long, and a wall time is still a wall time */
static void test_dst_day(void **st)
{
    (void)st;
    zone("Europe/Berlin");
    bk_calendar cal = {.weekdays = 0x7F, .hours = {0, BK_DAY_MIN, 0, 0}};
    int32_t day = bk_day_from_civil(2026, 3, 29);
    bk_busy iv[2];
    assert_int_equal(bk_day_intervals(&cal, day, iv), 1);
    assert_int_equal(iv[0].to - iv[0].from, 23 * 3600);
    assert_int_equal(bk_local_time(day, 10 * 60), utc(2026, 3, 29, 8, 0)); /* CEST: UTC+2 */
    assert_int_equal(bk_local_time(day, 60), utc(2026, 3, 29, 0, 0));      /* CET: UTC+1 */
    assert_int_equal(bk_day_of(bk_local_time(day, 23 * 60 + 55)), day);
    /* and 25 hours in October */
    day = bk_day_from_civil(2026, 10, 25);
    assert_int_equal(bk_day_intervals(&cal, day, iv), 1);
    assert_int_equal(iv[0].to - iv[0].from, 25 * 3600);
    zone("Europe/Moscow");
}

static void test_weekdays_text(void **st)
{
    (void)st;
    static const struct {
        const char *in;
        int rc;
        uint32_t mask;
        const char *shown;
    } cases[] = {
        {"пн-пт", 0, 0x1F, "пн–пт"},
        {"Пн – Пт", 0, 0x1F, "пн–пт"},
        {"пн,ср,пт", 0, 0x15, "пн, ср, пт"},
        {"пн-чт, сб", 0, 0x2F, "пн–чт, сб"},
        {"ВТ, СР", 0, 0x06, "вт, ср"},
        {"1-5", 0, 0x1F, "пн–пт"},
        {"сб-вт", 0, 0x63, "пн, вт, сб, вс"},
        {"понедельник, пятница", 0, 0x11, "пн, пт"},
        {"ежедневно", 0, 0x7F, "ежедневно"},
        {"нет", 0, 0, "нет"},
        {"пн-", -1, 0, NULL},
        {"пн пт", -1, 0, NULL},
        {"funday", -1, 0, NULL},
        {"8", -1, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t m = 0xFFFF;
        int rc = bk_parse_weekdays(cases[i].in, &m);
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0) {
            assert_int_equal(m, cases[i].mask);
            char buf[64];
            bk_format_weekdays(m, buf, sizeof buf);
            assert_string_equal(buf, cases[i].shown);
        }
    }
}

static void test_span_text(void **st)
{
    (void)st;
    int32_t a, b;
    const char *why = NULL;
    assert_int_equal(bk_parse_span("10:00-19:00", 0, &a, &b, &why), 0);
    assert_int_equal(a, 600);
    assert_int_equal(b, 1140);
    assert_int_equal(bk_parse_span(" 9.30 – 18 ", 0, &a, &b, &why), 0);
    assert_int_equal(a, 570);
    assert_int_equal(b, 1080);
    assert_int_equal(bk_parse_span("0-24", 0, &a, &b, &why), 0);
    assert_int_equal(b, 1440);
    assert_int_equal(bk_parse_span("нет", 1, &a, &b, &why), 0);
    assert_int_equal(a + b, 0);
    assert_int_equal(bk_parse_span("без перерыва", 1, &a, &b, &why), 0);
    assert_int_equal(bk_parse_span("нет", 0, &a, &b, &why), -1);
    assert_int_equal(bk_parse_span("19:00-10:00", 0, &a, &b, &why), -1);
    assert_string_equal(why, "Конец должен быть позже начала");
    assert_int_equal(bk_parse_span("10:03-19:00", 0, &a, &b, &why), -1);
    assert_non_null(strstr(why, "5 минут"));
    assert_int_equal(bk_parse_span("25:00-26:00", 0, &a, &b, &why), -1);
    assert_int_equal(bk_parse_span("10:00", 0, &a, &b, &why), -1);
    assert_int_equal(bk_parse_span("10:60-11:00", 0, &a, &b, &why), -1);
    char buf[16];
    bk_format_span(570, 1080, buf, sizeof buf);
    assert_string_equal(buf, "09:30–18:00");
    bk_format_span(0, 0, buf, sizeof buf);
    assert_string_equal(buf, "—");

    bk_hours h = {600, 1140, 780, 840};
    assert_int_equal(bk_hours_check(&h, &why), 0);
    h.brk_to = 1200;
    assert_int_equal(bk_hours_check(&h, &why), -1);
    assert_string_equal(why, "Перерыв должен быть внутри рабочего дня");
    h = (bk_hours){600, 600, 0, 0};
    assert_int_equal(bk_hours_check(&h, &why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_civil_days, setup_moscow),
        cmocka_unit_test_setup(test_moscow_half_past_midnight, setup_moscow),
        cmocka_unit_test_setup(test_schedule, setup_moscow),
        cmocka_unit_test_setup(test_dst_day, setup_moscow),
        cmocka_unit_test_setup(test_weekdays_text, setup_moscow),
        cmocka_unit_test_setup(test_span_text, setup_moscow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
