/* Operations (F-HOST-03, 04, 09-12): registration of the owner's
 * maintenance screens and the help into the core plugin, the database
 * health check and the timer that summarises repeated error reports.
 * The screens are in ops_screens.c, reports in report.c, help in help.c. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_slots.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "ops.h"
#include "report.h"
#include "storage.h"
#include "texts.h"

static const walor_text_pair texts[] = {
    {"core.ops.btn.pdf", "📄 Скачать PDF"},
    {"core.ops.help.title", "📚 <b>Справка</b>\nВыберите раздел:"},
    {"core.ops.help.admin_title", "📚 <b>Инструкции</b>\nВыберите раздел или скачайте все инструкции одним PDF."},
    {"core.ops.help.empty", "Справка пока пуста."},
    {"core.ops.help.back", "⬅️ К списку"},
    {"core.ops.help.pdf_sending", "Готовлю PDF…"},
    {"core.ops.help.pdf_caption", "📄 Инструкции"},
    {"core.ops.actions.title", "📜 <b>Журнал действий</b> · стр. {page}\n\n{lines}"},
    {"core.ops.actions.empty", "📜 <b>Журнал действий</b>\n\nЗаписей пока нет."},
    {"core.ops.log.none", "📄 Файл лога не настроен ([walor] log_file): журнал пишется только в stderr. "
                          "На сервере его можно посмотреть командой <code>journalctl -u walord</code>."},
    {"core.ops.log.missing", "📄 Не удалось прочитать файл лога {path}: {why}"},
    {"core.ops.log.caption", "📄 Лог сервера ({size})"},
    {"core.ops.restart.confirm", "🔄 <b>Перезапустить бота?</b>\nНачатые действия пользователей завершатся, "
                                 "бот вернётся через несколько секунд."},
    {"core.ops.restart.going", "🔄 Перезапускаюсь… Бот вернётся через несколько секунд."},
    {"core.ops.reset.confirm", "♻️ <b>Обновить меню у всех?</b>\nГлавное меню будет заново отправлено всем "
                               "пользователям ({n}). Рассылка идёт постепенно, ход будет виден здесь."},
    {"core.ops.reset.progress", "♻️ Обновление меню: отправлено {sent} из {total}"},
    {"core.ops.reset.done", "✅ Обновление меню завершено: отправлено {sent} из {total}{failed}"},
    {"core.ops.reset.blocked", "\n🚫 Заблокировали бота: {n} (им меню больше не отправляется)"},
    {"core.ops.reset.failed", "\n⚠️ Не доставлено из-за ошибок: {n}"},
    {"core.ops.reset.busy", "Обновление меню уже идёт."},
    {"core.ops.btn.restart", "🔄 Да, перезапустить"},
    {"core.ops.btn.reset", "♻️ Да, отправить всем"},
};

const char *wh_ops_text(const char *key)
{
    const char *t = wh_text_get(key);
    return t ? t : key;
}

const char *wh_ops_time(walor_ctx *c, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    localtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%d.%m.%Y %H:%M", &tm);
    return walor_ctx_printf(c, "%s", buf);
}

int32_t wh_ops_register(walor_plugin *core)
{
    /* before plugins are loaded: a crash in a plugin's load() gets a backtrace too */
    wh_report_install_crash_handler();
    int32_t rc = walor_texts(core, texts, sizeof texts / sizeof *texts);
    if (rc == 0)
        rc = wh_help_register(core);
    if (rc == 0)
        rc = wh_ops_screens_register(core);
    if (rc == 0)
        rc = wh_storage_watch_register(core);
    return rc;
}

void wh_ops_fill(walor_host_api *api)
{
    wh_help_fill(api);
    wh_report_fill(api);
}

/* ---- F-HOST-10: database health check ----
 * Open connections keep answering from their page cache after the file
 * under them went bad or was replaced (SQLite notices neither), so the
 * check opens a fresh connection each time: the file must still be the one
 * walord started with, open as a database and carry the host's tables. It
 * runs on libuv's thread pool, since an open may wait for a lock; the
 * verdict is acted on back on the loop.
 *
 * It never opens the file itself. POSIX advisory locks belong to the
 * process, and closing ANY descriptor of a file releases all of them
 * (sqlite.org/howtocorrupt.html §2.2): an open()+close() here once dropped
 * the locks of every connection walord holds, and the next outside sqlite3
 * to close took itself for the last user and deleted the live WAL. A fresh
 * SQLite connection is safe instead: the unix VFS keeps one record per
 * inode for all connections of the process, and unixClose() in os_unix.c
 * does not close a descriptor while that inode still has locks ("If there
 * are outstanding locks, do not actually close the file just yet because
 * that would clear those locks. Instead, add the file descriptor to
 * pInode->pUnused list"); the -shm mapping is shared per inode the same
 * way and closed with its last user. The header is read through that
 * connection's own descriptor (wh_db_check_file). stat() opens nothing. */

