/* AES-256-GCM archive encryption (bkcrypt.h has the format). */
#include "bkcrypt.h"
#include "bkutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define CHUNK (64 * 1024)

#define fail bk_fail

int bk_crypt_is_encrypted(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char m[8];
    size_t got = fread(m, 1, sizeof m, f);
    fclose(f);
    return got == sizeof m && memcmp(m, BK_ENC_MAGIC, 8) == 0;
}

/* key (32) and check (16) from the passphrase and the header's salt */
static int derive(const char *pass, const unsigned char *salt, uint32_t iters, unsigned char key[32],
                  unsigned char check[16])
{
    unsigned char master[32], mac[32];
    unsigned int len = 0;
    int ok = PKCS5_PBKDF2_HMAC(pass, (int)strlen(pass), salt, 16, (int)iters, EVP_sha256(), 32, master) == 1;
    static const char kkey[] = "walor-backup aes-256-gcm", kcheck[] = "walor-backup check";
    ok = ok && HMAC(EVP_sha256(), master, 32, (const unsigned char *)kkey, sizeof kkey - 1, key, &len) && len == 32;
    ok = ok && HMAC(EVP_sha256(), master, 32, (const unsigned char *)kcheck, sizeof kcheck - 1, mac, &len) && len == 32;
    if (ok)
        memcpy(check, mac, 16);
    OPENSSL_cleanse(master, sizeof master);
    OPENSSL_cleanse(mac, sizeof mac);
    return ok ? 0 : -1;
}

static FILE *create_new(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "wb");
    if (!f)
        close(fd);
    return f;
}

/* the end of both directions: everything freed and closed, out flushed and
 * synced (a full disk may only show there), and removed on failure */
static int finish(EVP_CIPHER_CTX *cx, void *inb, void *outb, FILE *in, FILE *out, const char *out_path, int rc,
                  char *err, size_t errlen)
{
    EVP_CIPHER_CTX_free(cx);
    free(inb);
    free(outb);
    fclose(in);
    errno = 0;
    int bad = fflush(out) != 0 || fsync(fileno(out)) != 0;
    int e = errno;
    bad |= fclose(out) != 0;
    if (bad && !rc)
        rc = fail(BK_CRYPT_EIO, err, errlen, "writing %s: %s", out_path, strerror(e ? e : errno));
    if (rc)
        unlink(out_path);
    return rc;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int bk_crypt_encrypt(const char *in_path, const char *out_path, const char *passphrase, uint32_t iterations, char *err,
                     size_t errlen)
{
    if (!passphrase || !*passphrase)
        return fail(BK_CRYPT_EFORMAT, err, errlen, "empty passphrase");
    if (!iterations)
        iterations = BK_ENC_ITERATIONS;
    unsigned char hdr[BK_ENC_HEADER] = {0}, key[32], tag[BK_ENC_TAG];
    memcpy(hdr, BK_ENC_MAGIC, 8);
    hdr[8] = 1;
    hdr[9] = 1;
    put_be32(hdr + 12, iterations);
    if (RAND_bytes(hdr + 16, 16 + 12) != 1)
        return fail(BK_CRYPT_EIO, err, errlen, "no random bytes for the salt and nonce");
    if (derive(passphrase, hdr + 16, iterations, key, hdr + 44) != 0)
        return fail(BK_CRYPT_EIO, err, errlen, "key derivation failed");

    FILE *in = fopen(in_path, "rb");
    if (!in) {
        OPENSSL_cleanse(key, sizeof key);
        return fail(BK_CRYPT_EIO, err, errlen, "cannot read %s: %s", in_path, strerror(errno));
    }
    FILE *out = create_new(out_path);
    if (!out) {
        int e = errno;
        fclose(in);
        OPENSSL_cleanse(key, sizeof key);
        return fail(BK_CRYPT_EIO, err, errlen, "cannot create %s: %s", out_path, strerror(e));
    }
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    int rc = 0, len = 0;
    unsigned char *inb = malloc(CHUNK), *outb = malloc(CHUNK + 16);
    if (!cx || !inb || !outb || EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
        EVP_EncryptInit_ex(cx, NULL, NULL, key, hdr + 32) != 1 ||
        EVP_EncryptUpdate(cx, NULL, &len, hdr, BK_ENC_HEADER) != 1)
        rc = fail(BK_CRYPT_EIO, err, errlen, "cannot set up AES-256-GCM");
    OPENSSL_cleanse(key, sizeof key);
    if (!rc && fwrite(hdr, 1, sizeof hdr, out) != sizeof hdr)
        rc = fail(BK_CRYPT_EIO, err, errlen, "writing %s: %s", out_path, strerror(errno));
    while (!rc) {
        size_t got = fread(inb, 1, CHUNK, in);
        if (got == 0) {
            if (ferror(in))
                rc = fail(BK_CRYPT_EIO, err, errlen, "reading %s: %s", in_path, strerror(errno));
            break;
        }
        if (EVP_EncryptUpdate(cx, outb, &len, inb, (int)got) != 1)
            rc = fail(BK_CRYPT_EIO, err, errlen, "encryption failed");
        else if (fwrite(outb, 1, (size_t)len, out) != (size_t)len)
            rc = fail(BK_CRYPT_EIO, err, errlen, "writing %s: %s", out_path, strerror(errno));
    }
    if (!rc && (EVP_EncryptFinal_ex(cx, outb, &len) != 1 || len != 0 ||
                EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, BK_ENC_TAG, tag) != 1))
        rc = fail(BK_CRYPT_EIO, err, errlen, "encryption failed at the end");
    if (!rc && fwrite(tag, 1, sizeof tag, out) != sizeof tag)
        rc = fail(BK_CRYPT_EIO, err, errlen, "writing %s: %s", out_path, strerror(errno));
    return finish(cx, inb, outb, in, out, out_path, rc, err, errlen);
}

