/* backup-gdrive: talking to Google (EXTERNAL-APIS.md §5).
 *
 * Access tokens: a service account signs a JWT (RS256, bkjwt.c) and trades
 * it at the token endpoint; a user's OAuth client trades its refresh token
 * (the only way for a personal @gmail.com Drive: a service account has no
 * storage of its own, §5.3). Either gives a bearer token for an hour; it is
 * kept in memory, shared by the workers, until a minute before it expires
 * or until Drive answers 401 — then the call is made once more with a new
 * one. Neither the key, the refresh token nor an access token is ever
 * logged or shown. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk.h"

#define SCOPE "https://www.googleapis.com/auth/drive.file"
#define TOKEN_MAX 4096

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char cached[TOKEN_MAX];
static int64_t cached_until;

void bk_gd_token_forget(void)
{
    pthread_mutex_lock(&mu);
    memset(cached, 0, sizeof cached);
    cached_until = 0;
    pthread_mutex_unlock(&mu);
}

/* "code: description" of an OAuth error body ({"error": "invalid_grant", …}),
 * or Drive's {"error": {"code", "message", "errors": [{"reason"}]}} */
const char *bk_gd_error(walor_ctx *c, const walor_http_response *r)
{
    json_t *j = r->body ? json_loadb(r->body, (size_t)r->body_len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *out;
    if (json_is_string(e)) {
        const char *d = json_string_value(json_object_get(j, "error_description"));
        out = walor_ctx_printf(c, "%d %s%s%s", r->status, json_string_value(e), d ? ": " : "", d ? d : "");
    } else if (json_is_object(e)) {
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *why = json_string_value(json_object_get(json_array_get(json_object_get(e, "errors"), 0), "reason"));
        out = walor_ctx_printf(c, "%d %s%s%s", r->status, why ? why : "", why && msg ? ": " : "", msg ? msg : "");
    } else {
        int n = r->body_len > 200 ? 200 : (int)r->body_len;
        out = walor_ctx_printf(c, "HTTP %d %.*s", r->status, n, r->body ? r->body : "");
    }
    json_decref(j);
    return out;
}

const char *bk_gd_reason(walor_ctx *c, const walor_http_response *r)
{
    json_t *j = r->body ? json_loadb(r->body, (size_t)r->body_len, 0, NULL) : NULL;
    const char *why = json_string_value(
        json_object_get(json_array_get(json_object_get(json_object_get(j, "error"), "errors"), 0), "reason"));
    const char *out = walor_ctx_printf(c, "%s", why ? why : "");
    json_decref(j);
    return out;
}

static const char *net_error(walor_ctx *c, const char *what, int32_t rc)
{
    return walor_ctx_printf(c, "%s: %s (%s)", what, rc == WALOR_ETIMEDOUT ? "no answer in time" : "cannot connect",
                            walor_last_error(c));
}

static const char *form_body(walor_ctx *c, int64_t now)
{
    if (bk_cfg.drive == BK_DRIVE_OAUTH)
        return walor_ctx_printf(c, "grant_type=refresh_token&client_id=%s&client_secret=%s&refresh_token=%s",
                                walor_url_escape(c, bk_cfg.client_id), walor_url_escape(c, bk_cfg.client_secret),
                                walor_url_escape(c, bk_cfg.refresh_token));
    char err[256];
    char *jwt = bk_jwt_rs256(bk_cfg.sa.private_key, bk_cfg.sa.private_key_id, bk_cfg.sa.client_email, SCOPE,
                             bk_cfg.token_url, now, 3600, err, sizeof err);
    if (!jwt)
        return NULL;
    const char *body =
        walor_ctx_printf(c, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer&assertion=%s", jwt);
    free(jwt);
    return body;
}

int32_t bk_gd_token(walor_ctx *c, const char **token, const char **why)
{
    int64_t now = walor_now(c);
    *why = NULL;
    pthread_mutex_lock(&mu);
    if (cached[0] && now < cached_until) {
        *token = walor_ctx_printf(c, "%s", cached);
        pthread_mutex_unlock(&mu);
        return 0;
    }
    pthread_mutex_unlock(&mu);
    const char *body = form_body(c, now);
    if (!body) {
        *why = bk_t(c, "backup-gdrive.err.key");
        return WALOR_EINVAL;
    }
    walor_http_response r = {.struct_size = sizeof r};
    int32_t rc = walor_http_post(c, bk_cfg.token_url, NULL, "application/x-www-form-urlencoded", body, strlen(body),
                                 bk_cfg.timeout_ms, &r);
    if (rc < 0) {
        *why = net_error(c, "token", rc);
        return rc;
    }
    json_t *j = r.status == 200 ? json_loadb(r.body, (size_t)r.body_len, 0, NULL) : NULL;
    const char *tok = json_string_value(json_object_get(j, "access_token"));
    json_int_t ttl = json_integer_value(json_object_get(j, "expires_in"));
    if (!tok || !*tok || strlen(tok) >= TOKEN_MAX) {
        *why = walor_ctx_printf(c, "token: %s", bk_gd_error(c, &r));
        json_decref(j);
        return WALOR_EPERM;
    }
    *token = walor_ctx_printf(c, "%s", tok);
    pthread_mutex_lock(&mu);
    snprintf(cached, sizeof cached, "%s", tok);
    cached_until = now + (ttl > 120 ? ttl - 60 : 60);
    pthread_mutex_unlock(&mu);
    json_decref(j);
    return 0;
}

int32_t bk_gd_call(walor_ctx *c, const char *method, const char *url, const char *const *headers,
                   const char *content_type, const void *body, size_t len, uint64_t max_response,
                   walor_http_response *out, const char **why)
{
    for (int attempt = 0;; attempt++) {
        const char *token;
        int32_t rc = bk_gd_token(c, &token, why);
        if (rc < 0)
            return rc;
        const char *h[40];
        size_t n = 0;
        h[n++] = walor_ctx_printf(c, "Authorization: Bearer %s", token);
        if (content_type)
            h[n++] = walor_ctx_printf(c, "Content-Type: %s", content_type);
        for (size_t i = 0; headers && headers[i] && n < 39; i++)
            h[n++] = headers[i];
        h[n] = NULL;
        walor_http_request req = {.struct_size = sizeof req,
                                  .timeout_ms = bk_cfg.timeout_ms,
                                  .method = method,
                                  .url = url,
                                  .headers = h,
                                  .body = body,
                                  .body_len = len,
                                  .max_response = max_response};
        *out = (walor_http_response){.struct_size = sizeof *out};
        rc = walor_http_fetch(c, &req, out);
        if (rc < 0) {
            *why = net_error(c, "Google Drive", rc);
            return rc;
        }
        if (out->status != 401 || attempt)
            return 0;
        /* the access token expired or was revoked early: a new one, once */
        bk_gd_token_forget();
    }
}

int32_t bk_gd_download(walor_ctx *c, const char *file_id, uint64_t max, const void **data, size_t *len,
                       const char **why)
{
    walor_http_response r;
    const char *url = walor_ctx_printf(c, "%s/drive/v3/files/%s?alt=media&supportsAllDrives=true", bk_cfg.api_url,
                                       walor_url_escape(c, file_id));
    int32_t rc = bk_gd_call(c, "GET", url, NULL, NULL, NULL, 0, max + 1, &r, why);
    if (rc == WALOR_ELIMIT)
        *why = bk_t(c, "backup-gdrive.err.too_big");
    if (rc < 0)
        return rc;
    if (r.status != 200) {
        *why = bk_gd_error(c, &r);
        return WALOR_ENOTFOUND;
    }
    *data = r.body;
    *len = (size_t)r.body_len;
    return 0;
}
