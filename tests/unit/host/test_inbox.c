/* Durable update inbox (host/tg/inbox.c) against a real SQLite file.
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

#include "db.h"
#include "inbox.h"

static char path[64];

static int setup(void **state)
{
    snprintf(path, sizeof path, "/tmp/walor-test-inbox-%d.db", (int)getpid());
    unlink(path);
    char err[256];
    wh_db *db = wh_db_open(path, err, sizeof err);
    if (!db)
        return -1;
    if (wh_inbox_migrate(db) != 0)
        return -1;
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    wh_db_close(*state);
    char p[80];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return 0;
}

static json_t *msg(int64_t id, int64_t chat)
{
    return json_pack("{sI s{si s{sI ss} s{sI} ss}}", "update_id", (json_int_t)id, "message", "message_id", 1, "chat",
                     "id", (json_int_t)chat, "type", "private", "from", "id", (json_int_t)chat, "text", "hi");
}

static int64_t id_of(json_t *arr, size_t i)
{
    return (int64_t)json_integer_value(json_object_get(json_array_get(arr, i), "update_id"));
}

static void test_dedup_across_batches(void **state)
{
    wh_db *db = *state;
    assert_int_equal(wh_inbox_max_id(db), 0);
    /* out of order on purpose: the result is in update_id order */
    json_t *a = json_pack("[ooo]", msg(12, 1), msg(10, 1), msg(11, 2));
    json_t *fresh = NULL;
    assert_int_equal(wh_inbox_store(db, a, 1000, &fresh), 0);
    assert_int_equal(json_array_size(fresh), 3);
    assert_int_equal(id_of(fresh, 0), 10);
    assert_int_equal(id_of(fresh, 1), 11);
    assert_int_equal(id_of(fresh, 2), 12);
    json_decref(fresh);

    /* Telegram re-sends 11 and 12 with a new one */
    json_t *b = json_pack("[ooo]", msg(11, 2), msg(12, 1), msg(13, 3));
    assert_int_equal(wh_inbox_store(db, b, 1001, &fresh), 0);
    assert_int_equal(json_array_size(fresh), 1);
    assert_int_equal(id_of(fresh, 0), 13);
    json_decref(fresh);

    /* a batch of only old ones stores nothing */
    assert_int_equal(wh_inbox_store(db, a, 1002, &fresh), 0);
    assert_int_equal(json_array_size(fresh), 0);
    json_decref(fresh);
    assert_int_equal(wh_inbox_max_id(db), 13);

    int64_t n = 0;
    assert_int_equal(wh_db_int(db, "SELECT COUNT(*) FROM wh_inbox", NULL, 0, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(wh_db_int(db, "SELECT chat_id FROM wh_inbox WHERE update_id = 11", NULL, 0, &n), 0);
    assert_int_equal(n, 2);
    json_decref(a);
    json_decref(b);
}

static void test_pending_attempts_done_prune(void **state)
{
    wh_db *db = *state;
    json_t *a = json_pack("[oooo]", msg(1, 5), msg(2, 5), msg(3, 6), msg(4, 7));
    json_t *fresh = NULL;
    assert_int_equal(wh_inbox_store(db, a, 100, &fresh), 0);
    json_decref(fresh);
    json_decref(a);

    /* stored counts as the first dispatch; each restart adds one */
    int64_t att = 0;
    assert_int_equal(wh_inbox_attempt(db, 2, &att), 0);
    assert_int_equal(att, 2);
    assert_int_equal(wh_inbox_attempt(db, 2, &att), 0);
    assert_int_equal(att, 3);
    assert_int_equal(wh_inbox_attempt(db, 99, &att), WALOR_ENOTFOUND);

    assert_int_equal(wh_inbox_done(db, 1, 200), 0);
    assert_int_equal(wh_inbox_done(db, 3, 300), 0);
    assert_int_equal(wh_inbox_done(db, 99, 300), WALOR_ENOTFOUND);

    json_t *p = NULL;
    assert_int_equal(wh_inbox_pending(db, &p), 0);
    assert_int_equal(json_array_size(p), 2);
    assert_int_equal(id_of(p, 0), 2);
    assert_int_equal(id_of(p, 1), 4);
    /* the body round-trips */
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(p, 0), "message"), "text")),
                        "hi");
    json_decref(p);

    /* prune removes done rows older than the cut, never pending ones */
    assert_int_equal(wh_inbox_prune(db, 250), 1);
    assert_int_equal(wh_inbox_done(db, 2, 400), 0);
    assert_int_equal(wh_inbox_done(db, 4, 400), 0);
    /* everything done: the newest row stays so max_id survives */
    assert_int_equal(wh_inbox_prune(db, 1000), 2);
    assert_int_equal(wh_inbox_max_id(db), 4);
    assert_int_equal(wh_inbox_pending(db, &p), 0);
    assert_int_equal(json_array_size(p), 0);
    json_decref(p);
}

