/* Excel / CSV import and export of the catalog (F-CAT-07, import.h): the
 * owner's screens — the admin button, the conversation that asks for the
 * file (with the host's "✖️ Отмена"), the preview with every error, ✅ to
 * apply, the export. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <walor/plugin.h>

#include "catalog.h"
#include "import.h"
#include "text.h"

#define IMP_FILE_MAX (20u * 1024u * 1024u) /* bytes of an uploaded file (the Bot API's getFile limit) */
#define IMP_ERR_LINE 150                   /* bytes of one error line in the preview */
#define IMP_CHANGED_SHOWN 5

/* the bytes of a Telegram file; WALOR_ENOSYS on a host older than SDK 1.1 */
static int32_t imp_download(walor_ctx *c, const char *file_id, void **data, size_t *len)
{
    return walor_file_download(c, file_id, IMP_FILE_MAX, data, len);
}

/* ---- screens ---- */

static const walor_text_pair IMP_TEXTS[] = {
    {"catalog.import.ask",
     "📥 <b>Импорт каталога</b>\nПришлите файл .xlsx или .csv: одна строка на вариант, заголовки в первой строке —\n"
     "<code>ID товара | Категория | Название | Описание | Вариант | Цена, ₽ | Вес, г | Скидка, % | Скрыт | Фото</code>\n"
     "Пустой «ID товара» — новый товар. Категория — путь «Уход / Лицо», недостающие разделы создаются.\n"
     "Ничего не изменится, пока вы не подтвердите.\n\n"
     "📤 «Выгрузить» пришлёт текущий каталог в этом же формате — удобно начать с него."},
    {"catalog.import.not_doc", "Пришлите файл .xlsx или .csv документом (📎 → Файл)."},
    {"catalog.import.bad_type", "Нужен файл .xlsx или .csv, а пришёл «{name}»."},
    {"catalog.import.too_big", "Файл больше 20 МБ — разделите его на части."},
    {"catalog.import.no_download",
     "⚠️ Эта версия walord пока не умеет скачивать файлы из Telegram, поэтому импорт из сообщения недоступен. "
     "Обновите walord (нужен SDK 1.1) — файл можно будет прислать сюда же."},
    {"catalog.import.download_failed", "Не удалось скачать файл из Telegram. Попробуйте прислать его ещё раз."},
    {"catalog.import.unreadable", "❌ Не удалось прочитать файл: {reason}"},
    {"catalog.import.preview",
     "📥 <b>Предпросмотр импорта</b> ({file})\nСтрок с товарами: {rows}\n🆕 Новых товаров: {new}\n"
     "✏️ Изменённых: {changed}\n📁 Новых категорий: {cats}\n▫️ Без изменений: {same}\n❌ Ошибок: {errors}"},
    {"catalog.import.has_errors", "Исправьте файл и пришлите его снова — пока есть ошибки, ничего не изменится."},
    {"catalog.import.nothing", "Изменений нет — применять нечего."},
    {"catalog.import.confirm", "Нажмите «✅ Применить», чтобы записать изменения, или пришлите другой файл."},
    {"catalog.import.more_errors", "… и ещё {n}"},
    {"catalog.import.done", "✅ Импорт применён: новых товаров — {new}, изменённых — {changed}, новых категорий — {cats}."},
    {"catalog.import.gone", "❌ Товар с ID {id} удалили, пока вы смотрели предпросмотр. Ничего не изменено: "
                            "пришлите файл ещё раз."},
    {"catalog.import.cancelled", "Импорт отменён, каталог не изменён."},
    {"catalog.import.press", "Нажмите «✅ Применить» или «✖️ Отмена» — или пришлите другой файл."},
    {"catalog.import.export_caption", "📤 Каталог: товаров — {n}, строк — {rows}. Измените и пришлите обратно для импорта."},
    {"catalog.import.export_empty", "Каталог пуст — выгружаю только заголовки."},
    {"catalog.import.btn.export", "📤 Выгрузить"},
    {"catalog.import.btn.apply", "✅ Применить"},
};

static const char *imp_num(walor_ctx *c, size_t n) { return walor_ctx_printf(c, "%zu", n); }

static int32_t imp_ask(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "catalog.import.btn.export"), "export");
    return walor_conv_ask(c, walor_text(c, "catalog.import.ask"), kb);
}

