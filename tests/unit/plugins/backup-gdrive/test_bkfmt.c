/* backup-gdrive's archive format (plugins/backup-gdrive/bkarchive.c,
 * bkcrypt.c): the manifest read from a copy, the zip written and read back,
 * and every way an archive can be bad — damaged, cut short, another file,
 * a database that does not match its manifest, a newer schema — plus the
 * encryption format: round trip, wrong passphrase, a changed byte, a cut
 * file, the documented header.
 * Features: F-BAK-01, F-BAK-04 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "bkarchive.h"
#include "bkcrypt.h"

static char tmpdir[] = "/tmp/walor-test-bkfmt-XXXXXX";

static const char *path(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void exec_ok(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(h);
}

/* a small "shop": the host's migrations table, two plugins' tables */
static const char *make_shop(const char *name)
{
    const char *db = path(name);
    unlink(db);
    exec_ok(db,
            "CREATE TABLE wh_migrations(owner TEXT NOT NULL, version INTEGER NOT NULL, applied_at INTEGER NOT NULL,"
            " PRIMARY KEY(owner, version));"
            "INSERT INTO wh_migrations VALUES ('host.core', 1, 0), ('orders', 1, 0), ('orders', 2, 0),"
            " ('loyalty', 1, 0);"
            "CREATE TABLE orders_order(id INTEGER PRIMARY KEY, total INTEGER);"
            "INSERT INTO orders_order(total) VALUES (150000), (205000), (90000);"
            "CREATE TABLE \"loyalty ledger\"(user_id INTEGER, amount INTEGER);"
            "INSERT INTO \"loyalty ledger\" VALUES (1, 12600);");
    return db;
}

static void write_bytes(const char *p, const void *data, size_t n, long at)
{
    FILE *f = fopen(p, at < 0 ? "wb" : "r+b");
    assert_non_null(f);
    if (at >= 0)
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static long size_of(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static void cut(const char *from, const char *to, long keep)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    for (long i = 0; i < keep; i++) {
        int ch = fgetc(in);
        assert_true(ch != EOF);
        fputc(ch, out);
    }
    fclose(in);
    fclose(out);
}

/* ---- the manifest ---- */

static void test_manifest_is_read_from_the_copy(void **state)
{
    (void)state;
    const char *db = make_shop("m.db");
    json_t *info = json_pack("{s:s, s:s, s:{s:s}}", "walord", "1.0.0", "sdk", "1.3", "plugins", "orders", "0.3.0");
    char err[512] = "";
    json_t *m = bk_manifest_build(db, info, 1714532400, err, sizeof err);
    json_decref(info);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "format")), "walor-backup");
    assert_int_equal(json_integer_value(json_object_get(m, "version")), 1);
    assert_int_equal(json_integer_value(json_object_get(m, "created_at")), 1714532400);
    assert_string_equal(json_string_value(json_object_get(m, "walord")), "1.0.0");
    json_t *schema = json_object_get(m, "schema"), *tables = json_object_get(m, "tables");
    assert_int_equal(json_integer_value(json_object_get(schema, "orders")), 2);
    assert_int_equal(json_integer_value(json_object_get(schema, "host.core")), 1);
    assert_int_equal(json_integer_value(json_object_get(tables, "orders_order")), 3);
    assert_int_equal(json_integer_value(json_object_get(tables, "loyalty ledger")), 1);
    assert_int_equal(json_integer_value(json_object_get(tables, "wh_migrations")), 4);
    /* the checksum is the file's, computed independently here */
    FILE *f = fopen(db, "rb");
    unsigned char buf[4096], md[32];
    unsigned int mdlen;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;)
        EVP_DigestUpdate(ctx, buf, n);
    fclose(f);
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    json_t *d = json_object_get(m, "database");
    assert_string_equal(json_string_value(json_object_get(d, "sha256")), hex);
    assert_int_equal(json_integer_value(json_object_get(d, "bytes")), size_of(db));
    assert_int_equal(bk_manifest_verify(m, db, err, sizeof err), 0);
    json_decref(m);

    /* not a Walor database: no wh_migrations */
    const char *other = path("other.db");
    unlink(other);
    exec_ok(other, "CREATE TABLE notes(x)");
    assert_null(bk_manifest_build(other, NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "not a Walor database"));
}

