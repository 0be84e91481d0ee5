/* bookings: the shop's calendar as the engine needs it (cal.h), read from
 * the settings (weekly days and hours, buffer, step, horizon, notice) and
 * bookings_exception; busy times from the bookings that hold time. */
#include <stdlib.h>
#include <string.h>

#include "bk.h"
#include "schema.h"

/* ---- settings and their checks ---- */

int32_t bk_valid_workdays(walor_ctx *c, const char *value, const char **why)
{
    (void)c;
    uint32_t m;
    if (bk_parse_weekdays(value, &m) != 0) {
        *why = "Напишите дни как «пн-пт», «пн, ср, пт» или «ежедневно»";
        return WALOR_EINVAL;
    }
    return 0;
}

int32_t bk_valid_hours(walor_ctx *c, const char *value, const char **why)
{
    (void)c;
    int32_t a, b;
    return bk_parse_span(value, 0, &a, &b, why) == 0 ? 0 : WALOR_EINVAL;
}

int32_t bk_valid_break(walor_ctx *c, const char *value, const char **why)
{
    (void)c;
    int32_t a, b;
    return bk_parse_span(value, 1, &a, &b, why) == 0 ? 0 : WALOR_EINVAL;
}

int32_t bk_valid_grid(walor_ctx *c, const char *value, const char **why)
{
    (void)c;
    long v = strtol(value, NULL, 10);
    if (v % BK_CELL_MIN) {
        *why = "Число минут должно делиться на 5";
        return WALOR_EINVAL;
    }
    return 0;
}

int32_t bk_valid_time(walor_ctx *c, const char *value, const char **why)
{
    (void)c;
    char buf[32];
    int32_t a, b;
    /* one time of day "09:00": checked as the span "09:00-24:00" */
    if (strlen(value) > 8 || !*value) {
        *why = "Напишите время как 09:00";
        return WALOR_EINVAL;
    }
    strcpy(buf, value);
    strcat(buf, "-24:00");
    if (bk_parse_span(buf, 0, &a, &b, why) != 0 || a >= BK_DAY_MIN) {
        *why = "Напишите время как 09:00 (с шагом 5 минут)";
        return WALOR_EINVAL;
    }
    return 0;
}

#define SET(t, k, l, d, mn, mx, f, v)                                                                             \
    {                                                                                                             \
        .struct_size = sizeof(walor_setting_def), .type = t, .key = k, .label = l, .default_value = d, .min = mn, \
        .max = mx, .flags = f, .validate = v                                                                      \
    }
#define OWN WALOR_SET_OWNER_EDITABLE

/* The week's days and hours are edited in "📅 Записи → 🗓 График", which
 * warns about bookings the change leaves outside the hours, so they are
 * not in the generic ⚙️ Настройки. */
const walor_setting_def bk_settings[] = {
    SET(WALOR_SET_STRING, "workdays", "Записи: рабочие дни", "пн-пт", 1, 64, 0, bk_valid_workdays),
    SET(WALOR_SET_STRING, "hours", "Записи: часы работы", "10:00-19:00", 1, 32, 0, bk_valid_hours),
    SET(WALOR_SET_STRING, "break", "Записи: перерыв", "", 0, 32, 0, bk_valid_break),
    SET(WALOR_SET_INT, "buffer_min", "Записи: перерыв между записями, мин", "15", 0, 240, OWN, bk_valid_grid),
    SET(WALOR_SET_INT, "step_min", "Записи: шаг времени начала, мин", "30", 5, 240, OWN, bk_valid_grid),
    SET(WALOR_SET_INT, "horizon_days", "Записи: на сколько дней вперёд можно записаться", "60", 1, 365, OWN, NULL),
    SET(WALOR_SET_INT, "notice_min", "Записи: не позже чем за … мин до начала", "120", 0, 10080, OWN, NULL),
    SET(WALOR_SET_INT, "cancel_notice_h", "Записи: клиент может отменить не позже чем за … ч", "24", 0, 720, OWN, NULL),
    SET(WALOR_SET_BOOL, "auto_confirm", "Записи: подтверждать автоматически", "no", 0, 0, OWN, NULL),
    SET(WALOR_SET_STRING, "morning_time", "Записи: утреннее напоминание и план дня в", "09:00", 4, 5, OWN,
        bk_valid_time),
    SET(WALOR_SET_STRING, "master_address", "Записи: адрес мастера для очных сессий", "", 0, 200, OWN, NULL),
};
const size_t bk_nsettings = sizeof bk_settings / sizeof bk_settings[0];

/* ---- the calendar ---- */

