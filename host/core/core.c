/* The built-in "core" plugin: the host's own screens, written against the
 * same SDK as any plugin so that they exercise it and look like the rest. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "log.h"
#include "menu.h"
#include "report.h"
#include "settings.h"
#include "texts.h"
#include "users.h"

#define SETTINGS_PAGE 12

static const walor_text_pair texts[] = {
    {"core.menu", "👋 {first_name}, добро пожаловать! Выберите раздел:"},
    {"core.closed", "🏖 Магазин временно не принимает заказы."},
    {"core.stale", "Эта кнопка устарела — вот актуальное меню."},
    {"core.denied", "⛔ Недостаточно прав для этого действия."},
    {"core.error", "😔 Что-то пошло не так. Мы уже разбираемся — попробуйте, пожалуйста, ещё раз чуть позже."},
    {"core.error_short", "Что-то пошло не так, попробуйте ещё раз."},
    {"core.set_aside", "Это действие не удалось прочитать. Откройте меню: /start"},
    {"core.unknown_command", "Такой команды нет. Откройте меню: /start"},
    {"core.not_understood", "Я не понял сообщение. Выберите действие в меню:"},
    {"core.use_buttons", "Пожалуйста, воспользуйтесь кнопками выше или отправьте /cancel."},
    {"core.cancelled", "Действие отменено."},
    {"core.nothing_to_cancel", "Нечего отменять. Меню: /start"},
    {"core.conv_expired", "⌛ Время на ответ истекло — начните, пожалуйста, заново."},
    {"core.btn.admin", "🛠 Админ-панель"},
    {"core.btn.main", "🏠 Главное меню"},
    {"core.btn.back", "⬅️ Назад"},
    {"core.btn.channel", "📢 Наш канал"},
    {"core.btn.cancel", "✖️ Отмена"},
    {"core.admin.title", "🛠 <b>Админ-панель</b>"},
    {"core.about.empty", "Информация о магазине скоро появится."},
    {"core.settings.title", "⚙️ <b>Настройки</b>\nВыберите параметр, чтобы изменить его.\n"},
    {"core.settings.prompt", "Введите новое значение для «{label}».\nСейчас: {value}\n\n{hint}"},
    {"core.settings.bad", "❌ {why}\nПопробуйте ещё раз или нажмите «Отмена»."},
    {"core.settings.saved", "✅ Сохранено: «{label}» = {value}"},
    {"core.staff.title", "👥 <b>Персонал</b>\nМенеджеры: {managers}\nТестировщики: {testers}"},
    {"core.staff.ask", "Отправьте Telegram ID пользователя, его @username или перешлите сюда его сообщение."
                       "\nПользователь должен хотя бы раз запустить бота."},
    {"core.staff.not_found", "❌ Не нашёл такого пользователя. Он должен сначала нажать /start в боте."},
    {"core.staff.added", "✅ {name} теперь {role}."},
    {"core.staff.granted", "Вам выданы права: {role}. Откройте /admin."},
    {"core.staff.wipe_confirm", "Удалить все данные тестировщиков (заказы, корзины и т. п.)? Это необратимо."},
    {"core.staff.wiped", "🧹 Данные тестировщиков удалены ({n})."},
    {"core.cancelled_short", "Отменено"},
    /* paged lists (host/ui/pager.c) */
    {"core.list.prev", "◀️"},
    {"core.list.next", "▶️"},
    {"core.list.page", "Страница {page} из {pages}"},
    {"core.list.stale", "Эта кнопка устарела — вот первая страница."},
    /* forms (host/ui/steps.c) */
    {"core.step.again", "❌ {why}\n\n{question}"},
    {"core.step.bad", "Такой ответ не подходит."},
    {"core.step.choose", "Выберите один из вариантов кнопкой."},
    {"core.step.gone", "Этот вариант больше недоступен — выберите другой."},
    {"core.step.stale", "Эта кнопка от другого вопроса — ответьте на последний."},
    {"core.step.keep", "↩️ Оставить: {value}"},
    {"core.step.skip", "⏭ Пропустить"},
    {"core.step.photo", "📷 фото"},
    {"core.step.done", "✅ Готово"},
    {"core.step.edit", "✏️ Изменить"},
    {"core.step.which", "Что изменить?"},
    {"core.step.use_buttons", "Нажмите «{done}», «✏️ Изменить» или «✖️ Отмена»."},
    {"core.step.file_big", "Файл слишком большой: пришлите файл поменьше или напишите текст сообщением."},
    {"core.step.file_failed", "Не удалось получить файл, пришлите его ещё раз."},
    {"core.step.not_text", "Это не текстовый файл: пришлите .txt или напишите текст сообщением."},
};

