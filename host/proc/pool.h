/* Worker pool with per-key ordering.
 *
 * Every plugin callback runs here (ARCHITECTURE.md §2). Jobs of one key (a
 * chat) run one at a time in submit order, so a user's updates are handled
 * in the order they were sent; different keys run in parallel. Ready keys
 * are served round-robin, one job per turn, so a chat with a thousand queued
 * updates cannot starve the others. */
#ifndef WH_POOL_H
#define WH_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct wh_pool wh_pool;
typedef void (*wh_job_fn)(void *worker_state, void *arg);
typedef void (*wh_drop_fn)(void *arg); /* frees a job that will not run (shutdown) */

/* init runs on each worker thread before any job (e.g. opens its DB
 * connection); non-zero = failure -> wh_pool_create fails (the workers whose
 * init succeeded get fini). fini runs on the same worker thread at exit.
 * Either may be NULL. */
wh_pool *wh_pool_create(int nworkers, int (*init)(int idx, void **state, void *ud),
                        void (*fini)(void *state, void *ud), void *ud);

/* Thread-safe, O(1). 0 on success; a negative WALOR_E* (pool stopping, out
 * of memory, fn NULL) means the job was not taken: arg still belongs to the
 * caller and drop is not called. drop may be NULL. */
int wh_pool_submit(wh_pool *p, int64_t key, wh_job_fn fn, void *arg, wh_drop_fn drop);

size_t wh_pool_queued(wh_pool *p); /* waiting + running */

/* Finish running jobs, drop queued ones (their data is durable elsewhere),
 * join. Idempotent. Must not be called from a job. */
void wh_pool_stop(wh_pool *p);
void wh_pool_free(wh_pool *p); /* stops first if needed; NULL is fine */

#endif
