/* pay-ecom's payment QR code (plugins/pay-ecom/qr.c): a PNG that zbarimg
 * reads back as the same text, sized by the module scale, and no file left
 * behind when it cannot be written.
 * Features: F-PAY-01 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "qr.h"

static char *decode(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "zbarimg -q --raw '%s' 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    static char out[1024];
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    assert_int_equal(pclose(f), 0);
    return out;
}

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

static void test_roundtrip(void **st)
{
    (void)st;
    const char *text = "https://qr.nspk.ru/AS1000670LSS7DN18SJQDNP4B05KLJL2?type=01&bank=100000000001&sum=330000&cur=RUB";
    char *path = NULL;
    assert_int_equal(pay_qr_png(text, "/tmp", 6, &path), 0);
    assert_non_null(path);
    assert_non_null(strstr(path, "/tmp/walor-payqr-"));
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char hdr[24];
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    fclose(f);
    assert_memory_equal(hdr, "\x89PNG\r\n\x1a\n", 8);
    uint32_t w = be32(hdr + 16), h = be32(hdr + 20);
    assert_int_equal(w, h);
    assert_int_equal(w % 6, 0);
    assert_true(w / 6 >= 21 + 8); /* at least a version-1 symbol and the quiet zone */
    assert_string_equal(decode(path), text);
    unlink(path);
    free(path);

    /* Cyrillic survives as UTF-8 bytes */
    assert_int_equal(pay_qr_png("Оплата заказа №42", NULL, 4, &path), 0);
    assert_string_equal(decode(path), "Оплата заказа №42");
    unlink(path);
    free(path);
}

static void test_refusals(void **st)
{
    (void)st;
    char *path = (char *)"untouched";
    assert_int_equal(pay_qr_png("", "/tmp", 4, &path), -1);
    assert_null(path);
    assert_int_equal(pay_qr_png(NULL, "/tmp", 4, &path), -1);
    assert_int_equal(pay_qr_png("x", "/tmp", 0, &path), -1);
    assert_int_equal(pay_qr_png("x", "/tmp", 65, &path), -1);
    assert_int_equal(pay_qr_png("x", "/nonexistent/dir", 4, &path), -1);
    assert_null(path);
    char big[8000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(pay_qr_png(big, "/tmp", 4, &path), -1); /* beyond a version-40 symbol */
    assert_null(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_roundtrip), cmocka_unit_test(test_refusals)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
