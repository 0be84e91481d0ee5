/* support-groq: the customer's side (F-SUP-01, F-SUP-02, F-SUP-04).
 *
 * "💬 Поддержка" in the main menu, /support or a topic command (/relax
 * /health /skin /home /mix, and /topic <name> for topics the owner adds
 * in the bot: commands can only be registered at start) put the chat
 * into the "chat" conversation, where everything the customer writes is
 * a question for the assistant — or, once the ticket is with the staff,
 * a message for the operator. Any other command leaves it, as everywhere.
 *
 * What is not a question gets a clear answer and is still kept in the
 * ticket for the operator: a photo or a file (the assistant reads text
 * only), an empty message, one longer than question_max, more than
 * per_minute messages a minute, a question while the previous answer is
 * still being written. */
#include <string.h>

#include <walor/services/catalog.h>

#include "sup.h"
#include "trim.h"

#define CONV "chat"

walor_kb *sup_kb_answer(walor_ctx *c, const int64_t *pids, int npids)
{
    walor_kb *kb = walor_kb_new(c);
    const walor_catalog_v1 *cat =
        walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, NULL);
    for (int i = 0; cat && WALOR_CATALOG_HAS(cat, card_data) && i < npids; i++) {
        walor_catalog_item *items = NULL;
        uint32_t n = 0;
        if (sup_product_items(c, pids[i], &items, &n) < 0)
            continue;
        walor_kb_button(kb, walor_ctx_printf(c, "🛍 %.60s", items->name), cat->card_data(c, pids[i]));
        walor_kb_row(kb);
    }
    walor_kb_button(kb, T(c, "btn.operator"), "sup:op");
    return kb;
}

walor_kb *sup_kb_operator_msg(walor_ctx *c)
{
    static const walor_text_pair KB[] = {
        {"support-groq.btn.reply", "sup:open"}, {"support-groq.btn.solved", "sup:done"},
    };
    return walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
}

/* topics the owner keeps, as buttons, two a row */
static void topic_buttons(walor_ctx *c, walor_kb *kb)
{
    walor_rows *r = NULL;
    if (walor_db_query(c, "SELECT slug, title FROM support_topic WHERE slug <> 'general' ORDER BY sort, slug", NULL, 0,
                       &r) < 0)
        return;
    int k = 0;
    while (walor_row_next(r) == 1) {
        if (k && k % 2 == 0)
            walor_kb_row(kb);
        walor_kb_button(kb, walor_col_text(r, 1), walor_ctx_printf(c, "sup:topic:%s", walor_col_text(r, 0)));
        k++;
    }
    walor_rows_close(r);
    if (k)
        walor_kb_row(kb);
}

static int32_t set_topic(walor_ctx *c, const char *slug)
{
    sup_ticket t;
    int32_t rc = sup_ticket_current(c, walor_ctx_user_id(c), slug, &t);
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c, "UPDATE support_ticket SET topic = ? WHERE id = ?", WALOR_ARGS(walor_s(slug), walor_i(t.id)));
    return rc < 0 ? rc : 0;
}

int32_t sup_customer_open(walor_ctx *c, const char *topic)
{
    int32_t rc = walor_conv_start(c, CONV, NULL, NULL);
    if (rc < 0)
        return rc;
    sup_topic tp;
    if (topic && *topic) {
        if (sup_topic_get(c, topic, &tp) < 0 || !strcmp(topic, "general")) {
            walor_kb *kb = walor_kb_new(c);
            topic_buttons(c, kb);
            return walor_reply(c, T(c, "topic.unknown"), kb);
        }
        if ((rc = set_topic(c, topic)) < 0)
            return rc;
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, T(c, "btn.operator"), "sup:op");
        return walor_show(c, TF(c, "topic.chosen", "title", sup_esc(c, tp.title)), kb);
    }
    sup_ticket t;
    rc = sup_ticket_open_of(c, walor_ctx_user_id(c), &t);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (rc == 0 && strcmp(t.status, SUP_AI) != 0)
        return walor_show(c, T(c, "hello_operator"), NULL);
    walor_kb *kb = walor_kb_new(c);
    topic_buttons(c, kb);
    walor_kb_button(kb, T(c, "btn.operator"), "sup:op");
    return walor_show(c, T(c, "hello"), kb);
}

