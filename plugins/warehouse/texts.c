/* The default Russian texts of the warehouse plugin; merchants override
 * any of them in an ini file of conf.d/texts/, section [warehouse]. */
#include "warehouse.h"

static const walor_text_pair TEXTS[] = {
    {"warehouse.section",
     "🏬 <b>Склад</b>\nВ наличии: {items}, {units} шт на {value} (по себестоимости).\nВыберите действие:"},
    {"warehouse.no_catalog", "Склад работает вместе с каталогом, а каталог сейчас не подключён."},
    {"warehouse.item_gone", "Такого товара нет в каталоге (удалён или неверный ID)."},
    {"warehouse.more", "… и ещё {n}\n"},
    {"warehouse.btn.section", "⬅️ Склад"},
    {"warehouse.btn.admin", "⬅️ Админ-панель"},
    {"warehouse.btn.overview", "📋 Остатки"},
    {"warehouse.btn.search", "🔎 Поиск"},
    {"warehouse.btn.search_again", "🔎 Искать ещё"},
    {"warehouse.btn.supply", "🚚 Поставка"},
    {"warehouse.btn.suppliers", "🏭 Поставщики"},
    {"warehouse.btn.sup_add", "➕ Добавить поставщика"},
    {"warehouse.btn.writeoff", "🗑 Списание"},
    {"warehouse.btn.stocktake", "📝 Инвентаризация"},
    {"warehouse.btn.qr", "🔳 QR-коды товаров (PDF)"},
    {"warehouse.btn.edit", "✏️ Изменить остаток"},
    {"warehouse.btn.prev", "◀️ Назад"},
    {"warehouse.btn.next", "Вперёд ▶️"},
    {"warehouse.btn.supply_ok", "✅ Провести поставку"},
    {"warehouse.btn.e_supplier", "🏭 Поставщик"},
    {"warehouse.btn.e_items", "📦 Товары"},
    {"warehouse.btn.e_prices", "💰 Цены"},

    {"warehouse.ov", "📋 <b>Остатки</b>\n🟢 достаточно · 🟡 не выше порога · 🔴 нет\n"},
    {"warehouse.ov.total", "Всего: {items} — 🟢 {green} · 🟡 {yellow} · 🔴 {red}\nНа складе: {units} шт на {value}"},
    {"warehouse.ov.line", "{mark} <code>{id}</code> {title}: {qty} шт × {cost} = {value}"},
    {"warehouse.ov.line_reserved", "{mark} <code>{id}</code> {title}: {qty} шт (резерв {reserved}) × {cost} = {value}"},
    {"warehouse.ov.empty", "В каталоге пока нет товаров."},

    {"warehouse.card",
     "{mark} <b>{title}</b> (<code>{id}</code>)\n"
     "На складе: {qty} шт · в резерве: {reserved} · доступно: {available}\n"
     "Себестоимость: {cost} за шт · запас на {value}\n"
     "Порог «мало»: {low} шт\n\n<b>Последние движения</b>\n{history}"},
    {"warehouse.card.move", "{when} {kind} {qty} → {after} · {cost} · {staff}{comment}"},
    {"warehouse.card.by_bot", "бот"},
    {"warehouse.card.no_moves", "движений ещё не было"},
    {"warehouse.kind.supply", "поставка"},
    {"warehouse.kind.writeoff", "списание"},
    {"warehouse.kind.sale", "продажа"},
    {"warehouse.kind.reserve", "резерв"},
    {"warehouse.kind.release", "снят резерв"},
    {"warehouse.kind.edit", "правка"},
    {"warehouse.kind.stocktake", "инвентаризация"},
    {"warehouse.kind.restock", "возврат"},
    {"warehouse.kind.b2b", "B2B"},

    {"warehouse.edit.ask",
     "✏️ <b>{title}</b> (<code>{id}</code>)\nСейчас на складе: {qty} шт, в резерве: {reserved}.\n"
     "Напишите новое количество (целое число):"},
    {"warehouse.edit.bad", "Нужно целое число от 0 до {max}. Напишите ещё раз:"},
    {"warehouse.edit.below_reserved", "В резерве {reserved} шт — остаток не может быть меньше. Напишите другое число:"},
    {"warehouse.edit.done", "✅ Остаток «{title}»: {from} → {to} ({diff})."},

    {"warehouse.search.ask", "🔎 Напишите часть названия товара или его ID:"},
    {"warehouse.search.found", "🔎 «{q}»: найдено {n}\n\n{list}{more}"},
    {"warehouse.search.line", "{mark} <code>{id}</code> {title}: {qty} шт"},
    {"warehouse.search.none", "🔎 По запросу «{q}» ничего не нашлось."},
    {"warehouse.search.more", "\nПоказаны первые {n}: уточните запрос."},

    {"warehouse.form.dup", "{id} уже есть в строке {line}"},
    {"warehouse.form.unknown", "товара {id} нет в каталоге"},
    {"warehouse.form.has_variants", "у товара {id} есть фасовки — укажите {pid}.1, {pid}.2 …"},
    {"warehouse.form.no_variant", "у товара {pid} нет фасовки {id}"},
    {"warehouse.form.no_variants", "у товара {pid} нет фасовок — укажите просто {pid}"},
    {"warehouse.form.qty_max", "не больше {max} шт в строке"},
    {"warehouse.form.changed", "Пока вы подтверждали, товары изменились. Пришлите список ещё раз."},

    {"warehouse.wo.ask",
     "🗑 <b>Списание</b>\nПришлите список: одна строка — «ID количество» (фасовка — «ID.N», например "
     "<code>12.2 3</code>). Строка «# причина» станет комментарием. Длинный список — файлом .txt.\n"
     "Ничего не спишется, пока вы не подтвердите."},
    {"warehouse.wo.errors", "Ничего не списано. Исправьте строки и пришлите список целиком:\n{errors}"},
    {"warehouse.wo.too_much", "доступно {available} шт, списать {qty} нельзя"},
    {"warehouse.wo.line", "<code>{id}</code> {title}: {from} → {to} ({diff})"},
    {"warehouse.wo.preview",
     "🗑 <b>Списание: проверьте</b>\n{list}\nСтрок: {n}, всего {units} шт на {value}.\n"
     "Ничего не списано, пока вы не нажмёте «✅ Списать»."},
    {"warehouse.wo.btn_ok", "✅ Списать"},
    {"warehouse.wo.comment", "списание"},
    {"warehouse.wo.done", "✅ Списано: {n}, {units} шт."},
    {"warehouse.wo.cancelled", "Списание отменено, ничего не изменилось."},

    {"warehouse.st.ask",
     "📝 <b>Инвентаризация</b>\nПришлите фактические остатки: одна строка — «ID количество» (фасовка — "
     "«ID.N»). Позиции, которых нет в списке, не меняются. Длинный список — файлом .txt.\n"
     "Бот покажет расхождения; остатки изменятся только после подтверждения."},
    {"warehouse.st.errors", "Ничего не изменено. Исправьте строки и пришлите список целиком:\n{errors}"},
    {"warehouse.st.below_reserved", "в резерве {reserved} шт — факт не может быть меньше"},
    {"warehouse.st.line", "<code>{id}</code> {title}: учёт {from}, факт {to} ({diff})"},
    {"warehouse.st.preview",
     "📝 <b>Инвентаризация: расхождения</b>\n{list}\nСтрок: {n}, совпадает: {same}, расхождений: {changed} "
     "({units} шт на {value}).\nОстатки изменятся после «✅ Исправить остатки»."},
    {"warehouse.st.btn_ok", "✅ Исправить остатки"},
    {"warehouse.st.comment", "инвентаризация"},
    {"warehouse.st.done", "✅ Инвентаризация проведена: исправлено {n} ({units} шт)."},
    {"warehouse.st.cancelled", "Инвентаризация отменена, ничего не изменилось."},

    {"warehouse.sup.list", "🏭 <b>Поставщики</b>"},
    {"warehouse.sup.none", "🏭 <b>Поставщики</b>\nПоставщиков пока нет."},
    {"warehouse.sup.line", "#{id} {name} — поставок: {supplies}, на {total}"},
    {"warehouse.sup.ask", "🏭 Напишите название нового поставщика:"},
    {"warehouse.sup.added", "✅ Поставщик добавлен."},
    {"warehouse.sup.exists", "Поставщик «{input}» уже есть. Напишите другое название:"},
    {"warehouse.sup.err_len", "Название — от 1 до {max} символов. Напишите ещё раз:"},
    {"warehouse.sup.gone", "Этого поставщика больше нет."},

    {"warehouse.supply.ask_supplier", "🚚 <b>Поставка</b>, шаг 1 из 3\nВыберите поставщика или напишите название нового:"},
    {"warehouse.supply.first_supplier", "🚚 <b>Поставка</b>, шаг 1 из 3\nНапишите название поставщика:"},
    {"warehouse.supply.ask_items",
     "🚚 Поставка от «{supplier}», шаг 2 из 3\nПришлите товары: одна строка — «ID количество» (фасовка — "
     "«ID.N», например <code>12.2 10</code>)."},
    {"warehouse.supply.items_errors", "Исправьте строки и пришлите список целиком:\n{errors}"},
    {"warehouse.supply.item", "<code>{id}</code> {title}: {qty} шт"},
    {"warehouse.supply.ask_prices",
     "🚚 Поставка, шаг 3 из 3: закупочные цены\n{list}\nПришлите сумму за всю партию по каждой позиции: одна строка — "
     "«ID сумма», например <code>12.2 2 500,50</code>. Бот разделит её на количество."},
    {"warehouse.supply.price_errors", "Исправьте суммы и пришлите их целиком:\n{errors}"},
    {"warehouse.supply.not_in_supply", "{id} нет в этой поставке"},
    {"warehouse.supply.missing", "нет суммы для {id}"},
    {"warehouse.supply.amount_range", "сумма — от 0 до {max}"},
    {"warehouse.supply.line",
     "<code>{id}</code> {title}: +{qty} шт, партия {amount} → {unit} за шт; себестоимость {old} → {new}"},
    {"warehouse.supply.summary",
     "🚚 <b>Поставка от «{supplier}»: проверьте</b>\n{list}\nПозиций: {n}, {units} шт на {total}.\n"
     "Остатки изменятся после «✅ Провести поставку»."},
    {"warehouse.supply.done", "✅ Поставка №{id} проведена: {n}, {units} шт на {total}."},
    {"warehouse.supply.cancelled", "Поставка отменена, ничего не изменилось."},

    {"warehouse.qr.caption", "🔳 QR-коды {n}: распечатайте и наклейте на полки."},
    {"warehouse.qr.none", "В каталоге нет активных товаров — QR-коды делать не для чего."},
    {"warehouse.qr.no_username", "Не удалось узнать имя бота — QR-коды не сделаны. Попробуйте позже."},
    {"warehouse.qr.failed", "Не получилось сделать PDF с QR-кодами: {why}"},
    {"warehouse.qr.title", "QR-коды товаров"},
    {"warehouse.qr.wait", "Готовлю PDF…"},
};

int32_t wr_texts_register(walor_plugin *p)
{
    return walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]);
}
