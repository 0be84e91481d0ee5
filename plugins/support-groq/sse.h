/* support-groq: a server-sent events reader (the WHATWG event-stream
 * format as OpenAI-compatible servers send chat completion chunks). Pure:
 * no SDK, no allocation beyond its own buffer; unit-tested in
 * tests/unit/plugins/support-groq/test_support_pure.c. */
#ifndef SUPPORT_SSE_H
#define SUPPORT_SSE_H

#include <stddef.h>

#define SUP_SSE_MAX (1u << 20) /* one event's data: more is a broken stream */

typedef struct sup_sse {
    char *line;                /* the incomplete last line */
    size_t line_len, line_cap;
    char *data;                /* data: lines of the event being read, joined by \n */
    size_t data_len, data_cap;
    int has_data;
    int cr;                    /* the previous byte was \r: a \n right after it ends nothing */
    int done;                  /* "data: [DONE]" was seen */
} sup_sse;

/* Called for each complete event with its data (NUL-terminated, without
 * the final newline). "[DONE]" is not passed: it sets s->done. Return
 * non-zero to stop reading (sup_sse_feed then returns that value). */
typedef int (*sup_sse_event_fn)(void *ud, const char *data, size_t len);

/* Feeds bytes in any pieces (a line or a UTF-8 sequence may be split
 * anywhere). 0, the callback's non-zero value, or -1 when an event or a
 * line is over SUP_SSE_MAX or memory runs out. */
int sup_sse_feed(sup_sse *s, const char *p, size_t n, sup_sse_event_fn fn, void *ud);
void sup_sse_free(sup_sse *s);

#endif
