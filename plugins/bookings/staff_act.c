/* bookings: what staff do from a booking's card (F-BOOK-04): confirm;
 * cancel with a reason (the client is told it); complete with the final
 * price (booking.changed carries it to analytics and CRM); offer a new
 * time (the client accepts or declines, mine.c); write to the client; and
 * the list of any date. Forms of the toolkit, so the host checks the
 * manager's role at every step and draws the cancel. Each action reads
 * the booking again: a second press or a stale card changes nothing. */
#include <string.h>

#include "bk.h"
#include "pick.h"
#include "staff.h"

static int64_t data_id(json_t *d) { return (int64_t)json_integer_value(json_object_get(d, "id")); }

static int32_t start_form(walor_ctx *c, const char *name, int64_t id, int64_t price)
{
    json_t *d = json_pack("{s:I}", "id", (json_int_t)id);
    if (price >= 0)
        json_object_set_new(d, "price", json_integer(price));
    int32_t rc = walor_conv_start(c, name, NULL, d);
    json_decref(d);
    return rc;
}

/* a change's outcome said to staff; the card again */
static int32_t after(walor_ctx *c, int64_t id, int32_t rc, const char *done_key)
{
    if (rc < 0)
        return rc;
    const char *say = rc == 0         ? bk_t(c, done_key)
                      : rc == BK_SAME ? bk_t(c, "bookings.adm.same")
                                      : bk_t(c, "bookings.adm.state");
    if (walor_in_callback(c))
        rc == 0 ? walor_answer(c, say) : walor_alert(c, say);
    else
        walor_reply(c, say, NULL);
    return bk_staff_card(c, id);
}

static int32_t confirm(walor_ctx *c, int64_t id)
{
    int32_t rc = bk_confirm(c, id);
    if (rc == 0) {
        bk_tell_confirmed(c, id);
        bk_log_action(c, walor_ctx_printf(c, "подтвердил запись №%lld", (long long)id));
    }
    return after(c, id, rc, "bookings.adm.confirmed");
}

static int32_t cancel_done(walor_ctx *c, json_t *d)
{
    int64_t id = data_id(d);
    int32_t rc = bk_cancel(c, id, "staff", json_string_value(json_object_get(d, "reason")));
    if (rc == 0) {
        bk_tell_cancelled(c, id);
        bk_log_action(c, walor_ctx_printf(c, "отменил запись №%lld", (long long)id));
    }
    return after(c, id, rc, "bookings.adm.cancelled");
}

static int32_t complete_done(walor_ctx *c, json_t *d)
{
    int64_t id = data_id(d), price = (int64_t)json_integer_value(json_object_get(d, "price"));
    int32_t rc = bk_complete(c, id, price);
    if (rc == 0) {
        bk_tell_completed(c, id);
        bk_log_action(c, walor_ctx_printf(c, "завершил запись №%lld, итог %s", (long long)id, walor_money(c, price)));
    }
    return after(c, id, rc, "bookings.adm.completed");
}

static int32_t message_done(walor_ctx *c, json_t *d)
{
    int64_t id = data_id(d);
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    rc = walor_send(c, b.client_id,
                    walor_textf(c, "bookings.msg.client", "service", bk_esc(c, b.service_name), "when",
                                bk_when(c, b.starts_at), "text",
                                bk_esc(c, json_string_value(json_object_get(d, "text"))), NULL),
                    NULL, 0, NULL);
    walor_reply(c, bk_t(c, rc == WALOR_EBLOCKED ? "bookings.msg.blocked" : "bookings.msg.sent"), NULL);
    if (rc < 0 && rc != WALOR_EBLOCKED)
        return rc;
    bk_log_action(c, walor_ctx_printf(c, "написал клиенту по записи №%lld", (long long)id));
    return bk_staff_card(c, id);
}

static int32_t to_card(walor_ctx *c)
{
    int64_t id = data_id(walor_conv_data(c));
    return id > 0 ? bk_staff_card(c, id) : bk_staff_home(c);
}

