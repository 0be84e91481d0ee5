/* probe: a plugin for the host's e2e tests (tests/e2e/test_host_*.py).
 * Every entry point is the smallest thing that lets a test observe one
 * host behaviour from the outside:
 *   /start t<payload>   deep link prefix "t"           → "deep:<payload>"
 *   pr:<x>              callback, min_role MANAGER      → "секрет"
 *   /boom               handler returns WALOR_EDB        (the user gets the polite error)
 *   /bulk N [chat_id…]  N messages with WALOR_SEND_BULK to each chat (pacing, blocked users)
 *   /slow               sleeps 300 ms, then replies      (kill -9 mid-handler)
 *   /count [ms]         one row in probe_seen per handled update (dedup, durability)
 *   /long               a button with 200 bytes of callback data (token store);
 *                       its press (pl:…) replies with the payload length
 *   admin panel         a section button "🔬 Проба" and a header line
 *   GET|POST /p/probe/echo   answers "method|X-Probe header|query q|body" (plugin routes)
 *   GET /p/probe/boom        returns WALOR_EDB (500, failure report)
 *   GET /p/probe/mute        returns 0 without answering (500)
 *   GET /p/probe/slow        answers "slow" after 800 ms (in flight at SIGTERM)
 *   /fetch METHOD TIMEOUT_MS MAX URL [BODY]   walor_http_fetch with an
 *                       Authorization header; replies "status=… len=… type=… body=…"
 *                       or "err=<code> <last error>" (SDK 1.2)
 *   /fetchtx URL        the same inside an open transaction (must be refused);
 *                       also checks walor_tx_active before, during and after
 *   /urlesc TEXT        walor_url_escape
 *   /staff ROLE TEXT    walor_notify_staff(ROLE, TEXT); replies "staff: N"
 *   /backup DEST [replace]   a job that runs walor_db_backup(DEST) and tells
 *                       the caller "backup: ok" or "backup: err=<code> <last error>" (SDK 1.3)
 *   /backuptx DEST      walor_db_backup inside an open transaction (must be refused)
 *   /fill KB            in one transaction: a row in probe_seen, then KB kilobytes into
 *                       probe_blob (a write that needs room: disk-full tests)
 *   /later KB           the same write from a one-shot job; the job says "later:done"
 *   /photo PATH         walor_send_photo("file:" PATH); replies "photo: <rc>" */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <walor/plugin.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int32_t on_deeplink(walor_ctx *c, const char *payload)
{
    return walor_reply(c, walor_ctx_printf(c, "deep:%s", walor_html_escape(c, payload)), NULL);
}

static int32_t on_secret(walor_ctx *c, const char *arg)
{
    (void)arg;
    return walor_reply(c, "секрет", NULL);
}

static int32_t cmd_boom(walor_ctx *c, const char *arg)
{
    (void)c;
    (void)arg;
    return WALOR_EDB;
}

/* /bulk N [chat_id...]: N broadcast messages to each chat (default: the caller) */
static int32_t bulk_to(walor_ctx *c, int64_t chat, long n)
{
    int failed = 0;
    for (long i = 1; i <= n; i++) {
        int32_t rc = walor_send(c, chat, walor_ctx_printf(c, "bulk %ld/%ld", i, n), NULL, WALOR_SEND_BULK, NULL);
        if (rc < 0) {
            failed++;
            walor_log(c, WALOR_LOG_INFO, "bulk %ld to %lld: %s", i, (long long)chat,
                      walor_strerror(walor_ctx_plugin(c), rc));
        }
    }
    walor_log(c, WALOR_LOG_INFO, "bulk of %ld to %lld queued, %d refused", n, (long long)chat, failed);
    return 0;
}

static int32_t cmd_bulk(walor_ctx *c, const char *arg)
{
    char *end = NULL;
    long n = strtol(arg, &end, 10);
    if (!end || end == arg || n < 1 || n > 100)
        return walor_reply(c, "использование: /bulk N [chat_id...]", NULL);
    walor_reply(c, walor_ctx_printf(c, "bulk: %ld в очереди", n), NULL);
    int any = 0;
    for (const char *p = end;;) {
        char *next = NULL;
        long long to = strtoll(p, &next, 10);
        if (!next || next == p || to <= 0)
            break;
        bulk_to(c, (int64_t)to, n);
        any = 1;
        p = next;
    }
    return any ? 0 : bulk_to(c, walor_ctx_chat_id(c), n);
}

static int32_t cmd_slow(walor_ctx *c, const char *arg)
{
    (void)arg;
    sleep_ms(300);
    return walor_reply(c, "slow: готово", NULL);
}

