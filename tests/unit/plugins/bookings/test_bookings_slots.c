/* bookings' free-slot engine (plugins/bookings/slots.c): durations, the
 * break, buffers on both sides, minimum notice, the horizon, nearest free
 * slots after a refusal, and bk_slot_ok agreeing with the day's list for
 * random busy sets.
 * Features: F-BOOK-02, F-BOOK-03 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../../../plugins/bookings/cal.c"
#include "../../../../plugins/bookings/slots.c"

static int setup(void **st)
{
    (void)st;
    setenv("TZ", "Europe/Moscow", 1);
    tzset();
    return 0;
}

/* Monday 2026-03-02, Moscow */
#define MON bk_day_from_civil(2026, 3, 2)
static int64_t at(int32_t day, int hh, int mm) { return bk_local_time(day, hh * 60 + mm); }

static const bk_calendar CAL = {.weekdays = 0x1F, .hours = {10 * 60, 19 * 60, 13 * 60, 14 * 60}};

static bk_query base_query(void)
{
    bk_query q = {
        .now = at(MON, 8, 0), .notice_s = 0, .horizon_days = 30, .duration_min = 60, .buffer_min = 0, .step_min = 30};
    return q;
}

static void test_day_grid_and_break(void **st)
{
    (void)st;
    bk_query q = base_query();
    int64_t s[64];
    size_t n = bk_day_slots(&CAL, &q, MON, s, 64);
    /* 10:00 … 12:00 before the break (12:30 would run into it), 14:00 … 18:00 after */
    assert_int_equal(n, 5 + 9);
    assert_int_equal(s[0], at(MON, 10, 0));
    assert_int_equal(s[4], at(MON, 12, 0));
    assert_int_equal(s[5], at(MON, 14, 0));
    assert_int_equal(s[13], at(MON, 18, 0));
    assert_false(bk_slot_ok(&CAL, &q, at(MON, 12, 30)));
    assert_false(bk_slot_ok(&CAL, &q, at(MON, 10, 15))); /* off the grid */
    assert_false(bk_slot_ok(&CAL, &q, at(MON, 18, 30))); /* past closing */
    assert_true(bk_slot_ok(&CAL, &q, at(MON, 18, 0)));
    /* a cap smaller than the count still counts them all */
    assert_int_equal(bk_day_slots(&CAL, &q, MON, s, 2), 14);
    /* weekend: nothing */
    assert_int_equal(bk_day_slots(&CAL, &q, MON + 5, s, 64), 0);
    assert_false(bk_day_has_free(&CAL, &q, MON + 6));
}

static void test_buffer_both_sides(void **st)
{
    (void)st;
    bk_query q = base_query();
    q.buffer_min = 15;
    /* 11:00-12:00 booked with a 15-minute buffer: held until 12:15 */
    bk_busy busy[] = {{at(MON, 11, 0), at(MON, 12, 15)}};
    q.busy = busy;
    q.nbusy = 1;
    int64_t s[64];
    size_t n = bk_day_slots(&CAL, &q, MON, s, 64);
    /* 10:00 would end 11:00 + its own buffer 11:15 > 11:00; 12:00 and 12:30
     * start inside the held time or cross the break */
    assert_false(bk_slot_ok(&CAL, &q, at(MON, 10, 0)));
    assert_false(bk_slot_ok(&CAL, &q, at(MON, 12, 0)));
    assert_int_equal(s[0], at(MON, 14, 0));
    assert_int_equal(n, 9);
    /* without the buffer 10:00 fits exactly before it */
    q.buffer_min = 0;
    busy[0].to = at(MON, 12, 0);
    assert_true(bk_slot_ok(&CAL, &q, at(MON, 10, 0)));
    assert_true(bk_slot_ok(&CAL, &q, at(MON, 12, 0)));
    assert_false(bk_slot_ok(&CAL, &q, at(MON, 11, 30)));
}

static void test_notice_and_horizon(void **st)
{
    (void)st;
    bk_query q = base_query();
    q.now = at(MON, 10, 20);
    q.notice_s = 2 * 3600;
    int64_t s[64];
    assert_int_equal(bk_day_slots(&CAL, &q, MON, s, 64), 9);
    assert_int_equal(s[0], at(MON, 14, 0)); /* 12:30 is on the grid but runs into the break */
    q.notice_s = 3600;
    bk_day_slots(&CAL, &q, MON, s, 64);
    assert_int_equal(s[0], at(MON, 11, 30)); /* 11:20 rounded up to the grid */
    assert_false(bk_slot_ok(&CAL, &q, at(MON, 11, 0)));
    /* yesterday and past the horizon: nothing */
    assert_int_equal(bk_day_slots(&CAL, &q, MON - 1, s, 64), 0);
    q.horizon_days = 3;
    assert_int_equal(bk_last_day(&q), MON + 2);
    assert_true(bk_day_has_free(&CAL, &q, MON + 2));
    assert_false(bk_day_has_free(&CAL, &q, MON + 3));
    assert_false(bk_slot_ok(&CAL, &q, at(MON + 3, 10, 0)));
    /* the evening: today has nothing left */
    q.now = at(MON, 18, 1);
    q.notice_s = 0;
    assert_false(bk_day_has_free(&CAL, &q, MON));
}

