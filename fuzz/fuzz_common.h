/* Shared bits of the libFuzzer targets (docs/fuzzing.md). */
#ifndef WALOR_FUZZ_COMMON_H
#define WALOR_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "host.h"
#include "inbox.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* the input as a NUL-terminated string (the host's text APIs take C
 * strings); the caller frees it */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* The update path shared by fuzz_update and fuzz_webhook: what walord does
 * with a parsed batch before any plugin sees it. Every element is asked for
 * its ordering key and kind (the dispatcher's first questions), then the
 * batch goes through the inbox (dedup by update_id, in one transaction) of
 * an in-memory database, and the fresh ones are marked attempted and done
 * the way a worker does. */
static inline void fuzz_update_path(json_t *updates)
{
    static wh_db *db;
    if (!db) {
        char err[256];
        db = wh_db_open(":memory:", err, sizeof err);
        if (!db || wh_inbox_migrate(db) != 0)
            abort();
    }
    size_t i;
    json_t *u;
    json_array_foreach(updates, i, u)
    {
        (void)wh_update_chat_id(u);
        const char *kind = wh_update_kind(u);
        if (!kind)
            abort(); /* documented: "unknown" when it has none, never NULL */
    }
    json_t *fresh = NULL;
    json_t *aside = NULL;
    if (wh_inbox_store(db, updates, 1700000000, &fresh, &aside) == 0 && fresh) {
        /* what was stored must come back after a crash: every fresh update
         * is pending, readable, with the same update_id */
        json_t *pending = NULL;
        if (wh_inbox_pending(db, &pending) != 0 || json_array_size(pending) != json_array_size(fresh))
            abort();
        json_array_foreach(pending, i, u)
        {
            json_t *a = json_object_get(u, "update_id");
            json_t *b = json_object_get(json_array_get(fresh, i), "update_id");
            if (!json_is_integer(a) || !json_is_integer(b) || json_integer_value(a) != json_integer_value(b))
                abort();
        }
        json_decref(pending);
        json_array_foreach(fresh, i, u)
        {
            json_t *id = json_object_get(u, "update_id");
            if (!json_is_integer(id))
                abort(); /* the inbox only keeps integer ids */
            int64_t attempts = 0;
            (void)wh_inbox_attempt(db, json_integer_value(id), &attempts);
            (void)wh_inbox_done(db, json_integer_value(id), 1700000001);
        }
        json_decref(fresh);
        /* what was set aside never reaches a plugin: none of it is pending */
        json_array_foreach(aside, i, u)
            if (!json_is_integer(json_object_get(u, "update_id")) || !json_is_string(json_object_get(u, "reason")))
                abort();
    }
    json_decref(aside);
    json_t *pending = NULL;
    if (wh_inbox_pending(db, &pending) == 0)
        json_decref(pending);
    (void)wh_inbox_max_id(db);
    /* keep the DB small: the next input starts from an empty inbox */
    (void)wh_inbox_prune(db, INT64_MAX);
    (void)wh_db_exec(db, "DELETE FROM wh_inbox", NULL, 0);
    (void)wh_db_exec(db, "DELETE FROM wh_quarantine", NULL, 0);
}

#endif
