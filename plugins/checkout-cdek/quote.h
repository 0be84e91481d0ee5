/* checkout-cdek: the pure arithmetic of a checkout (no host calls), unit-
 * tested in tests/unit/plugins/checkout-cdek/test_checkout_quote.c:
 *   - the parcel (F-CHK-07): weight and box of an order;
 *   - free-delivery thresholds (F-CHK-08);
 *   - the quote: goods, product discounts, adjustments, delivery, total;
 *   - the haversine distance for the nearest pickup points (F-CHK-05).
 * Money is int64 kopecks, weights grams, sizes centimetres. */
#ifndef CHECKOUT_QUOTE_H
#define CHECKOUT_QUOTE_H

#include <stddef.h>
#include <stdint.h>

/* ---- parcel (F-CHK-07) ----
 * weight = ceil((Σ unit weight × qty + 40 g per started 5 units) × 1.1) + box.
 * The box is the first row of the table whose max_g is >= the packed weight
 * before the box (the rows sorted by max_g); heavier parcels take the last. */
#define CHK_INNER_G_PER_5 40
#define CHK_BOXES_MAX 8

typedef struct chk_box {
    int64_t max_g;        /* packed goods up to this weight */
    int64_t weight_g;     /* the box itself */
    int32_t length, width, height;
} chk_box;

typedef struct chk_parcel {
    int64_t goods_g;      /* Σ weight × qty */
    int64_t inner_g;      /* 40 g per started 5 units */
    int64_t wrapped_g;    /* (goods + inner) × 1.1, rounded up */
    int64_t weight_g;     /* wrapped + box: what CDEK gets */
    int32_t box;          /* index into the table */
    int32_t length, width, height;
} chk_parcel;

/* "max_g:box_g:LxWxH" rows separated by ';' (spaces allowed), at least one,
 * increasing max_g: "1000:150:20x15x10; 30000:400:40x30x25". Returns the
 * number of rows, or -1 with *why (static) on a malformed table. */
int chk_boxes_parse(const char *spec, chk_box *out, int max, const char **why);

/* qty[i] units of weight_g[i] grams; n lines; boxes from chk_boxes_parse.
 * Returns 0, or -1 on a negative weight/quantity or an empty box table. */
int chk_parcel_compute(const int64_t *weight_g, const int64_t *qty, size_t n, const chk_box *boxes, int nboxes,
                       chk_parcel *out);

/* ---- free delivery (F-CHK-08) ----
 * Moscow: free when the goods sum reaches a fixed threshold (0 = never).
 * Regions: free when the delivery cost is at most pct % of the goods sum
 * (0 = never). "Goods sum" is what the customer pays for the goods (after
 * every discount), without delivery. */
typedef struct chk_free_rule {
    int64_t moscow_pickup;    /* kopecks, 0 = off */
    int64_t moscow_courier;   /* kopecks, 0 = off */
    int32_t region_pickup_pct;  /* 0-100, 0 = off */
    int32_t region_courier_pct; /* 0-100, 0 = off */
} chk_free_rule;

#define CHK_PICKUP  0
#define CHK_COURIER 1

/* 1 when delivery is free; else 0 and *left (may be NULL) is how much more
 * the goods must cost for it to become free, or -1 when no threshold
 * applies. cost is the carrier's price (>= 0). */
int chk_free_delivery(const chk_free_rule *r, int moscow, int kind, int64_t goods, int64_t cost, int64_t *left);

/* ---- the quote ---- */
typedef struct chk_qline {
    int64_t base_price;   /* per unit before the product discount */
    int64_t unit_price;   /* after it */
    int64_t qty;
} chk_qline;

typedef struct chk_qadj {
    int32_t kind;         /* WALOR_PRICING_* (1-4) */
    int64_t amount;       /* asked; > 0 */
    int64_t applied;      /* out: after the cap (goods never below 0) */
} chk_qadj;

#define CHK_DELIVERY_UNKNOWN (-1) /* not chosen yet */
#define CHK_DELIVERY_MANUAL  (-2) /* the carrier failed: staff will price it (F-CHK-09) */

typedef struct chk_quote {
    int64_t goods_base;       /* Σ base_price × qty */
    int64_t product_discount; /* Σ (base - unit) × qty */
    int64_t goods;            /* Σ unit_price × qty */
    int64_t by_kind[5];       /* applied adjustments summed by kind, [0] unused */
    int64_t goods_to_pay;     /* goods - adjustments, >= 0 */
    int64_t carrier_cost;     /* the carrier's price, 0 when unknown/manual */
    int64_t delivery;         /* what the customer pays for delivery */
    int32_t delivery_free;    /* 1: a threshold made it free */
    int32_t delivery_state;   /* 0 known, CHK_DELIVERY_UNKNOWN or CHK_DELIVERY_MANUAL */
    int64_t free_left;        /* kopecks more for free delivery, -1 = no threshold */
    int64_t total;            /* goods_to_pay + delivery */
} chk_quote;

/* The one function every screen and the order use. carrier_cost >= 0, or
 * CHK_DELIVERY_UNKNOWN / CHK_DELIVERY_MANUAL; rule may be NULL (no free
 * delivery). Adjustments are applied in order, each capped so that the
 * goods never go below 0. Returns 0, or -1 on a negative price/quantity,
 * a unit price above its base, an unknown kind, or an overflow. */
int chk_quote_compute(const chk_qline *lines, size_t n, chk_qadj *adj, size_t nadj, int64_t carrier_cost,
                      const chk_free_rule *rule, int moscow, int kind, chk_quote *out);

/* ---- pickup points (F-CHK-05) ---- */
/* great-circle distance in metres (mean Earth radius 6371 km) */
double chk_haversine_m(double lat1, double lon1, double lat2, double lon2);

/* Indices of the k nearest of n points to (lat, lon), nearest first (ties
 * by index); returns how many were written (min(k, n)). */
size_t chk_nearest(const double *lat, const double *lon, size_t n, double at_lat, double at_lon, size_t *idx,
                   size_t k);

#endif
