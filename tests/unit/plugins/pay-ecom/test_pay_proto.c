/* pay-ecom's Ekomkassa wire shapes (plugins/pay-ecom/proto.c): statuses in
 * every form the provider uses, callback ids, path templates, invoice
 * answers, error bodies, money as roubles and the receipt's discount
 * spreading.
 * Features: F-PAY-01, F-PAY-02 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "proto.h"

static int st_of_json(const char *text)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    int st = pay_status_of(j);
    json_decref(j);
    return st;
}

static void test_status(void **st)
{
    (void)st;
    assert_int_equal(st_of_json("0"), PAY_ST_PENDING);
    assert_int_equal(st_of_json("1"), PAY_ST_PENDING); /* paid, awaiting confirmation: not money yet */
    assert_int_equal(st_of_json("2"), PAY_ST_PAID);
    assert_int_equal(st_of_json("3"), PAY_ST_REFUNDED);
    assert_int_equal(st_of_json("4"), PAY_ST_FAILED);
    assert_int_equal(st_of_json("5"), PAY_ST_UNKNOWN);
    assert_int_equal(st_of_json("-1"), PAY_ST_UNKNOWN);
    assert_int_equal(st_of_json("\"2\""), PAY_ST_PAID);
    assert_int_equal(st_of_json("\"done\""), PAY_ST_PAID);
    assert_int_equal(st_of_json("\"PAID\""), PAY_ST_PAID);
    assert_int_equal(st_of_json("\"ready\""), PAY_ST_PENDING);
    assert_int_equal(st_of_json("\"WAITING\""), PAY_ST_PENDING);
    assert_int_equal(st_of_json("\"fail\""), PAY_ST_FAILED);
    assert_int_equal(st_of_json("\"expired\""), PAY_ST_FAILED);
    assert_int_equal(st_of_json("\"refunded\""), PAY_ST_REFUNDED);
    assert_int_equal(st_of_json("\"donee\""), PAY_ST_UNKNOWN);
    assert_int_equal(st_of_json("\"\""), PAY_ST_UNKNOWN);
    assert_int_equal(st_of_json("2.0"), PAY_ST_UNKNOWN);
    assert_int_equal(st_of_json("true"), PAY_ST_UNKNOWN);
    assert_int_equal(pay_status_of(NULL), PAY_ST_UNKNOWN);
    assert_int_equal(pay_receipt_status_of("wait"), PAY_RCPT_WAIT);
    assert_int_equal(pay_receipt_status_of("done"), PAY_RCPT_DONE);
    assert_int_equal(pay_receipt_status_of("fail"), PAY_RCPT_FAIL);
    assert_int_equal(pay_receipt_status_of("ready"), PAY_RCPT_UNKNOWN);
    assert_int_equal(pay_receipt_status_of(NULL), PAY_RCPT_UNKNOWN);
    assert_string_equal(pay_status_name(PAY_ST_PAID), "paid");
    assert_string_equal(pay_status_name(42), "unknown");
}

static const char *cb_id(const char *text, char *buf, size_t n)
{
    json_t *j = json_loads(text, 0, NULL);
    int rc = pay_callback_id(j, buf, n);
    json_decref(j);
    return rc == 0 ? buf : NULL;
}

static void test_callback_id(void **st)
{
    (void)st;
    char b[32];
    assert_string_equal(cb_id("{\"status\":2,\"id\":\"inv-1\"}", b, sizeof b), "inv-1");
    assert_string_equal(cb_id("{\"status\":2,\"paymentId\":12345}", b, sizeof b), "12345");
    /* the most specific name wins: uuid before a generic id */
    assert_string_equal(cb_id("{\"id\":\"x\",\"uuid\":\"u-1\"}", b, sizeof b), "u-1");
    assert_string_equal(cb_id("{\"orderId\":\"o\",\"invoice_id\":\"i\"}", b, sizeof b), "o");
    assert_null(cb_id("{\"status\":2}", b, sizeof b));
    assert_null(cb_id("{\"id\":\"\"}", b, sizeof b));
    assert_null(cb_id("{\"id\":null}", b, sizeof b));
    assert_null(cb_id("{\"id\":[1]}", b, sizeof b));
    assert_null(cb_id("[1]", b, sizeof b));
    assert_null(cb_id("{\"id\":\"0123456789012345678901234567890123456789\"}", b, sizeof b)); /* does not fit */
    assert_null(cb_id("{\"id\":\"a\\u0000b\"}", b, sizeof b));                              /* embedded NUL */
    assert_int_equal(pay_callback_id(NULL, b, sizeof b), -1);
}

