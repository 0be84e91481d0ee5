/* support-groq's pure parts: the SSE reader (sse.c), chat completion
 * chunks and errors (answer.c), the key rotation state machine (keys.c),
 * token estimate and trimming (trim.c), folding and FTS5 queries
 * (ftsq.c), and model text made fit for Telegram (fmt.c).
 * Features: F-SUP-01, F-SUP-03 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "answer.h"
#include "fmt.h"
#include "ftsq.h"
#include "keys.h"
#include "sse.h"
#include "trim.h"

/* ------------------------------------------------------------ sse */

typedef struct events {
    char got[16][128];
    int n;
} events;

static int on_event(void *ud, const char *data, size_t len)
{
    events *e = ud;
    assert_int_equal(strlen(data), len);
    snprintf(e->got[e->n++], sizeof e->got[0], "%s", data);
    return 0;
}

static void test_sse_any_split(void **st)
{
    (void)st;
    const char *stream = ": keep-alive\n\ndata: {\"a\":1}\n\nevent: x\r\ndata: line1\r\ndata:line2\r\n\r\n"
                         "id: 3\rdata: тире — ё\r\r"
                         "data: [DONE]\n\n";
    size_t n = strlen(stream);
    /* every split point, and one byte at a time: the same events */
    for (size_t cut = 0; cut <= n; cut++) {
        sup_sse s = {0};
        events e = {.n = 0};
        assert_int_equal(sup_sse_feed(&s, stream, cut, on_event, &e), 0);
        assert_int_equal(sup_sse_feed(&s, stream + cut, n - cut, on_event, &e), 0);
        assert_int_equal(e.n, 3);
        assert_string_equal(e.got[0], "{\"a\":1}");
        assert_string_equal(e.got[1], "line1\nline2");
        assert_string_equal(e.got[2], "тире — ё");
        assert_true(s.done);
        sup_sse_free(&s);
    }
    sup_sse s = {0};
    events e = {.n = 0};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sup_sse_feed(&s, stream + i, 1, on_event, &e), 0);
    assert_int_equal(e.n, 3);
    sup_sse_free(&s);
}

static int stop_at_first(void *ud, const char *data, size_t len)
{
    (void)data;
    (void)len;
    (*(int *)ud)++;
    return 7;
}

static void test_sse_incomplete_and_limits(void **st)
{
    (void)st;
    sup_sse s = {0};
    events e = {.n = 0};
    /* a stream cut in the middle: the half event is never delivered */
    assert_int_equal(sup_sse_feed(&s, "data: {\"a\":1}\n\ndata: {\"b\"", 26, on_event, &e), 0);
    assert_int_equal(e.n, 1);
    assert_false(s.done);
    sup_sse_free(&s);

    int calls = 0;
    assert_int_equal(sup_sse_feed(&s, "data: 1\n\ndata: 2\n\n", 18, stop_at_first, &calls), 7);
    assert_int_equal(calls, 1);
    sup_sse_free(&s);

    /* a line without end past the limit is refused, not buffered forever */
    static char big[SUP_SSE_MAX + 16];
    memset(big, 'x', sizeof big);
    memcpy(big, "data: ", 6);
    assert_int_equal(sup_sse_feed(&s, big, sizeof big, on_event, &e), -1);
    sup_sse_free(&s);
}

/* ------------------------------------------------------------ answers */

static void test_answer_stream_content_and_usage(void **st)
{
    (void)st;
    sup_answer a = {0};
    const char *chunks[] = {
        "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Да, \"},\"finish_reason\":null}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"есть.\"},\"finish_reason\":null}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
        "\"x_groq\":{\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":4}}}",
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(sup_answer_chunk(&a, chunks[i], strlen(chunks[i])), 0);
    assert_string_equal(a.content, "Да, есть.");
    assert_string_equal(a.finish, "stop");
    assert_int_equal(a.prompt_tokens, 120);
    assert_int_equal(a.completion_tokens, 4);
    assert_int_equal(a.ncalls, 0);
    assert_int_equal(sup_answer_chunk(&a, "not json", 8), -1);
    assert_int_equal(sup_answer_chunk(&a, "{\"x\":1}", 7), -1);
    sup_answer_free(&a);
}

