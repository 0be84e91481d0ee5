/* broadcast: segmented broadcasts with delivery reports (F-BRD-01,
 * F-BRD-02; README.md). This file registers the parts, the settings and
 * the migration, and holds the helpers they share. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bc.h"

char *bc_num(walor_ctx *c, int64_t n) { return walor_number(c, n, 0); }
char *bc_esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

char *bc_when(walor_ctx *c, int64_t t)
{
    char *s = t > 0 ? walor_time_format(c, t, "%d.%m.%Y %H:%M") : NULL;
    return s ? s : "—";
}

int64_t bc_setting(walor_ctx *c, const char *key, int64_t dflt)
{
    return walor_setting_or(c, walor_ctx_printf(c, "broadcast.%s", key), dflt);
}

int32_t bc_log_action(walor_ctx *c, const char *what)
{
    if (walor_action_log(c, what) < 0)
        walor_log(c, WALOR_LOG_WARN, "broadcast: action log: %s", walor_last_error(c));
    return 0;
}

int32_t bc_msg_get(walor_ctx *c, int64_t id, bc_msg *m)
{
    return walor_db_row(c,
                        "SELECT id, author_id, author_chat, created_at, scheduled_at, started_at, finished_at,"
                        " total, lanes, progress_mid, stopped_by, n_sent, n_blocked, n_failed, n_unknown,"
                        " html, photo, btn_text, btn_url, segment, status, stop_reason"
                        " FROM broadcast_msg WHERE id = ?",
                        WALOR_ARGS(walor_i(id)), "iiiiiiiiiiiiiiizzzzzzz", &m->id, &m->author_id, &m->author_chat,
                        &m->created_at, &m->scheduled_at, &m->started_at, &m->finished_at, &m->total, &m->lanes,
                        &m->progress_mid, &m->stopped_by, &m->n_sent, &m->n_blocked, &m->n_failed, &m->n_unknown,
                        &m->html, &m->photo, &m->btn_text, &m->btn_url, &m->segment, &m->status, &m->stop_reason);
}

int bc_msg_segment(const bc_msg *m, bc_segment *out, const char **why)
{
    json_t *j = json_loads(m->segment, 0, NULL);
    int rc = bc_segment_from_json(j, out, why);
    json_decref(j);
    return rc;
}

int32_t bc_send_one(walor_ctx *c, const bc_msg *m, int64_t chat, uint32_t flags)
{
    walor_kb *kb = NULL;
    if (*m->btn_text && *m->btn_url) {
        kb = walor_kb_new(c);
        walor_kb_url(kb, m->btn_text, m->btn_url);
    }
    int64_t mid = 0;
    if (*m->photo)
        return walor_send_photo(c, chat, m->photo, *m->html ? m->html : NULL, kb, flags, &mid);
    return walor_send(c, chat, m->html, kb, flags, &mid);
}

static const char MIGRATION[] =
    "CREATE TABLE broadcast_msg ("
    " id INTEGER PRIMARY KEY,"
    " author_id INTEGER NOT NULL,"
    " author_chat INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " html TEXT NOT NULL DEFAULT '',"        /* the text, or the photo's caption (Telegram HTML, checked) */
    " photo TEXT NOT NULL DEFAULT '',"       /* a Telegram file_id; '' = a text message */
    " btn_text TEXT NOT NULL DEFAULT '',"
    " btn_url TEXT NOT NULL DEFAULT '',"
    " segment TEXT NOT NULL DEFAULT '{\"kind\":\"all\"}'," /* segment.h's JSON */
    " status TEXT NOT NULL DEFAULT 'draft',"
    " scheduled_at INTEGER NOT NULL DEFAULT 0,"
    " started_at INTEGER NOT NULL DEFAULT 0,"
    " finished_at INTEGER NOT NULL DEFAULT 0,"
    " total INTEGER NOT NULL DEFAULT 0,"
    " lanes INTEGER NOT NULL DEFAULT 1,"
    " progress_mid INTEGER NOT NULL DEFAULT 0," /* the author's message edited as it goes */
    " progress_at INTEGER NOT NULL DEFAULT 0,"
    " stopped_by INTEGER NOT NULL DEFAULT 0,"
    " stop_reason TEXT NOT NULL DEFAULT '',"
    /* the outcomes so far, kept in the same transaction as each recipient's */
    " n_sent INTEGER NOT NULL DEFAULT 0,"
    " n_blocked INTEGER NOT NULL DEFAULT 0,"
    " n_failed INTEGER NOT NULL DEFAULT 0,"
    " n_unknown INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE broadcast_rcpt ("
    " bcast_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " lane INTEGER NOT NULL DEFAULT 0,"
    " state INTEGER NOT NULL DEFAULT 0,"    /* BC_R_* */
    " at INTEGER NOT NULL DEFAULT 0,"
    " error TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (bcast_id, user_id));"
    "CREATE INDEX broadcast_rcpt_next ON broadcast_rcpt(bcast_id, lane, state, user_id);"
    "CREATE TABLE broadcast_lane ("
    " bcast_id INTEGER NOT NULL, lane INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (bcast_id, lane));"
    /* an audience read from the orders service (segment.h), by set id */
    "CREATE TABLE broadcast_set (set_id INTEGER NOT NULL, user_id INTEGER NOT NULL, PRIMARY KEY (set_id, user_id));";

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM broadcast_rcpt WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

