/* The `pricing` service, major 1: the checkout's extension point for
 * discounts a checkout does not own (promo codes, gift certificates,
 * bonuses, personal discounts).
 *
 *   #include <walor/services/pricing.h>
 *
 * Provided by the plugin that owns those discounts (`loyalty`); used by
 * the checkout (`checkout-cdek`). The checkout looks it up every time it
 * needs it:
 *
 *   const walor_pricing_v1 *pr = walor_service_get(walor_ctx_plugin(c), WALOR_PRICING_SERVICE,
 *                                                  WALOR_PRICING_MAJOR, NULL);
 *
 * and without a provider its optional steps are simply absent and the
 * quote has no adjustment lines.
 *
 * What a provider contributes:
 *   - steps: questions the checkout conversation asks between "courier
 *     details" and "comment", in the provider's order ("promo", "cert",
 *     "bonus"). The checkout owns the chat: it shows the provider's prompt,
 *     takes the customer's typed text or pressed choice, and hands it to
 *     apply(), which validates it and returns the value to remember (a
 *     normalised code, an amount). The checkout keeps the values in its
 *     persisted conversation data, shows an "Изменить …" button per step on
 *     the summary, and passes all of them back in walor_pricing_order.
 *   - adjustments: lines of the quote ("промокод WELCOME −120 ₽"), computed
 *     by adjust() from the remembered values and the goods. The checkout's
 *     quote function caps them (the goods never go below 0) and copies
 *     them into the order by kind (personal_discount, promo_discount,
 *     cert_discount, bonus_spent, promo_code, cert_code: see orders.h).
 *   - Redeeming (marking a promo code used, spending bonuses, burning a
 *     certificate) is NOT done through this table: the provider does it on
 *     the `order.paid` event, whose payload carries promo_code, cert_code
 *     and bonus_spent, and gives them back on `order.cancelled`.
 *
 * Rules:
 *   - Every function is [cb] with the checkout's ctx (walor_ctx_plugin(c)
 *     is the checkout: read your own tables, your own settings by full key
 *     "<your plugin>.<key>", and format your own texts by full key). They
 *     must not send or edit messages, start conversations, or call the
 *     network: the checkout calls adjust() inside the transaction that
 *     creates the order, to check the discounts once more under the lock.
 *   - Strings returned live in the ctx arena (walor_ctx_printf) or are
 *     static. Plain text unless the member says HTML.
 *   - Structs the provider fills arrive zeroed with struct_size set by the
 *     checkout: fill only members that fit (newer members: check
 *     out->struct_size). Tables grow only at the end (a new minor); probe
 *     members with WALOR_PRICING_HAS().
 *   - A negative return other than the ones documented is logged, and the
 *     checkout goes on without the provider for that screen.
 *   - Services have one provider per name and major: a second pricing
 *     plugin is refused at load ("already provided"). Combine what you
 *     offer in one plugin, or grow this interface in a new minor. */
#ifndef WALOR_SERVICES_PRICING_H
#define WALOR_SERVICES_PRICING_H

#include <stddef.h>
#include <stdint.h>

#include "../plugin.h"
#include "cart.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR_PRICING_SERVICE "pricing"
#define WALOR_PRICING_MAJOR 1u
#define WALOR_PRICING_MINOR 0u

/* Kinds of adjustment: which sum of the order (orders.h) it lands in. */
#define WALOR_PRICING_PERSONAL 1  /* personal_discount */
#define WALOR_PRICING_PROMO    2  /* promo_discount, code → promo_code */
#define WALOR_PRICING_CERT     3  /* cert_discount, code → cert_code */
#define WALOR_PRICING_BONUS    4  /* bonus_spent */

/* One optional step of the checkout. Travels in an array the provider
 * owns (static): its size never changes. */
typedef struct walor_pricing_step {
    const char *id;           /* [a-z0-9_]{1,16}, unique within the provider: "promo" */
    const char *title;        /* Russian, for the summary's button "Изменить: <title>" */
} walor_pricing_step;

