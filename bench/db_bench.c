/* Micro-benchmark of host/db/db.c on a temporary file (not a test):
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -Isdk/include -Ihost bench/db_bench.c host/db/db.c \
 *       host/util/error.c host/util/log.c -lsqlite3 -ljansson -lpthread -o /tmp/db_bench && /tmp/db_bench
 * Prints one line: bench: db_tx_per_s=N db_select_per_s=M
 * tx: BEGIN IMMEDIATE + one-row INSERT + COMMIT (WAL, synchronous=NORMAL);
 * select: point lookup by primary key, through the statement cache. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "error.h"

#define TX_N 20000
#define SELECT_N 500000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    char dir[] = "/tmp/walor-db-bench-XXXXXX", path[64], aux[80], err[256];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/bench.db", dir);
    wh_db *db = wh_db_open(path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    if (wh_db_script(db, "CREATE TABLE b(id INTEGER PRIMARY KEY, price INTEGER NOT NULL, name TEXT NOT NULL)") < 0)
        goto fail;

    double t0 = now_s();
    for (int k = 0; k < TX_N; k++) {
        if (wh_db_begin(db) < 0 ||
            wh_db_exec(db, "INSERT INTO b(price, name) VALUES (?, ?)", WALOR_ARGS(walor_i(k * 100), walor_s("Товар"))) != 1 ||
            wh_db_commit(db) < 0)
            goto fail;
    }
    double tx = TX_N / (now_s() - t0);

    unsigned seed = 1;
    int64_t sum = 0;
    t0 = now_s();
    for (int k = 0; k < SELECT_N; k++) {
        int64_t v;
        int64_t id = 1 + (int64_t)(rand_r(&seed) % TX_N);
        if (wh_db_int(db, "SELECT price FROM b WHERE id = ?", WALOR_ARGS(walor_i(id)), &v) < 0)
            goto fail;
        sum += v;
    }
    double sel = SELECT_N / (now_s() - t0);

    wh_db_close(db);
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
    rmdir(dir);
    printf("bench: db_tx_per_s=%.0f db_select_per_s=%.0f\n", tx, sel);
    return sum > 0 ? 0 : 1;
fail:
    fprintf(stderr, "bench: %s\n", wh_last_error());
    wh_db_close(db);
    return 1;
}