static int32_t cmd_count(walor_ctx *c, const char *arg)
{
    long ms = strtol(arg, NULL, 10);
    if (ms > 0 && ms <= 2000)
        sleep_ms(ms);
    int64_t uid = (int64_t)json_integer_value(json_object_get(walor_ctx_update(c), "update_id"));
    int32_t rc = walor_db_exec(c, "INSERT INTO probe_seen(update_id, user_id) VALUES (?, ?)",
                               WALOR_ARGS(walor_i(uid), walor_i(walor_ctx_user_id(c))));
    if (rc < 0)
        return rc;
    return walor_reply(c, walor_ctx_printf(c, "count:%lld", (long long)uid), NULL);
}

#define LONG_PAYLOAD 197 /* "pl:" + 197 = 200 bytes of callback data */

static int32_t cmd_long(walor_ctx *c, const char *arg)
{
    (void)arg;
    char *data = walor_ctx_alloc(c, LONG_PAYLOAD + 4);
    if (!data)
        return WALOR_ENOMEM;
    memcpy(data, "pl:", 3);
    for (int i = 0; i < LONG_PAYLOAD; i++)
        data[3 + i] = (char)('a' + i % 26);
    data[3 + LONG_PAYLOAD] = '\0';
    walor_kb *kb = walor_kb_new(c);
    int32_t rc = walor_kb_button(kb, "📏 Длинная", data);
    if (rc < 0)
        return rc;
    return walor_reply(c, "длинная кнопка", kb);
}

static int32_t on_long(walor_ctx *c, const char *arg)
{
    size_t n = strlen(arg);
    walor_answer(c, walor_ctx_printf(c, "%zu", n));
    return walor_reply(c, walor_ctx_printf(c, "длина:%zu", n), NULL);
}

static int32_t press_admin(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, "⬅️ Назад", "m:core.admin");
    return walor_show(c, "🔬 раздел пробы", kb);
}

