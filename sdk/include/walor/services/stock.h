/* The `stock` service, major 1: stock levels of products and their variants.
 *
 *   #include <walor/services/stock.h>
 *
 * Provided by the `warehouse` plugin (the stock ledger is its truth), used by
 * `catalog` (cards, cart), `checkout` and `orders`. It is optional for a
 * consumer: look it up with
 *
 *   const walor_stock_v1 *s = walor_service_get(walor_ctx_plugin(c), WALOR_STOCK_SERVICE,
 *                                               WALOR_STOCK_MAJOR, NULL);
 *
 * and treat NULL as "no warehouse: everything is in stock, nothing is
 * reserved". A provider registers its table in load():
 *
 *   static const walor_stock_v1 tbl = {.struct_size = sizeof tbl, .available = …, …};
 *   walor_service_provide(p, WALOR_STOCK_SERVICE, WALOR_STOCK_MAJOR, WALOR_STOCK_MINOR, &tbl);
 *
 * ABI rules are those of the SDK (ARCHITECTURE.md §3, docs/plugin-guide.md
 * "SDK stability"): fixed-width types only; the table begins with
 * struct_size and only ever grows at the end (a new minor); a consumer
 * built against a newer minor probes a member with WALOR_STOCK_HAS().
 * walor_stock_line travels in arrays, so its size never changes.
 *
 * Addressing: a stock item is (product_id, variant_no). variant_no is the
 * catalog's variant number (1, 2, … within the product); 0 is the product
 * itself when it has no variants.
 *
 * Threads and ownership: every function is [cb]: it runs on the caller's
 * worker with the caller's walor_ctx, inside the caller's open transaction
 * if there is one (a service call is a plain function call). Arrays and
 * strings passed in are borrowed for the duration of the call; nothing is
 * returned that the caller must free. Functions that change stock write
 * ledger rows and emit `stock.changed` (below) in the caller's transaction,
 * so a rollback by the caller undoes the stock change and its event. When
 * called without an open transaction, a changing function opens and commits
 * its own.
 *
 * Errors are the SDK's negative WALOR_E* codes; walor_last_error() has the
 * detail:
 *   WALOR_ENOTFOUND  unknown product/variant, or no reservation for the order
 *   WALOR_ERANGE     not enough stock (reserve, write_off)
 *   WALOR_EINVAL     bad argument (qty <= 0, n == 0, lines == NULL)
 *   WALOR_EBUSY      the database stayed locked past busy_timeout
 *   WALOR_EDB        database error
 *
 * Event `stock.changed` (aggregate "stock:<product_id>"), emitted by the
 * provider for every change of an item's available quantity:
 *   {"v": 1, "product_id": <int>, "variant_no": <int>, "before": <int>, "after": <int>,
 *    "reason": "supply" | "writeoff" | "sale" | "reserve" | "release" | "edit" |
 *              "stocktake" | "restock" | "b2b"}
 * ("reason" may be absent; subscribers must ignore fields they do not know.)
 * Catalog's back-in-stock pushes fire when before <= 0 and after > 0.
 *
 * Reports (1.2, used by `analytics`): moves() streams the ledger of a
 * period, levels() the stock of every item at a moment; both stream rows
 * through a callback so that a report over millions of rows stays small. */
#ifndef WALOR_SERVICES_STOCK_H
#define WALOR_SERVICES_STOCK_H

#include <stddef.h>
#include <stdint.h>

#include "../plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR_STOCK_SERVICE "stock"
#define WALOR_STOCK_MAJOR 1u
#define WALOR_STOCK_MINOR 2u

/* available(): the item exists but its stock is not kept (a service, a
 * digital good, a product the warehouse was told not to track). Consumers
 * treat it as "always in stock" and never show a quantity. */
#define WALOR_STOCK_UNTRACKED INT64_MAX

/* One line of a reservation or write-off. Never grows (travels in arrays). */
typedef struct walor_stock_line {
    int64_t product_id;
    int64_t variant_no;   /* 0 = the product itself (no variants) */
    int64_t qty;          /* > 0 */
} walor_stock_line;

/* ---- 1.2: reports ---- */

/* Ledger kinds as bits, for moves() */
#define WALOR_STOCK_K_SUPPLY    0x001u
#define WALOR_STOCK_K_WRITEOFF  0x002u
#define WALOR_STOCK_K_SALE      0x004u
#define WALOR_STOCK_K_RESERVE   0x008u  /* no change of on hand: reserved for an order */
#define WALOR_STOCK_K_RELEASE   0x010u  /* no change of on hand: a reservation given back */
#define WALOR_STOCK_K_EDIT      0x020u
#define WALOR_STOCK_K_STOCKTAKE 0x040u
#define WALOR_STOCK_K_RESTOCK   0x080u  /* goods of a cancelled order back on the shelf */
#define WALOR_STOCK_K_B2B       0x100u
#define WALOR_STOCK_K_ALL       0x1FFu

