/* bookings: the working calendar (F-BOOK-02) in "📅 Записи → 🗓 График":
 * the week's working days, hours and break (settings bookings.workdays,
 * .hours, .break — edited only here), and exceptions: a day off, or a
 * working day with its own hours. Buffer, step, horizon and notice are
 * ordinary ⚙️ Настройки and shown here.
 *
 * A change never moves a booking. After each change the future bookings
 * that now fall outside the hours are listed to the staff member who made
 * it, each with a button to its card (move or cancel it there), and the
 * card itself says so. Callback prefix "bkcal" (manager). */
#include <string.h>

#include "bk.h"

#define MAX_EXC_SHOWN 20
#define MAX_CONFLICTS 20

static const char *span(walor_ctx *c, int32_t a, int32_t b)
{
    char buf[32];
    bk_format_span(a, b, buf, sizeof buf);
    return walor_ctx_printf(c, "%s", buf);
}

static int32_t home(walor_ctx *c)
{
    bk_rules r;
    int32_t rc = bk_rules_load(c, &r);
    if (rc < 0)
        return rc;
    char days[96];
    bk_format_weekdays(r.cal.weekdays, days, sizeof days);
    static const walor_text_pair KB[] = {
        {"bookings.cal.btn.days", "bkcal:wd"}, {"bookings.cal.btn.hours", "bkcal:hr"},
        {"bookings.cal.btn.break", "bkcal:br"}, {NULL, NULL},
        {"bookings.cal.btn.off", "bkcal:off"},  {"bookings.cal.btn.work", "bkcal:work"}, {NULL, NULL},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0); /* the exceptions' rows follow */
    char *exc = "";
    size_t shown = 0;
    for (size_t i = 0; i < r.cal.nexc && shown < MAX_EXC_SHOWN; i++) {
        const bk_exception *e = &r.cal.exc[i];
        if (e->day < bk_day_of(walor_now(c)))
            continue;
        exc =
            walor_ctx_printf(c, "%s\n%s", exc,
                             e->working ? walor_textf(c, "bookings.cal.exc_work", "day", bk_day_label(c, e->day),
                                                      "hours", span(c, e->hours.open, e->hours.close), "break",
                                                      span(c, e->hours.brk_from, e->hours.brk_to), NULL)
                                        : walor_textf(c, "bookings.cal.exc_off", "day", bk_day_label(c, e->day), NULL));
        char iso[11];
        bk_iso_day(e->day, iso);
        if (shown && shown % 3 == 0)
            walor_kb_row(kb);
        walor_kb_button(kb, walor_textf(c, "bookings.cal.btn.del", "day", bk_day_label(c, e->day), NULL),
                        walor_ctx_printf(c, "bkcal:del:%s", iso));
        shown++;
    }
    walor_kb_row(kb);
    walor_kb_button(kb, bk_t(c, "bookings.btn.back"), "bks:home");
    const char *text = walor_textf(
        c, "bookings.cal.title", "days", days, "hours", span(c, r.cal.hours.open, r.cal.hours.close), "break",
        span(c, r.cal.hours.brk_from, r.cal.hours.brk_to), "buffer", bk_num(c, r.buffer_min), "step",
        bk_num(c, r.step_min), "horizon", bk_num(c, r.horizon_days), "notice", bk_num(c, r.notice_s / 60), "exceptions",
        *exc ? exc : walor_ctx_printf(c, "\n%s", bk_t(c, "bookings.cal.no_exc")), NULL);
    return walor_show(c, text, kb);
}

/* future bookings the calendar no longer covers: told, never moved */
static int32_t warn_outside(walor_ctx *c)
{
    bk_rules r;
    int32_t rc = bk_rules_load(c, &r);
    if (rc < 0)
        return rc;
    walor_rows *rows = NULL;
    rc = walor_db_query(c,
                        "SELECT id, starts_at, ends_at, service_name FROM bookings_booking "
                        "WHERE status IN ('pending', 'confirmed') AND starts_at > ? ORDER BY starts_at, id",
                        WALOR_ARGS(walor_i(walor_now(c))), &rows);
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    char *lines = "";
    int n = 0;
    while (walor_row_next(rows) == 1) {
        int64_t id = walor_col_int(rows, 0), s = walor_col_int(rows, 1), e = walor_col_int(rows, 2);
        if (bk_within_hours(&r.cal, s, e))
            continue;
        if (++n > MAX_CONFLICTS)
            continue; /* counted, not listed */
        lines = walor_ctx_printf(c, "%s\n%s", lines,
                                 walor_textf(c, "bookings.cal.outside_line", "id", bk_num(c, id), "when", bk_when(c, s),
                                             "service", bk_esc(c, walor_col_text(rows, 3)), NULL));
        walor_kb_button(kb, walor_ctx_printf(c, "№%lld", (long long)id),
                        walor_ctx_printf(c, "bks:b:%lld", (long long)id));
        if (n % 4 == 0)
            walor_kb_row(kb);
    }
    walor_rows_close(rows);
    if (!n)
        return 0;
    bk_log_action(c, walor_ctx_printf(c, "график изменён: %d записей вне рабочего времени", n));
    return walor_reply(c, walor_textf(c, "bookings.cal.outside", "n", bk_num(c, n), "lines", lines, NULL), kb);
}

