/* support-groq: tickets (F-SUP-05) and their messages.
 *
 * A customer has at most one open ticket (a partial unique index): "ai"
 * while the assistant answers, "wait" once it needs an operator, and
 * "operator" when one took it; "closed" ends it and the next question
 * opens a new one. Every move stamps its time. Every message of either
 * side is kept (support_message) — the operator's history, the model's
 * context (for_ai) and the rate limit read it. Moves are single UPDATEs
 * guarded by the status they leave, so two operators pressing "Взять" at
 * once cannot both get the ticket. */
#include <string.h>

#include "sup.h"

const char sup_ticket_migration[] =
    "CREATE TABLE support_ticket ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('ai', 'wait', 'operator', 'closed')),"
    " topic TEXT NOT NULL DEFAULT '',"
    " reason TEXT NOT NULL DEFAULT '',"        /* why it went to an operator */
    " operator_id INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " escalated_at INTEGER NOT NULL DEFAULT 0,"
    " taken_at INTEGER NOT NULL DEFAULT 0,"
    " closed_at INTEGER NOT NULL DEFAULT 0,"
    " last_customer_at INTEGER NOT NULL DEFAULT 0,"
    " last_staff_at INTEGER NOT NULL DEFAULT 0,"
    " alerted INTEGER NOT NULL DEFAULT 0,"      /* last_customer_at the staff were reminded of */
    " archived INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX support_ticket_open ON support_ticket(user_id) WHERE status <> 'closed';"
    "CREATE INDEX support_ticket_list ON support_ticket(status, archived, updated_at);"
    "CREATE TABLE support_message ("
    " id INTEGER PRIMARY KEY,"
    " ticket_id INTEGER NOT NULL,"
    " author TEXT NOT NULL CHECK (author IN ('customer', 'ai', 'operator', 'system')),"
    " author_id INTEGER NOT NULL DEFAULT 0,"
    " kind TEXT NOT NULL DEFAULT 'text',"       /* text, photo, document, other */
    " text TEXT NOT NULL DEFAULT '',"
    " file_id TEXT,"
    " file_name TEXT,"
    " tokens INTEGER NOT NULL DEFAULT 0,"
    " for_ai INTEGER NOT NULL DEFAULT 1,"       /* part of what the model sees */
    " at INTEGER NOT NULL);"
    "CREATE INDEX support_message_ticket ON support_message(ticket_id, id);"
    "CREATE INDEX support_message_author ON support_message(author, author_id, at);"
    "CREATE TABLE support_topic ("
    " slug TEXT PRIMARY KEY,"
    " title TEXT NOT NULL,"
    " prompt TEXT NOT NULL,"
    " sort INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO support_topic(slug, title, prompt, sort) VALUES "
    "('general', '💬 Общие вопросы', 'Ты — вежливый и знающий консультант интернет-магазина. Отвечай по-русски, "
    "коротко и по делу, помогай выбрать товар и оформить заказ.', 0),"
    "('relax', '🧘 Отдых и сон', 'Тема разговора — отдых, расслабление и сон. Помогай подобрать товары для "
    "спокойного вечера и хорошего сна; не давай медицинских советов.', 10),"
    "('health', '🌿 Здоровье', 'Тема разговора — здоровье и хорошее самочувствие. Рассказывай о товарах и их "
    "составе, но не ставь диагнозов и не назначай лечения: с вопросами о болезнях — к врачу.', 20),"
    "('skin', '🧴 Уход за кожей', 'Тема разговора — уход за кожей. Подбирай средства по типу кожи и задаче, "
    "спрашивай о чувствительности и аллергии.', 30),"
    "('home', '🏠 Дом', 'Тема разговора — товары для дома и уюта. Помогай выбрать по назначению, размеру и "
    "бюджету.', 40),"
    "('mix', '🎁 Подборки и подарки', 'Тема разговора — подборки и подарки. Предлагай сочетания товаров из "
    "разных разделов под повод и бюджет покупателя.', 50);"
    "CREATE TABLE support_usage ("
    " day INTEGER PRIMARY KEY,"                 /* yyyymmdd in the shop's zone */
    " tokens INTEGER NOT NULL DEFAULT 0,"
    " requests INTEGER NOT NULL DEFAULT 0,"
    " alerted INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE support_key_notice ("          /* a revoked key is reported once */
    " fp TEXT PRIMARY KEY,"
    " at INTEGER NOT NULL);";

