/* host_bench: the load driver behind `make bench` (bench/run.sh starts tgsim
 * and calls this program; see docs/PERFORMANCE.md).
 *
 * One thread, one libcurl multi handle, keep-alive connections to tgsim on
 * 127.0.0.1, so the driver stays far from being the bottleneck. It
 *   1. measures tgsim alone: getMe with keep-alive from 16 connections, 2 s;
 *   2. starts walord (fork + exec), waits for "walord: ready" and reads its
 *      idle VmRSS 0.5 s later; start-up: tgsim logs every Bot API call with
 *      t_ms on CLOCK_MONOTONIC, the clock this program reads just before
 *      fork, so startup = t_ms(first getUpdates) - t_exec (read after step 3,
 *      as tgsim logs a long poll only once it returns);
 *   3. creates the users, each sends /hello and waits for the counter screen;
 *   4. open loop: presses `hello:show:1` (forged, on the counter message) at a
 *      fixed rate on idle users, each press waited for through the chat-view
 *      long poll until the chat holds the answer to *that* callback query.
 *      The answer is not queued behind the chat's edit (it goes at once, so
 *      the button's spinner stops as soon as the handler is done): the
 *      edit may come before or after it. Latency = press sent -> answer seen;
 *   5. closed loop: every user presses again as soon as its previous press is
 *      answered and edited. Completion is read from tgsim's call log
 *      (/_sim/log, one poller every 2 ms) rather than from 200 chat long polls: tgsim
 *      wakes every chat waiter on every change, and 200 waiters would make
 *      tgsim's wake-ups, not walord, the thing measured;
 *   6. reads VmHWM, stops walord with SIGTERM and requires exit code 0.
 * Prints one line on stdout:
 *   bench: updates_per_s=N p50_ms=X p99_ms=Y rss_mb=Z startup_ms=S peak_rss_mb=P ...
 * and `bench: tgsim_req_per_s=N`; details go to stderr. Exit 1 on any failure
 * (walord dying, a press never answered, tgsim errors), after stopping walord.
 *
 * --mode webhook: walord in webhook mode (tgsim pushes to its listener);
 * steps 2, 3, 5 and 6 only, and walord must never call getUpdates. Prints
 *   bench-part: webhook_updates_per_s=N ...
 * --mode bulk: a broadcast through probe's /bulk under tgsim's flood
 * control (see bulk_main). Prints
 *   bench-part: bulk_efficiency=R bulk_429=K ...
 * run.sh joins the bench-part lines into one `bench:` line.
 * --free-port: prints a TCP port free on 127.0.0.1 (for walord's listener). */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ options */

static struct {
    const char *sim;      /* http://127.0.0.1:PORT */
    const char *token;
    const char *walord;
    const char *config;
    const char *log;
    const char *pid_file;
    int tgsim_pid;
    int users;            /* closed-loop concurrency */
    int tp_updates;       /* closed loop: this many presses ... */
    double tp_seconds;    /* ... or this long, whichever first */
    double rate;          /* open loop: presses per second ... */
    double lat_seconds;   /* ... for this long */
    double getme_seconds;
    int mode;             /* MODE_POLLING, MODE_WEBHOOK, MODE_BULK */
    int bulk_total;       /* bulk: messages to send, spread over the users */
    double bulk_rate;     /* bulk: the configured bulk_rate (and tgsim's global limit) */
    long long owner;      /* bulk: walord's owner, who sends /bulk */
    const char *callgrind; /* directory: walord (and tgsim, if tgsim_callgrind) under callgrind */
    bool tgsim_callgrind; /* tgsim was started under callgrind, dumping to <callgrind>/tgsim.cg */
} opt = {
    .token = "100:bench-token",
    .users = 200,
    .tp_updates = 20000,
    .tp_seconds = 10,
    .rate = 1000,
    .lat_seconds = 5,
    .getme_seconds = 2,
    .bulk_total = 10000,
    .bulk_rate = 300,
    .owner = 4200001,
};

enum { MODE_POLLING, MODE_WEBHOOK, MODE_BULK };

/* ------------------------------------------------------------ utilities */

static pid_t walord_pid = -1;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static void stop_walord_hard(void)
{
    if (walord_pid <= 0)
        return;
    kill(walord_pid, SIGTERM);
    for (int i = 0; i < 200; i++) {
        if (waitpid(walord_pid, NULL, WNOHANG) == walord_pid) {
            walord_pid = -1;
            return;
        }
        sleep_ms(50);
    }
    kill(walord_pid, SIGKILL);
    waitpid(walord_pid, NULL, 0);
    walord_pid = -1;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("host_bench: FAILED: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    stop_walord_hard();
    exit(1);
}

static void check_walord_alive(void)
{
    if (walord_pid <= 0)
        return;
    int st;
    if (waitpid(walord_pid, &st, WNOHANG) == walord_pid) {
        walord_pid = -1;
        if (WIFEXITED(st))
            die("walord exited with code %d during the benchmark", WEXITSTATUS(st));
        die("walord was killed by signal %d during the benchmark", WTERMSIG(st));
    }
}

/* VmRSS / VmHWM of a process, in kB; -1 if unknown. */
static long proc_status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long v = -1;
    size_t k = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, k) && line[k] == ':') {
            v = strtol(line + k + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* utime + stime of a process, in seconds (*sys_s: stime alone); -1 if unknown. */
static double proc_cpu_split(pid_t pid, double *sys_s)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* comm may hold spaces */
    if (!p)
        return -1;
    unsigned long ut = 0, st = 0;
    /* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    if (sys_s)
        *sys_s = (double)st / (double)sysconf(_SC_CLK_TCK);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double proc_cpu_s(pid_t pid) { return proc_cpu_split(pid, NULL); }

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* nearest-rank percentile of a sorted array */
static double pct(const double *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t k = (size_t)ceil(p * (double)n);
    return v[k ? k - 1 : 0];
}

/* ------------------------------------------------------------ HTTP (curl multi) */

typedef struct req req;
typedef void (*done_fn)(req *r, long status);
struct req {
    CURL *h;
    char *buf;
    size_t len, cap;
    done_fn done;
    void *ud;
    req *next_free;
};

static CURLM *multi;
static req *free_reqs;
static int inflight;
static struct curl_slist *json_hdrs;
static char url_buf[512];

static size_t on_write(char *p, size_t sz, size_t n, void *ud)
{
    req *r = ud;
    size_t k = sz * n;
    if (r->len + k + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + k + 1)
            cap *= 2;
        char *b = realloc(r->buf, cap);
        if (!b)
            return 0;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, p, k);
    r->len += k;
    r->buf[r->len] = '\0';
    return k;
}

/* Starts a request; body == NULL means GET. The URL is copied by curl. */
static void http_start(const char *url, const char *body, done_fn done, void *ud)
{
    req *r = free_reqs;
    if (r) {
        free_reqs = r->next_free;
        curl_easy_reset(r->h);
    } else {
        r = calloc(1, sizeof *r);
        if (!r || !(r->h = curl_easy_init()))
            die("out of memory");
    }
    r->len = 0;
    r->done = done;
    r->ud = ud;
    CURL *h = r->h;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_PRIVATE, r);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    if (body) {
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, json_hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
    }
    if (curl_multi_add_handle(multi, h) != CURLM_OK)
        die("curl_multi_add_handle failed");
    inflight++;
}

