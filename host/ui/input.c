#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <walor/types.h>

#include "error.h"
#include "money.h"
#include "num.h"
#include "setting.h"
#include "utf8.h"

#define TEXT_MAX 4096 /* characters of a TEXT answer when its max is 0: one message */

/* every refusal here is WALOR_EINVAL with the reason for the user in why */
#define refuse(why, whylen, ...) wh_error_why(why, whylen, WALOR_EINVAL, __VA_ARGS__)

/* ---- dates ---- */

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian) */
int64_t wh_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void wh_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* up to `max` digits at *s; -1 when there is none */
static long digits(const char **s, int max)
{
    long v = 0;
    int n = 0;
    while (n < max && **s >= '0' && **s <= '9') {
        v = v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    return n ? v : -1;
}

static int is_sep(char c) { return c == '.' || c == '/' || c == '-'; }

/* the date in s as days, or -1 (not a date) / -2 (no such day) */
static int64_t parse_date(const char *b, size_t n, int64_t today, int64_t *out)
{
    char s[40];
    if (n >= sizeof s)
        return -1;
    memcpy(s, b, n);
    s[n] = '\0';
    char *low = wh_utf8_lower_dup(s);
    if (!low)
        return -1;
    int word = !strcmp(low, "сегодня") ? 0 : !strcmp(low, "завтра") ? 1 : !strcmp(low, "послезавтра") ? 2 : -1;
    free(low);
    if (word >= 0) {
        *out = today + word;
        return 0;
    }
    int64_t ty;
    unsigned tm_, td;
    wh_civil_from_days(today, &ty, &tm_, &td);
    const char *p = s;
    long a = digits(&p, 4), b2, c = -1;
    int64_t y;
    long m, d;
    if (a < 0)
        return -1;
    if (p - s == 4) { /* 2026-12-25 */
        if (*p != '-')
            return -1;
        p++;
        b2 = digits(&p, 2);
        if (b2 < 0 || *p++ != '-')
            return -1;
        c = digits(&p, 2);
        if (c < 0 || *p)
            return -1;
        y = a, m = b2, d = c;
    } else if (p - s <= 2) { /* 25.12.2026, 25.12.26, 25.12 */
        if (!is_sep(*p))
            return -1;
        char sep = *p++;
        b2 = digits(&p, 2);
        if (b2 < 0)
            return -1;
        if (*p == sep) {
            p++;
            const char *q = p;
            c = digits(&p, 4);
            if (c < 0 || *p || (p - q != 2 && p - q != 4))
                return -1;
            y = p - q == 2 ? 2000 + c : c;
        } else if (!*p) {
            y = ty;
        } else {
            return -1;
        }
        d = a, m = b2;
    } else {
        return -1;
    }
    if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 9999 || (unsigned long)d > month_days(y, (unsigned)m))
        return -2;
    *out = wh_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

static void date_text(int64_t days, char out[16])
{
    int64_t y;
    unsigned m, d;
    wh_civil_from_days(days, &y, &m, &d);
    snprintf(out, 16, "%02u.%02u.%04lld", d, m, (long long)y);
}

static int32_t parse_date_answer(int64_t min, int64_t max, const char *b, size_t n, int64_t today, json_t **out,
                                 char *why, size_t whylen)
{
    int64_t days;
    int64_t rc = parse_date(b, n, today, &days);
    if (rc == -2)
        return refuse(why, whylen, "Такой даты нет в календаре");
    if (rc < 0)
        return refuse(why, whylen, "Напишите дату, например 25.12.2026");
    if (!(min == 0 && max == 0) && (days < today + min || days > today + max)) {
        char lo[16], hi[16];
        date_text(today + min, lo);
        date_text(today + max, hi);
        return refuse(why, whylen, "Выберите дату с %s по %s", lo, hi);
    }
    int64_t y;
    unsigned m, d;
    char iso[16];
    wh_civil_from_days(days, &y, &m, &d);
    snprintf(iso, sizeof iso, "%04lld-%02u-%02u", (long long)y, m, d);
    *out = json_string(iso);
    return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
}

/* ---- phones, e-mail ---- */

int wh_phone_norm(const char *in, char out[13])
{
    char d[16];
    size_t nd = 0;
    const char *s = in;
    while (*s == ' ')
        s++;
    int plus = *s == '+';
    if (plus)
        s++;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (nd == sizeof d)
                return -1;
            d[nd++] = *s;
        } else if (!strchr(" -()." , *s)) {
            return -1;
        }
    }
    const char *ten;
    if (nd == 11 && (d[0] == '7' || (d[0] == '8' && !plus)))
        ten = d + 1;
    else if (nd == 10 && !plus && d[0] == '9')
        ten = d; /* 912 345-67-89: a mobile number without the country code */
    else
        return -1;
    memcpy(out, "+7", 2);
    memcpy(out + 2, ten, 10);
    out[12] = '\0';
    return 0;
}

