"""orders plugin, the customer's side (plugins/orders/customer.c): "📦 Мои
заказы" with status and sums, one order's detail, and someone else's order
asked for by forged callback data."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_orders_kit as ok

MY = "📦 Мои заказы"


@pytest.mark.features("F-ORD-11")
def test_history_and_detail(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    u.send("/start")
    u.press(MY)
    assert "У вас пока нет заказов." in u.screen().text
    a = ok.new_order(u, "10.1x2@150000/200000 11x1@50000 delivery=30000 type=pickup addr=ПВЗ_<Арбат>")
    b = ok.new_order(u, "12x1@99900")
    ok.cmd(u, f"/ordprobe_paid {a}")
    ok.cmd(u, f"/ordprobe_track {a} TRK-1")
    ok.cmd(u, f"/ordprobe_cancel {b} 1")
    # the two notices come from event deliveries, on their own time: had one
    # of them come after the list, the list would not be the newest message
    paid_notice = u.expect(f"Заказ №{a} оплачен")
    u.expect(f"Заказ №{b} отменён")
    u.send("/orders")
    s = u.screen()
    rows = [t for t in s.button_texts if t.startswith("№")]
    assert len(rows) == 2, u.dump()
    assert rows[0].startswith(f"№{b} · ❌ Отменён · 999 ₽ · ") and rows[1].startswith(f"№{a} · 💳 Оплачен · 3 800 ₽")
    u.press(rows[1])
    s = u.screen()
    for part in (f"Заказ №{a}", "Статус: 💳 Оплачен", "Доставка: ПВЗ", "Адрес: ПВЗ_<Арбат>",
                 "1. Товар 10, фасовка 1 — 1 500 ₽ × 2 шт = 3 000 ₽", "Скидка на товары: −1 000 ₽",
                 "Доставка: 300 ₽", "Итого: 3 800 ₽", "Трек-номер: TRK-1"):
        assert part in s.text, (part, s.text)
    assert "&lt;Арбат&gt;" in s.html
    u.press("⬅️ К списку заказов")
    assert len([t for t in u.screen().button_texts if t.startswith("№")]) == 2
    # the notification's button opens the same detail
    m = paid_notice
    u.press("📦 Открыть заказ", message_id=m["message_id"])
    edited = next(x for x in u.bot_messages() if x["message_id"] == m["message_id"])
    assert f"Заказ №{a} от" in edited["text"] and "Статус: 💳 Оплачен" in edited["text"]


@pytest.mark.features("F-ORD-11")
def test_pages(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    ids = [ok.new_order(u, "10x1@1000") for _ in range(10)]
    u.send("/orders")
    s = u.screen()
    assert "Страница 1 из 2" in s.text and len([t for t in s.button_texts if t.startswith("№")]) == 8
    u.press("Вперёд ▶️")
    s = u.screen()
    assert [t.split(" ")[0] for t in s.button_texts if t.startswith("№")] == [f"№{ids[1]}", f"№{ids[0]}"]


@pytest.mark.features("F-ORD-11")
@pytest.mark.parametrize("data", ["myo:o:{other}", "myo:o:999", "myo:o:-1", "myo:o:{other}x", "myo:zz"])
def test_someone_elses_order_by_forged_callback(tgsim, walord, tmp_path, free_port, data):
    w = ok.start(walord, tmp_path, free_port)
    anna = tgsim.user("Анна")
    other = ok.new_order(anna, "10x1@1000 addr=Секретный_адрес phone=+7000")
    mallory = tgsim.user("Мэлори")
    mine = ok.new_order(mallory, "10x1@2000")
    mallory.press_data(data.format(other=other), force=True)
    s = mallory.screen()
    assert "Секретный_адрес" not in s.text and "+7000" not in s.text and f"Заказ №{other}" not in s.text
    assert [t.split(" ")[0] for t in s.button_texts if t.startswith("№")] == [f"№{mine}"]
    if data.startswith("myo:o"):
        assert mallory.last_answer()["text"] == "Заказ не найден."
    assert ok.status(w, other) == "new"
