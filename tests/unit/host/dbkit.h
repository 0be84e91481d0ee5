/* What the database unit tests (test_db.c, test_backup.c) share: a
 * temporary directory per test program, removed at the end, and a couple of
 * checked shortcuts. Include after cmocka.h. */
#ifndef WALOR_TEST_DBKIT_H
#define WALOR_TEST_DBKIT_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "error.h"
#include "log.h"

/* the program's directory; group_setup fills in the X's */
static char tmpdir[] = "/tmp/walor-test-db-XXXXXX";

static wh_db *open_ok(const char *path)
{
    char err[256];
    wh_db *db = wh_db_open(path, err, sizeof err);
    if (!db)
        fail_msg("open %s: %s", path, err);
    return db;
}

/* the first column of the first row of sql */
static int64_t count(wh_db *db, const char *sql)
{
    int64_t n = -1;
    if (wh_db_int(db, sql, NULL, 0, &n) != 0)
        fail_msg("%s: %s", sql, wh_last_error());
    return n;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int group_setup(void **state)
{
    (void)state;
    wh_log_set_level(WH_LOG_WARN);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
