/* hello: the smallest complete Walor plugin. It shows every kind of
 * registration a shop plugin uses — a command, main-menu and admin buttons,
 * callback prefixes, forms, a paged list, a setting, texts the merchant can
 * override, a migration — written with the SDK 1.3 toolkit:
 *   - the counter screen (callback → one DB read → edit in place), which is
 *     also what `make bench` drives;
 *   - "📝 Познакомиться": a client form of two steps (the second with quick
 *     answers), asked again with the old answers kept when the user returns;
 *   - "📇 Контакты": a complete staff screen — a paged list with a button a
 *     row and a three-step form (name, phone, birthday) with a summary, the
 *     same form editing a contact, and a duplicate refused in on_done.
 * docs/plugin-guide.md walks through it. */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>

static const char *greeting(walor_ctx *c)
{
    const char *g = walor_setting_str(c, "greeting");
    return g && *g ? g : "Привет";
}

/* ---- the counter: one read, one edit ---- */

static int32_t show_counter(walor_ctx *c)
{
    int64_t n = 0;
    int32_t rc = walor_db_int(c, "SELECT clicks FROM hello_clicks WHERE user_id = ?",
                              WALOR_ARGS(walor_i(walor_ctx_user_id(c))), &n);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, "➕ Ещё", "hello:inc");
    walor_kb_button(kb, "🔄", walor_ctx_printf(c, "hello:show:%lld", (long long)walor_now(c)));
    walor_kb_row(kb);
    walor_kb_button(kb, "🏠 Меню", "m:core.main");
    /* {n} stays the number a merchant's text may use alone; {times} agrees with it */
    return walor_show(c,
                      walor_textf(c, "hello.counter", "greeting", walor_html_escape(c, greeting(c)), "n",
                                  walor_number(c, n, 0), "times", walor_plural(c, n, "раз|раза|раз", WALOR_PLURAL_WORD),
                                  NULL),
                      kb);
}

static int32_t on_hello_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "inc") == 0) {
        int32_t rc = walor_db_exec(c,
                                   "INSERT INTO hello_clicks(user_id, clicks) VALUES (?, 1) "
                                   "ON CONFLICT(user_id) DO UPDATE SET clicks = hello_clicks.clicks + 1",
                                   WALOR_ARGS(walor_i(walor_ctx_user_id(c))));
        if (rc < 0)
            return rc;
        walor_answer(c, "+1");
    }
    return show_counter(c);
}

static int32_t cmd_hello(walor_ctx *c, const char *args)
{
    (void)args;
    return show_counter(c);
}

static int32_t press_menu(walor_ctx *c) { return show_counter(c); }

static const char *menu_label(walor_ctx *c)
{
    int64_t n = 0;
    if (walor_db_int(c, "SELECT clicks FROM hello_clicks WHERE user_id = ?",
                     WALOR_ARGS(walor_i(walor_ctx_user_id(c))), &n) != 0 || n == 0)
        return NULL; /* the static label */
    return walor_ctx_printf(c, "👋 Привет (%lld)", (long long)n);
}

/* ---- "📝 Познакомиться": a client form, name → city ---- */

static const walor_step_choice cities[] = {{"Москва", "Москва"}, {"Санкт-Петербург", "Санкт-Петербург"}};
static const walor_step_def intro_steps[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "name", .prompt = "hello.ask_name",
     .error = "hello.bad_name", .min = 1, .max = 64, .flags = WALOR_STEP_KEEP},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "city", .prompt = "hello.ask_city",
     .max = 64, .flags = WALOR_STEP_KEEP, .nchoices = 2, .choices = cities},
};

static int32_t intro_done(walor_ctx *c, json_t *d)
{
    const char *name = json_string_value(json_object_get(d, "name"));
    const char *city = json_string_value(json_object_get(d, "city"));
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO hello_intro(user_id, name, city) VALUES (?, ?, ?) "
                               "ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, city = excluded.city",
                               WALOR_ARGS(walor_i(walor_ctx_user_id(c)), walor_s(name), walor_s(city)));
    if (rc < 0)
        return rc;
    return walor_reply(c,
                       walor_textf(c, "hello.done", "greeting", walor_html_escape(c, greeting(c)), "name",
                                   walor_html_escape(c, name), "city", walor_html_escape(c, city), NULL),
                       NULL);
}

/* a returning user sees their answers with "↩️ Оставить" (WALOR_STEP_KEEP) */
static int32_t press_intro(walor_ctx *c)
{
    walor_rows *r = NULL;
    json_t *d = json_object();
    if (walor_db_query(c, "SELECT name, city FROM hello_intro WHERE user_id = ?",
                       WALOR_ARGS(walor_i(walor_ctx_user_id(c))), &r) == 0 && walor_row_next(r) == 1) {
        json_object_set_new(d, "name", json_string(walor_col_text(r, 0)));
        json_object_set_new(d, "city", json_string(walor_col_text(r, 1)));
    }
    walor_rows_close(r);
    int32_t rc = walor_conv_start(c, "intro", NULL, d);
    json_decref(d);
    return rc;
}