static const char *header(walor_ctx *c)
{
    int64_t n = 0;
    if (walor_db_int(c, "SELECT count(*) FROM probe_seen", NULL, 0, &n) != 0)
        return NULL;
    return walor_ctx_printf(c, "🔬 проб: %lld", (long long)n);
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM probe_seen WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

static int32_t route_echo(walor_ctx *c)
{
    size_t n = 0;
    const char *body = walor_http_body(c, &n);
    const char *h = walor_http_header(c, "x-probe");
    const char *q = walor_http_query(c, "q");
    const char *out = walor_ctx_printf(c, "%s|%s|%s|%s|%.*s", walor_http_method(c), walor_http_path(c),
                                       h ? h : "-", q ? q : "-", (int)n, body);
    return walor_http_respond(c, 200, "text/plain; charset=utf-8", out, strlen(out));
}

static int32_t route_boom(walor_ctx *c)
{
    (void)c;
    return WALOR_EDB;
}

static int32_t route_mute(walor_ctx *c)
{
    (void)c;
    return 0;
}

static int32_t route_slow(walor_ctx *c)
{
    sleep_ms(800);
    return walor_http_respond(c, 200, "text/plain", "slow", 4);
}

static int32_t fetch_reply(walor_ctx *c, int32_t rc, const walor_http_response *r)
{
    if (rc)
        return walor_reply(c, walor_ctx_printf(c, "err=%d %s", (int)rc, walor_html_escape(c, walor_last_error(c))),
                           NULL);
    const char *ct = walor_http_resp_header(c, r, "content-type");
    char shown[201];
    snprintf(shown, sizeof shown, "%s", r->body);
    return walor_reply(c,
                       walor_ctx_printf(c, "status=%d len=%llu type=%s body=%s", (int)r->status,
                                        (unsigned long long)r->body_len, ct ? walor_html_escape(c, ct) : "-",
                                        walor_html_escape(c, shown)),
                       NULL);
}

static int32_t cmd_fetch(walor_ctx *c, const char *arg)
{
    char method[16], url[512];
    unsigned tmo = 0;
    unsigned long long max = 0;
    int used = 0;
    if (!arg || sscanf(arg, "%15s %u %llu %511s %n", method, &tmo, &max, url, &used) < 4)
        return walor_reply(c, "usage: /fetch METHOD TIMEOUT_MS MAX URL [BODY]", NULL);
    const char *body = used > 0 && arg[used] ? arg + used : NULL;
    static const char *const hdrs[] = {"Authorization: Bearer PROBE-SECRET-42", "X-Probe: 1", NULL};
    walor_http_request rq = {.struct_size = sizeof rq, .timeout_ms = tmo, .method = method, .url = url,
                             .headers = hdrs, .body = body, .body_len = body ? strlen(body) : 0,
                             .max_response = max};
    walor_http_response r = {.struct_size = sizeof r};
    return fetch_reply(c, walor_http_fetch(c, &rq, &r), &r);
}

static int32_t cmd_fetchtx(walor_ctx *c, const char *arg)
{
    walor_http_response r = {.struct_size = sizeof r};
    int32_t before = walor_tx_active(c);
    int32_t rc = walor_tx_begin(c);
    if (rc)
        return rc;
    int32_t during = walor_tx_active(c);
    int32_t frc = walor_http_get(c, arg ? arg : "", NULL, 2000, &r);
    walor_tx_rollback(c);
    int32_t after = walor_tx_active(c);
    if (before != 0 || during != 1 || after != 0)
        return walor_reply(c, walor_ctx_printf(c, "tx_active wrong: %d %d %d", (int)before, (int)during, (int)after),
                           NULL);
    return fetch_reply(c, frc, &r);
}

static int32_t cmd_urlesc(walor_ctx *c, const char *arg)
{
    const char *e = walor_url_escape(c, arg ? arg : "");
    return walor_reply(c, walor_ctx_printf(c, "esc=%s", e ? walor_html_escape(c, e) : "(null)"), NULL);
}

static int32_t cmd_staff(walor_ctx *c, const char *arg)
{
    unsigned role = 0;
    int used = 0;
    if (!arg || sscanf(arg, "%u %n", &role, &used) < 1)
        return walor_reply(c, "usage: /staff ROLE TEXT", NULL);
    int32_t n = walor_notify_staff(c, role, walor_html_escape(c, arg + used), NULL);
    return walor_reply(c, walor_ctx_printf(c, "staff: %d", (int)n), NULL);
}

static int32_t cmd_fill(walor_ctx *c, const char *arg)
{
    long kb = strtol(arg ? arg : "", NULL, 10);
    if (kb < 1 || kb > 65536)
        return walor_reply(c, "usage: /fill KB", NULL);
    int64_t uid = (int64_t)json_integer_value(json_object_get(walor_ctx_update(c), "update_id"));
    int32_t rc = walor_tx_begin(c);
    if (rc == 0)
        rc = walor_db_exec(c, "INSERT INTO probe_seen(update_id, user_id) VALUES (?, ?)",
                           WALOR_ARGS(walor_i(uid), walor_i(walor_ctx_user_id(c))));
    if (rc >= 0)
        rc = walor_db_exec(c, "INSERT INTO probe_blob(update_id, data) VALUES (?, zeroblob(?))",
                           WALOR_ARGS(walor_i(uid), walor_i(kb * 1024)));
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    return walor_reply(c, walor_ctx_printf(c, "fill:%lld", (long long)uid), NULL);
}

static int32_t job_fill(walor_ctx *c, json_t *payload)
{
    int64_t kb = (int64_t)json_integer_value(json_object_get(payload, "kb"));
    int64_t chat = (int64_t)json_integer_value(json_object_get(payload, "chat"));
    int32_t rc = walor_db_exec(c, "INSERT INTO probe_blob(update_id, data) VALUES (0, zeroblob(?))",
                               WALOR_ARGS(walor_i(kb * 1024)));
    if (rc < 0)
        return rc;
    walor_send(c, chat, "later:done", NULL, 0, NULL);
    return 0;
}

static int32_t cmd_later(walor_ctx *c, const char *arg)
{
    long kb = strtol(arg ? arg : "", NULL, 10);
    if (kb < 1 || kb > 65536)
        return walor_reply(c, "usage: /later KB", NULL);
    json_t *p = json_pack("{s:I, s:I}", "kb", (json_int_t)kb, "chat", (json_int_t)walor_ctx_chat_id(c));
    int32_t rc = walor_job_at(c, walor_now(c), "fill", NULL, p);
    json_decref(p);
    return rc < 0 ? rc : walor_reply(c, "later: scheduled", NULL);
}

static int32_t cmd_photo(walor_ctx *c, const char *arg)
{
    int32_t rc = walor_send_photo(c, walor_ctx_chat_id(c), walor_ctx_printf(c, "file:%s", arg ? arg : ""), NULL, NULL, 0,
                                  NULL);
    return walor_reply(c, walor_ctx_printf(c, "photo: %d %s", (int)rc, rc ? walor_html_escape(c, walor_last_error(c)) : ""),
                       NULL);
}

static const char *backup_result(walor_ctx *c, int32_t rc)
{
    return rc == 0 ? "backup: ok"
                   : walor_ctx_printf(c, "backup: err=%d %s", (int)rc, walor_html_escape(c, walor_last_error(c)));
}

static int32_t job_backup(walor_ctx *c, json_t *payload)
{
    const char *dest = json_string_value(json_object_get(payload, "dest"));
    uint32_t flags = (uint32_t)json_integer_value(json_object_get(payload, "flags"));
    int64_t chat = (int64_t)json_integer_value(json_object_get(payload, "chat"));
    walor_send(c, chat, backup_result(c, walor_db_backup(c, dest, flags)), NULL, 0, NULL);
    return 0;
}

static int32_t cmd_backup(walor_ctx *c, const char *arg)
{
    char dest[512], how[16] = "";
    if (!arg || sscanf(arg, "%511s %15s", dest, how) < 1)
        return walor_reply(c, "usage: /backup DEST [replace|0x80]", NULL);
    uint32_t flags = !strcmp(how, "replace") ? WALOR_BACKUP_REPLACE : !strcmp(how, "0x80") ? 0x80u : 0;
    json_t *p = json_pack("{s:s, s:i, s:I}", "dest", dest, "flags", (int)flags, "chat", (json_int_t)walor_ctx_chat_id(c));
    int32_t rc = walor_job_at(c, walor_now(c), "backup", NULL, p);
    json_decref(p);
    return rc < 0 ? rc : walor_reply(c, "backup: scheduled", NULL);
}

static int32_t cmd_backuptx(walor_ctx *c, const char *arg)
{
    int32_t rc = walor_tx_begin(c);
    if (rc)
        return rc;
    rc = walor_db_backup(c, arg ? arg : "", 0);
    walor_tx_rollback(c);
    return walor_reply(c, backup_result(c, rc), NULL);
}

#define ROUTE(p_, f_, fn_) {.struct_size = sizeof(walor_route_def), .flags = (f_), .path = (p_), .handler = (fn_)}

#define CMD(n, fn) {.struct_size = sizeof(walor_command_def), .name = (n), .description = (n), .handler = (fn)}

static int32_t load(walor_plugin *p)
{
    static const walor_command_def cmds[] = {
        CMD("boom", cmd_boom), CMD("bulk", cmd_bulk), CMD("slow", cmd_slow),
        CMD("count", cmd_count), CMD("long", cmd_long), CMD("fetch", cmd_fetch),
        CMD("fetchtx", cmd_fetchtx), CMD("urlesc", cmd_urlesc), CMD("staff", cmd_staff),
        CMD("backup", cmd_backup), CMD("backuptx", cmd_backuptx), CMD("fill", cmd_fill),
        CMD("later", cmd_later), CMD("photo", cmd_photo),
    };
    const walor_deeplink_def dl = {.struct_size = sizeof dl, .prefix = "t", .handler = on_deeplink};
    const walor_callback_def secret = {.struct_size = sizeof secret, .min_role = WALOR_ROLE_MANAGER, .prefix = "pr",
                                       .handler = on_secret};
    const walor_callback_def lng = {.struct_size = sizeof lng, .prefix = "pl", .handler = on_long};
    const walor_menu_def admin = {.struct_size = sizeof admin, .min_role = WALOR_ROLE_MANAGER,
                                  .where = WALOR_MENU_ADMIN, .order = 100, .id = "probe",
                                  .label = "🔬 Проба", .on_press = press_admin};
    int32_t rc = walor_migration(p, 1,
                                 "CREATE TABLE probe_seen (id INTEGER PRIMARY KEY, update_id INTEGER NOT NULL,"
                                 " user_id INTEGER NOT NULL)");
    if (!rc) rc = walor_migration(p, 2, "CREATE TABLE probe_blob (id INTEGER PRIMARY KEY, update_id INTEGER NOT NULL, data BLOB)");
    for (size_t i = 0; rc == 0 && i < sizeof cmds / sizeof *cmds; i++)
        rc = walor_command(p, &cmds[i]);
    if (!rc) rc = walor_deeplink(p, &dl);
    if (!rc) rc = walor_callback(p, &secret);
    if (!rc) rc = walor_callback(p, &lng);
    if (!rc) rc = walor_menu(p, &admin);
    if (!rc) rc = walor_admin_header(p, header);
    if (!rc) rc = walor_wipe(p, wipe);
    if (!rc) rc = walor_job(p, "backup", job_backup);
    if (!rc) rc = walor_job(p, "fill", job_fill);
    static const walor_route_def routes[] = {
        ROUTE("echo", WALOR_HTTP_GET | WALOR_HTTP_POST, route_echo),
        ROUTE("boom", WALOR_HTTP_GET, route_boom),
        ROUTE("mute", WALOR_HTTP_GET, route_mute),
        ROUTE("slow", WALOR_HTTP_GET, route_slow),
    };
    for (size_t i = 0; rc == 0 && i < sizeof routes / sizeof *routes; i++)
        rc = walor_route(p, &routes[i]);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "probe", .version = "1.0.0", .description = "Плагин для тестов хоста",
                    .min_host_minor = 2, .load = load)
