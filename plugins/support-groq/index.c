/* support-groq: the catalog's full-text index (SQLite FTS5, or on
 * PostgreSQL a table with a weighted tsvector and a GIN index).
 *
 * One row per product (rowid = product id): its name, variant labels,
 * category and description, folded (ftsq.h) so that case and ё do not
 * matter. The index only finds products: every fact that goes into the
 * prompt — price, discount, stock, even the name — is read live from the
 * catalog and stock services when the question is asked (facts.c), so a
 * price changed a second ago is the price the customer hears.
 *
 * Kept fresh by the catalog's events (product_changed re-indexes the
 * product, product_deleted drops it) inside their delivery transaction,
 * rebuilt nightly, and built by a job that the first question schedules
 * when it has never been (a plugin enabled on a shop that has a catalog
 * already; until then the catalog's name search stands in). The table is
 * this plugin's own; the catalog is read only through its service. */
#include <stdlib.h>
#include <string.h>

#include <walor/services/catalog.h>

#include "ftsq.h"
#include "sup.h"

const char sup_index_migration[] =
    "CREATE VIRTUAL TABLE support_fts USING fts5(name, variants, category, description,"
    " tokenize = 'unicode61 remove_diacritics 2');"
    "CREATE TABLE support_meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);";

/* The same table on PostgreSQL: a column named rowid keeps every other
 * statement the same on both engines. The text is folded already
 * (ftsq.h), so the 'simple' configuration only splits words; stems are
 * matched as prefixes, as with FTS5. Weights A-D rank the name first. */
const char sup_index_migration_pg[] =
    "CREATE TABLE support_fts (rowid BIGINT PRIMARY KEY, name TEXT NOT NULL, variants TEXT NOT NULL,"
    " category TEXT NOT NULL, description TEXT NOT NULL,"
    " doc tsvector GENERATED ALWAYS AS ("
    "  setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', variants), 'B') ||"
    "  setweight(to_tsvector('simple', category), 'C') || setweight(to_tsvector('simple', description), 'D')"
    " ) STORED);"
    "CREATE INDEX support_fts_doc ON support_fts USING gin (doc);"
    "CREATE TABLE support_meta (k TEXT PRIMARY KEY, v BIGINT NOT NULL);";

static const walor_catalog_v1 *catalog(walor_ctx *c)
{
    return walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, NULL);
}

static char *folded(walor_ctx *c, const char *s)
{
    char *f = sup_fold(s);
    char *out = walor_ctx_printf(c, "%s", f ? f : "");
    free(f);
    return out;
}

/* one product's row from its stock items (all of the same product) */
static int32_t put_row(walor_ctx *c, const walor_catalog_v1 *cat, const walor_catalog_item *items, uint32_t n)
{
    const walor_catalog_item *first = walor_catalog_item_at(items, 0);
    const char *variants = "";
    for (uint32_t i = 0; i < n; i++) {
        const walor_catalog_item *it = walor_catalog_item_at(items, i);
        if (it->variant_label && *it->variant_label)
            variants = walor_ctx_printf(c, "%s %s", variants, it->variant_label);
    }
    const char *desc = "";
    if (WALOR_CATALOG_HAS(cat, describe) && cat->describe(c, first->product_id, &desc) < 0)
        desc = "";
    int32_t rc = walor_db_exec(c, "DELETE FROM support_fts WHERE rowid = ?", WALOR_ARGS(walor_i(first->product_id)));
    if (rc >= 0)
        rc = walor_db_exec(c,
                           "INSERT INTO support_fts(rowid, name, variants, category, description) VALUES (?, ?, ?, ?, ?)",
                           WALOR_ARGS(walor_i(first->product_id), walor_s(folded(c, first->name)),
                                      walor_s(folded(c, variants)), walor_s(folded(c, first->category)),
                                      walor_s(folded(c, desc))));
    return rc < 0 ? rc : 0;
}

/* (re)indexes one product after a catalog event; a hidden or deleted one
 * leaves the index: customers must not hear of it */
