/* support-groq: the admin panel's "💬 Поддержка" (F-SUP-05, F-SUP-06, F-SUP-02).
 *
 *   the section   counts by status, the assistant's state (keys, today's
 *                 tokens), the way to each list
 *   lists         waiting, with operators, with the assistant, closed, the
 *                 archive — paged (the host's list helper)
 *   a ticket      who, status, times, reason; the history paged, newest
 *                 first; the actions its status allows; its attachments
 *   topics        (owner) the topic commands' prompts, edited in the bot;
 *                 topics added and removed (forms of the host's toolkit)
 *
 * Callback data: "supa:…" for managers, "supo:…" for the owner, so the host
 * checks the role of every press; "supt:t:<id>:<page>" (operator.c) for a
 * ticket. A client's name is shown with its Telegram ID; the crm plugin's
 * client card is not linked: its service offers no button to it. */
#include <string.h>

#include <walor/services/crm.h>

#include "sup.h"

static const char *num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }

static int64_t count_status(walor_ctx *c, const char *status)
{
    int64_t n = 0;
    walor_db_int(c, "SELECT count(*) FROM support_ticket WHERE status = ? AND archived = 0",
                 WALOR_ARGS(walor_s(status)), &n);
    return n;
}

/* ---- the section ---- */

static int32_t section(walor_ctx *c)
{
    int64_t wait = count_status(c, SUP_WAIT), op = count_status(c, SUP_OPERATOR), ai = count_status(c, SUP_AI);
    int usable = 0, cooling = 0, revoked = 0;
    sup_keys_status(&usable, &cooling, &revoked);
    int64_t on = walor_setting_or(c, SUP_PLUGIN ".ai_enabled", 1), used = 0;
    walor_db_int(c, "SELECT tokens FROM support_usage WHERE day = ?", WALOR_ARGS(walor_i(sup_today(c))), &used);
    const char *html = TF(c, "admin.head", "wait", num(c, wait), "op", num(c, op), "ai", num(c, ai), "state",
                          on && usable + cooling ? T(c, "admin.ai_on") : T(c, "admin.ai_off"), "usable",
                          num(c, usable), "cooling", num(c, cooling), "revoked", num(c, revoked), "tokens",
                          num(c, used), "budget", num(c, sup_setting(c, "daily_tokens", 300000)), "streams",
                          num(c, sup_turns_active()));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, TF(c, "admin.btn.wait", "n", num(c, wait)), "supa:l:wait:0");
    walor_kb_button(kb, TF(c, "admin.btn.operator", "n", num(c, op)), "supa:l:operator:0");
    walor_kb_row(kb);
    walor_kb_button(kb, TF(c, "admin.btn.ai", "n", num(c, ai)), "supa:l:ai:0");
    walor_kb_button(kb, T(c, "admin.btn.closed"), "supa:l:closed:0");
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "admin.btn.archive"), "supa:l:archive:0");
    if (walor_ctx_role(c) >= WALOR_ROLE_OWNER)
        walor_kb_button(kb, T(c, "admin.btn.topics"), "supo:topics:0");
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "btn.admin"), "supa:admin");
    return walor_show(c, html, kb);
}

/* ---- ticket lists ---- */

static const char *ticket_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index;
    (void)ud;
    int64_t id = walor_col_int(r, 0);
    const char *reason = walor_col_text(r, 3) ? walor_col_text(r, 3) : "";
    walor_kb_button(kb, walor_ctx_printf(c, "📂 №%lld", (long long)id), walor_ctx_printf(c, "supt:t:%lld:0", (long long)id));
    return TF(c, "admin.row", "id", num(c, id), "who", walor_user_label(c, walor_col_int(r, 1), WALOR_USER_LABEL_FULL), "when",
              sup_time(c, walor_col_int(r, 2)), "reason", *reason ? sup_esc(c, walor_ctx_printf(c, "· %.80s", reason)) : "");
}

static int32_t ticket_list(walor_ctx *c, const char *which, const char *page)
{
    int archive = !strcmp(which, "archive");
    if (!archive && strcmp(which, SUP_WAIT) && strcmp(which, SUP_OPERATOR) && strcmp(which, SUP_AI) &&
        strcmp(which, SUP_CLOSED))
        return section(c);
    const char *status = archive ? SUP_CLOSED : which;
    walor_kb *back = walor_kb_new(c);
    walor_kb_button(back, T(c, "btn.back"), "supa:home");
    walor_val args[] = {walor_s(status), walor_i(archive)};
    walor_list_def d = {.struct_size = sizeof d, .page_size = 8,
                        .sql = "SELECT id, user_id, updated_at, reason FROM support_ticket WHERE status = ? AND "
                               "archived = ? ORDER BY updated_at DESC, id DESC",
                        .args = args, .nargs = 2, .row = ticket_row,
                        .page_data = walor_ctx_printf(c, "supa:l:%s:", which),
                        .header = TF(c, "admin.list", "what", archive ? T(c, "admin.archive") : sup_status_label(c, status)),
                        .empty = TF(c, "admin.list_empty", "what",
                                    archive ? T(c, "admin.archive") : sup_status_label(c, status)),
                        .buttons = back};
    return walor_list_show(c, &d, page);
}

