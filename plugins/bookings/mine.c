/* bookings: "📋 Мои записи" (F-BOOK-05): upcoming bookings first, then
 * the past ones; a booking's card; cancelling with a reason until the
 * configured notice before the start (later: "contact us"); a new time
 * staff offered, accepted or declined. Callback prefix "bkm" (any user):
 * every action reads the booking and acts only on the user's own — another
 * client's id looks exactly like a missing one. */
#include <string.h>

#include "bk.h"

#define PAGE 8

static const char *row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    walor_kb_button(kb,
                    walor_textf(c, "bookings.mine.row", "icon", bk_icon(c, walor_col_text(r, 3)), "when",
                                bk_when(c, walor_col_int(r, 1)), "service", walor_col_text(r, 2), NULL),
                    walor_ctx_printf(c, "bkm:v:%lld", (long long)walor_col_int(r, 0)));
    return NULL;
}

static int32_t list(walor_ctx *c, const char *page)
{
    int64_t now = walor_now(c);
    static const walor_text_pair KB[] = {
        {"bookings.btn.sessions", "bkc:l"}, {NULL, NULL}, {"bookings.btn.main", "m:core.main"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    /* upcoming (soonest first), then everything else (latest first) */
    walor_list_def l = {
        .struct_size = sizeof l,
        .page_size = PAGE,
        .row = row,
        .page_data = "bkm:p:",
        .sql =
            "SELECT id, starts_at, service_name, status FROM bookings_booking WHERE client_id = ? ORDER BY "
            "CASE WHEN status IN ('pending', 'confirmed') AND starts_at >= ? THEN 0 ELSE 1 END, "
            "CASE WHEN status IN ('pending', 'confirmed') AND starts_at >= ? THEN starts_at ELSE -starts_at END, id",
        .args = WALOR_ARGS(walor_i(walor_ctx_user_id(c)), walor_i(now), walor_i(now)),
        .header = bk_t(c, "bookings.mine.title"),
        .empty = bk_t(c, "bookings.mine.empty"),
        .buttons = kb};
    return walor_list_show(c, &l, page);
}

int32_t bk_mine_show(walor_ctx *c) { return list(c, NULL); }

/* the user's own booking, or told "not found" (1) */
static int32_t own(walor_ctx *c, int64_t id, bk_booking *b)
{
    int32_t rc = id > 0 ? bk_get(c, id, b) : WALOR_ENOTFOUND;
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (rc == WALOR_ENOTFOUND || b->client_id != walor_ctx_user_id(c)) {
        if (walor_in_callback(c))
            walor_alert(c, bk_t(c, "bookings.mine.not_found"));
        else
            walor_reply(c, bk_t(c, "bookings.mine.not_found"), NULL);
        rc = list(c, NULL);
        return rc < 0 ? rc : 1;
    }
    return 0;
}

static int too_late(walor_ctx *c, const bk_booking *b)
{
    return walor_now(c) > b->starts_at - bk_setting(c, "cancel_notice_h", 24) * 3600;
}

static const char *late_text(walor_ctx *c)
{
    return walor_textf(c, "bookings.mine.late", "hours", bk_num(c, bk_setting(c, "cancel_notice_h", 24)), NULL);
}

static int32_t view(walor_ctx *c, const bk_booking *b)
{
    const char *text = bk_card_html(c, b, 0);
    walor_kb *kb = walor_kb_new(c);
    if (bk_is_active(b->status)) {
        if (b->proposed_at) {
            walor_kb_button(kb, bk_t(c, "bookings.btn.accept"),
                            walor_ctx_printf(c, "bkm:ra:%lld:%lld", (long long)b->id, (long long)b->proposed_at));
            walor_kb_row(kb);
            walor_kb_button(kb, bk_t(c, "bookings.btn.decline"), walor_ctx_printf(c, "bkm:rd:%lld", (long long)b->id));
            walor_kb_row(kb);
        }
        if (b->starts_at > walor_now(c)) {
            if (too_late(c, b))
                text = walor_ctx_printf(c, "%s\n\n%s", text, late_text(c));
            else
                walor_kb_button(kb, bk_t(c, "bookings.btn.cancel_mine"),
                                walor_ctx_printf(c, "bkm:x:%lld", (long long)b->id));
            walor_kb_row(kb);
        }
    }
    walor_kb_button(kb, bk_t(c, "bookings.btn.mine"), "bkm:l");
    return walor_show(c, text, kb);
}

static int32_t open_one(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = own(c, id, &b);
    return rc ? (rc < 0 ? rc : 0) : view(c, &b);
}

static int32_t cancel(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = own(c, id, &b);
    if (rc)
        return rc < 0 ? rc : 0;
    if (!bk_is_active(b.status)) {
        walor_alert(c, bk_t(c, "bookings.mine.not_active"));
        return view(c, &b);
    }
    if (too_late(c, &b)) {
        walor_alert(c, late_text(c));
        return view(c, &b);
    }
    json_t *d = json_pack("{s:I}", "id", (json_int_t)id);
    rc = walor_conv_start(c, "my_cancel", NULL, d);
    json_decref(d);
    return rc;
}

static int32_t cancel_done(walor_ctx *c, json_t *d)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(d, "id"));
    const char *reason = json_string_value(json_object_get(d, "reason"));
    bk_booking b;
    int32_t rc = own(c, id, &b);
    if (rc)
        return rc < 0 ? rc : 0;
    if (bk_is_active(b.status) && too_late(c, &b)) { /* the form took its time */
        walor_reply(c, late_text(c), NULL);
        return view(c, &b);
    }
    rc = bk_cancel(c, id, "client", reason);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        bk_tell_cancelled(c, id);
        bk_log_action(c, walor_ctx_printf(c, "клиент отменил запись №%lld", (long long)id));
        walor_reply(c, bk_t(c, "bookings.mine.cancelled"), NULL);
    } else {
        walor_reply(c, bk_t(c, "bookings.mine.not_active"), NULL);
    }
    return bk_get(c, id, &b) < 0 ? list(c, NULL) : view(c, &b);
}

