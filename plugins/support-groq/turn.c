/* support-groq: one question's life (F-SUP-01, F-SUP-03).
 *
 *   sup_turn_start   the request is built (prompt.c) and sent with
 *                    walor_http_start: no worker waits for the model
 *   on_chunk         SSE events → the answer so far (answer.c) → the screen
 *                    (reply.c), at most once a draft interval
 *   on_done          what the attempt came to (keys.h):
 *                      ok with tool calls → run them (tools.c), ask again
 *                      ok                 → the final answer, kept in the
 *                                           ticket; the marker or the
 *                                           call_operator tool escalates
 *                      401/403, 429, 5xx, timeout, a stream cut short
 *                                         → the key's state, another key or
 *                                           a retry while attempts last
 *                      400 with tools     → again without them
 *                      anything else, or no key left
 *                                         → "an operator will answer" and
 *                                           the ticket goes to the staff
 *
 * Every callback of a question runs on the worker queue of its chat, so a
 * turn is only ever touched by one thread at a time; the registry (one
 * turn per chat) is the only shared state and has its own lock. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "keys.h"
#include "sup.h"
#include "trim.h"

#define TOOL_ROUNDS 3
#define RAW_MAX (256u * 1024) /* a server that ignored "stream" answers with one JSON */

typedef struct turn {
    struct turn *next;
    int64_t chat_id, user_id, ticket_id;
    json_t *messages;
    int tools;
    uint32_t tried;
    int attempts, rounds, last_transient, key_idx;
    uint64_t call_id;
    sup_sse sse;
    sup_answer ans;
    int broken;
    char *raw;
    size_t raw_len;
    sup_screen screen;
    int64_t pids[SUP_MAX_PRODUCTS];
    int npids;
    int cancelled;
} turn;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static turn *turns;
static int nturns;
static _Atomic int tools_refused; /* tools = auto and the server said no: not again in this process */
static _Atomic int64_t draft_seq;

/* ---- the registry: one question at a time per chat ---- */

static int reg_add(turn *t)
{
    pthread_mutex_lock(&mu);
    for (turn *x = turns; x; x = x->next)
        if (x->chat_id == t->chat_id) {
            pthread_mutex_unlock(&mu);
            return -1;
        }
    t->next = turns;
    turns = t;
    nturns++;
    pthread_mutex_unlock(&mu);
    return 0;
}

static void reg_del(turn *t)
{
    pthread_mutex_lock(&mu);
    for (turn **p = &turns; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            nturns--;
            break;
        }
    pthread_mutex_unlock(&mu);
}

int sup_turn_busy(int64_t chat_id)
{
    pthread_mutex_lock(&mu);
    int busy = 0;
    for (turn *x = turns; x && !busy; x = x->next)
        busy = x->chat_id == chat_id;
    pthread_mutex_unlock(&mu);
    return busy;
}

int sup_turns_active(void)
{
    pthread_mutex_lock(&mu);
    int n = nturns;
    pthread_mutex_unlock(&mu);
    return n;
}

/* called on the chat's own queue: the turn cannot change under us */
void sup_turn_cancel(walor_ctx *c, int64_t chat_id)
{
    pthread_mutex_lock(&mu);
    turn *t = turns;
    while (t && t->chat_id != chat_id)
        t = t->next;
    pthread_mutex_unlock(&mu);
    if (t && !t->cancelled) {
        t->cancelled = 1;
        walor_http_cancel(c, t->call_id);
    }
}

static void turn_free(turn *t)
{
    reg_del(t);
    json_decref(t->messages);
    sup_sse_free(&t->sse);
    sup_answer_free(&t->ans);
    free(t->raw);
    free(t);
}

static void ud_free(void *ud) { turn_free(ud); }

/* ---- usage and the daily budget ---- */

int64_t sup_day(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int64_t sup_today(walor_ctx *c) { return sup_day(walor_now(c)); }

int32_t sup_usage_add(walor_ctx *c, int64_t tokens)
{
    int64_t day = sup_today(c);
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO support_usage(day, tokens, requests) VALUES (?, ?, 1) ON CONFLICT (day) "
                               "DO UPDATE SET tokens = support_usage.tokens + excluded.tokens, "
                               "requests = support_usage.requests + 1",
                               WALOR_ARGS(walor_i(day), walor_i(tokens)));
    int64_t budget = sup_setting(c, "daily_tokens", 300000);
    if (rc < 0 || budget <= 0)
        return rc < 0 ? rc : 0;
    /* the staff hear of it once a day: whoever flips "alerted" tells them */
    rc = walor_db_exec(c, "UPDATE support_usage SET alerted = 1 WHERE day = ? AND tokens >= ? AND alerted = 0",
                       WALOR_ARGS(walor_i(day), walor_i(budget)));
    if (rc > 0)
        walor_notify_staff(c, WALOR_ROLE_OWNER,
                           TF(c, "staff.budget", "budget", walor_ctx_printf(c, "%lld", (long long)budget)), NULL);
    return rc < 0 ? rc : 0;
}

