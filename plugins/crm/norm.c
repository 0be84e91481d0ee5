/* crm: pure search helpers (norm.h). */
#include "norm.h"

#include <stdio.h>
#include <string.h>

#include "text.h" /* catalog_pure */

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_phone_punct(char c) { return c == ' ' || c == '+' || c == '-' || c == '(' || c == ')' || c == '.'; }

/* the ten national digits of a Russian number, in place */
static size_t national(char *d, size_t n)
{
    if (n == 11 && (d[0] == '7' || d[0] == '8')) {
        memmove(d, d + 1, 10);
        d[10] = '\0';
        return 10;
    }
    return n;
}

size_t crm_phone_key(const char *in, int strict, char out[CRM_PHONE_KEY_MAX + 1])
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *s = in ? in : ""; *s; s++) {
        if (is_digit(*s)) {
            if (n == CRM_PHONE_KEY_MAX)
                return out[0] = '\0', 0;
            out[n++] = *s;
        } else if (strict && !is_phone_punct(*s)) {
            return out[0] = '\0', 0;
        }
    }
    out[n] = '\0';
    return n ? national(out, n) : 0;
}

/* copies at most n - 1 bytes of s, never ending inside a UTF-8 character */
static void copy_cut(char *out, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, s, len);
    out[len] = '\0';
}

int crm_query_parse(const char *q, crm_query *out)
{
    memset(out, 0, sizeof *out);
    const char *b = q ? q : "";
    while (*b == ' ' || *b == '\t' || *b == '\n')
        b++;
    size_t len = strlen(b);
    while (len && (b[len - 1] == ' ' || b[len - 1] == '\t' || b[len - 1] == '\n'))
        len--;
    char t[CRM_Q_TEXT_MAX + 1];
    copy_cut(t, len + 1 < sizeof t ? len + 1 : sizeof t, b);
    size_t chars = 0;
    for (const char *s = t; *s; s++)
        chars += ((unsigned char)*s & 0xC0) != 0x80;

    if (t[0] == '@') {
        if (chars < 3) /* "@" and one letter */
            return out->kind = CRM_Q_SHORT;
        catalog_fold(t, out->text);
        snprintf(out->upper, sizeof out->upper, "%s~", out->text + 1);
        return out->kind = CRM_Q_USERNAME;
    }
    if (chars < 2)
        return out->kind = CRM_Q_SHORT;

    char key[CRM_PHONE_KEY_MAX + 1];
    size_t nd = crm_phone_key(t, 1, key);
    if (nd > 0) {
        int only_digits = 1;
        for (const char *s = t; *s && only_digits; s++)
            only_digits = is_digit(*s);
        out->kind = CRM_Q_NUMBER;
        if (only_digits && strlen(t) <= 15)
            sscanf(t, "%lld", &out->id);
        if (nd >= 5)
            memcpy(out->phone, key, nd + 1);
        /* "8 912 34…", "+7 912 3…": the start of a number with its trunk
         * prefix, to be matched against the start of the national digits */
        const char *d = t[0] == '+' ? t + 1 : t;
        if ((d[0] == '7' || d[0] == '8') && nd >= 5 && nd < 10)
            memcpy(out->trunk, key + 1, nd);
        return out->kind;
    }
    catalog_fold(t, out->text);
    return out->kind = CRM_Q_NAME;
}

void crm_name_fold(const char *first, const char *last, const char *username, char *out, size_t n)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s%s%s%s", first ? first : "", last && *last ? " " : "", last ? last : "",
             username && *username ? " @" : "", username ? username : "");
    char cut[512];
    copy_cut(cut, n < sizeof cut ? n : sizeof cut, buf);
    catalog_fold(cut, out);
}

void crm_username_key(const char *username, char *out, size_t n)
{
    size_t i = 0;
    for (const char *s = username ? username : ""; *s && i + 1 < n; s++)
        out[i++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s;
    out[i] = '\0';
}