static int32_t on_menu(walor_ctx *c) { return sup_customer_open(c, NULL); }
static int32_t cmd_support(walor_ctx *c, const char *arg)
{
    (void)arg;
    return sup_customer_open(c, NULL);
}

static int32_t cmd_topic_named(walor_ctx *c, const char *arg)
{
    if (!*arg) {
        walor_kb *kb = walor_kb_new(c);
        topic_buttons(c, kb);
        walor_conv_start(c, CONV, NULL, NULL);
        return walor_reply(c, T(c, "topic.pick"), kb);
    }
    return sup_customer_open(c, arg);
}

#define TOPIC_CMD(slug) \
    static int32_t cmd_##slug(walor_ctx *c, const char *arg) { (void)arg; return sup_customer_open(c, #slug); }
TOPIC_CMD(relax)
TOPIC_CMD(health)
TOPIC_CMD(skin)
TOPIC_CMD(home)
TOPIC_CMD(mix)

static int32_t escalate_now(walor_ctx *c, const char *reason)
{
    sup_turn_cancel(c, walor_ctx_chat_id(c));
    int32_t rc = sup_ticket_escalate(c, walor_ctx_user_id(c), reason);
    if (rc < 0)
        return rc;
    if (walor_conv_start(c, CONV, NULL, NULL) < 0)
        walor_log(c, WALOR_LOG_WARN, "conversation: %s", walor_last_error(c));
    return walor_reply(c, rc == 1 ? T(c, "already_operator") : T(c, "escalated"), NULL);
}

static int32_t cmd_operator(walor_ctx *c, const char *arg)
{
    (void)arg;
    return escalate_now(c, "покупатель попросил оператора");
}

static int32_t minute_count(walor_ctx *c, int64_t uid, int64_t *n)
{
    return walor_db_int(c, "SELECT count(*) FROM support_message WHERE author = 'customer' AND author_id = ? AND at > ?",
                        WALOR_ARGS(walor_i(uid), walor_i(walor_now(c) - 60)), n);
}

static int32_t keep(walor_ctx *c, const sup_ticket *t, const sup_incoming *in, int for_ai)
{
    return sup_ticket_add(c, t->id, "customer", walor_ctx_user_id(c), in, for_ai ? sup_tokens(in->text) : 0, for_ai);
}

static int32_t on_message(walor_ctx *c, const char *arg)
{
    sup_incoming in;
    sup_incoming_read(c, arg, &in);
    int64_t uid = walor_ctx_user_id(c), recent = 0;
    int32_t rc = minute_count(c, uid, &recent);
    if (rc < 0)
        return rc;
    sup_ticket t;
    if ((rc = sup_ticket_current(c, uid, "", &t)) < 0)
        return rc;
    if (recent >= sup_setting(c, "per_minute", 6)) {
        if ((rc = keep(c, &t, &in, 0)) < 0)
            return rc;
        return walor_reply(c, T(c, "too_fast"), NULL);
    }

    if (strcmp(t.status, SUP_AI) != 0) { /* with the staff: relay and keep */
        if ((rc = keep(c, &t, &in, 0)) < 0)
            return rc;
        if ((rc = sup_ticket_get(c, t.id, &t)) < 0 || (rc = sup_ticket_timers(c, &t)) < 0)
            return rc;
        if (!strcmp(t.status, SUP_OPERATOR) && t.operator_id)
            return sup_relay_to_operator(c, &t, &in);
        return walor_reply(c, T(c, "queued"), NULL);
    }

    const char *refusal = NULL;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)in.text; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    int64_t max = sup_setting(c, "question_max", 2000);
    if (strcmp(in.kind, "text") != 0)
        refusal = strcmp(in.kind, "other") ? T(c, "no_media") : T(c, "text_only");
    else if (in.text[strspn(in.text, " \t\r\n")] == '\0')
        refusal = T(c, "empty");
    else if ((int64_t)chars > max)
        refusal = TF(c, "too_long", "n", walor_ctx_printf(c, "%zu", chars), "max",
                     walor_ctx_printf(c, "%lld", (long long)max));
    else if (sup_turn_busy(walor_ctx_chat_id(c)))
        refusal = T(c, "busy");
    if (refusal) {
        if ((rc = keep(c, &t, &in, 0)) < 0)
            return rc;
        return walor_reply(c, refusal, sup_kb_answer(c, NULL, 0));
    }
    if ((rc = keep(c, &t, &in, 1)) < 0)
        return rc;

    int64_t on = walor_setting_or(c, SUP_PLUGIN ".ai_enabled", 1);
    if (!on || !sup_keys_configured())
        return escalate_now(c, "ассистент выключен");
    if (!sup_budget_left(c))
        return escalate_now(c, "дневной лимит токенов исчерпан");
    rc = sup_turn_start(c, t.id, t.topic, in.text);
    if (rc == WALOR_EBUSY)
        return walor_reply(c, T(c, "busy"), NULL);
    return rc;
}