int bk_crypt_decrypt(const char *in_path, const char *out_path, const char *passphrase, char *err, size_t errlen)
{
    FILE *in = fopen(in_path, "rb");
    if (!in)
        return fail(BK_CRYPT_EIO, err, errlen, "cannot read %s: %s", in_path, strerror(errno));
    unsigned char hdr[BK_ENC_HEADER], key[32], check[16], tag[BK_ENC_TAG];
    long total = -1;
    if (fseek(in, 0, SEEK_END) == 0)
        total = ftell(in);
    rewind(in);
    if (total < BK_ENC_HEADER + BK_ENC_TAG || fread(hdr, 1, sizeof hdr, in) != sizeof hdr ||
        memcmp(hdr, BK_ENC_MAGIC, 8) != 0) {
        fclose(in);
        return fail(BK_CRYPT_EFORMAT, err, errlen, "%s is not an encrypted Walor backup (or is cut short)", in_path);
    }
    uint32_t iters = get_be32(hdr + 12);
    if (hdr[8] != 1 || hdr[9] != 1 || hdr[10] || hdr[11] || iters == 0 || iters > BK_ENC_ITERATIONS_MAX) {
        fclose(in);
        return fail(BK_CRYPT_EFORMAT, err, errlen, "%s: format %u, KDF %u: not one this walorctl knows", in_path,
                    hdr[8], hdr[9]);
    }
    if (!passphrase || !*passphrase) {
        fclose(in);
        return fail(BK_CRYPT_EPASS, err, errlen, "%s is encrypted: a passphrase is needed", in_path);
    }
    if (derive(passphrase, hdr + 16, iters, key, check) != 0) {
        fclose(in);
        return fail(BK_CRYPT_EIO, err, errlen, "key derivation failed");
    }
    if (CRYPTO_memcmp(check, hdr + 44, 16) != 0) {
        OPENSSL_cleanse(key, sizeof key);
        fclose(in);
        return fail(BK_CRYPT_EPASS, err, errlen, "wrong passphrase for %s", in_path);
    }
    FILE *out = create_new(out_path);
    if (!out) {
        int e = errno;
        OPENSSL_cleanse(key, sizeof key);
        fclose(in);
        return fail(BK_CRYPT_EIO, err, errlen, "cannot create %s: %s", out_path, strerror(e));
    }
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    unsigned char *inb = malloc(CHUNK), *outb = malloc(CHUNK + 16);
    int rc = 0, len = 0;
    if (!cx || !inb || !outb || EVP_DecryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
        EVP_DecryptInit_ex(cx, NULL, NULL, key, hdr + 32) != 1 ||
        EVP_DecryptUpdate(cx, NULL, &len, hdr, BK_ENC_HEADER) != 1)
        rc = fail(BK_CRYPT_EIO, err, errlen, "cannot set up AES-256-GCM");
    OPENSSL_cleanse(key, sizeof key);
    long left = total - BK_ENC_HEADER - BK_ENC_TAG;
    while (!rc && left > 0) {
        size_t want = left < CHUNK ? (size_t)left : CHUNK;
        if (fread(inb, 1, want, in) != want)
            rc = fail(BK_CRYPT_EIO, err, errlen, "reading %s: %s", in_path, strerror(errno));
        else if (EVP_DecryptUpdate(cx, outb, &len, inb, (int)want) != 1)
            rc = fail(BK_CRYPT_EDAMAGED, err, errlen, "decryption failed");
        else if (fwrite(outb, 1, (size_t)len, out) != (size_t)len)
            rc = fail(BK_CRYPT_EIO, err, errlen, "writing %s: %s", out_path, strerror(errno));
        left -= (long)want;
    }
    if (!rc && fread(tag, 1, sizeof tag, in) != sizeof tag)
        rc = fail(BK_CRYPT_EIO, err, errlen, "reading %s: %s", in_path, strerror(errno));
    if (!rc && (EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_TAG, BK_ENC_TAG, tag) != 1 ||
                EVP_DecryptFinal_ex(cx, outb, &len) != 1))
        rc = fail(BK_CRYPT_EDAMAGED, err, errlen,
                  "%s is damaged: its contents do not match their GCM tag (changed or cut short)", in_path);
    return finish(cx, inb, outb, in, out, out_path, rc, err, errlen);
}
