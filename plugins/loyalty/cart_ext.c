/* loyalty: the cart's extension (F-CAT-10): one line with the personal
 * discount and the promo code the customer applied, and the button that
 * asks for a code (conversation "promo"). The code applied here is only
 * remembered (loyalty_cart_promo); the checkout offers it again in its
 * promo step, and it is counted as used when the order is paid. */
#include <string.h>

#include <walor/services/cart.h>

#include "loy.h"

static int32_t render(walor_ctx *c, int64_t user_id, const walor_cart_line *lines, uint32_t n, int64_t subtotal,
                      walor_cart_ext_view *out)
{
    (void)lines;
    (void)n;
    const char *code = loy_cart_promo(c, user_id);
    loy_quote q;
    int32_t rc = loy_quote_for(c, user_id, subtotal, code, NULL, 0, &q);
    if (rc < 0)
        return rc;
    const char *line = NULL;
    if (q.a.personal > 0)
        line = walor_textf(c, "loyalty.cart.personal", "pct", loy_num(c, q.personal_pct), "sum",
                           walor_money(c, q.a.personal), NULL);
    if (code) {
        const char *l2 = q.promo_code
            ? walor_textf(c, "loyalty.cart.promo", "code", loy_esc(c, code), "pct", loy_num(c, q.promo_pct), "sum",
                          walor_money(c, q.a.promo), NULL)
            : walor_textf(c, "loyalty.cart.promo_gone", "code", loy_esc(c, code), NULL);
        line = line ? walor_ctx_printf(c, "%s\n%s", line, l2) : l2;
    }
    if (out->struct_size >= offsetof(walor_cart_ext_view, line_html) + sizeof out->line_html)
        out->line_html = line;
    if (out->struct_size >= offsetof(walor_cart_ext_view, amount) + sizeof out->amount)
        out->amount = -(q.a.personal + q.a.promo);
    if (out->struct_size >= offsetof(walor_cart_ext_view, button_data) + sizeof out->button_data) {
        out->button_text = walor_text(c, code ? "loyalty.btn.promo_change" : "loyalty.btn.promo_enter");
        out->button_data = "loyc:promo";
    }
    return 0;
}

static const walor_cart_ext_v1 EXT = {.struct_size = sizeof EXT, .render = render};

static walor_kb *back_kb(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "loyalty.btn.to_cart"), WALOR_CART_SHOW_CALLBACK);
    return kb;
}

/* the question, with the host's "✖️ Отмена" under it */
static int32_t promo_ask(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    if (loy_cart_promo(c, walor_ctx_user_id(c)))
        walor_kb_conv_button(kb, walor_text(c, "loyalty.btn.promo_remove"), "remove");
    return walor_conv_ask(c, walor_text(c, "loyalty.promo.ask"), kb);
}

static int32_t promo_got(walor_ctx *c, const char *text)
{
    int64_t uid = walor_ctx_user_id(c);
    char *code = loy_code_norm(c, text);
    const char *why = NULL;
    loy_promo p;
    if (!code) {
        why = walor_text(c, "loyalty.promo.err.format");
    } else {
        int32_t rc = loy_promo_find(c, code, &p);
        if (rc == WALOR_ENOTFOUND)
            why = walor_text(c, "loyalty.promo.err.unknown");
        else if (rc < 0)
            return rc;
        else
            why = loy_promo_refusal(c, &p, uid);
    }
    if (why)
        return walor_conv_ask(c, walor_textf(c, "loyalty.promo.refused", "why", loy_esc(c, why), NULL), NULL);
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO loyalty_cart_promo(user_id, code, at) VALUES (?, ?, ?) "
                               "ON CONFLICT(user_id) DO UPDATE SET code = excluded.code, at = excluded.at",
                               WALOR_ARGS(walor_i(uid), walor_s(p.code), walor_i(walor_now(c))));
    if (rc < 0)
        return rc;
    walor_conv_end(c);
    return walor_reply(c,
                       walor_textf(c, "loyalty.promo.applied", "code", loy_esc(c, p.code), "pct", loy_num(c, p.pct),
                                   NULL),
                       back_kb(c));
}

/* "🗑 Убрать промокод", the only button of the question besides the host's cancel */
static int32_t promo_button(walor_ctx *c, const char *arg)
{
    (void)arg;
    walor_conv_end(c);
    int32_t rc = walor_db_exec(c, "DELETE FROM loyalty_cart_promo WHERE user_id = ?",
                               WALOR_ARGS(walor_i(walor_ctx_user_id(c))));
    if (rc < 0)
        return rc;
    return walor_show(c, walor_text(c, "loyalty.promo.removed"), back_kb(c));
}

static int32_t promo_cancelled(walor_ctx *c) { return walor_show(c, walor_text(c, "loyalty.promo.cancelled"), back_kb(c)); }

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "promo") == 0)
        return walor_conv_start(c, "promo", NULL, NULL);
    return walor_show_main_menu(c);
}

static const walor_conv_state PROMO_STATES[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "code", .on_enter = promo_ask, .on_message = promo_got,
     .on_callback = promo_button},
};

int32_t loy_cart_register(walor_plugin *p)
{
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "loyc",
                                   .handler = on_cb};
    const walor_conv_def conv = {.struct_size = sizeof conv, .min_role = WALOR_ROLE_CLIENT, .name = "promo",
                                 .states = PROMO_STATES, .nstates = 1, .timeout_s = 600, .on_cancel = promo_cancelled};
    int32_t rc = walor_callback(p, &cb);
    if (!rc) rc = walor_conversation(p, &conv);
    if (!rc) rc = walor_service_provide(p, WALOR_CART_EXT_SERVICE, WALOR_CART_EXT_MAJOR, WALOR_CART_EXT_MINOR, &EXT);
    return rc;
}