static int email_local_char(unsigned char c)
{
    /* RFC 5322's atext, and UTF-8 (RFC 6531: "почта@пример.рф") */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 ||
           strchr(".!#$%&'*+/=?^_`{|}~-", c);
}

/* name@domain.tld; the domain lower-cased (IDN labels in UTF-8 pass as they are) */
static int32_t parse_email(const char *b, size_t n, json_t **out, char *why, size_t whylen)
{
    const char *at = memchr(b, '@', n);
    size_t local = at ? (size_t)(at - b) : 0;
    if (!at || n > 254 || local == 0 || local > 64 || memchr(at + 1, '@', n - local - 1) || b[0] == '.' ||
        b[local - 1] == '.')
        return refuse(why, whylen, "Напишите адрес почты, например name@example.ru");
    for (size_t i = 0; i < local; i++)
        if (!email_local_char((unsigned char)b[i]) || (b[i] == '.' && b[i + 1] == '.'))
            return refuse(why, whylen, "Напишите адрес почты, например name@example.ru");
    char buf[256];
    memcpy(buf, b, n);
    buf[n] = '\0';
    size_t dl = n - local - 1, label = 0, dots = 0;
    char *dom = buf + local + 1;
    for (size_t i = 0; i < dl; i++) {
        unsigned char c = (unsigned char)dom[i];
        if (c >= 'A' && c <= 'Z')
            dom[i] = (char)(c | 0x20);
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (c == '.') {
            if (label == 0 || dom[i - 1] == '-')
                return refuse(why, whylen, "Напишите адрес почты, например name@example.ru");
            dots++;
            label = 0;
        } else if ((c == '-' && label > 0) || alnum) {
            label++;
        } else {
            return refuse(why, whylen, "Напишите адрес почты, например name@example.ru");
        }
    }
    if (!dots || label < 2 || dom[dl - 1] == '-' || !wh_utf8_valid(buf, n))
        return refuse(why, whylen, "Напишите адрес почты, например name@example.ru");
    *out = json_string(buf);
    return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
}

/* ---- numbers and strings ---- */

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void trim(const char *s, const char **b, size_t *n)
{
    const char *e = s + strlen(s);
    while (*s && is_ws(*s))
        s++;
    while (e > s && is_ws(e[-1]))
        e--;
    *b = s;
    *n = (size_t)(e - s);
}

/* the length of a digit-group separator at s ("1 000", NBSP, thin spaces), else 0 */
static size_t group_sep(const char *s)
{
    if (*s == ' ')
        return 1;
    if (!strncmp(s, "\xC2\xA0", 2))
        return 2;
    if (!strncmp(s, "\xE2\x80\x89", 3) || !strncmp(s, "\xE2\x80\xAF", 3))
        return 3;
    return 0;
}

static int digit(char c) { return c >= '0' && c <= '9'; }

/* "1 000 000" → "1000000": a separator goes only between a digit and a
 * group of exactly three ("1 0" stays a mistake) */
