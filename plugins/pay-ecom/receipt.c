/* pay-ecom: the fiscal receipt (54-FZ `sell`) of a paid order: created by
 * the `receipt` job, then its report is polled (or re-queried when the
 * cash register's callback arrives) until done or fail. Idempotent per
 * order: the external id is walor-<order>-sell. */
#include <string.h>

#include "payecom.h"

#define RECEIPT_POLLS 30 /* report queries before a receipt is called lost */

static int is_transient(int32_t rc) { return rc == WALOR_ETIMEDOUT || rc == WALOR_ENET; }

typedef struct rcpt_row {
    int64_t user_id, polls;
    const char *uuid, *state;
} rcpt_row;

/* 1 found, 0 none, < 0 error */
static int32_t load(walor_ctx *c, int64_t oid, rcpt_row *v)
{
    return walor_found(walor_db_row(c,
                                    "SELECT user_id, receipt_polls, receipt_uuid, receipt_state FROM pay_ecom_invoice"
                                    " WHERE order_id = ?",
                                    WALOR_ARGS(walor_i(oid)), "iisz", &v->user_id, &v->polls, &v->uuid, &v->state));
}

int32_t pay_receipt_step(walor_ctx *c, int64_t oid)
{
    rcpt_row v = {0};
    int32_t rc = load(c, oid, &v);
    if (rc <= 0)
        return rc;
    if (strcmp(v.state, "queued") && strcmp(v.state, "wait"))
        return 0;
    const pay_provider *pv = pay_provider_get();
    const char *why = "", *id = pay_num(c, oid);
    int64_t now = walor_now(c), poll = walor_setting_min(c, "pay-ecom.receipt_poll_s", 5, 60);
    int32_t st = PAY_RCPT_WAIT;
    const char *link = "";
    if (!v.uuid) {
        const walor_orders_v1 *os = pay_orders(c);
        walor_order *o = NULL;
        if (!os || os->get(c, oid, &o) < 0)
            return os ? WALOR_EDB : 0;
        const char *uuid = NULL;
        rc = pv->receipt_sell(c, o, &uuid, &why);
        if (rc == 0) {
            rc = walor_db_exec(c, "UPDATE pay_ecom_invoice SET receipt_uuid = ?, receipt_state = 'wait' WHERE order_id = ?",
                               WALOR_ARGS(walor_s(uuid), walor_i(oid)));
            if (rc < 0)
                return rc;
            pay_meta(c, oid, "receipt", uuid);
            return pay_schedule(c, PAY_JOB_RECEIPT, oid, now + poll);
        }
    } else {
        rc = pv->receipt_status(c, v.uuid, &st, &link, &why);
    }
    if (rc == 0 && st == PAY_RCPT_DONE) {
        rc = walor_db_exec(c,
                           "UPDATE pay_ecom_invoice SET receipt_state = 'done', receipt_link = ? WHERE order_id = ?"
                           " AND receipt_state <> 'done'",
                           WALOR_ARGS(walor_s(link), walor_i(oid)));
        if (rc > 0 && *link && v.user_id > 0)
            walor_send(c, v.user_id,
                       walor_textf(c, "pay-ecom.receipt", "id", id, "link", walor_html_escape(c, link), NULL), NULL,
                       WALOR_SEND_NO_PREVIEW, NULL);
        walor_job_cancel(c, PAY_JOB_RECEIPT, id);
        return rc < 0 ? rc : 0;
    }
    int lost = rc == 0 && st == PAY_RCPT_WAIT && v.polls + 1 >= RECEIPT_POLLS;
    if ((rc == 0 && st == PAY_RCPT_FAIL) || (rc < 0 && !is_transient(rc)) || lost ||
        (is_transient(rc) && v.polls + 1 >= RECEIPT_POLLS)) {
        if (lost)
            why = walor_text(c, "pay-ecom.reason.receipt_lost");
        rc = walor_db_exec(c, "UPDATE pay_ecom_invoice SET receipt_state = 'fail' WHERE order_id = ?"
                              " AND receipt_state <> 'fail'",
                           WALOR_ARGS(walor_i(oid)));
        if (rc > 0)
            pay_staff(c, walor_textf(c, "pay-ecom.staff.receipt_fail", "id", id, "why",
                                     walor_html_escape(c, why && *why ? why : "—"), NULL),
                      NULL);
        walor_job_cancel(c, PAY_JOB_RECEIPT, id);
        return rc < 0 ? rc : 0;
    }
    /* still waiting, or the provider is down for now: ask again later */
    rc = walor_db_exec(c, "UPDATE pay_ecom_invoice SET receipt_polls = receipt_polls + 1 WHERE order_id = ?",
                       WALOR_ARGS(walor_i(oid)));
    return rc < 0 ? rc : pay_schedule(c, PAY_JOB_RECEIPT, oid, now + poll);
}

static int32_t receipt_job(walor_ctx *c, json_t *payload)
{
    return pay_receipt_step(c, (int64_t)json_integer_value(json_object_get(payload, "order_id")));
}

int32_t pay_receipt_register(walor_plugin *p) { return walor_job(p, PAY_JOB_RECEIPT, receipt_job); }
