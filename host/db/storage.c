/* The storage state of the live database (storage.h). */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "path.h"

static _Atomic int state = WH_STORAGE_UP;
static _Atomic int64_t down_since;
static pthread_mutex_t why_mu = PTHREAD_MUTEX_INITIALIZER;
static char why_text[400];
static _Thread_local uint64_t thread_errors;
static char dir[4096]; /* of the database, set once at start */

void wh_storage_set_path(const char *db_path) { wh_path_dir(db_path, dir, sizeof dir); }

const char *wh_storage_dir(void) { return dir[0] ? dir : "."; }

int wh_storage_fs_readonly(void)
{
    struct statvfs st;
    if (statvfs(wh_storage_dir(), &st) == 0 && (st.f_flag & ST_RDONLY))
        return 1;
    return wh_storage_dir_errno() == EROFS;
}

/* Writes one byte into an unnamed file (O_TMPFILE) in the database's
 * directory: what the file system answers a writer now. A mount that went
 * read-only after an error (ext4's errors=remount-ro) does not always say
 * so in statvfs, and SQLite reports its EROFS as a plain I/O error. No
 * name is created, and no database file is touched. */
int wh_storage_dir_errno(void)
{
    int fd = open(wh_storage_dir(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL ? 0 : errno;
    int e = write(fd, "", 1) == 1 ? 0 : errno;
    close(fd);
    return e;
}

int wh_storage_class(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return WH_STORAGE_FULL;
    case SQLITE_READONLY:
        return WH_STORAGE_READONLY;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        return WH_STORAGE_IOERR;
    default:
        return WH_STORAGE_UP;
    }
}

const char *wh_storage_class_ru(int cls)
{
    switch (cls) {
    case WH_STORAGE_FULL: return "на диске кончилось место";
    case WH_STORAGE_READONLY: return "файловая система стала доступна только для чтения";
    case WH_STORAGE_IOERR: return "ошибка ввода-вывода диска";
    default: return "запись работает";
    }
}

static const char *class_en(int cls)
{
    switch (cls) {
    case WH_STORAGE_FULL: return "the disk is full";
    case WH_STORAGE_READONLY: return "the file system is read-only";
    default: return "the storage fails with I/O errors";
    }
}

void wh_storage_note(int rc, int sys_errno, const char *detail)
{
    int cls = wh_storage_class(rc);
    /* a file that is not there (a typo, walorctl on a fresh machine) is not the storage failing */
    if (cls == WH_STORAGE_UP || ((rc & 0xff) == SQLITE_CANTOPEN && sys_errno == ENOENT))
        return;
    thread_errors++;
    /* EROFS and ENOSPC reach SQLite as failed writes (SQLITE_IOERR_WRITE,
     * _FSYNC, _SHMSIZE …): the errno tells what the storage said */
    int dir_errno = sys_errno ? sys_errno : cls == WH_STORAGE_IOERR ? wh_storage_dir_errno() : 0;
    if (dir_errno == EROFS || (cls == WH_STORAGE_IOERR && wh_storage_fs_readonly()))
        cls = WH_STORAGE_READONLY;
    else if (dir_errno == ENOSPC || dir_errno == EDQUOT)
        cls = WH_STORAGE_FULL;
    sys_errno = dir_errno;
    int up = WH_STORAGE_UP;
    if (!atomic_compare_exchange_strong(&state, &up, cls))
        return; /* already down: the first failure said it */
    atomic_store(&down_since, (int64_t)time(NULL));
    pthread_mutex_lock(&why_mu);
    snprintf(why_text, sizeof why_text, "%s", detail && *detail ? detail : sqlite3_errstr(rc));
    pthread_mutex_unlock(&why_mu);
    char sys[160] = "";
    if (sys_errno)
        snprintf(sys, sizeof sys, "; the system said: %s", strerror(sys_errno));
    wh_err("database storage: %s (%s%s): walord takes no new updates (Telegram keeps them) and checks every "
           "second until it can write again",
           class_en(cls), detail && *detail ? detail : sqlite3_errstr(rc), sys);
}

int wh_storage_ok(void) { return atomic_load(&state) == WH_STORAGE_UP; }

int wh_storage_state(char *why, size_t n, int64_t *since)
{
    int s = atomic_load(&state);
    if (why && n) {
        pthread_mutex_lock(&why_mu);
        snprintf(why, n, "%s", s == WH_STORAGE_UP ? "" : why_text);
        pthread_mutex_unlock(&why_mu);
    }
    if (since)
        *since = s == WH_STORAGE_UP ? 0 : atomic_load(&down_since);
    return s;
}

void wh_storage_clear(void) { atomic_store(&state, WH_STORAGE_UP); }

uint64_t wh_storage_thread_errors(void) { return thread_errors; }
