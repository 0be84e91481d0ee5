/* orders: giving a customer's money back, the staff side (issue 21 item 4).
 *
 * Cancelling a paid order ends on the refund screen, and any order with
 * money still to give back has "💸 Возврат денег" on its card:
 *   - "💳 Вернуть N через платёжный сервис" (owners: money leaves the
 *     account) when the `payment` service can refund that payment itself
 *     (payment 1.1); it records the refund with our service;
 *   - "✍️ Записать возврат вручную" (managers and owners): money given back
 *     outside the bot (cash, a transfer) — the form ord_refund asks the
 *     amount (at most what is left) and a comment for the customer.
 * Either way the refund is one orders_refund row and order.refunded, and
 * the customer is told once (refund.c). Callback data: ord:rf:<id> (the
 * screen), ord:rfm:<id> (the form), ordo:rp:<id> (the provider; OWNER). */
#include <string.h>

#include "orders.h"

#define FORM "ord_refund"

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }

static const walor_payment_v1 *payment(walor_ctx *c)
{
    const walor_payment_v1 *p = walor_service_get(walor_ctx_plugin(c), WALOR_PAYMENT_SERVICE, WALOR_PAYMENT_MAJOR,
                                                  NULL);
    return WALOR_PAYMENT_HAS(p, refund) && WALOR_PAYMENT_HAS(p, refundable) ? p : NULL;
}

/* what the provider itself can give back (0: nothing, or no provider) */
static int64_t provider_refundable(walor_ctx *c, int64_t id)
{
    const walor_payment_v1 *p = payment(c);
    int64_t n = 0;
    return p && p->refundable(c, id, &n) == 0 ? n : 0;
}

/* the card's lines about refunds: those made, and money still owed after a cancel */
char *orders_refunds_html(walor_ctx *c, const walor_order *o)
{
    walor_refund *v = NULL;
    uint32_t n = 0;
    char *s = walor_ctx_printf(c, "%s", "");
    if (orders_refunds_of(c, o->id, &v, &n) == 0 && n) {
        s = walor_ctx_printf(c, "%s", T(c, "orders.adm.card_refunds"));
        for (uint32_t i = 0; i < n; i++) {
            const char *why = *v[i].reason ? walor_ctx_printf(c, " — %s", orders_esc(c, v[i].reason)) : "";
            s = walor_ctx_printf(c, "%s\n%s", s,
                                 walor_textf(c, "orders.adm.card_refund", "amount", walor_money(c, v[i].amount), "how",
                                             T(c, !strcmp(v[i].kind, WALOR_REFUND_PROVIDER)
                                                      ? "orders.adm.refund_by_provider"
                                                      : "orders.adm.refund_by_hand"),
                                             "date", orders_when(c, v[i].at), "why", why, NULL));
        }
    }
    int64_t left = 0;
    if (!strcmp(o->status, "cancelled") && orders_refundable(c, o->id, &left) == 0 && left > 0)
        s = walor_ctx_printf(c, "%s%s%s", s, *s ? "\n" : "",
                             walor_textf(c, "orders.adm.card_owed", "amount", walor_money(c, left), NULL));
    return s;
}

int32_t orders_refund_screen(walor_ctx *c, int64_t id)
{
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc < 0)
        return rc == WALOR_ENOTFOUND ? walor_alert(c, T(c, "orders.adm.not_found")) : rc;
    int64_t left = 0;
    if ((rc = orders_refundable(c, id, &left)) < 0)
        return rc;
    if (left <= 0) {
        walor_answer(c, T(c, "orders.adm.refund_nothing"));
        return orders_staff_card(c, id);
    }
    int64_t by_provider = provider_refundable(c, id);
    int owner = walor_ctx_role(c) >= WALOR_ROLE_OWNER;
    char *s = walor_textf(c, "orders.adm.refund", "id", orders_num(c, id), "status",
                          orders_status_label(c, o->status), "paid", walor_money(c, left + o->refunded), "refunded",
                          walor_money(c, o->refunded), "left", walor_money(c, left), NULL);
    walor_kb *kb = walor_kb_new(c);
    if (by_provider > 0 && owner) {
        walor_kb_button(kb, walor_textf(c, "orders.adm.btn.refund_provider", "amount", walor_money(c, by_provider), NULL),
                        walor_ctx_printf(c, "ordo:rp:%lld", (long long)id));
        walor_kb_row(kb);
    } else if (by_provider > 0) {
        s = walor_ctx_printf(c, "%s\n\n%s", s, T(c, "orders.adm.refund_owner_only"));
    } else {
        s = walor_ctx_printf(c, "%s\n\n%s", s, T(c, "orders.adm.refund_no_provider"));
    }
    walor_kb_button(kb, T(c, "orders.adm.btn.refund_manual"), walor_ctx_printf(c, "ord:rfm:%lld", (long long)id));
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "orders.adm.btn.back"), walor_ctx_printf(c, "ord:o:%lld", (long long)id));
    return walor_show(c, s, kb);
}

/* ---- through the provider [OWNER] ---- */

static int32_t provider_refund(walor_ctx *c, int64_t id)
{
    const walor_payment_v1 *p = payment(c);
    walor_order *o = NULL;
    int32_t rc = orders_get(c, id, &o);
    if (rc < 0)
        return rc == WALOR_ENOTFOUND ? walor_alert(c, T(c, "orders.adm.not_found")) : rc;
    if (!p)
        return walor_alert(c, T(c, "orders.adm.refund_no_provider"));
    const char *why = NULL;
    rc = p->refund(c, id, !strcmp(o->status, "cancelled") ? T(c, "orders.refund_reason_cancelled") : NULL, &why);
    if (rc == 0) {
        walor_answer(c, T(c, "orders.adm.refund_done"));
        return orders_staff_card(c, id);
    }
    if (rc == 1)
        return walor_alert(c, T(c, "orders.adm.refund_busy"));
    if (rc == WALOR_ENOTFOUND)
        return walor_alert(c, T(c, "orders.adm.refund_no_provider"));
    walor_log(c, WALOR_LOG_WARN, "orders: provider refund of order %lld: %s", (long long)id, why ? why : "-");
    return walor_alert(c, walor_textf(c, "orders.adm.refund_failed", "why", orders_esc(c, why && *why ? why : "—"),
                                      NULL));
}

