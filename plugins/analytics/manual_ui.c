/* analytics: "✍️ Ручная выручка" (F-AN-07), the staff side.
 *
 *   an:mr, an:mrl:<page>   the list, newest date first (the host's paged list)
 *   an:mra                 record a sale: the form "an_manual" — sum, date
 *                          (today, yesterday or typed; never the future),
 *                          category (buttons from the setting), comment
 *   an:mre:<id>            one entry
 *   ano:e:<id>             the owner edits it: the same form, every answer
 *                          kept with one press ("Оставить: …")
 *   ano:d:<id>, ano:dy:<id>  the owner deletes it (after a confirmation)
 * Managers and owners add; only the owner changes or deletes — the "ano"
 * prefix is OWNER, so the host refuses anyone else, and on_done checks the
 * role again for an edit. Every change is in the action log (manual.c). */
#include <stdio.h>
#include <string.h>

#include "analytics.h"

#define FORM "an_manual"
#define PAGE 10

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }

static char *date_of(walor_ctx *c, int64_t day)
{
    char b[16];
    an_date_str(an_date_of(day), b, sizeof b);
    return walor_ctx_printf(c, "%s", b);
}

/* ---- the list ---- */

static const char *row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index;
    (void)ud;
    int64_t id = walor_col_int(r, 0);
    const char *comment = walor_col_text(r, 4);
    walor_kb_button(kb, walor_textf(c, "analytics.man.row_btn", "id", an_num(c, id), NULL),
                    walor_ctx_printf(c, "an:mre:%lld", (long long)id));
    return walor_textf(c, "analytics.man.row", "id", an_num(c, id), "date", date_of(c, walor_col_int(r, 2)), "amount",
                       walor_money(c, walor_col_int(r, 1)), "category", an_esc(c, walor_col_text(r, 3)), "comment",
                       comment && *comment ? walor_ctx_printf(c, " — %s", an_esc(c, comment)) : "", NULL);
}

