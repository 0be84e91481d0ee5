/* analytics: the staff screens of "📊 Статистика" (callback prefix "an",
 * managers and owners; the host checks the role on every press).
 *
 *   an:s                 the quick summary (F-AN-01)
 *   an:r:<kind>          a report: choose its period
 *   an:c:<kind>          … this month      an:l:<kind>   … last month
 *   an:y:<kind>:<year>   … the month picker of a year
 *   an:p:<kind>:<y>:<m>  … that month: queue it (jobs.c)
 *   an:d:<kind>          … type two dates (the form "an_dates")
 * <kind> is one of jobs.c's: chart, pnl, abc, stock, moves. The summary's
 * figures each carry one line saying what they count. */
#include <stdlib.h>
#include <string.h>

#include "analytics.h"

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }

static const char *const KINDS[] = {AN_REP_CHART, AN_REP_PNL, AN_REP_ABC, AN_REP_STOCK, AN_REP_MOVES};

static const char *kind_of(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (strlen(KINDS[i]) == n && !strncmp(KINDS[i], s, n))
            return KINDS[i];
    return NULL;
}

/* ---- the summary ---- */

static char *figure(walor_ctx *c, const char *key, const char *value)
{
    return walor_textf(c, key, "value", value, NULL);
}

int32_t an_summary(walor_ctx *c)
{
    int64_t now = walor_now(c);
    an_period day, week, month;
    an_date today = an_date_of(now);
    if (an_period_day(now, &day) < 0 || an_period_week(now, &week) < 0 ||
        an_period_month(today.y, today.m, &month) < 0)
        return WALOR_EINVAL;
    an_revenue rd, rw, rm, ra;
    int32_t rc = an_revenue_of(c, day.from, day.to, 0, &rd);
    if (rc == 0)
        rc = an_revenue_of(c, week.from, week.to, 0, &rw);
    if (rc == 0)
        rc = an_revenue_of(c, month.from, month.to, 1, &rm);
    if (rc == 0)
        rc = an_revenue_of(c, 0, INT64_MAX, 0, &ra);
    if (rc < 0)
        return rc;
    char d[16], w[16];
    an_date_str(today, d, sizeof d);
    an_date_str(week.first, w, sizeof w);
    int64_t sales = rm.orders + rm.b2b, avg = sales ? (rm.orders_total + rm.b2b_total) / sales : 0;
    const char *mname = an_month_name(today.m);
    char *s = walor_textf(c, "analytics.sum.title", "date", d, NULL);
    s = walor_ctx_printf(c, "%s\n\n%s\n%s\n%s\n%s\n%s\n%s", s, T(c, "analytics.sum.revenue"),
                         walor_textf(c, "analytics.sum.today", "value", walor_money(c, rd.total), NULL),
                         walor_textf(c, "analytics.sum.week", "since", w, "value", walor_money(c, rw.total), NULL),
                         walor_textf(c, "analytics.sum.month", "month", mname, "value", walor_money(c, rm.total), NULL),
                         figure(c, "analytics.sum.all", walor_money(c, ra.total)), T(c, "analytics.sum.revenue_why"));
    s = walor_ctx_printf(c, "%s\n%s", s,
                         walor_textf(c, "analytics.sum.parts", "month", mname, "orders", walor_money(c, rm.orders_total),
                                     "b2b", walor_money(c, rm.b2b_total), "bookings",
                                     walor_money(c, rm.bookings_total), "manual", walor_money(c, rm.manual_total),
                                     "refunds", walor_money(c, rm.refunds_total), NULL));
    s = walor_ctx_printf(c, "%s\n\n%s\n%s\n%s\n%s\n%s\n%s", s,
                         figure(c, "analytics.sum.orders_today", an_num(c, rd.orders + rd.b2b)),
                         T(c, "analytics.sum.orders_today_why"),
                         walor_textf(c, "analytics.sum.avg", "month", mname, "value", walor_money(c, avg), NULL),
                         T(c, "analytics.sum.avg_why"),
                         walor_textf(c, "analytics.sum.new", "month", mname, "value", an_num(c, rm.new_customers),
                                     NULL),
                         T(c, "analytics.sum.new_why"));
    static const walor_text_pair KB[] = {
        {"analytics.btn.chart", "an:c:chart"}, {"analytics.btn.chart_other", "an:r:chart"}, {NULL, NULL},
        {"analytics.btn.pnl", "an:r:pnl"},     {"analytics.btn.abc", "an:r:abc"},           {NULL, NULL},
        {"analytics.btn.stock", "an:r:stock"}, {"analytics.btn.moves", "an:r:moves"},       {NULL, NULL},
        {"analytics.btn.manual", "an:mr"},     {"analytics.btn.refresh", "an:s"},           {NULL, NULL},
        {"analytics.btn.admin", "m:core.admin"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    return walor_show(c, s, kb);
}

/* ---- choosing a period ---- */

static int32_t request_month(walor_ctx *c, const char *kind, int y, int m)
{
    an_period p;
    if (an_period_month(y, m, &p) < 0)
        return an_summary(c);
    walor_answer(c, T(c, "analytics.rep.queued"));
    return an_report_request(c, kind, &p);
}

static int32_t choose(walor_ctx *c, const char *kind)
{
    if (!strcmp(kind, AN_REP_STOCK)) { /* the stock now: no period */
        an_period p;
        if (an_period_day(walor_now(c), &p) < 0)
            return WALOR_EINVAL;
        walor_answer(c, T(c, "analytics.rep.queued"));
        return an_report_request(c, kind, &p);
    }
    an_date t = an_date_of(walor_now(c));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_textf(c, "analytics.btn.this_month", "month", an_month_name(t.m), NULL),
                    walor_ctx_printf(c, "an:c:%s", kind));
    an_date prev = an_date_add((an_date){t.y, t.m, 1}, -1);
    walor_kb_button(kb, walor_textf(c, "analytics.btn.last_month", "month", an_month_name(prev.m), NULL),
                    walor_ctx_printf(c, "an:l:%s", kind));
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "analytics.btn.pick_month"), walor_ctx_printf(c, "an:y:%s:%d", kind, t.y));
    walor_kb_button(kb, T(c, "analytics.btn.dates"), walor_ctx_printf(c, "an:d:%s", kind));
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "analytics.btn.back"), "an:s");
    return walor_show(c, walor_textf(c, "analytics.choose", "what",
                                     T(c, walor_ctx_printf(c, "analytics.rep.%s", kind)), NULL),
                      kb);
}

