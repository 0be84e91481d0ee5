/* backup-gdrive: the owners' section "💾 Бэкапы" of the admin panel
 * (F-BAK-03): the last backup and the next one, the last error, "make a
 * backup now", the paged history (time, size, where it went, checksum,
 * outcome) with a download of every archive still kept, and a download of
 * the live database as a consistent copy.
 *
 * Everything that takes longer than a database read runs as a one-shot
 * job (bk_job_*), never in the button handler: the button answers at once
 * ("готовлю…") and the file follows. Owners only — a backup is the whole
 * shop, customers' names and phones included; the host checks the role of
 * prefix "bkp" at every press. */
#include <string.h>

#include "bk.h"

#define PAGE 5

static const char *state_icon(walor_ctx *c, const char *state)
{
    return bk_t(c, !strcmp(state, "ok")        ? "backup-gdrive.st.ok"
                   : !strcmp(state, "failed")  ? "backup-gdrive.st.failed"
                   : !strcmp(state, "running") ? "backup-gdrive.st.running"
                                               : "backup-gdrive.st.queued");
}

/* where one backup went: "📨 Telegram · ☁️ Google Диск" */
static const char *where(walor_ctx *c, const char *tg, const char *drive, int64_t local)
{
    const char *t = !tg                      ? ""
                    : !strcmp(tg, "sent")    ? bk_t(c, "backup-gdrive.tg.sent")
                    : !strcmp(tg, "too_big") ? bk_t(c, "backup-gdrive.tg.too_big")
                    : !strcmp(tg, "failed")  ? bk_t(c, "backup-gdrive.tg.failed")
                                             : "";
    const char *d = !drive || !strcmp(drive, "off") ? ""
                    : !strcmp(drive, "ok")          ? bk_t(c, "backup-gdrive.gd.ok")
                    : !strcmp(drive, "failed")      ? bk_t(c, "backup-gdrive.gd.failed")
                    : !strcmp(drive, "deleted")     ? bk_t(c, "backup-gdrive.gd.deleted")
                                                    : bk_t(c, "backup-gdrive.gd.pending");
    const char *l = local ? bk_t(c, "backup-gdrive.local") : "";
    const char *parts[] = {l, t, d};
    const char *out = "";
    for (size_t i = 0; i < 3; i++)
        if (*parts[i])
            out = *out ? walor_ctx_printf(c, "%s · %s", out, parts[i]) : parts[i];
    return *out ? out : "—";
}

static const char *last_line(walor_ctx *c)
{
    walor_rows *r = NULL;
    const char *out = bk_t(c, "backup-gdrive.adm.none");
    if (walor_db_query(c,
                       "SELECT id, state, started_at, bytes, telegram, drive, local FROM backup_gdrive_run "
                       "WHERE state IN ('ok', 'failed') ORDER BY id DESC LIMIT 1",
                       NULL, 0, &r) == 0 &&
        walor_row_next(r) == 1)
        out = walor_textf(c, "backup-gdrive.adm.last", "state", state_icon(c, walor_col_text(r, 1)), "id",
                          bk_num(c, walor_col_int(r, 0)), "when", bk_when(c, walor_col_int(r, 2)), "size",
                          walor_col_int(r, 3) ? bk_size(c, walor_col_int(r, 3)) : "—", "where",
                          where(c, walor_col_text(r, 4), walor_col_text(r, 5), walor_col_int(r, 6)), NULL);
    walor_rows_close(r);
    return out;
}

/* the newest failure of a backup or an upload, if the latest attempt failed */
static const char *last_error(walor_ctx *c)
{
    walor_rows *r = NULL;
    const char *out = "";
    if (walor_db_query(c,
                       "SELECT id, state, error, drive, drive_error, finished_at FROM backup_gdrive_run "
                       "WHERE state IN ('ok', 'failed') ORDER BY id DESC LIMIT 1",
                       NULL, 0, &r) == 0 &&
        walor_row_next(r) == 1) {
        const char *state = walor_col_text(r, 1), *drive = walor_col_text(r, 3);
        const char *err = !strcmp(state, "failed")                                       ? walor_col_text(r, 2)
                          : drive && !strcmp(drive, "failed")                            ? walor_col_text(r, 4)
                          : drive && !strcmp(drive, "uploading") && walor_col_text(r, 4) ? walor_col_text(r, 4)
                                                                                         : NULL;
        if (err)
            out = walor_textf(c, "backup-gdrive.adm.error", "id", bk_num(c, walor_col_int(r, 0)), "why",
                              walor_html_escape(c, err), NULL);
    }
    walor_rows_close(r);
    return out;
}

