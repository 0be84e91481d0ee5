/* UTF-8 helpers. Telegram, jansson and SQLite all meet user text, and each
 * has its own rule: jansson rejects invalid UTF-8, Telegram counts lengths
 * in UTF-16 code units and callback data in bytes, and SQLite's lower() only
 * knows ASCII. These functions are the one place those rules live. */
#ifndef WH_UTF8_H
#define WH_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define WH_UTF8_REPLACEMENT 0xFFFDu

/* Decodes one code point at s (len bytes available). Returns the length of
 * the sequence (1-4) and stores the code point, or returns 0 when the bytes
 * there are not well-formed UTF-8 (overlong forms, surrogates and values
 * above U+10FFFF included); then *bad holds how many bytes make up the
 * ill-formed part (the "maximal subpart" of Unicode §3.9, at least 1), so a
 * caller that replaces each such part with one U+FFFD matches what
 * browsers and Python do. len must be > 0. */
size_t wh_utf8_decode(const char *s, size_t len, uint32_t *cp, size_t *bad);

/* Encodes cp (<= U+10FFFF, not a surrogate) into out; returns 1-4, or 0. */
size_t wh_utf8_encode(uint32_t cp, char out[4]);

/* 1 if the len bytes at s are well-formed UTF-8 (embedded NULs allowed). */
int wh_utf8_valid(const char *s, size_t len);

/* Length of the longest prefix of the NUL-terminated s that is at most
 * max_bytes long and does not end inside a multi-byte sequence. Reads at
 * most max_bytes + 1 bytes of s. */
size_t wh_utf8_prefix(const char *s, size_t max_bytes);

/* Characters (code points) in the first len bytes of valid UTF-8. */
size_t wh_utf8_chars(const char *s, size_t len);

/* Length of the len bytes at s in UTF-16 code units, the unit of Telegram's
 * 4096/1024 limits; an ill-formed part counts as the one U+FFFD it becomes. */
size_t wh_utf16_len(const char *s, size_t len);

/* malloc'd copy with each ill-formed part replaced by U+FFFD; NULL when
 * s is NULL or on OOM. */
char *wh_utf8_sanitize_dup(const char *s);

/* Copies the code point at s (len bytes left) to out, or U+FFFD for an
 * invalid sequence; returns the bytes written (1-4), *used the bytes read. */
size_t wh_utf8_copy_one(const char *s, size_t len, char *out, size_t *used);

/* malloc'd copy with ASCII and Cyrillic capitals (Ё and the Ukrainian,
 * Belarusian, Kazakh letters included) lower-cased; every other byte,
 * ill-formed ones too, is copied unchanged, so the length never changes.
 * NULL when s is NULL or on OOM. */
char *wh_utf8_lower_dup(const char *s);

#endif