static int32_t do_export(walor_ctx *c)
{
    catalog_imp_catalog cur;
    int32_t rc = catalog_imp_snapshot(c, &cur);
    if (rc < 0)
        return rc;
    catalog_xlsx_cell *cells = NULL;
    size_t nrows = 0;
    if (catalog_imp_export_cells(&cur, &cells, &nrows) != 0)
        return WALOR_ENOMEM;
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/walor-catalog-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(cells);
        walor_log(c, WALOR_LOG_ERROR, "catalog: export: mkstemp: %s", strerror(errno));
        return WALOR_ENOMEM;
    }
    close(fd);
    char err[256];
    int w = catalog_xlsx_write(path, "Каталог", CATALOG_IMP_COLS, CATALOG_IMP_NCOLS, cells, nrows, err, sizeof err);
    free(cells);
    void *data = NULL;
    size_t len = 0;
    if (w == 0) {
        FILE *f = fopen(path, "rb");
        if (f && fseek(f, 0, SEEK_END) == 0) {
            long l = ftell(f);
            if (l > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)l)) &&
                fread(data, 1, (size_t)l, f) == (size_t)l)
                len = (size_t)l;
        }
        if (f)
            fclose(f);
    }
    unlink(path);
    if (w != 0 || len == 0) {
        free(data);
        walor_log(c, WALOR_LOG_ERROR, "catalog: export failed: %s", w ? err : "cannot read the file back");
        walor_report_error(c, "каталог: не удалось сформировать выгрузку .xlsx");
        return walor_reply(c, "❌ Не удалось сформировать файл, владелец уведомлён.", NULL);
    }
    char name[64];
    time_t t = (time_t)walor_now(c);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(name, sizeof name, "catalog-%Y-%m-%d.xlsx", &tm);
    const char *cap = walor_textf(c, "catalog.import.export_caption", "n", imp_num(c, cur.np), "rows",
                                  imp_num(c, nrows), NULL);
    rc = walor_send_document(c, walor_ctx_chat_id(c), name, data, len, cap, 0);
    free(data);
    if (rc == 0)
        walor_log(c, WALOR_LOG_INFO, "catalog: exported %zu products, %zu rows", cur.np, nrows);
    return rc;
}

static const char *change_words(walor_ctx *c, uint32_t ch)
{
    static const struct {
        uint32_t bit;
        const char *w;
    } W[] = {{CATALOG_IMP_CH_CATEGORY, "категория"}, {CATALOG_IMP_CH_NAME, "название"}, {CATALOG_IMP_CH_DESC, "описание"},
             {CATALOG_IMP_CH_VARIANTS, "варианты/цены"}, {CATALOG_IMP_CH_DISCOUNT, "скидка"}, {CATALOG_IMP_CH_HIDDEN, "видимость"},
             {CATALOG_IMP_CH_PHOTO, "фото"}};
    const char *s = "";
    for (size_t i = 0; i < sizeof W / sizeof W[0]; i++)
        if (ch & W[i].bit)
            s = walor_ctx_printf(c, "%s%s%s", s, *s ? ", " : "", W[i].w);
    return s;
}

static char *cut_ctx(walor_ctx *c, const char *s, size_t max)
{
    char *o = walor_ctx_alloc(c, max + 1);
    if (o)
        catalog_trunc(s ? s : "", max, o);
    return o;
}

