/* support-groq: the timers (F-SUP-07), all persistent jobs of the host's
 * scheduler, so they survive restarts:
 *
 *   op_timeout (one-shot, per ticket "t<id>")  the staff owe an answer —
 *       to a waiting ticket, or to the customer's last words — longer than
 *       operator_timeout_min: one reminder per silence (alerted remembers
 *       which customer message it was about)
 *   silence (one-shot, per ticket)  silence_hours without a word from
 *       either side: the conversation goes back to the assistant
 *   summary (cron 09:00)  yesterday's tickets and tokens, to the managers
 *   archive (cron 03:30)  closed tickets older than archive_days leave
 *       the lists (they stay searchable in "🗄 Архив")
 *
 * Each checks the ticket again before acting: a job scheduled for a state
 * that has passed does nothing (at-least-once delivery, idempotent). */
#include <string.h>
#include <time.h>

#include "sup.h"

/* the job's ticket while it is with the staff: 1; 0 when it has moved on
 * (gone, closed, back with the assistant); < 0 on failure */
static int32_t with_staff(walor_ctx *c, json_t *payload, sup_ticket *t)
{
    int32_t rc = sup_ticket_get(c, (int64_t)json_integer_value(json_object_get(payload, "ticket")), t);
    if (rc == WALOR_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    return !strcmp(t->status, SUP_WAIT) || !strcmp(t->status, SUP_OPERATOR);
}

static int32_t op_timeout(walor_ctx *c, json_t *payload)
{
    sup_ticket t;
    int32_t rc = with_staff(c, payload, &t);
    if (rc <= 0)
        return rc;
    int waiting = !strcmp(t.status, SUP_WAIT);
    int64_t since = waiting && t.escalated_at > t.last_customer_at ? t.escalated_at : t.last_customer_at;
    if (!waiting && t.last_staff_at >= since)
        return 0; /* answered meanwhile */
    int64_t due = since + sup_setting(c, "operator_timeout_min", 15) * 60;
    if (walor_now(c) < due) /* more came meanwhile: the reminder moves */
        return sup_ticket_timers(c, &t);
    rc = walor_db_exec(c, "UPDATE support_ticket SET alerted = ? WHERE id = ? AND alerted < ?",
                       WALOR_ARGS(walor_i(since), walor_i(t.id), walor_i(since)));
    if (rc <= 0)
        return rc < 0 ? rc : 0; /* reminded already */
    const char *mins = walor_ctx_printf(c, "%lld", (long long)((walor_now(c) - since) / 60));
    const char *html = walor_textf(c, waiting ? SUP_PLUGIN ".staff.timeout_wait" : SUP_PLUGIN ".staff.timeout_op", "id",
                          walor_ctx_printf(c, "%lld", (long long)t.id), "who", walor_user_label(c, t.user_id, WALOR_USER_LABEL_FULL), "min",
                          mins, "op", t.operator_id ? walor_user_label(c, t.operator_id, WALOR_USER_LABEL_FULL) : "—", (const char *)NULL);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, waiting ? T(c, "btn.take") : T(c, "btn.reply"),
                    walor_ctx_printf(c, "supt:%s:%lld", waiting ? "take" : "reply", (long long)t.id));
    walor_kb_button(kb, T(c, "btn.open"), walor_ctx_printf(c, "supt:t:%lld:0", (long long)t.id));
    rc = walor_notify_staff(c, WALOR_ROLE_MANAGER, html, kb);
    return rc < 0 ? rc : 0;
}

static int32_t silence(walor_ctx *c, json_t *payload)
{
    sup_ticket t;
    int32_t rc = with_staff(c, payload, &t);
    if (rc <= 0)
        return rc;
    int64_t last = t.last_customer_at;
    int64_t marks[] = {t.last_staff_at, t.escalated_at, t.taken_at};
    for (size_t i = 0; i < 3; i++)
        if (marks[i] > last)
            last = marks[i];
    if (walor_now(c) < last + sup_setting(c, "silence_hours", 24) * 3600)
        return sup_ticket_timers(c, &t);
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    rc = sup_ticket_back_to_ai(c, t.id, "тишина: диалог вернулся к ассистенту");
    sup_ticket now;
    if (rc >= 0 && (rc = sup_ticket_get(c, t.id, &now)) == 0)
        rc = sup_ticket_timers(c, &now);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if ((rc = walor_tx_commit(c)) < 0)
        return rc;
    walor_send(c, t.user_id, T(c, "to_customer.silence"), NULL, 0, NULL);
    if (t.operator_id)
        walor_send(c, t.operator_id, TF(c, "op.silence", "id", walor_ctx_printf(c, "%lld", (long long)t.id)), NULL, 0,
                   NULL);
    return 0;
}

