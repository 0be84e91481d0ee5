/* broadcast: who a segment reaches (segment.h gives the SQL). Purchases are
 * the orders plugin's: the customers with a sale, or the buyers of some
 * products (a category's products from the catalog service), are read from
 * the orders service into broadcast_set rows first, and the segment's SQL
 * reads those. Without the orders plugin nobody has bought anything. */
#include <string.h>

#include <walor/services/catalog.h>
#include <walor/services/orders.h>

#include "bc.h"

#define PRODUCTS_MAX 1000

const char *bc_segment_label(walor_ctx *c, const bc_segment *s)
{
    const char *key = walor_ctx_printf(c, "broadcast.seg.%s", bc_segment_name(s->kind));
    switch (s->kind) {
    case BC_SEG_NEW:
    case BC_SEG_IDLE:
        return walor_textf(c, walor_ctx_printf(c, "%s_n", key), "days",
                           walor_plural(c, s->days, "день|дня|дней", 0), NULL);
    case BC_SEG_LINK:
        return walor_textf(c, walor_ctx_printf(c, "%s_n", key), "code", bc_esc(c, s->link), NULL);
    case BC_SEG_BOUGHT: {
        char *what = "";
        for (size_t i = 0; i < s->nproducts; i++)
            what = walor_ctx_printf(c, "%s%sp%lld", what, *what ? ", " : "", (long long)s->products[i]);
        for (size_t i = 0; i < s->ncategories; i++)
            what = walor_ctx_printf(c, "%s%sc%lld", what, *what ? ", " : "", (long long)s->categories[i]);
        return walor_textf(c, walor_ctx_printf(c, "%s_n", key), "items", what, NULL);
    }
    default:
        return walor_text(c, key);
    }
}

typedef struct filler {
    walor_ctx *c;
    int64_t set_id;
    int32_t rc;
} filler;

static int32_t add_user(void *ud, int64_t user_id)
{
    filler *f = ud;
    f->rc = walor_db_exec(f->c, "INSERT INTO broadcast_set(set_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                          WALOR_ARGS(walor_i(f->set_id), walor_i(user_id)));
    return f->rc < 0 ? f->rc : 0;
}

static int32_t add_customer(void *ud, const walor_order_client *cl) { return cl->sales > 0 ? add_user(ud, cl->user_id) : 0; }

/* the segment's products plus every product of its categories */
static int32_t products_of(walor_ctx *c, const bc_segment *s, int64_t **out, uint32_t *n)
{
    int64_t *v = walor_ctx_alloc(c, PRODUCTS_MAX * sizeof *v);
    if (!v)
        return WALOR_ENOMEM;
    *n = 0;
    for (size_t i = 0; i < s->nproducts; i++)
        v[(*n)++] = s->products[i];
    const walor_catalog_v1 *cat =
        walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, NULL);
    if (s->ncategories && WALOR_CATALOG_HAS(cat, items)) {
        walor_catalog_item *items = NULL;
        uint32_t ni = 0;
        int32_t rc = cat->items(c, NULL, WALOR_CATALOG_WITH_HIDDEN, 0, 0, &items, &ni, NULL);
        if (rc < 0)
            return rc;
        for (uint32_t i = 0; i < ni && *n < PRODUCTS_MAX; i++) {
            const walor_catalog_item *it = walor_catalog_item_at(items, i);
            int in = 0, seen = 0;
            for (size_t k = 0; k < s->ncategories && !in; k++)
                in = it->category_id == s->categories[k];
            for (uint32_t k = 0; k < *n && in && !seen; k++)
                seen = v[k] == it->product_id; /* variants repeat their product */
            if (in && !seen)
                v[(*n)++] = it->product_id;
        }
    }
    *out = v;
    return 0;
}

int32_t bc_audience_drop(walor_ctx *c, int64_t set_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM broadcast_set WHERE set_id = ?", WALOR_ARGS(walor_i(set_id)));
    return rc < 0 ? rc : 0;
}

int32_t bc_audience_prepare(walor_ctx *c, const bc_segment *s, int64_t set_id)
{
    int which = bc_segment_set(s);
    int32_t rc = bc_audience_drop(c, set_id);
    if (rc < 0 || !which)
        return rc;
    const walor_orders_v1 *o = walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, NULL);
    if (!WALOR_ORDERS_HAS(o, clients) || !WALOR_ORDERS_HAS(o, buyers))
        return 0;
    filler f = {.c = c, .set_id = set_id};
    if (which == 1)
        return o->clients(c, 0, 0, add_customer, &f);
    int64_t *products = NULL;
    uint32_t n = 0;
    if ((rc = products_of(c, s, &products, &n)) < 0 || n == 0)
        return rc;
    return o->buyers(c, products, n, add_user, &f);
}

int32_t bc_audience_count(walor_ctx *c, const bc_segment *s, int64_t set_id, int64_t author, int64_t *n)
{
    bc_sql q;
    *n = 0;
    if (bc_segment_sql(s, walor_now(c), set_id, &q) != 0)
        return WALOR_EINVAL;
    walor_val args[BC_SQL_ARGS + 1];
    memcpy(args, q.args, q.nargs * sizeof *args);
    args[q.nargs] = walor_i(author);
    return walor_db_int(c, walor_ctx_printf(c, "SELECT count(*) FROM (%s) x WHERE x.id <> ?", q.sql), args,
                        q.nargs + 1, n);
}

int32_t bc_audience_write(walor_ctx *c, const bc_segment *s, int64_t id, int64_t author, int64_t lanes, int64_t *n)
{
    bc_sql q;
    *n = 0;
    if (bc_segment_sql(s, walor_now(c), id, &q) != 0)
        return WALOR_EINVAL;
    walor_val args[BC_SQL_ARGS + 3] = {walor_i(id), walor_i(lanes)};
    memcpy(args + 2, q.args, q.nargs * sizeof *args);
    args[q.nargs + 2] = walor_i(author);
    int32_t rc = walor_db_exec(c,
                               walor_ctx_printf(c,
                                                "INSERT INTO broadcast_rcpt(bcast_id, user_id, lane) "
                                                "SELECT ?, x.id, x.id %% ? FROM (%s) x WHERE x.id <> ?",
                                                q.sql),
                               args, q.nargs + 3);
    if (rc < 0)
        return rc;
    *n = rc;
    return 0;
}