static void test_bad_input(void **state)
{
    wh_db *db = *state;
    json_t *fresh = (json_t *)1;
    json_t *obj = json_object();
    assert_int_equal(wh_inbox_store(db, obj, 1, &fresh), WALOR_EINVAL);
    assert_null(fresh);
    json_decref(obj);
    /* an element without update_id is skipped, the rest stored */
    json_t *a = json_pack("[{s{}}o]", "message", msg(50, 1));
    assert_int_equal(wh_inbox_store(db, a, 1, &fresh), 0);
    assert_int_equal(json_array_size(fresh), 1);
    json_decref(fresh);
    json_decref(a);
}

static void check(const char *js, int64_t chat, const char *kind)
{
    json_error_t e;
    json_t *u = json_loads(js, 0, &e);
    assert_non_null(u);
    assert_int_equal(wh_update_chat_id(u), chat);
    assert_string_equal(wh_update_kind(u), kind);
    json_decref(u);
}

static void test_chat_id_and_kind(void **state)
{
    (void)state;
    check("{\"update_id\":1,\"message\":{\"chat\":{\"id\":-1001234567890123},\"from\":{\"id\":5}}}",
          -1001234567890123LL, "message");
    check("{\"update_id\":1,\"edited_message\":{\"chat\":{\"id\":42},\"from\":{\"id\":5}}}", 42, "edited_message");
    check("{\"update_id\":1,\"channel_post\":{\"chat\":{\"id\":-100777}}}", -100777, "channel_post");
    check("{\"update_id\":1,\"callback_query\":{\"id\":\"x\",\"from\":{\"id\":5},\"message\":{\"chat\":{\"id\":43}}}}",
          43, "callback_query");
    /* a button under an inline-mode message has no message: the user */
    check("{\"update_id\":1,\"callback_query\":{\"id\":\"x\",\"from\":{\"id\":6},\"inline_message_id\":\"m\"}}", 6,
          "callback_query");
    check("{\"update_id\":1,\"inline_query\":{\"id\":\"q\",\"from\":{\"id\":7},\"query\":\"\"}}", 7, "inline_query");
    check("{\"update_id\":1,\"pre_checkout_query\":{\"id\":\"p\",\"from\":{\"id\":8},\"currency\":\"RUB\"}}", 8,
          "pre_checkout_query");
    check("{\"update_id\":1,\"shipping_query\":{\"id\":\"s\",\"from\":{\"id\":9}}}", 9, "shipping_query");
    check("{\"update_id\":1,\"my_chat_member\":{\"chat\":{\"id\":10},\"from\":{\"id\":10}}}", 10, "my_chat_member");
    check("{\"update_id\":1,\"chat_join_request\":{\"chat\":{\"id\":-11},\"from\":{\"id\":12}}}", -11,
          "chat_join_request");
    check("{\"update_id\":1,\"poll_answer\":{\"poll_id\":\"p\",\"user\":{\"id\":13}}}", 13, "poll_answer");
    check("{\"update_id\":1,\"poll\":{\"id\":\"p\"}}", 0, "poll");
    check("{\"update_id\":1}", 0, "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dedup_across_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_attempts_done_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test(test_chat_id_and_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
