/* The owner's maintenance screens in the admin panel: the action log
 * (F-HOST-03), the server log download and the restart button (F-HOST-11)
 * and the UI reset that re-sends the main menu to everyone (F-HOST-12).
 * Written against the SDK like any plugin's screens; the callback prefix
 * "ops" needs the OWNER role, which the host checks before calling us. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "menu.h"
#include "ops.h"
#include "pool.h"
#include "tg.h"
#include "users.h"

#define T wh_ops_text
#define ACTIONS_PAGE 10
#define LOG_TAIL (10 * 1024 * 1024)
#define EXIT_RESTART 75 /* EX_TEMPFAIL: systemd's Restart=on-failure brings walord back */

/* ---- F-HOST-03: the action log, newest first ---- */

static int32_t actions_page(walor_ctx *c, long page)
{
    if (page < 0)
        page = 0;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT a.user_id, u.first_name, u.username, a.plugin, a.what, a.at "
                                "FROM wh_action_log a LEFT JOIN wh_users u ON u.id = a.user_id "
                                "ORDER BY a.id DESC LIMIT ? OFFSET ?",
                                WALOR_ARGS(walor_i(ACTIONS_PAGE + 1), walor_i((int64_t)page * ACTIONS_PAGE)), &r);
    if (rc < 0)
        return rc;
    const char *lines = "";
    int n = 0, more = 0;
    while ((rc = walor_row_next(r)) == 1) {
        if (n == ACTIONS_PAGE) {
            more = 1;
            break;
        }
        const char *name = walor_col_text(r, 1);
        const char *uname = walor_col_text(r, 2);
        const char *plugin = walor_col_text(r, 3);
        const char *who = walor_ctx_printf(c, "%s%s%s (%lld)", walor_html_escape(c, name && *name ? name : "—"),
                                           uname ? " @" : "", uname ? walor_html_escape(c, uname) : "",
                                           (long long)walor_col_int(r, 0));
        const char *what = walor_html_escape(c, walor_col_text(r, 4));
        const char *src = plugin && strcmp(plugin, "core") != 0
                              ? walor_ctx_printf(c, " <i>[%s]</i>", walor_html_escape(c, plugin))
                              : "";
        lines = walor_ctx_printf(c, "%s<b>%s</b> — %s:\n%s%s\n\n", lines, wh_ops_time(c, walor_col_int(r, 5)), who,
                                 what, src);
        n++;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    if (page > 0)
        walor_kb_button(kb, "◀️", walor_ctx_printf(c, "ops:a:%ld", page - 1));
    if (more)
        walor_kb_button(kb, "▶️", walor_ctx_printf(c, "ops:a:%ld", page + 1));
    walor_kb_row(kb);
    walor_kb_button(kb, T("core.btn.back"), "m:core.admin");
    if (n == 0 && page == 0)
        return walor_show(c, T("core.ops.actions.empty"), kb);
    if (n == 0)
        return actions_page(c, 0); /* a page that emptied since: start over */
    return walor_show(c,
                      walor_textf(c, "core.ops.actions.title", "page", walor_ctx_printf(c, "%ld", page + 1), "lines",
                                  lines, NULL),
                      kb);
}

static int32_t press_actions(walor_ctx *c) { return actions_page(c, 0); }

/* ---- F-HOST-11: the log file ---- */

/* "1,5 МБ", "12 КБ", "300 Б": tenths with a decimal comma, as money is written */
static const char *human_size(walor_ctx *c, size_t n)
{
    if (n >= 1024 * 1024)
        return walor_ctx_printf(c, "%s МБ", walor_number(c, (int64_t)((n * 10 + 512 * 1024) / (1024 * 1024)), 1));
    if (n >= 1024)
        return walor_ctx_printf(c, "%s КБ", walor_number(c, (int64_t)((n * 10 + 512) / 1024), 1));
    return walor_ctx_printf(c, "%zu Б", n);
}

static int32_t press_log(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T("core.btn.back"), "m:core.admin");
    const char *path = wh_g.cfg.log_file;
    if (!path)
        return walor_show(c, T("core.ops.log.none"), kb);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        const char *why = strerror(errno);
        if (fd >= 0)
            close(fd);
        return walor_show(c,
                          walor_textf(c, "core.ops.log.missing", "path", walor_html_escape(c, path), "why",
                                      walor_html_escape(c, why), NULL),
                          kb);
    }
    /* the last 10 MB, from the start of a line */
    off_t from = st.st_size > LOG_TAIL ? st.st_size - LOG_TAIL : 0;
    size_t want = (size_t)(st.st_size - from);
    char *buf = malloc(want + 1);
    size_t got = 0;
    if (!buf) {
        close(fd);
        return wh_error(WALOR_ENOMEM, "log: out of memory");
    }
    while (got < want) {
        ssize_t r = pread(fd, buf + got, want - got, from + (off_t)got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    size_t skip = 0;
    if (from > 0) {
        char *nl = memchr(buf, '\n', got);
        skip = nl ? (size_t)(nl - buf) + 1 : 0;
    }
    if (got - skip == 0) {
        free(buf);
        buf = strdup("(лог пуст)\n");
        got = buf ? strlen(buf) : 0;
        skip = 0;
        if (!buf)
            return wh_error(WALOR_ENOMEM, "log: out of memory");
    }
    walor_action_log(c, "скачал лог сервера");
    walor_answer(c, NULL);
    int32_t rc = walor_send_document(
        c, c->chat_id, "walord.log", buf + skip, got - skip,
        walor_textf(c, "core.ops.log.caption", "size", human_size(c, got - skip), NULL), 0);
    free(buf);
    return rc;
}

/* ---- F-HOST-11: restart ---- */

static int32_t press_restart(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T("core.ops.btn.restart"), "ops:r!");
    walor_kb_row(kb);
    walor_kb_button(kb, T("core.btn.cancel"), "m:core.admin");
    return walor_show(c, T("core.ops.restart.confirm"), kb);
}

