/* crm: the `crm` service (<walor/services/crm.h>): other plugins' staff
 * screens open the client card (an order, a ticket, a booking), broadcasts
 * list the tracking links. */
#include "crm.h"

static int32_t open_card(walor_ctx *c, int64_t user_id, const char *back_data)
{
    /* the caller's own button may be open to more roles than the card is */
    if (walor_ctx_role(c) < WALOR_ROLE_MANAGER)
        return WALOR_EPERM;
    return crm_card_show(c, user_id, back_data);
}

static const char *card_data(walor_ctx *c, int64_t user_id, const char *back_data)
{
    return crm_card_data(c, user_id, back_data);
}

static const walor_crm_v1 SERVICE = {
    .struct_size = sizeof SERVICE,
    .open_card = open_card,
    .card_data = card_data,
    .links = crm_links_svc,
};

int32_t crm_service_register(walor_plugin *p)
{
    return walor_service_provide(p, WALOR_CRM_SERVICE, WALOR_CRM_MAJOR, WALOR_CRM_MINOR, &SERVICE);
}
