/* Error reports to the owners (F-HOST-04) and the crash handler.
 *
 * A failure becomes a .txt document sent to every owner: plugin, where,
 * error, time, user, conversation state and the update, secrets removed
 * (the rule is in ops.h). The gate (report_gate.c) keeps a failing handler
 * from flooding the owners: at most 10 reports a minute, the same failure
 * once per 10 minutes with the repeats summarised afterwards. Sends go
 * through the Telegram client's async queue, which any thread may use. */
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_slots.h"
#include "conv.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "num.h"
#include "ops.h"
#include "report.h"
#include "tg.h"

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static wh_report_gate gate;

/* the key separates its parts with a byte no plugin name or handler has */
#define SEP '\x1f'

#define TIMES_BUF (WH_NUM_BUF + 8)

/* "1 раз", "3 раза", "12 раз" into buf (TIMES_BUF bytes) */
static const char *times_text(int64_t n, char *buf)
{
    const char *w;
    size_t wl;
    size_t l = wh_num_format(buf, WH_NUM_BUF, n, 0);
    wh_plural_pick("раз|раза|раз", n, &w, &wl);
    snprintf(buf + l, TIMES_BUF - l, " %.*s", (int)wl, w);
    return buf;
}

static const char *role_name(uint32_t r)
{
    static const char *const names[] = {"клиент", "тестировщик", "менеджер", "владелец"};
    return r <= WALOR_ROLE_OWNER ? names[r] : "?";
}

/* minimal HTML escape into a malloc'd string, for captions built without a ctx */
static char *esc(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : 1;
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (const char *p = s; *p; p++) {
        const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : NULL;
        if (rep) {
            size_t l = strlen(rep);
            memcpy(o, rep, l);
            o += l;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static void secrets(const char *out[4], size_t *n)
{
    *n = 0;
    const char *tok = wh_g.cfg.token;
    if (tok && *tok) {
        out[(*n)++] = tok;
        const char *colon = strchr(tok, ':');
        if (colon && colon[1])
            out[(*n)++] = colon + 1;
    }
    if (wh_g.cfg.webhook_secret && *wh_g.cfg.webhook_secret)
        out[(*n)++] = wh_g.cfg.webhook_secret;
}

static void local_time(int64_t t, char *buf, size_t len, const char *fmt)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, fmt, &tm);
}

/* a growing text; on OOM it just stops growing */
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

__attribute__((format(printf, 2, 3))) static void add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0)
        return;
    if (b->n + (size_t)need + 1 > b->cap) {
        size_t cap = (b->n + (size_t)need + 1) * 2;
        char *g = realloc(b->s, cap);
        if (!g)
            return;
        b->s = g;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)need;
}

static void send_to_owners(const char *method, json_t *params, const wh_tg_upload *up)
{
    for (size_t i = 0; i < wh_g.nowners; i++) {
        json_t *p = json_deep_copy(params);
        json_object_set_new(p, "chat_id", json_integer((json_int_t)wh_g.owners[i]));
        /* async: the caller may be any thread, the loop thread included */
        int32_t rc = wh_tg_call(wh_g.tg, method, p, up, wh_g.owners[i], WH_TG_INTERACTIVE, NULL);
        if (rc < 0)
            wh_warn("error report to owner %lld not queued: %s", (long long)wh_g.owners[i], wh_last_error());
    }
    json_decref(params);
}