/* ---- a ticket ---- */

static const char *message_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index;
    (void)kb;
    (void)ud;
    const char *author = walor_col_text(r, 0), *kind = walor_col_text(r, 1);
    const char *text = walor_col_text(r, 2) ? walor_col_text(r, 2) : "";
    const char *file = walor_col_text(r, 5) ? walor_col_text(r, 5) : "";
    int64_t who = walor_col_int(r, 3);
    const char *by = !strcmp(author, "customer") ? T(c, "hist.customer")
                     : !strcmp(author, "ai")     ? T(c, "hist.ai")
                     : !strcmp(author, "operator")
                         ? TF(c, "hist.operator", "name", sup_esc(c, json_string_value(json_object_get(
                                                                  walor_user_get(c, who), "first_name"))))
                         : T(c, "hist.system");
    const char *what = !strcmp(kind, "photo")      ? walor_ctx_printf(c, "📷 %s", sup_esc(c, text))
                       : !strcmp(kind, "document") ? walor_ctx_printf(c, "📎 %s %s", sup_esc(c, file), sup_esc(c, text))
                       : !strcmp(kind, "other")    ? "🎴"
                                                   : sup_esc(c, walor_ctx_printf(c, "%.300s%s", text,
                                                                                 strlen(text) > 300 ? "…" : ""));
    return walor_ctx_printf(c, "<i>%s</i> %s %s", sup_time(c, walor_col_int(r, 4)), by, what);
}

int32_t sup_ticket_screen(walor_ctx *c, int64_t id, int64_t page)
{
    sup_ticket t;
    int32_t rc = sup_ticket_get(c, id, &t);
    if (rc < 0)
        return rc;
    sup_topic tp = {.title = ""};
    if (*t.topic)
        sup_topic_get(c, t.topic, &tp);
    const char *head = TF(c, "ticket.head", "id", num(c, id), "status", sup_status_label(c, t.status), "who",
                          walor_user_label(c, t.user_id, WALOR_USER_LABEL_FULL), "topic", *tp.title ? sup_esc(c, tp.title) : "—", "created",
                          sup_time(c, t.created_at), "reason", *t.reason ? sup_esc(c, t.reason) : "—", "operator",
                          t.operator_id ? walor_user_label(c, t.operator_id, WALOR_USER_LABEL_FULL) : "—");
    walor_kb *kb = walor_kb_new(c);
    const char *sid = num(c, id);
    if (!strcmp(t.status, SUP_WAIT) || !strcmp(t.status, SUP_AI))
        walor_kb_button(kb, T(c, "btn.take"), walor_ctx_printf(c, "supt:take:%s", sid));
    if (!strcmp(t.status, SUP_OPERATOR)) {
        walor_kb_button(kb, T(c, "btn.reply"), walor_ctx_printf(c, "supt:reply:%s", sid));
        walor_kb_button(kb, T(c, "btn.to_ai"), walor_ctx_printf(c, "supt:ai:%s", sid));
    }
    if (strcmp(t.status, SUP_CLOSED) != 0)
        walor_kb_button(kb, T(c, "btn.close"), walor_ctx_printf(c, "supt:close:%s", sid));
    walor_kb_row(kb);
    /* the client card is the crm plugin's when it is loaded; back comes here */
    const walor_crm_v1 *crm = walor_service_get(walor_ctx_plugin(c), WALOR_CRM_SERVICE, WALOR_CRM_MAJOR, NULL);
    const char *card = WALOR_CRM_HAS(crm, card_data)
                           ? crm->card_data(c, t.user_id, walor_ctx_printf(c, "supt:t:%s:%lld", sid, (long long)page))
                           : NULL;
    if (card) {
        walor_kb_button(kb, T(c, "btn.client"), card);
        walor_kb_row(kb);
    }
    walor_kb_button(kb, T(c, "btn.files"), walor_ctx_printf(c, "supt:files:%s:%lld", sid, (long long)page));
    walor_kb_button(kb, T(c, "btn.back"),
                    walor_ctx_printf(c, "supa:l:%s:0", t.archived ? "archive" : t.status));
    walor_val args[] = {walor_i(id)};
    walor_list_def d = {.struct_size = sizeof d, .page_size = 10,
                        .sql = "SELECT author, kind, text, author_id, at, file_name, id FROM support_message "
                               "WHERE ticket_id = ? ORDER BY id DESC",
                        .args = args, .nargs = 1, .row = message_row,
                        .page_data = walor_ctx_printf(c, "supt:t:%s:", sid), .header = head,
                        .empty = walor_ctx_printf(c, "%s\n%s", head, T(c, "ticket.no_messages")), .buttons = kb,
                        .prev_label = SUP_PLUGIN ".btn.newer", .next_label = SUP_PLUGIN ".btn.older"};
    return walor_list_show(c, &d, num(c, page));
}

