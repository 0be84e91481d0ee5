/* loybench: measures the `pricing` provider's quote (loyalty) the way the
 * checkout calls it, for tests/e2e/test_loyalty_bench.py. Never asserted.
 *   /loybench N PROMO CERT   N calls of adjust() for a 10-line order of the
 *                            caller with every adjustment present (personal
 *                            discount, PROMO, CERT, all bonuses) →
 *                            "bench: quote_per_s=<N> lines=<adjustments>" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <walor/plugin.h>
#include <walor/services/pricing.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int32_t cmd_bench(walor_ctx *c, const char *arg)
{
    long n = 0;
    char promo[64] = "", cert[64] = "";
    if (sscanf(arg, "%ld %63s %63s", &n, promo, cert) != 3 || n < 1 || n > 10000000)
        return walor_reply(c, "использование: /loybench N PROMO CERT", NULL);
    const walor_pricing_v1 *pr = walor_service_get(walor_ctx_plugin(c), WALOR_PRICING_SERVICE, WALOR_PRICING_MAJOR,
                                                   NULL);
    if (!WALOR_PRICING_HAS(pr, adjust))
        return walor_reply(c, "no pricing provider", NULL);
    walor_cart_line lines[10];
    int64_t goods = 0;
    for (int i = 0; i < 10; i++) {
        lines[i] = (walor_cart_line){.struct_size = sizeof lines[i], .product_id = i + 1, .name = "товар",
                                     .variant_label = "", .base_price = 150000, .unit_price = 120000 + i * 1000,
                                     .qty = 1 + i % 3, .weight_g = 100};
        goods += lines[i].unit_price * lines[i].qty;
    }
    const char *steps[] = {"promo", "cert", "bonus"};
    const char *vals[] = {promo, cert, "all"};
    walor_pricing_order o = {.struct_size = sizeof o, .n_lines = 10, .user_id = walor_ctx_user_id(c), .lines = lines,
                             .goods = goods, .delivery_cost = 30000, .choice_steps = steps, .choice_values = vals,
                             .n_choices = 3};
    walor_pricing_adjust out[WALOR_PRICING_MAX_ADJUST];
    uint32_t got = 0;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        memset(out, 0, sizeof out);
        for (int k = 0; k < WALOR_PRICING_MAX_ADJUST; k++)
            out[k].struct_size = sizeof out[k];
        if (pr->adjust(c, &o, out, WALOR_PRICING_MAX_ADJUST, &got) < 0)
            return walor_reply(c, "adjust failed", NULL);
    }
    double dt = now_s() - t0;
    return walor_reply(c, walor_ctx_printf(c, "bench: quote_per_s=%.0f lines=%u", (double)n / (dt > 0 ? dt : 1e-9), got),
                       NULL);
}

static int32_t load(walor_plugin *p)
{
    const walor_command_def cmd = {.struct_size = sizeof cmd, .name = "loybench", .description = "бенчмарк",
                                   .handler = cmd_bench};
    return walor_command(p, &cmd);
}

WALOR_PLUGIN_DEFINE(.name = "loybench", .version = "1.0.0", .description = "loyalty quote benchmark",
                    .requires = "loyalty", .load = load)
