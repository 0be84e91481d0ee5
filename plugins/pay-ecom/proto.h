/* pay-ecom: the Ekomkassa wire shapes (EXTERNAL-APIS.md §2.1), pure: JSON
 * in, JSON out, no host calls, so tests/unit/plugins/pay-ecom/test_pay_proto.c checks them
 * without a daemon. The invoice endpoints are not documented anywhere; the
 * shapes read here are deliberately lenient (several field names, numeric
 * or string statuses) and every path is a config key (ecom.c). */
#ifndef PAY_PROTO_H
#define PAY_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* payment status, whatever form the provider used */
#define PAY_ST_UNKNOWN  (-1)
#define PAY_ST_PENDING  0  /* created / awaiting payment: 0, 1, "ready", "wait" */
#define PAY_ST_PAID     1  /* 2, "done", "paid" */
#define PAY_ST_FAILED   2  /* 4, "fail", "expired", "rejected" */
#define PAY_ST_REFUNDED 3  /* 3, "refunded", "cancelled" */

/* fiscal receipt status (ATOL convention) */
#define PAY_RCPT_UNKNOWN (-1)
#define PAY_RCPT_WAIT    0
#define PAY_RCPT_DONE    1
#define PAY_RCPT_FAIL    2

/* PAY_ST_* of a JSON number or string (NULL → UNKNOWN) */
int pay_status_of(const json_t *status);
/* PAY_RCPT_* of "wait" / "done" / "fail" */
int pay_receipt_status_of(const char *s);
/* "paid", "pending"…: the name stored in pay_ecom_invoice.state */
const char *pay_status_name(int st);

/* kopecks as a JSON number of roubles with two decimals (1500.5 → 1500.50
 * shown by json_dumps with JSON_REAL_PRECISION(15)) */
json_t *pay_rub(int64_t kopecks);
/* "1500.50" */
void pay_rub_str(int64_t kopecks, char out[32]);

/* The id a callback names: the first present of uuid, uid, orderId,
 * order_id, invoice_id, paymentId, id (string or integer) into out.
 * 0, or -1 when the body names none (or it does not fit). */
int pay_callback_id(const json_t *body, char *out, size_t n);

/* tmpl with "{group}" and "{id}" replaced (values used as given: escape
 * them first). 0, or -1 when it does not fit or a brace is unknown. */
int pay_path(const char *tmpl, const char *group, const char *id, char *out, size_t n);

/* the text of an ATOL-style error {"error":{"code","text"}} or of
 * {"message"} / {"error":"…"}; NULL when the body carries none */
const char *pay_error_text(const json_t *resp);

/* reading an invoice creation answer; strings are borrowed from resp.
 * 0, or -1 when there is no id. qr falls back to link. */
typedef struct pay_invoice_resp {
    const char *id;
    const char *link;
    const char *qr;
} pay_invoice_resp;
int pay_parse_invoice(const json_t *resp, pay_invoice_resp *out, char *idbuf, size_t idn);

/* "dd.mm.yyyy HH:MM:SS" in the process time zone (the shop's) */
void pay_timestamp(int64_t epoch, char out[32]);

/* one item of a fiscal receipt */
typedef struct pay_receipt_item {
    const char *name;
    int64_t price;        /* kopecks per unit */
    int64_t qty;
    const char *object;   /* "commodity" or "service" */
} pay_receipt_item;

typedef struct pay_receipt_req {
    const char *external_id;
    const char *timestamp;
    const char *callback_url;
    const char *email;     /* the customer's; phone is used when empty */
    const char *phone;
    const char *company_email;
    const char *sno;
    const char *inn;
    const char *payment_address;
    const char *vat;       /* "none", "vat20"… */
    const pay_receipt_item *items;
    size_t n_items;
    int64_t total;         /* kopecks: what was paid */
} pay_receipt_req;
/* ATOL v4/v5 "sell" body. Discounts the order got as a whole (promo,
 * certificate, bonuses) are spread over the items in proportion to their
 * sums, so the items add up to total exactly as 54-FZ wants. NULL when
 * there are no items or the sums are not positive. */
json_t *pay_receipt_body(const pay_receipt_req *r);

/* the spreading itself: sums[i] scaled so that they add up to total
 * (largest item takes the rounding); 0, or -1 when sums add up to <= 0 */
int pay_fit_sums(int64_t *sums, size_t n, int64_t total);

#endif
