/* Telegram client (host/tg*.c) against a tiny fake Bot API server in this
 * process (libmicrohttpd, a thread per connection). Checks order and counts,
 * never durations: the waits below only bound how long a broken build hangs.
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <walor/types.h>

#include "log.h"
#include "tg.h"

#define TOKEN "123456:SECRET-token_abc"

/* ------------------------------------------------------------ fake server */

typedef struct seen {
    char method[32];
    int64_t chat_id;
    char text[64];
    int64_t offset;
} seen;

static struct fake {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    seen log[512];
    int n;
    int next_message_id;
    _Atomic int quit;
    _Atomic int slow_arrived;
} F = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int seen_count(const char *text) /* mu held */
{
    int k = 0;
    for (int i = 0; i < F.n; i++)
        k += strcmp(F.log[i].text, text) == 0;
    return k;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void nap_until_quit(int ms)
{
    for (int i = 0; i < ms && !atomic_load(&F.quit); i++)
        usleep(1000);
}

typedef struct body {
    char *p;
    size_t len;
} body;

static enum MHD_Result handle(struct MHD_Connection *c, const char *url, body *b)
{
    char buf[1024];
    const char *prefix = "/bot" TOKEN "/";
    if (strncmp(url, prefix, strlen(prefix)) != 0)
        return reply(c, 401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
    const char *method = url + strlen(prefix);

    if (strcmp(method, "sendDocument") == 0) {
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        int good = ct && strncmp(ct, "multipart/form-data", 19) == 0 && b->p && memmem(b->p, b->len, "a.txt", 5) &&
                   memmem(b->p, b->len, "file\0data", 9) && memmem(b->p, b->len, "name=\"chat_id\"", 14);
        return good ? reply(c, 200, "{\"ok\":true,\"result\":{\"document\":{\"file_id\":\"F1\"}}}")
                    : reply(c, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: no file\"}");
    }

    json_error_t jerr;
    json_t *params = b->p ? json_loadb(b->p, b->len, 0, &jerr) : NULL;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!params || !ct || strcmp(ct, "application/json") != 0) {
        json_decref(params);
        return reply(c, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: not JSON\"}");
    }

    seen s = {0};
    snprintf(s.method, sizeof s.method, "%s", method);
    s.chat_id = (int64_t)json_integer_value(json_object_get(params, "chat_id"));
    snprintf(s.text, sizeof s.text, "%s", json_string_value(json_object_get(params, "text")) ?: "");
    s.offset = (int64_t)json_integer_value(json_object_get(params, "offset"));
    json_decref(params);

    pthread_mutex_lock(&F.mu);
    int before = seen_count(s.text);
    if (F.n < 512)
        F.log[F.n++] = s;
    int mid = ++F.next_message_id;
    pthread_mutex_unlock(&F.mu);

    if (strcmp(method, "getUpdates") == 0) {
        /* updates 1..3, at most two per answer; later: an empty long poll */
        if (s.offset <= 1)
            return reply(c, 200, "{\"ok\":true,\"result\":[{\"update_id\":1,\"message\":{\"chat\":{\"id\":5}}},"
                                 "{\"update_id\":2,\"message\":{\"chat\":{\"id\":5}}}]}");
        if (s.offset == 3)
            return reply(c, 200, "{\"ok\":true,\"result\":[{\"update_id\":3,\"message\":{\"chat\":{\"id\":6}}}]}");
        nap_until_quit(20);
        return reply(c, 200, "{\"ok\":true,\"result\":[]}");
    }
    if (strcmp(method, "sendMessage") != 0) {
        /* like Telegram: the answer names what was asked, token and all */
        snprintf(buf, sizeof buf, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found: %s\"}", url);
        return reply(c, 404, buf);
    }
    if (strncmp(s.text, "429once", 7) == 0 && before == 0)
        return reply(c, 429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 1\","
                             "\"parameters\":{\"retry_after\":1}}");
    int fails;
    if (sscanf(s.text, "5xx:%d", &fails) == 1 && before < fails)
        return reply(c, 502, "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}");
    if (strcmp(s.text, "blocked") == 0)
        return reply(c, 403, "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot was blocked by the user\"}");
    if (strcmp(s.text, "bad") == 0)
        return reply(c, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}");
    if (strcmp(s.text, "slow") == 0) {
        atomic_store(&F.slow_arrived, 1);
        nap_until_quit(300);
    }
    if (strcmp(s.text, "hang") == 0) {
        atomic_store(&F.slow_arrived, 1);
        nap_until_quit(20000);
    }
    /* jitter, so that anything but one-in-flight-per-chat would reorder */
    usleep((unsigned)(rand() % 3000));
    snprintf(buf, sizeof buf, "{\"ok\":true,\"result\":{\"message_id\":%d,\"chat\":{\"id\":%lld},\"text\":\"%s\"}}", mid,
             (long long)s.chat_id, s.text);
    return reply(c, 200, buf);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)method;
    (void)version;
    body *b = *con_cls;
    if (!b) {
        /* first call: headers only; answering now would close the connection */
        *con_cls = calloc(1, sizeof *b);
        return MHD_YES;
    }
    if (*upload_size) {
        b->p = realloc(b->p, b->len + *upload_size);
        memcpy(b->p + b->len, upload, *upload_size);
        b->len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    return handle(c, url, b);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    body *b = *con_cls;
    if (b) {
        free(b->p);
        free(b);
    }
    *con_cls = NULL;
}

static void fake_start(void)
{
    pthread_mutex_lock(&F.mu);
    F.n = 0;
    F.next_message_id = 0;
    pthread_mutex_unlock(&F.mu);
    atomic_store(&F.quit, 0);
    atomic_store(&F.slow_arrived, 0);
    F.d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request,
                           NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
                           MHD_OPTION_END);
    assert_non_null(F.d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(F.d, MHD_DAEMON_INFO_BIND_PORT);
    F.port = info->port;
}

static void fake_stop(void)
{
    atomic_store(&F.quit, 1);
    MHD_stop_daemon(F.d);
    F.d = NULL;
}

/* ------------------------------------------------------------ loop harness */

typedef struct harness {
    uv_loop_t loop;
    uv_async_t stop;
    pthread_t th;
    wh_tg *tg;
    wh_tg_opts o;
    wh_tg_hooks h;
    int64_t offset;
    char root[64];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready;
    int loop_close_rc;
} harness;

static _Atomic int64_t blocked_chat;
static _Atomic int first_polls, store_calls;
static json_t *stored; /* loop thread only until the harness is joined */

static void on_blocked(int64_t chat_id, void *ud)
{
    (void)ud;
    atomic_store(&blocked_chat, chat_id);
}

static void on_first_poll(void *ud)
{
    (void)ud;
    atomic_fetch_add(&first_polls, 1);
}

/* the first batch "fails to store", the next offer of it succeeds */
static int on_updates(json_t *updates, void *ud)
{
    (void)ud;
    if (atomic_fetch_add(&store_calls, 1) == 0)
        return -1;
    json_array_extend(stored, updates);
    return 0;
}

static void on_stop(uv_async_t *a)
{
    harness *H = a->data;
    wh_tg_stop(H->tg);
    uv_close((uv_handle_t *)a, NULL);
}

static void *loop_main(void *arg)
{
    harness *H = arg;
    uv_loop_init(&H->loop);
    uv_async_init(&H->loop, &H->stop, on_stop);
    H->stop.data = H;
    H->tg = wh_tg_new(&H->loop, &H->o, &H->h);
    if (H->tg) {
        wh_tg_set_offset(H->tg, H->offset);
        wh_tg_start(H->tg);
    }
    pthread_mutex_lock(&H->mu);
    H->ready = 1;
    pthread_cond_signal(&H->cv);
    pthread_mutex_unlock(&H->mu);
    uv_run(&H->loop, UV_RUN_DEFAULT);
    H->loop_close_rc = uv_loop_close(&H->loop);
    return NULL;
}

static harness *h_start(int poll, int port)
{
    harness *H = calloc(1, sizeof *H);
    snprintf(H->root, sizeof H->root, "http://127.0.0.1:%d/", port);
    H->o = (wh_tg_opts){.api_root = H->root, .token = TOKEN, .poll = poll, .poll_timeout_s = 1, .bulk_rate = 1000,
                        .bulk_per_chat_rate = 50, .http_timeout_s = 10, .max_retries = 2};
    H->h = (wh_tg_hooks){.on_updates = on_updates, .on_blocked = on_blocked, .on_first_poll = on_first_poll};
    H->offset = 1;
    pthread_mutex_init(&H->mu, NULL);
    pthread_cond_init(&H->cv, NULL);
    atomic_store(&blocked_chat, 0);
    atomic_store(&first_polls, 0);
    atomic_store(&store_calls, 0);
    stored = json_array();
    pthread_create(&H->th, NULL, loop_main, H);
    pthread_mutex_lock(&H->mu);
    while (!H->ready)
        pthread_cond_wait(&H->cv, &H->mu);
    pthread_mutex_unlock(&H->mu);
    assert_non_null(H->tg);
    return H;
}

static void h_stop(harness *H)
{
    uv_async_send(&H->stop);
    pthread_join(H->th, NULL);
    /* every handle of the client was closed: the loop closes cleanly */
    assert_int_equal(H->loop_close_rc, 0);
}

static void h_free(harness *H)
{
    wh_tg_free(H->tg);
    pthread_mutex_destroy(&H->mu);
    pthread_cond_destroy(&H->cv);
    json_decref(stored);
    stored = NULL;
    free(H);
}

/* waits (bounded) until pred() holds */
#define WAIT_FOR(pred)                                                                                                 \
    do {                                                                                                               \
        int waited_ = 0;                                                                                               \
        while (!(pred) && waited_++ < 20000)                                                                           \
            usleep(1000);                                                                                              \
        assert_true(pred);                                                                                             \
    } while (0)

static int fake_n(void)
{
    pthread_mutex_lock(&F.mu);
    int n = F.n;
    pthread_mutex_unlock(&F.mu);
    return n;
}

/* a copy of the server's log, so a failing assertion never leaves F.mu held */
static seen S[512];
static int snapshot(void)
{
    pthread_mutex_lock(&F.mu);
    int n = F.n;
    memcpy(S, F.log, sizeof S);
    pthread_mutex_unlock(&F.mu);
    return n;
}

static json_t *msg(int64_t chat, const char *text)
{
    return json_pack("{sIss}", "chat_id", (json_int_t)chat, "text", text);
}

static wh_tg_stats stats(harness *H)
{
    wh_tg_stats s;
    wh_tg_get_stats(H->tg, &s);
    return s;
}

/* ------------------------------------------------------------ tests */

static void test_sync_results(void **state)
{
    (void)state;
    fake_start();
    harness *H = h_start(0, F.port);
    wh_tg_result r;

    assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(5, "hello"), NULL, 5, WH_TG_INTERACTIVE, &r), 0);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.error_code, 0);
    assert_string_equal(json_string_value(json_object_get(r.result, "text")), "hello");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.result, "chat"), "id")), 5);
    json_decref(r.result);

    assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(5, "bad"), NULL, 5, WH_TG_INTERACTIVE, &r), 0);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.error_code, 400);
    assert_string_equal(r.description, "Bad Request: chat not found");
    assert_null(r.result);

    assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(77, "blocked"), NULL, 77, WH_TG_INTERACTIVE, &r), 0);
    assert_int_equal(r.error_code, 403);
    WAIT_FOR(atomic_load(&blocked_chat) == 77);

    /* multipart upload, data copied at call time */
    char data[] = "file\0data";
    wh_tg_upload up = {.field = "document", .filename = "a.txt", .data = data, .len = 9, .mime = "text/plain"};
    json_t *p = json_pack("{sIss}", "chat_id", (json_int_t)5, "caption", "doc");
    assert_int_equal(wh_tg_call(H->tg, "sendDocument", p, &up, 5, WH_TG_INTERACTIVE, &r), 0);
    assert_int_equal(r.ok, 1);
    json_decref(r.result);

    /* refused before queueing */
    assert_int_equal(wh_tg_call(H->tg, "send/Message", msg(5, "x"), NULL, 5, 0, &r), WALOR_EINVAL);
    assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(5, "x"), NULL, 5, 7, NULL), WALOR_EINVAL);

    wh_tg_stats s = stats(H);
    assert_int_equal(s.requests, 4);
    assert_int_equal(s.errors, 2);
    assert_int_equal(s.queued, 0);
    h_stop(H);
    /* after stop nothing is taken, and nobody blocks */
    assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(5, "late"), NULL, 5, 0, &r), WALOR_EBUSY);
    assert_string_equal(r.description, "shutting down");
    h_free(H);
    fake_stop();
}

