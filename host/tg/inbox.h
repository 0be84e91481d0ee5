/* Durable store of incoming updates (ARCHITECTURE.md §2 "Durability").
 *
 * An update is acknowledged to Telegram only after it is stored here, and
 * marked done in the same transaction as its handler's writes (the unit
 * of work, host/plugin/unit.h), so a crash re-runs exactly the updates
 * whose effect did not commit. update_id is the primary key: Telegram
 * re-sending a batch (offset not yet advanced, webhook retry) is harmless. */
#ifndef WH_INBOX_H
#define WH_INBOX_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"

/* wh_db_migrate(db, "host.inbox", ...) */
int32_t wh_inbox_migrate(wh_db *db);

/* In ONE transaction: inserts every update not seen before (dedup by
 * update_id; elements without an integer update_id are skipped with a
 * warning). *fresh = new JSON array (new ref) of only the newly stored ones
 * to handle, in update_id order. An update that must not reach a plugin
 * (wh_update_set_aside_reason) is stored as done and in wh_quarantine;
 * *set_aside (may be NULL) = new array of {update_id, reason} of the new
 * ones, for the owner's report. On failure nothing is stored and both are
 * NULL. */
int32_t wh_inbox_store(wh_db *db, json_t *updates, int64_t now, json_t **fresh, json_t **set_aside);

/* Why an update is set aside rather than handled, or NULL: a stand-in for
 * one that did not parse (tg_parse.h), or a string with a NUL character in
 * it — C strings end at the NUL, so a plugin would see another text or
 * callback data than the user sent; no update with one reaches a plugin. */
const char *wh_update_set_aside_reason(json_t *update);

/* Not done, in update_id order: re-dispatched at start after a crash. */
int32_t wh_inbox_pending(wh_db *db, json_t **out);
/* Not done, of one chat, update_id <= upto, oldest first (chat 0: only the
 * update upto): *out = new array of {"u": update, "at": received_at}.
 * Several instances run a chat's updates from it (core/cluster.c). */
int32_t wh_inbox_chat_pending(wh_db *db, int64_t chat_id, int64_t upto, json_t **out);

/* attempts += 1 before a re-run (after a crash or a stop) starts;
 * WALOR_ENOTFOUND for an unknown id. */
int32_t wh_inbox_attempt(wh_db *db, int64_t update_id, int64_t *attempts_after);
int32_t wh_inbox_done(wh_db *db, int64_t update_id, int64_t now);
/* The done mark of a run: 1 marked now, 0 done already (by a run on
 * another instance: this one's effect must not count), < 0 an error. */
int32_t wh_inbox_settle(wh_db *db, int64_t update_id, int64_t now);

/* Deletes done rows with done_at < done_before, always keeping the row with
 * the highest update_id so that wh_inbox_max_id() survives pruning. Returns
 * the number of rows deleted or a negative WALOR_E*. */
int32_t wh_inbox_prune(wh_db *db, int64_t done_before);

/* Ordering key: the chat of message/edited_message/channel_post/
 * my_chat_member/…, callback_query.message.chat.id (else from.id),
 * from.id (inline_query, pre_checkout_query, shipping_query …), user.id
 * (poll_answer …); 0 if none. */
int64_t wh_update_chat_id(json_t *update);

/* The update's payload key ("message", "callback_query", …), borrowed from
 * the update; "unknown" if it has none. */
const char *wh_update_kind(json_t *update);

/* Highest stored update_id (0 when empty), so polling resumes with offset =
 * max+1 even if Telegram re-sends; a negative WALOR_E* on a DB error. */
int64_t wh_inbox_max_id(wh_db *db);

#endif
