/* analytics: the default Russian texts; merchants override any of them in
 * conf.d/texts/ (any .ini) under [analytics]. */
#include "analytics.h"

static const char *const TEXTS[][2] = {
    /* order statuses and sources, as the reports name them */
    {"analytics.st.new", "новый"},
    {"analytics.st.paid", "оплачен"},
    {"analytics.st.processing", "в сборке"},
    {"analytics.st.shipped", "отправлен"},
    {"analytics.st.delivered", "доставлен"},
    {"analytics.st.completed", "выполнен"},
    {"analytics.st.cancelled", "отменён"},
    {"analytics.src.customer", "покупатель"},
    {"analytics.src.staff", "персонал"},
    {"analytics.src.b2b", "B2B / офлайн"},
    /* shared words of the workbooks */
    {"analytics.x.total", "Итого"},
    {"analytics.x.yes", "да"},
    {"analytics.x.no", "нет"},
    {"analytics.x.refund_provider", "через платёжный сервис"},
    {"analytics.x.refund_manual", "вручную"},
    {"analytics.x.unknown_item", "товар #{id} (нет в каталоге)"},
    {"analytics.x.cut", "Показаны первые строки: ещё {n} заказов не поместились в лист Excel, но учтены в сводке."},
    {"analytics.x.tz_note", "Время московское (часовой пояс магазина). Суммы в рублях."},
    {"analytics.sheet.summary", "Сводка"},
    {"analytics.sheet.orders", "Заказы"},
    {"analytics.sheet.refunds", "Возвраты"},
    {"analytics.sheet.bookings", "Записи"},
    {"analytics.sheet.manual", "Ручная выручка"},
    {"analytics.sheet.writeoffs", "Списания"},
    {"analytics.sheet.abc", "ABC"},
    {"analytics.sheet.totals", "Итоги"},
    {"analytics.sheet.valuation", "Оценка склада"},
    {"analytics.sheet.turnover", "Оборот"},
    {"analytics.sheet.moves", "Движения"},
    /* P&L, sheet "Сводка": a label and what it counts */
    {"analytics.pnl.title", "Прибыли и убытки: {period}"},
    {"analytics.pnl.h_what", "Показатель"},
    {"analytics.pnl.h_sum", "Сумма"},
    {"analytics.pnl.h_why", "Что считается"},
    {"analytics.pnl.revenue", "Выручка"},
    {"analytics.pnl.revenue_why", "Деньги от клиентов: заказы + B2B + записи + ручная выручка − возвраты. "
                                  "Столько же показывает «📊 Статистика» за этот период."},
    {"analytics.pnl.orders", "Заказы покупателей"},
    {"analytics.pnl.orders_why", "Оплаченные и не отменённые заказы, по дате оплаты, вместе с доставкой, которую "
                                 "оплатил клиент. Заказы тестировщиков не считаются."},
    {"analytics.pnl.b2b", "B2B и офлайн-продажи"},
    {"analytics.pnl.b2b_why", "Продажи, оформленные через «🏢 Заказ B2B»."},
    {"analytics.pnl.bookings", "Записи на услуги"},
    {"analytics.pnl.bookings_why", "Завершённые записи по итоговой цене, по дате завершения."},
    {"analytics.pnl.manual", "Ручная выручка"},
    {"analytics.pnl.manual_why", "Продажи вне бота, которые записал персонал, по их дате."},
    {"analytics.pnl.refunds", "Возвраты"},
    {"analytics.pnl.refunds_why", "Деньги, возвращённые по заказам, которые остаются в выручке (частичный "
                                  "возврат), по дате возврата."},
    {"analytics.pnl.catalog", "Товары по ценам каталога"},
    {"analytics.pnl.catalog_why", "Проданные товары по цене без скидок."},
    {"analytics.pnl.product_disc", "Скидки на товары"},
    {"analytics.pnl.product_disc_why", "Скидки в карточках товаров."},
    {"analytics.pnl.personal", "Персональные скидки"},
    {"analytics.pnl.personal_why", "Персональная скидка клиента, %."},
    {"analytics.pnl.promo", "Промокоды"},
    {"analytics.pnl.promo_why", "Скидки по промокодам."},
    {"analytics.pnl.cert", "Сертификаты"},
    {"analytics.pnl.cert_why", "Оплачено подарочными сертификатами."},
    {"analytics.pnl.bonus", "Бонусы"},
    {"analytics.pnl.bonus_why", "Оплачено бонусами."},
    {"analytics.pnl.goods_net", "Товары после всех скидок"},
    {"analytics.pnl.goods_net_why", "Что клиенты заплатили за товары (без доставки)."},
    {"analytics.pnl.net", "Чистая выручка (без доставки)"},
    {"analytics.pnl.net_why", "Товары после скидок + записи + ручная выручка − возвраты."},
    {"analytics.pnl.cogs", "Себестоимость проданных товаров"},
    {"analytics.pnl.cogs_why", "По средней себестоимости на момент продажи (журнал склада), не по сегодняшней."},
    {"analytics.pnl.gross", "Валовая прибыль"},
    {"analytics.pnl.gross_why", "Чистая выручка − себестоимость."},
    {"analytics.pnl.margin", "Маржинальность"},
    {"analytics.pnl.margin_why", "Валовая прибыль ÷ чистая выручка."},
    {"analytics.pnl.d_client", "Доставка: оплатили клиенты"},
    {"analytics.pnl.d_client_why", "Входит в выручку и уходит перевозчику."},
    {"analytics.pnl.d_shop", "Доставка: оплатил магазин"},
    {"analytics.pnl.d_shop_why", "Бесплатная для клиента доставка и B2B-доставка за счёт магазина."},
    {"analytics.pnl.writeoffs", "Списания"},
    {"analytics.pnl.writeoffs_why", "Списанный товар по себестоимости (журнал склада)."},
    {"analytics.pnl.profit", "Прибыль после доставки и списаний"},
    {"analytics.pnl.profit_why", "Валовая прибыль − доставка за счёт магазина − списания."},
    {"analytics.pnl.refunds_x", "Справочно: возвраты по отменённым заказам"},
    {"analytics.pnl.refunds_x_why", "Отменённый заказ не входит в выручку, поэтому и его возврат из неё не "
                                    "вычитается."},
    {"analytics.pnl.no_stock", "Склад не подключён: себестоимость и списания не считаются."},
    /* ABC */
    {"analytics.abc.title", "ABC-анализ товаров: {period}"},
    {"analytics.abc.rule", "Товары по выручке, от большей: A — первые 80 % выручки, B — следующие 15 %, C — "
                           "остальные 5 %. Выручка товара — его строки заказов по цене со скидкой товара; скидки на "
                           "весь заказ (персональная, промокод, сертификат, бонусы) — в отчёте P&L."},
    {"analytics.abc.class_a", "A — 80 % выручки"},
    {"analytics.abc.class_b", "B — следующие 15 %"},
    {"analytics.abc.class_c", "C — остальные 5 %"},
    /* stock movements */
    {"analytics.mv.supply", "поставка"},
    {"analytics.mv.writeoff", "списание"},
    {"analytics.mv.sale", "продажа"},
    {"analytics.mv.reserve", "резерв"},
    {"analytics.mv.release", "снятие резерва"},
    {"analytics.mv.edit", "правка остатка"},
    {"analytics.mv.stocktake", "инвентаризация"},
    {"analytics.mv.restock", "возврат на склад"},
    {"analytics.mv.b2b", "B2B-продажа"},
    {"analytics.mv.sales_day", "продажи за день"},
    {"analytics.mv.sales_comment", "заказов: {n}"},
    /* the chart */
    {"analytics.chart.title", "Выручка · {period}"},
    {"analytics.chart.subtitle", "Итого {total} · заказов {orders} · активных дней {active} из {days}"},
    {"analytics.chart.legend_rev", "выручка, ₽"},
    {"analytics.chart.legend_ord", "заказы, шт"},
    {"analytics.chart.empty", "Нет продаж за период"},
    {"analytics.chart.caption", "📈 <b>Выручка · {period}</b>\nИтого: <b>{total}</b>\nЗаказов: {orders} · "
                                "активных дней: {active} из {days}"},
    /* report jobs */
    {"analytics.rep.chart", "график выручки"},
    {"analytics.rep.pnl", "P&amp;L"},
    {"analytics.rep.abc", "ABC-анализ"},
    {"analytics.rep.stock", "оценка склада"},
    {"analytics.rep.moves", "движение товаров"},
    {"analytics.rep.preparing", "⏳ Готовлю {what} за {period}… Пришлю, как только будет готово."},
    {"analytics.rep.preparing_now", "⏳ Готовлю {what}… Пришлю, как только будет готово."},
    {"analytics.rep.caption", "📑 {what} за {period}"},
    {"analytics.rep.caption_empty", "📑 {what} за {period}: за период продаж нет, отчёт пустой."},
    {"analytics.rep.caption_stock", "📦 {what} на сегодня: запас по себестоимости {total}"},
    {"analytics.rep.too_big", "😔 Отчёт получился больше 50 МБ — столько Telegram не принимает. Выберите период "
                              "короче."},
    {"analytics.rep.no_stock", "Этот отчёт строится по журналу склада, а модуль склада не подключён."},
    {"analytics.rep.failed", "😔 Не удалось подготовить отчёт. Владелец получил сообщение об ошибке."},
};

int32_t an_texts_register(walor_plugin *p)
{
    int32_t rc = 0;
    for (size_t i = 0; !rc && i < sizeof TEXTS / sizeof TEXTS[0]; i++)
        rc = walor_text_default(p, TEXTS[i][0], TEXTS[i][1]);
    return rc;
}
