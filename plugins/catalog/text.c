#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void catalog_fold(const char *in, char *out)
{
    const unsigned char *s = (const unsigned char *)in;
    unsigned char *o = (unsigned char *)out;
    while (*s) {
        unsigned char b = s[0];
        if (b < 0x80) {
            *o++ = (b >= 'A' && b <= 'Z') ? (unsigned char)(b + 32) : b;
            s++;
            continue;
        }
        if ((b & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
            uint32_t cp = ((uint32_t)(b & 0x1F) << 6) | (s[1] & 0x3F);
            if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
                cp += 0x20;                 /* Latin-1 À-Þ */
            else if (cp >= 0x410 && cp <= 0x42F)
                cp += 0x20;                 /* А-Я */
            else if (cp >= 0x400 && cp <= 0x40F)
                cp += 0x50;                 /* Ѐ-Џ, incl. Ё */
            if (cp == 0x451)
                cp = 0x435;                 /* ё → е */
            if (cp >= 0x80 && cp < 0x800) { /* still two bytes */
                *o++ = (unsigned char)(0xC0 | (cp >> 6));
                *o++ = (unsigned char)(0x80 | (cp & 0x3F));
            }
            s += 2;
            continue;
        }
        *o++ = b; /* longer sequences and stray bytes: as they are */
        s++;
    }
    *o = 0;
}

int catalog_trunc(const char *in, size_t max_bytes, char *out)
{
    size_t n = strlen(in);
    if (n <= max_bytes) {
        memcpy(out, in, n + 1);
        return 0;
    }
    size_t cut = max_bytes - 3; /* room for "…" (3 bytes) */
    while (cut > 0 && ((unsigned char)in[cut] & 0xC0) == 0x80)
        cut--; /* in[cut] is the first byte not kept: never a continuation byte */
    while (cut > 0 && in[cut - 1] == ' ')
        cut--;
    memcpy(out, in, cut);
    memcpy(out + cut, "\xE2\x80\xA6", 4);
    return 1;
}

/* ---- HTML ---- */

typedef struct buf {
    char *p;
    size_t len, cap;
    int oom;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static const char *const ALLOWED[] = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
                                      "code", "pre", "blockquote", "tg-spoiler", "a", NULL};

static int allowed(const char *name)
{
    for (int i = 0; ALLOWED[i]; i++)
        if (strcmp(ALLOWED[i], name) == 0)
            return 1;
    return 0;
}

static int is_name_ch(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
}

static int ci_prefix(const char *s, const char *pre)
{
    for (; *pre; s++, pre++) {
        char a = *s;
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (a != *pre)
            return 0;
    }
    return 1;
}

/* the value of attribute href in the tag body [s, e), malloc'd, or NULL */
static char *find_href(const char *s, const char *e)
{
    for (const char *q = s; q + 4 < e; q++) {
        if (!ci_prefix(q, "href") || (q > s && is_name_ch(q[-1])))
            continue;
        const char *r = q + 4;
        while (r < e && (*r == ' ' || *r == '\t' || *r == '\n'))
            r++;
        if (r >= e || *r != '=')
            continue;
        r++;
        while (r < e && (*r == ' ' || *r == '\t' || *r == '\n'))
            r++;
        const char *v = r, *ve;
        if (r < e && (*r == '"' || *r == '\'')) {
            char qch = *r;
            v = r + 1;
            ve = memchr(v, qch, (size_t)(e - v));
            if (!ve)
                return NULL;
        } else {
            ve = v;
            while (ve < e && *ve != ' ' && *ve != '\t' && *ve != '\n' && *ve != '/')
                ve++;
        }
        char *out = malloc((size_t)(ve - v) + 1);
        if (!out)
            return NULL;
        memcpy(out, v, (size_t)(ve - v));
        out[ve - v] = 0;
        return out;
    }
    return NULL;
}

static void put_escaped(buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': puts_(b, "&amp;"); break;
        case '<': puts_(b, "&lt;"); break;
        case '>': puts_(b, "&gt;"); break;
        case '"': puts_(b, "&quot;"); break;
        default: put(b, s, 1);
        }
    }
}

