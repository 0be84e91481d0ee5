/* Asynchronous HTTP for plugins (host/http/httpa.c, SDK 1.3) against a tiny
 * server in this process (libmicrohttpd, a thread per connection): streamed
 * pieces and the end come back on pool workers, in order with the chat's
 * other jobs, while no worker waits for the network; cancel, both timeouts,
 * the size limit, error bodies, stop. The loop runs on its own thread, as
 * in walord. Checks order and outcomes, never durations: the waits only
 * bound how long a broken build hangs.
 * Features: F-SUP-01 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "api_slots.h"
#include "ctx.h"
#include "db.h"
#include "host.h"
#include "log.h"
#include "pool.h"
#include "registry.h"
#include "httpc.h"

/* main.c is not part of walorcore */
int wh_host_accept_updates(struct wh_db *db, json_t *updates)
{
    (void)db;
    (void)updates;
    return 0;
}
void wh_clock_advance(int64_t seconds) { (void)seconds; }

/* ------------------------------------------------------------ the server */

static struct MHD_Daemon *srv;
static int port;
static _Atomic int release;     /* /hang and /slow stop holding their connection */

typedef struct gen {
    int n, i, ms;
    int hang;                   /* write nothing until release */
} gen;

static ssize_t gen_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    gen *g = cls;
    if (g->hang) {
        while (!atomic_load(&release))
            usleep(2000);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (g->i >= g->n)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (g->ms) {
        for (int t = 0; t < g->ms && !atomic_load(&release); t++)
            usleep(1000);
    }
    int k = snprintf(buf, max, "data: %d\n\n", g->i++);
    return k;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body, const char *hname,
                             const char *hval)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (hname)
        MHD_add_response_header(r, hname, hval);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)method;
    (void)version;
    (void)upload;
    if (!*con_cls) { /* two-phase: see LIBRARIES.md */
        *con_cls = (void *)1;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strcmp(url, "/plain"))
        return reply(c, 200, "hello", NULL, NULL);
    if (!strcmp(url, "/limited"))
        return reply(c, 429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "7");
    if (!strcmp(url, "/big")) {
        static char big[64 * 1024];
        memset(big, 'x', sizeof big - 1);
        return reply(c, 200, big, NULL, NULL);
    }
    gen *g = calloc(1, sizeof *g);
    if (!strcmp(url, "/stream"))
        g->n = 20;
    else if (!strcmp(url, "/slow"))
        g->n = 1000, g->ms = 50;
    else if (!strcmp(url, "/hang"))
        g->hang = 1;
    else {
        free(g);
        return reply(c, 404, "no", NULL, NULL);
    }
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, gen_read, g, free);
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* ------------------------------------------------------------ loop, pool, plugin */

static uv_loop_t loop;
static uv_async_t stopper;
static pthread_t loop_thread;
static wh_plugin *plug;
static char dbpath[64];

static void on_stop(uv_async_t *a)
{
    wh_httpa_stop();
    uv_close((uv_handle_t *)a, NULL);
}

static void *loop_main(void *arg)
{
    (void)arg;
    uv_run(&loop, UV_RUN_DEFAULT);
    return NULL;
}

static int w_init(int idx, void **state, void *ud)
{
    (void)ud;
    wh_worker *w = calloc(1, sizeof *w);
    char err[128];
    w->idx = idx;
    w->db = wh_db_open(dbpath, err, sizeof err);
    wh_arena_init(&w->arena);
    *state = w;
    return w->db ? 0 : -1;
}

static void w_fini(void *state, void *ud)
{
    (void)ud;
    wh_worker *w = state;
    wh_arena_free(&w->arena);
    wh_db_close(w->db);
    free(w);
}

/* ------------------------------------------------------------ what the callbacks see */

typedef struct rec {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char data[8192];
    size_t len;
    int chunks, done, rc, status, freed, stop_after;
    int after_done;              /* a chunk came after on_done: never */
    int on_loop;                 /* a callback ran on the loop thread: never */
    int64_t chat;
    char body[256], headers[1024], err[256];
} rec;

static void rec_init(rec *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
}

static _Atomic int key_busy, overlap;

static int32_t on_chunk(walor_ctx *c, void *ud, const char *data, size_t len)
{
    rec *r = ud;
    if (atomic_fetch_add(&key_busy, 1) != 0)
        atomic_store(&overlap, 1);
    pthread_mutex_lock(&r->mu);
    if (pthread_equal(pthread_self(), loop_thread))
        r->on_loop = 1;
    if (r->done)
        r->after_done = 1;
    if (r->len + len < sizeof r->data) {
        memcpy(r->data + r->len, data, len);
        r->len += len;
    }
    r->chunks++;
    r->chat = walor_chat_id(c);
    int stop = r->stop_after && r->chunks >= r->stop_after;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    atomic_fetch_sub(&key_busy, 1);
    return stop ? -1 : 0;
}

