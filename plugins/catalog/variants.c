/* Variant list and rouble parser: see variants.h for the accepted syntax. */
#include "variants.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small text helpers ------------------------------------------------ */

/* Length of the blank at s (ASCII space/tab/CR, NBSP U+00A0, thin space
 * U+2009, narrow NBSP U+202F): staff paste prices from Excel and
 * Telegram, both of which produce these as digit group separators. */
static size_t blank_len(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 1 && (u[0] == ' ' || u[0] == '\t' || u[0] == '\r'))
        return 1;
    if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (len >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x89 || u[2] == 0xAF))
        return 3;
    return 0;
}

/* blank_len for the multi-byte blank ending at s+len (for trimming the right
 * side without scanning from the left). */
static size_t blank_len_back(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 1 && (u[len - 1] == ' ' || u[len - 1] == '\t' || u[len - 1] == '\r'))
        return 1;
    if (len >= 2 && u[len - 2] == 0xC2 && u[len - 1] == 0xA0)
        return 2;
    if (len >= 3 && u[len - 3] == 0xE2 && u[len - 2] == 0x80 && (u[len - 1] == 0x89 || u[len - 1] == 0xAF))
        return 3;
    return 0;
}

static void trim_span(const char **s, size_t *len)
{
    size_t k;
    while (*len && (k = blank_len(*s, *len)) > 0) {
        *s += k;
        *len -= k;
    }
    while (*len && (k = blank_len_back(*s, *len)) > 0)
        *len -= k;
}

static bool ends_with(const char *s, size_t len, const char *suf)
{
    size_t n = strlen(suf);
    return len >= n && memcmp(s + len - n, suf, n) == 0;
}

/* Length of the valid UTF-8 sequence at s, 0 when invalid (overlongs,
 * surrogates and > U+10FFFF included: the text ends up in Telegram, which
 * rejects them). */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    if (!len)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* ---- error list ------------------------------------------------------- */

typedef struct errbuf {
    char *s;
    size_t len, cap;
    size_t count;   /* errors reported */
    bool oom;
} errbuf;

static void eb_append(errbuf *e, const char *p, size_t n)
{
    if (e->oom)
        return;
    if (e->len + n + 1 > e->cap) {
        size_t cap = e->cap ? e->cap : 256;
        while (cap < e->len + n + 1)
            cap *= 2;
        char *s = realloc(e->s, cap);
        if (!s) {
            e->oom = true;
            return;
        }
        e->s = s;
        e->cap = cap;
    }
    memcpy(e->s + e->len, p, n);
    e->len += n;
    e->s[e->len] = '\0';
}

static void eb_puts(errbuf *e, const char *p) { eb_append(e, p, strlen(p)); }

/* The user's text inside «…» in an error: at most 40 code points, invalid
 * bytes and control characters shown as '?' (the message must itself be
 * valid UTF-8 for Telegram). */
static void eb_quote(errbuf *e, const char *s, size_t len)
{
    eb_puts(e, "«");
    size_t cps = 0;
    while (len) {
        if (cps == 40) {
            eb_puts(e, "…");
            break;
        }
        size_t k = utf8_len((const unsigned char *)s, len);
        if (k == 0 || (k == 1 && ((unsigned char)*s < 0x20 || *s == 0x7F))) {
            eb_append(e, "?", 1);
            k = k ? k : 1;
        } else {
            eb_append(e, s, k);
        }
        s += k;
        len -= k;
        cps++;
    }
    eb_puts(e, "»");
}

static void eb_printf(errbuf *e, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        eb_append(e, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* ---- numbers typed by people ------------------------------------------ */

/* the span trimmed and one unit people type after the number (the first of
 * sufs that ends it) taken off */
static void strip_unit(const char **s, size_t *len, const char *const *sufs, size_t n)
{
    trim_span(s, len);
    for (size_t i = 0; i < n; i++) {
        if (ends_with(*s, *len, sufs[i])) {
            *len -= strlen(sufs[i]);
            trim_span(s, len);
            break;
        }
    }
}

/* the whole number at the start of s, its digits maybe grouped by blanks
 * ("1 250"): the bytes it takes; *big once it passes max, and *v stops there */
static size_t grouped_int(const char *s, size_t len, int64_t max, int64_t *v, bool *big)
{
    size_t i = 0;
    *v = 0;
    *big = false;
    while (i < len) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (!*big && (*v = *v * 10 + (s[i] - '0')) > max)
                *big = true;
            i++;
            continue;
        }
        size_t k = blank_len(s + i, len - i);
        /* a group separator only between digits */
        if (k && i + k < len && s[i + k] >= '0' && s[i + k] <= '9') {
            i += k;
            continue;
        }
        break;
    }
    return i;
}

