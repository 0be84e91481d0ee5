/* analytics: the revenue of a period and of each of its days (analytics.h
 * says what counts). Sales and refunds come from the orders service (one
 * aggregate query for a period, one stream for the days), bookings and
 * manual revenue from our own tables. */
#include <stdlib.h>
#include <string.h>

#include "analytics.h"

int32_t an_revenue_of(walor_ctx *c, int64_t from, int64_t to, int with_new, an_revenue *out)
{
    memset(out, 0, sizeof *out);
    const walor_orders_v1 *os = an_orders(c);
    if (os) {
        walor_order_totals t = {.struct_size = sizeof t, .flags = with_new ? WALOR_ORDERS_TOTALS_NEW : 0};
        int32_t rc = os->totals(c, from, to, &t);
        if (rc < 0)
            return rc;
        out->orders = t.orders - t.b2b_orders;
        out->orders_total = t.total - t.b2b_total;
        out->b2b = t.b2b_orders;
        out->b2b_total = t.b2b_total;
        out->refunds = t.refunds_n;
        out->refunds_total = t.refunds;
        out->new_customers = t.new_customers;
    }
    int32_t rc = an_bookings_sum(c, from, to, &out->bookings, &out->bookings_total);
    if (rc == 0)
        rc = an_manual_sum(c, from, to, &out->manual, &out->manual_total);
    out->total = out->orders_total + out->b2b_total + out->bookings_total + out->manual_total - out->refunds_total;
    return rc;
}

/* ---- per day ---- */

typedef struct daily {
    const an_period *p;
    int64_t *starts;  /* local midnight of each day and of the day after */
    int64_t *rev, *ord;
} daily;

/* the day of t by binary search over the midnights (no localtime per row) */
static int32_t day_of(const daily *d, int64_t t)
{
    if (t < d->starts[0] || t >= d->starts[d->p->days])
        return -1;
    int32_t lo = 0, hi = d->p->days - 1;
    while (lo < hi) {
        int32_t mid = (lo + hi + 1) / 2;
        if (d->starts[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int32_t on_sale(void *ud, const walor_order *o, const walor_order_line *l)
{
    (void)l;
    daily *d = ud;
    int32_t i = day_of(d, o->paid_at);
    if (i >= 0) {
        d->rev[i] += o->total;
        d->ord[i]++;
    }
    return 0;
}

static int32_t on_refund(void *ud, const walor_refund *r)
{
    daily *d = ud;
    int32_t i = day_of(d, r->at);
    /* a cancelled order counts nowhere, and neither does its refund */
    if (i >= 0 && strcmp(r->order_status, "cancelled") != 0 && !(r->order_flags & WALOR_ORDER_F_TESTER))
        d->rev[i] -= r->amount;
    return 0;
}

static int32_t on_booking(void *ud, const an_booking *b)
{
    daily *d = ud;
    int32_t i = day_of(d, b->completed_at);
    if (i >= 0)
        d->rev[i] += b->price;
    return 0;
}

static int32_t on_manual(void *ud, const an_manual *m)
{
    daily *d = ud;
    int32_t i = day_of(d, m->day);
    if (i >= 0)
        d->rev[i] += m->amount;
    return 0;
}

int32_t an_daily(walor_ctx *c, const an_period *p, int64_t *revenue, int64_t *orders)
{
    daily d = {.p = p, .rev = revenue, .ord = orders};
    d.starts = walor_ctx_alloc(c, (size_t)(p->days + 1) * sizeof *d.starts);
    if (!d.starts)
        return WALOR_ENOMEM;
    for (int32_t i = 0; i < p->days; i++)
        d.starts[i] = an_midnight(an_date_add(p->first, i));
    d.starts[p->days] = p->to;
    memset(revenue, 0, (size_t)p->days * sizeof *revenue);
    memset(orders, 0, (size_t)p->days * sizeof *orders);
    const walor_orders_v1 *os = an_orders(c);
    int32_t rc = 0;
    if (os) {
        rc = os->scan(c, p->from, p->to, 0, on_sale, &d);
        if (rc == 0)
            rc = os->refunds(c, p->from, p->to, on_refund, &d);
    }
    if (rc == 0)
        rc = an_bookings_scan(c, p->from, p->to, on_booking, &d);
    if (rc == 0)
        rc = an_manual_scan(c, p->from, p->to, on_manual, &d);
    return rc;
}
