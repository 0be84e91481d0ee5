/* crm: what staff do from the card — the note (F-CRM-04), a direct
 * message (F-CRM-05), bonuses and the personal discount through the
 * loyalty service (F-CRM-06). Each is a form (SDK 1.3): the host asks,
 * checks the type and the bounds, says why and asks again, draws the
 * cancel; the data carries the client's id and the card's back.
 *
 * The note is guarded against two managers writing at once: the form
 * remembers the note's revision when it starts, and the save is refused
 * when someone saved in between — the manager then sees the other note
 * and writes again, nothing is overwritten unseen. */
#include <string.h>

#include "crm.h"

#define NOTE_MAX 1000    /* characters: the card with its note stays far below Telegram's 4096 */
#define MESSAGE_MAX 3500 /* characters of a message to a client, with room for its heading */
#define BONUS_MAX 100000000000LL

static int64_t data_uid(json_t *d) { return (int64_t)json_integer_value(json_object_get(d, "uid")); }
static const char *data_back(json_t *d) { return json_string_value(json_object_get(d, "back")); }

static int32_t back_to_card(walor_ctx *c)
{
    json_t *d = walor_conv_data(c);
    return crm_card_show(c, data_uid(d), data_back(d)) == WALOR_EDB ? WALOR_EDB : 0;
}

/* the card again, what happened on top: one screen, edited in place after
 * the summary's button or sent after a typed answer */
static int32_t card_after(walor_ctx *c, json_t *d, const char *notice)
{
    int32_t rc = crm_card_notice(c, data_uid(d), data_back(d), notice);
    return rc == WALOR_ENOTFOUND ? 0 : rc;
}

static const char *client_name(walor_ctx *c, int64_t uid)
{
    json_t *u = walor_user_get(c, uid);
    const char *n = u ? crm_user_name(c, u) : "";
    return *n ? n : walor_ctx_printf(c, "ID %lld", (long long)uid);
}

/* ---- note ---- */

static const char *note_prompt(walor_ctx *c, json_t *d)
{
    const char *cur = crm_jstr(d, "current");
    return walor_textf(c, "crm.note.ask", "name", crm_esc(c, client_name(c, data_uid(d))), "current",
                       *cur ? walor_textf(c, "crm.note.current", "note", crm_esc(c, cur), NULL) : "", "max",
                       crm_num(c, NOTE_MAX), NULL);
}

static int32_t note_done(walor_ctx *c, json_t *d)
{
    int64_t uid = data_uid(d);
    const char *text = crm_jstr(d, "note");
    int del = strcmp(text, "-") == 0;
    int64_t rev = (int64_t)json_integer_value(json_object_get(d, "rev"));
    int32_t rc = walor_db_exec(c, "INSERT INTO crm_client(user_id) VALUES (?) ON CONFLICT(user_id) DO NOTHING",
                               WALOR_ARGS(walor_i(uid)));
    if (rc >= 0)
        rc = walor_db_exec(c,
                           "UPDATE crm_client SET note = ?, note_rev = note_rev + 1, note_by = ?, note_at = ? "
                           "WHERE user_id = ? AND note_rev = ?",
                           WALOR_ARGS(walor_s(del ? "" : text), walor_i(walor_ctx_user_id(c)), walor_i(walor_now(c)),
                                      walor_i(uid), walor_i(rev)));
    if (rc < 0)
        return rc;
    if (rc == 0) {
        /* someone saved in between: show theirs, take its revision, ask again */
        walor_rows *r = NULL;
        const char *other = "", *who = "";
        int64_t now_rev = rev;
        if (walor_db_query(c, "SELECT note, note_by, note_rev FROM crm_client WHERE user_id = ?",
                           WALOR_ARGS(walor_i(uid)), &r) == 0) {
            if (walor_row_next(r) == 1) {
                other = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
                who = crm_staff_name(c, walor_col_int(r, 1));
                now_rev = walor_col_int(r, 2);
            }
            walor_rows_close(r);
        }
        json_object_set_new(d, "rev", json_integer((json_int_t)now_rev));
        json_object_set_new(d, "current", json_string(other));
        return walor_form_retry(c, "note",
                                walor_textf(c, "crm.note.conflict", "who", crm_esc(c, who), "note",
                                            *other ? crm_esc(c, other) : walor_text(c, "crm.note.deleted"), "mine",
                                            crm_esc(c, text), NULL));
    }
    crm_log_action(c, walor_ctx_printf(c, del ? "удалил заметку клиента %lld" : "изменил заметку клиента %lld",
                                       (long long)uid));
    return card_after(c, d, walor_text(c, del ? "crm.note.removed" : "crm.note.saved"));
}

