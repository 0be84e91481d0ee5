#include "num.h"

#include <string.h>

#include "utf8.h"

#define MINUS "\xE2\x88\x92" /* U+2212, as walor_money writes it */

size_t wh_num_group(char *out, uint64_t v)
{
    char digits[20];
    size_t nd = 0, o = 0;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = nd; i-- > 0;) {
        out[o++] = digits[i];
        if (i > 0 && i % 3 == 0)
            out[o++] = ' ';
    }
    return o;
}

size_t wh_num_format(char *buf, size_t n, int64_t value, uint32_t scale)
{
    char tmp[WH_NUM_BUF];
    size_t o = 0;
    uint64_t mag = value < 0 ? 0u - (uint64_t)value : (uint64_t)value, div = 1;
    if (scale > 6)
        scale = 6;
    for (uint32_t i = 0; i < scale; i++)
        div *= 10;
    uint64_t whole = mag / div, frac = mag % div;
    if (value < 0) {
        memcpy(tmp, MINUS, 3);
        o = 3;
    }
    o += wh_num_group(tmp + o, whole);
    if (frac) {
        char f[8];
        for (uint32_t i = scale; i-- > 0;) {
            f[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        size_t fl = scale;
        while (fl && f[fl - 1] == '0')
            fl--;
        tmp[o++] = ',';
        memcpy(tmp + o, f, fl);
        o += fl;
    }
    tmp[o] = '\0';
    return wh_num_out(buf, n, tmp, o);
}

size_t wh_num_out(char *buf, size_t n, const char *text, size_t len)
{
    if (buf && n) {
        size_t k = wh_utf8_prefix(text, n - 1);
        memcpy(buf, text, k);
        buf[k] = '\0';
    }
    return len;
}

int wh_plural_index(int64_t n)
{
    uint64_t m = n < 0 ? 0u - (uint64_t)n : (uint64_t)n;
    uint64_t d10 = m % 10, d100 = m % 100;
    if (d10 == 1 && d100 != 11)
        return 0;
    if (d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14))
        return 1;
    return 2;
}

void wh_plural_pick(const char *forms, int64_t n, const char **word, size_t *len)
{
    int want = wh_plural_index(n);
    const char *s = forms ? forms : "";
    for (int i = 0; i < want; i++) {
        const char *bar = strchr(s, '|');
        if (!bar)
            break;
        s = bar + 1;
    }
    *word = s;
    *len = strcspn(s, "|");
}
