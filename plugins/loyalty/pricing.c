/* loyalty: the checkout's pricing provider (<walor/services/pricing.h>):
 * the optional steps "promo", "cert", "bonus" and the adjustment lines of
 * the quote, in calc.h's order. Everything runs with the checkout's ctx:
 * texts and settings are read by their full "loyalty." keys. Nothing is
 * redeemed here: orders_ev.c does that on order.paid. */
#include <stdlib.h>
#include <string.h>

#include <walor/services/pricing.h>

#include "loy.h"

static const walor_pricing_step STEPS[] = {
    {.id = "promo", .title = "Промокод"},
    {.id = "cert", .title = "Сертификат"},
    {.id = "bonus", .title = "Бонусы"},
};

static const char *choice(const walor_pricing_order *o, const char *step)
{
    if (o->struct_size < offsetof(walor_pricing_order, n_choices) + sizeof o->n_choices)
        return NULL;
    for (uint32_t i = 0; i < o->n_choices; i++)
        if (o->choice_steps[i] && !strcmp(o->choice_steps[i], step))
            return o->choice_values[i];
    return NULL;
}

/* "all" → LOY_BONUS_ALL, "12300" → kopecks, anything else → 0 */
static int64_t bonus_wanted(const char *v)
{
    if (!v || !*v)
        return 0;
    if (!strcmp(v, "all"))
        return LOY_BONUS_ALL;
    int64_t k = 0;
    return walor_parse_id(v, &k) == 0 ? k : 0;
}

static int32_t quote(walor_ctx *c, const walor_pricing_order *o, int64_t wanted, loy_quote *q)
{
    return loy_quote_for(c, o->user_id, o->goods, choice(o, "promo"), choice(o, "cert"), wanted, q);
}

static int32_t prompt(walor_ctx *c, const char *step, const walor_pricing_order *o, walor_pricing_prompt *out)
{
    int has_choices = out->struct_size >= offsetof(walor_pricing_prompt, choice_value) + sizeof out->choice_value;
    if (!strcmp(step, "promo")) {
        out->accepts_text = 1;
        out->html = walor_text(c, "loyalty.pricing.promo_ask");
        const char *code = loy_cart_promo(c, o->user_id);
        loy_promo p;
        if (code && has_choices && loy_promo_find(c, code, &p) == 0 && !loy_promo_refusal(c, &p, o->user_id)) {
            out->choice_label[0] = walor_textf(c, "loyalty.pricing.promo_cart", "code", p.code, NULL);
            out->choice_value[0] = "cart";
        }
        return 0;
    }
    if (!strcmp(step, "cert")) {
        out->accepts_text = 1;
        out->html = walor_text(c, "loyalty.pricing.cert_ask");
        return 0;
    }
    if (!strcmp(step, "bonus")) {
        loy_quote q;
        int32_t rc = quote(c, o, LOY_BONUS_ALL, &q);
        if (rc < 0)
            return rc;
        if (q.a.bonus <= 0)
            return 1;
        out->accepts_text = 1;
        out->html = walor_textf(c, "loyalty.pricing.bonus_ask", "balance", walor_money(c, q.balance), "max",
                                walor_money(c, q.a.bonus), "share", loy_num(c, q.bonus_share), NULL);
        if (has_choices) {
            out->choice_label[0] = walor_textf(c, "loyalty.pricing.bonus_all", "sum", walor_money(c, q.a.bonus), NULL);
            out->choice_value[0] = "all";
        }
        return 0;
    }
    return WALOR_ENOTFOUND;
}