static int32_t on_done(walor_ctx *c, void *ud, int32_t rc, const walor_http_response *resp)
{
    rec *r = ud;
    pthread_mutex_lock(&r->mu);
    if (pthread_equal(pthread_self(), loop_thread))
        r->on_loop = 1;
    r->done++;
    r->rc = rc;
    r->status = resp->status;
    r->chat = walor_chat_id(c);
    snprintf(r->body, sizeof r->body, "%s", resp->body);
    snprintf(r->headers, sizeof r->headers, "%s", resp->headers);
    snprintf(r->err, sizeof r->err, "%s", rc ? walor_last_error(c) : "");
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return 0;
}

static void ud_free(void *ud)
{
    rec *r = ud;
    pthread_mutex_lock(&r->mu);
    r->freed++;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static int wait_rec(rec *r, int (*cond)(rec *), int secs)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += secs;
    pthread_mutex_lock(&r->mu);
    int ok;
    while (!(ok = cond(r)) && pthread_cond_timedwait(&r->cv, &r->mu, &dl) == 0)
        ;
    ok = cond(r);
    pthread_mutex_unlock(&r->mu);
    return ok;
}

static int is_done(rec *r) { return r->done > 0 || r->freed > 0; }
static int has_chunk(rec *r) { return r->chunks > 0; }

/* a ctx as a handler of chat 777 would have on this (test) thread */
static wh_worker tw;

static int32_t start(rec *r, const char *path, uint32_t flags, uint32_t timeout_ms, uint32_t idle_ms, uint64_t max,
                     uint64_t *id)
{
    walor_ctx c;
    wh_ctx_init(&c, &tw);
    c.plugin = plug;
    c.chat_id = c.user_id = 777;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s?key=SECRETQUERY", port, path);
    static const char *const hdrs[] = {"Authorization: Bearer SECRETKEY", NULL};
    walor_http_async rq = {.struct_size = sizeof rq, .flags = flags, .method = "POST", .url = url, .headers = hdrs,
                           .body = "{}", .body_len = 2, .max_response = max, .timeout_ms = timeout_ms,
                           .idle_timeout_ms = idle_ms, .on_chunk = on_chunk, .on_done = on_done,
                           .ud_free = ud_free, .ud = r};
    int32_t rc = walor_http_start(&c, &rq, id);
    wh_ctx_finish(&c);
    return rc;
}

/* ------------------------------------------------------------ tests */

static void test_stream_in_order_on_workers(void **state)
{
    (void)state;
    rec r;
    rec_init(&r);
    assert_int_equal(start(&r, "/stream", WALOR_HTTP_STREAM, 0, 0, 0, NULL), 0);
    assert_true(wait_rec(&r, is_done, 10));
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.on_loop, 0);
    assert_int_equal(r.after_done, 0);
    assert_int_equal(r.chat, 777);
    assert_true(r.chunks >= 1);
    char want[2048] = "";
    for (int i = 0; i < 20; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "data: %d\n\n", i);
    assert_int_equal(r.len, strlen(want));
    assert_memory_equal(r.data, want, r.len);
    assert_string_equal(r.body, ""); /* streamed, not collected */
    assert_non_null(strstr(r.headers, "text/event-stream"));
    assert_int_equal(r.freed, 0);
}

static void test_collect_without_stream_flag(void **state)
{
    (void)state;
    rec r;
    rec_init(&r);
    assert_int_equal(start(&r, "/plain", 0, 0, 0, 0, NULL), 0);
    assert_true(wait_rec(&r, is_done, 10));
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.chunks, 0);
    assert_string_equal(r.body, "hello");
}

static void test_error_body_is_collected(void **state)
{
    (void)state;
    rec r;
    rec_init(&r);
    assert_int_equal(start(&r, "/limited", WALOR_HTTP_STREAM, 0, 0, 0, NULL), 0);
    assert_true(wait_rec(&r, is_done, 10));
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.status, 429);
    assert_int_equal(r.chunks, 0); /* a 429's JSON is not a stream */
    assert_non_null(strstr(r.body, "slow down"));
    assert_non_null(strstr(r.headers, "Retry-After: 7"));
}