/* ---- direct message ---- */

static const char *msg_summary(walor_ctx *c, json_t *d)
{
    return walor_textf(c, "crm.msg.summary", "name", crm_esc(c, client_name(c, data_uid(d))), "text",
                       crm_esc(c, crm_jstr(d, "text")), NULL);
}

static int32_t msg_done(walor_ctx *c, json_t *d)
{
    int64_t uid = data_uid(d);
    const char *html = walor_textf(c, "crm.msg.to_client", "text", crm_esc(c, crm_jstr(d, "text")), NULL);
    int64_t mid = 0;
    /* waited for: a client who blocked the bot is told apart from "sent" */
    int32_t rc = walor_send(c, uid, html, NULL, 0, &mid);
    const char *notice;
    if (rc == 0) {
        notice = walor_text(c, "crm.msg.sent");
        crm_log_action(c, walor_ctx_printf(c, "написал клиенту %lld", (long long)uid));
    } else if (rc == WALOR_EBLOCKED) {
        notice = walor_text(c, "crm.msg.blocked");
    } else {
        walor_log(c, WALOR_LOG_WARN, "crm: message to %lld: %s", (long long)uid, walor_last_error(c));
        notice = walor_textf(c, "crm.msg.failed", "why", crm_esc(c, walor_last_error(c)), NULL);
    }
    return card_after(c, d, notice);
}

/* ---- bonuses and discount (loyalty) ---- */

/* the client's bonus balance and discount; zeros without the loyalty plugin */
static walor_loyalty_info loyalty_of(walor_ctx *c, json_t *d)
{
    walor_loyalty_info li = {.struct_size = sizeof li};
    const walor_loyalty_v1 *l = crm_loyalty(c);
    if (l)
        l->info(c, data_uid(d), &li);
    return li;
}

static const char *bonus_prompt(walor_ctx *c, json_t *d)
{
    walor_loyalty_info li = loyalty_of(c, d);
    return walor_textf(c, "crm.bonus.ask", "name", crm_esc(c, client_name(c, data_uid(d))), "balance",
                       walor_money(c, li.balance), NULL);
}

static int32_t bonus_done(walor_ctx *c, json_t *d)
{
    const walor_loyalty_v1 *l = crm_loyalty(c);
    if (!l || !WALOR_LOYALTY_HAS(l, add_bonus))
        return card_after(c, d, walor_text(c, "crm.no_loyalty"));
    int64_t amount = (int64_t)json_integer_value(json_object_get(d, "amount")), balance = 0;
    if (amount == 0)
        return walor_form_retry(c, "amount", "crm.bonus.zero");
    int32_t rc = l->add_bonus(c, data_uid(d), amount, crm_jstr(d, "reason"), &balance);
    if (rc == WALOR_ERANGE)
        return walor_form_retry(c, "amount", "crm.bonus.too_much");
    if (rc == WALOR_ENOTFOUND)
        return card_after(c, d, NULL);
    if (rc < 0)
        return rc;
    return card_after(c, d, walor_textf(c, "crm.bonus.done", "balance", walor_money(c, balance), NULL));
}

static const char *disc_prompt(walor_ctx *c, json_t *d)
{
    walor_loyalty_info li = loyalty_of(c, d);
    return walor_textf(c, "crm.disc.ask", "name", crm_esc(c, client_name(c, data_uid(d))), "pct",
                       walor_ctx_printf(c, "%d", li.discount_pct), NULL);
}

static int32_t disc_done(walor_ctx *c, json_t *d)
{
    const walor_loyalty_v1 *l = crm_loyalty(c);
    if (!l || !WALOR_LOYALTY_HAS(l, set_discount))
        return card_after(c, d, walor_text(c, "crm.no_loyalty"));
    int32_t pct = (int32_t)json_integer_value(json_object_get(d, "pct"));
    int32_t rc = l->set_discount(c, data_uid(d), pct);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    return card_after(c, d, walor_textf(c, "crm.disc.done", "pct", walor_ctx_printf(c, "%d", pct), NULL));
}

