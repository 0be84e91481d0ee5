/* Built-in help (F-HOST-09): sections plugins register with walor_help()
 * during load, shown by /help and in the admin "📚 Инструкции" (with a PDF
 * of everything the reader may see). Each section names the lowest role
 * that may read it; that is checked on every press, since callback data
 * can be forged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_slots.h"
#include "error.h"
#include "host.h"
#include "html.h"
#include "log.h"
#include "ops.h"
#include "pdf_text.h"
#include "registry.h"

/* Registration happens on the main thread before workers start, and the
 * table is read-only afterwards (like wh_reg), so readers need no lock. */
typedef struct help_section {
    wh_plugin *p;
    char *title;
    char *html;
    uint32_t min_role;
} help_section;

static help_section *sections;
static size_t nsections;

/* a section with its back button must fit one message (4096) */
#define HELP_MAX_VISIBLE 3800
#define HELP_MAX_TITLE 60
#define HELP_MAX_SECTIONS 200

/* The host writes the title as the section's heading (in the bot and in the
 * PDF); a text whose first line only repeats it ("<b>🛍 Каталог</b>\n…")
 * would show it twice. Returns where the text starts without that line. */
static const char *skip_repeated_title(const char *title, const char *html)
{
    const char *nl = strchr(html, '\n');
    if (!nl || !nl[1])
        return html;
    const char *t = title;
    for (const char *h = html; h < nl; h++) {
        if (*h == '<') { /* tags are formatting, not words */
            while (h < nl && *h != '>')
                h++;
            continue;
        }
        if (*h == ' ' && (*t == '\0' || *t != ' '))
            continue;
        if (*t != *h)
            return html;
        t++;
    }
    return *t == '\0' ? nl + 1 : html;
}

static int32_t reg_help(walor_plugin *p, const char *title, const char *html, uint32_t min_role)
{
    if (!p || !p->loading)
        return wh_error(WALOR_EPHASE, "registration is only allowed inside load()");
    if (!title || !*title || strlen(title) > HELP_MAX_TITLE * 4 || !html || !*html)
        return wh_error(WALOR_EINVAL, "help: a title (up to %d characters) and a text are needed", HELP_MAX_TITLE);
    if (min_role > WALOR_ROLE_OWNER)
        return wh_error(WALOR_EINVAL, "help '%s': bad min_role %u", title, min_role);
    size_t tvis = 0, vis = 0;
    char why[200];
    if (wh_html_check(title, &tvis, why, sizeof why) != 0 || tvis > HELP_MAX_TITLE)
        return wh_error(WALOR_EINVAL, "help: the title must be plain text up to %d characters", HELP_MAX_TITLE);
    if (wh_html_check(html, &vis, why, sizeof why) != 0)
        return wh_error(WALOR_EINVAL, "help '%s': bad Telegram HTML: %s", title, why);
    if (vis > HELP_MAX_VISIBLE)
        return wh_error(WALOR_ELIMIT, "help '%s': %zu characters, at most %d fit a message", title, vis,
                        HELP_MAX_VISIBLE);
    if (nsections >= HELP_MAX_SECTIONS)
        return wh_error(WALOR_ELIMIT, "help: at most %d sections", HELP_MAX_SECTIONS);
    for (size_t i = 0; i < nsections; i++)
        if (sections[i].p == p && strcmp(sections[i].title, title) == 0)
            return wh_error(WALOR_EEXIST, "help '%s' is already registered by %s", title, p->name);
    help_section *v = realloc(sections, (nsections + 1) * sizeof *v);
    if (!v)
        return wh_error(WALOR_ENOMEM, "help: out of memory");
    sections = v;
    help_section *s = &sections[nsections];
    s->p = p;
    s->title = strdup(title);
    s->html = strdup(skip_repeated_title(title, html));
    s->min_role = min_role;
    if (!s->title || !s->html) {
        free(s->title);
        free(s->html);
        return wh_error(WALOR_ENOMEM, "help: out of memory");
    }
    nsections++;
    return 0;
}

static int readable(const walor_ctx *c, size_t i)
{
    return i < nsections && !sections[i].p->dead && c->role >= sections[i].min_role;
}

