/* The scheduler (sched.c): cron and one-shot jobs, and events (events.c):
 * delivery of the transactional outbox after commit. Both run plugin code
 * on the worker pool; main.c starts and stops them. */
#ifndef WH_SCHEDULER_H
#define WH_SCHEDULER_H

#include <uv.h>

#include "db.h"

int wh_sched_start(uv_loop_t *loop, wh_db *loop_db);
/* the scheduler's tables (owner host.jobs), also for walorctl restore's check */
int32_t wh_sched_migrate(wh_db *db);
void wh_sched_stop(void);
/* test mode: move the host clock forward and run what became due */
void wh_sched_clock_moved(void);

int wh_events_start(uv_loop_t *loop, wh_db *loop_db);
/* the events' tables (owner host.events) */
int32_t wh_events_migrate(wh_db *db);
void wh_events_stop(void);
void wh_events_kick(void); /* any thread: something was committed, look now */

#endif
