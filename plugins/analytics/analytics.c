/* analytics: statistics and reports (README.md; F-AN-01 … F-AN-07).
 *
 *   revenue.c   the revenue of a period and of its days (what counts: analytics.h)
 *   bookings.c  completed bookings, kept from booking.changed
 *   manual.c    manual revenue: the data
 *   rep_pnl.c, rep_abc.c, rep_stock.c   the Excel workbooks (xlsx.c helpers)
 *   chart.c     the revenue chart (cairo; scale.c its arithmetic)
 *   jobs.c      reports are built in a one-shot job and sent when ready
 *   screens.c, manual_ui.c   the staff screens of "📊 Статистика"
 *   period.c, abc.c, map.c   pure helpers (unit-tested)
 * Other plugins are read only through their services (orders 1.1, stock
 * 1.2, catalog) and events (booking.changed). */
#include <stdlib.h>

#include "analytics.h"
#include "chart.h"

walor_plugin *an_self;

const char an_migration_1[] =
    /* one fact per booking, the latest change wins (bookings.c) */
    "CREATE TABLE analytics_booking ("
    " booking_id INTEGER PRIMARY KEY,"
    " client_id INTEGER NOT NULL DEFAULT 0,"
    " service_id INTEGER NOT NULL DEFAULT 0,"
    " service_name TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL,"
    " price INTEGER NOT NULL DEFAULT 0,"
    " starts_at INTEGER NOT NULL DEFAULT 0,"
    " completed_at INTEGER,"                  /* set only while completed */
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX analytics_booking_done ON analytics_booking(completed_at) WHERE status = 'completed';"
    /* manual revenue (manual.c); day = the local midnight of its date */
    "CREATE TABLE analytics_manual ("
    " id INTEGER PRIMARY KEY,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " day INTEGER NOT NULL,"
    " category TEXT NOT NULL DEFAULT '',"
    " comment TEXT NOT NULL DEFAULT '',"
    " staff_id INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " updated_by INTEGER NOT NULL DEFAULT 0,"
    " deleted INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX analytics_manual_day ON analytics_manual(day, id) WHERE deleted = 0;";

/* ---- services ---- */

const walor_orders_v1 *an_orders(walor_ctx *c)
{
    const walor_orders_v1 *o = walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, NULL);
    return WALOR_ORDERS_HAS(o, totals) ? o : NULL;
}

const walor_stock_v1 *an_stock(walor_ctx *c)
{
    const walor_stock_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, NULL);
    return WALOR_STOCK_HAS(s, levels) ? s : NULL;
}

const walor_catalog_v1 *an_catalog(walor_ctx *c)
{
    const walor_catalog_v1 *s =
        walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, NULL);
    return WALOR_CATALOG_HAS(s, items) ? s : NULL;
}

/* ---- helpers ---- */

char *an_num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }

char *an_esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

int32_t an_count_sum(walor_ctx *c, const char *sql, int64_t from, int64_t to, int64_t *n, int64_t *sum)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, sql, WALOR_ARGS(walor_i(from), walor_i(to)), &r);
    if (rc < 0)
        return rc;
    *n = *sum = 0;
    if ((rc = walor_row_next(r)) == 1) {
        *n = walor_col_int(r, 0);
        *sum = walor_col_int(r, 1);
    }
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

const char *an_tmpdir(void)
{
    const char *d = an_self ? walor_plugin_config(an_self, "tmp_dir") : NULL;
    if (d && *d)
        return d;
    d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

char *an_period_label(walor_ctx *c, const an_period *p)
{
    char a[16], b[16];
    if (p->first.d == 1 && p->first.m == p->last.m && p->first.y == p->last.y &&
        p->last.d == an_month_days(p->last.y, p->last.m))
        return walor_ctx_printf(c, "%s %d", an_month_name(p->first.m), p->first.y);
    an_date_str(p->first, a, sizeof a);
    if (p->days == 1)
        return walor_ctx_printf(c, "%s", a);
    an_date_str(p->last, b, sizeof b);
    return walor_ctx_printf(c, "%s – %s", a, b);
}

/* ---- registration ---- */

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM analytics_booking WHERE client_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

static int32_t load(walor_plugin *p)
{
    an_self = p;
    /* TEXT, one per line: a STRING default over 63 bytes is refused by the host */
    const walor_setting_def categories = {
        .struct_size = sizeof categories, .type = WALOR_SET_TEXT, .key = "categories",
        .label = "Статистика: категории ручной выручки, по одной в строке", .default_value = AN_CATEGORIES,
        .min = 1, .max = 1000, .flags = WALOR_SET_OWNER_EDITABLE};
    int32_t rc = walor_migration(p, 1, an_migration_1);
    if (!rc) rc = walor_service_require(p, WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, 3);
    if (!rc) rc = walor_setting(p, &categories);
    if (!rc) rc = an_texts_register(p);
    if (!rc) rc = an_bookings_register(p);
    if (!rc) rc = an_jobs_register(p);
    if (!rc) rc = an_screens_register(p);
    if (!rc) rc = an_dates_register(p);
    if (!rc) rc = an_manual_register(p);
    if (!rc) rc = walor_wipe(p, wipe);
    return rc;
}

/* cairo and fontconfig keep caches for the process's life: release them
 * so that valgrind runs stay clean */
static void unload(walor_plugin *p)
{
    (void)p;
    an_chart_cleanup();
}

WALOR_PLUGIN_DEFINE(.name = "analytics", .version = "0.1.0",
                    .description = "Статистика: сводка, график выручки, P&L, ABC, склад и движение товаров, "
                                   "ручная выручка",
                    .requires = "orders", .min_host_minor = 3, /* forms and lists (SDK 1.3) */ .load = load,
                    .unload = unload)
