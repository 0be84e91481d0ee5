/* pay-ecom: what people press (F-PAY-05 and around): the customer's
 * buttons under the payment message (check, retry, send a screenshot), the
 * screenshot conversation, and staff's confirm / reject / resend buttons
 * and the admin section "💳 Оплаты" with the screenshots awaiting them. */
#include <stdlib.h>
#include <string.h>

#include "payecom.h"

#define LIST_PAGE 10

/* the id of a button's payload, 0 when it is not one */
static int64_t parse_id(const char *s)
{
    int64_t id = 0;
    walor_parse_id(s, &id);
    return id;
}

/* the order if it is the caller's own, else NULL (and the customer is told) */
static walor_order *own_order(walor_ctx *c, int64_t id)
{
    const walor_orders_v1 *os = pay_orders(c);
    walor_order *o = NULL;
    if (id > 0 && os && os->get(c, id, &o) == 0 && o->user_id == walor_ctx_user_id(c))
        return o;
    walor_alert(c, walor_text(c, "pay-ecom.no_order"));
    return NULL;
}

static const char *state_of(walor_ctx *c, int64_t id)
{
    walor_rows *r = NULL;
    const char *st = NULL;
    if (walor_db_query(c, "SELECT state FROM pay_ecom_invoice WHERE order_id = ?", WALOR_ARGS(walor_i(id)), &r) == 0 &&
        walor_row_next(r) == 1)
        st = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
    walor_rows_close(r);
    return st;
}

/* ---- the customer's buttons: payecom:<chk|retry|shot>:<order> ---- */

static int32_t check(walor_ctx *c, walor_order *o)
{
    int32_t st = PAY_ST_UNKNOWN;
    int32_t rc = pay_check(c, o->id, NULL, &st);
    if (rc == WALOR_ETIMEDOUT || rc == WALOR_ENET)
        return walor_alert(c, walor_text(c, "pay-ecom.check_down"));
    if (rc == WALOR_ENOTFOUND)
        return walor_alert(c, walor_text(c, "pay-ecom.no_order"));
    if (rc < 0)
        return rc;
    const char *key = st == PAY_ST_PAID ? "pay-ecom.check_paid"
                      : st == PAY_ST_PENDING ? "pay-ecom.check_pending"
                                             : "pay-ecom.check_failed";
    return walor_answer(c, walor_text(c, key));
}

static int32_t retry(walor_ctx *c, walor_order *o)
{
    const char *st = state_of(c, o->id);
    if (strcmp(o->status, "new") != 0)
        return walor_alert(c, walor_text(c, "pay-ecom.retry_closed"));
    if (!st || (strcmp(st, "failed") && strcmp(st, "expired")))
        return walor_alert(c, walor_text(c, "pay-ecom.retry_busy"));
    int32_t rc = pay_send_details(c, o->id);
    if (rc < 0)
        return rc;
    return walor_answer(c, walor_text(c, "pay-ecom.retry_started"));
}

int32_t pay_customer_cb(walor_ctx *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    walor_order *o = colon ? own_order(c, parse_id(colon + 1)) : NULL;
    if (!colon && !o)
        return walor_alert(c, walor_text(c, "pay-ecom.no_order"));
    if (!o)
        return 0;
    size_t n = (size_t)(colon - arg);
    if (n == 3 && !strncmp(arg, "chk", 3))
        return check(c, o);
    if (n == 5 && !strncmp(arg, "retry", 5))
        return retry(c, o);
    if (n == 4 && !strncmp(arg, "shot", 4)) {
        if (strcmp(o->status, "new") != 0)
            return walor_alert(c, walor_text(c, "pay-ecom.retry_closed"));
        json_t *d = json_pack("{s:I}", "order_id", (json_int_t)o->id);
        int32_t rc = walor_conv_start(c, "shot", NULL, d);
        json_decref(d);
        return rc;
    }
    return walor_alert(c, walor_text(c, "pay-ecom.no_order"));
}