/* length of a valid entity at s ("&amp;" …), 0 if it is not one we keep */
static size_t entity_len(const char *s)
{
    static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", NULL};
    for (int i = 0; named[i]; i++)
        if (strncmp(s, named[i], strlen(named[i])) == 0)
            return strlen(named[i]);
    if (s[1] != '#')
        return 0;
    const char *q = s + 2;
    int hex = 0;
    if (*q == 'x' || *q == 'X') {
        hex = 1;
        q++;
    }
    uint32_t v = 0;
    const char *d = q;
    while (*q && q - d < 7) {
        char ch = *q;
        uint32_t dv;
        if (ch >= '0' && ch <= '9')
            dv = (uint32_t)(ch - '0');
        else if (hex && ch >= 'a' && ch <= 'f')
            dv = (uint32_t)(ch - 'a' + 10);
        else if (hex && ch >= 'A' && ch <= 'F')
            dv = (uint32_t)(ch - 'A' + 10);
        else
            break;
        v = v * (hex ? 16u : 10u) + dv;
        q++;
    }
    if (q == d || *q != ';' || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return (size_t)(q - s) + 1;
}

#define MAXDEPTH 16

char *catalog_html_sanitize(const char *in, int keep_tags)
{
    buf b = {0};
    char stack[MAXDEPTH][12];
    int depth = 0;
    const char *s = in ? in : "";

    put(&b, "", 0);
    while (*s) {
        if (*s == '&') {
            size_t n = entity_len(s);
            if (n) {
                put(&b, s, n);
                s += n;
            } else if (strncmp(s, "&nbsp;", 6) == 0) {
                put(&b, " ", 1);
                s += 6;
            } else {
                puts_(&b, "&amp;");
                s++;
            }
            continue;
        }
        if (*s == '>') {
            puts_(&b, "&gt;");
            s++;
            continue;
        }
        if (*s != '<') {
            put(&b, s, 1);
            s++;
            continue;
        }
        /* a tag? */
        const char *q = s + 1;
        int closing = 0;
        if (*q == '/') {
            closing = 1;
            q++;
        }
        const char *e = strchr(q, '>');
        if (!e || !((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))) {
            puts_(&b, "&lt;");
            s++;
            continue;
        }
        char name[12];
        size_t nl = 0;
        while (q < e && is_name_ch(*q)) {
            if (nl < sizeof name - 1) {
                char ch = *q;
                name[nl++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
            } else {
                nl = sizeof name; /* too long: not ours */
                break;
            }
            q++;
        }
        if (nl >= sizeof name)
            nl = 0;
        name[nl] = 0;
        s = e + 1;

        if (!closing && (strcmp(name, "br") == 0)) {
            put(&b, "\n", 1);
            continue;
        }
        if (closing && (strcmp(name, "p") == 0 || strcmp(name, "div") == 0 || strcmp(name, "li") == 0)) {
            put(&b, "\n", 1);
            continue;
        }
        if (!keep_tags || !allowed(name))
            continue;
        int in_code = 0;
        for (int i = 0; i < depth; i++)
            if (strcmp(stack[i], "code") == 0 || strcmp(stack[i], "pre") == 0)
                in_code = 1;
        if (!closing) {
            if (depth >= MAXDEPTH)
                continue;
            /* inside code/pre Telegram ignores tags (only <code> in <pre>) */
            if (in_code && !(strcmp(name, "code") == 0 && depth > 0 && strcmp(stack[depth - 1], "pre") == 0))
                continue;
            if (strcmp(name, "a") == 0) {
                int nested = 0;
                for (int i = 0; i < depth; i++)
                    if (strcmp(stack[i], "a") == 0)
                        nested = 1;
                char *href = nested ? NULL : find_href(q, e);
                if (!href || !(ci_prefix(href, "http://") || ci_prefix(href, "https://") ||
                               ci_prefix(href, "tg://") || ci_prefix(href, "mailto:"))) {
                    free(href);
                    continue;
                }
                puts_(&b, "<a href=\"");
                put_escaped(&b, href);
                puts_(&b, "\">");
                free(href);
            } else {
                puts_(&b, "<");
                puts_(&b, name);
                puts_(&b, ">");
            }
            memcpy(stack[depth++], name, strlen(name) + 1);
            continue;
        }
        /* closing: only if open; closes what was opened inside it */
        int at = -1;
        for (int i = depth - 1; i >= 0; i--)
            if (strcmp(stack[i], name) == 0) {
                at = i;
                break;
            }
        if (at < 0)
            continue;
        while (depth > at) {
            depth--;
            puts_(&b, "</");
            puts_(&b, stack[depth]);
            puts_(&b, ">");
        }
    }
    while (depth > 0) {
        depth--;
        puts_(&b, "</");
        puts_(&b, stack[depth]);
        puts_(&b, ">");
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
