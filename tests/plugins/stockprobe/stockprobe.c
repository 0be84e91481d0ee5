/* stockprobe: a stand-in for the orders plugin in the warehouse e2e tests
 * and the stock benchmark. It uses the `stock` service exactly as a
 * checkout would: inside its own walor_tx_begin/commit, with the caller's
 * ctx. Commands (any user, so two customers can race):
 *
 *   /sp_buy ORDER ITEM QTY [ITEM QTY …]   reserve; ITEM is "12" or "12.3"
 *   /sp_release ORDER   /sp_commit ORDER   /sp_restock ORDER
 *   /sp_writeoff ITEM QTY [ITEM QTY …]
 *   /sp_avail ITEM
 *   /sp_bench ITEM N    N reserve + release pairs, one transaction each;
 *                       answers "bench: stock_reserve_per_s=…"
 * Every answer starts with the call's result, "ok" or the WALOR_E* name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <walor/plugin.h>
#include <walor/services/stock.h>

#define MAX_LINES 64

static const walor_stock_v1 *svc(walor_ctx *c)
{
    return walor_service_get(walor_ctx_plugin(c), WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, NULL);
}

static const char *res(walor_ctx *c, int32_t rc) { return rc == 0 ? "ok" : walor_strerror(walor_ctx_plugin(c), rc); }

static int parse_item(const char *s, int64_t *pid, int64_t *vno)
{
    long long a = 0, b = 0;
    int n = 0;
    if (sscanf(s, "%lld.%lld%n", &a, &b, &n) == 2 && s[n] == 0) {
        *pid = a, *vno = b;
        return 0;
    }
    if (sscanf(s, "%lld%n", &a, &n) == 1 && s[n] == 0) {
        *pid = a, *vno = 0;
        return 0;
    }
    return -1;
}

/* "ITEM QTY ITEM QTY …" from tokens */
static uint32_t parse_lines(char **tok, int ntok, walor_stock_line *out)
{
    uint32_t n = 0;
    for (int i = 0; i + 1 < ntok && n < MAX_LINES; i += 2) {
        if (parse_item(tok[i], &out[n].product_id, &out[n].variant_no) < 0)
            return 0;
        out[n].qty = strtoll(tok[i + 1], NULL, 10);
        n++;
    }
    return n;
}