/* a changed calendar: the screen, then what it left outside */
static int32_t changed(walor_ctx *c, const char *what)
{
    bk_log_action(c, walor_ctx_printf(c, "изменил график записей: %s", what));
    int32_t rc = home(c);
    return rc < 0 ? rc : warn_outside(c);
}

/* ---- the week ---- */

static int32_t valid_days(walor_ctx *c, json_t *v, const char **why)
{
    return bk_valid_workdays(c, json_string_value(v), why);
}

/* the week's hours with the typed span in place of the hours (brk = 0) or
 * the break (brk = 1) still hold together */
static int32_t valid_span(walor_ctx *c, json_t *v, int brk, const char **why)
{
    bk_rules r;
    int32_t rc = bk_rules_load(c, &r);
    if (rc < 0)
        return rc;
    bk_hours h = r.cal.hours;
    if (bk_parse_span(json_string_value(v), brk, brk ? &h.brk_from : &h.open, brk ? &h.brk_to : &h.close, why) != 0)
        return WALOR_EINVAL;
    if (bk_hours_check(&h, why) != 0) {
        if (!brk) /* new hours around the old break: the break is what to change first */
            *why = "bookings.cal.err.break_outside";
        return WALOR_EINVAL;
    }
    return 0;
}

static int32_t valid_hours(walor_ctx *c, json_t *v, const char **why) { return valid_span(c, v, 0, why); }
static int32_t valid_break(walor_ctx *c, json_t *v, const char **why) { return valid_span(c, v, 1, why); }

static int32_t set_done(walor_ctx *c, const char *key, json_t *d)
{
    const char *v = json_string_value(json_object_get(d, "value"));
    int32_t rc = walor_setting_set(c, walor_ctx_printf(c, "bookings.%s", key), v ? v : "");
    if (rc == WALOR_EINVAL)
        return walor_form_retry(c, "value", walor_last_error(c));
    return rc < 0 ? rc : changed(c, walor_ctx_printf(c, "%s = %s", key, v ? v : "—"));
}

static int32_t days_done(walor_ctx *c, json_t *d) { return set_done(c, "workdays", d); }
static int32_t hours_done(walor_ctx *c, json_t *d) { return set_done(c, "hours", d); }
static int32_t break_done(walor_ctx *c, json_t *d) { return set_done(c, "break", d); }

static int32_t start_setting_form(walor_ctx *c, const char *form, const char *key)
{
    json_t *d = json_object();
    const char *v = bk_setting_str(c, key);
    if (*v)
        json_object_set_new(d, "value", json_string(v));
    int32_t rc = walor_conv_start(c, form, NULL, d);
    json_decref(d);
    return rc;
}

/* ---- exceptions ---- */

static int32_t valid_work_hours(walor_ctx *c, json_t *v, const char **why)
{
    (void)c;
    int32_t a, b;
    return bk_parse_span(json_string_value(v), 0, &a, &b, why) == 0 ? 0 : WALOR_EINVAL;
}

static int32_t valid_work_break(walor_ctx *c, json_t *v, const char **why)
{
    bk_hours h = {0, 0, 0, 0};
    if (bk_parse_span(json_string_value(v), 1, &h.brk_from, &h.brk_to, why) != 0)
        return WALOR_EINVAL;
    const char *hours = json_string_value(json_object_get(walor_conv_data(c), "hours"));
    if (hours && bk_parse_span(hours, 0, &h.open, &h.close, NULL) == 0 && bk_hours_check(&h, why) != 0)
        return WALOR_EINVAL;
    return 0;
}

static int32_t put_exception(walor_ctx *c, const char *iso, int working, const bk_hours *h)
{
    return walor_db_exec(c,
                         "INSERT INTO bookings_exception(day, working, open_min, close_min, break_from, break_to,"
                         " created_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(day) DO UPDATE SET working ="
                         " excluded.working, open_min = excluded.open_min, close_min = excluded.close_min,"
                         " break_from = excluded.break_from, break_to = excluded.break_to,"
                         " created_by = excluded.created_by",
                         WALOR_ARGS(walor_s(iso), walor_i(working), walor_i(h->open), walor_i(h->close),
                                    walor_i(h->brk_from), walor_i(h->brk_to), walor_i(walor_ctx_user_id(c))));
}

