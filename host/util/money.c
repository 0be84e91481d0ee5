#include "money.h"

#include <stdlib.h>
#include <string.h>

#include <walor/types.h>

#include "error.h"
#include "num.h"
#include "utf8.h"

#define MINUS "\xE2\x88\x92" /* U+2212 */
#define RUB "\xE2\x82\xBD"   /* U+20BD */

size_t wh_money_format(char *buf, size_t n, int64_t kop)
{
    char tmp[WH_MONEY_BUF];
    size_t o = 0;
    /* The magnitude in unsigned arithmetic: -INT64_MIN does not fit in
     * int64_t, its unsigned negation does. */
    uint64_t mag = kop < 0 ? 0u - (uint64_t)kop : (uint64_t)kop;
    uint64_t rub = mag / 100, cents = mag % 100;

    if (kop < 0) {
        memcpy(tmp, MINUS, 3);
        o = 3;
    }
    o += wh_num_group(tmp + o, rub); /* grouped as walor_number groups */
    if (cents) {
        tmp[o++] = ',';
        tmp[o++] = (char)('0' + cents / 10);
        tmp[o++] = (char)('0' + cents % 10);
    }
    tmp[o++] = ' ';
    memcpy(tmp + o, RUB, 3);
    o += 3;
    tmp[o] = '\0';
    return wh_num_out(buf, n, tmp, o);
}

/* Length of a separator that may sit between digit groups at s, or 0. */
static size_t group_sep(const char *s)
{
    if (s[0] == ' ' || s[0] == '\'')
        return 1;
    if (!strncmp(s, "\xC2\xA0", 2)) /* NBSP */
        return 2;
    if (!strncmp(s, "\xE2\x80\x89", 3) || !strncmp(s, "\xE2\x80\xAF", 3)) /* thin, narrow NBSP */
        return 3;
    return 0;
}

static size_t space_at(const char *s)
{
    if (s[0] == ' ' || s[0] == '\t')
        return 1;
    return s[0] == '\'' ? 0 : group_sep(s);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Currency words an owner may append, compared after lower-casing. */
static const char *const suffixes[] = {
    RUB, "рублей", "рубля", "рубль", "руб.", "руб", "р.", "р", "rub.", "rub", "rur",
};

static int32_t parse(const char *s, int64_t *out_kop)
{
    size_t len = strlen(s), i = 0, end = len, n;
    uint64_t rub = 0, cents = 0;
    int ndig = 0, group = -1, ndec = 0;

    /* trim */
    while (i < end && (n = space_at(s + i)) != 0)
        i += n;
    for (;;) {
        size_t k = end;
        /* step back over one trailing separator, if any */
        if (k > i && (s[k - 1] == ' ' || s[k - 1] == '\t'))
            k--;
        else if (k >= i + 2 && !strncmp(s + k - 2, "\xC2\xA0", 2))
            k -= 2;
        else if (k >= i + 3 && (!strncmp(s + k - 3, "\xE2\x80\x89", 3) || !strncmp(s + k - 3, "\xE2\x80\xAF", 3)))
            k -= 3;
        if (k == end)
            break;
        end = k;
    }
    if (i == end)
        return wh_error(WALOR_EINVAL, "Введите сумму, например 1500 или 1 500,50");

    for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
        size_t sl = strlen(suffixes[k]);
        if (end - i > sl && !memcmp(s + end - sl, suffixes[k], sl)) {
            end -= sl;
            while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
                end--;
            if (end >= i + 2 && !strncmp(s + end - 2, "\xC2\xA0", 2))
                end -= 2;
            break;
        }
    }

    if (s[i] == '-' || !strncmp(s + i, MINUS, 3))
        return wh_error(WALOR_EINVAL, "Сумма не может быть отрицательной");
    if (!is_digit(s[i]))
        return wh_error(WALOR_EINVAL, "Сумма должна начинаться с цифры, например 1500 или 1 500,50");

    while (i < end) {
        if (is_digit(s[i])) {
            unsigned d = (unsigned)(s[i] - '0');
            if (rub > (UINT64_MAX - d) / 10)
                return wh_error(WALOR_ERANGE, "Слишком большая сумма");
            rub = rub * 10 + d;
            ndig++;
            if (group >= 0)
                group++;
            i++;
            continue;
        }
        if ((n = group_sep(s + i)) != 0 && i + n < end && is_digit(s[i + n])) {
            /* "1 500" yes, "15 00" no: a typo there would change the price
             * a hundredfold, so groups after a separator must be whole. */
            if ((group >= 0 && group != 3) || (group < 0 && ndig > 3))
                return wh_error(WALOR_EINVAL, "Неверная группировка цифр: пишите 1 500 или 1500");
            group = 0;
            i += n;
            continue;
        }
        break;
    }
    if (group >= 0 && group != 3)
        return wh_error(WALOR_EINVAL, "Неверная группировка цифр: пишите 1 500 или 1500");

    if (i < end && (s[i] == ',' || s[i] == '.')) {
        i++;
        while (i < end && is_digit(s[i])) {
            if (ndec == 2)
                return wh_error(WALOR_EINVAL, "Не больше двух знаков после запятой (копейки)");
            cents = cents * 10 + (unsigned)(s[i] - '0');
            ndec++;
            i++;
        }
        if (ndec == 0)
            return wh_error(WALOR_EINVAL, "После запятой нужны копейки, например 1500,50");
        if (ndec == 1)
            cents *= 10;
    }
    if (i != end)
        return wh_error(WALOR_EINVAL, "Не понимаю сумму: введите число, например 1500 или 1 500,50");

    if (rub > (uint64_t)INT64_MAX / 100 || rub * 100 > (uint64_t)INT64_MAX - cents)
        return wh_error(WALOR_ERANGE, "Слишком большая сумма");
    *out_kop = (int64_t)(rub * 100 + cents);
    return 0;
}

int32_t wh_money_parse(const char *s, int64_t *out_kop)
{
    char *low;
    int32_t rc;

    if (!s || !out_kop)
        return wh_error(WALOR_EINVAL, "Введите сумму, например 1500 или 1 500,50");
    /* "1500 Руб", "1500 RUB": suffixes are matched lower-cased */
    low = wh_utf8_lower_dup(s);
    if (!low)
        return wh_error(WALOR_ENOMEM, "out of memory");
    rc = parse(low, out_kop);
    free(low);
    return rc;
}
