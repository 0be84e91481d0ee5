/* host/db/storage.c: which SQLite failures mean "the storage", the state
 * they put the process in, and that a real SQLITE_FULL from db.c reaches it
 * (a file size limit stands in for a full disk).
 * Features: infra */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "error.h"
#include "log.h"
#include "storage.h"

static void test_classes(void **state)
{
    (void)state;
    assert_int_equal(wh_storage_class(SQLITE_FULL), WH_STORAGE_FULL);
    assert_int_equal(wh_storage_class(SQLITE_READONLY), WH_STORAGE_READONLY);
    assert_int_equal(wh_storage_class(SQLITE_READONLY_DBMOVED), WH_STORAGE_READONLY);
    assert_int_equal(wh_storage_class(SQLITE_IOERR), WH_STORAGE_IOERR);
    assert_int_equal(wh_storage_class(SQLITE_IOERR_WRITE), WH_STORAGE_IOERR);
    assert_int_equal(wh_storage_class(SQLITE_IOERR_FSYNC), WH_STORAGE_IOERR);
    assert_int_equal(wh_storage_class(SQLITE_CANTOPEN), WH_STORAGE_IOERR);
    /* a plugin's bad SQL, a busy database, a constraint: not the storage */
    assert_int_equal(wh_storage_class(SQLITE_ERROR), WH_STORAGE_UP);
    assert_int_equal(wh_storage_class(SQLITE_BUSY), WH_STORAGE_UP);
    assert_int_equal(wh_storage_class(SQLITE_CONSTRAINT_UNIQUE), WH_STORAGE_UP);
    assert_int_equal(wh_storage_class(SQLITE_CORRUPT), WH_STORAGE_UP);
    assert_int_equal(wh_storage_class(SQLITE_OK), WH_STORAGE_UP);
}

static void *note_full(void *arg)
{
    (void)arg;
    uint64_t before = wh_storage_thread_errors();
    wh_storage_note(SQLITE_FULL, 0, "database or disk is full");
    return (void *)(uintptr_t)(wh_storage_thread_errors() - before);
}

static void test_state(void **state)
{
    (void)state;
    wh_storage_set_path("/tmp/x.db");
    assert_string_equal(wh_storage_dir(), "/tmp");
    wh_storage_clear();
    assert_true(wh_storage_ok());
    uint64_t mine = wh_storage_thread_errors();

    wh_storage_note(SQLITE_CONSTRAINT, 0, "UNIQUE constraint failed");
    assert_true(wh_storage_ok());
    assert_int_equal(wh_storage_thread_errors(), mine);

    /* another thread's failure puts the whole process down, but counts only there */
    pthread_t th;
    void *counted;
    assert_int_equal(pthread_create(&th, NULL, note_full, NULL), 0);
    pthread_join(th, &counted);
    assert_int_equal((uintptr_t)counted, 1);
    assert_int_equal(wh_storage_thread_errors(), mine);
    assert_false(wh_storage_ok());
    char why[100];
    int64_t since = 0;
    assert_int_equal(wh_storage_state(why, sizeof why, &since), WH_STORAGE_FULL);
    assert_string_equal(why, "database or disk is full");
    assert_true(since > 0);

    /* later failures keep the first reason */
    wh_storage_note(SQLITE_IOERR_WRITE, 0, "disk I/O error");
    assert_int_equal(wh_storage_state(why, sizeof why, NULL), WH_STORAGE_FULL);
    assert_string_equal(why, "database or disk is full");
    assert_int_equal(wh_storage_thread_errors(), mine + 1);

    /* the errno decides what an I/O error was */
    wh_storage_clear();
    assert_true(wh_storage_ok());
    assert_int_equal(wh_storage_state(why, sizeof why, &since), WH_STORAGE_UP);
    assert_string_equal(why, "");
    wh_storage_note(SQLITE_IOERR_WRITE, EROFS, "disk I/O error");
    assert_int_equal(wh_storage_state(NULL, 0, NULL), WH_STORAGE_READONLY);
    wh_storage_clear();
    wh_storage_note(SQLITE_IOERR_WRITE, ENOSPC, "disk I/O error");
    assert_int_equal(wh_storage_state(NULL, 0, NULL), WH_STORAGE_FULL);
    wh_storage_clear();
}

/* db.c tells the storage about a real failed write, and the caller still
 * gets WALOR_EDB with SQLite's message */
static void test_db_failure_reaches_it(void **state)
{
    (void)state;
    char dir[] = "/tmp/walor-test-storage-XXXXXX", path[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/full.db", dir);
    wh_storage_set_path(path);
    wh_storage_clear();
    wh_db *db = wh_db_open(path, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(wh_db_script(db, "CREATE TABLE b(x BLOB)"), 0);
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_cur = 64 * 1024;
    small.rlim_max = old.rlim_max;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    uint64_t before = wh_storage_thread_errors();
    int32_t rc = wh_db_exec(db, "INSERT INTO b VALUES (zeroblob(1000000))", NULL, 0);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, WALOR_EDB);
    assert_true(wh_storage_thread_errors() > before);
    assert_false(wh_storage_ok());
    wh_storage_clear();
    assert_int_equal(wh_db_exec(db, "INSERT INTO b VALUES (zeroblob(10))", NULL, 0), 1);
    assert_true(wh_storage_ok());
    wh_db_close(db);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    wh_log_set_level(WH_LOG_ERROR + 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_db_failure_reaches_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
