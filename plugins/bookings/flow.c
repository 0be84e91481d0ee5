/* bookings: the client's booking (F-BOOK-03) — format → place (offline:
 * the master's address, or the client's typed) → a day on the calendar →
 * a free time → phone → summary → confirm.
 *
 * Two conversations: "book" (hand-written states: its steps depend on the
 * service's format and the day and time are custom keyboards) and the form
 * "book_ok" (the phone, checked and normalised by the host, the summary and
 * "✅ Готово"). The booking itself is bk_book(): when the database refuses
 * the time (someone took it a moment ago), the form hands the client back
 * to "book" at the nearest free times. The service is read again at every
 * step: one hidden meanwhile ends the flow with a word, not a failure. */
#include <string.h>

#include "bk.h"
#include "pick.h"

#define ADDRESS_MIN 5
#define ADDRESS_MAX 200

static json_t *data(walor_ctx *c) { return walor_conv_data(c); }
static int64_t dint(walor_ctx *c, const char *k) { return (int64_t)json_integer_value(json_object_get(data(c), k)); }
static void dset(walor_ctx *c, const char *k, const char *v) { json_object_set_new(data(c), k, json_string(v)); }

/* the service of the flow, if it can still be booked */
static int32_t service(walor_ctx *c, bk_svc *s)
{
    int32_t rc = bk_svc_get(c, dint(c, "service_id"), s);
    if (rc == WALOR_ENOTFOUND || (rc == 0 && s->hidden))
        return BK_GONE;
    return rc;
}

static int32_t gone(walor_ctx *c)
{
    walor_conv_end(c);
    if (walor_in_callback(c))
        walor_alert(c, bk_t(c, "bookings.flow.gone"));
    else
        walor_reply(c, bk_t(c, "bookings.flow.gone"), NULL);
    return bk_shop_show(c);
}

static const char *title(walor_ctx *c, const bk_svc *s)
{
    return walor_textf(c, "bookings.flow.title", "service", bk_esc(c, s->name), "duration",
                       bk_duration(c, s->duration_min), "price", walor_money(c, s->price), NULL);
}

static bk_pick pick_of(walor_ctx *c, const bk_svc *s)
{
    bk_pick pk = {.duration_min = s->duration_min, .skip = 0, .staff = 0, .title = title(c, s)};
    return pk;
}

/* every state begins here: NULL when the service is gone (already told) */
#define SERVICE_OR_GONE(c, s)            \
    do {                                 \
        int32_t rc_ = service((c), (s)); \
        if (rc_ == BK_GONE)              \
            return gone(c);              \
        if (rc_ < 0)                     \
            return rc_;                  \
    } while (0)

/* ---- format ---- */

static int32_t format_enter(walor_ctx *c)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    static const walor_text_pair KB[] = {{"bookings.flow.online", "f:online"}, {"bookings.flow.offline", "f:offline"}};
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 1);
    return walor_conv_ask(c, walor_ctx_printf(c, "%s\n\n%s", title(c, &s), bk_t(c, "bookings.flow.format")), kb);
}

static int32_t format_cb(walor_ctx *c, const char *arg)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    if (!strcmp(arg, "f:online")) {
        dset(c, "format", "online");
        dset(c, "place", "");
        return walor_conv_goto(c, "date");
    }
    if (!strcmp(arg, "f:offline")) {
        dset(c, "format", "offline");
        return walor_conv_goto(c, "place");
    }
    return walor_answer(c, bk_t(c, "bookings.pick.stale"));
}

/* ---- place ---- */

static int32_t place_enter(walor_ctx *c)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    const char *addr = bk_setting_str(c, "master_address");
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb,
                         *addr ? walor_textf(c, "bookings.flow.at_master_addr", "address", addr, NULL)
                               : bk_t(c, "bookings.flow.at_master"),
                         "p:master");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, bk_t(c, "bookings.flow.at_client"), "p:client");
    return walor_conv_ask(c, walor_ctx_printf(c, "%s\n\n%s", title(c, &s), bk_t(c, "bookings.flow.place")), kb);
}

static int32_t place_cb(walor_ctx *c, const char *arg)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    if (!strcmp(arg, "p:master")) {
        dset(c, "place", "master");
        dset(c, "address", bk_setting_str(c, "master_address"));
        return walor_conv_goto(c, "date");
    }
    if (!strcmp(arg, "p:client")) {
        dset(c, "place", "client");
        return walor_conv_goto(c, "address");
    }
    return walor_answer(c, bk_t(c, "bookings.pick.stale"));
}

/* ---- the client's address ---- */

/* what the client typed last time: col 0 the phone, 1 the address; NULL if none */
static const char *saved(walor_ctx *c, uint32_t col)
{
    walor_rows *r = NULL;
    const char *v = NULL;
    if (walor_db_query(c, "SELECT phone, address FROM bookings_client WHERE user_id = ?",
                       WALOR_ARGS(walor_i(walor_ctx_user_id(c))), &r) == 0) {
        if (walor_row_next(r) == 1 && walor_col_text(r, col) && *walor_col_text(r, col))
            v = walor_ctx_printf(c, "%s", walor_col_text(r, col));
        walor_rows_close(r);
    }
    return v;
}
#define SAVED_PHONE 0
#define SAVED_ADDRESS 1

