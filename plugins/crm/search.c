/* crm: client search (F-CRM-02). A form of one step asks for the query;
 * norm.c tells @username, a number (a Telegram ID or a piece of a phone in
 * any notation) and a piece of a name (any case, ё = е) apart; the results
 * are a paged list whose rows open the card. The query of each staff member
 * is kept (crm_lastq) so the pages and the card's "⬅️ Назад" find it. */
#include <string.h>
#include <time.h>

#include "crm.h"

#define PAGE 8
#define COUNT_MAX 200 /* matches read at most: more means "make it narrower" */

/* the names' covering index (matches() scans it instead of the table) */
const char crm_search_migration[] = "CREATE INDEX crm_client_fold ON crm_client(name_fold, contact_fold);";

/* usernames on an index of their own; the names are read again to fill it */
const char crm_username_migration[] =
    "ALTER TABLE crm_client ADD COLUMN username_lc TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX crm_client_user ON crm_client(username_lc);"
    "DELETE FROM crm_state WHERE key IN ('names.seen', 'names.id');";

/* the WHERE of a query, its binds into args (at most 6): 0, or -1 when it
 * cannot match anything (a number too short for a phone that is no ID) */
static int where_of(const crm_query *q, const char **where, walor_val *args, uint32_t *n, const char **order)
{
    *n = 0;
    /* names read the (name, contact) index alone, in its order: a covering
     * scan, and the results come alphabetically */
    *order = q->kind == CRM_Q_NUMBER ? "c.user_id" : "c.name_fold, c.contact_fold, c.user_id";
    switch (q->kind) {
    case CRM_Q_USERNAME:
        /* the start of a username, on its index ("@ann" finds @anna_k) */
        *where = "c.username_lc >= ? AND c.username_lc < ?";
        args[(*n)++] = walor_s(q->text + 1);
        args[(*n)++] = walor_s(q->upper);
        return 0;
    case CRM_Q_NAME:
        *where = "(instr(c.name_fold, ?) > 0 OR instr(c.contact_fold, ?) > 0)";
        args[(*n)++] = walor_s(q->text);
        args[(*n)++] = walor_s(q->text);
        return 0;
    case CRM_Q_NUMBER:
        if (!q->id && !q->phone[0])
            return -1;
        if (strlen(q->phone) >= 10) {
            /* a whole number: both terms are indexed, no scan */
            *where = "(c.user_id = ? OR c.phone_key = ?)";
            args[(*n)++] = walor_i(q->id);
            args[(*n)++] = walor_s(q->phone);
            return 0;
        }
        /* the ID by its key; a piece of a phone among the clients that have
         * one, on the narrow phone index, not the whole table */
        *where = "(c.user_id = ? OR c.user_id IN (SELECT x.user_id FROM crm_client x WHERE x.phone_key > '' AND "
                 "((? <> '' AND instr(x.phone_key, ?) > 0) OR (? <> '' AND substr(x.phone_key, 1, length(?)) = ?))))";
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


/* the matching clients, in id order: one pass over the table, stopped
 * after COUNT_MAX + 1 (a common name ends early; nobody pages through
 * hundreds anyway). *n is how many; ids in the arena. */
static int32_t matches(walor_ctx *c, const char *where, const char *order, const walor_val *args, uint32_t nargs,
                       int64_t **ids, uint32_t *n)
{
    *n = 0;
    *ids = walor_ctx_alloc(c, (COUNT_MAX + 1) * sizeof **ids);
    if (!*ids)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                walor_ctx_printf(c, "SELECT c.user_id FROM crm_client c WHERE %s ORDER BY %s LIMIT %d",
                                                 where, order, COUNT_MAX + 1),
                                args, nargs, &r);
    if (rc < 0)
        return rc;
    while (*n <= COUNT_MAX && walor_row_next(r) == 1)
        (*ids)[(*n)++] = walor_col_int(r, 0);
    walor_rows_close(r);
    return 0;
}

/* the rows of one page, read by id when its first row is drawn */
typedef struct page {
    int64_t *ids;
    uint32_t n;                 /* matches (at most COUNT_MAX) */
    int64_t first;              /* index of the page read, -1 none */
    uint32_t got;
    int64_t uid[PAGE];
    const char *name[PAGE], *username[PAGE], *phone[PAGE];
} page;

static int32_t read_page(walor_ctx *c, page *p, int64_t index)
{
    int64_t first = index - index % PAGE;
    p->first = first;
    p->got = 0;
    walor_val args[PAGE];
    uint32_t k = 0;
    for (int64_t i = first; i < first + PAGE && i < p->n; i++)
        args[k++] = walor_i(p->ids[i]);
    if (!k)
        return 0;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                walor_ctx_printf(c,
                                                 "SELECT c.user_id, u.first_name, u.last_name, u.username, c.phone "
                                                 "FROM crm_client c JOIN walor_users u ON u.id = c.user_id "
                                                 "WHERE c.user_id IN (?%.*s)",
                                                 (int)(k - 1) * 3, ", ?, ?, ?, ?, ?, ?, ?, ?, ?"),
                                args, k, &r);
    if (rc < 0)
        return rc;
    while (p->got < PAGE && walor_row_next(r) == 1) {
        uint32_t i = p->got++;
        const char *f = walor_col_text(r, 1), *l = walor_col_text(r, 2);
        p->uid[i] = walor_col_int(r, 0);
        p->name[i] = walor_ctx_printf(c, "%s%s%s", f ? f : "", l && *l ? " " : "", l ? l : "");
        p->username[i] = walor_ctx_printf(c, "%s", walor_col_text(r, 3) ? walor_col_text(r, 3) : "");
        p->phone[i] = walor_ctx_printf(c, "%s", walor_col_text(r, 4) ? walor_col_text(r, 4) : "");
    }
    walor_rows_close(r);
    return 0;
}