static void test_answer_tool_calls_in_pieces(void **st)
{
    (void)st;
    sup_answer a = {0};
    const char *chunks[] = {
        "{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":null}}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
        "\"function\":{\"name\":\"order_status\",\"arguments\":\"\"}}]}}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"order_\"}}]}}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"id\\\": 42}\"}}]}}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"function\":{\"name\":"
        "\"find_product\",\"arguments\":\"{\\\"query\\\":\\\"чай\\\"}\"}}]}}]}",
        "{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
    };
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(sup_answer_chunk(&a, chunks[i], strlen(chunks[i])), 0);
    assert_int_equal(a.ncalls, 2);
    assert_string_equal(a.calls[0].id, "call_1");
    assert_string_equal(a.calls[0].name, "order_status");
    assert_string_equal(a.calls[0].args, "{\"order_id\": 42}");
    assert_string_equal(a.calls[1].name, "find_product");
    assert_string_equal(a.calls[1].args, "{\"query\":\"чай\"}");
    assert_string_equal(a.finish, "tool_calls");
    sup_answer_free(&a);

    const char *full = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
                       "\"c9\",\"type\":\"function\",\"function\":{\"name\":\"call_operator\",\"arguments\":"
                       "\"{}\"}}]},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":9,"
                       "\"completion_tokens\":2}}";
    assert_int_equal(sup_answer_full(&a, full, strlen(full)), 0);
    assert_int_equal(a.ncalls, 1);
    assert_string_equal(a.calls[0].name, "call_operator");
    assert_string_equal(a.content, "");
    assert_int_equal(a.prompt_tokens, 9);
    sup_answer_free(&a);
    assert_int_equal(sup_answer_full(&a, "{\"choices\":[]}", 14), -1);
    sup_answer_free(&a);
}

static void test_answer_errors(void **st)
{
    (void)st;
    char m[128];
    const char *groq = "{\"error\":{\"message\":\"Rate limit reached. Please try again in 7.66s.\",\"type\":\"tokens\"}}";
    sup_answer_error(groq, strlen(groq), m, sizeof m);
    assert_string_equal(m, "Rate limit reached. Please try again in 7.66s.");
    sup_answer_error("{\"error\":\"model not loaded\"}", 28, m, sizeof m);
    assert_string_equal(m, "model not loaded");
    sup_answer_error("Bad Gateway", 11, m, sizeof m);
    assert_string_equal(m, "Bad Gateway");
    sup_answer_error("<html>502</html>", 16, m, sizeof m);
    assert_string_equal(m, "");
    sup_answer_error(NULL, 0, m, sizeof m);
    assert_string_equal(m, "");
}

/* ------------------------------------------------------------ keys */

static void test_keys_classify(void **st)
{
    (void)st;
    assert_int_equal(sup_keys_classify(200, 1), SUP_OUT_OK);
    assert_int_equal(sup_keys_classify(401, 0), SUP_OUT_AUTH);
    assert_int_equal(sup_keys_classify(403, 0), SUP_OUT_AUTH);
    assert_int_equal(sup_keys_classify(429, 0), SUP_OUT_RATE);
    assert_int_equal(sup_keys_classify(500, 0), SUP_OUT_TRANSIENT);
    assert_int_equal(sup_keys_classify(503, 1), SUP_OUT_TRANSIENT);
    assert_int_equal(sup_keys_classify(498, 0), SUP_OUT_TRANSIENT);
    assert_int_equal(sup_keys_classify(0, 0), SUP_OUT_TRANSIENT);
    assert_int_equal(sup_keys_classify(400, 1), SUP_OUT_TOOLS);
    assert_int_equal(sup_keys_classify(400, 0), SUP_OUT_FATAL);
    assert_int_equal(sup_keys_classify(404, 1), SUP_OUT_FATAL);
}

