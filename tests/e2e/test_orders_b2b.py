"""orders plugin with the real catalog and warehouse plugins: the B2B /
offline sale in two steps (plugins/orders/b2b.c) with line-numbered errors
and a confirmation before anything is written, and the stock moves of
orders in the warehouse ledger (reserve, sale at the average cost,
release, restock, write-off)."""

from __future__ import annotations

import json

import pytest

import hostkit as hk
import test_orders_kit as ok
from test_catalog_browse import Shop
from test_warehouse_stock import seed


def start(walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port, stock=False, catalog=True, extra_plugins=["warehouse"])
    return w, Shop(w)


def wh_ledger(w, oid):
    return w.db().execute("SELECT product_id, variant_no, kind, qty, reserved FROM warehouse_ledger "
                          "WHERE order_id = ? ORDER BY id", (oid,)).fetchall()


def on_hand(w, pid, vno):
    return w.db().execute("SELECT on_hand, reserved FROM warehouse_item WHERE product_id = ? AND variant_no = ?",
                          (pid, vno)).fetchone()


def b2b(boss):
    boss.send("/admin")
    boss.expect(hk.ADMIN_TITLE)
    boss.press("🏢 Заказ B2B")
    return boss.expect("Шаг 1 из 2")


@pytest.mark.features("F-ORD-08")
def test_b2b_sale_in_two_steps_with_numbered_errors(tgsim, walord, tmp_path, free_port):
    w, shop = start(walord, tmp_path, free_port)
    rose = shop.product("Роза", variants=[("5 мл", 60000, 50), ("50 мл", 350000, 300)])
    tea = shop.product("Чай <улун>", price=50000)
    seed(w.db(), rose, 1, 10, 20000)
    seed(w.db(), tea, 0, 4, 10000)
    boss = hk.owner(tgsim)
    b2b(boss)
    # every bad line is named, nothing is written
    boss.send(f"{rose}.1 3 1000\nчто-то\n{tea} 1")
    m = boss.expect("Ошибки — ничего не записано")
    assert "строка 2: нужно «ID количество сумма»" in m["text"] and "строка 3:" in m["text"]
    assert "строка 1" not in m["text"]
    boss.send(f"{rose}.1 3 1000\n{tea} 1 100\n999 1 100\n{tea} 4 500\n{rose}.7 1 10")
    m = boss.expect("строка 3: товара 999")
    assert "строка 3: товара 999 нет в каталоге" in m["text"]
    assert f"строка 4: товара {tea} в наличии только 4 шт" in m["text"]     # 1 + 4 of the same item
    assert f"строка 5: товара {rose}.7 нет в каталоге" in m["text"]
    assert "строка 1" not in m["text"] and "строка 2" not in m["text"]
    assert hk.scalar(w.db(), "SELECT count(*) FROM orders_order") == 0
    # the good list; 1 000 ₽ for 3 does not divide into kopecks
    boss.send(f"{rose}.1 3 1000\n{tea} 2 500,50")
    m = boss.expect("Шаг 2 из 2")
    assert f"1. [{rose}.1] Роза, 5 мл — 3 шт на 1 000 ₽" in m["text"]
    assert f"2. [{tea}] Чай <улун> — 2 шт на 500,50 ₽" in m["text"] and "Товары: 1 500,50 ₽" in m["text"]
    boss.send("пятьсот")
    boss.expect("Стоимость доставки — сумма в рублях")
    boss.send("300")
    boss.expect("Доставка 300 ₽: кто её оплачивает?")
    boss.press("👤 Платит клиент")
    m = boss.expect("Проверьте B2B-продажу")
    assert "Доставка: 300 ₽, платит клиент" in m["text"] and "Итого с клиента: 1 800,50 ₽" in m["text"]
    assert hk.scalar(w.db(), "SELECT count(*) FROM orders_order") == 0        # still nothing written
    boss.press("✅ Провести")
    m = boss.expect("проведён")
    oid = hk.scalar(w.db(), "SELECT id FROM orders_order")
    assert f"B2B-заказ №{oid} проведён" in m["text"] and "1 800,50 ₽" in m["text"]
    row = w.db().execute("SELECT source, user_id, status, goods, delivery_cost, total, contact_name, extra_json, "
                         "paid_at > 0 FROM orders_order WHERE id = ?", (oid,)).fetchone()
    assert row[:7] == (2, 0, "completed", 150050, 30000, 180050, "Корпоративный клиент") and row[8] == 1
    assert json.loads(row[7]) == {"b2b": {"delivery_cost": 30000, "delivery_payer": "client"}}
    lines = w.db().execute("SELECT product_id, variant_no, name, variant_label, unit_price, qty FROM orders_line "
                           "WHERE order_id = ? ORDER BY no", (oid,)).fetchall()
    assert lines == [(rose, 1, "Роза", "5 мл", 33333, 2), (rose, 1, "Роза", "5 мл", 33334, 1),
                     (tea, 0, "Чай <улун>", "", 25025, 2)]
    # written off the warehouse as a B2B sale (its own ledger kind) at the average cost
    assert on_hand(w, rose, 1) == (7, 0) and on_hand(w, tea, 0) == (2, 0)
    kinds = [(r[0], r[2]) for r in wh_ledger(w, oid)]
    assert (rose, "b2b") in kinds and (tea, "b2b") in kinds and not any(k == "sale" for _, k in kinds)
    costs = w.db().execute("SELECT product_id, unit_cost FROM warehouse_reservation WHERE order_id = ? AND "
                           "state = 'sold' GROUP BY product_id, unit_cost ORDER BY product_id", (oid,)).fetchall()
    assert costs == sorted([(rose, 20000), (tea, 10000)])
    assert [h[:2] for h in ok.history(w, oid)] == [("", "new"), ("new", "paid"), ("paid", "completed")]
    assert len(ok.events(w, "order.completed", oid)) == 1
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what LIKE 'B2B-продажа: заказ №%'") == 1
    # the card opens from the answer, and says who the client is
    boss.press("📋 Открыть заказ")
    s = boss.screen()
    assert "🏢 Корпоративный клиент" in s.text and "B2B / офлайн" in s.text and "✅ Выполнен" in s.text


