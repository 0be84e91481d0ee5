/* bookings: services (F-BOOK-01) in "📅 Записи → 🧾 Услуги": the list
 * (hidden ones marked), a service's card, one form to add or edit (name,
 * description, price, duration, format, photo, position), hide/show, and
 * delete — owner only, and never a service with future bookings (hide it
 * instead: a booked client keeps the booking, nobody new finds it).
 * Callback prefix "bksv" (manager; delete checks the owner here). */
#include <string.h>

#include "bk.h"

#define PAGE 10
#define PRICE_MAX 100000000 /* kopecks: 1 000 000 ₽ */

static const char *row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    walor_kb_button(kb,
                    walor_textf(c, walor_col_int(r, 4) ? "bookings.svc.row_hidden" : "bookings.shop.row", "name",
                                walor_col_text(r, 1), "price", walor_money(c, walor_col_int(r, 2)), "duration",
                                bk_duration(c, (int32_t)walor_col_int(r, 3)), NULL),
                    walor_ctx_printf(c, "bksv:s:%lld", (long long)walor_col_int(r, 0)));
    return NULL;
}

static int32_t list(walor_ctx *c, const char *page)
{
    static const walor_text_pair KB[] = {
        {"bookings.svc.btn.new", "bksv:new"}, {NULL, NULL}, {"bookings.btn.back", "bks:home"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    walor_list_def l = {.struct_size = sizeof l,
                        .page_size = PAGE,
                        .row = row,
                        .page_data = "bksv:p:",
                        .sql =
                            "SELECT id, name, price, duration_min, hidden FROM bookings_service ORDER BY position, id",
                        .header = bk_t(c, "bookings.svc.title"),
                        .empty = bk_t(c, "bookings.svc.empty"),
                        .buttons = kb};
    return walor_list_show(c, &l, page);
}

static int64_t future_bookings(walor_ctx *c, int64_t id)
{
    int64_t n = 0;
    walor_db_int(c,
                 "SELECT count(*) FROM bookings_booking WHERE service_id = ? AND status IN ('pending', 'confirmed') "
                 "AND ends_at > ?",
                 WALOR_ARGS(walor_i(id), walor_i(walor_now(c))), &n);
    return n;
}

static int32_t card(walor_ctx *c, int64_t id)
{
    bk_svc s;
    int32_t rc = bk_svc_get(c, id, &s);
    if (rc == WALOR_ENOTFOUND) {
        if (walor_in_callback(c))
            walor_alert(c, bk_t(c, "bookings.svc.not_found"));
        return list(c, NULL);
    }
    if (rc < 0)
        return rc;
    const char *text = walor_textf(
        c, "bookings.svc.card", "name", bk_esc(c, s.name), "descr", *s.descr ? s.descr : "—", "price",
        walor_money(c, s.price), "duration", bk_duration(c, s.duration_min), "format", bk_format_label(c, s.format),
        "photo", bk_t(c, *s.photo ? "bookings.svc.photo_yes" : "bookings.svc.photo_no"), "position",
        bk_num(c, s.position), "state", bk_t(c, s.hidden ? "bookings.svc.hidden" : "bookings.svc.visible"), "future",
        bk_num(c, future_bookings(c, id)), NULL);
    const char *idn = bk_num(c, id);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, bk_t(c, "bookings.svc.btn.edit"), walor_ctx_printf(c, "bksv:e:%s", idn));
    walor_kb_button(kb, bk_t(c, s.hidden ? "bookings.svc.btn.show" : "bookings.svc.btn.hide"),
                    walor_ctx_printf(c, "bksv:h:%s", idn));
    walor_kb_row(kb);
    walor_kb_button(kb, bk_t(c, "bookings.svc.btn.delete"), walor_ctx_printf(c, "bksv:del:%s", idn));
    walor_kb_row(kb);
    walor_kb_button(kb, bk_t(c, "bookings.svc.btn.list"), "bksv:l");
    return walor_show(c, text, kb);
}

static int32_t toggle_hidden(walor_ctx *c, int64_t id)
{
    int32_t n =
        walor_db_exec(c, "UPDATE bookings_service SET hidden = 1 - hidden WHERE id = ?", WALOR_ARGS(walor_i(id)));
    if (n < 0)
        return n;
    bk_svc s;
    if (n > 0 && bk_svc_get(c, id, &s) == 0) {
        bk_log_action(c, walor_ctx_printf(c, "%s услугу «%s»", s.hidden ? "скрыл" : "показал", s.name));
        walor_answer(c, bk_t(c, s.hidden ? "bookings.svc.now_hidden" : "bookings.svc.now_visible"));
    }
    return card(c, id);
}

/* 0 when the user may delete it now, else the alert already given */
static int32_t may_delete(walor_ctx *c, int64_t id)
{
    if (walor_ctx_role(c) < WALOR_ROLE_OWNER) {
        walor_alert(c, bk_t(c, "bookings.svc.owner_only"));
        return 1;
    }
    if (future_bookings(c, id) > 0) {
        walor_alert(c, bk_t(c, "bookings.svc.has_future"));
        return 1;
    }
    return 0;
}

static int32_t ask_delete(walor_ctx *c, int64_t id)
{
    bk_svc s;
    if (bk_svc_get(c, id, &s) < 0)
        return list(c, NULL);
    if (may_delete(c, id))
        return card(c, id);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, bk_t(c, "bookings.svc.btn.delete_yes"), walor_ctx_printf(c, "bksv:dy:%lld", (long long)id));
    walor_kb_button(kb, bk_t(c, "bookings.btn.back"), walor_ctx_printf(c, "bksv:s:%lld", (long long)id));
    return walor_show(c, walor_textf(c, "bookings.svc.delete_q", "name", bk_esc(c, s.name), NULL), kb);
}

