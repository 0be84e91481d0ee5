"""pay-ecom when things go wrong: a failed payment (the customer retries, staff
learn the reason), the provider down or slow while the invoice is created,
a refusal, a payment that arrives after the auto-cancel, a receipt the
cash register rejects."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_orders_kit as ok
import test_pay_kit as pk


@pytest.fixture
def staffed(walord, tmp_path, free_port, tgsim):
    m = tgsim.user("Мария")                 # a manager: payment problems reach her own chat
    w = pk.start(walord, tmp_path, free_port)
    m.send("/start")
    ok.make_role(w, m, 2)
    w.manager = m
    yield w
    pk.stop(w)


@pytest.mark.features("F-PAY-03", "F-PAY-02")
def test_failed_payment_tells_customer_and_staff_and_retry_pays(staffed, tgsim, tmp_path):
    w, fake, m = staffed, staffed.fake, staffed.manager
    u = tgsim.user("Анна")
    u.send("/start")
    oid = pk.new_order(u)
    pk.ask_details(u, oid)
    inv1 = pk.invoice_of(w, oid)

    fake.set_status(inv1, 4, reason="Недостаточно средств")
    assert pk.webhook(w, {"uuid": inv1, "status": "fail"}) == (200, '{"result":"failed"}')
    u.expect(f"❌ Оплата заказа №{oid} не прошла.")
    m.expect(f"❌ Ошибка оплаты заказа №{oid}: Недостаточно средств")
    assert pk.count_texts(u, "Ошибка оплаты") == 0      # staff notices are not the customer's
    assert pk.row(w, oid)["state"] == "failed" and ok.status(w, oid) == "new"
    # a repeated failure callback is not news
    assert pk.webhook(w, {"id": inv1, "status": 4})[0] == 200
    assert pk.count_texts(u, "не прошла") == 1

    u.press("🔁 Оплатить снова")
    m2 = pk.payment_message(u, oid)
    inv2 = pk.invoice_of(w, oid)
    assert inv2 != inv1 and fake.state()["invoices"][inv2]["external_id"] == f"walor-{oid}-2"
    assert pk.qr_text(tgsim, m2, tmp_path).startswith(f"https://qr.nspk.ru/{inv2}?")
    assert hk.scalar(w.db(), "SELECT order_id FROM pay_ecom_old_invoice WHERE invoice_id = ?", inv1) == oid
    u.press("🔁 Оплатить снова")                       # the new invoice is open: no third one
    assert u.last_answer()["text"] == "Счёт на оплату уже выставлен: воспользуйтесь им."
    assert len(fake.state()["invoices"]) == 2

    assert fake.pay(inv2, "string") == 200
    u.expect(f"✅ Оплата заказа №{oid} получена")
    assert ok.status(w, oid) == "paid" and pk.paid_moves(w, oid) == 1


@pytest.mark.features("F-PAY-03", "F-PAY-01")
def test_provider_down_while_creating_invoice_then_back(staffed, tgsim):
    w, fake, m = staffed, staffed.fake, staffed.manager
    u = tgsim.user("Борис")
    u.send("/start")
    oid = pk.new_order(u)
    fake.fault("create", "500", count=-1)
    u.send(f"/pay {oid}", wait=False)
    u.expect("Платёжный сервис отвечает с задержкой")
    m.expect(f"Платёжный сервис не отвечает при выставлении счёта по заказу №{oid}: HTTP 500")
    assert pk.row(w, oid)["state"] == "creating" and pk.row(w, oid)["create_tries"] == 1
    # a timeout is the same: the request is repeated with the same external id later
    fake.clear_faults()
    fake.fault("create", "delay", count=1, delay=3)
    ok.clock(w, 31)
    pk.wait_row(w, oid, lambda r: r["create_tries"] == 2, "the second try")
    assert "timed out" in pk.row(w, oid)["reason"]
    ok.clock(w, 61)
    pk.payment_message(u, oid)
    # the timed-out request did reach the provider: its retry found that invoice, not a new one
    assert len(fake.state()["invoices"]) == 1 and pk.row(w, oid)["state"] == "pending"
    assert pk.count_texts(u, "отвечает с задержкой") == 1 and pk.count_texts(m, "не отвечает") == 1


@pytest.mark.features("F-PAY-03")
def test_provider_refusal_fails_at_once_and_staff_can_resend(staffed, tgsim):
    w, fake, m = staffed, staffed.fake, staffed.manager
    u = tgsim.user("Вера")
    u.send("/start")
    oid = pk.new_order(u)
    fake.fault("create", "400", count=1)
    u.send(f"/pay {oid}", wait=False)
    u.expect(f"❌ Оплата заказа №{oid} не прошла.")
    m.expect(f"Ошибка оплаты заказа №{oid}: HTTP 400: induced failure")
    assert pk.row(w, oid)["state"] == "failed" and pk.row(w, oid)["create_tries"] == 1
    m.press("💳 Выставить счёт снова")
    pk.payment_message(u, oid)
    assert "отправил реквизиты оплаты заказа" in hk.scalar(
        w.db(), "SELECT what FROM wh_action_log WHERE user_id = ? ORDER BY id DESC LIMIT 1", m.id)


@pytest.mark.features("F-PAY-02", "F-PAY-03")
def test_payment_after_auto_cancel_is_flagged_not_lost(staffed, tgsim):
    w, fake, m = staffed, staffed.fake, staffed.manager
    u = tgsim.user("Глеб")
    u.send("/start")
    oid = pk.new_order(u)
    pk.ask_details(u, oid)
    inv = pk.invoice_of(w, oid)
    ok.clock(w, 16 * 60)                                  # orders' auto-cancel after 15 min
    hk.wait_until(lambda: ok.status(w, oid) == "cancelled", what="the auto-cancel")
    hk.wait_until(lambda: pk.row(w, oid)["state"] == "expired", what="the invoice to expire with the order")

    assert fake.pay(inv) == 200                           # the money comes anyway
    u.expect(f"по заказу №{oid}, но заказ к этому времени был отменён")
    m.expect(f"Оплата после отмены: по заказу №{oid} пришло 3 300 ₽")
    o = pk.order(w, oid)
    assert o["status"] == "cancelled" and o["flags"] & 1 and o["payment_ref"] == inv
    assert pk.row(w, oid)["state"] == "late_paid"
    assert pk.webhook(w, {"id": inv, "status": 2})[0] == 200   # again: nothing more
    assert pk.count_texts(m, "Оплата после отмены") == 1 and pk.events(w, "order.paid", oid) == []
    # it is listed for staff; giving the money back is the owner's call
    m.send("/admin")
    m.press("💳 Оплаты")
    m.press(f"⚠️ №{oid} — 3 300 ₽: оплата после отмены")
    assert "Верните деньги клиенту" in m.screen().text
    m.press("↩️ Вернуть деньги")
    assert hk.DENIED in (m.last_answer() or {}).get("text", "") + m.screen().text
    assert fake.state()["invoices"][inv]["status"] == 2

    owner = hk.owner(tgsim)
    owner.send("/admin")
    owner.press("💳 Оплаты")
    owner.press(f"⚠️ №{oid} — 3 300 ₽: оплата после отмены")
    fake.fault("refund", "500", count=1)
    owner.press("↩️ Вернуть деньги")
    assert owner.last_answer()["text"] == f"Вернуть оплату заказа №{oid} не удалось: HTTP 500"
    assert pk.row(w, oid)["state"] == "late_paid"
    owner.press("↩️ Вернуть деньги")
    owner.expect(f"↩️ Оплата заказа №{oid} возвращена клиенту.")
    u.expect(f"💸 Возврат по заказу №{oid}: 3 300 ₽.")             # the orders plugin tells, once
    assert pk.count_texts(u, "💸 Возврат") == 1
    assert w.db().execute("SELECT amount, kind, provider_ref, staff_id FROM orders_refund WHERE order_id = ?",
                          (oid,)).fetchall() == [(330000, "provider", inv, hk.OWNER_ID)]
    assert fake.state()["invoices"][inv]["status"] == 3 and pk.row(w, oid)["state"] == "refunded"
    assert hk.scalar(w.db(), "SELECT what FROM wh_action_log WHERE user_id = ? ORDER BY id DESC LIMIT 1",
                     hk.OWNER_ID) == f"вернул оплату заказа №{oid}, пришедшую после отмены"
    owner.press_data(f"payown:refund:{oid}", force=True)           # twice: nothing more goes out
    assert owner.last_answer()["text"] == f"По заказу №{oid} нет оплаты после отмены, которую можно вернуть."
    assert len(fake.requests("refund")) == 2


@pytest.mark.features("F-PAY-03", "F-PAY-04")
def test_rejected_receipt_is_reported_to_staff(staffed, tgsim):
    w, fake, m = staffed, staffed.fake, staffed.manager
    u = tgsim.user("Дина")
    u.send("/start")
    oid = pk.new_order(u, "11x3@33333 promo=10000 pcode=SALE")
    pk.ask_details(u, oid)
    inv = pk.invoice_of(w, oid)
    assert fake.pay(inv) == 200
    r = pk.wait_row(w, oid, lambda r: r["receipt_state"] == "wait", "the receipt")
    body = fake.state()["receipts"][r["receipt_uuid"]]["body"]["receipt"]
    # the order-wide promo discount is spread so the items add up to what was paid
    assert body["total"] == 899.99 and sum(i["sum"] for i in body["items"]) == pytest.approx(899.99)
    fake.set_receipt(r["receipt_uuid"], "fail", "ФН переполнен")
    assert pk.webhook(w, {"uuid": r["receipt_uuid"], "status": "fail"}) == (200, '{"result":"receipt"}')
    m.expect(f"🧾 Чек по заказу №{oid} не пробит: ФН переполнен")
    assert pk.row(w, oid)["receipt_state"] == "fail"
    assert ok.status(w, oid) == "paid"                      # the payment itself stands


@pytest.mark.features("F-PAY-01", "F-PAY-02")
def test_staff_send_details_from_the_order_card(staffed, tgsim):
    w, fake, m = staffed, staffed.fake, staffed.manager
    u = tgsim.user("Ева")
    u.send("/start")
    oid = pk.new_order(u)
    m.press_data(f"ord:o:{oid}", force=True)             # the orders plugin's staff card
    m.press("💳 Отправить реквизиты")
    assert m.last_answer()["text"] == "Реквизиты отправлены клиенту"
    pk.payment_message(u, oid)
    inv = pk.invoice_of(w, oid)
    # staff then record the payment by hand on the card: a later webhook adds nothing
    m.press_data(f"ord:o:{oid}", force=True)
    m.press("✅ Оплата получена")
    m.press_data(f"ord:payy:{oid}")                      # orders asks to confirm
    hk.wait_until(lambda: ok.status(w, oid) == "paid", what="paid by staff")
    fake.set_status(inv, 2)
    assert pk.webhook(w, {"id": inv, "status": 2}) == (200, '{"result":"paid"}')
    assert pk.paid_moves(w, oid) == 1 and pk.row(w, oid)["state"] == "paid"
    assert pk.count_texts(u, "✅ Оплата заказа") == 0      # orders told the customer; we stay quiet
