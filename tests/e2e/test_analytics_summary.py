"""analytics: the quick summary (F-AN-01) and what counts as revenue, over a
seeded shop with every kind of sale around Moscow midnight: orders with
product, personal, promo, certificate and bonus discounts, a B2B sale with
delivery paid by the shop, an unpaid order, a paid order cancelled (counts
nowhere), a partial refund (subtracted), a refund of a cancelled order (not
subtracted: the order is not there to begin with), a tester's order
(never revenue), completed / cancelled / pending bookings from
booking.changed, and manual revenue. Each figure is compared to the kopeck
with an independent computation from the database (test_analytics_kit)."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_analytics_kit as ak
import test_orders_kit as ok


def seed_shop(w, shop, sim):
    """The scenario: returns the ids and the two days' bounds."""
    con = w.db()
    rose = shop.product("Роза", variants=[("5 мл", 60000, 50), ("50 мл", 350000, 300)])
    tea = shop.product("Чай улун", price=55000, discount=10)
    mug = shop.product("Кружка", price=120000)
    ak.seed(con, rose, 1, 50, 36000)
    ak.seed(con, rose, 2, 10, 210000)
    ak.seed(con, tea, 0, 50, 30000)
    ak.seed(con, mug, 0, 20, 70000)
    boss = hk.owner(sim)
    boss.send("/start")
    anna, boris, vera = sim.user("Анна"), sim.user("Борис"), sim.user("Вера")
    for u in (anna, boris, vera):
        u.send("/start")
    ok.make_role(w, vera, ak.TESTER)

    t0 = ak.now(w)
    day2 = ak.midnight_after(t0)
    ak.advance_to(w, day2 - 120)                      # day 1, 23:58 Moscow time
    a = ok.new_order(anna, f"{rose}.1x2@60000 {tea}x1@50000/55000 delivery=30000 promo=10000 pcode=SALE")
    assert ok.cmd(anna, f"/ordprobe_paid {a}") == "paid:0"
    b2b = ok.new_order(boss, f"{tea}x3@45000 b2b=1 dshop=20000")
    assert ok.cmd(boss, f"/ordprobe_paid {b2b}") == "paid:0"
    unpaid = ok.new_order(anna, f"{mug}x1@120000")

    ak.advance_to(w, day2 + 60)                       # day 2, 00:01
    c = ok.new_order(boris, f"{mug}x1@120000 personal=12000 cert=20000 ccode=GIFT bonus=5000")
    assert ok.cmd(boris, f"/ordprobe_paid {c}") == "paid:0"
    d = ok.new_order(boris, f"{rose}.2x1@350000")
    assert ok.cmd(boris, f"/ordprobe_paid {d}") == "paid:0"
    assert ok.cmd(boris, f"/ordprobe_cancel {d} 1") == "cancel:0"            # paid, then cancelled
    e = ok.new_order(anna, f"{tea}x2@50000")
    assert ok.cmd(anna, f"/ordprobe_paid {e}") == "paid:0"
    assert ok.cmd(boss, f"/ordprobe_refund {e} 30000 manual одна пачка помята") == "refund:0"
    f = ok.new_order(anna, f"{mug}x1@120000")
    assert ok.cmd(anna, f"/ordprobe_paid {f}") == "paid:0"
    assert ok.cmd(boss, f"/ordprobe_cancel {f} 0") == "cancel:0"             # goods written off
    assert ok.cmd(boss, f"/ordprobe_refund {f} 120000 manual") == "refund:0"
    t = ok.new_order(vera, f"{tea}x1@50000")                                 # a tester's: paid at once
    assert ok.status(w, t) == "paid"
    assert ak.bp(boss, "/bp 1 completed 250000") == "bp:0"
    assert ak.bp(boss, "/bp 2 completed 100000") == "bp:0"
    assert ak.bp(boss, "/bp 2 cancelled 100000") == "bp:0"                  # the later change wins
    assert ak.bp(boss, "/bp 3 confirmed 50000") == "bp:0"
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM analytics_booking") == 3, what="booking facts")
    return {"boss": boss, "anna": anna, "boris": boris, "day1": ak.day_start(day2 - 1), "day2": day2,
            "orders": {"a": a, "b2b": b2b, "unpaid": unpaid, "c": c, "d": d, "e": e, "f": f, "tester": t},
            "items": {"rose": rose, "tea": tea, "mug": mug}}


