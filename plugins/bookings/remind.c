/* bookings: reminders (F-BOOK-06) and the staff's daily plan.
 *
 * Each active booking has up to two one-shot jobs, keyed "<id>:hour" and
 * "<id>:morning": stored in the transaction that books, moves or ends the
 * booking, so they survive restarts and move or vanish with it. The job
 * carries the start it was made for and does nothing if the booking moved
 * or ended meanwhile; bookings_sent makes a job run twice send once. The
 * morning job tells the client; staff get the day's plan instead, once, at
 * the same morning time (a cron tick every 5 minutes looks whether it is
 * due, so a changed time applies from the next day and a restart after the
 * morning time still sends it). */
#include <string.h>

#include "bk.h"

#define AGENDA_LATE_S (3 * 3600) /* after this the morning's plan is not worth sending */

static int32_t morning_min(walor_ctx *c)
{
    bk_rules r;
    /* only the settings part of the rules is needed; exceptions are cheap */
    return bk_rules_load(c, &r) < 0 ? 9 * 60 : r.morning_min;
}

static int32_t set_job(walor_ctx *c, int64_t id, const char *kind, int64_t at, int64_t starts_at)
{
    const char *key = walor_ctx_printf(c, "%lld:%s", (long long)id, kind);
    if (at <= walor_now(c)) {
        int32_t rc = walor_job_cancel(c, "remind", key);
        return rc == WALOR_ENOTFOUND ? 0 : rc;
    }
    json_t *pl =
        json_pack("{s:I, s:s, s:I}", "booking_id", (json_int_t)id, "kind", kind, "starts_at", (json_int_t)starts_at);
    if (!pl)
        return WALOR_ENOMEM;
    int32_t rc = walor_job_at(c, at, "remind", key, pl);
    json_decref(pl);
    return rc;
}

int32_t bk_reminders_set(walor_ctx *c, const bk_booking *b)
{
    if (!bk_is_active(b->status))
        return bk_reminders_drop(c, b->id);
    int64_t hour = b->starts_at - BK_REMIND_BEFORE_S;
    int64_t morning = bk_local_time(bk_day_of(b->starts_at), morning_min(c));
    /* a morning reminder later than the hour's one would only repeat it */
    if (morning >= hour)
        morning = 0;
    int32_t rc = set_job(c, b->id, "hour", hour, b->starts_at);
    if (rc == 0)
        rc = set_job(c, b->id, "morning", morning, b->starts_at);
    return rc < 0 ? rc : 0;
}

int32_t bk_reminders_drop(walor_ctx *c, int64_t id)
{
    static const char *const kinds[] = {"hour", "morning"};
    for (size_t i = 0; i < 2; i++) {
        int32_t rc = walor_job_cancel(c, "remind", walor_ctx_printf(c, "%lld:%s", (long long)id, kinds[i]));
        if (rc < 0 && rc != WALOR_ENOTFOUND)
            return rc;
    }
    return 0;
}

static int32_t remind(walor_ctx *c, json_t *pl)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(pl, "booking_id"));
    int64_t starts = (int64_t)json_integer_value(json_object_get(pl, "starts_at"));
    const char *kind = json_string_value(json_object_get(pl, "kind"));
    if (!kind || (strcmp(kind, "hour") && strcmp(kind, "morning")))
        return 0; /* not ours to understand: a retry would not help */
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc == WALOR_ENOTFOUND || (rc == 0 && (!bk_is_active(b.status) || b.starts_at != starts)))
        return 0; /* ended or moved: the moved booking has its own job */
    if (rc < 0)
        return rc;
    int32_t n = walor_db_exec(c,
                              "INSERT INTO bookings_sent(booking_id, kind, starts_at) VALUES (?, ?, ?) "
                              "ON CONFLICT DO NOTHING",
                              WALOR_ARGS(walor_i(id), walor_s(kind), walor_i(starts)));
    if (n <= 0)
        return n; /* sent by an earlier run */
    const char *card = bk_card_html(c, &b, 0);
    bk_push(c, b.client_id, walor_textf(c, walor_ctx_printf(c, "bookings.remind.%s", kind), "card", card, NULL), NULL);
    if (!strcmp(kind, "hour")) {
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, bk_t(c, "bookings.btn.open"), walor_ctx_printf(c, "bks:b:%lld", (long long)id));
        if (walor_notify_staff(c, WALOR_ROLE_MANAGER,
                               walor_textf(c, "bookings.remind.staff", "card", bk_card_html(c, &b, 1), NULL), kb) < 0)
            walor_log(c, WALOR_LOG_WARN, "bookings: reminder to staff: %s", walor_last_error(c));
    }
    return 0;
}

