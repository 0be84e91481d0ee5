/* catalog: pure text helpers (no host calls), unit-tested in
 * tests/unit/plugins/catalog/test_catalog_text.c.
 *   - search folding: lower-case for Latin, Latin-1 and Cyrillic (incl. Ё),
 *     plus ё → е, because SQLite's lower()/LIKE only know ASCII;
 *   - button labels cut on a UTF-8 boundary with "…";
 *   - merchant HTML reduced to the tags Telegram accepts. */
#ifndef CATALOG_TEXT_H
#define CATALOG_TEXT_H

#include <stddef.h>

/* Writes the search form of `in` to `out`, which must hold strlen(in) + 1
 * bytes (the result is never longer). Upper → lower case for ASCII,
 * Latin-1 (À-Þ) and Cyrillic (Ѐ-Я, incl. Ё), and ё/Ё → е, so "ЁЖИК",
 * "Ёжик" and "ежик" all fold to "ежик". Other bytes (and ill-formed UTF-8)
 * are copied as they are. */
void catalog_fold(const char *in, char *out);

/* Copies `in` to `out` (room for max_bytes + 1) cut to at most max_bytes
 * bytes on a UTF-8 character boundary; a cut string ends in "…" (counted in
 * max_bytes). max_bytes must be >= 4. Returns 1 if it cut, else 0. */
int catalog_trunc(const char *in, size_t max_bytes, char *out);

/* Merchant HTML → Telegram HTML (malloc'd, free() it; NULL on OOM).
 * keep_tags = 1 keeps b/strong/i/em/u/ins/s/strike/del/code/pre/
 * blockquote/tg-spoiler and <a href="http(s)://|tg://|mailto:">, drops
 * every other tag (keeping its text), turns <br> and </p> into line
 * breaks, closes what is left open, escapes stray < > & and keeps only
 * &amp; &lt; &gt; &quot; and numeric entities (&nbsp; becomes a space).
 * keep_tags = 0 drops every tag: the result is escaped plain text. */
char *catalog_html_sanitize(const char *in, int keep_tags);

#endif
