/* crm: tracking links (F-CRM-08): t.me/<bot>?start=link_<code> for an ad
 * campaign ("Реклама ВК", link_BK).
 *
 * A click is every /start link_<code> (the deep link's update id makes a
 * re-run of the same update count once). The host stores what followed
 * the first /start of a new user (walor_users.start_payload), so "came
 * with this link" — new users, and the orders and revenue they brought —
 * is the host's record, not ours. A code is unique in any case (BK = bk);
 * archiving only hides a link from the list: its clicks still count. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qr.h" /* pay_ecom_pure */
#include "crm.h"

#define LIST_PAGE 8
#define CODE_MAX 32
#define TITLE_MAX 64
#define PER_USER_MAX 500 /* new users counted one by one below this, by a pass over all customers above */

const char crm_links_migration[] =
    "CREATE TABLE crm_link ("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL,"            /* as created: BK */
    " code_lc TEXT NOT NULL UNIQUE,"  /* lower case: the deep link matches in any case */
    " title TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " created_by INTEGER NOT NULL,"
    " archived INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE crm_click ("
    " update_id INTEGER PRIMARY KEY," /* the /start that clicked: a re-run counts once */
    " link_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " at INTEGER NOT NULL);"
    "CREATE INDEX crm_click_link ON crm_click(link_id, user_id);";

static int code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > CODE_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static const char *lower(walor_ctx *c, const char *s)
{
    char *o = walor_ctx_printf(c, "%s", s);
    for (char *p = o; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return o;
}

int32_t crm_link_of(walor_ctx *c, const char *start_payload, const char **title, const char **code)
{
    *title = *code = "";
    if (!start_payload || strncmp(start_payload, "link_", 5) != 0 || !code_ok(start_payload + 5))
        return 0;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT title, code FROM crm_link WHERE code_lc = ?",
                                WALOR_ARGS(walor_s(lower(c, start_payload + 5))), &r);
    if (rc < 0)
        return rc;
    if (walor_row_next(r) == 1) {
        *title = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
        *code = walor_ctx_printf(c, "%s", walor_col_text(r, 1));
    }
    walor_rows_close(r);
    return 0;
}

static const char *deep_link(walor_ctx *c, const char *code)
{
    const char *bot = walor_bot_username(c);
    return walor_ctx_printf(c, "https://t.me/%s?start=link_%s", bot ? bot : "<бот>", code);
}

/* ---- the click ---- */

static int32_t on_start(walor_ctx *c, const char *arg)
{
    if (code_ok(arg)) {
        int64_t link = 0;
        if (walor_db_int(c, "SELECT id FROM crm_link WHERE code_lc = ?", WALOR_ARGS(walor_s(lower(c, arg))), &link) ==
            0) {
            json_t *u = walor_ctx_update(c);
            int64_t upd = u ? (int64_t)json_integer_value(json_object_get(u, "update_id")) : 0;
            int32_t rc = walor_db_exec(c,
                                       "INSERT INTO crm_click(update_id, link_id, user_id, at) VALUES (?, ?, ?, ?) "
                                       "ON CONFLICT(update_id) DO NOTHING",
                                       WALOR_ARGS(walor_i(upd), walor_i(link), walor_i(walor_ctx_user_id(c)),
                                                  walor_i(walor_now(c))));
            if (rc < 0)
                return rc;
        }
    }
    /* whatever the code, the person came to the shop */
    return walor_show_main_menu(c);
}

/* ---- figures of one link ---- */

typedef struct link_stats {
    int64_t clicks, unique, fresh, sales, revenue;
    int64_t *ids;               /* the new users, ascending */
    uint32_t n;
} link_stats;

static int32_t on_customer(void *ud, const walor_order_client *cl)
{
    link_stats *s = ud;
    /* both ascending: a binary search is enough */
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->ids[mid] < cl->user_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n && s->ids[lo] == cl->user_id) {
        s->sales += cl->sales;
        s->revenue += cl->sales_total;
    }
    return 0;
}