/* the day's bookings as lines for staff */
static char *day_lines(walor_ctx *c, int32_t day, int *count)
{
    walor_rows *r = NULL;
    *count = 0;
    if (walor_db_query(
            c,
            "SELECT id, starts_at, service_name, client_id, status FROM bookings_booking "
            "WHERE starts_at >= ? AND starts_at < ? AND status IN ('pending', 'confirmed') ORDER BY starts_at, id",
            WALOR_ARGS(walor_i(bk_local_time(day, 0)), walor_i(bk_local_time(day + 1, 0))), &r) < 0)
        return NULL;
    char *s = "";
    while (walor_row_next(r) == 1) {
        s = walor_ctx_printf(
            c, "%s%s\n", s,
            walor_textf(c, "bookings.agenda.line", "time", bk_hm(c, walor_col_int(r, 1)), "service",
                        bk_esc(c, walor_col_text(r, 2)), "client", walor_user_label(c, walor_col_int(r, 3), 0), "status",
                        bk_status_label(c, walor_col_text(r, 4)), "id", bk_num(c, walor_col_int(r, 0)), NULL));
        (*count)++;
    }
    walor_rows_close(r);
    return s;
}

static int32_t agenda(walor_ctx *c)
{
    int64_t now = walor_now(c);
    int32_t day = bk_day_of(now);
    int64_t at = bk_local_time(day, morning_min(c));
    if (now < at || now >= at + AGENDA_LATE_S)
        return 0;
    char iso[11];
    bk_iso_day(day, iso);
    int32_t n = walor_db_exec(c, "INSERT INTO bookings_agenda(day, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                              WALOR_ARGS(walor_s(iso), walor_i(now)));
    if (n <= 0)
        return n;
    int count = 0;
    char *lines = day_lines(c, day, &count);
    if (!lines)
        return WALOR_EDB;
    if (!count)
        return 0; /* a quiet day: no message */
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, bk_t(c, "bookings.btn.today"), "bks:d:0");
    if (walor_notify_staff(c, WALOR_ROLE_MANAGER,
                           walor_textf(c, "bookings.agenda", "day", bk_day_label(c, day), "lines", lines, "count",
                                       bk_num(c, count), NULL),
                           kb) < 0)
        walor_log(c, WALOR_LOG_WARN, "bookings: agenda: %s", walor_last_error(c));
    return 0;
}

static int32_t cleanup(walor_ctx *c)
{
    int64_t now = walor_now(c);
    char iso[11];
    bk_iso_day(bk_day_of(now) - 30, iso);
    /* past cells decide nothing any more; the marks of sent reminders and
     * plans only guard against a repeat of the last days */
    int32_t rc =
        walor_db_exec(c, "DELETE FROM bookings_cell WHERE cell < ?", WALOR_ARGS(walor_i((now - 7 * 86400) / BK_CELL)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM bookings_sent WHERE starts_at < ?", WALOR_ARGS(walor_i(now - 30 * 86400)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM bookings_agenda WHERE day < ?", WALOR_ARGS(walor_s(iso)));
    return rc < 0 ? rc : 0;
}

int32_t bk_remind_register(walor_plugin *p)
{
    static const walor_cron_def tick = {
        .struct_size = sizeof tick, .name = "agenda", .expr = "*/5 * * * *", .fn = agenda};
    static const walor_cron_def night = {.struct_size = sizeof night,
                                         .name = "cleanup",
                                         .expr = "40 3 * * *",
                                         .flags = WALOR_CRON_CATCH_UP,
                                         .fn = cleanup};
    int32_t rc = walor_job(p, "remind", remind);
    if (!rc)
        rc = walor_cron(p, &tick);
    if (!rc)
        rc = walor_cron(p, &night);
    return rc;
}
