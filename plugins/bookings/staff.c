/* bookings: "📅 Записи" in the admin panel (F-BOOK-04): counts, lists by
 * status and by day (today, tomorrow, a date), the booking card with what
 * staff can do from its status (staff_act.c does it). Callback prefix
 * "bks" (manager). */
#include <string.h>

#include <walor/services/crm.h>

#include "bk.h"
#include "staff.h"

#define PAGE 10

static int64_t count(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs)
{
    int64_t n = 0;
    return walor_db_int(c, sql, args, nargs, &n) == 0 ? n : 0;
}

static int64_t day_count(walor_ctx *c, int32_t day)
{
    return count(c,
                 "SELECT count(*) FROM bookings_booking WHERE starts_at >= ? AND starts_at < ? "
                 "AND status IN ('pending', 'confirmed')",
                 WALOR_ARGS(walor_i(bk_local_time(day, 0)), walor_i(bk_local_time(day + 1, 0))));
}

int32_t bk_staff_home(walor_ctx *c)
{
    int32_t today = bk_day_of(walor_now(c));
    int64_t pending = count(c, "SELECT count(*) FROM bookings_booking WHERE status = 'pending'", NULL, 0);
    const char *text =
        walor_textf(c, "bookings.adm.title", "pending", bk_num(c, pending), "today", bk_num(c, day_count(c, today)),
                    "tomorrow", bk_num(c, day_count(c, today + 1)), NULL);
    static const walor_text_pair KB[] = {
        {"bookings.adm.btn.pending", "bks:l:pending:"},     {"bookings.adm.btn.confirmed", "bks:l:confirmed:"},
        {NULL, NULL},
        {"bookings.adm.btn.completed", "bks:l:completed:"}, {"bookings.adm.btn.cancelled", "bks:l:cancelled:"},
        {NULL, NULL},
        {"bookings.btn.today", "bks:d:0"},                  {"bookings.btn.tomorrow", "bks:d:1"},
        {"bookings.adm.btn.date", "bks:date"},              {NULL, NULL},
        {"bookings.adm.btn.services", "bksv:l"},            {"bookings.adm.btn.calendar", "bkcal:home"},
        {NULL, NULL},
        {"bookings.btn.back", "m:core.admin"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    return walor_show(c, text, kb);
}

static const char *first_name(walor_ctx *c, int64_t user_id)
{
    json_t *u = walor_user_get(c, user_id);
    const char *n = u ? json_string_value(json_object_get(u, "first_name")) : NULL;
    return n && *n ? n : walor_ctx_printf(c, "%lld", (long long)user_id);
}

static const char *row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    walor_kb_button(kb,
                    walor_textf(c, "bookings.adm.row", "icon", bk_icon(c, walor_col_text(r, 3)), "id",
                                bk_num(c, walor_col_int(r, 0)), "when", bk_when(c, walor_col_int(r, 1)), "service",
                                walor_col_text(r, 2), "client", first_name(c, walor_col_int(r, 4)), NULL),
                    walor_ctx_printf(c, "bks:b:%lld", (long long)walor_col_int(r, 0)));
    return NULL;
}

static walor_kb *back_kb(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, bk_t(c, "bookings.btn.back"), "bks:home");
    return kb;
}

static int32_t by_status(walor_ctx *c, const char *status, const char *page)
{
    static const struct {
        const char *status, *sql;
    } lists[] = {
        {"pending",
         "SELECT id, starts_at, service_name, status, client_id FROM bookings_booking "
         "WHERE status = 'pending' ORDER BY starts_at, id"},
        {"confirmed",
         "SELECT id, starts_at, service_name, status, client_id FROM bookings_booking "
         "WHERE status = 'confirmed' ORDER BY starts_at, id"},
        {"completed",
         "SELECT id, starts_at, service_name, status, client_id FROM bookings_booking "
         "WHERE status = 'completed' ORDER BY completed_at DESC, id DESC"},
        {"cancelled",
         "SELECT id, starts_at, service_name, status, client_id FROM bookings_booking "
         "WHERE status = 'cancelled' ORDER BY updated_at DESC, id DESC"},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        if (strcmp(status, lists[i].status))
            continue;
        walor_list_def l = {.struct_size = sizeof l,
                            .page_size = PAGE,
                            .row = row,
                            .sql = lists[i].sql,
                            .page_data = walor_ctx_printf(c, "bks:l:%s:", status),
                            .header = walor_textf(c, "bookings.adm.list", "status", bk_status_label(c, status), NULL),
                            .empty =
                                walor_textf(c, "bookings.adm.list_empty", "status", bk_status_label(c, status), NULL),
                            .buttons = back_kb(c)};
        return walor_list_show(c, &l, page && *page ? page : NULL);
    }
    return bk_staff_home(c);
}

int32_t bk_staff_day(walor_ctx *c, int32_t day, const char *page)
{
    char iso[11];
    bk_iso_day(day, iso);
    walor_list_def l = {.struct_size = sizeof l,
                        .page_size = PAGE,
                        .row = row,
                        .sql =
                            "SELECT id, starts_at, service_name, status, client_id FROM bookings_booking "
                            "WHERE starts_at >= ? AND starts_at < ? ORDER BY starts_at, id",
                        .args = WALOR_ARGS(walor_i(bk_local_time(day, 0)), walor_i(bk_local_time(day + 1, 0))),
                        .page_data = walor_ctx_printf(c, "bks:dd:%s:", iso),
                        .header = walor_textf(c, "bookings.adm.day", "day", bk_day_label(c, day), NULL),
                        .empty = walor_textf(c, "bookings.adm.day_empty", "day", bk_day_label(c, day), NULL),
                        .buttons = back_kb(c)};
    return walor_list_show(c, &l, page && *page ? page : NULL);
}

