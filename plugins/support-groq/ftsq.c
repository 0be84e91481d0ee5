/* support-groq: folding and FTS5 queries, see ftsq.h. */
#include "ftsq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* one UTF-8 code point at *p (advanced); 0xFFFD for a broken sequence */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        *p = s + 1;
        return 0xFFFD;
    }
    if (n)
        c &= 0x3F >> n;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + i;
            return 0xFFFD;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    *p = s + n + 1;
    return c;
}

static size_t put_cp(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* lower case and ё → е for the letters a shop's texts use; 0 for what
 * separates words */
static uint32_t fold_cp(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return c;
    if (c >= 0x410 && c <= 0x42F) /* А-Я */
        c += 0x20;
    if (c == 0x401 || c == 0x451) /* Ё ё */
        return 0x435;
    if (c >= 0x430 && c <= 0x44F)
        return c;
    if (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) /* Latin with diacritics: kept, unicode61 folds them */
        return c;
    return 0;
}

char *sup_fold(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int space = 1;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
        uint32_t c = fold_cp(next_cp(&p));
        if (!c) {
            if (!space)
                out[o++] = ' ';
            space = 1;
            continue;
        }
        /* a folded letter never takes more bytes than the original */
        o += put_cp(out + o, c);
        space = 0;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return out;
}

static const char *const STOP[] = {
    "а", "без", "бы", "был", "была", "были", "было", "в", "вам", "вас", "ваш", "ваша", "ваше", "ваши", "во",
    "вот", "все", "вы", "где", "да", "для", "до", "его", "ее", "если", "есть", "еще", "же", "за", "здравствуйте",
    "и", "из", "или", "им", "их", "к", "как", "какая", "какие", "какой", "каком", "когда", "ко", "кто", "ли", "либо",
    "мне", "много", "могу", "можно", "мой", "моя", "мы", "на", "над", "надо", "нам", "нас", "не", "нет", "ни",
    "но", "ну", "о", "об", "он", "она", "они", "оно", "от", "очень", "по", "под", "подскажите", "пожалуйста",
    "посоветуйте", "почему", "привет", "при", "про", "с", "сейчас", "сколько", "со", "спасибо", "так", "такой",
    "там", "то", "тоже", "только", "ты", "у", "уже", "хочу", "хотел", "хотела", "цена", "цену", "цены", "что",
    "чтобы", "чем", "это", "эта", "этот", "эти", "я", "стоит", "стоят", "нужно", "нужен", "нужна", "купить",
    "наличии", "есть", "ли", "the", "a", "an", "and", "or", "is", "are", "do", "you", "have", "what", "how",
    "price", NULL,
};

static int stop_word(const char *w, size_t n)
{
    for (size_t i = 0; STOP[i]; i++)
        if (strlen(STOP[i]) == n && memcmp(STOP[i], w, n) == 0)
            return 1;
    return 0;
}

/* characters (code points) in w[0..n) */
static size_t chars(const char *w, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)w[i] & 0xC0) != 0x80;
    return k;
}

/* byte length of the first `keep` characters */
static size_t prefix_bytes(const char *w, size_t n, size_t keep)
{
    size_t k = 0, i = 0;
    for (; i < n; i++) {
        if (((unsigned char)w[i] & 0xC0) != 0x80) {
            if (k == keep)
                break;
            k++;
        }
    }
    return i;
}

static int is_digits(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] < '0' || w[i] > '9')
            return 0;
    return 1;
}

char *sup_fts_query(const char *question)
{
    char *f = sup_fold(question);
    if (!f)
        return NULL;
    size_t cap = strlen(f) * 2 + 64, o = 0;
    char *q = malloc(cap);
    if (!q) {
        free(f);
        return NULL;
    }
    int terms = 0;
    const char *seen[SUP_FTS_TERMS];
    size_t seen_n[SUP_FTS_TERMS];
    for (char *w = f; *w && terms < SUP_FTS_TERMS;) {
        size_t n = strcspn(w, " ");
        size_t len = chars(w, n);
        if (len >= 2 && !stop_word(w, n)) {
            /* the stem: all but the ending ("футболки" → "футбол"), whole for short
             * words and numbers ("50 мл", "M") */
            size_t keep = is_digits(w, n) || len <= 3 ? len : len <= 5 ? len - 1 : len - 2;
            size_t b = prefix_bytes(w, n, keep);
            int dup = 0;
            for (int i = 0; i < terms; i++)
                dup |= seen_n[i] == b && memcmp(seen[i], w, b) == 0;
            if (!dup) {
                seen[terms] = w;
                seen_n[terms] = b;
                if (terms)
                    memcpy(q + o, " OR ", 4), o += 4;
                q[o++] = '"';
                memcpy(q + o, w, b);
                o += b;
                q[o++] = '"';
                q[o++] = '*';
                terms++;
            }
        }
        w += n;
        while (*w == ' ')
            w++;
    }
    q[o] = '\0';
    free(f);
    if (!terms) {
        free(q);
        return NULL;
    }
    return q;
}

char *sup_ts_query(const char *fts)
{
    if (!fts)
        return NULL;
    char *q = malloc(strlen(fts) * 2 + 1), *o = q;
    if (!q)
        return NULL;
    /* the stems hold only folded letters and digits: no quoting beyond '' */
    for (const char *p = fts; *p;) {
        if (strncmp(p, " OR ", 4) == 0) {
            memcpy(o, " | ", 3), o += 3, p += 4;
        } else if (*p == '"') {
            *o++ = '\'';
            p++;
            while (*p && *p != '"')
                *o++ = *p++;
            *o++ = '\'';
            if (*p)
                p++;
            if (*p == '*')
                memcpy(o, ":*", 2), o += 2, p++;
        } else {
            p++;
        }
    }
    *o = '\0';
    return q;
}
