/* broadcast: the section "📣 Рассылка", the list of broadcasts, a
 * broadcast's card (its progress or report, F-BRD-02), "⏹ Остановить" and
 * the recipients as a downloadable file. Prefix "bc" is for staff
 * (MANAGER): the host refuses anyone else before this runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bc.h"

#define LIST_PAGE 8

int32_t bc_section(walor_ctx *c)
{
    int64_t done = 0, running = 0, planned = 0;
    walor_db_int(c, "SELECT count(*) FROM broadcast_msg WHERE status IN ('done', 'stopped')", NULL, 0, &done);
    walor_db_int(c, "SELECT count(*) FROM broadcast_msg WHERE status = 'sending'", NULL, 0, &running);
    walor_db_int(c, "SELECT count(*) FROM broadcast_msg WHERE status = 'scheduled'", NULL, 0, &planned);
    static const walor_text_pair KB[] = {
        {"broadcast.btn.new", "bc:new"}, {"broadcast.btn.list", "bc:list"}, {NULL, NULL},
        {"broadcast.btn.admin", "m:core.admin"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    return walor_show(c,
                      walor_textf(c, "broadcast.section", "done", bc_num(c, done), "running", bc_num(c, running),
                                  "planned", bc_num(c, planned), NULL),
                      kb);
}

static const char *list_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    int64_t id = walor_col_int(r, 0);
    const char *status = walor_col_text(r, 1);
    int64_t at = walor_col_int(r, 2) ? walor_col_int(r, 2) : walor_col_int(r, 3);
    walor_kb_button(kb, walor_ctx_printf(c, "№%lld", (long long)id), walor_ctx_printf(c, "bc:card:%lld", (long long)id));
    return walor_textf(c, "broadcast.list.row", "id", bc_num(c, id), "when", bc_when(c, at), "status",
                       walor_text(c, walor_ctx_printf(c, "broadcast.status.%s", status ? status : "")), "sent",
                       bc_num(c, walor_col_int(r, 4)), "total", bc_num(c, walor_col_int(r, 5)), NULL);
}

static int32_t list(walor_ctx *c, const char *page)
{
    static const walor_text_pair KB[] = {{"broadcast.btn.new", "bc:new"}, {"broadcast.btn.back", "bc:home"}};
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    walor_list_def l = {.struct_size = sizeof l, .page_size = LIST_PAGE,
                        .sql = "SELECT id, status, started_at, scheduled_at, n_sent, total FROM broadcast_msg "
                               "WHERE status <> 'draft' ORDER BY id DESC",
                        .row = list_row, .page_data = "bc:lp:", .header = walor_text(c, "broadcast.list.head"),
                        .empty = walor_text(c, "broadcast.list.none"), .buttons = kb};
    return walor_list_show(c, &l, page);
}

int32_t bc_card(walor_ctx *c, int64_t id)
{
    bc_msg m;
    int32_t rc = bc_msg_get(c, id, &m);
    if (rc == WALOR_ENOTFOUND || (rc == 0 && !strcmp(m.status, BC_DRAFT))) {
        if (walor_in_callback(c))
            walor_alert(c, walor_text(c, "broadcast.gone"));
        return list(c, NULL);
    }
    if (rc < 0)
        return rc;
    walor_kb *kb = bc_status_kb(c, &m);
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "broadcast.btn.back"), "bc:list");
    bc_segment s;
    const char *why = NULL;
    const char *aud = bc_msg_segment(&m, &s, &why) == 0 ? bc_segment_label(c, &s) : "—";
    return walor_show(c,
                      walor_ctx_printf(c, "%s\n%s", bc_status_text(c, &m),
                                       walor_textf(c, "broadcast.card.audience", "segment", aud, NULL)),
                      kb);
}

/* ---- the recipients as a file ---- */

