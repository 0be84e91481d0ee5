/* bookings: the staff's screens (staff.c) and actions (staff_act.c). */
#ifndef BOOKINGS_STAFF_H
#define BOOKINGS_STAFF_H

#include "bk.h"

int32_t bk_staff_home(walor_ctx *c);
int32_t bk_staff_day(walor_ctx *c, int32_t day, const char *page);
/* an action of "bks:<arg>" (confirm, cancel, complete, move, message, a
 * date's list); BK_SAME when arg is none of them */
int32_t bk_staff_act(walor_ctx *c, const char *arg);
int32_t bk_staff_act_register(walor_plugin *p);

#endif