static void test_path(void **st)
{
    (void)st;
    char out[64];
    assert_int_equal(pay_path("/fiscalorder/v5/{group}/report/{id}", "700", "u-1", out, sizeof out), 0);
    assert_string_equal(out, "/fiscalorder/v5/700/report/u-1");
    assert_int_equal(pay_path("/api/v1/payments", "700", NULL, out, sizeof out), 0);
    assert_string_equal(out, "/api/v1/payments");
    assert_int_equal(pay_path("/p/{id}/{id}", NULL, "a", out, sizeof out), 0);
    assert_string_equal(out, "/p/a/a");
    assert_int_equal(pay_path("/p/{id}", "g", NULL, out, sizeof out), -1);     /* needs an id */
    assert_int_equal(pay_path("/p/{oops}", "g", "i", out, sizeof out), -1);    /* unknown placeholder */
    assert_int_equal(pay_path("/p/{group}", NULL, "i", out, sizeof out), -1);
    char small[8];
    assert_int_equal(pay_path("/1234567", NULL, NULL, small, sizeof small), -1);
    assert_int_equal(pay_path("/123456", NULL, NULL, small, sizeof small), 0);
    assert_int_equal(pay_path("/{id}", NULL, "1234567", small, sizeof small), -1);
}

static void test_invoice_and_errors(void **st)
{
    (void)st;
    char id[64];
    pay_invoice_resp r;
    json_t *j = json_loads("{\"id\":\"inv-7\",\"status\":0,\"payment_url\":\"https://pay/7\","
                           "\"qr_payload\":\"https://qr.nspk.ru/7\"}", 0, NULL);
    assert_int_equal(pay_parse_invoice(j, &r, id, sizeof id), 0);
    assert_string_equal(r.id, "inv-7");
    assert_string_equal(r.link, "https://pay/7");
    assert_string_equal(r.qr, "https://qr.nspk.ru/7");
    json_decref(j);
    /* the mobile API wraps its data; a link alone is the QR too */
    j = json_loads("{\"errorCode\":0,\"payload\":{\"uuid\":\"u-9\",\"url\":\"https://pay/9\"}}", 0, NULL);
    assert_int_equal(pay_parse_invoice(j, &r, id, sizeof id), 0);
    assert_string_equal(r.id, "u-9");
    assert_string_equal(r.qr, "https://pay/9");
    json_decref(j);
    j = json_loads("{\"id\":\"inv-1\"}", 0, NULL); /* nothing to pay with */
    assert_int_equal(pay_parse_invoice(j, &r, id, sizeof id), -1);
    json_decref(j);
    j = json_loads("{\"payment_url\":\"https://pay/1\"}", 0, NULL); /* no id */
    assert_int_equal(pay_parse_invoice(j, &r, id, sizeof id), -1);
    json_decref(j);

    j = json_loads("{\"error\":{\"code\":4,\"text\":\"ExpiredToken\"}}", 0, NULL);
    assert_string_equal(pay_error_text(j), "ExpiredToken");
    json_decref(j);
    j = json_loads("{\"error\":\"bad\"}", 0, NULL);
    assert_string_equal(pay_error_text(j), "bad");
    json_decref(j);
    j = json_loads("{\"uuid\":\"u\",\"status\":\"done\",\"error\":null}", 0, NULL);
    assert_null(pay_error_text(j));
    json_decref(j);
}

