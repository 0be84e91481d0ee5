/* Token bucket arithmetic of the outbox pacer (host/tg/ratelimit.c).
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ratelimit.h"

static void test_burst_then_rate(void **state)
{
    (void)state;
    wh_bucket b;
    wh_bucket_init(&b, 30, 30, 1000);
    for (int i = 0; i < 30; i++)
        assert_int_equal(wh_bucket_take(&b, 1000), 0);
    /* empty: one token every 1000/30 ms, rounded up */
    assert_int_equal(wh_bucket_take(&b, 1000), 34);
    assert_int_equal(wh_bucket_take(&b, 1033), 1);
    assert_int_equal(wh_bucket_take(&b, 1034), 0);
    assert_true(wh_bucket_take(&b, 1034) > 0);
    /* a full second refills 30, never more than the burst */
    wh_bucket_init(&b, 30, 30, 0);
    for (int i = 0; i < 30; i++)
        wh_bucket_take(&b, 0);
    int taken = 0;
    while (wh_bucket_take(&b, 1000) == 0)
        taken++;
    assert_int_equal(taken, 30);
    assert_int_equal(wh_bucket_take(&b, 100000) , 0);
    taken = 1;
    while (wh_bucket_take(&b, 100000) == 0)
        taken++;
    assert_int_equal(taken, 30);
}

static void test_one_per_second(void **state)
{
    (void)state;
    wh_bucket b;
    wh_bucket_init(&b, 1, 1, 0);
    assert_int_equal(wh_bucket_take(&b, 0), 0);
    assert_int_equal(wh_bucket_take(&b, 0), 1000);
    assert_int_equal(wh_bucket_take(&b, 400), 600);
    assert_int_equal(wh_bucket_peek(&b, 999), 1);
    assert_int_equal(wh_bucket_take(&b, 1000), 0);
    assert_false(wh_bucket_full(&b, 1999));
    assert_true(wh_bucket_full(&b, 2000));
}

static void test_peek_takes_nothing(void **state)
{
    (void)state;
    wh_bucket b;
    wh_bucket_init(&b, 1, 2, 0);
    assert_int_equal(wh_bucket_peek(&b, 0), 0);
    assert_int_equal(wh_bucket_peek(&b, 0), 0);
    assert_int_equal(wh_bucket_take(&b, 0), 0);
    assert_int_equal(wh_bucket_take(&b, 0), 0);
    assert_int_equal(wh_bucket_peek(&b, 0), 1000);
}

static void test_force_goes_negative(void **state)
{
    (void)state;
    wh_bucket b;
    wh_bucket_init(&b, 10, 1, 0);
    wh_bucket_force(&b, 0); /* 0 */
    wh_bucket_force(&b, 0); /* -1 */
    wh_bucket_force(&b, 0); /* -2 */
    assert_true(b.tokens < -1.5);
    /* three tokens owed at 10/s: 300 ms until one is available */
    assert_int_equal(wh_bucket_take(&b, 0), 300);
    assert_int_equal(wh_bucket_take(&b, 299), 1);
    assert_int_equal(wh_bucket_take(&b, 300), 0);
}

static void test_pause(void **state)
{
    (void)state;
    wh_bucket b;
    wh_bucket_init(&b, 30, 30, 0);
    wh_bucket_pause(&b, 5000);
    /* full before, but nothing until the pause ends, then it starts empty */
    assert_int_equal(wh_bucket_take(&b, 0), 5000 + 34);
    assert_int_equal(wh_bucket_take(&b, 4999), 1 + 34);
    assert_true(wh_bucket_take(&b, 5000) > 0);
    assert_int_equal(wh_bucket_take(&b, 5034), 0);
    /* an earlier pause does not shorten a later one */
    wh_bucket_pause(&b, 9000);
    wh_bucket_pause(&b, 6000);
    assert_true(wh_bucket_take(&b, 8999) > 0);
    assert_false(wh_bucket_full(&b, 8000));
}

static void test_unlimited(void **state)
{
    (void)state;
    wh_bucket b;
    wh_bucket_init(&b, 0, 1, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(wh_bucket_take(&b, 0), 0);
    assert_true(wh_bucket_full(&b, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_rate),   cmocka_unit_test(test_one_per_second),
        cmocka_unit_test(test_peek_takes_nothing), cmocka_unit_test(test_force_goes_negative),
        cmocka_unit_test(test_pause),             cmocka_unit_test(test_unlimited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
