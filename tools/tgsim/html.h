/* Telegram's formatted text: the HTML parse_mode (same grammar and error
 * strings as tdlib's parse_html) and the whitespace trimming every message gets. */
#ifndef TGSIM_HTML_H
#define TGSIM_HTML_H

#include <jansson.h>
#include <stddef.h>

/* Parses html into plain text and MessageEntity objects (offsets in UTF-16).
 * Returns 0, or -1 with err set to the text after "Bad Request: can't parse entities: ". */
int tgsim_html_parse(const char *html, char **text, json_t **entities, char *err, size_t errlen);

/* Strips leading/trailing whitespace in place like Telegram does, moving
 * entity offsets along and dropping entities that become empty. */
void tgsim_text_trim(char *text, json_t *entities);

#endif