static int32_t restart_now(walor_ctx *c)
{
    walor_action_log(c, "перезапустил бота");
    walor_show(c, T("core.ops.restart.going"), NULL);
    wh_logf(WH_LOG_INFO, "host", "restart requested by owner %lld: exiting with %d", (long long)c->user_id,
            EXIT_RESTART);
    /* the clean stop of SIGTERM: this handler finishes, queued replies go out,
     * and main() returns the code, which makes systemd start walord again */
    wh_g.exit_code = EXIT_RESTART;
    kill(getpid(), SIGTERM);
    return 0;
}

/* ---- F-HOST-12: UI reset ---- */

static atomic_int reset_running;

typedef struct reset_job {
    int64_t owner_chat;
    int64_t message_id;
} reset_job;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reset_progress(walor_ctx *c, const reset_job *j, const char *text, int done)
{
    walor_kb *kb = NULL;
    if (done) {
        kb = walor_kb_new(c);
        walor_kb_button(kb, T("core.btn.back"), "m:core.admin");
    }
    c->head.api->edit(c, j->owner_chat, j->message_id, text, kb, 0);
}

/* Runs on a worker, outside any update: one ctx per user, as that user
 * (their role decides which buttons they see), through the bulk outbox so
 * interactive replies keep their priority. Each send waits for Telegram's
 * answer, so the counts are what happened, not what was queued: a 403
 * (the user blocked the bot, and is marked so by the outbox) is counted
 * apart from other failures. One message in flight at a time keeps memory
 * flat for any audience; the pace is the bulk limit anyway. */
static void reset_run(void *state, void *arg)
{
    wh_worker *w = state;
    reset_job *j = arg;
    walor_ctx c;
    wh_ctx_init(&c, w);
    int64_t total = 0, sent = 0, blocked = 0, failed = 0, last_id = 0;
    wh_db_int(w->db, "SELECT count(*) FROM wh_users WHERE blocked = 0", NULL, 0, &total);
    int64_t last_edit = mono_ms();
    int64_t last_pct = 0;
    for (;;) {
        int64_t ids[200];
        size_t n = 0;
        wh_rows *r = NULL;
        if (wh_db_query(w->db, "SELECT id FROM wh_users WHERE blocked = 0 AND id > ? ORDER BY id LIMIT 200",
                        WALOR_ARGS(walor_i(last_id)), &r) == 0) {
            while (n < 200 && wh_rows_next(r) == 1)
                ids[n++] = wh_rows_int(r, 0);
            wh_rows_close(r);
        }
        if (n == 0)
            break;
        for (size_t i = 0; i < n && !wh_g.stopping; i++) {
            last_id = ids[i];
            c.user_id = c.chat_id = ids[i];
            c.role = wh_user_role(w->db, ids[i]);
            c.plugin = NULL;
            const char *text;
            walor_kb *kb;
            int64_t mid = 0;
            int32_t rc = wh_menu_render_main(&c, &text, &kb);
            if (rc == 0)
                rc = c.head.api->send(&c, ids[i], text, kb, WALOR_SEND_BULK, &mid);
            if (rc == 0)
                sent++;
            else if (rc == WALOR_EBLOCKED)
                blocked++;
            else
                failed++;
            wh_arena_reset(c.arena);
            /* every 2 s or 5 %, whichever comes first */
            int64_t done = sent + blocked + failed;
            int64_t now = mono_ms(), pct = total ? done * 20 / total : 0;
            if (now - last_edit >= 2000 || pct > last_pct) {
                c.user_id = c.chat_id = j->owner_chat;
                reset_progress(&c, j,
                               walor_textf(&c, "core.ops.reset.progress", "sent",
                                           walor_ctx_printf(&c, "%lld", (long long)done), "total",
                                           walor_ctx_printf(&c, "%lld", (long long)total), NULL),
                               0);
                wh_arena_reset(c.arena);
                last_edit = now;
                last_pct = pct;
            }
        }
        if (wh_g.stopping)
            break;
    }
    c.user_id = c.chat_id = j->owner_chat;
    const char *tail = "";
    if (blocked)
        tail = walor_textf(&c, "core.ops.reset.blocked", "n", walor_ctx_printf(&c, "%lld", (long long)blocked), NULL);
    if (failed)
        tail = walor_ctx_printf(&c, "%s%s", tail,
                                walor_textf(&c, "core.ops.reset.failed", "n",
                                            walor_ctx_printf(&c, "%lld", (long long)failed), NULL));
    reset_progress(&c, j,
                   walor_textf(&c, "core.ops.reset.done", "sent", walor_ctx_printf(&c, "%lld", (long long)sent),
                               "total", walor_ctx_printf(&c, "%lld", (long long)total), "failed", tail, NULL),
                   1);
    wh_logf(WH_LOG_INFO, "host", "UI reset: menu delivered to %lld of %lld users, %lld blocked the bot, %lld failed",
            (long long)sent, (long long)total, (long long)blocked, (long long)failed);
    wh_ctx_finish(&c);
    free(j);
    atomic_store(&reset_running, 0);
}

