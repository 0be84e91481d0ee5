/* broadcast: sending (F-BRD-01) and its outcome per recipient (F-BRD-02).
 *
 * A broadcast starts with the one-shot job "start" (at once, or at the
 * scheduled time): it writes the recipients — the segment as it is at that
 * moment — spread over `lanes`, and one job per lane. A lane sends to its
 * recipients one at a time through the host's bulk outbox (about 30
 * messages a second overall, 1 a second per chat, retry_after honoured),
 * waiting for each answer: several lanes keep the outbox busy while each
 * waits for Telegram's round trip. A lane works a few seconds, then
 * schedules itself again, so it never holds a worker for long and a stop is
 * seen within one message.
 *
 * Exactly once across a crash. Each recipient is marked SENDING — and that
 * is committed — before its message is handed to Telegram, and gets its
 * outcome (delivered, blocked the bot, failed) committed after the answer.
 * A lane that starts and finds a SENDING row of its own knows that this
 * message was in flight when the process died: Telegram may or may not
 * have delivered it and the Bot API cannot tell. It is counted UNKNOWN
 * ("не подтверждено") and never sent again: a recipient never gets a
 * broadcast twice, and at most one recipient per lane is unconfirmed after
 * a crash; nobody else is skipped, since every other recipient is either
 * done or still WAITING. A graceful stop (the host answers "shutting down"
 * for a message it never sent) puts the recipient back to WAITING.
 *
 * A 403 is "blocked the bot": the host marks the user (walor_users.blocked)
 * and later segments leave them out until they write to the bot again. */
#include <string.h>
#include <time.h>

#include "bc.h"

#define CHUNK_S 3          /* a lane's turn on a worker */
#define PICK 64            /* recipients read at a time */
#define OFFLINE_RETRY_S 30 /* Telegram unreachable: the lane waits this long */

static const char *const LANE_JOBS[BC_LANES_MAX] = {"lane0", "lane1", "lane2", "lane3"};

/* a lane's turn is measured on the real clock: the host's moves in tests */
static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static const char *key_of(walor_ctx *c, int64_t id) { return walor_ctx_printf(c, "%lld", (long long)id); }

/* ---- texts of the progress / report message ---- */

const char *bc_status_text(walor_ctx *c, const bc_msg *m)
{
    const char *id = bc_num(c, m->id);
    if (!strcmp(m->status, BC_SCHEDULED))
        return walor_textf(c, "broadcast.st.scheduled", "id", id, "when", bc_when(c, m->scheduled_at), NULL);
    int64_t done = m->n_sent + m->n_blocked + m->n_failed + m->n_unknown;
    const char *counts =
        walor_textf(c, "broadcast.st.counts", "sent", bc_num(c, m->n_sent), "blocked", bc_num(c, m->n_blocked),
                    "failed", bc_num(c, m->n_failed), NULL);
    if (m->n_unknown)
        counts = walor_ctx_printf(c, "%s\n%s", counts,
                                  walor_textf(c, "broadcast.st.unknown", "n", bc_num(c, m->n_unknown), NULL));
    if (!strcmp(m->status, BC_SENDING))
        return walor_textf(c, "broadcast.st.sending", "id", id, "done", bc_num(c, done), "total", bc_num(c, m->total),
                           "counts", counts, NULL);
    const char *head = !strcmp(m->status, BC_DONE)
                           ? walor_textf(c, "broadcast.st.done", "id", id, "when", bc_when(c, m->finished_at), NULL)
                           : walor_textf(c, "broadcast.st.stopped", "id", id, "when", bc_when(c, m->finished_at),
                                         "reason", *m->stop_reason ? bc_esc(c, m->stop_reason)
                                                                   : walor_text(c, "broadcast.st.by_staff"),
                                         NULL);
    char *t = walor_ctx_printf(c, "%s\n%s\n%s", head,
                               walor_textf(c, "broadcast.st.total", "total", bc_num(c, m->total), NULL), counts);
    if (m->total > done)
        t = walor_ctx_printf(c, "%s\n%s", t,
                             walor_textf(c, "broadcast.st.not_sent", "n", bc_num(c, m->total - done), NULL));
    return t;
}

