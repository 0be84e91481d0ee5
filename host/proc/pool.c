#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

#include <walor/types.h>

#include "error.h"
#include "i64map.h"
#include "log.h"

typedef struct job {
    struct job *next;
    wh_job_fn fn;
    wh_drop_fn drop;
    void *arg;
} job;

/* One per key with work. Lives only while the key has queued or running
 * jobs, so the map holds active chats, not every chat ever seen. */
typedef struct keyq {
    int64_t key;
    job *head, *tail;
    int running;          /* a job of this key is on a worker now */
    struct keyq *next_ready;
} keyq;

typedef struct worker {
    wh_pool *pool;
    pthread_t thread;
    int idx;
    int started;          /* thread created (needs join) */
} worker;

struct wh_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;  /* a key became ready, or stopping */
    pthread_cond_t boot;  /* a worker finished init */
    wh_i64map keys;
    keyq *ready_head, *ready_tail; /* keys with a job and none running */
    size_t queued;
    int stopping;
    int stopped;
    int booted, boot_failed;
    int (*init)(int, void **, void *);
    void (*fini)(void *, void *);
    void *ud;
    int nworkers;
    worker *workers;
};

static void ready_push(wh_pool *p, keyq *q)
{
    q->next_ready = NULL;
    if (p->ready_tail)
        p->ready_tail->next_ready = q;
    else
        p->ready_head = q;
    p->ready_tail = q;
}

static keyq *ready_pop(wh_pool *p)
{
    keyq *q = p->ready_head;
    if (q) {
        p->ready_head = q->next_ready;
        if (!p->ready_head)
            p->ready_tail = NULL;
    }
    return q;
}

static void *worker_main(void *argp)
{
    worker *w = argp;
    wh_pool *p = w->pool;
    void *state = NULL;
    int rc = p->init ? p->init(w->idx, &state, p->ud) : 0;

    pthread_mutex_lock(&p->mu);
    p->booted++;
    if (rc != 0)
        p->boot_failed = 1;
    pthread_cond_broadcast(&p->boot);
    pthread_mutex_unlock(&p->mu);
    if (rc != 0)
        return NULL;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        keyq *q;
        while (!p->stopping && !(q = ready_pop(p)))
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stopping)
            break;
        job *j = q->head;
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        q->running = 1;
        pthread_mutex_unlock(&p->mu);

        j->fn(state, j->arg);
        free(j);

        pthread_mutex_lock(&p->mu);
        q->running = 0;
        p->queued--;
        if (q->head) {
            /* back of the line: one job per turn is what keeps it fair */
            ready_push(p, q);
            pthread_cond_signal(&p->work);
        } else {
            wh_i64map_del(&p->keys, q->key);
            free(q);
        }
    }
    pthread_mutex_unlock(&p->mu);
    if (p->fini)
        p->fini(state, p->ud);
    return NULL;
}

static void join_all(wh_pool *p)
{
    for (int i = 0; i < p->nworkers; i++)
        if (p->workers[i].started) {
            pthread_join(p->workers[i].thread, NULL);
            p->workers[i].started = 0;
        }
}

wh_pool *wh_pool_create(int nworkers, int (*init)(int idx, void **state, void *ud),
                        void (*fini)(void *state, void *ud), void *ud)
{
    if (nworkers < 1) {
        wh_error(WALOR_EINVAL, "pool: %d workers", nworkers);
        return NULL;
    }
    wh_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->workers = calloc((size_t)nworkers, sizeof *p->workers);
    if (!p->workers) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->boot, NULL);
    wh_i64map_init(&p->keys);
    p->init = init;
    p->fini = fini;
    p->ud = ud;
    p->nworkers = nworkers;

    int created = 0;
    for (int i = 0; i < nworkers; i++) {
        worker *w = &p->workers[i];
        w->pool = p;
        w->idx = i;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
            break;
        w->started = 1;
        created++;
    }
    pthread_mutex_lock(&p->mu);
    while (p->booted < created)
        pthread_cond_wait(&p->boot, &p->mu);
    int failed = p->boot_failed || created < nworkers;
    pthread_mutex_unlock(&p->mu);
    if (failed) {
        wh_err("pool: a worker failed to start (%d of %d threads created)", created, nworkers);
        wh_pool_free(p);
        return NULL;
    }
    return p;
}

int wh_pool_submit(wh_pool *p, int64_t key, wh_job_fn fn, void *arg, wh_drop_fn drop)
{
    if (!fn)
        return wh_error(WALOR_EINVAL, "pool: no job function");
    job *j = malloc(sizeof *j);
    if (!j)
        return wh_error(WALOR_ENOMEM, "pool: out of memory");
    j->next = NULL;
    j->fn = fn;
    j->drop = drop;
    j->arg = arg;

    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        free(j);
        return wh_error(WALOR_EBUSY, "pool: shutting down");
    }
    keyq *q = wh_i64map_get(&p->keys, key);
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q || wh_i64map_put(&p->keys, key, q) != 0) {
            pthread_mutex_unlock(&p->mu);
            free(q);
            free(j);
            return wh_error(WALOR_ENOMEM, "pool: out of memory");
        }
        q->key = key;
    }
    int was_idle = !q->head && !q->running;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    p->queued++;
    if (was_idle) {
        ready_push(p, q);
        pthread_cond_signal(&p->work);
    }
    pthread_mutex_unlock(&p->mu);
    return 0;
}

size_t wh_pool_queued(wh_pool *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->queued;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void wh_pool_stop(wh_pool *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->stopped) {
        pthread_mutex_unlock(&p->mu);
        return;
    }
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);

    join_all(p);

    /* workers are gone: the queues are ours alone now */
    size_t dropped = 0;
    for (size_t i = 0; i < p->keys.cap; i++) {
        keyq *q = p->keys.slots[i].val;
        if (!q)
            continue;
        for (job *j = q->head, *next; j; j = next) {
            next = j->next;
            if (j->drop)
                j->drop(j->arg);
            free(j);
            dropped++;
        }
        free(q);
    }
    wh_i64map_free(&p->keys);
    p->ready_head = p->ready_tail = NULL;
    p->queued = 0;
    p->stopped = 1;
    if (dropped)
        wh_info("pool: stopped, %zu queued jobs left for the next start", dropped);
}

void wh_pool_free(wh_pool *p)
{
    if (!p)
        return;
    wh_pool_stop(p);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->boot);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
}
