/* The host's unit of work (docs/internals-pipeline.md "Units of work").
 *
 * Every callback the host runs for a piece of work — an update, a job, an
 * event delivery, an HTTP route — runs inside one unit: the callback's
 * writes, the Bot API calls it made and the work's done mark (the inbox
 * row, the job row, the delivery row) commit in ONE transaction. So a
 * crash re-runs exactly the work whose effect did not commit, and never
 * one whose effect did.
 *
 * - The transaction opens lazily, at the first write (wh_db_autobegin):
 *   a handler that only reads takes no write lock; its done mark and its
 *   replies then commit in one short transaction at the end.
 * - walor_tx_begin/commit/rollback nest inside it as savepoints: a level's
 *   rollback undoes that level only; its commit releases it into the
 *   unit, which commits at the end.
 * - Bot API calls are held in memory and written to the durable message
 *   queue (msgq.h) in the commit; they go to Telegram after it, in order.
 *   A rolled-back unit sends nothing.
 * - A network wait (walor_http_fetch, a send that waits for its message
 *   id, walor_tg_call, walor_file_download) never holds the write lock:
 *   inside a walor_tx_begin level it is refused (WALOR_EPHASE); otherwise
 *   what the unit holds commits first. With WH_UNIT_MARK_EARLY the done
 *   mark commits with it (updates, routes, events: what follows is a
 *   continuation, lost if the process dies before the end); without it
 *   (jobs) the mark waits for the end, so a crash runs the job again. */
#ifndef WH_UNIT_H
#define WH_UNIT_H

#include <stdint.h>

#include <jansson.h>

#include "ctx.h"
#include "tg.h"

#define WH_UNIT_MARK_EARLY 1u /* the done mark commits with the first commit */
#define WH_UNIT_GONE 1        /* mark_fn / wh_unit_commit: settled elsewhere, this run was undone */

/* How the unit stores and sends the Bot API calls it holds: the durable
 * message queue (host/ui/msgq.c), which sits above the context and hands
 * its functions over at start (wh_msgq_install). Without one (unit tests)
 * a call is refused. */
typedef struct wh_unit_sender {
    /* writes one call inside the open transaction: the row id, or < 0 */
    int64_t (*store)(wh_db *db, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                     uint32_t klass, uint32_t flags);
    /* hands a call (params stolen) to the Telegram client; row 0: not stored */
    int32_t (*submit)(int64_t row, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                      uint32_t klass, uint32_t flags);
    /* the same, waiting for the answer */
    int32_t (*call)(int64_t row, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                    uint32_t klass, wh_tg_result *out);
} wh_unit_sender;
void wh_unit_set_sender(const wh_unit_sender *s);

/* Starts the unit of c (after wh_ctx_init, before any plugin code). mark
 * may be NULL (HTTP routes: the answer is the acknowledgement). */
void wh_unit_arm(walor_ctx *c, wh_unit_mark_fn mark, void *arg, uint32_t flags);

/* The end of the callback: open walor_tx_begin levels are rolled back (a
 * failure: WALOR_EINVAL), then the held calls, the done mark (if not
 * written yet) and the writes commit, and the calls go out. On failure
 * everything not committed is undone (as wh_unit_rollback) and the error
 * returned; WH_UNIT_GONE when the mark found the work settled elsewhere. */
int32_t wh_unit_commit(walor_ctx *c);

/* A failed callback: undoes the writes and drops the calls that have not
 * committed yet. The unit stays armed: the host may still write (its
 * apology, the done mark) and commit. */
void wh_unit_rollback(walor_ctx *c);

/* Before any network wait: 0 when the wait may go on (held work committed
 * first), WALOR_EPHASE inside a walor_tx_begin level, or the commit's error. */
int32_t wh_unit_wait(walor_ctx *c, const char *what);

/* Every Bot API call made through a ctx. out == NULL: queued (held until
 * the unit commits; at once without a unit); returns 0 once taken.
 * out != NULL: waits for the answer (a network wait, see above). params
 * are stolen; the upload is copied. flags: WH_MSG_* (msgq.h). Calls of the
 * unpaced class (answers to button presses) and of the bulk class (at most
 * once: the sender keeps its own record) are held but not stored. */
int32_t wh_unit_tg(walor_ctx *c, const char *method, json_t *params, const wh_tg_upload *up, int64_t chat_id,
                   uint32_t klass, uint32_t flags, wh_tg_result *out);

/* the transaction slots (dbapi.c) */
int32_t wh_unit_tx_begin(walor_ctx *c);
int32_t wh_unit_tx_commit(walor_ctx *c);
int32_t wh_unit_tx_rollback(walor_ctx *c);

/* wh_ctx_finish: drops what is still held and disarms */
void wh_unit_end(walor_ctx *c);

#endif
