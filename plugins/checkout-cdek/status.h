/* checkout-cdek: what a CDEK status code means for the order (README.md
 * "CDEK statuses"). Pure: unit-tested in
 * tests/unit/plugins/checkout-cdek/test_checkout_status.c. */
#ifndef CHECKOUT_CDEK_STATUS_H
#define CHECKOUT_CDEK_STATUS_H

#include <stdint.h>

typedef enum chk_cdek_act {
    CHK_ACT_NONE,          /* registered, not yet with CDEK: nothing to do */
    CHK_ACT_SHIPPED,       /* in transit (also any code we do not know): order → shipped */
    CHK_ACT_AT_POINT,      /* waiting at the pickup point: order → delivered, customer told where and until when */
    CHK_ACT_HANDED,        /* handed over to the customer: order → completed */
    CHK_ACT_NOT_DELIVERED, /* the courier or the point could not hand it over: staff alerted */
    CHK_ACT_RETURN,        /* on its way back to the shop: staff alerted */
    CHK_ACT_REMOVED        /* deleted in CDEK: staff alerted */
} chk_cdek_act;

chk_cdek_act chk_cdek_action(const char *code);

/* "2024-05-03T09:14:00+0700" (CDEK's date_time, also with ':' in the
 * offset or 'Z') → UTC epoch seconds; 0 when it does not parse */
int64_t chk_cdek_time(const char *s);

#endif