static int32_t ask_address(walor_ctx *c, const char *why)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    walor_kb *kb = walor_kb_new(c);
    const char *old = saved(c, SAVED_ADDRESS);
    if (old)
        walor_kb_conv_button(kb, walor_ctx_printf(c, "📍 %s", old), "a:saved");
    const char *q = walor_ctx_printf(c, "%s\n\n%s", title(c, &s), bk_t(c, "bookings.flow.address"));
    return walor_conv_ask(c, why ? walor_ctx_printf(c, "%s\n\n%s", why, q) : q, kb);
}

static int32_t address_enter(walor_ctx *c) { return ask_address(c, NULL); }

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int32_t address_msg(walor_ctx *c, const char *text)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    while (*text == ' ' || *text == '\n')
        text++;
    size_t n = chars(text);
    if (n < ADDRESS_MIN || n > ADDRESS_MAX || strchr(text, '\n'))
        return ask_address(c, bk_t(c, "bookings.flow.address_bad"));
    dset(c, "address", text);
    return walor_conv_goto(c, "date");
}

static int32_t address_cb(walor_ctx *c, const char *arg)
{
    const char *old = saved(c, SAVED_ADDRESS);
    if (!strcmp(arg, "a:saved") && old) {
        dset(c, "address", old);
        return walor_conv_goto(c, "date");
    }
    return walor_answer(c, bk_t(c, "bookings.pick.stale"));
}

/* ---- day and time ---- */

static int32_t date_enter(walor_ctx *c)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    bk_pick pk = pick_of(c, &s);
    return bk_pick_date(c, &pk, NULL);
}

static int32_t date_cb(walor_ctx *c, const char *arg)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    bk_pick pk = pick_of(c, &s);
    int32_t rc = bk_pick_date_cb(c, &pk, arg);
    return rc == 1 ? walor_conv_goto(c, "slot") : rc;
}

static int32_t date_msg(walor_ctx *c, const char *text)
{
    (void)text;
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    bk_pick pk = pick_of(c, &s);
    return bk_pick_date_text(c, &pk);
}

static int32_t slot_enter(walor_ctx *c)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    bk_pick pk = pick_of(c, &s);
    return bk_pick_slot(c, &pk, NULL);
}

/* the time is chosen: the phone and the summary are the form's */
static int32_t to_confirm(walor_ctx *c)
{
    json_t *d = json_deep_copy(data(c));
    if (!d)
        return WALOR_ENOMEM;
    int32_t rc = walor_conv_start(c, "book_ok", NULL, d);
    json_decref(d);
    return rc;
}

static int32_t slot_cb(walor_ctx *c, const char *arg)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    bk_pick pk = pick_of(c, &s);
    int32_t rc = bk_pick_slot_cb(c, &pk, arg);
    if (rc == 1)
        return to_confirm(c);
    if (rc == 2)
        return walor_conv_goto(c, "date");
    return rc;
}

static int32_t slot_msg(walor_ctx *c, const char *text)
{
    (void)text;
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    bk_pick pk = pick_of(c, &s);
    return bk_pick_slot(c, &pk, bk_t(c, "bookings.pick.use_buttons"));
}

/* the database refused the time at confirmation: the nearest free ones */
static int32_t taken_enter(walor_ctx *c)
{
    bk_svc s;
    SERVICE_OR_GONE(c, &s);
    bk_pick pk = pick_of(c, &s);
    return bk_pick_nearest(c, &pk, dint(c, "start"), walor_ctx_printf(c, "😔 %s", bk_t(c, "bookings.flow.race")));
}

/* ---- the confirmation form ---- */

static const walor_step_choice *saved_phone(walor_ctx *c, json_t *d, uint32_t *n)
{
    (void)d;
    const char *p = saved(c, SAVED_PHONE);
    *n = 0;
    if (!p)
        return NULL;
    walor_step_choice *ch = walor_ctx_alloc(c, sizeof *ch);
    if (!ch)
        return NULL;
    ch->value = p;
    ch->label = walor_ctx_printf(c, "📞 %s", p);
    *n = 1;
    return ch;
}

static bk_booking draft(walor_ctx *c, json_t *d, const bk_svc *s)
{
    bk_booking b = {0};
    b.service_name = s->name;
    b.starts_at = (int64_t)json_integer_value(json_object_get(d, "start"));
    b.ends_at = b.starts_at + (int64_t)s->duration_min * 60;
    b.price = s->price;
    b.format = json_string_value(json_object_get(d, "format"));
    b.place = json_string_value(json_object_get(d, "place"));
    b.address = json_string_value(json_object_get(d, "address"));
    b.format = b.format ? b.format : "online";
    b.place = b.place ? b.place : "";
    b.address = b.address ? b.address : "";
    (void)c;
    return b;
}

