/* Services (host/plugin/svc.c): version checks and refusal chains at resolve time;
 * events (host/sched/events.c): what walor_event_emit() stores and refuses. The
 * delivery itself (worker pool, retries, crashes) is covered end to end by
 * tests/e2e/test_host_events.py.
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <time.h>

#include <uv.h>

#include "api_slots.h"
#include "ctx.h"
#include "db.h"
#include "host.h"
#include "pool.h"
#include "registry.h"
#include "scheduler.h"
#include "storage.h"
#include "svc.h"

#include <sqlite3.h>
#include <stdatomic.h>

typedef struct table {
    uint32_t struct_size;
    int (*f)(void);
} table;

static int forty_two(void) { return 42; }

static wh_plugin *plugin(const char *name)
{
    wh_plugin *p = wh_plugin_new(name, NULL, NULL, NULL);
    p->loading = 1;
    return p;
}

static void test_services_resolve(void **state)
{
    (void)state;
    const walor_host_api *api = wh_api();
    static const table stock14 = {sizeof stock14, forty_two};
    static const table stock20 = {sizeof stock20, forty_two};
    static const table cart = {sizeof cart, forty_two};
    static const uint32_t tiny = 2;

    wh_plugin *wh = plugin("warehouse");
    assert_int_equal(api->service_provide(wh, "stock", 1, 4, &stock14), 0);
    assert_int_equal(api->service_provide(wh, "stock", 2, 0, &stock20), 0); /* a new major next to the old */
    assert_int_equal(api->service_provide(wh, "stock", 1, 5, &stock14), WALOR_EEXIST);
    assert_int_equal(api->service_provide(wh, "Stock", 1, 0, &stock14), WALOR_EINVAL);
    assert_int_equal(api->service_provide(wh, "tiny", 1, 0, &tiny), WALOR_EINVAL); /* struct_size < 4 */
    assert_int_equal(api->service_provide(wh, "none", 1, 0, NULL), WALOR_EINVAL);

    wh_plugin *ok = plugin("orders");
    assert_int_equal(api->service_require(ok, "stock", 1, 2), 0);
    wh_plugin *newer = plugin("catalog");      /* wants a minor nobody has, and provides cart */
    assert_int_equal(api->service_require(newer, "stock", 1, 5), 0);
    assert_int_equal(api->service_provide(newer, "cart", 1, 0, &cart), 0);
    wh_plugin *chain = plugin("checkout");     /* needs cart: goes down with catalog */
    assert_int_equal(api->service_require(chain, "cart", 1, 0), 0);
    wh_plugin *major = plugin("pay");
    assert_int_equal(api->service_require(major, "stock", 3, 0), 0);

    for (size_t i = 0; i < wh_reg.plugins.n; i++)
        wh_reg.plugins.v[i]->loading = 0;
    /* registration is over */
    assert_int_equal(api->service_require(ok, "stock", 1, 0), WALOR_EPHASE);
    assert_int_equal(api->service_provide(ok, "x", 1, 0, &cart), WALOR_EPHASE);

    /* before resolve the cart table is still there */
    assert_non_null(api->service_get(ok, "cart", 1, NULL));
    assert_int_equal(wh_services_resolve(), 0);
    assert_false(wh->dead);
    assert_false(ok->dead);
    assert_true(newer->dead);
    assert_true(chain->dead);
    assert_true(major->dead);

    uint32_t minor = 99;
    const table *t = api->service_get(ok, "stock", 1, &minor);
    assert_ptr_equal(t, &stock14);
    assert_int_equal(minor, 4);
    assert_int_equal(t->f(), 42);
    assert_ptr_equal(api->service_get(NULL, "stock", 2, &minor), &stock20);
    assert_int_equal(minor, 0);
    assert_null(api->service_get(ok, "cart", 1, &minor)); /* its provider was refused */
    assert_null(api->service_get(ok, "stock", 7, NULL));
}

static char path[64];

static int64_t count(wh_db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(wh_db_int(db, sql, NULL, 0, &n), 0);
    return n;
}

