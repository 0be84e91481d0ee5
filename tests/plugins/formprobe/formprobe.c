/* formprobe: the corners of the SDK 1.3 toolkit the hello example does not
 * reach, for tests/e2e/test_sdk_toolkit_types.py:
 *   /form     a form of every typed step (e-mail, phone or a shared contact,
 *             photo, date, signed money, text asked by prompt_fn, a CHOICE
 *             whose choices come from a table) with a summary_fn; on_done
 *             keeps the data as JSON so the test sees what types landed;
 *   /plain    a hand-written conversation asked with walor_conv_ask and no
 *             on_cancel: the host's own cancel;
 *   /items N  a paged list of N items rendered by index (no SQL);
 *   /order    the step extensions a real screen needed: a place typed or
 *             shared as a location, the plugin's own skip and keep words,
 *             a list typed or sent as a .txt file and replaced at the
 *             summary, {input} in a refusal, a step asked only when it
 *             applies, a confirm button of its own and a refusal that
 *             stays at the summary.
 * With [plugin.formprobe] bad_texts = yes, walor_texts gets a taken key and
 * the plugin is refused. */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>

static const char *S(json_t *d, const char *k) { return json_string_value(json_object_get(d, k)); }

/* ---- /form ---- */

static const walor_step_choice *sizes(walor_ctx *c, json_t *data, uint32_t *n)
{
    (void)data;
    walor_rows *r = NULL;
    walor_step_choice *v = walor_ctx_alloc(c, 8 * sizeof *v);
    *n = 0;
    if (!v || walor_db_query(c, "SELECT value, label FROM formprobe_size ORDER BY value LIMIT 8", NULL, 0, &r) < 0)
        return NULL;
    while (walor_row_next(r) == 1) {
        v[*n].value = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
        v[*n].label = walor_ctx_printf(c, "%s", walor_col_text(r, 1));
        (*n)++;
    }
    walor_rows_close(r);
    return v;
}

static const char *note_prompt(walor_ctx *c, json_t *data)
{
    return walor_ctx_printf(c, "Заметка для <b>%s</b>:", walor_html_escape(c, S(data, "email")));
}

static const char *summary(walor_ctx *c, json_t *data)
{
    return walor_ctx_printf(c, "Сводка: %s, размер %s", walor_html_escape(c, S(data, "email")),
                            walor_html_escape(c, S(data, "size")));
}

static const walor_step_def steps[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_EMAIL, .key = "email", .prompt = "E-mail:"},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_PHONE, .key = "phone", .prompt = "Телефон:"},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_PHOTO, .key = "photo", .prompt = "Фото:",
     .flags = WALOR_STEP_SKIP},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_DATE, .key = "day", .prompt = "Дата ({min}–{max}):",
     .min = 0, .max = 30},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_MONEY, .key = "delta",
     .prompt = "Сумма ({min} … {max}):", .min = -100000, .max = 100000},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_CHOICE, .key = "size", .prompt = "Размер:",
     .choices_fn = sizes},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "note", .prompt_fn = note_prompt,
     .max = 100},
};

static int32_t form_done(walor_ctx *c, json_t *data)
{
    char *s = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    int32_t rc = walor_db_exec(c, "INSERT INTO formprobe_done(data) VALUES (?)", WALOR_ARGS(walor_s(s)));
    free(s);
    return rc < 0 ? rc : walor_reply(c, "записано", NULL);
}

/* ---- /order ---- */

static const char *place_shown(walor_ctx *c, json_t *v)
{
    if (json_is_object(v))
        return walor_ctx_printf(c, "точка %.4f, %.4f", json_real_value(json_object_get(v, "lat")),
                                json_real_value(json_object_get(v, "lon")));
    return walor_html_escape(c, json_string_value(v) ? json_string_value(v) : "—");
}

/* every line of the list is "word number"; a line "плохо" is refused, naming what was typed */
static int32_t list_ok(walor_ctx *c, json_t *value, const char **why)
{
    (void)c;
    if (strstr(json_string_value(value), "плохо")) {
        *why = "Строки «{input}» не подходят.";
        return WALOR_EINVAL;
    }
    return 0;
}

static int32_t paid_delivery(walor_ctx *c, json_t *data)
{
    (void)c;
    return json_integer_value(json_object_get(data, "cost")) > 0;
}

static const walor_step_choice payers[] = {{"client", "Клиент"}, {"shop", "Магазин"}};
static const walor_step_def order_steps[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "place", .prompt = "Куда?",
     .label = "Куда", .max = 100, .flags = WALOR_STEP_LOCATION | WALOR_STEP_KEEP, .keep_label = "✅ {value}"},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_EMAIL, .key = "email", .prompt = "Почта:",
     .label = "Почта", .error = "Адрес «{input}» не похож на почту.", .flags = WALOR_STEP_SKIP,
     .skip_label = "Без почты"},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "list", .prompt = "Список:",
     .label = "Список", .max = 0, .flags = WALOR_STEP_FILE | WALOR_STEP_AT_SUMMARY, .validate = list_ok},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_MONEY, .key = "cost", .prompt = "Доставка:",
     .label = "Доставка"},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_CHOICE, .key = "payer", .prompt = "Кто платит {cost}?",
     .label = "Кто платит", .nchoices = 2, .choices = payers, .ask_if = paid_delivery},
};

static int lines_of(const char *s)
{
    int n = s && *s;
    for (; s && *s; s++)
        n += *s == '\n' && s[1];
    return n;
}

