/* Host services other modules start and stop from main.c. Each lives in
 * its own file; these are their entry points. */
#ifndef WH_SERVICES_H
#define WH_SERVICES_H

#include <uv.h>

#include "db.h"

/* scheduler (sched.c): cron and one-shot jobs, run on the worker pool */
int wh_sched_start(uv_loop_t *loop, wh_db *loop_db);
/* the scheduler's tables (owner host.jobs), also for walorctl restore's check */
int32_t wh_sched_migrate(wh_db *db);
void wh_sched_stop(void);
/* test mode: move the host clock forward and run what became due */
void wh_sched_clock_moved(void);

/* events (events.c): delivery of the transactional outbox after commit */
int wh_events_start(uv_loop_t *loop, wh_db *loop_db);
/* the events' tables (owner host.events) */
int32_t wh_events_migrate(wh_db *db);
void wh_events_stop(void);
void wh_events_kick(void);  /* any thread: something was committed, look now */
/* after every plugin loaded: refuse plugins whose required services are
 * missing (and those that need them); 0 or -1 */
int wh_services_resolve(void);

/* HTTP listener (http.c): /healthz, /metrics, webhook, plugin routes */
int wh_http_start(uv_loop_t *loop);
void wh_http_stop(void);

/* operations (ops.c): DB health check, log, restart, UI reset */
int wh_ops_start(uv_loop_t *loop, wh_db *loop_db);
void wh_ops_stop(void);
/* called on the loop when the database can be written again after it
 * could not (storage_watch.c): the host re-queues the updates it held */
void wh_ops_on_storage_resumed(void (*fn)(void));

#endif
