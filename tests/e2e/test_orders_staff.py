"""orders plugin, staff side (plugins/orders/staff.c): the admin header
with active counts, lists with filters and pagination, the order card with
every field, status forward/back by buttons (refused moves from stale or
forged data), manual payment, cancel with return / write-off, payment
details with and without a payment provider, the relayed message and the
tracking number, the customer card, the delivery list, and customers kept
out by the host."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_orders_kit as ok

SECTION = "📋 Заказы"


def admin(u):
    u.send("/admin")
    return u.expect(hk.ADMIN_TITLE)


def open_orders(u):
    admin(u)
    u.press(SECTION)
    return u.screen()


def log_rows(w, like):
    return hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what LIKE ?", like)


def order_button(screen, oid):
    return next(t for t in screen.button_texts if t.startswith(f"№{oid} "))


@pytest.mark.features("F-ORD-06")
def test_header_filters_and_pagination(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    ids = [ok.new_order(u, "10x1@100000") for _ in range(13)]
    ok.cmd(u, f"/ordprobe_paid {ids[0]}")
    ok.cmd(u, f"/ordprobe_paid {ids[1]}")
    ok.cmd(u, f"/ordprobe_status {ids[1]} processing")
    ok.cmd(u, f"/ordprobe_paid {ids[2]}")
    ok.cmd(u, f"/ordprobe_status {ids[2]} processing")
    ok.cmd(u, f"/ordprobe_status {ids[2]} shipped")
    ok.cmd(u, f"/ordprobe_cancel {ids[3]} 1")
    boss = hk.owner(tgsim)
    m = admin(boss)
    assert "📋 Заказы: 🆕 9 · 💳 1 · 📦 1" in m["text"]
    boss.press(SECTION)
    s = boss.screen()
    assert "Активные" in s.text and "Найдено: 11" in s.text and "Страница 1 из 2" in s.text
    rows = [t for t in s.button_texts if t.startswith("№")]
    assert len(rows) == 10 and rows[0].startswith(f"№{ids[12]} · 🆕 Новый · 1 000 ₽ · Анна")
    boss.press("Вперёд ▶️")
    s = boss.screen()
    assert "Страница 2 из 2" in s.text
    assert [t.split(" ")[0] for t in s.button_texts if t.startswith("№")] == [f"№{ids[0]}"]
    boss.press("Отменённые")
    s = boss.screen()
    assert "Найдено: 1" in s.text and order_button(s, ids[3]).startswith(f"№{ids[3]} · ❌ Отменён")
    boss.press("Отправленные")
    assert "Найдено: 1" in boss.screen().text
    boss.press("В сборке")
    assert "Найдено: 1" in boss.screen().text
    boss.press("Выполненные")
    assert "Заказов нет." in boss.screen().text
    boss.press("Все")
    assert "Найдено: 13" in boss.screen().text
    boss.press("Новые")
    assert "Найдено: 9" in boss.screen().text
    boss.press("Оплаченные")
    assert "Найдено: 1" in boss.screen().text
    # a forged page or filter lands on a valid screen
    boss.press_data("ord:l:nonsense:99", force=True)
    assert "Активные" in boss.screen().text and "Страница 2 из 2" not in boss.screen().text
    boss.press_data("ord:l:all:99", force=True)
    assert "Страница 2 из 2" in boss.screen().text


@pytest.mark.features("F-ORD-04", "F-ORD-05")
def test_card_shows_every_field_and_moves_by_buttons(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна", username="anna_k")
    ok.set_stock(u, 10, 1, 5)
    oid = ok.new_order(u, "10.1x2@150000/200000 11x1@50000 delivery=30000 promo=10000 pcode=<ВЕСНА> bonus=5000 "
                          "cert=1000 ccode=GIFT type=courier addr=Москва,<b>Тверская</b> phone=+79990001122 "
                          "name=Анна_<i>К</i>")
    ok.cmd(u, f"/ordprobe_track {oid} CDEK77")
    boss = hk.owner(tgsim)
    s = open_orders(boss)
    boss.press(order_button(s, oid))
    s = boss.screen()
    for part in (f"Заказ №{oid} · 🆕 Новый", "покупатель", "Анна_<i>К</i> (@anna_k)", f"ID {u.id}",
                 "Телефон: +79990001122", "Доставка: Курьер", "Адрес: Москва,<b>Тверская</b>",
                 "1. Товар 10, фасовка 1 — 1 500 ₽ × 2 шт = 3 000 ₽", "2. Товар 11 — 500 ₽ × 1 шт = 500 ₽",
                 "Товары: 4 500 ₽", "Скидка на товары: −1 000 ₽", "Промокод <ВЕСНА>: −100 ₽",
                 "Сертификат GIFT: −10 ₽", "Оплачено бонусами: −50 ₽", "Доставка: 300 ₽", "Итого: 3 640 ₽",
                 "Скриншот оплаты: нет", "Трек-номер: CDEK77"):
        assert part in s.text, (part, s.text)
    assert "&lt;b&gt;Тверская&lt;/b&gt;" in s.html and "&lt;ВЕСНА&gt;" in s.html
    assert {"✅ Оплата получена", "💳 Отправить реквизиты", "❌ Отменить", "✉️ Написать клиенту",
            "👤 Карточка клиента"} <= set(s.button_texts)
    # manual payment, confirmed first
    boss.press("✅ Оплата получена")
    assert f"Подтвердить, что оплата заказа №{oid} получена?" in boss.screen().text
    assert ok.status(w, oid) == "new"
    boss.press("✅ Да, оплата получена")
    s = boss.screen()
    assert "💳 Оплачен" in s.text and "▶️ 📦 В сборке" in s.button_texts
    assert ok.history(w, oid)[-1][:3] == ("new", "paid", hk.OWNER_ID)
    assert hk.scalar(w.db(), "SELECT payment_ref FROM orders_order WHERE id = ?", oid) == "manual"
    u.expect(f"Заказ №{oid} оплачен")
    boss.press("▶️ 📦 В сборке")
    s = boss.screen()
    assert "📦 В сборке" in s.text and "◀️ 💳 Оплачен" in s.button_texts and "▶️ 🚚 Отправлен" in s.button_texts
    stale = s.button_data("▶️ 🚚 Отправлен")
    boss.press("◀️ 💳 Оплачен")
    assert ok.status(w, oid) == "paid"
    # the stale ▶️ of an older card: paid → shipped is not a move
    boss.press_data(stale, force=True)
    assert "недоступен" in boss.last_answer()["text"] and ok.status(w, oid) == "paid"
    boss.press_data(f"ord:s:{oid}:cancelled", force=True)
    assert "недоступен" in boss.last_answer()["text"] and ok.status(w, oid) == "paid"
    boss.press_data(f"ord:s:{oid}:paid", force=True)
    assert ok.status(w, oid) == "paid"
    assert log_rows(w, f"заказ №{oid}: 🆕 Новый → 💳 Оплачен") == 1
    assert log_rows(w, f"заказ №{oid}: 💳 Оплачен → 📦 В сборке") == 1
    assert log_rows(w, f"заказ №{oid}: 📦 В сборке → 💳 Оплачен") == 1
    ev = ok.events(w, "order.status_changed", oid)
    assert [e["by"] for e in ev] == [hk.OWNER_ID] * 3
    # unknown order
    boss.press_data("ord:o:999", force=True)
    assert boss.last_answer()["text"] == "Заказ не найден."


@pytest.mark.features("F-ORD-05", "F-ORD-02", "F-ORD-10")
def test_cancel_by_staff_with_return_or_write_off(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    ok.set_stock(u, 10, 0, 10)
    a = ok.new_order(u, "10x2@1000")
    b = ok.new_order(u, "10x3@1000")
    c = ok.new_order(u, "10x1@1000")
    for oid in (b, c):
        ok.cmd(u, f"/ordprobe_paid {oid}")
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press_data(f"ord:o:{a}", force=True)
    boss.press("❌ Отменить")
    assert "Резерв товара будет снят" in boss.screen().text
    boss.press("❌ Да, отменить")
    assert "❌ Отменён" in boss.screen().text and "❌ Отменить" not in boss.screen().button_texts
    boss.press_data(f"ord:o:{b}", force=True)
    boss.press("❌ Отменить")
    assert {"↩️ Отменить и вернуть на склад", "🗑 Отменить и списать товар"} <= set(boss.screen().button_texts)
    boss.press("↩️ Отменить и вернуть на склад")
    boss.press_data(f"ord:o:{c}", force=True)
    boss.press("❌ Отменить")
    boss.press("🗑 Отменить и списать товар")
    assert [r[3] for r in ok.ledger(w, a)] == ["reserve", "release"]
    assert [r[3] for r in ok.ledger(w, b)] == ["reserve", "sale", "restock"]
    assert [r[3] for r in ok.ledger(w, c)] == ["reserve", "sale", "restock"]
    assert hk.scalar(w.db(), "SELECT count(*) FROM ordprobe_ledger WHERE reason = 'writeoff' AND qty = -1") == 1
    assert ok.level(w, 10, 0) == 9
    assert [e["stock"] for e in ok.events(w, "order.cancelled")] == ["released", "returned", "written_off"]
    assert log_rows(w, "% → ❌ Отменён") == 3
    # cancelling again from a stale screen changes nothing
    boss.press_data(f"ord:xw:{b}", force=True)
    assert boss.last_answer()["text"] == "Статус уже такой."
    assert len(ok.events(w, "order.cancelled")) == 3


@pytest.mark.features("F-ORD-05")
def test_payment_details_through_the_payment_service(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port, payment=True)
    u = tgsim.user("Анна")
    oid = ok.new_order(u, "10x1@1000")
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press_data(f"ord:o:{oid}", force=True)
    boss.press("💳 Отправить реквизиты")
    assert boss.last_answer()["text"] == "Реквизиты отправлены клиенту"
    u.expect(f"💳 Реквизиты для оплаты заказа №{oid}")
    assert hk.scalar(w.db(), "SELECT count(*) FROM ordprobe_invoice WHERE order_id = ?", oid) == 1
    assert log_rows(w, f"заказ №{oid}: отправил реквизиты") == 1
    ok.cmd(u, f"/ordprobe_paid {oid}")
    boss.press_data(f"ord:d:{oid}", force=True)
    assert "только по новому" in boss.last_answer()["text"]


@pytest.mark.features("F-ORD-05")
def test_payment_details_without_a_provider(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    oid = ok.new_order(u, "10x1@1000")
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press_data(f"ord:o:{oid}", force=True)
    boss.press("💳 Отправить реквизиты")
    ans = boss.last_answer()
    assert "Платёжный модуль не подключён" in ans["text"] and ans.get("show_alert") is True
    assert not any("Реквизиты" in (m.get("text") or "") for m in u.bot_messages())


@pytest.mark.features("F-ORD-05", "F-ORD-04")
def test_message_customer_tracking_and_client_card(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна", username="anna_k")
    oid = ok.new_order(u, "10x1@100000")
    ok.new_order(u, "10x2@100000")
    ok.cmd(u, f"/ordprobe_paid {oid}")
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press_data(f"ord:o:{oid}", force=True)
    boss.press("✉️ Написать клиенту")
    boss.expect(f"Напишите сообщение клиенту по заказу №{oid}")
    boss.send("   ")
    boss.expect("Сообщение пустое")
    boss.send("Здравствуйте! Курьер будет <завтра> & до 12")
    boss.expect("✅ Сообщение отправлено клиенту.")
    m = u.expect(f"Сообщение по заказу №{oid}")
    assert "Курьер будет <завтра> & до 12" in m["text"]
    assert log_rows(w, f"заказ №{oid}: написал клиенту") == 1
    # the tracking number
    boss.press("🔢 Трек-номер")
    boss.send("два слова")
    boss.expect("одно слово без пробелов")
    boss.send("CDEK-123")
    boss.expect("✅ Трек-номер сохранён.")
    assert hk.scalar(w.db(), "SELECT tracking FROM orders_order WHERE id = ?", oid) == "CDEK-123"
    assert "Трек-номер: CDEK-123" in boss.screen().text
    # ✖️ leaves the input without sending
    boss.press("✉️ Написать клиенту")
    boss.press("✖️ Отмена")
    assert f"Заказ №{oid}" in boss.screen().text
    # the customer card (CRM comes later)
    boss.press("👤 Карточка клиента")
    s = boss.screen()
    assert "Username: @anna_k" in s.text and f"ID: {u.id}" in s.text and "Заказов: 2 на 3 000 ₽" in s.text
    boss.press("⬅️ К заказу")
    assert f"Заказ №{oid}" in boss.screen().text


@pytest.mark.features("F-ORD-07")
def test_delivery_list(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    a = ok.new_order(u, "10x1@1000 type=courier addr=Москва,_Ленина_<5> phone=+7999")
    b = ok.new_order(u, "10x1@1000 type=pickup addr=ПВЗ_Тверская")
    c = ok.new_order(u, "10x1@1000 type=courier addr=Не_оплачен")
    d = ok.new_order(u, "10x1@1000 type=courier addr=Уже_отправлен")
    for oid in (a, b, d):
        ok.cmd(u, f"/ordprobe_paid {oid}")
    ok.cmd(u, f"/ordprobe_status {b} processing")
    ok.cmd(u, f"/ordprobe_status {d} processing")
    ok.cmd(u, f"/ordprobe_status {d} shipped")
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press("🚚 Доставка")
    s = boss.screen()
    assert "оплаченные и собираемые заказы — 2" in s.text
    assert f"№{a} · 💳 Оплачен · Курьер" in s.text and "Москва,_Ленина_<5>" in s.text and "+7999" in s.text
    assert f"№{b} · 📦 В сборке · ПВЗ" in s.text and "ПВЗ_Тверская" in s.text
    assert "Не_оплачен" not in s.text and "Уже_отправлен" not in s.text
    assert "&lt;5&gt;" in s.html
    boss.press(f"№{b}")
    assert f"Заказ №{b}" in boss.screen().text
    assert c


@pytest.mark.features("F-ORD-05", "F-HOST-02")
@pytest.mark.parametrize("data", ["ord:o:1", "ord:payy:1", "ord:xr:1", "ord:s:1:processing", "ord:l:all:0"])
def test_customer_cannot_press_staff_buttons(tgsim, walord, tmp_path, free_port, data):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Гоша")
    oid = ok.new_order(u, "10x1@1000")
    assert oid == 1
    u.press_data(data, force=True)
    ans = hk.wait_until(u.last_answer, what="an answer to the forged press")
    assert ans["text"] == hk.DENIED
    assert ok.status(w, 1) == "new" and ok.history(w, 1) == [("", "new", 0, "")]
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log") == 0


@pytest.mark.features("F-ORD-05")
def test_payment_details_timeout_is_told_and_nothing_logged(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port, payment=True, probe_ini="payment_timeout = yes\n")
    u = tgsim.user("Анна")
    oid = ok.new_order(u, "10x1@1000")
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press_data(f"ord:o:{oid}", force=True)
    boss.press("💳 Отправить реквизиты")
    ans = boss.last_answer()
    assert "Не удалось отправить реквизиты" in ans["text"] and ans.get("show_alert") is True
    assert log_rows(w, "%реквизиты%") == 0 and ok.status(w, oid) == "new"
    assert f"Заказ №{oid}" in boss.screen().text                # the card stays usable


@pytest.mark.features("F-ORD-05")
def test_expired_message_conversation_sends_nothing(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    oid = ok.new_order(u, "10x1@1000")
    ok.cmd(u, f"/ordprobe_paid {oid}")
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press_data(f"ord:o:{oid}", force=True)
    boss.press("✉️ Написать клиенту")
    boss.expect("Напишите сообщение клиенту")
    ok.clock(w, 31 * 60)                                        # past the 30-minute timeout
    before = len(u.bot_messages())
    boss.send("Сообщение после таймаута")
    boss.expect("Время на ответ истекло")
    assert len(u.bot_messages()) == before
    assert log_rows(w, "%написал клиенту%") == 0