static void test_per_chat_order(void **state)
{
    (void)state;
    fake_start();
    harness *H = h_start(0, F.port);
    char t[32];
    for (int i = 0; i < 20; i++) {
        snprintf(t, sizeof t, "a%02d", i);
        assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(7, t), NULL, 7, WH_TG_INTERACTIVE, NULL), 0);
        snprintf(t, sizeof t, "b%02d", i);
        assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(8, t), NULL, 8, WH_TG_INTERACTIVE, NULL), 0);
        snprintf(t, sizeof t, "c%02d", i);
        assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(100 + i % 3, t), NULL, 100 + i % 3, WH_TG_BULK, NULL),
                         0);
    }
    WAIT_FOR(fake_n() == 60 && stats(H).queued == 0);
    int next_a = 0, next_b = 0, next_c[3] = {0, 1, 2};
    int n = snapshot();
    for (int i = 0; i < n; i++) {
        int k = atoi(S[i].text + 1);
        if (S[i].text[0] == 'a') {
            assert_int_equal(S[i].chat_id, 7);
            assert_int_equal(k, next_a++);
        } else if (S[i].text[0] == 'b') {
            assert_int_equal(k, next_b++);
        } else {
            int g = (int)(S[i].chat_id - 100);
            assert_int_equal(k % 3, g);
            assert_int_equal(k, next_c[g]);
            next_c[g] += 3;
        }
    }
    assert_int_equal(next_a, 20);
    assert_int_equal(next_b, 20);
    h_stop(H);
    h_free(H);
    fake_stop();
}