static void test_size_limit(void **state)
{
    (void)state;
    rec r;
    rec_init(&r);
    assert_int_equal(start(&r, "/big", 0, 0, 0, 1000, NULL), 0);
    assert_true(wait_rec(&r, is_done, 10));
    assert_int_equal(r.rc, WALOR_ELIMIT);
    rec s;
    rec_init(&s);
    assert_int_equal(start(&s, "/stream", WALOR_HTTP_STREAM, 0, 0, 40, NULL), 0);
    assert_true(wait_rec(&s, is_done, 10));
    assert_int_equal(s.rc, WALOR_ELIMIT);
    assert_true(s.len <= 40);
}

static void test_cancel(void **state)
{
    (void)state;
    rec r;
    rec_init(&r);
    uint64_t id = 0;
    assert_int_equal(start(&r, "/slow", WALOR_HTTP_STREAM, 0, 0, 0, &id), 0);
    assert_true(id > 0);
    assert_true(wait_rec(&r, has_chunk, 10));
    walor_ctx c;
    wh_ctx_init(&c, &tw);
    c.plugin = plug;
    assert_int_equal(walor_http_cancel(&c, id), 0);
    assert_true(wait_rec(&r, is_done, 10));
    assert_int_equal(r.rc, WALOR_ECANCELED);
    assert_int_equal(r.done, 1);
    assert_int_equal(walor_http_cancel(&c, id), WALOR_ENOTFOUND); /* finished */
    wh_ctx_finish(&c);
    assert_int_equal(r.after_done, 0);
}

static void test_chunk_callback_stops_it(void **state)
{
    (void)state;
    rec r;
    rec_init(&r);
    r.stop_after = 2;
    assert_int_equal(start(&r, "/slow", WALOR_HTTP_STREAM, 0, 0, 0, NULL), 0);
    assert_true(wait_rec(&r, is_done, 10));
    assert_int_equal(r.rc, WALOR_ECANCELED);
    assert_int_equal(r.chunks, 2);
}

static void test_timeouts(void **state)
{
    (void)state;
    rec idle;
    rec_init(&idle);
    assert_int_equal(start(&idle, "/hang", WALOR_HTTP_STREAM, 30000, 1000, 0, NULL), 0);
    rec whole;
    rec_init(&whole);
    assert_int_equal(start(&whole, "/slow", WALOR_HTTP_STREAM, 700, 0, 0, NULL), 0);
    assert_true(wait_rec(&idle, is_done, 15));
    assert_true(wait_rec(&whole, is_done, 15));
    assert_int_equal(idle.rc, WALOR_ETIMEDOUT);
    assert_non_null(strstr(idle.err, "idle"));
    assert_int_equal(whole.rc, WALOR_ETIMEDOUT);
    assert_non_null(strstr(whole.err, "timed out after 700 ms"));
    assert_true(whole.chunks > 0);
}

typedef struct blocker {
    _Atomic int ran;
    int64_t key;
} blocker;

static void other_job(void *ws, void *arg)
{
    (void)ws;
    blocker *b = arg;
    if (atomic_fetch_add(&key_busy, b->key == 777) != 0 && b->key == 777)
        atomic_store(&overlap, 1);
    usleep(20000);
    if (b->key == 777)
        atomic_fetch_sub(&key_busy, 1);
    atomic_store(&b->ran, 1);
}

/* The pool has 2 workers. 6 hanging streams are in flight, yet jobs of other
 * chats run; the chat's own jobs never overlap its callbacks. */
static void test_no_worker_waits(void **state)
{
    (void)state;
    rec r[6];
    for (int i = 0; i < 6; i++) {
        rec_init(&r[i]);
        assert_int_equal(start(&r[i], "/hang", WALOR_HTTP_STREAM, 30000, 0, 0, NULL), 0);
    }
    blocker other = {.key = 12345}, same = {.key = 777};
    assert_int_equal(wh_pool_submit(wh_g.pool, other.key, other_job, &other, NULL), 0);
    assert_int_equal(wh_pool_submit(wh_g.pool, same.key, other_job, &same, NULL), 0);
    for (int i = 0; i < 1000 && !(atomic_load(&other.ran) && atomic_load(&same.ran)); i++)
        usleep(10000);
    assert_true(atomic_load(&other.ran));
    assert_true(atomic_load(&same.ran));
    for (int i = 0; i < 6; i++)
        assert_int_equal(r[i].done, 0); /* still in flight while those ran */
    atomic_store(&release, 1);
    for (int i = 0; i < 6; i++) {
        assert_true(wait_rec(&r[i], is_done, 10));
        assert_int_equal(r[i].rc, 0);
    }
    atomic_store(&release, 0);
    assert_int_equal(atomic_load(&overlap), 0);
}

