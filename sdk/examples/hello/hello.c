/* hello: the smallest complete Walor plugin. It shows every kind of
 * registration a shop plugin uses: a command, a main-menu button with a
 * dynamic label, a callback prefix, a two-step conversation, a setting,
 * texts the merchant can override, and a migration. Its counter screen
 * (callback → one DB read → edit in place) is also what `make bench`
 * drives. */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>

static const char *greeting(walor_ctx *c)
{
    const char *g = walor_setting_str(c, "greeting");
    return g && *g ? g : "Привет";
}

/* the counter screen: one read, one edit */
static int32_t show_counter(walor_ctx *c)
{
    int64_t n = 0;
    int32_t rc = walor_db_int(c, "SELECT clicks FROM hello_clicks WHERE user_id = ?",
                              WALOR_ARGS(walor_i(walor_user_id(c))), &n);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, "➕ Ещё", "hello:inc");
    walor_kb_button(kb, "🔄", walor_ctx_printf(c, "hello:show:%lld", (long long)walor_now(c)));
    walor_kb_row(kb);
    walor_kb_button(kb, "🏠 Меню", "m:core.main");
    return walor_edit(c, walor_textf(c, "hello.counter", "greeting", walor_html_escape(c, greeting(c)), "n",
                                     walor_ctx_printf(c, "%lld", (long long)n), NULL),
                      kb);
}

static int32_t on_hello_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "inc") == 0) {
        int32_t rc = walor_db_exec(c,
                                   "INSERT INTO hello_clicks(user_id, clicks) VALUES (?, 1) "
                                   "ON CONFLICT(user_id) DO UPDATE SET clicks = clicks + 1",
                                   WALOR_ARGS(walor_i(walor_user_id(c))));
        if (rc < 0)
            return rc;
        walor_answer(c, "+1");
    }
    if (strcmp(arg, "ask") == 0)
        return walor_conv_start(c, "intro", NULL, NULL);
    return show_counter(c);
}

static int32_t cmd_hello(walor_ctx *c, const char *args)
{
    (void)args;
    return show_counter(c);
}

static int32_t press_menu(walor_ctx *c) { return show_counter(c); }
static int32_t press_intro(walor_ctx *c) { return walor_conv_start(c, "intro", NULL, NULL); }

static const char *menu_label(walor_ctx *c)
{
    int64_t n = 0;
    if (walor_db_int(c, "SELECT clicks FROM hello_clicks WHERE user_id = ?", WALOR_ARGS(walor_i(walor_user_id(c))),
                     &n) != 0 || n == 0)
        return NULL; /* the static label */
    return walor_ctx_printf(c, "👋 Привет (%lld)", (long long)n);
}

/* conversation "intro": name → city → summary */
static int32_t ask_name(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, "✖️ Отмена", "cancel");
    return walor_reply(c, walor_text(c, "hello.ask_name"), kb);
}

static int32_t got_name(walor_ctx *c, const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len > 64)
        return walor_reply(c, walor_text(c, "hello.bad_name"), NULL);
    json_object_set_new(walor_conv_data(c), "name", json_string(text));
    return walor_conv_goto(c, "city");
}

static int32_t ask_city(walor_ctx *c)
{
    const char *name = json_string_value(json_object_get(walor_conv_data(c), "name"));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, "Москва", "city:Москва");
    walor_kb_conv_button(kb, "Санкт-Петербург", "city:Санкт-Петербург");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, "✖️ Отмена", "cancel");
    return walor_reply(c, walor_textf(c, "hello.ask_city", "name", walor_html_escape(c, name), NULL), kb);
}

static int32_t finish(walor_ctx *c, const char *city)
{
    const char *name = json_string_value(json_object_get(walor_conv_data(c), "name"));
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO hello_intro(user_id, name, city) VALUES (?, ?, ?) "
                               "ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, city = excluded.city",
                               WALOR_ARGS(walor_i(walor_user_id(c)), walor_s(name), walor_s(city)));
    if (rc < 0)
        return rc;
    walor_conv_end(c);
    return walor_reply(c,
                       walor_textf(c, "hello.done", "greeting", walor_html_escape(c, greeting(c)), "name",
                                   walor_html_escape(c, name), "city", walor_html_escape(c, city), NULL),
                       NULL);
}

