/* broadcast: audiences ("segments") as data and as SQL — pure, no host
 * calls; unit-tested in tests/unit/plugins/broadcast/test_bc_segment.c
 * against SQLite.
 *
 * Every segment is a query over the host's view walor_users (plugin guide,
 * "Data"): never someone who blocked the bot (blocked = 1 until they write
 * again). Segments about purchases read a set of user ids the caller filled
 * from the orders service beforehand (broadcast_set rows of one set id),
 * because orders are the orders plugin's and are reached only through it. */
#ifndef BC_SEGMENT_H
#define BC_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <walor/types.h>

enum {
    BC_SEG_ALL = 1,  /* everyone */
    BC_SEG_PAID,     /* with at least one sale (orders service: paid, not cancelled, not a tester's) */
    BC_SEG_NOORDERS, /* without a sale */
    BC_SEG_NEW,      /* registered in the last `days` days */
    BC_SEG_IDLE,     /* not seen in the bot for `days` days */
    BC_SEG_BOUGHT,   /* bought one of `products`, or a product of one of `categories` */
    BC_SEG_LINK,     /* came with the tracking link `link` (their first /start was link_<code>) */
    BC_SEG_TESTERS,  /* testers only */
    BC_SEG_MAX
};

#define BC_ITEMS_MAX 20        /* products + categories of one BOUGHT segment */
#define BC_DAYS_MAX 3650
#define BC_LINK_MAX 32

typedef struct bc_segment {
    int kind;
    int64_t days;                      /* NEW, IDLE: 1..BC_DAYS_MAX */
    char link[BC_LINK_MAX + 1];        /* LINK: the code, [A-Za-z0-9_] */
    int64_t products[BC_ITEMS_MAX];    /* BOUGHT */
    size_t nproducts;
    int64_t categories[BC_ITEMS_MAX];
    size_t ncategories;
} bc_segment;

/* "all", "paid", … ("" for none) and back; 0 for an unknown name */
const char *bc_segment_name(int kind);
int bc_segment_kind(const char *name);

/* {"kind": "new", "days": 7} / {"kind": "bought", "products": [12], "categories": [3]} /
 * {"kind": "link", "link": "BK"}: 0, or -1 with *why (static, Russian) */
int bc_segment_from_json(json_t *j, bc_segment *out, const char **why);
json_t *bc_segment_to_json(const bc_segment *s); /* new reference, NULL on OOM */

/* "12, p15 c3;p7" → products 12, 15, 7 and category 3: 0, or -1 with
 * *why (static, Russian) naming what is wrong */
int bc_items_parse(const char *text, bc_segment *out, const char **why);

/* Whether the segment reads the set filled from the orders service, and
 * which one: 0 none, 1 the customers with a sale (PAID, NOORDERS), 2 the
 * buyers of the segment's products and categories (BOUGHT). */
int bc_segment_set(const bc_segment *s);

/* The query of the segment's user ids ("SELECT u.id FROM walor_users u
 * WHERE …", ascending), its binds in args (at most BC_SQL_ARGS). now: the
 * host clock; set_id: the broadcast_set rows to read. 0, or -1 when s is
 * not valid (bad kind, days out of range, empty link). */
#define BC_SQL_ARGS 4
typedef struct bc_sql {
    char sql[384];
    walor_val args[BC_SQL_ARGS];
    uint32_t nargs;
} bc_sql;
int bc_segment_sql(const bc_segment *s, int64_t now, int64_t set_id, bc_sql *out);

#endif
