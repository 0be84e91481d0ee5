/* Worker pool (host/proc/pool.c): per-key order, parallel keys, fairness, stop.
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool.h"

#define NKEYS 50
#define NJOBS 200

typedef struct order_state {
    _Atomic int next[NKEYS];     /* the sequence number each key expects next */
    _Atomic int running[NKEYS];  /* jobs of the key on a worker right now */
    _Atomic int bad;
    _Atomic int done;
} order_state;

typedef struct order_job {
    order_state *st;
    int key, seq;
} order_job;

static void order_run(void *ws, void *arg)
{
    order_job *j = arg;
    assert_non_null(ws);
    if (atomic_fetch_add(&j->st->running[j->key], 1) != 0)
        atomic_fetch_add(&j->st->bad, 1);
    if (atomic_load(&j->st->next[j->key]) != j->seq)
        atomic_fetch_add(&j->st->bad, 1);
    atomic_store(&j->st->next[j->key], j->seq + 1);
    atomic_fetch_sub(&j->st->running[j->key], 1);
    atomic_fetch_add(&j->st->done, 1);
    free(j);
}

static _Atomic int inits, finis;

static int w_init(int idx, void **state, void *ud)
{
    (void)ud;
    int *s = malloc(sizeof *s);
    *s = idx;
    *state = s;
    atomic_fetch_add(&inits, 1);
    return 0;
}

static void w_fini(void *state, void *ud)
{
    (void)ud;
    free(state);
    atomic_fetch_add(&finis, 1);
}

typedef struct submitter {
    wh_pool *p;
    order_state *st;
    int first_key; /* each thread owns every 5th key, so per-key order is its submit order */
} submitter;

static void *submit_main(void *arg)
{
    submitter *s = arg;
    for (int seq = 0; seq < NJOBS; seq++)
        for (int k = s->first_key; k < NKEYS; k += 5) {
            order_job *j = malloc(sizeof *j);
            j->st = s->st;
            j->key = k;
            j->seq = seq;
            assert_int_equal(wh_pool_submit(s->p, k * 7919 - 100000, order_run, j, free), 0);
        }
    return NULL;
}

static void test_per_key_order(void **state)
{
    (void)state;
    atomic_store(&inits, 0);
    atomic_store(&finis, 0);
    order_state *st = calloc(1, sizeof *st);
    wh_pool *p = wh_pool_create(8, w_init, w_fini, NULL);
    assert_non_null(p);
    assert_int_equal(atomic_load(&inits), 8);
    pthread_t th[5];
    submitter subs[5];
    for (int i = 0; i < 5; i++) {
        subs[i] = (submitter){p, st, i};
        pthread_create(&th[i], NULL, submit_main, &subs[i]);
    }
    for (int i = 0; i < 5; i++)
        pthread_join(th[i], NULL);
    while (wh_pool_queued(p) > 0)
        usleep(1000);
    assert_int_equal(atomic_load(&st->done), NKEYS * NJOBS);
    assert_int_equal(atomic_load(&st->bad), 0);
    for (int k = 0; k < NKEYS; k++)
        assert_int_equal(atomic_load(&st->next[k]), NJOBS);
    wh_pool_free(p);
    assert_int_equal(atomic_load(&finis), 8);
    free(st);
}

/* ---- fairness: one worker, a key with many jobs queued first, then another key */

typedef struct fair_state {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int gate_open;
    int started; /* gated jobs that reached the gate */
    int log[64];
    int n;
} fair_state;

typedef struct fair_job {
    fair_state *st;
    int key;
    int gate; /* blocks until the test has queued everything */
} fair_job;

static void fair_run(void *ws, void *arg)
{
    (void)ws;
    fair_job *j = arg;
    pthread_mutex_lock(&j->st->mu);
    if (j->gate) {
        j->st->started++;
        pthread_cond_broadcast(&j->st->cv);
    }
    while (j->gate && !j->st->gate_open)
        pthread_cond_wait(&j->st->cv, &j->st->mu);
    if (j->st->n < 64)
        j->st->log[j->st->n++] = j->key;
    pthread_mutex_unlock(&j->st->mu);
    free(j);
}

static void submit_fair(wh_pool *p, fair_state *st, int key, int gate)
{
    fair_job *j = malloc(sizeof *j);
    *j = (fair_job){st, key, gate};
    assert_int_equal(wh_pool_submit(p, key, fair_run, j, free), 0);
}