static int32_t stats_of(walor_ctx *c, int64_t id, const char *code, link_stats *s)
{
    memset(s, 0, sizeof *s);
    walor_db_int(c, "SELECT count(*) FROM crm_click WHERE link_id = ?", WALOR_ARGS(walor_i(id)), &s->clicks);
    walor_db_int(c, "SELECT count(DISTINCT user_id) FROM crm_click WHERE link_id = ?", WALOR_ARGS(walor_i(id)),
                 &s->unique);
    const char *payload = walor_ctx_printf(c, "link_%s", lower(c, code));
    walor_db_int(c, "SELECT count(*) FROM walor_users WHERE lower(start_payload) = ?", WALOR_ARGS(walor_s(payload)),
                 &s->fresh);
    const walor_orders_v1 *o = crm_orders(c);
    if (!o || s->fresh == 0)
        return 0;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT id FROM walor_users WHERE lower(start_payload) = ? ORDER BY id",
                                WALOR_ARGS(walor_s(payload)), &r);
    if (rc < 0)
        return rc;
    s->ids = malloc((size_t)s->fresh * sizeof *s->ids);
    while (s->ids && s->n < s->fresh && walor_row_next(r) == 1)
        s->ids[s->n++] = walor_col_int(r, 0);
    walor_rows_close(r);
    if (!s->ids)
        return WALOR_ENOMEM;
    if (s->n <= PER_USER_MAX) {
        for (uint32_t i = 0; i < s->n && rc >= 0; i++) {
            walor_order_client cl = {.struct_size = sizeof cl};
            if ((rc = o->client(c, s->ids[i], &cl)) >= 0) {
                s->sales += cl.sales;
                s->revenue += cl.sales_total;
            }
        }
    } else {
        rc = o->clients(c, 0, 0, on_customer, s);
    }
    free(s->ids);
    s->ids = NULL;
    return rc < 0 ? rc : 0;
}

/* ---- screens ---- */

static const char *list_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    int64_t id = walor_col_int(r, 0);
    walor_kb_button(kb, walor_ctx_printf(c, "🔗 %s", walor_col_text(r, 2)),
                    walor_ctx_printf(c, "crm:lc:%lld", (long long)id));
    return walor_textf(c, "crm.links.row", "title", crm_esc(c, walor_col_text(r, 2)), "code",
                       crm_esc(c, walor_col_text(r, 1)), "clicks", crm_num(c, walor_col_int(r, 3)), "unique",
                       crm_num(c, walor_col_int(r, 4)), NULL);
}

int32_t crm_links_list(walor_ctx *c, int32_t archived, const char *page)
{
    walor_kb *kb = walor_kb_new(c);
    if (!archived && walor_ctx_role(c) >= WALOR_ROLE_OWNER)
        walor_kb_button(kb, walor_text(c, "crm.links.btn_new"), "crm:ln");
    walor_kb_button(kb, walor_text(c, archived ? "crm.links.btn_active" : "crm.links.btn_archive"),
                    archived ? "crm:l" : "crm:la");
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "crm.btn.back"), "crm:home");
    const walor_val args[] = {walor_i(archived)};
    walor_list_def l = {.struct_size = sizeof l, .page_size = LIST_PAGE,
                        .sql = "SELECT k.id, k.code, k.title,"
                               " (SELECT count(*) FROM crm_click x WHERE x.link_id = k.id),"
                               " (SELECT count(DISTINCT user_id) FROM crm_click x WHERE x.link_id = k.id)"
                               " FROM crm_link k WHERE k.archived = ? ORDER BY k.id DESC",
                        .args = args, .nargs = 1, .row = list_row,
                        .page_data = archived ? "crm:lpa:" : "crm:lp:",
                        .header = walor_text(c, archived ? "crm.links.head_archive" : "crm.links.head"),
                        .empty = walor_text(c, archived ? "crm.links.none_archive" : "crm.links.none"),
                        .buttons = kb};
    return walor_list_show(c, &l, page);
}