/* ---- topics (owner) ---- */

static const char *topic_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index;
    (void)ud;
    const char *slug = walor_col_text(r, 0), *title = walor_col_text(r, 1);
    walor_kb_button(kb, walor_ctx_printf(c, "✏️ %.40s", title), walor_ctx_printf(c, "supo:tedit:%s", slug));
    if (strcmp(slug, "general") != 0)
        walor_kb_button(kb, "🗑", walor_ctx_printf(c, "supo:tdel:%s", slug));
    const char *prompt = walor_col_text(r, 2) ? walor_col_text(r, 2) : "";
    return walor_ctx_printf(c, "<b>%s</b> %s\n<i>%s</i>", sup_esc(c, title),
                            strcmp(slug, "general") ? walor_ctx_printf(c, "— /topic %s", slug) : T(c, "topics.general"),
                            sup_esc(c, walor_ctx_printf(c, "%.120s%s", prompt, strlen(prompt) > 120 ? "…" : "")));
}

static int32_t topics(walor_ctx *c, const char *page)
{
    static const walor_text_pair KB[] = {
        {"support-groq.topics.add", "supo:tadd"}, {NULL, NULL}, {"support-groq.btn.back", "supa:home"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    walor_list_def d = {.struct_size = sizeof d, .page_size = 6,
                        .sql = "SELECT slug, title, prompt FROM support_topic ORDER BY sort, slug", .row = topic_row,
                        .page_data = "supo:topics:", .header = T(c, "topics.head"), .buttons = kb};
    return walor_list_show(c, &d, page);
}

static int slug_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 24)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int32_t check_slug(walor_ctx *c, json_t *value, const char **why)
{
    const char *s = json_string_value(value);
    if (!s || !slug_ok(s)) {
        *why = SUP_PLUGIN ".topics.bad_slug";
        return WALOR_EINVAL;
    }
    int64_t n = 0;
    if (walor_db_int(c, "SELECT count(*) FROM support_topic WHERE slug = ?", WALOR_ARGS(walor_s(s)), &n) < 0)
        return WALOR_EDB;
    if (n) {
        *why = SUP_PLUGIN ".topics.exists";
        return WALOR_EINVAL;
    }
    return 0;
}

static int32_t topic_added(walor_ctx *c, json_t *data)
{
    const char *slug = json_string_value(json_object_get(data, "slug"));
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO support_topic(slug, title, prompt, sort) VALUES (?, ?, ?, "
                               "(SELECT coalesce(max(sort), 0) + 10 FROM support_topic))",
                               WALOR_ARGS(walor_s(slug), walor_s(json_string_value(json_object_get(data, "title"))),
                                          walor_s(json_string_value(json_object_get(data, "prompt")))));
    if (rc < 0)
        return rc;
    walor_action_log(c, walor_ctx_printf(c, "добавил тему поддержки %s", slug));
    walor_reply(c, TF(c, "topics.added", "slug", sup_esc(c, slug)), NULL);
    return topics(c, NULL);
}

static int32_t prompt_edited(walor_ctx *c, json_t *data)
{
    const char *slug = json_string_value(json_object_get(data, "slug"));
    int32_t rc = walor_db_exec(c, "UPDATE support_topic SET prompt = ? WHERE slug = ?",
                               WALOR_ARGS(walor_s(json_string_value(json_object_get(data, "prompt"))), walor_s(slug)));
    if (rc < 0)
        return rc;
    walor_action_log(c, walor_ctx_printf(c, "изменил промпт темы поддержки %s", slug ? slug : ""));
    walor_reply(c, rc ? T(c, "topics.saved") : T(c, "topics.gone"), NULL);
    return topics(c, NULL);
}

static int32_t topic_screen_back(walor_ctx *c) { return topics(c, NULL); }

static int32_t edit_prompt(walor_ctx *c, const char *slug)
{
    sup_topic t;
    int32_t rc = sup_topic_get(c, slug, &t);
    if (rc == WALOR_ENOTFOUND)
        return walor_alert(c, T(c, "topics.gone"));
    if (rc < 0)
        return rc;
    json_t *d = json_pack("{s:s, s:s, s:s}", "slug", t.slug, "title", t.title, "prompt", t.prompt);
    rc = d ? walor_conv_start(c, "topic_prompt", NULL, d) : WALOR_ENOMEM;
    json_decref(d);
    return rc;
}

static int32_t delete_topic(walor_ctx *c, const char *arg)
{
    int sure = arg[0] == '!';
    const char *slug = sure ? arg + 1 : arg;
    sup_topic t;
    int32_t rc = sup_topic_get(c, slug, &t);
    if (rc == WALOR_ENOTFOUND || !strcmp(slug, "general"))
        return walor_alert(c, T(c, "topics.gone"));
    if (rc < 0)
        return rc;
    if (!sure) {
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, T(c, "topics.del_yes"), walor_ctx_printf(c, "supo:tdel:!%s", slug));
        walor_kb_button(kb, T(c, "btn.back"), "supo:topics:0");
        return walor_show(c, TF(c, "topics.del_ask", "title", sup_esc(c, t.title)), kb);
    }
    if ((rc = walor_db_exec(c, "DELETE FROM support_topic WHERE slug = ?", WALOR_ARGS(walor_s(slug)))) < 0)
        return rc;
    walor_action_log(c, walor_ctx_printf(c, "удалил тему поддержки %s", slug));
    walor_answer(c, T(c, "topics.deleted"));
    return topics(c, NULL);
}

