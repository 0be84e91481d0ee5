/* catalog admin: the default Russian texts of "📦 Товары" and its help
 * section; merchants override them in conf.d/texts/ under [catalog]. */
#include "admin.h"

static const walor_text_pair TEXTS[] = {
    {"catalog.adm.root_name", "корень каталога"},
    {"catalog.adm.tree.root",
     "📦 <b>Товары</b>\nРазделы 📁 и товары корня каталога. 🙈 — скрыто от покупателей.\n"
     "ID: <code>c3</code> — раздел, <code>p5</code> — товар."},
    {"catalog.adm.tree.cat", "📁 <b>{name}</b> (c{id})\nВ разделе: {parent}\nСтатус: {status}"},
    {"catalog.adm.tree.empty", "Здесь пока пусто."},
    {"catalog.adm.hidden_mark", "🙈"},
    {"catalog.adm.status.hidden", "🙈 скрыт"},
    {"catalog.adm.status.shown", "👁 виден покупателям"},
    {"catalog.adm.yes", "есть"},
    {"catalog.adm.no", "нет"},
    {"catalog.adm.gone", "Этого раздела или товара больше нет."},
    {"catalog.adm.btn.folder", "📁 c{id} {name}"},
    {"catalog.adm.btn.product", "p{id} {name}"},
    {"catalog.adm.btn.new_cat", "➕ Раздел"},
    {"catalog.adm.btn.new_prod", "➕ Товар"},
    {"catalog.adm.btn.sort", "🔢 Порядок"},
    {"catalog.adm.btn.hide", "🙈 Скрыть"},
    {"catalog.adm.btn.show", "👁 Показать"},
    {"catalog.adm.btn.move", "↪️ Переместить"},
    {"catalog.adm.btn.rename", "✏️ Переименовать"},
    {"catalog.adm.btn.delete", "🗑 Удалить"},
    {"catalog.adm.btn.up", "⬆️ Наверх"},
    {"catalog.adm.btn.admin", "🛠 Админ-панель"},
    {"catalog.adm.btn.to_cat", "⬅️ К разделу"},
    {"catalog.adm.btn.cancel", "✖️ Отмена"},
    {"catalog.adm.btn.root", "🗂 В корень каталога"},
    {"catalog.adm.btn.create", "✅ Создать"},
    {"catalog.adm.btn.del_yes", "🗑 Да, удалить"},
    {"catalog.adm.btn.del_all", "🗑 Удалить вместе с товарами"},
    {"catalog.adm.btn.no_photo", "🚫 Убрать фото"},
    {"catalog.adm.btn.e_name", "✏️ Название"},
    {"catalog.adm.btn.e_var", "💰 Цена / фасовки"},
    {"catalog.adm.btn.e_desc", "📝 Описание"},
    {"catalog.adm.btn.e_details", "📖 Подробнее"},
    {"catalog.adm.btn.e_photo", "🖼 Фото"},
    {"catalog.adm.btn.e_unit", "📏 Единица"},
    {"catalog.adm.btn.e_disc", "🔥 Скидка %"},
    {"catalog.adm.btn.e_low", "⚠️ Порог остатка"},
    {"catalog.adm.btn.e_cat", "📁 Раздел"},
    {"catalog.adm.btn.e_xids", "✨ Допродажа: товары"},
    {"catalog.adm.btn.e_xtext", "✨ Допродажа: заголовок"},
    {"catalog.adm.card",
     "📦 <b>{name}</b> (p{id})\n"
     "Раздел: {cat}\n"
     "{price_label}: {price}\n"
     "Единица: {unit}\n"
     "Описание: {desc}\n"
     "Подробнее: {details}\n"
     "Фото: {photo}\n"
     "Скидка: {disc}%\n"
     "Порог остатка: {low}\n"
     "Допродажа в корзине: {xids}\n"
     "Заголовок допродажи: {xtext}\n"
     "Статус: {status}"},
    {"catalog.adm.card.price", "Цена"},
    {"catalog.adm.card.variants", "Фасовки"},
    {"catalog.adm.hidden_done", "Скрыто от покупателей"},
    {"catalog.adm.shown_done", "Видно покупателям"},
    {"catalog.adm.deleted", "Удалено"},
    {"catalog.adm.created", "Товар создан"},
    {"catalog.adm.saved", "✅ Сохранено."},
    {"catalog.adm.sorted", "✅ Порядок сохранён."},
    {"catalog.adm.cat_created", "✅ Раздел c{id} «{name}» создан."},
    {"catalog.adm.nothing_changed", "Ничего не изменено."},
    {"catalog.adm.desc_preview", "👀 Так текст увидят покупатели:"},
    {"catalog.adm.del_cat.empty", "🗑 Удалить пустой раздел c{id} «{name}»?"},
    {"catalog.adm.del_cat.full",
     "⚠️ В разделе c{id} «{name}» подразделов: {cats}, товаров: {prods}.\n"
     "Удалить его можно только вместе со всем содержимым — товары будут удалены безвозвратно. "
     "Если товары нужны, сначала перенесите их в другой раздел."},
    {"catalog.adm.del_prod", "🗑 Удалить товар p{id} «{name}» безвозвратно? Его фасовки и подписки тоже удалятся."},
    {"catalog.adm.ask.cat_name", "📁 Новый раздел в: {parent}\nНапишите название раздела:"},
    {"catalog.adm.ask.rename", "✏️ Новое название для {what}:"},
    {"catalog.adm.ask.sort",
     "🔢 Порядок в: {where}\nСейчас:{list}\n\n"
     "Напишите ID в нужном порядке через пробел, например <code>c1 c3 p5 p2</code>. "
     "Не названные останутся после них в прежнем порядке."},
    {"catalog.adm.ask.prod_cat",
     "📦 Новый товар. В какой раздел? Напишите ID раздела (например <code>c3</code>) или нажмите «В корень каталога»."},
    {"catalog.adm.ask.prod_name", "📦 Новый товар в: {cat}\nНапишите название товара:"},
    {"catalog.adm.ask.price",
     "💰 Цена или фасовки.\n"
     "Одна цена: <code>1500</code>\n"
     "Фасовки — <code>Объём:Цена:Вес</code>, по одной в строке или через запятую:\n"
     "<code>50 мл:1000:300, 100 мл:1800:550</code>"},
    {"catalog.adm.ask.desc",
     "📝 Краткое описание (можно HTML: &lt;b&gt;, &lt;i&gt;, &lt;a href&gt;…) или «Пропустить»:"},
    {"catalog.adm.ask.photo", "🖼 Пришлите фото товара (как картинку) или нажмите «Пропустить»:"},
    {"catalog.adm.ask.confirm",
     "Проверьте новый товар:\n<b>{name}</b>\nРаздел: {cat}\nЦена: {price}\nОписание: {desc}\nФото: {photo}\n\nСоздать?"},
    {"catalog.adm.ask.move",
     "↪️ Куда переместить {what}? Сейчас он в: {now}.\nНапишите ID нового родительского раздела (например "
     "<code>c3</code>) или нажмите «В корень каталога»."},
    {"catalog.adm.ask.e_var",
     "💰 Цена или фасовки товара {what}.\nОдна цена: <code>1500</code>\n"
     "Фасовки: <code>50 мл:1000:300, 100 мл:1800:550</code> (или по одной в строке)."},
    {"catalog.adm.ask.e_desc", "📝 Новое описание товара {what} (HTML можно; «-» — очистить):"},
    {"catalog.adm.ask.e_det", "📖 Текст «Подробнее» товара {what} (HTML можно; «-» — очистить):"},
    {"catalog.adm.ask.e_photo", "🖼 Пришлите новое фото товара {what}:"},
    {"catalog.adm.ask.e_unit", "📏 Единица измерения товара {what} (мл, гр, шт…; «-» — убрать):"},
    {"catalog.adm.ask.e_disc", "🔥 Скидка товара {what} в процентах, 0–99 (сейчас {now}%):"},
    {"catalog.adm.ask.e_low", "⚠️ Порог остатка товара {what}: при остатке не выше него склад подсветит товар "
                              "(0 — не следить; сейчас {now}):"},
    {"catalog.adm.ask.e_xids",
     "✨ Какие товары предлагать в корзине вместе с {what}? Сейчас: {now}.\n"
     "Напишите ID через пробел, например <code>p5 p7</code> (не больше {limit}; «-» — убрать). "
     "Без списка корзина предложит товары из того же раздела."},
    {"catalog.adm.ask.e_xtext",
     "✨ Заголовок над предложениями в корзине для {what}, например «С этим берут:» (HTML можно; «-» — "
     "стандартный заголовок):"},
    {"catalog.adm.ask.e_cat", "📁 В какой раздел перенести {what}? Сейчас: {now}.\nНапишите ID раздела (например "
                              "<code>c3</code>) или нажмите «В корень каталога»."},
    {"catalog.adm.err.name", "Название — одна строка от 1 до {max} символов."},
    {"catalog.adm.err.unit", "Единица — одна строка до {max} символов; «-» — убрать."},
    {"catalog.adm.err.desc", "Напишите текст до {max} символов или «-», чтобы очистить."},
    {"catalog.adm.err.html", "Telegram не примет этот текст: {why}\nПроверьте, что каждый тег закрыт."},
    {"catalog.adm.err.not_photo", "Это не фото. Пришлите картинку (не файлом)."},
    {"catalog.adm.err.variants", "Ошибки в фасовках — ничего не сохранено:\n{errors}"},
    {"catalog.adm.err.var_long", "Слишком длинный текст фасовок."},
    {"catalog.adm.err.price", "Цена «{price}» — {why}."},
    {"catalog.adm.err.zero", "должна быть больше нуля"},
    {"catalog.adm.err.disc", "Скидка — целое число от 0 до 99."},
    {"catalog.adm.err.low", "Порог — целое число от 0 и больше."},
    {"catalog.adm.err.bad_ref", "«{ref}» — не ID раздела. Пример: <code>c3</code>, 0 — корень."},
    {"catalog.adm.err.no_cat", "Раздела {ref} нет."},
    {"catalog.adm.err.cycle", "Нельзя переместить раздел в {to}: это он сам или его подраздел."},
    {"catalog.adm.err.cycle_db", "Дерево разделов повреждено (цикл): обратитесь к разработчику."},
    {"catalog.adm.err.depth", "Слишком глубокая вложенность: не больше {max} уровней."},
    {"catalog.adm.err.too_big", "Слишком большой раздел для этой операции."},
    {"catalog.adm.err.sort_bad", "Непонятные ID: {list} (пишите c3 для раздела, p5 для товара)."},
    {"catalog.adm.err.sort_unknown", "Неизвестные ID (их нет в {where}): {list}."},
    {"catalog.adm.err.sort_dup", "Повторяются: {list}."},
    {"catalog.adm.err.sort_empty", "Напишите хотя бы один ID."},
    {"catalog.adm.err.sort_many", "Слишком много ID: не больше {max}."},
    {"catalog.adm.err.xids_bad", "Непонятные ID: {list} (пишите p5 для товара)."},
    {"catalog.adm.err.xids_unknown", "Таких товаров нет: {list}."},
    {"catalog.adm.err.xids_dup", "Повторяются или указан сам товар: {list}."},
    {"catalog.adm.err.xids_empty", "Напишите хотя бы один ID или «-», чтобы убрать список."},
    {"catalog.adm.err.xids_many", "Слишком много товаров: не больше {max}."},
};
static const char HELP[] =
    "<b>📦 Товары: как добавить и изменить</b>\n"
    "🛠 Админ-панель → «📦 Товары». Разделы показаны папками 📁 с ID <code>c3</code>, товары — с ID "
    "<code>p5</code>; 🙈 — скрыто от покупателей.\n"
    "• <b>Раздел</b>: «➕ Раздел» внутри нужного раздела (или в корне). В разделе: 🙈 Скрыть / 👁 Показать, "
    "↪️ Переместить (ID нового родителя или корень). Переименовать и удалить может только владелец; "
    "раздел с товарами удаляется только вместе с ними, по отдельной кнопке.\n"
    "• <b>Товар</b>: «➕ Товар» → название → цена или фасовки → описание → фото → «✅ Создать».\n"
    "• <b>Фасовки</b>: <code>Объём:Цена:Вес</code>, по одной в строке или через запятую: "
    "<code>50 мл:1000:300, 100 мл:1800:550</code> (вес в граммах можно не писать). При ошибке бот покажет "
    "номер каждой неверной строки и ничего не сохранит.\n"
    "• <b>Карточка товара</b>: кнопки меняют одно поле — цену/фасовки, описание, «Подробнее», фото, единицу, "
    "скидку %, порог остатка, раздел, видимость, допродажу (какие товары предложить в корзине — ID вроде "
    "<code>p5 p7</code> — и заголовок над ними). Название и удаление — только владелец.\n"
    "• <b>Порядок</b>: «🔢 Порядок» и ID через пробел: <code>c1 c3 p5 p2</code>. Если ID неизвестен, бот "
    "назовёт его и ничего не изменит.\n"
    "Все изменения записываются в журнал действий.";

int32_t catalog_adm_texts_register(walor_plugin *p)
{
    int32_t rc = walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]);
    if (!rc) rc = walor_help(p, "📦 Товары: как добавить и изменить", HELP, WALOR_ROLE_MANAGER);
    return rc;
}
