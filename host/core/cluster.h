/* Several walord instances on one PostgreSQL database (docs/RELIABILITY.md
 * "Several instances"). Everything here is a no-op on SQLite, where one
 * process owns the database.
 *
 * - One chat's updates run one at a time, in update_id order, whichever
 *   instance received them: a worker takes the chat's advisory lock
 *   (wh_db_lock, WH_DB_LOCK_CHAT) and then runs every update of the chat
 *   still pending up to its own, oldest first. A later update that arrived
 *   elsewhere waits for the lock; an earlier one still queued elsewhere is
 *   run here and found done there. A killed instance's locks go with its
 *   connections, and the sweep gives its unfinished updates to whoever is
 *   alive.
 * - Live instances are the distinct application names of walord
 *   connections to the database (pg_stat_activity): no heartbeat table, and
 *   a killed instance drops out the moment its connections close. The
 *   outbox's global rate is shared among them (wh_tg_set_share).
 * - Only one instance long-polls: the holder of WH_DB_LOCK_POLL. */
#ifndef WH_CLUSTER_H
#define WH_CLUSTER_H

#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "ctx.h"

/* runs one update of a chat (main.c's attempt counting and dispatch) */
typedef void (*wh_cluster_run_fn)(wh_worker *w, json_t *update, int rerun);

/* A name for this process's connections, set before the first one opens:
 * "walord <host>-<pid>-<random>". */
void wh_cluster_name(void);

/* Runs update u on worker w: directly on SQLite; on PostgreSQL under the
 * chat's lock, after the chat's earlier pending updates. */
void wh_cluster_run(wh_worker *w, json_t *u, int rerun, wh_cluster_run_fn run);

/* Starts the membership timer and the sweep of unfinished updates (loop
 * thread). submit queues an update for the workers (main.c). 0 or -1. */
int wh_cluster_start(uv_loop_t *loop, wh_db *loop_db, void (*submit)(json_t *u, int rerun));
void wh_cluster_stop(void);

/* Polling mode: calls start() once this instance is the one that polls
 * (at once on SQLite), trying again every 2 s while another one does. */
int wh_cluster_poll_when_leader(uv_loop_t *loop, wh_db *loop_db, int (*start)(void));

/* live instances seen at the last look (1 on SQLite) */
int wh_cluster_instances(void);

#endif