static int32_t off_done(walor_ctx *c, json_t *d)
{
    const char *iso = json_string_value(json_object_get(d, "day"));
    bk_hours none = {0, 0, 0, 0};
    int32_t rc = put_exception(c, iso, 0, &none);
    return rc < 0 ? rc : changed(c, walor_ctx_printf(c, "выходной %s", iso));
}

static int32_t work_done(walor_ctx *c, json_t *d)
{
    const char *iso = json_string_value(json_object_get(d, "day"));
    const char *brk = json_string_value(json_object_get(d, "break"));
    bk_hours h = {0, 0, 0, 0};
    if (bk_parse_span(json_string_value(json_object_get(d, "hours")), 0, &h.open, &h.close, NULL) != 0 ||
        (brk && bk_parse_span(brk, 1, &h.brk_from, &h.brk_to, NULL) != 0) || bk_hours_check(&h, NULL) != 0)
        return walor_form_retry(c, "hours", "bookings.cal.err.break_outside");
    int32_t rc = put_exception(c, iso, 1, &h);
    return rc < 0 ? rc : changed(c, walor_ctx_printf(c, "рабочий день %s", iso));
}

static int32_t del_exception(walor_ctx *c, const char *iso)
{
    if (bk_parse_iso_day(iso) < 0)
        return home(c);
    int32_t n = walor_db_exec(c, "DELETE FROM bookings_exception WHERE day = ?", WALOR_ARGS(walor_s(iso)));
    if (n < 0)
        return n;
    if (!n) /* a second press */
        return home(c);
    walor_answer(c, bk_t(c, "bookings.cal.deleted"));
    return changed(c, walor_ctx_printf(c, "убрано исключение %s", iso));
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "wd"))
        return start_setting_form(c, "cal_days", "workdays");
    if (!strcmp(arg, "hr"))
        return start_setting_form(c, "cal_hours", "hours");
    if (!strcmp(arg, "br"))
        return start_setting_form(c, "cal_break", "break");
    if (!strcmp(arg, "off"))
        return walor_conv_start(c, "cal_off", NULL, NULL);
    if (!strcmp(arg, "work"))
        return walor_conv_start(c, "cal_work", NULL, NULL);
    if (!strncmp(arg, "del:", 4))
        return del_exception(c, arg + 4);
    return home(c);
}

int32_t bk_caladmin_register(walor_plugin *p)
{
#define STEP(t, k, pr, mn, mx, fl, v)                                                                                \
    {                                                                                                                \
        .struct_size = sizeof(walor_step_def), .type = t, .key = k, .prompt = pr, .label = pr, .min = mn, .max = mx, \
        .flags = fl, .validate = v                                                                                   \
    }
    static const walor_step_def days[] = {
        STEP(WALOR_STEP_STRING, "value", "bookings.cal.ask_days", 1, 64, WALOR_STEP_KEEP, valid_days)};
    static const walor_step_def hours[] = {
        STEP(WALOR_STEP_STRING, "value", "bookings.cal.ask_hours", 1, 32, WALOR_STEP_KEEP, valid_hours)};
    static const walor_step_def brk[] = {STEP(WALOR_STEP_STRING, "value", "bookings.cal.ask_break", 1, 32,
                                              WALOR_STEP_KEEP | WALOR_STEP_SKIP, valid_break)};
    static const walor_step_def off[] = {STEP(WALOR_STEP_DATE, "day", "bookings.cal.ask_off", 0, 366, 0, NULL)};
    static const walor_step_def work[] = {
        STEP(WALOR_STEP_DATE, "day", "bookings.cal.ask_work", 0, 366, 0, NULL),
        STEP(WALOR_STEP_STRING, "hours", "bookings.cal.ask_work_hours", 1, 32, 0, valid_work_hours),
        STEP(WALOR_STEP_STRING, "break", "bookings.cal.ask_work_break", 1, 32, WALOR_STEP_SKIP, valid_work_break),
    };
#undef STEP
#define FORM(n, s, ns, done)                                                                                        \
    {                                                                                                               \
        .struct_size = sizeof(walor_form_def), .min_role = WALOR_ROLE_MANAGER, .name = n, .steps = s, .nsteps = ns, \
        .timeout_s = 1800, .on_done = done, .on_cancel = home                                                       \
    }
    static const walor_form_def forms[] = {
        FORM("cal_days", days, 1, days_done),  FORM("cal_hours", hours, 1, hours_done),
        FORM("cal_break", brk, 1, break_done), FORM("cal_off", off, 1, off_done),
        FORM("cal_work", work, 3, work_done),
    };
#undef FORM
    static const walor_callback_def cb = {
        .struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "bkcal", .handler = on_cb};
    int32_t rc = walor_callback(p, &cb);
    for (size_t i = 0; !rc && i < sizeof forms / sizeof forms[0]; i++)
        rc = walor_form(p, &forms[i]);
    return rc;
}
