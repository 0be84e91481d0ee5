/* Database slots: thin wrappers that bind the worker's connection and make
 * results belong to the callback, so a forgotten close cannot leak. */
#include <stdio.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "unit.h"

struct walor_rows {
    walor_handle head;
    wh_rows *r;            /* NULL once closed */
};

static int32_t db_exec(walor_ctx *c, const char *sql, const walor_val *args, uint32_t n)
{
    if (!sql)
        return wh_error(WALOR_EINVAL, "no SQL");
    return wh_db_exec(c->w->db, sql, args, n);
}

static void rows_close(walor_rows *r)
{
    if (r && r->r) {
        wh_rows_close(r->r);
        r->r = NULL;
    }
}

static void rows_close_cb(void *r) { rows_close(r); }

static int32_t db_query(walor_ctx *c, const char *sql, const walor_val *args, uint32_t n, walor_rows **out)
{
    if (!sql || !out)
        return wh_error(WALOR_EINVAL, "no SQL or result pointer");
    walor_rows *r = wh_arena_alloc(c->arena, sizeof *r);
    if (!r)
        return wh_error(WALOR_ENOMEM, "out of memory");
    int32_t rc = wh_db_query(c->w->db, sql, args, n, &r->r);
    if (rc < 0)
        return rc;
    r->head.api = c->head.api;
    wh_arena_defer(c->arena, rows_close_cb, r);
    *out = r;
    return 0;
}

static int32_t row_next(walor_rows *r) { return r && r->r ? wh_rows_next(r->r) : 0; }
static int64_t col_int(walor_rows *r, uint32_t i) { return r && r->r ? wh_rows_int(r->r, i) : 0; }
static const char *col_text(walor_rows *r, uint32_t i) { return r && r->r ? wh_rows_text(r->r, i) : NULL; }
static int32_t col_is_null(walor_rows *r, uint32_t i) { return r && r->r ? wh_rows_is_null(r->r, i) : 1; }
/* the unit of work (unit.c) nests these as savepoints */
static int32_t tx_begin(walor_ctx *c) { return wh_unit_tx_begin(c); }
static int32_t tx_commit(walor_ctx *c) { return wh_unit_tx_commit(c); }
static int32_t tx_rollback(walor_ctx *c) { return wh_unit_tx_rollback(c); }

/* a walor_tx_begin level is open: the caller's (a service called from a
 * handler inside its transaction) or this plugin's own */
static int32_t tx_active(walor_ctx *c) { return c && c->tx_depth > 0 ? 1 : 0; }

/* SDK 1.3: the only way a plugin gets the database's bytes (backup.c) */
static int32_t db_backup(walor_ctx *c, const char *dest_path, uint32_t flags)
{
    if (!c || c->kind != WH_KIND_CTX || !c->w)
        return wh_error(WALOR_EPHASE, "db_backup needs the callback's ctx");
    if (flags & ~WALOR_BACKUP_REPLACE)
        return wh_error(WALOR_EINVAL, "db_backup: unknown flags 0x%x", flags & ~WALOR_BACKUP_REPLACE);
    /* like a network wait: refused inside a walor_tx_begin level, and what
     * the unit of work holds commits first (the copy holds committed data,
     * and the copy must not hold the write lock) */
    int32_t wrc = wh_unit_wait(c, "db_backup");
    if (wrc < 0)
        return wrc;
    const char *who = c->plugin ? c->plugin->name : "host";
    int32_t rc = wh_db_backup(c->w->db, dest_path, flags);
    if (rc < 0)
        wh_logf(WH_LOG_WARN, who, "database backup to %s failed: %s", dest_path ? dest_path : "(null)",
                wh_last_error());
    else
        wh_logf(WH_LOG_INFO, who, "database backup written to %s", dest_path);
    return rc;
}

static void decref_cb(void *j) { json_decref(j); }

/* SDK 1.3: what a backup's manifest records about the host that made it */
static json_t *host_info(walor_ctx *c)
{
    if (!c || c->kind != WH_KIND_CTX || !c->w)
        return wh_error(WALOR_EPHASE, "host_info needs the callback's ctx"), NULL;
    json_t *plugins = json_object(), *schema = json_object();
    for (size_t i = 0; i < wh_reg.plugins.n; i++) {
        const wh_plugin *p = wh_reg.plugins.v[i];
        if (p->desc && !p->dead && p->dl)
            json_object_set_new(plugins, p->name, json_string(p->desc->version ? p->desc->version : "?"));
    }
    wh_rows *r = NULL;
    int32_t rc = wh_db_query(c->w->db, "SELECT owner, MAX(version) FROM wh_migrations GROUP BY owner ORDER BY owner",
                             NULL, 0, &r);
    while (rc == 0 && (rc = wh_rows_next(r)) == 1) {
        json_object_set_new(schema, wh_rows_text(r, 0), json_integer(wh_rows_int(r, 1)));
        rc = 0;
    }
    wh_rows_close(r);
    if (rc < 0) {
        json_decref(plugins);
        json_decref(schema);
        return NULL;
    }
    char sdk[16];
    snprintf(sdk, sizeof sdk, "%d.%d", WALOR_SDK_MAJOR, WALOR_SDK_MINOR);
    json_t *owners = json_array();
    for (size_t i = 0; i < wh_g.nowners; i++)
        json_array_append_new(owners, json_integer(wh_g.owners[i]));
    json_t *info = json_pack("{s:s, s:s, s:o, s:o, s:o}", "walord", WALOR_VERSION, "sdk", sdk, "plugins", plugins,
                             "schema", schema, "owners", owners);
    if (!info)
        return wh_error(WALOR_ENOMEM, "host_info"), NULL;
    wh_arena_defer(c->arena, decref_cb, info);
    return info;
}

void wh_dbapi_fill(walor_host_api *api)
{
    api->host_info = host_info;
    api->db_backup = db_backup;
    api->tx_active = tx_active;
    api->db_exec = db_exec;
    api->db_query = db_query;
    api->row_next = row_next;
    api->col_int = col_int;
    api->col_text = col_text;
    api->col_is_null = col_is_null;
    api->rows_close = rows_close;
    api->tx_begin = tx_begin;
    api->tx_commit = tx_commit;
    api->tx_rollback = tx_rollback;
}