static void test_bad_requests(void **state)
{
    (void)state;
    walor_ctx c;
    wh_ctx_init(&c, &tw);
    c.plugin = plug;
    walor_http_async rq = {.struct_size = sizeof rq, .url = "ftp://x/", .on_done = on_done};
    assert_int_equal(walor_http_start(&c, &rq, NULL), WALOR_EINVAL);
    rq.url = "http://127.0.0.1:1/";
    rq.on_done = NULL;
    assert_int_equal(walor_http_start(&c, &rq, NULL), WALOR_EINVAL);
    rq.on_done = on_done;
    rq.flags = WALOR_HTTP_STREAM; /* without on_chunk */
    assert_int_equal(walor_http_start(&c, &rq, NULL), WALOR_EINVAL);
    rq.flags = 0x80;
    assert_int_equal(walor_http_start(&c, &rq, NULL), WALOR_EINVAL);
    static const char *const bad[] = {"X: a\r\nY: b", NULL};
    rq.flags = 0;
    rq.headers = bad;
    assert_int_equal(walor_http_start(&c, &rq, NULL), WALOR_EINVAL);
    rq.struct_size = 8;
    assert_int_equal(walor_http_start(&c, &rq, NULL), WALOR_EINVAL);
    assert_int_equal(walor_http_cancel(&c, 999999), WALOR_ENOTFOUND);
    wh_ctx_finish(&c);

    /* a refused port: the request starts and ends with ENET */
    rec r;
    rec_init(&r);
    wh_ctx_init(&c, &tw);
    c.plugin = plug;
    walor_http_async rq2 = {.struct_size = sizeof rq2, .url = "http://127.0.0.1:1/x", .on_done = on_done, .ud = &r};
    assert_int_equal(walor_http_start(&c, &rq2, NULL), 0);
    wh_ctx_finish(&c);
    assert_true(wait_rec(&r, is_done, 10));
    assert_int_equal(r.rc, WALOR_ENET);
}

/* last: stopping ends what is in flight (on_done or ud_free, once) and
 * refuses new requests; nothing secret reached the log */
static void test_stop(void **state)
{
    (void)state;
    rec r;
    rec_init(&r);
    assert_int_equal(start(&r, "/hang", WALOR_HTTP_STREAM, 30000, 0, 0, NULL), 0);
    usleep(100000);
    uv_async_send(&stopper);
    assert_true(wait_rec(&r, is_done, 10));
    assert_int_equal(r.done + r.freed, 1);
    if (r.done)
        assert_int_equal(r.rc, WALOR_ECANCELED);
    rec late;
    rec_init(&late);
    assert_int_equal(start(&late, "/plain", 0, 0, 0, 0, NULL), WALOR_EBUSY);
    pthread_join(loop_thread, NULL);
    atomic_store(&release, 1);

    wh_log_close();
    FILE *f = fopen("test_httpa.log", "r");
    assert_non_null(f);
    char line[1024];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        assert_null(strstr(line, "SECRET"));
    }
    fclose(f);
    assert_true(lines > 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/walor-httpa-%d.db", (int)getpid());
    unlink("test_httpa.log");
    wh_log_set_level(WALOR_LOG_DEBUG);
    assert_int_equal(wh_log_open_file("test_httpa.log"), 0);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    srv = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler,
                           NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    assert_non_null(srv);
    port = MHD_get_daemon_info(srv, MHD_DAEMON_INFO_BIND_PORT)->port;
    char err[128];
    tw.db = wh_db_open(dbpath, err, sizeof err);
    assert_non_null(tw.db);
    wh_arena_init(&tw.arena);
    wh_reg.api = wh_api(); /* what walord's main() does before anything registers */
    plug = wh_plugin_new("tplug", NULL, NULL, NULL);
    wh_g.pool = wh_pool_create(2, w_init, w_fini, NULL);
    assert_non_null(wh_g.pool);
    uv_loop_init(&loop);
    assert_int_equal(wh_httpa_start(&loop), 0);
    uv_async_init(&loop, &stopper, on_stop);
    pthread_create(&loop_thread, NULL, loop_main, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wh_pool_free(wh_g.pool);
    uv_loop_close(&loop);
    MHD_stop_daemon(srv);
    wh_arena_free(&tw.arena);
    wh_db_close(tw.db);
    wh_registry_free();
    curl_global_cleanup();
    unlink(dbpath);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_in_order_on_workers),
        cmocka_unit_test(test_collect_without_stream_flag),
        cmocka_unit_test(test_error_body_is_collected),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_chunk_callback_stops_it),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_no_worker_waits),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