static void user_part(sbuf *b, walor_ctx *c, const char *const *sec, size_t nsec)
{
    json_t *from = NULL;
    if (c->update) {
        json_t *cb = json_object_get(c->update, "callback_query");
        json_t *msg = json_object_get(c->update, "message");
        from = json_object_get(cb ? cb : msg, "from");
    }
    const char *first = json_string_value(json_object_get(from, "first_name"));
    const char *last = json_string_value(json_object_get(from, "last_name"));
    const char *uname = json_string_value(json_object_get(from, "username"));
    if (c->user_id)
        add(b, "Пользователь: %lld%s%s%s%s%s%s (%s)\n", (long long)c->user_id, first ? " " : "", first ? first : "",
            last ? " " : "", last ? last : "", uname ? " @" : "", uname ? uname : "", role_name(c->role));
    else
        add(b, "Пользователь: — (не в ответ на действие пользователя)\n");
    if (c->chat_id && c->chat_id != c->user_id)
        add(b, "Чат: %lld\n", (long long)c->chat_id);

    if (c->w && c->chat_id && !c->conv_loaded)
        wh_conv_load(c);
    if (c->conv.active && c->conv.def) {
        json_t *data = c->conv.data ? json_deep_copy(c->conv.data) : json_object();
        wh_scrub_json(data, sec, nsec);
        char *d = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
        add(b, "Диалог: %s, шаг «%s», данные: %s\n", c->conv.def->name, c->conv.state ? c->conv.state->name : "?",
            d ? d : "{}");
        free(d);
        json_decref(data);
    } else {
        add(b, "Диалог: нет\n");
    }
    if (c->update) {
        json_t *u = json_deep_copy(c->update);
        wh_scrub_json(u, sec, nsec);
        char *d = json_dumps(u, JSON_INDENT(2) | JSON_SORT_KEYS);
        add(b, "\nОбновление Telegram (секреты удалены):\n%s\n", d ? d : "?");
        free(d);
        json_decref(u);
    }
}

void wh_report_failure(walor_ctx *c, const char *plugin, const char *where, const char *error)
{
    plugin = plugin && *plugin ? plugin : "host";
    where = where && *where ? where : "?";
    error = error ? error : "";
    char *key = NULL;
    if (asprintf(&key, "%s%c%s%c%s", plugin, SEP, where, SEP, error) < 0)
        return;
    int64_t now = wh_now(), repeats = 0, limited = 0;
    pthread_mutex_lock(&gate_mu);
    int verdict = wh_report_gate_check(&gate, key, now, &repeats);
    if (verdict == WH_REPORT_SEND)
        limited = wh_report_gate_take_limited(&gate);
    pthread_mutex_unlock(&gate_mu);
    free(key);
    if (verdict != WH_REPORT_SEND) {
        wh_debug("error report %s/%s held back (%s)", plugin, where,
                 verdict == WH_REPORT_DUP ? "a repeat within 10 minutes" : "over the rate limit");
        return;
    }
    if (!wh_g.tg || wh_g.nowners == 0)
        return;

    const char *sec[4];
    size_t nsec;
    secrets(sec, &nsec);
    char when[64];
    local_time(now, when, sizeof when, "%d.%m.%Y %H:%M:%S %Z");
    sbuf b = {0};
    char n[TIMES_BUF];
    add(&b, "Walor: отчёт об ошибке\n======================\n");
    add(&b, "Время: %s (%s)\n", when, wh_g.cfg.timezone ? wh_g.cfg.timezone : "UTC");
    add(&b, "Плагин: %s\nГде: %s\nОшибка: %s\n", plugin, where, error);
    if (repeats)
        add(&b, "Повторилось %s с предыдущего отчёта.\n", times_text(repeats, n));
    if (limited)
        add(&b, "До этого отчёта пропущено %lld (не больше %d отчётов в минуту).\n", (long long)limited,
            WH_REPORT_RATE);
    if (c)
        user_part(&b, c, sec, nsec);
    add(&b, "\nОдинаковые ошибки присылаются раз в 10 минут, с числом повторов.\n");
    char *text = wh_scrub_text(b.s ? b.s : "", sec, nsec);
    free(b.s);
    if (!text)
        return;

    char stamp[32], fname[160];
    local_time(now, stamp, sizeof stamp, "%Y%m%d-%H%M%S");
    snprintf(fname, sizeof fname, "error-%s-%s.txt", plugin, stamp);
    char *cap_plain = NULL, *cap = NULL;
    if (asprintf(&cap_plain, "%s · %s", plugin, where) >= 0)
        cap = esc(cap_plain);
    char *cap_html = NULL;
    if (asprintf(&cap_html, "⚠️ Ошибка: <b>%s</b>", cap ? cap : "") < 0)
        cap_html = NULL;
    json_t *params = json_pack("{s:s, s:s}", "caption", cap_html ? cap_html : "⚠️ Ошибка", "parse_mode", "HTML");
    wh_tg_upload up = {.field = "document", .filename = fname, .data = text, .len = strlen(text),
                       .mime = "text/plain; charset=utf-8"};
    send_to_owners("sendDocument", params, &up);
    free(cap_plain);
    free(cap);
    free(cap_html);
    free(text);
}

