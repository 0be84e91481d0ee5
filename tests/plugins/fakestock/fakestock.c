/* fakestock: a tiny provider of the `stock` service (sdk/include/walor/services/stock.h)
 * for the catalog e2e tests. Levels live in its own table; an item without a
 * row is untracked. The owner command
 *   /fakestock_set <product_id> <variant_no> <qty>
 * sets a level and emits `stock.changed` with before/after, as warehouse will. */
#include <stdio.h>
#include <string.h>

#include <walor/plugin.h>
#include <walor/services/stock.h>

static int32_t available(walor_ctx *c, int64_t pid, int64_t vno, int64_t *out)
{
    int32_t rc = walor_db_int(c, "SELECT qty FROM fakestock_level WHERE product_id = ? AND variant_no = ?",
                              WALOR_ARGS(walor_i(pid), walor_i(vno)), out);
    if (rc == WALOR_ENOTFOUND) {
        *out = WALOR_STOCK_UNTRACKED;
        return 0;
    }
    return rc;
}

static int32_t reserve(walor_ctx *c, int64_t order_id, const walor_stock_line *l, uint32_t n, uint32_t *failed)
{
    (void)c, (void)order_id, (void)l, (void)n;
    if (failed)
        *failed = UINT32_MAX;
    return WALOR_ENOSYS;
}
static int32_t by_order(walor_ctx *c, int64_t order_id) { (void)c, (void)order_id; return WALOR_ENOSYS; }
static int32_t restock(walor_ctx *c, int64_t order_id, const char *m) { (void)m; return by_order(c, order_id); }
static int32_t write_off(walor_ctx *c, const walor_stock_line *l, uint32_t n, const char *m, uint32_t *failed)
{
    (void)m;
    return reserve(c, 0, l, n, failed);
}

static const walor_stock_v1 TABLE = {.struct_size = sizeof(walor_stock_v1), .available = available,
                                     .reserve = reserve, .release = by_order, .commit = by_order,
                                     .restock = restock, .write_off = write_off};

static int32_t cmd_set(walor_ctx *c, const char *arg)
{
    long long pid, vno, qty;
    if (sscanf(arg, "%lld %lld %lld", &pid, &vno, &qty) != 3)
        return walor_reply(c, "usage: /fakestock_set pid vno qty", NULL);
    int64_t before = 0;
    int32_t rc = walor_tx_begin(c);
    if (rc)
        return rc;
    if (walor_db_int(c, "SELECT qty FROM fakestock_level WHERE product_id = ? AND variant_no = ?",
                     WALOR_ARGS(walor_i(pid), walor_i(vno)), &before) != 0)
        before = 0;
    rc = walor_db_exec(c,
                       "INSERT INTO fakestock_level(product_id, variant_no, qty) VALUES (?, ?, ?) "
                       "ON CONFLICT(product_id, variant_no) DO UPDATE SET qty = excluded.qty",
                       WALOR_ARGS(walor_i(pid), walor_i(vno), walor_i(qty)));
    json_t *ev = json_pack("{s:i, s:I, s:I, s:I, s:I, s:s}", "v", 1, "product_id", (json_int_t)pid, "variant_no",
                           (json_int_t)vno, "before", (json_int_t)before, "after", (json_int_t)qty, "reason", "edit");
    if (rc >= 0)
        rc = walor_event_emit(c, "stock.changed", walor_ctx_printf(c, "stock:%lld", pid), ev);
    json_decref(ev);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    rc = walor_tx_commit(c);
    if (rc)
        return rc;
    return walor_reply(c, walor_ctx_printf(c, "fakestock: %lld.%lld %lld → %lld", pid, vno, (long long)before, qty),
                       NULL);
}

static int32_t load(walor_plugin *p)
{
    const walor_command_def cmd = {.struct_size = sizeof cmd, .min_role = WALOR_ROLE_OWNER, .name = "fakestock_set",
                                   .description = "set a fake stock level", .handler = cmd_set};
    int32_t rc = walor_migration(p, 1,
                                 "CREATE TABLE fakestock_level (product_id INTEGER NOT NULL, variant_no INTEGER NOT "
                                 "NULL, qty INTEGER NOT NULL, PRIMARY KEY (product_id, variant_no));");
    if (!rc) rc = walor_command(p, &cmd);
    if (!rc) rc = walor_service_provide(p, WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, WALOR_STOCK_MINOR, &TABLE);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "fakestock", .version = "1.0.0", .description = "test: fake stock service",
                    .load = load)