/* [from, to) of yesterday in the shop's zone */
static void yesterday(walor_ctx *c, int64_t *from, int64_t *to, char *label, size_t cap)
{
    time_t now = (time_t)walor_now(c);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    *to = (int64_t)mktime(&tm);
    tm.tm_mday -= 1;
    tm.tm_isdst = -1;
    *from = (int64_t)mktime(&tm);
    strftime(label, cap, "%d.%m.%Y", &tm);
}

static int64_t count(walor_ctx *c, const char *sql, int64_t a, int64_t b)
{
    int64_t n = 0;
    if (walor_db_int(c, sql, WALOR_ARGS(walor_i(a), walor_i(b)), &n) < 0)
        return 0;
    return n;
}

static int32_t summary(walor_ctx *c)
{
    int64_t from, to;
    char day[16];
    yesterday(c, &from, &to, day, sizeof day);
    /* once a day, also when the job runs again after a crash */
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO support_meta(k, v) VALUES ('summary', ?) ON CONFLICT (k) DO UPDATE "
                               "SET v = excluded.v WHERE support_meta.v < excluded.v",
                               WALOR_ARGS(walor_i(from)));
    if (rc <= 0)
        return rc < 0 ? rc : 0;
    int64_t created = count(c, "SELECT count(*) FROM support_ticket WHERE created_at >= ? AND created_at < ?", from, to);
    int64_t escal = count(c, "SELECT count(*) FROM support_ticket WHERE escalated_at >= ? AND escalated_at < ?", from, to);
    int64_t closed = count(c, "SELECT count(*) FROM support_ticket WHERE closed_at >= ? AND closed_at < ?", from, to);
    int64_t answers = count(c, "SELECT count(*) FROM support_message WHERE author = 'ai' AND at >= ? AND at < ?", from, to);
    int64_t waiting = 0;
    walor_db_int(c, "SELECT count(*) FROM support_ticket WHERE status = 'wait'", NULL, 0, &waiting);
    int64_t avg = count(c,
                        "SELECT coalesce(avg(taken_at - escalated_at), 0) FROM support_ticket WHERE taken_at >= ? AND "
                        "taken_at < ? AND escalated_at > 0",
                        from, to);
    int64_t tokens = 0;
    walor_db_int(c, "SELECT tokens FROM support_usage WHERE day = ?", WALOR_ARGS(walor_i(sup_day(from))), &tokens);
    const char *html =
        TF(c, "staff.summary", "day", day, "created", walor_ctx_printf(c, "%lld", (long long)created), "escalated",
           walor_ctx_printf(c, "%lld", (long long)escal), "closed", walor_ctx_printf(c, "%lld", (long long)closed),
           "answers", walor_ctx_printf(c, "%lld", (long long)answers), "waiting",
           walor_ctx_printf(c, "%lld", (long long)waiting), "take", walor_ctx_printf(c, "%lld", (long long)(avg / 60)),
           "tokens", walor_ctx_printf(c, "%lld", (long long)tokens));
    rc = walor_notify_staff(c, WALOR_ROLE_MANAGER, html, NULL);
    return rc < 0 ? rc : 0;
}

static int32_t archive(walor_ctx *c)
{
    int64_t days = sup_setting(c, "archive_days", 30);
    int32_t rc = walor_db_exec(c,
                               "UPDATE support_ticket SET archived = 1 WHERE status = 'closed' AND archived = 0 AND "
                               "closed_at < ?",
                               WALOR_ARGS(walor_i(walor_now(c) - days * 86400)));
    if (rc > 0)
        walor_log(c, WALOR_LOG_INFO, "%d closed ticket(s) archived", rc);
    return rc < 0 ? rc : 0;
}

int32_t sup_jobs_register(walor_plugin *p)
{
    static const walor_cron_def crons[] = {
        {.struct_size = sizeof crons[0], .name = "summary", .expr = "0 9 * * *", .flags = WALOR_CRON_CATCH_UP,
         .fn = summary},
        {.struct_size = sizeof crons[0], .name = "archive", .expr = "30 3 * * *", .flags = WALOR_CRON_CATCH_UP,
         .fn = archive},
    };
    int32_t rc = walor_job(p, "op_timeout", op_timeout);
    if (!rc) rc = walor_job(p, "silence", silence);
    for (size_t i = 0; !rc && i < sizeof crons / sizeof crons[0]; i++)
        rc = walor_cron(p, &crons[i]);
    return rc;
}
