/* bookings: services, the working calendar, free slots, the booking flow,
 * staff screens and reminders (README.md). This file registers the parts,
 * settings, migrations and texts, and holds the small helpers they share. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bk.h"
#include "schema.h"

const char *bk_tz_name = "";

char *bk_esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }
char *bk_num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }
const char *bk_t(walor_ctx *c, const char *key) { return walor_text(c, key); }

const char *bk_icon(walor_ctx *c, const char *status)
{
    return walor_text(c, walor_ctx_printf(c, "bookings.icon.%s", status ? status : BK_PENDING));
}

int64_t bk_setting(walor_ctx *c, const char *key, int64_t dflt)
{
    return walor_setting_or(c, walor_ctx_printf(c, "bookings.%s", key), dflt);
}

const char *bk_setting_str(walor_ctx *c, const char *key)
{
    const char *v = walor_setting_str(c, walor_ctx_printf(c, "bookings.%s", key));
    return v ? v : "";
}


char *bk_hm(walor_ctx *c, int64_t t)
{
    int32_t m = bk_minute_of(t);
    return walor_ctx_printf(c, "%02d:%02d", (int)(m / 60), (int)(m % 60));
}

char *bk_when(walor_ctx *c, int64_t t)
{
    char *s = walor_time_format(c, t, "%a, %d.%m.%Y, %H:%M");
    return s ? s : walor_ctx_printf(c, "%s", "");
}

char *bk_day_label(walor_ctx *c, int32_t day)
{
    char *s = walor_time_format(c, bk_local_time(day, 12 * 60), "%a, %-d %B"); /* noon: never in a DST gap */
    return s ? s : walor_ctx_printf(c, "%s", "");
}

char *bk_duration(walor_ctx *c, int32_t minutes)
{
    if (minutes < 60)
        return walor_ctx_printf(c, "%d мин", (int)minutes);
    if (minutes % 60 == 0)
        return walor_ctx_printf(c, "%d ч", (int)(minutes / 60));
    return walor_ctx_printf(c, "%d ч %d мин", (int)(minutes / 60), (int)(minutes % 60));
}

int32_t bk_push(walor_ctx *c, int64_t user_id, const char *html, const walor_kb *kb)
{
    int32_t rc = walor_send(c, user_id, html, kb, 0, NULL);
    if (rc < 0 && rc != WALOR_EBLOCKED)
        walor_log(c, WALOR_LOG_WARN, "bookings: message to %lld: %s", (long long)user_id, walor_last_error(c));
    return 0;
}

int32_t bk_log_action(walor_ctx *c, const char *what)
{
    int32_t rc = walor_action_log(c, what);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "bookings: action log: %s", walor_last_error(c));
    return 0;
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    static const char *const SQL[] = {
        "DELETE FROM bookings_cell WHERE booking_id IN (SELECT id FROM bookings_booking WHERE client_id = ?)",
        "DELETE FROM bookings_sent WHERE booking_id IN (SELECT id FROM bookings_booking WHERE client_id = ?)",
        "DELETE FROM bookings_booking WHERE client_id = ?",
        "DELETE FROM bookings_client WHERE user_id = ?",
    };
    for (size_t i = 0; i < sizeof SQL / sizeof SQL[0]; i++) {
        int32_t rc = walor_db_exec(c, SQL[i], WALOR_ARGS(walor_i(user_id)));
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* the ini values of the week's calendar, judged at start (walord --check-config) */
static int32_t check_config(walor_plugin *p)
{
    static const struct {
        const char *key;
        int32_t (*fn)(walor_ctx *, const char *, const char **);
    } keys[] = {{"workdays", bk_valid_workdays},
                {"hours", bk_valid_hours},
                {"break", bk_valid_break},
                {"morning_time", bk_valid_time}};
    int32_t rc = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = walor_plugin_config(p, keys[i].key), *why = NULL;
        if (v && keys[i].fn(NULL, v, &why) != 0 && walor_config_invalid(p, keys[i].key, 0, why) < 0)
            rc = WALOR_EINVAL;
    }
    return rc;
}

/* the zone's name for TZID in .ics files: walord set TZ from [walor]
 * timezone before any thread started, and nobody changes it afterwards */
static void zone_name(void)
{
    const char *tz = getenv("TZ");
    if (tz && *tz == ':')
        tz++;
    bk_tz_name = tz && *tz && *tz != '/' ? tz : "";
}

static const char HELP[] =
    "<b>🗓 Индивидуальные сессии</b>\n"
    "«🗓 Индивидуальные сессии» в главном меню: выберите услугу, формат (онлайн или очно), место, день "
    "в "
    "календаре (нажимаются только дни со свободным временем) и время, подтвердите телефон — и вы записаны. "
    "Когда мастер подтвердит запись, бот пришлёт файл для календаря телефона (.ics).\n"
    "За час до сессии и утром в её день бот напомнит.\n"
    "«📋 Мои записи» (или /mybookings) — ваши записи; отменить можно с указанием причины, но не позже "
    "чем за время, указанное магазином, — позже напишите нам.";

static const char STAFF_HELP[] =
    "<b>📅 Записи</b>\n"
    "🛠 → 📅 Записи: списки по статусам (ожидают, подтверждены, завершены, отменены) и по дням "
    "(сегодня, "
    "завтра, любая дата). В карточке записи: ✅ подтвердить, 🔁 перенести (клиент подтверждает новое время), "
    "❌ отменить с причиной (клиенту придёт сообщение), 🏁 завершить с итоговой ценой (она идёт в статистику), "
    "✉️ написать клиенту.\n"
    "🧾 Услуги: название, описание, цена, длительность, формат, фото, порядок; скрыть, удалить (услугу "
    "с "
    "будущими записями можно только скрыть).\n"
    "🗓 График: рабочие дни, часы, перерыв, исключения (выходной или рабочий день со своими часами). "
    "Если "
    "после изменения запись оказалась вне рабочего времени, бот покажет её — сама запись не двигается.\n"
    "Напоминания: за час до записи — клиенту и персоналу; утром — клиенту, а персоналу план дня.";

static int32_t load(walor_plugin *p)
{
    zone_name();
    int32_t rc = walor_migration(p, 1, bk_migration_1);
    for (size_t i = 0; !rc && i < bk_nsettings; i++)
        rc = walor_setting(p, &bk_settings[i]);
    if (!rc)
        rc = walor_texts(p, bk_texts, (uint32_t)bk_ntexts);
    if (!rc)
        rc = walor_wipe(p, wipe);
    if (!rc)
        rc = walor_help(p, "🗓 Индивидуальные сессии", HELP, WALOR_ROLE_CLIENT);
    if (!rc)
        rc = walor_help(p, "📅 Записи", STAFF_HELP, WALOR_ROLE_MANAGER);
    if (!rc)
        rc = bk_shop_register(p);
    if (!rc)
        rc = bk_flow_register(p);
    if (!rc)
        rc = bk_mine_register(p);
    if (!rc)
        rc = bk_staff_register(p);
    if (!rc)
        rc = bk_svcadmin_register(p);
    if (!rc)
        rc = bk_caladmin_register(p);
    if (!rc)
        rc = bk_remind_register(p);
    if (!rc)
        rc = bk_service_register(p);
    if (!rc)
        rc = check_config(p);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "bookings", .version = "1.0.0",
                    .description = "Запись на услуги: услуги, календарь, свободное время, напоминания",
                    .min_host_minor = 3, .load = load)
