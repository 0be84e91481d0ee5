/* orders: the default Russian texts; merchants override any of them in
 * conf.d/texts/ (any .ini) under [orders]. */
#include "orders.h"

static const char *const TEXTS[][2] = {
    /* statuses (F-ORD-01) */
    {"orders.st.new", "🆕 Новый"},
    {"orders.st.paid", "💳 Оплачен"},
    {"orders.st.processing", "📦 В сборке"},
    {"orders.st.shipped", "🚚 Отправлен"},
    {"orders.st.delivered", "📬 Доставлен"},
    {"orders.st.completed", "✅ Выполнен"},
    {"orders.st.cancelled", "❌ Отменён"},
    /* an order's contents */
    {"orders.line", "{i}. {name} — {price} × {qty} шт = <b>{sum}</b>"},
    {"orders.sum.goods", "Товары: {sum}"},
    {"orders.sum.product_discount", "Скидка на товары: −{sum}"},
    {"orders.sum.personal", "Персональная скидка: −{sum}"},
    {"orders.sum.promo", "Промокод {code}: −{sum}"},
    {"orders.sum.cert", "Сертификат {code}: −{sum}"},
    {"orders.sum.bonus", "Оплачено бонусами: −{sum}"},
    {"orders.sum.delivery", "Доставка: {sum}"},
    {"orders.sum.delivery_manual", "Доставка: менеджер рассчитает вручную"},
    {"orders.sum.total", "💰 <b>Итого: {sum}</b>"},
    {"orders.autocancel_reason", "не оплачен вовремя"},
    /* notifications (F-ORD-09) */
    {"orders.notify.paid", "💳 Заказ №{id} оплачен. Спасибо! Мы начинаем его собирать."},
    {"orders.notify.processing", "📦 Заказ №{id} собирается."},
    {"orders.notify.shipped", "🚚 Заказ №{id} отправлен."},
    {"orders.notify.shipped_track", "🚚 Заказ №{id} отправлен. Трек-номер: <code>{track}</code>"},
    {"orders.notify.delivered", "📬 Заказ №{id} доставлен. Заберите его, пожалуйста!"},
    {"orders.notify.completed", "✅ Заказ №{id} выполнен. Спасибо за покупку!"},
    {"orders.notify.cancelled", "❌ Заказ №{id} отменён."},
    {"orders.notify.auto_cancelled", "⏰ Заказ №{id} отменён: оплата не поступила вовремя. Товары вернулись в "
                                     "продажу — вы можете оформить заказ заново."},
    {"orders.notify.new", "🆕 Заказ №{id} снова ждёт оплаты."},
    {"orders.btn.open_mine", "📦 Открыть заказ"},
    /* the customer's "Мои заказы" (F-ORD-11) */
    {"orders.my.menu", "📦 Мои заказы"},
    {"orders.my.title", "📦 <b>Мои заказы</b>"},
    {"orders.my.empty", "📦 У вас пока нет заказов."},
    {"orders.my.row", "№{id} · {status} · {sum} · {date}"},
    {"orders.my.card", "📦 <b>Заказ №{id}</b> от {date}\nСтатус: {status}"},
    {"orders.my.track", "🚚 Трек-номер: <code>{track}</code>"},
    {"orders.my.not_found", "Заказ не найден."},
    {"orders.my.btn.back", "⬅️ К списку заказов"},
    {"orders.btn.main", "🏠 Главное меню"},
    {"orders.btn.prev", "◀️ Назад"},
    {"orders.btn.next", "Вперёд ▶️"},
    {"orders.page", "Страница {page} из {pages}"},
    /* abandoned cart (F-ORD-12) */
    {"orders.cart.remind", "🛒 Вы оставили в корзине товары ({qty} шт). Они ещё ждут вас — оформите заказ, "
                           "пока всё в наличии!"},
    {"orders.cart.btn", "🛒 Открыть корзину"},
};

int32_t orders_texts_register(walor_plugin *p)
{
    int32_t rc = 0;
    for (size_t i = 0; !rc && i < sizeof TEXTS / sizeof TEXTS[0]; i++)
        rc = walor_text_default(p, TEXTS[i][0], TEXTS[i][1]);
    return rc;
}
