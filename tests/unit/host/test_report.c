/* The pure half of error reports (host/ops/report_gate.c): the secret
 * scrubbing rule and the gate that rate-limits and deduplicates.
 * Features: F-HOST-04 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ops.h"

static void test_secret_keys(void **state)
{
    (void)state;
    assert_true(wh_scrub_key("token"));
    assert_true(wh_scrub_key("bot_Token"));
    assert_true(wh_scrub_key("webhook_secret"));
    assert_true(wh_scrub_key("Password"));
    assert_true(wh_scrub_key("phone_number"));
    assert_true(wh_scrub_key("X-Api-Key") == 0); /* "api-key" with a dash is not in the list */
    assert_true(wh_scrub_key("api_key"));
    assert_true(wh_scrub_key("Authorization"));
    assert_false(wh_scrub_key("text"));
    assert_false(wh_scrub_key("first_name"));
    assert_false(wh_scrub_key(NULL));
}

static void test_scrub_text(void **state)
{
    (void)state;
    const char *sec[] = {"100:test-token", "test-token", "abc"};
    char *s = wh_scrub_text("/boom 100:test-token and test-token, abc stays", sec, 3);
    assert_string_equal(s, "/boom [скрыто] and [скрыто], abc stays"); /* 3 bytes: too short to be a secret */
    free(s);
    /* a token-shaped run is removed even when it is not ours */
    s = wh_scrub_text("key 1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 end", NULL, 0);
    assert_string_equal(s, "key [скрыто] end");
    free(s);
    /* but not a short one or a time */
    s = wh_scrub_text("12:30 and 123456:short", NULL, 0);
    assert_string_equal(s, "12:30 and 123456:short");
    free(s);
    s = wh_scrub_text(NULL, NULL, 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_scrub_json(void **state)
{
    (void)state;
    const char *sec[] = {"100:test-token"};
    json_t *j = json_pack("{s:{s:s, s:s, s:[{s:s}]}, s:i}", "message", "text", "hi 100:test-token", "contact_x",
                          "ok", "arr", "phone_number", "+7999", "token", 5);
    wh_scrub_json(j, sec, 1);
    json_t *m = json_object_get(j, "message");
    assert_string_equal(json_string_value(json_object_get(m, "text")), "hi [скрыто]");
    assert_string_equal(json_string_value(json_object_get(m, "contact_x")), "ok");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(m, "arr"), 0),
                                                          "phone_number")),
                        WH_SCRUBBED);
    assert_string_equal(json_string_value(json_object_get(j, "token")), WH_SCRUBBED);
    json_decref(j);
}

static void test_dedup(void **state)
{
    (void)state;
    wh_report_gate g;
    memset(&g, 0, sizeof g);
    int64_t rep = -1;
    assert_int_equal(wh_report_gate_check(&g, "p\x1fw\x1f" "e", 1000, &rep), WH_REPORT_SEND);
    assert_int_equal(rep, 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(wh_report_gate_check(&g, "p\x1fw\x1f" "e", 1000 + 60 * i, &rep), WH_REPORT_DUP);
    /* another error is its own key */
    assert_int_equal(wh_report_gate_check(&g, "p\x1fw\x1f" "other", 1001, &rep), WH_REPORT_SEND);
    /* after the window, the next occurrence goes out with the count */
    assert_int_equal(wh_report_gate_check(&g, "p\x1fw\x1f" "e", 1000 + WH_REPORT_DEDUP, &rep), WH_REPORT_SEND);
    assert_int_equal(rep, 5);
    wh_report_gate_free(&g);
}

struct seen {
    int calls;
    int64_t repeats;
    char key[64];
};

static void on_due(const char *key, int64_t repeats, void *ud)
{
    struct seen *s = ud;
    s->calls++;
    s->repeats = repeats;
    strncpy(s->key, key, sizeof s->key - 1);
}

static void test_summary_later(void **state)
{
    (void)state;
    wh_report_gate g;
    memset(&g, 0, sizeof g);
    int64_t rep;
    wh_report_gate_check(&g, "k", 0, &rep);
    wh_report_gate_check(&g, "k", 10, &rep);
    wh_report_gate_check(&g, "k", 20, &rep);
    wh_report_gate_check(&g, "quiet", 0, &rep);
    struct seen s = {0};
    assert_int_equal(wh_report_gate_due(&g, WH_REPORT_DEDUP - 1, on_due, &s), 0);
    assert_int_equal(wh_report_gate_due(&g, WH_REPORT_DEDUP, on_due, &s), 1);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.repeats, 2);
    assert_string_equal(s.key, "k");
    /* summarised: nothing more until new repeats; the quiet key is forgotten */
    assert_int_equal(wh_report_gate_due(&g, 5 * WH_REPORT_DEDUP, on_due, &s), 0);
    assert_int_equal(wh_report_gate_check(&g, "quiet", 5 * WH_REPORT_DEDUP, &rep), WH_REPORT_SEND);
    assert_int_equal(rep, 0);
    wh_report_gate_free(&g);
}

static void test_rate_limit(void **state)
{
    (void)state;
    wh_report_gate g;
    memset(&g, 0, sizeof g);
    int64_t rep;
    char key[32];
    for (int i = 0; i < WH_REPORT_RATE; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(wh_report_gate_check(&g, key, 100 + i, &rep), WH_REPORT_SEND);
    }
    assert_int_equal(wh_report_gate_check(&g, "k-over", 120, &rep), WH_REPORT_LIMITED);
    assert_int_equal(wh_report_gate_check(&g, "k-over2", 159, &rep), WH_REPORT_LIMITED);
    /* the first send (at 100) has left the minute */
    assert_int_equal(wh_report_gate_check(&g, "k-over", 160, &rep), WH_REPORT_SEND);
    assert_int_equal(wh_report_gate_take_limited(&g), 2);
    assert_int_equal(wh_report_gate_take_limited(&g), 0);
    /* more distinct keys than slots: the oldest is evicted, nothing breaks */
    for (int i = 0; i < 3 * WH_REPORT_KEYS; i++) {
        snprintf(key, sizeof key, "many%d", i);
        wh_report_gate_check(&g, key, 1000 + 10 * i, &rep);
    }
    wh_report_gate_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_keys), cmocka_unit_test(test_scrub_text),    cmocka_unit_test(test_scrub_json),
        cmocka_unit_test(test_dedup),       cmocka_unit_test(test_summary_later), cmocka_unit_test(test_rate_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
