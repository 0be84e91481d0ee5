/* crm: the clients' table, crm_client — what search needs in a searchable
 * form, and what only the CRM keeps (the manager's note).
 *
 * Names come from the host's view walor_users: a rename or a new user moves
 * its seen_at, so the sync follows (seen_at, id) from a mark and folds the
 * names of what it finds (norm.h). Contacts (phone, e-mail, address, the
 * name given at checkout) come from the orders service: each new order
 * refreshes its customer's, and a one-time pass over every customer fills
 * the table when the plugin is enabled in a shop that already has orders.
 * Everything here is idempotent: a sync or an event seen twice writes the
 * same values. */
#include <string.h>

#include "crm.h"

#define SYNC_CHUNK 2000
#define SYNC_LAG_S 10     /* a user row committed a little after a later one was read is seen next time */
#define FOLD_MAX 384

const char crm_clients_migration[] =
    "CREATE TABLE crm_client ("
    " user_id INTEGER PRIMARY KEY,"
    " name_fold TEXT NOT NULL DEFAULT '',"    /* crm_name_fold(first, last, username) */
    " contact_fold TEXT NOT NULL DEFAULT '',"  /* the name given at checkout, folded */
    " contact_name TEXT NOT NULL DEFAULT '',"
    " phone TEXT NOT NULL DEFAULT '',"         /* as the customer typed it last */
    " phone_key TEXT NOT NULL DEFAULT '',"     /* crm_phone_key(phone) */
    " email TEXT NOT NULL DEFAULT '',"
    " address TEXT NOT NULL DEFAULT '',"
    " note TEXT NOT NULL DEFAULT '',"
    " note_rev INTEGER NOT NULL DEFAULT 0,"    /* +1 at every save: two managers never overwrite unseen */
    " note_by INTEGER NOT NULL DEFAULT 0,"
    " note_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX crm_client_phone ON crm_client(phone_key);"
    "CREATE TABLE crm_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    /* the last search of each staff member, for the pages of its results */
    "CREATE TABLE crm_lastq (user_id INTEGER PRIMARY KEY, query TEXT NOT NULL, at INTEGER NOT NULL);";

int32_t crm_sync_names(walor_ctx *c, int32_t budget)
{
    int64_t seen = crm_state_get(c, "names.seen"), id = crm_state_get(c, "names.id");
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT id, username, first_name, last_name, seen_at FROM walor_users "
                                "WHERE seen_at > ? OR (seen_at = ? AND id > ?) ORDER BY seen_at, id LIMIT ?",
                                WALOR_ARGS(walor_i(seen), walor_i(seen), walor_i(id), walor_i(budget)), &r);
    if (rc < 0)
        return rc;
    if ((rc = walor_tx_begin(c)) < 0) { /* nests in the caller's, if any (SDK 1.3) */
        walor_rows_close(r);
        return rc;
    }
    int32_t n = 0;
    int64_t last_seen = seen, last_id = id;
    char fold[FOLD_MAX], un[64];
    while (rc >= 0 && walor_row_next(r) == 1) {
        crm_name_fold(walor_col_text(r, 2), walor_col_text(r, 3), walor_col_text(r, 1), fold, sizeof fold);
        crm_username_key(walor_col_text(r, 1), un, sizeof un);
        rc = walor_db_exec(c,
                           "INSERT INTO crm_client(user_id, name_fold, username_lc) VALUES (?, ?, ?) "
                           "ON CONFLICT(user_id) DO UPDATE SET name_fold = excluded.name_fold, "
                           "username_lc = excluded.username_lc WHERE crm_client.name_fold <> excluded.name_fold "
                           "OR crm_client.username_lc <> excluded.username_lc",
                           WALOR_ARGS(walor_i(walor_col_int(r, 0)), walor_s(fold), walor_s(un)));
        last_seen = walor_col_int(r, 4);
        last_id = walor_col_int(r, 0);
        n++;
    }
    walor_rows_close(r);
    /* never mark past "a little ago": a registration that committed late
     * with an earlier seen_at is read again next time */
    int64_t lag = walor_now(c) - SYNC_LAG_S;
    if (rc >= 0 && n > 0) {
        if (last_seen > lag)
            last_seen = lag, last_id = 0;
        if (last_seen > seen || (last_seen == seen && last_id > id)) {
            rc = crm_state_set(c, "names.seen", last_seen);
            if (rc >= 0)
                rc = crm_state_set(c, "names.id", last_id);
        }
    }
    rc = walor_tx_end(c, rc);
    return rc < 0 ? rc : n;
}

/* one customer's contacts into crm_client */
static int32_t store_contacts(walor_ctx *c, const walor_order_client *cl)
{
    char key[CRM_PHONE_KEY_MAX + 1], fold[FOLD_MAX];
    crm_phone_key(cl->phone, 0, key);
    crm_name_fold(cl->contact_name, NULL, NULL, fold, sizeof fold);
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO crm_client(user_id, contact_name, contact_fold, phone, phone_key, email,"
                               " address) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                               " contact_name = excluded.contact_name, contact_fold = excluded.contact_fold,"
                               " phone = excluded.phone, phone_key = excluded.phone_key, email = excluded.email,"
                               " address = excluded.address",
                               WALOR_ARGS(walor_i(cl->user_id), walor_s(cl->contact_name), walor_s(fold),
                                          walor_s(cl->phone), walor_s(key), walor_s(cl->email), walor_s(cl->address)));
    return rc < 0 ? rc : 0;
}

int32_t crm_sync_contacts(walor_ctx *c, int64_t user_id)
{
    const walor_orders_v1 *o = crm_orders(c);
    if (!o)
        return 0;
    walor_order_client cl = {.struct_size = sizeof cl};
    int32_t rc = o->client(c, user_id, &cl);
    if (rc < 0 || cl.orders == 0)
        return rc < 0 ? rc : 0;
    return store_contacts(c, &cl);
}

static int32_t on_order(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    int64_t uid = (int64_t)json_integer_value(json_object_get(payload, "user_id"));
    return uid ? crm_sync_contacts(c, uid) : 0;
}

static int32_t backfill_one(void *ud, const walor_order_client *cl) { return store_contacts(ud, cl); }

/* Every minute: new and renamed users (a few rows; the first run after
 * enabling the plugin reads them all, a chunk at a time), and once, the
 * contacts of every customer who ordered before the plugin was enabled. */
static int32_t sync_job(walor_ctx *c)
{
    int32_t rc;
    int64_t t0 = walor_now(c);
    while ((rc = crm_sync_names(c, SYNC_CHUNK)) == SYNC_CHUNK && walor_now(c) - t0 < 20) {
    }
    if (rc < 0)
        return rc;
    const walor_orders_v1 *o = crm_orders(c);
    if (!o || crm_state_get(c, "contacts.done"))
        return 0;
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    rc = o->clients(c, 0, 0, backfill_one, c);
    if (rc >= 0)
        rc = crm_state_set(c, "contacts.done", 1);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    return walor_tx_commit(c);
}

int32_t crm_clients_register(walor_plugin *p)
{
    static const walor_cron_def sync = {.struct_size = sizeof sync, .name = "sync", .expr = "* * * * *",
                                        .flags = WALOR_CRON_CATCH_UP, .fn = sync_job};
    int32_t rc = walor_cron(p, &sync);
    if (!rc) rc = walor_subscribe(p, "order.created", on_order);
    return rc;
}
