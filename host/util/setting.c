#include "setting.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "html.h"
#include "money.h"
#include "utf8.h"

static int32_t put(const char *v, size_t n, char *out, size_t outlen, char *why, size_t whylen)
{
    if (!out || n >= outlen)
        return wh_error_why(why, whylen, WALOR_ERANGE, "Значение слишком длинное для сохранения");
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* [*b, *e) is input without surrounding whitespace */
static void trim_bounds(const char *s, const char **b, const char **e)
{
    const char *end = s + strlen(s);
    while (*s && is_ws(*s))
        s++;
    while (end > s && is_ws(end[-1]))
        end--;
    *b = s;
    *e = end;
}

static int parse_i64(const char *b, const char *e, int64_t *out)
{
    int neg = 0;
    uint64_t v = 0, lim;
    if (b < e && (*b == '-' || *b == '+'))
        neg = *b++ == '-';
    if (b == e)
        return -1;
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; b < e; b++) {
        unsigned d;
        if (*b < '0' || *b > '9')
            return -1;
        d = (unsigned)(*b - '0');
        if (v > (lim - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return 0;
}

static int32_t norm_int(const walor_setting_def *d, const char *in, char *out, size_t outlen, char *why,
                        size_t whylen)
{
    const char *b, *e;
    int64_t v;
    char buf[24];
    int bounded = !(d->min == 0 && d->max == 0);

    trim_bounds(in, &b, &e);
    if (parse_i64(b, e, &v) != 0 || (bounded && (v < d->min || v > d->max))) {
        if (bounded)
            return wh_error_why(why, whylen, WALOR_EINVAL, "Введите целое число от %lld до %lld", (long long)d->min,
                                (long long)d->max);
        return wh_error_why(why, whylen, WALOR_EINVAL, "Введите целое число");
    }
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return put(buf, strlen(buf), out, outlen, why, whylen);
}

static int32_t norm_bool(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
    static const char *const yes[] = {"yes", "true", "on", "1", "да", "вкл", "y", "д"};
    static const char *const no[] = {"no", "false", "off", "0", "нет", "выкл", "n", "н"};
    const char *b, *e;
    char *low = wh_utf8_lower_dup(in);
    size_t n;
    int32_t rc = 1;

    if (!low)
        return wh_error_why(why, whylen, WALOR_ENOMEM, "Не хватает памяти");
    trim_bounds(low, &b, &e);
    n = (size_t)(e - b);
    for (size_t i = 0; rc == 1 && i < sizeof yes / sizeof yes[0]; i++) {
        if (strlen(yes[i]) == n && !memcmp(b, yes[i], n))
            rc = put("yes", 3, out, outlen, why, whylen);
        else if (strlen(no[i]) == n && !memcmp(b, no[i], n))
            rc = put("no", 2, out, outlen, why, whylen);
    }
    free(low);
    if (rc == 1)
        return wh_error_why(why, whylen, WALOR_EINVAL, "Ответьте «да» или «нет»");
    return rc;
}

static int32_t norm_string(const walor_setting_def *d, const char *in, char *out, size_t outlen, char *why,
                           size_t whylen)
{
    const char *b, *e;
    size_t n, c;
    int64_t min = d->min > 0 ? d->min : 0;
    int64_t max = d->max > 0 ? d->max : WH_SETTING_STRING_MAX;

    trim_bounds(in, &b, &e);
    n = (size_t)(e - b);
    if (!wh_utf8_valid(b, n))
        return wh_error_why(why, whylen, WALOR_EINVAL, "Текст содержит недопустимые символы (нужна UTF-8)");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)b[i];
        if (ch == '\n' || ch == '\r')
            return wh_error_why(why, whylen, WALOR_EINVAL, "Введите значение в одну строку");
        if ((ch < 0x20 && ch != '\t') || ch == 0x7F)
            return wh_error_why(why, whylen, WALOR_EINVAL, "Текст содержит управляющие символы");
    }
    c = wh_utf8_chars(b, n);
    if ((int64_t)c < min || (int64_t)c > max) {
        if (min > 0)
            return wh_error_why(why, whylen, WALOR_EINVAL, "Введите строку длиной от %lld до %lld символов",
                                (long long)min, (long long)max);
        return wh_error_why(why, whylen, WALOR_EINVAL, "Введите строку не длиннее %lld символов", (long long)max);
    }
    return put(b, n, out, outlen, why, whylen);
}

static int32_t norm_text(const walor_setting_def *d, const char *in, char *out, size_t outlen, char *why,
                         size_t whylen)
{
    size_t vis = 0;
    char reason[256];
    int64_t max = (d->max > 0 && d->max < WH_SETTING_TEXT_MAX) ? d->max : WH_SETTING_TEXT_MAX;
    int64_t min = d->min > 0 ? d->min : 0;

    if (wh_html_check(in, &vis, reason, sizeof reason) != 0)
        return wh_error_why(why, whylen, WALOR_EINVAL, "Ошибка в разметке: %s", reason);
    if ((int64_t)vis > max)
        return wh_error_why(why, whylen, WALOR_EINVAL, "Текст слишком длинный: %zu символов, можно не больше %lld", vis,
                            (long long)max);
    if ((int64_t)vis < min)
        return wh_error_why(why, whylen, WALOR_EINVAL, "Текст слишком короткий: нужно хотя бы %lld символов",
                            (long long)min);
    return put(in, strlen(in), out, outlen, why, whylen);
}

static int32_t norm_money(const walor_setting_def *d, const char *in, char *out, size_t outlen, char *why,
                          size_t whylen)
{
    int64_t kop;
    int32_t rc = wh_money_parse(in, &kop);
    char buf[24];
    int bounded = !(d->min == 0 && d->max == 0);

    if (rc) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s", wh_last_error());
        return wh_error_why(why, whylen, WALOR_EINVAL, "%s", reason);
    }
    if (bounded && (kop < d->min || kop > d->max)) {
        char lo[WH_MONEY_BUF], hi[WH_MONEY_BUF];
        wh_money_format(lo, sizeof lo, d->min);
        wh_money_format(hi, sizeof hi, d->max);
        return wh_error_why(why, whylen, WALOR_EINVAL, "Введите сумму от %s до %s", lo, hi);
    }
    snprintf(buf, sizeof buf, "%lld", (long long)kop);
    return put(buf, strlen(buf), out, outlen, why, whylen);
}

int32_t wh_setting_normalize(const walor_setting_def *d, const char *input, char *out, size_t outlen,
                             char *why, size_t whylen)
{
    if (why && whylen)
        why[0] = '\0';
    if (!d)
        return wh_error_why(why, whylen, WALOR_EINVAL, "Неизвестная настройка");
    if (!input)
        input = "";
    switch (d->type) {
    case WALOR_SET_INT: return norm_int(d, input, out, outlen, why, whylen);
    case WALOR_SET_BOOL: return norm_bool(input, out, outlen, why, whylen);
    case WALOR_SET_STRING: return norm_string(d, input, out, outlen, why, whylen);
    case WALOR_SET_TEXT: return norm_text(d, input, out, outlen, why, whylen);
    case WALOR_SET_MONEY: return norm_money(d, input, out, outlen, why, whylen);
    default: return wh_error_why(why, whylen, WALOR_EINVAL, "Неизвестный тип настройки (%u)", (unsigned)d->type);
    }
}