static const char *busy_line(walor_ctx *c)
{
    int64_t id = 0;
    if (walor_db_int(c, "SELECT id FROM backup_gdrive_run WHERE state IN ('queued', 'running') ORDER BY id LIMIT 1",
                     NULL, 0, &id) != 0)
        return "";
    return walor_textf(c, "backup-gdrive.adm.busy", "id", bk_num(c, id), NULL);
}

static int32_t section(walor_ctx *c)
{
    const char *daily = bk_cfg.hour < 0
                            ? bk_t(c, "backup-gdrive.adm.daily_off")
                            : walor_textf(c, "backup-gdrive.adm.daily", "time",
                                          walor_ctx_printf(c, "%02d:%02d", bk_cfg.hour, bk_cfg.minute), NULL);
    const char *drive = bk_cfg.drive == BK_DRIVE_SA      ? bk_t(c, "backup-gdrive.adm.drive_sa")
                        : bk_cfg.drive == BK_DRIVE_OAUTH ? bk_t(c, "backup-gdrive.adm.drive_oauth")
                                                         : bk_t(c, "backup-gdrive.adm.drive_off");
    const char *html =
        walor_textf(c, "backup-gdrive.adm.title", "last", last_line(c), "daily", daily, "drive", drive, "tg",
                    bk_t(c, bk_setting(c, "telegram", 1) ? "backup-gdrive.adm.tg_on" : "backup-gdrive.adm.tg_off"),
                    "lock", bk_t(c, bk_cfg.passphrase ? "backup-gdrive.adm.enc_on" : "backup-gdrive.adm.enc_off"),
                    "keep", bk_num(c, bk_cfg.keep_local), "busy", busy_line(c), "error", last_error(c), NULL);
    static const walor_text_pair KB[] = {
        {"backup-gdrive.btn.now", "bkp:now"},     {NULL, NULL},
        {"backup-gdrive.btn.history", "bkp:h:1"}, {"backup-gdrive.btn.db", "bkp:db"}, {NULL, NULL},
        {"backup-gdrive.btn.admin", "m:core.admin"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    return walor_show(c, html, kb);
}

static const char *history_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    int64_t id = walor_col_int(r, 0), bytes = walor_col_int(r, 4), local = walor_col_int(r, 9);
    const char *state = walor_col_text(r, 1), *drive = walor_col_text(r, 6), *sha = walor_col_text(r, 7);
    int64_t at = walor_col_int(r, 3) ? walor_col_int(r, 3) : walor_col_int(r, 2);
    if (!strcmp(state, "ok") && (local || (drive && !strcmp(drive, "ok") && bk_cfg.drive)))
        walor_kb_button(kb, walor_textf(c, "backup-gdrive.btn.get", "id", bk_num(c, id), NULL),
                        walor_ctx_printf(c, "bkp:g:%lld", (long long)id));
    const char *err = walor_col_text(r, 8);
    return walor_textf(
        c, "backup-gdrive.adm.row", "state", state_icon(c, state), "id", bk_num(c, id), "when", bk_when(c, at), "why",
        bk_t(c, !strcmp(walor_col_text(r, 12), "daily") ? "backup-gdrive.why.daily" : "backup-gdrive.why.manual"),
        "size", bytes ? bk_size(c, bytes) : "—", "where",
        !strcmp(state, "ok") ? where(c, walor_col_text(r, 5), drive, local) : "—", "sha",
        sha ? walor_ctx_printf(c, "%.16s", sha) : "—", "lock", walor_col_int(r, 11) ? " 🔒" : "", "error",
        err ? walor_textf(c, "backup-gdrive.adm.row_error", "why", walor_html_escape(c, err), NULL) : "", NULL);
}

static int32_t history(walor_ctx *c, const char *page)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, bk_t(c, "backup-gdrive.btn.back"), "bkp:s");
    walor_list_def l = {.struct_size = sizeof l,
                        .page_size = PAGE,
                        .sql =
                            "SELECT id, state, queued_at, started_at, bytes, telegram, drive, sha256, error, local, "
                            "drive_id, encrypted, reason FROM backup_gdrive_run ORDER BY id DESC",
                        .row = history_row,
                        .page_data = "bkp:h:",
                        .header = bk_t(c, "backup-gdrive.adm.history"),
                        .empty = bk_t(c, "backup-gdrive.adm.history_none"),
                        .buttons = kb,
                        .prev_label = "backup-gdrive.btn.newer",
                        .next_label = "backup-gdrive.btn.older"};
    return walor_list_show(c, &l, page);
}