static int32_t got_city(walor_ctx *c, const char *text)
{
    if (!*text)
        return walor_reply(c, walor_text(c, "hello.bad_city"), NULL);
    return finish(c, text);
}

static int32_t city_button(walor_ctx *c, const char *arg)
{
    if (strncmp(arg, "city:", 5) == 0)
        return finish(c, arg + 5);
    walor_conv_end(c);
    walor_answer(c, "Отменено");
    return walor_show_main_menu(c);
}

static int32_t name_button(walor_ctx *c, const char *arg)
{
    (void)arg; /* only "cancel" */
    walor_conv_end(c);
    walor_answer(c, "Отменено");
    return walor_show_main_menu(c);
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM hello_clicks WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM hello_intro WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

static const walor_conv_state intro_states[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "name", .on_enter = ask_name, .on_message = got_name,
     .on_callback = name_button},
    {.struct_size = sizeof(walor_conv_state), .name = "city", .on_enter = ask_city, .on_message = got_city,
     .on_callback = city_button},
};

static int32_t load(walor_plugin *p)
{
    int32_t rc = 0;
    const walor_command_def cmd = {.struct_size = sizeof cmd, .name = "hello", .description = "Счётчик приветствий",
                                   .handler = cmd_hello, .flags = WALOR_CMD_LISTED};
    const walor_callback_def cb = {.struct_size = sizeof cb, .prefix = "hello", .handler = on_hello_cb};
    const walor_menu_def menu = {.struct_size = sizeof menu, .where = WALOR_MENU_MAIN, .order = 500, .id = "hello",
                                 .label = "👋 Привет", .label_fn = menu_label, .on_press = press_menu};
    const walor_menu_def intro = {.struct_size = sizeof intro, .where = WALOR_MENU_MAIN, .order = 510, .id = "intro",
                                  .label = "📝 Познакомиться", .on_press = press_intro};
    const walor_conv_def conv = {.struct_size = sizeof conv, .name = "intro", .states = intro_states,
                                 .nstates = 2, .timeout_s = 600};
    const walor_setting_def greet = {.struct_size = sizeof greet, .type = WALOR_SET_STRING, .key = "greeting",
                                     .label = "Приветствие в счётчике", .default_value = "Привет", .min = 1,
                                     .max = 40, .flags = WALOR_SET_OWNER_EDITABLE};
    if (!rc) rc = walor_migration(p, 1,
                                  "CREATE TABLE hello_clicks (user_id INTEGER PRIMARY KEY, clicks INTEGER NOT NULL);"
                                  "CREATE TABLE hello_intro (user_id INTEGER PRIMARY KEY, name TEXT, city TEXT);");
    if (!rc) rc = walor_command(p, &cmd);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_menu(p, &menu);
    if (!rc) rc = walor_menu(p, &intro);
    if (!rc) rc = walor_conversation(p, &conv);
    if (!rc) rc = walor_setting(p, &greet);
    if (!rc) rc = walor_text_default(p, "hello.counter", "{greeting}! Вы нажали кнопку <b>{n}</b> раз.");
    if (!rc) rc = walor_text_default(p, "hello.ask_name", "Как вас зовут?");
    if (!rc) rc = walor_text_default(p, "hello.bad_name", "Имя должно быть от 1 до 64 символов. Как вас зовут?");
    if (!rc) rc = walor_text_default(p, "hello.ask_city", "Приятно познакомиться, {name}! Из какого вы города?");
    if (!rc) rc = walor_text_default(p, "hello.bad_city", "Напишите город текстом или выберите кнопкой.");
    if (!rc) rc = walor_text_default(p, "hello.done", "{greeting}, {name} из города {city}! Записал.");
    if (!rc) rc = walor_on_wipe(p, wipe);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "hello", .version = "1.0.0", .description = "Пример плагина: счётчик и знакомство",
                    .load = load)
