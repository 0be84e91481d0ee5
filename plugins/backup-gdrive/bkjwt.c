/* Service-account JWTs (bkjwt.h), the LIBRARIES.md recipe: the PEM read
 * from memory, EVP_DigestSign with SHA-256, base64url without padding. */
#include "bkjwt.h"
#include "bkutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define GOOGLE_TOKEN_URI "https://oauth2.googleapis.com/token"


char *bk_b64url(const unsigned char *data, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(n / 3 * 4 + 5), *o = out;
    if (!out)
        return NULL;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        *o++ = abc[v >> 18 & 63], *o++ = abc[v >> 12 & 63], *o++ = abc[v >> 6 & 63], *o++ = abc[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        *o++ = abc[v >> 18 & 63], *o++ = abc[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        *o++ = abc[v >> 18 & 63], *o++ = abc[v >> 12 & 63], *o++ = abc[v >> 6 & 63];
    }
    *o = '\0';
    return out;
}

static char *dup_field(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s && *s ? strdup(s) : NULL;
}

int bk_sa_key_load(const char *path, bk_sa_key *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j) {
        bk_fail(-1, err, errlen, "cannot read the service account key %s: %s", path, je.text);
        return -1;
    }
    const char *type = json_string_value(json_object_get(j, "type"));
    int is_sa = type && strcmp(type, "service_account") == 0;
    out->client_email = dup_field(j, "client_email");
    out->private_key = dup_field(j, "private_key");
    out->private_key_id = dup_field(j, "private_key_id");
    out->token_uri = dup_field(j, "token_uri");
    json_decref(j);
    if (!is_sa || !out->client_email || !out->private_key) {
        bk_fail(-1, err, errlen,
                "%s is not a service account key (\"type\": \"service_account\", client_email and "
                "private_key are needed)",
                path);
        bk_sa_key_free(out);
        return -1;
    }
    if (!out->token_uri && !(out->token_uri = strdup(GOOGLE_TOKEN_URI))) {
        bk_sa_key_free(out);
        return -1;
    }
    return 0;
}

void bk_sa_key_free(bk_sa_key *k)
{
    if (k->private_key)
        memset(k->private_key, 0, strlen(k->private_key));
    free(k->client_email);
    free(k->private_key);
    free(k->private_key_id);
    free(k->token_uri);
    memset(k, 0, sizeof *k);
}

static char *b64_json(json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    char *b = text ? bk_b64url((const unsigned char *)text, strlen(text)) : NULL;
    free(text);
    return b;
}

char *bk_jwt_rs256(const char *key_pem, const char *kid, const char *iss, const char *scope, const char *aud,
                   int64_t iat, int64_t ttl, char *err, size_t errlen)
{
    BIO *bio = BIO_new_mem_buf(key_pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!key || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
        bk_fail(-1, err, errlen, "the service account's private_key is not an RSA private key in PEM");
        EVP_PKEY_free(key);
        return NULL;
    }
    json_t *hdr = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
    if (kid && *kid)
        json_object_set_new(hdr, "kid", json_string(kid));
    json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", iss, "scope", scope, "aud", aud, "iat",
                               (json_int_t)iat, "exp", (json_int_t)(iat + ttl));
    char *h = b64_json(hdr), *cl = b64_json(claims), *jwt = NULL;
    json_decref(hdr);
    json_decref(claims);
    char *input = NULL;
    if (h && cl && asprintf(&input, "%s.%s", h, cl) < 0)
        input = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t siglen = 0;
    unsigned char *sig = NULL;
    if (input && md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestSignUpdate(md, input, strlen(input)) == 1 && EVP_DigestSignFinal(md, NULL, &siglen) == 1 &&
        (sig = malloc(siglen)) && EVP_DigestSignFinal(md, sig, &siglen) == 1) {
        char *s = bk_b64url(sig, siglen);
        if (s && asprintf(&jwt, "%s.%s", input, s) < 0)
            jwt = NULL;
        free(s);
    }
    if (!jwt)
        bk_fail(-1, err, errlen, "signing the JWT failed");
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    free(sig);
    free(input);
    free(h);
    free(cl);
    return jwt;
}
