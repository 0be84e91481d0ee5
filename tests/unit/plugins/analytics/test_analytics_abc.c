/* analytics' ABC classification (plugins/analytics/abc.c): the 80/95 bounds
 * worked by hand, the first item always A, ties in a stable order, items
 * that sold nothing (or only came back) are C, and every revenue counts
 * exactly once in the cumulative sums.
 * Features: F-AN-04 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "abc.h"

static char cls_of(const an_abc_item *v, size_t n, int64_t key1)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].key1 == key1)
            return v[i].cls;
    return '?';
}

static void test_textbook(void **st)
{
    (void)st;
    /* 1000 in total: 500 (0 before: A), 250 (500 < 800: A), 100 (750 < 800: A),
     * 60 (850 ≥ 800, < 950: B), 50 (910 < 950: B), 30 (960: C), 10 (990: C) */
    an_abc_item v[] = {{7, 0, 10, 0, 0}, {1, 0, 500, 0, 0}, {3, 0, 100, 0, 0}, {2, 0, 250, 0, 0},
                       {4, 0, 60, 0, 0}, {6, 0, 30, 0, 0},  {5, 0, 50, 0, 0}};
    int64_t total = 0;
    an_abc_classify(v, 7, &total);
    assert_int_equal(total, 1000);
    const char want[] = "AAABBCC";
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(v[i].key1, (int64_t)i + 1); /* sorted by revenue */
        assert_int_equal(v[i].cls, want[i]);
    }
    assert_int_equal(v[3].cum_before, 850);
}

static void test_bounds_exact(void **st)
{
    (void)st;
    /* 800 before the third item is exactly 80 %: it is B, not A */
    an_abc_item v[] = {{1, 0, 400, 0, 0}, {2, 0, 400, 0, 0}, {3, 0, 150, 0, 0}, {4, 0, 50, 0, 0}};
    an_abc_classify(v, 4, NULL);
    assert_int_equal(cls_of(v, 4, 1), 'A');
    assert_int_equal(cls_of(v, 4, 2), 'A');
    assert_int_equal(cls_of(v, 4, 3), 'B');
    /* 950 before the fourth: C */
    assert_int_equal(cls_of(v, 4, 4), 'C');
}

static void test_single_and_zero(void **st)
{
    (void)st;
    an_abc_item one[] = {{9, 1, 12345, 0, 0}};
    an_abc_classify(one, 1, NULL);
    assert_int_equal(one[0].cls, 'A');
    an_abc_item v[] = {{1, 0, 0, 0, 0}, {2, 0, -500, 0, 0}, {3, 0, 100, 0, 0}};
    int64_t total = -1;
    an_abc_classify(v, 3, &total);
    assert_int_equal(total, 100);
    assert_int_equal(v[0].key1, 3);
    assert_int_equal(v[0].cls, 'A');
    assert_int_equal(cls_of(v, 3, 1), 'C');
    assert_int_equal(cls_of(v, 3, 2), 'C');
    an_abc_classify(NULL, 0, &total);
    assert_int_equal(total, 0);
}

static void test_ties_stable(void **st)
{
    (void)st;
    an_abc_item v[] = {{5, 2, 100, 0, 0}, {5, 1, 100, 0, 0}, {2, 9, 100, 0, 0}, {8, 0, 100, 0, 0}, {1, 3, 100, 0, 0}};
    an_abc_classify(v, 5, NULL);
    static const int64_t order[5] = {13, 29, 51, 52, 80};
    for (int i = 0; i < 5; i++)
        assert_int_equal(v[i].key1 * 10 + v[i].key2, order[i]);
    /* 0, 100, 200, 300 before are under 80 % of 500 (400): A; 400 is not: B */
    assert_int_equal(v[3].cls, 'A');
    assert_int_equal(v[4].cls, 'B');
}

static void test_huge_sums(void **st)
{
    (void)st;
    /* beyond 9·10^16 kopecks the comparison still holds */
    an_abc_item v[] = {{1, 0, INT64_C(4000000000000000000), 0, 0}, {2, 0, INT64_C(1000000000000000000), 0, 0}};
    int64_t total = 0;
    an_abc_classify(v, 2, &total);
    assert_int_equal(v[0].cls, 'A');
    assert_int_equal(v[1].cls, 'B');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textbook),  cmocka_unit_test(test_bounds_exact), cmocka_unit_test(test_single_and_zero),
        cmocka_unit_test(test_ties_stable), cmocka_unit_test(test_huge_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