walor_kb *bc_status_kb(walor_ctx *c, const bc_msg *m)
{
    walor_kb *kb = walor_kb_new(c);
    const char *id = key_of(c, m->id);
    if (!strcmp(m->status, BC_SENDING) || !strcmp(m->status, BC_SCHEDULED)) {
        walor_kb_button(kb, walor_text(c, !strcmp(m->status, BC_SENDING) ? "broadcast.btn.stop" : "broadcast.btn.cancel"),
                        walor_ctx_printf(c, "bc:stop:%s", id));
        return kb;
    }
    if (m->n_unknown > 0) {
        walor_kb_button(kb, walor_text(c, "broadcast.btn.resend"), walor_ctx_printf(c, "bc:resend:%s", id));
        walor_kb_row(kb);
    }
    if (m->total > 0)
        walor_kb_button(kb, walor_text(c, "broadcast.btn.csv"), walor_ctx_printf(c, "bc:csv:%s", id));
    walor_kb_button(kb, walor_text(c, "broadcast.btn.list"), "bc:list");
    return kb;
}

/* the author's progress message, created once (a crash between the start
 * and its first message leaves it to the first lane) */
static void show_status(walor_ctx *c, int64_t id)
{
    bc_msg m;
    if (bc_msg_get(c, id, &m) < 0 || !m.author_chat)
        return;
    if (m.progress_mid > 0) {
        walor_edit_message(c, m.author_chat, m.progress_mid, bc_status_text(c, &m), bc_status_kb(c, &m));
        return;
    }
    /* claim the creation: only one lane sends it */
    if (walor_db_exec(c, "UPDATE broadcast_msg SET progress_mid = -1 WHERE id = ? AND progress_mid = 0",
                      WALOR_ARGS(walor_i(id))) != 1)
        return;
    int64_t mid = 0;
    if (walor_send(c, m.author_chat, bc_status_text(c, &m), bc_status_kb(c, &m), 0, &mid) == 0 && mid > 0)
        walor_db_exec(c, "UPDATE broadcast_msg SET progress_mid = ? WHERE id = ?", WALOR_ARGS(walor_i(mid), walor_i(id)));
}

/* at most every progress_s seconds, whichever lane comes first */
static void maybe_progress(walor_ctx *c, int64_t id)
{
    int64_t now = walor_now(c), every = bc_setting(c, "progress_s", 3);
    if (walor_db_exec(c,
                      "UPDATE broadcast_msg SET progress_at = ? WHERE id = ? AND status = 'sending' AND "
                      "progress_at <= ?",
                      WALOR_ARGS(walor_i(now), walor_i(id), walor_i(now - every))) == 1)
        show_status(c, id);
}

/* a lane's job: at once (after_s 0), or later */
static int32_t lane_at(walor_ctx *c, int64_t id, int64_t lane, int64_t after_s)
{
    json_t *lp = json_pack("{s:I, s:I}", "id", (json_int_t)id, "lane", (json_int_t)lane);
    int32_t rc = lp ? walor_job_at(c, walor_now(c) + after_s, LANE_JOBS[lane], key_of(c, id), lp) : WALOR_ENOMEM;
    json_decref(lp);
    return rc;
}

/* ---- start ---- */

