/* Weighted-average cost (wac.h). Pure: unit-tested in tests/unit/plugins/warehouse/test_warehouse_wac.c. */
#include "wac.h"

int64_t wr_div_half_up(int64_t num, int64_t den)
{
    if (den <= 0 || num <= 0)
        return 0;
    /* floor(num/den + 1/2) without forming 2*num, which could overflow */
    int64_t q = num / den, r = num % den;
    return r >= den - r ? q + 1 : q;
}

int64_t wr_unit_cost(int64_t batch_total, int64_t received)
{
    return wr_div_half_up(batch_total, received);
}

int64_t wr_wac(int64_t old_qty, int64_t old_cost, int64_t received, int64_t batch_total)
{
    if (received <= 0)
        return old_qty > 0 ? old_cost : 0;
    if (old_qty <= 0)
        return wr_unit_cost(batch_total, received);
    if (old_cost < 0)
        old_cost = 0;
    return wr_div_half_up(old_qty * old_cost + batch_total, old_qty + received);
}
