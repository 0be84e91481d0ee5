/* loyalty: the pure arithmetic (calc.h). */
#include "calc.h"

#include <string.h>

#define MONEY_MAX (INT64_MAX / 200) /* room for × 100 and a sum of a few of them */

static int64_t pct_of(int64_t amount, int64_t pct, int half_up)
{
    if (amount < 0 || pct < 0 || pct > 100 || amount > MONEY_MAX)
        return -1;
    return (amount * pct + (half_up ? 50 : 0)) / 100;
}

int64_t loy_pct_half_up(int64_t amount, int64_t pct) { return pct_of(amount, pct, 1); }
int64_t loy_pct_floor(int64_t amount, int64_t pct) { return pct_of(amount, pct, 0); }

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

int loy_adjust(const loy_adj_in *in, loy_adj_out *out)
{
    memset(out, 0, sizeof *out);
    if (in->goods < 0 || in->goods > MONEY_MAX || in->personal_pct < 0 || in->personal_pct > 99 ||
        in->promo_pct < 0 || in->promo_pct > 100 || in->cert_value < 0 || in->bonus_balance < 0 ||
        in->bonus_wanted < LOY_BONUS_ALL || in->bonus_share_pct < 0 || in->bonus_share_pct > 100)
        return -1;
    int64_t left = in->goods;
    out->personal = loy_pct_half_up(left, in->personal_pct);
    left -= out->personal;
    out->promo = loy_pct_half_up(left, in->promo_pct);
    left -= out->promo;
    out->cert = min64(in->cert_value, left);
    left -= out->cert;
    int64_t cap = min64(loy_pct_floor(left, in->bonus_share_pct), in->bonus_balance);
    out->bonus = in->bonus_wanted == LOY_BONUS_ALL ? cap : min64(in->bonus_wanted, cap);
    left -= out->bonus;
    out->goods_to_pay = left;
    return 0;
}

static const char *skip_sp(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int read_int(const char **ps, int64_t *v)
{
    const char *s = *ps;
    if (*s < '0' || *s > '9')
        return -1;
    int64_t x = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (x > 100000000000LL)
            return -1;
        x = x * 10 + (*s - '0');
    }
    *v = x;
    *ps = s;
    return 0;
}

int loy_tiers_parse(const char *spec, loy_tier *out, int max, const char **why)
{
    int n = 0;
    const char *s = skip_sp(spec ? spec : "");
    while (*s) {
        int64_t f = 0, rub = 0;
        if (read_int(&s, &f) < 0 || f < 1) {
            *why = "ожидалось «друзей:рублей», например «3:500»";
            return -1;
        }
        s = skip_sp(s);
        if (*s != ':') {
            *why = "ожидалось «друзей:рублей», например «3:500»";
            return -1;
        }
        s = skip_sp(s + 1);
        if (read_int(&s, &rub) < 0 || rub < 1 || rub > 1000000000) {
            *why = "бонус ступени — целое число рублей больше нуля";
            return -1;
        }
        if (n >= max) {
            *why = "слишком много ступеней";
            return -1;
        }
        if (n > 0 && f <= out[n - 1].friends) {
            *why = "число друзей должно расти от ступени к ступени";
            return -1;
        }
        out[n].friends = f;
        out[n].bonus = rub * 100;
        n++;
        s = skip_sp(s);
        if (*s == ';' || *s == ',')
            s = skip_sp(s + 1);
        else if (*s) {
            *why = "ступени разделяются «;»";
            return -1;
        }
    }
    return n;
}

int loy_parse_rub(const char *s, int64_t *kopecks)
{
    int64_t rub = 0, kop = 0;
    int digits = 0;
    s = skip_sp(s);
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (rub > 1000000000LL)
                return -1;
            rub = rub * 10 + (*s - '0');
            digits++;
        } else if (*s == ' ' && digits && s[1] >= '0' && s[1] <= '9') {
            continue; /* thousands separator */
        } else if (!strncmp(s, "\xC2\xA0", 2) && digits) {
            s++;      /* a no-break space from a copied figure */
        } else {
            break;
        }
    }
    if (!digits)
        return -1;
    if (*s == ',' || *s == '.') {
        s++;
        int k = 0;
        while (*s >= '0' && *s <= '9' && k < 2) {
            kop = kop * 10 + (*s - '0');
            s++;
            k++;
        }
        if (k == 0)
            return -1;
        if (k == 1)
            kop *= 10;
    }
    s = skip_sp(s);
    if (!strncmp(s, "\xE2\x82\xBD", 3)) /* ₽ */
        s = skip_sp(s + 3);
    else if (!strncmp(s, "\xD1\x80\xD1\x83\xD0\xB1", 6)) /* руб */
        s = skip_sp(s + 6);
    if (*s == '.')
        s = skip_sp(s + 1);
    if (*s || rub > 1000000000LL)
        return -1;
    *kopecks = rub * 100 + kop;
    return 0;
}