int32_t bc_schedule(walor_ctx *c, int64_t id, int64_t when)
{
    int32_t rc = walor_db_exec(c,
                               "UPDATE broadcast_msg SET status = 'scheduled', scheduled_at = ? WHERE id = ? AND "
                               "status IN ('draft', 'scheduled')",
                               WALOR_ARGS(walor_i(when), walor_i(id)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return WALOR_ENOTFOUND;
    json_t *pl = json_pack("{s:I}", "id", (json_int_t)id);
    rc = pl ? walor_job_at(c, when, "start", key_of(c, id), pl) : WALOR_ENOMEM;
    json_decref(pl);
    return rc;
}

static int32_t start_job(walor_ctx *c, json_t *pl)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(pl, "id"));
    bc_msg m;
    int32_t rc = bc_msg_get(c, id, &m);
    if (rc == WALOR_ENOTFOUND || (rc == 0 && strcmp(m.status, BC_SCHEDULED) != 0))
        return 0; /* stopped before its time, or this is a re-run after it started */
    if (rc < 0)
        return rc;
    bc_segment seg;
    const char *why = NULL;
    int bad = bc_msg_segment(&m, &seg, &why) != 0;
    int64_t lanes = bc_setting(c, "lanes", 2), total = 0;
    if (lanes < 1 || lanes > BC_LANES_MAX)
        lanes = 1;
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    if (bad) {
        rc = walor_db_exec(c,
                           "UPDATE broadcast_msg SET status = 'stopped', finished_at = ?, stop_reason = ? WHERE id = ?",
                           WALOR_ARGS(walor_i(walor_now(c)), walor_s(why), walor_i(id)));
    } else {
        rc = bc_audience_prepare(c, &seg, id);
        if (rc >= 0)
            rc = bc_audience_write(c, &seg, id, m.author_id, lanes, &total);
        if (rc >= 0)
            rc = bc_audience_drop(c, id);
        if (rc >= 0)
            /* progress_at = now: the first progress edit comes after
             * progress_s, not on top of the author's "started" message */
            rc = walor_db_exec(c,
                               "UPDATE broadcast_msg SET status = ?, started_at = ?, finished_at = ?, total = ?, "
                               "lanes = ?, progress_at = ? WHERE id = ? AND status = 'scheduled'",
                               WALOR_ARGS(walor_s(total ? BC_SENDING : BC_DONE), walor_i(walor_now(c)),
                                          walor_i(total ? 0 : walor_now(c)), walor_i(total), walor_i(lanes),
                                          walor_i(walor_now(c)), walor_i(id)));
        for (int64_t k = 0; rc >= 0 && total && k < lanes; k++) {
            rc = walor_db_exec(c, "INSERT INTO broadcast_lane(bcast_id, lane) VALUES (?, ?) ON CONFLICT DO NOTHING",
                               WALOR_ARGS(walor_i(id), walor_i(k)));
            if (rc >= 0)
                rc = lane_at(c, id, k, 0);
        }
    }
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    walor_log(c, WALOR_LOG_INFO, "broadcast %lld: started, %lld recipients in %lld lanes", (long long)id,
              (long long)total, (long long)lanes);
    /* the author's message becomes the progress at the lanes' first edit;
     * one is sent now only when there is none (a crash after the press) or
     * nothing to send */
    if (!total || m.progress_mid <= 0)
        show_status(c, id);
    return 0;
}

/* ---- stop ---- */

