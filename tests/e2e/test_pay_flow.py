"""pay-ecom, the online path: the customer gets a QR code and a link, the
provider's webhook (re-checked with the provider) makes the order paid
exactly once, a fiscal receipt follows; lost webhooks are reconciled; the
webhook refuses wrong secrets, forged bodies and oversize posts."""

from __future__ import annotations

import json

import time

import pytest

import hostkit as hk
import test_orders_kit as ok
import test_pay_kit as pk


@pytest.fixture
def shop(walord, tmp_path, free_port):
    w = pk.start(walord, tmp_path, free_port, secret_files=True)
    yield w
    pk.stop(w)


@pytest.mark.features("F-PAY-01", "F-PAY-02", "F-PAY-04")
def test_pay_by_qr_then_webhook_marks_paid_and_receipt_follows(shop, tgsim, tmp_path):
    w, fake = shop, shop.fake
    u = tgsim.user("Анна")
    u.send("/start")
    oid = pk.new_order(u)                       # 2 × 1 500 ₽ + 300 ₽ delivery

    m = pk.ask_details(u, oid)
    assert "3 300 ₽" in m["caption"] and "Оплатите до" in m["caption"]
    inv = pk.invoice_of(w, oid)
    st = fake.state()["invoices"][inv]
    assert st["external_id"] == f"walor-{oid}-1" and st["amount"] == 3300.0
    assert st["callback_url"] == f"http://127.0.0.1:{w.port}/p/pay-ecom/webhook/{pk.SECRET}"
    # the picture is a QR code of what the provider gave, next to the link
    assert pk.qr_text(tgsim, m, tmp_path) == f"https://qr.nspk.ru/{inv}?type=02&sum=330000&cur=RUB"
    # uploaded as what it is: a PNG (tgsim keeps the part's Content-Type as it came)
    assert m["upload"]["content_type"] == "image/png", m["upload"]
    btns = dict(b for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in
                [(x["text"], x.get("url") or x.get("callback_data")) for x in row])
    assert btns["💳 Оплатить"] == f"{fake.url}/pay/{inv}"
    assert pk.row(w, oid)["state"] == "pending" and ok.status(w, oid) == "new"

    # asking again re-sends the same invoice: never a second one
    u.send(f"/pay {oid}", wait=False)
    hk.wait_until(lambda: pk.count_texts(u, f"Оплата заказа №{oid}") == 2, what="the details again")
    assert len(fake.state()["invoices"]) == 1

    # the provider pays and calls back; the bot asks the provider before believing it
    invoice_msg = [x for x in u.bot_messages() if f"Оплата заказа №{oid}" in (x.get("caption") or "")][-1]
    n_before = len(u.bot_messages())
    assert fake.pay(inv) == 200
    paid = u.expect(f"✅ Оплата заказа №{oid} получена: 3 300 ₽")
    # the invoice itself became the receipt: same message, «Оплатить» and «Я оплатил» gone
    assert paid["message_id"] == invoice_msg["message_id"]
    assert not (paid.get("reply_markup") or {}).get("inline_keyboard"), paid
    u.expect(f"💳 Заказ №{oid} оплачен")
    time.sleep(0.3)
    assert len(u.bot_messages()) == n_before + 1, u.dump()    # one thank-you, not two
    assert ok.status(w, oid) == "paid" and pk.row(w, oid)["state"] == "paid"
    assert pk.order(w, oid)["payment_ref"] == inv
    assert [e["order_id"] for e in pk.events(w, "order.paid", oid)] == [oid]   # shipment, loyalty go from here
    assert [r["op"] for r in fake.requests() if r["op"] == "status"] == ["status"]
    assert fake.state()["tokens_issued"] == 1                   # one token serves every call

    # fiscal receipt: sold, followed while "wait", then sent to the customer when done
    r = pk.wait_row(w, oid, lambda r: r["receipt_state"] == "wait", "the receipt to be registered")
    rc = fake.state()["receipts"][r["receipt_uuid"]]
    items = rc["body"]["receipt"]["items"]
    assert rc["external_id"] == f"walor-{oid}-sell" and rc["body"]["receipt"]["total"] == 3300.0
    assert [(i["name"], i["sum"], i["payment_object"]) for i in items] == [
        (items[0]["name"], 3000.0, "commodity"), ("Доставка", 300.0, "service")]
    fake.set_receipt(r["receipt_uuid"], "done")
    ok.clock(w, 61)
    u.expect(f"🧾 Чек по заказу №{oid}: https://ofd.example/receipt/{r['receipt_uuid']}")
    assert pk.row(w, oid)["receipt_state"] == "done"