int sup_budget_left(walor_ctx *c)
{
    int64_t budget = sup_setting(c, "daily_tokens", 300000), used = 0;
    if (budget <= 0)
        return 1;
    if (walor_db_int(c, "SELECT tokens FROM support_usage WHERE day = ?", WALOR_ARGS(walor_i(sup_today(c))), &used) < 0)
        used = 0;
    return used < budget;
}

/* ---- the end of a question ---- */

/* nothing the model said can be used: apologise, and a person takes over */
static void give_up(walor_ctx *c, turn *t, const char *why)
{
    sup_screen_abandon(c, &t->screen);
    walor_send(c, t->chat_id, T(c, "ai_down"), NULL, 0, NULL);
    if (sup_ticket_escalate(c, t->user_id, why) < 0)
        walor_log(c, WALOR_LOG_ERROR, "cannot escalate ticket %lld: %s", (long long)t->ticket_id,
                  walor_last_error(c));
    turn_free(t);
}

static void escalated(walor_ctx *c, turn *t, const char *reason)
{
    int32_t rc = sup_ticket_escalate(c, t->user_id, reason);
    if (rc < 0)
        walor_log(c, WALOR_LOG_ERROR, "cannot escalate: %s", walor_last_error(c));
    walor_send(c, t->chat_id, T(c, "escalated"), NULL, 0, NULL);
}

static void deliver(walor_ctx *c, turn *t)
{
    char *text = t->ans.content ? t->ans.content : "";
    int marker = sup_fmt_take_marker(text);
    if (*text) {
        if (sup_screen_final(c, &t->screen, text, t->pids, t->npids) < 0)
            walor_log(c, WALOR_LOG_WARN, "answer not sent: %s", walor_last_error(c));
        sup_incoming in = {.kind = "text", .text = text};
        int64_t tokens = t->ans.completion_tokens ? t->ans.completion_tokens : sup_tokens(text);
        if (sup_ticket_add(c, t->ticket_id, "ai", 0, &in, tokens, 1) < 0)
            walor_log(c, WALOR_LOG_ERROR, "answer not kept: %s", walor_last_error(c));
    }
    if (marker)
        escalated(c, t, "ассистент не может помочь");
    else if (!*text) {
        give_up(c, t, "пустой ответ модели");
        return;
    }
    turn_free(t);
}

static int32_t attempt(walor_ctx *c, turn *t);

/* the model asked for tools: run them, put their answers next to its call, ask again */
static void tool_round(walor_ctx *c, turn *t)
{
    json_t *calls = json_array();
    for (int i = 0; i < t->ans.ncalls; i++) {
        sup_call *k = &t->ans.calls[i];
        if (!k->id[0]) /* some local servers give none: the tool's answer must name its call */
            snprintf(k->id, sizeof k->id, "call_%d_%d", t->rounds, i);
        json_array_append_new(calls, json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", k->id, "type", "function",
                                               "function", "name", k->name, "arguments", k->args ? k->args : "{}"));
    }
    json_array_append_new(t->messages, json_pack("{s:s, s:n, s:o}", "role", "assistant", "content", "tool_calls",
                                                 calls));
    const char *escalate = NULL;
    for (int i = 0; i < t->ans.ncalls; i++) {
        sup_call *k = &t->ans.calls[i];
        sup_tool_out out;
        if (sup_tool_run(c, t->user_id, k->name, k->args, &out) < 0)
            out.content = "Ошибка инструмента: попробуйте иначе.";
        walor_log(c, WALOR_LOG_DEBUG, "tool %s for chat %lld", k->name, (long long)t->chat_id);
        for (int j = 0; j < out.npids && t->npids < SUP_MAX_PRODUCTS; j++)
            t->pids[t->npids++] = out.pids[j];
        if (out.escalate)
            escalate = out.reason;
        json_array_append_new(t->messages, json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id", k->id,
                                                     "content", out.content ? out.content : ""));
    }
    if (escalate) {
        escalated(c, t, escalate);
        turn_free(t);
        return;
    }
    t->rounds++;
    t->tried = 0;
    t->attempts = 0;
    t->last_transient = 0;
    if (attempt(c, t) < 0)
        give_up(c, t, "модель недоступна");
}