/* the months of a year, three a row; the future is not offered */
static int32_t month_picker(walor_ctx *c, const char *kind, int y)
{
    an_date t = an_date_of(walor_now(c));
    if (y < 2000 || y > t.y)
        y = t.y;
    walor_kb *kb = walor_kb_new(c);
    for (int m = 1; m <= 12; m++) {
        if (y == t.y && m > t.m)
            break;
        walor_kb_button(kb, an_month_name(m), walor_ctx_printf(c, "an:p:%s:%d:%d", kind, y, m));
        if (m % 3 == 0)
            walor_kb_row(kb);
    }
    walor_kb_row(kb);
    walor_kb_button(kb, walor_ctx_printf(c, "◀️ %d", y - 1), walor_ctx_printf(c, "an:y:%s:%d", kind, y - 1));
    if (y < t.y)
        walor_kb_button(kb, walor_ctx_printf(c, "%d ▶️", y + 1), walor_ctx_printf(c, "an:y:%s:%d", kind, y + 1));
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "analytics.btn.back"), walor_ctx_printf(c, "an:r:%s", kind));
    return walor_show(c, walor_textf(c, "analytics.pick_month", "year", an_num(c, y), "what",
                                     T(c, walor_ctx_printf(c, "analytics.rep.%s", kind)), NULL),
                      kb);
}

/* ---- the callback ---- */

/* "kind[:a[:b]]" → kind, a, b (0 when absent) */
static const char *args(const char *s, int *a, int *b)
{
    const char *colon = strchr(s, ':');
    const char *kind = kind_of(s, colon ? (size_t)(colon - s) : strlen(s));
    *a = *b = 0;
    if (kind && colon) {
        char *end = NULL;
        *a = (int)strtol(colon + 1, &end, 10);
        if (end && *end == ':')
            *b = (int)strtol(end + 1, NULL, 10);
    }
    return kind;
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "s"))
        return an_summary(c);
    if (!strncmp(arg, "mr", 2))
        return an_manual_cb(c, arg + 2);
    if (strlen(arg) < 3 || arg[1] != ':')
        return an_summary(c);
    int a = 0, b = 0;
    const char *kind = args(arg + 2, &a, &b);
    if (!kind) /* stale or forged data */
        return an_summary(c);
    an_date t = an_date_of(walor_now(c));
    switch (arg[0]) {
    case 'r': return choose(c, kind);
    case 'c': return request_month(c, kind, t.y, t.m);
    case 'l': {
        an_date prev = an_date_add((an_date){t.y, t.m, 1}, -1);
        return request_month(c, kind, prev.y, prev.m);
    }
    case 'y': return month_picker(c, kind, a);
    case 'p': return request_month(c, kind, a, b);
    case 'd': return an_dates_start(c, kind);
    default: return an_summary(c);
    }
}

static int32_t on_cmd(walor_ctx *c, const char *arg)
{
    (void)arg;
    return an_summary(c);
}

static const char HELP[] =
    "<b>📊 Статистика</b> (🛠 Админ-панель → 📊 Статистика, или /stats)\n"
    "• Сводка: выручка за сегодня, неделю, месяц и всё время, заказы сегодня, средний чек, новые покупатели — под "
    "каждой цифрой написано, что она считает. Выручка = оплаченные заказы и B2B + завершённые записи + ручная "
    "выручка − возвраты; отменённый заказ не считается нигде.\n"
    "• 📈 График выручки: столбики — выручка по дням, линия — число заказов. Текущий месяц, выбранный месяц или "
    "любые две даты.\n"
    "• 📑 P&amp;L, 🔤 ABC, 📦 Оценка склада, 🔄 Движение товаров — файлы Excel. Отчёт готовится в фоне и приходит "
    "отдельным сообщением, бот тем временем работает как обычно.\n"
    "• ✍️ Ручная выручка: продажи вне бота (сумма, дата, категория, комментарий). Добавляет персонал, изменяет и "
    "удаляет владелец.";

int32_t an_screens_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                                 .order = 40, .id = "stats", .label = "📊 Статистика", .on_press = an_summary,
                                 .group = WALOR_MENU_GROUP_SALES};
    const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "an",
                                   .handler = on_cb};
    const walor_command_def cmd = {.struct_size = sizeof cmd, .min_role = WALOR_ROLE_MANAGER, .name = "stats",
                                   .description = "Статистика магазина", .handler = on_cmd};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_command(p, &cmd);
    if (!rc) rc = walor_help(p, "📊 Статистика", HELP, WALOR_ROLE_MANAGER);
    return rc;
}
