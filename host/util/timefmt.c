#include "timefmt.h"

#include <string.h>
#include <time.h>

static const char *const WD_SHORT[7] = {"вс", "пн", "вт", "ср", "чт", "пт", "сб"};
static const char *const WD_LONG[7] = {"воскресенье", "понедельник", "вторник", "среда",
                                       "четверг",     "пятница",     "суббота"};
static const char *const MON_SHORT[12] = {"янв", "фев", "мар", "апр", "мая", "июн",
                                          "июл", "авг", "сен", "окт", "ноя", "дек"};
static const char *const MON_GEN[12] = {"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                                        "июля",   "августа", "сентября", "октября", "ноября", "декабря"};
static const char *const MON_NOM[12] = {"январь", "февраль", "март",     "апрель",  "май",    "июнь",
                                        "июль",   "август",  "сентябрь", "октябрь", "ноябрь", "декабрь"};

/* the Russian name a conversion at f stands for (*len: how many bytes of
 * fmt it takes), NULL when strftime is to do it */
static const char *name_of(const char *f, const struct tm *tm, size_t *len)
{
    *len = 2;
    switch (f[1]) {
    case 'a':
        return WD_SHORT[tm->tm_wday % 7];
    case 'A':
        return WD_LONG[tm->tm_wday % 7];
    case 'b':
    case 'h':
        return MON_SHORT[tm->tm_mon % 12];
    case 'B':
        return MON_GEN[tm->tm_mon % 12];
    case 'O':
        *len = 3;
        return f[2] == 'B' ? MON_NOM[tm->tm_mon % 12] : NULL;
    default:
        return NULL;
    }
}

size_t wh_time_format(char *buf, size_t n, int64_t t, const char *fmt)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char spec[512];
    size_t o = 0;
    if (!buf || n == 0 || !fmt || (int64_t)tt != t || !localtime_r(&tt, &tm))
        return 0;
    /* the names go into the format as text ('%' never occurs in them) */
    for (const char *f = fmt; *f; f++) {
        size_t len = 0;
        const char *name = *f == '%' ? name_of(f, &tm, &len) : NULL;
        size_t add = name ? strlen(name) : *f == '%' && f[1] ? 2 : 1;
        if (o + add >= sizeof spec)
            return 0;
        if (name) {
            memcpy(spec + o, name, add);
            f += len - 1;
        } else {
            memcpy(spec + o, f, add);
            f += add - 1;
        }
        o += add;
    }
    spec[o] = '\0';
    size_t r = strftime(buf, n, spec, &tm);
    if (r == 0)
        buf[0] = '\0';
    return r;
}