/* Drives the transfers for up to timeout_ms (0: do what is ready now). */
static void pump(int timeout_ms)
{
    int running;
    if (timeout_ms > 0)
        curl_multi_poll(multi, NULL, 0, timeout_ms, NULL);
    curl_multi_perform(multi, &running);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        req *r;
        CURL *h = m->easy_handle;
        CURLcode code = m->data.result;
        curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&r);
        long status = -1;
        if (code == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        else
            fprintf(stderr, "host_bench: %s\n", curl_easy_strerror(code));
        curl_multi_remove_handle(multi, h);
        inflight--;
        r->done(r, status);
        r->next_free = free_reqs;
        free_reqs = r;
    }
}

/* After a request's body: curl writes it to the socket now, not at the next poll. */
static void kick(void)
{
    int running;
    curl_multi_perform(multi, &running);
}

static json_t *parse_or_die(req *r, long status, const char *what)
{
    if (status != 200)
        die("%s: HTTP %ld: %.300s", what, status, r->buf ? r->buf : "");
    json_error_t e;
    json_t *j = json_loadb(r->buf, r->len, 0, &e);
    if (!j)
        die("%s: bad JSON: %s", what, e.text);
    return j;
}

static json_t *http_sync(const char *url, const char *body, const char *what);

/* ------------------------------------------------------------ users */

enum { U_IDLE, U_BUSY };

typedef struct user {
    int64_t id;
    int state;
    int64_t version;
    char qid[40];
    int64_t t_sent;
    bool press_ok, edited, answered; /* closed loop: all three needed to complete */
    int idx;
} user;

static user *users;
static int nusers;

/* user id -> index (open addressing; ids are tgsim's) */
static int *umap;
static size_t umap_cap;

static void umap_put(int64_t id, int idx)
{
    size_t k = (size_t)(id * 0x9E3779B97F4A7C15ULL) & (umap_cap - 1);
    while (umap[k] >= 0)
        k = (k + 1) & (umap_cap - 1);
    umap[k] = idx;
}

static user *umap_get(int64_t id)
{
    size_t k = (size_t)(id * 0x9E3779B97F4A7C15ULL) & (umap_cap - 1);
    while (umap[k] >= 0) {
        if (users[umap[k]].id == id)
            return &users[umap[k]];
        k = (k + 1) & (umap_cap - 1);
    }
    return NULL;
}

/* ------------------------------------------------------------ phase: tgsim getMe */

static int64_t getme_deadline;
static long getme_done;

static void on_getme(req *r, long status)
{
    if (status != 200 || !strstr(r->buf ? r->buf : "", "\"ok\":true"))
        die("tgsim getMe: HTTP %ld", status);
    getme_done++;
    if (now_ns() < getme_deadline) {
        snprintf(url_buf, sizeof url_buf, "%s/bot%s/getMe", opt.sim, opt.token);
        http_start(url_buf, NULL, on_getme, NULL);
    }
}

static double phase_getme(void)
{
    const int conns = 16;
    /* warm the connections up first */
    int64_t t0 = now_ns();
    getme_deadline = t0 + (int64_t)(0.2 * 1e9);
    for (int i = 0; i < conns; i++) {
        snprintf(url_buf, sizeof url_buf, "%s/bot%s/getMe", opt.sim, opt.token);
        http_start(url_buf, NULL, on_getme, NULL);
    }
    while (inflight)
        pump(100);
    getme_done = 0;
    t0 = now_ns();
    getme_deadline = t0 + (int64_t)(opt.getme_seconds * 1e9);
    for (int i = 0; i < conns; i++) {
        snprintf(url_buf, sizeof url_buf, "%s/bot%s/getMe", opt.sim, opt.token);
        http_start(url_buf, NULL, on_getme, NULL);
    }
    while (inflight)
        pump(100);
    return (double)getme_done / ((double)(now_ns() - t0) / 1e9);
}

/* ------------------------------------------------------------ phase: start walord */

static void start_walord(int64_t *t_exec)
{
    int fd = open(opt.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        die("%s: %s", opt.log, strerror(errno));
    fflush(NULL);
    *t_exec = now_ns();
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (opt.callgrind) {
            char out[1024];
            snprintf(out, sizeof out, "--callgrind-out-file=%s/walord.cg", opt.callgrind);
            execlp("valgrind", "valgrind", "-q", "--tool=callgrind", out, opt.walord, "--config", opt.config,
                   (char *)NULL);
        } else {
            execl(opt.walord, opt.walord, "--config", opt.config, (char *)NULL);
        }
        fprintf(stderr, "host_bench: exec %s: %s\n", opt.callgrind ? "valgrind" : opt.walord, strerror(errno));
        _exit(127);
    }
    close(fd);
    walord_pid = pid;
    if (opt.pid_file) {
        FILE *f = fopen(opt.pid_file, "w");
        if (f) {
            fprintf(f, "%d\n", (int)pid);
            fclose(f);
        }
    }
}

/* ms from exec to the first getUpdates, as tgsim saw it. tgsim logs a call
 * when it completes, with t_ms = when it arrived: the first long poll shows up
 * once the first update ended it, so this is read after the users' /hello. */
static double first_get_updates_ms(int64_t t_exec)
{
    snprintf(url_buf, sizeof url_buf, "%s/_sim/log?method=getUpdates", opt.sim);
    json_t *a = http_sync(url_buf, NULL, "GET /_sim/log");
    size_t i;
    json_t *e;
    double first = -1;
    json_array_foreach(a, i, e)
    {
        double t = (double)json_integer_value(json_object_get(e, "t_ms"));
        if (first < 0 || t < first)
            first = t;
    }
    json_decref(a);
    if (first < 0)
        die("no getUpdates call in tgsim's log");
    /* t_ms is whole ms (truncated); so is the exec time, for a fair difference */
    return first - (double)(t_exec / 1000000);
}