static void ungroup(const char *b, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap;) {
        size_t k = group_sep(b + i), g = i + k;
        if (k && i > 0 && digit(b[i - 1]) && g + 3 <= n && digit(b[g]) && digit(b[g + 1]) && digit(b[g + 2]) &&
            (g + 3 == n || !digit(b[g + 3]))) {
            i += k;
            continue;
        }
        out[o++] = b[i++];
    }
    out[o] = '\0';
}

static int32_t parse_int(int64_t min, int64_t max, const char *b, size_t n, json_t **out, char *why, size_t whylen)
{
    char in[64], canon[32];
    walor_setting_def d = {.struct_size = sizeof d, .type = WALOR_SET_INT, .min = min, .max = max};
    if (n && b[n - 1] == '%') { /* "15%": a percentage typed with its sign */
        n--;
        while (n && is_ws(b[n - 1]))
            n--;
    }
    if (n >= sizeof in || (ungroup(b, n, in, sizeof in), wh_setting_normalize(&d, in, canon, sizeof canon, NULL, 0))) {
        if (min == 0 && max == 0)
            return refuse(why, whylen, "Введите целое число");
        char lo[WH_NUM_BUF], hi[WH_NUM_BUF];
        wh_num_format(lo, sizeof lo, min, 0);
        wh_num_format(hi, sizeof hi, max, 0);
        return refuse(why, whylen, "Введите целое число от %s до %s", lo, hi);
    }
    *out = json_integer(strtoll(canon, NULL, 10));
    return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
}

static int32_t parse_money(int64_t min, int64_t max, const char *b, size_t n, json_t **out, char *why,
                           size_t whylen)
{
    int neg = 0;
    if (n && (*b == '+' || *b == '-')) {
        neg = *b == '-';
        b++, n--;
    } else if (n >= 3 && !strncmp(b, "\xE2\x88\x92", 3)) { /* U+2212 */
        neg = 1;
        b += 3, n -= 3;
    }
    char in[64], canon[32], reason[256];
    walor_setting_def d = {.struct_size = sizeof d, .type = WALOR_SET_MONEY};
    if (n >= sizeof in)
        return refuse(why, whylen, "Введите сумму в рублях, например 1500 или 1 500,50");
    memcpy(in, b, n);
    in[n] = '\0';
    if (wh_setting_normalize(&d, in, canon, sizeof canon, reason, sizeof reason) != 0)
        return refuse(why, whylen, "%s", reason);
    int64_t kop = strtoll(canon, NULL, 10);
    if (neg)
        kop = -kop;
    int bounded = !(min == 0 && max == 0);
    if ((!bounded && kop < 0) || (bounded && (kop < min || kop > max))) {
        if (!bounded)
            return refuse(why, whylen, "Сумма не может быть отрицательной");
        char lo[WH_MONEY_BUF], hi[WH_MONEY_BUF];
        wh_money_format(lo, sizeof lo, min);
        wh_money_format(hi, sizeof hi, max);
        return refuse(why, whylen, "Введите сумму от %s до %s", lo, hi);
    }
    *out = json_integer(kop);
    return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
}

static int32_t parse_string(int64_t min, int64_t max, const char *text, json_t **out, char *why, size_t whylen)
{
    char canon[WH_SETTING_STRING_MAX * 4 + 1], reason[256];
    walor_setting_def d = {.struct_size = sizeof d, .type = WALOR_SET_STRING, .min = min, .max = max};
    if (max > WH_SETTING_STRING_MAX)
        return refuse(why, whylen, "Строка длиннее %d символов: возьмите тип TEXT", WH_SETTING_STRING_MAX);
    if (wh_setting_normalize(&d, text, canon, sizeof canon, reason, sizeof reason) != 0)
        return refuse(why, whylen, "%s", reason);
    *out = json_string(canon);
    return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
}