static int32_t list(walor_ctx *c, const char *page)
{
    int64_t n = 0, sum = 0;
    int32_t rc = an_manual_sum(c, 0, INT64_MAX, &n, &sum);
    if (rc < 0)
        return rc;
    static const walor_text_pair KB[] = {
        {"analytics.man.btn.add", "an:mra"}, {NULL, NULL}, {"analytics.btn.back", "an:s"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    const walor_list_def d = {
        .struct_size = sizeof d,
        .page_size = PAGE,
        .sql = "SELECT id, amount, day, category, comment FROM analytics_manual WHERE deleted = 0 ORDER BY day DESC, id DESC",
        .row = row,
        .page_data = "an:mrl:",
        .header = walor_textf(c, "analytics.man.title", "n", an_num(c, n), "sum", walor_money(c, sum), NULL),
        .empty = T(c, "analytics.man.empty"),
        .buttons = kb,
    };
    return walor_list_show(c, &d, page);
}

/* ---- one entry ---- */

static int32_t card(walor_ctx *c, int64_t id)
{
    an_manual m;
    int32_t rc = an_manual_get(c, id, &m);
    if (rc == WALOR_ENOTFOUND) {
        walor_answer(c, T(c, "analytics.man.gone"));
        return list(c, NULL);
    }
    if (rc < 0)
        return rc;
    json_t *u = m.staff_id ? walor_user_get(c, m.staff_id) : NULL;
    const char *who = u ? json_string_value(json_object_get(u, "first_name")) : NULL;
    char *s = walor_textf(c, "analytics.man.card", "id", an_num(c, id), "amount", walor_money(c, m.amount), "date",
                          date_of(c, m.day), "category", an_esc(c, m.category), "comment",
                          *m.comment ? an_esc(c, m.comment) : "—", "who",
                          an_esc(c, who && *who ? who : an_num(c, m.staff_id)), NULL);
    walor_kb *kb = walor_kb_new(c);
    if (walor_ctx_role(c) >= WALOR_ROLE_OWNER) {
        walor_kb_button(kb, T(c, "analytics.man.btn.edit"), walor_ctx_printf(c, "ano:e:%lld", (long long)id));
        walor_kb_button(kb, T(c, "analytics.man.btn.delete"), walor_ctx_printf(c, "ano:d:%lld", (long long)id));
        walor_kb_row(kb);
    } else {
        s = walor_ctx_printf(c, "%s\n\n%s", s, T(c, "analytics.man.owner_only"));
    }
    walor_kb_button(kb, T(c, "analytics.man.btn.list"), "an:mr");
    return walor_show(c, s, kb);
}

/* ---- the form: {id (edit only), amount, day, category, comment} ---- */

/* quick answers: today and yesterday, typed as the host reads dates */
static const walor_step_choice *days(walor_ctx *c, json_t *d, uint32_t *n)
{
    (void)d;
    walor_step_choice *v = walor_ctx_alloc(c, 2 * sizeof *v);
    if (!v)
        return NULL;
    int64_t now = walor_now(c);
    v[0] = (walor_step_choice){date_of(c, now), T(c, "analytics.man.today")};
    v[1] = (walor_step_choice){date_of(c, an_midnight(an_date_add(an_date_of(now), -1))), T(c, "analytics.man.yesterday")};
    *n = 2;
    return v;
}

static const walor_step_choice *categories(walor_ctx *c, json_t *d, uint32_t *n)
{
    (void)d;
    const char **names = NULL;
    int k = an_manual_categories(c, &names);
    walor_step_choice *v = walor_ctx_alloc(c, (size_t)(k > 0 ? k : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (int i = 0; i < k; i++)
        v[i] = (walor_step_choice){names[i], names[i]};
    *n = (uint32_t)k;
    return v;
}

static int64_t iso_midnight(const char *s)
{
    an_date d;
    if (!s || sscanf(s, "%d-%d-%d", &d.y, &d.m, &d.d) != 3)
        return -1;
    return an_midnight(d);
}

static const char *summary(walor_ctx *c, json_t *d)
{
    const char *comment = json_string_value(json_object_get(d, "comment"));
    return walor_textf(c, json_object_get(d, "id") ? "analytics.man.confirm_edit" : "analytics.man.confirm", "amount",
                       walor_money(c, (int64_t)json_integer_value(json_object_get(d, "amount"))), "date",
                       date_of(c, iso_midnight(json_string_value(json_object_get(d, "day")))), "category",
                       an_esc(c, json_string_value(json_object_get(d, "category"))), "comment",
                       comment && *comment ? an_esc(c, comment) : "—", NULL);
}

static int32_t edit_done(walor_ctx *c, int64_t id, int64_t amount, int64_t day, const char *category,
                         const char *comment)
{
    if (walor_ctx_role(c) < WALOR_ROLE_OWNER) /* the role may have changed since the form began */
        return walor_show(c, T(c, "analytics.man.owner_only"), NULL);
    an_manual m;
    int32_t rc = an_manual_get(c, id, &m);
    if (rc == 0 && m.amount != amount)
        rc = an_manual_set(c, id, "amount", amount, NULL);
    if (rc == 0 && m.day != day)
        rc = an_manual_set(c, id, "day", day, NULL);
    if (rc == 0 && strcmp(m.category, category) != 0)
        rc = an_manual_set(c, id, "category", 0, category);
    if (rc == 0 && strcmp(m.comment, comment) != 0)
        rc = an_manual_set(c, id, "comment", 0, comment);
    if (rc == WALOR_ENOTFOUND)
        return walor_show(c, T(c, "analytics.man.gone"), NULL);
    if (rc < 0)
        return rc;
    walor_answer(c, T(c, "analytics.man.saved")); /* the summary becomes the card */
    return card(c, id);
}

static int32_t done(walor_ctx *c, json_t *d)
{
    int64_t amount = (int64_t)json_integer_value(json_object_get(d, "amount"));
    int64_t day = iso_midnight(json_string_value(json_object_get(d, "day")));
    const char *category = json_string_value(json_object_get(d, "category"));
    const char *comment = json_string_value(json_object_get(d, "comment"));
    if (day < 0 || !category)
        return walor_form_retry(c, "day", NULL);
    int64_t id = (int64_t)json_integer_value(json_object_get(d, "id"));
    if (id > 0)
        return edit_done(c, id, amount, day, category, comment ? comment : "");
    int32_t rc = an_manual_add(c, amount, day, category, comment ? comment : "", &id);
    if (rc < 0)
        return rc;
    /* a toast on "✅ Готово", and the summary becomes the list */
    walor_answer(c, walor_textf(c, "analytics.man.added", "id", an_num(c, id), "amount", walor_money(c, amount), NULL));
    return list(c, NULL);
}

static int32_t cancelled(walor_ctx *c)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "id"));
    return id > 0 ? card(c, id) : list(c, NULL);
}

static const walor_step_def STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_MONEY, .key = "amount",
     .prompt = "analytics.man.ask_amount", .label = "analytics.man.label_amount", .min = 1,
     .max = AN_MANUAL_AMOUNT_MAX, .flags = WALOR_STEP_KEEP},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_DATE, .key = "day", .prompt = "analytics.man.ask_day",
     .label = "analytics.man.label_day", .error = "analytics.man.err_day", .min = -3660, .max = 0,
     .flags = WALOR_STEP_KEEP, .choices_fn = days},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_CHOICE, .key = "category",
     .prompt = "analytics.man.ask_category", .label = "analytics.man.label_category", .flags = WALOR_STEP_KEEP,
     .choices_fn = categories},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "comment",
     .prompt = "analytics.man.ask_comment", .label = "analytics.man.label_comment", .max = AN_MANUAL_COMMENT_MAX,
     .flags = WALOR_STEP_SKIP | WALOR_STEP_KEEP},
};

