/* The `bookings` service, major 1: what CRM and analytics read about
 * clients' bookings of services (F-BOOK-04, F-CRM-03).
 *
 *   #include <walor/services/bookings.h>
 *
 * Provided by the `bookings` plugin. It is optional for its readers: look
 * it up when you need it, and go on without it when it is not loaded:
 *
 *   const walor_bookings_v1 *b = walor_service_get(walor_ctx_plugin(c), WALOR_BOOKINGS_SERVICE,
 *                                                  WALOR_BOOKINGS_MAJOR, NULL);
 *   if (WALOR_BOOKINGS_HAS(b, client_totals)) b->client_totals(c, user_id, &n, &sum);
 *
 * ABI rules as in orders.h: fixed-width types; the table and structs begin
 * with struct_size and grow only at the end (probe members with
 * WALOR_BOOKINGS_HAS(); read a struct's newer members only when its
 * struct_size covers them); arrays of walor_booking_item are stepped with
 * walor_booking_item_at().
 *
 * Threads and ownership: every function is [cb]: it runs with the caller's
 * ctx, inside the caller's transaction if one is open, and only reads.
 * Everything returned lives in the caller's ctx arena. Money is int64
 * kopecks, times UTC epoch seconds.
 *
 * Statuses, as strings here, in the event and in the DB:
 *   "pending" (waits for staff) → "confirmed" → "completed" (with the final
 *   price); "cancelled" from pending or confirmed.
 *
 * Event `booking.changed` (aggregate "booking:<id>"), emitted in the
 * transaction of every change of status — including the booking's creation
 * — and of every change of time (a reschedule the client accepted):
 *   {"v":1, "booking_id":int, "client_id":int, "service_id":int,
 *    "service_name":str, "status":"pending|confirmed|completed|cancelled",
 *    "price":int (kopecks: the list price; the final price once completed),
 *    "starts_at":epoch, "completed_at":epoch|null}
 * Keep one fact per booking_id and let the latest event replace it: a
 * booking completed and later cancelled by staff is not revenue. Ignore
 * fields you do not know. */
#ifndef WALOR_SERVICES_BOOKINGS_H
#define WALOR_SERVICES_BOOKINGS_H

#include <stddef.h>
#include <stdint.h>

#include "../plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR_BOOKINGS_SERVICE "bookings"
#define WALOR_BOOKINGS_MAJOR 1u
#define WALOR_BOOKINGS_MINOR 0u

/* One booking in a client's history. */
typedef struct walor_booking_item {
    uint32_t struct_size; /* sizeof(walor_booking_item) as the provider was built */
    uint32_t reserved;
    int64_t id;
    const char *service_name; /* plain text, as booked */
    const char *status;       /* see above */
    int64_t starts_at;
    int64_t price;        /* kopecks: the final price when completed */
    int64_t completed_at; /* 0 unless completed */
} walor_booking_item;

typedef struct walor_bookings_v1 {
    uint32_t struct_size; /* sizeof(walor_bookings_v1) as the provider was built */
    uint32_t reserved;    /* 0 */

    /* ---- 1.0 ---- */

    /* Completed bookings of a client: how many and the sum of their final
     * prices. 0 and zeros for a client without any. */
    int32_t (*client_totals)(walor_ctx *c, int64_t client_id, int64_t *count, int64_t *sum);

    /* Completed bookings whose completion time is in [from, to): how many
     * and their sum. */
    int32_t (*period_totals)(walor_ctx *c, int64_t from, int64_t to, int64_t *count, int64_t *sum);

    /* A client's bookings, newest start first, for CRM's history: at most
     * limit (1-100) from offset; *total is how many there are in all. */
    int32_t (*client_list)(walor_ctx *c, int64_t client_id, uint32_t offset, uint32_t limit, walor_booking_item **out,
                           uint32_t *n, int64_t *total);

    /* Callback data ("<prefix>:<payload>", arena) of a button that opens
     * the booking's staff card (manager role), or NULL for an unknown id:
     * put it on a history row's button. */
    const char *(*card_callback)(walor_ctx *c, int64_t booking_id);
} walor_bookings_v1;

#define WALOR_BOOKINGS_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_bookings_v1, m) + sizeof((s)->m) && (s)->m != NULL)

static inline const walor_booking_item *walor_booking_item_at(const walor_booking_item *items, uint32_t i)
{
    return (const walor_booking_item *)(const void *)((const char *)items + (size_t)i * items->struct_size);
}

#ifdef __cplusplus
}
#endif
#endif
