/* The `crm` service, major 1: the client card for other plugins' staff
 * screens (an order, a support ticket, a booking), and the shop's tracking
 * links for audiences (broadcasts).
 *
 *   #include <walor/services/crm.h>
 *
 * Provided by the `crm` plugin. Look it up when the button is drawn or
 * pressed, not in load() — without a provider keep your own short screen:
 *
 *   const walor_crm_v1 *crm = walor_service_get(walor_ctx_plugin(c), WALOR_CRM_SERVICE, WALOR_CRM_MAJOR, NULL);
 *   if (WALOR_CRM_HAS(crm, open_card))
 *       return crm->open_card(c, o->user_id, walor_ctx_printf(c, "ord:o:%lld", (long long)o->id));
 *
 * ABI rules as in stock.h: fixed-width types; the table and the structs
 * begin with struct_size and grow only at the end (probe members with
 * WALOR_CRM_HAS()).
 *
 * Threads and ownership: every function is [cb]: it runs with the caller's
 * ctx; strings passed in are borrowed for the call, everything returned
 * lives in the caller's ctx arena. The card is a staff screen: open_card()
 * refuses a caller below WALOR_ROLE_MANAGER itself, and the card's buttons
 * carry the crm plugin's callback prefix, whose role (MANAGER) the host
 * checks at every press. */
#ifndef WALOR_SERVICES_CRM_H
#define WALOR_SERVICES_CRM_H

#include <stddef.h>
#include <stdint.h>

#include "../plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR_CRM_SERVICE "crm"
#define WALOR_CRM_MAJOR 1u
#define WALOR_CRM_MINOR 0u

/* A tracking link: t.me/<bot>?start=link_<code>. A customer whose first
 * /start came through it has walor_users.start_payload "link_<code>" (the
 * code as created; compare case-insensitively). */
typedef struct walor_crm_link {
    uint32_t struct_size;       /* sizeof(walor_crm_link) as the provider was built */
    int32_t archived;           /* 1: hidden from the list of active links (clicks still count) */
    int64_t id;
    const char *code;           /* [A-Za-z0-9_]{1,32}, as created: "BK" */
    const char *title;          /* plain text: "Реклама ВК" */
} walor_crm_link;

typedef struct walor_crm_v1 {
    uint32_t struct_size;       /* sizeof(walor_crm_v1) as the provider was built */
    uint32_t reserved;          /* 0 */

    /* ---- 1.0 ---- */

    /* Show the client card of user_id to the staff member acting in c: the
     * pressed message is edited in place after a button, otherwise a new
     * message is sent. back_data (may be NULL) is the callback data of the
     * card's "⬅️ Назад" — the caller's own screen ("ord:o:42") — and NULL
     * goes back to the CRM section. WALOR_EPERM (nothing shown) when the
     * acting user is not staff; a user who never started the bot gets a
     * "not found" screen and WALOR_ENOTFOUND. */
    int32_t (*open_card)(walor_ctx *c, int64_t user_id, const char *back_data);

    /* Callback data of a button that opens the same card with the same
     * back (arena; the host stores data over 64 bytes behind a token). */
    const char *(*card_data)(walor_ctx *c, int64_t user_id, const char *back_data);

    /* The tracking links, newest first, the archived ones too when
     * include_archived is 1: *out (arena, stepped with
     * walor_crm_link_at()) is NULL when *n is 0. */
    int32_t (*links)(walor_ctx *c, int32_t include_archived, walor_crm_link **out, uint32_t *n);
} walor_crm_v1;

#define WALOR_CRM_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_crm_v1, m) + sizeof((s)->m) && (s)->m != NULL)

static inline const walor_crm_link *walor_crm_link_at(const walor_crm_link *links, uint32_t i)
{
    return (const walor_crm_link *)(const void *)((const char *)links + (size_t)i * links->struct_size);
}

#ifdef __cplusplus
}
#endif
#endif