static const char *phone_prompt(walor_ctx *c, json_t *d)
{
    (void)d;
    return bk_t(c, "bookings.flow.phone");
}

static const char *summary(walor_ctx *c, json_t *d)
{
    bk_svc s;
    if (bk_svc_get(c, (int64_t)json_integer_value(json_object_get(d, "service_id")), &s) < 0)
        return bk_t(c, "bookings.flow.gone");
    bk_booking b = draft(c, d, &s);
    const char *phone = json_string_value(json_object_get(d, "phone"));
    return walor_textf(c, "bookings.flow.summary", "service", bk_esc(c, s.name), "when", bk_when(c, b.starts_at),
                       "duration", bk_duration(c, s.duration_min), "place", bk_place_html(c, &b), "price",
                       walor_money(c, s.price), "phone", bk_esc(c, phone ? phone : ""), NULL);
}

static int32_t book_done(walor_ctx *c, json_t *d)
{
    bk_svc s;
    int32_t rc = bk_svc_get(c, (int64_t)json_integer_value(json_object_get(d, "service_id")), &s);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    bk_booking b = draft(c, d, &s);
    bk_new n = {.client_id = walor_ctx_user_id(c),
                .service_id = (int64_t)json_integer_value(json_object_get(d, "service_id")),
                .starts_at = b.starts_at,
                .format = b.format,
                .place = b.place,
                .address = b.address,
                .phone = json_string_value(json_object_get(d, "phone"))};
    int64_t id = 0;
    rc = rc == WALOR_ENOTFOUND ? BK_GONE : bk_book(c, &n, &id);
    if (rc == BK_TAKEN) /* back to the times, the nearest to the one just lost */
        return walor_conv_start(c, "book", "taken", d);
    if (rc == BK_GONE)
        return gone(c);
    if (rc < 0)
        return rc;
    return bk_tell_booked(c, id);
}

static int32_t back_to_shop(walor_ctx *c) { return bk_shop_show(c); }

int32_t bk_flow_start(walor_ctx *c, int64_t service_id)
{
    bk_svc s;
    int32_t rc = bk_svc_get(c, service_id, &s);
    if (rc == WALOR_ENOTFOUND || (rc == 0 && s.hidden)) {
        if (walor_in_callback(c))
            walor_alert(c, bk_t(c, "bookings.flow.gone"));
        return bk_shop_show(c);
    }
    if (rc < 0)
        return rc;
    json_t *d = json_pack("{s:I}", "service_id", (json_int_t)service_id);
    const char *state = "format";
    if (!strcmp(s.format, "online")) {
        json_object_set_new(d, "format", json_string("online"));
        json_object_set_new(d, "place", json_string(""));
        state = "date";
    } else if (!strcmp(s.format, "offline")) {
        json_object_set_new(d, "format", json_string("offline"));
        state = "place";
    }
    rc = walor_conv_start(c, "book", state, d);
    json_decref(d);
    return rc;
}

int32_t bk_flow_register(walor_plugin *p)
{
    static const walor_conv_state states[] = {
        {.struct_size = sizeof(walor_conv_state), .name = "format", .on_enter = format_enter, .on_callback = format_cb},
        {.struct_size = sizeof(walor_conv_state), .name = "place", .on_enter = place_enter, .on_callback = place_cb},
        {.struct_size = sizeof(walor_conv_state),
         .name = "address",
         .on_enter = address_enter,
         .on_message = address_msg,
         .on_callback = address_cb},
        {.struct_size = sizeof(walor_conv_state),
         .name = "date",
         .on_enter = date_enter,
         .on_message = date_msg,
         .on_callback = date_cb},
        {.struct_size = sizeof(walor_conv_state),
         .name = "slot",
         .on_enter = slot_enter,
         .on_message = slot_msg,
         .on_callback = slot_cb},
        {.struct_size = sizeof(walor_conv_state),
         .name = "taken",
         .on_enter = taken_enter,
         .on_message = slot_msg,
         .on_callback = slot_cb},
    };
    static const walor_conv_def conv = {.struct_size = sizeof conv,
                                        .min_role = WALOR_ROLE_CLIENT,
                                        .name = "book",
                                        .states = states,
                                        .nstates = sizeof states / sizeof states[0],
                                        .timeout_s = 3600,
                                        .on_cancel = back_to_shop};
    static const walor_step_def steps[] = {
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_PHONE,
         .key = "phone",
         .label = "bookings.flow.phone_label",
         .flags = WALOR_STEP_KEEP,
         .prompt_fn = phone_prompt,
         .choices_fn = saved_phone},
    };
    static const walor_form_def form = {.struct_size = sizeof form,
                                        .min_role = WALOR_ROLE_CLIENT,
                                        .name = "book_ok",
                                        .steps = steps,
                                        .nsteps = 1,
                                        .timeout_s = 3600,
                                        .summary_fn = summary,
                                        .on_done = book_done,
                                        .on_cancel = back_to_shop};
    int32_t rc = walor_conversation(p, &conv);
    if (!rc)
        rc = walor_form(p, &form);
    return rc;
}
