/* Can the live database be written? (docs/RELIABILITY.md "Disk full and
 * read-only").
 *
 * db.c hands every SQLite failure to wh_storage_note(). One that says the
 * storage itself is at fault (disk full, a read-only file system, an I/O
 * error) marks the storage DOWN for the whole process, and the first such
 * failure is logged once, with its reason. While it is down walord takes
 * no new work: the poller stores nothing (so the offset stays and Telegram
 * keeps the updates), the webhook answers 503, workers hold the updates
 * they get, the scheduler and the event delivery wait. The watcher
 * (host/ops/storage_watch.c) tells the owners once, probes every second,
 * and calls wh_storage_clear() when a write works again.
 *
 * Any thread; lock-free except for the reason text. */
#ifndef WH_STORAGE_H
#define WH_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#define WH_STORAGE_UP 0
#define WH_STORAGE_FULL 1     /* SQLITE_FULL: no space left */
#define WH_STORAGE_READONLY 2 /* SQLITE_READONLY, EROFS: the file system went read-only */
#define WH_STORAGE_IOERR 3    /* SQLITE_IOERR_*, SQLITE_CANTOPEN: the storage fails */

/* at start: the database's path, whose directory tells the file system */
void wh_storage_set_path(const char *db_path);
const char *wh_storage_dir(void);
/* 1 when the database's file system refuses writes as read-only now */
int wh_storage_fs_readonly(void);
/* the errno a one-byte write into an unnamed file in the database's
 * directory gets now (0: it worked or cannot be tried) */
int wh_storage_dir_errno(void);

/* which of the above an SQLite result code (primary or extended) means;
 * WH_STORAGE_UP for every other code */
int wh_storage_class(int sqlite_rc);

/* A failed SQLite call: sys_errno is sqlite3_system_errno() (0 if none),
 * detail sqlite3_errmsg() (no values). Marks the storage down when the
 * code is about the storage. */
void wh_storage_note(int sqlite_rc, int sys_errno, const char *detail);

/* 1 while writes are expected to work */
int wh_storage_ok(void);

/* the class of the current outage (WH_STORAGE_UP when none), its first
 * error in why, and since when (epoch s) */
int wh_storage_state(char *why, size_t n, int64_t *since);

/* the watcher saw a write work again */
void wh_storage_clear(void);

/* Storage failures the calling thread has met so far: compare the value
 * before and after a piece of work to learn whether it met one. */
uint64_t wh_storage_thread_errors(void);

/* a short Russian name of a class, for people ("диск заполнен") */
const char *wh_storage_class_ru(int cls);

#endif