static void test_round_robin(void **state)
{
    (void)state;
    fair_state st = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    wh_pool *p = wh_pool_create(1, NULL, NULL, NULL);
    assert_non_null(p);
    submit_fair(p, &st, 99, 1); /* holds the only worker */
    for (int i = 0; i < 10; i++)
        submit_fair(p, &st, 1, 0);
    submit_fair(p, &st, 2, 0);
    submit_fair(p, &st, 3, 0);
    pthread_mutex_lock(&st.mu);
    st.gate_open = 1;
    pthread_cond_broadcast(&st.cv);
    pthread_mutex_unlock(&st.mu);
    while (wh_pool_queued(p) > 0)
        usleep(1000);
    assert_int_equal(st.n, 13);
    /* key 1 had ten queued first, yet 2 and 3 run after its first one */
    assert_int_equal(st.log[0], 99);
    assert_int_equal(st.log[1], 1);
    assert_int_equal(st.log[2], 2);
    assert_int_equal(st.log[3], 3);
    for (int i = 4; i < 13; i++)
        assert_int_equal(st.log[i], 1);
    wh_pool_free(p);
}

/* ---- stop: the running job finishes, queued ones are dropped */

static _Atomic int ran, dropped;

static void slow_run(void *ws, void *arg)
{
    (void)ws;
    fair_job *j = arg;
    fair_run(ws, j);
    atomic_fetch_add(&ran, 1);
}

static void count_drop(void *arg)
{
    free(arg);
    atomic_fetch_add(&dropped, 1);
}

typedef struct stopper {
    wh_pool *p;
} stopper;

static void *stop_main(void *arg)
{
    wh_pool_stop(((stopper *)arg)->p);
    return NULL;
}

static void test_stop_drops_queued(void **state)
{
    (void)state;
    atomic_store(&ran, 0);
    atomic_store(&dropped, 0);
    fair_state st = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    wh_pool *p = wh_pool_create(2, NULL, NULL, NULL);
    assert_non_null(p);
    /* two gated jobs occupy both workers; the rest must wait */
    for (int k = 1; k <= 2; k++) {
        fair_job *j = malloc(sizeof *j);
        *j = (fair_job){&st, k, 1};
        assert_int_equal(wh_pool_submit(p, k, slow_run, j, count_drop), 0);
    }
    for (int i = 0; i < 30; i++) {
        fair_job *j = malloc(sizeof *j);
        *j = (fair_job){&st, i % 3 + 1, 0};
        assert_int_equal(wh_pool_submit(p, i % 3 + 1, slow_run, j, count_drop), 0);
    }
    assert_int_equal(wh_pool_queued(p), 32);
    /* wait until both gated jobs are on a worker: then stop cannot drop them */
    pthread_mutex_lock(&st.mu);
    while (st.started < 2)
        pthread_cond_wait(&st.cv, &st.mu);
    pthread_mutex_unlock(&st.mu);
    stopper s = {p};
    pthread_t th;
    pthread_create(&th, NULL, stop_main, &s);
    /* submissions after stop began are refused and leave the arg to us */
    int accepted = 0;
    for (;;) {
        fair_job *j = malloc(sizeof *j);
        *j = (fair_job){&st, 5, 0};
        if (wh_pool_submit(p, 5, slow_run, j, count_drop) != 0) {
            free(j);
            break;
        }
        accepted++;
        usleep(100);
    }
    pthread_mutex_lock(&st.mu);
    st.gate_open = 1;
    pthread_cond_broadcast(&st.cv);
    pthread_mutex_unlock(&st.mu);
    pthread_join(th, NULL);
    assert_int_equal(wh_pool_queued(p), 0);
    /* every job either ran or was dropped, exactly once */
    assert_int_equal(atomic_load(&ran) + atomic_load(&dropped), 32 + accepted);
    assert_int_equal(atomic_load(&ran), 2);
    wh_pool_free(p);
}

static int fail_third(int idx, void **state, void *ud)
{
    (void)ud;
    *state = NULL;
    atomic_fetch_add(&inits, 1);
    return idx == 2 ? -1 : 0;
}

static void count_fini(void *state, void *ud)
{
    (void)state;
    (void)ud;
    atomic_fetch_add(&finis, 1);
}

static void test_init_failure(void **state)
{
    (void)state;
    atomic_store(&inits, 0);
    atomic_store(&finis, 0);
    assert_null(wh_pool_create(4, fail_third, count_fini, NULL));
    assert_int_equal(atomic_load(&inits), 4);
    assert_int_equal(atomic_load(&finis), 3); /* those that started are finished */
    assert_null(wh_pool_create(0, NULL, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_key_order),
        cmocka_unit_test(test_round_robin),
        cmocka_unit_test(test_stop_drops_queued),
        cmocka_unit_test(test_init_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
