/* /_sim/ routing and the small control endpoints: users, raw updates,
 * faults, rate limits, call log, stats, reset, files, bots. */
#include "control.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "params.h"
#include "text.h"

void tgsim_ctl_reply(tgsim_ctl *x, int status, json_t *j)
{
    x->out->status = status;
    x->out->json = j;
}

void tgsim_ctl_error(tgsim_ctl *x, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tgsim_ctl_reply(x, status, json_pack("{s:b,s:s}", "ok", 0, "error", msg));
}

static bool is(const tgsim_ctl *x, const char *method)
{
    return !strcmp(x->r->method, method);
}

static void users(tgsim_ctl *x)
{
    if (is(x, "GET")) {
        json_t *a = json_array();
        for (size_t i = 0; i < x->s->nusers; i++)
            json_array_append_new(a, tgsim_user_json(x->s->user_list[i]));
        tgsim_ctl_reply(x, 200, a);
        return;
    }
    const char *first = tgsim_param_str(x->p, "first_name");
    if (!first || !*first) {
        tgsim_ctl_error(x, 400, "first_name is required");
        return;
    }
    int64_t id = 0;
    if (tgsim_param_int(x->p, "id", &id) < 0 || id < 0) {
        tgsim_ctl_error(x, 400, "id must be a positive integer");
        return;
    }
    if (id && tgsim_user_get(x->s, id)) {
        tgsim_ctl_error(x, 409, "user %lld exists", (long long)id);
        return;
    }
    tgsim_user *u = tgsim_user_add(x->s, id, first, tgsim_param_str(x->p, "last_name"),
                                   tgsim_param_str(x->p, "username"),
                                   tgsim_param_str(x->p, "language_code"));
    if (!u)
        tgsim_ctl_error(x, 500, "out of memory");
    else
        tgsim_ctl_reply(x, 200, tgsim_user_json(u));
}

/* POST /_sim/users/bulk {count, first_id?, first_name?, open_chat?}: many
 * users at once for benchmarks (a 100,000-user broadcast), each with the
 * bot's chat open as if they had started the bot, without an update */
static void users_bulk(tgsim_ctl *x)
{
    int64_t count = 0, first = 0, open = 0;
    if (tgsim_param_int(x->p, "count", &count) <= 0 || count < 1 || count > 1000000) {
        tgsim_ctl_error(x, 400, "count must be 1-1000000");
        return;
    }
    if (tgsim_param_int(x->p, "first_id", &first) < 0 || first < 0) {
        tgsim_ctl_error(x, 400, "first_id must be a positive integer");
        return;
    }
    if (tgsim_param_int(x->p, "open_chat", &open) < 0)
        open = json_is_true(json_object_get(x->p, "open_chat"));
    if (!first)
        first = x->s->next_user_id;
    for (int64_t i = 0; i < count; i++)
        if (tgsim_user_get(x->s, first + i)) {
            tgsim_ctl_error(x, 409, "user %lld exists", (long long)(first + i));
            return;
        }
    const char *name = tgsim_param_str(x->p, "first_name");
    for (int64_t i = 0; i < count; i++) {
        tgsim_user *u = tgsim_user_add(x->s, first + i, name && *name ? name : "User", NULL, NULL, NULL);
        if (!u || (open && !tgsim_chat_open(x->bot, u))) {
            tgsim_ctl_error(x, 500, "out of memory after %lld users", (long long)i);
            return;
        }
    }
    tgsim_ctl_reply(x, 200, json_pack("{s:I,s:I}", "first_id", (json_int_t)first, "count", (json_int_t)count));
}

static void user_route(tgsim_ctl *x, const char *rest)
{
    char *end;
    long long id = strtoll(rest, &end, 10);
    tgsim_user *u = tgsim_user_get(x->s, id);
    if (end == rest || *end != '/') {
        tgsim_ctl_error(x, 404, "no such endpoint");
        return;
    }
    const char *action = end + 1;
    if (!strcmp(action, "chat") && is(x, "GET")) {
        if (!u)
            tgsim_ctl_error(x, 404, "no user %lld", id);
        else
            tgsim_chatview(x, id);
        return;
    }
    if (!is(x, "POST")) {
        tgsim_ctl_error(x, 405, "use POST");
        return;
    }
    if (!u) {
        tgsim_ctl_error(x, 404, "no user %lld", id);
        return;
    }
    tgsim_useract(x, u, action);
}

/* ?raw=1: the body is the update's text as the bot will get it, without
 * its update_id (tgsim assigns one), kept byte for byte (sim.h) */