/* /pay <order>: the customer asks for the payment details again (a lost
 * message, a failed payment) */
static int32_t pay_cmd(walor_ctx *c, const char *arg)
{
    const walor_orders_v1 *os = pay_orders(c);
    walor_order *o = NULL;
    int64_t id = parse_id(arg);
    if (!id || !os || os->get(c, id, &o) != 0 || o->user_id != walor_ctx_user_id(c))
        return walor_reply(c, walor_text(c, "pay-ecom.no_order"), NULL);
    if (strcmp(o->status, "new") != 0 && !(o->flags & WALOR_ORDER_F_TESTER))
        return walor_reply(c, walor_text(c, "pay-ecom.retry_closed"), NULL);
    int32_t rc = pay_send_details(c, id);
    return rc == WALOR_ERANGE ? walor_reply(c, walor_text(c, "pay-ecom.retry_closed"), NULL) : rc;
}

/* ---- the screenshot conversation ---- */

static int64_t conv_order(walor_ctx *c)
{
    return (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "order_id"));
}

/* the question, with the host's "✖️ Отмена" under it */
static int32_t shot_ask(walor_ctx *c)
{
    return walor_conv_ask(c, walor_textf(c, "pay-ecom.shot.ask", "id", pay_num(c, conv_order(c)), NULL), NULL);
}

/* the largest size of a photo, or an image sent as a file */
static const char *image_of(walor_ctx *c)
{
    json_t *m = json_object_get(walor_ctx_update(c), "message");
    json_t *ph = json_object_get(m, "photo");
    size_t n = json_array_size(ph);
    if (n)
        return json_string_value(json_object_get(json_array_get(ph, n - 1), "file_id"));
    json_t *doc = json_object_get(m, "document");
    const char *mime = json_string_value(json_object_get(doc, "mime_type"));
    if (mime && (!strncmp(mime, "image/", 6) || !strcmp(mime, "application/pdf")))
        return json_string_value(json_object_get(doc, "file_id"));
    return NULL;
}

static walor_kb *staff_kb(walor_ctx *c, int64_t id)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.confirm"), walor_ctx_printf(c, "payadm:ok:%lld", (long long)id));
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.reject"), walor_ctx_printf(c, "payadm:no:%lld", (long long)id));
    return kb;
}

static const char *shot_caption(walor_ctx *c, const walor_order *o)
{
    json_t *u = walor_user_get(c, o->user_id);
    const char *name = json_string_value(json_object_get(u, "first_name"));
    return walor_textf(c, "pay-ecom.staff.shot", "id", pay_num(c, o->id), "amount", walor_money(c, o->total), "name",
                       walor_html_escape(c, name ? name : "—"), "user", pay_num(c, o->user_id), NULL);
}

static int32_t shot_got(walor_ctx *c, const char *text)
{
    (void)text;
    int64_t id = conv_order(c);
    const char *file = image_of(c);
    if (!file || !*file)
        return walor_reply(c, walor_text(c, "pay-ecom.shot.not_image"), NULL);
    walor_conv_end(c);
    const walor_orders_v1 *os = pay_orders(c);
    walor_order *o = NULL;
    if (!os || os->get(c, id, &o) != 0 || o->user_id != walor_ctx_user_id(c))
        return walor_reply(c, walor_text(c, "pay-ecom.no_order"), NULL);
    if (strcmp(o->status, "new") != 0)
        return walor_reply(c, walor_text(c, "pay-ecom.retry_closed"), NULL);
    int32_t rc = walor_tx_begin(c);
    if (rc == 0)
        rc = os->set_screenshot(c, id, file);
    int64_t now = walor_now(c);
    if (rc >= 0)
        rc = walor_db_exec(c,
                           "INSERT INTO pay_ecom_invoice(order_id, user_id, amount, state, created_at, updated_at,"
                           " shot_file, manual_state) VALUES (?, ?, ?, 'creating', ?, ?, ?, 'sent')"
                           " ON CONFLICT(order_id) DO UPDATE SET shot_file = excluded.shot_file,"
                           " manual_state = 'sent', updated_at = excluded.updated_at",
                           WALOR_ARGS(walor_i(id), walor_i(o->user_id), walor_i(o->total), walor_i(now), walor_i(now),
                                      walor_s(file)));
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    walor_log(c, WALOR_LOG_INFO, "pay-ecom: order %lld: payment screenshot received", (long long)id);
    walor_kb *kb = staff_kb(c, id);
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.view"), walor_ctx_printf(c, "payadm:v:%lld", (long long)id));
    pay_staff_photo(c, file, shot_caption(c, o), kb);
    return walor_reply(c, walor_textf(c, "pay-ecom.shot.thanks", "id", pay_num(c, id), NULL), NULL);
}

