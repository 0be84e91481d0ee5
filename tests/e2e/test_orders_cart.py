"""orders plugin, the abandoned-cart reminder (plugins/orders/cart_remind.c)
with the real catalog cart: 24 h after the last cart.changed, only between
10:00 and 21:00 Moscow time (edges 09:59, 10:00, 20:59, 21:00 through the
test clock), once per cart content, not after an order, not to a customer
who blocked the bot, not for an emptied cart."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

import hostkit as hk
import test_orders_kit as ok
from test_catalog_browse import Shop

MSK = ZoneInfo("Europe/Moscow")
REMIND = "Вы оставили в корзине товары"


def start(walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port, stock=False, catalog=True)
    shop = Shop(w)
    w.product = shop.product("Свеча", price=49000)
    return w


def advance_to(w, hh, mm, ss=0, days=0):
    """Moves the host clock to the next hh:mm:ss Moscow time (plus `days`); returns that epoch."""
    now = ok.clock(w)
    local = dt.datetime.fromtimestamp(now, MSK)
    target = local.replace(hour=hh, minute=mm, second=ss, microsecond=0)
    if target.timestamp() <= now:
        target += dt.timedelta(days=1)
    target += dt.timedelta(days=days)
    ok.clock(w, int(target.timestamp()) - now)
    return int(target.timestamp())


def at(epoch, days, hh, mm, ss=0):
    d = dt.datetime.fromtimestamp(epoch, MSK) + dt.timedelta(days=days)
    return int(d.replace(hour=hh, minute=mm, second=ss).timestamp())


def add_to_cart(u, w):
    u.send(f"/start p{w.product}")
    u.press("🛒 Купить — 490 ₽")


def job_at(w, u):
    return hk.scalar(w.db(), "SELECT run_at FROM wh_jobs WHERE plugin = 'orders' AND name = 'cart_remind' AND key = ?",
                     str(u.id))


def wait_job(w, u, pred=lambda t: t is not None):
    return hk.wait_until(lambda: (lambda t: t if pred(t) else None)(job_at(w, u)), timeout=5 * w.scale,
                         what="the reminder job")


def reminders(u):
    return sum(REMIND in (m.get("text") or "") for m in u.bot_messages())


def settle(w):
    time.sleep(0.5 * min(w.scale, 2))


@pytest.mark.features("F-ORD-12")
def test_window_opens_at_10(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    t0 = advance_to(w, 9, 58, 30)
    add_to_cart(u, w)
    # due 09:58 tomorrow: before the window, so 10:00:00
    assert wait_job(w, u) == at(t0, 1, 10, 0)
    ok.clock(w, at(t0, 1, 9, 59, 30) - ok.clock(w))
    settle(w)
    assert reminders(u) == 0
    ok.clock(w, 40)                                      # 10:00:10
    m = u.expect(REMIND)
    assert "(1 шт)" in m["text"]
    u.press("🛒 Открыть корзину", message_id=m["message_id"])
    assert "Свеча" in next(x for x in u.bot_messages() if x["message_id"] == m["message_id"])["text"]
    seen = len(u.bot_messages())
    ok.clock(w, 3 * 86400)
    settle(w)
    assert len(u.bot_messages()) == seen                # never a second one


@pytest.mark.features("F-ORD-12")
def test_window_closes_at_21(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    a, b = tgsim.user("Анна"), tgsim.user("Борис")
    t0 = advance_to(w, 20, 59, 0)
    add_to_cart(a, w)
    ra = wait_job(w, a)
    assert at(t0, 1, 20, 59) <= ra < at(t0, 1, 21, 0)           # inside the window: as due
    ok.clock(w, at(t0, 0, 21, 0) - ok.clock(w))
    add_to_cart(b, w)
    assert wait_job(w, b) == at(t0, 2, 10, 0)                     # 21:00 is outside: next morning
    ok.clock(w, ra + 1 - ok.clock(w))
    a.expect(REMIND)
    ok.clock(w, at(t0, 1, 21, 0, 30) - ok.clock(w))
    settle(w)
    assert reminders(b) == 0
    ok.clock(w, at(t0, 2, 9, 59, 0) - ok.clock(w))
    settle(w)
    assert reminders(b) == 0
    ok.clock(w, at(t0, 2, 10, 0, 5) - ok.clock(w))
    b.expect(REMIND)
    assert reminders(a) == 1 and reminders(b) == 1


@pytest.mark.features("F-ORD-12")
def test_not_twice_not_after_an_order_not_to_blocked(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    con = w.db()
    con.execute("INSERT INTO wh_settings(key, value, updated_by, updated_at) VALUES ('orders.cart_remind_h', '1', "
                "NULL, 0) ON CONFLICT(key) DO UPDATE SET value = '1'")
    con.commit()
    advance_to(w, 12, 0)
    same, ordered, blocked, emptied = (tgsim.user(n) for n in ("Анна", "Борис", "Вера", "Глеб"))
    for u in (same, ordered, blocked, emptied):
        add_to_cart(u, w)
        wait_job(w, u)
    ok.new_order(ordered, "10x1@1000")                       # an order since the change
    con.execute("UPDATE wh_users SET blocked = 1 WHERE id = ?", (blocked.id,))
    con.commit()
    emptied.send("/cart")
    emptied.press_data("cart:c")
    emptied.press_data("cart:cy")
    hk.wait_until(lambda: job_at(w, emptied) is None, timeout=5 * w.scale, what="the emptied cart's job gone")
    seq = max((r["seq"] for r in tgsim.log()), default=0)
    ok.clock(w, 3600 + 60)
    same.expect(REMIND)
    settle(w)
    assert reminders(ordered) == 0 and reminders(emptied) == 0
    assert [r for r in tgsim.log("sendMessage", since_seq=seq) if r.get("chat_id") == blocked.id] == []
    # the same content again (➕ then ➖): no second reminder; new content: a new one
    first = job_at(w, same)
    assert first is None
    same.send("/cart")
    same.press_data(f"cart:i:{w.product}:0")
    same.press_data(f"cart:d:{w.product}:0")
    wait_job(w, same)
    ok.clock(w, 3600 + 60)
    hk.wait_until(lambda: job_at(w, same) is None, timeout=5 * w.scale, what="the job ran")
    settle(w)
    assert reminders(same) == 1
    same.press_data(f"cart:i:{w.product}:0")
    wait_job(w, same)
    ok.clock(w, 3600 + 60)
    hk.wait_until(lambda: reminders(same) == 2, timeout=5 * w.scale, what="a reminder for the new content")
