/* pay-ecom: the Ekomkassa-shaped payment provider (EXTERNAL-APIS.md §2.1).
 *
 * Two hosts: the API (token, fiscal receipts) and the payment gateway
 * (invoices). Every path is a [plugin.pay-ecom] key with {group} and {id}
 * placeholders, because the invoice endpoints are reconstructed, not
 * documented. The token ("Token:" header) lives 24 hours; it is kept in
 * pay_ecom_token so every worker shares it, and fetched again on 401/403. */
#include <string.h>

#include "payecom.h"
#include "provider.h"

#define TOKEN_TTL (24 * 3600 - 300) /* a little under the provider's 24 h */
#define ID_MAX 128

typedef struct api_call {
    const char *method;    /* "GET" / "POST" */
    const char *url;
    const char *body;      /* JSON or NULL */
    int auth;              /* send the Token header */
    int error_is_data;     /* a 200 with an "error" member is an answer (a failed receipt's report) */
} api_call;

static uint32_t timeout_ms(walor_ctx *c)
{
    int64_t t = walor_setting_min(c, "pay-ecom.api_timeout_ms", 100, 10000);
    return (uint32_t)t;
}

static const char *url_of(walor_ctx *c, const char *base_key, const char *base_def, const char *path_key,
                          const char *path_def, const char *id)
{
    char path[512];
    const char *group = walor_url_escape(c, pay_cfg("group_code", ""));
    const char *eid = id ? walor_url_escape(c, id) : NULL;
    if (!group || (id && !eid) || pay_path(pay_cfg(path_key, path_def), group, eid, path, sizeof path) != 0)
        return NULL;
    const char *base = pay_cfg(base_key, base_def);
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    return walor_ctx_printf(c, "%.*s%s", (int)bl, base, path);
}

static const char *api_url(walor_ctx *c, const char *path_key, const char *path_def, const char *id)
{
    return url_of(c, "api_url", "https://app.ecomkassa.ru", path_key, path_def, id);
}

static const char *gw_url(walor_ctx *c, const char *path_key, const char *path_def, const char *id)
{
    return url_of(c, "gateway_url", "https://payments.ecomkassa.ru", path_key, path_def, id);
}

static json_t *parse(walor_ctx *c, const walor_http_response *r)
{
    (void)c;
    return json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
}

/* a fresh token from the API, stored for the other workers */
static int32_t token_fetch(walor_ctx *c, const char **out, const char **why)
{
    const char *url = api_url(c, "path_token", "/fiscalorder/v5/getToken", NULL);
    json_t *b = json_pack("{s:s, s:s}", "login", pay_cfg("login", ""), "pass", pay_cfg("password", ""));
    char *body = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    if (!url || !body) {
        free(body);
        *why = "no token request";
        return WALOR_ENOMEM;
    }
    walor_http_response r;
    int32_t rc = walor_http_post(c, url, NULL, "application/json", body, strlen(body), timeout_ms(c), &r);
    free(body);
    if (rc < 0) {
        *why = walor_ctx_printf(c, "токен: %s", walor_last_error(c));
        return rc;
    }
    json_t *j = parse(c, &r);
    const char *tok = json_string_value(json_object_get(j, "token"));
    if (r.status != 200 || !tok || !*tok) {
        const char *e = pay_error_text(j);
        *why = walor_ctx_printf(c, "токен: HTTP %d %s", (int)r.status, e ? e : "");
        json_decref(j);
        return r.status >= 500 ? WALOR_ENET : WALOR_ERANGE;
    }
    *out = walor_ctx_printf(c, "%s", tok);
    json_decref(j);
    rc = walor_db_exec(c,
                       "INSERT INTO pay_ecom_token(id, token, expires_at) VALUES (1, ?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at",
                       WALOR_ARGS(walor_s(*out), walor_i(walor_now(c) + TOKEN_TTL)));
    return rc < 0 ? rc : 0;
}

static int32_t token_get(walor_ctx *c, const char **out, const char **why)
{
    walor_rows *r = NULL;
    if (walor_db_query(c, "SELECT token FROM pay_ecom_token WHERE id = 1 AND expires_at > ?",
                       WALOR_ARGS(walor_i(walor_now(c))), &r) == 0 &&
        walor_row_next(r) == 1) {
        *out = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
        walor_rows_close(r);
        return 0;
    }
    walor_rows_close(r);
    return token_fetch(c, out, why);
}

/* one API call with the token; a 401/403 gets one fresh token and a retry.
 * *j: the parsed answer (the caller decrefs), NULL when not JSON. */