@pytest.mark.features("F-ORD-08")
def test_b2b_cancel_and_shop_paid_delivery(tgsim, walord, tmp_path, free_port):
    w, shop = start(walord, tmp_path, free_port)
    tea = shop.product("Чай", price=50000)
    seed(w.db(), tea, 0, 4, 10000)
    boss = hk.owner(tgsim)
    b2b(boss)
    boss.send(f"{tea} 1 700")
    boss.expect("Шаг 2 из 2")
    boss.send("0")
    m = boss.expect("Проверьте B2B-продажу")
    assert "Доставка: нет" in m["text"] and "Итого с клиента: 700 ₽" in m["text"]
    boss.press("✖️ Отмена")
    boss.expect("ничего не записано")
    assert hk.scalar(w.db(), "SELECT count(*) FROM orders_order") == 0 and on_hand(w, tea, 0) == (4, 0)
    b2b(boss)
    boss.send(f"{tea} 4 2000")
    boss.send("250")
    boss.press("🏪 Платит магазин")
    m = boss.expect("Проверьте B2B-продажу")
    assert "Доставка: 250 ₽, платит магазин" in m["text"] and "Итого с клиента: 2 000 ₽" in m["text"]
    # stock sold elsewhere meanwhile: refused with the line number, nothing written
    con = w.db()
    con.execute("UPDATE warehouse_item SET on_hand = 3 WHERE product_id = ?", (tea,))
    con.commit()
    boss.press("✅ Провести")
    boss.expect("строка 1: товар закончился")
    assert hk.scalar(w.db(), "SELECT count(*) FROM orders_order") == 0
    con.execute("UPDATE warehouse_item SET on_hand = 4 WHERE product_id = ?", (tea,))
    con.commit()
    boss.press("✅ Провести")
    boss.expect("проведён")
    row = w.db().execute("SELECT delivery_cost, total, extra_json FROM orders_order").fetchone()
    assert row[:2] == (0, 200000) and json.loads(row[2])["b2b"] == {"delivery_cost": 25000, "delivery_payer": "shop"}