static walor_plugin *core;

static const char *T(const char *key) { return wh_text_get(key); }

/* ---- main menu, admin panel, about ---- */

static int32_t press_main(walor_ctx *c) { return wh_menu_show_main(c, 1); }
static int32_t press_admin(walor_ctx *c) { return wh_menu_show_admin(c, 1); }
static int32_t cmd_admin(walor_ctx *c, const char *a) { (void)a; return wh_menu_show_admin(c, 0); }
static int32_t cmd_menu(walor_ctx *c, const char *a) { (void)a; return wh_menu_show_main(c, 0); }

void wh_core_start(walor_ctx *c)
{
    const wh_setting *s = wh_find_setting("shop.start_photo");
    const char *photo = s ? wh_setting_value(c, s, NULL) : NULL;
    if (photo && *photo)
        walor_send_photo(c, c->chat_id, photo, NULL, NULL, 0, NULL);
    wh_menu_show_main(c, 0);
}

static int32_t press_about(walor_ctx *c)
{
    const char *text = walor_setting_str(c, "shop.about_text");
    const char *photo = walor_setting_str(c, "shop.about_photo");
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T("core.btn.back"), "m:core.main");
    if (photo && *photo) {
        /* a photo message cannot become a text menu later: send it anew */
        return walor_send_photo(c, c->chat_id, photo, text && *text ? text : NULL, kb, 0, NULL);
    }
    return walor_show(c, text && *text ? text : T("core.about.empty"), kb);
}

/* ---- settings editor (F-HOST-08): every owner-editable setting of every plugin ---- */

/* The page's settings are listed in full in the message: a setting's label
 * is a sentence, while a button shows about 30 characters on a phone and
 * holds at most 128 bytes (a longer label is cut there, kb.c). */
static int32_t settings_list(walor_ctx *c, long page)
{
    walor_kb *kb = walor_kb_new(c);
    size_t idx = 0;
    const char *text = T("core.settings.title");
    for (size_t i = 0; i < wh_reg.settings.n; i++) {
        const wh_setting *s = &wh_reg.settings.v[i];
        if (!(s->def.flags & WALOR_SET_OWNER_EDITABLE))
            continue;
        if (idx++ / SETTINGS_PAGE != (size_t)page)
            continue;
        const char *value = wh_setting_display(c, s);
        text = walor_ctx_printf(c, "%s\n• %s: <b>%s</b>", text, walor_html_escape(c, s->def.label),
                                walor_html_escape(c, value));
        walor_kb_button(kb, walor_ctx_printf(c, "%s: %s", s->def.label, value),
                        walor_ctx_printf(c, "set:e:%s", s->key));
        walor_kb_row(kb);
    }
    if (page > 0)
        walor_kb_button(kb, "◀️", walor_ctx_printf(c, "set:l:%ld", page - 1));
    if ((size_t)(page + 1) * SETTINGS_PAGE < idx)
        walor_kb_button(kb, "▶️", walor_ctx_printf(c, "set:l:%ld", page + 1));
    walor_kb_row(kb);
    walor_kb_button(kb, T("core.btn.back"), "m:core.admin");
    return walor_show(c, text, kb);
}