/* a job that sends a file to the owner who pressed (key per owner: a second
 * press replaces the first while it waits) */
static int32_t queue_send(walor_ctx *c, const char *job, int64_t id)
{
    int64_t to = walor_ctx_user_id(c);
    json_t *pl = json_pack("{s:I, s:I}", "id", (json_int_t)id, "to", (json_int_t)to);
    int32_t rc = walor_job_at(c, walor_now(c), job, walor_ctx_printf(c, "%s:%lld", job, (long long)to), pl);
    json_decref(pl);
    return rc;
}

static int32_t on_press(walor_ctx *c, const char *arg)
{
    int64_t id = 0;
    if (!strcmp(arg, "now")) {
        int32_t rc = bk_request(c, "manual", walor_ctx_user_id(c), &id);
        if (rc == WALOR_EBUSY) {
            walor_alert(c, walor_textf(c, "backup-gdrive.adm.already", "id", bk_num(c, id), NULL));
            return section(c);
        }
        if (rc < 0)
            return rc;
        walor_action_log(c, walor_ctx_printf(c, "запустил бэкап №%lld", (long long)id));
        walor_answer(c, walor_textf(c, "backup-gdrive.adm.started", "id", bk_num(c, id), NULL));
        return section(c);
    }
    if (!strncmp(arg, "h:", 2))
        return history(c, arg + 2);
    if (!strncmp(arg, "g:", 2)) {
        if (walor_parse_id(arg + 2, &id) != 0 ||
            walor_db_int(c, "SELECT id FROM backup_gdrive_run WHERE id = ? AND state = 'ok'", WALOR_ARGS(walor_i(id)),
                         &id) != 0) {
            walor_alert(c, bk_t(c, "backup-gdrive.get.gone"));
            return history(c, NULL);
        }
        int32_t rc = queue_send(c, "send", id);
        if (rc < 0)
            return rc;
        walor_action_log(c, walor_ctx_printf(c, "скачал бэкап №%lld", (long long)id));
        return walor_answer(c, walor_textf(c, "backup-gdrive.adm.preparing", "id", bk_num(c, id), NULL));
    }
    if (!strcmp(arg, "db")) {
        int32_t rc = queue_send(c, "send_db", 0);
        if (rc < 0)
            return rc;
        walor_action_log(c, "скачал текущую базу данных");
        return walor_answer(c, bk_t(c, "backup-gdrive.adm.preparing_db"));
    }
    return section(c);
}

int32_t bk_admin_register(walor_plugin *p)
{
    const walor_callback_def cb = {
        .struct_size = sizeof cb, .min_role = WALOR_ROLE_OWNER, .prefix = "bkp", .handler = on_press};
    const walor_menu_def btn = {.struct_size = sizeof btn,
                                .min_role = WALOR_ROLE_OWNER,
                                .where = WALOR_MENU_ADMIN,
                                .order = 900,
                                .id = "backups",
                                .label = "💾 Бэкапы",
                                .on_press = section,
                                .group = WALOR_MENU_GROUP_SYSTEM};
    int32_t rc = walor_callback(p, &cb);
    if (!rc)
        rc = walor_menu(p, &btn);
    return rc;
}