static int32_t call(walor_ctx *c, const api_call *a, walor_http_response *r, json_t **j, const char **why)
{
    *j = NULL;
    if (!a->url) {
        *why = "неверный путь API в настройках";
        return WALOR_EINVAL;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        const char *tok = NULL;
        int32_t rc = 0;
        if (a->auth)
            rc = attempt ? token_fetch(c, &tok, why) : token_get(c, &tok, why);
        if (rc < 0)
            return rc;
        const char *hdrs[3] = {"Accept: application/json", NULL, NULL};
        if (tok)
            hdrs[1] = walor_ctx_printf(c, "Token: %s", tok);
        walor_http_request rq = {.struct_size = sizeof rq, .timeout_ms = timeout_ms(c), .method = a->method,
                                 .url = a->url, .headers = hdrs, .max_response = 1024 * 1024};
        const char *ctype[4] = {"Content-Type: application/json", hdrs[0], hdrs[1], NULL};
        if (a->body) {
            rq.headers = ctype;
            rq.body = a->body;
            rq.body_len = strlen(a->body);
        }
        r->struct_size = sizeof *r;
        rc = walor_http_fetch(c, &rq, r);
        if (rc < 0) {
            *why = walor_ctx_printf(c, "%s", walor_last_error(c));
            return rc;
        }
        if (a->auth && (r->status == 401 || r->status == 403) && attempt == 0)
            continue;
        *j = parse(c, r);
        if (r->status >= 500) {
            *why = walor_ctx_printf(c, "HTTP %d", (int)r->status);
            json_decref(*j);
            *j = NULL;
            return WALOR_ENET; /* the provider is failing: like being down, try later */
        }
        if (r->status >= 400 || !*j || (!a->error_is_data && pay_error_text(*j))) {
            const char *e = *j ? pay_error_text(*j) : NULL;
            *why = walor_ctx_printf(c, "HTTP %d%s%s", (int)r->status, e ? ": " : "", e ? e : "");
            json_decref(*j);
            *j = NULL;
            return r->status >= 400 ? WALOR_ERANGE : WALOR_EINVAL;
        }
        return 0;
    }
    *why = "токен не принят";
    return WALOR_ERANGE;
}

static char *dump(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(j);
    return s;
}

/* call() with the token; the response is not needed, only *j */
static int32_t request(walor_ctx *c, const char *method, const char *url, const char *body, int error_is_data,
                       json_t **j, const char **why)
{
    api_call a = {method, url, body, 1, error_is_data};
    walor_http_response r;
    return call(c, &a, &r, j, why);
}

/* request() that POSTs b (taken; NULL: it could not be built) as JSON */
static int32_t post(walor_ctx *c, const char *url, json_t *b, json_t **j, const char **why)
{
    char *body = dump(b);
    *j = NULL;
    if (!body)
        return WALOR_ENOMEM;
    const char *copy = walor_ctx_printf(c, "%s", body);
    free(body);
    return request(c, "POST", url, copy, 0, j, why);
}

static int32_t create_invoice(walor_ctx *c, const pay_invoice_req *q, pay_invoice_info *out, const char **why)
{
    /* the external id is the idempotency key: a retried request (timeout,
     * a job run twice) finds the invoice made the first time */
    const char *ext = walor_ctx_printf(c, "walor-%lld-%lld", (long long)q->order_id, (long long)q->attempt);
    json_t *b = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "external_id", ext, "amount", pay_rub(q->amount),
                          "currency", "RUB", "description", q->description ? q->description : "", "callback_url",
                          q->callback_url ? q->callback_url : "", "provider", pay_cfg("gateway_provider", "TOCHKA_SBP"));
    if (b && q->email && *q->email)
        json_object_set_new(b, "client", json_pack("{s:s}", "email", q->email));
    json_t *j;
    int32_t rc = post(c, gw_url(c, "path_invoice", "/api/v1/payments", NULL), b, &j, why);
    if (rc < 0)
        return rc;
    char idbuf[ID_MAX];
    pay_invoice_resp ir;
    if (pay_parse_invoice(j, &ir, idbuf, sizeof idbuf) != 0) {
        json_decref(j);
        *why = "ответ без id или ссылки на оплату";
        return WALOR_EINVAL;
    }
    out->id = walor_ctx_printf(c, "%s", ir.id);
    out->link = walor_ctx_printf(c, "%s", ir.link ? ir.link : ir.qr);
    out->qr = walor_ctx_printf(c, "%s", ir.qr);
    json_decref(j);
    return 0;
}

static int32_t check_status(walor_ctx *c, const char *id, int32_t *status, const char **why)
{
    json_t *j;
    int32_t rc = request(c, "GET", gw_url(c, "path_invoice_status", "/api/v1/payments/{id}", id), NULL, 0, &j, why);
    if (rc < 0)
        return rc;
    const json_t *o = json_object_get(j, "payload");
    if (!json_is_object(o))
        o = j;
    *status = pay_status_of(json_object_get(o, "status"));
    const char *reason = json_string_value(json_object_get(o, "reason"));
    if (!reason)
        reason = json_string_value(json_object_get(o, "error_text"));
    *why = walor_ctx_printf(c, "%s", reason ? reason : "");
    json_decref(j);
    if (*status == PAY_ST_UNKNOWN) {
        *why = "неизвестный статус платежа";
        return WALOR_EINVAL;
    }
    return 0;
}