/* ---- "📇 Контакты": a staff screen, a paged list and a three-step form ---- */

static const char *contact_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    const char *name = walor_html_escape(c, walor_col_text(r, 1));
    walor_kb_button(kb, walor_ctx_printf(c, "✏️ %s", walor_col_text(r, 1)),
                    walor_ctx_printf(c, "hellos:e:%lld", (long long)walor_col_int(r, 0)));
    return walor_textf(c, "hello.contact", "name", name, "phone", walor_col_text(r, 2) ? walor_col_text(r, 2) : "—",
                       NULL);
}

static int32_t contacts(walor_ctx *c, const char *page)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, "➕ Добавить", "hellos:new");
    walor_kb_button(kb, "⬅️ Админ-панель", "m:core.admin");
    walor_list_def l = {.struct_size = sizeof l, .page_size = 5, .row = contact_row, .page_data = "hellos:p:",
                        .sql = "SELECT id, name, phone FROM hello_contacts ORDER BY name, id",
                        .header = walor_text(c, "hello.contacts"), .empty = walor_text(c, "hello.no_contacts"),
                        .buttons = kb};
    return walor_list_show(c, &l, page);
}

static int32_t edit_contact(walor_ctx *c, const char *id)
{
    walor_rows *r = NULL;
    json_t *d = NULL;
    if (walor_db_query(c, "SELECT id, name, phone, birthday FROM hello_contacts WHERE id = ?",
                       WALOR_ARGS(walor_i(strtoll(id, NULL, 10))), &r) == 0 && walor_row_next(r) == 1)
        d = json_pack("{s:I, s:s, s:s?, s:s?}", "id", (json_int_t)walor_col_int(r, 0), "name", walor_col_text(r, 1),
                      "phone", walor_col_text(r, 2), "birthday", walor_col_text(r, 3));
    walor_rows_close(r);
    if (!d)
        return contacts(c, NULL); /* deleted meanwhile, or a forged id */
    int32_t rc = walor_conv_start(c, "contact", NULL, d);
    json_decref(d);
    return rc;
}

static int32_t on_contacts(walor_ctx *c, const char *arg)
{
    if (strncmp(arg, "p:", 2) == 0)
        return contacts(c, arg + 2);
    if (strncmp(arg, "e:", 2) == 0)
        return edit_contact(c, arg + 2);
    if (strcmp(arg, "new") == 0)
        return walor_conv_start(c, "contact", NULL, NULL);
    return contacts(c, NULL);
}

static const walor_step_def contact_steps[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "name", .prompt = "hello.c.name",
     .label = "Имя", .min = 1, .max = 64, .flags = WALOR_STEP_KEEP},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_PHONE, .key = "phone", .prompt = "hello.c.phone",
     .label = "Телефон", .flags = WALOR_STEP_SKIP | WALOR_STEP_KEEP},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_DATE, .key = "birthday", .prompt = "hello.c.birthday",
     .label = "День рождения", .min = -365 * 120, .max = 0, .flags = WALOR_STEP_SKIP | WALOR_STEP_KEEP},
};

static int32_t contact_done(walor_ctx *c, json_t *d)
{
    int64_t id = json_integer_value(json_object_get(d, "id")), other = 0;
    const char *name = json_string_value(json_object_get(d, "name"));
    const char *phone = json_string_value(json_object_get(d, "phone")); /* NULL when skipped */
    const char *bday = json_string_value(json_object_get(d, "birthday"));
    if (phone && walor_db_int(c, "SELECT id FROM hello_contacts WHERE phone = ? AND id <> ?",
                              WALOR_ARGS(walor_s(phone), walor_i(id)), &other) == 0)
        return walor_form_retry(c, "phone", "hello.c.phone_taken"); /* say why, ask the phone again */
    int32_t rc = id ? walor_db_exec(c, "UPDATE hello_contacts SET name = ?, phone = ?, birthday = ? WHERE id = ?",
                                    WALOR_ARGS(walor_s(name), walor_s(phone), walor_s(bday), walor_i(id)))
                    : walor_db_exec(c, "INSERT INTO hello_contacts(name, phone, birthday) VALUES (?, ?, ?)",
                                    WALOR_ARGS(walor_s(name), walor_s(phone), walor_s(bday)));
    if (rc < 0)
        return rc;
    walor_action_log(c, walor_ctx_printf(c, "%s контакт %s", id ? "изменил" : "добавил", name));
    return contacts(c, NULL);
}

