/* bookings: choosing a day on the calendar keyboard and a free time, as a
 * step of a conversation. The client's booking flow and the staff's
 * reschedule share it (pick.h).
 *
 * The calendar shows a month: only days with a free time are pressable,
 * every other cell answers "no booking that day". What a page showed may
 * be old when it is pressed (someone booked the last time, the day
 * passed, the calendar changed): the press is judged again against the
 * database, and a day or time that no longer works is told and the
 * calendar or the times are drawn afresh. A new page replaces the old
 * message, so the chat keeps one calendar. */
#include <stdlib.h>
#include <string.h>

#include "bk.h"
#include "pick.h"

#define ROW_TIMES 4
#define NEAREST 3

static const char *const MONTHS[12] = {"Январь", "Февраль", "Март",     "Апрель",  "Май",    "Июнь",
                                       "Июль",   "Август",  "Сентябрь", "Октябрь", "Ноябрь", "Декабрь"};
static const char *const WD[7] = {"Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"};
static const char PAD[] = "\xE2\xA0\x80"; /* U+2800: a blank Telegram keeps in a button */

int32_t bk_month_of(int32_t day)
{
    int32_t y, m, d;
    bk_civil(day, &y, &m, &d);
    return y * 12 + m - 1;
}

char *bk_month_title(walor_ctx *c, int32_t ym) { return walor_ctx_printf(c, "%s %d", MONTHS[ym % 12], (int)(ym / 12)); }

static int32_t month_first(int32_t ym) { return bk_day_from_civil(ym / 12, ym % 12 + 1, 1); }

walor_kb *bk_calendar_kb(walor_ctx *c, const bk_calendar *cal, const bk_query *q, int32_t ym, int *out_free)
{
    walor_kb *kb = walor_kb_new(c);
    const char *closed = "x";
    int32_t first = month_first(ym), next = month_first(ym + 1);
    int32_t lo = bk_first_day(q), hi = bk_last_day(q);
    int nfree = 0;
    for (int i = 0; i < 7; i++)
        walor_kb_conv_button(kb, WD[i], closed);
    walor_kb_row(kb);
    int col = 0;
    for (int i = 0; i < bk_weekday(first); i++, col++)
        walor_kb_conv_button(kb, PAD, closed);
    for (int32_t day = first; day < next; day++) {
        int32_t y, m, d;
        bk_civil(day, &y, &m, &d);
        if (day >= lo && day <= hi && bk_day_has_free(cal, q, day)) {
            char iso[11];
            bk_iso_day(day, iso);
            walor_kb_conv_button(kb, walor_ctx_printf(c, "%d", (int)d), walor_ctx_printf(c, "d:%s", iso));
            nfree++;
        } else {
            walor_kb_conv_button(kb, "·", closed);
        }
        if (++col % 7 == 0 && day + 1 < next)
            walor_kb_row(kb);
    }
    while (col % 7) {
        walor_kb_conv_button(kb, PAD, closed);
        col++;
    }
    walor_kb_row(kb);
    if (ym > bk_month_of(lo))
        walor_kb_conv_button(kb, walor_ctx_printf(c, "◀️ %s", MONTHS[(ym - 1) % 12]),
                             walor_ctx_printf(c, "m:%d", (int)(ym - 1)));
    if (ym < bk_month_of(hi))
        walor_kb_conv_button(kb, walor_ctx_printf(c, "%s ▶️", MONTHS[(ym + 1) % 12]),
                             walor_ctx_printf(c, "m:%d", (int)(ym + 1)));
    if (out_free)
        *out_free = nfree;
    return kb;
}

/* ---- the conversation's data ---- */

static int64_t data_int(walor_ctx *c, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(walor_conv_data(c), key));
}

static void set_int(walor_ctx *c, const char *key, int64_t v)
{
    json_object_set_new(walor_conv_data(c), key, json_integer(v));
}

/* a calendar or list of times pressed before: replaced, not piled up */
static void drop_pressed(walor_ctx *c)
{
    if (walor_in_callback(c) && walor_ctx_message_id(c))
        walor_delete_message(c, walor_ctx_chat_id(c), walor_ctx_message_id(c));
}

