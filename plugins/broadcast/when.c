/* broadcast: scheduled times as typed (when.h). */
#include "when.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char FORMS[] = "напишите дату и время, например «25.12 18:30», «завтра 10:00» или «18:30» (сегодня)";

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    return s;
}

/* "HH:MM" at s, the whole rest of the string */
static int hhmm(const char *s, int *h, int *m)
{
    int n = 0;
    s = skip_spaces(s);
    if (sscanf(s, "%2d:%2d%n", h, m, &n) != 2 || *skip_spaces(s + n))
        return -1;
    return *h >= 0 && *h <= 23 && *m >= 0 && *m <= 59 ? 0 : -1;
}

int bc_when_parse(const char *s, int64_t now, int64_t *out, const char **why)
{
    *why = FORMS;
    if (!s)
        return -1;
    s = skip_spaces(s);
    time_t t = (time_t)now;
    struct tm today;
    if (!localtime_r(&t, &today))
        return -1;
    int y = today.tm_year + 1900, mo = today.tm_mon + 1, d = today.tm_mday, h, mi, n = 0;
    int ty, tmo, td; /* sscanf writes what it matched even when the rest fails */
    const char *rest = NULL;
    if (!strncmp(s, "сегодня", strlen("сегодня"))) {
        rest = s + strlen("сегодня");
    } else if (!strncmp(s, "завтра", strlen("завтра"))) {
        rest = s + strlen("завтра");
        d += 1; /* mktime carries into the next month */
    } else if (sscanf(s, "%4d-%2d-%2d%n", &ty, &tmo, &td, &n) == 3 && n == 10) {
        y = ty, mo = tmo, d = td;
        rest = s + n;
    } else if (sscanf(s, "%2d.%2d.%4d%n", &td, &tmo, &ty, &n) == 3) {
        y = ty < 100 ? ty + 2000 : ty, mo = tmo, d = td;
        rest = s + n;
    } else if (sscanf(s, "%2d.%2d%n", &td, &tmo, &n) == 2) {
        mo = tmo, d = td;
        rest = s + n;
    } else {
        rest = s; /* the time alone: today */
    }
    if (rest == s && strchr(s, '.'))
        return -1;
    if (rest != s && *rest != ' ' && *rest != '\t')
        return -1;
    if (hhmm(rest, &h, &mi) != 0)
        return -1;
    int tomorrow = rest != s && !strncmp(s, "завтра", strlen("завтра"));
    struct tm want = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
                      .tm_isdst = -1};
    struct tm check = want;
    time_t at = mktime(&want);
    if (at == (time_t)-1)
        return -1;
    /* 31.02 would roll over into March: such a day does not exist */
    if (!tomorrow && (want.tm_mday != check.tm_mday || want.tm_mon != check.tm_mon)) {
        *why = "такого дня нет в календаре";
        return -1;
    }
    if (y < 2000 || y > 2999) {
        *why = "год должен быть четырёхзначным, например 2026";
        return -1;
    }
    *out = (int64_t)at;
    *why = NULL;
    return 0;
}