static int32_t index_product(walor_ctx *c, const walor_catalog_v1 *cat, int64_t pid)
{
    walor_catalog_item *items = NULL;
    uint32_t n = 0;
    int32_t rc = cat && WALOR_CATALOG_HAS(cat, product) ? cat->product(c, pid, 0, &items, &n) : WALOR_ENOTFOUND;
    if (rc == WALOR_ENOTFOUND || n == 0) {
        rc = walor_db_exec(c, "DELETE FROM support_fts WHERE rowid = ?", WALOR_ARGS(walor_i(pid)));
        return rc < 0 ? rc : 0;
    }
    return rc < 0 ? rc : put_row(c, cat, items, n);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A whole rebuild, in transactions of BATCH products: the catalog's
 * customers and writers get the database between them (a shop of 10,000
 * products is a few seconds of work, never one long write lock). */
#define BATCH 200

int32_t sup_index_rebuild(walor_ctx *c)
{
    const walor_catalog_v1 *cat = catalog(c);
    if (!cat)
        return 0;
    walor_catalog_item *items = NULL;
    uint32_t n = 0, products = 0;
    int32_t rc = cat->items(c, NULL, 0, 0, 0, &items, &n, NULL); /* visible stock items, a product's together */
    if (rc < 0)
        return rc;
    int64_t *seen = walor_ctx_alloc(c, ((size_t)n + 1) * sizeof *seen);
    if (!seen)
        return WALOR_ENOMEM;
    for (uint32_t i = 0; i < n && rc >= 0;) {
        if ((rc = walor_tx_begin(c)) < 0)
            return rc;
        for (int k = 0; k < BATCH && i < n && rc >= 0; k++) {
            uint32_t j = i;
            const walor_catalog_item *it = walor_catalog_item_at(items, i);
            while (j < n && walor_catalog_item_at(items, j)->product_id == it->product_id)
                j++;
            seen[products++] = it->product_id;
            rc = put_row(c, cat, it, j - i);
            i = j;
        }
        if (rc < 0)
            walor_tx_rollback(c);
        else
            rc = walor_tx_commit(c);
    }
    if (rc < 0)
        return rc;
    /* what the index holds that the catalog no longer shows */
    qsort(seen, products, sizeof *seen, cmp_i64);
    walor_rows *r = NULL;
    if ((rc = walor_db_query(c, "SELECT rowid FROM support_fts", NULL, 0, &r)) < 0)
        return rc;
    int64_t *gone = walor_ctx_alloc(c, 64 * sizeof *gone);
    size_t ngone = 0, cap = 64;
    while ((rc = walor_row_next(r)) == 1) {
        int64_t id = walor_col_int(r, 0);
        if (bsearch(&id, seen, products, sizeof *seen, cmp_i64))
            continue;
        if (ngone == cap) {
            int64_t *g = walor_ctx_alloc(c, cap * 2 * sizeof *g);
            if (!g)
                break;
            memcpy(g, gone, cap * sizeof *g);
            gone = g;
            cap *= 2;
        }
        gone[ngone++] = id;
    }
    walor_rows_close(r);
    if (rc < 0 || (rc = walor_tx_begin(c)) < 0)
        return rc;
    for (size_t i = 0; i < ngone && rc >= 0; i++)
        rc = walor_db_exec(c, "DELETE FROM support_fts WHERE rowid = ?", WALOR_ARGS(walor_i(gone[i])));
    if (rc >= 0)
        rc = walor_db_exec(c,
                           "INSERT INTO support_meta(k, v) VALUES ('built', ?) "
                           "ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                           WALOR_ARGS(walor_i(walor_now(c))));
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    walor_log(c, WALOR_LOG_INFO, "catalog index rebuilt: %u products", products);
    return 0;
}

static int32_t on_changed(walor_ctx *c, const char *event, json_t *payload)
{
    int64_t pid = (int64_t)json_integer_value(json_object_get(payload, "product_id"));
    if (pid <= 0)
        return 0;
    return index_product(c, strcmp(event, "catalog.product_deleted") == 0 ? NULL : catalog(c), pid);
}

static int32_t nightly(walor_ctx *c) { return sup_index_rebuild(c); }

static int32_t build_job(walor_ctx *c, json_t *payload)
{
    (void)payload;
    return sup_index_rebuild(c);
}

/* Until the first build is done (a shop that had a catalog before the
 * plugin), the catalog's own name search stands in, stem by stem. */
static int32_t search_by_name(walor_ctx *c, const char *question, int64_t *pids, int max, int *n)
{
    const walor_catalog_v1 *cat = catalog(c);
    char *q = sup_fts_query(question); /* "\"елочн\"* OR \"игруш\"*" */
    for (char *p = q; cat && p && (p = strchr(p, '"')) && *n < max;) {
        char *end = strchr(p + 1, '"');
        if (!end)
            break;
        *end = '\0';
        walor_catalog_item *items = NULL;
        uint32_t m = 0;
        if (cat->items(c, p + 1, 0, 0, 20, &items, &m, NULL) == 0)
            for (uint32_t i = 0; i < m && *n < max; i++) {
                int64_t id = walor_catalog_item_at(items, i)->product_id;
                int dup = 0;
                for (int k = 0; k < *n; k++)
                    dup |= pids[k] == id;
                if (!dup)
                    pids[(*n)++] = id;
            }
        p = end + 1;
    }
    free(q);
    return 0;
}

int32_t sup_index_search(walor_ctx *c, const char *question, int64_t *pids, int max, int *n)
{
    *n = 0;
    int64_t built = 0;
    int32_t rc = walor_db_int(c, "SELECT v FROM support_meta WHERE k = 'built'", NULL, 0, &built);
    if (rc == WALOR_ENOTFOUND) {
        /* build it in the background (the key makes it once), answer from names now */
        if (walor_tx_active(c) == 0)
            walor_job_at(c, 0, "index_build", "all", NULL);
        return search_by_name(c, question, pids, max, n);
    }
    if (rc < 0)
        return rc;
    char *q = sup_fts_query(question);
    if (!q)
        return 0;
    /* the name weighs most, the description least */
    walor_rows *r = NULL;
    if (walor_db_dialect(walor_ctx_plugin(c)) == WALOR_DB_POSTGRESQL) {
        char *tq = sup_ts_query(q);
        rc = tq ? walor_db_query(c,
                                 "SELECT rowid FROM support_fts WHERE doc @@ to_tsquery('simple', ?) "
                                 "ORDER BY ts_rank('{0.1, 0.2, 0.4, 1.0}', doc, to_tsquery('simple', ?)) DESC, "
                                 "rowid LIMIT ?",
                                 WALOR_ARGS(walor_s(tq), walor_s(tq), walor_i(max)), &r)
                : WALOR_ENOMEM;
        free(tq);
    } else {
        rc = walor_db_query(c,
                            "SELECT rowid FROM support_fts WHERE support_fts MATCH ? "
                            "ORDER BY bm25(support_fts, 10.0, 4.0, 2.0, 1.0) LIMIT ?",
                            WALOR_ARGS(walor_s(q), walor_i(max)), &r);
    }
    free(q);
    if (rc < 0)
        return rc;
    while (*n < max && (rc = walor_row_next(r)) == 1)
        pids[(*n)++] = walor_col_int(r, 0);
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

int32_t sup_index_register(walor_plugin *p)
{
    static const walor_cron_def night = {.struct_size = sizeof night, .name = "index.rebuild",
                                         .expr = "15 4 * * *", .flags = WALOR_CRON_CATCH_UP, .fn = nightly};
    int32_t rc = walor_subscribe(p, "catalog.product_changed", on_changed);
    if (!rc) rc = walor_subscribe(p, "catalog.product_deleted", on_changed);
    if (!rc) rc = walor_cron(p, &night);
    if (!rc) rc = walor_job(p, "index_build", build_job);
    return rc;
}
