#include "status.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Codes from CDEK's API v2 documentation (EXTERNAL-APIS.md §1.7). The first
 * warehouse status has two spellings in the wild; both are here. */
static const struct {
    const char *code;
    chk_cdek_act act;
} TABLE[] = {
    {"ACCEPTED", CHK_ACT_NONE},
    {"CREATED", CHK_ACT_NONE},
    {"INVALID", CHK_ACT_NONE}, /* the waybill job reports refused data */
    {"RECEIVED_AT_SHIPMENT_WAREHOUSE", CHK_ACT_SHIPPED},
    {"RECEIVED_AT_SENDER_WAREHOUSE", CHK_ACT_SHIPPED},
    {"READY_FOR_SHIPMENT_IN_SENDER_CITY", CHK_ACT_SHIPPED},
    {"TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY", CHK_ACT_SHIPPED},
    {"SENT_TO_TRANSIT_CITY", CHK_ACT_SHIPPED},
    {"ACCEPTED_IN_TRANSIT_CITY", CHK_ACT_SHIPPED},
    {"ACCEPTED_AT_TRANSIT_WAREHOUSE", CHK_ACT_SHIPPED},
    {"SENT_TO_RECIPIENT_CITY", CHK_ACT_SHIPPED},
    {"ARRIVED_AT_RECIPIENT_CITY", CHK_ACT_SHIPPED},
    {"ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE", CHK_ACT_SHIPPED},
    {"TAKEN_BY_COURIER", CHK_ACT_SHIPPED},
    {"ACCEPTED_AT_PICK_UP_POINT", CHK_ACT_AT_POINT},
    {"POSTOMAT_POSTED", CHK_ACT_AT_POINT},
    {"DELIVERED", CHK_ACT_HANDED},
    {"POSTOMAT_RECEIVED", CHK_ACT_HANDED},
    {"NOT_DELIVERED", CHK_ACT_NOT_DELIVERED},
    {"POSTOMAT_SEIZED", CHK_ACT_RETURN},
    {"REMOVED", CHK_ACT_REMOVED},
};

chk_cdek_act chk_cdek_action(const char *code)
{
    if (!code || !*code)
        return CHK_ACT_NONE;
    for (size_t i = 0; i < sizeof TABLE / sizeof TABLE[0]; i++)
        if (strcmp(code, TABLE[i].code) == 0)
            return TABLE[i].act;
    /* RETURNED_TO_RECIPIENT_CITY_WAREHOUSE, RETURNED_TO_SENDER_CITY_WAREHOUSE,
     * RETURNED, … : CDEK adds return codes over time, every one needs staff */
    if (strstr(code, "RETURN"))
        return CHK_ACT_RETURN;
    /* the API guide: treat an unknown code as "in transit" */
    return CHK_ACT_SHIPPED;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    /* Howard Hinnant's algorithm: no time zone, no libc state */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t chk_cdek_time(const char *s)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n == 0)
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    const char *z = s + n;
    if (*z == '.') /* fractions of a second */
        while (*++z >= '0' && *z <= '9')
            ;
    int off = 0;
    if (*z == '+' || *z == '-') {
        int oh, om;
        if (sscanf(z + 1, "%2d:%2d", &oh, &om) != 2 && sscanf(z + 1, "%2d%2d", &oh, &om) != 2)
            return 0;
        off = (oh * 60 + om) * 60 * (*z == '-' ? -1 : 1);
    } else if (*z != 'Z' && *z != '\0') {
        return 0;
    }
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
}