static void test_archive_round_trip_and_checks(void **state)
{
    (void)state;
    const char *db = make_shop("rt.db"), *zip = path("rt.zip"), *out = path("rt-out.db");
    unlink(zip);
    unlink(out);
    char err[512] = "";
    json_t *m = bk_manifest_build(db, NULL, 100, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(bk_archive_write(zip, db, m, err, sizeof err), 0);
    assert_int_equal(bk_archive_write(zip, db, m, err, sizeof err), BK_EIO); /* never over an existing file */
    json_t *back = NULL;
    assert_int_equal(bk_archive_read(zip, out, &back, err, sizeof err), 0);
    assert_true(json_equal(m, back));
    assert_int_equal(bk_manifest_verify(back, out, err, sizeof err), 0);
    json_decref(back);
    assert_int_equal(bk_archive_read(zip, out, &back, err, sizeof err), BK_EIO); /* out exists */
    assert_null(back);
    unlink(out);

    /* the database changed after the manifest was made */
    exec_ok(db, "INSERT INTO orders_order(total) VALUES (1)");
    assert_int_equal(bk_manifest_verify(m, db, err, sizeof err), BK_EMISMATCH);
    assert_non_null(strstr(err, "not the one its manifest describes"));
    /* a manifest whose counts lie (the checksum made to match) */
    json_t *liar = json_deep_copy(m);
    json_t *fresh = bk_manifest_build(db, NULL, 100, err, sizeof err);
    json_object_set(liar, "database", json_object_get(fresh, "database"));
    assert_int_equal(bk_manifest_verify(liar, db, err, sizeof err), BK_EMISMATCH);
    assert_non_null(strstr(err, "table orders_order: 4 rows, the manifest says 3"));
    json_decref(liar);
    json_decref(fresh);
    json_decref(m);
}

static void test_damaged_cut_and_foreign_archives_are_refused(void **state)
{
    (void)state;
    const char *db = make_shop("bad.db"), *zip = path("bad.zip"), *out = path("bad-out.db");
    unlink(zip);
    char err[512] = "";
    /* random rows so the database entry is stored big and a flipped byte lands in it */
    exec_ok(db,
            "CREATE TABLE pad(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 64) "
            "INSERT INTO pad SELECT randomblob(1000) FROM n;");
    json_t *m = bk_manifest_build(db, NULL, 1, err, sizeof err), *got = NULL;
    assert_int_equal(bk_archive_write(zip, db, m, err, sizeof err), 0);
    json_decref(m);
    long n = size_of(zip);

    const char *cutzip = path("cut.zip");
    cut(zip, cutzip, n / 2);
    unlink(out);
    assert_int_equal(bk_archive_read(cutzip, out, &got, err, sizeof err), BK_EFORMAT);
    assert_null(got);
    assert_int_equal(access(out, F_OK), -1);

    const char *flipped = path("flipped.zip");
    cut(zip, flipped, n);
    unsigned char x = 0x5a;
    write_bytes(flipped, &x, 1, n / 2);
    int rc = bk_archive_read(flipped, out, &got, err, sizeof err);
    if (rc == 0) { /* the flip missed the CRC-checked data: the checksum catches it */
        assert_int_not_equal(bk_manifest_verify(got, out, err, sizeof err), 0);
        json_decref(got);
        unlink(out);
    } else {
        assert_int_equal(rc, BK_EFORMAT);
        assert_int_equal(access(out, F_OK), -1);
    }

    const char *text = path("notzip.zip");
    write_bytes(text, "hello, this is not a zip archive at all", 39, -1);
    assert_int_equal(bk_archive_read(text, out, &got, err, sizeof err), BK_EFORMAT);
    assert_non_null(strstr(err, "not a readable backup archive"));
    assert_int_equal(bk_archive_read(path("missing.zip"), out, &got, err, sizeof err), BK_EIO);
}

static void test_newer_schema_is_named(void **state)
{
    (void)state;
    json_t *m = json_pack("{s:{s:i, s:i, s:i, s:i}}", "schema", "host.core", 1, "orders", 5, "loyalty", 3, "crm", 2);
    json_t *known = json_pack("{s:i, s:i, s:i}", "host.core", 1, "orders", 4, "loyalty", 3);
    char err[512] = "", *unknown = NULL;
    assert_int_equal(bk_manifest_newer(m, known, &unknown, err, sizeof err), BK_ENEWER);
    assert_non_null(strstr(err, "orders 5 (this walord knows 4)"));
    assert_null(strstr(err, "loyalty"));
    assert_string_equal(unknown, "crm");
    free(unknown);
    json_object_set_new(known, "orders", json_integer(5));
    assert_int_equal(bk_manifest_newer(m, known, &unknown, err, sizeof err), 0);
    free(unknown);
    json_decref(m);
    json_decref(known);
}

/* ---- encryption ---- */

static void test_encryption_round_trip_and_header(void **state)
{
    (void)state;
    const char *plain = path("p.bin"), *enc = path("p.enc"), *dec = path("p.dec");
    unlink(enc);
    unlink(dec);
    char data[200000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7 + i / 251);
    write_bytes(plain, data, sizeof data, -1);
    char err[512] = "";
    assert_int_equal(bk_crypt_encrypt(plain, enc, "correct horse battery", 1000, err, sizeof err), 0);
    assert_int_equal(size_of(enc), (long)sizeof data + BK_ENC_HEADER + BK_ENC_TAG);
    assert_int_equal(bk_crypt_is_encrypted(enc), 1);
    assert_int_equal(bk_crypt_is_encrypted(plain), 0);
    unsigned char hdr[BK_ENC_HEADER];
    FILE *f = fopen(enc, "rb");
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    fclose(f);
    assert_memory_equal(hdr, "WALORENC", 8);
    assert_int_equal(hdr[8], 1);
    assert_int_equal(hdr[9], 1);
    assert_int_equal((hdr[12] << 24 | hdr[13] << 16 | hdr[14] << 8 | hdr[15]), 1000);
    assert_int_equal(bk_crypt_decrypt(enc, dec, "correct horse battery", err, sizeof err), 0);
    char back[sizeof data];
    f = fopen(dec, "rb");
    assert_int_equal(fread(back, 1, sizeof back, f), sizeof back);
    fclose(f);
    assert_memory_equal(back, data, sizeof data);
    /* two encryptions of the same file differ (salt and nonce are random) */
    const char *enc2 = path("p2.enc");
    unlink(enc2);
    assert_int_equal(bk_crypt_encrypt(plain, enc2, "correct horse battery", 1000, err, sizeof err), 0);
    unsigned char h2[BK_ENC_HEADER];
    f = fopen(enc2, "rb");
    assert_int_equal(fread(h2, 1, sizeof h2, f), sizeof h2);
    fclose(f);
    assert_memory_not_equal(hdr + 16, h2 + 16, 28);
}

static void test_wrong_passphrase_and_damage_are_told_apart(void **state)
{
    (void)state;
    const char *plain = path("q.bin"), *enc = path("q.enc"), *dec = path("q.dec");
    unlink(enc);
    unlink(dec);
    write_bytes(plain, "the whole shop, zipped", 22, -1);
    char err[512] = "";
    assert_int_equal(bk_crypt_encrypt(plain, enc, "correct horse battery", 1000, err, sizeof err), 0);

    assert_int_equal(bk_crypt_decrypt(enc, dec, "wrong horse battery", err, sizeof err), BK_CRYPT_EPASS);
    assert_non_null(strstr(err, "wrong passphrase"));
    assert_int_equal(access(dec, F_OK), -1);
    assert_int_equal(bk_crypt_decrypt(enc, dec, "", err, sizeof err), BK_CRYPT_EPASS);

    unsigned char x;
    FILE *f = fopen(enc, "rb");
    fseek(f, BK_ENC_HEADER + 3, SEEK_SET);
    x = (unsigned char)fgetc(f) ^ 1;
    fclose(f);
    write_bytes(enc, &x, 1, BK_ENC_HEADER + 3);
    assert_int_equal(bk_crypt_decrypt(enc, dec, "correct horse battery", err, sizeof err), BK_CRYPT_EDAMAGED);
    assert_non_null(strstr(err, "damaged"));
    assert_int_equal(access(dec, F_OK), -1); /* no unauthenticated byte is left for anyone */

    /* the header is authenticated too: a changed nonce passes the key check, not the tag */
    unlink(enc);
    assert_int_equal(bk_crypt_encrypt(plain, enc, "correct horse battery", 1000, err, sizeof err), 0);
    const char *nonce = path("q-nonce.enc");
    cut(enc, nonce, size_of(enc));
    x = 0xff;
    write_bytes(nonce, &x, 1, 40);
    assert_int_equal(bk_crypt_decrypt(nonce, dec, "correct horse battery", err, sizeof err), BK_CRYPT_EDAMAGED);
    /* a header asking for more PBKDF2 rounds than the format allows: refused before any work */
    const char *greedy = path("q-greedy.enc");
    cut(enc, greedy, size_of(enc));
    unsigned char many[4] = {0x00, 0x98, 0x96, 0x81}; /* 10 000 001 */
    write_bytes(greedy, many, 4, 12);
    assert_int_equal(bk_crypt_decrypt(greedy, dec, "correct horse battery", err, sizeof err), BK_CRYPT_EFORMAT);
    /* cut short: the tag is missing, or the header itself */
    const char *cutf = path("q-cut.enc");
    cut(enc, cutf, size_of(enc) - 5);
    assert_int_equal(bk_crypt_decrypt(cutf, dec, "correct horse battery", err, sizeof err), BK_CRYPT_EDAMAGED);
    cut(enc, cutf, 30);
    assert_int_equal(bk_crypt_decrypt(cutf, dec, "correct horse battery", err, sizeof err), BK_CRYPT_EFORMAT);
    assert_int_equal(bk_crypt_decrypt(plain, dec, "correct horse battery", err, sizeof err), BK_CRYPT_EFORMAT);
    assert_non_null(strstr(err, "not an encrypted Walor backup"));
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_is_read_from_the_copy),
        cmocka_unit_test(test_archive_round_trip_and_checks),
        cmocka_unit_test(test_damaged_cut_and_foreign_archives_are_refused),
        cmocka_unit_test(test_newer_schema_is_named),
        cmocka_unit_test(test_encryption_round_trip_and_header),
        cmocka_unit_test(test_wrong_passphrase_and_damage_are_told_apart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