@pytest.mark.features("F-ORD-02", "F-ORD-10", "F-ORD-03")
def test_order_stock_moves_in_the_warehouse_ledger(tgsim, walord, tmp_path, free_port):
    w, shop = start(walord, tmp_path, free_port)
    tea = shop.product("Чай", price=50000)
    seed(w.db(), tea, 0, 10, 10000)
    u = tgsim.user("Анна")
    a = ok.new_order(u, f"{tea}x2@50000")
    assert on_hand(w, tea, 0) == (10, 2)
    b = ok.new_order(u, f"{tea}x3@50000")
    c = ok.new_order(u, f"{tea}x1@50000")
    assert ok.cmd(u, f"/ordprobe_new {tea}x5@50000") == "error:-13:0"    # only 4 left
    for oid in (b, c):
        assert ok.cmd(u, f"/ordprobe_paid {oid}") == "paid:0"
    assert on_hand(w, tea, 0) == (6, 2)
    ok.cmd(u, f"/ordprobe_cancel {b} 1")
    ok.cmd(u, f"/ordprobe_cancel {c} 0")
    assert [r[2] for r in wh_ledger(w, b)] == ["reserve", "sale", "restock"]
    assert [r[2] for r in wh_ledger(w, c)] == ["reserve", "sale", "restock"]
    wo = w.db().execute("SELECT qty, comment FROM warehouse_ledger WHERE kind = 'writeoff'").fetchall()
    assert wo == [(-1, f"заказ №{c} отменён: списание")]
    assert on_hand(w, tea, 0) == (9, 2)
    # the unpaid one is auto-cancelled: its reservation released
    ok.clock(w, 16 * 60)
    hk.wait_until(lambda: ok.status(w, a) == "cancelled", timeout=5 * w.scale, what="auto-cancel")
    assert [r[2] for r in wh_ledger(w, a)] == ["reserve", "release"]
    assert on_hand(w, tea, 0) == (9, 0)


@pytest.mark.features("F-ORD-08")
def test_b2b_confirmation_after_the_conversation_expired(tgsim, walord, tmp_path, free_port):
    w, shop = start(walord, tmp_path, free_port)
    tea = shop.product("Чай", price=50000)
    seed(w.db(), tea, 0, 4, 10000)
    boss = hk.owner(tgsim)
    b2b(boss)
    boss.send(f"{tea} 1 700")
    boss.send("0")
    boss.expect("Проверьте B2B-продажу")
    ok.clock(w, 61 * 60)                                        # past the hour the conversation waits
    boss.press("✅ Провести")
    assert "проведён" not in boss.screen().text
    assert hk.scalar(w.db(), "SELECT count(*) FROM orders_order") == 0 and on_hand(w, tea, 0) == (4, 0)


@pytest.mark.features("F-ORD-02", "F-ORD-04")
def test_order_from_the_cart_keeps_its_snapshot(tgsim, walord, tmp_path, free_port):
    w, shop = start(walord, tmp_path, free_port)
    rose = shop.product("Роза", variants=[("5 мл", 60000, 50)], discount=10)
    seed(w.db(), rose, 1, 5, 20000)
    u = tgsim.user("Анна")
    u.send(f"/start p{rose}")
    u.press("5 мл — 540 ₽")
    u.press("5 мл — 540 ₽")
    oid = ok.new_order(u, "")                                   # lines from the cart service
    assert on_hand(w, rose, 1) == (5, 2)
    # the catalog changes afterwards: the order does not
    con = w.db()
    con.execute("UPDATE catalog_product SET name = 'Роза новая', discount_pct = 0 WHERE id = ?", (rose,))
    con.execute("UPDATE catalog_variant SET price = 99900, label = '7 мл' WHERE product_id = ?", (rose,))
    con.commit()
    line = con.execute("SELECT name, variant_label, base_price, unit_price, qty, weight_g, discount_pct FROM "
                       "orders_line WHERE order_id = ?", (oid,)).fetchone()
    assert line == ("Роза", "5 мл", 60000, 54000, 2, 50, 10)
    assert hk.scalar(con, "SELECT total FROM orders_order WHERE id = ?", oid) == 108000
    u.send("/orders")
    u.press(next(t for t in u.screen().button_texts if t.startswith(f"№{oid}")))
    assert "1. Роза, 5 мл — 540 ₽ × 2 шт = 1 080 ₽" in u.screen().text