@pytest.mark.features("F-PAY-02")
def test_duplicate_and_concurrent_webhooks_pay_once(shop, tgsim):
    w, fake = shop, shop.fake
    u = tgsim.user("Борис")
    u.send("/start")
    oid = pk.new_order(u)
    pk.ask_details(u, oid)
    inv = pk.invoice_of(w, oid)
    fake.set_status(inv, 2)
    got = pk.concurrent_webhooks(w, {"id": inv, "status": 2}, 8)
    assert all(s == 200 for s, _ in got), got
    # late duplicates, in the other callback format too
    assert pk.webhook(w, {"uuid": inv, "status": "done"})[0] == 200
    assert pk.webhook(w, {"id": inv, "status": 2}) == (200, '{"result":"paid"}')
    u.expect(f"✅ Оплата заказа №{oid} получена")
    hk.wait_until(lambda: ok.status(w, oid) == "paid", what="paid")
    assert pk.paid_moves(w, oid) == 1
    assert len(pk.events(w, "order.paid", oid)) == 1
    assert pk.count_texts(u, f"✅ Оплата заказа №{oid} получена") == 1
    # every webhook was checked with the provider, none believed on its own
    assert len(fake.requests("status")) == 10


@pytest.mark.features("F-PAY-02")
def test_webhook_refuses_wrong_secret_forged_body_and_junk(shop, tgsim):
    w, fake = shop, shop.fake
    u = tgsim.user("Вера")
    u.send("/start")
    oid = pk.new_order(u)
    pk.ask_details(u, oid)
    inv = pk.invoice_of(w, oid)
    before = len(fake.requests())

    assert pk.webhook(w, {"id": inv, "status": 2}, secret="whsec-guess-guess-guess")[0] == 404
    assert pk.webhook(w, {"id": inv, "status": 2}, secret=pk.SECRET[:-1])[0] == 404
    assert pk.post(w, "/p/pay-ecom/webhook/", {"id": inv, "status": 2})[0] == 404
    assert len(fake.requests()) == before          # not even asked: refused at the door
    assert "wrong secret" in w.log() and pk.SECRET not in w.log() and pk.PASSWORD not in w.log()

    # a "paid" body the provider does not confirm changes nothing
    assert pk.webhook(w, {"id": inv, "status": 2}) == (200, '{"result":"pending"}')
    assert pk.webhook(w, {"uuid": inv, "status": "done"}) == (200, '{"result":"pending"}')
    assert ok.status(w, oid) == "new" and pk.row(w, oid)["state"] == "pending"

    assert pk.webhook(w, {"status": 2})[0] == 400                       # names no invoice
    assert pk.webhook(w, b"{not json")[0] == 400
    assert pk.webhook(w, {"id": "inv-99999", "status": 2}) == (200, '{"result":"unknown"}')
    assert pk.webhook(w, {"id": "x" * 40000})[0] == 413                 # over the body limit
    # the provider down while re-checking: 503, so the gateway sends it again
    fake.fault("status", "500", count=-1)
    fake.set_status(inv, 2)
    assert pk.webhook(w, {"id": inv, "status": 2})[0] == 503
    assert ok.status(w, oid) == "new"
    fake.clear_faults()
    assert pk.webhook(w, {"id": inv, "status": 2}) == (200, '{"result":"paid"}')
    assert ok.status(w, oid) == "paid"


@pytest.mark.features("F-PAY-02")
def test_reconciliation_finds_a_payment_whose_webhook_was_lost(shop, tgsim):
    w, fake = shop, shop.fake
    u = tgsim.user("Глеб")
    u.send("/start")
    oid = pk.new_order(u)
    pk.ask_details(u, oid)
    inv = pk.invoice_of(w, oid)
    ok.clock(w, 180)                                # polled: still waiting
    w.wait_log(r"cron job reconcile done", what="the first reconciliation run")
    assert len(fake.requests("status")) == 1
    assert ok.status(w, oid) == "new"
    fake.set_status(inv, 2)                         # paid, but the callback never comes
    fake.expire_tokens()                            # and the token expired meanwhile: 401 → a new one
    ok.clock(w, 180)
    u.expect(f"✅ Оплата заказа №{oid} получена")
    assert ok.status(w, oid) == "paid" and fake.state()["tokens_issued"] == 2


