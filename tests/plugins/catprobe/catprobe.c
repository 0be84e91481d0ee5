/* catprobe: the other side of the catalog's services, for the catalog e2e
 * tests (tests/e2e/test_catalog_service.py, test_catalog_cart.py).
 *   /catprobe_item <product_id> <variant_no>
 *   /catprobe_items <flags> <offset> <limit> [query]
 * reply with exactly what the `catalog` service returned, one field per
 * "key=value"; the events catalog.product_changed / catalog.product_deleted
 * are recorded in catprobe_event so a test can see which arrived.
 * With [plugin.catprobe] cart_ext = yes (or = fail) it is the cart's
 * extension (a promo line, −10 %, and a button; "fail" returns an error);
 * with checkout = yes it is the checkout: its button reads the order through
 * the `cart` service, replies with it and clears the cart. */
#include <stdio.h>
#include <string.h>

#include <walor/plugin.h>
#include <walor/services/cart.h>
#include <walor/services/catalog.h>

static const walor_catalog_v1 *svc(walor_ctx *c)
{
    const walor_catalog_v1 *s =
        walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, NULL);
    return WALOR_CATALOG_HAS(s, items) ? s : NULL;
}

static const char *describe(walor_ctx *c, const walor_catalog_item *it)
{
    return walor_ctx_printf(c,
                            "p%lld.%lld name=«%s» variant=«%s» cat=%lld «%s» base=%lld unit=%lld weight=%lld "
                            "disc=%d low=%d hidden=%d",
                            (long long)it->product_id, (long long)it->variant_no, walor_html_escape(c, it->name),
                            walor_html_escape(c, it->variant_label), (long long)it->category_id,
                            walor_html_escape(c, it->category), (long long)it->base_price,
                            (long long)it->unit_price, (long long)it->weight_g, it->discount_pct, it->low_stock,
                            (it->flags & WALOR_CATALOG_HIDDEN) ? 1 : 0);
}

static int32_t cmd_item(walor_ctx *c, const char *arg)
{
    const walor_catalog_v1 *s = svc(c);
    long long pid = 0, vno = 0;
    if (!s)
        return walor_reply(c, "catprobe: no catalog service", NULL);
    if (sscanf(arg ? arg : "", "%lld %lld", &pid, &vno) != 2)
        return walor_reply(c, "usage: /catprobe_item pid vno", NULL);
    walor_catalog_item it;
    memset(&it, 0xA5, sizeof it); /* the provider must zero it */
    int32_t rc = s->item(c, pid, vno, &it);
    if (rc < 0)
        return walor_reply(c, walor_ctx_printf(c, "item rc=%d", rc), NULL);
    return walor_reply(c, walor_ctx_printf(c, "item %s", describe(c, &it)), NULL);
}

static int32_t cmd_items(walor_ctx *c, const char *arg)
{
    const walor_catalog_v1 *s = svc(c);
    unsigned flags = 0, offset = 0, limit = 0;
    int used = 0;
    if (!s)
        return walor_reply(c, "catprobe: no catalog service", NULL);
    if (sscanf(arg ? arg : "", "%u %u %u%n", &flags, &offset, &limit, &used) != 3)
        return walor_reply(c, "usage: /catprobe_items flags offset limit [query]", NULL);
    const char *q = arg + used;
    while (*q == ' ')
        q++;
    walor_catalog_item *out = NULL;
    uint32_t n = 0, total = 0;
    int32_t rc = s->items(c, *q ? q : NULL, flags, offset, limit, &out, &n, &total);
    if (rc < 0)
        return walor_reply(c, walor_ctx_printf(c, "items rc=%d", rc), NULL);
    char *html = walor_ctx_printf(c, "items n=%u total=%u null=%d", n, total, out == NULL);
    for (uint32_t i = 0; i < n; i++)
        html = walor_ctx_printf(c, "%s\n%s", html, describe(c, walor_catalog_item_at(out, i)));
    return walor_reply(c, html, NULL);
}

static int32_t on_event(walor_ctx *c, const char *event, json_t *pl)
{
    int32_t rc = walor_db_exec(c, "INSERT INTO catprobe_event(event, product_id, v) VALUES (?, ?, ?)",
                               WALOR_ARGS(walor_s(event), walor_i((int64_t)json_integer_value(json_object_get(pl, "product_id"))),
                                          walor_i((int64_t)json_integer_value(json_object_get(pl, "v")))));
    return rc < 0 ? rc : 0;
}

/* ---- the cart's extension and the checkout ---- */

