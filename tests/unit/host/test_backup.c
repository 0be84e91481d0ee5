/* host/db/backup.c (the online backup, the live-file guard) and the
 * database checks tools rely on: wh_db_open_existing, wh_db_is_walor,
 * wh_db_check_file. Real SQLite files in a temporary directory.
 * Features: infra */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dbkit.h"

static int file_no;

static void new_path(char *buf, size_t len, const char *what)
{
    snprintf(buf, len, "%s/%s%d.db", tmpdir, what, ++file_no);
}

/* a Walor-looking database: the host's migration row and some rows of t */
static wh_db *walor_db(char *path, size_t len, int rows)
{
    new_path(path, len, "live");
    wh_db *db = open_ok(path);
    assert_int_equal(wh_db_script(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, s TEXT);"
                                      "INSERT INTO wh_migrations(owner, version, applied_at) VALUES ('host.core', 1, 0)"),
                     0);
    assert_int_equal(wh_db_begin(db), 0);
    for (int k = 0; k < rows; k++)
        assert_int_equal(wh_db_exec(db, "INSERT INTO t(i, s) VALUES (?, ?)", WALOR_ARGS(walor_i(k), walor_s("Ключ"))),
                         1);
    assert_int_equal(wh_db_commit(db), 0);
    return db;
}

/* files in tmpdir whose name contains part (leftover temporary copies) */
static int files_with(const char *part)
{
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strstr(e->d_name, part) != NULL;
    closedir(d);
    return n;
}

/* the copy opens as a Walor database with `rows` rows in t, `keyed` of them written by walor_db() */
static void assert_copy(const char *dest, int64_t rows, int64_t keyed)
{
    char err[256];
    wh_db *copy = wh_db_open_existing(dest, err, sizeof err);
    if (!copy)
        fail_msg("open copy %s: %s", dest, err);
    assert_int_equal(count(copy, "SELECT count(*) FROM t"), rows);
    assert_int_equal(count(copy, "SELECT count(*) FROM t WHERE s = 'Ключ'"), keyed);
    assert_int_equal(wh_db_is_walor(copy), 0);
    wh_rows *r;
    assert_int_equal(wh_db_query(copy, "PRAGMA integrity_check", NULL, 0, &r), 0);
    assert_int_equal(wh_rows_next(r), 1);
    assert_string_equal(wh_rows_text(r, 0), "ok");
    wh_rows_close(r);
    wh_db_close(copy);
}

/* ---- the copy ---- */

static void test_backup_copies_and_verifies(void **state)
{
    (void)state;
    char path[256], dest[300];
    wh_db *db = walor_db(path, sizeof path, 500);
    snprintf(dest, sizeof dest, "%s/copy%d.db", tmpdir, ++file_no);

    /* a second connection's open write transaction is not in the copy */
    wh_db *other = open_ok(path);
    assert_int_equal(wh_db_begin(other), 0);
    assert_int_equal(wh_db_exec(other, "INSERT INTO t(i) VALUES (-1)", NULL, 0), 1);
    assert_int_equal(wh_db_backup(db, dest, 0), 0);
    assert_int_equal(wh_db_commit(other), 0);
    wh_db_close(other);
    assert_copy(dest, 500, 500);
    assert_int_equal(files_with(".tmp-"), 0);

    /* an existing file stays as it is unless REPLACE */
    assert_int_equal(wh_db_backup(db, dest, 0), WALOR_EEXIST);
    assert_non_null(strstr(wh_last_error(), "already exists"));
    assert_copy(dest, 500, 500);
    assert_int_equal(wh_db_backup(db, dest, WH_BACKUP_REPLACE), 0);
    assert_copy(dest, 501, 500);
    assert_int_equal(files_with(".tmp-"), 0);
    wh_db_close(db);
}