@pytest.mark.features("F-HOST-02", "F-PAY-01")
def test_testers_order_is_not_invoiced_and_is_wiped(shop, tgsim):
    w, fake = shop, shop.fake
    t = tgsim.user("Тестер")
    t.send("/start")
    ok.make_role(w, t, 1)
    oid = pk.new_order(t)
    assert ok.status(w, oid) == "paid"
    t.send(f"/pay {oid}", wait=False)
    t.expect(f"🧪 Заказ №{oid} оформлен тестировщиком: оплата не требуется.")
    assert fake.requests("create") == [] and pk.row(w, oid)["state"] == "tester"
    # a customer's payment stays when the owner wipes the testers' data
    c = tgsim.user("Анна")
    c.send("/start")
    kept = pk.new_order(c)
    pk.ask_details(c, kept)
    boss = hk.owner(tgsim)
    boss.send("/admin")
    boss.press("👥 Персонал")
    boss.press("🧹 Очистить данные тестировщиков")
    boss.press("🧹 Да, удалить")
    hk.wait_until(lambda: (boss.last_answer() or {}).get("text", "").startswith("🧹 Данные тестировщиков удалены"),
                  what="the wipe confirmation")
    assert pk.row(w, oid) is None and pk.row(w, kept)["state"] == "pending"


@pytest.mark.features("F-PAY-01", "F-PAY-04")
def test_order_covered_by_bonuses_needs_no_invoice(shop, tgsim):
    w, fake = shop, shop.fake
    u = tgsim.user("Зоя")
    u.send("/start")
    oid = pk.new_order(u, "10x1@50000 bonus=50000 total=0")
    assert ok.status(w, oid) == "new"
    u.send(f"/pay {oid}", wait=False)
    hk.wait_until(lambda: ok.status(w, oid) == "paid", what="the order paid")
    assert pk.order(w, oid)["payment_ref"] == "zero-total" and pk.row(w, oid)["state"] == "paid"
    assert [e["bonus_spent"] for e in pk.events(w, "order.paid", oid)] == [50000]
    assert fake.requests() == []


@pytest.mark.features("F-PAY-01")
def test_someone_elses_or_unknown_order_is_not_found(shop, tgsim):
    w = shop
    a, b = tgsim.user("Анна"), tgsim.user("Пётр")
    a.send("/start")
    b.send("/start")
    oid = pk.new_order(a)
    b.send(f"/pay {oid}")
    assert "Заказ не найден." in b.screen().text
    b.send("/pay 99999")
    assert "Заказ не найден." in b.screen().text
    b.press_data(f"payecom:chk:{oid}", force=True)
    assert b.last_answer()["text"] == "Заказ не найден."
    b.press_data("payecom:shot:abc", force=True)
    assert b.last_answer()["text"] == "Заказ не найден."
    assert pk.row(w, oid) is None and w.fake.requests() == []
    # staff buttons are the host's to refuse for a customer
    a.press_data(f"payadm:ok:{oid}", force=True)
    assert hk.DENIED in a.screen().text or (a.last_answer() or {}).get("text") == hk.DENIED
    assert ok.status(w, oid) == "new"
    assert json.dumps(pk.row(w, oid)) == "null"


@pytest.mark.features("F-PAY-02", "F-PAY-03")
def test_every_status_form_of_the_provider(shop, tgsim):
    """What the re-query answers decides, in either form: gateway codes 0–4 or
    ready/done/fail strings."""
    w, fake = shop, shop.fake
    u = tgsim.user("Лев")
    u.send("/start")
    got = {}
    for code, string in ((0, False), (1, False), (3, False), (4, True), (0, True), (2, True)):
        oid = pk.new_order(u, "10x1@10000")
        pk.ask_details(u, oid)
        inv = pk.invoice_of(w, oid)
        fake.string_status = string
        fake.set_status(inv, code)
        status, body = pk.webhook(w, {"id": inv, "status": 2})     # the body always claims "paid"
        assert status == 200
        got[(code, string)] = (json.loads(body)["result"], pk.row(w, oid)["state"], ok.status(w, oid))
    assert got == {
        (0, False): ("pending", "pending", "new"),      # created, awaiting payment
        (1, False): ("pending", "pending", "new"),      # paid, awaiting the bank's confirmation: not yet
        (3, False): ("refunded", "failed", "new"),      # cancelled by the gateway
        (4, True): ("failed", "failed", "new"),         # "fail"
        (0, True): ("pending", "pending", "new"),       # "ready"
        (2, True): ("paid", "paid", "paid"),            # "done"
    }
    assert pk.count_texts(u, "не прошла") == 2