int32_t crm_action_start(walor_ctx *c, const char *verb, int64_t uid, const char *back)
{
    if (!walor_user_get(c, uid)) {
        crm_card_show(c, uid, back);
        return 0;
    }
    json_t *d = json_pack("{s:I}", "uid", (json_int_t)uid);
    if (!d)
        return WALOR_ENOMEM;
    if (back && *back)
        json_object_set_new(d, "back", json_string(back));
    const char *form = NULL;
    if (!strcmp(verb, "n")) {
        walor_rows *r = NULL;
        int64_t rev = 0;
        const char *cur = "";
        if (walor_db_query(c, "SELECT note, note_rev FROM crm_client WHERE user_id = ?", WALOR_ARGS(walor_i(uid)),
                           &r) == 0) {
            if (walor_row_next(r) == 1) {
                cur = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
                rev = walor_col_int(r, 1);
            }
            walor_rows_close(r);
        }
        json_object_set_new(d, "rev", json_integer((json_int_t)rev));
        json_object_set_new(d, "current", json_string(cur));
        form = "crm_note";
    } else if (!strcmp(verb, "m")) {
        form = "crm_msg";
    } else if (!strcmp(verb, "b") || !strcmp(verb, "d")) {
        if (!crm_loyalty(c)) {
            json_decref(d);
            walor_alert(c, walor_text(c, "crm.no_loyalty"));
            return 0;
        }
        form = verb[0] == 'b' ? "crm_bonus" : "crm_disc";
    }
    int32_t rc = form ? walor_conv_start(c, form, NULL, d) : 0;
    json_decref(d);
    return rc;
}

int32_t crm_actions_register(walor_plugin *p)
{
    static const walor_step_def note[] = {
        {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "note", .prompt_fn = note_prompt,
         .min = 1, .max = NOTE_MAX, .error = "crm.note.too_long"},
    };
    static const walor_step_def msg[] = {
        {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "text", .prompt = "crm.msg.ask",
         .min = 1, .max = MESSAGE_MAX},
    };
    static const walor_step_def bonus[] = {
        {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_MONEY, .key = "amount", .prompt_fn = bonus_prompt,
         .label = "crm.bonus.label_amount", .min = -BONUS_MAX, .max = BONUS_MAX},
        {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "reason", .prompt = "crm.bonus.reason",
         .label = "crm.bonus.label_reason", .min = 1, .max = 200},
    };
    static const walor_step_def disc[] = {
        {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "pct", .prompt_fn = disc_prompt,
         .min = 0, .max = 99, .error = "crm.disc.range"},
    };
    static const walor_form_def forms[] = {
        {.struct_size = sizeof(walor_form_def), .min_role = WALOR_ROLE_MANAGER, .name = "crm_note", .steps = note,
         .nsteps = 1, .timeout_s = 3600, .on_done = note_done, .on_cancel = back_to_card},
        {.struct_size = sizeof(walor_form_def), .min_role = WALOR_ROLE_MANAGER, .name = "crm_msg", .steps = msg,
         .nsteps = 1, .timeout_s = 3600, .summary_fn = msg_summary, .on_done = msg_done, .on_cancel = back_to_card},
        {.struct_size = sizeof(walor_form_def), .min_role = WALOR_ROLE_MANAGER, .name = "crm_bonus", .steps = bonus,
         .nsteps = 2, .timeout_s = 1800, .summary = "crm.bonus.summary", .on_done = bonus_done,
         .on_cancel = back_to_card},
        {.struct_size = sizeof(walor_form_def), .min_role = WALOR_ROLE_MANAGER, .name = "crm_disc", .steps = disc,
         .nsteps = 1, .timeout_s = 1800, .on_done = disc_done, .on_cancel = back_to_card},
    };
    int32_t rc = 0;
    for (size_t i = 0; !rc && i < sizeof forms / sizeof *forms; i++)
        rc = walor_form(p, &forms[i]);
    return rc;
}
