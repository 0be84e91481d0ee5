/* wh_mime_sniff / wh_mime_of: the media type of an upload from its bytes,
 * then its name (a PNG QR was once uploaded as image/jpeg)
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mime.h"

#define SNIFF(lit) wh_mime_sniff(lit, sizeof(lit) - 1)

static void test_signatures(void **state)
{
    (void)state;
    assert_string_equal(SNIFF("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
    assert_string_equal(SNIFF("\xFF\xD8\xFF\xE0\0\x10JFIF"), "image/jpeg");
    assert_string_equal(SNIFF("GIF89a\x01\0\x01\0"), "image/gif");
    assert_string_equal(SNIFF("GIF87a\x01\0\x01\0"), "image/gif");
    assert_string_equal(SNIFF("RIFF\x24\0\0\0WEBPVP8 "), "image/webp");
    assert_string_equal(SNIFF("%PDF-1.7\n"), "application/pdf");
}

static void test_near_misses_are_unknown(void **state)
{
    (void)state;
    assert_null(wh_mime_sniff(NULL, 10));
    assert_null(SNIFF(""));
    assert_null(SNIFF("\x89PNG\r\n"));           /* cut short */
    assert_null(SNIFF("\x89PNG\r\n\x1a\x0b"));   /* one byte off */
    assert_null(SNIFF("\xFF\xD8"));              /* no marker after SOI */
    assert_null(SNIFF("GIF90a\x01\0"));
    assert_null(SNIFF("RIFF\x24\0\0\0WAVEfmt "));  /* a RIFF that is no WebP */
    assert_null(SNIFF("PK\x03\x04"));            /* zip (xlsx): the name decides */
    assert_null(SNIFF("%PDF"));
}

static void test_name_after_bytes(void **state)
{
    (void)state;
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    /* the bytes win over a misleading name */
    assert_string_equal(wh_mime_of("qr.jpg", png, sizeof png - 1), "image/png");
    assert_string_equal(wh_mime_of("export.XLSX", "PK\x03\x04", 4),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(wh_mime_of("walord.log", "x", 1), "text/plain");
    assert_string_equal(wh_mime_of("orders.csv", "a;b", 3), "text/csv");
    assert_string_equal(wh_mime_of("booking-7.ics", "BEGIN:VCALENDAR", 15), "text/calendar");
    assert_string_equal(wh_mime_of("data", "x", 1), "application/octet-stream");
    assert_string_equal(wh_mime_of(NULL, "x", 1), "application/octet-stream");
    assert_string_equal(wh_mime_of("archive.tar.gz", "\x1f\x8b", 2), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_near_misses_are_unknown),
        cmocka_unit_test(test_name_after_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