static int32_t shot_cancelled(walor_ctx *c) { return walor_reply(c, walor_text(c, "pay-ecom.shot.cancelled"), NULL); }

/* ---- staff: payadm:<ok|no|v|send>:<order> [MANAGER] ---- */

static int32_t staff_ok(walor_ctx *c, int64_t id)
{
    int32_t rc = pay_mark_paid(c, id, walor_ctx_printf(c, "manual:%lld", (long long)walor_ctx_user_id(c)));
    if (rc == WALOR_ENOTFOUND)
        return walor_alert(c, walor_text(c, "pay-ecom.no_order"));
    if (rc < 0 && rc != WALOR_ERANGE)
        return rc;
    if (rc == 1)
        return walor_alert(c, walor_textf(c, "pay-ecom.staff.already_paid", "id", pay_num(c, id), NULL));
    walor_db_exec(c, "UPDATE pay_ecom_invoice SET manual_state = 'confirmed' WHERE order_id = ?",
                  WALOR_ARGS(walor_i(id)));
    walor_action_log(c, walor_ctx_printf(c, "подтвердил оплату заказа №%lld вручную", (long long)id));
    return walor_reply(c,
                       walor_textf(c, rc == WALOR_ERANGE ? "pay-ecom.staff.confirmed_late" : "pay-ecom.staff.confirmed",
                                   "id", pay_num(c, id), NULL),
                       NULL);
}

static int32_t staff_no(walor_ctx *c, int64_t id)
{
    int64_t user = 0;
    if (walor_db_int(c, "SELECT user_id FROM pay_ecom_invoice WHERE order_id = ?", WALOR_ARGS(walor_i(id)), &user) != 0)
        return walor_alert(c, walor_text(c, "pay-ecom.no_order"));
    int32_t n = walor_db_exec(c,
                              "UPDATE pay_ecom_invoice SET manual_state = 'rejected', updated_at = ? WHERE order_id = ?"
                              " AND manual_state = 'sent' AND state NOT IN ('paid', 'late_paid')",
                              WALOR_ARGS(walor_i(walor_now(c)), walor_i(id)));
    if (n < 0)
        return n;
    if (n == 0)
        return walor_alert(c, walor_textf(c, "pay-ecom.staff.nothing", "id", pay_num(c, id), NULL));
    walor_action_log(c, walor_ctx_printf(c, "отклонил скриншот оплаты заказа №%lld", (long long)id));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.shot"), walor_ctx_printf(c, "payecom:shot:%lld", (long long)id));
    walor_send(c, user, walor_textf(c, "pay-ecom.shot.rejected", "id", pay_num(c, id), NULL), kb, 0, NULL);
    return walor_reply(c, walor_textf(c, "pay-ecom.staff.rejected", "id", pay_num(c, id), NULL), NULL);
}