/* render() runs with the cart's ctx, whose plugin is the catalog: the mode
 * is read from our own config at load */
static int ext_fails;

static int32_t render(walor_ctx *c, int64_t user_id, const walor_cart_line *lines, uint32_t n, int64_t subtotal,
                      walor_cart_ext_view *out)
{
    (void)user_id;
    (void)lines;
    if (ext_fails)
        return WALOR_EINVAL;
    int64_t off = subtotal / 10;
    out->line_html = walor_ctx_printf(c, "🎟 Промокод <b>ПРОБА</b> (%u поз.): −%s", n, walor_money(c, off));
    out->amount = -off;
    out->button_text = "🎟 Ввести промокод";
    out->button_data = "catprobe:promo";
    return 0;
}

static const walor_cart_ext_v1 EXT = {.struct_size = sizeof(walor_cart_ext_v1), .render = render};
static const walor_checkout_v1 CHECKOUT = {.struct_size = sizeof(walor_checkout_v1),
                                           .start_callback = "catprobe:checkout"};

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "promo")) {
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, "🛒 Назад в корзину", WALOR_CART_SHOW_CALLBACK);
        return walor_show(c, "catprobe: промокод", kb);
    }
    if (strcmp(arg, "checkout") != 0)
        return 0;
    const walor_cart_v1 *cart = walor_service_get(walor_ctx_plugin(c), WALOR_CART_SERVICE, WALOR_CART_MAJOR, NULL);
    if (!WALOR_CART_HAS(cart, lines))
        return walor_reply(c, "catprobe: no cart service", NULL);
    walor_cart_line *l = NULL;
    uint32_t n = 0;
    int32_t rc = cart->lines(c, walor_ctx_user_id(c), &l, &n);
    if (rc < 0)
        return walor_reply(c, walor_ctx_printf(c, "order rc=%d", rc), NULL);
    char *html = walor_ctx_printf(c, "order n=%u", n);
    for (uint32_t i = 0; i < n; i++) {
        const walor_cart_line *x = walor_cart_line_at(l, i);
        html = walor_ctx_printf(c, "%s\np%lld.%lld «%s» «%s» %lld×%lld base=%lld", html, (long long)x->product_id,
                                (long long)x->variant_no, walor_html_escape(c, x->name),
                                walor_html_escape(c, x->variant_label), (long long)x->unit_price, (long long)x->qty,
                                (long long)x->base_price);
    }
    rc = cart->clear(c, walor_ctx_user_id(c));
    return walor_reply(c, walor_ctx_printf(c, "%s\ncleared rc=%d", html, rc), NULL);
}

static int on(const walor_plugin *p, const char *key)
{
    const char *v = walor_plugin_config(p, key);
    return v && (!strcmp(v, "yes") || !strcmp(v, "fail"));
}

static int32_t load(walor_plugin *p)
{
    const walor_command_def item = {.struct_size = sizeof item, .min_role = WALOR_ROLE_CLIENT, .name = "catprobe_item",
                                    .description = "catalog service: one item", .handler = cmd_item};
    const walor_command_def items = {.struct_size = sizeof items, .min_role = WALOR_ROLE_CLIENT,
                                     .name = "catprobe_items", .description = "catalog service: items",
                                     .handler = cmd_items};
    int32_t rc = walor_migration(p, 1,
                                 "CREATE TABLE catprobe_event (seq INTEGER PRIMARY KEY, event TEXT NOT NULL, "
                                 "product_id INTEGER NOT NULL, v INTEGER NOT NULL);");
    if (!rc) rc = walor_command(p, &item);
    if (!rc) rc = walor_command(p, &items);
    if (!rc) rc = walor_subscribe(p, "catalog.product_changed", on_event);
    if (!rc) rc = walor_subscribe(p, "catalog.product_deleted", on_event);
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "catprobe",
                                   .handler = on_cb};
    if (!rc) rc = walor_callback(p, &cb);
    const char *mode = walor_plugin_config(p, "cart_ext");
    ext_fails = mode && !strcmp(mode, "fail");
    if (!rc && on(p, "cart_ext"))
        rc = walor_service_provide(p, WALOR_CART_EXT_SERVICE, WALOR_CART_EXT_MAJOR, WALOR_CART_EXT_MINOR, &EXT);
    if (!rc && on(p, "checkout"))
        rc = walor_service_provide(p, WALOR_CHECKOUT_SERVICE, WALOR_CHECKOUT_MAJOR, WALOR_CHECKOUT_MINOR, &CHECKOUT);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "catprobe", .version = "1.0.0", .description = "test: catalog service consumer",
                    .load = load)
