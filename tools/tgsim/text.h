/* Small text helpers shared by the HTML parser, the Bot API and the control API. */
#ifndef TGSIM_TEXT_H
#define TGSIM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tgsim_buf {
    char *data;     /* always NUL-terminated once anything was appended */
    size_t len, cap;
    bool oom;
} tgsim_buf;

void tgsim_buf_add(tgsim_buf *b, const void *p, size_t n);
void tgsim_buf_addc(tgsim_buf *b, char c);
void tgsim_buf_addf(tgsim_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the code point as UTF-8. */
void tgsim_buf_add_cp(tgsim_buf *b, uint32_t cp);
/* Hands the string over to the caller (never NULL unless out of memory). */
char *tgsim_buf_take(tgsim_buf *b);
void tgsim_buf_free(tgsim_buf *b);

bool tgsim_utf8_valid(const char *s, size_t n);
/* Telegram counts lengths in UTF-16 code units. */
size_t tgsim_utf16_len(const char *s, size_t n);
char *tgsim_html_escape(const char *s);
char *tgsim_strdup(const char *s);
char *tgsim_strndup(const char *s, size_t n);

/* Decodes standard or URL-safe base64 (whitespace and a data: URL prefix are
 * skipped). Returns a malloc'd buffer or NULL on bad input. */
unsigned char *tgsim_base64_decode(const char *s, size_t *out_len);
/* Standard base64 with padding; malloc'd, NULL when out of memory. */
char *tgsim_base64_encode(const unsigned char *d, size_t n);

int64_t tgsim_now_ms(void);     /* CLOCK_MONOTONIC, comparable with Python's time.monotonic() */
int64_t tgsim_unix_time(void);

#endif
