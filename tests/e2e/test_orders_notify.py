"""orders plugin, after the change (plugins/orders/notify.c): the persistent
auto-cancel job (F-ORD-03) across a restart, and the customer's notification
on every status change (F-ORD-09). Time moves through the test clock."""

from __future__ import annotations

import time

import pytest

import hostkit as hk
import test_orders_kit as ok

AUTO = "оплата не поступила вовремя"


def jobs(w, oid):
    return hk.scalar(w.db(), "SELECT count(*) FROM wh_jobs WHERE plugin = 'orders' AND name = 'auto_cancel' "
                             "AND key = ?", str(oid))


def texts(u):
    return [m.get("text") or "" for m in u.bot_messages()]


@pytest.mark.features("F-ORD-03", "F-ORD-09")
def test_auto_cancel_survives_a_restart_and_runs_once(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    ok.set_stock(u, 10, 0, 5)
    oid = ok.new_order(u, "10x2@1000")
    hk.wait_until(lambda: jobs(w, oid) == 1, timeout=5 * w.scale, what="the auto-cancel job")
    created = hk.scalar(w.db(), "SELECT created_at FROM orders_order WHERE id = ?", oid)
    assert hk.scalar(w.db(), "SELECT run_at FROM wh_jobs WHERE key = ?", str(oid)) == created + 15 * 60
    w.restart()                                   # the clock is real time again
    ok.clock(w, 14 * 60)
    time.sleep(0.5 * min(w.scale, 2))             # long enough for a wrongly due job to run
    assert ok.status(w, oid) == "new" and ok.level(w, 10, 0) == 3
    ok.clock(w, 2 * 60)
    u.expect(AUTO)
    hk.wait_until(lambda: ok.status(w, oid) == "cancelled", timeout=5 * w.scale, what="the order cancelled")
    assert ok.level(w, 10, 0) == 5
    assert [r[3] for r in ok.ledger(w, oid)] == ["reserve", "release"]
    assert ok.history(w, oid)[-1][:3] == ("new", "cancelled", 0)
    ev = ok.events(w, "order.cancelled", oid)
    assert len(ev) == 1 and ev[0]["stock"] == "released" and ev[0]["was_paid"] is False
    hk.wait_until(lambda: jobs(w, oid) == 0, timeout=5 * w.scale, what="the job row gone")
    ok.clock(w, 30 * 60)
    time.sleep(0.5 * min(w.scale, 2))
    assert sum(AUTO in t for t in texts(u)) == 1, u.dump()
    assert len(ok.events(w, "order.cancelled", oid)) == 1


@pytest.mark.features("F-ORD-03")
def test_paid_order_is_not_auto_cancelled_and_setting_is_used(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port, orders_ini="autocancel_min = 5\n")
    u = tgsim.user("Анна")
    a = ok.new_order(u, "10x1@1000")
    b = ok.new_order(u, "10x1@1000")
    hk.wait_until(lambda: jobs(w, a) == 1 and jobs(w, b) == 1, timeout=5 * w.scale, what="both jobs")
    assert ok.cmd(u, f"/ordprobe_paid {a}") == "paid:0"
    ok.clock(w, 5 * 60 + 5)
    u.expect(AUTO)
    hk.wait_until(lambda: ok.status(w, b) == "cancelled", timeout=5 * w.scale, what="b cancelled")
    hk.wait_until(lambda: jobs(w, a) == 0, timeout=5 * w.scale, what="a's job done")
    assert ok.status(w, a) == "paid"


@pytest.mark.features("F-ORD-09")
def test_customer_is_told_every_status_change(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    oid = ok.new_order(u, "10x1@1000")
    steps = [("/ordprobe_paid {}", f"💳 Заказ №{oid} оплачен"),
             ("/ordprobe_status {} processing", f"📦 Заказ №{oid} собирается"),
             ("/ordprobe_track {} CDEK-<42>", None),
             ("/ordprobe_status {} shipped", f"🚚 Заказ №{oid} отправлен. Трек-номер: CDEK-<42>"),
             ("/ordprobe_status {} delivered", f"📬 Заказ №{oid} доставлен"),
             ("/ordprobe_status {} completed", f"✅ Заказ №{oid} выполнен")]
    for cmd, text in steps:
        ok.cmd(u, cmd.format(oid))
        if text:
            m = u.expect(text)
            assert m["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"myo:o:{oid}"
    # the tracking number is escaped HTML, shown as code
    assert "<code>CDEK-&lt;42&gt;</code>" in (u.expect("Трек-номер").get("html") or hk_html(u, "Трек-номер"))
    c = ok.new_order(u, "10x1@1000")
    ok.cmd(u, f"/ordprobe_cancel {c} 1")
    u.expect(f"❌ Заказ №{c} отменён.")
    hk.wait_until(lambda: hk.scalar(w.db(), "SELECT count(*) FROM orders_notified") == 6, timeout=5 * w.scale,
                  what="six notices recorded")
    # each change told once
    for _, text in steps:
        if text:
            assert sum(text in t for t in texts(u)) == 1, (text, u.dump())


def hk_html(u, needle):
    for m in reversed(u.bot_messages()):
        if needle in (m.get("text") or ""):
            return m.get("html") or ""
    return ""