/* parse + plan + preview; keeps the plan in the conversation */
static int32_t import_bytes(walor_ctx *c, const char *fname, const void *data, size_t len)
{
    size_t fl = strlen(fname);
    int csv = fl >= 4 && (!strcmp(fname + fl - 4, ".csv") || !strcmp(fname + fl - 4, ".CSV"));
    catalog_grid *g = NULL;
    char err[256];
    int r = csv ? catalog_csv_read_mem(data, len, &g, err, sizeof err) : catalog_xlsx_read_mem(data, len, &g, err, sizeof err);
    if (r != 0)
        return walor_reply(c, walor_textf(c, "catalog.import.unreadable", "reason", walor_html_escape(c, err), NULL),
                           NULL);
    catalog_imp_catalog cur;
    int32_t rc = catalog_imp_snapshot(c, &cur);
    if (rc < 0) {
        catalog_grid_free(g);
        return rc;
    }
    catalog_imp_plan pl;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = catalog_imp_plan_make(g, &cur, &pl);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    catalog_grid_free(g);
    if (r != 0) {
        catalog_imp_plan_free(&pl);
        return WALOR_ENOMEM;
    }
    walor_log(c, WALOR_LOG_INFO, "catalog: import %s planned in %.1f ms: %zu rows, %zu new, %zu changed, %zu errors",
              fname, (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, pl.rows,
              pl.n_new, pl.n_changed, pl.nerr);
    char *html = walor_textf(c, "catalog.import.preview", "file", walor_html_escape(c, cut_ctx(c, fname, 60)), "rows",
                             imp_num(c, pl.rows), "new", imp_num(c, pl.n_new), "changed", imp_num(c, pl.n_changed),
                             "cats", imp_num(c, pl.n_new_categories), "same", imp_num(c, pl.n_same), "errors",
                             imp_num(c, pl.nerr), NULL);
    walor_kb *kb = walor_kb_new(c);
    if (pl.nerr > 0) {
        size_t shown = pl.nerr_kept < CATALOG_IMP_PREVIEW_ERRORS ? pl.nerr_kept : CATALOG_IMP_PREVIEW_ERRORS;
        for (size_t i = 0; i < shown; i++)
            html = walor_ctx_printf(c, "%s\n• %s", html, walor_html_escape(c, cut_ctx(c, pl.errors[i], IMP_ERR_LINE)));
        if (pl.nerr > shown)
            html = walor_ctx_printf(c, "%s\n%s", html,
                                    walor_textf(c, "catalog.import.more_errors", "n", imp_num(c, pl.nerr - shown), NULL));
        html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "catalog.import.has_errors"));
        catalog_imp_plan_free(&pl);
        /* stay in this state (another file may follow); an older preview's
         * "Применить" finds no plan */
        json_object_del(walor_conv_data(c), "plan");
        return walor_conv_ask(c, html, NULL);
    }
    size_t shown = 0;
    for (size_t i = 0; i < pl.np && shown < IMP_CHANGED_SHOWN; i++) {
        if (!pl.p[i].id)
            continue;
        html = walor_ctx_printf(c, "%s\n✏️ ID %lld «%s»: %s", html, (long long)pl.p[i].id,
                                walor_html_escape(c, cut_ctx(c, pl.p[i].name, 60)), change_words(c, pl.p[i].changes));
        shown++;
    }
    if (pl.np == 0) {
        html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "catalog.import.nothing"));
        catalog_imp_plan_free(&pl);
        json_object_del(walor_conv_data(c), "plan");
        return walor_conv_ask(c, html, NULL);
    }
    json_t *j = catalog_imp_plan_to_json(&pl);
    catalog_imp_plan_free(&pl);
    if (!j)
        return WALOR_ENOMEM;
    json_object_set_new(walor_conv_data(c), "plan", j);
    walor_conv_goto(c, "confirm");
    html = walor_ctx_printf(c, "%s\n\n%s", html, walor_text(c, "catalog.import.confirm"));
    walor_kb_conv_button(kb, walor_text(c, "catalog.import.btn.apply"), "apply");
    return walor_conv_ask(c, html, kb);
}

static int32_t imp_message(walor_ctx *c, const char *text)
{
    json_t *msg = json_object_get(walor_ctx_update(c), "message");
    json_t *doc = json_object_get(msg, "document");
    (void)text;
    if (!doc)
        return walor_reply(c, walor_text(c, "catalog.import.not_doc"), NULL);
    const char *fname = json_string_value(json_object_get(doc, "file_name"));
    const char *fid = json_string_value(json_object_get(doc, "file_id"));
    if (!fname)
        fname = "";
    size_t fl = strlen(fname);
    int ok = fl >= 5 && (!strcmp(fname + fl - 5, ".xlsx") || !strcmp(fname + fl - 5, ".XLSX"));
    ok = ok || (fl >= 4 && (!strcmp(fname + fl - 4, ".csv") || !strcmp(fname + fl - 4, ".CSV")));
    if (!ok || !fid)
        return walor_reply(c, walor_textf(c, "catalog.import.bad_type", "name",
                                          walor_html_escape(c, cut_ctx(c, fname, 60)), NULL),
                           NULL);
    json_int_t size = json_integer_value(json_object_get(doc, "file_size"));
    if (size > (json_int_t)IMP_FILE_MAX)
        return walor_reply(c, walor_text(c, "catalog.import.too_big"), NULL);
    void *data = NULL;
    size_t len = 0;
    int32_t rc = imp_download(c, fid, &data, &len);
    if (rc == WALOR_ENOSYS) {
        walor_log(c, WALOR_LOG_WARN, "catalog: import of %s: the host cannot download files (SDK slot missing)",
                  fname);
        return walor_reply(c, walor_text(c, "catalog.import.no_download"), NULL);
    }
    if (rc < 0 || len > IMP_FILE_MAX) {
        if (data)
            walor_free(c, data);
        return walor_reply(c, walor_text(c, rc < 0 ? "catalog.import.download_failed" : "catalog.import.too_big"),
                           NULL);
    }
    rc = import_bytes(c, fname, data, len);
    walor_free(c, data);
    return rc;
}