/* Waits for walord's "walord: ready" line (it then starts polling). */
static void wait_ready_line(void)
{
    int64_t deadline = now_ns() + 10 * (int64_t)1000000000;
    char line[1024];
    for (;;) {
        check_walord_alive();
        FILE *f = fopen(opt.log, "r");
        bool ready = false;
        while (f && !ready && fgets(line, sizeof line, f))
            ready = !strncmp(line, "walord: ready", 13);
        if (f)
            fclose(f);
        if (ready)
            return;
        if (now_ns() > deadline)
            die("no 'walord: ready' within 10 s of its start (see %s)", opt.log);
        sleep_ms(1);
    }
}

static long walord_ready_ms(void)
{
    FILE *f = fopen(opt.log, "r");
    if (!f)
        return -1;
    char line[1024];
    long v = -1;
    while (fgets(line, sizeof line, f)) {
        char *p = strstr(line, "ready in ");
        if (p)
            v = strtol(p + 9, NULL, 10);
    }
    fclose(f);
    return v;
}

/* ------------------------------------------------------------ sync helper */

static json_t *sync_result;
static const char *sync_what;
static bool sync_done;

static void on_sync(req *r, long status)
{
    sync_result = parse_or_die(r, status, sync_what);
    sync_done = true;
}

static json_t *http_sync(const char *url, const char *body, const char *what)
{
    sync_done = false;
    sync_what = what;
    http_start(url, body, on_sync, NULL);
    kick();
    while (!sync_done)
        pump(100);
    return sync_result;
}

/* ------------------------------------------------------------ phase: users + /hello */

static int setup_left;

static void wait_chat(user *u, int timeout_ms, done_fn done)
{
    snprintf(url_buf, sizeof url_buf, "%s/_sim/users/%lld/chat?after_version=%lld&timeout_ms=%d", opt.sim,
             (long long)u->id, (long long)u->version, timeout_ms);
    http_start(url_buf, NULL, done, u);
}

static bool has_counter_screen(json_t *chat)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(chat, "messages"), i, m)
    {
        const char *from = json_string_value(json_object_get(m, "from"));
        json_t *kb = json_object_get(json_object_get(m, "reply_markup"), "inline_keyboard");
        if (from && !strcmp(from, "bot") && json_array_size(kb))
            return true;
    }
    return false;
}

static void on_hello_chat(req *r, long status)
{
    user *u = r->ud;
    json_t *j = parse_or_die(r, status, "GET chat");
    if (has_counter_screen(j)) {
        setup_left--;
    } else {
        u->version = json_integer_value(json_object_get(j, "version"));
        wait_chat(u, 5000, on_hello_chat);
    }
    json_decref(j);
}

static void on_hello_sent(req *r, long status)
{
    user *u = r->ud;
    json_t *j = parse_or_die(r, status, "POST send /hello");
    u->version = json_integer_value(json_object_get(j, "version"));
    json_decref(j);
    wait_chat(u, 5000, on_hello_chat);
}

static void on_user_created(req *r, long status)
{
    user *u = r->ud;
    json_t *j = parse_or_die(r, status, "POST /_sim/users");
    u->id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    umap_put(u->id, u->idx);
    snprintf(url_buf, sizeof url_buf, "%s/_sim/users/%lld/send", opt.sim, (long long)u->id);
    http_start(url_buf, "{\"text\":\"/hello\"}", on_hello_sent, u);
}

static void phase_setup(void)
{
    nusers = opt.users;
    users = calloc((size_t)nusers, sizeof *users);
    umap_cap = 1;
    while (umap_cap < (size_t)nusers * 4)
        umap_cap *= 2;
    umap = malloc(umap_cap * sizeof *umap);
    if (!users || !umap)
        die("out of memory");
    memset(umap, 0xff, umap_cap * sizeof *umap);
    setup_left = nusers;
    int64_t deadline = now_ns() + 30 * (int64_t)1000000000;
    for (int i = 0; i < nusers; i++) {
        users[i].idx = i;
        char body[96];
        snprintf(body, sizeof body, "{\"first_name\":\"Bench%d\",\"language_code\":\"ru\"}", i);
        snprintf(url_buf, sizeof url_buf, "%s/_sim/users", opt.sim);
        http_start(url_buf, body, on_user_created, &users[i]);
    }
    while (setup_left > 0 || inflight) {
        pump(50);
        check_walord_alive();
        if (now_ns() > deadline)
            die("%d of %d users got no counter screen for /hello within 30 s", setup_left, nusers);
    }
}

/* ------------------------------------------------------------ phase: open loop (latency) */

#define PRESS_BODY "{\"data\":\"hello:show:1\",\"force\":true}"

static double *lat_ms;
static size_t nlat, lat_cap;
static int lat_outstanding;
static int *idle_q;          /* FIFO ring of idle user indexes */
static int idle_head, idle_n;

static void idle_push(int i)
{
    idle_q[(idle_head + idle_n) % nusers] = i;
    idle_n++;
}

static int idle_pop(void)
{
    if (!idle_n)
        return -1;
    int i = idle_q[idle_head];
    idle_head = (idle_head + 1) % nusers;
    idle_n--;
    return i;
}

static bool chat_has_answer(json_t *chat, const char *qid)
{
    json_t *a = json_object_get(chat, "callback_answers");
    /* newest last: search backwards */
    for (size_t i = json_array_size(a); i-- > 0;) {
        const char *q = json_string_value(json_object_get(json_array_get(a, i), "callback_query_id"));
        if (q && !strcmp(q, qid))
            return true;
    }
    return false;
}

static void on_lat_chat(req *r, long status)
{
    user *u = r->ud;
    json_t *j = parse_or_die(r, status, "GET chat (latency)");
    if (chat_has_answer(j, u->qid)) {
        if (nlat == lat_cap) {
            lat_cap = lat_cap ? lat_cap * 2 : 8192;
            lat_ms = realloc(lat_ms, lat_cap * sizeof *lat_ms);
            if (!lat_ms)
                die("out of memory");
        }
        lat_ms[nlat++] = (double)(now_ns() - u->t_sent) / 1e6;
        lat_outstanding--;
        u->state = U_IDLE;
        idle_push(u->idx);
    } else {
        u->version = json_integer_value(json_object_get(j, "version"));
        wait_chat(u, 10000, on_lat_chat);
    }
    json_decref(j);
}

static void on_lat_press(req *r, long status)
{
    user *u = r->ud;
    json_t *j = parse_or_die(r, status, "POST press (latency)");
    u->version = json_integer_value(json_object_get(j, "version"));
    const char *q = json_string_value(json_object_get(j, "callback_query_id"));
    if (!q)
        die("press reply without callback_query_id");
    snprintf(u->qid, sizeof u->qid, "%s", q);
    json_decref(j);
    wait_chat(u, 10000, on_lat_chat);
}

