/* analytics: declarations shared by the plugin's files (README.md).
 *
 * What counts as revenue (the summary, the chart and the P&L agree):
 *   sales        orders that were paid and are not cancelled, testers'
 *                aside, B2B included, on the day they were paid (their
 *                total: goods after every discount plus the delivery the
 *                customer paid) — the orders service's definition;
 *   + bookings   completed, at their final price, on the day completed;
 *   + manual     entries staff recorded, on their date;
 *   − refunds    of orders that still count, on the day of the refund.
 * A cancelled order counts nowhere: neither its payment nor its refunds. */
#ifndef ANALYTICS_H
#define ANALYTICS_H

#include <walor/plugin.h>
#include <walor/services/catalog.h>
#include <walor/services/orders.h>
#include <walor/services/stock.h>

#include "period.h"

extern walor_plugin *an_self;

/* ---- services (analytics.c) ---- */
/* the orders service 1.1 (required at load) */
const walor_orders_v1 *an_orders(walor_ctx *c);
/* the stock service 1.2, NULL without a warehouse (no cost of goods, no
 * stock reports) */
const walor_stock_v1 *an_stock(walor_ctx *c);
/* the catalog, NULL without one (names from order lines only) */
const walor_catalog_v1 *an_catalog(walor_ctx *c);

/* ---- small helpers (analytics.c) ---- */
char *an_num(walor_ctx *c, int64_t n);
char *an_esc(walor_ctx *c, const char *s);          /* html escape, NULL → "" */
/* sql with two binds (from, to) whose row is (count, sum) */
int32_t an_count_sum(walor_ctx *c, const char *sql, int64_t from, int64_t to, int64_t *n, int64_t *sum);
const char *an_tmpdir(void);                        /* [plugin.analytics] tmp_dir, $TMPDIR, /tmp */
/* "декабрь 2025", "07.12.2025", "01.12.2025 – 15.12.2025": how a period is named */
char *an_period_label(walor_ctx *c, const an_period *p);

/* ---- revenue of a period (revenue.c) ---- */
typedef struct an_revenue {
    int64_t orders, orders_total;       /* customers' sales (B2B aside) */
    int64_t b2b, b2b_total;
    int64_t bookings, bookings_total;
    int64_t manual, manual_total;
    int64_t refunds, refunds_total;     /* of orders that still count */
    int64_t new_customers;
    int64_t total;                      /* orders + b2b + bookings + manual − refunds */
} an_revenue;
/* with_new: count new customers too (costs a lookup per sale of the period) */
int32_t an_revenue_of(walor_ctx *c, int64_t from, int64_t to, int with_new, an_revenue *out);
/* per day of p: revenue (kopecks, as above) and sales count, arrays of p->days */
int32_t an_daily(walor_ctx *c, const an_period *p, int64_t *revenue, int64_t *orders);

/* ---- completed bookings, kept from booking.changed (bookings.c) ---- */
typedef struct an_booking {
    int64_t booking_id, client_id, service_id, price, starts_at, completed_at;
    const char *service_name;
} an_booking;
typedef int32_t (*an_booking_fn)(void *ud, const an_booking *b);
int32_t an_bookings_register(walor_plugin *p);
/* completed bookings with completed_at in [from, to): count and sum */
int32_t an_bookings_sum(walor_ctx *c, int64_t from, int64_t to, int64_t *n, int64_t *sum);
int32_t an_bookings_scan(walor_ctx *c, int64_t from, int64_t to, an_booking_fn fn, void *ud);

/* ---- manual revenue (manual.c, F-AN-07) ---- */
typedef struct an_manual {
    int64_t id, amount, day, staff_id, created_at, updated_at, updated_by;
    const char *category, *comment;
} an_manual;
typedef int32_t (*an_manual_fn)(void *ud, const an_manual *m);
#define AN_MANUAL_COMMENT_MAX 500   /* characters (the form); bytes at most 4× that */
#define AN_MANUAL_CATEGORY_MAX 60
#define AN_MANUAL_AMOUNT_MAX 100000000000LL /* a billion roubles */
/* day: the local midnight of its date; category and comment plain text */
int32_t an_manual_add(walor_ctx *c, int64_t amount, int64_t day, const char *category, const char *comment,
                      int64_t *out_id);
/* change one field: "amount", "day", "category" or "comment" (the owner) */
int32_t an_manual_set(walor_ctx *c, int64_t id, const char *field, int64_t num, const char *text);
int32_t an_manual_delete(walor_ctx *c, int64_t id);
int32_t an_manual_get(walor_ctx *c, int64_t id, an_manual *out);
int32_t an_manual_sum(walor_ctx *c, int64_t from, int64_t to, int64_t *n, int64_t *sum);
/* entries dated in [from, to), by date then id */
int32_t an_manual_scan(walor_ctx *c, int64_t from, int64_t to, an_manual_fn fn, void *ud);
/* the categories staff choose from ([plugin.analytics] categories: one a
 * line, or separated by commas) */
#define AN_CATEGORIES "Офлайн-продажа\nМаркетплейс\nУслуги\nДругое"
int an_manual_categories(walor_ctx *c, const char ***out);
extern const char an_migration_1[];

/* ---- Excel reports (rep_*.c): write the workbook at path ---- */
typedef struct an_report_info {
    int64_t rows;        /* main rows written (orders, items, movements) */
    int64_t total;       /* the report's headline sum, kopecks */
} an_report_info;
int32_t an_report_pnl(walor_ctx *c, const an_period *p, const char *path, an_report_info *info);
int32_t an_report_abc(walor_ctx *c, const an_period *p, const char *path, an_report_info *info);
int32_t an_report_stock(walor_ctx *c, const char *path, an_report_info *info);
int32_t an_report_moves(walor_ctx *c, const an_period *p, const char *path, an_report_info *info);

/* ---- the jobs that build a report or chart and send it (jobs.c) ---- */
#define AN_REP_CHART "chart"
#define AN_REP_PNL "pnl"
#define AN_REP_ABC "abc"
#define AN_REP_STOCK "stock"
#define AN_REP_MOVES "moves"
/* queue `kind` for period p (ignored for "stock") to be built and sent to
 * this chat; tells the user it is being prepared */
int32_t an_report_request(walor_ctx *c, const char *kind, const an_period *p);
int32_t an_jobs_register(walor_plugin *p);

/* ---- texts (texts.c) and the staff screens ---- */
int32_t an_texts_register(walor_plugin *p);
/* screens.c: "📊 Статистика", the summary, choosing a report's period */
int32_t an_screens_register(walor_plugin *p);
int32_t an_summary(walor_ctx *c);
/* dates_ui.c: a report over two typed dates (the form "an_dates") */
int32_t an_dates_register(walor_plugin *p);
int32_t an_dates_start(walor_ctx *c, const char *kind);
/* manual_ui.c: "✍️ Ручная выручка" (callback data "an:mr…", arg after "mr") */
int32_t an_manual_register(walor_plugin *p);
int32_t an_manual_cb(walor_ctx *c, const char *arg);

#endif