static int32_t date_done(walor_ctx *c, json_t *d)
{
    int32_t day = bk_parse_iso_day(json_string_value(json_object_get(d, "day")));
    return day < 0 ? bk_staff_home(c) : bk_staff_day(c, day, NULL);
}

/* ---- a new time: the "st_move" conversation ---- */

/* the booking being moved, while it can be; 1 when it cannot (told) */
static int32_t moving(walor_ctx *c, bk_booking *b, bk_pick *pk)
{
    int32_t rc = bk_get(c, data_id(walor_conv_data(c)), b);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (rc == WALOR_ENOTFOUND || !bk_is_active(b->status)) {
        walor_conv_end(c);
        walor_reply(c, bk_t(c, "bookings.adm.state"), NULL);
        rc = rc == WALOR_ENOTFOUND ? bk_staff_home(c) : bk_staff_card(c, b->id);
        return rc < 0 ? rc : 1;
    }
    pk->duration_min = (int32_t)((b->ends_at - b->starts_at) / 60);
    pk->skip = b->id;
    pk->staff = 1;
    pk->title = walor_textf(c, "bookings.adm.move_title", "id", bk_num(c, b->id), "service", bk_esc(c, b->service_name),
                            "when", bk_when(c, b->starts_at), NULL);
    return 0;
}

#define MOVING(c, b, pk)                      \
    do {                                      \
        int32_t rc_ = moving((c), (b), (pk)); \
        if (rc_)                              \
            return rc_ < 0 ? rc_ : 0;         \
    } while (0)

static int32_t mv_date_enter(walor_ctx *c)
{
    bk_booking b;
    bk_pick pk;
    MOVING(c, &b, &pk);
    return bk_pick_date(c, &pk, NULL);
}

static int32_t mv_date_cb(walor_ctx *c, const char *arg)
{
    bk_booking b;
    bk_pick pk;
    MOVING(c, &b, &pk);
    int32_t rc = bk_pick_date_cb(c, &pk, arg);
    return rc == 1 ? walor_conv_goto(c, "slot") : rc;
}

static int32_t mv_date_msg(walor_ctx *c, const char *text)
{
    (void)text;
    bk_booking b;
    bk_pick pk;
    MOVING(c, &b, &pk);
    return bk_pick_date_text(c, &pk);
}

static int32_t mv_slot_enter(walor_ctx *c)
{
    bk_booking b;
    bk_pick pk;
    MOVING(c, &b, &pk);
    return bk_pick_slot(c, &pk, NULL);
}

static int32_t mv_slot_cb(walor_ctx *c, const char *arg)
{
    bk_booking b;
    bk_pick pk;
    MOVING(c, &b, &pk);
    int32_t rc = bk_pick_slot_cb(c, &pk, arg);
    if (rc == 2)
        return walor_conv_goto(c, "date");
    if (rc != 1)
        return rc;
    int64_t at = (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "start"));
    rc = bk_propose(c, b.id, at);
    if (rc == BK_TAKEN)
        return bk_pick_nearest(c, &pk, at, walor_ctx_printf(c, "⚠️ %s", bk_t(c, "bookings.pick.taken")));
    if (rc < 0)
        return rc;
    walor_conv_end(c);
    if (rc == 0) {
        bk_tell_proposal(c, b.id);
        bk_log_action(c,
                      walor_ctx_printf(c, "предложил перенести запись №%lld на %s", (long long)b.id, bk_when(c, at)));
    }
    return after(c, b.id, rc, "bookings.adm.proposed");
}

static int32_t mv_slot_msg(walor_ctx *c, const char *text)
{
    (void)text;
    bk_booking b;
    bk_pick pk;
    MOVING(c, &b, &pk);
    return bk_pick_slot(c, &pk, bk_t(c, "bookings.pick.use_buttons"));
}

