/* backup-gdrive's Google sign-in and retention (bkjwt.c, bkretain.c): the
 * service account's key file, the RS256 JWT checked with the public half
 * of a key made here, base64url, and which backups the retention keeps.
 * Features: F-BAK-02 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "bkjwt.h"
#include "bkretain.h"

static void test_b64url_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char *b = bk_b64url((const unsigned char *)in[i], strlen(in[i]));
        assert_string_equal(b, out[i]);
        free(b);
    }
    const unsigned char bin[] = {0xfb, 0xff, 0xfe};
    char *b = bk_b64url(bin, 3);
    assert_string_equal(b, "-__-"); /* + and / of base64 are - and _ */
    free(b);
}

/* base64url back to bytes (test side, independent of the code under test) */
static unsigned char *unb64(const char *s, size_t n, size_t *outlen)
{
    char *std = calloc(1, n + 4);
    for (size_t i = 0; i < n; i++)
        std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    while (n % 4)
        std[n++] = '=';
    unsigned char *out = calloc(1, n);
    int len = EVP_DecodeBlock(out, (unsigned char *)std, (int)n);
    size_t pad = n && std[n - 1] == '=' ? (n > 1 && std[n - 2] == '=' ? 2 : 1) : 0;
    free(std);
    *outlen = (size_t)len - pad;
    return out;
}

static json_t *part(const char *jwt, int k)
{
    const char *p = jwt;
    for (int i = 0; i < k; i++)
        p = strchr(p, '.') + 1;
    size_t n = strcspn(p, "."), len;
    unsigned char *raw = unb64(p, n, &len);
    json_t *j = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    return j;
}

static char *pem_of(EVP_PKEY *k, int private)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (private)
        PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    else
        PEM_write_bio_PUBKEY(b, k);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *s = strndup(data, (size_t)n);
    BIO_free(b);
    return s;
}

static void test_jwt_is_rs256_signed_with_the_key(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_RSA_gen(2048);
    assert_non_null(key);
    char *pem = pem_of(key, 1);
    char err[256] = "";
    char *jwt = bk_jwt_rs256(pem, "kid-1", "backup-bot@shop.iam.gserviceaccount.com",
                             "https://www.googleapis.com/auth/drive.file", "https://oauth2.googleapis.com/token",
                             1714564800, 3600, err, sizeof err);
    assert_non_null(jwt);
    assert_null(strchr(jwt, '=')); /* no padding */
    json_t *h = part(jwt, 0), *c = part(jwt, 1);
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "RS256");
    assert_string_equal(json_string_value(json_object_get(h, "typ")), "JWT");
    assert_string_equal(json_string_value(json_object_get(h, "kid")), "kid-1");
    assert_string_equal(json_string_value(json_object_get(c, "iss")), "backup-bot@shop.iam.gserviceaccount.com");
    assert_string_equal(json_string_value(json_object_get(c, "aud")), "https://oauth2.googleapis.com/token");
    assert_string_equal(json_string_value(json_object_get(c, "scope")), "https://www.googleapis.com/auth/drive.file");
    assert_int_equal(json_integer_value(json_object_get(c, "iat")), 1714564800);
    assert_int_equal(json_integer_value(json_object_get(c, "exp")), 1714564800 + 3600);
    json_decref(h);
    json_decref(c);

    /* the signature verifies with the public key over "header.claims" */
    const char *dot2 = strrchr(jwt, '.');
    size_t siglen;
    unsigned char *sig = unb64(dot2 + 1, strlen(dot2 + 1), &siglen);
    assert_int_equal(siglen, 256);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestVerify(md, sig, siglen, (const unsigned char *)jwt, (size_t)(dot2 - jwt)), 1);
    /* and not over anything else */
    EVP_MD_CTX_reset(md);
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_not_equal(EVP_DigestVerify(md, sig, siglen, (const unsigned char *)jwt, (size_t)(dot2 - jwt) - 1), 1);
    EVP_MD_CTX_free(md);
    free(sig);
    free(jwt);

    /* no kid: the header has none */
    jwt = bk_jwt_rs256(pem, NULL, "a@b", "s", "https://t", 1, 60, err, sizeof err);
    h = part(jwt, 0);
    assert_null(json_object_get(h, "kid"));
    json_decref(h);
    free(jwt);

    /* a public key, garbage, an EC key: refused with a reason */
    char *pub = pem_of(key, 0);
    assert_null(bk_jwt_rs256(pub, NULL, "a@b", "s", "https://t", 1, 60, err, sizeof err));
    assert_non_null(strstr(err, "not an RSA private key"));
    assert_null(bk_jwt_rs256("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n", NULL, "a@b", "s",
                             "https://t", 1, 60, err, sizeof err));
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    char *ecpem = pem_of(ec, 1);
    assert_null(bk_jwt_rs256(ecpem, NULL, "a@b", "s", "https://t", 1, 60, err, sizeof err));
    free(ecpem);
    EVP_PKEY_free(ec);
    free(pub);
    free(pem);
    EVP_PKEY_free(key);
}