static const char *order_summary(walor_ctx *c, json_t *d)
{
    int paid = json_integer_value(json_object_get(d, "cost")) > 0;
    return walor_ctx_printf(c, "Заказ: %s; строк %d; доставка %s%s", place_shown(c, json_object_get(d, "place")),
                            lines_of(S(d, "list")), walor_money(c, json_integer_value(json_object_get(d, "cost"))),
                            paid ? walor_ctx_printf(c, ", платит %s", S(d, "payer") ? S(d, "payer") : "?") : "");
}

static int32_t order_done(walor_ctx *c, json_t *data)
{
    const char *list = S(data, "list");
    if (list && strstr(list, "нет на складе"))
        return walor_form_retry(c, NULL, "Не хватает товара: исправьте список.");
    return form_done(c, data);
}

/* ---- /plain ---- */

static int32_t plain_ask(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, "Хорошо", "good");
    return walor_conv_ask(c, "Как дела?", kb);
}

static int32_t plain_message(walor_ctx *c, const char *text)
{
    walor_conv_end(c);
    return walor_reply(c, walor_ctx_printf(c, "Ответ: %s", walor_html_escape(c, text)), NULL);
}

static int32_t plain_button(walor_ctx *c, const char *arg)
{
    walor_conv_end(c);
    return walor_reply(c, walor_ctx_printf(c, "Кнопка: %s", walor_html_escape(c, arg)), NULL);
}

static const walor_conv_state plain_states[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "q", .on_enter = plain_ask, .on_message = plain_message,
     .on_callback = plain_button},
};

/* ---- /items N ---- */

static const char *item(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)r, (void)kb, (void)ud;
    return walor_ctx_printf(c, "Пункт %lld", (long long)index + 1);
}

static int32_t items(walor_ctx *c, int64_t n, const char *page)
{
    walor_list_def l = {.struct_size = sizeof l, .page_size = 3, .total = n, .row = item,
                        .page_data = walor_ctx_printf(c, "fp:l:%lld:", (long long)n), .header = "Пункты:",
                        .empty = "Пусто.", .footer = "Конец списка"};
    return walor_list_show(c, &l, page);
}

static int32_t on_fp(walor_ctx *c, const char *arg)
{
    char *end = NULL;
    long long n = strtoll(arg + 2, &end, 10);
    if (strncmp(arg, "l:", 2) != 0 || !end || *end != ':')
        return walor_reply(c, "?", NULL);
    return items(c, n, end + 1);
}

/* ---- commands, registration ---- */

static int32_t cmd_form(walor_ctx *c, const char *a) { (void)a; return walor_conv_start(c, "all", NULL, NULL); }
static int32_t cmd_plain(walor_ctx *c, const char *a) { (void)a; return walor_conv_start(c, "plain", NULL, NULL); }
static int32_t cmd_items(walor_ctx *c, const char *a) { return items(c, strtoll(a, NULL, 10), NULL); }
static int32_t cmd_order(walor_ctx *c, const char *a)
{
    (void)a;
    json_t *d = json_pack("{s:s}", "place", "Москва, Тверская 1"); /* remembered from last time */
    int32_t rc = walor_conv_start(c, "order", NULL, d);
    json_decref(d);
    return rc;
}

static const walor_text_pair texts[] = {
    {"formprobe.hello", "привет"},
    {"formprobe.bye", "пока"},
};
static const walor_text_pair bad_texts[] = {
    {"formprobe.ok", "этот сначала проходит проверку"},
    {"formprobe.hello", "а этот уже есть"},
};

#define CMD(n, f) {.struct_size = sizeof(walor_command_def), .name = (n), .description = (n), .handler = (f)}

static int32_t load(walor_plugin *p)
{
    static const walor_command_def cmds[] = {CMD("form", cmd_form), CMD("plain", cmd_plain), CMD("items", cmd_items),
                                                CMD("order", cmd_order)};
    const walor_callback_def cb = {.struct_size = sizeof cb, .prefix = "fp", .handler = on_fp};
    const walor_form_def all = {.struct_size = sizeof all, .name = "all", .steps = steps,
                                .nsteps = sizeof steps / sizeof steps[0], .summary_fn = summary, .on_done = form_done};
    const walor_form_def order = {.struct_size = sizeof order, .name = "order", .steps = order_steps,
                                  .nsteps = sizeof order_steps / sizeof order_steps[0], .summary_fn = order_summary,
                                  .on_done = order_done, .done_label = "✅ Провести"};
    const walor_conv_def plain = {.struct_size = sizeof plain, .name = "plain", .states = plain_states, .nstates = 1};
    int32_t rc = walor_migration(p, 1,
                                 "CREATE TABLE formprobe_done (id INTEGER PRIMARY KEY, data TEXT NOT NULL);"
                                 "CREATE TABLE formprobe_size (value TEXT PRIMARY KEY, label TEXT NOT NULL);"
                                 "INSERT INTO formprobe_size VALUES ('s', 'Маленький'), ('m', 'Средний');");
    for (size_t i = 0; rc == 0 && i < sizeof cmds / sizeof *cmds; i++)
        rc = walor_command(p, &cmds[i]);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_form(p, &all);
    if (!rc) rc = walor_form(p, &order);
    if (!rc) rc = walor_conversation(p, &plain);
    if (!rc) rc = walor_texts(p, texts, 2);
    const char *bad = walor_plugin_config(p, "bad_texts");
    if (!rc && bad && !strcmp(bad, "yes"))
        rc = walor_texts(p, bad_texts, 2);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "formprobe", .version = "1.0.0", .description = "Плагин для тестов форм и списков",
                    .min_host_minor = 3, .load = load)