/* the test database's files, once every connection to it is closed */
static void remove_db_files(void)
{
    char p2[80];
    unlink(path);
    snprintf(p2, sizeof p2, "%s-wal", path);
    unlink(p2);
    snprintf(p2, sizeof p2, "%s-shm", path);
    unlink(p2);
}

static int32_t on_event(walor_ctx *c, const char *event, json_t *payload)
{
    (void)c;
    (void)event;
    (void)payload;
    return 0;
}

static void test_emit(void **state)
{
    (void)state;
    const walor_host_api *api = wh_api();
    snprintf(path, sizeof path, "/tmp/walor-test-events-%d.db", (int)getpid());
    unlink(path);
    char err[256];
    wh_db *db = wh_db_open(path, err, sizeof err);
    assert_non_null(db);

    wh_plugin *sub = plugin("crm");
    assert_int_equal(api->reg_subscribe(sub, "order.paid", on_event), 0);
    assert_int_equal(api->reg_subscribe(sub, "order.paid", on_event), WALOR_EEXIST);
    assert_int_equal(api->reg_subscribe(sub, "Order.Paid", on_event), WALOR_EINVAL);
    assert_int_equal(api->reg_subscribe(sub, "order.paid.x", NULL), WALOR_EINVAL);
    wh_plugin *gone = plugin("loyalty");
    assert_int_equal(api->reg_subscribe(gone, "order.paid", on_event), 0);
    sub->loading = gone->loading = 0;
    gone->dead = 1;
    assert_int_equal(api->reg_subscribe(sub, "order.created", on_event), WALOR_EPHASE);

    uv_loop_t loop;
    uv_loop_init(&loop);
    assert_int_equal(wh_events_start(&loop, db), 0);

    wh_worker w = {.db = db};
    wh_arena_init(&w.arena);
    walor_ctx c;
    wh_ctx_init(&c, &w);

    /* on its own: committed at once, "v" added */
    json_t *p = json_pack("{s:i}", "order", 7);
    assert_int_equal(api->event_emit(&c, "order.paid", "order:7", p), 0);
    assert_int_equal(json_object_size(p), 1); /* the caller's object is not touched */
    json_decref(p);
    wh_rows *r = NULL;
    assert_int_equal(wh_db_query(db, "SELECT event, aggregate, payload FROM wh_events", NULL, 0, &r), 0);
    assert_int_equal(wh_rows_next(r), 1);
    assert_string_equal(wh_rows_text(r, 0), "order.paid");
    assert_string_equal(wh_rows_text(r, 1), "order:7");
    json_t *stored = json_loads(wh_rows_text(r, 2), 0, NULL);
    wh_rows_close(r);
    assert_int_equal(json_integer_value(json_object_get(stored, "v")), 1);
    assert_int_equal(json_integer_value(json_object_get(stored, "order")), 7);
    json_decref(stored);
    /* one delivery row, for the live subscriber only */
    assert_int_equal(count(db, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = 'crm' AND "
                               "aggregate = 'order:7' AND delivered_at IS NULL"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM wh_event_deliveries"), 1);

    /* nobody listens: stored, nothing to deliver; NULL payload and aggregate */
    assert_int_equal(api->event_emit(&c, "stock.changed", NULL, NULL), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM wh_events WHERE aggregate = '' AND payload = '{\"v\":1}'"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM wh_event_deliveries"), 1);

    /* refused */
    json_t *arr = json_array();
    json_t *badv = json_pack("{s:s}", "v", "2");
    assert_int_equal(api->event_emit(&c, "order.paid", "x", arr), WALOR_EINVAL);
    assert_int_equal(api->event_emit(&c, "order.paid", "x", badv), WALOR_EINVAL);
    assert_int_equal(api->event_emit(&c, "", "x", NULL), WALOR_EINVAL);
    assert_int_equal(api->event_emit(&c, "order-paid", "x", NULL), WALOR_EINVAL);
    char longname[70];
    memset(longname, 'a', 65);
    longname[65] = '\0';
    assert_int_equal(api->event_emit(&c, longname, "x", NULL), WALOR_EINVAL);
    json_decref(arr);
    json_decref(badv);

    /* in the caller's transaction: gone with its rollback, kept with its commit */
    json_t *v2 = json_pack("{s:i}", "v", 2);
    assert_int_equal(api->tx_begin(&c), 0);
    assert_int_equal(api->event_emit(&c, "order.paid", "order:8", v2), 0);
    assert_true(c.emitted);
    assert_int_equal(api->tx_rollback(&c), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM wh_events WHERE aggregate = 'order:8'"), 0);
    assert_int_equal(api->tx_begin(&c), 0);
    assert_int_equal(api->event_emit(&c, "order.paid", "order:9", v2), 0);
    assert_int_equal(api->tx_commit(&c), 0);
    assert_false(c.emitted);
    assert_int_equal(count(db, "SELECT count(*) FROM wh_events WHERE aggregate = 'order:9' AND "
                               "payload = '{\"v\":2}'"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM wh_event_deliveries WHERE aggregate = 'order:9'"), 1);
    json_decref(v2);

    wh_ctx_finish(&c);
    wh_arena_free(&w.arena);
    wh_events_stop();
    uv_run(&loop, UV_RUN_DEFAULT); /* closes the handles */
    assert_int_equal(uv_loop_close(&loop), 0);
    wh_db_close(db);
    remove_db_files();
}

/* ---- delivery: give up after 8 attempts, and hold the aggregate until then ---- */

static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static int seen[64];
static size_t nseen;

static int32_t always_fails(walor_ctx *c, const char *event, json_t *payload)
{
    (void)c;
    (void)event;
    pthread_mutex_lock(&seen_mu);
    if (nseen < 64)
        seen[nseen++] = (int)json_integer_value(json_object_get(payload, "n"));
    pthread_mutex_unlock(&seen_mu);
    return WALOR_EDB;
}

static int worker_init(int idx, void **state, void *ud)
{
    (void)ud;
    wh_worker *w = calloc(1, sizeof *w);
    char err[256];
    w->idx = idx;
    w->db = wh_db_open(path, err, sizeof err);
    wh_arena_init(&w->arena);
    *state = w;
    return w->db ? 0 : -1;
}

static void worker_fini(void *state, void *ud)
{
    (void)ud;
    wh_worker *w = state;
    wh_arena_free(&w->arena);
    wh_db_close(w->db);
    free(w);
}

/* A delivery bench: a database, one subscriber, a loop and a pool of two
 * workers, and the caller's own connection to emit with. */
typedef struct bench {
    uv_loop_t loop;
    wh_db *db;
    wh_worker w;
} bench;

static void bench_up(bench *b, const char *tag, const char *plugin_name, const char *event, walor_event_fn fn)
{
    snprintf(path, sizeof path, "/tmp/walor-test-%s-%d.db", tag, (int)getpid());
    unlink(path);
    char err[256];
    b->db = wh_db_open(path, err, sizeof err);
    assert_non_null(b->db);
    wh_plugin *p = plugin(plugin_name);
    assert_int_equal(wh_api()->reg_subscribe(p, event, fn), 0);
    p->loading = 0;
    uv_loop_init(&b->loop);
    wh_g.pool = wh_pool_create(2, worker_init, worker_fini, NULL);
    assert_non_null(wh_g.pool);
    assert_int_equal(wh_events_start(&b->loop, b->db), 0);
    b->w = (wh_worker){.db = b->db};
    wh_arena_init(&b->w.arena);
}

static void bench_emit(bench *b, const char *event, json_t *payload)
{
    walor_ctx c;
    wh_ctx_init(&c, &b->w);
    assert_int_equal(wh_api()->event_emit(&c, event, "agg", payload), 0);
    json_decref(payload);
    wh_ctx_finish(&c);
}

/* one turn of the loop, a kick, and 5 ms for the workers; the host clock moves by advance_s */
static void bench_turn(bench *b, int64_t advance_s)
{
    uv_run(&b->loop, UV_RUN_NOWAIT);
    wh_g.clock_offset += advance_s;
    wh_events_kick();
    struct timespec ts = {0, 5 * 1000000L};
    nanosleep(&ts, NULL);
}

static void bench_down(bench *b)
{
    wh_events_stop();
    wh_pool_free(wh_g.pool);
    wh_g.pool = NULL;
    uv_run(&b->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&b->loop), 0);
    wh_arena_free(&b->w.arena);
    wh_db_close(b->db);
    remove_db_files();
}

static void test_give_up(void **state)
{
    (void)state;
    bench b;
    bench_up(&b, "events2", "flaky", "x.happened", always_fails);
    for (int n = 1; n <= 2; n++)
        bench_emit(&b, "x.happened", json_pack("{s:i, s:i}", "v", 1, "n", n));

    /* move the host clock past each backoff instead of waiting for it */
    int64_t done = 0;
    for (int i = 0; i < 800 && done < 2; i++) {
        bench_turn(&b, 61);
        assert_int_equal(wh_db_int(b.db, "SELECT count(*) FROM wh_event_deliveries WHERE failed_at IS NOT NULL",
                                   NULL, 0, &done), 0);
    }
    assert_int_equal(done, 2);

    /* 8 attempts of the first, and only then 8 of the second (same aggregate) */
    assert_int_equal(nseen, 16);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(seen[i], i < 8 ? 1 : 2);
    assert_int_equal(count(b.db, "SELECT count(*) FROM wh_event_deliveries WHERE attempts = 8 AND "
                                 "delivered_at IS NULL AND last_error LIKE '%database error%'"),
                     2);
    bench_down(&b);
}

/* ---- delivery while the database cannot be written ---- */

static _Atomic int storage_broken = 1, calls;

/* fails as a subscriber does when its write meets a full disk (db.c would
 * have told the storage module); succeeds once the disk has room */
static int32_t needs_disk(walor_ctx *c, const char *event, json_t *payload)
{
    (void)c;
    (void)event;
    (void)payload;
    atomic_fetch_add(&calls, 1);
    if (atomic_load(&storage_broken)) {
        wh_storage_note(SQLITE_FULL, 0, "database or disk is full");
        return WALOR_EDB;
    }
    return 0;
}

static void test_storage_failure_is_not_an_attempt(void **state)
{
    (void)state;
    bench b;
    wh_storage_clear();
    bench_up(&b, "events3", "disky", "y.happened", needs_disk);
    bench_emit(&b, "y.happened", json_pack("{s:i}", "v", 1));

    /* the first try meets the full disk: the storage is down, nothing counted */
    for (int i = 0; i < 400 && wh_storage_ok(); i++)
        bench_turn(&b, 0);
    assert_false(wh_storage_ok());
    /* while it is down, time passes and kicks come: no delivery is tried */
    int tried = atomic_load(&calls);
    for (int i = 0; i < 20; i++)
        bench_turn(&b, 61);
    assert_int_equal(atomic_load(&calls), tried);
    assert_int_equal(count(b.db, "SELECT count(*) FROM wh_event_deliveries WHERE attempts = 0 AND last_error IS NULL "
                                 "AND delivered_at IS NULL AND failed_at IS NULL"),
                     1);

    /* room again (the watcher's job): delivered once, as its first attempt */
    atomic_store(&storage_broken, 0);
    wh_storage_clear();
    int64_t delivered = 0;
    for (int i = 0; i < 400 && !delivered; i++) {
        bench_turn(&b, 0);
        assert_int_equal(wh_db_int(b.db, "SELECT count(*) FROM wh_event_deliveries WHERE delivered_at IS NOT NULL",
                                   NULL, 0, &delivered), 0);
    }
    assert_int_equal(delivered, 1);
    assert_int_equal(count(b.db, "SELECT attempts FROM wh_event_deliveries"), 1);
    bench_down(&b);
}

static int teardown_registry(void **state)
{
    (void)state;
    wh_registry_free();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_services_resolve),
        cmocka_unit_test(test_emit),
        cmocka_unit_test(test_give_up),
        cmocka_unit_test(test_storage_failure_is_not_an_attempt),
    };
    wh_reg.api = wh_api(); /* what walord's main() does before anything registers */
    return cmocka_run_group_tests(tests, NULL, teardown_registry);
}
