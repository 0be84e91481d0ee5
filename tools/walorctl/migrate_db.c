/* walorctl migrate-db SQLITE_FILE CONNINFO: a shop's data from its SQLite
 * file into PostgreSQL (docs/operator-guide.md "Moving to PostgreSQL").
 *
 * The destination's tables are walord's own, made by its migrations
 * (`walord --migrate` with [walor] db pointing there), so both databases
 * must have the same migrations applied: the copy refuses otherwise. It
 * refuses a destination that has served anyone too. Then, in ONE
 * transaction on PostgreSQL, every table of the source is copied in the
 * order its foreign keys need (SQLite's FTS tables by rowid and their
 * declared columns), identity counters are moved past the copied ids, and
 * each table is checked: the same row count and the same sum of every
 * integer column on both sides, or nothing is committed. Stop walord first:
 * what it writes during the copy is not in it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "error.h"
#include "migrate_db.h"

#define TABLES_MAX 512
#define COLS_MAX 128

typedef struct table {
    char *name;
    int is_virtual;
    char *deps[16]; /* tables its foreign keys reference */
    int ndeps;
    char *cols[COLS_MAX];
    int int_col[COLS_MAX]; /* declared INTEGER: summed in the check */
    int ncols;
    int done;
} table;

static void fail(const char *what) { fprintf(stderr, "walorctl: migrate-db: %s: %s\n", what, wh_last_error()); }

static int skipped(const char *name)
{
    /* walord's own bookkeeping of the destination, and FTS5's shadow tables */
    static const char *const shadow[] = {"_data", "_idx", "_content", "_docsize", "_config"};
    if (strcmp(name, "wh_migrations") == 0 || strncmp(name, "sqlite_", 7) == 0)
        return 1;
    for (size_t i = 0; i < sizeof shadow / sizeof *shadow; i++) {
        size_t n = strlen(name), k = strlen(shadow[i]);
        if (n > k && strcmp(name + n - k, shadow[i]) == 0 && strncmp(name, "support_fts", 11) == 0)
            return 1;
    }
    return 0;
}

static int read_tables(wh_db *src, table *t, int *n)
{
    wh_rows *r = NULL;
    *n = 0;
    if (wh_db_query(src, "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name", NULL, 0, &r) < 0) {
        fail("reading the source's tables");
        return -1;
    }
    while (wh_rows_next(r) == 1 && *n < TABLES_MAX) {
        const char *name = wh_rows_text(r, 0), *sql = wh_rows_text(r, 1);
        if (!name || skipped(name))
            continue;
        table *e = &t[(*n)++];
        memset(e, 0, sizeof *e);
        e->name = strdup(name);
        e->is_virtual = sql && strncmp(sql, "CREATE VIRTUAL", 14) == 0;
    }
    wh_rows_close(r);
    for (int i = 0; i < *n; i++) {
        table *e = &t[i];
        if (wh_db_query(src, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", WALOR_ARGS(walor_s(e->name)),
                        &r) < 0) {
            fail(e->name);
            return -1;
        }
        if (e->is_virtual)
            e->cols[e->ncols++] = strdup("rowid");
        while (wh_rows_next(r) == 1 && e->ncols < COLS_MAX) {
            const char *type = wh_rows_text(r, 1);
            e->int_col[e->ncols] = type && strcasecmp(type, "INTEGER") == 0;
            e->cols[e->ncols++] = strdup(wh_rows_text(r, 0));
        }
        if (e->is_virtual)
            e->int_col[0] = 1;
        wh_rows_close(r);
        if (wh_db_query(src, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)", WALOR_ARGS(walor_s(e->name)),
                        &r) < 0) {
            fail(e->name);
            return -1;
        }
        while (wh_rows_next(r) == 1 && e->ndeps < 16)
            if (strcmp(wh_rows_text(r, 0), e->name) != 0) /* a row's parent row comes first by id */
                e->deps[e->ndeps++] = strdup(wh_rows_text(r, 0));
        wh_rows_close(r);
    }
    return 0;
}

/* the same (owner, version) pairs on both sides */
static int same_migrations(wh_db *src, wh_db *dst)
{
    const char *q = "SELECT owner || ':' || version FROM wh_migrations ORDER BY owner, version";
    wh_rows *a = NULL, *b = NULL;
    if (wh_db_query(src, q, NULL, 0, &a) < 0 || wh_db_query(dst, q, NULL, 0, &b) < 0) {
        fail("reading the migrations");
        wh_rows_close(a);
        return 0;
    }
    int same = 1, ra, rb;
    for (;;) {
        ra = wh_rows_next(a);
        rb = wh_rows_next(b);
        if (ra != 1 || rb != 1)
            break;
        if (strcmp(wh_rows_text(a, 0), wh_rows_text(b, 0)) != 0) {
            fprintf(stderr, "walorctl: migrate-db: the source has %s where the destination has %s\n",
                    wh_rows_text(a, 0), wh_rows_text(b, 0));
            same = 0;
            break;
        }
    }
    if (same && ra != rb) {
        fprintf(stderr, "walorctl: migrate-db: one side has migrations the other lacks (%s has %s)\n",
                ra == 1 ? "the source" : "the destination", ra == 1 ? wh_rows_text(a, 0) : wh_rows_text(b, 0));
        same = 0;
    }
    wh_rows_close(a);
    wh_rows_close(b);
    return same;
}

