/* support-groq: the operator's side (F-SUP-04, F-SUP-05, F-SUP-06).
 *
 * A ticket waiting for staff is pushed to every manager with "✋ Взять".
 * The first to press it gets it (ticket.c: one guarded UPDATE; the second
 * hears who was faster) and lands in reply mode: the "reply" conversation,
 * where whatever they write — text, a photo, a file — goes to the
 * customer and into the ticket, until "✖️ Отмена" (the host's button),
 * /cancel, another command, or the ticket closing. What the customer
 * writes comes to the operator with "✍️ Ответить", which puts them back
 * into reply mode for that ticket.
 *
 * Every button carries a ticket id and comes from a client's Telegram, so
 * each one is checked again here: the ticket exists, is open, and is this
 * operator's where that matters (the role was checked by the host). */
#include <string.h>

#include "sup.h"

#define CONV "reply"

static const char *idstr(walor_ctx *c, int64_t id) { return walor_ctx_printf(c, "%lld", (long long)id); }

static const char *staff_name(walor_ctx *c, int64_t uid)
{
    json_t *u = walor_user_get(c, uid);
    const char *n = u ? json_string_value(json_object_get(u, "first_name")) : NULL;
    return sup_esc(c, n && *n ? n : "—");
}

/* ---- relays ---- */

/* a photo or a file goes on by its file_id, with the header as caption */
static int32_t relay(walor_ctx *c, int64_t to, const char *head, const sup_incoming *in, const walor_kb *kb)
{
    const char *caption = walor_ctx_printf(c, "%s%s%s", head, *in->text ? "\n" : "", sup_esc(c, in->text));
    if (!strcmp(in->kind, "photo") && in->file_id)
        return walor_send_photo(c, to, in->file_id, walor_ctx_printf(c, "%.900s", caption), kb, 0, NULL);
    if (!strcmp(in->kind, "document") && in->file_id) {
        json_t *p = json_pack("{s:I, s:s, s:s, s:s}", "chat_id", (json_int_t)to, "document", in->file_id, "caption",
                              walor_ctx_printf(c, "%.900s", caption), "parse_mode", "HTML");
        int32_t rc = p ? walor_tg_call(c, "sendDocument", p, NULL) : WALOR_ENOMEM;
        json_decref(p);
        if (rc == 0 && kb) /* sendDocument by file_id cannot take our keyboard: the buttons follow */
            rc = walor_send(c, to, T(c, "op.buttons"), kb, 0, NULL);
        return rc;
    }
    if (!strcmp(in->kind, "text"))
        return walor_send(c, to, walor_ctx_printf(c, "%s\n%s", head, sup_esc(c, in->text)), kb, 0, NULL);
    return walor_send(c, to, walor_ctx_printf(c, "%s\n%s", head, T(c, "op.unsupported")), kb, 0, NULL);
}

int32_t sup_relay_to_operator(walor_ctx *c, const sup_ticket *t, const sup_incoming *in)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "btn.reply"), walor_ctx_printf(c, "supt:reply:%lld", (long long)t->id));
    walor_kb_button(kb, T(c, "btn.open"), walor_ctx_printf(c, "supt:t:%lld:0", (long long)t->id));
    const char *head = TF(c, "op.from_customer", "who", walor_user_label(c, t->user_id, WALOR_USER_LABEL_FULL), "id", idstr(c, t->id));
    int32_t rc = relay(c, t->operator_id, head, in, kb);
    if (rc == WALOR_EBLOCKED)
        rc = 0; /* an operator who blocked the bot still sees it in the ticket */
    return rc;
}

/* ---- reply mode ---- */

static int32_t start_reply(walor_ctx *c, int64_t id)
{
    json_t *d = json_pack("{s:I}", "t", (json_int_t)id);
    int32_t rc = d ? walor_conv_start(c, CONV, NULL, d) : WALOR_ENOMEM;
    json_decref(d);
    return rc;
}

static int32_t ask(walor_ctx *c)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "t"));
    sup_ticket t;
    if (sup_ticket_get(c, id, &t) < 0)
        return walor_conv_end(c);
    return walor_conv_ask(c, TF(c, "op.reply_mode", "id", idstr(c, id), "who", walor_user_label(c, t.user_id, WALOR_USER_LABEL_FULL)), NULL);
}