#define COLS "id, user_id, operator_id, created_at, updated_at, escalated_at, taken_at, closed_at, " \
             "last_customer_at, last_staff_at, alerted, archived, status, topic, reason"

static void fill(walor_ctx *c, walor_rows *r, sup_ticket *t)
{
    int64_t *f[] = {&t->id, &t->user_id, &t->operator_id, &t->created_at, &t->updated_at, &t->escalated_at,
                    &t->taken_at, &t->closed_at, &t->last_customer_at, &t->last_staff_at, &t->alerted,
                    &t->archived};
    for (uint32_t i = 0; i < sizeof f / sizeof f[0]; i++)
        *f[i] = walor_col_int(r, i);
    t->status = walor_ctx_printf(c, "%s", walor_col_text(r, 12) ? walor_col_text(r, 12) : "");
    t->topic = walor_ctx_printf(c, "%s", walor_col_text(r, 13) ? walor_col_text(r, 13) : "");
    t->reason = walor_ctx_printf(c, "%s", walor_col_text(r, 14) ? walor_col_text(r, 14) : "");
}

static int32_t one(walor_ctx *c, const char *sql, int64_t arg, sup_ticket *t)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, sql, WALOR_ARGS(walor_i(arg)), &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1)
        fill(c, r, t);
    walor_rows_close(r);
    return rc == 1 ? 0 : rc == 0 ? WALOR_ENOTFOUND : rc;
}

int32_t sup_ticket_get(walor_ctx *c, int64_t id, sup_ticket *t)
{
    return one(c, "SELECT " COLS " FROM support_ticket WHERE id = ?", id, t);
}

int32_t sup_ticket_open_of(walor_ctx *c, int64_t user_id, sup_ticket *t)
{
    return one(c, "SELECT " COLS " FROM support_ticket WHERE user_id = ? AND status <> 'closed'", user_id, t);
}

int32_t sup_ticket_current(walor_ctx *c, int64_t user_id, const char *topic, sup_ticket *t)
{
    int32_t rc = sup_ticket_open_of(c, user_id, t);
    if (rc != WALOR_ENOTFOUND)
        return rc;
    int64_t now = walor_now(c);
    rc = walor_db_exec(c,
                       "INSERT INTO support_ticket(user_id, status, topic, created_at, updated_at) "
                       "VALUES (?, 'ai', ?, ?, ?) ON CONFLICT DO NOTHING",
                       WALOR_ARGS(walor_i(user_id), walor_s(topic ? topic : ""), walor_i(now), walor_i(now)));
    if (rc < 0)
        return rc;
    return sup_ticket_open_of(c, user_id, t);
}

int32_t sup_ticket_add(walor_ctx *c, int64_t ticket_id, const char *author, int64_t author_id,
                       const sup_incoming *in, int64_t tokens, int for_ai)
{
    int64_t now = walor_now(c);
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO support_message(ticket_id, author, author_id, kind, text, file_id, "
                               "file_name, tokens, for_ai, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               WALOR_ARGS(walor_i(ticket_id), walor_s(author), walor_i(author_id),
                                          walor_s(in->kind), walor_s(in->text ? in->text : ""),
                                          walor_s(in->file_id), walor_s(in->file_name), walor_i(tokens),
                                          walor_i(for_ai), walor_i(now)));
    if (rc < 0)
        return rc;
    const char *col = !strcmp(author, "customer") ? "last_customer_at"
                      : !strcmp(author, "operator") ? "last_staff_at" : NULL;
    if (col)
        rc = walor_db_exec(c, walor_ctx_printf(c, "UPDATE support_ticket SET %s = ?, updated_at = ? WHERE id = ?", col),
                           WALOR_ARGS(walor_i(now), walor_i(now), walor_i(ticket_id)));
    else
        rc = walor_db_exec(c, "UPDATE support_ticket SET updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_i(now), walor_i(ticket_id)));
    return rc < 0 ? rc : 0;
}

