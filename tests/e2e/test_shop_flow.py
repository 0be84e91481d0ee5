"""The whole shop in one walord: catalog, warehouse, orders, checkout-cdek,
pay-ecom and loyalty together, against the fakes of CDEK, DaData and the
payment provider. Each plugin's own tests drive it next to a probe; this one
checks that the seams hold when the real plugins talk to each other: the
owner's supply and promo code made through the bot, a customer's order from
the catalog to the cashback, and an unpaid order for the last unit that
gives its stock back to a waiting subscriber."""

from __future__ import annotations

import re

import pytest

import hostkit as hk
import shopkit
import test_orders_kit as ok
import test_pay_kit as pk
from shopkit import (CATALOG, CHECKOUT_BTN, MY_ORDERS, EcomFake, admin, checkout, item, ledger,  # noqa: F401
                     open_product, promo, shop_conf, supply)
from test_checkout_flow import cdek, dadata, default_prices  # noqa: F401
from test_loyalty_kit import redeliver, settled
from test_catalog_browse import Shop


@pytest.fixture
def ecom(free_port):
    f = EcomFake().start(free_port())
    yield f
    f.stop()


def start(walord, tmp_path, free_port, cdek, dadata, ecom, extra_plugins=(), extra_conf=None):
    port = free_port()
    extra, files = shop_conf(port, cdek.url, dadata.url, ecom.url)
    w = hk.start(walord, tmp_path,
                 plugins=["catalog", "warehouse", "orders", "checkout-cdek", "pay-ecom", "loyalty", *extra_plugins],
                 extra_ini=extra, conf_files={**files, **(extra_conf or {})})
    w.port = port
    return w


def count(u, part):
    return sum(1 for m in u.bot_messages() if part in (m.get("text") or m.get("caption") or ""))


def stock_check(w):
    r = shopkit.stock_check(w.bdir, w.config_path)
    assert r.returncode == 0, r.stdout + r.stderr


def delivered(w, plugin):
    """Every event of `plugin` handled, none failed."""
    con = w.db()
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = ? AND "
                                         "delivered_at IS NULL", plugin) == 0, timeout=15, what=f"{plugin}'s events")
    assert hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = ? AND failed_at IS NOT NULL",
                     plugin) == 0


@pytest.mark.features("F-WH-04", "F-WH-05", "F-WH-09", "F-LOY-07", "F-LOY-01", "F-CAT-05", "F-CAT-06",
                      "F-CAT-09", "F-CAT-10", "F-CHK-01", "F-CHK-04", "F-CHK-05", "F-CHK-10", "F-PAY-01",
                      "F-PAY-02", "F-PAY-04", "F-ORD-01", "F-ORD-02", "F-ORD-03", "F-ORD-05", "F-ORD-09",
                      "F-ORD-11")