static int32_t reply_message(walor_ctx *c, const char *arg)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "t"));
    sup_ticket t;
    int32_t rc = sup_ticket_get(c, id, &t);
    if (rc == WALOR_ENOTFOUND || (rc == 0 && !strcmp(t.status, SUP_CLOSED))) {
        walor_conv_end(c);
        return walor_reply(c, TF(c, "op.closed_ticket", "id", idstr(c, id)), NULL);
    }
    if (rc < 0)
        return rc;
    if (strcmp(t.status, SUP_OPERATOR) != 0 || t.operator_id != walor_ctx_user_id(c)) {
        walor_conv_end(c);
        return walor_reply(c, TF(c, "op.not_yours", "id", idstr(c, id)), NULL);
    }
    sup_incoming in;
    sup_incoming_read(c, arg, &in);
    if ((rc = sup_ticket_add(c, t.id, "operator", walor_ctx_user_id(c), &in, 0, 0)) < 0)
        return rc;
    if ((rc = sup_ticket_get(c, t.id, &t)) < 0 || (rc = sup_ticket_timers(c, &t)) < 0)
        return rc;
    const char *head = TF(c, "to_customer.head", "name", staff_name(c, walor_ctx_user_id(c)));
    rc = relay(c, t.user_id, head, &in, sup_kb_operator_msg(c));
    if (rc == WALOR_EBLOCKED)
        return walor_reply(c, T(c, "op.blocked"), NULL);
    if (rc < 0)
        return rc;
    return walor_reply(c, T(c, "op.sent"), NULL);
}

/* ---- the buttons ---- */

static int32_t take(walor_ctx *c, int64_t id)
{
    int64_t by = 0;
    int32_t rc = sup_ticket_take(c, id, walor_ctx_user_id(c), &by);
    if (rc == WALOR_ENOTFOUND)
        return walor_alert(c, T(c, "op.no_ticket"));
    if (rc == WALOR_ERANGE)
        return walor_alert(c, TF(c, "op.closed_ticket", "id", idstr(c, id)));
    if (rc == WALOR_EBUSY)
        return walor_alert(c, TF(c, "op.taken_by", "who", walor_user_label(c, by, WALOR_USER_LABEL_FULL)));
    if (rc < 0)
        return rc;
    int took = rc == 0; /* 1: it was ours already */
    sup_ticket t;
    if ((rc = sup_ticket_get(c, id, &t)) < 0)
        return rc;
    if (took) {
        int32_t s = walor_send(c, t.user_id, TF(c, "to_customer.joined", "name", staff_name(c, walor_ctx_user_id(c))),
                               sup_kb_operator_msg(c), 0, NULL);
        if (s < 0 && s != WALOR_EBLOCKED)
            walor_log(c, WALOR_LOG_WARN, "customer %lld: %s", (long long)t.user_id, walor_last_error(c));
        walor_action_log(c, walor_ctx_printf(c, "взял обращение №%lld", (long long)id));
    }
    if ((rc = sup_ticket_screen(c, id, 0)) < 0)
        return rc;
    return start_reply(c, id);
}

/* the buttons below take a ticket that exists (on_callback checked it) */

static int32_t reply_button(walor_ctx *c, const sup_ticket *t)
{
    if (!strcmp(t->status, SUP_CLOSED))
        return walor_alert(c, TF(c, "op.closed_ticket", "id", idstr(c, t->id)));
    if (strcmp(t->status, SUP_OPERATOR) != 0) /* waiting (or with the assistant): pressing "reply" takes it */
        return take(c, t->id);
    if (t->operator_id != walor_ctx_user_id(c))
        return walor_alert(c, TF(c, "op.taken_by", "who", walor_user_label(c, t->operator_id, WALOR_USER_LABEL_FULL)));
    return start_reply(c, t->id);
}

/* reply mode about this ticket ends with it */
static void leave_reply(walor_ctx *c, int64_t id)
{
    json_t *d = walor_conv_data(c);
    if (d && json_integer_value(json_object_get(d, "t")) == id)
        walor_conv_end(c);
}

static int32_t close_button(walor_ctx *c, const sup_ticket *t)
{
    int32_t rc = sup_ticket_close(c, t->id, walor_ctx_user_id(c));
    if (rc < 0)
        return rc;
    if (rc == 0) {
        walor_send(c, t->user_id, T(c, "to_customer.closed"), NULL, 0, NULL);
        walor_action_log(c, walor_ctx_printf(c, "закрыл обращение №%lld", (long long)t->id));
    }
    leave_reply(c, t->id);
    walor_answer(c, rc == 0 ? T(c, "op.closed_ok") : TF(c, "op.closed_ticket", "id", idstr(c, t->id)));
    return sup_ticket_screen(c, t->id, 0);
}

