/* broadcast: declarations shared by the plugin's files (README.md). */
#ifndef BC_BC_H
#define BC_BC_H

#include <walor/plugin.h>

#include "segment.h"

/* broadcast_msg.status */
#define BC_DRAFT "draft"         /* being composed */
#define BC_SCHEDULED "scheduled" /* waits for its start job (also "now": the job runs at once) */
#define BC_SENDING "sending"
#define BC_STOPPED "stopped"     /* by staff, or by a message Telegram refuses for everyone */
#define BC_DONE "done"

/* broadcast_rcpt.state: the life of one recipient. A recipient is marked
 * SENDING (committed) before the message is handed to Telegram and gets
 * its outcome after the answer; one found SENDING when a lane starts was
 * in flight when the process died: UNKNOWN, never sent again. */
#define BC_R_WAITING 0
#define BC_R_SENDING 1
#define BC_R_SENT 2
#define BC_R_BLOCKED 3
#define BC_R_FAILED 4
#define BC_R_UNKNOWN 5

#define BC_LANES_MAX 4

/* ---- helpers (broadcast.c) ---- */
char *bc_num(walor_ctx *c, int64_t n);
char *bc_esc(walor_ctx *c, const char *s);
char *bc_when(walor_ctx *c, int64_t t);                 /* "07.12.2026 18:30" in the shop's zone */
int64_t bc_setting(walor_ctx *c, const char *key, int64_t dflt);
int32_t bc_log_action(walor_ctx *c, const char *what);

/* one broadcast as stored */
typedef struct bc_msg {
    int64_t id, author_id, author_chat, created_at, scheduled_at, started_at, finished_at;
    int64_t total, lanes, progress_mid, stopped_by;
    int64_t n_sent, n_blocked, n_failed, n_unknown;
    const char *html, *photo, *btn_text, *btn_url, *segment, *status, *stop_reason;
} bc_msg;
int32_t bc_msg_get(walor_ctx *c, int64_t id, bc_msg *out); /* WALOR_ENOTFOUND when there is none */
/* the broadcast's audience: 0, or -1 with *why (a row written by hand) */
int bc_msg_segment(const bc_msg *m, bc_segment *out, const char **why);

/* the broadcast's message to one chat: text or photo, its button, flags
 * (WALOR_SEND_BULK for the audience, 0 for the author's preview); waits
 * for Telegram's answer */
int32_t bc_send_one(walor_ctx *c, const bc_msg *m, int64_t chat, uint32_t flags);

/* ---- audiences (audience.c) ---- */
/* A label for staff: "Новые за 7 дней". */
const char *bc_segment_label(walor_ctx *c, const bc_segment *s);
/* Fills the purchase set of s (broadcast_set rows of set_id) from the
 * orders service; nothing for other segments. */
int32_t bc_audience_prepare(walor_ctx *c, const bc_segment *s, int64_t set_id);
/* How many the segment reaches now (prepare first). The author is never a
 * recipient: they got the preview, the same message. */
int32_t bc_audience_count(walor_ctx *c, const bc_segment *s, int64_t set_id, int64_t author, int64_t *n);
/* Writes the recipients of broadcast id (prepare first), spread over
 * `lanes`, the author left out; *n how many. In the caller's transaction. */
int32_t bc_audience_write(walor_ctx *c, const bc_segment *s, int64_t id, int64_t author, int64_t lanes, int64_t *n);
int32_t bc_audience_drop(walor_ctx *c, int64_t set_id);

/* ---- sending (engine.c) ---- */
int32_t bc_engine_register(walor_plugin *p);
/* status SCHEDULED at `when` (now = at once) and its start job; in the
 * caller's transaction */
int32_t bc_schedule(walor_ctx *c, int64_t id, int64_t when);
/* "⏹ Остановить": 0 stopped now; 1 when it was stopped or finished already */
int32_t bc_stop(walor_ctx *c, int64_t id);
/* "📤 Дослать неподтверждённым": the UNKNOWN recipients are sent again
 * (a second copy is possible for them: the owner chose it); 1 when there
 * are none or the broadcast is not over */
int32_t bc_resend_unknown(walor_ctx *c, int64_t id);
/* the progress / report message text and keyboard of broadcast m */
const char *bc_status_text(walor_ctx *c, const bc_msg *m);
walor_kb *bc_status_kb(walor_ctx *c, const bc_msg *m);

/* ---- composing (compose.c) ---- */
int32_t bc_compose_register(walor_plugin *p);
int32_t bc_compose_start(walor_ctx *c);

/* ---- the section, the list, the report, the recipients file (report.c) ---- */
int32_t bc_report_register(walor_plugin *p);
int32_t bc_section(walor_ctx *c);
int32_t bc_card(walor_ctx *c, int64_t id);

/* ---- texts (texts.c) ---- */
int32_t bc_texts_register(walor_plugin *p);

#endif
