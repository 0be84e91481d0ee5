/* bookings' .ics writer (plugins/bookings/ics.c): RFC 5545 structure,
 * CRLF and 75-octet folding that never splits a UTF-8 character, TEXT
 * escaping, local times with TZID and a VTIMEZONE in Moscow, UTC in a zone
 * with summer time, and snprintf-like sizing.
 * Features: F-BOOK-03 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../../../plugins/bookings/cal.c"
#include "../../../../plugins/bookings/ics.c"

static void zone(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static int64_t utc(int y, int m, int d, int hh, int mm)
{
    return (int64_t)bk_day_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

/* every physical line ends in CRLF, is at most 75 octets, and a
 * continuation never starts inside a UTF-8 character */
static void check_lines(const char *s)
{
    const char *p = s;
    while (*p) {
        const char *e = strstr(p, "\r\n");
        assert_non_null(e);
        assert_true(e - p <= 75);
        for (const char *q = p; q < e; q++)
            assert_true(*q != '\n' && *q != '\r');
        if (*p == ' ')
            assert_true(((unsigned char)p[1] & 0xC0) != 0x80);
        p = e + 2;
    }
}

/* the unfolded text (RFC 5545 §3.1: CRLF + one space is removed) */
static char *unfold(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    for (const char *p = s; *p;) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
            p += 3;
            continue;
        }
        *o++ = *p++;
    }
    *o = 0;
    return out;
}

static void test_moscow_local_with_vtimezone(void **st)
{
    (void)st;
    zone("Europe/Moscow");
    /* 00:30 Moscow on the 15th is 21:30 UTC on the 14th */
    bk_ics e = {.uid = "booking-7@walor",
                .stamp = utc(2026, 1, 10, 9, 0),
                .start = utc(2026, 1, 14, 21, 30),
                .end = utc(2026, 1, 14, 22, 30),
                .sequence = 1,
                .alarm_min = 60,
                .summary = "Массаж спины",
                .description = "Адрес: Тверская, 1; кв. 5\nТелефон: +7 916 123-45-67",
                .location = "Москва, Тверская, 1",
                .tzid = "Europe/Moscow"};
    char buf[4096];
    size_t n = bk_ics_write(&e, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    check_lines(buf);
    assert_true(strncmp(buf, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30) == 0);
    assert_non_null(strstr(buf, "\r\nEND:VCALENDAR\r\n"));
    assert_non_null(strstr(buf, "BEGIN:VTIMEZONE\r\nTZID:Europe/Moscow\r\nBEGIN:STANDARD\r\n"));
    assert_non_null(strstr(buf, "TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nTZNAME:MSK\r\n"));
    assert_non_null(strstr(buf, "DTSTART;TZID=Europe/Moscow:20260115T003000\r\n"));
    assert_non_null(strstr(buf, "DTEND;TZID=Europe/Moscow:20260115T013000\r\n"));
    assert_non_null(strstr(buf, "DTSTAMP:20260110T090000Z\r\n"));
    assert_non_null(strstr(buf, "UID:booking-7@walor\r\n"));
    assert_non_null(strstr(buf, "SEQUENCE:1\r\n"));
    assert_non_null(strstr(buf, "TRIGGER:-PT60M\r\n"));
    char *u = unfold(buf);
    assert_non_null(strstr(u, "DESCRIPTION:Адрес: Тверская\\, 1\\; кв. 5\\nТелефон: +7 916 123-45-67\r\n"));
    assert_non_null(strstr(u, "LOCATION:Москва\\, Тверская\\, 1\r\n"));
    free(u);
    /* the VEVENT comes after the zone it names */
    assert_true(strstr(buf, "BEGIN:VEVENT") > strstr(buf, "END:VTIMEZONE"));
}

static void test_dst_zone_falls_back_to_utc(void **st)
{
    (void)st;
    zone("Europe/Berlin");
    bk_ics e = {.uid = "booking-8@walor",
                .stamp = utc(2026, 6, 1, 0, 0),
                .start = utc(2026, 6, 10, 8, 0),
                .end = utc(2026, 6, 10, 9, 0),
                .summary = "Консультация",
                .tzid = "Europe/Berlin"};
    char buf[2048];
    bk_ics_write(&e, buf, sizeof buf);
    check_lines(buf);
    assert_null(strstr(buf, "VTIMEZONE"));
    assert_null(strstr(buf, "TZID"));
    assert_non_null(strstr(buf, "DTSTART:20260610T080000Z\r\n"));
    assert_non_null(strstr(buf, "DTEND:20260610T090000Z\r\n"));
    assert_null(strstr(buf, "VALARM"));
    /* no zone name at all: UTC too */
    zone("Europe/Moscow");
    e.tzid = NULL;
    bk_ics_write(&e, buf, sizeof buf);
    assert_non_null(strstr(buf, "DTSTART:20260610T080000Z\r\n"));
    e.tzid = "Bad;Zone";
    bk_ics_write(&e, buf, sizeof buf);
    assert_null(strstr(buf, "TZID"));
}

static void test_folding_and_sizing(void **st)
{
    (void)st;
    zone("Europe/Moscow");
    char desc[1200];
    size_t n = 0;
    while (n + 3 < sizeof desc) { /* "ж" is two octets: the folds land on every parity */
        memcpy(desc + n, n % 7 ? "ж" : "a", n % 7 ? 2 : 1);
        n += n % 7 ? 2 : 1;
    }
    desc[n] = 0;
    bk_ics e = {.uid = "u",
                .stamp = 0,
                .start = utc(2026, 1, 1, 10, 0),
                .end = utc(2026, 1, 1, 11, 0),
                .summary = "s",
                .description = desc,
                .tzid = "Europe/Moscow"};
    size_t need = bk_ics_write(&e, NULL, 0);
    char *buf = malloc(need + 1);
    assert_int_equal(bk_ics_write(&e, buf, need + 1), need);
    assert_int_equal(strlen(buf), need);
    check_lines(buf);
    char *u = unfold(buf);
    char *d = strstr(u, "DESCRIPTION:");
    assert_non_null(d);
    assert_true(strncmp(d + 12, desc, strlen(desc)) == 0);
    free(u);
    /* a short buffer gets a NUL-terminated prefix, and the same length back */
    char small[40];
    assert_int_equal(bk_ics_write(&e, small, sizeof small), need);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_true(strncmp(small, buf, sizeof small - 1) == 0);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moscow_local_with_vtimezone),
        cmocka_unit_test(test_dst_zone_falls_back_to_utc),
        cmocka_unit_test(test_folding_and_sizing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