static void inject_raw(tgsim_ctl *x)
{
    const char *p = x->r->body.data;
    size_t n = x->r->body.len;
    while (n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++, n--;
    if (!n || *p != '{' || memchr(p, '\0', n) || n > 65536) {
        tgsim_ctl_error(x, 400, "a raw update is the text of a JSON object (at most 64 KiB, no NUL bytes)");
        return;
    }
    json_t *u = json_object();
    json_object_set_new(u, TGSIM_RAW_KEY, json_stringn_nocheck(p, n));
    int64_t id = tgsim_bot_push_update(x->s, x->bot, u, 0);
    tgsim_ctl_reply(x, 200, json_pack("{s:I}", "update_id", (json_int_t)id));
}

static void inject_update(tgsim_ctl *x)
{
    const char *raw = MHD_lookup_connection_value(x->r->conn, MHD_GET_ARGUMENT_KIND, "raw");
    if (raw && !strcmp(raw, "1")) {
        inject_raw(x);
        return;
    }
    json_error_t je;
    /* a string may hold \u0000, as Telegram's may */
    json_t *u = x->r->body.len ? json_loadb(x->r->body.data, x->r->body.len, JSON_ALLOW_NUL, &je) : NULL;
    if (!json_is_object(u)) {
        json_decref(u);
        tgsim_ctl_error(x, 400, "body must be an Update object");
        return;
    }
    int64_t forced = 0;
    if (tgsim_param_int(u, "update_id", &forced) < 0 || forced < 0) {
        json_decref(u);
        tgsim_ctl_error(x, 400, "update_id must be a positive integer");
        return;
    }
    json_object_del(u, "update_id");
    int64_t id = tgsim_bot_push_update(x->s, x->bot, u, forced);
    tgsim_ctl_reply(x, 200, json_pack("{s:I}", "update_id", (json_int_t)id));
}

static void faults(tgsim_ctl *x)
{
    if (is(x, "DELETE")) {
        tgsim_faults_clear(&x->s->faults);
        tgsim_ctl_reply(x, 200, json_pack("{s:b}", "ok", 1));
        return;
    }
    if (is(x, "GET")) {
        json_t *a = json_array();
        for (size_t i = 0; i < x->s->faults.n; i++) {
            const tgsim_fault *f = &x->s->faults.v[i];
            json_array_append_new(a, json_pack("{s:s,s:i,s:s,s:i,s:i}", "method", f->method,
                                               "count", f->remaining, "kind",
                                               tgsim_fault_kind_name(f->kind), "retry_after",
                                               f->retry_after, "hang_ms", f->hang_ms));
        }
        tgsim_ctl_reply(x, 200, a);
        return;
    }
    tgsim_fault f = {0};
    const char *method = tgsim_param_str(x->p, "method");
    json_t *kind = json_object_get(x->p, "kind");
    char kbuf[16];
    const char *ks = json_string_value(kind);
    if (json_is_integer(kind)) {
        snprintf(kbuf, sizeof kbuf, "%" JSON_INTEGER_FORMAT, json_integer_value(kind));
        ks = kbuf;
    }
    f.kind = tgsim_fault_kind_parse(ks);
    int64_t count = 1, ra = 0, hang = 0;
    tgsim_param_int(x->p, "count", &count);
    tgsim_param_int(x->p, "retry_after", &ra);
    tgsim_param_int(x->p, "hang_ms", &hang);
    if (!method || !*method || strlen(method) >= sizeof f.method || f.kind == TGSIM_FAULT_NONE ||
        count < 1) {
        tgsim_ctl_error(x, 400, "want {method, count>=1, kind: 500|429|hang|drop}");
        return;
    }
    snprintf(f.method, sizeof f.method, "%s", method);
    f.remaining = (int)count;
    f.retry_after = (int)ra;
    f.hang_ms = (int)hang;
    tgsim_faults_add(&x->s->faults, &f);
    tgsim_ctl_reply(x, 200, json_pack("{s:b,s:i}", "ok", 1, "pending", (int)x->s->faults.n));
}

static void ratelimit(tgsim_ctl *x)
{
    if (is(x, "POST")) {
        int64_t g = x->s->rate_global, pc = x->s->rate_per_chat;
        if (tgsim_param_int(x->p, "global_per_s", &g) < 0 ||
            tgsim_param_int(x->p, "per_chat_per_s", &pc) < 0 || g < 0 || pc < 0) {
            tgsim_ctl_error(x, 400, "want {global_per_s, per_chat_per_s} >= 0");
            return;
        }
        x->s->rate_global = (int)g;
        x->s->rate_per_chat = (int)pc;
    }
    tgsim_ctl_reply(x, 200, json_pack("{s:i,s:i}", "global_per_s", x->s->rate_global,
                                      "per_chat_per_s", x->s->rate_per_chat));
}

/* GET: the Bot API methods answered 404 as unknown; POST {"disable": [names]}
 * replaces the list (an older Bot API server; [] enables all again) */
static void methods(tgsim_ctl *x)
{
    if (is(x, "POST")) {
        json_t *d = json_object_get(x->p, "disable");
        size_t i;
        json_t *v;
        bool ok = json_is_array(d);
        json_array_foreach(d, i, v) ok = ok && json_is_string(v);
        if (!ok) {
            tgsim_ctl_error(x, 400, "want {\"disable\": [method names]}");
            return;
        }
        json_array_clear(x->s->disabled);
        json_array_extend(x->s->disabled, d);
    }
    tgsim_ctl_reply(x, 200, json_pack("{s:O}", "disabled", x->s->disabled));
}

static void call_log(tgsim_ctl *x)
{
    int64_t since = 0;
    tgsim_param_int(x->p, "since_seq", &since);
    tgsim_ctl_reply(x, 200, tgsim_calllog_json(&x->s->log, tgsim_param_str(x->p, "method"),
                                               since > 0 ? (uint64_t)since : 0));
}

static void file_get(tgsim_ctl *x, const char *file_id)
{
    tgsim_file *f = tgsim_file_by_id(x->s, file_id);
    if (!f) {
        tgsim_ctl_error(x, 404, "no such file");
        return;
    }
    x->out->data = malloc(f->blob->len + 1);
    if (!x->out->data) {
        tgsim_ctl_error(x, 500, "out of memory");
        return;
    }
    memcpy(x->out->data, f->blob->data, f->blob->len);
    x->out->len = f->blob->len;
    int w, h;
    x->out->content_type = tgsim_image_size(f->blob->data, f->blob->len, &w, &h)
                               ? (f->blob->data[0] == 0x89 ? "image/png" : "image/jpeg")
                               : tgsim_guess_mime(f->file_name);
    x->out->status = 200;
}

static void bots(tgsim_ctl *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->s->nbots; i++) {
        tgsim_bot *b = x->s->bots[i];
        json_t *o = tgsim_bot_user_json(b);
        json_object_set_new(o, "webhook_url", json_string(b->webhook_url ? b->webhook_url : ""));
        json_object_set_new(o, "pending_update_count", json_integer((json_int_t)b->nupd));
        json_array_append_new(a, o);
    }
    tgsim_ctl_reply(x, 200, a);
}