/* ---- routing ---- */

static int32_t on_admin(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "home"))
        return section(c);
    if (!strcmp(arg, "admin"))
        return walor_show_admin_menu(c);
    if (!strncmp(arg, "l:", 2)) { /* "l:<status>:<page>" */
        const char *p = strchr(arg + 2, ':');
        if (!p || p - (arg + 2) > 12)
            return section(c);
        return ticket_list(c, walor_ctx_printf(c, "%.*s", (int)(p - (arg + 2)), arg + 2), p + 1);
    }
    return section(c);
}

static int32_t on_owner(walor_ctx *c, const char *arg)
{
    if (!strncmp(arg, "topics:", 7))
        return topics(c, arg + 7);
    if (!strcmp(arg, "tadd"))
        return walor_conv_start(c, "topic_add", NULL, NULL);
    if (!strncmp(arg, "tedit:", 6))
        return edit_prompt(c, arg + 6);
    if (!strncmp(arg, "tdel:", 5))
        return delete_topic(c, arg + 5);
    return topics(c, NULL);
}

int32_t sup_staff_register(walor_plugin *p)
{
    static const walor_step_def add_steps[] = {
        {.struct_size = sizeof add_steps[0], .type = WALOR_STEP_STRING, .key = "slug",
         .prompt = SUP_PLUGIN ".topics.ask_slug", .label = SUP_PLUGIN ".topics.l_slug", .min = 2, .max = 24,
         .validate = check_slug},
        {.struct_size = sizeof add_steps[0], .type = WALOR_STEP_STRING, .key = "title",
         .prompt = SUP_PLUGIN ".topics.ask_title", .label = SUP_PLUGIN ".topics.l_title", .min = 2, .max = 60},
        {.struct_size = sizeof add_steps[0], .type = WALOR_STEP_TEXT, .key = "prompt",
         .prompt = SUP_PLUGIN ".topics.ask_prompt", .label = SUP_PLUGIN ".topics.l_prompt", .min = 10, .max = 3000},
    };
    static const walor_form_def add = {.struct_size = sizeof add, .min_role = WALOR_ROLE_OWNER, .name = "topic_add",
                                       .steps = add_steps, .nsteps = 3, .summary = SUP_PLUGIN ".topics.summary",
                                       .on_done = topic_added, .on_cancel = topic_screen_back};
    static const walor_step_def prompt_steps[] = {
        {.struct_size = sizeof prompt_steps[0], .type = WALOR_STEP_TEXT, .key = "prompt",
         .prompt = SUP_PLUGIN ".topics.ask_new_prompt", .min = 10, .max = 3000, .flags = WALOR_STEP_KEEP},
    };
    static const walor_form_def edit = {.struct_size = sizeof edit, .min_role = WALOR_ROLE_OWNER,
                                        .name = "topic_prompt", .steps = prompt_steps, .nsteps = 1,
                                        .on_done = prompt_edited, .on_cancel = topic_screen_back};
    static const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER,
                                        .where = WALOR_MENU_ADMIN, .order = 300, .id = "support_admin",
                                        .label = "💬 Поддержка", .on_press = section,
                                        .group = WALOR_MENU_GROUP_CLIENTS};
    static const walor_callback_def mgr = {.struct_size = sizeof mgr, .min_role = WALOR_ROLE_MANAGER,
                                           .prefix = "supa", .handler = on_admin};
    static const walor_callback_def own = {.struct_size = sizeof own, .min_role = WALOR_ROLE_OWNER,
                                           .prefix = "supo", .handler = on_owner};
    int32_t rc = walor_form(p, &add);
    if (!rc) rc = walor_form(p, &edit);
    if (!rc) rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &mgr);
    if (!rc) rc = walor_callback(p, &own);
    return rc;
}