typedef struct buf {
    char *p;
    size_t n, cap;
    int failed;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *m = realloc(b->p, cap);
        if (!m) {
            b->failed = 1;
            return;
        }
        b->p = m;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void put_s(buf *b, const char *s) { put(b, s, strlen(s)); }

/* a text field, quoted for Excel's CSV: "…" with "" for a quote */
static void put_q(buf *b, const char *s)
{
    put_s(b, "\"");
    for (const char *q; s && (q = strchr(s, '"')); s = q + 1) {
        put(b, s, (size_t)(q - s));
        put_s(b, "\"\"");
    }
    if (s)
        put_s(b, s);
    put_s(b, "\"");
}

static int32_t send_csv(walor_ctx *c, int64_t id)
{
    bc_msg m;
    if (bc_msg_get(c, id, &m) < 0)
        return bc_card(c, id);
    static const char *const STATE[] = {"не отправлено", "не подтверждено", "доставлено", "заблокировал бота",
                                        "ошибка", "не подтверждено"};
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT r.user_id, u.username, u.first_name, u.last_name, r.state, r.at, r.error "
                                "FROM broadcast_rcpt r LEFT JOIN walor_users u ON u.id = r.user_id "
                                "WHERE r.bcast_id = ? ORDER BY r.user_id",
                                WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    buf b = {0};
    put_s(&b, "\xEF\xBB\xBF" "ID;Username;Имя;Статус;Время;Ошибка\r\n"); /* BOM: Excel reads it as UTF-8 */
    char line[64];
    while (!b.failed && walor_row_next(r) == 1) {
        snprintf(line, sizeof line, "%lld;", (long long)walor_col_int(r, 0));
        put_s(&b, line);
        put_q(&b, walor_col_text(r, 1));
        put_s(&b, ";");
        const char *first = walor_col_text(r, 2), *last = walor_col_text(r, 3);
        char name[512];
        snprintf(name, sizeof name, "%s%s%s", first ? first : "", last && *last ? " " : "", last ? last : "");
        put_q(&b, name);
        int64_t st = walor_col_int(r, 4);
        put_s(&b, ";");
        put_s(&b, STATE[st >= 0 && st <= BC_R_UNKNOWN ? st : 0]);
        put_s(&b, ";");
        put_s(&b, walor_col_int(r, 5) ? bc_when(c, walor_col_int(r, 5)) : "");
        put_s(&b, ";");
        put_q(&b, walor_col_text(r, 6));
        put_s(&b, "\r\n");
    }
    walor_rows_close(r);
    if (b.failed) {
        free(b.p);
        return WALOR_ENOMEM;
    }
    rc = walor_send_document(c, walor_ctx_chat_id(c), walor_ctx_printf(c, "broadcast-%lld.csv", (long long)id), b.p,
                             b.n, walor_textf(c, "broadcast.csv.caption", "id", bc_num(c, id), NULL), 0);
    free(b.p);
    if (rc == 0)
        walor_answer(c, NULL);
    return rc;
}

/* "home", "new", "list", "lp:<n>", "card:<id>", "stop:<id>", "csv:<id>", "resend:<id>" */
static int32_t on_cb(walor_ctx *c, const char *arg)
{
    int64_t id = 0;
    if (!strcmp(arg, "home"))
        return bc_section(c);
    if (!strcmp(arg, "new"))
        return bc_compose_start(c);
    if (!strcmp(arg, "list"))
        return list(c, NULL);
    if (!strncmp(arg, "lp:", 3))
        return list(c, arg + 3);
    if (!strncmp(arg, "card:", 5) && walor_parse_id_to(arg + 5, ':', &id) == 0)
        return bc_card(c, id);
    if (!strncmp(arg, "csv:", 4) && walor_parse_id_to(arg + 4, ':', &id) == 0)
        return send_csv(c, id);
    if (!strncmp(arg, "resend:", 7) && walor_parse_id_to(arg + 7, ':', &id) == 0) {
        int32_t rc = bc_resend_unknown(c, id);
        if (rc < 0)
            return rc;
        return rc == 1 ? walor_alert(c, walor_text(c, "broadcast.nothing_to_resend"))
                       : walor_answer(c, walor_text(c, "broadcast.resending"));
    }
    if (!strncmp(arg, "stop:", 5) && walor_parse_id_to(arg + 5, ':', &id) == 0) {
        int32_t rc = bc_stop(c, id);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return walor_alert(c, walor_text(c, "broadcast.already_over"));
        return walor_answer(c, walor_text(c, "broadcast.stopped"));
    }
    walor_answer(c, walor_text(c, "broadcast.stale"));
    return bc_section(c);
}

int32_t bc_report_register(walor_plugin *p)
{
    static const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER,
                                        .where = WALOR_MENU_ADMIN, .order = 300, .id = "broadcast",
                                        .label = "📣 Рассылка", .on_press = bc_section,
                                        .group = WALOR_MENU_GROUP_CLIENTS};
    static const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "bc",
                                          .handler = on_cb};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    return rc;
}