static void dispatch(tgsim_ctl *x, const char *path)
{
    if (!strcmp(path, "users") && (is(x, "GET") || is(x, "POST")))
        users(x);
    else if (!strcmp(path, "users/bulk") && is(x, "POST"))
        users_bulk(x);
    else if (!strncmp(path, "users/", 6))
        user_route(x, path + 6);
    else if (!strcmp(path, "updates") && is(x, "POST"))
        inject_update(x);
    else if (!strcmp(path, "faults"))
        faults(x);
    else if (!strcmp(path, "methods") && (is(x, "GET") || is(x, "POST")))
        methods(x);
    else if (!strcmp(path, "ratelimit"))
        ratelimit(x);
    else if (!strcmp(path, "log"))
        call_log(x);
    else if (!strcmp(path, "stats"))
        tgsim_ctl_reply(x, 200, tgsim_calllog_stats(&x->s->log));
    else if (!strcmp(path, "reset") && is(x, "POST")) {
        tgsim_sim_reset(x->s);
        tgsim_ctl_reply(x, 200, json_pack("{s:b}", "ok", 1));
    } else if (!strncmp(path, "files/", 6))
        file_get(x, path + 6);
    else if (!strcmp(path, "bots"))
        bots(x);
    else
        tgsim_ctl_error(x, 404, "no such endpoint: /_sim/%s", path);
}

void tgsim_control_handle(tgsim_req *r, const char *path, tgsim_reply *out)
{
    char err[256];
    tgsim_ctl x = {.r = r, .s = r->sim, .out = out};
    x.p = tgsim_params_collect(r, err, sizeof err);
    if (!x.p) {
        /* raw updates may be any JSON the test wants to inject; others must be objects */
        if (strcmp(path, "updates")) {
            tgsim_ctl_error(&x, 400, "body must be a JSON object");
            return;
        }
        x.p = json_object();
    }
    pthread_mutex_lock(&x.s->lock);
    const char *bsel = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "bot");
    if (!bsel && strcmp(path, "updates"))
        bsel = tgsim_param_str(x.p, "bot");
    x.bot = tgsim_bot_select(x.s, bsel);
    if (!x.bot)
        tgsim_ctl_error(&x, 404, "no such bot");
    else
        dispatch(&x, path);
    pthread_mutex_unlock(&x.s->lock);
    json_decref(x.p);
}
