"""Refunds (issue 21 item 4; orders service 1.2, payment 1.1): cancelling a
paid order tells the customer the money will come back and offers staff
the refund — through the payment provider (owners only) or recorded by
hand (managers too) — the customer is told once, the refund is kept on
the order and counts in the statistics. Never more than was paid, never
twice, and a provider refund whose answer was lost is settled by asking
the provider, not by refunding again."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_analytics_kit as ak
import test_orders_kit as ok
import test_pay_kit as pk


def refunds(w, oid):
    return w.db().execute("SELECT amount, kind, reason, provider_ref, staff_id FROM orders_refund WHERE order_id = ? "
                          "ORDER BY id", (oid,)).fetchall()


def open_card(u, oid):
    u.send("/orders")
    u.press_data(f"ord:o:{oid}", force=True)
    return u.expect(f"Заказ №{oid}")


@pytest.fixture
def paid_shop(walord, tmp_path, free_port, tgsim):
    """pay-ecom against the fake provider, a manager, and an order paid through the provider."""
    w = pk.start(walord, tmp_path, free_port)
    m = tgsim.user("Мария")
    m.send("/start")
    ok.make_role(w, m, 2)
    u = tgsim.user("Анна")
    u.send("/start")
    oid = pk.new_order(u)                                   # 2 × 1 500 ₽ + 300 ₽ delivery
    pk.ask_details(u, oid)
    inv = pk.invoice_of(w, oid)
    assert w.fake.pay(inv) == 200
    u.expect(f"Заказ №{oid} оплачен")
    hk.wait_until(lambda: ok.status(w, oid) == "paid", what="the order paid")
    w.manager, w.customer, w.oid, w.inv = m, u, oid, inv
    yield w
    pk.stop(w)


@pytest.mark.features("F-ORD-05", "F-PAY-03")
def test_cancel_paid_order_then_provider_refund(paid_shop, tgsim):
    w, u, oid, inv, fake = paid_shop, paid_shop.customer, paid_shop.oid, paid_shop.inv, paid_shop.fake
    owner = hk.owner(tgsim)
    owner.send("/start")
    open_card(owner, oid)
    owner.press("❌ Отменить")
    owner.press("↩️ Отменить и вернуть на склад")
    # the next screen is what happens to the money
    scr = owner.expect(f"Возврат по заказу №{oid}")
    assert "Можно вернуть: 3 300 ₽" in scr["text"]
    u.expect(f"❌ Заказ №{oid} отменён. Оплаченные 3 300 ₽ мы вернём")
    # a manager sees the same screen without the provider's button, and cannot forge it
    m = w.manager
    m.send("/orders")
    m.press_data(f"ord:rf:{oid}", force=True)
    scr = m.expect(f"Возврат по заказу №{oid}")
    assert "💳 Вернуть" not in " ".join(m.screen().button_texts) and "может владелец" in scr["text"]
    m.press_data(f"ordo:rp:{oid}", force=True)
    assert hk.DENIED in (m.last_answer() or {}).get("text", "") + m.screen().text
    assert fake.state()["invoices"][inv]["status"] == 2 and refunds(w, oid) == []
    # the admin panel reminds of the money owed
    m.send("/admin")
    assert "💸 Отменённые оплаченные заказы без возврата денег: 1" in m.expect(hk.ADMIN_TITLE)["text"]
    card = open_card(m, oid)["text"]
    assert "⚠️ Деньги клиенту не возвращены: 3 300 ₽" in card

    owner.press("💳 Вернуть 3 300 ₽ через платёжный сервис")
    assert owner.last_answer()["text"] == "Деньги возвращены, клиенту сообщено"
    u.expect(f"💸 Возврат по заказу №{oid}: 3 300 ₽. Деньги придут тем же способом, которым вы платили")
    assert "Комментарий: заказ отменён" in u.bot_messages()[-1]["text"]
    assert fake.state()["invoices"][inv]["status"] == 3 and pk.row(w, oid)["state"] == "refunded"
    assert refunds(w, oid) == [(330000, "provider", "заказ отменён", inv, hk.OWNER_ID)]
    card = open_card(owner, oid)["text"]
    assert "Возвраты:" in card and "3 300 ₽ — через платёжный сервис" in card and "не возвращены" not in card
    assert "💸 Возврат денег" not in owner.screen().button_texts
    owner.send("/admin")
    assert "без возврата денег" not in owner.expect(hk.ADMIN_TITLE)["text"]
    # pressed again (an old screen): nothing goes out, nothing is recorded twice
    owner.press_data(f"ordo:rp:{oid}", force=True)
    assert "не вернёт" in owner.last_answer()["text"]
    assert len(fake.requests("refund")) == 1 and len(refunds(w, oid)) == 1
    assert pk.count_texts(u, "💸 Возврат") == 1
    ev = ok.events(w, "order.refunded", oid)
    assert len(ev) == 1 and ev[0]["amount"] == 330000 and ev[0]["counted"] is False and ev[0]["status"] == "cancelled"


@pytest.mark.features("F-ORD-05")
def test_provider_refund_failure_and_lost_answer(paid_shop, tgsim):
    w, u, oid, inv, fake = paid_shop, paid_shop.customer, paid_shop.oid, paid_shop.inv, paid_shop.fake
    owner = hk.owner(tgsim)
    owner.send("/start")
    open_card(owner, oid)
    owner.press("💸 Возврат денег")                          # a paid order, not cancelled: a refund all the same
    fake.fault("refund", "500", count=1)
    owner.press("💳 Вернуть 3 300 ₽ через платёжный сервис")
    assert "не вернул деньги: HTTP 500" in owner.last_answer()["text"]
    assert pk.row(w, oid)["state"] == "paid" and refunds(w, oid) == []      # the provider kept it: as it was
    # the provider gave it back but its answer was lost: asked, it says so, and it is recorded once
    fake.set_status(inv, 3)
    fake.fault("refund", "500", count=1)
    owner.press("💳 Вернуть 3 300 ₽ через платёжный сервис")
    assert owner.last_answer()["text"] == "Деньги возвращены, клиенту сообщено"
    assert [r[:2] for r in refunds(w, oid)] == [(330000, "provider")] and pk.row(w, oid)["state"] == "refunded"
    u.expect(f"💸 Возврат по заказу №{oid}: 3 300 ₽")
    assert ok.status(w, oid) == "paid"                     # a refund does not change the status


@pytest.mark.features("F-ORD-05")
def test_refund_stuck_after_a_crash_is_settled_by_the_reconciliation(paid_shop, tgsim):
    w, u, oid, inv, fake = paid_shop, paid_shop.customer, paid_shop.oid, paid_shop.inv, paid_shop.fake
    # as if walord died after asking the provider: the row says `refunding`, the provider refunded
    con = w.db()
    con.execute("UPDATE pay_ecom_invoice SET refund_from = state, state = 'refunding', refund_amount = 330000, "
                "refund_by = ?, refund_reason = 'по просьбе клиента', updated_at = ? WHERE order_id = ?",
                (hk.OWNER_ID, ok.clock(w), oid))
    con.commit()
    fake.set_status(inv, 3)
    owner = hk.owner(tgsim)
    owner.send("/start")
    ok.clock(w, 6 * 60)                                     # the reconciliation asks after 5 minutes
    owner.expect(f"↩️ Оплата заказа №{oid} возвращена клиенту.")
    assert refunds(w, oid) == [(330000, "provider", "по просьбе клиента", inv, hk.OWNER_ID)]
    u.expect(f"💸 Возврат по заказу №{oid}: 3 300 ₽")
    assert len(fake.requests("refund")) == 0               # never a second refund request


@pytest.mark.features("F-ORD-05", "F-AN-01")
def test_manual_refund_by_a_manager_counts_in_statistics(tgsim, walord, tmp_path, free_port):
    w, shop = ak.start(walord, tmp_path, free_port)
    tea = shop.product("Чай", price=50000)
    ak.seed(w.db(), tea, 0, 10, 20000)
    m, u = tgsim.user("Мария"), tgsim.user("Анна")
    for x in (m, u):
        x.send("/start")
    ok.make_role(w, m, 2)
    oid = ok.new_order(u, f"{tea}x3@50000 delivery=30000")
    assert ok.cmd(u, f"/ordprobe_paid {oid}") == "paid:0"
    assert ok.cmd(m, f"/ordprobe_status {oid} processing") == "status:0"
    card = open_card(m, oid)
    assert "💸 Возврат денег" in m.screen().button_texts
    m.press("💸 Возврат денег")
    scr = m.expect(f"Возврат по заказу №{oid}")
    assert "этот платёж не вернёт" in scr["text"]           # no payment provider: by hand only
    m.press("✍️ Записать возврат вручную")
    m.expect("Сколько вы вернули клиенту")
    assert "Всю сумму — 1 800 ₽" in m.screen().button_texts
    m.send("2000")                                         # more than was paid
    m.expect("Сумма должна быть больше нуля и не больше 1 800 ₽")
    m.send("ноль")
    m.expect("❌")
    m.send("500")
    m.expect("Комментарий для клиента")
    m.send("помялась коробка")
    m.expect("Записать возврат по заказу")
    m.press("✅ Готово")
    assert m.last_answer()["text"].startswith("✅ Возврат записан")
    assert "500 ₽ — вручную" in m.screen().text                      # back on the card, the refund listed
    u.expect(f"💸 Возврат по заказу №{oid}: 500 ₽.")
    assert "Комментарий: помялась коробка" in u.bot_messages()[-1]["text"]
    assert refunds(w, oid) == [(50000, "manual", "помялась коробка", "", m.id)]
    assert ok.status(w, oid) == "processing"
    # the rest, with the quick button; then there is nothing left to refund
    open_card(m, oid)
    m.press("💸 Возврат денег")
    m.press("✍️ Записать возврат вручную")
    m.press("Всю сумму — 1 300 ₽")
    m.press("⏭ Пропустить")
    m.press("✅ Готово")
    assert m.last_answer()["text"].startswith("✅ Возврат записан")
    assert [r[0] for r in refunds(w, oid)] == [50000, 130000]
    open_card(m, oid)
    assert "💸 Возврат денег" not in m.screen().button_texts
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what LIKE ?", f"заказ №{oid}: возврат%") == 2
    # the order still counts (it is not cancelled): its refunds come off the revenue
    boss = hk.owner(tgsim)
    got = ak.figures(ak.stats(boss)["text"])
    assert got["today"] == 180000 - 50000 - 130000 == 0
    assert "возвраты −1 800 ₽" in ak.stats(boss)["text"]