static int32_t load(walor_ctx *c, const bk_pick *pk, bk_rules *r, bk_query *q)
{
    int32_t rc = bk_rules_load(c, r);
    return rc < 0 ? rc : bk_query_load(c, r, pk->duration_min, pk->skip, pk->staff, q);
}

static const char *with_why(walor_ctx *c, const char *why, const char *html)
{
    return why && *why ? walor_ctx_printf(c, "%s\n\n%s", why, html) : html;
}

int32_t bk_pick_date(walor_ctx *c, const bk_pick *pk, const char *why)
{
    bk_rules r;
    bk_query q;
    int32_t rc = load(c, pk, &r, &q);
    if (rc < 0)
        return rc;
    int32_t lo = bk_first_day(&q), hi = bk_last_day(&q), ym = (int32_t)data_int(c, "ym");
    if (ym < bk_month_of(lo) || ym > bk_month_of(hi)) {
        /* start at the month of the first free day */
        int32_t d = lo;
        while (d <= hi && !bk_day_has_free(&r.cal, &q, d))
            d++;
        ym = bk_month_of(d <= hi ? d : lo);
        set_int(c, "ym", ym);
    }
    int nfree = 0;
    walor_kb *kb = bk_calendar_kb(c, &r.cal, &q, ym, &nfree);
    const char *body =
        walor_textf(c, nfree ? "bookings.pick.date" : "bookings.pick.date_none", "month", bk_month_title(c, ym), NULL);
    drop_pressed(c);
    return walor_conv_ask(c, with_why(c, why, walor_ctx_printf(c, "%s\n\n%s", pk->title, body)), kb);
}

/* a day chosen, judged now: 1 good (data "day" set), else told and asked again */
static int32_t choose_day(walor_ctx *c, const bk_pick *pk, int32_t day)
{
    bk_rules r;
    bk_query q;
    int32_t rc = load(c, pk, &r, &q);
    if (rc < 0)
        return rc;
    const char *why = NULL;
    if (day < bk_first_day(&q))
        why = bk_t(c, "bookings.pick.past");
    else if (day > bk_last_day(&q))
        why = walor_textf(c, "bookings.pick.beyond", "last", bk_day_label(c, bk_last_day(&q)), NULL);
    else if (!bk_day_hours(&r.cal, day))
        why = walor_textf(c, "bookings.pick.day_off", "day", bk_day_label(c, day), NULL);
    else if (!bk_day_has_free(&r.cal, &q, day))
        why = walor_textf(c, "bookings.pick.day_full", "day", bk_day_label(c, day), NULL);
    if (why) {
        if (day >= bk_first_day(&q) && day <= bk_last_day(&q))
            set_int(c, "ym", bk_month_of(day));
        rc = bk_pick_date(c, pk, walor_ctx_printf(c, "⚠️ %s", why));
        return rc < 0 ? rc : 0;
    }
    char iso[11];
    bk_iso_day(day, iso);
    json_object_set_new(walor_conv_data(c), "day", json_string(iso));
    set_int(c, "ym", bk_month_of(day));
    return 1;
}

int32_t bk_pick_date_cb(walor_ctx *c, const bk_pick *pk, const char *payload)
{
    if (!strcmp(payload, "x")) {
        walor_answer(c, bk_t(c, "bookings.pick.closed"));
        return 0;
    }
    if (!strncmp(payload, "m:", 2)) {
        set_int(c, "ym", strtol(payload + 2, NULL, 10));
        int32_t rc = bk_pick_date(c, pk, NULL); /* a month outside the range falls back to the first free one */
        return rc < 0 ? rc : 0;
    }
    int32_t day = !strncmp(payload, "d:", 2) ? bk_parse_iso_day(payload + 2) : -1;
    if (day < 0) {
        walor_answer(c, bk_t(c, "bookings.pick.stale"));
        return 0;
    }
    return choose_day(c, pk, day);
}

int32_t bk_pick_date_text(walor_ctx *c, const bk_pick *pk)
{
    int32_t rc = bk_pick_date(c, pk, bk_t(c, "bookings.pick.use_calendar"));
    return rc < 0 ? rc : 0;
}

