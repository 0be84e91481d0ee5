/* pay-ecom: the payment provider interface. Order logic (invoice.c,
 * webhook.c, manual.c) talks to a provider only through this table, so
 * another back-end (YooKassa SBP, T-Bank QR) is one more table, not a
 * change to how orders are paid. The Ekomkassa-shaped one is ecom.c.
 *
 * Every function runs on the caller's worker, outside any transaction
 * (they wait on the network). Results live in the ctx arena. Errors:
 * WALOR_ETIMEDOUT / WALOR_ENET (the provider is unreachable: try again
 * later), WALOR_ERANGE (it answered with a refusal; *why says what),
 * WALOR_EINVAL (an answer we cannot read; *why). */
#ifndef PAY_PROVIDER_H
#define PAY_PROVIDER_H

#include <walor/plugin.h>
#include <walor/services/orders.h>

#include "proto.h"

typedef struct pay_invoice_req {
    int64_t order_id;
    int64_t attempt;           /* 1 for the first invoice, +1 per customer retry */
    int64_t amount;            /* kopecks */
    const char *description;   /* "Заказ №42" */
    const char *callback_url;  /* where the provider posts statuses, or "" */
    const char *email;         /* the customer's, or "" */
} pay_invoice_req;

typedef struct pay_invoice_info {
    const char *id;            /* the provider's invoice id */
    const char *link;          /* payment page for the customer */
    const char *qr;            /* what the QR code encodes (an SBP link), never empty */
} pay_invoice_info;

typedef struct pay_provider {
    const char *name;
    /* idempotent per (order_id, attempt): asking again returns the same invoice */
    int32_t (*create_invoice)(walor_ctx *c, const pay_invoice_req *r, pay_invoice_info *out, const char **why);
    /* *status: PAY_ST_* of proto.h; *why: the provider's reason of a failure, or "" */
    int32_t (*check_status)(walor_ctx *c, const char *invoice_id, int32_t *status, const char **why);
    /* the invoice or receipt id a callback body names (never its status:
     * the body is not trusted), or WALOR_EINVAL */
    int32_t (*parse_callback)(walor_ctx *c, const char *body, size_t len, const char **id);
    int32_t (*refund)(walor_ctx *c, const char *invoice_id, int64_t amount, const char **why);
    /* fiscal receipt `sell` of a paid order (idempotent per order); *uuid of the document */
    int32_t (*receipt_sell)(walor_ctx *c, const walor_order *o, const char **uuid, const char **why);
    /* *st: PAY_RCPT_*; *link: the receipt's page when done, or "" */
    int32_t (*receipt_status)(walor_ctx *c, const char *uuid, int32_t *st, const char **link, const char **why);
} pay_provider;

extern const pay_provider pay_ecomkassa;

#endif