static int32_t press_settings(walor_ctx *c) { return settings_list(c, 0); }

/* the page settings_list() shows s on */
static long page_of(const wh_setting *s)
{
    size_t idx = 0;
    for (size_t i = 0; i < wh_reg.settings.n; i++) {
        const wh_setting *x = &wh_reg.settings.v[i];
        if (x == s)
            return (long)(idx / SETTINGS_PAGE);
        if (x->def.flags & WALOR_SET_OWNER_EDITABLE)
            idx++;
    }
    return 0;
}

static const char *hint(const wh_setting *s, walor_ctx *c)
{
    switch (s->def.type) {
    case WALOR_SET_INT:
        return walor_ctx_printf(c, "Целое число от %lld до %lld.", (long long)s->def.min, (long long)s->def.max);
    case WALOR_SET_MONEY:
        return "Сумма в рублях, например 1500 или 1 500,50.";
    case WALOR_SET_TEXT:
        return "Текст; можно использовать <b>жирный</b> и <i>курсив</i>.";
    default:
        if (strstr(s->key, "_photo"))
            return "Отправьте фотографию или ссылку на неё.";
        return "Одна строка текста.";
    }
}

static int32_t on_set_cb(walor_ctx *c, const char *arg)
{
    if (strncmp(arg, "l:", 2) == 0)
        return settings_list(c, strtol(arg + 2, NULL, 10));
    const wh_setting *s = strlen(arg) > 2 ? wh_find_setting(arg + 2) : NULL;
    if (!s || !(s->def.flags & WALOR_SET_OWNER_EDITABLE)) {
        walor_answer(c, T("core.stale"));
        return settings_list(c, 0);
    }
    if (arg[0] == 'e' && s->def.type == WALOR_SET_BOOL) {
        int64_t v = 0;
        walor_setting_int(c, s->key, &v);
        int32_t rc = wh_setting_store(c, s, v ? "no" : "yes");
        if (rc == 0)
            walor_action_log(c, walor_ctx_printf(c, "настройка %s = %s", s->key, v ? "нет" : "да"));
        return rc < 0 ? rc : settings_list(c, page_of(s)); /* stay where the owner was */
    }
    if (arg[0] == 'e') {
        json_t *data = json_pack("{s:s}", "key", s->key);
        int32_t rc = walor_conv_start(c, "setting", NULL, data);
        json_decref(data);
        return rc;
    }
    return settings_list(c, 0);
}

static const wh_setting *conv_setting(walor_ctx *c)
{
    const char *key = json_string_value(json_object_get(walor_conv_data(c), "key"));
    return key ? wh_find_setting(key) : NULL;
}

static int32_t setting_enter(walor_ctx *c)
{
    const wh_setting *s = conv_setting(c);
    if (!s) {
        walor_conv_end(c);
        return settings_list(c, 0);
    }
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, "↩️ По умолчанию", "reset");
    walor_kb_conv_button(kb, T("core.btn.cancel"), "cancel");
    const char *text = walor_textf(c, "core.settings.prompt", "label", walor_html_escape(c, s->def.label), "value",
                                   walor_html_escape(c, wh_setting_display(c, s)), "hint",
                                   walor_html_escape(c, hint(s, c)), NULL);
    return walor_show(c, text, kb);
}

static const char *largest_photo(walor_ctx *c)
{
    json_t *photos = json_object_get(json_object_get(walor_ctx_update(c), "message"), "photo");
    size_t n = json_array_size(photos);
    return n ? json_string_value(json_object_get(json_array_get(photos, n - 1), "file_id")) : NULL;
}