static void reset_drop(void *arg)
{
    free(arg);
    atomic_store(&reset_running, 0);
}

static int64_t audience(walor_ctx *c)
{
    int64_t n = 0;
    walor_db_int(c, "SELECT count(*) FROM wh_users WHERE blocked = 0", NULL, 0, &n);
    return n;
}

static int32_t press_reset(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T("core.ops.btn.reset"), "ops:u!");
    walor_kb_row(kb);
    walor_kb_button(kb, T("core.btn.cancel"), "m:core.admin");
    return walor_show(c,
                      walor_textf(c, "core.ops.reset.confirm", "n",
                                  walor_ctx_printf(c, "%lld", (long long)audience(c)), NULL),
                      kb);
}

static int32_t reset_now(walor_ctx *c)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&reset_running, &expected, 1))
        return walor_alert(c, T("core.ops.reset.busy"));
    int64_t total = audience(c), mid = 0;
    const char *text = walor_textf(c, "core.ops.reset.progress", "sent", "0", "total",
                                   walor_ctx_printf(c, "%lld", (long long)total), NULL);
    /* a new message, waited for: its id is where the progress goes */
    int32_t rc = walor_send(c, c->chat_id, text, NULL, 0, &mid);
    reset_job *j = rc == 0 ? malloc(sizeof *j) : NULL;
    if (!j) {
        atomic_store(&reset_running, 0);
        return rc < 0 ? rc : wh_error(WALOR_ENOMEM, "UI reset: out of memory");
    }
    j->owner_chat = c->chat_id;
    j->message_id = mid;
    walor_action_log(c, walor_ctx_printf(c, "обновил меню у всех пользователей (%lld)", (long long)total));
    /* its own key: runs beside the chats' updates, one reset at a time */
    if (wh_pool_submit(wh_g.pool, INT64_MIN + 12, reset_run, j, reset_drop) != 0) {
        free(j);
        atomic_store(&reset_running, 0);
        return wh_error(WALOR_EBUSY, "UI reset: the worker pool is stopping");
    }
    return 0;
}

/* "ops:a:<page>", "ops:r!", "ops:u!" */
static int32_t on_ops_cb(walor_ctx *c, const char *arg)
{
    if (strncmp(arg, "a:", 2) == 0)
        return actions_page(c, strtol(arg + 2, NULL, 10));
    if (strcmp(arg, "r!") == 0)
        return restart_now(c);
    if (strcmp(arg, "u!") == 0)
        return reset_now(c);
    walor_answer(c, T("core.stale"));
    return wh_menu_show_admin(c, 1);
}

static int32_t press_help(walor_ctx *c) { return wh_help_admin(c); }

#define MENU(id_, role_, order_, label_, fn_)                                                                  \
    {.struct_size = sizeof(walor_menu_def), .min_role = (role_), .where = WALOR_MENU_ADMIN, .order = (order_), \
     .id = (id_), .label = (label_), .on_press = (fn_), .group = WALOR_MENU_GROUP_SYSTEM}

int32_t wh_ops_screens_register(walor_plugin *core)
{
    /* after the owner's settings and staff (1000000, 1000001), before "main" */
    static const walor_menu_def menus[] = {
        MENU("ops_help", WALOR_ROLE_MANAGER, 1000010, "📚 Инструкции", press_help),
        MENU("ops_actions", WALOR_ROLE_OWNER, 1000020, "📜 Журнал действий", press_actions),
        MENU("ops_log", WALOR_ROLE_OWNER, 1000030, "📄 Лог", press_log),
        MENU("ops_restart", WALOR_ROLE_OWNER, 1000040, "🔄 Перезапуск", press_restart),
        MENU("ops_uireset", WALOR_ROLE_OWNER, 1000050, "♻️ Обновить меню у всех", press_reset),
    };
    int32_t rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof menus / sizeof *menus; i++)
        rc = walor_menu(core, &menus[i]);
    walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_OWNER, .prefix = "ops",
                             .handler = on_ops_cb};
    if (rc == 0)
        rc = walor_callback(core, &cb);
    return rc;
}
