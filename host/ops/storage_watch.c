/* The database while it cannot be written (host/db/storage.h,
 * docs/RELIABILITY.md "Disk full and read-only"), on the loop thread.
 *
 * Once per outage the owners get one message saying what happened and what
 * to do. Every second a probe on libuv's thread pool asks whether a write
 * works again: the file system is writable and has at least MIN_FREE bytes
 * (statvfs: nothing is opened), a passive checkpoint goes through (it grows
 * the database file by what the WAL holds) and a one-row write commits.
 * Then the storage is up again, the owners hear it, and the work that
 * waited resumes: the updates workers held, the scheduler, the event
 * delivery. The poller and the webhook need no call: they retry by
 * themselves and Telegram still holds every update walord did not store. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include <uv.h>

#include "error.h"
#include "host.h"
#include "html.h"
#include "log.h"
#include "ops.h"
#include "report.h"
#include "storage.h"
#include "texts.h"

#define PROBE_MS 1000
#define MIN_FREE (1024 * 1024)

static const walor_text_pair texts[] = {
    {"core.storage.down",
     "⚠️ <b>База данных не принимает запись</b>: {what} ({dir}).\n\n"
     "Бот не берёт новые сообщения и нажатия: Telegram хранит их до 24 часов, и бот обработает каждое "
     "один раз, как только запись заработает. Начатое действие, которое не удалось сохранить, "
     "выполнится тогда же.\n\n{todo}\n\n<code>{why}</code>"},
    {"core.storage.todo.full", "Освободите место на этом диске — бот продолжит сам в течение секунды."},
    {"core.storage.todo.readonly",
     "Обычно так бывает после ошибки диска. Остановите бота, проверьте диск (fsck), смонтируйте его снова "
     "и запустите бота — сообщения не потеряются."},
    {"core.storage.todo.ioerr", "Проверьте диск. Бот продолжит сам, как только запись заработает."},
    {"core.storage.up", "✅ <b>Запись в базу данных снова работает</b> (перерыв {duration}). Бот обрабатывает "
                        "накопившиеся сообщения."},
    {"core.storage.user",
     "⏳ Бот сейчас не может сохранять данные. Ваше действие выполнится автоматически, как только это исправят."},
};

static const wh_migration migrations[] = {
    {1, "CREATE TABLE wh_storage_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)"},
};

static uv_loop_t *loop;
static uv_timer_t timer;
static uv_work_t work;
static int started, probe_busy, reported, reported_cls;
static int probe_ok;
static char probe_why[400];
static void (*resumed)(void);

void wh_ops_on_storage_resumed(void (*fn)(void)) { resumed = fn; }

int32_t wh_storage_watch_register(walor_plugin *core)
{
    return walor_texts(core, texts, sizeof texts / sizeof *texts);
}

static void probe_run(uv_work_t *r)
{
    (void)r;
    probe_ok = 0;
    struct statvfs st;
    if (wh_storage_fs_readonly()) {
        snprintf(probe_why, sizeof probe_why, "the file system is read-only");
        return;
    }
    if (statvfs(wh_storage_dir(), &st) == 0 && (uint64_t)st.f_bavail * st.f_frsize < MIN_FREE) {
        snprintf(probe_why, sizeof probe_why, "%llu KiB free, waiting for at least %d KiB",
                 (unsigned long long)st.f_bavail * st.f_frsize / 1024, MIN_FREE / 1024);
        return;
    }
    char err[400];
    wh_db *db = wh_db_open(wh_g.cfg.db, err, sizeof err); /* a fresh connection: see ops.c on why that is safe */
    if (!db) {
        snprintf(probe_why, sizeof probe_why, "%s", err);
        return;
    }
    int32_t rc = wh_db_exec(db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, 0);
    if (rc >= 0)
        rc = wh_db_exec(db,
                        "INSERT INTO wh_storage_probe(id, at) VALUES (1, ?) "
                        "ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                        WALOR_ARGS(walor_i(wh_now())));
    if (rc < 0)
        snprintf(probe_why, sizeof probe_why, "%s", wh_last_error());
    probe_ok = rc >= 0;
    wh_db_close(db);
}

/* key rendered with NULL-terminated name/value pairs, in a */
static char *render(wh_arena *a, const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    char *s = wh_text_render(a, key, ap);
    va_end(ap);
    return s;
}

static char *duration_ru(int64_t s, char *buf, size_t n)
{
    if (s < 60)
        snprintf(buf, n, "%lld с", (long long)s);
    else if (s < 3600)
        snprintf(buf, n, "%lld мин %lld с", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(buf, n, "%lld ч %lld мин", (long long)(s / 3600), (long long)(s % 3600 / 60));
    return buf;
}

static void probe_done(uv_work_t *r, int status)
{
    (void)r;
    probe_busy = 0;
    if (status != 0 || !started || wh_g.stopping)
        return;
    if (!probe_ok) {
        wh_debug("database storage: still not writable: %s", probe_why);
        return;
    }
    int64_t since = 0;
    wh_storage_state(NULL, 0, &since);
    int64_t took = since ? (int64_t)time(NULL) - since : 0;
    wh_storage_clear();
    wh_info("database storage: writable again after %lld s; resuming the held work", (long long)took);
    if (reported) {
        char d[64];
        wh_arena a;
        wh_arena_init(&a);
        wh_report_notice(render(&a, "core.storage.up", "duration", duration_ru(took, d, sizeof d), NULL));
        wh_arena_free(&a);
    }
    reported = 0;
    /* the host (main.c) re-queues the held updates and wakes the jobs and
     * the event delivery: they sit above ops, so they come as this hook */
    if (resumed)
        resumed();
}

static void report_down(int cls)
{
    char why[400];
    wh_storage_state(why, sizeof why, NULL);
    wh_arena a;
    wh_arena_init(&a);
    const char *todo = wh_ops_text(cls == WH_STORAGE_FULL       ? "core.storage.todo.full"
                                   : cls == WH_STORAGE_READONLY ? "core.storage.todo.readonly"
                                                                : "core.storage.todo.ioerr");
    wh_report_notice(render(&a, "core.storage.down", "what", wh_storage_class_ru(cls), "dir",
                            wh_html_escape(&a, wh_storage_dir()), "todo", todo, "why", wh_html_escape(&a, why),
                            NULL));
    wh_arena_free(&a);
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
    int cls = wh_storage_state(NULL, 0, NULL);
    if (cls == WH_STORAGE_UP || wh_g.stopping)
        return;
    /* a disk that went read-only after filling up is a new thing to say */
    if (!reported || cls != reported_cls) {
        report_down(cls);
        reported = 1;
        reported_cls = cls;
    }
    if (probe_busy)
        return;
    probe_busy = 1;
    if (uv_queue_work(loop, &work, probe_run, probe_done) != 0)
        probe_busy = 0;
}

int32_t wh_storage_migrate(wh_db *db)
{
    return wh_db_migrate(db, "host.storage", migrations, sizeof migrations / sizeof *migrations);
}

int wh_storage_watch_start(uv_loop_t *l, wh_db *loop_db)
{
    loop = l;
    wh_storage_set_path(wh_g.cfg.db);
    if (wh_storage_migrate(loop_db) < 0) {
        wh_err("storage watch: migrations failed: %s", wh_last_error());
        return -1;
    }
    uv_timer_init(loop, &timer);
    uv_timer_start(&timer, on_tick, PROBE_MS, PROBE_MS);
    started = 1;
    return 0;
}

void wh_storage_watch_stop(void)
{
    if (!started)
        return;
    started = 0;
    uv_close((uv_handle_t *)&timer, NULL);
}
