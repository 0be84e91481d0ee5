/* support-groq: server-sent events, see sse.h. Lines end with \n, \r\n or
 * \r; an empty line ends the event; "data:" lines (one space after the
 * colon dropped) are joined with \n; comments (":…") and the fields
 * event/id/retry are ignored, as a chat completion stream needs none. */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need > SUP_SSE_MAX)
        return -1;
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    char *b = realloc(*buf, c);
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

static int line_done(sup_sse *s, const char *l, size_t n, sup_sse_event_fn fn, void *ud)
{
    if (n == 0) { /* dispatch */
        if (!s->has_data)
            return 0;
        s->has_data = 0;
        size_t len = s->data_len;
        s->data_len = 0;
        s->data[len] = '\0';
        if (len == 6 && memcmp(s->data, "[DONE]", 6) == 0) {
            s->done = 1;
            return 0;
        }
        return fn(ud, s->data, len);
    }
    if (l[0] == ':')
        return 0;
    if (n < 5 || memcmp(l, "data", 4) != 0 || (n > 4 && l[4] != ':'))
        return 0; /* another field, or "data" without a colon (an empty data line: ignored) */
    const char *v = l + 5;
    size_t vl = n - 5;
    if (vl && *v == ' ')
        v++, vl--;
    size_t need = s->data_len + (s->has_data ? 1 : 0) + vl + 1;
    if (grow(&s->data, &s->data_cap, need) != 0)
        return -1;
    if (s->has_data)
        s->data[s->data_len++] = '\n';
    memcpy(s->data + s->data_len, v, vl);
    s->data_len += vl;
    s->has_data = 1;
    return 0;
}

int sup_sse_feed(sup_sse *s, const char *p, size_t n, sup_sse_event_fn fn, void *ud)
{
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '\n' && s->cr) {
            s->cr = 0;
            continue;
        }
        s->cr = ch == '\r';
        if (ch == '\n' || ch == '\r') {
            int rc = line_done(s, s->line ? s->line : "", s->line_len, fn, ud);
            s->line_len = 0;
            if (rc)
                return rc;
            continue;
        }
        /* the rest of this line in one copy */
        size_t j = i;
        while (j < n && p[j] != '\n' && p[j] != '\r')
            j++;
        if (grow(&s->line, &s->line_cap, s->line_len + (j - i) + 1) != 0)
            return -1;
        memcpy(s->line + s->line_len, p + i, j - i);
        s->line_len += j - i;
        i = j - 1;
    }
    return 0;
}

void sup_sse_free(sup_sse *s)
{
    free(s->line);
    free(s->data);
    memset(s, 0, sizeof *s);
}