static void test_money(void **st)
{
    (void)st;
    char b[32];
    pay_rub_str(150050, b);
    assert_string_equal(b, "1500.50");
    pay_rub_str(5, b);
    assert_string_equal(b, "0.05");
    pay_rub_str(-1999, b);
    assert_string_equal(b, "-19.99");
    pay_rub_str(INT64_MIN, b);
    assert_string_equal(b, "-92233720368547758.08");
    json_t *j = json_pack("{s:o}", "a", pay_rub(10));
    char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
    assert_string_equal(s, "{\"a\":0.1}"); /* never 0.10000000000000001 */
    free(s);
    json_decref(j);
}

static void test_fit(void **st)
{
    (void)st;
    int64_t a[] = {99999, 30000};
    assert_int_equal(pay_fit_sums(a, 2, 129999), 0); /* already right: untouched */
    assert_int_equal(a[0], 99999);
    int64_t b[] = {99999};
    assert_int_equal(pay_fit_sums(b, 1, 89999), 0);
    assert_int_equal(b[0], 89999);
    int64_t c[] = {1000, 1000, 1000};
    assert_int_equal(pay_fit_sums(c, 3, 2000), 0);
    assert_int_equal(c[0] + c[1] + c[2], 2000); /* the rounding goes to one item */
    int64_t d[] = {0, 0};
    assert_int_equal(pay_fit_sums(d, 2, 10), -1);
    int64_t e[] = {-5, 10};
    assert_int_equal(pay_fit_sums(e, 2, 5), -1);
    int64_t big[] = {INT64_C(4000000000000), INT64_C(3000000000000)}; /* 40 bn roubles: no overflow */
    assert_int_equal(pay_fit_sums(big, 2, INT64_C(3500000000000)), 0);
    assert_true(big[0] == INT64_C(2000000000000) && big[1] == INT64_C(1500000000000));
}

static void test_receipt_body(void **st)
{
    (void)st;
    pay_receipt_item items[] = {{"Масло лаванды, 10 мл", 33333, 3, "commodity"}, {"Доставка", 30000, 1, "service"}};
    pay_receipt_req r = {.external_id = "walor-5-sell", .timestamp = "24.11.2026 10:00:00",
                         .callback_url = "https://bot/p/pay-ecom/webhook/s", .email = "", .phone = "+79990000000",
                         .company_email = "shop@example.com", .sno = "usn_income", .inn = "7700000000",
                         .payment_address = "https://t.me/shop", .vat = NULL, .items = items, .n_items = 2,
                         .total = 119999};
    json_t *b = pay_receipt_body(&r);
    assert_non_null(b);
    json_t *rc = json_object_get(b, "receipt");
    assert_string_equal(json_string_value(json_object_get(b, "external_id")), "walor-5-sell");
    assert_string_equal(json_string_value(json_object_get(json_object_get(rc, "client"), "phone")), "+79990000000");
    json_t *its = json_object_get(rc, "items");
    assert_int_equal(json_array_size(its), 2);
    double sum = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *it = json_array_get(its, i);
        sum += json_real_value(json_object_get(it, "sum"));
        assert_string_equal(json_string_value(json_object_get(json_object_get(it, "vat"), "type")), "none");
    }
    assert_true(sum > 1199.98 && sum < 1200.00);
    assert_true(json_real_value(json_object_get(rc, "total")) == 1199.99);
    json_decref(b);
    r.n_items = 0;
    assert_null(pay_receipt_body(&r));
}

static void test_timestamp(void **st)
{
    (void)st;
    setenv("TZ", "Europe/Moscow", 1);
    tzset();
    char b[32];
    pay_timestamp(1764000000, b); /* 2025-11-24 16:00:00 UTC */
    assert_string_equal(b, "24.11.2025 19:00:00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),  cmocka_unit_test(test_callback_id),        cmocka_unit_test(test_path),
        cmocka_unit_test(test_money),   cmocka_unit_test(test_invoice_and_errors), cmocka_unit_test(test_fit),
        cmocka_unit_test(test_receipt_body), cmocka_unit_test(test_timestamp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
