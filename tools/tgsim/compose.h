/* Building bot messages: formatted text with Telegram's limits, the common
 * Message fields, reply parameters and keyboards. */
#ifndef TGSIM_COMPOSE_H
#define TGSIM_COMPOSE_H

#include <jansson.h>
#include <stdbool.h>

#include "botapi.h"

#define TGSIM_TEXT_MAX 4096
#define TGSIM_CAPTION_MAX 1024

typedef struct tgsim_rich {
    char *plain;        /* what the user sees */
    json_t *entities;   /* never NULL after a successful render */
    char *html;         /* raw HTML when parse_mode=HTML, else NULL */
} tgsim_rich;

/* Renders params[key] (entities from params[ent_key] when no parse_mode).
 * caption selects the caption limit and allows empty text. 0, or -1 after
 * failing the call. */
int tgsim_rich_render(tgsim_call *c, const char *key, const char *ent_key, bool caption,
                      tgsim_rich *out);
void tgsim_rich_free(tgsim_rich *r);
/* Sets field/efield of a Message (removing efield when there are no entities). */
void tgsim_rich_apply(json_t *tg, const char *field, const char *efield, const tgsim_rich *r);

/* A new bot message in chat with message_id, from, chat and date set. */
tgsim_msg *tgsim_compose_msg(tgsim_call *c, tgsim_chat *chat);
/* reply_parameters / reply_to_message_id: 0, or -1 after failing the call. */
int tgsim_compose_reply_to(tgsim_call *c, tgsim_chat *chat, json_t **reply_to);
/* Stores markup on the message and updates the chat's reply keyboard. Steals markup. */
void tgsim_compose_set_markup(tgsim_chat *chat, tgsim_msg *m, json_t *markup);
/* Optional send parameters shared by all send methods. */
void tgsim_compose_common(tgsim_call *c, tgsim_msg *m);

#endif
