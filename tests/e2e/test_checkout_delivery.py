"""checkout-cdek: CDEK's whole delivery lifecycle, row by row of the README's
"CDEK statuses" table (the table itself is unit-tested in
tests/unit/plugins/checkout-cdek/test_checkout_status.c): in transit →
shipped, at the pickup point → delivered with where and until when, handed
over → completed, not delivered / returned / removed → staff alerted, the
storage period running out → staff alerted. The customer hears once per
status they can act on, never about the steps walked through on the way."""

from __future__ import annotations

import time

import pytest

import hostkit as hk
from test_checkout_flow import Checkout, buy, cdek, dadata, default_prices  # noqa: F401
from test_checkout_ship import clock, pay, status_of, to_summary


def cdek_time(t: float) -> str:
    """CDEK's date_time in Moscow's offset, as its webhooks carry it"""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0300", time.gmtime(t + 3 * 3600))


def paid_order(k, tgsim, cdek, name="Вера"):
    pid = k.shop.product("Крем", variants=[("50 мл", 120000, 250)])
    u = tgsim.user(name)
    buy(u, pid, "50 мл — 1 200 ₽")
    to_summary(u)
    u.press("✅ Подтвердить")
    oid = k.orders()[-1][0]
    pay(u, oid)
    u.expect(f"💳 Заказ №{oid} оплачен")
    hk.wait_until(lambda: hk.scalar(k.w.db(), "SELECT tracking FROM orders_order WHERE id = ?", oid),
                  what="the tracking number")
    return u, oid, cdek.order_by_number(f"W{oid}")["uuid"]


def notices(u, oid):
    return [m["text"] for m in u.bot_messages() if f"Заказ №{oid}" in (m.get("text") or "")]


def history(k, oid):
    return [r[0] for r in k.w.db().execute("SELECT to_status FROM orders_history WHERE order_id = ? ORDER BY id",
                                           (oid,)).fetchall()]


@pytest.mark.features("F-CHK-10", "F-ORD-09")
def test_pickup_lifecycle_tells_where_and_until_when(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port, probe="")
    default_prices(cdek)
    u, oid, uuid = paid_order(k, tgsim, cdek)
    track = cdek.order_by_number(f"W{oid}")["cdek_number"]
    before = len(notices(u, oid))

    assert cdek.push_status(uuid, "RECEIVED_AT_SHIPMENT_WAREHOUSE") == 200
    assert status_of(k, oid) == "shipped"
    u.expect(f"🚚 Заказ №{oid} отправлен. Трек-номер: {track}")
    assert cdek.push_status(uuid, "ARRIVED_AT_RECIPIENT_CITY") == 200   # still on its way: nothing new to say
    assert status_of(k, oid) == "shipped"

    arrived = time.time()
    assert cdek.push_status(uuid, "ACCEPTED_AT_PICK_UP_POINT", when=cdek_time(arrived)) == 200
    assert status_of(k, oid) == "delivered"
    m = u.expect(f"📬 Заказ №{oid} доставлен")
    until = time.strftime("%d.%m.%Y", time.gmtime(arrived + 7 * 86400 + 3 * 3600))
    assert "📍 Пункт выдачи СДЭК: ул. Тверская, 3" in m["text"], m["text"]
    assert f"Заберите заказ до {until} включительно" in m["text"], m["text"]
    assert "🕘 Часы работы: Пн-Пт" in m["text"] and track in m["text"], m["text"]
    assert "MSK1" not in m["text"]                 # CDEK's internal point code is not the customer's business

    assert cdek.push_status(uuid, "DELIVERED") == 200
    assert cdek.push_status(uuid, "DELIVERED") == 200   # a replay changes nothing
    assert status_of(k, oid) == "completed"
    u.expect(f"✅ Заказ №{oid} выполнен")
    hk.wait_until(lambda: len(notices(u, oid)) == before + 3, what="three notices")
    time.sleep(0.3)
    assert len(notices(u, oid)) == before + 3, notices(u, oid)
    assert history(k, oid) == ["new", "paid", "processing", "shipped", "delivered", "completed"]
    # handed over before the storage period ended: no reminder job is left
    assert hk.scalar(k.w.db(), "SELECT count(*) FROM wh_jobs WHERE plugin = 'checkout-cdek' AND name = 'pickup_expiry'") == 0


@pytest.mark.features("F-CHK-10", "F-ORD-09")
def test_handed_over_at_once_walks_quietly_to_completed(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port, probe="")
    default_prices(cdek)
    u, oid, uuid = paid_order(k, tgsim, cdek)
    before = len(notices(u, oid))
    assert cdek.push_status(uuid, "DELIVERED") == 200       # the only webhook that reached us
    assert status_of(k, oid) == "completed"
    u.expect(f"✅ Заказ №{oid} выполнен")
    time.sleep(0.3)
    # one message for one piece of news, although four statuses were walked through
    assert len(notices(u, oid)) == before + 1, notices(u, oid)
    assert history(k, oid) == ["new", "paid", "processing", "shipped", "delivered", "completed"]
    ev = k.w.db().execute("SELECT count(*) FROM wh_events WHERE event = 'order.completed'").fetchone()[0]
    assert ev == 1


@pytest.mark.features("F-CHK-10")
@pytest.mark.parametrize("code,text", [
    ("NOT_DELIVERED", "не вручён получателю (Не вручен)"),
    ("RETURNED_TO_SENDER_CITY_WAREHOUSE", "возвращается отправителю (Возвращен на склад отправителя)"),
    ("REMOVED", "удалён в СДЭК"),
])
def test_trouble_alerts_staff_and_keeps_the_order(tgsim, walord, tmp_path, cdek, dadata, free_port, code, text):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port, probe="")
    default_prices(cdek)
    owner = hk.owner(tgsim)
    owner.send("/start")
    u, oid, uuid = paid_order(k, tgsim, cdek)
    assert cdek.push_status(uuid, "RECEIVED_AT_SHIPMENT_WAREHOUSE") == 200
    assert status_of(k, oid) == "shipped"
    u.expect(f"🚚 Заказ №{oid} отправлен")
    before = len(notices(u, oid))
    assert cdek.push_status(uuid, code) == 200
    owner.expect(f"заказ №{oid} {text}")
    assert cdek.push_status(uuid, code) == 200          # replayed: staff are not told twice
    time.sleep(0.3)
    assert sum(text in (m.get("text") or "") for m in owner.bot_messages()) == 1
    assert status_of(k, oid) == "shipped"
    assert len(notices(u, oid)) == before               # the customer hears it from a person


@pytest.mark.features("F-CHK-10")
def test_storage_period_running_out_alerts_staff(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port, probe="")
    default_prices(cdek)
    owner = hk.owner(tgsim)
    owner.send("/start")
    u, oid, uuid = paid_order(k, tgsim, cdek)
    assert cdek.push_status(uuid, "ACCEPTED_AT_PICK_UP_POINT", when=cdek_time(time.time())) == 200
    assert status_of(k, oid) == "delivered"
    clock(k.port, 6 * 86400)
    time.sleep(1.5)
    assert not any("срок хранения истёк" in (m.get("text") or "") for m in owner.bot_messages())
    clock(k.port, 2 * 86400)
    owner.expect(f"⏳ Заказ №{oid} лежит в пункте выдачи, срок хранения истёк")
    assert status_of(k, oid) == "delivered"