/* ---- price ------------------------------------------------------------ */

static int price_parse_n(const char *s, size_t len, int64_t *kop)
{
    /* currency suffixes people type after the number */
    static const char *const sufs[] = {"₽", "руб.", "руб", "р.", "р"};
    strip_unit(&s, &len, sufs, sizeof sufs / sizeof sufs[0]);
    if (!len)
        return CATALOG_PRICE_EMPTY;
    if (s[0] == '-' || (len >= 3 && memcmp(s, "−", 3) == 0))
        return CATALOG_PRICE_NEGATIVE;
    if (s[0] < '0' || s[0] > '9')
        return CATALOG_PRICE_NOT_NUM;
    int64_t v;
    bool big;
    size_t i = grouped_int(s, len, CATALOG_PRICE_MAX_KOP / 100, &v, &big);
    int64_t frac = 0;
    if (i < len && (s[i] == ',' || s[i] == '.')) {
        i++;
        size_t nd = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (nd < 2)
                frac = frac * 10 + (s[i] - '0');
            nd++;
            i++;
        }
        if (nd == 0 || i < len)
            return CATALOG_PRICE_NOT_NUM;
        if (nd > 2)
            return CATALOG_PRICE_DECIMALS;
        if (nd == 1)
            frac *= 10;
    }
    if (i < len)
        return CATALOG_PRICE_NOT_NUM;
    if (big || v * 100 + frac > CATALOG_PRICE_MAX_KOP)
        return CATALOG_PRICE_TOO_BIG;
    *kop = v * 100 + frac;
    return CATALOG_PRICE_OK;
}

int catalog_price_parse(const char *s, int64_t *kop)
{
    if (!s)
        return CATALOG_PRICE_EMPTY;
    return price_parse_n(s, strlen(s), kop);
}

const char *catalog_price_reason(int err)
{
    switch (err) {
    case CATALOG_PRICE_OK: return "верная";
    case CATALOG_PRICE_EMPTY: return "не указана";
    case CATALOG_PRICE_NOT_NUM: return "не число";
    case CATALOG_PRICE_NEGATIVE: return "отрицательная";
    case CATALOG_PRICE_DECIMALS: return "больше двух знаков после запятой";
    case CATALOG_PRICE_TOO_BIG: return "слишком большая (больше 100 000 000 ₽)";
    default: return "неверная";
    }
}

/* ---- weight ----------------------------------------------------------- */

/* 0, or 1 = not a whole number, 2 = too big */
static int weight_parse_n(const char *s, size_t len, int64_t *g)
{
    static const char *const sufs[] = {"гр.", "гр", "г.", "г", "g"};
    strip_unit(&s, &len, sufs, sizeof sufs / sizeof sufs[0]);
    if (!len || s[0] < '0' || s[0] > '9')
        return 1;
    int64_t v;
    bool big;
    if (grouped_int(s, len, CATALOG_VARIANT_WEIGHT_MAX, &v, &big) < len)
        return 1;
    if (big)
        return 2;
    *g = v;
    return 0;
}

/* ---- the list --------------------------------------------------------- */

typedef struct item {
    const char *s;
    size_t len;
    unsigned line;    /* 1-based physical line */
    unsigned no;      /* 1-based index within its line */
    unsigned overall; /* 1-based index among all items */
    bool ok;
    const char *label; /* trimmed, into the input */
    size_t label_len;
    int64_t price, weight;
} item;

typedef enum { NUM_LINE, NUM_ITEM, NUM_BOTH } numbering;

static void eb_where(errbuf *e, const item *it, numbering how)
{
    if (e->len)
        eb_append(e, "\n", 1);
    switch (how) {
    case NUM_LINE: eb_printf(e, "строка %u: ", it->line); break;
    case NUM_ITEM: eb_printf(e, "вариант %u: ", it->no); break;
    case NUM_BOTH: eb_printf(e, "строка %u, вариант %u: ", it->line, it->no); break;
    }
}

/* Splits one line into items (see the comma rule in variants.h) and appends
 * them to *items. Blank items (a trailing comma, ", ,") are dropped. */
