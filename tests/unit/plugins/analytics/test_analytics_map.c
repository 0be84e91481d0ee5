/* analytics' hash index (plugins/analytics/map.c): dense indexes in the
 * order keys came, the same index for a key seen again, both halves of the
 * key count, and growth through a hundred thousand keys.
 * Features: F-AN-03, F-AN-04 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "map.h"

static void test_map(void **st)
{
    (void)st;
    an_map m = {0};
    int added = 0;
    assert_int_equal(an_map_get(&m, 1, 0), -1);
    assert_int_equal(an_map_put(&m, 42, 0, &added), 0);
    assert_int_equal(added, 1);
    assert_int_equal(an_map_put(&m, 42, 1, &added), 1);
    assert_int_equal(an_map_put(&m, 42, 0, &added), 0);
    assert_int_equal(added, 0);
    assert_int_equal(an_map_get(&m, 42, 1), 1);
    assert_int_equal(an_map_get(&m, 41, 1), -1);
    for (int64_t i = 0; i < 100000; i++)
        assert_int_equal(an_map_put(&m, i * 7919, -i, NULL), i + 2);
    for (int64_t i = 0; i < 100000; i++)
        assert_int_equal(an_map_get(&m, i * 7919, -i), i + 2);
    assert_int_equal(m.n, 100002);
    an_map_free(&m);
    assert_int_equal(an_map_get(&m, 42, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_map)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
