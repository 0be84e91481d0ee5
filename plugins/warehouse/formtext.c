/* Pure text helpers of the bulk forms (formtext.h). */
#include <string.h>

#include "formtext.h"

/* the first word of the line [p, p+l), or NULL for a blank or "#" line */
static const char *first_word(const char *p, size_t l, size_t *wlen)
{
    const char *t = p + strspn(p, " \t");
    if ((size_t)(t - p) >= l || *t == '#' || *t == '\r')
        return NULL;
    *wlen = strcspn(t, " \t\r\n");
    return t;
}

size_t wr_amount_form_size(const char *in)
{
    size_t n = strlen(in) + 1;
    for (const char *p = in; *p;) {
        size_t l = strcspn(p, "\n"), w;
        if (first_word(p, l, &w))
            n += 2;
        p += l + (p[l] == '\n');
    }
    return n;
}

void wr_amount_form(const char *in, char *out)
{
    for (const char *p = in; *p;) {
        size_t l = strcspn(p, "\n"), w = 0;
        const char *t = first_word(p, l, &w);
        size_t head = t ? (size_t)(t - p) + w : l;
        memcpy(out, p, head);
        out += head;
        if (t) {
            memcpy(out, " 1", 2);
            out += 2;
            memcpy(out, t + w, l - head);
            out += l - head;
        }
        p += l;
        if (*p == '\n')
            *out++ = *p++;
    }
    *out = 0;
}

int wr_comment_span(const char *text, size_t max, const char **start, size_t *len)
{
    for (const char *p = text; p && *p;) {
        p += strspn(p, " \t");
        size_t l = strcspn(p, "\r\n");
        if (*p == '#') {
            const char *s = p + 1 + strspn(p + 1, " \t");
            size_t sl = l - (size_t)(s - p);
            while (sl > 0 && (s[sl - 1] == ' ' || s[sl - 1] == '\t'))
                sl--;
            if (sl > max) {
                sl = max;
                while (sl > 0 && ((unsigned char)s[sl] & 0xC0) == 0x80)
                    sl--;
            }
            if (!sl)
                return 0;
            *start = s;
            *len = sl;
            return 1;
        }
        p += l;
        p += strspn(p, "\r\n");
    }
    return 0;
}