static void press(user *u, done_fn done)
{
    u->state = U_BUSY;
    u->press_ok = u->edited = u->answered = false;
    snprintf(url_buf, sizeof url_buf, "%s/_sim/users/%lld/press", opt.sim, (long long)u->id);
    u->t_sent = now_ns();
    http_start(url_buf, PRESS_BODY, done, u);
    kick();
}

typedef struct lat_result {
    double p50, p90, p99, max, achieved_rate, max_lag_ms;
    long sent, no_idle;
} lat_result;

static lat_result phase_latency(void)
{
    lat_result res = {0};
    idle_q = malloc((size_t)nusers * sizeof *idle_q);
    if (!idle_q)
        die("out of memory");
    for (int i = 0; i < nusers; i++)
        idle_push(i);
    long total = (long)(opt.rate * opt.lat_seconds);
    double interval_ns = 1e9 / opt.rate;
    int64_t t0 = now_ns();
    long k = 0;
    while (k < total) {
        int64_t now = now_ns();
        int64_t due = t0 + (int64_t)((double)k * interval_ns);
        if (now >= due) {
            double lag = (double)(now - due) / 1e6;
            if (lag > res.max_lag_ms)
                res.max_lag_ms = lag;
            int i = idle_pop();
            if (i < 0) {
                res.no_idle++; /* every user busy: try again on the next turn */
                pump(1);
                continue;
            }
            lat_outstanding++;
            press(&users[i], on_lat_press);
            k++;
            continue;
        }
        int wait_ms = (int)((due - now) / 1000000);
        pump(wait_ms); /* 0: just what is ready, then re-check the schedule */
        check_walord_alive();
    }
    int64_t t_last = now_ns();
    int64_t deadline = t_last + 15 * (int64_t)1000000000;
    while (lat_outstanding > 0) {
        pump(20);
        check_walord_alive();
        if (now_ns() > deadline)
            die("%d presses not answered within 15 s (open loop)", lat_outstanding);
    }
    res.sent = k;
    res.achieved_rate = (double)k / ((double)(t_last - t0) / 1e9);
    qsort(lat_ms, nlat, sizeof *lat_ms, cmp_double);
    res.p50 = pct(lat_ms, nlat, 0.50);
    res.p90 = pct(lat_ms, nlat, 0.90);
    res.p99 = pct(lat_ms, nlat, 0.99);
    res.max = nlat ? lat_ms[nlat - 1] : 0;
    return res;
}

/* ------------------------------------------------------------ callgrind (--callgrind) */

/* callgrind_control -z|-d PID: zero the counters, or dump what was counted
 * since (to <out-file>.1 for the first dump) */
static void callgrind_control(const char *op, pid_t pid)
{
    char spid[24];
    snprintf(spid, sizeof spid, "%d", (int)pid);
    fflush(NULL);
    pid_t c = fork();
    if (c < 0)
        die("fork: %s", strerror(errno));
    if (c == 0) {
        int nul = open("/dev/null", O_WRONLY);
        if (nul >= 0) { /* it says "sending command …" on both */
            dup2(nul, 1);
            dup2(nul, 2);
        }
        execlp("callgrind_control", "callgrind_control", op, spid, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("callgrind_control %s %d failed", op, (int)pid);
}

/* the "totals:" line of a callgrind dump: instructions executed (Ir) */
static double callgrind_totals(const char *name)
{
    char path[1100], line[256];
    snprintf(path, sizeof path, "%s/%s", opt.callgrind, name);
    for (int i = 0; i < 200; i++) { /* the dump is written while callgrind_control returns */
        FILE *f = fopen(path, "r");
        double v = -1;
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "totals: ", 8))
                v = strtod(line + 8, NULL);
        if (f)
            fclose(f);
        if (v >= 0)
            return v;
        sleep_ms(50);
    }
    die("no totals in %s", path);
}

/* ------------------------------------------------------------ phase: closed loop (throughput) */

static long tp_issued, tp_done, tp_bad_answers;
static int tp_outstanding;
static int64_t tp_deadline, log_seq;
static bool tp_stop_issuing, log_polling;
static int64_t next_log_poll;

static void on_tp_press(req *r, long status);

static void tp_complete(user *u)
{
    tp_done++;
    tp_outstanding--;
    u->state = U_IDLE;
    if (!tp_stop_issuing && (tp_issued >= opt.tp_updates || now_ns() >= tp_deadline))
        tp_stop_issuing = true;
    if (!tp_stop_issuing) {
        tp_issued++;
        tp_outstanding++;
        press(u, on_tp_press);
    }
}

static void on_tp_press(req *r, long status)
{
    user *u = r->ud;
    if (status != 200)
        die("POST press (throughput): HTTP %ld: %.300s", status, r->buf ? r->buf : "");
    u->press_ok = true;
    if (u->edited && u->answered)
        tp_complete(u);
}

static void on_log(req *r, long status)
{
    log_polling = false;
    json_t *a = parse_or_die(r, status, "GET /_sim/log");
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        int64_t seq = json_integer_value(json_object_get(e, "seq"));
        if (seq > log_seq)
            log_seq = seq;
        const char *m = json_string_value(json_object_get(e, "method"));
        bool answer = m && !strcmp(m, "answerCallbackQuery"), edit = m && !strcmp(m, "editMessageText");
        if (!answer && !edit)
            continue;
        /* an edit that changes nothing is a 400 "not modified": still the end of it */
        if (answer && json_integer_value(json_object_get(e, "status")) != 200)
            tp_bad_answers++;
        user *u = umap_get(json_integer_value(json_object_get(e, "chat_id")));
        if (!u || u->state != U_BUSY || (answer ? u->answered : u->edited))
            continue; /* not one of ours */
        if (answer)
            u->answered = true;
        else
            u->edited = true;
        if (u->press_ok && u->edited && u->answered)
            tp_complete(u);
    }
    json_decref(a);
    next_log_poll = now_ns() + 2000000; /* 2 ms */
}

/* every method: a press is handled when both its edit and its answer are
 * in tgsim's log, in whichever order they came */
static void poll_log(void)
{
    log_polling = true;
    snprintf(url_buf, sizeof url_buf, "%s/_sim/log?since_seq=%lld", opt.sim, (long long)log_seq);
    http_start(url_buf, NULL, on_log, NULL);
    kick();
}

typedef struct tp_result {
    double per_s, secs, walord_cpu, tgsim_cpu, driver_cpu;
    double walord_cpu_s, tgsim_cpu_s;     /* CPU seconds over the loop */
    double walord_sys_s;                  /* of which in the kernel */
    double walord_instr, tgsim_instr;     /* --callgrind: instructions over the loop, else -1 */
    long done;
} tp_result;