int32_t bc_stop(walor_ctx *c, int64_t id)
{
    int32_t rc = walor_db_exec(c,
                               "UPDATE broadcast_msg SET status = 'stopped', stopped_by = ?, finished_at = ? "
                               "WHERE id = ? AND status IN ('scheduled', 'sending')",
                               WALOR_ARGS(walor_i(walor_ctx_user_id(c)), walor_i(walor_now(c)), walor_i(id)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return 1;
    rc = walor_job_cancel(c, "start", key_of(c, id));
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    bc_log_action(c, walor_ctx_printf(c, "остановил рассылку №%lld", (long long)id));
    show_status(c, id);
    return 0;
}

/* "📤 Дослать неподтверждённым": the owner decides that a possible second
 * copy is better than none for the few in flight at a crash */
int32_t bc_resend_unknown(walor_ctx *c, int64_t id)
{
    bc_msg m;
    int32_t rc = bc_msg_get(c, id, &m);
    if (rc < 0)
        return rc;
    if ((strcmp(m.status, BC_DONE) && strcmp(m.status, BC_STOPPED)) || m.n_unknown == 0)
        return 1;
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    rc = walor_db_exec(c, "UPDATE broadcast_rcpt SET state = 0, error = '' WHERE bcast_id = ? AND state = 5",
                       WALOR_ARGS(walor_i(id)));
    if (rc >= 0)
        rc = walor_db_exec(c,
                           "UPDATE broadcast_msg SET status = 'sending', finished_at = 0, stop_reason = '', "
                           "n_unknown = 0 WHERE id = ?",
                           WALOR_ARGS(walor_i(id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "UPDATE broadcast_lane SET done = 0 WHERE bcast_id = ?", WALOR_ARGS(walor_i(id)));
    for (int64_t k = 0; rc >= 0 && k < m.lanes && k < BC_LANES_MAX; k++)
        rc = lane_at(c, id, k, 0);
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    bc_log_action(c, walor_ctx_printf(c, "дослал рассылку №%lld неподтверждённым (%lld)", (long long)id,
                                      (long long)m.n_unknown));
    show_status(c, id);
    return 0;
}

/* ---- a lane ---- */

/* this lane is over (nothing left, or the broadcast stopped): the last
 * lane to finish closes the broadcast; the report replaces the progress */
static int32_t lane_over(walor_ctx *c, int64_t id, int64_t lane)
{
    int64_t left = 0;
    int32_t rc = walor_db_exec(c, "UPDATE broadcast_lane SET done = 1 WHERE bcast_id = ? AND lane = ?",
                               WALOR_ARGS(walor_i(id), walor_i(lane)));
    if (rc >= 0)
        rc = walor_db_int(c, "SELECT count(*) FROM broadcast_lane WHERE bcast_id = ? AND done = 0",
                          WALOR_ARGS(walor_i(id)), &left);
    if (rc < 0)
        return rc;
    if (left == 0) {
        rc = walor_db_exec(c, "UPDATE broadcast_msg SET status = 'done', finished_at = ? WHERE id = ? AND "
                              "status = 'sending'",
                           WALOR_ARGS(walor_i(walor_now(c)), walor_i(id)));
        if (rc < 0)
            return rc;
        if (rc == 1)
            walor_log(c, WALOR_LOG_INFO, "broadcast %lld: done", (long long)id);
        /* not on the heels of the last progress edit: one message a second
         * in a chat is Telegram's pace */
        int64_t last = 0;
        walor_db_int(c, "SELECT progress_at FROM broadcast_msg WHERE id = ?", WALOR_ARGS(walor_i(id)), &last);
        if (walor_now(c) - last < 2) {
            struct timespec d = {1, 500000000L};
            nanosleep(&d, NULL);
        }
        show_status(c, id);
    }
    return 0;
}

static const char *outcome_col(int state)
{
    return state == BC_R_SENT      ? "n_sent"
           : state == BC_R_BLOCKED ? "n_blocked"
           : state == BC_R_FAILED  ? "n_failed"
                                   : "n_unknown";
}

/* the recipient's outcome and the counter, together */
static int32_t record(walor_ctx *c, int64_t id, int64_t uid, int state, const char *error)
{
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c,
                       "UPDATE broadcast_rcpt SET state = ?, at = ?, error = ? WHERE bcast_id = ? AND user_id = ? "
                       "AND state = 1",
                       WALOR_ARGS(walor_i(state), walor_i(walor_now(c)), walor_s(error ? error : ""), walor_i(id),
                                  walor_i(uid)));
    if (rc == 1)
        rc = walor_db_exec(c,
                           walor_ctx_printf(c, "UPDATE broadcast_msg SET %s = %s + 1 WHERE id = ?",
                                            outcome_col(state), outcome_col(state)),
                           WALOR_ARGS(walor_i(id)));
    return walor_tx_end(c, rc);
}


static int32_t stop_with(walor_ctx *c, int64_t id, const char *reason)
{
    walor_log(c, WALOR_LOG_WARN, "broadcast %lld: stopped: %s", (long long)id, reason);
    int32_t rc = walor_db_exec(c,
                               "UPDATE broadcast_msg SET status = 'stopped', finished_at = ?, stop_reason = ? "
                               "WHERE id = ? AND status = 'sending'",
                               WALOR_ARGS(walor_i(walor_now(c)), walor_s(reason), walor_i(id)));
    return rc < 0 ? rc : 0;
}

static int32_t lane_job(walor_ctx *c, json_t *pl)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(pl, "id"));
    int64_t lane = (int64_t)json_integer_value(json_object_get(pl, "lane"));
    if (lane < 0 || lane >= BC_LANES_MAX)
        return 0;
    bc_msg m;
    int32_t rc = bc_msg_get(c, id, &m);
    if (rc == WALOR_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    /* a message of this lane was in flight when the process died */
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    rc = walor_db_exec(c,
                       "UPDATE broadcast_rcpt SET state = 5, at = ?, error = 'в отправке при сбое' "
                       "WHERE bcast_id = ? AND lane = ? AND state = 1",
                       WALOR_ARGS(walor_i(walor_now(c)), walor_i(id), walor_i(lane)));
    if (rc > 0) {
        walor_log(c, WALOR_LOG_WARN, "broadcast %lld lane %lld: %d message(s) in flight at a crash: not confirmed, "
                  "not sent again", (long long)id, (long long)lane, rc);
        rc = walor_db_exec(c, "UPDATE broadcast_msg SET n_unknown = n_unknown + ? WHERE id = ?",
                           WALOR_ARGS(walor_i(rc), walor_i(id)));
    }
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    if (strcmp(m.status, BC_SENDING) != 0)
        return lane_over(c, id, lane);

    int64_t t0 = mono_s();
    for (;;) {
        int64_t ids[PICK];
        uint32_t n = 0;
        walor_rows *r = NULL;
        rc = walor_db_query(c,
                            "SELECT user_id FROM broadcast_rcpt WHERE bcast_id = ? AND lane = ? AND state = 0 "
                            "ORDER BY user_id LIMIT ?",
                            WALOR_ARGS(walor_i(id), walor_i(lane), walor_i(PICK)), &r);
        if (rc < 0)
            return rc;
        while (n < PICK && walor_row_next(r) == 1)
            ids[n++] = walor_col_int(r, 0);
        walor_rows_close(r);
        if (n == 0)
            return lane_over(c, id, lane);
        for (uint32_t i = 0; i < n; i++) {
            /* a stop is seen before the next message, not after the lane's turn */
            char status[16] = "";
            if (walor_db_query(c, "SELECT status FROM broadcast_msg WHERE id = ?", WALOR_ARGS(walor_i(id)), &r) == 0) {
                if (walor_row_next(r) == 1)
                    snprintf(status, sizeof status, "%s", walor_col_text(r, 0));
                walor_rows_close(r);
            }
            if (strcmp(status, BC_SENDING) != 0)
                return lane_over(c, id, lane);
            rc = walor_db_exec(c, "UPDATE broadcast_rcpt SET state = 1 WHERE bcast_id = ? AND user_id = ? AND state = 0",
                               WALOR_ARGS(walor_i(id), walor_i(ids[i])));
            if (rc < 0)
                return rc;
            if (rc == 0)
                continue;
            rc = bc_send_one(c, &m, ids[i], WALOR_SEND_BULK);
            const char *err = rc < 0 ? walor_last_error(c) : NULL;
            if (rc == 0) {
                rc = record(c, id, ids[i], BC_R_SENT, NULL);
            } else if (rc == WALOR_EBLOCKED) {
                rc = record(c, id, ids[i], BC_R_BLOCKED, err);
            } else if (rc == WALOR_ETIMEDOUT && err && strstr(err, "shutting down")) {
                /* never left: the host is stopping; it goes after the restart */
                rc = walor_db_exec(c, "UPDATE broadcast_rcpt SET state = 0 WHERE bcast_id = ? AND user_id = ?",
                                   WALOR_ARGS(walor_i(id), walor_i(ids[i])));
                return rc < 0 ? rc : lane_at(c, id, lane, 1);
            } else if (rc == WALOR_ETIMEDOUT) {
                /* Telegram did not answer after the host's retries: it may have
                 * arrived; wait before the next one */
                rc = record(c, id, ids[i], BC_R_UNKNOWN, err);
                return rc < 0 ? rc : lane_at(c, id, lane, OFFLINE_RETRY_S);
            } else if (rc == WALOR_EINVAL || rc == WALOR_ELIMIT) {
                /* the message itself is refused: it would be for everyone */
                walor_db_exec(c, "UPDATE broadcast_rcpt SET state = 0 WHERE bcast_id = ? AND user_id = ?",
                              WALOR_ARGS(walor_i(id), walor_i(ids[i])));
                rc = stop_with(c, id, err ? err : "сообщение не принято");
                return rc < 0 ? rc : lane_over(c, id, lane);
            } else {
                rc = record(c, id, ids[i], BC_R_FAILED, err);
            }
            if (rc < 0)
                return rc;
            maybe_progress(c, id);
            if (mono_s() - t0 >= CHUNK_S)
                return lane_at(c, id, lane, 0);
        }
    }
}

int32_t bc_engine_register(walor_plugin *p)
{
    int32_t rc = walor_job(p, "start", start_job);
    for (int i = 0; !rc && i < BC_LANES_MAX; i++)
        rc = walor_job(p, LANE_JOBS[i], lane_job);
    return rc;
}