/* ---- the stream ---- */

static int on_event(void *ud, const char *data, size_t len)
{
    turn *t = ud;
    if (sup_answer_chunk(&t->ans, data, len) != 0) {
        t->broken = 1;
        return 1;
    }
    return 0;
}

static int32_t on_chunk(walor_ctx *c, void *ud, const char *data, size_t len)
{
    turn *t = ud;
    if (t->cancelled)
        return 1;
    if (t->ans.chunks == 0 && t->raw_len + len <= RAW_MAX) { /* kept until the first event proves it SSE */
        char *r = realloc(t->raw, t->raw_len + len + 1);
        if (r) {
            memcpy(r + t->raw_len, data, len);
            t->raw = r;
            t->raw_len += len;
            r[t->raw_len] = '\0';
        }
    }
    if (sup_sse_feed(&t->sse, data, len, on_event, t) != 0)
        return 1; /* not a completion stream: the attempt fails as broken */
    if (t->ans.ncalls == 0 && t->ans.content)
        sup_screen_progress(c, &t->screen, t->ans.content, 0);
    return 0;
}

/* seconds from Retry-After, else from Groq's "x-ratelimit-reset-*" ("7.66s", "2m59.56s") */
static int64_t retry_after(walor_ctx *c, const walor_http_response *r)
{
    const char *v = walor_http_resp_header(c, r, "retry-after");
    if (v && *v >= '0' && *v <= '9')
        return strtoll(v, NULL, 10);
    v = walor_http_resp_header(c, r, "x-ratelimit-reset-tokens");
    if (!v)
        v = walor_http_resp_header(c, r, "x-ratelimit-reset-requests");
    double s = 0;
    for (const char *p = v; p && *p;) {
        char *end;
        double x = strtod(p, &end);
        if (end == p)
            break;
        if (!strncmp(end, "ms", 2))
            s += x / 1000, p = end + 2;
        else if (*end == 'h')
            s += x * 3600, p = end + 1;
        else if (*end == 'm')
            s += x * 60, p = end + 1;
        else if (*end == 's')
            s += x, p = end + 1;
        else {
            s += x;
            break;
        }
    }
    return s > 0 ? (int64_t)s + 1 : 0;
}

static int32_t on_done(walor_ctx *c, void *ud, int32_t rc, const walor_http_response *resp)
{
    turn *t = ud;
    if (t->cancelled || rc == WALOR_ECANCELED) {
        /* the customer moved on (an operator), or walord is stopping: the
         * question stays in the ticket, nobody is told of a failure */
        turn_free(t);
        return 0;
    }
    int32_t status = rc == 0 ? resp->status : 0;
    char why[300] = "";
    if (rc != 0)
        snprintf(why, sizeof why, "%s", walor_last_error(c));
    else if (status < 200 || status >= 300)
        sup_answer_error(resp->body, resp->body_len, why, sizeof why);
    if (status >= 200 && status < 300) {
        if (t->ans.chunks == 0 && t->raw_len && sup_answer_full(&t->ans, t->raw, t->raw_len) == 0)
            t->sse.done = 1; /* a server that does not stream: one JSON answer */
        if (t->broken || (!t->sse.done && !t->ans.finish[0])) {
            status = 0; /* cut in the middle, or not a completion: as a failed transfer */
            snprintf(why, sizeof why, "%s", t->broken ? "the stream is not a chat completion"
                                                      : "the stream ended before the answer did");
        }
    }
    int out = sup_keys_classify(status, t->tools);
    sup_keys_outcome(c, t->key_idx, out, out == SUP_OUT_RATE ? retry_after(c, resp) : 0, why);
    if (out == SUP_OUT_OK) {
        int64_t used = t->ans.prompt_tokens + t->ans.completion_tokens;
        if (used == 0)
            used = sup_tokens(json_string_value(json_object_get(json_array_get(t->messages, 0), "content"))) +
                   sup_tokens(t->ans.content);
        sup_usage_add(c, used);
        if (t->ans.ncalls > 0 && t->rounds < TOOL_ROUNDS)
            tool_round(c, t);
        else
            deliver(c, t);
        return 0;
    }
    walor_log(c, WALOR_LOG_INFO, "model attempt %d with key #%d failed: %d %s", t->attempts, t->key_idx + 1,
              (int)status, why);
    if (out == SUP_OUT_FATAL) {
        walor_report_error(c, walor_ctx_printf(c, "модель ответила %d: %s", (int)status, why));
        give_up(c, t, walor_ctx_printf(c, "ошибка модели %d", (int)status));
        return 0;
    }
    if (out == SUP_OUT_TOOLS) {
        t->tools = 0; /* the same key may try again without them */
        t->tried &= ~(1u << t->key_idx);
        /* Groq's tool_use_failed is one malformed call, not a server without tools */
        if (sup_cfg.tools == 2 && !strstr(why, "tool_use_failed") && !strstr(why, "failed_generation") &&
            !strstr(why, "Failed to call a function"))
            atomic_store(&tools_refused, 1);
    }
    t->last_transient = out == SUP_OUT_TRANSIENT;
    int max = sup_keys_configured() + 1;
    if (t->attempts >= (max < 2 ? 2 : max > 6 ? 6 : max) || attempt(c, t) < 0)
        give_up(c, t, walor_ctx_printf(c, "модель недоступна (%.200s)", *why ? why : "нет ключей"));
    return 0;
}

