/* analytics: manual revenue (F-AN-07), the data side: sales made outside
 * the bot that staff record (sum, date, category, comment). They count in
 * the summary, the chart and the P&L on their date. Staff add them; the
 * owner changes or deletes them (the screens check the role), and every
 * change keeps who made it and goes to the action log. A deleted entry is
 * kept (deleted = 1) for the record and counts nowhere. */
#include <string.h>

#include "analytics.h"

#define CATEGORIES_MAX 12

/* max in characters: a UTF-8 character is at most 4 bytes */
static int text_ok(const char *s, size_t max) { return s && strlen(s) <= 4 * max; }

static void log_action(walor_ctx *c, const char *what)
{
    if (walor_action_log(c, what) < 0)
        walor_log(c, WALOR_LOG_WARN, "analytics: action log: %s", walor_last_error(c));
}

int32_t an_manual_add(walor_ctx *c, int64_t amount, int64_t day, const char *category, const char *comment,
                      int64_t *out_id)
{
    if (amount <= 0 || amount > AN_MANUAL_AMOUNT_MAX || day <= 0 || !text_ok(category, AN_MANUAL_CATEGORY_MAX) ||
        !text_ok(comment, AN_MANUAL_COMMENT_MAX))
        return WALOR_EINVAL;
    int64_t now = walor_now(c), id = 0;
    int32_t rc = walor_db_int(c,
                              "INSERT INTO analytics_manual(amount, day, category, comment, staff_id, created_at,"
                              " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              WALOR_ARGS(walor_i(amount), walor_i(day), walor_s(category), walor_s(comment),
                                         walor_i(walor_ctx_user_id(c)), walor_i(now), walor_i(now),
                                         walor_i(walor_ctx_user_id(c))),
                              &id);
    if (rc < 0)
        return rc;
    char date[16];
    an_date_str(an_date_of(day), date, sizeof date);
    log_action(c, walor_ctx_printf(c, "ручная выручка №%lld: %s за %s (%s)", (long long)id, walor_money(c, amount),
                                   date, category));
    if (out_id)
        *out_id = id;
    return 0;
}

/* the end of a change of one entry: logged when a row changed; none is
 * WALOR_ENOTFOUND (deleted meanwhile, or never there) */
static int32_t changed(walor_ctx *c, int32_t rc, const char *log_line)
{
    if (rc < 0)
        return rc;
    if (rc == 0)
        return WALOR_ENOTFOUND;
    log_action(c, log_line);
    return 0;
}

int32_t an_manual_set(walor_ctx *c, int64_t id, const char *field, int64_t num, const char *text)
{
    const char *sql = NULL, *what = NULL;
    walor_val v;
    if (!strcmp(field, "amount") && num > 0 && num <= AN_MANUAL_AMOUNT_MAX) {
        sql = "UPDATE analytics_manual SET amount = ?, updated_at = ?, updated_by = ? WHERE id = ? AND deleted = 0";
        v = walor_i(num);
        what = walor_ctx_printf(c, "сумма → %s", walor_money(c, num));
    } else if (!strcmp(field, "day") && num > 0) {
        sql = "UPDATE analytics_manual SET day = ?, updated_at = ?, updated_by = ? WHERE id = ? AND deleted = 0";
        v = walor_i(num);
        char date[16];
        an_date_str(an_date_of(num), date, sizeof date);
        what = walor_ctx_printf(c, "дата → %s", date);
    } else if (!strcmp(field, "category") && text_ok(text, AN_MANUAL_CATEGORY_MAX) && *text) {
        sql = "UPDATE analytics_manual SET category = ?, updated_at = ?, updated_by = ? WHERE id = ? AND deleted = 0";
        v = walor_s(text);
        what = walor_ctx_printf(c, "категория → %s", text);
    } else if (!strcmp(field, "comment") && text_ok(text, AN_MANUAL_COMMENT_MAX)) {
        sql = "UPDATE analytics_manual SET comment = ?, updated_at = ?, updated_by = ? WHERE id = ? AND deleted = 0";
        v = walor_s(text);
        what = "комментарий";
    } else {
        return WALOR_EINVAL;
    }
    int32_t rc = walor_db_exec(c, sql, WALOR_ARGS(v, walor_i(walor_now(c)), walor_i(walor_ctx_user_id(c)), walor_i(id)));
    return changed(c, rc, walor_ctx_printf(c, "ручная выручка №%lld: %s", (long long)id, what));
}

