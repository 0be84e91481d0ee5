/* reply_markup: Telegram's validation of inline and reply keyboards. */
#ifndef TGSIM_MARKUP_H
#define TGSIM_MARKUP_H

#include <jansson.h>
#include <stdbool.h>

#include "botapi.h"

/* Reads params["reply_markup"]. Returns 0 with *out a new reference (NULL if
 * absent), or -1 after failing the call. inline_only for edits. */
int tgsim_markup_parse(tgsim_call *c, json_t **out, bool inline_only);
/* What the Message object shows: only inline keyboards (new ref or NULL). */
json_t *tgsim_markup_for_message(const json_t *markup);

#endif
