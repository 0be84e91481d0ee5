#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <walor/types.h>

#include "error.h"
#include "utf8.h"

char *wh_html_escape(wh_arena *a, const char *s)
{
    size_t len, i = 0, o = 0;
    char *out;

    if (!s)
        return wh_arena_strdup(a, "");
    len = strlen(s);
    /* "&quot;" is the longest replacement: 6 bytes for 1 */
    if (len > (SIZE_MAX - 1) / 6)
        return NULL;
    out = wh_arena_alloc(a, len * 6 + 1);
    if (!out)
        return NULL;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        default: break;
        }
        if (rep) {
            size_t n = strlen(rep);
            memcpy(out + o, rep, n);
            o += n;
            i++;
        } else if (c < 0x80) {
            out[o++] = (char)c;
            i++;
        } else {
            size_t used;
            o += wh_utf8_copy_one(s + i, len - i, out + o, &used);
            i += used;
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- the parser shared by check and strip ---- */

enum tag_id {
    TAG_B, TAG_I, TAG_U, TAG_S, TAG_SPOILER, TAG_A, TAG_CODE, TAG_PRE, TAG_BLOCKQUOTE, TAG_EMOJI
};

static const struct {
    const char *name;
    enum tag_id id;
} tags[] = {
    {"b", TAG_B}, {"strong", TAG_B}, {"i", TAG_I}, {"em", TAG_I},
    {"u", TAG_U}, {"ins", TAG_U}, {"s", TAG_S}, {"strike", TAG_S}, {"del", TAG_S},
    {"span", TAG_SPOILER}, {"tg-spoiler", TAG_SPOILER}, {"a", TAG_A},
    {"code", TAG_CODE}, {"pre", TAG_PRE}, {"blockquote", TAG_BLOCKQUOTE},
    {"tg-emoji", TAG_EMOJI},
};

/* Deeper nesting than this is never meaningful formatting; the bound keeps
 * the stack fixed-size. */
#define MAX_DEPTH 32
#define NAME_MAX_SHOWN 24

struct open_tag {
    char name[16]; /* lower-cased; the longest known name fits */
    enum tag_id id;
    size_t pos;
};

struct parser {
    const char *s;
    size_t len;
    int strict;
    char *out; /* NULL when only checking */
    size_t olen;
    size_t utf16;
    struct open_tag stack[MAX_DEPTH];
    int depth;
    char *why;
    size_t whylen;
};

/* tdlib's is_space, which the tag syntax is defined by */
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int32_t fail(struct parser *p, size_t at, const char *en, const char *ru_fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int32_t fail(struct parser *p, size_t at, const char *en, const char *ru_fmt, ...)
{
    char ru[160];
    size_t chars = 1;
    va_list ap;

    if (!p->strict)
        return WALOR_EINVAL;
    /* The owner sees characters, not bytes: count code points up to at. */
    for (size_t i = 0; i < at && i < p->len; i++)
        if (((unsigned char)p->s[i] & 0xC0u) != 0x80u)
            chars++;
    va_start(ap, ru_fmt);
    vsnprintf(ru, sizeof ru, ru_fmt, ap);
    va_end(ap);
    wh_error(WALOR_EINVAL, "%s (позиция %zu) / %s", ru, chars, en);
    if (p->why && p->whylen)
        snprintf(p->why, p->whylen, "%s", wh_last_error());
    return WALOR_EINVAL;
}

/* A name as it may be shown in a message: bounded, never cut mid-character. */
static int shown(const char *s, size_t n)
{
    size_t max = NAME_MAX_SHOWN;
    if (n <= max)
        return (int)n;
    for (size_t i = 0; i < max; i++)
        if (s[i] == '\0')
            return (int)i;
    while (max > 0 && ((unsigned char)s[max] & 0xC0u) == 0x80u)
        max--;
    return (int)max;
}

static void emit(struct parser *p, const char *b, size_t n, uint32_t cp)
{
    p->utf16 += cp >= 0x10000 ? 2 : 1;
    if (p->out) {
        memcpy(p->out + p->olen, b, n);
        p->olen += n;
    }
}

static void emit_cp(struct parser *p, uint32_t cp)
{
    char buf[4];
    size_t n = wh_utf8_encode(cp, buf);
    if (n == 0) {
        cp = WH_UTF8_REPLACEMENT;
        n = wh_utf8_encode(cp, buf);
    }
    emit(p, buf, n, cp);
}

/* Entity at s[i] == '&'. Returns bytes consumed with *cp decoded, 0 when
 * it is not one Telegram decodes. Only the four named ones and numeric
 * ones with the ';' written are taken: tdlib also accepts a missing ';',
 * but then "&amp" in a URL would silently change meaning. */
static size_t entity(const char *s, size_t len, size_t i, uint32_t *cp)
{
    size_t j = i + 1;
    uint32_t v = 0;

    if (j < len && s[j] == '#') {
        int hex = j + 1 < len && s[j + 1] == 'x';
        size_t start;
        j += hex ? 2 : 1;
        start = j;
        while (j < len && j - start < 8) {
            char c = s[j];
            int d;
            if (is_digit(c))
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                break;
            v = v * (hex ? 16u : 10u) + (uint32_t)d;
            j++;
        }
        if (j == start || j >= len || s[j] != ';')
            return 0;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *cp = v;
        return j + 1 - i;
    }
    while (j < len && is_alpha(s[j]) && j - i < 10)
        j++;
    if (j >= len || s[j] != ';')
        return 0;
    if (j - i - 1 == 2 && !memcmp(s + i + 1, "lt", 2))
        v = '<';
    else if (j - i - 1 == 2 && !memcmp(s + i + 1, "gt", 2))
        v = '>';
    else if (j - i - 1 == 3 && !memcmp(s + i + 1, "amp", 3))
        v = '&';
    else if (j - i - 1 == 4 && !memcmp(s + i + 1, "quot", 4))
        v = '"';
    else
        return 0;
    *cp = v;
    return j + 1 - i;
}

static int32_t bad_entity(struct parser *p, size_t i)
{
    const char *s = p->s;
    size_t j = i + 1;
    while (j < p->len && j - i < 12 && (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '#'))
        j++;
    if (j < p->len && s[j] == ';' && j > i + 1) {
        int n = shown(s + i, j + 1 - i);
        if (s[i + 1] == '#')
            return fail(p, i, "bad numeric entity", "неверная числовая сущность %.*s", n, s + i);
        return fail(p, i, "unsupported entity",
                    "неизвестная сущность %.*s (можно &lt; &gt; &amp; &quot; и &#код;)", n, s + i);
    }
    return fail(p, i, "bare &", "символ & нужно записать как &amp;");
}

struct attr {
    const char *name;
    size_t nlen;
    char value[256]; /* decoded; longer values are cut, which only the
                        checks below look at, never the output */
    size_t vlen;
    int has_value;
};

static int find_tag(const char *name, size_t n, enum tag_id *id, char lower[16])
{
    if (n == 0 || n >= 16)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    lower[n] = '\0';
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (!strcmp(tags[i].name, lower)) {
            *id = tags[i].id;
            return 1;
        }
    return 0;
}

static int inside(const struct parser *p, enum tag_id id)
{
    for (int i = 0; i < p->depth; i++)
        if (p->stack[i].id == id)
            return 1;
    return 0;
}

/* Telegram's rules for what may contain what: formatting tags nest freely;
 * nothing goes inside code, pre (but for its one language <code>) and
 * tg-emoji; links and quotes do not nest in themselves. Telegram drops
 * such entities silently, so they are refused here. */
static int32_t check_nesting(struct parser *p, enum tag_id id, const char *name, size_t at)
{
    const struct open_tag *top = p->depth ? &p->stack[p->depth - 1] : NULL;

    if (top && top->id == TAG_PRE && id == TAG_CODE)
        return 0;
    if (inside(p, TAG_CODE) || inside(p, TAG_PRE))
        return fail(p, at, "no tags inside code/pre", "внутри <%s> нельзя использовать теги (<%s>)",
                    inside(p, TAG_CODE) ? "code" : "pre", name);
    if (inside(p, TAG_EMOJI))
        return fail(p, at, "no tags inside tg-emoji", "внутри <tg-emoji> нельзя использовать теги");
    if (id == TAG_A && inside(p, TAG_A))
        return fail(p, at, "nested link", "ссылка <a> внутри другой ссылки");
    if (id == TAG_BLOCKQUOTE && inside(p, TAG_BLOCKQUOTE))
        return fail(p, at, "nested blockquote", "цитата <blockquote> внутри другой цитаты");
    if ((id == TAG_PRE || id == TAG_BLOCKQUOTE || id == TAG_CODE) && inside(p, TAG_A))
        return fail(p, at, "not allowed inside a link", "<%s> нельзя помещать внутрь ссылки <a>", name);
    return 0;
}

static int32_t check_attr(struct parser *p, enum tag_id id, const char *tname, const struct attr *a,
                          int *have_required, size_t at)
{
#define IS(lit) (a->nlen == sizeof(lit) - 1 && !memcmp(a->name, lit, sizeof(lit) - 1))
    int n = shown(a->name, a->nlen);

    if (id == TAG_A && IS("href")) {
        if (a->vlen == 0)
            return fail(p, at, "empty href", "пустая ссылка в <a href>");
        *have_required = 1;
        return 0;
    }
    if (id == TAG_SPOILER && !strcmp(tname, "span") && IS("class")) {
        if (strcmp(a->value, "tg-spoiler") != 0)
            return fail(p, at, "span needs class=\"tg-spoiler\"",
                        "у <span> допустим только class=\"tg-spoiler\"");
        *have_required = 1;
        return 0;
    }
    if (id == TAG_CODE && IS("class")) {
        if (strncmp(a->value, "language-", 9) != 0 || a->vlen == 9)
            return fail(p, at, "code class must be language-…",
                        "у <code> допустим только class=\"language-…\"");
        return 0;
    }
    if (id == TAG_EMOJI && IS("emoji-id")) {
        if (a->vlen == 0 || a->vlen > 20)
            return fail(p, at, "bad emoji-id", "неверный emoji-id в <tg-emoji>");
        for (size_t i = 0; i < a->vlen; i++)
            if (!is_digit(a->value[i]))
                return fail(p, at, "bad emoji-id", "неверный emoji-id в <tg-emoji>");
        *have_required = 1;
        return 0;
    }
    if (id == TAG_BLOCKQUOTE && IS("expandable"))
        return 0;
    return fail(p, at, "unsupported attribute", "недопустимый атрибут %.*s в теге <%s>", n, a->name, tname);
#undef IS
}

/* Parses the tag at p->s[i] == '<'. Returns the index after '>' or 0 on a
 * syntax or rule error (reported through fail()). */
static size_t tag(struct parser *p, size_t i)
{
    const char *s = p->s;
    size_t len = p->len, start = i, j = i + 1;
    int closing = j < len && s[j] == '/';
    size_t nstart, nlen;
    enum tag_id id;
    char lname[16];
    int known, have_required = 0;

    if (closing)
        j++;
    nstart = j;
    while (j < len && !is_space(s[j]) && s[j] != '>')
        j++;
    nlen = j - nstart;

    if (closing) {
        struct open_tag *top;
        while (j < len && is_space(s[j]))
            j++;
        if (!p->strict && j < len && s[j] == '>')
            return j + 1; /* stripping keeps no stack: every end tag just goes */
        if (j >= len || s[j] != '>') {
            fail(p, start, "unclosed end tag", "незакрытый тег </%.*s", shown(s + nstart, nlen), s + nstart);
            return 0;
        }
        if (p->depth == 0) {
            fail(p, start, "unexpected end tag", "лишний закрывающий тег </%.*s>",
                 shown(s + nstart, nlen), s + nstart);
            return 0;
        }
        top = &p->stack[p->depth - 1];
        /* "</>" closes whatever is open, as in tdlib; a named end tag must
         * match exactly (tdlib compares it without lower-casing). */
        if (nlen && (nlen != strlen(top->name) || memcmp(s + nstart, top->name, nlen) != 0)) {
            fail(p, start, "mismatched end tag", "тег <%s> закрыт тегом </%.*s>", top->name,
                 shown(s + nstart, nlen), s + nstart);
            return 0;
        }
        p->depth--;
        return j + 1;
    }

    if (nlen == 0) {
        fail(p, start, "bare <", "символ < нужно записать как &lt;");
        return 0;
    }
    known = find_tag(s + nstart, nlen, &id, lname);
    if (!known) {
        if (p->strict) {
            fail(p, start, "unknown tag", "неизвестный тег <%.*s>", shown(s + nstart, nlen), s + nstart);
            return 0;
        }
        id = TAG_B;
        snprintf(lname, sizeof lname, "?");
    }

    for (;;) {
        struct attr a;
        while (j < len && is_space(s[j]))
            j++;
        if (j >= len) {
            fail(p, start, "unclosed tag", "незакрытый тег <%s", lname);
            return 0;
        }
        if (s[j] == '>')
            break;
        memset(&a, 0, sizeof a);
        a.name = s + j;
        while (j < len && !is_space(s[j]) && s[j] != '=' && s[j] != '>')
            j++;
        a.nlen = (size_t)(s + j - a.name);
        if (a.nlen == 0) {
            fail(p, start, "empty attribute name", "пустое имя атрибута в теге <%s>", lname);
            return 0;
        }
        while (j < len && is_space(s[j]))
            j++;
        if (j < len && s[j] == '=') {
            j++;
            while (j < len && is_space(s[j]))
                j++;
            if (j >= len) {
                fail(p, start, "unclosed tag", "незакрытый тег <%s", lname);
                return 0;
            }
            a.has_value = 1;
            if (s[j] == '"' || s[j] == '\'') {
                char q = s[j++];
                while (j < len && s[j] != q) {
                    uint32_t cp;
                    size_t n = s[j] == '&' ? entity(s, len, j, &cp) : 0;
                    char buf[4];
                    size_t bl;
                    if (n) {
                        bl = wh_utf8_encode(cp, buf);
                        j += n;
                    } else {
                        buf[0] = s[j++];
                        bl = 1;
                    }
                    if (a.vlen + bl < sizeof a.value) {
                        memcpy(a.value + a.vlen, buf, bl);
                        a.vlen += bl;
                    }
                }
                if (j >= len) {
                    fail(p, start, "unclosed attribute value", "не закрыта кавычка в атрибуте тега <%s>", lname);
                    return 0;
                }
                j++;
            } else {
                /* an unquoted value is an HTML name token, lower-cased */
                while (j < len && (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '.' || s[j] == '-')) {
                    char c = s[j++];
                    if (a.vlen + 1 < sizeof a.value)
                        a.value[a.vlen++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
                }
                if (j < len && !is_space(s[j]) && s[j] != '>') {
                    fail(p, start, "bad unquoted attribute value",
                         "значение атрибута в теге <%s> нужно взять в кавычки", lname);
                    return 0;
                }
            }
        }
        a.value[a.vlen] = '\0';
        if (p->strict) {
            if (!a.has_value && !(id == TAG_BLOCKQUOTE && a.nlen == 10 && !memcmp(a.name, "expandable", 10))) {
                fail(p, start, "attribute without value", "атрибут %.*s в теге <%s> без значения",
                     shown(a.name, a.nlen), a.name, lname);
                return 0;
            }
            if (check_attr(p, id, lname, &a, &have_required, start))
                return 0;
        }
    }

    if (!p->strict)
        return j + 1;

    if (id == TAG_A && !have_required)
        return fail(p, start, "a needs href", "у ссылки <a> нет href"), 0;
    if (id == TAG_SPOILER && !strcmp(lname, "span") && !have_required)
        return fail(p, start, "span needs class=\"tg-spoiler\"", "у <span> должен быть class=\"tg-spoiler\""), 0;
    if (id == TAG_EMOJI && !have_required)
        return fail(p, start, "tg-emoji needs emoji-id", "у <tg-emoji> нет emoji-id"), 0;
    if (check_nesting(p, id, lname, start))
        return 0;
    if (p->depth == MAX_DEPTH)
        return fail(p, start, "nesting too deep", "слишком глубокая вложенность тегов"), 0;
    memcpy(p->stack[p->depth].name, lname, sizeof lname);
    p->stack[p->depth].id = id;
    p->stack[p->depth].pos = start;
    p->depth++;
    return j + 1;
}

static int32_t run(struct parser *p)
{
    const char *s = p->s;
    size_t i = 0;

    while (i < p->len) {
        unsigned char c = (unsigned char)s[i];
        if (c == '&') {
            uint32_t cp;
            size_t n = entity(s, p->len, i, &cp);
            if (n) {
                emit_cp(p, cp);
                i += n;
                continue;
            }
            if (p->strict)
                return bad_entity(p, i);
            emit(p, "&", 1, '&');
            i++;
        } else if (c == '<') {
            size_t next = tag(p, i);
            if (next) {
                i = next;
                continue;
            }
            if (p->strict)
                return WALOR_EINVAL;
            emit(p, "<", 1, '<');
            i++;
        } else if (c < 0x80) {
            emit(p, s + i, 1, c);
            i++;
        } else {
            uint32_t cp;
            size_t bad = 1;
            size_t n = wh_utf8_decode(s + i, p->len - i, &cp, &bad);
            if (n) {
                emit(p, s + i, n, cp);
                i += n;
                continue;
            }
            if (p->strict)
                return fail(p, i, "invalid UTF-8", "неверная кодировка текста (нужна UTF-8)");
            emit_cp(p, WH_UTF8_REPLACEMENT);
            i += bad;
        }
    }
    if (p->strict && p->depth > 0) {
        const struct open_tag *t = &p->stack[p->depth - 1];
        return fail(p, t->pos, "unclosed tag", "тег <%s> не закрыт", t->name);
    }
    return 0;
}

int32_t wh_html_check(const char *html, size_t *visible_utf16_len, char *why, size_t whylen)
{
    struct parser p;

    memset(&p, 0, sizeof p);
    p.strict = 1;
    p.why = why;
    p.whylen = whylen;
    if (why && whylen)
        why[0] = '\0';
    if (visible_utf16_len)
        *visible_utf16_len = 0;
    if (!html) {
        p.s = "";
        return fail(&p, 0, "no text", "нет текста");
    }
    p.s = html;
    p.len = strlen(html);
    if (run(&p))
        return WALOR_EINVAL;
    if (visible_utf16_len)
        *visible_utf16_len = p.utf16;
    return 0;
}

char *wh_html_strip(wh_arena *a, const char *html)
{
    struct parser p;
    size_t len;

    if (!html)
        return wh_arena_strdup(a, "");
    len = strlen(html);
    memset(&p, 0, sizeof p);
    p.s = html;
    p.len = len;
    /* Decoding never grows the text except U+FFFD (3 bytes) for 1 bad byte. */
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    p.out = wh_arena_alloc(a, len * 3 + 1);
    if (!p.out)
        return NULL;
    run(&p);
    p.out[p.olen] = '\0';
    return p.out;
}