static int split(walor_ctx *c, const char *arg, char **tok, int max)
{
    char *s = walor_ctx_printf(c, "%s", arg), *save = NULL;
    int n = 0;
    for (char *t = strtok_r(s, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
        tok[n++] = t;
    return n;
}

static int32_t buy(walor_ctx *c, const char *arg)
{
    char *tok[2 * MAX_LINES + 1];
    int nt = split(c, arg, tok, 2 * MAX_LINES + 1);
    walor_stock_line l[MAX_LINES];
    uint32_t n = nt >= 3 ? parse_lines(tok + 1, nt - 1, l) : 0;
    if (n == 0)
        return walor_reply(c, "usage: /sp_buy ORDER ITEM QTY …", NULL);
    int64_t order = strtoll(tok[0], NULL, 10);
    uint32_t failed = 0;
    int32_t rc = walor_tx_begin(c);
    if (rc == 0) {
        rc = svc(c)->reserve(c, order, l, n, &failed);
        if (rc == 0)
            rc = walor_tx_commit(c);
        else
            walor_tx_rollback(c);
    }
    if (rc == WALOR_ERANGE)
        return walor_reply(c, walor_ctx_printf(c, "%s: Товар закончился, строка %u", res(c, rc), failed + 1), NULL);
    return walor_reply(c, walor_ctx_printf(c, "%s: заказ %lld", res(c, rc), (long long)order), NULL);
}

static int32_t by_order(walor_ctx *c, const char *arg, const char *what)
{
    int64_t order = strtoll(arg, NULL, 10);
    const walor_stock_v1 *s = svc(c);
    int32_t rc = !strcmp(what, "release") ? s->release(c, order)
                 : !strcmp(what, "commit") ? s->commit(c, order)
                                           : s->restock(c, order, "возврат покупателя");
    return walor_reply(c, walor_ctx_printf(c, "%s: %s %lld", res(c, rc), what, (long long)order), NULL);
}

static int32_t release(walor_ctx *c, const char *arg) { return by_order(c, arg, "release"); }
static int32_t commit(walor_ctx *c, const char *arg) { return by_order(c, arg, "commit"); }
static int32_t restock(walor_ctx *c, const char *arg) { return by_order(c, arg, "restock"); }

static int32_t writeoff(walor_ctx *c, const char *arg)
{
    char *tok[2 * MAX_LINES];
    int nt = split(c, arg, tok, 2 * MAX_LINES);
    walor_stock_line l[MAX_LINES];
    uint32_t n = parse_lines(tok, nt, l), failed = UINT32_MAX;
    int32_t rc = n ? svc(c)->write_off(c, l, n, "проба", &failed) : WALOR_EINVAL;
    return walor_reply(c, walor_ctx_printf(c, "%s: списание, строка %d", res(c, rc), failed == UINT32_MAX ? 0 : (int)failed + 1), NULL);
}

static int32_t avail(walor_ctx *c, const char *arg)
{
    int64_t pid, vno, q = 0;
    int32_t rc = parse_item(arg, &pid, &vno) == 0 ? svc(c)->available(c, pid, vno, &q) : WALOR_EINVAL;
    return walor_reply(c, walor_ctx_printf(c, "%s: доступно %lld", res(c, rc), (long long)q), NULL);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int32_t bench(walor_ctx *c, const char *arg)
{
    char *tok[2];
    walor_stock_line l = {0};
    if (split(c, arg, tok, 2) != 2 || parse_item(tok[0], &l.product_id, &l.variant_no) < 0)
        return walor_reply(c, "usage: /sp_bench ITEM N", NULL);
    long long n = strtoll(tok[1], NULL, 10);
    l.qty = 1;
    const walor_stock_v1 *s = svc(c);
    double t0 = mono();
    int32_t rc = 0;
    for (long long i = 0; i < n && rc == 0; i++) {
        rc = walor_tx_begin(c);
        if (rc == 0) {
            rc = s->reserve(c, 900000000 + i, &l, 1, NULL);
            if (rc == 0)
                rc = s->release(c, 900000000 + i);
            if (rc == 0)
                rc = walor_tx_commit(c);
            else
                walor_tx_rollback(c);
        }
    }
    double dt = mono() - t0;
    if (rc)
        return walor_reply(c, walor_ctx_printf(c, "%s: bench failed", res(c, rc)), NULL);
    return walor_reply(c, walor_ctx_printf(c, "ok: bench: stock_reserve_per_s=%.0f", dt > 0 ? (double)n / dt : 0.0),
                       NULL);
}

static int32_t load(walor_plugin *p)
{
    static const struct {
        const char *name;
        walor_handler_fn fn;
    } CMDS[] = {{"sp_buy", buy},       {"sp_release", release}, {"sp_commit", commit}, {"sp_restock", restock},
                {"sp_writeoff", writeoff}, {"sp_avail", avail},   {"sp_bench", bench}};
    int32_t rc = walor_service_require(p, WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, 0);
    for (size_t i = 0; !rc && i < sizeof CMDS / sizeof CMDS[0]; i++) {
        const walor_command_def d = {.struct_size = sizeof d, .min_role = WALOR_ROLE_CLIENT, .name = CMDS[i].name,
                                     .description = "stock service probe", .handler = CMDS[i].fn};
        rc = walor_command(p, &d);
    }
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "stockprobe", .version = "1.0.0", .description = "test: drives the stock service",
                    .requires = "warehouse", .load = load)