static int32_t on_callback(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "op"))
        return escalate_now(c, "покупатель нажал «Оператор»");
    if (!strcmp(arg, "open")) {
        int32_t rc = walor_conv_start(c, CONV, NULL, NULL);
        return rc < 0 ? rc : walor_reply(c, T(c, "write_operator"), NULL);
    }
    if (!strcmp(arg, "done")) {
        sup_ticket t;
        int32_t rc = sup_ticket_open_of(c, walor_ctx_user_id(c), &t); /* only one's own */
        if (rc == WALOR_ENOTFOUND)
            return walor_answer(c, T(c, "nothing_open"));
        if (rc < 0 || (rc = sup_ticket_close(c, t.id, walor_ctx_user_id(c))) < 0)
            return rc;
        if (t.operator_id)
            walor_send(c, t.operator_id, TF(c, "op.customer_closed", "id", walor_ctx_printf(c, "%lld", (long long)t.id)),
                       NULL, 0, NULL);
        walor_conv_end(c);
        return walor_show(c, T(c, "closed_by_you"), NULL);
    }
    if (!strncmp(arg, "topic:", 6))
        return sup_customer_open(c, arg + 6);
    return walor_answer(c, T(c, "stale"));
}

int32_t sup_customer_register(walor_plugin *p)
{
    static const walor_conv_state st[] = {
        {.struct_size = sizeof st[0], .name = "ask", .on_message = on_message},
    };
    static const walor_conv_def conv = {.struct_size = sizeof conv, .min_role = WALOR_ROLE_CLIENT, .name = CONV,
                                        .states = st, .nstates = 1, .timeout_s = 2 * 86400};
    static const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_CLIENT,
                                        .where = WALOR_MENU_MAIN, .order = 700, .id = "support",
                                        .label = "💬 Поддержка", .on_press = on_menu};
    static const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "sup",
                                          .handler = on_callback};
#define CMD(n, d, f) {.struct_size = sizeof(walor_command_def), .min_role = WALOR_ROLE_CLIENT, .name = (n), \
                      .description = (d), .handler = (f), .flags = WALOR_CMD_LISTED}
    static const walor_command_def cmds[] = {
        CMD("support", "Задать вопрос поддержке", cmd_support),
        CMD("operator", "Позвать оператора", cmd_operator),
        CMD("relax", "Поддержка: отдых и сон", cmd_relax),
        CMD("health", "Поддержка: здоровье", cmd_health),
        CMD("skin", "Поддержка: уход за кожей", cmd_skin),
        CMD("home", "Поддержка: дом", cmd_home),
        CMD("mix", "Поддержка: подборки и подарки", cmd_mix),
        {.struct_size = sizeof(walor_command_def), .min_role = WALOR_ROLE_CLIENT, .name = "topic",
         .description = "Поддержка: выбрать тему", .handler = cmd_topic_named},
    };
#undef CMD
    int32_t rc = walor_conversation(p, &conv);
    if (!rc) rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    for (size_t i = 0; !rc && i < sizeof cmds / sizeof cmds[0]; i++)
        rc = walor_command(p, &cmds[i]);
    return rc;
}
