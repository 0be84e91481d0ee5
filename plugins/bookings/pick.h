/* bookings: choosing a day and a free time inside a conversation (pick.c).
 *
 * The conversation's data holds "ym" (the month shown, y * 12 + m - 1),
 * "day" ("YYYY-MM-DD") and, once chosen, "start" (epoch). Every function
 * asks with walor_conv_ask, so the host's cancel row is under it. */
#ifndef BOOKINGS_PICK_H
#define BOOKINGS_PICK_H

#include "bk.h"

typedef struct bk_pick {
    int32_t duration_min;
    int64_t skip;      /* the booking being moved (its own time is free to it), or 0 */
    int staff;         /* 1: no minimum notice, a longer horizon */
    const char *title; /* HTML above the calendar: what is being booked */
} bk_pick;

/* the month's calendar keyboard: days with a free time carry "d:<iso>",
 * every other cell "x", the month arrows "m:<ym>"; *out_free (may be NULL)
 * counts the pressable days */
walor_kb *bk_calendar_kb(walor_ctx *c, const bk_calendar *cal, const bk_query *q, int32_t ym, int *out_free);
int32_t bk_month_of(int32_t day);
char *bk_month_title(walor_ctx *c, int32_t ym);

/* ask for a day (why: HTML said first, or NULL) */
int32_t bk_pick_date(walor_ctx *c, const bk_pick *pk, const char *why);
/* a press on the calendar: 1 when a good day is chosen (data "day"), 0
 * when it was answered here (a month page, a closed day, a day that does
 * not work any more: told, asked again), < 0 a failure */
int32_t bk_pick_date_cb(walor_ctx *c, const bk_pick *pk, const char *payload);
/* typed text where a day is asked: point at the calendar */
int32_t bk_pick_date_text(walor_ctx *c, const bk_pick *pk);
/* ask for a free time of data "day" (back to the calendar when none is left) */
int32_t bk_pick_slot(walor_ctx *c, const bk_pick *pk, const char *why);
/* the free times nearest to `want` (after someone took it) */
int32_t bk_pick_nearest(walor_ctx *c, const bk_pick *pk, int64_t want, const char *why);
/* a press on the times: 1 a free time chosen (data "start"), 2 "another
 * day", 0 answered here (taken meanwhile: the nearest are offered), < 0 */
int32_t bk_pick_slot_cb(walor_ctx *c, const bk_pick *pk, const char *payload);

#endif