/* several lines of plain text (shown escaped, so '<' is only a character) */
static int32_t parse_text(int64_t min, int64_t max, const char *b, size_t n, json_t **out, char *why, size_t whylen)
{
    if (max <= 0)
        max = TEXT_MAX; /* a message holds no more; a FILE step passes its own max */
    if (min < 0)
        min = 0;
    if (!wh_utf8_valid(b, n))
        return refuse(why, whylen, "Текст содержит недопустимые символы (нужна UTF-8)");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)b[i];
        if ((ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') || ch == 0x7F)
            return refuse(why, whylen, "Текст содержит управляющие символы");
    }
    size_t c = wh_utf8_chars(b, n);
    if (c == 0)
        return refuse(why, whylen, "Напишите текст");
    if ((int64_t)c < min) {
        const char *w;
        size_t wl;
        wh_plural_pick("символ|символа|символов", min, &w, &wl);
        return refuse(why, whylen, "Напишите хотя бы %lld %.*s", (long long)min, (int)wl, w);
    }
    if ((int64_t)c > max)
        return refuse(why, whylen, "Текст слишком длинный: %zu символов, можно не больше %lld", c, (long long)max);
    *out = json_stringn(b, n);
    return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
}

/* the file_id of the largest size of the message's photo */
static int32_t parse_photo(json_t *msg, json_t **out, char *why, size_t whylen)
{
    json_t *sizes = json_object_get(msg, "photo"), *best = NULL, *p;
    size_t i;
    json_int_t area = -1;
    json_array_foreach(sizes, i, p) {
        json_int_t a = json_integer_value(json_object_get(p, "width")) * json_integer_value(json_object_get(p, "height"));
        if (json_is_string(json_object_get(p, "file_id")) && a >= area) {
            area = a;
            best = p;
        }
    }
    if (!best)
        return refuse(why, whylen, "Пришлите фотографию");
    *out = json_string(json_string_value(json_object_get(best, "file_id")));
    return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
}

int32_t wh_input_parse(uint32_t type, int64_t min, int64_t max, const char *text, json_t *msg, int64_t today,
                       json_t **out, char *why, size_t whylen)
{
    const char *b;
    size_t n;
    *out = NULL;
    if (why && whylen)
        why[0] = '\0';
    trim(text ? text : "", &b, &n);
    switch (type) {
    case WALOR_STEP_INT: return parse_int(min, max, b, n, out, why, whylen);
    case WALOR_STEP_MONEY: return parse_money(min, max, b, n, out, why, whylen);
    case WALOR_STEP_STRING: return parse_string(min, max, text ? text : "", out, why, whylen);
    case WALOR_STEP_TEXT: return parse_text(min, max, b, n, out, why, whylen);
    case WALOR_STEP_PHONE: {
        char ph[13];
        const char *c = json_string_value(json_object_get(json_object_get(msg, "contact"), "phone_number"));
        char in[64];
        const char *src = c ? c : in;
        if (!c) {
            if (n >= sizeof in)
                return refuse(why, whylen, "Напишите номер телефона, например +7 912 345-67-89");
            memcpy(in, b, n);
            in[n] = '\0';
        }
        if (wh_phone_norm(src, ph) != 0)
            return refuse(why, whylen, "Напишите номер телефона, например +7 912 345-67-89");
        *out = json_string(ph);
        return *out ? 0 : wh_error(WALOR_ENOMEM, "out of memory");
    }
    case WALOR_STEP_EMAIL: return parse_email(b, n, out, why, whylen);
    case WALOR_STEP_DATE: return parse_date_answer(min, max, b, n, today, out, why, whylen);
    case WALOR_STEP_PHOTO: return parse_photo(msg, out, why, whylen);
    default: return refuse(why, whylen, "Неизвестный тип ответа (%u)", (unsigned)type);
    }
}

json_t *wh_input_location(json_t *msg)
{
    json_t *loc = json_object_get(msg, "location");
    json_t *lat = json_object_get(loc, "latitude"), *lon = json_object_get(loc, "longitude");
    if (!json_is_number(lat) || !json_is_number(lon))
        return NULL;
    double a = json_number_value(lat), o = json_number_value(lon);
    if (a < -90 || a > 90 || o < -180 || o > 180)
        return NULL;
    return json_pack("{s:f, s:f}", "lat", a, "lon", o);
}
