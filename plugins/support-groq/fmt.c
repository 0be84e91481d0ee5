/* support-groq: model text to Telegram, see fmt.h. */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t sup_utf16_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if ((b & 0xC0) != 0x80)
            k += b >= 0xF0 ? 2 : 1; /* 4-byte sequences are surrogate pairs */
    }
    return k;
}

typedef struct obuf {
    char *p;
    size_t len, cap;
} obuf;

static void put(obuf *b, const char *s, size_t n)
{
    if (!b->p)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap * 2 + n + 64;
        char *np = realloc(b->p, cap);
        if (!np) {
            free(b->p);
            b->p = NULL;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_esc(obuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<': put(b, "&lt;", 4); break;
        case '>': put(b, "&gt;", 4); break;
        case '&': put(b, "&amp;", 5); break;
        case '"': put(b, "&quot;", 6); break;
        default: put(b, s + i, 1);
        }
    }
}

/* the closing delimiter of an opening one at s[i] on the same line, or -1 */
static long closing(const char *s, size_t n, size_t i, const char *d, size_t dl)
{
    if (i + dl >= n || s[i + dl] == ' ' || s[i + dl] == '\n')
        return -1; /* "* list item", "2 * 3" */
    for (size_t j = i + dl + 1; j + dl <= n; j++) {
        if (s[j] == '\n')
            return -1;
        if (memcmp(s + j, d, dl) == 0 && s[j - 1] != ' ')
            return (long)j;
    }
    return -1;
}

static void format_line(obuf *b, const char *s, size_t n)
{
    static const struct {
        const char *d, *open, *close;
    } marks[] = {
        {"**", "<b>", "</b>"}, {"__", "<b>", "</b>"}, {"`", "<code>", "</code>"},
        {"*", "<i>", "</i>"},  {"_", "<i>", "</i>"},
    };
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
            size_t dl = strlen(marks[m].d);
            if (memcmp(s + i, marks[m].d, dl) != 0)
                continue;
            /* "_" inside a word (snake_case, a URL) is no emphasis */
            if (marks[m].d[0] == '_' && i > 0 && s[i - 1] != ' ' && s[i - 1] != '(')
                break;
            long j = closing(s, n, i, marks[m].d, dl);
            if (j < 0)
                break;
            put_esc(b, s + start, i - start);
            put(b, marks[m].open, strlen(marks[m].open));
            if (marks[m].d[0] == '`')
                put_esc(b, s + i + dl, (size_t)j - i - dl);
            else
                format_line(b, s + i + dl, (size_t)j - i - dl);
            put(b, marks[m].close, strlen(marks[m].close));
            i = (size_t)j + dl - 1;
            start = (size_t)j + dl;
            break;
        }
    }
    put_esc(b, s + start, n - start);
}

char *sup_fmt_html(const char *text)
{
    size_t n = strlen(text);
    obuf b = {malloc(n * 2 + 64), 0, n * 2 + 64};
    if (!b.p)
        return NULL;
    b.p[0] = '\0';
    for (size_t i = 0; i <= n;) {
        size_t e = i;
        while (e < n && text[e] != '\n')
            e++;
        /* "# Title" / "### Title": a bold line, as Telegram has no headings */
        size_t h = i;
        while (h < e && text[h] == '#')
            h++;
        if (h > i && h < e && text[h] == ' ') {
            put(&b, "<b>", 3);
            format_line(&b, text + h + 1, e - h - 1);
            put(&b, "</b>", 4);
        } else {
            format_line(&b, text + i, e - i);
        }
        if (e < n)
            put(&b, "\n", 1);
        i = e + 1;
    }
    return b.p;
}

int sup_fmt_take_marker(char *text)
{
    static const char *const MARKS[] = {"[[ОПЕРАТОР]]", "[[оператор]]", "[[Оператор]]", "[[OPERATOR]]", NULL};
    int found = 0;
    for (size_t m = 0; MARKS[m]; m++) {
        size_t ml = strlen(MARKS[m]);
        char *p;
        while ((p = strstr(text, MARKS[m])) != NULL || (m == 3 && (p = strcasestr(text, MARKS[m])) != NULL)) {
            memmove(p, p + ml, strlen(p + ml) + 1);
            found = 1;
        }
    }
    if (found) { /* the blanks the marker stood between */
        size_t n = strlen(text);
        while (n && (text[n - 1] == ' ' || text[n - 1] == '\n'))
            text[--n] = '\0';
        size_t lead = strspn(text, " \n");
        memmove(text, text + lead, strlen(text + lead) + 1);
    }
    return found;
}

/* the best place to cut in text[from..limit): a paragraph, line, sentence
 * or word boundary, else limit (at a character start) */
static size_t cut_at(const char *t, size_t from, size_t limit)
{
    static const char *const SEP[] = {"\n\n", "\n", ". ", "! ", "? ", " ", NULL};
    size_t floor = from + (limit - from) / 2; /* never a tiny part */
    for (size_t s = 0; SEP[s]; s++) {
        size_t sl = strlen(SEP[s]);
        for (size_t i = limit; i > floor; i--)
            if (i >= sl && memcmp(t + i - sl, SEP[s], sl) == 0)
                return i;
    }
    while (limit > from && ((unsigned char)t[limit] & 0xC0) == 0x80)
        limit--;
    return limit;
}

size_t sup_fmt_split(const char *text, size_t max, size_t *cuts, size_t max_cuts)
{
    size_t n = strlen(text), from = 0, k = 0;
    while (k < max_cuts && sup_utf16_len(text + from, n - from) > max) {
        /* the byte where max units end */
        size_t i = from, units = 0;
        while (i < n) {
            unsigned char b = (unsigned char)text[i];
            size_t w = b >= 0xF0 ? 2 : 1;
            if (units + w > max)
                break;
            units += w;
            i++;
            while (i < n && ((unsigned char)text[i] & 0xC0) == 0x80)
                i++;
        }
        size_t c = cut_at(text, from, i);
        if (c <= from)
            c = i;
        cuts[k++] = c;
        from = c;
    }
    return k;
}

size_t sup_fmt_tail(const char *text, size_t max)
{
    size_t n = strlen(text);
    if (sup_utf16_len(text, n) <= max)
        return 0;
    size_t i = n, units = 0;
    while (i > 0) {
        size_t j = i - 1;
        while (j > 0 && ((unsigned char)text[j] & 0xC0) == 0x80)
            j--;
        size_t w = (unsigned char)text[j] >= 0xF0 ? 2 : 1;
        if (units + w > max)
            break;
        units += w;
        i = j;
    }
    return i;
}
