/* The /metrics counters and their Prometheus text (host/ops/metrics.c).
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>

#include "metrics.h"

/* the value of the sample line "name value" (name with its labels) */
static double sample(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    fail_msg("no sample %s", name);
    return -1;
}

static char *render(const wh_metrics_ext *x)
{
    size_t len = 0;
    char *t = wh_metrics_render(x, &len);
    assert_non_null(t);
    assert_int_equal(strlen(t), len);
    return t;
}

static void test_updates_and_histogram(void **state)
{
    (void)state;
    wh_metrics_reset();
    wh_metrics_update("message", 1, 500);          /* 0.5 ms: first bucket */
    wh_metrics_update("message", 0, 30000);        /* 30 ms */
    wh_metrics_update("callback_query", 1, 2000000);
    wh_metrics_update("inline_query", 1, 20000000); /* not asked for: "other"; 20 s: +Inf only */
    wh_metrics_update(NULL, 1, -5);                 /* clock oddities count as 0 */
    wh_metrics_ext x = {.outbox_queued = 7, .tg_429 = 3, .plugins_loaded = 2};
    char *t = render(&x);
    assert_true(sample(t, "walor_updates_received_total{kind=\"message\"}") == 2);
    assert_true(sample(t, "walor_updates_handled_total{kind=\"message\"}") == 1);
    assert_true(sample(t, "walor_updates_failed_total{kind=\"message\"}") == 1);
    assert_true(sample(t, "walor_updates_handled_total{kind=\"callback_query\"}") == 1);
    assert_true(sample(t, "walor_updates_received_total{kind=\"other\"}") == 2);
    assert_true(sample(t, "walor_handler_duration_seconds_bucket{le=\"0.001\"}") == 2);
    assert_true(sample(t, "walor_handler_duration_seconds_bucket{le=\"0.025\"}") == 2);
    assert_true(sample(t, "walor_handler_duration_seconds_bucket{le=\"0.05\"}") == 3);
    assert_true(sample(t, "walor_handler_duration_seconds_bucket{le=\"2.5\"}") == 4);
    assert_true(sample(t, "walor_handler_duration_seconds_bucket{le=\"10\"}") == 4);
    assert_true(sample(t, "walor_handler_duration_seconds_bucket{le=\"+Inf\"}") == 5);
    assert_true(sample(t, "walor_handler_duration_seconds_count") == 5);
    assert_true(sample(t, "walor_handler_duration_seconds_sum") > 22.03 &&
                sample(t, "walor_handler_duration_seconds_sum") < 22.04);
    assert_true(sample(t, "walor_outbox_queue_length") == 7);
    assert_true(sample(t, "walor_telegram_429_total") == 3);
    assert_true(sample(t, "walor_plugins_loaded") == 2);
    assert_non_null(strstr(t, "# TYPE walor_handler_duration_seconds histogram\n"));
    free(t);
}

static void test_jobs_and_http(void **state)
{
    (void)state;
    wh_metrics_reset();
    wh_metrics_job(1);
    wh_metrics_job(0);
    wh_metrics_job(1);
    wh_metrics_http(200);
    wh_metrics_http(404);
    wh_metrics_http(413);
    wh_metrics_webhook_stored(2);
    wh_metrics_ext x = {0};
    char *t = render(&x);
    assert_true(sample(t, "walor_jobs_run_total") == 3);
    assert_true(sample(t, "walor_jobs_failed_total") == 1);
    assert_true(sample(t, "walor_http_responses_total{code=\"2xx\"}") == 1);
    assert_true(sample(t, "walor_http_responses_total{code=\"4xx\"}") == 2);
    assert_true(sample(t, "walor_updates_stored_total{via=\"webhook\"}") == 2);
    assert_true(sample(t, "walor_db_pool_waits_total") == 0);
    free(t);
}

/* the counters are bumped from every worker without a lock */
static void *bump(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10000; i++)
        wh_metrics_update("message", i % 10 != 0, 100);
    return NULL;
}

static void test_concurrent_updates(void **state)
{
    (void)state;
    wh_metrics_reset();
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, bump, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    wh_metrics_ext x = {0};
    char *t = render(&x);
    assert_true(sample(t, "walor_updates_received_total{kind=\"message\"}") == 40000);
    assert_true(sample(t, "walor_updates_failed_total{kind=\"message\"}") == 4000);
    assert_true(sample(t, "walor_handler_duration_seconds_count") == 40000);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_updates_and_histogram),
        cmocka_unit_test(test_jobs_and_http),
        cmocka_unit_test(test_concurrent_updates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
