/* pay-ecom: the status webhook, POST /p/pay-ecom/webhook/<secret>.
 *
 * No signature scheme is known for Ekomkassa callbacks, so: the secret in
 * the path (compared in constant time, over SHA-256 digests so its length
 * does not leak either), a body limit, and the body is never believed: it
 * only names the invoice or receipt, whose status is then asked from the
 * provider. Route handlers run outside any transaction, so the re-query
 * happens here, before the answer: a provider that cannot be reached gets
 * 503 and sends the callback again (reconciliation catches it otherwise). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "payecom.h"

#define WEBHOOK "webhook/"
#define MAX_BODY (16 * 1024)

static int32_t respond(walor_ctx *c, uint32_t status, const char *json)
{
    return walor_http_respond(c, status, "application/json", json, strlen(json));
}

static int secret_ok(const char *given, const char *want)
{
    unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)given, strlen(given), a);
    SHA256((const unsigned char *)want, strlen(want), b);
    return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

static int32_t webhook(walor_ctx *c)
{
    const char *path = walor_http_path(c);
    const char *want = pay_cfg("webhook_secret", "");
    if (!path || strncmp(path, WEBHOOK, strlen(WEBHOOK)) != 0 || strlen(want) < 16 ||
        !secret_ok(path + strlen(WEBHOOK), want)) {
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: webhook refused: wrong secret");
        return respond(c, 404, "{\"error\":\"not found\"}");
    }
    size_t len = 0;
    const char *body = walor_http_body(c, &len);
    const char *id = NULL;
    if (!body || pay_provider_get()->parse_callback(c, body, len, &id) != 0) {
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: webhook without an invoice id (%zu bytes)", len);
        return respond(c, 400, "{\"error\":\"no id\"}");
    }
    int64_t oid = 0;
    int32_t kind = pay_lookup(c, id, &oid);
    if (kind < 0)
        return kind;
    if (kind == 0) {
        walor_log(c, WALOR_LOG_WARN, "pay-ecom: webhook for an unknown invoice");
        return respond(c, 200, "{\"result\":\"unknown\"}");
    }
    int32_t rc, st = PAY_ST_UNKNOWN;
    if (kind == 2)
        rc = pay_receipt_step(c, oid);
    else
        rc = pay_check(c, oid, id, &st);
    if (rc == WALOR_ETIMEDOUT || rc == WALOR_ENET)
        return respond(c, 503, "{\"error\":\"provider unavailable, retry\"}");
    if (rc < 0)
        return rc;
    return respond(c, 200, kind == 2 ? "{\"result\":\"receipt\"}"
                                     : walor_ctx_printf(c, "{\"result\":\"%s\"}", pay_status_name(st)));
}

int32_t pay_webhook_register(walor_plugin *p)
{
    static const walor_route_def r = {.struct_size = sizeof r, .flags = WALOR_HTTP_POST | WALOR_ROUTE_PREFIX,
                                      .path = "webhook/", .handler = webhook, .max_body = MAX_BODY};
    return walor_route(p, &r);
}