static int32_t attempt(walor_ctx *c, turn *t)
{
    char key[256];
    int idx;
    if (sup_keys_take(t->tried, t->last_transient, &idx, key, sizeof key) < 0)
        return WALOR_ENOTFOUND;
    t->tried |= 1u << idx;
    t->key_idx = idx;
    t->attempts++;
    sup_sse_free(&t->sse);
    sup_answer_free(&t->ans);
    free(t->raw);
    t->raw = NULL;
    t->raw_len = 0;
    t->broken = 0;
    t->screen.shown_len = 0;

    json_t *body = json_pack("{s:s, s:O, s:f, s:I, s:b}", "model", sup_cfg.model, "messages", t->messages,
                             "temperature", (double)sup_setting(c, "temperature_pct", 30) / 100.0, "max_tokens",
                             (json_int_t)sup_setting(c, "answer_tokens", 700), "stream", 1);
    if (body && t->tools && t->rounds < TOOL_ROUNDS) {
        json_object_set_new(body, "tools", sup_tools_json());
        json_object_set_new(body, "tool_choice", json_string("auto"));
    }
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    const char *hdrs[4] = {"Content-Type: application/json", "Accept: text/event-stream", NULL, NULL};
    if (*key)
        hdrs[2] = walor_ctx_printf(c, "Authorization: Bearer %s", key);
    memset(key, 0, sizeof key);
    if (!text)
        return WALOR_ENOMEM;
    walor_http_async rq = {.struct_size = sizeof rq, .flags = WALOR_HTTP_STREAM, .method = "POST",
                           .url = walor_ctx_printf(c, "%s/chat/completions", sup_cfg.base_url), .headers = hdrs,
                           .body = text, .body_len = strlen(text), .max_response = 4u << 20,
                           .timeout_ms = sup_cfg.timeout_ms, .idle_timeout_ms = sup_cfg.idle_ms,
                           .order_key = t->chat_id, .on_chunk = on_chunk, .on_done = on_done,
                           .ud_free = ud_free, .ud = t};
    int32_t rc = walor_http_start(c, &rq, &t->call_id);
    free(text);
    return rc;
}

int32_t sup_turn_start(walor_ctx *c, int64_t ticket_id, const char *topic, const char *question)
{
    turn *t = calloc(1, sizeof *t);
    if (!t)
        return WALOR_ENOMEM;
    t->chat_id = walor_ctx_chat_id(c);
    t->user_id = walor_ctx_user_id(c);
    t->ticket_id = ticket_id;
    t->tools = sup_cfg.tools == 1 || (sup_cfg.tools == 2 && !atomic_load(&tools_refused));
    int64_t mid = walor_ctx_message_id(c);
    sup_screen_init(&t->screen, t->chat_id, mid > 0 ? mid : atomic_fetch_add(&draft_seq, 1) + 1000000);
    if (reg_add(t) != 0) {
        free(t);
        return WALOR_EBUSY;
    }
    sup_prompt_in in = {.ticket_id = ticket_id, .topic = topic, .question = question, .with_tools = t->tools};
    t->messages = sup_prompt_build(c, &in, t->pids, &t->npids);
    if (!t->messages) {
        turn_free(t);
        return WALOR_ENOMEM;
    }
    sup_screen_progress(c, &t->screen, "", 1); /* "typing…" at once */
    int32_t rc = attempt(c, t);
    if (rc == WALOR_ENOTFOUND) { /* every key set aside or cooling */
        give_up(c, t, "все ключи модели недоступны");
        return 0;
    }
    if (rc < 0)
        turn_free(t);
    return rc;
}