static int32_t staff_view(walor_ctx *c, int64_t id)
{
    const walor_orders_v1 *os = pay_orders(c);
    walor_order *o = NULL;
    walor_rows *r = NULL;
    const char *file = NULL;
    if (walor_db_query(c, "SELECT shot_file FROM pay_ecom_invoice WHERE order_id = ? AND manual_state = 'sent'",
                       WALOR_ARGS(walor_i(id)), &r) == 0 &&
        walor_row_next(r) == 1)
        file = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
    walor_rows_close(r);
    if (!file || !*file || !os || os->get(c, id, &o) != 0)
        return walor_alert(c, walor_textf(c, "pay-ecom.staff.nothing", "id", pay_num(c, id), NULL));
    return walor_send_photo(c, walor_ctx_chat_id(c), file, shot_caption(c, o), staff_kb(c, id), 0, NULL);
}

static int32_t staff_resend(walor_ctx *c, int64_t id)
{
    int32_t rc = pay_send_details(c, id);
    if (rc == WALOR_ERANGE || rc == WALOR_ENOTFOUND)
        return walor_alert(c, walor_textf(c, "pay-ecom.staff.cannot_send", "id", pay_num(c, id), NULL));
    if (rc < 0)
        return rc;
    walor_action_log(c, walor_ctx_printf(c, "отправил реквизиты оплаты заказа №%lld", (long long)id));
    return walor_answer(c, walor_text(c, "pay-ecom.staff.sent"));
}

static int32_t staff_cb(walor_ctx *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    int64_t id = colon ? parse_id(colon + 1) : 0;
    if (!id)
        return walor_alert(c, walor_text(c, "pay-ecom.no_order"));
    size_t n = (size_t)(colon - arg);
    if (n == 2 && !strncmp(arg, "ok", 2))
        return staff_ok(c, id);
    if (n == 2 && !strncmp(arg, "no", 2))
        return staff_no(c, id);
    if (n == 1 && arg[0] == 'v')
        return staff_view(c, id);
    if (n == 4 && !strncmp(arg, "send", 4))
        return staff_resend(c, id);
    return walor_alert(c, walor_text(c, "pay-ecom.no_order"));
}

/* ---- the admin section ---- */

static const char *admin_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    int64_t id = walor_col_int(r, 0);
    const char *ms = walor_col_text(r, 2), *st = walor_col_text(r, 3);
    const char *key = !strcmp(st, "late_paid") ? "pay-ecom.adm.row_late"
                      : !strcmp(ms, "sent")    ? "pay-ecom.adm.row_shot"
                                               : "pay-ecom.adm.row_failed";
    const char *verb = !strcmp(st, "late_paid") ? "late" : !strcmp(ms, "sent") ? "v" : "send";
    walor_kb_button(kb, walor_textf(c, key, "id", pay_num(c, id), "amount", walor_money(c, walor_col_int(r, 1)), NULL),
                    walor_ctx_printf(c, "payadm:%s:%lld", verb, (long long)id));
    return NULL;
}

/* screenshots to check, failed and late payments, newest first; page: the
 * digits after "payadm:list:", NULL for the first */
static int32_t admin_list(walor_ctx *c, const char *page)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.back"), "m:core.admin");
    walor_list_def l = {.struct_size = sizeof l, .page_size = LIST_PAGE, .row = admin_row,
                        .sql = "SELECT order_id, amount, manual_state, state FROM pay_ecom_invoice"
                               " WHERE (manual_state = 'sent' AND state NOT IN ('paid', 'late_paid'))"
                               " OR state IN ('failed', 'late_paid') ORDER BY updated_at DESC, order_id DESC",
                        .page_data = "payadm:list:", .header = walor_text(c, "pay-ecom.adm.title"),
                        .empty = walor_text(c, "pay-ecom.adm.empty"), .buttons = kb};
    return walor_list_show(c, &l, page);
}

static int32_t admin(walor_ctx *c) { return admin_list(c, NULL); }

