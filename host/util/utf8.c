#include "utf8.h"

#include <stdlib.h>
#include <string.h>

static int is_cont(unsigned char c) { return (c & 0xC0u) == 0x80u; }

size_t wh_utf8_decode(const char *str, size_t len, uint32_t *cp, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t need;
    uint32_t v;
    /* The valid range of the second byte depends on the first one: that is
     * how overlong forms, surrogates and > U+10FFFF are ruled out without
     * decoding first (Unicode Table 3-7). */
    unsigned char lo = 0x80, hi = 0xBF;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        if (bad)
            *bad = 1;
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        unsigned char b = i < len ? s[i] : 0;
        if (i == 1 ? (b < lo || b > hi) : !is_cont(b)) {
            if (bad)
                *bad = i;
            return 0;
        }
        v = (v << 6) | (b & 0x3Fu);
    }
    *cp = v;
    return need;
}

size_t wh_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        return 0;
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int wh_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n;
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        n = wh_utf8_decode(s + i, len - i, &cp, NULL);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

size_t wh_utf8_prefix(const char *s, size_t max_bytes)
{
    size_t len = strnlen(s, max_bytes == SIZE_MAX ? max_bytes : max_bytes + 1);
    size_t i = 0;

    if (len <= max_bytes)
        return len;
    /* Walk whole sequences so that a cut never lands inside one; an
     * ill-formed part is stepped over byte by byte, like sanitize does. */
    while (i < max_bytes) {
        uint32_t cp;
        size_t bad = 1;
        size_t n = wh_utf8_decode(s + i, len - i, &cp, &bad);
        size_t step = n ? n : bad;
        if (i + step > max_bytes)
            break;
        i += step;
    }
    return i;
}

size_t wh_utf16_len(const char *s, size_t len)
{
    size_t i = 0, units = 0;
    while (i < len) {
        uint32_t cp;
        size_t bad = 1;
        size_t n = wh_utf8_decode(s + i, len - i, &cp, &bad);
        if (n == 0) {
            units++;
            i += bad;
            continue;
        }
        units += cp >= 0x10000 ? 2 : 1;
        i += n;
    }
    return units;
}

char *wh_utf8_sanitize_dup(const char *s)
{
    size_t len, i = 0, o = 0;
    char *out;

    if (!s)
        return NULL;
    len = strlen(s);
    /* Each bad byte grows to at most 3 bytes: size for the worst case
     * rather than scanning twice. */
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    while (i < len) {
        size_t used;
        o += wh_utf8_copy_one(s + i, len - i, out + o, &used);
        i += used;
    }
    out[o] = '\0';
    if (o < len * 3) {
        char *shrunk = realloc(out, o + 1);
        if (shrunk)
            out = shrunk;
    }
    return out;
}

/* Lower-case partner of a Cyrillic capital, or cp itself. Only the pairs
 * whose lower case has the same UTF-8 length, which holds for the whole
 * Cyrillic block. */
static uint32_t cyr_lower(uint32_t cp)
{
    if (cp >= 0x0410 && cp <= 0x042F) /* А-Я */
        return cp + 0x20;
    if (cp >= 0x0400 && cp <= 0x040F) /* Ѐ-Џ, Ё among them */
        return cp + 0x50;
    if (((cp >= 0x0460 && cp <= 0x0481) || (cp >= 0x048A && cp <= 0x04BF)) && (cp & 1u) == 0)
        return cp + 1; /* Ѡ..Ҁ, Ҋ..Ҿ: capital even, small odd (Ґ, Қ, Ң, Ү, Һ…) */
    if (cp >= 0x04C1 && cp <= 0x04CE && (cp & 1u) == 1)
        return cp + 1;
    if (cp >= 0x04D0 && cp <= 0x04FF && (cp & 1u) == 0)
        return cp + 1; /* Ӑ..Ӿ: Ә, Ө… */
    return cp;
}

char *wh_utf8_lower_dup(const char *s)
{
    size_t len, i = 0;
    char *out;

    if (!s)
        return NULL;
    len = strlen(s);
    out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, s, len + 1);
    while (i < len) {
        unsigned char c = (unsigned char)out[i];
        uint32_t cp;
        size_t bad = 1, n;
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z')
                out[i] = (char)(c + 32);
            i++;
            continue;
        }
        n = wh_utf8_decode(out + i, len - i, &cp, &bad);
        if (n == 0) {
            i += bad;
            continue;
        }
        if (n == 2) {
            uint32_t lc = cyr_lower(cp);
            if (lc != cp)
                wh_utf8_encode(lc, out + i);
        }
        i += n;
    }
    return out;
}

size_t wh_utf8_copy_one(const char *s, size_t len, char *out, size_t *used)
{
    uint32_t cp;
    size_t bad = 1;
    size_t n = wh_utf8_decode(s, len, &cp, &bad);
    if (n) {
        memcpy(out, s, n);
        *used = n;
        return n;
    }
    *used = bad;
    return wh_utf8_encode(WH_UTF8_REPLACEMENT, out);
}

size_t wh_utf8_chars(const char *s, size_t len)
{
    size_t c = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0u) != 0x80u)
            c++;
    return c;
}