static void test_backup_refusals(void **state)
{
    (void)state;
    char path[256], dest[300], alias[300];
    wh_db *db = walor_db(path, sizeof path, 3);

    snprintf(dest, sizeof dest, "%s/no-such-dir/x.db", tmpdir);
    assert_int_equal(wh_db_backup(db, dest, 0), WALOR_ENOTFOUND);
    assert_non_null(strstr(wh_last_error(), "no-such-dir"));
    assert_non_null(strstr(wh_last_error(), "does not exist"));

    assert_int_equal(wh_db_backup(db, "", 0), WALOR_EINVAL);
    assert_int_equal(wh_db_backup(db, NULL, 0), WALOR_EINVAL);
    snprintf(dest, sizeof dest, "%s/ok%d.db", tmpdir, ++file_no);
    assert_int_equal(wh_db_backup(db, dest, 0x80), WALOR_EINVAL);
    snprintf(dest, sizeof dest, "%s/", tmpdir);
    assert_int_equal(wh_db_backup(db, dest, WH_BACKUP_REPLACE), WALOR_EINVAL);
    assert_int_equal(wh_db_backup(db, tmpdir, WH_BACKUP_REPLACE), WALOR_EINVAL); /* a directory */

    /* the live files themselves, under any name: never replaced by a copy */
    assert_int_equal(wh_db_backup(db, path, WH_BACKUP_REPLACE), WALOR_EINVAL);
    assert_non_null(strstr(wh_last_error(), "live database"));
    snprintf(dest, sizeof dest, "%s-wal", path);
    assert_int_equal(wh_db_backup(db, dest, WH_BACKUP_REPLACE), WALOR_EINVAL);
    snprintf(dest, sizeof dest, "%s-shm", path);
    assert_int_equal(wh_db_backup(db, dest, WH_BACKUP_REPLACE), WALOR_EINVAL);
    snprintf(dest, sizeof dest, "%s-journal", path); /* does not exist: judged by its name */
    assert_int_equal(wh_db_backup(db, dest, WH_BACKUP_REPLACE), WALOR_EINVAL);
    snprintf(alias, sizeof alias, "%s/./%s", tmpdir, strrchr(path, '/') + 1);
    assert_int_equal(wh_db_backup(db, alias, WH_BACKUP_REPLACE), WALOR_EINVAL);
    snprintf(alias, sizeof alias, "%s/link%d.db", tmpdir, ++file_no);
    assert_int_equal(symlink(path, alias), 0);
    assert_int_equal(wh_db_backup(db, alias, WH_BACKUP_REPLACE), WALOR_EINVAL);
    assert_int_equal(count(db, "SELECT count(*) FROM t"), 3);

    /* inside a transaction: the copy is of committed data only */
    assert_int_equal(wh_db_begin(db), 0);
    snprintf(dest, sizeof dest, "%s/tx%d.db", tmpdir, ++file_no);
    assert_int_equal(wh_db_backup(db, dest, 0), WALOR_EPHASE);
    assert_int_equal(wh_db_rollback(db), 0);
    assert_int_equal(access(dest, F_OK), -1);
    wh_db_close(db);

    wh_db *mem = open_ok(":memory:");
    snprintf(dest, sizeof dest, "%s/mem%d.db", tmpdir, ++file_no);
    assert_int_equal(wh_db_backup(mem, dest, 0), WALOR_EINVAL);
    wh_db_close(mem);
}

/* the copy fails half-way (a file size limit stands in for a full disk):
 * an error, and no file left behind, not even the temporary one */
static void test_backup_failure_leaves_nothing(void **state)
{
    (void)state;
    char path[256], dest[300];
    wh_db *db = walor_db(path, sizeof path, 3000);
    snprintf(dest, sizeof dest, "%s/big%d.db", tmpdir, ++file_no);
    struct rlimit old, small = {.rlim_cur = 16 * 1024, .rlim_max = RLIM_INFINITY};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int32_t rc = wh_db_backup(db, dest, 0);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, WALOR_EDB);
    assert_non_null(strstr(wh_last_error(), "backup:"));
    assert_int_equal(access(dest, F_OK), -1);
    assert_int_equal(files_with(".tmp-"), 0);
    /* the live database is untouched and the next backup works */
    assert_int_equal(wh_db_backup(db, dest, 0), 0);
    assert_copy(dest, 3000, 3000);
    wh_db_close(db);
}

