/* Google service-account sign-in (EXTERNAL-APIS.md §5.1–5.2): the key
 * file and the RS256-signed JWT that buys an access token. Pure (OpenSSL,
 * jansson), unit-tested in tests/unit/plugins/backup-gdrive. */
#ifndef BACKUP_GDRIVE_BKJWT_H
#define BACKUP_GDRIVE_BKJWT_H

#include <stddef.h>
#include <stdint.h>

/* base64url of n bytes, without padding (RFC 7515 §2); malloc'd */
char *bk_b64url(const unsigned char *data, size_t n);

/* The fields of a service account's JSON key file this plugin uses; every
 * string malloc'd (bk_sa_key_free). token_uri defaults to Google's. */
typedef struct bk_sa_key {
    char *client_email;
    char *private_key;    /* PEM, PKCS#8 */
    char *private_key_id; /* the JWT's "kid"; may be NULL */
    char *token_uri;
} bk_sa_key;

/* 0, or -1 with err (the file is named, the key never printed) */
int bk_sa_key_load(const char *path, bk_sa_key *out, char *err, size_t errlen);
void bk_sa_key_free(bk_sa_key *k);

/* header.claims.signature: {"alg":"RS256","typ":"JWT"[,"kid"]} and
 * {"iss","scope","aud","iat","exp" = iat + ttl} signed with
 * RSASSA-PKCS1-v1_5 SHA-256. malloc'd, or NULL with err (a key that is
 * not an RSA private key in PEM). */
char *bk_jwt_rs256(const char *key_pem, const char *kid, const char *iss, const char *scope, const char *aud,
                   int64_t iat, int64_t ttl, char *err, size_t errlen);

#endif
