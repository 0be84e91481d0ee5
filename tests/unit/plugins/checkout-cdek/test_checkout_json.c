/* checkout-cdek's lenient JSON reading (plugins/checkout-cdek/net.c): CDEK
 * and DaData send numbers as JSON numbers or as strings, and money in
 * roubles with a fraction; everything becomes exact kopecks or is refused.
 * Features: F-CHK-02, F-CHK-04 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checkout.h"

static int64_t kop(const char *json)
{
    json_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    int64_t k = chk_json_kopecks(j);
    json_decref(j);
    return k;
}

static void test_kopecks(void **st)
{
    (void)st;
    static const struct {
        const char *in;
        int64_t want;
    } cases[] = {
        {"350.0", 35000},  {"350", 35000},    {"\"350.5\"", 35050}, {"0.1", 10},  {"1234.56", 123456},
        {"0.29", 29},      {"\"0\"", 0},      {"-1", -1},           {"\"abc\"", -1}, {"null", -1},
        {"\"12a\"", -1},   {"\"\"", -1},      {"1e13", -1},         {"true", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (kop(cases[i].in) != cases[i].want)
            fail_msg("%s: got %lld, want %lld", cases[i].in, (long long)kop(cases[i].in), (long long)cases[i].want);
}

static void test_numbers_and_strings(void **st)
{
    (void)st;
    json_t *o = json_loads("{\"lat\":\"55.8782557\",\"lon\":37.65372,\"bad\":\"55,8\",\"code\":\"270\",\"n\":44,"
                           "\"s\":\"x\",\"nul\":null}",
                           0, NULL);
    assert_non_null(o);
    int ok = 0;
    assert_true(chk_json_double(json_object_get(o, "lat"), &ok) > 55.878 && ok);
    assert_true(chk_json_double(json_object_get(o, "lon"), &ok) > 37.65 && ok);
    chk_json_double(json_object_get(o, "bad"), &ok);
    assert_false(ok);
    chk_json_double(json_object_get(o, "nul"), &ok);
    assert_false(ok);
    assert_int_equal(chk_json_int(json_object_get(o, "code")), 270);
    assert_int_equal(chk_json_int(json_object_get(o, "n")), 44);
    assert_int_equal(chk_json_int(json_object_get(o, "s")), 0);
    assert_int_equal(chk_json_int(json_object_get(o, "missing")), 0);
    assert_string_equal(chk_json_str(o, "s"), "x");
    assert_string_equal(chk_json_str(o, "n"), "");
    assert_string_equal(chk_json_str(o, "missing"), "");
    assert_string_equal(chk_json_str(NULL, "s"), "");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_kopecks), cmocka_unit_test(test_numbers_and_strings)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
