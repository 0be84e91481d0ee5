/* Reading getUpdates answers and webhook bodies update by update
 * (host/tg/tg_parse.c), and the inbox setting bad ones aside
 * (host/tg/inbox.c). Issue 13: one callback whose data JSON-encodes a NUL
 * failed the whole getUpdates answer, the offset never moved and no one got
 * an answer any more.
 *
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <walor/types.h>

#include "dbkit.h"
#include "inbox.h"
#include "tg_parse.h"

#define ANSWER(...) "{\"ok\":true,\"result\":[" __VA_ARGS__ "]}"
#define GOOD(id) "{\"update_id\":" #id ",\"message\":{\"message_id\":1,\"chat\":{\"id\":5,\"type\":\"private\"}," \
                 "\"from\":{\"id\":5},\"text\":\"a]b}\\\"c[{\"}}"
#define NUL_CB(id) "{\"update_id\":" #id ",\"callback_query\":{\"id\":\"q" #id "\",\"from\":{\"id\":5}," \
                   "\"message\":{\"message_id\":2,\"chat\":{\"id\":5,\"type\":\"private\"}},\"data\":\"hello:inc\\u0000x\"}}"
/* a lone UTF-16 surrogate: jansson refuses the whole text */
#define SURROGATE(id) "{\"update_id\":" #id ",\"message\":{\"chat\":{\"id\":5},\"text\":\"\\ud800 oops\"}}"

static json_t *parse(const char *s)
{
    char err[300] = "";
    json_t *a = wh_tg_parse_updates(s, strlen(s), err, sizeof err);
    if (!a)
        print_message("parse: %s\n", err);
    return a;
}

static int64_t id_at(json_t *a, size_t i)
{
    return (int64_t)json_integer_value(json_object_get(json_array_get(a, i), "update_id"));
}

static void test_nul_in_a_string_parses(void **state)
{
    (void)state;
    json_t *a = parse(ANSWER(GOOD(10) "," NUL_CB(11) "," GOOD(12)));
    assert_non_null(a);
    assert_int_equal(json_array_size(a), 3);
    json_t *data = json_object_get(json_object_get(json_array_get(a, 1), "callback_query"), "data");
    assert_int_equal(json_string_length(data), strlen("hello:inc") + 2);
    /* the whole data is there, not cut at the NUL: the inbox can see it */
    assert_string_equal(wh_update_set_aside_reason(json_array_get(a, 1)), "a string holds a NUL character (\\u0000)");
    assert_null(wh_update_set_aside_reason(json_array_get(a, 0)));
    json_decref(a);
}

static void test_unparseable_update_becomes_a_stand_in(void **state)
{
    (void)state;
    json_t *a = parse(ANSWER(GOOD(20) ",\n  " SURROGATE(21) " , " GOOD(22)));
    assert_non_null(a);
    assert_int_equal(json_array_size(a), 3);
    assert_int_equal(id_at(a, 0), 20);
    assert_int_equal(id_at(a, 1), 21);
    assert_int_equal(id_at(a, 2), 22);
    /* the good ones are whole, brackets and quotes in their strings included */
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(a, 2), "message"), "text")),
                        "a]b}\"c[{");
    json_t *bad = json_object_get(json_array_get(a, 1), WH_UPDATE_UNPARSED);
    assert_non_null(bad);
    assert_non_null(strstr(json_string_value(json_object_get(bad, "raw")), "oops"));
    assert_true(strlen(json_string_value(json_object_get(bad, "error"))) > 0);
    assert_non_null(wh_update_set_aside_reason(json_array_get(a, 1)));
    assert_null(wh_update_set_aside_reason(json_array_get(a, 0)));
    json_decref(a);
}

static void test_what_cannot_be_read_at_all(void **state)
{
    (void)state;
    char err[300];
    /* a proxy's error page: not an answer, the poll is retried */
    const char *html = "<html><body>502 Bad Gateway</body></html>";
    assert_null(wh_tg_parse_updates(html, strlen(html), err, sizeof err));
    assert_non_null(strstr(err, "not a getUpdates answer"));
    /* an update that names no update_id is dropped, the others go on */
    const char *noid = ANSWER("{\"message\":{\"text\":\"\\ud800\"}}," GOOD(31));
    json_t *a = wh_tg_parse_updates(noid, strlen(noid), err, sizeof err);
    assert_non_null(a);
    assert_int_equal(json_array_size(a), 1);
    assert_int_equal(id_at(a, 0), 31);
    json_decref(a);
    /* nothing readable: nothing to confirm */
    const char *none = ANSWER("{\"message\":{\"text\":\"\\ud800\"}}");
    assert_null(wh_tg_parse_updates(none, strlen(none), err, sizeof err));
    /* cut off in the middle */
    const char *cut = "{\"ok\":true,\"result\":[{\"update_id\":40,\"message\":{\"text\":\"\\ud800";
    assert_null(wh_tg_parse_updates(cut, strlen(cut), err, sizeof err));
    /* an empty result is an answer */
    a = parse("{\"ok\":true,\"result\":[]}");
    assert_non_null(a);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
}