static int32_t apply(walor_ctx *c, const char *step, const walor_pricing_order *o, const char *input,
                     const char **out_value, const char **out_error)
{
    *out_value = NULL;
    if (!input || !*input)
        return 0; /* skipped */
    if (!strcmp(step, "promo")) {
        const char *code = !strcmp(input, "cart") ? loy_cart_promo(c, o->user_id) : loy_code_norm(c, input);
        loy_promo p;
        int32_t rc = code ? loy_promo_find(c, code, &p) : WALOR_EINVAL;
        if (rc == WALOR_EINVAL) {
            *out_error = walor_text(c, "loyalty.promo.err.format");
            return WALOR_EINVAL;
        }
        if (rc == WALOR_ENOTFOUND) {
            *out_error = walor_text(c, "loyalty.promo.err.unknown");
            return WALOR_EINVAL;
        }
        if (rc < 0)
            return rc;
        if ((*out_error = loy_promo_refusal(c, &p, o->user_id)) != NULL)
            return WALOR_EINVAL;
        *out_value = p.code;
        return 0;
    }
    if (!strcmp(step, "cert")) {
        const char *code = loy_code_norm(c, input);
        loy_cert k;
        int32_t rc = code ? loy_cert_find(c, code, &k) : WALOR_EINVAL;
        if (rc == WALOR_EINVAL || rc == WALOR_ENOTFOUND) {
            *out_error = walor_text(c, "loyalty.cert.err.unknown");
            return WALOR_EINVAL;
        }
        if (rc < 0)
            return rc;
        if ((*out_error = loy_cert_refusal(c, &k)) != NULL)
            return WALOR_EINVAL;
        *out_value = k.code;
        return 0;
    }
    if (!strcmp(step, "bonus")) {
        if (!strcmp(input, "all")) {
            *out_value = "all";
            return 0;
        }
        int64_t k = 0, bal = 0;
        if (loy_parse_rub(input, &k) < 0 || k <= 0) {
            *out_error = walor_text(c, "loyalty.pricing.bonus_bad");
            return WALOR_EINVAL;
        }
        int32_t rc = loy_balance(c, o->user_id, &bal);
        if (rc < 0)
            return rc;
        if (k > bal) {
            *out_error = walor_textf(c, "loyalty.pricing.bonus_over", "balance", walor_money(c, bal), NULL);
            return WALOR_EINVAL;
        }
        *out_value = loy_num(c, k);
        return 0;
    }
    return WALOR_ENOTFOUND;
}

static int put(walor_pricing_adjust *out, uint32_t max, uint32_t *n, int32_t kind, int64_t amount, const char *label,
               const char *code)
{
    if (amount <= 0 || *n >= max)
        return 0;
    walor_pricing_adjust *a = walor_pricing_adjust_at(out, *n);
    a->kind = kind;
    a->amount = amount;
    if (a->struct_size >= offsetof(walor_pricing_adjust, code) + sizeof a->code) {
        a->label = label;
        a->code = code;
    }
    (*n)++;
    return 1;
}

static int32_t adjust(walor_ctx *c, const walor_pricing_order *o, walor_pricing_adjust *out, uint32_t max,
                      uint32_t *n)
{
    *n = 0;
    loy_quote q;
    int32_t rc = quote(c, o, bonus_wanted(choice(o, "bonus")), &q);
    if (rc < 0)
        return rc;
    put(out, max, n, WALOR_PRICING_PERSONAL, q.a.personal,
        walor_textf(c, "loyalty.q.personal", "pct", loy_num(c, q.personal_pct), NULL), NULL);
    if (q.promo_code)
        put(out, max, n, WALOR_PRICING_PROMO, q.a.promo,
            walor_textf(c, "loyalty.q.promo", "code", q.promo_code, "pct", loy_num(c, q.promo_pct), NULL),
            q.promo_code);
    if (q.cert_code)
        put(out, max, n, WALOR_PRICING_CERT, q.a.cert, walor_textf(c, "loyalty.q.cert", "code", q.cert_code, NULL),
            q.cert_code);
    put(out, max, n, WALOR_PRICING_BONUS, q.a.bonus, walor_text(c, "loyalty.q.bonus"), NULL);
    return 0;
}

static const walor_pricing_v1 PRICING = {
    .struct_size = sizeof PRICING,
    .n_steps = sizeof STEPS / sizeof STEPS[0],
    .steps = STEPS,
    .prompt = prompt,
    .apply = apply,
    .adjust = adjust,
};

int32_t loy_pricing_register(walor_plugin *p)
{
    return walor_service_provide(p, WALOR_PRICING_SERVICE, WALOR_PRICING_MAJOR, WALOR_PRICING_MINOR, &PRICING);
}