static int32_t delete (walor_ctx *c, int64_t id)
{
    bk_svc s;
    if (bk_svc_get(c, id, &s) < 0)
        return list(c, NULL);
    if (may_delete(c, id))
        return card(c, id);
    /* the past bookings keep the name they were booked with */
    int32_t rc = walor_db_exec(c, "DELETE FROM bookings_service WHERE id = ?", WALOR_ARGS(walor_i(id)));
    if (rc < 0)
        return rc;
    bk_log_action(c, walor_ctx_printf(c, "удалил услугу «%s»", s.name));
    walor_answer(c, bk_t(c, "bookings.svc.deleted"));
    return list(c, NULL);
}

/* ---- the form ---- */

static int32_t edit(walor_ctx *c, int64_t id)
{
    json_t *d;
    if (id) {
        bk_svc s;
        if (bk_svc_get(c, id, &s) < 0)
            return list(c, NULL);
        d = json_pack("{s:I, s:s, s:I, s:i, s:s, s:I}", "id", (json_int_t)id, "name", s.name, "price",
                      (json_int_t)s.price, "duration", (int)s.duration_min, "format", s.format, "position",
                      (json_int_t)s.position);
        if (*s.descr) { /* stored HTML: kept as it is unless retyped */
            json_object_set_new(d, "descr", json_string(s.descr));
            json_object_set_new(d, "descr_was", json_string(s.descr));
        }
        if (*s.photo)
            json_object_set_new(d, "photo", json_string(s.photo));
    } else {
        int64_t last = 0;
        walor_db_int(c, "SELECT coalesce(max(position), 0) FROM bookings_service", NULL, 0, &last);
        d = json_pack("{s:I}", "position", (json_int_t)(last + 10));
    }
    int32_t rc = walor_conv_start(c, "svc_edit", NULL, d);
    json_decref(d);
    return rc;
}

static int32_t valid_duration(walor_ctx *c, json_t *v, const char **why)
{
    (void)c;
    if (json_integer_value(v) % BK_CELL_MIN) {
        *why = "bookings.svc.err.duration";
        return WALOR_EINVAL;
    }
    return 0;
}

static const char *dstr(json_t *d, const char *k)
{
    const char *s = json_string_value(json_object_get(d, k));
    return s ? s : "";
}
static int64_t dint(json_t *d, const char *k) { return (int64_t)json_integer_value(json_object_get(d, k)); }

static const char *summary(walor_ctx *c, json_t *d)
{
    return walor_textf(c, "bookings.svc.summary", "name", bk_esc(c, dstr(d, "name")), "descr",
                       *dstr(d, "descr") ? bk_esc(c, dstr(d, "descr")) : "—", "price", walor_money(c, dint(d, "price")),
                       "duration", bk_duration(c, (int32_t)dint(d, "duration")), "format",
                       bk_format_label(c, dstr(d, "format")), "photo",
                       bk_t(c, *dstr(d, "photo") ? "bookings.svc.photo_yes" : "bookings.svc.photo_no"), "position",
                       bk_num(c, dint(d, "position")), NULL);
}

/* The description as stored: Telegram HTML. Text typed without a tag is
 * plain and escaped; text with tags is shown to staff as clients will see
 * it, and the host refusing that preview means Telegram would refuse it
 * too: the step is asked again. A description kept from before is as it
 * was. NULL after walor_form_retry(). */
static const char *descr_html(walor_ctx *c, json_t *d)
{
    const char *s = dstr(d, "descr");
    if (!*s || !strcmp(s, dstr(d, "descr_was")))
        return s;
    if (!strchr(s, '<'))
        return walor_html_escape(c, s);
    int32_t rc = walor_reply(c, walor_ctx_printf(c, "%s\n\n%s", bk_t(c, "bookings.svc.preview"), s), NULL);
    if (rc == WALOR_EINVAL || rc == WALOR_ELIMIT) {
        walor_form_retry(c, "descr",
                         walor_textf(c, "bookings.svc.err.html", "why", bk_esc(c, walor_last_error(c)), NULL));
        return NULL;
    }
    return s;
}

