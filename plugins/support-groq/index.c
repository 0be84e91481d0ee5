/* support-groq: the catalog's full-text index (SQLite FTS5).
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
 * rebuilt nightly, and built on the first question when it has never been
 * (a plugin enabled on a shop that has a catalog already). The table is
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

/* (re)indexes one product; a hidden, deleted or unknown one is removed */
static int32_t index_product(walor_ctx *c, const walor_catalog_v1 *cat, int64_t pid)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM support_fts WHERE rowid = ?", WALOR_ARGS(walor_i(pid)));
    if (rc < 0 || !cat)
        return rc < 0 ? rc : 0;
    walor_catalog_item *items = NULL;
    uint32_t n = 0;
    rc = cat->items(c, walor_ctx_printf(c, "%lld", (long long)pid), 0, 0, 0, &items, &n, NULL);
    if (rc < 0)
        return rc;
    const char *name = NULL, *category = "", *variants = "";
    for (uint32_t i = 0; i < n; i++) {
        const walor_catalog_item *it = walor_catalog_item_at(items, i);
        if (it->product_id != pid) /* a name with these digits in it */
            continue;
        name = it->name;
        category = it->category;
        if (it->variant_label && *it->variant_label)
            variants = walor_ctx_printf(c, "%s %s", variants, it->variant_label);
    }
    if (!name)
        return 0; /* hidden or gone: customers must not hear of it */
    const char *desc = "";
    if (WALOR_CATALOG_HAS(cat, describe) && cat->describe(c, pid, &desc) < 0)
        desc = "";
    rc = walor_db_exec(c, "INSERT INTO support_fts(rowid, name, variants, category, description) VALUES (?, ?, ?, ?, ?)",
                       WALOR_ARGS(walor_i(pid), walor_s(folded(c, name)), walor_s(folded(c, variants)),
                                  walor_s(folded(c, category)), walor_s(folded(c, desc))));
    return rc < 0 ? rc : 0;
}

int32_t sup_index_rebuild(walor_ctx *c)
{
    const walor_catalog_v1 *cat = catalog(c);
    if (!cat)
        return 0;
    walor_catalog_item *items = NULL;
    uint32_t n = 0;
    /* every visible stock item; a product comes once per variant */
    int32_t rc = cat->items(c, NULL, 0, 0, 0, &items, &n, NULL);
    if (rc < 0)
        return rc;
    int own = walor_tx_active(c) == 0;
    if (own && (rc = walor_tx_begin(c)) < 0)
        return rc;
    rc = walor_db_exec(c, "DELETE FROM support_fts", NULL, 0);
    int64_t last = 0;
    for (uint32_t i = 0; rc >= 0 && i < n; i++) {
        const walor_catalog_item *it = walor_catalog_item_at(items, i);
        if (it->product_id == last)
            continue;
        last = it->product_id;
        rc = index_product(c, cat, it->product_id);
    }
    if (rc >= 0)
        rc = walor_db_exec(c,
                           "INSERT INTO support_meta(k, v) VALUES ('built', ?) "
                           "ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                           WALOR_ARGS(walor_i(walor_now(c))));
    if (own) {
        if (rc < 0)
            walor_tx_rollback(c);
        else
            rc = walor_tx_commit(c);
    }
    if (rc >= 0)
        walor_log(c, WALOR_LOG_INFO, "catalog index rebuilt: %u stock items", n);
    return rc < 0 ? rc : 0;
}

static int32_t on_changed(walor_ctx *c, const char *event, json_t *payload)
{
    int64_t pid = (int64_t)json_integer_value(json_object_get(payload, "product_id"));
    if (pid <= 0)
        return 0;
    return index_product(c, strcmp(event, "catalog.product_deleted") == 0 ? NULL : catalog(c), pid);
}

static int32_t nightly(walor_ctx *c) { return sup_index_rebuild(c); }

int32_t sup_index_search(walor_ctx *c, const char *question, int64_t *pids, int max, int *n)
{
    *n = 0;
    int64_t built = 0;
    if (walor_db_int(c, "SELECT v FROM support_meta WHERE k = 'built'", NULL, 0, &built) == WALOR_ENOTFOUND) {
        int32_t rc = sup_index_rebuild(c);
        if (rc < 0)
            return rc;
    }
    char *q = sup_fts_query(question);
    if (!q)
        return 0;
    /* the name weighs most, the description least */
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT rowid FROM support_fts WHERE support_fts MATCH ? "
                                "ORDER BY bm25(support_fts, 10.0, 4.0, 2.0, 1.0) LIMIT ?",
                                WALOR_ARGS(walor_s(q), walor_i(max)), &r);
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
    return rc;
}