static uv_loop_t *ops_loop;
static uv_timer_t check_timer, flush_timer;
static uv_work_t check_work;
static int check_busy, started;
static char check_err[512];
static int check_failed;
static dev_t db_dev;
static ino_t db_ino;

static void check_db(void)
{
    const char *path = wh_g.cfg.db;
    struct stat st;
    int pg = wh_db_is_conninfo(path); /* a server: no file to look at */
    if (!pg && stat(path, &st) != 0) {
        snprintf(check_err, sizeof check_err, "the database file %s is gone", path);
        check_failed = 1;
        return;
    }
    if (!pg && (st.st_dev != db_dev || st.st_ino != db_ino)) {
        snprintf(check_err, sizeof check_err, "the database file %s was replaced", path);
        check_failed = 1;
        return;
    }
    char err[400];
    wh_db *db = wh_db_open(path, err, sizeof err);
    if (!db) {
        snprintf(check_err, sizeof check_err, "%s", err);
        check_failed = 1;
        return;
    }
    int64_t n = 0;
    /* the header first: a query may take page 1 from the WAL and never
     * look at a file whose start was overwritten */
    int32_t rc = wh_db_check_file(db);
    if (rc == 0)
        rc = wh_db_check(db);
    if (rc == 0)
        rc = wh_db_int(db, "SELECT count(*) FROM wh_migrations", NULL, 0, &n);
    if (rc == 0 && n == 0)
        rc = wh_error(WALOR_EDB, "no migrations recorded");
    if (rc < 0) {
        snprintf(check_err, sizeof check_err, "%s: %s", wh_strerror(rc), wh_last_error());
        check_failed = 1;
    }
    wh_db_close(db);
}

static void check_run(uv_work_t *r)
{
    (void)r;
    check_failed = 0;
    uint64_t storage_errors = wh_storage_thread_errors();
    check_db();
    /* a full or read-only disk is not cured by a restart: the storage
     * watcher (storage_watch.c) holds the work until writes work again;
     * nor is a PostgreSQL server that does not answer: every connection
     * opens again by itself once it does */
    if (check_failed && (wh_storage_thread_errors() != storage_errors || wh_db_is_conninfo(wh_g.cfg.db)))
        check_failed = 2;
}

static void check_done(uv_work_t *r, int status)
{
    (void)r;
    check_busy = 0;
    if (status != 0 || !check_failed || wh_g.stopping)
        return;
    if (check_failed == 2) {
        wh_warn("database health check: %s (the storage, not the file: no restart)", check_err);
        return;
    }
    wh_err("database health check failed: %s; exiting so that systemd restarts walord", check_err);
    wh_g.exit_code = 1;
    uv_kill(getpid(), SIGTERM); /* the same clean stop as `systemctl stop` */
}

static void on_check(uv_timer_t *t)
{
    (void)t;
    if (check_busy || wh_g.stopping)
        return;
    check_busy = 1;
    if (uv_queue_work(ops_loop, &check_work, check_run, check_done) != 0)
        check_busy = 0;
}

static void on_flush(uv_timer_t *t)
{
    (void)t;
    wh_report_flush_due();
}

int wh_ops_start(uv_loop_t *loop, wh_db *loop_db)
{
    ops_loop = loop;
    const char *iv = wh_config_get(&wh_g.cfg, "walor", "db_check_interval");
    char *end = NULL;
    long secs = iv ? strtol(iv, &end, 10) : 300;
    if (iv && (!end || end == iv || *end || secs < 1 || secs > 86400)) {
        wh_err("[walor] db_check_interval must be 1-86400 seconds, not '%s'", iv);
        wh_g.exit_code = 2;
        return -1;
    }
    struct stat st = {0};
    if (!wh_db_is_conninfo(wh_g.cfg.db) && stat(wh_g.cfg.db, &st) != 0) {
        wh_err("cannot stat the database %s", wh_g.cfg.db);
        wh_g.exit_code = 1;
        return -1;
    }
    db_dev = st.st_dev;
    db_ino = st.st_ino;
    if (wh_storage_watch_start(loop, loop_db) != 0) {
        wh_g.exit_code = 1;
        return -1;
    }
    uv_timer_init(loop, &check_timer);
    uv_timer_start(&check_timer, on_check, (uint64_t)secs * 1000, (uint64_t)secs * 1000);
    uv_timer_init(loop, &flush_timer);
    uv_timer_start(&flush_timer, on_flush, 30000, 30000);
    started = 1;
    wh_info("database health check every %ld s", secs);
    return 0;
}

void wh_ops_stop(void)
{
    if (!started)
        return;
    started = 0;
    uv_close((uv_handle_t *)&check_timer, NULL);
    uv_close((uv_handle_t *)&flush_timer, NULL);
    wh_storage_watch_stop();
}