static const char HELP[] =
    "<b>📣 Рассылка</b>\n"
    "🛠 Админ-панель → «📣 Рассылка» → «✍️ Новая рассылка»: пришлите текст (можно разметку Telegram: "
    "&lt;b&gt;, &lt;i&gt;, &lt;a href=…&gt;) или фото с подписью, по желанию — кнопку-ссылку. Бот сразу покажет, как "
    "выглядит сообщение, спросит аудиторию (все, с оплаченным заказом, без заказов, новые или неактивные за N "
    "дней, купившие товар или категорию, пришедшие по трекинг-ссылке, тестировщики) и сколько человек её "
    "получит. Отправить можно сразу или запланировать на время.\n"
    "Сообщения уходят с допустимой Telegram скоростью (около 30 в секунду), прогресс обновляется в одном "
    "сообщении, «⏹ Остановить» прекращает отправку. После — отчёт: доставлено, заблокировали бота (им больше "
    "не шлём, пока не напишут боту сами), ошибки; список получателей можно скачать.\n"
    "Если бот перезапустится посреди рассылки, она продолжится с того места: никто не получит её дважды. "
    "Сообщение, которое уходило в момент сбоя, помечается «не подтверждено» и повторно не отправляется.";

static int32_t load(walor_plugin *p)
{
    static const walor_setting_def settings[] = {
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_INT, .key = "lanes",
         .label = "Рассылка: сообщений в пути одновременно", .default_value = "2", .min = 1, .max = BC_LANES_MAX},
        {.struct_size = sizeof(walor_setting_def), .type = WALOR_SET_INT, .key = "progress_s",
         .label = "Рассылка: обновлять прогресс не чаще, секунд", .default_value = "3", .min = 1, .max = 60},
    };
    int32_t rc = walor_migration(p, 1, MIGRATION);
    for (size_t i = 0; !rc && i < sizeof settings / sizeof *settings; i++)
        rc = walor_setting(p, &settings[i]);
    if (!rc) rc = bc_texts_register(p);
    if (!rc) rc = walor_wipe(p, wipe);
    if (!rc) rc = walor_help(p, "📣 Рассылка", HELP, WALOR_ROLE_MANAGER);
    if (!rc) rc = bc_engine_register(p);
    if (!rc) rc = bc_compose_register(p);
    if (!rc) rc = bc_report_register(p);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "broadcast", .version = "0.1.0",
                    .description = "Рассылки по сегментам с отчётом о доставке", .min_host_minor = 3, .load = load)
