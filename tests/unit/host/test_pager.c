/* wh_page_pick: which page of a walor_list_show list a pressed button
 * means, for every kind of page number a client can send
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pager.h"

#define PAGE(total, size, arg, want_page, want_pages, want_offset, want_stale)  \
    do {                                                                         \
        wh_page p_ = wh_page_pick(total, size, arg);                             \
        assert_int_equal(p_.page, want_page);                                    \
        assert_int_equal(p_.pages, want_pages);                                  \
        assert_int_equal(p_.offset, want_offset);                                \
        assert_int_equal(p_.stale, want_stale);                                  \
    } while (0)

static void test_pages(void **state)
{
    (void)state;
    PAGE(0, 10, NULL, 0, 1, 0, 0);     /* an empty list is one (empty) page */
    PAGE(1, 10, NULL, 0, 1, 0, 0);
    PAGE(10, 10, NULL, 0, 1, 0, 0);
    PAGE(11, 10, NULL, 0, 2, 0, 0);
    PAGE(11, 10, "1", 1, 2, 10, 0);
    PAGE(25, 5, "4", 4, 5, 20, 0);
    PAGE(12, 0, "1", 1, 2, 10, 0);     /* size 0: the default 10 */
    PAGE(12, 10, "0", 0, 2, 0, 0);
    PAGE(12, 10, "01", 1, 2, 10, 0);   /* leading zeros are still a number */
}

static void test_past_the_end_is_the_last_page(void **state)
{
    (void)state;
    PAGE(12, 10, "2", 1, 2, 10, 0);
    PAGE(12, 10, "7", 1, 2, 10, 0);
    PAGE(0, 10, "3", 0, 1, 0, 0);
    PAGE(12, 10, "99999999999999999999999999", 1, 2, 10, 0); /* no overflow */
    PAGE(INT64_MAX, 1, "99999999999999999999", INT64_MAX - 1, INT64_MAX, INT64_MAX - 1, 0);
}

static void test_not_a_number_is_stale(void **state)
{
    (void)state;
    const char *bad[] = {"", "-1", "+1", "abc", "1a", " 1", "1 ", "1.5", "٣", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wh_page p = wh_page_pick(30, 10, bad[i]);
        if (!p.stale || p.page != 0 || p.offset != 0)
            fail_msg("\"%s\": stale %d page %lld", bad[i], p.stale, (long long)p.page);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_past_the_end_is_the_last_page),
        cmocka_unit_test(test_not_a_number_is_stale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