static int32_t link_card(walor_ctx *c, int64_t id)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT code, title, created_at, archived FROM crm_link WHERE id = ?",
                                WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    if (walor_row_next(r) != 1) {
        walor_rows_close(r);
        if (walor_in_callback(c))
            walor_alert(c, walor_text(c, "crm.links.gone"));
        return crm_links_list(c, 0, NULL);
    }
    const char *code = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
    const char *title = walor_ctx_printf(c, "%s", walor_col_text(r, 1));
    int64_t created = walor_col_int(r, 2), archived = walor_col_int(r, 3);
    walor_rows_close(r);
    link_stats s;
    if ((rc = stats_of(c, id, code, &s)) < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "crm.links.btn_qr"), walor_ctx_printf(c, "crm:lq:%lld", (long long)id));
    if (walor_ctx_role(c) >= WALOR_ROLE_OWNER)
        walor_kb_button(kb, walor_text(c, archived ? "crm.links.btn_unarchive" : "crm.links.btn_to_archive"),
                        walor_ctx_printf(c, "crm:lx:%lld", (long long)id));
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "crm.btn.back"), archived ? "crm:la" : "crm:l");
    return walor_show(c,
                      walor_textf(c, "crm.links.card", "title", crm_esc(c, title), "url",
                                  crm_esc(c, deep_link(c, code)), "date", crm_date(c, created), "state",
                                  walor_text(c, archived ? "crm.links.archived" : "crm.links.active"), "clicks",
                                  crm_num(c, s.clicks), "unique", crm_num(c, s.unique), "fresh", crm_num(c, s.fresh),
                                  "sales", crm_num(c, s.sales), "revenue", walor_money(c, s.revenue), NULL),
                      kb);
}

static int32_t send_qr(walor_ctx *c, int64_t id)
{
    const char *code = NULL;
    walor_rows *r = NULL;
    if (walor_db_query(c, "SELECT code FROM crm_link WHERE id = ?", WALOR_ARGS(walor_i(id)), &r) == 0) {
        if (walor_row_next(r) == 1)
            code = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
        walor_rows_close(r);
    }
    if (!code)
        return link_card(c, id);
    if (!walor_bot_username(c))
        return walor_alert(c, walor_text(c, "crm.links.no_bot"));
    const char *url = deep_link(c, code);
    char *path = NULL;
    const char *tmp = getenv("TMPDIR");
    /* the same QR drawing as the payment QR (pay-ecom/qr.c) */
    if (pay_qr_png(url, tmp && *tmp ? tmp : "/tmp", 10, &path) != 0)
        return walor_alert(c, walor_text(c, "crm.links.qr_failed"));
    int32_t rc = walor_send_photo(c, walor_ctx_chat_id(c), walor_ctx_printf(c, "file:%s", path),
                                  walor_textf(c, "crm.links.qr_caption", "url", crm_esc(c, url), NULL), NULL, 0, NULL);
    unlink(path);
    free(path);
    if (rc == 0)
        walor_answer(c, NULL);
    return rc;
}

static int32_t toggle_archive(walor_ctx *c, int64_t id)
{
    if (walor_ctx_role(c) < WALOR_ROLE_OWNER)
        return walor_alert(c, walor_text(c, "crm.links.owner_only"));
    int32_t rc = walor_db_exec(c, "UPDATE crm_link SET archived = 1 - archived WHERE id = ?", WALOR_ARGS(walor_i(id)));
    if (rc < 0)
        return rc;
    if (rc > 0) {
        int64_t a = 0;
        walor_db_int(c, "SELECT archived FROM crm_link WHERE id = ?", WALOR_ARGS(walor_i(id)), &a);
        crm_log_action(c, walor_ctx_printf(c, a ? "убрал трекинг-ссылку %lld в архив" : "вернул трекинг-ссылку %lld "
                                                                                       "из архива",
                                           (long long)id));
    }
    return link_card(c, id);
}

/* "l", "la", "lp:<n>", "lpa:<n>", "ln", "lc:<id>", "lq:<id>", "lx:<id>" */
int32_t crm_links_cb(walor_ctx *c, const char *arg)
{
    int64_t id = 0;
    if (!strcmp(arg, "l"))
        return crm_links_list(c, 0, NULL);
    if (!strcmp(arg, "la"))
        return crm_links_list(c, 1, NULL);
    if (!strncmp(arg, "lp:", 3))
        return crm_links_list(c, 0, arg + 3);
    if (!strncmp(arg, "lpa:", 4))
        return crm_links_list(c, 1, arg + 4);
    if (!strcmp(arg, "ln"))
        return walor_ctx_role(c) >= WALOR_ROLE_OWNER ? walor_conv_start(c, "crm_link", NULL, NULL)
                                                     : walor_alert(c, walor_text(c, "crm.links.owner_only"));
    if (strlen(arg) > 3 && arg[2] == ':' && walor_parse_id_to(arg + 3, ':', &id) == 0) {
        if (!strncmp(arg, "lc", 2))
            return link_card(c, id);
        if (!strncmp(arg, "lq", 2))
            return send_qr(c, id);
        if (!strncmp(arg, "lx", 2))
            return toggle_archive(c, id);
    }
    walor_answer(c, walor_text(c, "crm.stale"));
    return crm_links_list(c, 0, NULL);
}