static int32_t system_note(walor_ctx *c, int64_t ticket_id, const char *text)
{
    sup_incoming in = {.kind = "text", .text = text};
    return sup_ticket_add(c, ticket_id, "system", 0, &in, 0, 0);
}

const char *sup_status_label(walor_ctx *c, const char *status)
{
    if (!strcmp(status, SUP_AI))
        return T(c, "status.ai");
    if (!strcmp(status, SUP_WAIT))
        return T(c, "status.wait");
    if (!strcmp(status, SUP_OPERATOR))
        return T(c, "status.operator");
    return T(c, "status.closed");
}

int32_t sup_ticket_escalate(walor_ctx *c, int64_t user_id, const char *reason)
{
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    sup_ticket t;
    rc = sup_ticket_current(c, user_id, "", &t);
    int changed = 0;
    if (rc == 0 && strcmp(t.status, SUP_AI) == 0) {
        int64_t now = walor_now(c);
        rc = walor_db_exec(c,
                           "UPDATE support_ticket SET status = 'wait', reason = ?, escalated_at = ?, updated_at = ?, "
                           "alerted = 0 WHERE id = ? AND status = 'ai'",
                           WALOR_ARGS(walor_s(reason), walor_i(now), walor_i(now), walor_i(t.id)));
        changed = rc > 0;
        if (changed) {
            rc = system_note(c, t.id, walor_ctx_printf(c, "→ оператору: %s", reason));
            if (rc >= 0 && sup_ticket_get(c, t.id, &t) == 0)
                rc = sup_ticket_timers(c, &t);
        }
    }
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    rc = walor_tx_commit(c);
    if (rc < 0)
        return rc;
    if (changed)
        sup_ticket_notify_staff(c, t.id, "staff.new");
    return changed ? 0 : 1;
}

int32_t sup_ticket_notify_staff(walor_ctx *c, int64_t id, const char *head_key)
{
    sup_ticket t;
    int32_t rc = sup_ticket_get(c, id, &t);
    if (rc < 0)
        return rc;
    /* the customer's last words, so the staff know what it is about */
    const char *last = "";
    walor_rows *r = NULL;
    if (walor_db_query(c,
                       "SELECT kind, text FROM support_message WHERE ticket_id = ? AND author = 'customer' "
                       "ORDER BY id DESC LIMIT 1",
                       WALOR_ARGS(walor_i(id)), &r) == 0) {
        if (walor_row_next(r) == 1) {
            const char *kind = walor_col_text(r, 0), *text = walor_col_text(r, 1);
            last = text && *text ? walor_ctx_printf(c, "%.300s", text)
                   : kind && !strcmp(kind, "photo")   ? "📷"
                   : kind && !strcmp(kind, "document") ? "📎"
                                                      : "";
        }
        walor_rows_close(r);
    }
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "btn.take"), walor_ctx_printf(c, "supt:take:%lld", (long long)id));
    walor_kb_button(kb, T(c, "btn.open"), walor_ctx_printf(c, "supt:t:%lld:0", (long long)id));
    const char *html = walor_textf(c, walor_ctx_printf(c, SUP_PLUGIN ".%s", head_key), "id",
                                   walor_ctx_printf(c, "%lld", (long long)id), "who", walor_user_label(c, t.user_id, WALOR_USER_LABEL_FULL),
                                   "reason", sup_esc(c, t.reason), "text", sup_esc(c, last), NULL);
    rc = walor_notify_staff(c, WALOR_ROLE_MANAGER, html, kb);
    return rc < 0 ? rc : 0;
}

/* a change of a ticket's status opens the transaction the caller ends with
 * walor_tx_end: the rows changed, or the error with nothing left open */
static int32_t begin_change(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs)
{
    int32_t rc = walor_tx_begin(c);
    if (rc >= 0 && (rc = walor_db_exec(c, sql, args, nargs)) < 0)
        walor_tx_rollback(c);
    return rc;
}

