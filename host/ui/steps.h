/* Forms (walor_form_def, SDK 1.3): conversations whose states are
 * declarative steps. The host asks each step's question, checks the answer
 * (input.c), lets the plugin's validate have its say, stores the value
 * under the step's key and moves on; then the summary ("✅ Готово",
 * "✏️ Изменить") and the plugin's on_done. The three functions below are
 * the on_enter / on_message / on_callback of every state of a form
 * (register.c wires them), so forms run through the same dispatch, role
 * checks, expiry, /cancel and persistence as any conversation. */
#ifndef WH_STEPS_H
#define WH_STEPS_H

#include <walor/api.h>

#define WH_FORM_SUMMARY_STATE "_summary"

int32_t wh_steps_enter(walor_ctx *c);
int32_t wh_steps_message(walor_ctx *c, const char *text);
int32_t wh_steps_callback(walor_ctx *c, const char *payload);

#endif