/* ---- a new link: code and title ---- */

static int32_t check_code(walor_ctx *c, json_t *value, const char **why)
{
    const char *code = json_string_value(value);
    if (!code || !code_ok(code)) {
        *why = "crm.links.bad_code";
        return WALOR_EINVAL;
    }
    int64_t id = 0;
    if (walor_db_int(c, "SELECT id FROM crm_link WHERE code_lc = ?", WALOR_ARGS(walor_s(lower(c, code))), &id) == 0) {
        *why = "crm.links.code_taken";
        return WALOR_EINVAL;
    }
    return 0;
}

static int32_t link_done(walor_ctx *c, json_t *d)
{
    const char *code = crm_jstr(d, "code"), *title = crm_jstr(d, "title");
    int64_t id = 0;
    /* taken between the step and now (another manager): the code again */
    if (walor_db_int(c, "SELECT id FROM crm_link WHERE code_lc = ?", WALOR_ARGS(walor_s(lower(c, code))), &id) == 0)
        return walor_form_retry(c, "code", "crm.links.code_taken");
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "INSERT INTO crm_link(code, code_lc, title, created_at, created_by) VALUES (?, ?, ?, ?, ?) "
                                "RETURNING id",
                                WALOR_ARGS(walor_s(code), walor_s(lower(c, code)), walor_s(title),
                                           walor_i(walor_now(c)), walor_i(walor_ctx_user_id(c))),
                                &r);
    if (rc < 0)
        return rc;
    if (walor_row_next(r) == 1)
        id = walor_col_int(r, 0);
    walor_rows_close(r);
    crm_log_action(c, walor_ctx_printf(c, "создал трекинг-ссылку link_%s (%s)", code, title));
    return link_card(c, id);
}

static int32_t link_cancel(walor_ctx *c) { return crm_links_list(c, 0, NULL); }

int32_t crm_links_svc(walor_ctx *c, int32_t include_archived, walor_crm_link **out, uint32_t *n)
{
    if (!out || !n)
        return WALOR_EINVAL;
    *out = NULL;
    *n = 0;
    int64_t total = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM crm_link WHERE archived = 0 OR ? = 1",
                              WALOR_ARGS(walor_i(include_archived ? 1 : 0)), &total);
    if (rc < 0 || total == 0)
        return rc < 0 ? rc : 0;
    walor_crm_link *v = walor_ctx_alloc(c, (size_t)total * sizeof *v);
    walor_rows *r = NULL;
    if (!v)
        return WALOR_ENOMEM;
    rc = walor_db_query(c, "SELECT id, code, title, archived FROM crm_link WHERE archived = 0 OR ? = 1 ORDER BY id DESC",
                        WALOR_ARGS(walor_i(include_archived ? 1 : 0)), &r);
    if (rc < 0)
        return rc;
    while (*n < total && walor_row_next(r) == 1) {
        walor_crm_link *k = &v[(*n)++];
        k->struct_size = sizeof *k;
        k->id = walor_col_int(r, 0);
        k->code = walor_ctx_printf(c, "%s", walor_col_text(r, 1));
        k->title = walor_ctx_printf(c, "%s", walor_col_text(r, 2));
        k->archived = (int32_t)walor_col_int(r, 3);
    }
    walor_rows_close(r);
    if (*n)
        *out = v;
    return 0;
}

int32_t crm_links_register(walor_plugin *p)
{
    static const walor_step_def steps[] = {
        {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "code", .prompt = "crm.links.ask_code",
         .label = "crm.links.label_code", .min = 1, .max = CODE_MAX, .validate = check_code},
        {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "title",
         .prompt = "crm.links.ask_title", .label = "crm.links.label_title", .min = 1, .max = TITLE_MAX},
    };
    static const walor_form_def form = {.struct_size = sizeof form, .min_role = WALOR_ROLE_OWNER, .name = "crm_link",
                                        .steps = steps, .nsteps = 2, .timeout_s = 1800,
                                        .summary = "crm.links.summary", .on_done = link_done,
                                        .on_cancel = link_cancel};
    static const walor_deeplink_def dl = {.struct_size = sizeof dl, .min_role = WALOR_ROLE_CLIENT, .prefix = "link_",
                                          .handler = on_start};
    int32_t rc = walor_form(p, &form);
    if (!rc) rc = walor_deeplink(p, &dl);
    return rc;
}