/* ---- consistency while another connection writes ---- */

#define ACCOUNTS 400
#define TOTAL ((int64_t)ACCOUNTS * 1000 * 2)

typedef struct writer {
    const char *path;
    atomic_int stop;
    atomic_long commits;
    int failed;
} writer;

/* moves money from an account of table a to one of table b and back, in
 * transactions: a + b always sums to TOTAL in every committed state */
static void *write_loop(void *arg)
{
    writer *w = arg;
    wh_db *db = open_ok(w->path);
    unsigned seed = 7;
    while (!atomic_load(&w->stop)) {
        int64_t from = rand_r(&seed) % ACCOUNTS, to = rand_r(&seed) % ACCOUNTS, amt = 1 + rand_r(&seed) % 50;
        int sign = rand_r(&seed) & 1;
        if (wh_db_begin(db) != 0 ||
            wh_db_exec(db, sign ? "UPDATE a SET bal = bal - ? WHERE id = ?" : "UPDATE a SET bal = bal + ? WHERE id = ?",
                       WALOR_ARGS(walor_i(amt), walor_i(from))) != 1 ||
            wh_db_exec(db, sign ? "UPDATE b SET bal = bal + ? WHERE id = ?" : "UPDATE b SET bal = bal - ? WHERE id = ?",
                       WALOR_ARGS(walor_i(amt), walor_i(to))) != 1 ||
            wh_db_commit(db) != 0) {
            w->failed = 1;
            wh_db_rollback(db);
            break;
        }
        atomic_fetch_add(&w->commits, 1);
    }
    wh_db_close(db);
    return NULL;
}

static void test_backup_while_another_thread_writes(void **state)
{
    (void)state;
    char path[256], dest[300];
    wh_db *db = walor_db(path, sizeof path, 0);
    /* padding: hundreds of pages, so a copy in small steps would be
     * restarted by every commit of the writer */
    assert_int_equal(wh_db_script(db, "CREATE TABLE a(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL, pad TEXT);"
                                      "CREATE TABLE b(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL, pad TEXT);"
                                      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 399) "
                                      "INSERT INTO a SELECT i, 1000, zeroblob(1500) FROM n;"
                                      "INSERT INTO b SELECT id, 1000, pad FROM a;"),
                     0);
    assert_int_equal(count(db, "SELECT (SELECT sum(bal) FROM a) + (SELECT sum(bal) FROM b)"), TOTAL);

    writer w = {.path = path};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, write_loop, &w), 0);
    while (atomic_load(&w.commits) < 50)
        usleep(1000);
    long before = atomic_load(&w.commits);
    for (int k = 0; k < 10; k++) {
        snprintf(dest, sizeof dest, "%s/snap%d.db", tmpdir, ++file_no);
        assert_int_equal(wh_db_backup(db, dest, 0), 0);
        char err[256];
        wh_db *copy = wh_db_open_existing(dest, err, sizeof err);
        assert_non_null(copy);
        assert_int_equal(count(copy, "SELECT (SELECT sum(bal) FROM a) + (SELECT sum(bal) FROM b)"), TOTAL);
        assert_int_equal(count(copy, "SELECT count(*) FROM a") + count(copy, "SELECT count(*) FROM b"),
                         2 * ACCOUNTS);
        wh_db_close(copy);
    }
    long during = atomic_load(&w.commits) - before;
    atomic_store(&w.stop, 1);
    pthread_join(th, NULL);
    assert_false(w.failed);
    assert_true(during > 0); /* the writer went on while the copies were made */
    assert_int_equal(count(db, "SELECT (SELECT sum(bal) FROM a) + (SELECT sum(bal) FROM b)"), TOTAL);
    assert_int_equal(files_with(".tmp-"), 0);
    wh_db_close(db);
}

/* ---- the live-file guard ---- */

