/* Shared by the Bot API method implementations: the call being served and
 * helpers for Telegram's error replies, chat lookup and flood control. */
#ifndef TGSIM_BOTAPI_H
#define TGSIM_BOTAPI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http.h"
#include "sim.h"

typedef struct tgsim_call {
    tgsim_sim *sim;
    tgsim_bot *bot;
    tgsim_req *req;
    json_t *params;
    json_t *result;             /* set on success */
    int error_code;             /* 0 while successful */
    char description[512];
    const char *ok_description; /* static text some methods add to a success */
    int retry_after;
    int64_t chat_id;            /* for the call log */
    bool rate_limited;
    tgsim_blob *upload;         /* set by a prepare step (sendPhoto/sendDocument) */
    char *upload_name, *upload_mime;
    char *upload_ctype;         /* the Content-Type the upload came with, as given (may be NULL) */
    int upload_w, upload_h;     /* photo dimensions sniffed from the bytes */
    const char *upload_file_id; /* reuse of a stored file instead */
    /* sendMessage parses its text and keyboard before taking the lock: they
     * need no shared state, and the lock is the throughput limit */
    struct tgsim_rich *pre_text;
    json_t *pre_markup;
    bool pre_markup_done;
} tgsim_call;

void tgsim_call_fail(tgsim_call *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The private chat named by params[key], or NULL after failing the call with
 * Telegram's error. for_send adds the 403s a send gets (blocked, never started). */
tgsim_chat *tgsim_call_chat(tgsim_call *c, const char *key, bool for_send);
/* Flood control for one message-producing call; false after failing with 429. */
bool tgsim_call_flood_ok(tgsim_call *c, tgsim_chat *chat);

/* Methods (lock held unless named *_prepare). */
void tgsim_m_get_me(tgsim_call *c);
void tgsim_m_log_out(tgsim_call *c);
void tgsim_m_get_updates(tgsim_call *c);
void tgsim_m_set_webhook(tgsim_call *c);
void tgsim_m_delete_webhook(tgsim_call *c);
void tgsim_m_get_webhook_info(tgsim_call *c);
void tgsim_m_send_message(tgsim_call *c);
void tgsim_m_send_message_prepare(tgsim_call *c);
void tgsim_m_send_photo(tgsim_call *c);
void tgsim_m_send_document(tgsim_call *c);
void tgsim_m_copy_message(tgsim_call *c);
void tgsim_m_forward_message(tgsim_call *c);
void tgsim_m_edit_text(tgsim_call *c);
void tgsim_m_edit_caption(tgsim_call *c);
void tgsim_m_edit_markup(tgsim_call *c);
void tgsim_m_delete_message(tgsim_call *c);
void tgsim_m_answer_callback(tgsim_call *c);
void tgsim_m_set_commands(tgsim_call *c);
void tgsim_m_get_commands(tgsim_call *c);
void tgsim_m_delete_commands(tgsim_call *c);
void tgsim_m_send_chat_action(tgsim_call *c);
void tgsim_m_get_chat(tgsim_call *c);
void tgsim_m_get_file(tgsim_call *c);
void tgsim_m_photo_prepare(tgsim_call *c);
void tgsim_m_send_draft(tgsim_call *c);
void tgsim_m_send_draft_prepare(tgsim_call *c);
/* draft.c: a bot message ends the chat's draft; the view drops an expired one */
void tgsim_draft_end(tgsim_chat *chat);
json_t *tgsim_draft_view(tgsim_chat *chat);
void tgsim_m_document_prepare(tgsim_call *c);

#endif
