/* orders: the pure part of the order model (no host calls), unit-tested in
 * tests/unit/plugins/orders/test_orders_model.c: statuses, the staff transition table,
 * the sums check and the abandoned-cart reminder window. */
#ifndef ORDERS_MODEL_H
#define ORDERS_MODEL_H

#include <stdint.h>

/* F-ORD-01, in life order; the index is what the transition table uses */
enum {
    ORD_NEW,
    ORD_PAID,
    ORD_PROCESSING,
    ORD_SHIPPED,
    ORD_DELIVERED,
    ORD_COMPLETED,
    ORD_CANCELLED,
    ORD_NSTATUS
};

/* "new" … "cancelled" → index, -1 for anything else */
int orders_status_index(const char *s);
/* index → "new" …; "" out of range */
const char *orders_status_name(int st);

/* 1 when set_status() may move from → to (a staff or system move):
 * one step forward from paid to completed, one step back from processing,
 * shipped or delivered. new → paid is mark_paid(), … → cancelled is
 * cancel(), and nothing leaves completed or cancelled. */
int orders_move_allowed(int from, int to);

/* the staff card's ▶️ / ◀️ targets, -1 when there is none */
int orders_next(int st);
int orders_prev(int st);

/* 1 for the statuses the admin header counts as active (new, paid, processing) */
int orders_is_active(int st);

/* the order total the provider accepts: goods - personal - promo - cert -
 * bonus + delivery, never below 0; -1 when a sum is negative or it
 * overflows */
int64_t orders_expected_total(int64_t goods, int64_t delivery, int64_t personal, int64_t promo, int64_t cert,
                              int64_t bonus);

/* When an abandoned-cart reminder due at `due` (UTC epoch s) may go out:
 * `due` itself when it falls in [from_h:00, to_h:00) local time (the
 * process zone, which walord sets to the shop's), else the next from_h:00. */
int64_t orders_remind_time(int64_t due, int from_h, int to_h);

/* a B2B line's sale sum split into whole kopecks: qty units of which
 * `rest` cost unit + 1 and qty - rest cost unit, so the parts add up to
 * sum exactly; -1 when qty <= 0 or sum < 0 */
int orders_split_sum(int64_t sum, int64_t qty, int64_t *unit, int64_t *rest);

#endif