static int32_t edit_done(walor_ctx *c, json_t *d)
{
    int64_t id = dint(d, "id"), now = walor_now(c);
    int32_t rc;
    const char *descr = descr_html(c, d);
    if (!descr)
        return 0;
    if (id) {
        rc = walor_db_exec(c,
                           "UPDATE bookings_service SET name = ?, descr = ?, price = ?, duration_min = ?, format = ?,"
                           " photo = ?, position = ? WHERE id = ?",
                           WALOR_ARGS(walor_s(dstr(d, "name")), walor_s(descr), walor_i(dint(d, "price")),
                                      walor_i(dint(d, "duration")), walor_s(dstr(d, "format")),
                                      walor_s(dstr(d, "photo")), walor_i(dint(d, "position")), walor_i(id)));
        if (rc == 0) { /* deleted while being edited */
            walor_reply(c, bk_t(c, "bookings.svc.not_found"), NULL);
            return list(c, NULL);
        }
    } else {
        rc = walor_db_int(c,
                          "INSERT INTO bookings_service(name, descr, price, duration_min, format, photo, position,"
                          " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          WALOR_ARGS(walor_s(dstr(d, "name")), walor_s(descr), walor_i(dint(d, "price")),
                                     walor_i(dint(d, "duration")), walor_s(dstr(d, "format")),
                                     walor_s(dstr(d, "photo")), walor_i(dint(d, "position")), walor_i(now)),
                          &id);
    }
    if (rc < 0)
        return rc;
    bk_log_action(c, walor_ctx_printf(c, "%s услугу «%s»", dint(d, "id") ? "изменил" : "добавил", dstr(d, "name")));
    return card(c, id);
}

static int32_t back(walor_ctx *c)
{
    int64_t id = dint(walor_conv_data(c), "id");
    return id ? card(c, id) : list(c, NULL);
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    static const struct {
        const char *verb;
        int32_t (*fn)(walor_ctx *, int64_t);
    } acts[] = {{"s:", card}, {"e:", edit}, {"h:", toggle_hidden}, {"del:", ask_delete}, {"dy:", delete}};
    int64_t id = 0;
    if (!strcmp(arg, "new"))
        return edit(c, 0);
    if (!strncmp(arg, "p:", 2))
        return list(c, arg + 2);
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        size_t l = strlen(acts[i].verb);
        if (!strncmp(arg, acts[i].verb, l) && walor_parse_id(arg + l, &id) == 0)
            return acts[i].fn(c, id);
    }
    return list(c, NULL);
}

int32_t bk_svcadmin_register(walor_plugin *p)
{
    static const walor_step_choice formats[] = {
        {"online", "bookings.format.online"}, {"offline", "bookings.format.offline"}, {"both", "bookings.format.both"}};
#define K WALOR_STEP_KEEP
    static const walor_step_def steps[] = {
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_STRING,
         .key = "name",
         .prompt = "bookings.svc.ask_name",
         .label = "bookings.svc.l.name",
         .min = 1,
         .max = 64,
         .flags = K},
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_TEXT,
         .key = "descr",
         .prompt = "bookings.svc.ask_descr",
         .label = "bookings.svc.l.descr",
         .min = 1,
         .max = 3000,
         .flags = K | WALOR_STEP_SKIP},
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_MONEY,
         .key = "price",
         .prompt = "bookings.svc.ask_price",
         .label = "bookings.svc.l.price",
         .min = 0,
         .max = PRICE_MAX,
         .flags = K},
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_INT,
         .key = "duration",
         .prompt = "bookings.svc.ask_duration",
         .label = "bookings.svc.l.duration",
         .min = 5,
         .max = 720,
         .flags = K,
         .validate = valid_duration},
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_CHOICE,
         .key = "format",
         .prompt = "bookings.svc.ask_format",
         .label = "bookings.svc.l.format",
         .flags = K,
         .nchoices = 3,
         .choices = formats},
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_PHOTO,
         .key = "photo",
         .prompt = "bookings.svc.ask_photo",
         .label = "bookings.svc.l.photo",
         .flags = K | WALOR_STEP_SKIP},
        {.struct_size = sizeof(walor_step_def),
         .type = WALOR_STEP_INT,
         .key = "position",
         .prompt = "bookings.svc.ask_position",
         .label = "bookings.svc.l.position",
         .min = 0,
         .max = 100000,
         .flags = K},
    };
#undef K
    static const walor_form_def form = {.struct_size = sizeof form,
                                        .min_role = WALOR_ROLE_MANAGER,
                                        .name = "svc_edit",
                                        .steps = steps,
                                        .nsteps = sizeof steps / sizeof steps[0],
                                        .timeout_s = 3600,
                                        .summary_fn = summary,
                                        .on_done = edit_done,
                                        .on_cancel = back};
    static const walor_callback_def cb = {
        .struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "bksv", .handler = on_cb};
    int32_t rc = walor_callback(p, &cb);
    if (!rc)
        rc = walor_form(p, &form);
    return rc;
}
