/* Telegram HTML (parse_mode=HTML): escaping user data into it, checking
 * merchant-written texts before they are saved or sent, and recovering the
 * visible text. The checker follows the Bot API's rules and the parser
 * Telegram runs (tdlib's parse_html); where Telegram would silently drop
 * formatting or show something the writer did not mean (an unknown
 * attribute, &nbsp;, a tag nested where it is ignored) the checker refuses
 * too, so the owner learns about it while editing, not from a broken
 * message. */
#ifndef WH_HTML_H
#define WH_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* & < > " escaped; each ill-formed UTF-8 part becomes U+FFFD. NULL s
 * gives "". NULL only on OOM. */
char *wh_html_escape(wh_arena *a, const char *s);

/* 0 when html is what Telegram accepts, with *visible_utf16_len (may be
 * NULL) set to the length of the text shown, in UTF-16 code units, the
 * unit of the 4096 (message) and 1024 (caption) limits. Otherwise
 * WALOR_EINVAL, with a short reason in Russian, an English gloss and the
 * 1-based character position, in why (may be NULL) and in wh_last_error():
 * "неизвестный тег <foo> (позиция 12) / unknown tag". */
int32_t wh_html_check(const char *html, size_t *visible_utf16_len, char *why, size_t whylen);

/* The visible text: tags removed, entities decoded. Malformed input is
 * handled the forgiving way (a stray '<' or '&' shows as itself, ill-formed
 * UTF-8 as U+FFFD). NULL html gives "". NULL only on OOM. */
char *wh_html_strip(wh_arena *a, const char *html);

#endif