static char *cols_list(const table *e)
{
    size_t n = 1;
    for (int i = 0; i < e->ncols; i++)
        n += strlen(e->cols[i]) + 4;
    char *s = calloc(1, n);
    for (int i = 0; s && i < e->ncols; i++) {
        strcat(s, i ? ", \"" : "\"");
        strcat(s, e->cols[i]);
        strcat(s, "\"");
    }
    return s;
}

static int32_t copy_table(wh_db *src, wh_db *dst, const table *e, int64_t *rows)
{
    char *cols = cols_list(e);
    size_t n = strlen(cols) + strlen(e->name) + (size_t)e->ncols * 3 + 64;
    char *sel = malloc(n), *ins = malloc(n);
    walor_val *v = calloc((size_t)e->ncols, sizeof *v);
    if (!cols || !sel || !ins || !v) {
        free(cols), free(sel), free(ins), free(v);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    /* names come from the source's own schema, quoted; values are bound */
    snprintf(sel, n, "SELECT %s FROM \"%s\" ORDER BY rowid", cols, e->name);
    int o = snprintf(ins, n, "INSERT INTO \"%s\"(%s) VALUES (", e->name, cols);
    for (int i = 0; i < e->ncols; i++)
        o += snprintf(ins + o, n - (size_t)o, "%s?", i ? ", " : "");
    snprintf(ins + o, n - (size_t)o, ")");
    char del[300];
    snprintf(del, sizeof del, "DELETE FROM \"%s\"", e->name); /* what `walord --migrate` wrote at first sight */
    int32_t rc = wh_db_exec(dst, del, NULL, 0);
    wh_rows *r = NULL;
    if (rc >= 0)
        rc = wh_db_query(src, sel, NULL, 0, &r);
    *rows = 0;
    while (rc >= 0 && (rc = wh_rows_next(r)) == 1) {
        for (int i = 0; i < e->ncols; i++) {
            size_t len = 0;
            switch (wh_rows_type(r, (uint32_t)i)) {
            case WALOR_VAL_NULL: v[i] = walor_null(); break;
            case WALOR_VAL_INT: v[i] = walor_i(wh_rows_int(r, (uint32_t)i)); break;
            case WH_VAL_BLOB: {
                const void *p = wh_rows_blob(r, (uint32_t)i, &len);
                v[i] = wh_blob(p, len);
                break;
            }
            default: v[i] = walor_s(wh_rows_text(r, (uint32_t)i)); break;
            }
        }
        rc = wh_db_exec(dst, ins, v, (uint32_t)e->ncols);
        if (rc >= 0)
            (*rows)++;
    }
    wh_rows_close(r);
    free(cols), free(sel), free(ins), free(v);
    return rc < 0 ? rc : 0;
}

/* row count and the sum of each integer column, as text, on one side */
static int32_t fingerprint(wh_db *db, const table *e, char *out, size_t n)
{
    size_t cap = 64 + strlen(e->name);
    for (int i = 0; i < e->ncols; i++)
        cap += strlen(e->cols[i]) + 64;
    char *sql = malloc(cap);
    if (!sql)
        return wh_error(WALOR_ENOMEM, "out of memory");
    int o = snprintf(sql, cap, "SELECT CAST(count(*) AS TEXT)");
    for (int i = 0; i < e->ncols; i++)
        if (e->int_col[i])
            o += snprintf(sql + o, cap - (size_t)o, " || ':' || COALESCE(CAST(sum(\"%s\") AS TEXT), '-')", e->cols[i]);
    snprintf(sql + o, cap - (size_t)o, " FROM \"%s\"", e->name);
    wh_rows *r = NULL;
    int32_t rc = wh_db_query(db, sql, NULL, 0, &r);
    free(sql);
    if (rc < 0)
        return rc;
    if (wh_rows_next(r) == 1)
        snprintf(out, n, "%s", wh_rows_text(r, 0) ? wh_rows_text(r, 0) : "");
    wh_rows_close(r);
    return 0;
}

/* identity columns continue after the copied ids */
static int32_t move_counters(wh_db *dst)
{
    wh_rows *r = NULL;
    int32_t rc = wh_db_query(dst,
                             "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                             "JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = current_schema() "
                             "AND a.attidentity <> '' AND NOT a.attisdropped",
                             NULL, 0, &r);
    if (rc < 0)
        return rc;
    char (*pairs)[2][128] = calloc(TABLES_MAX, sizeof *pairs);
    int n = 0;
    while (pairs && n < TABLES_MAX && wh_rows_next(r) == 1) {
        snprintf(pairs[n][0], 128, "%s", wh_rows_text(r, 0));
        snprintf(pairs[n][1], 128, "%s", wh_rows_text(r, 1));
        n++;
    }
    wh_rows_close(r);
    for (int i = 0; rc >= 0 && i < n; i++) {
        char sql[1024]; /* four names of at most 127 bytes each fit */
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence(?, ?), GREATEST((SELECT max(\"%s\") FROM \"%s\"), 1), "
                 "(SELECT max(\"%s\") FROM \"%s\") IS NOT NULL)",
                 pairs[i][1], pairs[i][0], pairs[i][1], pairs[i][0]);
        int64_t ignored;
        rc = wh_db_int(dst, sql, WALOR_ARGS(walor_s(pairs[i][0]), walor_s(pairs[i][1])), &ignored);
    }
    free(pairs);
    return rc < 0 ? rc : 0;
}

int walorctl_migrate_db(const char *src_path, const char *conninfo)
{
    if (wh_db_is_conninfo(src_path) || !wh_db_is_conninfo(conninfo)) {
        fprintf(stderr, "walorctl: migrate-db SQLITE_FILE postgresql://… (from an SQLite file to PostgreSQL)\n");
        return 2;
    }
    char err[512];
    wh_db *src = wh_db_open_existing(src_path, err, sizeof err);
    if (!src) {
        fprintf(stderr, "walorctl: migrate-db: %s\n", err);
        return 1;
    }
    wh_db *dst = wh_db_open(conninfo, err, sizeof err);
    if (!dst) {
        fprintf(stderr, "walorctl: migrate-db: %s\n", err);
        wh_db_close(src);
        return 1;
    }
    static table t[TABLES_MAX];
    int n = 0, rc = 1;
    int64_t served = 0;
    if (wh_db_is_walor(src) < 0) {
        fail("the source");
    } else if (wh_db_is_walor(dst) < 0) {
        fprintf(stderr, "walorctl: migrate-db: the destination has no Walor tables yet: run "
                        "`walord --config … --migrate` with [walor] db set to it first\n");
    } else if (!same_migrations(src, dst)) {
        fprintf(stderr, "walorctl: migrate-db: run `walord --migrate` on the destination with the same walord and "
                        "plugins as the source's\n");
    } else if (wh_db_int(dst, "SELECT (SELECT count(*) FROM wh_users) + (SELECT count(*) FROM wh_inbox)", NULL, 0,
                         &served) < 0 || served > 0) {
        fprintf(stderr, "walorctl: migrate-db: the destination has users or updates already: it served a bot; "
                        "refusing to overwrite it\n");
    } else if (read_tables(src, t, &n) == 0) {
        rc = 0;
    }
    if (rc == 0 && wh_db_begin(dst) < 0) {
        fail("beginning the transaction");
        rc = 1;
    }
    int copied = 0;
    while (rc == 0 && copied < n) {
        int progress = 0;
        for (int i = 0; rc == 0 && i < n; i++) {
            table *e = &t[i];
            int ready = !e->done;
            for (int k = 0; ready && k < e->ndeps; k++)
                for (int j = 0; j < n; j++)
                    if (strcmp(t[j].name, e->deps[k]) == 0 && !t[j].done)
                        ready = 0;
            if (!ready)
                continue;
            int64_t rows = 0;
            if (copy_table(src, dst, e, &rows) < 0) {
                fail(e->name);
                rc = 1;
                break;
            }
            char a[4096] = "", b[4096] = "";
            if (fingerprint(src, e, a, sizeof a) < 0 || fingerprint(dst, e, b, sizeof b) < 0) {
                fail(e->name);
                rc = 1;
                break;
            }
            if (strcmp(a, b) != 0) {
                fprintf(stderr, "walorctl: migrate-db: %s differs after the copy (rows:sums %s vs %s)\n", e->name, a,
                        b);
                rc = 1;
                break;
            }
            printf("%-32s %8lld rows  check %s\n", e->name, (long long)rows, a);
            e->done = 1;
            copied++;
            progress = 1;
        }
        if (rc == 0 && !progress) {
            fprintf(stderr, "walorctl: migrate-db: the foreign keys of the remaining tables form a cycle\n");
            rc = 1;
        }
    }
    if (rc == 0 && move_counters(dst) < 0) {
        fail("moving the identity counters");
        rc = 1;
    }
    if (rc == 0 && wh_db_commit(dst) < 0) {
        fail("commit");
        rc = 1;
    }
    if (rc != 0 && wh_db_in_tx(dst))
        wh_db_rollback(dst);
    if (rc == 0)
        printf("%d tables copied and checked (row counts and sums of every integer column)\n", copied);
    else if (n)
        fprintf(stderr, "walorctl: migrate-db: nothing was written to the destination\n");
    for (int i = 0; i < n; i++) {
        free(t[i].name);
        for (int k = 0; k < t[i].ndeps; k++)
            free(t[i].deps[k]);
        for (int k = 0; k < t[i].ncols; k++)
            free(t[i].cols[k]);
    }
    wh_db_close(src);
    wh_db_close(dst);
    return rc;
}