static void test_keys_rotation(void **st)
{
    (void)st;
    sup_keyring r = {.n = 3};
    int64_t now = 1000000, wait = -1;
    /* round robin over questions */
    assert_int_equal(sup_keys_pick(&r, now, 0, 0, NULL), 0);
    assert_int_equal(sup_keys_pick(&r, now, 0, 0, NULL), 1);
    assert_int_equal(sup_keys_pick(&r, now, 0, 0, NULL), 2);
    assert_int_equal(sup_keys_pick(&r, now, 0, 0, NULL), 0);

    /* one question: key 1 is revoked (told once), key 2 rate limited for 30 s, key 0 works */
    uint32_t tried = 0;
    int k = sup_keys_pick(&r, now, tried, 0, NULL);
    assert_int_equal(k, 1);
    tried |= 1u << k;
    assert_int_equal(sup_keys_report(&r, k, SUP_OUT_AUTH, 0, now), 1);
    assert_int_equal(sup_keys_report(&r, k, SUP_OUT_AUTH, 0, now), 0); /* already told */
    k = sup_keys_pick(&r, now, tried, 0, NULL);
    assert_int_equal(k, 2);
    tried |= 1u << k;
    sup_keys_report(&r, k, SUP_OUT_RATE, 30, now);
    k = sup_keys_pick(&r, now, tried, 0, NULL);
    assert_int_equal(k, 0);
    tried |= 1u << k;

    /* a transient failure of key 0: every usable key was tried; a retry may use it again */
    assert_int_equal(sup_keys_pick(&r, now, tried, 0, &wait), -1);
    assert_int_equal(sup_keys_pick(&r, now, tried, 1, NULL), 0);

    /* key 0 also limited: nothing usable; the wait is the nearer cool-down */
    sup_keys_report(&r, 0, SUP_OUT_RATE, 5, now);
    assert_int_equal(sup_keys_pick(&r, now, 0, 1, &wait), -1);
    assert_int_equal(wait, 5000);
    int u, c, rv;
    sup_keys_count(&r, now, &u, &c, &rv);
    assert_int_equal(u * 100 + c * 10 + rv, 21);

    /* cool-downs end; the revoked key never comes back */
    assert_int_equal(sup_keys_pick(&r, now + 5000, 0, 0, NULL), 0);
    assert_int_equal(sup_keys_pick(&r, now + 30000, 1u, 0, NULL), 2);
    /* a 429 without retry-after cools for 10 s */
    sup_keys_report(&r, 2, SUP_OUT_RATE, 0, now);
    assert_int_equal(r.k[2].cool_until, now + 10000);

    /* every key revoked: -1, wait 0 (nothing will come back) */
    sup_keyring all = {.n = 2};
    sup_keys_report(&all, 0, SUP_OUT_AUTH, 0, now);
    sup_keys_report(&all, 1, SUP_OUT_AUTH, 0, now);
    assert_int_equal(sup_keys_pick(&all, now, 0, 1, &wait), -1);
    assert_int_equal(wait, 0);
    sup_keyring none = {.n = 0};
    assert_int_equal(sup_keys_pick(&none, now, 0, 1, &wait), -1);
}

/* ------------------------------------------------------------ trim */

static void test_tokens_and_trim(void **st)
{
    (void)st;
    assert_int_equal(sup_tokens(""), 4);
    assert_int_equal(sup_tokens("abcd"), 5);       /* 4 ASCII = 1 token + 4 */
    assert_int_equal(sup_tokens("привет"), 7);     /* 6 Cyrillic = 3 tokens + 4 */
    assert_true(sup_tokens("ёлка 🎄") > sup_tokens("елка"));

    int64_t t[] = {100, 50, 30, 20, 10};
    assert_int_equal(sup_trim(t, 5, 1000), 0);      /* everything fits */
    assert_int_equal(sup_trim(t, 5, 60), 2);        /* 10 + 20 + 30 */
    assert_int_equal(sup_trim(t, 5, 59), 3);
    assert_int_equal(sup_trim(t, 5, 1), 4);         /* the newest always stays */
    assert_int_equal(sup_trim(t, 0, 10), 0);
    int64_t big[] = {10, 5000};
    assert_int_equal(sup_trim(big, 2, 100), 1);
}

/* ------------------------------------------------------------ fts */

static void test_fold(void **st)
{
    (void)st;
    char *f = sup_fold("  Ёлочная ИГРУШКА «Шар», 50мл — Crème!  ");
    assert_string_equal(f, "елочная игрушка шар 50мл crème");
    free(f);
    f = sup_fold("");
    assert_string_equal(f, "");
    free(f);
    f = sup_fold("\xff\xfe broken");
    assert_string_equal(f, "broken");
    free(f);
}

