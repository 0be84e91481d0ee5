/* wh_arena: alignment, zeroing, big blocks, printf, reset reuse, LIFO cleanups
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <walor/types.h>

#include "arena.h"

static void test_alloc_aligned_zeroed(void **state)
{
    wh_arena a;
    (void)state;
    wh_arena_init(&a);
    for (size_t n = 0; n < 300; n++) {
        unsigned char *p = wh_arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, n); /* dirty it: the next reset must not leak this */
    }
    wh_arena_reset(&a);
    for (size_t n = 1; n < 300; n++) {
        unsigned char *p = wh_arena_alloc(&a, n);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
    }
    wh_arena_free(&a);
}

static void test_big_blocks(void **state)
{
    wh_arena a;
    char *small1, *big, *small2;
    (void)state;
    wh_arena_init(&a);
    small1 = wh_arena_alloc(&a, 10);
    big = wh_arena_alloc(&a, 1u << 20);
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % 16, 0);
    memset(big, 1, 1u << 20);
    small2 = wh_arena_alloc(&a, 10);
    /* the head chunk keeps serving small requests after a big one */
    assert_true(small2 > small1 && small2 - small1 < (ptrdiff_t)WH_ARENA_CHUNK);
    assert_non_null(wh_arena_alloc(&a, WH_ARENA_CHUNK * 3));
    wh_arena_reset(&a);
    assert_non_null(wh_arena_alloc(&a, 5));
    wh_arena_free(&a);
}

static void test_absurd_size(void **state)
{
    wh_arena a;
    (void)state;
    wh_arena_init(&a);
    assert_null(wh_arena_alloc(&a, SIZE_MAX));
    assert_null(wh_arena_alloc(&a, SIZE_MAX - 8));
    assert_non_null(wh_arena_alloc(&a, 1));
    wh_arena_free(&a);
}

static void test_strings(void **state)
{
    wh_arena a;
    char *s;
    char big[20000];
    (void)state;
    wh_arena_init(&a);
    assert_null(wh_arena_strdup(&a, NULL));
    assert_string_equal(wh_arena_strdup(&a, ""), "");
    assert_string_equal(wh_arena_strdup(&a, "Привет"), "Привет");
    assert_string_equal(wh_arena_strndup(&a, "abcdef", 3), "abc");
    assert_string_equal(wh_arena_strndup(&a, "ab", 10), "ab");
    assert_string_equal(wh_arena_printf(&a, "%d-%s", 42, "x"), "42-x");
    assert_string_equal(wh_arena_printf(&a, "%s", ""), "");
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    s = wh_arena_printf(&a, "<%s>", big);
    assert_int_equal(strlen(s), sizeof big + 1);
    assert_int_equal(s[0], '<');
    assert_int_equal(s[sizeof big], '>');
    /* many small strings across chunk borders stay intact */
    {
        char *p[2000];
        for (int i = 0; i < 2000; i++)
            p[i] = wh_arena_printf(&a, "item %d", i);
        for (int i = 0; i < 2000; i++) {
            char want[32];
            snprintf(want, sizeof want, "item %d", i);
            assert_string_equal(p[i], want);
        }
    }
    wh_arena_free(&a);
}

static int order[16];
static int norder;

static void record(void *arg) { order[norder++] = (int)(intptr_t)arg; }

static wh_arena *reentrant_arena;
static void reenter(void *arg)
{
    record(arg);
    /* a cleanup that allocates and defers again */
    assert_non_null(wh_arena_alloc(reentrant_arena, 100));
    assert_int_equal(wh_arena_defer(reentrant_arena, record, (void *)(intptr_t)99), 0);
}

static void test_defer_lifo(void **state)
{
    wh_arena a;
    (void)state;
    wh_arena_init(&a);
    norder = 0;
    for (int i = 1; i <= 3; i++)
        assert_int_equal(wh_arena_defer(&a, record, (void *)(intptr_t)i), 0);
    wh_arena_reset(&a);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 1);
    /* ran once: a second reset runs nothing */
    wh_arena_reset(&a);
    assert_int_equal(norder, 3);

    reentrant_arena = &a;
    norder = 0;
    assert_int_equal(wh_arena_defer(&a, reenter, (void *)(intptr_t)7), 0);
    wh_arena_free(&a);
    assert_int_equal(norder, 2);
    assert_int_equal(order[0], 7);
    assert_int_equal(order[1], 99);
    /* free leaves it usable */
    assert_non_null(wh_arena_alloc(&a, 3));
    wh_arena_free(&a);
}

static void test_free_empty(void **state)
{
    wh_arena a;
    (void)state;
    wh_arena_init(&a);
    wh_arena_reset(&a);
    wh_arena_free(&a);
    wh_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_zeroed), cmocka_unit_test(test_big_blocks),
        cmocka_unit_test(test_absurd_size),          cmocka_unit_test(test_strings),
        cmocka_unit_test(test_defer_lifo),           cmocka_unit_test(test_free_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
