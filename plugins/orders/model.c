/* orders: statuses, transitions, sums and the reminder window (model.h). */
#include "model.h"

#include <string.h>
#include <time.h>

static const char *const NAMES[ORD_NSTATUS] = {"new",       "paid",      "processing", "shipped",
                                               "delivered", "completed", "cancelled"};

int orders_status_index(const char *s)
{
    for (int i = 0; s && i < ORD_NSTATUS; i++)
        if (!strcmp(s, NAMES[i]))
            return i;
    return -1;
}

const char *orders_status_name(int st) { return st >= 0 && st < ORD_NSTATUS ? NAMES[st] : ""; }

int orders_next(int st) { return st >= ORD_PAID && st < ORD_COMPLETED ? st + 1 : -1; }

/* paid → new would need the sold stock reserved again: a paid order that
 * must not go on is cancelled instead; completed is final because
 * order.completed (cashback) has gone out */
int orders_prev(int st) { return st > ORD_PAID && st < ORD_COMPLETED ? st - 1 : -1; }

int orders_move_allowed(int from, int to)
{
    if (from < 0 || to < 0 || from >= ORD_NSTATUS || to >= ORD_NSTATUS)
        return 0;
    return to == orders_next(from) || to == orders_prev(from);
}

int orders_is_active(int st) { return st == ORD_NEW || st == ORD_PAID || st == ORD_PROCESSING; }

int64_t orders_expected_total(int64_t goods, int64_t delivery, int64_t personal, int64_t promo, int64_t cert,
                              int64_t bonus)
{
    const int64_t lim = INT64_MAX / 8;
    int64_t v[] = {goods, delivery, personal, promo, cert, bonus};
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
        if (v[i] < 0 || v[i] > lim)
            return -1;
    int64_t t = goods + delivery - personal - promo - cert - bonus;
    return t < 0 ? 0 : t;
}

int64_t orders_remind_time(int64_t due, int from_h, int to_h)
{
    time_t t = (time_t)due;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return due;
    if (tm.tm_hour >= from_h && tm.tm_hour < to_h)
        return due;
    if (tm.tm_hour >= to_h)
        tm.tm_mday++; /* mktime normalises the month and year */
    tm.tm_hour = from_h;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t r = mktime(&tm);
    return r == (time_t)-1 ? due : (int64_t)r;
}

int orders_split_sum(int64_t sum, int64_t qty, int64_t *unit, int64_t *rest)
{
    if (qty <= 0 || sum < 0)
        return -1;
    *unit = sum / qty;
    *rest = sum % qty;
    return 0;
}