static int32_t setting_message(walor_ctx *c, const char *text)
{
    const wh_setting *s = conv_setting(c);
    if (!s) {
        walor_conv_end(c);
        return 0;
    }
    const char *value = text;
    const char *photo = largest_photo(c);
    if (photo && strstr(s->key, "_photo"))
        value = photo;
    int32_t rc = wh_setting_store(c, s, value);
    if (rc == WALOR_EINVAL)
        return walor_reply(c, walor_textf(c, "core.settings.bad", "why", walor_html_escape(c, wh_last_error()), NULL),
                           NULL);
    if (rc < 0)
        return rc;
    walor_action_log(c, walor_ctx_printf(c, "настройка %s изменена", s->key));
    walor_conv_end(c);
    walor_reply(c, walor_textf(c, "core.settings.saved", "label", walor_html_escape(c, s->def.label), "value",
                               walor_html_escape(c, wh_setting_display(c, s)), NULL),
                NULL);
    return settings_list(c, 0);
}

static int32_t setting_callback(walor_ctx *c, const char *arg)
{
    const wh_setting *s = conv_setting(c);
    if (strcmp(arg, "reset") == 0 && s) {
        int32_t rc = wh_db_exec(c->w->db, "DELETE FROM wh_settings WHERE key = ?", WALOR_ARGS(walor_s(s->key)));
        if (rc < 0)
            return rc;
        walor_action_log(c, walor_ctx_printf(c, "настройка %s сброшена", s->key));
    }
    walor_conv_end(c);
    return settings_list(c, 0);
}

/* ---- staff (F-HOST-02) ---- */

static const char *names_with_role(walor_ctx *c, uint32_t role)
{
    wh_rows *r = NULL;
    const char *out = "";
    if (wh_db_query(c->w->db, "SELECT id, first_name, username FROM wh_users WHERE role = ? ORDER BY id LIMIT 50",
                    WALOR_ARGS(walor_i(role)), &r) < 0)
        return "—";
    while (wh_rows_next(r) == 1) {
        const char *u = wh_rows_text(r, 2);
        out = walor_ctx_printf(c, "%s%s%s%s%s (%lld)", out, *out ? ", " : "",
                               walor_html_escape(c, wh_rows_text(r, 1)), u ? " @" : "",
                               u ? walor_html_escape(c, u) : "", (long long)wh_rows_int(r, 0));
    }
    wh_rows_close(r);
    return *out ? out : "—";
}

static int32_t staff_list(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, "➕ Менеджер", "staff:add:2");
    walor_kb_button(kb, "➕ Тестировщик", "staff:add:1");
    walor_kb_row(kb);
    wh_rows *r = NULL;
    if (wh_db_query(c->w->db, "SELECT id, first_name, role FROM wh_users WHERE role > 0 ORDER BY role DESC, id LIMIT 40",
                    NULL, 0, &r) == 0) {
        while (wh_rows_next(r) == 1) {
            walor_kb_button(kb,
                            walor_ctx_printf(c, "✖️ %s (%s)", wh_rows_text(r, 1),
                                             wh_rows_int(r, 2) == WALOR_ROLE_MANAGER ? "менеджер" : "тестировщик"),
                            walor_ctx_printf(c, "staff:rm:%lld", (long long)wh_rows_int(r, 0)));
            walor_kb_row(kb);
        }
        wh_rows_close(r);
    }
    walor_kb_button(kb, "🧹 Очистить данные тестировщиков", "staff:wipe");
    walor_kb_row(kb);
    walor_kb_button(kb, T("core.btn.back"), "m:core.admin");
    return walor_show(c, walor_textf(c, "core.staff.title", "managers", names_with_role(c, WALOR_ROLE_MANAGER),
                                     "testers", names_with_role(c, WALOR_ROLE_TESTER), NULL),
                      kb);
}

static int32_t press_staff(walor_ctx *c) { return staff_list(c); }