static tp_result phase_throughput(void)
{
    tp_result res = {0};
    snprintf(url_buf, sizeof url_buf, "%s/_sim/stats", opt.sim);
    json_t *st = http_sync(url_buf, NULL, "GET /_sim/stats");
    log_seq = json_integer_value(json_object_get(st, "last_seq"));
    json_decref(st);

    if (opt.callgrind) {
        callgrind_control("-z", walord_pid);
        if (opt.tgsim_callgrind)
            callgrind_control("-z", opt.tgsim_pid);
    }
    double ws0 = 0, ws1 = 0;
    double w0 = proc_cpu_split(walord_pid, &ws0), g0 = opt.tgsim_pid > 0 ? proc_cpu_s(opt.tgsim_pid) : -1,
           d0 = self_cpu_s();
    int64_t t0 = now_ns();
    tp_deadline = t0 + (int64_t)(opt.tp_seconds * 1e9);
    for (int i = 0; i < nusers && tp_issued < opt.tp_updates; i++) {
        tp_issued++;
        tp_outstanding++;
        press(&users[i], on_tp_press);
    }
    next_log_poll = now_ns() + 1000000;
    int64_t hard = tp_deadline + 15 * (int64_t)1000000000;
    while (tp_outstanding > 0) {
        int64_t now = now_ns();
        if (!log_polling && now >= next_log_poll)
            poll_log();
        int wait_ms = log_polling ? 5 : (int)((next_log_poll - now + 999999) / 1000000);
        pump(wait_ms > 0 ? wait_ms : 0);
        check_walord_alive();
        if (now_ns() > hard)
            die("%d presses not answered within 15 s of the end (closed loop)", tp_outstanding);
    }
    int64_t t1 = now_ns();
    while (inflight)
        pump(10);
    res.secs = (double)(t1 - t0) / 1e9;
    res.done = tp_done;
    res.per_s = (double)tp_done / res.secs;
    double w1 = proc_cpu_split(walord_pid, &ws1), g1 = opt.tgsim_pid > 0 ? proc_cpu_s(opt.tgsim_pid) : -1,
           d1 = self_cpu_s();
    res.walord_cpu_s = w1 - w0;
    res.walord_sys_s = ws1 - ws0;
    res.tgsim_cpu_s = g0 >= 0 ? g1 - g0 : -1;
    res.walord_cpu = 100 * (w1 - w0) / res.secs;
    res.tgsim_cpu = g0 >= 0 ? 100 * (g1 - g0) / res.secs : -1;
    res.walord_instr = res.tgsim_instr = -1;
    if (opt.callgrind) {
        callgrind_control("-d", walord_pid);
        res.walord_instr = callgrind_totals("walord.cg.1");
        if (opt.tgsim_callgrind) {
            callgrind_control("-d", opt.tgsim_pid);
            res.tgsim_instr = callgrind_totals("tgsim.cg.1");
        }
    }
    res.driver_cpu = 100 * (d1 - d0) / res.secs;
    if (tp_bad_answers)
        die("%ld answerCallbackQuery calls failed in tgsim's log", tp_bad_answers);
    return res;
}

/* ------------------------------------------------------------ bulk mode (broadcast pacing) */

/* --mode bulk: walord with hello + probe, bulk_rate = R, bulk_per_chat_rate
 * = 1; tgsim's flood control at R/s overall and 1/s per chat (Telegram's
 * 30/s and 1/s, scaled up). The owner and the users each send /start (a
 * user must have written to the bot before it may write to them); once the
 * replies are in and the bot has been idle for a while, tgsim's flood
 * control is switched on and the owner sends probe's `/bulk N id…` (several
 * commands if the ids do not fit one message), N = total / users messages to
 * every user, queued with WALOR_SEND_BULK. tgsim's call log gives the
 * deliveries: efficiency = (delivered - 1) / (t_last - t_first) / R, and the
 * 429s are counted from /_sim/stats (count429) over the broadcast. */

static int start_next, start_left, start_inflight;

static void on_start_sent(req *r, long status)
{
    json_decref(parse_or_die(r, status, "POST send /start"));
    start_inflight--;
}

static void on_bulk_user_created(req *r, long status)
{
    user *u = r->ud;
    json_t *j = parse_or_die(r, status, "POST /_sim/users");
    u->id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    umap_put(u->id, u->idx);
    snprintf(url_buf, sizeof url_buf, "%s/_sim/users/%lld/send", opt.sim, (long long)u->id);
    http_start(url_buf, "{\"text\":\"/start\"}", on_start_sent, u);
}

/* users[0] is the owner (id opt.owner), users[1..] the audience */
static void bulk_create_user(int i)
{
    char body[128];
    if (i == 0)
        snprintf(body, sizeof body, "{\"first_name\":\"Owner\",\"id\":%lld,\"language_code\":\"ru\"}", opt.owner);
    else
        snprintf(body, sizeof body, "{\"first_name\":\"Bulk%d\",\"language_code\":\"ru\"}", i);
    snprintf(url_buf, sizeof url_buf, "%s/_sim/users", opt.sim);
    start_inflight++;
    http_start(url_buf, body, on_bulk_user_created, &users[i]);
}

/* One GET /_sim/log?method=sendMessage&since_seq=log_seq, synchronously;
 * calls fn for every entry and advances log_seq. */
static void scan_send_log(void (*fn)(json_t *e, void *ud), void *ud)
{
    snprintf(url_buf, sizeof url_buf, "%s/_sim/log?method=sendMessage&since_seq=%lld", opt.sim, (long long)log_seq);
    json_t *a = http_sync(url_buf, NULL, "GET /_sim/log");
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        int64_t seq = json_integer_value(json_object_get(e, "seq"));
        if (seq > log_seq)
            log_seq = seq;
        fn(e, ud);
    }
    json_decref(a);
}

static void mark_start_reply(json_t *e, void *ud)
{
    int *seen = ud;
    (*seen)++;
    if (json_integer_value(json_object_get(e, "status")) != 200)
        die("a /start reply failed in tgsim's log: HTTP %lld",
            (long long)json_integer_value(json_object_get(e, "status")));
    user *u = umap_get(json_integer_value(json_object_get(e, "chat_id")));
    if (u && !u->answered) {
        u->answered = true;
        start_left--;
    }
}

typedef struct bulk_tally {
    long delivered, n429, other;
    int64_t t_first, t_last; /* tgsim's t_ms (arrival), delivered calls only */
    int last_other_status;
    int64_t *t_ok, *t_429;   /* every delivery's and 429's t_ms, in log order */
    size_t cap_ok, cap_429;
} bulk_tally;

