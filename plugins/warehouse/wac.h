/* Weighted-average unit cost (F-WH-05), pure arithmetic in kopecks.
 *
 * On a supply of `received` units that cost `batch_total` kopecks together:
 *
 *   new_cost = (old_qty × old_cost + batch_total) / (old_qty + received)
 *
 * which is the spec's (old_qty × old_cost + received × unit_cost) /
 * (old_qty + received) with unit_cost = batch_total / received taken
 * exactly, so the result is rounded once (half-up, to a kopeck) rather
 * than twice. When old_qty <= 0 there is nothing to average with: stock
 * that is not there has no cost to carry, so the new cost is the batch's
 * own unit cost. */
#ifndef WAREHOUSE_WAC_H
#define WAREHOUSE_WAC_H

#include <stdint.h>

/* Largest quantity of one line and largest batch total the forms accept:
 * with them every product below stays far inside int64. */
#define WR_QTY_MAX 1000000          /* units */
#define WR_AMOUNT_MAX 100000000000LL /* kopecks: 1 000 000 000 ₽ */

/* num / den rounded half-up; num >= 0, den > 0 */
int64_t wr_div_half_up(int64_t num, int64_t den);

/* batch_total / received, half-up; received > 0, batch_total >= 0 */
int64_t wr_unit_cost(int64_t batch_total, int64_t received);

/* the new average cost after receiving `received` (> 0) units for
 * batch_total (>= 0) kopecks on top of old_qty units at old_cost each */
int64_t wr_wac(int64_t old_qty, int64_t old_cost, int64_t received, int64_t batch_total);

#endif
