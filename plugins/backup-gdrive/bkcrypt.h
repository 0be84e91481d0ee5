/* The encrypted archive format of backup-gdrive (README.md "Encryption"):
 * AES-256-GCM over the whole .zip, the key from a passphrase by
 * PBKDF2-HMAC-SHA256. Pure (OpenSSL only): the plugin encrypts with it,
 * `walorctl decrypt` and `walorctl restore` decrypt with it.
 *
 *   offset size  field
 *        0    8  magic "WALORENC"
 *        8    1  format version, 1
 *        9    1  KDF, 1 = PBKDF2-HMAC-SHA256
 *       10    2  reserved, 0
 *       12    4  iterations, big-endian
 *       16   16  salt (random)
 *       32   12  nonce, the GCM IV (random)
 *       44   16  key check: HMAC-SHA256(master, "walor-backup check")[0..16)
 *       60    …  ciphertext (as long as the .zip)
 *   last 16      GCM tag
 *
 * master = PBKDF2-HMAC-SHA256(passphrase, salt, iterations, 32 bytes);
 * key = HMAC-SHA256(master, "walor-backup aes-256-gcm"); the 60-byte header
 * is the GCM additional data, so no field of it can be changed unnoticed.
 * The key check tells a wrong passphrase ("неверная парольная фраза")
 * from a damaged file (the tag does not match) before anything is
 * decrypted; it costs an attacker as much as the key itself (one PBKDF2). */
#ifndef BACKUP_GDRIVE_BKCRYPT_H
#define BACKUP_GDRIVE_BKCRYPT_H

#include <stddef.h>
#include <stdint.h>

#define BK_ENC_MAGIC "WALORENC"
#define BK_ENC_HEADER 60
#define BK_ENC_TAG 16
#define BK_ENC_ITERATIONS 600000u /* OWASP's figure for PBKDF2-HMAC-SHA256 (2023) */
#define BK_ENC_ITERATIONS_MAX 10000000u /* a header asking for more is refused: seconds, not hours */

/* results besides 0 */
#define BK_CRYPT_EIO (-1)      /* reading or writing a file failed (err says which, e.g. no space left) */
#define BK_CRYPT_EFORMAT (-2)  /* not an encrypted backup, or a header we do not know */
#define BK_CRYPT_EPASS (-3)    /* the passphrase is not the one it was encrypted with */
#define BK_CRYPT_EDAMAGED (-4) /* the passphrase is right but the data was changed or cut */

/* 1 when the file at path starts with the magic, 0 when not, -1 when it cannot be read */
int bk_crypt_is_encrypted(const char *path);

/* Encrypts in_path into out_path (created, must not exist). On failure
 * out_path is removed. iterations 0 = BK_ENC_ITERATIONS. */
int bk_crypt_encrypt(const char *in_path, const char *out_path, const char *passphrase, uint32_t iterations, char *err,
                     size_t errlen);

/* Decrypts in_path into out_path (created, must not exist). The plaintext
 * is written as it is decrypted, but out_path is removed unless the tag
 * matched: a caller never sees unauthenticated bytes. */
int bk_crypt_decrypt(const char *in_path, const char *out_path, const char *passphrase, char *err, size_t errlen);

#endif
