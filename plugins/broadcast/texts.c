/* broadcast: every text the plugin shows (merchants override them under
 * [broadcast] in conf.d/texts/). */
#include "bc.h"

static const walor_text_pair TEXTS[] = {
    {"broadcast.section", "📣 <b>Рассылка</b>\nЗавершено рассылок: {done} · идёт сейчас: {running} · "
                          "запланировано: {planned}"},
    {"broadcast.btn.new", "✍️ Новая рассылка"},
    {"broadcast.btn.list", "📋 Рассылки"},
    {"broadcast.btn.admin", "⬅️ Админ-панель"},
    {"broadcast.btn.back", "⬅️ Назад"},
    {"broadcast.btn.stop", "⏹ Остановить"},
    {"broadcast.btn.cancel", "⏹ Отменить"},
    {"broadcast.btn.csv", "📥 Список получателей"},
    {"broadcast.btn.resend", "📤 Дослать неподтверждённым"},
    {"broadcast.nothing_to_resend", "Досылать некому: неподтверждённых нет, или рассылка ещё идёт."},
    {"broadcast.resending", "Досылаю"},
    {"broadcast.stale", "Эта кнопка устарела"},
    {"broadcast.gone", "Такой рассылки нет."},
    {"broadcast.stopped", "Рассылка остановлена"},
    {"broadcast.already_over", "Рассылка уже остановлена или завершена."},
    /* list and card */
    {"broadcast.list.head", "📋 <b>Рассылки</b>"},
    {"broadcast.list.none", "📋 Рассылок ещё не было."},
    {"broadcast.list.row", "№{id} · {when} · {status} · доставлено {sent} из {total}"},
    {"broadcast.status.scheduled", "🕒 запланирована"},
    {"broadcast.status.sending", "📤 идёт"},
    {"broadcast.status.stopped", "⏹ остановлена"},
    {"broadcast.status.done", "✅ завершена"},
    {"broadcast.card.audience", "👥 Аудитория: {segment}"},
    {"broadcast.csv.caption", "📥 Получатели рассылки №{id}"},
    /* progress and report (one message, edited) */
    {"broadcast.st.scheduled", "🕒 Рассылка №{id} запланирована на {when}."},
    {"broadcast.st.sending", "📤 Рассылка №{id}: обработано {done} из {total}\n{counts}"},
    {"broadcast.st.done", "✅ <b>Рассылка №{id} завершена</b> ({when})"},
    {"broadcast.st.stopped", "⏹ <b>Рассылка №{id} остановлена</b> ({when}): {reason}"},
    {"broadcast.st.by_staff", "вручную"},
    {"broadcast.st.total", "Получателей: {total}"},
    {"broadcast.st.counts", "✅ Доставлено: {sent}\n🚫 Заблокировали бота: {blocked}\n⚠️ Другие ошибки: {failed}"},
    {"broadcast.st.unknown", "❔ Не подтверждено: {n} — отправлялись в момент сбоя, могли не получить. Сами мы "
                             "не повторяем, чтобы никто не получил дважды; «📤 Дослать» отправит им ещё раз."},
    {"broadcast.st.not_sent", "⏸ Не отправлено: {n}"},
    /* audiences */
    {"broadcast.seg.all", "Все пользователи"},
    {"broadcast.seg.paid", "С оплаченным заказом"},
    {"broadcast.seg.noorders", "Без оплаченных заказов"},
    {"broadcast.seg.new_n", "Новые за {days}"},
    {"broadcast.seg.idle_n", "Не заходили {days}"},
    {"broadcast.seg.bought_n", "Купили {items}"},
    {"broadcast.seg.link_n", "Пришли по ссылке link_{code}"},
    {"broadcast.seg.testers", "Только тестировщики"},
    {"broadcast.seg.btn_all", "👥 Всем"},
    {"broadcast.seg.btn_paid", "💳 С оплаченным заказом"},
    {"broadcast.seg.btn_noorders", "🛒 Без заказов"},
    {"broadcast.seg.btn_new", "🆕 Новым за N дней"},
    {"broadcast.seg.btn_idle", "😴 Неактивным N дней"},
    {"broadcast.seg.btn_bought", "🛍 Купившим товар"},
    {"broadcast.seg.btn_link", "🔗 По трекинг-ссылке"},
    {"broadcast.seg.btn_testers", "🧪 Тестировщикам"},
    /* composing */
    {"broadcast.new.ask_content", "✍️ Пришлите текст рассылки — можно с разметкой Telegram: &lt;b&gt;жирный&lt;/b&gt;, "
                                  "&lt;i&gt;курсив&lt;/i&gt;, &lt;a href=\"https://…\"&gt;ссылка&lt;/a&gt; — или "
                                  "фото с подписью."},
    {"broadcast.new.refused", "❌ {why}\n\n{again}"},
    {"broadcast.new.photo_big", "Фото больше 10 МБ — Telegram не примет его. Уменьшите его или пришлите как обычное "
                                "фото (со сжатием)."},
    {"broadcast.new.photo_as_file", "Картинка пришла файлом: пришлите её как фото (со сжатием)."},
    {"broadcast.new.not_file", "Рассылка — это текст или фото, файлы не рассылаются."},
    {"broadcast.new.not_media", "Нужен текст или фото."},
    {"broadcast.new.ask_button", "🔘 Добавить под сообщением кнопку-ссылку? Пришлите «Текст кнопки | https://адрес»."},
    {"broadcast.new.btn_none", "Без кнопки"},
    {"broadcast.new.bad_button", "Кнопка пишется так: «Текст | https://адрес» (текст до 64 символов, адрес с "
                                 "http:// или https://)."},
    {"broadcast.new.preview", "👀 Предпросмотр — так сообщение увидят получатели:"},
    {"broadcast.new.preview_failed", "⚠️ Telegram не принял сообщение: {why}. Пришлите текст или фото ещё раз."},
    {"broadcast.new.ask_audience", "👥 Кому отправить?"},
    {"broadcast.new.ask_days_new", "🆕 Новым за сколько последних дней? Напишите число (1–3650)."},
    {"broadcast.new.ask_days_idle", "😴 Кто не заходил в бот сколько дней? Напишите число (1–3650)."},
    {"broadcast.new.bad_days", "Нужно целое число дней от 1 до 3650."},
    {"broadcast.new.ask_items", "🛍 Какие товары? Напишите номера товаров (12 или p12) и категорий (c3) через запятую "
                                "— получат те, кто купил хоть один из них."},
    {"broadcast.new.ask_link", "🔗 Пришедшим по какой ссылке? Выберите или напишите код ссылки."},
    {"broadcast.new.ask_link_typed", "🔗 Напишите код трекинг-ссылки (то, что после link_)."},
    {"broadcast.new.bad_link", "Код ссылки — латиница, цифры и «_», до 32 символов."},
    {"broadcast.new.count", "👥 {segment}: <b>{n}</b> (вам — предпросмотр выше).\nОтправить сейчас или "
                            "запланировать?"},
    {"broadcast.new.empty", "👥 {segment}: сейчас в этой аудитории никого нет (тех, кто заблокировал бота, мы не "
                            "считаем). Выберите другую."},
    {"broadcast.new.btn_now", "🚀 Отправить сейчас"},
    {"broadcast.new.btn_later", "🕒 Запланировать"},
    {"broadcast.new.btn_audience", "👥 Другая аудитория"},
    {"broadcast.new.started", "🚀 Рассылка №{id} запущена. Здесь будет её прогресс, потом — отчёт."},
    {"broadcast.new.ask_when", "🕒 Когда отправить? Например «25.12 18:30», «завтра 10:00» или «18:30» (сегодня)."},
    {"broadcast.new.past", "{when} уже прошло (сейчас {now}). Укажите время в будущем."},
};

int32_t bc_texts_register(walor_plugin *p) { return walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]); }