static int32_t times_kb(walor_ctx *c, walor_kb *kb, const int64_t *v, size_t n, int with_day)
{
    for (size_t i = 0; i < n; i++) {
        if (i && i % (with_day ? 1 : ROW_TIMES) == 0)
            walor_kb_row(kb);
        const char *label = with_day ? bk_when(c, v[i]) : bk_hm(c, v[i]);
        walor_kb_conv_button(kb, label, walor_ctx_printf(c, "t:%lld", (long long)v[i]));
    }
    walor_kb_row(kb);
    return walor_kb_conv_button(kb, bk_t(c, "bookings.pick.other_day"), "back");
}

int32_t bk_pick_slot(walor_ctx *c, const bk_pick *pk, const char *why)
{
    bk_rules r;
    bk_query q;
    int32_t rc = load(c, pk, &r, &q);
    if (rc < 0)
        return rc;
    int32_t day = bk_parse_iso_day(json_string_value(json_object_get(walor_conv_data(c), "day")));
    int64_t v[(BK_DAY_MIN + 60) / BK_CELL_MIN + 2];
    size_t n = day < 0 ? 0 : bk_day_slots(&r.cal, &q, day, v, sizeof v / sizeof v[0]);
    if (!n) /* the day filled up (or passed) meanwhile: back to the calendar */
        return bk_pick_date(c, pk,
                            walor_ctx_printf(c, "⚠️ %s",
                                             walor_textf(c, "bookings.pick.day_full", "day",
                                                         day < 0 ? "" : bk_day_label(c, day), NULL)));
    if (n > sizeof v / sizeof v[0])
        n = sizeof v / sizeof v[0];
    walor_kb *kb = walor_kb_new(c);
    times_kb(c, kb, v, n, 0);
    const char *body = walor_textf(c, "bookings.pick.time", "day", bk_day_label(c, day), NULL);
    drop_pressed(c);
    return walor_conv_ask(c, with_why(c, why, walor_ctx_printf(c, "%s\n\n%s", pk->title, body)), kb);
}

int32_t bk_pick_nearest(walor_ctx *c, const bk_pick *pk, int64_t want, const char *why)
{
    bk_rules r;
    bk_query q;
    int32_t rc = load(c, pk, &r, &q);
    if (rc < 0)
        return rc;
    int64_t v[NEAREST];
    size_t n = bk_nearest_free(&r.cal, &q, want, v, NEAREST);
    if (!n)
        return bk_pick_date(c, pk, why);
    walor_kb *kb = walor_kb_new(c);
    times_kb(c, kb, v, n, 1);
    drop_pressed(c);
    return walor_conv_ask(
        c, with_why(c, why, walor_ctx_printf(c, "%s\n\n%s", pk->title, bk_t(c, "bookings.pick.nearest"))), kb);
}

int32_t bk_pick_slot_cb(walor_ctx *c, const bk_pick *pk, const char *payload)
{
    if (!strcmp(payload, "back"))
        return 2;
    int64_t t = 0;
    if (strncmp(payload, "t:", 2) || walor_parse_id(payload + 2, &t) != 0) {
        walor_answer(c, bk_t(c, "bookings.pick.stale"));
        return 0;
    }
    bk_rules r;
    bk_query q;
    int32_t rc = load(c, pk, &r, &q);
    if (rc < 0)
        return rc;
    if (!bk_slot_ok(&r.cal, &q, t)) {
        char iso[11];
        bk_iso_day(bk_day_of(t), iso);
        json_object_set_new(walor_conv_data(c), "day", json_string(iso));
        rc = bk_pick_nearest(c, pk, t, walor_ctx_printf(c, "⚠️ %s", bk_t(c, "bookings.pick.taken")));
        return rc < 0 ? rc : 0;
    }
    char iso[11];
    bk_iso_day(bk_day_of(t), iso);
    json_object_set_new(walor_conv_data(c), "day", json_string(iso));
    set_int(c, "start", t);
    return 1;
}