static void test_webhook_body(void **state)
{
    (void)state;
    const char *good = GOOD(50), *nul = NUL_CB(51), *bad = SURROGATE(52), *junk = "{\"message\":1";
    json_t *u = wh_tg_parse_update(good, strlen(good));
    assert_int_equal(json_integer_value(json_object_get(u, "update_id")), 50);
    assert_null(wh_update_set_aside_reason(u));
    json_decref(u);
    u = wh_tg_parse_update(nul, strlen(nul));
    assert_non_null(wh_update_set_aside_reason(u));
    json_decref(u);
    u = wh_tg_parse_update(bad, strlen(bad));
    assert_int_equal(json_integer_value(json_object_get(u, "update_id")), 52);
    assert_non_null(json_object_get(u, WH_UPDATE_UNPARSED));
    json_decref(u);
    assert_null(wh_tg_parse_update(junk, strlen(junk)));
}

static void test_inbox_sets_bad_updates_aside(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof path, "%s/inbox.db", tmpdir);
    wh_db *db = open_ok(path);
    assert_int_equal(wh_inbox_migrate(db), 0);
    json_t *a = parse(ANSWER(GOOD(60) "," NUL_CB(61) "," SURROGATE(62) "," GOOD(63)));
    json_t *fresh = NULL, *aside = NULL;
    assert_int_equal(wh_inbox_store(db, a, 1000, &fresh, &aside), 0);
    /* only the good ones are handled; the bad ones are stored as done, so the
     * offset moves past them and a restart does not run them */
    assert_int_equal(json_array_size(fresh), 2);
    assert_int_equal(id_at(fresh, 0), 60);
    assert_int_equal(id_at(fresh, 1), 63);
    assert_int_equal(json_array_size(aside), 2);
    assert_int_equal(id_at(aside, 0), 61);
    assert_string_equal(json_string_value(json_object_get(json_array_get(aside, 0), "callback_query_id")), "q61");
    assert_int_equal(id_at(aside, 1), 62);
    assert_null(json_object_get(json_array_get(aside, 1), "callback_query_id"));
    json_t *pending = NULL;
    assert_int_equal(wh_inbox_pending(db, &pending), 0);
    assert_int_equal(json_array_size(pending), 2);
    json_decref(pending);
    assert_int_equal(count(db, "SELECT count(*) FROM wh_quarantine"), 2);
    assert_int_equal(wh_inbox_max_id(db), 63);
    json_decref(fresh);
    json_decref(aside);
    /* Telegram sends the batch again (the offset was not confirmed): nothing new, nothing reported twice */
    assert_int_equal(wh_inbox_store(db, a, 1001, &fresh, &aside), 0);
    assert_int_equal(json_array_size(fresh), 0);
    assert_int_equal(json_array_size(aside), 0);
    json_decref(fresh);
    json_decref(aside);
    json_decref(a);
    wh_db_close(db);
}

/* a queued send's answer is read for "ok" alone (tg_http.c): only a
 * top-level true counts, anything else is parsed properly */
static void test_answer_ok_without_parsing(void **state)
{
    (void)state;
    const char *yes[] = {"{\"ok\":true,\"result\":{\"message_id\":5}}", " { \"ok\" : true } ",
                         "{\"result\":{\"ok\":false,\"a\":[1,\"]\"]},\"ok\":true}"};
    const char *no[] = {"{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request\"}",
                        "{\"result\":{\"ok\":true}}", "{\"ok\":trueish}", "{\"ok\":true", "<html>ok</html>",
                        "{\"ok\":\"true\"}", "", "[{\"ok\":true}]"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_int_equal(wh_tg_answer_ok(yes[i], strlen(yes[i])), 1);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_int_equal(wh_tg_answer_ok(no[i], strlen(no[i])), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nul_in_a_string_parses),
        cmocka_unit_test(test_unparseable_update_becomes_a_stand_in),
        cmocka_unit_test(test_what_cannot_be_read_at_all),
        cmocka_unit_test(test_webhook_body),
        cmocka_unit_test(test_inbox_sets_bad_updates_aside),
        cmocka_unit_test(test_answer_ok_without_parsing),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