static int32_t wipe_testers(walor_ctx *c)
{
    wh_rows *r = NULL;
    int64_t ids[200];
    size_t n = 0;
    if (wh_db_query(c->w->db, "SELECT id FROM wh_users WHERE role = ? LIMIT 200", WALOR_ARGS(walor_i(WALOR_ROLE_TESTER)),
                    &r) < 0)
        return WALOR_EDB;
    while (wh_rows_next(r) == 1 && n < 200)
        ids[n++] = wh_rows_int(r, 0);
    wh_rows_close(r);
    /* all plugins' data for all testers goes, or none of it */
    int32_t rc = walor_tx_begin(c);
    for (size_t i = 0; rc == 0 && i < n; i++)
        for (size_t h = 0; rc == 0 && h < wh_reg.wipes.n; h++) {
            walor_plugin *saved = c->plugin;
            c->plugin = wh_reg.wipes.v[h].p;
            rc = ((walor_wipe_fn)wh_reg.wipes.v[h].fn)(c, ids[i]);
            c->plugin = saved;
        }
    if (rc == 0)
        rc = walor_tx_commit(c);
    else
        walor_tx_rollback(c);
    if (rc < 0)
        return rc;
    walor_action_log(c, walor_ctx_printf(c, "очищены данные тестировщиков (%zu)", n));
    walor_answer(c, walor_textf(c, "core.staff.wiped", "n", walor_ctx_printf(c, "%zu", n), NULL));
    return staff_list(c);
}

static int32_t on_staff_cb(walor_ctx *c, const char *arg)
{
    if (strncmp(arg, "add:", 4) == 0) {
        long role = strtol(arg + 4, NULL, 10);
        if (role != WALOR_ROLE_MANAGER && role != WALOR_ROLE_TESTER)
            return staff_list(c);
        json_t *d = json_pack("{s:i}", "role", (int)role);
        int32_t rc = walor_conv_start(c, "staff_add", NULL, d);
        json_decref(d);
        return rc;
    }
    if (strncmp(arg, "rm:", 3) == 0) {
        long long id = strtoll(arg + 3, NULL, 10);
        if (wh_user_set_role(c->w->db, id, WALOR_ROLE_CLIENT) == 0)
            walor_action_log(c, walor_ctx_printf(c, "снял права с пользователя %lld", id));
        return staff_list(c);
    }
    if (strcmp(arg, "wipe") == 0) {
        walor_kb *kb = walor_kb_new(c);
        walor_kb_button(kb, "🧹 Да, удалить", "staff:wipe!");
        walor_kb_button(kb, T("core.btn.cancel"), "staff:list");
        return walor_show(c, T("core.staff.wipe_confirm"), kb);
    }
    if (strcmp(arg, "wipe!") == 0)
        return wipe_testers(c);
    return staff_list(c);
}

static int32_t staff_enter(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, T("core.btn.cancel"), "cancel");
    return walor_show(c, T("core.staff.ask"), kb);
}

static int64_t find_user(walor_ctx *c, const char *text)
{
    json_t *msg = json_object_get(walor_ctx_update(c), "message");
    json_t *fwd = json_object_get(json_object_get(msg, "forward_origin"), "sender_user");
    if (!fwd)
        fwd = json_object_get(msg, "forward_from");
    int64_t id = fwd ? (int64_t)json_integer_value(json_object_get(fwd, "id")) : 0;
    text += strspn(text, " ");
    if (!id && *text == '@') {
        wh_db_int(c->w->db, "SELECT id FROM wh_users WHERE lower(username) = lower(?)", WALOR_ARGS(walor_s(text + 1)),
                  &id);
    } else if (!id) {
        char *end = NULL;
        long long v = strtoll(text, &end, 10);
        if (end && end != text && *(end + strspn(end, " ")) == '\0' && v > 0)
            id = v;
    }
    int64_t exists = 0;
    if (id && wh_db_int(c->w->db, "SELECT 1 FROM wh_users WHERE id = ?", WALOR_ARGS(walor_i(id)), &exists) != 0)
        return 0;
    return id;
}

