/* The durable message queue (docs/internals-pipeline.md "Messages").
 *
 * A unit of work (host/plugin/unit.c) writes the Bot API calls its
 * callback made into wh_msgq inside its own transaction, next to the done
 * mark, and hands them to the Telegram client only after the commit. A row
 * is deleted once Telegram answered it (ok or a final error), in batches on
 * a worker. What a crash or a stop left behind goes out again at the next
 * start: a reply of a handled update is never lost, and one that Telegram
 * took just before a crash comes twice (the Bot API has no idempotency
 * key). */
#ifndef WH_MSGQ_H
#define WH_MSGQ_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "tg.h"

/* editMessageText: when the message is gone (or not a text), send the
 * same screen as a new message instead */
#define WH_MSG_FALLBACK 1u
/* editMessageText of a screen that fits a caption: when the message has no
 * text (a photo, a document), its caption becomes the screen instead */
#define WH_MSG_CAPTION 2u

/* wh_db_migrate(db, "host.msgq", ...) */
int32_t wh_msgq_migrate(wh_db *db);

/* At start, before any callback runs: units of work (host/plugin/unit.h)
 * store and send their calls through this queue. */
void wh_msgq_install(void);

/* Writes one call (params borrowed, upload copied) on db, inside the
 * caller's transaction. Returns the row id (> 0) or a negative WALOR_E*. */
int64_t wh_msgq_store(wh_db *db, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                      uint32_t klass, uint32_t flags);

/* Hands a call to the Telegram client (params stolen, also on failure).
 * row > 0: the stored row, deleted once Telegram has answered; 0: not
 * stored (a call outside a unit). Any thread but the loop thread may wait
 * with wh_msgq_call; wh_msgq_submit returns at once (loop thread too). */
int32_t wh_msgq_submit(int64_t row, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                       uint32_t klass, uint32_t flags);
int32_t wh_msgq_call(int64_t row, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                     uint32_t klass, wh_tg_result *out);

/* At start, before any update is handled: submits every row left by a
 * crash or a stop, oldest first (so each chat gets them before anything
 * new). Returns how many, or a negative WALOR_E*. With several instances
 * (PostgreSQL) only the rows of instances that are gone, taken over
 * first; the cluster's sweep calls it again for those that die later. */
int32_t wh_msgq_resend(wh_db *db);

/* At exit, after the workers and the Telegram client are gone: deletes
 * the rows answered since the last batch. */
void wh_msgq_flush(wh_db *db);

#endif
