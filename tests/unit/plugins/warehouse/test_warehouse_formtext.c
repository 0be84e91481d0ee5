/* warehouse's pure form helpers (plugins/warehouse/formtext.c): the price
 * step's "ID amount" lines turned into the host's "ID 1 amount" form with
 * line numbers kept, and the "# comment" line of a form.
 * Features: F-WH-04 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formtext.h"

static void amount_eq(const char *in, const char *want)
{
    size_t n = wr_amount_form_size(in);
    char *out = malloc(n + 8);
    memset(out, 'Z', n + 8);
    wr_amount_form(in, out);
    assert_string_equal(out, want);
    assert_int_equal(strlen(out) + 1, n); /* the size is exact: no overrun, no slack */
    free(out);
}

static void test_amount_form(void **st)
{
    (void)st;
    amount_eq("12.2 2 500,50", "12.2 1 2 500,50");
    amount_eq("12 1500\n13 900", "12 1 1500\n13 1 900");
    amount_eq("  7\t300\r\n8 1\r\n", "  7 1\t300\r\n8 1 1\r\n");
    amount_eq("12", "12 1");                         /* the host then says "не указана сумма" */
    amount_eq("\n# партия от 1 ноября\n\n12 5", "\n# партия от 1 ноября\n\n12 1 5"); /* line 4 stays line 4 */
    amount_eq("   \n\t\n", "   \n\t\n");
    amount_eq("\r\n", "\r\n");
    amount_eq("", "");
    amount_eq("abc 12", "abc 1 12");                 /* a bad ID is the parser's to name */
}

static void comment_eq(const char *in, size_t max, const char *want)
{
    const char *s = NULL;
    size_t l = 0;
    int got = wr_comment_span(in, max, &s, &l);
    if (!want) {
        assert_int_equal(got, 0);
        return;
    }
    assert_int_equal(got, 1);
    assert_int_equal(l, strlen(want));
    assert_memory_equal(s, want, l);
}

static void test_comment(void **st)
{
    (void)st;
    comment_eq("# бой при переезде\n12 3", 200, "бой при переезде");
    comment_eq("12 3\n  #   просрочка  \r\n13 1", 200, "просрочка");
    comment_eq("12 3\n# первая\n# вторая", 200, "первая");
    comment_eq("12 3\n13 1", 200, NULL);
    comment_eq("#\n# \n12 1", 200, NULL);           /* an empty comment is none (the first '#' line decides) */
    comment_eq("", 200, NULL);
    /* cut on a character boundary: "ёж" is 4 bytes, 3 leaves "ё" */
    comment_eq("# ёж", 3, "ё");
    comment_eq("# ёж", 4, "ёж");
    comment_eq("# ёж", 1, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amount_form),
        cmocka_unit_test(test_comment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
