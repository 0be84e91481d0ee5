/* checkout-cdek's pure arithmetic (plugins/checkout-cdek/quote.c): the
 * parcel with the seed's numbers (F-CHK-07), free-delivery thresholds at
 * their edges (F-CHK-08), the quote (F-CHK-01), haversine (F-CHK-05).
 * Features: F-CHK-01, F-CHK-05, F-CHK-07, F-CHK-08 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quote.h"

#define DEFAULT_BOXES "1000:150:20x15x10; 30000:400:40x30x25"

static int boxes(const char *spec, chk_box *b)
{
    const char *why = NULL;
    int n = chk_boxes_parse(spec, b, CHK_BOXES_MAX, &why);
    assert_true(n > 0);
    return n;
}

/* ---- parcel ---- */

struct parcel_case {
    const char *name;
    int64_t w[4], q[4];
    size_t n;
    int64_t goods, inner, wrapped, weight;
    int box, l, wd, h;
};

static void test_parcel(void **st)
{
    (void)st;
    chk_box b[CHK_BOXES_MAX];
    int nb = boxes(DEFAULT_BOXES, b);
    static const struct parcel_case cases[] = {
        /* 3 × 100 g: 300 + 40 (one started five) = 340 × 1.1 = 374 + small box 150 */
        {"three", {100}, {3}, 1, 300, 40, 374, 524, 0, 20, 15, 10},
        /* exactly 5 units: still one inner pack */
        {"five", {50}, {5}, 1, 250, 40, 319, 469, 0, 20, 15, 10},
        /* 6 units start a second five: 80 g */
        {"six", {50}, {6}, 1, 300, 80, 418, 568, 0, 20, 15, 10},
        /* two lines: 2×200 + 3×150 = 850, 5 units → 40; 890 × 1.1 = 979 → small */
        {"two lines", {200, 150}, {2, 3}, 2, 850, 40, 979, 1129, 0, 20, 15, 10},
        /* wrapped 1001 g is over the small box: large */
        {"edge over", {870}, {1}, 1, 870, 40, 1001, 1401, 1, 40, 30, 25},
        /* wrapped exactly 1000: small (up to and including) */
        {"edge at", {869}, {1}, 1, 869, 40, 1000, 1150, 0, 20, 15, 10},
        /* × 1.1 rounds up to the gram: (7+40) × 1.1 = 51.7 → 52 */
        {"round up", {7}, {1}, 1, 7, 40, 52, 202, 0, 20, 15, 10},
        /* heavier than every box: the largest */
        {"huge", {40000}, {1}, 1, 40000, 40, 44044, 44444, 1, 40, 30, 25},
        /* unknown weights (0) still get packing and a box */
        {"no weights", {0}, {2}, 1, 0, 40, 44, 194, 0, 20, 15, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct parcel_case *t = &cases[i];
        chk_parcel p;
        assert_int_equal(chk_parcel_compute(t->w, t->q, t->n, b, nb, &p), 0);
        if (p.goods_g != t->goods || p.inner_g != t->inner || p.wrapped_g != t->wrapped ||
            p.weight_g != t->weight || p.box != t->box || p.length != t->l || p.width != t->wd ||
            p.height != t->h)
            fail_msg("%s: got goods %lld inner %lld wrapped %lld weight %lld box %d %dx%dx%d", t->name,
                     (long long)p.goods_g, (long long)p.inner_g, (long long)p.wrapped_g, (long long)p.weight_g,
                     p.box, p.length, p.width, p.height);
    }
    chk_parcel p;
    int64_t w = -1, q = 1;
    assert_int_equal(chk_parcel_compute(&w, &q, 1, b, nb, &p), -1);
    w = 1, q = 0;
    assert_int_equal(chk_parcel_compute(&w, &q, 1, b, nb, &p), -1);
    assert_int_equal(chk_parcel_compute(&w, &q, 0, b, 0, &p), -1);
}

static void test_boxes_parse(void **st)
{
    (void)st;
    chk_box b[CHK_BOXES_MAX];
    const char *why = NULL;
    assert_int_equal(chk_boxes_parse("500:100:10х10х5;2000:200:30×20×10", b, CHK_BOXES_MAX, &why), 2);
    assert_int_equal(b[0].length, 10);
    assert_int_equal(b[1].max_g, 2000);
    assert_int_equal(b[1].height, 10);
    static const char *const bad[] = {
        "", "  ", "1000:150", "1000:150:20x15", "abc", "1000:150:20x15x10 2000:1:1x1x1",
        "2000:150:20x15x10;1000:100:1x1x1", "0:1:1x1x1", "100:1:0x1x1", "100:1:1x1x1;",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        int n = chk_boxes_parse(bad[i], b, CHK_BOXES_MAX, &why);
        if (i == 9) { /* a trailing ';' is harmless */
            assert_int_equal(n, 1);
            continue;
        }
        if (n != -1 || !why)
            fail_msg("accepted bad box table \"%s\"", bad[i]);
    }
    assert_int_equal(chk_boxes_parse("1:1:1x1x1;2:1:1x1x1;3:1:1x1x1", b, 2, &why), -1);
}

/* ---- free delivery ---- */

struct free_case {
    const char *name;
    int moscow, kind;
    int64_t goods, cost;
    int want;
    int64_t left;
};

static void test_free_delivery(void **st)
{
    (void)st;
    const chk_free_rule r = {.moscow_pickup = 300000, .moscow_courier = 500000, .region_pickup_pct = 10,
                             .region_courier_pct = 5};
    static const struct free_case cases[] = {
        {"msk pickup below", 1, CHK_PICKUP, 299999, 25000, 0, 1},
        {"msk pickup at", 1, CHK_PICKUP, 300000, 25000, 1, -1},
        {"msk pickup above", 1, CHK_PICKUP, 300001, 25000, 1, -1},
        {"msk courier below", 1, CHK_COURIER, 300000, 40000, 0, 200000},
        {"msk courier at", 1, CHK_COURIER, 500000, 40000, 1, -1},
        /* regions pickup 10 %: 350 ₽ is free from 3 500 ₽ */
        {"reg pickup at", 0, CHK_PICKUP, 350000, 35000, 1, -1},
        {"reg pickup below", 0, CHK_PICKUP, 349999, 35000, 0, 1},
        {"reg pickup far", 0, CHK_PICKUP, 100000, 35000, 0, 250000},
        /* 5 %, 333 ₽: 6 660 ₽ */
        {"reg courier below", 0, CHK_COURIER, 665999, 33300, 0, 1},
        {"reg courier exact", 0, CHK_COURIER, 666000, 33300, 1, -1},
        /* cost not a multiple: 333,01 ₽ × 20 = 6 660,20 ₽ */
        {"reg courier ceil", 0, CHK_COURIER, 666000, 33301, 0, 20},
        {"zero cost", 0, CHK_PICKUP, 0, 0, 1, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct free_case *t = &cases[i];
        int64_t left = 0;
        int got = chk_free_delivery(&r, t->moscow, t->kind, t->goods, t->cost, &left);
        if (got != t->want || left != t->left)
            fail_msg("%s: got %d left %lld, want %d left %lld", t->name, got, (long long)left, t->want,
                     (long long)t->left);
    }
    /* thresholds off: never free, nothing left to show */
    const chk_free_rule off = {0};
    int64_t left = 0;
    assert_int_equal(chk_free_delivery(&off, 1, CHK_PICKUP, 99999999, 100, &left), 0);
    assert_int_equal(left, -1);
    assert_int_equal(chk_free_delivery(&off, 0, CHK_COURIER, 99999999, 100, &left), 0);
    assert_int_equal(left, -1);
    assert_int_equal(chk_free_delivery(NULL, 0, CHK_COURIER, 1, 1, &left), 0);
}

/* ---- quote ---- */

struct quote_case {
    const char *name;
    chk_qline lines[3];
    size_t n;
    chk_qadj adj[3];
    size_t nadj;
    int64_t carrier;
    int moscow, kind;
    int64_t goods_base, product_discount, goods, to_pay, delivery, total, left;
    int free;
};

static void test_quote(void **st)
{
    (void)st;
    const chk_free_rule r = {.moscow_pickup = 300000, .moscow_courier = 500000, .region_pickup_pct = 10,
                             .region_courier_pct = 5};
    static const struct quote_case cases[] = {
        /* 2 × 600 ₽ + 1 × 3 500 ₽ (−20 % from 4 375), pickup 250 ₽ in Moscow, 3 000 ₽ threshold */
        {"plain",
         {{60000, 60000, 2}, {437500, 350000, 1}},
         2,
         {{0}},
         0,
         25000,
         1,
         CHK_PICKUP,
         557500,
         87500,
         470000,
         470000,
         0,
         470000,
         -1,
         1},
        /* promo 120 ₽ and bonuses 300 ₽; below the Moscow pickup threshold */
        {"adjusted",
         {{100000, 100000, 2}},
         1,
         {{2, 12000, 0}, {4, 30000, 0}},
         2,
         25000,
         1,
         CHK_PICKUP,
         200000,
         0,
         200000,
         158000,
         25000,
         183000,
         142000,
         0},
        /* discounts bigger than the goods are capped: goods 0, delivery still paid */
        {"capped",
         {{50000, 50000, 1}},
         1,
         {{3, 40000, 0}, {4, 30000, 0}},
         2,
         30000,
         0,
         CHK_COURIER,
         50000,
         0,
         50000,
         0,
         30000,
         30000,
         600000,
         0},
        /* unknown delivery: the total is the goods */
        {"unknown",
         {{10000, 9000, 3}},
         1,
         {{0}},
         0,
         CHK_DELIVERY_UNKNOWN,
         0,
         CHK_PICKUP,
         30000,
         3000,
         27000,
         27000,
         0,
         27000,
         -1,
         0},
        /* the region threshold is judged on what is paid for goods after discounts */
        {"region after promo",
         {{400000, 400000, 1}},
         1,
         {{2, 60000, 0}},
         1,
         35000,
         0,
         CHK_PICKUP,
         400000,
         0,
         400000,
         340000,
         35000,
         375000,
         10000,
         0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct quote_case *t = &cases[i];
        chk_qadj adj[3];
        memcpy(adj, t->adj, sizeof adj);
        chk_quote q;
        assert_int_equal(chk_quote_compute(t->lines, t->n, adj, t->nadj, t->carrier, &r, t->moscow, t->kind, &q), 0);
        if (q.goods_base != t->goods_base || q.product_discount != t->product_discount || q.goods != t->goods ||
            q.goods_to_pay != t->to_pay || q.delivery != t->delivery || q.total != t->total ||
            q.free_left != t->left || q.delivery_free != t->free)
            fail_msg("%s: base %lld disc %lld goods %lld pay %lld deliv %lld total %lld left %lld free %d", t->name,
                     (long long)q.goods_base, (long long)q.product_discount, (long long)q.goods,
                     (long long)q.goods_to_pay, (long long)q.delivery, (long long)q.total, (long long)q.free_left,
                     q.delivery_free);
        /* the orders service's identity holds for every case */
        assert_int_equal(q.total, q.goods - q.by_kind[1] - q.by_kind[2] - q.by_kind[3] - q.by_kind[4] + q.delivery);
    }
    /* the cap is per line in order: the second adjustment gets what is left */
    chk_qline l = {50000, 50000, 1};
    chk_qadj a[2] = {{3, 40000, 0}, {4, 30000, 0}};
    chk_quote q;
    assert_int_equal(chk_quote_compute(&l, 1, a, 2, CHK_DELIVERY_MANUAL, NULL, 0, 0, &q), 0);
    assert_int_equal(a[0].applied, 40000);
    assert_int_equal(a[1].applied, 10000);
    assert_int_equal(q.delivery_state, CHK_DELIVERY_MANUAL);
    assert_int_equal(q.total, 0);
    /* refusals */
    chk_qline bad = {100, 200, 1}; /* unit above base */
    assert_int_equal(chk_quote_compute(&bad, 1, NULL, 0, 0, NULL, 0, 0, &q), -1);
    chk_qline zero = {100, 100, 0};
    assert_int_equal(chk_quote_compute(&zero, 1, NULL, 0, 0, NULL, 0, 0, &q), -1);
    chk_qadj kind = {9, 1, 0};
    assert_int_equal(chk_quote_compute(&l, 1, &kind, 1, 0, NULL, 0, 0, &q), -1);
    assert_int_equal(chk_quote_compute(&l, 1, NULL, 0, -5, NULL, 0, 0, &q), -1);
}

/* ---- haversine ---- */

static void test_haversine(void **st)
{
    (void)st;
    /* Moscow (Red Square) → St Petersburg (Palace Square): about 634 km */
    double d = chk_haversine_m(55.7539, 37.6208, 59.9390, 30.3158);
    assert_true(d > 630000 && d < 640000);
    assert_true(chk_haversine_m(55.0, 37.0, 55.0, 37.0) < 0.001);
    /* one degree of latitude ≈ 111.2 km */
    d = chk_haversine_m(0, 0, 1, 0);
    assert_true(d > 111000 && d < 111400);

    const double lat[] = {55.80, 55.7501, 55.71, 55.76, 56.50, 55.7502};
    const double lon[] = {37.60, 37.6001, 37.60, 37.62, 37.60, 37.6002};
    size_t idx[4];
    size_t n = chk_nearest(lat, lon, 6, 55.75, 37.60, idx, 4);
    assert_int_equal(n, 4);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 5);
    assert_int_equal(idx[2], 3);
    assert_int_equal(idx[3], 2);
    assert_int_equal(chk_nearest(lat, lon, 2, 55.75, 37.60, idx, 4), 2);
    assert_int_equal(chk_nearest(lat, lon, 0, 55.75, 37.60, idx, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parcel),        cmocka_unit_test(test_boxes_parse),
        cmocka_unit_test(test_free_delivery), cmocka_unit_test(test_quote),
        cmocka_unit_test(test_haversine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