static void test_is_live_file(void **state)
{
    (void)state;
    char path[256], other[300], name[320];
    wh_db *db = walor_db(path, sizeof path, 1);
    assert_true(wh_db_is_live_file(path, path));
    snprintf(name, sizeof name, "%s-wal", path);
    assert_true(wh_db_is_live_file(path, name));
    snprintf(name, sizeof name, "%s-shm", path);
    assert_true(wh_db_is_live_file(path, name));
    snprintf(name, sizeof name, "%s-journal", path);
    assert_true(wh_db_is_live_file(path, name));
    snprintf(name, sizeof name, "%s/../%s/%s", tmpdir, strrchr(tmpdir, '/') + 1, strrchr(path, '/') + 1);
    assert_true(wh_db_is_live_file(path, name));
    snprintf(other, sizeof other, "%s/hard%d.db", tmpdir, ++file_no);
    assert_int_equal(link(path, other), 0);
    assert_true(wh_db_is_live_file(path, other));
    snprintf(name, sizeof name, "%s.log", path);
    assert_false(wh_db_is_live_file(path, name));
    snprintf(name, sizeof name, "%s/unrelated.db", tmpdir);
    assert_false(wh_db_is_live_file(path, name));
    assert_false(wh_db_is_live_file(path, "/no/such/dir/x.db"));
    assert_false(wh_db_is_live_file(path, NULL));
    assert_false(wh_db_is_live_file(":memory:", path));
    wh_db_close(db);
}

/* ---- opening for tools, is it Walor's ---- */

static void test_open_existing(void **state)
{
    (void)state;
    char path[256], err[256];
    new_path(path, sizeof path, "missing");
    assert_null(wh_db_open_existing(path, err, sizeof err));
    assert_int_equal(access(path, F_OK), -1); /* nothing created */

    new_path(path, sizeof path, "garbage");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not an sqlite database file. ", f);
    fclose(f);
    assert_null(wh_db_open_existing(path, err, sizeof err));
    assert_non_null(strstr(err, "not a database"));

    /* another application's database: opened as it is, and not Walor's */
    new_path(path, sizeof path, "foreign");
    {
        wh_db *db = open_ok(path);
        assert_int_equal(wh_db_script(db, "CREATE TABLE notes(x); DROP TABLE wh_migrations;"), 0);
        wh_db_close(db);
    }
    wh_db *db = wh_db_open_existing(path, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(wh_db_is_walor(db), WALOR_ENOTFOUND);
    assert_non_null(strstr(wh_last_error(), "not a Walor database"));
    assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'wh_migrations'"), 0);
    wh_db_close(db);

    char live[256];
    db = walor_db(live, sizeof live, 1);
    assert_int_equal(wh_db_is_walor(db), 0);
    wh_db_close(db);
}

/* the file's header is judged as it is on disk, even while page 1 is
 * served from the WAL; the damage is done by another process, as it
 * would be in life (a descriptor closed here would drop our locks) */
static void test_check_file(void **state)
{
    (void)state;
    char path[256], err[256];
    wh_db *db = walor_db(path, sizeof path, 10);
    assert_int_equal(wh_db_check_file(db), 0);
    assert_int_equal(wh_db_exec(db, "UPDATE t SET i = i + 1", NULL, 0), 10); /* page 1 into the WAL too */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(path, O_WRONLY);
        _exit(fd >= 0 && pwrite(fd, "not a database!!", 16, 0) == 16 ? 0 : 1);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    wh_db *fresh = wh_db_open(path, err, sizeof err);
    assert_non_null(fresh);
    assert_int_equal(wh_db_check(fresh), 0); /* queries do not notice */
    assert_int_equal(wh_db_check_file(fresh), WALOR_EDB);
    assert_non_null(strstr(wh_last_error(), "no SQLite header"));
    wh_db_close(fresh);
    wh_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_copies_and_verifies),
        cmocka_unit_test(test_backup_refusals),
        cmocka_unit_test(test_backup_failure_leaves_nothing),
        cmocka_unit_test(test_backup_while_another_thread_writes),
        cmocka_unit_test(test_is_live_file),
        cmocka_unit_test(test_open_existing),
        cmocka_unit_test(test_check_file),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
