/* catprobe: a consumer of the `catalog` service (sdk/include/walor/services/catalog.h)
 * for the catalog e2e tests (tests/e2e/test_catalog_service.py).
 *   /catprobe_item <product_id> <variant_no>
 *   /catprobe_items <flags> <offset> <limit> [query]
 * reply with exactly what the service returned, one field per "key=value";
 * the events catalog.product_changed / catalog.product_deleted are recorded
 * in catprobe_event so a test can see which arrived. */
#include <stdio.h>
#include <string.h>

#include <walor/plugin.h>
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
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "catprobe", .version = "1.0.0", .description = "test: catalog service consumer",
                    .load = load)