static int32_t load_exceptions(walor_ctx *c, int32_t from_day, bk_calendar *cal)
{
    char iso[11];
    bk_iso_day(from_day, iso);
    int64_t n = 0;
    int32_t rc =
        walor_db_int(c, "SELECT count(*) FROM bookings_exception WHERE day >= ?", WALOR_ARGS(walor_s(iso)), &n);
    if (rc < 0)
        return rc;
    bk_exception *v = n ? walor_ctx_alloc(c, (size_t)n * sizeof *v) : NULL;
    if (n && !v)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    rc = walor_db_query(c,
                        "SELECT day, working, open_min, close_min, break_from, break_to FROM bookings_exception "
                        "WHERE day >= ? ORDER BY day",
                        WALOR_ARGS(walor_s(iso)), &r);
    if (rc < 0)
        return rc;
    size_t k = 0;
    while ((size_t)k < (size_t)n && walor_row_next(r) == 1) {
        int32_t day = bk_parse_iso_day(walor_col_text(r, 0));
        if (day < 0)
            continue;
        v[k].day = day;
        v[k].working = (int32_t)walor_col_int(r, 1);
        v[k].hours.open = (int32_t)walor_col_int(r, 2);
        v[k].hours.close = (int32_t)walor_col_int(r, 3);
        v[k].hours.brk_from = (int32_t)walor_col_int(r, 4);
        v[k].hours.brk_to = (int32_t)walor_col_int(r, 5);
        k++;
    }
    walor_rows_close(r);
    cal->exc = v;
    cal->nexc = k;
    return 0;
}

int32_t bk_rules_load(walor_ctx *c, bk_rules *r)
{
    memset(r, 0, sizeof *r);
    const char *wd = bk_setting_str(c, "workdays"), *hours = bk_setting_str(c, "hours");
    const char *brk = bk_setting_str(c, "break"), *morning = bk_setting_str(c, "morning_time");
    int32_t a, b;
    /* a value that does not parse (an ini typo) falls back to the default,
     * as the host does for a bad number; walord --check-config names it */
    if (bk_parse_weekdays(wd, &r->cal.weekdays) != 0)
        r->cal.weekdays = 0x1F;
    if (bk_parse_span(hours, 0, &r->cal.hours.open, &r->cal.hours.close, NULL) != 0) {
        r->cal.hours.open = 10 * 60;
        r->cal.hours.close = 19 * 60;
    }
    if (bk_parse_span(brk, 1, &r->cal.hours.brk_from, &r->cal.hours.brk_to, NULL) != 0 ||
        bk_hours_check(&r->cal.hours, NULL) != 0)
        r->cal.hours.brk_from = r->cal.hours.brk_to = 0;
    r->morning_min = 9 * 60;
    if (morning && bk_valid_time(c, morning, &(const char *){NULL}) == 0 &&
        bk_parse_span(walor_ctx_printf(c, "%s-24:00", morning), 0, &a, &b, NULL) == 0)
        r->morning_min = a;
    r->buffer_min = (int32_t)bk_setting(c, "buffer_min", 15);
    r->step_min = (int32_t)bk_setting(c, "step_min", 30);
    r->horizon_days = (int32_t)bk_setting(c, "horizon_days", 60);
    r->notice_s = bk_setting(c, "notice_min", 120) * 60;
    r->cancel_notice_s = bk_setting(c, "cancel_notice_h", 24) * 3600;
    r->auto_confirm = (int32_t)bk_setting(c, "auto_confirm", 0);
    if (r->buffer_min % BK_CELL_MIN || r->buffer_min < 0)
        r->buffer_min = 15;
    if (r->step_min % BK_CELL_MIN || r->step_min <= 0)
        r->step_min = 30;
    return load_exceptions(c, bk_day_of(walor_now(c)) - 1, &r->cal);
}

int32_t bk_query_load(walor_ctx *c, const bk_rules *r, int32_t duration_min, int64_t skip, int staff, bk_query *q)
{
    memset(q, 0, sizeof *q);
    q->now = walor_now(c);
    q->notice_s = staff ? 0 : r->notice_s;
    q->horizon_days = staff ? r->horizon_days + 366 : r->horizon_days;
    q->duration_min = duration_min;
    q->buffer_min = r->buffer_min;
    q->step_min = r->step_min;
    /* what can touch the bookable days: from yesterday (a long booking
     * crossing midnight) to the horizon's end */
    int64_t from = bk_local_time(bk_day_of(q->now) - 1, 0);
    int64_t to = bk_local_time(bk_last_day(q) + 1, 0);
    int64_t n = 0;
    int32_t rc = walor_db_int(c, bk_busy_count_sql, WALOR_ARGS(walor_i(from), walor_i(to), walor_i(skip)), &n);
    if (rc < 0)
        return rc;
    bk_busy *v = n ? walor_ctx_alloc(c, (size_t)n * sizeof *v) : NULL;
    if (n && !v)
        return WALOR_ENOMEM;
    walor_rows *rows = NULL;
    rc = walor_db_query(c, bk_busy_sql, WALOR_ARGS(walor_i(from), walor_i(to), walor_i(skip)), &rows);
    if (rc < 0)
        return rc;
    size_t k = 0;
    while (k < (size_t)n && walor_row_next(rows) == 1) {
        v[k].from = walor_col_int(rows, 0);
        v[k].to = walor_col_int(rows, 1);
        k++;
    }
    walor_rows_close(rows);
    q->busy = v;
    q->nbusy = bk_busy_merge(v, k);
    return 0;
}