int32_t bk_staff_act(walor_ctx *c, const char *arg)
{
    static const struct {
        const char *verb, *form;
    } forms[] = {{"x:", "st_cancel"}, {"msg:", "st_msg"}};
    int64_t id = 0;
    bk_booking b;
    if (!strcmp(arg, "date"))
        return walor_conv_start(c, "st_date", NULL, NULL);
    if (!strncmp(arg, "ok:", 3) && walor_parse_id(arg + 3, &id) == 0)
        return confirm(c, id);
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t l = strlen(forms[i].verb);
        if (!strncmp(arg, forms[i].verb, l) && walor_parse_id(arg + l, &id) == 0)
            return bk_get(c, id, &b) < 0 ? bk_staff_card(c, id) : start_form(c, forms[i].form, id, -1);
    }
    if (!strncmp(arg, "done:", 5) && walor_parse_id(arg + 5, &id) == 0) {
        if (bk_get(c, id, &b) < 0 || !bk_is_active(b.status))
            return after(c, id, BK_STATE, NULL);
        return start_form(c, "st_done", id, b.price); /* the list price to keep with one press */
    }
    if (!strncmp(arg, "mv:", 3) && walor_parse_id(arg + 3, &id) == 0) {
        if (bk_get(c, id, &b) < 0 || !bk_is_active(b.status))
            return after(c, id, BK_STATE, NULL);
        json_t *d = json_pack("{s:I}", "id", (json_int_t)id);
        int32_t rc = walor_conv_start(c, "st_move", NULL, d);
        json_decref(d);
        return rc;
    }
    return BK_SAME;
}

int32_t bk_staff_act_register(walor_plugin *p)
{
#define STEP(t, k, pr, mn, mx, fl)                                                                                  \
    {                                                                                                               \
        .struct_size = sizeof(walor_step_def), .type = t, .key = k, .prompt = pr, .min = mn, .max = mx, .flags = fl \
    }
    static const walor_step_def cancel_steps[] = {
        STEP(WALOR_STEP_TEXT, "reason", "bookings.adm.ask_reason", 2, 500, 0)};
    static const walor_step_def done_steps[] = {
        STEP(WALOR_STEP_MONEY, "price", "bookings.adm.ask_price", 0, 100000000, WALOR_STEP_KEEP)};
    static const walor_step_def msg_steps[] = {STEP(WALOR_STEP_TEXT, "text", "bookings.adm.ask_message", 1, 3000, 0)};
    static const walor_step_def date_steps[] = {STEP(WALOR_STEP_DATE, "day", "bookings.adm.ask_date", -366, 366, 0)};
#undef STEP
#define FORM(n, s, done, back)                                                                                     \
    {                                                                                                              \
        .struct_size = sizeof(walor_form_def), .min_role = WALOR_ROLE_MANAGER, .name = n, .steps = s, .nsteps = 1, \
        .timeout_s = 1800, .on_done = done, .on_cancel = back                                                      \
    }
    static const walor_form_def forms[] = {
        FORM("st_cancel", cancel_steps, cancel_done, to_card),
        FORM("st_done", done_steps, complete_done, to_card),
        FORM("st_msg", msg_steps, message_done, to_card),
        FORM("st_date", date_steps, date_done, bk_staff_home),
    };
#undef FORM
    static const walor_conv_state mv_states[] = {
        {.struct_size = sizeof(walor_conv_state),
         .name = "date",
         .on_enter = mv_date_enter,
         .on_message = mv_date_msg,
         .on_callback = mv_date_cb},
        {.struct_size = sizeof(walor_conv_state),
         .name = "slot",
         .on_enter = mv_slot_enter,
         .on_message = mv_slot_msg,
         .on_callback = mv_slot_cb},
    };
    static const walor_conv_def mv = {.struct_size = sizeof mv,
                                      .min_role = WALOR_ROLE_MANAGER,
                                      .name = "st_move",
                                      .states = mv_states,
                                      .nstates = 2,
                                      .timeout_s = 1800,
                                      .on_cancel = to_card};
    int32_t rc = walor_conversation(p, &mv);
    for (size_t i = 0; !rc && i < sizeof forms / sizeof forms[0]; i++)
        rc = walor_form(p, &forms[i]);
    return rc;
}
