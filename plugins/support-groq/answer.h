/* support-groq: a chat completion as it arrives (pure, jansson only):
 * the content, the tool calls with their arguments put together from the
 * pieces a stream splits them into, why it finished and what it cost
 * (EXTERNAL-APIS.md §4.3, §4.4, §4.6). */
#ifndef SUPPORT_ANSWER_H
#define SUPPORT_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#define SUP_CALLS_MAX 4
#define SUP_ANSWER_MAX (64u * 1024) /* content bytes kept; a model that rambles past this is cut */

typedef struct sup_call {
    char id[64];
    char name[48];
    char *args;                 /* the JSON text, as the model wrote it */
    size_t args_len;
} sup_call;

typedef struct sup_answer {
    char *content;              /* NUL-terminated, "" until something arrives */
    size_t len;
    sup_call calls[SUP_CALLS_MAX];
    int ncalls;
    char finish[16];            /* "stop", "length", "tool_calls"; "" while it goes on */
    int64_t prompt_tokens, completion_tokens;
    int chunks;                 /* chunks read */
} sup_answer;

/* One "data:" payload of a stream (a chat.completion.chunk). 0, or -1 for
 * JSON that is not a chunk (the stream is then broken). */
int sup_answer_chunk(sup_answer *a, const char *json, size_t len);

/* A whole (not streamed) chat.completion. 0 or -1. */
int sup_answer_full(sup_answer *a, const char *json, size_t len);

/* The error text of an error answer: {"error":{"message"}}, {"error":"…"},
 * or the body itself when it is short plain text; into out. */
void sup_answer_error(const char *body, size_t len, char *out, size_t cap);

void sup_answer_free(sup_answer *a);

#endif
