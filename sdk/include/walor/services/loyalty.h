/* The `loyalty` service, major 1: a customer's bonuses and personal
 * discount, for the CRM's client card (F-CRM-06).
 *
 *   #include <walor/services/loyalty.h>
 *
 * Provided by the `loyalty` plugin; used by `crm` (the client card shows
 * the balance and the discount and lets staff change them). Look it up with
 *
 *   const walor_loyalty_v1 *l = walor_service_get(walor_ctx_plugin(c), WALOR_LOYALTY_SERVICE,
 *                                                 WALOR_LOYALTY_MAJOR, NULL);
 *
 * and without a provider leave the loyalty lines off the card.
 *
 * ABI rules as in stock.h: fixed-width types; the table and the structs
 * begin with struct_size and grow only at the end (probe table members
 * with WALOR_LOYALTY_HAS(); fill a struct you pass with .struct_size =
 * sizeof x).
 *
 * Threads and ownership: every function is [cb]: it runs with the caller's
 * ctx, inside the caller's open transaction if there is one (otherwise a
 * changing function opens and commits its own). Strings passed in are
 * borrowed for the call; everything returned lives in the caller's ctx
 * arena. Money is int64 kopecks, times UTC epoch seconds.
 *
 * Staff changes: add_bonus() and set_discount() write the provider's
 * ledger with walor_user_id(c) as the author and the reason given, and an
 * entry in the host's action log; the customer is told in a message.
 * Checking that the acting user is staff is the caller's job (its own
 * buttons declare min_role). */
#ifndef WALOR_SERVICES_LOYALTY_H
#define WALOR_SERVICES_LOYALTY_H

#include <stddef.h>
#include <stdint.h>

#include "../plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR_LOYALTY_SERVICE "loyalty"
#define WALOR_LOYALTY_MAJOR 1u
#define WALOR_LOYALTY_MINOR 1u

/* What the client card shows about a customer. */
typedef struct walor_loyalty_info {
    uint32_t struct_size;     /* set by the caller: sizeof(walor_loyalty_info) as it was built */
    int32_t discount_pct;     /* personal discount, 0-99 */
    int64_t balance;          /* bonuses, kopecks, >= 0 */
    int64_t earned;           /* all accruals ever (cashback, referral, staff additions) */
    int64_t spent;            /* all bonuses spent on orders (net of cancellations) */
    int64_t referrer_id;      /* who invited this customer, 0 = nobody */
    int64_t friends;          /* customers this one invited */
} walor_loyalty_info;

/* infos() (1.1): one call per customer, info borrowed until it returns (its
 * struct_size is the provider's); a non-zero return stops the stream */
typedef int32_t (*walor_loyalty_info_fn)(void *ud, int64_t user_id, const walor_loyalty_info *info);

typedef struct walor_loyalty_v1 {
    uint32_t struct_size;     /* sizeof(walor_loyalty_v1) as the provider was built */
    uint32_t reserved;        /* 0 */

    /* ---- 1.0 ---- */

    /* Fill *out (its struct_size set by the caller; members past it are
     * left alone). A customer the plugin never saw has zeros: 0. */
    int32_t (*info)(walor_ctx *c, int64_t user_id, walor_loyalty_info *out);

    /* Add (amount > 0) or take away (amount < 0) bonuses by hand. reason
     * (1-200 bytes, plain text) is kept in the ledger and shown to the
     * customer. WALOR_ERANGE when it would take the balance below zero,
     * WALOR_EINVAL for amount 0 or a missing reason, WALOR_ENOTFOUND for a
     * user who never started the bot. *out_balance (may be NULL) is the
     * new balance. */
    int32_t (*add_bonus)(walor_ctx *c, int64_t user_id, int64_t amount, const char *reason, int64_t *out_balance);

    /* Set the personal discount (0-99 %, 0 removes it), applied in every
     * later quote after the product discounts (plugins/loyalty/README.md,
     * "Порядок скидок"). WALOR_ERANGE outside 0-99, WALOR_ENOTFOUND for an
     * unknown user. */
    int32_t (*set_discount)(walor_ctx *c, int64_t user_id, int32_t pct);

    /* ---- 1.1 ---- */

    /* info() of every customer with bonuses, a personal discount or a
     * referral (as referrer or friend), by user id, in one pass: for
     * reports over the whole client base (the CRM's export). Customers
     * not streamed have zeros. Run it outside a transaction. */
    int32_t (*infos)(walor_ctx *c, walor_loyalty_info_fn fn, void *ud);
} walor_loyalty_v1;

#define WALOR_LOYALTY_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_loyalty_v1, m) + sizeof((s)->m) && (s)->m != NULL)

#ifdef __cplusplus
}
#endif
#endif