static void push_ms(int64_t **v, size_t *cap, long n, int64_t ms)
{
    if ((size_t)n >= *cap) {
        *cap = *cap ? *cap * 2 : 16384;
        if (!(*v = realloc(*v, *cap * sizeof **v)))
            die("out of memory");
    }
    (*v)[n] = ms;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* the most deliveries in any window [t, t + 1000 ms) (tgsim's sliding
 * window), and where the busiest one starts, relative to the first delivery */
static long max_window(int64_t *t, long n, int64_t *at)
{
    qsort(t, (size_t)n, sizeof *t, cmp_i64);
    long best = 0;
    *at = 0;
    for (long i = 0, j = 0; i < n; i++) {
        while (t[i] - t[j] >= 1000)
            j++;
        if (i - j + 1 > best) {
            best = i - j + 1;
            *at = t[j] - t[0];
        }
    }
    return best;
}

static void tally_bulk(json_t *e, void *ud)
{
    bulk_tally *t = ud;
    if (json_integer_value(json_object_get(e, "chat_id")) == opt.owner)
        return; /* "bulk: N в очереди", the owner's interactive reply */
    int st = (int)json_integer_value(json_object_get(e, "status"));
    int64_t ms = json_integer_value(json_object_get(e, "t_ms"));
    if (st == 200) {
        push_ms(&t->t_ok, &t->cap_ok, t->delivered, ms);
        if (!t->delivered || ms < t->t_first)
            t->t_first = ms;
        if (ms > t->t_last)
            t->t_last = ms;
        t->delivered++;
    } else if (st == 429) {
        push_ms(&t->t_429, &t->cap_429, t->n429, ms);
        t->n429++;
    } else {
        t->other++;
        t->last_other_status = st;
    }
}

static void stop_walord_clean(void);

static void bulk_main(void)
{
    int naud = opt.users;
    int per = (opt.bulk_total + naud - 1) / naud;
    if (per < 1 || per > 100)
        die("--bulk-total %d over %d users is %d per user; probe's /bulk takes 1-100", opt.bulk_total, naud, per);
    long expected = (long)per * naud;

    int64_t t_exec;
    start_walord(&t_exec);
    wait_ready_line();
    check_walord_alive();

    nusers = naud + 1;
    users = calloc((size_t)nusers, sizeof *users);
    umap_cap = 1;
    while (umap_cap < (size_t)nusers * 4)
        umap_cap *= 2;
    umap = malloc(umap_cap * sizeof *umap);
    if (!users || !umap)
        die("out of memory");
    memset(umap, 0xff, umap_cap * sizeof *umap);
    for (int i = 0; i < nusers; i++)
        users[i].idx = i;

    snprintf(url_buf, sizeof url_buf, "%s/_sim/stats", opt.sim);
    json_t *st = http_sync(url_buf, NULL, "GET /_sim/stats");
    log_seq = json_integer_value(json_object_get(st, "last_seq"));
    json_decref(st);

    /* 1. everybody writes /start, 64 at a time (tgsim: a thread per connection) */
    int64_t t0 = now_ns();
    start_left = nusers;
    bulk_create_user(0); /* the owner first: owners are matched on their first update */
    while (start_inflight)
        pump(20);
    for (start_next = 1; start_next < nusers || start_inflight;) {
        while (start_next < nusers && start_inflight < 64)
            bulk_create_user(start_next++);
        kick();
        pump(20);
        check_walord_alive();
    }
    double t_sends = (double)(now_ns() - t0) / 1e9;
    int64_t deadline = now_ns() + 60 * (int64_t)1000000000;
    int seen = 0;
    while (start_left > 0) {
        scan_send_log(mark_start_reply, &seen);
        if (start_left > 0) {
            sleep_ms(50);
            check_walord_alive();
            if (now_ns() > deadline)
                die("%d of %d users got no reply to /start within 60 s", start_left, nusers);
        }
    }
    /* the bot goes quiet (no more sends for 300 ms) */
    for (int quiet = 0; quiet < 6;) {
        int before = seen;
        sleep_ms(50);
        scan_send_log(mark_start_reply, &seen);
        quiet = seen == before ? quiet + 1 : 0;
    }
    fprintf(stderr, "host_bench: bulk: owner + %d users sent /start in %.2f s, all %d replied (%.2f s)\n", naud,
            t_sends, nusers, (double)(now_ns() - t0) / 1e9);

    /* 2. Telegram's flood control (scaled), an idle second, then the broadcast */
    char body[128];
    snprintf(body, sizeof body, "{\"global_per_s\":%g,\"per_chat_per_s\":1}", opt.bulk_rate);
    snprintf(url_buf, sizeof url_buf, "%s/_sim/ratelimit", opt.sim);
    json_decref(http_sync(url_buf, body, "POST /_sim/ratelimit"));
    sleep_ms(1200);
    scan_send_log(mark_start_reply, &seen); /* nothing new expected; moves log_seq on */
    snprintf(url_buf, sizeof url_buf, "%s/_sim/stats", opt.sim);
    json_t *s0 = http_sync(url_buf, NULL, "GET /_sim/stats");

    /* /bulk N id id …: at most ~3,000 characters per message */
    size_t cap = 3200, len = 0;
    char *cmd = malloc(cap);
    if (!cmd)
        die("out of memory");
    int ncmds = 0;
    int64_t t_cmd = now_ns();
    for (int i = 1; i < nusers; i++) {
        if (!len)
            len = (size_t)snprintf(cmd, cap, "/bulk %d", per);
        len += (size_t)snprintf(cmd + len, cap - len, " %lld", (long long)users[i].id);
        if (i == nusers - 1 || len > 3000) {
            /* the bot answers each command at once, and Telegram allows one
             * message a second per chat: a person cannot type faster anyway */
            if (ncmds)
                sleep_ms(1100);
            json_t *b = json_pack("{s:s}", "text", cmd);
            char *js = json_dumps(b, JSON_COMPACT);
            snprintf(url_buf, sizeof url_buf, "%s/_sim/users/%lld/send", opt.sim, opt.owner);
            json_decref(http_sync(url_buf, js, "POST send /bulk"));
            free(js);
            json_decref(b);
            ncmds++;
            len = 0;
        }
    }
    free(cmd);

    /* 3. the deliveries, from tgsim's call log */
    bulk_tally t = {0};
    deadline = now_ns() + (int64_t)(((double)expected / (opt.bulk_rate * 0.5) + 20) * 1e9);
    while (t.delivered < expected) {
        scan_send_log(tally_bulk, &t);
        if (t.other)
            die("%ld bulk sends failed in tgsim's log (last HTTP %d; see %s)", t.other, t.last_other_status,
                opt.log);
        if (t.delivered >= expected)
            break;
        check_walord_alive();
        if (now_ns() > deadline)
            die("only %ld of %ld bulk messages delivered in time", t.delivered, expected);
        sleep_ms(100);
    }
    double t_wall = (double)(now_ns() - t_cmd) / 1e9;
    sleep_ms(500); /* anything more (a duplicate) would show up now */
    scan_send_log(tally_bulk, &t);
    snprintf(url_buf, sizeof url_buf, "%s/_sim/stats", opt.sim);
    json_t *s1 = http_sync(url_buf, NULL, "GET /_sim/stats");
    long n429 = (long)(json_integer_value(json_object_get(s1, "count429")) -
                       json_integer_value(json_object_get(s0, "count429")));
    json_decref(s0);
    json_decref(s1);
    if (t.delivered != expected)
        die("%ld bulk messages delivered, expected %ld (duplicates?)", t.delivered, expected);

    double span = (double)(t.t_last - t.t_first) / 1000.0;
    double rate = span > 0 ? (double)(t.delivered - 1) / span : 0;
    fprintf(stderr,
            "host_bench: bulk: %ld messages (%d to each of %d users, %d /bulk commands), first to last delivery "
            "%.2f s = %.1f/s of %.0f/s configured (the outbox paces at 97 %%: %.1f/s); %ld x 429 in the log, "
            "%ld in tgsim's count429; %.2f s from the first /bulk to the last delivery\n",
            t.delivered, per, naud, ncmds, span, rate, opt.bulk_rate, opt.bulk_rate * 0.97, t.n429, n429, t_wall);
    int64_t busiest_at;
    long busiest = max_window(t.t_ok, t.delivered, &busiest_at);
    long first_s = 0;
    for (long i = 0; i < t.delivered && t.t_ok[i] - t.t_first < 1000; i++)
        first_s++;
    char when[256] = "";
    for (long i = 0, n = 0; i < t.n429 && n < (long)sizeof when - 16; i++)
        n += snprintf(when + n, sizeof when - (size_t)n, "%s%+.3f", i ? " " : "",
                      (double)(t.t_429[i] - t.t_first) / 1000.0);
    fprintf(stderr,
            "host_bench: bulk: %ld delivered in the first second, at most %ld in any 1 s window (from %+.3f s); "
            "429s at [%s] s from the first delivery\n",
            first_s, busiest, (double)busiest_at / 1000.0, when);
    free(t.t_ok);
    free(t.t_429);
    stop_walord_clean();
    printf("bench-part: bulk_efficiency=%.3f bulk_429=%ld bulk_per_s=%.1f bulk_msgs=%ld bulk_span_s=%.2f\n",
           rate / opt.bulk_rate, n429, rate, t.delivered, span);
}

/* SIGTERM; walord must exit with code 0 within 20 s */
static void stop_walord_clean(void)
{
    kill(walord_pid, SIGTERM);
    int st = 0;
    int64_t deadline = now_ns() + 20 * (int64_t)1000000000;
    while (waitpid(walord_pid, &st, WNOHANG) != walord_pid) {
        if (now_ns() > deadline)
            die("walord did not exit within 20 s of SIGTERM");
        sleep_ms(10);
    }
    walord_pid = -1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("walord stopped with %s %d (expected exit code 0)", WIFEXITED(st) ? "exit code" : "signal",
            WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* --free-port: bind 127.0.0.1:0, print the port the kernel gave, close.
 * (walord's [http] listen needs the port before it starts: the webhook URL
 * names it; a tiny window for a race, as with any free-port probe.) */
static int print_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("host_bench: --free-port");
        return 1;
    }
    printf("%u\n", (unsigned)ntohs(a.sin_port));
    close(fd);
    return 0;
}

/* ------------------------------------------------------------ main */

static long method_calls(json_t *stats, const char *method)
{
    return (long)json_integer_value(json_object_get(json_object_get(json_object_get(stats, "methods"), method),
                                                    "calls"));
}

static void usage(void)
{
    fputs("usage: host_bench --sim URL --walord EXE --config INI --log FILE [--token T] [--pid-file F]\n"
          "                  [--tgsim-pid PID] [--users N] [--updates N] [--seconds S] [--rate R]\n"
          "                  [--lat-seconds S] [--getme-seconds S] [--mode polling|webhook|bulk]\n"
          "                  [--bulk-total N] [--bulk-rate R] [--owner ID]\n"
          "                  [--callgrind DIR [--tgsim-callgrind]]\n"
          "       host_bench --free-port   (prints a TCP port free on 127.0.0.1 now)\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"sim", required_argument, NULL, 's'},        {"token", required_argument, NULL, 't'},
        {"walord", required_argument, NULL, 'w'},     {"config", required_argument, NULL, 'c'},
        {"log", required_argument, NULL, 'l'},        {"pid-file", required_argument, NULL, 'p'},
        {"tgsim-pid", required_argument, NULL, 'g'},  {"users", required_argument, NULL, 'u'},
        {"updates", required_argument, NULL, 'n'},    {"seconds", required_argument, NULL, 'S'},
        {"rate", required_argument, NULL, 'r'},       {"lat-seconds", required_argument, NULL, 'L'},
        {"getme-seconds", required_argument, NULL, 'G'}, {"mode", required_argument, NULL, 'm'},
        {"bulk-total", required_argument, NULL, 'B'}, {"bulk-rate", required_argument, NULL, 'R'},
        {"owner", required_argument, NULL, 'o'},      {"free-port", no_argument, NULL, 'F'},
        {"callgrind", required_argument, NULL, 'C'},  {"tgsim-callgrind", no_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 's': opt.sim = optarg; break;
        case 't': opt.token = optarg; break;
        case 'w': opt.walord = optarg; break;
        case 'c': opt.config = optarg; break;
        case 'l': opt.log = optarg; break;
        case 'p': opt.pid_file = optarg; break;
        case 'g': opt.tgsim_pid = atoi(optarg); break;
        case 'u': opt.users = atoi(optarg); break;
        case 'n': opt.tp_updates = atoi(optarg); break;
        case 'S': opt.tp_seconds = atof(optarg); break;
        case 'r': opt.rate = atof(optarg); break;
        case 'L': opt.lat_seconds = atof(optarg); break;
        case 'G': opt.getme_seconds = atof(optarg); break;
        case 'm':
            if (!strcmp(optarg, "polling"))
                opt.mode = MODE_POLLING;
            else if (!strcmp(optarg, "webhook"))
                opt.mode = MODE_WEBHOOK;
            else if (!strcmp(optarg, "bulk"))
                opt.mode = MODE_BULK;
            else
                usage();
            break;
        case 'B': opt.bulk_total = atoi(optarg); break;
        case 'R': opt.bulk_rate = atof(optarg); break;
        case 'o': opt.owner = atoll(optarg); break;
        case 'F': return print_free_port();
        case 'C': opt.callgrind = optarg; break;
        case 'T': opt.tgsim_callgrind = true; break;
        default: usage();
        }
    }
    if (!opt.sim || !opt.walord || !opt.config || !opt.log || opt.users < 1 || opt.tp_updates < 1 ||
        opt.rate <= 0 || opt.bulk_rate <= 0)
        usage();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_DFL);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 2048L);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    json_hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    json_hdrs = curl_slist_append(json_hdrs, "Expect:");

    if (opt.mode == MODE_BULK) {
        bulk_main();
        return 0;
    }
    const bool webhook = opt.mode == MODE_WEBHOOK;

    /* 1. tgsim alone */
    if (opt.getme_seconds > 0) {
        double getme = phase_getme();
        printf("bench: tgsim_req_per_s=%.0f\n", getme);
        fflush(stdout);
    }

    /* 2. start-up and idle memory */
    int64_t t_exec;
    start_walord(&t_exec);
    wait_ready_line();
    int64_t t_ready = now_ns();
    sleep_ms(500); /* idle: in its first long poll, nothing else to do */
    check_walord_alive();
    long rss_kb = proc_status_kb(walord_pid, "VmRSS");
    long ready = walord_ready_ms();

    /* 3-5. load */
    snprintf(url_buf, sizeof url_buf, "%s/_sim/stats", opt.sim);
    json_t *s0 = http_sync(url_buf, NULL, "GET /_sim/stats");
    phase_setup();
    /* webhook: walord says ready once setWebhook succeeded; it never polls */
    double startup = -1;
    if (webhook) {
        fprintf(stderr,
                "host_bench: webhook mode: %.0f ms from exec to 'walord: ready' (webhook set), idle VmRSS %ld kB\n",
                (double)(t_ready - t_exec) / 1e6, rss_kb);
    } else {
        startup = first_get_updates_ms(t_exec);
        fprintf(stderr, "host_bench: startup %.0f ms to the first getUpdates (walord logs ready in %ld ms), idle VmRSS %ld kB\n",
                startup, ready, rss_kb);
    }
    fprintf(stderr, "host_bench: %d users created, each sent /hello and got the counter screen\n", nusers);
    lat_result lr = {0};
    if (opt.lat_seconds > 0) {
        lr = phase_latency();
        fprintf(stderr,
            "host_bench: open loop: %ld presses at %.0f/s offered (%.0f/s achieved, max schedule lag %.2f ms, "
            "no idle user %ld times): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
            lr.sent, opt.rate, lr.achieved_rate, lr.max_lag_ms, lr.no_idle, lr.p50, lr.p90, lr.p99, lr.max);
    }
    tp_result tr = phase_throughput();
    fprintf(stderr,
            "host_bench: %sclosed loop: %ld presses by %d users in %.2f s = %.0f/s; CPU (%% of one core): "
            "walord %.0f (%.0f %% of it in the kernel), tgsim %.0f, driver %.0f\n",
            webhook ? "webhook " : "", tr.done, nusers, tr.secs, tr.per_s, tr.walord_cpu,
            tr.walord_cpu_s > 0 ? 100 * tr.walord_sys_s / tr.walord_cpu_s : 0, tr.tgsim_cpu, tr.driver_cpu);

    /* every press must have been an edit (hello's counter screen), not an error alert */
    snprintf(url_buf, sizeof url_buf, "%s/_sim/stats", opt.sim);
    json_t *s1 = http_sync(url_buf, NULL, "GET /_sim/stats");
    long presses = lr.sent + tr.done;
    long edits = method_calls(s1, "editMessageText") - method_calls(s0, "editMessageText");
    long answers = method_calls(s1, "answerCallbackQuery") - method_calls(s0, "answerCallbackQuery");
    long gu = method_calls(s1, "getUpdates") - method_calls(s0, "getUpdates");
    fprintf(stderr, "host_bench: tgsim saw %ld editMessageText, %ld answerCallbackQuery, %ld getUpdates for %ld presses\n",
            edits, answers, gu, presses);
    json_decref(s0);
    json_decref(s1);
    if (edits != presses || answers != presses)
        die("expected one edit and one answer per press (handler errors? see %s)", opt.log);
    if (webhook && gu != 0)
        die("webhook mode, yet walord called getUpdates %ld times", gu);

    /* 6. peak memory, clean stop */
    check_walord_alive();
    long hwm_kb = proc_status_kb(walord_pid, "VmHWM");
    long rss_end_kb = proc_status_kb(walord_pid, "VmRSS");
    stop_walord_clean();
    fprintf(stderr, "host_bench: walord RSS after load %ld kB, peak (VmHWM) %ld kB; stopped cleanly\n",
            rss_end_kb, hwm_kb);

    double per = tr.done > 0 ? (double)tr.done : 1;
    if (opt.callgrind)
        printf("bench-part: instr_per_update=%.0f tgsim_instr_per_update=%.0f\n", tr.walord_instr / per,
               tr.tgsim_instr >= 0 ? tr.tgsim_instr / per : -1);
    else if (webhook)
        printf("bench-part: webhook_updates_per_s=%.0f webhook_walord_cpu_pct=%.0f webhook_cpu_us_per_update=%.0f "
               "webhook_tgsim_cpu_us_per_update=%.0f webhook_presses=%ld\n",
               tr.per_s, tr.walord_cpu, tr.walord_cpu_s * 1e6 / per,
               tr.tgsim_cpu_s >= 0 ? tr.tgsim_cpu_s * 1e6 / per : -1, tr.done);
    else
        printf("bench: updates_per_s=%.0f p50_ms=%.2f p99_ms=%.2f rss_mb=%.1f startup_ms=%.0f peak_rss_mb=%.1f "
               "ready_ms=%ld walord_cpu_pct=%.0f cpu_us_per_update=%.0f tgsim_cpu_us_per_update=%.0f\n",
               tr.per_s, lr.p50, lr.p99, (double)rss_kb / 1024, startup, (double)hwm_kb / 1024, ready, tr.walord_cpu,
               tr.walord_cpu_s * 1e6 / per, tr.tgsim_cpu_s >= 0 ? tr.tgsim_cpu_s * 1e6 / per : -1);
    curl_slist_free_all(json_hdrs);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}