typedef struct sync_arg {
    harness *H;
    const char *text;
    int64_t chat;
    wh_tg_result r;
    int32_t rc;
} sync_arg;

static void *sync_main(void *arg)
{
    sync_arg *a = arg;
    a->rc = wh_tg_call(a->H->tg, "sendMessage", msg(a->chat, a->text), NULL, a->chat, WH_TG_INTERACTIVE, &a->r);
    return NULL;
}

static void test_429_retry_after(void **state)
{
    (void)state;
    fake_start();
    harness *H = h_start(0, F.port);
    sync_arg a = {H, "429once", 1, {0}, -99};
    pthread_t th;
    pthread_create(&th, NULL, sync_main, &a);
    /* the client has seen the 429 and paused the whole outbox */
    WAIT_FOR(stats(H).http_429 == 1);
    assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(2, "other chat"), NULL, 2, WH_TG_INTERACTIVE, NULL), 0);
    pthread_join(th, NULL);
    assert_int_equal(a.rc, 0);
    assert_int_equal(a.r.ok, 1);
    json_decref(a.r.result);
    WAIT_FOR(fake_n() == 3);
    snapshot();
    /* the same request again first, then the one that waited for the pause */
    assert_string_equal(S[0].text, "429once");
    assert_string_equal(S[1].text, "429once");
    assert_string_equal(S[2].text, "other chat");
    wh_tg_stats s = stats(H);
    assert_int_equal(s.http_429, 1);
    assert_int_equal(s.requests, 3);
    h_stop(H);
    h_free(H);
    fake_stop();
}