/* One ledger row: a movement of one stock item. */
typedef struct walor_stock_move {
    uint32_t struct_size;       /* sizeof(walor_stock_move) as the provider was built */
    uint32_t kind_bit;          /* the WALOR_STOCK_K_* of kind */
    int64_t id;                 /* grows with time */
    int64_t at;                 /* UTC epoch seconds */
    int64_t product_id;
    int64_t variant_no;
    const char *kind;           /* "supply", "writeoff", "sale", … (stock.changed's reasons) */
    int64_t qty;                /* change of on hand: a sale or write-off is negative */
    int64_t reserved;           /* change of the reserved quantity */
    int64_t stock_after;        /* on hand after it */
    int64_t unit_cost;          /* the weighted-average unit cost after it (a sale keeps the cost it
                                   sold at), kopecks */
    int64_t staff_id;           /* Telegram id, 0 for the system */
    int64_t order_id;           /* 0 = none */
    int64_t supply_id;          /* 0 = none */
    const char *comment;        /* "" when none */
} walor_stock_move;
typedef int32_t (*walor_stock_move_fn)(void *ud, const walor_stock_move *m);

/* One stock item's level at a moment. */
typedef struct walor_stock_level {
    uint32_t struct_size;
    int32_t deleted;            /* the catalog deleted the product (its levels are kept) */
    int64_t product_id;
    int64_t variant_no;
    int64_t on_hand;            /* physically there, reserved units included */
    int64_t reserved;
    int64_t unit_cost;          /* weighted-average, kopecks */
} walor_stock_level;
typedef int32_t (*walor_stock_level_fn)(void *ud, const walor_stock_level *l);

typedef struct walor_stock_v1 {
    uint32_t struct_size;  /* sizeof(walor_stock_v1) as the provider was built */
    uint32_t reserved;     /* 0 */

    /* ---- 1.0 ---- */

    /* Available quantity now (on hand minus reserved), >= 0, or
     * WALOR_STOCK_UNTRACKED. An item the warehouse has never heard of is 0
     * ("not received yet"), not an error; WALOR_ENOTFOUND only when the
     * provider knows the product does not exist. */
    int32_t (*available)(walor_ctx *c, int64_t product_id, int64_t variant_no, int64_t *out_qty);

    /* Reserve every line for order_id, or nothing: if any line lacks stock
     * the whole call fails with WALOR_ERANGE, no line is reserved, and
     * *out_failed (may be NULL) is the 0-based index of the first line that
     * could not be served (UINT32_MAX on other errors). Stock never goes
     * below zero, also with two callers racing for the last unit: the
     * provider checks and decrements under the database write lock of the
     * caller's transaction (call it inside walor_tx_begin/commit). Lines of
     * the same item are summed. Untracked items always succeed. Reserving
     * again for the same order adds to its reservation. */
    int32_t (*reserve)(walor_ctx *c, int64_t order_id, const walor_stock_line *lines, uint32_t n,
                       uint32_t *out_failed);

    /* Give back everything reserved for order_id (order cancelled before it
     * was paid, payment timed out). Releasing an order with nothing reserved
     * is success (0): callers may retry. */
    int32_t (*release)(walor_ctx *c, int64_t order_id);

    /* Turn the reservation of order_id into a sale: the quantity leaves the
     * stock for good and the cost of goods is recorded at the current
     * weighted-average unit cost. Idempotent: committing an order already
     * sold is 0; one with no reservation is WALOR_ENOTFOUND. */
    int32_t (*commit)(walor_ctx *c, int64_t order_id);

    /* Put back what order_id sold (an order cancelled after it was paid or
     * shipped, goods returned). Idempotent per order; WALOR_ENOTFOUND if the
     * order sold nothing. comment (may be NULL) goes to the ledger. */
    int32_t (*restock)(walor_ctx *c, int64_t order_id, const char *comment);

    /* Write off lines (spoiled, lost, tester samples), all or none, with
     * WALOR_ERANGE and *out_failed as in reserve() when a line exceeds the
     * available stock. comment (may be NULL) goes to the ledger; the acting
     * staff member is walor_user_id(c). */
    int32_t (*write_off)(walor_ctx *c, const walor_stock_line *lines, uint32_t n, const char *comment,
                         uint32_t *out_failed);

    /* ---- 1.1 ---- */

    /* commit() recorded under another ledger kind: "b2b" for an offline or
     * corporate sale (F-ORD-08), so stock reports tell it from shop sales;
     * "sale" is plain commit(). Other kinds are WALOR_EINVAL. Probe with
     * WALOR_STOCK_HAS(s, commit_as) and fall back to commit(). */
    int32_t (*commit_as)(walor_ctx *c, int64_t order_id, const char *kind);

    /* ---- 1.2 ---- */

    /* Stream the ledger rows of [from, to) (UTC epoch s) whose kind is in
     * `kinds` (WALOR_STOCK_K_* bits), oldest first (by time, then ledger
     * order), without holding them
     * in memory; the row is borrowed until fn returns, and a non-zero
     * return stops the stream and is returned. Run it outside a
     * transaction (it reads while others write). */
    int32_t (*moves)(walor_ctx *c, int64_t from, int64_t to, uint32_t kinds, walor_stock_move_fn fn, void *ud);

    /* Stream every stock item's level as it was just before `at` (its last
     * ledger row before at), or now with at = 0, by product and variant.
     * Items with no ledger row before `at` are left out; deleted products
     * are in, flagged. */
    int32_t (*levels)(walor_ctx *c, int64_t at, walor_stock_level_fn fn, void *ud);
} walor_stock_v1;

/* 1 when the table `s` has member `m` (a consumer built against a newer
 * minor than the provider's). */
#define WALOR_STOCK_HAS(s, m) \
    ((s) != NULL && (s)->struct_size >= offsetof(walor_stock_v1, m) + sizeof((s)->m) && (s)->m != NULL)

#ifdef __cplusplus
}
#endif
#endif