def add_manual(w, boss, amount, day, category="Офлайн-продажа", comment=""):
    """Manual revenue as staff record it (F-AN-07): «✍️ Ручная выручка» → «➕ Записать продажу»."""
    from test_analytics_screens import record
    rub, kop = divmod(amount, 100)
    record(boss, f"{rub},{kop:02d}", None, ak.local(day).strftime("%d.%m.%Y"), category, comment or None)


@pytest.mark.features("F-AN-01", "F-AN-07")
def test_summary_reconciles_with_the_database(tgsim, walord, tmp_path, free_port):
    w, shop = ak.start(walord, tmp_path, free_port)
    s = seed_shop(w, shop, tgsim)
    boss, con = s["boss"], w.db()
    add_manual(w, boss, 70000, s["day2"])
    add_manual(w, boss, 15000, s["day1"], "Маркетплейс")
    text = ak.stats(boss)["text"]
    got = ak.figures(text)
    now = ak.now(w)
    today = ak.expected_revenue(con, s["day2"], s["day2"] + 86400)
    # today by hand, so that the independent computation is itself checked:
    # C 120 000 − 12 000 − 20 000 − 5 000 = 83 000; E 100 000; refund of E −30 000;
    # booking 1 250 000; manual 70 000; D (cancelled), F (cancelled, its refund too),
    # the tester's order and booking 2 (cancelled) count nowhere
    assert today["total"] == 83000 + 100000 - 30000 + 250000 + 70000
    assert got["today"] == today["total"]
    assert got["orders_today"] == 2
    d = ak.local(now).date()
    month_from = ak.day_start(int(ak.datetime(d.year, d.month, 1, tzinfo=ak.MSK).timestamp()))
    nm = ak.datetime(d.year + (d.month == 12), d.month % 12 + 1, 1, tzinfo=ak.MSK)
    month = ak.expected_revenue(con, month_from, int(nm.timestamp()))
    assert got["month"] == month["total"]
    wk = ak.day_start(now) - ak.local(now).weekday() * 86400
    assert got["week"] == ak.expected_revenue(con, wk, wk + 7 * 86400)["total"]
    everything = ak.expected_revenue(con, 0, 2**62)
    # A 120 000 + 50 000 − 10 000 + 30 000 = 190 000; B2B 135 000 (its delivery is the shop's)
    assert everything["orders"] == 190000 + 83000 + 100000 and everything["b2b"] == 135000
    assert got["all"] == everything["total"] == 190000 + 135000 + 83000 + 100000 - 30000 + 250000 + 70000 + 15000
    assert got["avg"] == (month["orders"] + month["b2b"]) // month["count"]
    # new customers this month: Анна and Борис bought for the first time (the B2B client is nobody)
    assert got["new"] == len({o["user_id"] for o in ak.expected_sales(con, month_from, int(nm.timestamp()))
                              if o["source"] != 2})
    # every figure says what it counts
    for why in ("минус возвраты", "отменённые заказы не считаются", "оплаченные сегодня",
                "÷ их число", "первый оплаченный заказ"):
        assert why in text


@pytest.mark.features("F-AN-01")
def test_midnight_moscow_is_the_day_boundary(tgsim, walord, tmp_path, free_port):
    w, tea, boss, u = ak.tea_shop(walord, tmp_path, free_port, tgsim)
    mid = ak.midnight_after(ak.now(w))
    ak.advance_to(w, mid - 30)                         # 23:59:30 Moscow, 20:59:30 UTC
    late = ok.new_order(u, f"{tea}x1@50000")
    assert ok.cmd(u, f"/ordprobe_paid {late}") == "paid:0"
    assert ak.now(w) < mid
    assert ak.figures(ak.stats(boss)["text"])["today"] == 50000
    ak.advance_to(w, mid)                              # 00:00:00: a new day, nothing sold yet
    got = ak.figures(ak.stats(boss)["text"])
    assert got["today"] == 0 and got["orders_today"] == 0 and got["all"] == 50000
    early = ok.new_order(u, f"{tea}x2@50000")
    assert ok.cmd(u, f"/ordprobe_paid {early}") == "paid:0"
    got = ak.figures(ak.stats(boss)["text"])
    assert got["today"] == 100000 and got["orders_today"] == 1 and got["all"] == 150000