static int32_t contact_cancel(walor_ctx *c) { return contacts(c, NULL); }
static int32_t press_contacts(walor_ctx *c) { return contacts(c, NULL); }

/* ---- registration ---- */

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM hello_clicks WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM hello_intro WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

static const walor_text_pair texts[] = {
    {"hello.counter", "{greeting}! Вы нажали кнопку <b>{n}</b> {times}."},
    {"hello.ask_name", "Как вас зовут?"},
    {"hello.bad_name", "Имя должно быть от 1 до 64 символов."},
    {"hello.ask_city", "Приятно познакомиться, {name}! Из какого вы города?"},
    {"hello.done", "{greeting}, {name} из города {city}! Записал."},
    {"hello.contacts", "📇 <b>Контакты</b>"},
    {"hello.no_contacts", "📇 Контактов пока нет."},
    {"hello.contact", "{name} — {phone}"},
    {"hello.c.name", "Имя контакта:"},
    {"hello.c.phone", "Телефон {name}:"},
    {"hello.c.birthday", "День рождения {name} (например, 25.12.1990):"},
    {"hello.c.summary", "<b>{name}</b>\nТелефон: {phone}\nДень рождения: {birthday}"},
    {"hello.c.phone_taken", "Этот телефон уже записан у другого контакта."},
};

static int32_t load(walor_plugin *p)
{
    int32_t rc = 0;
    const walor_command_def cmd = {.struct_size = sizeof cmd, .name = "hello", .description = "Счётчик приветствий",
                                   .handler = cmd_hello, .flags = WALOR_CMD_LISTED};
    const walor_callback_def cb = {.struct_size = sizeof cb, .prefix = "hello", .handler = on_hello_cb};
    const walor_callback_def staff = {.struct_size = sizeof staff, .min_role = WALOR_ROLE_MANAGER, .prefix = "hellos",
                                      .handler = on_contacts};
    const walor_menu_def menu = {.struct_size = sizeof menu, .where = WALOR_MENU_MAIN, .order = 500, .id = "hello",
                                 .label = "👋 Привет", .label_fn = menu_label, .on_press = press_menu};
    const walor_menu_def intro = {.struct_size = sizeof intro, .where = WALOR_MENU_MAIN, .order = 510, .id = "intro",
                                  .label = "📝 Познакомиться", .on_press = press_intro};
    const walor_menu_def admin = {.struct_size = sizeof admin, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                                  .order = 900, .id = "contacts", .label = "📇 Контакты", .on_press = press_contacts,
                                  .group = WALOR_MENU_GROUP_CLIENTS};
    const walor_form_def intro_form = {.struct_size = sizeof intro_form, .name = "intro", .steps = intro_steps,
                                       .nsteps = 2, .timeout_s = 600, .on_done = intro_done};
    const walor_form_def contact_form = {.struct_size = sizeof contact_form, .min_role = WALOR_ROLE_MANAGER,
                                         .name = "contact", .steps = contact_steps, .nsteps = 3, .timeout_s = 1800,
                                         .summary = "hello.c.summary", .on_done = contact_done,
                                         .on_cancel = contact_cancel};
    const walor_setting_def greet = {.struct_size = sizeof greet, .type = WALOR_SET_STRING, .key = "greeting",
                                     .label = "Приветствие в счётчике", .default_value = "Привет", .min = 1,
                                     .max = 40, .flags = WALOR_SET_OWNER_EDITABLE};
    if (!rc) rc = walor_migration(p, 1,
                                  "CREATE TABLE hello_clicks (user_id INTEGER PRIMARY KEY, clicks INTEGER NOT NULL);"
                                  "CREATE TABLE hello_intro (user_id INTEGER PRIMARY KEY, name TEXT, city TEXT);");
    if (!rc) rc = walor_migration(p, 2,
                                  "CREATE TABLE hello_contacts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                  "phone TEXT UNIQUE, birthday TEXT);");
    if (!rc) rc = walor_command(p, &cmd);
    if (!rc) rc = walor_callback(p, &cb);
    if (!rc) rc = walor_callback(p, &staff);
    if (!rc) rc = walor_menu(p, &menu);
    if (!rc) rc = walor_menu(p, &intro);
    if (!rc) rc = walor_menu(p, &admin);
    if (!rc) rc = walor_form(p, &intro_form);
    if (!rc) rc = walor_form(p, &contact_form);
    if (!rc) rc = walor_setting(p, &greet);
    if (!rc) rc = walor_texts(p, texts, sizeof texts / sizeof texts[0]);
    if (!rc) rc = walor_wipe(p, wipe);
    return rc;
}

/* the toolkit needs a 1.3 host (walor_form, walor_list_show) */
WALOR_PLUGIN_DEFINE(.name = "hello", .version = "1.3.0", .description = "Пример плагина: счётчик, знакомство, контакты",
                    .min_host_minor = 3, .load = load)
