/* fakepricing: a tiny provider of the `pricing` service
 * (sdk/include/walor/services/pricing.h) for the checkout e2e tests, until
 * loyalty exists. Two steps:
 *   promo  typed code; "WELCOME" (any case) is 120 ₽ off, anything else is
 *          refused with a reason
 *   bonus  a choice "Списать N ₽" where N is [plugin.fakepricing] bonus
 *          (roubles); without it the step does not apply */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <walor/plugin.h>
#include <walor/services/pricing.h>

static walor_plugin *self;

static const walor_pricing_step STEPS[] = {{"promo", "Промокод"}, {"bonus", "Бонусы"}};

static long bonus_rub(void)
{
    const char *b = walor_plugin_config(self, "bonus");
    return b ? strtol(b, NULL, 10) : 0;
}

static const char *choice(const walor_pricing_order *o, const char *step)
{
    for (uint32_t i = 0; i < o->n_choices; i++)
        if (!strcmp(o->choice_steps[i], step))
            return o->choice_values[i];
    return NULL;
}

static int32_t prompt(walor_ctx *c, const char *step, const walor_pricing_order *o, walor_pricing_prompt *out)
{
    (void)o;
    if (!strcmp(step, "promo")) {
        out->accepts_text = 1;
        out->html = "🎟 Введите промокод:";
        return 0;
    }
    if (!strcmp(step, "bonus") && bonus_rub() > 0) {
        out->html = walor_ctx_printf(c, "🎁 У вас %ld бонусов. Списать?", bonus_rub());
        out->choice_label[0] = walor_ctx_printf(c, "Списать %ld ₽", bonus_rub());
        out->choice_value[0] = walor_ctx_printf(c, "%ld", bonus_rub());
        return 0;
    }
    return 1;
}

static int32_t apply(walor_ctx *c, const char *step, const walor_pricing_order *o, const char *input,
                     const char **value, const char **error)
{
    (void)c, (void)o;
    if (!*input) {
        *value = NULL;
        return 0;
    }
    if (!strcmp(step, "promo")) {
        if (strcasecmp(input, "welcome") != 0) {
            *error = "Промокод не найден или больше не действует.";
            return WALOR_EINVAL;
        }
        *value = "WELCOME";
        return 0;
    }
    *value = input;
    return 0;
}

static int32_t adjust(walor_ctx *c, const walor_pricing_order *o, walor_pricing_adjust *out, uint32_t max,
                      uint32_t *n)
{
    (void)c;
    *n = 0;
    const char *p = choice(o, "promo"), *b = choice(o, "bonus");
    if (p && *n < max) {
        walor_pricing_adjust *a = walor_pricing_adjust_at(out, (*n)++);
        a->kind = WALOR_PRICING_PROMO;
        a->amount = 12000;
        a->label = "промокод WELCOME";
        a->code = "WELCOME";
    }
    if (b && *n < max) {
        walor_pricing_adjust *a = walor_pricing_adjust_at(out, (*n)++);
        a->kind = WALOR_PRICING_BONUS;
        a->amount = strtoll(b, NULL, 10) * 100;
        a->label = "бонусы";
    }
    return 0;
}

static const walor_pricing_v1 TABLE = {.struct_size = sizeof TABLE, .n_steps = 2, .steps = STEPS,
                                       .prompt = prompt, .apply = apply, .adjust = adjust};

static int32_t load(walor_plugin *p)
{
    self = p;
    return walor_service_provide(p, WALOR_PRICING_SERVICE, WALOR_PRICING_MAJOR, WALOR_PRICING_MINOR, &TABLE);
}

WALOR_PLUGIN_DEFINE(.name = "fakepricing", .version = "1.0.0", .description = "pricing test provider", .load = load)