static int32_t imp_callback(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "export"))
        return do_export(c);
    if (!strcmp(arg, "apply")) {
        catalog_imp_plan pl;
        json_t *j = json_object_get(walor_conv_data(c), "plan");
        if (!j || catalog_imp_plan_from_json(j, &pl) != 0)
            return walor_reply(c, walor_text(c, "catalog.import.not_doc"), NULL);
        int64_t gone = 0;
        size_t cats = 0;
        int32_t rc = catalog_imp_apply(c, &pl, &gone, &cats);
        size_t nnew = pl.n_new, nch = pl.n_changed;
        catalog_imp_plan_free(&pl);
        if (rc == WALOR_ENOTFOUND) {
            json_object_del(walor_conv_data(c), "plan");
            return walor_reply(c, walor_textf(c, "catalog.import.gone", "id",
                                              walor_ctx_printf(c, "%lld", (long long)gone), NULL),
                               NULL);
        }
        if (rc < 0)
            return rc;
        walor_log(c, WALOR_LOG_INFO, "catalog: import applied: %zu new, %zu changed, %zu categories", nnew, nch, cats);
        walor_conv_end(c);
        walor_answer(c, walor_text(c, "catalog.import.btn.apply"));
        return walor_reply(c, walor_textf(c, "catalog.import.done", "new", imp_num(c, nnew), "changed",
                                          imp_num(c, nch), "cats", imp_num(c, cats), NULL),
                           NULL);
    }
    return walor_answer(c, walor_text(c, "catalog.import.press")); /* a button of no step */
}

static int32_t imp_cancelled(walor_ctx *c)
{
    walor_reply(c, walor_text(c, "catalog.import.cancelled"), NULL);
    return walor_show_admin_menu(c);
}

static int32_t imp_confirm_message(walor_ctx *c, const char *text)
{
    if (json_object_get(json_object_get(walor_ctx_update(c), "message"), "document"))
        return imp_message(c, text); /* another file replaces the plan */
    return walor_reply(c, walor_text(c, "catalog.import.press"), NULL);
}

static int32_t imp_menu(walor_ctx *c) { return walor_conv_start(c, "import", NULL, NULL); }

static const walor_conv_state IMP_STATES[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "file", .on_enter = imp_ask, .on_message = imp_message,
     .on_callback = imp_callback},
    {.struct_size = sizeof(walor_conv_state), .name = "confirm", .on_message = imp_confirm_message,
     .on_callback = imp_callback},
};

static const char IMP_HELP[] =
    "<b>📥 Импорт и 📤 экспорт каталога</b> (только владелец)\n"
    "Админ-панель → «📥 Импорт / 📤 Экспорт». «📤 Выгрузить» присылает каталог файлом .xlsx: одна строка на "
    "вариант, столбцы <i>ID товара, Категория, Название, Описание, Вариант, Цена, ₽, Вес, г, Скидка, %, Скрыт, "
    "Фото</i>. Измените файл (новые товары — с пустым ID) и пришлите его обратно (.xlsx или .csv): бот покажет, "
    "сколько товаров новых, сколько изменится и какие строки с ошибками. Пока есть ошибки, ничего не меняется; "
    "изменения записываются целиком только после «✅ Применить».";

int32_t catalog_import_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_OWNER, .where = WALOR_MENU_ADMIN,
                                 .order = 210, .id = "import", .label = "📥 Импорт / 📤 Экспорт", .on_press = imp_menu,
                                 .group = WALOR_MENU_GROUP_GOODS};
    const walor_conv_def conv = {.struct_size = sizeof conv, .min_role = WALOR_ROLE_OWNER, .name = "import",
                                 .states = IMP_STATES, .nstates = 2, .timeout_s = 3600, .on_cancel = imp_cancelled};
    int32_t rc = walor_menu(p, &menu);
    if (!rc)
        rc = walor_conversation(p, &conv);
    if (!rc)
        rc = walor_texts(p, IMP_TEXTS, sizeof IMP_TEXTS / sizeof IMP_TEXTS[0]);
    if (!rc)
        rc = walor_help(p, "📥 Импорт и экспорт каталога", IMP_HELP, WALOR_ROLE_OWNER);
    return rc;
}