static int32_t owner_cb(walor_ctx *c, const char *arg)
{
    int64_t id = 0;
    if (strncmp(arg, "rp:", 3) != 0 || walor_parse_id(arg + 3, &id) < 0)
        return walor_alert(c, T(c, "orders.adm.not_found"));
    return provider_refund(c, id);
}

/* ---- by hand: the form ord_refund {id, left, amount, reason} ---- */

int32_t orders_refund_manual_start(walor_ctx *c, int64_t id)
{
    int64_t left = 0;
    int32_t rc = orders_refundable(c, id, &left);
    if (rc < 0)
        return rc == WALOR_ENOTFOUND ? walor_alert(c, T(c, "orders.adm.not_found")) : rc;
    if (left <= 0) {
        walor_answer(c, T(c, "orders.adm.refund_nothing"));
        return orders_staff_card(c, id);
    }
    json_t *d = json_pack("{s:I, s:I}", "id", (json_int_t)id, "left", (json_int_t)left);
    rc = walor_conv_start(c, FORM, NULL, d);
    json_decref(d);
    return rc;
}

static const char *amount_prompt(walor_ctx *c, json_t *d)
{
    return walor_textf(c, "orders.adm.refund_ask_amount", "id",
                       orders_num(c, (int64_t)json_integer_value(json_object_get(d, "id"))), "left",
                       walor_money(c, (int64_t)json_integer_value(json_object_get(d, "left"))), NULL);
}

/* "Всю сумму" as a button that types the amount for the user */
static const walor_step_choice *amount_all(walor_ctx *c, json_t *d, uint32_t *n)
{
    int64_t left = (int64_t)json_integer_value(json_object_get(d, "left"));
    walor_step_choice *v = walor_ctx_alloc(c, sizeof *v);
    if (!v)
        return NULL;
    v->value = walor_ctx_printf(c, "%lld,%02lld", (long long)(left / 100), (long long)(left % 100));
    v->label = walor_textf(c, "orders.adm.btn.refund_all", "amount", walor_money(c, left), NULL);
    *n = 1;
    return v;
}

static int32_t amount_check(walor_ctx *c, json_t *value, const char **why)
{
    int64_t left = (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "left"));
    int64_t v = (int64_t)json_integer_value(value);
    if (v <= 0 || v > left) {
        *why = walor_textf(c, "orders.adm.refund_err_amount", "left", walor_money(c, left), NULL);
        return WALOR_EINVAL;
    }
    return 0;
}

static const char *summary(walor_ctx *c, json_t *d)
{
    const char *why = json_string_value(json_object_get(d, "reason"));
    return walor_textf(c, "orders.adm.refund_confirm", "id",
                       orders_num(c, (int64_t)json_integer_value(json_object_get(d, "id"))), "amount",
                       walor_money(c, (int64_t)json_integer_value(json_object_get(d, "amount"))), "reason",
                       why && *why ? orders_esc(c, why) : "—", NULL);
}

static int32_t done(walor_ctx *c, json_t *d)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(d, "id"));
    const char *why = json_string_value(json_object_get(d, "reason"));
    walor_refund_new r = {.struct_size = sizeof r, .amount = (int64_t)json_integer_value(json_object_get(d, "amount")),
                          .kind = WALOR_REFUND_MANUAL, .reason = why};
    int32_t rc = orders_refund(c, id, &r, NULL);
    if (rc == WALOR_ERANGE) { /* someone refunded meanwhile: ask again with what is left now */
        int64_t left = 0;
        orders_refundable(c, id, &left);
        json_object_set_new(walor_conv_data(c), "left", json_integer(left));
        return walor_form_retry(c, "amount",
                                walor_textf(c, "orders.adm.refund_err_amount", "left", walor_money(c, left), NULL));
    }
    if (rc < 0)
        return rc;
    walor_answer(c, T(c, "orders.adm.refund_recorded")); /* the summary becomes the card */
    return orders_staff_card(c, id);
}

static int32_t cancelled(walor_ctx *c)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "id"));
    return orders_staff_card(c, id);
}

static const walor_step_def STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_MONEY, .key = "amount",
     .label = "orders.adm.refund_label_amount", .min = 1, .max = 100000000000LL, .validate = amount_check,
     .prompt_fn = amount_prompt, .choices_fn = amount_all},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "reason",
     .prompt = "orders.adm.refund_ask_reason", .label = "orders.adm.refund_label_reason", .max = 250,
     .flags = WALOR_STEP_SKIP},
};

int32_t orders_refund_ui_register(walor_plugin *p)
{
    const walor_form_def form = {.struct_size = sizeof form, .min_role = WALOR_ROLE_MANAGER, .name = FORM,
                                 .steps = STEPS, .nsteps = 2, .timeout_s = 1800, .summary_fn = summary,
                                 .on_done = done, .on_cancel = cancelled};
    const walor_callback_def own = {.struct_size = sizeof own, .min_role = WALOR_ROLE_OWNER, .prefix = "ordo",
                                    .handler = owner_cb};
    int32_t rc = walor_form(p, &form);
    if (!rc)
        rc = walor_callback(p, &own);
    return rc;
}
