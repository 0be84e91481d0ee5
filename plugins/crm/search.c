/* crm: client search (F-CRM-02). A form of one step asks for the query;
 * norm.c tells @username, a number (a Telegram ID or a piece of a phone in
 * any notation) and a piece of a name (any case, ё = е) apart; the results
 * are a paged list whose rows open the card. The query of each staff member
 * is kept (crm_lastq) so the pages and the card's "⬅️ Назад" find it. */
#include <string.h>

#include "crm.h"

#define PAGE 8

/* the WHERE of a query, its binds into args (at most 6): 0, or -1 when it
 * cannot match anything (a number too short for a phone that is no ID) */
static int where_of(const crm_query *q, const char **where, walor_val *args, uint32_t *n)
{
    *n = 0;
    switch (q->kind) {
    case CRM_Q_USERNAME:
        *where = "instr(c.name_fold, ?) > 0";
        args[(*n)++] = walor_s(q->text);
        return 0;
    case CRM_Q_NAME:
        *where = "(instr(c.name_fold, ?) > 0 OR instr(c.contact_fold, ?) > 0)";
        args[(*n)++] = walor_s(q->text);
        args[(*n)++] = walor_s(q->text);
        return 0;
    case CRM_Q_NUMBER:
        if (!q->id && !q->phone[0])
            return -1;
        *where = "(c.user_id = ? OR (? <> '' AND instr(c.phone_key, ?) > 0) "
                 "OR (? <> '' AND substr(c.phone_key, 1, length(?)) = ?))";
        args[(*n)++] = walor_i(q->id);
        args[(*n)++] = walor_s(q->phone);
        args[(*n)++] = walor_s(q->phone);
        args[(*n)++] = walor_s(q->trunk);
        args[(*n)++] = walor_s(q->trunk);
        args[(*n)++] = walor_s(q->trunk);
        return 0;
    default:
        return -1;
    }
}

#define FROM " FROM crm_client c JOIN walor_users u ON u.id = c.user_id WHERE "

static int64_t count_of(walor_ctx *c, const crm_query *q)
{
    const char *where;
    walor_val args[6];
    uint32_t n;
    int64_t found = 0;
    if (where_of(q, &where, args, &n) == 0)
        walor_db_int(c, walor_ctx_printf(c, "SELECT count(*)" FROM "%s", where), args, n, &found);
    return found;
}

static const char *row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index;
    const char *page = ud;
    int64_t uid = walor_col_int(r, 0);
    const char *first = walor_col_text(r, 1), *last = walor_col_text(r, 2), *un = walor_col_text(r, 3);
    const char *phone = walor_col_text(r, 4);
    const char *name = walor_ctx_printf(c, "%s%s%s", first ? first : "", last && *last ? " " : "", last ? last : "");
    walor_kb_button(kb, walor_ctx_printf(c, "👤 %s", *name ? name : walor_ctx_printf(c, "ID %lld", (long long)uid)),
                    crm_card_data(c, uid, walor_ctx_printf(c, "crm:sr:%s", page)));
    return walor_textf(c, "crm.search.row", "name", crm_esc(c, *name ? name : "—"), "username",
                       un && *un ? walor_ctx_printf(c, " @%s", crm_esc(c, un)) : "", "phone",
                       phone && *phone ? walor_ctx_printf(c, " · %s", crm_esc(c, phone)) : "", "id",
                       walor_ctx_printf(c, "%lld", (long long)uid), NULL);
}

static int32_t show(walor_ctx *c, const char *text, const char *page)
{
    crm_query q;
    crm_query_parse(text, &q);
    const char *where;
    walor_val args[6];
    uint32_t n;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "crm.btn.search_again"), "crm:s");
    walor_kb_button(kb, walor_text(c, "crm.btn.back"), "crm:home");
    const char *head = walor_textf(c, "crm.search.head", "q", crm_esc(c, text), NULL);
    if (where_of(&q, &where, args, &n) < 0)
        return walor_show(c, walor_textf(c, "crm.search.none", "q", crm_esc(c, text), NULL), kb);
    walor_list_def l = {.struct_size = sizeof l, .page_size = PAGE,
                        .sql = walor_ctx_printf(c, "SELECT c.user_id, u.first_name, u.last_name, u.username, c.phone"
                                                   FROM "%s ORDER BY c.user_id", where),
                        .args = args, .nargs = n, .row = row, .ud = (void *)(page ? page : "0"),
                        .page_data = "crm:sr:", .header = head,
                        .empty = walor_textf(c, "crm.search.none", "q", crm_esc(c, text), NULL), .buttons = kb};
    return walor_list_show(c, &l, page);
}

int32_t crm_search_page(walor_ctx *c, const char *page)
{
    walor_rows *r = NULL;
    const char *q = NULL;
    if (walor_db_query(c, "SELECT query FROM crm_lastq WHERE user_id = ?", WALOR_ARGS(walor_i(walor_ctx_user_id(c))),
                       &r) == 0) {
        if (walor_row_next(r) == 1)
            q = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
        walor_rows_close(r);
    }
    if (!q)
        return crm_search_start(c);
    crm_sync_names(c, 2000);
    return show(c, q, page);
}

int32_t crm_search_start(walor_ctx *c) { return walor_conv_start(c, "crm_find", NULL, NULL); }

static int32_t check_query(walor_ctx *c, json_t *value, const char **why)
{
    (void)c;
    crm_query q;
    if (crm_query_parse(json_string_value(value), &q) == CRM_Q_SHORT) {
        *why = "crm.search.short";
        return WALOR_EINVAL;
    }
    return 0;
}

static int32_t find_done(walor_ctx *c, json_t *data)
{
    const char *text = crm_jstr(data, "q");
    crm_sync_names(c, 2000);
    crm_query q;
    crm_query_parse(text, &q);
    if (count_of(c, &q) == 0)
        return walor_form_retry(c, "q", walor_textf(c, "crm.search.none", "q", crm_esc(c, text), NULL));
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO crm_lastq(user_id, query, at) VALUES (?, ?, ?) ON CONFLICT(user_id) "
                               "DO UPDATE SET query = excluded.query, at = excluded.at",
                               WALOR_ARGS(walor_i(walor_ctx_user_id(c)), walor_s(text), walor_i(walor_now(c))));
    if (rc < 0)
        return rc;
    return show(c, text, NULL);
}

static int32_t find_cancel(walor_ctx *c) { return crm_section(c); }

int32_t crm_search_register(walor_plugin *p)
{
    static const walor_step_def steps[] = {
        {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "q", .prompt = "crm.search.ask",
         .min = 1, .max = CRM_Q_TEXT_MAX, .validate = check_query},
    };
    static const walor_form_def form = {.struct_size = sizeof form, .min_role = WALOR_ROLE_MANAGER,
                                        .name = "crm_find", .steps = steps, .nsteps = 1, .timeout_s = 1800,
                                        .on_done = find_done, .on_cancel = find_cancel};
    return walor_form(p, &form);
}