static void test_fts_query(void **st)
{
    (void)st;
    char *q = sup_fts_query("Здравствуйте! Сколько стоят красные ФУТБОЛКИ размера M?");
    assert_string_equal(q, "\"красн\"* OR \"футбол\"* OR \"разме\"*");
    free(q);
    q = sup_fts_query("Есть ли ёлочные игрушки и чай 50 г?");
    assert_string_equal(q, "\"елочн\"* OR \"игруш\"* OR \"чай\"* OR \"50\"*");
    free(q);
    /* FTS syntax in the question is only words */
    q = sup_fts_query("NEAR(\"x\" AND y*) OR -z");
    assert_string_equal(q, "\"nea\"*");
    free(q);
    assert_null(sup_fts_query("Сколько стоит? А у вас есть?"));
    assert_null(sup_fts_query(""));
    /* at most SUP_FTS_TERMS terms, no repeats */
    q = sup_fts_query("чай чай чай кофе сахар мед лимон мята имбирь корица ваниль");
    int terms = 1;
    for (const char *p = q; (p = strstr(p, " OR ")); p++)
        terms++;
    assert_int_equal(terms, SUP_FTS_TERMS);
    const char *first = strstr(q, "\"чай\"");
    assert_non_null(first);
    assert_null(strstr(first + 1, "\"чай\""));
    free(q);
}

/* ------------------------------------------------------------ fmt */

static void test_fmt_html(void **st)
{
    (void)st;
    char *h = sup_fmt_html("<b>Цена: 500 ₽ & скидка");
    assert_string_equal(h, "&lt;b&gt;Цена: 500 ₽ &amp; скидка");
    free(h);
    h = sup_fmt_html("**Чай «Сенча»** — *зелёный*, `ID 12`\n## Доставка\n* пункт списка\n2 * 3 = 6, snake_case");
    assert_string_equal(h, "<b>Чай «Сенча»</b> — <i>зелёный</i>, <code>ID 12</code>\n<b>Доставка</b>\n"
                           "* пункт списка\n2 * 3 = 6, snake_case");
    free(h);
    h = sup_fmt_html("**не закрыто\nи дальше**");
    assert_string_equal(h, "**не закрыто\nи дальше**");
    free(h);
}

static void test_fmt_marker(void **st)
{
    (void)st;
    char t[] = "К сожалению, не могу помочь. [[ОПЕРАТОР]]";
    assert_int_equal(sup_fmt_take_marker(t), 1);
    assert_string_equal(t, "К сожалению, не могу помочь.");
    char u[] = "[[operator]]";
    assert_int_equal(sup_fmt_take_marker(u), 1);
    assert_string_equal(u, "");
    char v[] = "Всё хорошо [ОПЕРАТОР]";
    assert_int_equal(sup_fmt_take_marker(v), 0);
}

static void test_fmt_split(void **st)
{
    (void)st;
    /* 15 000 characters of Cyrillic in paragraphs: parts under the limit, cut between paragraphs */
    static char text[40000];
    text[0] = '\0';
    for (int i = 0; i < 60; i++) {
        strcat(text, "Абзац ");
        for (int j = 0; j < 40; j++)
            strcat(text, "слово ");
        strcat(text, "конец.\n\n");
    }
    size_t cuts[8];
    size_t k = sup_fmt_split(text, SUP_PART_MAX, cuts, 8);
    assert_true(k >= 3);
    size_t from = 0;
    for (size_t i = 0; i <= k; i++) {
        size_t to = i < k ? cuts[i] : strlen(text);
        assert_true(sup_utf16_len(text + from, to - from) <= SUP_PART_MAX);
        if (i < k)
            assert_memory_equal(text + to - 2, "\n\n", 2);
        from = to;
    }
    assert_int_equal(sup_fmt_split("коротко", SUP_PART_MAX, cuts, 8), 0);
    /* one endless word: cut at a character boundary */
    static char word[10001];
    for (int i = 0; i < 5000; i++)
        memcpy(word + 2 * i, "я", 2);
    k = sup_fmt_split(word, 4000, cuts, 8);
    assert_int_equal(k, 1);
    assert_int_equal(cuts[0], 8000);
    /* emoji are two UTF-16 units */
    assert_int_equal(sup_utf16_len("🎄a", strlen("🎄a")), 3);
    assert_int_equal(sup_fmt_tail("абвгд", 2), 6);
    assert_int_equal(sup_fmt_tail("абв", 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_any_split),
        cmocka_unit_test(test_sse_incomplete_and_limits),
        cmocka_unit_test(test_answer_stream_content_and_usage),
        cmocka_unit_test(test_answer_tool_calls_in_pieces),
        cmocka_unit_test(test_answer_errors),
        cmocka_unit_test(test_keys_classify),
        cmocka_unit_test(test_keys_rotation),
        cmocka_unit_test(test_tokens_and_trim),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fts_query),
        cmocka_unit_test(test_fmt_html),
        cmocka_unit_test(test_fmt_marker),
        cmocka_unit_test(test_fmt_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