static int32_t staff_message(walor_ctx *c, const char *text)
{
    int64_t id = find_user(c, text);
    if (!id)
        return walor_reply(c, T("core.staff.not_found"), NULL);
    if (wh_is_owner(id))
        return walor_reply(c, "Это владелец магазина: его права задаются в конфигурации.", NULL);
    uint32_t role = (uint32_t)json_integer_value(json_object_get(walor_conv_data(c), "role"));
    int32_t rc = wh_user_set_role(c->w->db, id, role);
    if (rc < 0)
        return rc;
    const char *rname = role == WALOR_ROLE_MANAGER ? "менеджер" : "тестировщик";
    walor_action_log(c, walor_ctx_printf(c, "выдал роль «%s» пользователю %lld", rname, (long long)id));
    json_t *u = walor_user_get(c, id);
    const char *name = json_string_value(json_object_get(u, "first_name"));
    walor_conv_end(c);
    walor_reply(c, walor_textf(c, "core.staff.added", "name", walor_html_escape(c, name ? name : ""), "role", rname,
                               NULL),
                NULL);
    walor_send(c, id, walor_textf(c, "core.staff.granted", "role", rname, NULL), NULL, 0, NULL);
    return staff_list(c);
}

static int32_t staff_callback(walor_ctx *c, const char *arg)
{
    (void)arg;
    walor_conv_end(c);
    return staff_list(c);
}

/* ---- registration ---- */

#define MENU(id_, where_, role_, order_, label_, fn_, group_)                                                   \
    {.struct_size = sizeof(walor_menu_def), .min_role = (role_), .where = (where_), .order = (order_), .id = (id_), \
     .label = (label_), .on_press = (fn_), .group = (group_)}

/* shop.channel: "@name", "t.me/name" or "https://t.me/name" (a public
 * channel's name is 5-32 of [A-Za-z0-9_]; a private invite is t.me/+…) */