static int32_t cancel_back(walor_ctx *c)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "id"));
    bk_booking b;
    if (id > 0 && bk_get(c, id, &b) == 0 && b.client_id == walor_ctx_user_id(c))
        return view(c, &b);
    return list(c, NULL);
}

static int32_t accept_offer(walor_ctx *c, int64_t id, int64_t at)
{
    bk_booking b;
    int32_t rc = own(c, id, &b);
    if (rc)
        return rc < 0 ? rc : 0;
    if (!bk_is_active(b.status) || !b.proposed_at || b.proposed_at != at) {
        walor_alert(c, bk_t(c, "bookings.mine.offer_gone"));
        return view(c, &b);
    }
    rc = bk_move(c, id, at);
    if (rc < 0)
        return rc;
    if (rc == BK_TAKEN) { /* taken between the offer and the answer: staff offer another */
        if ((rc = bk_decline(c, id)) < 0)
            return rc;
        walor_alert(c, bk_t(c, "bookings.mine.offer_taken"));
        if (walor_notify_staff(
                c, WALOR_ROLE_MANAGER,
                walor_textf(c, "bookings.offer_taken.staff", "id", bk_num(c, id), "when", bk_when(c, at), NULL),
                NULL) < 0)
            walor_log(c, WALOR_LOG_WARN, "bookings: staff notice: %s", walor_last_error(c));
    } else if (rc == 0) {
        walor_answer(c, bk_t(c, "bookings.mine.moved"));
        bk_tell_moved(c, id);
    } else {
        walor_alert(c, bk_t(c, "bookings.mine.offer_gone"));
    }
    return bk_get(c, id, &b) < 0 ? list(c, NULL) : view(c, &b);
}

static int32_t decline_offer(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = own(c, id, &b);
    if (rc)
        return rc < 0 ? rc : 0;
    rc = bk_is_active(b.status) ? bk_decline(c, id) : BK_STATE;
    if (rc < 0)
        return rc;
    if (rc == 0) {
        walor_answer(c, bk_t(c, "bookings.mine.kept"));
        bk_tell_declined(c, id);
    } else {
        walor_alert(c, bk_t(c, "bookings.mine.offer_gone"));
    }
    return bk_get(c, id, &b) < 0 ? list(c, NULL) : view(c, &b);
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    int64_t id = 0, at = 0;
    const char *colon;
    if (!strncmp(arg, "p:", 2))
        return list(c, arg + 2);
    if (!strncmp(arg, "v:", 2) && walor_parse_id(arg + 2, &id) == 0)
        return open_one(c, id);
    if (!strncmp(arg, "x:", 2) && walor_parse_id(arg + 2, &id) == 0)
        return cancel(c, id);
    if (!strncmp(arg, "rd:", 3) && walor_parse_id(arg + 3, &id) == 0)
        return decline_offer(c, id);
    if (!strncmp(arg, "ra:", 3) && (colon = strchr(arg + 3, ':')) &&
        walor_parse_id(walor_ctx_printf(c, "%.*s", (int)(colon - arg - 3), arg + 3), &id) == 0 &&
        walor_parse_id(colon + 1, &at) == 0)
        return accept_offer(c, id, at);
    if (strcmp(arg, "l") && walor_in_callback(c)) /* forged or malformed: as if unknown */
        walor_alert(c, bk_t(c, "bookings.mine.not_found"));
    return list(c, NULL);
}

static int32_t on_cmd(walor_ctx *c, const char *arg)
{
    (void)arg;
    return list(c, NULL);
}

int32_t bk_mine_register(walor_plugin *p)
{
    static const walor_step_choice reasons[] = {{"Не смогу прийти", "bookings.reason.cant"},
                                                {"Изменились планы", "bookings.reason.plans"},
                                                {"Заболел(а)", "bookings.reason.ill"}};
    static const walor_step_def steps[] = {
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_TEXT,
         .key = "reason",
         .prompt = "bookings.mine.reason",
         .min = 2,
         .max = 500,
         .nchoices = 3,
         .choices = reasons},
    };
    static const walor_form_def form = {.struct_size = sizeof form,
                                        .min_role = WALOR_ROLE_CLIENT,
                                        .name = "my_cancel",
                                        .steps = steps,
                                        .nsteps = 1,
                                        .timeout_s = 1800,
                                        .on_done = cancel_done,
                                        .on_cancel = cancel_back};
    static const walor_callback_def cb = {
        .struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "bkm", .handler = on_cb};
    static const walor_command_def cmd = {.struct_size = sizeof cmd,
                                          .min_role = WALOR_ROLE_CLIENT,
                                          .name = "mybookings",
                                          .description = "Мои записи",
                                          .handler = on_cmd,
                                          .flags = WALOR_CMD_LISTED};
    int32_t rc = walor_callback(p, &cb);
    if (!rc)
        rc = walor_command(p, &cmd);
    if (!rc)
        rc = walor_form(p, &form);
    return rc;
}
