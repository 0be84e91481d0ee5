/* support-groq: what the model wrote, made fit for Telegram (pure).
 *
 * The model's text is never trusted as HTML: everything is escaped, then
 * the Markdown most models use anyway — **bold**, *italic* / _italic_,
 * `code` — becomes the matching tag when it is paired inside one line.
 * So "<b>Цена: 500 ₽" (an unclosed tag) shows as typed instead of making
 * Telegram refuse the message. An answer over Telegram's 4096 characters
 * goes out in parts cut at paragraph, line, sentence or word boundaries. */
#ifndef SUPPORT_FMT_H
#define SUPPORT_FMT_H

#include <stddef.h>

#define SUP_PART_MAX 4000 /* UTF-16 units of text per message: room under 4096 */

/* Telegram HTML for plain model text (malloc'd) */
char *sup_fmt_html(const char *text);

/* Removes the escalation marker the prompt defines ("[[ОПЕРАТОР]]", also
 * "[[OPERATOR]]", any case) from text, in place; 1 if it was there. */
int sup_fmt_take_marker(char *text);

/* Byte offsets where text splits into parts of at most max UTF-16 units:
 * fills cuts[0..k) with the start of parts 2..k+1 and returns k (0 when
 * it fits). At most max_cuts; the rest stays in the last part. */
size_t sup_fmt_split(const char *text, size_t max, size_t *cuts, size_t max_cuts);

/* byte offset of the last max UTF-16 units of text, at a character start */
size_t sup_fmt_tail(const char *text, size_t max);

/* UTF-16 length, as Telegram counts */
size_t sup_utf16_len(const char *s, size_t n);

#endif