int32_t sup_ticket_take(walor_ctx *c, int64_t id, int64_t staff_id, int64_t *taken_by)
{
    int64_t now = walor_now(c);
    int32_t rc = begin_change(c,
                              "UPDATE support_ticket SET status = 'operator', operator_id = ?, taken_at = ?, "
                              "updated_at = ? WHERE id = ? AND status IN ('ai', 'wait')",
                              WALOR_ARGS(walor_i(staff_id), walor_i(now), walor_i(now), walor_i(id)));
    if (rc < 0)
        return rc;
    sup_ticket t;
    if (rc == 0) { /* nothing moved: say why */
        int32_t g = sup_ticket_get(c, id, &t);
        walor_tx_rollback(c);
        if (g < 0)
            return g;
        if (taken_by)
            *taken_by = t.operator_id;
        if (!strcmp(t.status, SUP_OPERATOR) && t.operator_id == staff_id)
            return 1; /* it is already yours */
        return !strcmp(t.status, SUP_CLOSED) ? WALOR_ERANGE : WALOR_EBUSY;
    }
    if (rc > 0)
        rc = system_note(c, id, walor_ctx_printf(c, "оператор %lld взял обращение", (long long)staff_id));
    if (rc >= 0 && (rc = sup_ticket_get(c, id, &t)) == 0)
        rc = sup_ticket_timers(c, &t);
    rc = walor_tx_end(c, rc);
    return rc < 0 ? rc : 0;
}

int32_t sup_ticket_close(walor_ctx *c, int64_t id, int64_t by)
{
    int64_t now = walor_now(c);
    int32_t rc = begin_change(c,
                              "UPDATE support_ticket SET status = 'closed', closed_at = ?, updated_at = ? "
                              "WHERE id = ? AND status <> 'closed'",
                              WALOR_ARGS(walor_i(now), walor_i(now), walor_i(id)));
    if (rc < 0)
        return rc;
    int changed = rc > 0;
    if (changed)
        rc = system_note(c, id, walor_ctx_printf(c, "закрыто (%lld)", (long long)by));
    if (rc >= 0 && changed) {
        char key[32];
        snprintf(key, sizeof key, "t%lld", (long long)id);
        walor_job_cancel(c, "op_timeout", key);
        walor_job_cancel(c, "silence", key);
    }
    rc = walor_tx_end(c, rc);
    return rc < 0 ? rc : changed ? 0 : 1;
}

int32_t sup_ticket_back_to_ai(walor_ctx *c, int64_t id, const char *why)
{
    int64_t now = walor_now(c);
    int32_t rc = walor_db_exec(c,
                               "UPDATE support_ticket SET status = 'ai', operator_id = 0, updated_at = ? "
                               "WHERE id = ? AND status IN ('wait', 'operator')",
                               WALOR_ARGS(walor_i(now), walor_i(id)));
    if (rc > 0)
        rc = system_note(c, id, why);
    return rc < 0 ? rc : 0;
}

int32_t sup_ticket_timers(walor_ctx *c, const sup_ticket *t)
{
    char key[32];
    snprintf(key, sizeof key, "t%lld", (long long)t->id);
    if (!strcmp(t->status, SUP_AI) || !strcmp(t->status, SUP_CLOSED)) {
        walor_job_cancel(c, "op_timeout", key);
        walor_job_cancel(c, "silence", key);
        return 0;
    }
    json_t *pl = json_pack("{s:I}", "ticket", (json_int_t)t->id);
    if (!pl)
        return WALOR_ENOMEM;
    int64_t last = t->last_customer_at > t->last_staff_at ? t->last_customer_at : t->last_staff_at;
    if (t->escalated_at > last)
        last = t->escalated_at;
    if (t->taken_at > last)
        last = t->taken_at;
    int32_t rc = walor_job_at(c, last + sup_setting(c, "silence_hours", 24) * 3600, "silence", key, pl);
    /* the operator owes an answer: to a waiting ticket, or to the customer's last words */
    int owed = !strcmp(t->status, SUP_WAIT) || t->last_customer_at > t->last_staff_at;
    if (rc == 0 && owed) {
        int64_t since = !strcmp(t->status, SUP_WAIT) && t->escalated_at > t->last_customer_at ? t->escalated_at
                                                                                                : t->last_customer_at;
        rc = walor_job_at(c, since + sup_setting(c, "operator_timeout_min", 15) * 60, "op_timeout", key, pl);
    } else if (rc == 0) {
        walor_job_cancel(c, "op_timeout", key);
    }
    json_decref(pl);
    return rc == WALOR_ENOTFOUND ? 0 : rc;
}
