/* pay-ecom: Ekomkassa wire shapes (proto.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proto.h"

int pay_status_of(const json_t *status)
{
    if (json_is_integer(status)) {
        switch (json_integer_value(status)) {
        case 0:
        case 1: return PAY_ST_PENDING; /* 1 = paid, awaiting the bank's confirmation: not money yet */
        case 2: return PAY_ST_PAID;
        case 3: return PAY_ST_REFUNDED;
        case 4: return PAY_ST_FAILED;
        default: return PAY_ST_UNKNOWN;
        }
    }
    const char *s = json_string_value(status);
    if (!s)
        return PAY_ST_UNKNOWN;
    if (s[0] >= '0' && s[0] <= '9' && s[1] == '\0') {
        json_t *n = json_integer(s[0] - '0');
        int st = pay_status_of(n);
        json_decref(n);
        return st;
    }
    static const char *const paid[] = {"done", "paid", "succeeded", "confirmed", "success"};
    static const char *const pending[] = {"ready", "wait", "waiting", "created", "pending", "new", "processing"};
    static const char *const failed[] = {"fail", "failed", "expired", "rejected", "declined", "error"};
    static const char *const refunded[] = {"refunded", "refund", "cancelled", "canceled", "reversed"};
    for (size_t i = 0; i < sizeof paid / sizeof *paid; i++)
        if (!strcasecmp(s, paid[i]))
            return PAY_ST_PAID;
    for (size_t i = 0; i < sizeof pending / sizeof *pending; i++)
        if (!strcasecmp(s, pending[i]))
            return PAY_ST_PENDING;
    for (size_t i = 0; i < sizeof failed / sizeof *failed; i++)
        if (!strcasecmp(s, failed[i]))
            return PAY_ST_FAILED;
    for (size_t i = 0; i < sizeof refunded / sizeof *refunded; i++)
        if (!strcasecmp(s, refunded[i]))
            return PAY_ST_REFUNDED;
    return PAY_ST_UNKNOWN;
}

int pay_receipt_status_of(const char *s)
{
    if (!s)
        return PAY_RCPT_UNKNOWN;
    if (!strcasecmp(s, "wait"))
        return PAY_RCPT_WAIT;
    if (!strcasecmp(s, "done"))
        return PAY_RCPT_DONE;
    if (!strcasecmp(s, "fail"))
        return PAY_RCPT_FAIL;
    return PAY_RCPT_UNKNOWN;
}

const char *pay_status_name(int st)
{
    switch (st) {
    case PAY_ST_PENDING: return "pending";
    case PAY_ST_PAID: return "paid";
    case PAY_ST_FAILED: return "failed";
    case PAY_ST_REFUNDED: return "refunded";
    default: return "unknown";
    }
}

json_t *pay_rub(int64_t kopecks) { return json_real((double)kopecks / 100.0); }

void pay_rub_str(int64_t kopecks, char out[32])
{
    const char *sign = kopecks < 0 ? "-" : "";
    uint64_t a = kopecks < 0 ? (uint64_t)0 - (uint64_t)kopecks : (uint64_t)kopecks;
    snprintf(out, 32, "%s%" PRIu64 ".%02" PRIu64, sign, a / 100, a % 100);
}

int pay_callback_id(const json_t *body, char *out, size_t n)
{
    static const char *const names[] = {"uuid", "uid", "orderId", "order_id", "invoice_id", "paymentId", "id"};
    if (!json_is_object(body) || n == 0)
        return -1;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const json_t *v = json_object_get(body, names[i]);
        int len;
        if (json_is_string(v) && json_string_length(v) > 0)
            len = snprintf(out, n, "%s", json_string_value(v));
        else if (json_is_integer(v))
            len = snprintf(out, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else
            continue;
        return len > 0 && (size_t)len < n && !memchr(out, '\0', (size_t)len) ? 0 : -1;
    }
    return -1;
}

int pay_path(const char *tmpl, const char *group, const char *id, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = tmpl; *p;) {
        const char *val = NULL;
        size_t skip = 1;
        if (*p == '{') {
            if (!strncmp(p, "{group}", 7))
                val = group, skip = 7;
            else if (!strncmp(p, "{id}", 4))
                val = id, skip = 4;
            else
                return -1;
            if (!val)
                return -1;
        }
        size_t len = val ? strlen(val) : 1;
        if (o + len >= n)
            return -1;
        memcpy(out + o, val ? val : p, len);
        o += len;
        p += skip;
    }
    if (o >= n)
        return -1;
    out[o] = '\0';
    return 0;
}

