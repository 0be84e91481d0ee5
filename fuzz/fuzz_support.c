/* support-groq's readers of what a model server sends (plugins/support-groq):
 * the SSE reader fed in pieces of every size, each event read as a chat
 * completion chunk, the same bytes as a whole answer and as an error body,
 * and the text shown to the customer (escaped Telegram HTML, split into
 * parts, the marker taken out). Never crash; the parts cover the text and
 * none is over the limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "fmt.h"
#include "sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_event(void *ud, const char *text, size_t len)
{
    if (text[len] != '\0')
        abort();
    sup_answer_chunk(ud, text, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    sup_sse s = {0};
    sup_answer a = {0};
    /* the first byte picks the piece size: splits anywhere must not matter */
    size_t piece = size ? (size_t)(data[0] % 7) + 1 : 1;
    for (size_t i = 0; i < size; i += piece)
        if (sup_sse_feed(&s, p + i, size - i < piece ? size - i : piece, on_event, &a) < 0)
            break;
    if (a.content && strlen(a.content) != a.len)
        abort();
    for (int i = 0; i < a.ncalls; i++)
        if (a.calls[i].args && strlen(a.calls[i].args) != a.calls[i].args_len)
            abort();
    sup_sse_free(&s);
    sup_answer_free(&a);
    sup_answer_full(&a, p, size);
    sup_answer_free(&a);
    char err[256];
    sup_answer_error(p, size, err, sizeof err);

    /* as model text: a NUL-terminated copy */
    char *t = malloc(size + 1);
    if (!t)
        return 0;
    memcpy(t, data, size);
    t[size] = '\0';
    sup_fmt_take_marker(t);
    char *h = sup_fmt_html(t);
    free(h);
    size_t cuts[8], n = strlen(t);
    size_t k = sup_fmt_split(t, 100, cuts, 8);
    size_t from = 0;
    for (size_t i = 0; i <= k; i++) {
        size_t to = i < k ? cuts[i] : n;
        if (to < from || to > n || (i < k && sup_utf16_len(t + from, to - from) > 100))
            abort();
        from = to;
    }
    if (sup_fmt_tail(t, 50) > n)
        abort();
    free(t);
    return 0;
}