static void test_5xx_retries(void **state)
{
    (void)state;
    fake_start();
    harness *H = h_start(0, F.port);
    wh_tg_result r;
    /* max_retries = 2: two 502s then success */
    assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(9, "5xx:2"), NULL, 9, WH_TG_INTERACTIVE, &r), 0);
    assert_int_equal(r.ok, 1);
    json_decref(r.result);
    assert_int_equal(stats(H).retries, 2);
    /* three 502s: given up after the second retry */
    assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(9, "5xx:3"), NULL, 9, WH_TG_INTERACTIVE, &r), 0);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.error_code, 502);
    pthread_mutex_lock(&F.mu);
    int n2 = seen_count("5xx:2"), n3 = seen_count("5xx:3");
    pthread_mutex_unlock(&F.mu);
    assert_int_equal(n2, 3);
    assert_int_equal(n3, 3);
    wh_tg_stats s = stats(H);
    assert_int_equal(s.retries, 4);
    assert_int_equal(s.requests, 6);
    h_stop(H);
    h_free(H);
    fake_stop();
}

static void test_transport_error(void **state)
{
    (void)state;
    /* nothing listens there: every attempt fails to connect */
    fake_start();
    int port = F.port;
    fake_stop();
    harness *H = h_start(0, port);
    wh_tg_result r;
    assert_int_equal(wh_tg_call(H->tg, "getMe", NULL, NULL, 0, WH_TG_UNPACED, &r), 0);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.error_code, 0);
    assert_non_null(strstr(r.description, "onnect"));
    assert_null(strstr(r.description, TOKEN));
    assert_int_equal(stats(H).retries, 2);
    h_stop(H);
    h_free(H);
}