const char *pay_error_text(const json_t *resp)
{
    const json_t *e = json_object_get(resp, "error");
    if (json_is_object(e)) {
        const char *t = json_string_value(json_object_get(e, "text"));
        if (!t)
            t = json_string_value(json_object_get(e, "message"));
        return t ? t : "error";
    }
    if (json_is_string(e))
        return json_string_value(e);
    return json_string_value(json_object_get(resp, "message"));
}

static const char *first_str(const json_t *o, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_object_get(o, names[i]));
        if (s && *s)
            return s;
    }
    return NULL;
}

int pay_parse_invoice(const json_t *resp, pay_invoice_resp *out, char *idbuf, size_t idn)
{
    static const char *const links[] = {"payment_url", "paymentUrl", "url", "link", "permalink"};
    static const char *const qrs[] = {"qr_payload", "qrPayload", "sbp_payload", "qr"};
    memset(out, 0, sizeof *out);
    const json_t *o = json_object_get(resp, "payload"); /* mobile-API style {"errorCode":0,"payload":{…}} */
    if (!json_is_object(o))
        o = resp;
    if (pay_callback_id(o, idbuf, idn) != 0)
        return -1;
    out->id = idbuf;
    out->link = first_str(o, links, sizeof links / sizeof *links);
    out->qr = first_str(o, qrs, sizeof qrs / sizeof *qrs);
    if (!out->qr)
        out->qr = out->link;
    return out->qr ? 0 : -1;
}

void pay_timestamp(int64_t epoch, char out[32])
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(out, 32, "%d.%m.%Y %H:%M:%S", &tm))
        snprintf(out, 32, "01.01.1970 00:00:00");
}

int pay_fit_sums(int64_t *sums, size_t n, int64_t total)
{
    int64_t all = 0;
    size_t big = 0;
    for (size_t i = 0; i < n; i++) {
        if (sums[i] < 0)
            return -1;
        all += sums[i];
        if (sums[i] > sums[big])
            big = i;
    }
    if (n == 0 || all <= 0 || total < 0)
        return -1;
    if (all == total)
        return 0;
    int64_t got = 0;
    for (size_t i = 0; i < n; i++) {
        /* 128-bit: kopecks × kopecks overflows 64 bits past ~30 million roubles */
        sums[i] = (int64_t)((__int128)sums[i] * total / all);
        got += sums[i];
    }
    sums[big] += total - got;
    return 0;
}

json_t *pay_receipt_body(const pay_receipt_req *r)
{
    if (!r->n_items)
        return NULL;
    int64_t *sums = calloc(r->n_items, sizeof *sums);
    if (!sums)
        return NULL;
    for (size_t i = 0; i < r->n_items; i++)
        sums[i] = r->items[i].price * r->items[i].qty;
    if (pay_fit_sums(sums, r->n_items, r->total) != 0) {
        free(sums);
        return NULL;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < r->n_items; i++) {
        const pay_receipt_item *it = &r->items[i];
        int64_t q = it->qty > 0 ? it->qty : 1;
        /* the unit price after the spread discount, to a kopeck; sum stays exact */
        json_array_append_new(items,
                              json_pack("{s:s, s:o, s:I, s:o, s:s, s:s, s:{s:s}}", "name", it->name ? it->name : "",
                                        "price", pay_rub((sums[i] + q / 2) / q), "quantity",
                                        (json_int_t)q, "sum", pay_rub(sums[i]), "payment_method", "full_payment",
                                        "payment_object", it->object ? it->object : "commodity", "vat", "type",
                                        r->vat && *r->vat ? r->vat : "none"));
    }
    free(sums);
    json_t *client = json_object();
    if (r->email && *r->email)
        json_object_set_new(client, "email", json_string(r->email));
    else if (r->phone && *r->phone)
        json_object_set_new(client, "phone", json_string(r->phone));
    json_t *body = json_pack(
        "{s:s, s:s, s:{s:s}, s:{s:o, s:{s:s, s:s, s:s, s:s}, s:o, s:[{s:i, s:o}], s:o}}", "timestamp", r->timestamp,
        "external_id", r->external_id, "service", "callback_url", r->callback_url ? r->callback_url : "", "receipt",
        "client", client, "company", "email", r->company_email ? r->company_email : "", "sno",
        r->sno && *r->sno ? r->sno : "usn_income", "inn", r->inn ? r->inn : "", "payment_address",
        r->payment_address ? r->payment_address : "", "items", items, "payments", "type", 1, "sum",
        pay_rub(r->total), "total", pay_rub(r->total));
    return body;
}