void wh_report_notice(const char *html)
{
    if (!wh_g.tg || wh_g.nowners == 0 || !html)
        return;
    send_to_owners("sendMessage", json_pack("{s:s, s:s}", "text", html, "parse_mode", "HTML"), NULL);
}

/* ---- summaries of repeats (timer in ops.c) ---- */

static void summary(const char *key, int64_t repeats, void *ud)
{
    (void)ud;
    const char *sec[4];
    size_t nsec;
    secrets(sec, &nsec);
    char *plain = wh_scrub_text(key, sec, nsec);
    if (!plain)
        return;
    for (char *p = plain; *p; p++)
        if (*p == SEP)
            *p = '\n';
    /* plugin \n where \n error → "plugin · where: error" */
    char *where = strchr(plain, '\n'), *err = where ? strchr(where + 1, '\n') : NULL;
    if (where && err) {
        *where++ = '\0';
        *err++ = '\0';
    }
    char *line = NULL;
    if (asprintf(&line, "%s · %s: %s", plain, where ? where : "", err ? err : "") >= 0) {
        char *e = esc(line);
        char *html = NULL, n[TIMES_BUF];
        if (e && asprintf(&html, "⚠️ Ошибка повторилась ещё %s за 10 минут:\n<code>%s</code>", times_text(repeats, n), e) >= 0 &&
            wh_g.tg) {
            send_to_owners("sendMessage", json_pack("{s:s, s:s}", "text", html, "parse_mode", "HTML"), NULL);
        }
        free(html);
        free(e);
    }
    free(line);
    free(plain);
}

void wh_report_flush_due(void)
{
    pthread_mutex_lock(&gate_mu);
    wh_report_gate_due(&gate, wh_now(), summary, NULL);
    pthread_mutex_unlock(&gate_mu);
}

/* ---- the report_error slot ---- */

static int32_t report_error(walor_ctx *c, const char *what)
{
    if (!c || c->kind != WH_KIND_CTX)
        return wh_error(WALOR_EPHASE, "report_error needs the callback's ctx");
    if (!what || !*what)
        return wh_error(WALOR_EINVAL, "report_error needs a description");
    wh_logf(WH_LOG_ERROR, c->plugin ? c->plugin->name : "host", "reported: %s", what);
    wh_report_failure(c, c->plugin ? c->plugin->name : "host", "walor_report_error", what);
    return 0;
}

void wh_report_fill(walor_host_api *api) { api->report_error = report_error; }

/* ---- crash handler ----
 * On a fatal signal: a backtrace to stderr and the log file, then the
 * signal again with the default action (SA_RESETHAND), so the process dies
 * as it would have and systemd restarts it; main.c sets aside an update
 * that was in flight during three crashes. Only async-signal-safe calls
 * here: write(), backtrace() (warmed up at install, so it does not load
 * libgcc inside the handler) and backtrace_symbols_fd(). ASan has its own
 * handler with better reports, so under ASan this one is not installed. */

#if !defined(__SANITIZE_ADDRESS__)
static int crash_log_fd = -1;

static void say_fd(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void on_crash(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    (void)uc;
    const char *name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGFPE ? "SIGFPE"
                       : sig == SIGABRT ? "SIGABRT" : "signal";
    void *frames[64];
    int n = backtrace(frames, 64);
    int fds[2] = {2, crash_log_fd};
    for (int i = 0; i < 2; i++) {
        if (fds[i] < 0)
            continue;
        say_fd(fds[i], "walord: fatal ");
        say_fd(fds[i], name);
        say_fd(fds[i], ", backtrace:\n");
        backtrace_symbols_fd(frames, n, fds[i]);
    }
    raise(sig);
}

void wh_report_install_crash_handler(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    void *warm[2];
    backtrace(warm, 2);
    if (wh_g.cfg.log_file)
        crash_log_fd = open(wh_g.cfg.log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    /* the alternate stack lets the handler run after a stack overflow on
     * this thread; other threads use their own stack, which is enough for
     * every other fault */
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
}
#else
void wh_report_install_crash_handler(void) {}
#endif