static int32_t parse_callback(walor_ctx *c, const char *body, size_t len, const char **id)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    char buf[ID_MAX];
    int ok = j && pay_callback_id(j, buf, sizeof buf) == 0;
    json_decref(j);
    if (!ok)
        return WALOR_EINVAL;
    *id = walor_ctx_printf(c, "%s", buf);
    return 0;
}

static int32_t refund(walor_ctx *c, const char *id, int64_t amount, const char **why)
{
    json_t *j;
    int32_t rc = post(c, gw_url(c, "path_refund", "/api/v1/payments/{id}/refund", id),
                      json_pack("{s:o}", "amount", pay_rub(amount)), &j, why);
    json_decref(j);
    return rc;
}

static int32_t receipt_sell(walor_ctx *c, const walor_order *o, const char **uuid, const char **why)
{
    size_t n = o->n_lines + (o->delivery_cost > 0 ? 1 : 0);
    pay_receipt_item *items = walor_ctx_alloc(c, (n ? n : 1) * sizeof *items);
    if (!items)
        return WALOR_ENOMEM;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const walor_order_line *l = walor_order_line_at(o->lines, i);
        const char *name = l->variant_label && *l->variant_label
                               ? walor_ctx_printf(c, "%s, %s", l->name, l->variant_label)
                               : l->name;
        items[i] = (pay_receipt_item){.name = name, .price = l->unit_price, .qty = l->qty, .object = "commodity"};
    }
    if (o->delivery_cost > 0)
        items[n - 1] = (pay_receipt_item){.name = "Доставка", .price = o->delivery_cost, .qty = 1, .object = "service"};
    char ts[32];
    pay_timestamp(walor_now(c), ts);
    pay_receipt_req q = {.external_id = walor_ctx_printf(c, "walor-%lld-sell", (long long)o->id),
                         .timestamp = ts,
                         .callback_url = pay_callback_url(c),
                         .email = o->email,
                         .phone = o->phone,
                         .company_email = pay_cfg("company_email", ""),
                         .sno = pay_cfg("sno", "usn_income"),
                         .inn = pay_cfg("inn", ""),
                         .payment_address = pay_cfg("payment_address", ""),
                         .vat = pay_cfg("vat", "none"),
                         .items = items,
                         .n_items = n,
                         .total = o->total};
    json_t *b = pay_receipt_body(&q);
    if (!b) {
        *why = "чек не собрать: нет позиций или сумма не сходится";
        return WALOR_EINVAL;
    }
    json_t *j;
    int32_t rc = post(c, api_url(c, "path_sell", "/fiscalorder/v5/{group}/sell", NULL), b, &j, why);
    if (rc < 0)
        return rc;
    const char *u = json_string_value(json_object_get(j, "uuid"));
    if (!u || !*u) {
        json_decref(j);
        *why = "ответ без uuid чека";
        return WALOR_EINVAL;
    }
    *uuid = walor_ctx_printf(c, "%s", u);
    json_decref(j);
    return 0;
}

static int32_t receipt_status(walor_ctx *c, const char *uuid, int32_t *st, const char **link, const char **why)
{
    json_t *j;
    int32_t rc = request(c, "GET", api_url(c, "path_report", "/fiscalorder/v5/{group}/report/{id}", uuid), NULL, 1,
                         &j, why);
    if (rc < 0)
        return rc;
    *st = pay_receipt_status_of(json_string_value(json_object_get(j, "status")));
    const char *l = json_string_value(json_object_get(json_object_get(j, "payload"), "ofd_receipt_url"));
    if (!l)
        l = json_string_value(json_object_get(j, "permalink"));
    *link = walor_ctx_printf(c, "%s", l ? l : "");
    const json_t *e = json_object_get(j, "error");
    const char *et = json_is_object(e) ? json_string_value(json_object_get(e, "text")) : NULL;
    *why = walor_ctx_printf(c, "%s", et ? et : "");
    json_decref(j);
    if (*st == PAY_RCPT_UNKNOWN) {
        *why = "неизвестный статус чека";
        return WALOR_EINVAL;
    }
    return 0;
}

const pay_provider pay_ecomkassa = {
    .name = "ecomkassa",
    .create_invoice = create_invoice,
    .check_status = check_status,
    .parse_callback = parse_callback,
    .refund = refund,
    .receipt_sell = receipt_sell,
    .receipt_status = receipt_status,
};