/* the list of sections; admin: the staff variant with the PDF and a way back to the panel */
static int32_t show_list(walor_ctx *c, int admin)
{
    walor_kb *kb = walor_kb_new(c);
    size_t shown = 0;
    for (size_t i = 0; i < nsections; i++) {
        if (!readable(c, i))
            continue;
        walor_kb_button(kb, sections[i].title, walor_ctx_printf(c, admin ? "opsm:s:%zu" : "help:s:%zu", i));
        walor_kb_row(kb);
        shown++;
    }
    if (admin) {
        if (shown) {
            walor_kb_button(kb, wh_ops_text("core.ops.btn.pdf"), "opsm:pdf");
            walor_kb_row(kb);
        }
        walor_kb_button(kb, wh_ops_text("core.btn.back"), "m:core.admin");
    } else {
        walor_kb_button(kb, wh_ops_text("core.btn.main"), "m:core.main");
    }
    const char *text = shown ? wh_ops_text(admin ? "core.ops.help.admin_title" : "core.ops.help.title")
                             : wh_ops_text("core.ops.help.empty");
    return walor_show(c, walor_ctx_printf(c, "%s", text), kb);
}

static int32_t show_section(walor_ctx *c, const char *arg, int admin)
{
    char *end = NULL;
    unsigned long long i = strtoull(arg, &end, 10);
    if (!end || end == arg || *end || !readable(c, (size_t)i)) {
        walor_answer(c, wh_ops_text("core.stale"));
        return show_list(c, admin);
    }
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, wh_ops_text("core.ops.help.back"), admin ? "opsm:h" : "help:l");
    const help_section *s = &sections[i];
    return walor_show(c, walor_ctx_printf(c, "📖 <b>%s</b>\n\n%s", walor_html_escape(c, s->title), s->html), kb);
}

/* ---- the PDF ---- */

