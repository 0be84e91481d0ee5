"""analytics: the reports, read back and reconciled to the kopeck with an
independent computation from the database — the P&L workbook (F-AN-03),
the revenue chart decoded from its PNG (F-AN-02), ABC (F-AN-04), stock
valuation (F-AN-05) and movements (F-AN-06) — and an empty period, which
gives an empty report, not an error. Reports are built in a job and
arrive as their own message after "⏳ Готовлю…"."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_analytics_kit as ak
import test_orders_kit as ok
from test_analytics_summary import add_manual, seed_shop

MONEY_FMT = "#,##0.00 [$₽-419]"


def month_of(w):
    t = ak.now(w)
    d = ak.local(t).date()
    frm = int(ak.datetime(d.year, d.month, 1, tzinfo=ak.MSK).timestamp())
    nxt = ak.datetime(d.year + (d.month == 12), d.month % 12 + 1, 1, tzinfo=ak.MSK)
    names = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
             "ноябрь", "декабрь"]
    return frm, int(nxt.timestamp()), names[d.month - 1], (nxt.date() - d.replace(day=1)).days


def this_month(w):
    return f"Этот месяц ({month_of(w)[2]})"


@pytest.mark.features("F-AN-03", "F-AN-07")
def test_pnl_workbook_reconciles(tgsim, walord, tmp_path, free_port):
    w, shop = ak.start(walord, tmp_path, free_port)
    s = seed_shop(w, shop, tgsim)
    boss, con = s["boss"], w.db()
    add_manual(w, boss, 70000, s["day2"], comment="ярмарка")
    frm, to, mname, _ = month_of(w)
    doc, wb = ak.report(tgsim, boss, "📑 P&L (Excel)", this_month(w))
    assert doc["document"]["file_name"].startswith("pnl-") and doc["document"]["file_name"].endswith(".xlsx")
    assert f"P&L за {mname}" in doc["caption"]
    assert wb.sheetnames == ["Сводка", "Заказы", "Возвраты", "Записи", "Ручная выручка", "Списания"]

    sales = ak.expected_sales(con, frm, to)
    by_id = {o["id"]: o for o in sales}
    ws = wb["Заказы"]
    lines = [r for r in ak.rows(ws) if isinstance(r[0], int)]
    assert [r[0] for r in lines] == [o["id"] for o in sales]                # the sales, in paid order
    o_ids = s["orders"]
    for bad in ("unpaid", "d", "f", "tester"):                              # cancelled / unpaid / tester: nowhere
        assert o_ids[bad] not in by_id
    for r in lines:
        o = by_id[r[0]]
        cost = ak.expected_cogs(con, [o["id"]])
        net = o["total"] - o["delivery"]
        want = [o["goods"] + o["product_discount"], o["product_discount"], o["personal"], None, o["promo"],
                o["cert"], o["bonus"], net, o["delivery"], o["delivery_shop"], o["total"], cost, net - cost]
        got = [ak.kop(v) if i != 3 else None for i, v in enumerate(r[4:17])]
        assert got == want, (r[0], got, want)
        assert r[2] == ("B2B / офлайн" if o["source"] == 2 else "покупатель")
    assert lines[0][7] == "SALE"                                            # order A's promo code
    total_row = next(r for r in ak.rows(ws) if r[0] == "Итого")
    assert ak.kop(total_row[14]) == sum(o["total"] for o in sales)
    # money is numbers in the rouble format, not text
    cell = ws.cell(row=2, column=15)
    assert isinstance(cell.value, (int, float)) and cell.number_format == MONEY_FMT

    rev = ak.expected_revenue(con, frm, to)
    cogs = ak.expected_cogs(con, [o["id"] for o in sales])
    wo = ak.expected_writeoffs(con, frm, to)
    goods_net = sum(o["total"] - o["delivery"] for o in sales)
    net = goods_net + rev["bookings"] + rev["manual"] - rev["refunds"]
    dshop = sum(o["delivery_shop"] for o in sales)
    x_refunds = ak.expected_refunds(con, frm, to, counted=False)[0]
    sv = wb["Сводка"]
    want = {
        "Выручка": rev["total"], "Заказы покупателей": rev["orders"], "B2B и офлайн-продажи": rev["b2b"],
        "Записи на услуги": rev["bookings"], "Ручная выручка": rev["manual"], "Возвраты": -rev["refunds"],
        "Товары по ценам каталога": sum(o["goods"] + o["product_discount"] for o in sales),
        "Скидки на товары": -sum(o["product_discount"] for o in sales),
        "Персональные скидки": -sum(o["personal"] for o in sales), "Промокоды": -sum(o["promo"] for o in sales),
        "Сертификаты": -sum(o["cert"] for o in sales), "Бонусы": -sum(o["bonus"] for o in sales),
        "Товары после всех скидок": goods_net, "Чистая выручка": net, "Себестоимость проданных товаров": -cogs,
        "Валовая прибыль": net - cogs, "Доставка: оплатили клиенты": sum(o["delivery"] for o in sales),
        "Доставка: оплатил магазин": -dshop, "Списания": -wo, "Прибыль после доставки и списаний":
        net - cogs - dshop - wo, "Справочно: возвраты по отменённым заказам": x_refunds,
    }
    for label, kopecks in want.items():
        assert ak.kop(ak.summary_value(sv, label)) == kopecks, label
    assert abs(ak.summary_value(sv, "Маржинальность") - (net - cogs) / net) < 0.001
    # the same revenue as the summary screen shows for the month
    assert ak.figures(ak.stats(boss)["text"])["month"] == rev["total"]
    # by hand, so the independent computation is itself checked: the B2B sale's delivery (200 ₽) is the shop's;
    # F was written off at its cost (700 ₽); its refund (1 200 ₽) is listed but not subtracted
    assert dshop == 20000 and wo == 70000 and x_refunds == 120000 and rev["refunds"] == 30000

    refunds = [r for r in ak.rows(wb["Возвраты"]) if isinstance(r[1], int)]
    assert sorted((r[1], ak.kop(r[2]), r[3], r[6]) for r in refunds) == sorted(
        [(o_ids["e"], 30000, "вручную", "да"), (o_ids["f"], 120000, "вручную", "нет")])
    assert [r for r in refunds if r[1] == o_ids["e"]][0][4] == "одна пачка помята"
    bookings = [r for r in ak.rows(wb["Записи"]) if isinstance(r[1], int)]
    assert [(r[1], ak.kop(r[4])) for r in bookings] == [(1, 250000)]
    manual = [r for r in ak.rows(wb["Ручная выручка"]) if isinstance(r[1], int)]
    assert [(r[2], r[3], ak.kop(r[4])) for r in manual] == [("Офлайн-продажа", "ярмарка", 70000)]
    writeoffs = [r for r in ak.rows(wb["Списания"]) if isinstance(r[1], int)]
    assert [(r[1], r[3], r[4], ak.kop(r[5]), ak.kop(r[6])) for r in writeoffs] == [
        (s["items"]["mug"], "Кружка", 1, 70000, 70000)]


@pytest.mark.features("F-AN-02")
def test_chart_png_bars_on_the_days_sold(tgsim, walord, tmp_path, free_port):
    w, shop = ak.start(walord, tmp_path, free_port)
    s = seed_shop(w, shop, tgsim)
    boss, con = s["boss"], w.db()
    frm, to, mname, days = month_of(w)
    before = len(ak.photos(boss))
    ak.stats(boss)
    boss.press("📈 График за месяц")
    boss.expect("⏳ Готовлю график выручки")
    msg = ak.wait_photo(boss, before)
    rev = ak.expected_revenue(con, frm, to)
    per_day = {}
    for o in ak.expected_sales(con, frm, to):
        i = (ak.day_start(o["paid_at"]) - frm) // 86400
        per_day[i] = per_day.get(i, 0) + o["total"]
    active = {i for i, v in per_day.items() if v}
    # day 2 also has the refund, the booking and nothing else; day 1 only sales
    cap = msg["caption"]
    assert f"Выручка · {mname}" in cap and f"Итого: {ak.rub(rev['total'])}" in cap
    assert f"Заказов: {rev['count']}" in cap and f"из {days}" in cap
    img = ak.png_decode(tgsim.file_bytes(msg["photo"][-1]["file_id"]))
    assert img[:2] == (1200, 900)
    bars = ak.bar_columns(img)
    # one bar per day with revenue, each over its own day of the month
    day_px = (1110 - 200) / days
    got_days = sorted(int(((b0 + b1) / 2 - 200) // day_px) for b0, b1, _ in bars)
    day1, day2 = (s["day1"] - frm) // 86400, (s["day2"] - frm) // 86400
    want_days = sorted({d for d in (day1, day2) if 0 <= d < days})
    assert got_days == want_days, (bars, want_days)
    assert active <= set(want_days)
    if len(bars) == 2:                                      # both days in this month: the higher bar is day 2
        d2 = ak.expected_revenue(con, s["day2"], s["day2"] + 86400)["total"]
        d1 = ak.expected_revenue(con, s["day1"], s["day2"])["total"]
        tops = {int(((b0 + b1) / 2 - 200) // day_px): top for b0, b1, top in bars}
        assert (tops[day2] < tops[day1]) == (d2 > d1)


@pytest.mark.features("F-AN-04")
def test_abc_classes_by_revenue(tgsim, walord, tmp_path, free_port):
    w, shop = ak.start(walord, tmp_path, free_port)
    con = w.db()
    prices = [500000, 250000, 100000, 60000, 50000, 30000, 10000]     # the unit test's textbook split
    pids = []
    for i, p in enumerate(prices):
        pid = shop.product(f"Товар {chr(0x410 + i)}", variants=[("малый", p, 100), ("большой", p * 2, 200)]
                           if i == 0 else ())
        ak.seed(con, pid, 1 if i == 0 else 0, 100, p // 2)
        pids.append(pid)
    u = tgsim.user("Анна")
    u.send("/start")
    boss = hk.owner(tgsim)
    boss.send("/start")
    # the first product sells as its variant 1; the last one twice in one order (one order, two lines)
    spec = " ".join([f"{pids[0]}.1x1@{prices[0]}"] + [f"{pid}x1@{p}" for pid, p in zip(pids[1:], prices[1:])] +
                    [f"{pids[-1]}x1@{prices[-1]}"])
    oid = ok.new_order(u, spec)
    assert ok.cmd(u, f"/ordprobe_paid {oid}") == "paid:0"
    cancelled = ok.new_order(u, f"{pids[-1]}x50@{prices[-1]}")         # would make it A: cancelled, counts nowhere
    assert ok.cmd(u, f"/ordprobe_paid {cancelled}") == "paid:0"
    assert ok.cmd(u, f"/ordprobe_cancel {cancelled} 1") == "cancel:0"
    frm, to, mname, _ = month_of(w)
    doc, wb = ak.report(tgsim, boss, "🔤 ABC-анализ", this_month(w))
    assert f"ABC-анализ за {mname}" in doc["caption"]
    # the independent computation: lines of the month's sales, grouped by item, the rule of plugins/analytics/abc.h
    items = {}
    for pid, vno, rev, qty in con.execute(
            f"SELECT l.product_id, l.variant_no, l.unit_price * l.qty, l.qty FROM orders_line l JOIN orders_order o "
            f"ON o.id = l.order_id WHERE {ak.SALE.replace('paid_at', 'o.paid_at').replace('status', 'o.status')}"
            f" AND o.paid_at >= ? AND o.paid_at < ?".replace("(flags", "(o.flags"), (frm, to)):
        r = items.setdefault((pid, vno), [0, 0])
        r[0] += rev
        r[1] += qty
    order = sorted(items, key=lambda k: (-items[k][0], k))
    total, cum, want = sum(v[0] for v in items.values()), 0, []
    for k in order:
        cls = "A" if cum * 100 < total * 80 else "B" if cum * 100 < total * 95 else "C"
        want.append((k[0], k[1] or None, items[k][1], items[k][0], cls))
        cum += items[k][0]
    got = [(r[1], r[2], r[4], ak.kop(r[6]), r[9]) for r in ak.rows(wb["ABC"]) if isinstance(r[0], int)]
    assert got == want
    assert [g[4] for g in got] == list("AAABBCC")
    row1 = next(r for r in ak.rows(wb["ABC"]) if r[0] == 1)
    # the name the item sold under (the order line's snapshot), its share of the revenue
    assert row1[3] == f"Товар {pids[0]} — фасовка 1" and abs(row1[7] - 500000 / total) < 1e-9
    tot = {r[0][0]: (r[1], ak.kop(r[2])) for r in ak.rows(wb["Итоги"], 5) if r[0] and r[0][0] in "ABC"}
    assert tot == {"A": (3, 850000), "B": (2, 110000), "C": (2, 50000)}


@pytest.mark.features("F-AN-05", "F-AN-06")
def test_stock_valuation_and_movements(tgsim, walord, tmp_path, free_port):
    w, shop = ak.start(walord, tmp_path, free_port)
    s = seed_shop(w, shop, tgsim)
    boss, con = s["boss"], w.db()
    doc, wb = ak.report(tgsim, boss, "📦 Оценка склада")
    ws = wb["Оценка склада"]
    got = {(r[0], r[1] or 0): r for r in ak.rows(ws) if isinstance(r[0], int)}
    cat = {(pid, vno): price for pid, vno, price in con.execute(
        "SELECT p.id, coalesce(v.no, 0), CASE WHEN v.no IS NULL THEN p.price ELSE v.price END * (100 - p.discount_pct)"
        " / 100 FROM catalog_product p LEFT JOIN catalog_variant v ON v.product_id = p.id")}
    value = margin = 0
    for (pid, vno, on_hand, reserved, cost) in con.execute(
            "SELECT product_id, variant_no, on_hand, reserved, unit_cost FROM warehouse_item"):
        r = got[(pid, vno)]
        price = cat[(pid, vno)]
        assert (r[4], r[5], ak.kop(r[6]), ak.kop(r[7])) == (on_hand, reserved, cost, on_hand * cost)
        assert (ak.kop(r[8]), ak.kop(r[9]), ak.kop(r[10])) == (price, on_hand * price, on_hand * (price - cost))
        value += on_hand * cost
        margin += on_hand * (price - cost)
    total = next(r for r in ak.rows(ws) if r[2] == "Итого")
    assert ak.kop(total[7]) == value and ak.kop(total[10]) == margin
    assert f"запас по себестоимости {ak.rub(value)}" in doc["caption"]
    tea = got[(s["items"]["tea"], 0)]
    assert tea[2] == "Чай улун" and ak.kop(tea[8]) == 49500                  # the price after its 10 % discount

    frm, to, mname, _ = month_of(w)
    doc, wb = ak.report(tgsim, boss, "🔄 Движение товаров", this_month(w))
    turn = {(r[0], r[1] or 0): r for r in ak.rows(wb["Оборот"]) if isinstance(r[0], int)}
    kinds = {"supply": 4, "sale": 5, "b2b": 6, "restock": 7, "writeoff": 8, "edit": 9, "stocktake": 9}
    for (pid, vno, on_hand) in con.execute("SELECT product_id, variant_no, on_hand FROM warehouse_item"):
        r = turn[(pid, vno)]
        opening = con.execute("SELECT coalesce(sum(qty), 0) FROM warehouse_ledger WHERE product_id = ? AND "
                              "variant_no = ? AND at < ?", (pid, vno, frm)).fetchone()[0]
        assert r[3] == opening and r[10] == on_hand                          # the period runs up to now
        want = [0] * 6
        for kind, q in con.execute("SELECT kind, sum(qty) FROM warehouse_ledger WHERE product_id = ? AND "
                                   "variant_no = ? AND at >= ? AND at < ? GROUP BY kind", (pid, vno, frm, to)):
            if kind in kinds:
                want[kinds[kind] - 4] += q
        assert list(r[4:10]) == want, (pid, vno, r, want)
        assert r[3] + sum(r[4:10]) == r[10]
    mv = [r for r in ak.rows(wb["Движения"]) if r[1]]
    ops = {r[1] for r in mv}
    assert {"продажи за день", "возврат на склад", "списание", "B2B-продажа"} <= ops and "резерв" not in ops
    # every unit that moved in the month is in "Движения", sales summed per item and day
    assert sum(r[5] for r in mv) == con.execute(
        "SELECT sum(qty) FROM warehouse_ledger WHERE at >= ? AND at < ? AND kind NOT IN ('reserve', 'release')",
        (frm, to)).fetchone()[0]


@pytest.mark.features("F-AN-02", "F-AN-03", "F-AN-04", "F-AN-06")
def test_empty_period_gives_empty_reports(tgsim, walord, tmp_path, free_port):
    w, shop = ak.start(walord, tmp_path, free_port)
    boss = hk.owner(tgsim)
    boss.send("/start")
    m = ak.stats(boss)
    assert ak.figures(m["text"])["all"] == 0
    doc, wb = ak.report(tgsim, boss, "📑 P&L (Excel)", this_month(w))
    assert "продаж нет, отчёт пустой" in doc["caption"]
    assert [r for r in ak.rows(wb["Заказы"]) if isinstance(r[0], int)] == []
    assert ak.summary_value(wb["Сводка"], "Выручка") == 0
    doc, wb = ak.report(tgsim, boss, "🔤 ABC-анализ", this_month(w))
    assert [r for r in ak.rows(wb["ABC"]) if isinstance(r[0], int)] == []
    doc, wb = ak.report(tgsim, boss, "🔄 Движение товаров", this_month(w))
    assert [r for r in ak.rows(wb["Оборот"]) if isinstance(r[0], int)] == []
    before = len(ak.photos(boss))
    ak.stats(boss)
    boss.press("📈 График за месяц")
    msg = ak.wait_photo(boss, before)
    assert "Итого: 0 ₽" in msg["caption"] and "активных дней: 0" in msg["caption"]
    assert ak.bar_columns(ak.png_decode(tgsim.file_bytes(msg["photo"][-1]["file_id"]))) == []
    assert "error" not in w.log_tail(200).lower().replace("errors", "")