/* What the customer is buying, as the checkout knows it at that moment. */
typedef struct walor_pricing_order {
    uint32_t struct_size;     /* sizeof(walor_pricing_order) as the checkout was built */
    uint32_t n_lines;
    int64_t user_id;
    const walor_cart_line *lines;  /* the cart's lines: step with walor_cart_line_at() */
    int64_t goods;            /* sum of unit_price × qty: after product discounts, kopecks */
    int64_t delivery_cost;    /* kopecks, -1 while unknown (before the delivery step) */
    /* the values apply() returned so far, by step id; n_choices pairs */
    const char *const *choice_steps;
    const char *const *choice_values;
    uint32_t n_choices;
    uint32_t reserved;
} walor_pricing_order;

#define WALOR_PRICING_MAX_CHOICES 4

/* What the checkout shows for a step. Arrives zeroed with struct_size set. */
typedef struct walor_pricing_prompt {
    uint32_t struct_size;     /* set by the checkout */
    uint32_t accepts_text;    /* 1: the customer may type an answer (a code) */
    const char *html;         /* the question, Telegram HTML (escape user data) */
    /* up to WALOR_PRICING_MAX_CHOICES buttons: label (plain text) and the
     * value apply() gets when it is pressed (<= 32 bytes); NULL ends the list.
     * The checkout always adds its own "Пропустить" (apply() gets ""). */
    const char *choice_label[WALOR_PRICING_MAX_CHOICES];
    const char *choice_value[WALOR_PRICING_MAX_CHOICES];
} walor_pricing_prompt;

/* One line of the quote. Arrives zeroed with struct_size set. */
typedef struct walor_pricing_adjust {
    uint32_t struct_size;     /* set by the checkout */
    int32_t kind;             /* WALOR_PRICING_* */
    int64_t amount;           /* kopecks off the goods, > 0 (the quote caps it) */
    const char *label;        /* plain text: "промокод WELCOME", "бонусы" */
    const char *code;         /* the promo or certificate code for the order, or NULL */
} walor_pricing_adjust;

#define WALOR_PRICING_MAX_ADJUST 8

typedef struct walor_pricing_v1 {
    uint32_t struct_size;     /* sizeof(walor_pricing_v1) as the provider was built */
    uint32_t n_steps;         /* entries of steps, 0-8 */

    /* ---- 1.0 ---- */
    const walor_pricing_step *steps;   /* static, n_steps entries, in the order they are asked */

    /* Fill *out for step `step` (one of steps[].id). 0: ask it; 1: the step
     * does not apply to this customer now (no bonus balance): the checkout
     * skips it silently and forgets its value. */
    int32_t (*prompt)(walor_ctx *c, const char *step, const walor_pricing_order *o, walor_pricing_prompt *out);

    /* The customer answered `step` with `input` (typed text, trimmed, or a
     * choice's value; "" = skipped). 0: accepted, *out_value (arena or
     * static; NULL or "" = nothing to remember) is stored under the step id;
     * WALOR_EINVAL: refused, *out_error (Russian, plain text) is shown and
     * the question asked again. */
    int32_t (*apply)(walor_ctx *c, const char *step, const walor_pricing_order *o, const char *input,
                     const char **out_value, const char **out_error);

    /* The adjustment lines of this order: write at most `max` entries of
     * out (each arrives zeroed with struct_size set; step with
     * walor_pricing_adjust_at(), the checkout may be built with another
     * sizeof) and set *n. A value
     * that no longer holds (the code expired meanwhile) simply gives no
     * line. Called for every summary and once more when the order is
     * created, inside its transaction. */
    int32_t (*adjust)(walor_ctx *c, const walor_pricing_order *o, walor_pricing_adjust *out, uint32_t max,
                      uint32_t *n);
} walor_pricing_v1;

#define WALOR_PRICING_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_pricing_v1, m) + sizeof((s)->m) && (s)->m != NULL)

/* The i-th entry of the array adjust() fills, whatever the checkout's
 * sizeof(walor_pricing_adjust). */
static inline walor_pricing_adjust *walor_pricing_adjust_at(walor_pricing_adjust *a, uint32_t i)
{
    return (walor_pricing_adjust *)(void *)((char *)a + (size_t)i * a->struct_size);
}

#ifdef __cplusplus
}
#endif
#endif