static bool split_line(const char *s, size_t len, unsigned line, item **items, size_t *n, size_t *cap)
{
    unsigned no = 0;
    size_t start = 0, colons = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] == ':')
            colons++;
        if (i < len && s[i] != ',')
            continue;
        if (i < len && colons == 1 && i > start && s[i - 1] >= '0' && s[i - 1] <= '9' && i + 1 < len &&
            s[i + 1] >= '0' && s[i + 1] <= '9')
            continue; /* decimal comma inside the price */
        const char *p = s + start;
        size_t plen = i - start;
        trim_span(&p, &plen);
        if (plen) {
            if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 16;
                item *ni = realloc(*items, nc * sizeof *ni);
                if (!ni)
                    return false;
                *items = ni;
                *cap = nc;
            }
            item *it = &(*items)[(*n)++];
            memset(it, 0, sizeof *it);
            it->s = p;
            it->len = plen;
            it->line = line;
            it->no = ++no;
            it->overall = (unsigned)*n;
        }
        start = i + 1;
        colons = 0;
    }
    return true;
}

static void check_item(item *it, errbuf *e, numbering how)
{
    const char *f[3];
    size_t fl[3], nf = 0;
    size_t start = 0;
    bool too_many = false;
    for (size_t i = 0; i <= it->len; i++) {
        if (i < it->len && it->s[i] != ':')
            continue;
        if (nf == 3) {
            too_many = true;
            break;
        }
        f[nf] = it->s + start;
        fl[nf] = i - start;
        nf++;
        start = i + 1;
    }
    if (nf < 2 || too_many) {
        e->count++;
        eb_where(e, it, how);
        eb_quote(e, it->s, it->len);
        eb_puts(e, nf < 2 ? " — нужно Название:Цена:Вес (например, 50 мл:1000:300)"
                          : " — лишнее двоеточие: нужно Название:Цена:Вес");
        return;
    }
    bool bad = false;
    const char *lab = f[0];
    size_t lablen = fl[0];
    trim_span(&lab, &lablen);
    const char *why = NULL;
    size_t cps = 0;
    if (!lablen) {
        why = "пустое название";
    } else {
        for (size_t i = 0; i < lablen;) {
            size_t k = utf8_len((const unsigned char *)lab + i, lablen - i);
            if (!k) {
                why = "название не в UTF-8";
                break;
            }
            if (k == 1 && ((unsigned char)lab[i] < 0x20 || lab[i] == 0x7F)) {
                why = "в названии управляющий символ";
                break;
            }
            i += k;
            cps++;
        }
        if (!why && cps > CATALOG_VARIANT_LABEL_MAX)
            why = "название длиннее 64 символов";
    }
    if (why) {
        e->count++;
        eb_where(e, it, how);
        eb_puts(e, why);
        if (lablen) {
            eb_puts(e, " ");
            eb_quote(e, lab, lablen);
        }
        bad = true;
    }
    int pr = price_parse_n(f[1], fl[1], &it->price);
    if (pr == CATALOG_PRICE_OK && it->price == 0)
        pr = -1;
    if (pr != CATALOG_PRICE_OK) {
        if (!bad) {
            e->count++;
            eb_where(e, it, how);
        } else {
            eb_puts(e, "; ");
        }
        const char *p = f[1];
        size_t pl = fl[1];
        trim_span(&p, &pl);
        eb_puts(e, "цена ");
        eb_quote(e, p, pl);
        eb_puts(e, " — ");
        eb_puts(e, pr == -1 ? "должна быть больше нуля" : catalog_price_reason(pr));
        bad = true;
    }
    it->weight = 0;
    if (nf == 3) {
        const char *w = f[2];
        size_t wl = fl[2];
        trim_span(&w, &wl);
        int wr = wl ? weight_parse_n(w, wl, &it->weight) : 0;
        if (wr) {
            if (!bad) {
                e->count++;
                eb_where(e, it, how);
            } else {
                eb_puts(e, "; ");
            }
            eb_puts(e, "вес ");
            eb_quote(e, w, wl);
            eb_puts(e, wr == 1 ? " — не целое число граммов" : " — слишком большой (больше 1 000 000 г)");
            bad = true;
        }
    }
    it->ok = !bad;
    it->label = lab;
    it->label_len = lablen;
}

static int fail_simple(const char *msg, char **errors)
{
    if (errors) {
        *errors = strdup(msg);
        if (!*errors)
            return CATALOG_ENOMEM;
    }
    return CATALOG_EINVAL;
}

void catalog_variants_free(catalog_variant *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i].label);
    free(v);
}