/* a payment after the cancel: staff see it, the owner may give the money back */
static int32_t staff_late(walor_ctx *c, int64_t id)
{
    int64_t amount = 0;
    if (walor_db_int(c, "SELECT amount FROM pay_ecom_invoice WHERE order_id = ? AND state = 'late_paid'",
                     WALOR_ARGS(walor_i(id)), &amount) != 0)
        return walor_alert(c, walor_textf(c, "pay-ecom.staff.not_late", "id", pay_num(c, id), NULL));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.refund"), walor_ctx_printf(c, "payown:refund:%lld", (long long)id));
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.back"), "payadm:list:0");
    return walor_show(c, walor_textf(c, "pay-ecom.adm.late", "id", pay_num(c, id), "amount", walor_money(c, amount), NULL),
                      kb);
}

static int32_t staff_cb_top(walor_ctx *c, const char *arg)
{
    if (!strncmp(arg, "list:", 5))
        return admin_list(c, arg + 5);
    if (!strncmp(arg, "late:", 5))
        return staff_late(c, parse_id(arg + 5));
    return staff_cb(c, arg);
}

/* payown:refund:<order> [OWNER]: money goes out, so only the owner */
static int32_t owner_cb(walor_ctx *c, const char *arg)
{
    int64_t id = !strncmp(arg, "refund:", 7) ? parse_id(arg + 7) : 0;
    if (!id)
        return walor_alert(c, walor_text(c, "pay-ecom.no_order"));
    const char *why = "";
    int32_t rc = pay_refund(c, id, walor_text(c, "pay-ecom.late_refund_reason"), &why);
    if (rc == 1 || rc == WALOR_ENOTFOUND)
        return walor_alert(c, walor_textf(c, "pay-ecom.staff.not_late", "id", pay_num(c, id), NULL));
    if (rc == 2)
        return walor_alert(c, walor_textf(c, "pay-ecom.staff.refund_busy", "id", pay_num(c, id), NULL));
    if (rc < 0)
        return walor_alert(c, walor_textf(c, "pay-ecom.staff.refund_failed", "id", pay_num(c, id), "why",
                                          why && *why ? why : walor_last_error(c), NULL));
    walor_action_log(c, walor_ctx_printf(c, "вернул оплату заказа №%lld, пришедшую после отмены", (long long)id));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "pay-ecom.btn.back"), "payadm:list:0");
    return walor_show(c, walor_textf(c, "pay-ecom.staff.refunded", "id", pay_num(c, id), NULL), kb);
}

static const walor_conv_state SHOT_STATES[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "wait", .on_enter = shot_ask, .on_message = shot_got},
};

int32_t pay_manual_register(walor_plugin *p)
{
    const walor_callback_def cust = {.struct_size = sizeof cust, .min_role = WALOR_ROLE_CLIENT, .prefix = "payecom",
                                     .handler = pay_customer_cb};
    const walor_callback_def staff = {.struct_size = sizeof staff, .min_role = WALOR_ROLE_MANAGER, .prefix = "payadm",
                                      .handler = staff_cb_top};
    const walor_callback_def own = {.struct_size = sizeof own, .min_role = WALOR_ROLE_OWNER, .prefix = "payown",
                                    .handler = owner_cb};
    const walor_conv_def conv = {.struct_size = sizeof conv, .min_role = WALOR_ROLE_CLIENT, .name = "shot",
                                 .states = SHOT_STATES, .nstates = 1, .timeout_s = 600, .on_cancel = shot_cancelled};
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                                 .order = 300, .id = "payments", .label = "💳 Оплаты", .on_press = admin,
                                 .group = WALOR_MENU_GROUP_SALES};
    const walor_command_def cmd = {.struct_size = sizeof cmd, .min_role = WALOR_ROLE_CLIENT, .name = "pay",
                                   .description = "Оплатить заказ: /pay номер", .handler = pay_cmd};
    int32_t rc = walor_callback(p, &cust);
    if (!rc) rc = walor_command(p, &cmd);
    if (!rc) rc = walor_callback(p, &staff);
    if (!rc) rc = walor_callback(p, &own);
    if (!rc) rc = walor_conversation(p, &conv);
    if (!rc) rc = walor_menu(p, &menu);
    return rc;
}
