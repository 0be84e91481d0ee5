/* Conversations: one active per chat, persisted in wh_conv so a restart
 * resumes where the user was. */
#ifndef WH_CONV_H
#define WH_CONV_H

#include <stdint.h>

#include "ctx.h"

/* loads the chat's conversation into c->conv once per ctx */
int32_t wh_conv_load(walor_ctx *c);
/* writes c->conv back if it changed */
int32_t wh_conv_save(walor_ctx *c);
/* ends whatever is active (used by /cancel, /start and expiry) */
void wh_conv_clear(walor_ctx *c);
/* runs pending on_enter callbacks (a state may move on from its on_enter) */
int32_t wh_conv_run_enter(walor_ctx *c);
int wh_conv_expired(const walor_ctx *c);
/* moves the active form to step st; back: its answer returns to the summary */
int32_t wh_conv_goto_step(walor_ctx *c, const wh_conv_state_def *st, int back);
/* sends (or, after a press with edit, edits in place) a question of the
 * active conversation with kb and the host's "✖️ Отмена" row below it */
int32_t wh_conv_ask(walor_ctx *c, const char *html, const walor_kb *kb, int edit);

#endif