static int32_t send_pdf(walor_ctx *c)
{
    wh_pdf_section *v = walor_ctx_alloc(c, (nsections + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; v && i < nsections; i++) {
        if (!readable(c, i))
            continue;
        v[n].title = sections[i].title;
        v[n].text = wh_html_strip(c->arena, sections[i].html);
        n++;
    }
    if (!v)
        return WALOR_ENOMEM;
    const char *shop = wh_g.cfg.shop_name && *wh_g.cfg.shop_name ? wh_g.cfg.shop_name : NULL;
    const char *title = shop ? walor_ctx_printf(c, "Инструкции — %s", shop) : "Инструкции";
    unsigned char *pdf = NULL;
    size_t len = 0;
    char err[200];
    if (wh_pdf_render(title, v, n, WH_PDF_FONT, WH_PDF_EMOJI_FONT, &pdf, &len, err, sizeof err) != 0)
        return wh_error(WALOR_EINVAL, "help PDF: %s", err);
    walor_answer(c, wh_ops_text("core.ops.help.pdf_sending"));
    int32_t rc = walor_send_document(c, c->chat_id, "Инструкции.pdf", pdf, len,
                                     wh_ops_text("core.ops.help.pdf_caption"), 0);
    free(pdf);
    return rc;
}

/* ---- entry points ---- */

static int32_t cmd_help(walor_ctx *c, const char *arg)
{
    (void)arg;
    return show_list(c, 0);
}

/* "help:l", "help:s:<i>" — for everyone */
static int32_t on_help_cb(walor_ctx *c, const char *arg)
{
    if (strncmp(arg, "s:", 2) == 0)
        return show_section(c, arg + 2, 0);
    return show_list(c, 0);
}

/* "opsm:h", "opsm:s:<i>", "opsm:pdf" — staff (the prefix needs MANAGER) */
static int32_t on_staff_help_cb(walor_ctx *c, const char *arg)
{
    if (strncmp(arg, "s:", 2) == 0)
        return show_section(c, arg + 2, 1);
    if (strcmp(arg, "pdf") == 0)
        return send_pdf(c);
    return show_list(c, 1);
}

int32_t wh_help_admin(walor_ctx *c) { return show_list(c, 1); }

/* core's own sections: what a client and the staff need to know about the
 * screens the host itself draws */
static const struct {
    const char *title, *html;
    uint32_t role;
} core_help[] = {
    {"Как пользоваться ботом",
     "Бот — это магазин прямо в Telegram.\n\n"
     "• /start открывает главное меню: разделы магазина — кнопки под сообщением.\n"
     "• Нажимайте кнопки, бот меняет сообщение на месте; «⬅️ Назад» возвращает на шаг.\n"
     "• Если бот задаёт вопрос, просто отправьте ответ сообщением. "
     "/cancel отменяет начатое действие.\n"
     "• /help — эта справка.\n\n"
     "Если что-то пошло не так, попробуйте ещё раз чуть позже: владелец магазина уже получил уведомление.",
     WALOR_ROLE_CLIENT},
    {"Админ-панель",
     "Админ-панель открывается командой /admin или кнопкой «🛠 Админ-панель» в главном меню — "
     "её видят только сотрудники.\n\n"
     "Вверху — сводка от подключённых модулей (новые заказы, остатки и т. п.), ниже — разделы. "
     "Каждый модуль магазина добавляет свои разделы; сотрудник видит только те, что разрешены его роли.\n\n"
     "«📚 Инструкции» — эти тексты; кнопка «📄 Скачать PDF» присылает их одним файлом.",
     WALOR_ROLE_MANAGER},
    {"Роли и персонал",
     "В боте четыре роли:\n"
     "• <b>Клиент</b> — любой, кто нажал /start.\n"
     "• <b>Тестировщик</b> — клиент, чьи заказы и данные можно удалить одной кнопкой.\n"
     "• <b>Менеджер</b> — работает с заказами, складом и клиентами в админ-панели.\n"
     "• <b>Владелец</b> — всё, включая настройки, персонал и обслуживание. Владельцы задаются в "
     "конфигурации сервера ([walor] owners).\n\n"
     "Владелец назначает менеджеров и тестировщиков в разделе «👥 Персонал»: пользователь должен "
     "сначала нажать /start в боте. Все действия сотрудников записываются в «📜 Журнал действий».",
     WALOR_ROLE_MANAGER},
    {"Настройки магазина",
     "Раздел «⚙️ Настройки» (только владелец) показывает все настройки магазина и модулей.\n\n"
     "• «Магазин открыт»: «нет» включает режим отпуска — клиенты видят каталог, но не могут оформить заказ.\n"
     "• Тексты приветствия и «О нас» можно оформлять: &lt;b&gt;жирный&lt;/b&gt;, &lt;i&gt;курсив&lt;/i&gt;; "
     "{name} подставляет имя клиента, {shop} — название магазина.\n"
     "• Для фото отправьте картинку в ответ на запрос.\n"
     "• «↩️ По умолчанию» возвращает исходное значение.\n\n"
     "Каждое изменение записывается в журнал действий.",
     WALOR_ROLE_OWNER},
    {"Обслуживание бота",
     "Разделы владельца в админ-панели:\n"
     "• «📜 Журнал действий» — кто из сотрудников что сделал и когда, новые записи сверху.\n"
     "• «📄 Лог» — присылает файл журнала сервера (последние 10 МБ) для техподдержки.\n"
     "• «🔄 Перезапуск» — перезапускает бота (после подтверждения); он вернётся через несколько секунд.\n"
     "• «♻️ Обновить меню у всех» — заново присылает главное меню каждому пользователю, например после "
     "добавления разделов. Рассылка идёт постепенно, ход виден в одном сообщении.\n\n"
     "Об ошибках в работе бота владелец получает отчёт файлом .txt; одинаковые ошибки в течение "
     "10 минут присылаются один раз с числом повторов.",
     WALOR_ROLE_OWNER},
};

int32_t wh_help_register(walor_plugin *core)
{
    int32_t rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof core_help / sizeof *core_help; i++)
        rc = walor_help(core, core_help[i].title, core_help[i].html, core_help[i].role);
    walor_command_def cmd = {.struct_size = sizeof cmd, .name = "help", .description = "Справка",
                             .handler = cmd_help, .flags = WALOR_CMD_LISTED};
    if (rc == 0)
        rc = walor_command(core, &cmd);
    walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "help",
                             .handler = on_help_cb};
    walor_callback_def staff = {.struct_size = sizeof staff, .min_role = WALOR_ROLE_MANAGER, .prefix = "opsm",
                                .handler = on_staff_help_cb};
    if (rc == 0)
        rc = walor_callback(core, &cb);
    if (rc == 0)
        rc = walor_callback(core, &staff);
    return rc;
}

void wh_help_fill(walor_host_api *api) { api->reg_help = reg_help; }