def test_supply_to_cashback_and_the_last_unit_back_in_stock(tgsim, walord, tmp_path, free_port, cdek, dadata,
                                                            ecom):
    w = start(walord, tmp_path, free_port, cdek, dadata, ecom)
    default_prices(cdek)
    con = w.db()
    shop = Shop(w)
    rose = shop.product("Роза", variants=[("50 мл", 150000, 300), ("100 мл", 250000, 500)])
    soap = shop.product("Мыло <дёгтярное>", price=50000)
    candle = shop.product("Свеча", low=3, variants=[("1 шт", 90000, 200)])

    # ---- the owner: a supply through the bot and a promo code
    boss = hk.owner(tgsim)
    boss.send("/start")
    supply(boss, f"{rose}.1 10\n{soap} 4\n{candle}.1 1", f"{rose}.1 6000\n{soap} 800\n{candle}.1 300")
    assert item(con, rose, 1) == (10, 0, 60000) and item(con, soap, 0) == (4, 0, 20000)
    assert item(con, candle, 1) == (1, 0, 30000)
    promo(boss, "Весна", 10)

    # ---- 1. a customer: catalog → cart → promo → checkout → order
    anna = tgsim.user("Анна")
    s = open_product(anna, "Роза")
    assert "50 мл — 1 500 ₽" in s.button_texts and "100 мл — нет в наличии" in s.button_texts, s
    anna.press("50 мл — 1 500 ₽")
    s = open_product(anna, "Мыло <дёгтярное>")
    assert "⚠️" not in s.text
    anna.press("🛒 Купить — 500 ₽")
    anna.send("/cart")
    anna.press("🎟 Ввести промокод")
    anna.send("весна")                                 # any case
    anna.expect("Промокод ВЕСНА применён")
    anna.send("/cart")
    s = anna.screen()
    assert "Промокод ВЕСНА (−10%): −200 ₽" in s.text and CHECKOUT_BTN in s.button_texts, s.text
    s = checkout(anna, "89161234567")
    for part in ("Роза, 50 мл — 1 500 ₽ × 1 шт = 1 500 ₽", "Товары: 2 000 ₽", "промокод ВЕСНА (−10%): −200 ₽",
                 "Доставка: 250 ₽", "Итого: 2 050 ₽"):
        assert part in s.text, (part, s.text)
    assert "Мыло &lt;дёгтярное&gt;" in s.html
    anna.press("✅ Подтвердить")
    (oid, status, goods, promo_d, code, dcost, total, point, stock), = con.execute(
        "SELECT id, status, goods, promo_discount, promo_code, delivery_cost, total, pickup_point, stock "
        "FROM orders_order").fetchall()
    assert (status, goods, promo_d, code, dcost, total, stock) == ("new", 200000, 20000, "ВЕСНА", 25000, 205000,
                                                                    "reserved")
    assert point == "ул. Тверская, 3"                # the address the customer chose, not CDEK's code
    assert con.execute("SELECT product_id, variant_no, name, variant_label, unit_price, qty FROM orders_line "
                       "WHERE order_id = ? ORDER BY no", (oid,)).fetchall() == \
        [(rose, 1, "Роза", "50 мл", 150000, 1), (soap, 0, "Мыло <дёгтярное>", "", 50000, 1)]
    assert ledger(con, oid) == [(rose, 1, "reserve", 0, 1, 60000), (soap, 0, "reserve", 0, 1, 20000)], \
        ledger(con, oid)
    assert item(con, rose, 1)[:2] == (10, 1) and item(con, soap, 0)[:2] == (4, 1)
    assert hk.scalar(con, "SELECT count(*) FROM catalog_cart WHERE user_id = ?", anna.id) == 0

    # ---- 2. the QR, the provider pays, the webhook: paid once, sold, shipped to CDEK
    m = pk.payment_message(anna, oid)
    assert "2 050 ₽" in m["caption"]
    inv = pk.invoice_of(w, oid)
    assert ecom.state()["invoices"][inv]["amount"] == 2050.0
    assert pk.qr_text(tgsim, m, tmp_path) == f"https://qr.nspk.ru/{inv}?type=02&sum=205000&cur=RUB"
    assert cdek.requests("/v2/orders") == []           # nothing ships before the money
    assert ecom.pay(inv) == 200
    anna.expect(f"✅ Оплата заказа №{oid} получена: 2 050 ₽")
    assert pk.webhook(w, {"id": inv, "status": 2}) == (200, '{"result":"paid"}')   # the gateway repeats itself
    anna.expect(f"Заказ №{oid} оплачен")
    assert ok.status(w, oid) == "paid" and pk.paid_moves(w, oid) == 1
    assert len(ok.events(w, "order.paid", oid)) == 1
    assert count(anna, f"✅ Оплата заказа №{oid} получена") == 1 and count(anna, f"Заказ №{oid} оплачен") == 1
    hk.wait_until(lambda: hk.scalar(con, "SELECT stock FROM orders_order WHERE id = ?", oid) == "sold", what="sold")
    sales = con.execute("SELECT product_id, variant_no, qty, unit_cost FROM warehouse_ledger WHERE order_id = ? "
                        "AND kind = 'sale' ORDER BY product_id", (oid,)).fetchall()
    assert sorted(sales) == sorted([(rose, 1, -1, 60000), (soap, 0, -1, 20000)]), sales
    assert item(con, rose, 1) == (9, 0, 60000) and item(con, soap, 0) == (3, 0, 20000)
    settled(w)
    assert con.execute("SELECT used FROM loyalty_promo").fetchone() == (1,)
    assert con.execute("SELECT order_id, user_id, state FROM loyalty_promo_use").fetchall() == [(oid, anna.id, "used")]
    posted = hk.wait_until(lambda: [r for r in cdek.requests("/v2/orders") if r["method"] == "POST"],
                           what="the CDEK waybill")
    assert len(posted) == 1 and posted[0]["body"]["number"] == f"W{oid}"
    assert posted[0]["body"]["delivery_point"] == "MSK1" and posted[0]["body"]["tariff_code"] == 136
    track = hk.wait_until(lambda: hk.scalar(con, "SELECT tracking FROM orders_order WHERE id = ?", oid),
                          what="the tracking number")
    assert track == cdek.order_by_number(f"W{oid}")["cdek_number"]

    # ---- 3. CDEK moves it, the owner completes it, cashback once
    uuid = cdek.order_by_number(f"W{oid}")["uuid"]
    assert cdek.push_status(uuid, "RECEIVED_AT_SHIPMENT_WAREHOUSE") == 200
    assert ok.status(w, oid) == "shipped"
    anna.expect(f"Заказ №{oid} отправлен. Трек-номер: {track}")
    assert cdek.push_status(uuid, "ACCEPTED_AT_PICK_UP_POINT") == 200
    assert cdek.push_status(uuid, "ACCEPTED_AT_PICK_UP_POINT") == 200  # replayed: no second move
    assert ok.status(w, oid) == "delivered"
    anna.expect(f"Заказ №{oid} доставлен")
    assert "Пункт выдачи СДЭК: ул. Тверская, 3" in anna.expect("Заберите заказ до")["text"]
    boss.press_data(f"ord:o:{oid}", force=True)
    assert "📬 Доставлен" in boss.screen().text and f"Трек-номер: {track}" in boss.screen().text
    done = boss.screen().button_data("▶️ ✅ Выполнен")
    boss.press("▶️ ✅ Выполнен")
    assert ok.status(w, oid) == "completed"
    boss.press_data(done, force=True)                  # a double tap changes nothing
    assert cdek.push_status(uuid, "DELIVERED") == 200  # CDEK's hand-over after the owner's: nothing moves
    assert [h[1] for h in ok.history(w, oid)] == ["new", "paid", "processing", "shipped", "delivered", "completed"]
    assert ok.history(w, oid)[-1][2] == hk.OWNER_ID and ok.history(w, oid)[2][2] == 0   # CDEK's moves are nobody's
    # every staff action of the day is in the log, the automatic ones are not
    assert [r[0] for r in con.execute("SELECT what FROM wh_action_log WHERE user_id = ? ORDER BY id",
                                      (hk.OWNER_ID,))] == [
        "добавил поставщика #1 «ООО «Ромашка»»", "провёл поставку №1 от «ООО «Ромашка»»: 3 позиции, 15 шт на 7 100 ₽",
        "создал промокод ВЕСНА: 10%, лимит 5, дней 30, один раз на клиента",
        f"заказ №{oid}: 📬 Доставлен → ✅ Выполнен"]
    # 7 % of what was paid for the goods: (2 000 − 200) × 7 % = 126 ₽
    anna.expect(f"💎 Начислено 126 ₽ бонусов за заказ №{oid}")
    settled(w)
    assert con.execute("SELECT amount, kind, order_id FROM loyalty_ledger WHERE user_id = ?",
                       (anna.id,)).fetchall() == [(12600, "cashback", oid)]
    assert count(anna, "💎 Начислено") == 1
    # at-least-once delivery after a crash: loyalty gets every event again and changes nothing
    redeliver(w)
    con = w.db()
    assert hk.scalar(con, "SELECT sum(amount) FROM loyalty_ledger WHERE user_id = ?", anna.id) == 12600
    assert con.execute("SELECT used FROM loyalty_promo").fetchone() == (1,)
    assert count(anna, "💎 Начислено") == 1
    anna.send("/start")
    anna.press(MY_ORDERS)
    rows = [t for t in anna.screen().button_texts if t.startswith("№")]
    assert len(rows) == 1 and rows[0].startswith(f"№{oid} · ✅ Выполнен · 2 050 ₽"), rows

    # ---- 4. the last candle: ordered, never paid, auto-cancelled; the subscriber hears once
    boris, vera = tgsim.user("Борис"), tgsim.user("Вера")
    s = open_product(boris, "Свеча")
    assert "⚠️ Осталось: 1 шт" in s.text and "1 шт — 900 ₽" in s.button_texts, s
    boris.press("1 шт — 900 ₽")
    checkout(boris, "89160000002")
    boris.press("✅ Подтвердить")
    late = hk.scalar(con, "SELECT max(id) FROM orders_order")
    assert late != oid and ok.status(w, late) == "new"
    assert item(con, candle, 1)[:2] == (1, 1)
    pk.payment_message(boris, late)
    s = open_product(vera, "Свеча")
    assert "❌ Нет в наличии" in s.text, s
    vera.press("🔔 Сообщить о поступлении")
    assert hk.scalar(con, "SELECT count(*) FROM catalog_subscription WHERE user_id = ?", vera.id) == 1
    ok.clock(w, 16 * 60)                               # past orders' 15 minutes
    boris.expect(f"⏰ Заказ №{late} отменён")
    assert ok.status(w, late) == "cancelled"
    assert ledger(con, late) == [(candle, 1, "reserve", 0, 1, 30000), (candle, 1, "release", 0, -1, 30000)]
    assert item(con, candle, 1) == (1, 0, 30000)
    m = vera.expect("Снова в наличии")
    assert "Свеча" in m["text"]
    delivered(w, "catalog")
    assert count(vera, "Снова в наличии") == 1 and count(anna, "Снова в наличии") == 0
    assert hk.scalar(con, "SELECT count(*) FROM catalog_subscription") == 0
    settled(w)
    assert con.execute("SELECT used FROM loyalty_promo").fetchone() == (1,)
    assert not [r for r in cdek.requests("/v2/orders") if r["method"] == "POST" and
                r["body"]["number"] == f"W{late}"]
    stock_check(w)
    assert re.search(r"ERROR|AddressSanitizer", w.log()) is None, w.log_tail(30)