static int32_t to_ai_button(walor_ctx *c, const sup_ticket *t)
{
    if (strcmp(t->status, SUP_WAIT) != 0 && strcmp(t->status, SUP_OPERATOR) != 0)
        return walor_alert(c, T(c, "op.not_with_staff"));
    sup_ticket now;
    int32_t rc;
    if ((rc = sup_ticket_back_to_ai(c, t->id, "оператор вернул диалог ассистенту")) < 0 ||
        (rc = sup_ticket_get(c, t->id, &now)) < 0 || (rc = sup_ticket_timers(c, &now)) < 0)
        return rc;
    walor_send(c, t->user_id, T(c, "to_customer.back_to_ai"), NULL, 0, NULL);
    leave_reply(c, t->id);
    return sup_ticket_screen(c, t->id, 0);
}

/* the photos and files of one history page, sent to the staff member */
static int32_t attachments(walor_ctx *c, int64_t id, int64_t page)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT kind, text, file_id FROM (SELECT id, kind, text, file_id FROM support_message "
                                "WHERE ticket_id = ? ORDER BY id DESC LIMIT 10 OFFSET ?) AS p "
                                "WHERE file_id IS NOT NULL ORDER BY id",
                                WALOR_ARGS(walor_i(id), walor_i(page * 10)), &r);
    if (rc < 0)
        return rc;
    int n = 0;
    while ((rc = walor_row_next(r)) == 1) {
        sup_incoming in = {.kind = walor_ctx_printf(c, "%s", walor_col_text(r, 0)),
                           .text = walor_ctx_printf(c, "%s", walor_col_text(r, 1) ? walor_col_text(r, 1) : ""),
                           .file_id = walor_ctx_printf(c, "%s", walor_col_text(r, 2))};
        relay(c, walor_ctx_chat_id(c), TF(c, "op.attachment", "id", idstr(c, id)), &in, NULL);
        n++;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    return walor_answer(c, n ? NULL : T(c, "op.no_files"));
}

static int32_t on_callback(walor_ctx *c, const char *arg)
{
    /* "take:12", "reply:12", "close:12", "ai:12", "files:12:0", "t:12:0" */
    const char *colon = strchr(arg, ':');
    int64_t id = 0, page = 0;
    char idbuf[24];
    if (!colon || (size_t)(colon - arg) > 8)
        return walor_answer(c, T(c, "stale"));
    const char *rest = colon + 1;
    size_t n = strcspn(rest, ":");
    if (n == 0 || n >= sizeof idbuf)
        return walor_answer(c, T(c, "stale"));
    memcpy(idbuf, rest, n);
    idbuf[n] = '\0';
    if (walor_parse_id(idbuf, &id) != 0 || (rest[n] == ':' && rest[n + 1] != '0' && walor_parse_id(rest + n + 1, &page) != 0))
        return walor_answer(c, T(c, "stale"));
    size_t verb = (size_t)(colon - arg);
    if (verb == 4 && !strncmp(arg, "take", 4))
        return take(c, id);
    if (verb == 5 && !strncmp(arg, "files", 5))
        return attachments(c, id, page);
    sup_ticket t;
    int32_t rc = sup_ticket_get(c, id, &t);
    if (rc == WALOR_ENOTFOUND)
        return walor_alert(c, T(c, "op.no_ticket"));
    if (rc < 0)
        return rc;
    if (verb == 5 && !strncmp(arg, "reply", 5))
        return reply_button(c, &t);
    if (verb == 5 && !strncmp(arg, "close", 5))
        return close_button(c, &t);
    if (verb == 2 && !strncmp(arg, "ai", 2))
        return to_ai_button(c, &t);
    if (verb == 1 && arg[0] == 't')
        return sup_ticket_screen(c, id, page);
    return walor_answer(c, T(c, "stale"));
}

int32_t sup_operator_register(walor_plugin *p)
{
    static const walor_conv_state st[] = {
        {.struct_size = sizeof st[0], .name = "write", .on_enter = ask, .on_message = reply_message},
    };
    static const walor_conv_def conv = {.struct_size = sizeof conv, .min_role = WALOR_ROLE_MANAGER, .name = CONV,
                                        .states = st, .nstates = 1, .timeout_s = 12 * 3600};
    static const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "supt",
                                          .handler = on_callback};
    int32_t rc = walor_conversation(p, &conv);
    if (!rc) rc = walor_callback(p, &cb);
    return rc;
}