static const char *row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)r;
    page *p = ud;
    if (p->first < 0 || index < p->first || index >= p->first + PAGE)
        if (read_page(c, p, index) < 0)
            return NULL;
    uint32_t i = 0;
    while (i < p->got && p->uid[i] != p->ids[index])
        i++;
    if (i == p->got)
        return NULL; /* gone between the two reads */
    int64_t uid = p->uid[i];
    const char *name = *p->name[i] ? p->name[i] : walor_ctx_printf(c, "ID %lld", (long long)uid);
    walor_kb_button(kb, walor_ctx_printf(c, "👤 %s", name),
                    crm_card_data(c, uid, walor_ctx_printf(c, "crm:sr:%lld", (long long)(index / PAGE))));
    return walor_textf(c, "crm.search.row", "name", crm_esc(c, *p->name[i] ? p->name[i] : "—"), "username",
                       *p->username[i] ? walor_ctx_printf(c, " @%s", crm_esc(c, p->username[i])) : "", "phone",
                       *p->phone[i] ? walor_ctx_printf(c, " · %s", crm_esc(c, p->phone[i])) : "", "id",
                       walor_ctx_printf(c, "%lld", (long long)uid), NULL);
}

/* the results of text as a paged list over at most COUNT_MAX clients;
 * *found (may be NULL) is how many matched, and with found nothing is
 * shown when nobody matched (the caller says so) */
static int32_t show(walor_ctx *c, const char *text, const char *pg, int64_t *found)
{
    crm_query q;
    crm_query_parse(text, &q);
    const char *where, *order;
    walor_val args[8];
    uint32_t nargs;
    page p = {.first = -1};
    int32_t rc = 0;
    if (where_of(&q, &where, args, &nargs, &order) == 0)
        rc = matches(c, where, order, args, nargs, &p.ids, &p.n);
    if (rc < 0)
        return rc;
    if (found)
        *found = p.n;
    static const walor_text_pair KB[] = {{"crm.btn.search_again", "crm:s"}, {"crm.btn.back", "crm:home"}};
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    if (p.n == 0)
        return found ? 0 : walor_show(c, walor_textf(c, "crm.search.none", "q", crm_esc(c, text), NULL), kb);
    const char *head = walor_textf(c, p.n > COUNT_MAX ? "crm.search.head_many" : "crm.search.head", "q",
                                   crm_esc(c, text), "max", crm_num(c, COUNT_MAX), NULL);
    if (p.n > COUNT_MAX)
        p.n = COUNT_MAX;
    walor_list_def l = {.struct_size = sizeof l, .page_size = PAGE, .total = p.n, .row = row, .ud = &p,
                        .page_data = "crm:sr:", .header = head, .buttons = kb};
    return walor_list_show(c, &l, pg);
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
    return show(c, q, page, NULL);
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
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *text = crm_jstr(data, "q");
    crm_sync_names(c, 2000);
    int64_t found = 0;
    int32_t rc = show(c, text, NULL, &found);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    walor_log(c, WALOR_LOG_DEBUG, "crm: search: %lld found in %.1f ms", (long long)found,
              (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    if (rc < 0)
        return rc;
    if (found == 0)
        return walor_form_retry(c, "q", walor_textf(c, "crm.search.none", "q", crm_esc(c, text), NULL));
    rc = walor_db_exec(c,
                       "INSERT INTO crm_lastq(user_id, query, at) VALUES (?, ?, ?) ON CONFLICT(user_id) "
                       "DO UPDATE SET query = excluded.query, at = excluded.at",
                       WALOR_ARGS(walor_i(walor_ctx_user_id(c)), walor_s(text), walor_i(walor_now(c))));
    return rc < 0 ? rc : 0;
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