int32_t an_manual_delete(walor_ctx *c, int64_t id)
{
    int32_t rc = walor_db_exec(c,
                               "UPDATE analytics_manual SET deleted = 1, updated_at = ?, updated_by = ?"
                               " WHERE id = ? AND deleted = 0",
                               WALOR_ARGS(walor_i(walor_now(c)), walor_i(walor_ctx_user_id(c)), walor_i(id)));
    return changed(c, rc, walor_ctx_printf(c, "ручная выручка №%lld удалена", (long long)id));
}

#define COLS "id, amount, day, staff_id, created_at, updated_at, updated_by, category, comment"

/* the row into *m; strings borrowed from r unless c copies them */
static void fill(walor_ctx *c, walor_rows *r, an_manual *m)
{
    m->id = walor_col_int(r, 0);
    m->amount = walor_col_int(r, 1);
    m->day = walor_col_int(r, 2);
    m->staff_id = walor_col_int(r, 3);
    m->created_at = walor_col_int(r, 4);
    m->updated_at = walor_col_int(r, 5);
    m->updated_by = walor_col_int(r, 6);
    m->category = c ? walor_ctx_printf(c, "%s", walor_col_text(r, 7)) : walor_col_text(r, 7);
    m->comment = c ? walor_ctx_printf(c, "%s", walor_col_text(r, 8)) : walor_col_text(r, 8);
}

int32_t an_manual_get(walor_ctx *c, int64_t id, an_manual *out)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT " COLS " FROM analytics_manual WHERE id = ? AND deleted = 0",
                                WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1)
        fill(c, r, out);
    walor_rows_close(r);
    return rc == 1 ? 0 : rc == 0 ? WALOR_ENOTFOUND : rc;
}

int32_t an_manual_sum(walor_ctx *c, int64_t from, int64_t to, int64_t *n, int64_t *sum)
{
    return an_count_sum(c,
                        "SELECT count(*), coalesce(sum(amount), 0) FROM analytics_manual"
                        " WHERE deleted = 0 AND day >= ? AND day < ?",
                        from, to, n, sum);
}

int32_t an_manual_scan(walor_ctx *c, int64_t from, int64_t to, an_manual_fn fn, void *ud)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT " COLS " FROM analytics_manual WHERE deleted = 0 AND day >= ? AND day < ?"
                                " ORDER BY day, id",
                                WALOR_ARGS(walor_i(from), walor_i(to)), &r);
    if (rc < 0)
        return rc;
    an_manual m;
    while ((rc = walor_row_next(r)) == 1) {
        fill(NULL, r, &m);
        int32_t stop = fn(ud, &m);
        if (stop) {
            walor_rows_close(r);
            return stop;
        }
    }
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}

int an_manual_categories(walor_ctx *c, const char ***out)
{
    const char *cfg = walor_setting_str(c, "analytics.categories");
    char *s = walor_ctx_printf(c, "%s", cfg && *cfg ? cfg : AN_CATEGORIES);
    const char **v = walor_ctx_alloc(c, CATEGORIES_MAX * sizeof *v);
    int n = 0;
    for (char *save = NULL, *t = strtok_r(s, ",\n", &save); v && t && n < CATEGORIES_MAX;
         t = strtok_r(NULL, ",\n", &save)) {
        while (*t == ' ' || *t == '\r')
            t++;
        size_t l = strlen(t);
        while (l && (t[l - 1] == ' ' || t[l - 1] == '\r'))
            t[--l] = 0;
        if (l && l <= 4 * AN_MANUAL_CATEGORY_MAX)
            v[n++] = t;
    }
    *out = v;
    return n;
}