static int32_t check_channel(walor_ctx *c, const char *v, const char **why)
{
    (void)c;
    if (!*v)
        return 0;
    const char *name = NULL;
    if (v[0] == '@')
        name = v + 1;
    else if (strncmp(v, "https://t.me/", 13) == 0)
        name = v + 13;
    else if (strncmp(v, "t.me/", 5) == 0)
        name = v + 5;
    size_t n = name ? strlen(name) : 0;
    int ok = name && n >= 2 && n <= 64 && (v[0] != '@' || (n >= 5 && n <= 32));
    for (size_t i = name && name[0] == '+' && v[0] != '@' ? 1 : 0; ok && i < n; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
             (name[i] >= '0' && name[i] <= '9') || name[i] == '_' || (name[i] == '-' && name[0] == '+');
    if (!ok) {
        *why = "Укажите канал как @имя_канала или ссылкой https://t.me/имя_канала (пустое значение убирает кнопку)";
        return WALOR_EINVAL;
    }
    return 0;
}

static int32_t setting(const char *key, uint32_t type, const char *label, const char *def)
{
    walor_setting_def d = {.struct_size = sizeof d, .type = type, .key = key, .label = label, .default_value = def,
                           .max = type == WALOR_SET_STRING ? 512 : 0, .flags = WALOR_SET_OWNER_EDITABLE,
                           .validate = strcmp(key, "shop.channel") == 0 ? check_channel : NULL};
    return walor_setting(core, &d);
}

int32_t wh_core_register(void)
{
    core = wh_plugin_new("core", NULL, NULL, NULL);
    core->loading = 1;
    int32_t rc = 0;
    rc = walor_texts(core, texts, sizeof texts / sizeof *texts);

    static const walor_menu_def menus[] = {
        MENU("about", WALOR_MENU_MAIN, WALOR_ROLE_CLIENT, 1000, "ℹ️ О нас", press_about, 0),
        MENU("admin", WALOR_MENU_MAIN, WALOR_ROLE_MANAGER, 2000000000, "🛠 Админ-панель", press_admin, 0),
        MENU("settings", WALOR_MENU_ADMIN, WALOR_ROLE_OWNER, 1000000, "⚙️ Настройки", press_settings,
             WALOR_MENU_GROUP_SYSTEM),
        MENU("staff", WALOR_MENU_ADMIN, WALOR_ROLE_OWNER, 1000001, "👥 Персонал", press_staff, WALOR_MENU_GROUP_SYSTEM),
        MENU("main", WALOR_MENU_ADMIN, WALOR_ROLE_CLIENT, 2000000000, "🏠 Главное меню", press_main, WH_MENU_GROUP_NAV),
    };
    for (size_t i = 0; rc == 0 && i < sizeof menus / sizeof *menus; i++)
        rc = walor_menu(core, &menus[i]);

    static const walor_command_def cmds[] = {
        {.struct_size = sizeof(walor_command_def), .name = "menu", .description = "Главное меню",
         .handler = cmd_menu, .flags = WALOR_CMD_LISTED},
        {.struct_size = sizeof(walor_command_def), .min_role = WALOR_ROLE_MANAGER, .name = "admin",
         .description = "Админ-панель", .handler = cmd_admin},
    };
    for (size_t i = 0; rc == 0 && i < sizeof cmds / sizeof *cmds; i++)
        rc = walor_command(core, &cmds[i]);

    walor_callback_def set_cb = {.struct_size = sizeof set_cb, .min_role = WALOR_ROLE_OWNER, .prefix = "set",
                                 .handler = on_set_cb};
    walor_callback_def staff_cb = {.struct_size = sizeof staff_cb, .min_role = WALOR_ROLE_OWNER, .prefix = "staff",
                                   .handler = on_staff_cb};
    if (rc == 0)
        rc = walor_callback(core, &set_cb);
    if (rc == 0)
        rc = walor_callback(core, &staff_cb);

    static const walor_conv_state set_states[] = {{.struct_size = sizeof(walor_conv_state), .name = "value",
                                                   .on_enter = setting_enter, .on_message = setting_message,
                                                   .on_callback = setting_callback}};
    static const walor_conv_state staff_states[] = {{.struct_size = sizeof(walor_conv_state), .name = "who",
                                                     .on_enter = staff_enter, .on_message = staff_message,
                                                     .on_callback = staff_callback}};
    walor_conv_def set_conv = {.struct_size = sizeof set_conv, .min_role = WALOR_ROLE_OWNER, .name = "setting",
                               .states = set_states, .nstates = 1, .timeout_s = 900};
    walor_conv_def staff_conv = {.struct_size = sizeof staff_conv, .min_role = WALOR_ROLE_OWNER, .name = "staff_add",
                                 .states = staff_states, .nstates = 1, .timeout_s = 900};
    if (rc == 0)
        rc = walor_conversation(core, &set_conv);
    if (rc == 0)
        rc = walor_conversation(core, &staff_conv);

    /* F-HOST-08: the shop-wide settings every plugin may read as "shop.*" */
    if (rc == 0)
        rc = setting("shop.open", WALOR_SET_BOOL, "Магазин открыт (нет — режим отпуска)", "yes");
    if (rc == 0)
        rc = setting("shop.preorder", WALOR_SET_BOOL, "Предзаказ (можно добавлять товар без остатка)", "no");
    if (rc == 0)
        rc = setting("shop.start_text", WALOR_SET_TEXT, "Текст приветствия /start", "");
    if (rc == 0)
        rc = setting("shop.start_photo", WALOR_SET_STRING, "Фото приветствия", "");
    if (rc == 0)
        rc = setting("shop.about_text", WALOR_SET_TEXT, "Текст «О нас»", "");
    if (rc == 0)
        rc = setting("shop.about_photo", WALOR_SET_STRING, "Фото «О нас»", "");
    if (rc == 0)
        rc = setting("shop.channel", WALOR_SET_STRING, "Telegram-канал (@имя или ссылка)",
                     "");
    if (rc == 0)
        rc = wh_ops_register(core);
    core->loading = 0;
    if (rc)
        wh_err("core registration failed: %s", wh_last_error());
    return rc;
}