/* The client's CRM card (F-BOOK-04: "client card link"). CRM's service
 * header, sdk/include/walor/services/crm.h, is not in this tree yet: until
 * it lands the card shows the client's name, @username, Telegram ID and
 * phone, and this is the one place to switch on: take the card's callback
 * from the table below and add the "👤 Карточка клиента" button. */
/* the client card is the crm plugin's, when it is loaded (probed at call
 * time: the card works without it); its "⬅️ Назад" comes back here */
static void client_link(walor_ctx *c, walor_kb *kb, int64_t client_id, int64_t booking_id)
{
    const walor_crm_v1 *crm = walor_service_get(walor_ctx_plugin(c), WALOR_CRM_SERVICE, WALOR_CRM_MAJOR, NULL);
    if (!WALOR_CRM_HAS(crm, card_data))
        return;
    const char *data = crm->card_data(c, client_id, walor_ctx_printf(c, "bks:b:%lld", (long long)booking_id));
    if (!data)
        return;
    walor_kb_button(kb, bk_t(c, "bookings.btn.client"), data);
    walor_kb_row(kb);
}

int32_t bk_staff_card(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc == WALOR_ENOTFOUND) {
        if (walor_in_callback(c))
            walor_alert(c, bk_t(c, "bookings.adm.not_found"));
        return bk_staff_home(c);
    }
    if (rc < 0)
        return rc;
    char *text = bk_card_html(c, &b, 1);
    bk_rules r;
    if (bk_is_active(b.status) && b.starts_at > walor_now(c) && bk_rules_load(c, &r) == 0 &&
        !bk_within_hours(&r.cal, b.starts_at, b.ends_at))
        text = walor_ctx_printf(c, "%s\n%s", text, bk_t(c, "bookings.adm.outside"));
    walor_kb *kb = walor_kb_new(c);
    const char *idn = bk_num(c, id);
    if (!strcmp(b.status, BK_PENDING))
        walor_kb_button(kb, bk_t(c, "bookings.btn.confirm"), walor_ctx_printf(c, "bks:ok:%s", idn));
    if (bk_is_active(b.status)) {
        walor_kb_button(kb, bk_t(c, "bookings.adm.btn.move"), walor_ctx_printf(c, "bks:mv:%s", idn));
        walor_kb_row(kb);
        walor_kb_button(kb, bk_t(c, "bookings.adm.btn.complete"), walor_ctx_printf(c, "bks:done:%s", idn));
        walor_kb_button(kb, bk_t(c, "bookings.adm.btn.cancel"), walor_ctx_printf(c, "bks:x:%s", idn));
        walor_kb_row(kb);
    }
    walor_kb_button(kb, bk_t(c, "bookings.adm.btn.message"), walor_ctx_printf(c, "bks:msg:%s", idn));
    walor_kb_row(kb);
    client_link(c, kb, b.client_id, id);
    walor_kb_button(kb, bk_t(c, "bookings.btn.back"), "bks:home");
    return walor_show(c, text, kb);
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    int64_t id = 0;
    if (!strncmp(arg, "l:", 2)) {
        const char *colon = strchr(arg + 2, ':');
        return by_status(c, colon ? walor_ctx_printf(c, "%.*s", (int)(colon - arg - 2), arg + 2) : arg + 2,
                         colon ? colon + 1 : NULL);
    }
    if (!strncmp(arg, "d:", 2)) /* today / tomorrow at the time of the press */
        return bk_staff_day(c, bk_day_of(walor_now(c)) + (arg[2] == '1'), NULL);
    if (!strncmp(arg, "dd:", 3) && strlen(arg) >= 14 && arg[13] == ':') {
        int32_t day = bk_parse_iso_day(walor_ctx_printf(c, "%.10s", arg + 3));
        if (day >= 0)
            return bk_staff_day(c, day, arg + 14);
    }
    if (!strncmp(arg, "b:", 2) && walor_parse_id(arg + 2, &id) == 0)
        return bk_staff_card(c, id);
    int32_t rc = bk_staff_act(c, arg);
    return rc == BK_SAME ? bk_staff_home(c) : rc; /* BK_SAME: not an action: the section */
}

static int32_t on_menu(walor_ctx *c) { return bk_staff_home(c); }

static const char *header(walor_ctx *c)
{
    int64_t n = count(c, "SELECT count(*) FROM bookings_booking WHERE status = 'pending'", NULL, 0);
    return n ? walor_textf(c, "bookings.adm.header", "n", bk_num(c, n), NULL) : NULL;
}

int32_t bk_staff_register(walor_plugin *p)
{
    static const walor_menu_def menu = {.struct_size = sizeof menu,
                                        .min_role = WALOR_ROLE_MANAGER,
                                        .where = WALOR_MENU_ADMIN,
                                        .order = 30,
                                        .id = "bookings",
                                        .label = "📅 Записи",
                                        .on_press = on_menu,
                                        .group = WALOR_MENU_GROUP_SALES};
    static const walor_callback_def cb = {
        .struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "bks", .handler = on_cb};
    int32_t rc = walor_menu(p, &menu);
    if (!rc)
        rc = walor_callback(p, &cb);
    if (!rc)
        rc = walor_admin_header(p, header);
    if (!rc)
        rc = bk_staff_act_register(p);
    return rc;
}