/* a booking at 00:30 Moscow time (a night-shift calendar) belongs to its
 * Moscow day, although it is the day before in UTC */
static void test_half_past_midnight(void **st)
{
    (void)st;
    bk_calendar cal = {.weekdays = 0x7F, .hours = {0, 6 * 60, 0, 0}};
    bk_query q = base_query();
    q.now = at(MON - 1, 20, 0);
    int64_t s[64];
    size_t n = bk_day_slots(&cal, &q, MON, s, 64);
    assert_int_equal(n, 11); /* 00:00 … 05:00 */
    assert_int_equal(s[1], at(MON, 0, 30));
    assert_int_equal(bk_day_of(s[1]), MON);
    bk_busy busy[] = {{at(MON, 0, 30), at(MON, 1, 30)}};
    q.busy = busy;
    q.nbusy = 1;
    assert_false(bk_slot_ok(&cal, &q, at(MON, 0, 30)));
    assert_false(bk_slot_ok(&cal, &q, at(MON, 0, 0)));
    assert_true(bk_slot_ok(&cal, &q, at(MON, 1, 30)));
    /* the previous Moscow day is not touched by it */
    assert_int_equal(bk_day_slots(&cal, &q, MON - 1, s, 64), 0); /* 00:00-06:00 is over by 20:00 */
}

static void test_merge(void **st)
{
    (void)st;
    bk_busy v[] = {{50, 60}, {10, 20}, {15, 30}, {30, 40}, {70, 80}, {75, 78}};
    size_t n = bk_busy_merge(v, 6);
    assert_int_equal(n, 3);
    assert_int_equal(v[0].from, 10);
    assert_int_equal(v[0].to, 40);
    assert_int_equal(v[1].from, 50);
    assert_int_equal(v[2].to, 80);
}

static void test_nearest(void **st)
{
    (void)st;
    bk_query q = base_query();
    /* the whole morning taken but 10:00 and 11:00 */
    bk_busy busy[] = {{at(MON, 10, 30), at(MON, 11, 0)}, {at(MON, 12, 0), at(MON, 17, 0)}};
    q.busy = busy;
    q.nbusy = 2;
    int64_t s[3];
    size_t n = bk_nearest_free(&CAL, &q, at(MON, 14, 0), s, 3);
    assert_int_equal(n, 3);
    /* 11:00 (3 h away), 17:00 (3 h), 17:30 (3.5 h) are nearest; 10:00 would
     * overlap 10:30 */
    assert_int_equal(s[0], at(MON, 11, 0));
    assert_int_equal(s[1], at(MON, 17, 0));
    assert_int_equal(s[2], at(MON, 17, 30));
    /* a full day sends the customer to the next one */
    bk_busy full[] = {{at(MON, 0, 0), at(MON, 23, 0)}};
    q.busy = full;
    q.nbusy = 1;
    n = bk_nearest_free(&CAL, &q, at(MON, 14, 0), s, 3);
    assert_int_equal(n, 3);
    assert_int_equal(s[0], at(MON + 1, 10, 0));
    assert_int_equal(s[2], at(MON + 1, 11, 0));
}

/* bk_slot_ok says yes exactly for the starts the day's list holds */
static void test_slot_ok_agrees(void **st)
{
    (void)st;
    srand(12345);
    for (int round = 0; round < 300; round++) {
        bk_query q = base_query();
        q.duration_min = 5 * (1 + rand() % 24);
        q.buffer_min = 5 * (rand() % 4);
        q.step_min = 5 * (1 + rand() % 12);
        q.notice_s = (rand() % 4) * 3600;
        bk_busy busy[12];
        size_t nb = (size_t)(rand() % 12);
        for (size_t i = 0; i < nb; i++) {
            int64_t s = at(MON, 9 + rand() % 10, 5 * (rand() % 12));
            busy[i].from = s;
            busy[i].to = s + 300 * (1 + rand() % 20);
        }
        nb = bk_busy_merge(busy, nb);
        q.busy = busy;
        q.nbusy = nb;
        int64_t s[400];
        size_t n = bk_day_slots(&CAL, &q, MON, s, 400), k = 0;
        for (int64_t t = at(MON, 0, 0); t < at(MON + 1, 0, 0); t += 300) {
            int listed = k < n && s[k] == t;
            if (listed)
                k++;
            int ok = bk_slot_ok(&CAL, &q, t);
            if (ok != listed)
                fail_msg("round %d: %lld listed %d ok %d", round, (long long)t, listed, ok);
            if (ok) { /* and it really overlaps nothing, buffer included */
                for (size_t i = 0; i < nb; i++)
                    assert_false(busy[i].from < t + (q.duration_min + q.buffer_min) * 60 && t < busy[i].to);
            }
        }
        assert_int_equal(k, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_grid_and_break),
        cmocka_unit_test(test_buffer_both_sides),
        cmocka_unit_test(test_notice_and_horizon),
        cmocka_unit_test(test_half_past_midnight),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_nearest),
        cmocka_unit_test(test_slot_ok_agrees),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