@pytest.mark.features("F-HOST-08")
def test_every_settings_page_of_every_plugin_opens_and_edits(tgsim, walord, tmp_path, free_port, cdek, dadata, ecom):
    """With all six plugins, ⚙️ Настройки pages through every owner-editable
    setting: each page is a valid screen (a setting's long label once made
    Telegram refuse the whole keyboard), lists its settings in full, and
    every button opens its editor."""
    w = start(walord, tmp_path, free_port, cdek, dadata, ecom)
    boss = hk.owner(tgsim)
    admin(boss, "⚙️ Настройки")
    seen, page = [], 0
    while True:
        s = boss.screen()
        assert "Настройки" in s.text, boss.dump()
        listed = [ln[2:] for ln in s.text.splitlines() if ln.startswith("• ")]
        buttons = [b for b in s.button_texts if b not in ("◀️", "▶️", "⬅️ Назад")]
        assert listed and len(listed) == len(buttons), boss.dump()
        for full, btn in zip(listed, buttons):
            label, value = full.rsplit(": ", 1)
            assert btn == full or (btn.endswith("…") and full.startswith(btn[:-1].rstrip())), (btn, full)
            if value in ("да", "нет"):       # a yes/no setting toggles in place: twice is back where it was
                other = "нет" if value == "да" else "да"
                boss.press(btn)
                hk.wait_until(lambda: f"• {label}: {other}" in boss.screen().text, what=f"{label} toggled")
                boss.press(boss.screen().button_texts[buttons.index(btn)])
                hk.wait_until(lambda: f"• {full}" in boss.screen().text, what=f"{label} back")
                continue
            boss.press(btn)
            boss.expect(f"Введите новое значение для «{label}»")
            boss.send("/cancel")
            boss.expect(hk.CANCELLED)
            boss.send("/admin")
            boss.press("⚙️ Настройки")
            for _ in range(page):
                boss.press("▶️")
        seen += listed
        if "▶️" not in s.button_texts:
            break
        boss.press("▶️")
        page += 1
    labels = [x.rsplit(": ", 1)[0] for x in seen]
    assert len(labels) == len(set(labels)) and page >= 2, labels
    for want in ("Доставка: бесплатно в ПВЗ по Москве от суммы (0 — нет)", "Минимальная сумма заказа (0 — нет)"):
        assert want in labels, labels
    assert hk.count_lines(w.log(), r"keyboard|ERROR") == 0, w.log()