static void test_poll_offsets(void **state)
{
    (void)state;
    fake_start();
    harness *H = h_start(1, F.port);
    /* updates 1, 2 (refused once, then stored), 3, then empty polls */
    WAIT_FOR(fake_n() >= 4);
    h_stop(H);
    assert_int_equal(atomic_load(&first_polls), 1);
    assert_int_equal(atomic_load(&store_calls), 3);
    assert_int_equal(json_array_size(stored), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(stored, i), "update_id")), (json_int_t)i + 1);
    int n = snapshot();
    /* offset 1 asked once: the refused batch was offered again, not re-fetched;
     * 3 only after the batch was stored, 4 only after 3 was */
    assert_string_equal(S[0].method, "getUpdates");
    assert_int_equal(S[0].offset, 1);
    assert_int_equal(S[1].offset, 3);
    for (int i = 2; i < n; i++)
        assert_int_equal(S[i].offset, 4);
    assert_int_equal(stats(H).updates_received, 3);
    h_free(H);
    fake_stop();
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_token_redacted(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/walor-test-tg-%d.log", (int)getpid());
    unlink(path);
    assert_int_equal(wh_log_open_file(path), 0);
    fake_start();
    harness *H = h_start(0, F.port);
    /* the fake echoes the URL, token included, in its description */
    assert_int_equal(wh_tg_call(H->tg, "noSuchMethod", msg(3, "x"), NULL, 3, WH_TG_INTERACTIVE, NULL), 0);
    WAIT_FOR(stats(H).queued == 0);
    wh_tg_result r;
    assert_int_equal(wh_tg_call(H->tg, "noSuchMethod", NULL, NULL, 0, WH_TG_UNPACED, &r), 0);
    assert_int_equal(r.error_code, 404);
    assert_non_null(strstr(r.description, "/bot<token>/noSuchMethod"));
    assert_null(strstr(r.description, "SECRET"));
    h_stop(H);
    h_free(H);
    fake_stop();
    wh_log_close();
    char *log = slurp(path);
    assert_non_null(log);
    assert_non_null(strstr(log, "noSuchMethod to chat 3 failed: 404 Not Found: /bot<token>/noSuchMethod"));
    assert_null(strstr(log, "SECRET"));
    free(log);
    unlink(path);
}

static void test_shutdown(void **state)
{
    (void)state;
    fake_start();
    harness *H = h_start(1, F.port);
    /* in flight at stop and answered within the grace period */
    sync_arg a = {H, "slow", 1, {0}, -99};
    pthread_t th;
    pthread_create(&th, NULL, sync_main, &a);
    WAIT_FOR(atomic_load(&F.slow_arrived));
    /* queued broadcasts are dropped at stop */
    for (int i = 0; i < 5; i++)
        assert_int_equal(wh_tg_call(H->tg, "sendMessage", msg(50, "bulk"), NULL, 50, WH_TG_BULK, NULL), 0);
    h_stop(H);
    pthread_join(th, NULL);
    assert_int_equal(a.rc, 0);
    assert_int_equal(a.r.ok, 1);
    json_decref(a.r.result);
    h_free(H);
    fake_stop();

    /* never answered: failed with "shutting down" once the grace period ends */
    fake_start();
    H = h_start(0, F.port);
    sync_arg b = {H, "hang", 1, {0}, -99};
    pthread_create(&th, NULL, sync_main, &b);
    WAIT_FOR(atomic_load(&F.slow_arrived));
    h_stop(H);
    pthread_join(th, NULL);
    assert_int_equal(b.rc, 0);
    assert_int_equal(b.r.ok, 0);
    assert_int_equal(b.r.error_code, 0);
    assert_string_equal(b.r.description, "shutting down");
    h_free(H);
    fake_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_results),   cmocka_unit_test(test_per_chat_order),
        cmocka_unit_test(test_429_retry_after), cmocka_unit_test(test_5xx_retries),
        cmocka_unit_test(test_transport_error), cmocka_unit_test(test_poll_offsets),
        cmocka_unit_test(test_token_redacted),  cmocka_unit_test(test_shutdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