static int32_t start_edit(walor_ctx *c, int64_t id)
{
    an_manual m;
    int32_t rc = an_manual_get(c, id, &m);
    if (rc == WALOR_ENOTFOUND)
        return card(c, id);
    if (rc < 0)
        return rc;
    an_date d = an_date_of(m.day);
    json_t *data = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "amount", (json_int_t)m.amount, "day",
                             walor_ctx_printf(c, "%04d-%02d-%02d", d.y, d.m, d.d), "category", m.category, "comment",
                             m.comment);
    rc = data ? walor_conv_start(c, FORM, NULL, data) : WALOR_ENOMEM;
    json_decref(data);
    return rc;
}

/* ---- entry points ---- */

int32_t an_manual_cb(walor_ctx *c, const char *arg)
{
    int64_t id = 0;
    if (!strncmp(arg, "l:", 2))
        return list(c, arg + 2);
    if (!strcmp(arg, "a"))
        return walor_conv_start(c, FORM, NULL, NULL);
    if (!strncmp(arg, "e:", 2) && sscanf(arg + 2, "%lld", (long long *)&id) == 1)
        return card(c, id);
    return list(c, NULL);
}

/* ano:<verb>:<id> [OWNER] */
static int32_t owner_cb(walor_ctx *c, const char *arg)
{
    long long id = 0;
    char verb[4] = "";
    if (sscanf(arg, "%3[a-z]:%lld", verb, &id) != 2 || id <= 0)
        return list(c, NULL);
    if (!strcmp(verb, "e"))
        return start_edit(c, id);
    if (!strcmp(verb, "d")) {
        an_manual m;
        if (an_manual_get(c, id, &m) != 0)
            return card(c, id);
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, T(c, "analytics.man.btn.delete_yes"), walor_ctx_printf(c, "ano:dy:%lld", id));
        walor_kb_row(kb);
        walor_kb_button(kb, T(c, "analytics.btn.back"), walor_ctx_printf(c, "an:mre:%lld", id));
        return walor_show(c, walor_textf(c, "analytics.man.delete_ask", "id", an_num(c, id), "amount",
                                         walor_money(c, m.amount), "date", date_of(c, m.day), NULL),
                          kb);
    }
    if (!strcmp(verb, "dy")) {
        int32_t rc = an_manual_delete(c, id);
        if (rc < 0 && rc != WALOR_ENOTFOUND)
            return rc;
        walor_answer(c, T(c, rc == 0 ? "analytics.man.deleted" : "analytics.man.gone"));
        return list(c, NULL);
    }
    return list(c, NULL);
}

int32_t an_manual_register(walor_plugin *p)
{
    const walor_form_def form = {.struct_size = sizeof form, .min_role = WALOR_ROLE_MANAGER, .name = FORM,
                                 .steps = STEPS, .nsteps = 4, .timeout_s = 1800, .summary_fn = summary,
                                 .on_done = done, .on_cancel = cancelled};
    const walor_callback_def own = {.struct_size = sizeof own, .min_role = WALOR_ROLE_OWNER, .prefix = "ano",
                                    .handler = owner_cb};
    int32_t rc = walor_form(p, &form);
    if (!rc)
        rc = walor_callback(p, &own);
    return rc;
}