int catalog_variants_parse(const char *text, catalog_variant **out, size_t *n, char **errors)
{
    *out = NULL;
    *n = 0;
    if (errors)
        *errors = NULL;
    if (!text)
        return fail_simple("нет ни одного варианта", errors);
    size_t tlen = strlen(text);
    if (tlen > CATALOG_VARIANTS_TEXT_MAX)
        return fail_simple("текст слишком длинный: не больше 16 КБ", errors);

    item *items = NULL;
    size_t ni = 0, cap = 0;
    unsigned line = 0, lines_used = 0;
    size_t max_per_line = 0;
    for (size_t pos = 0; pos <= tlen;) {
        const char *nl = memchr(text + pos, '\n', tlen - pos);
        size_t end = nl ? (size_t)(nl - text) : tlen;
        size_t before = ni;
        line++;
        if (!split_line(text + pos, end - pos, line, &items, &ni, &cap)) {
            free(items);
            return CATALOG_ENOMEM;
        }
        if (ni > before) {
            lines_used++;
            if (ni - before > max_per_line)
                max_per_line = ni - before;
        }
        if (!nl)
            break;
        pos = end + 1;
    }
    if (ni == 0) {
        free(items);
        return fail_simple("нет ни одного варианта: пришлите строки Название:Цена:Вес, например 50 мл:1000:300",
                           errors);
    }
    numbering how = max_per_line <= 1 ? NUM_LINE : lines_used == 1 ? NUM_ITEM : NUM_BOTH;

    errbuf e = {0};
    for (size_t i = 0; i < ni; i++) {
        if (e.count >= CATALOG_VARIANTS_ERRORS_MAX) {
            /* still count them for "… и ещё N", without the text */
            errbuf sink = {0};
            check_item(&items[i], &sink, how);
            e.count += sink.count;
            free(sink.s);
            continue;
        }
        check_item(&items[i], &e, how);
    }
    /* duplicates among the well-formed ones; skipped over the limit, where
     * the count error already rejects the list (and keeps this O(n²) small) */
    if (ni <= CATALOG_VARIANTS_MAX) {
        for (size_t i = 0; i < ni; i++) {
            if (!items[i].ok)
                continue;
            for (size_t j = 0; j < i; j++) {
                if (items[j].ok && items[j].label_len == items[i].label_len &&
                    memcmp(items[j].label, items[i].label, items[i].label_len) == 0) {
                    e.count++;
                    eb_where(&e, &items[i], how);
                    eb_puts(&e, "название ");
                    eb_quote(&e, items[i].label, items[i].label_len);
                    if (how == NUM_ITEM)
                        eb_printf(&e, " повторяется (уже в варианте %u)", items[j].no);
                    else if (how == NUM_LINE)
                        eb_printf(&e, " повторяется (уже в строке %u)", items[j].line);
                    else
                        eb_printf(&e, " повторяется (уже в строке %u, вариант %u)", items[j].line, items[j].no);
                    items[i].ok = false;
                    break;
                }
            }
        }
    } else {
        e.count++;
        if (e.len)
            eb_append(&e, "\n", 1);
        eb_printf(&e, "вариантов %zu, а можно не больше %d", ni, CATALOG_VARIANTS_MAX);
    }
    if (e.count > CATALOG_VARIANTS_ERRORS_MAX) {
        /* the lines past the cap were not written: say how many */
        size_t written = 0;
        for (size_t i = 0; i < e.len; i++)
            written += e.s[i] == '\n';
        written += e.len ? 1 : 0;
        if (e.count > written)
            eb_printf(&e, "\n… и ещё ошибок: %zu", e.count - written);
    }
    if (e.oom) {
        free(e.s);
        free(items);
        return CATALOG_ENOMEM;
    }
    if (e.count) {
        free(items);
        if (errors)
            *errors = e.s;
        else
            free(e.s);
        return CATALOG_EINVAL;
    }
    free(e.s);

    catalog_variant *v = calloc(ni, sizeof *v);
    if (!v) {
        free(items);
        return CATALOG_ENOMEM;
    }
    for (size_t i = 0; i < ni; i++) {
        v[i].label = malloc(items[i].label_len + 1);
        if (!v[i].label) {
            catalog_variants_free(v, i);
            free(items);
            return CATALOG_ENOMEM;
        }
        memcpy(v[i].label, items[i].label, items[i].label_len);
        v[i].label[items[i].label_len] = '\0';
        v[i].price_kop = items[i].price;
        v[i].weight_g = items[i].weight;
    }
    free(items);
    *out = v;
    *n = ni;
    return CATALOG_OK;
}