static void test_service_account_key_file(void **state)
{
    (void)state;
    char path[] = "/tmp/walor-test-sa-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "service_account", "client_email", "bot@p.iam",
                          "private_key", "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                          "private_key_id", "abc", "token_uri", "http://127.0.0.1:1/token");
    json_dump_file(j, path, 0);
    bk_sa_key k;
    char err[256];
    if (bk_sa_key_load(path, &k, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_string_equal(k.client_email, "bot@p.iam");
    assert_string_equal(k.private_key_id, "abc");
    assert_string_equal(k.token_uri, "http://127.0.0.1:1/token");
    bk_sa_key_free(&k);
    assert_null(k.private_key);

    json_object_del(j, "token_uri");
    json_dump_file(j, path, 0);
    assert_int_equal(bk_sa_key_load(path, &k, err, sizeof err), 0);
    assert_string_equal(k.token_uri, "https://oauth2.googleapis.com/token");
    bk_sa_key_free(&k);

    json_object_set_new(j, "type", json_string("authorized_user")); /* a user's credentials file */
    json_dump_file(j, path, 0);
    assert_int_equal(bk_sa_key_load(path, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "is not a service account key"));
    assert_null(strstr(err, "BEGIN")); /* never the key itself */
    FILE *f = fopen(path, "w");
    fputs("{not json", f);
    fclose(f);
    assert_int_equal(bk_sa_key_load(path, &k, err, sizeof err), -1);
    assert_int_equal(bk_sa_key_load("/nonexistent/key.json", &k, err, sizeof err), -1);
    json_decref(j);
    unlink(path);
}

/* ---- retention ---- */

static int64_t at(int y, int mon, int d, int h)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d, .tm_hour = h, .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}

static void test_retention_keeps_days_weeks_months(void **state)
{
    (void)state;
    setenv("TZ", "Europe/Moscow", 1);
    tzset();
    /* a backup at 03:30 every day from 1 January to 30 April 2026, plus a
     * manual one at 15:00 on 30 April */
    bk_keep_item items[200];
    size_t n = 0;
    for (int64_t t = at(2026, 1, 1, 3) + 1800; t <= at(2026, 4, 30, 3) + 1800; t += 86400)
        items[n++] = (bk_keep_item){t, 0};
    items[n++] = (bk_keep_item){at(2026, 4, 30, 15), 0};
    size_t kept = bk_retain(items, n, 7, 4, 6);
    /* 7 days: both of 30 April and 29..24 April; weeks: the newest of the
     * weeks ending on 3 May, 26, 19 and 12 April (the first two are among
     * the days); months: 30 April, 31 March, 28 February, 31 January */
    int64_t want[] = {at(2026, 4, 30, 15),       at(2026, 4, 30, 3) + 1800, at(2026, 4, 29, 3) + 1800,
                      at(2026, 4, 28, 3) + 1800, at(2026, 4, 27, 3) + 1800, at(2026, 4, 26, 3) + 1800,
                      at(2026, 4, 25, 3) + 1800, at(2026, 4, 24, 3) + 1800, at(2026, 4, 19, 3) + 1800,
                      at(2026, 4, 12, 3) + 1800, at(2026, 3, 31, 3) + 1800, at(2026, 2, 28, 3) + 1800,
                      at(2026, 1, 31, 3) + 1800};
    assert_int_equal(kept, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        int expect = 0;
        for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
            expect |= items[i].created == want[k];
        if (items[i].keep != expect)
            fail_msg("item %zu (%lld): keep %d, expected %d", i, (long long)items[i].created, items[i].keep, expect);
    }

    /* order does not matter; the newest is kept even with all counts 0 */
    bk_keep_item few[] = {{300, 0}, {100, 0}, {200, 0}};
    assert_int_equal(bk_retain(few, 3, 0, 0, 0), 1);
    assert_int_equal(few[0].keep, 1);
    assert_int_equal(few[1].keep + few[2].keep, 0);
    assert_int_equal(bk_retain(NULL, 0, 7, 4, 6), 0);
    /* two backups on one day: both stay while the day is among the last
     * `daily`; an older day falls out */
    bk_keep_item day[] = {
        {at(2026, 5, 1, 3), 0}, {at(2026, 5, 1, 12), 0}, {at(2026, 4, 30, 3), 0}, {at(2026, 4, 29, 3), 0}};
    assert_int_equal(bk_retain(day, 4, 2, 0, 0), 3);
    assert_int_equal(day[0].keep + day[1].keep + day[2].keep, 3);
    assert_int_equal(day[3].keep, 0);
}

static void test_iso_weeks_across_new_year(void **state)
{
    (void)state;
    setenv("TZ", "Europe/Moscow", 1);
    tzset();
    /* Mon 29 Dec 2025 .. Sun 4 Jan 2026 is ISO week 2026-W01; Sun 28 Dec 2025 is 2025-W52 */
    bk_keep_item w[] = {{at(2026, 1, 4, 3), 0}, {at(2025, 12, 29, 3), 0}, {at(2025, 12, 28, 3), 0}};
    assert_int_equal(bk_retain(w, 3, 0, 2, 0), 2);
    assert_int_equal(w[0].keep, 1);
    assert_int_equal(w[1].keep, 0); /* same week as 4 January */
    assert_int_equal(w[2].keep, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64url_rfc4648_vectors),    cmocka_unit_test(test_jwt_is_rs256_signed_with_the_key),
        cmocka_unit_test(test_service_account_key_file),  cmocka_unit_test(test_retention_keeps_days_weeks_months),
        cmocka_unit_test(test_iso_weeks_across_new_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
