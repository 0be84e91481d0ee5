"""warehouse: the `stock` service (plugins/warehouse/stock.c) as other plugins
use it, driven through the test plugin stockprobe (tests/plugins/stockprobe),
which calls it the way a checkout does: reserve inside its own transaction,
then release / commit (sale) / restock. Levels, the ledger, reservations and
the `stock.changed` events are read from the database."""

from __future__ import annotations

import json
import subprocess

import pytest

import hostkit as hk
from test_warehouse_admin import consistent
from test_warehouse_admin import stock as seed  # other plugins' tests import it by this name


def start(walord, tmp_path, plugins=("warehouse", "stockprobe")):
    w = hk.start(walord, tmp_path, plugins=list(plugins))
    return w, w.db()


def level(con, pid, vno):
    return con.execute("SELECT on_hand, reserved FROM warehouse_item WHERE product_id = ? AND variant_no = ?",
                       (pid, vno)).fetchone()


def changes(con, pid):
    rows = con.execute("SELECT payload FROM wh_events WHERE event = 'stock.changed' AND aggregate = ? "
                       "ORDER BY id", (f"stock:{pid}",)).fetchall()
    return [(p["variant_no"], p["before"], p["after"], p.get("reason"))
            for p in (json.loads(r[0]) for r in rows)]


def said(u, text):
    u.send(text)
    return u.screen().text


@pytest.mark.features("F-WH-09")
def test_reserve_is_all_or_nothing_and_events_carry_before_after(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    seed(con, 1, 0, 5, 10000)
    seed(con, 2, 1, 1, 25000)
    anna = tgsim.user("Анна")

    # the second line lacks stock: nothing is reserved, line 2 is named
    assert said(anna, "/sp_buy 7 1 2 2.1 2") == "out of range: Товар закончился, строка 2"
    assert level(con, 1, 0) == (5, 0) and level(con, 2, 1) == (1, 0)
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_reservation") == 0
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_ledger WHERE kind = 'reserve'") == 0

    assert said(anna, "/sp_buy 7 1 2 2.1 1").startswith("ok")
    assert level(con, 1, 0) == (5, 2) and level(con, 2, 1) == (1, 1)
    assert said(anna, "/sp_avail 2.1") == "ok: доступно 0"
    assert said(anna, "/sp_avail 1") == "ok: доступно 3"
    # lines of one item are summed: 2 + 2 > 3 available
    assert said(anna, "/sp_buy 8 1 2 1 2") == "out of range: Товар закончился, строка 1"
    # reserving again for the same order adds to it
    assert said(anna, "/sp_buy 7 1 1").startswith("ok")
    assert con.execute("SELECT product_id, variant_no, qty, state FROM warehouse_reservation WHERE order_id = 7 "
                       "ORDER BY product_id").fetchall() == [(1, 0, 3, "reserved"), (2, 1, 1, "reserved")]
    # an item the warehouse never received is 0, not an error; bad quantities are refused
    assert said(anna, "/sp_avail 99") == "ok: доступно 0"
    assert said(anna, "/sp_buy 9 99 1").startswith("out of range")
    assert said(anna, "/sp_buy 9 1 0").startswith("invalid")
    assert said(anna, "/sp_buy 9 1 -3").startswith("invalid")

    hk.wait_until(lambda: len(changes(con, 2)) == 1, what="stock.changed of product 2")
    assert changes(con, 2) == [(1, 1, 0, "reserve")]
    assert changes(con, 1) == [(0, 5, 3, "reserve"), (0, 3, 2, "reserve")]
    out = consistent(w)
    assert "2 items" in out, out

    # the check can fail: a level changed behind the ledger's back is named
    con.execute("UPDATE warehouse_item SET on_hand = on_hand + 1 WHERE product_id = 2")
    con.commit()
    r = subprocess.run([str(w.bdir / "bin" / "walorctl"), "--config", str(w.config_path), "stock-check"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "FAULT item 2.1: on_hand differs from the sum of the ledger (2 vs 1)" in r.stdout, \
        r.stdout


@pytest.mark.features("F-WH-09", "F-WH-05")
def test_release_commit_restock_are_idempotent_and_record_cost(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    seed(con, 3, 0, 4, 12345)
    u = tgsim.user("Анна")
    assert said(u, "/sp_buy 10 3 3").startswith("ok")
    assert said(u, "/sp_release 10") == "ok: release 10"
    assert level(con, 3, 0) == (4, 0)
    assert said(u, "/sp_release 10") == "ok: release 10"          # nothing left: still success
    assert said(u, "/sp_commit 10") == "not found: commit 10"     # released, nothing to sell

    assert said(u, "/sp_buy 11 3 3").startswith("ok")
    assert said(u, "/sp_commit 11") == "ok: commit 11"
    assert level(con, 3, 0) == (1, 0)
    assert said(u, "/sp_commit 11") == "ok: commit 11"            # idempotent
    assert level(con, 3, 0) == (1, 0)
    # cost of goods at the average cost of the moment
    assert con.execute("SELECT state, qty, unit_cost FROM warehouse_reservation WHERE order_id = 11").fetchall() \
        == [("sold", 3, 12345)]
    sale = con.execute("SELECT qty, reserved, stock_after, available_after, unit_cost, order_id FROM "
                       "warehouse_ledger WHERE kind = 'sale'").fetchall()
    assert sale == [(-3, -3, 1, 1, 12345, 11)]

    assert said(u, "/sp_restock 11") == "ok: restock 11"
    assert level(con, 3, 0) == (4, 0)
    assert said(u, "/sp_restock 11") == "ok: restock 11"          # idempotent
    assert level(con, 3, 0) == (4, 0)
    assert said(u, "/sp_restock 12") == "not found: restock 12"   # sold nothing
    assert said(u, "/sp_commit 12") == "not found: commit 12"
    assert hk.scalar(con, "SELECT comment FROM warehouse_ledger WHERE kind = 'restock'") == "возврат покупателя"
    # the goods come back at the cost they left with: the average stays
    assert hk.scalar(con, "SELECT unit_cost FROM warehouse_item WHERE product_id = 3") == 12345

    # write-off through the service: all or nothing, never below zero
    assert said(u, "/sp_writeoff 3 1 99 1") == "out of range: списание, строка 2"
    assert level(con, 3, 0) == (4, 0)
    assert said(u, "/sp_writeoff 3 2 3 3") == "out of range: списание, строка 1"   # 2 + 3 > 4
    assert level(con, 3, 0) == (4, 0)
    assert said(u, "/sp_writeoff 3 4") == "ok: списание, строка 0"
    assert level(con, 3, 0) == (0, 0)
    # the sale moves no available unit, so it announces nothing
    hk.wait_until(lambda: len(changes(con, 3)) >= 5, what="five stock.changed events")
    assert changes(con, 3) == [(0, 4, 1, "reserve"), (0, 1, 4, "release"), (0, 4, 1, "reserve"),
                               (0, 1, 4, "restock"), (0, 4, 0, "writeoff")]
    consistent(w)


@pytest.mark.features("F-WH-09")
def test_two_customers_race_for_the_last_unit(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    rounds = 6
    for pid in range(1, rounds + 1):
        seed(con, 100 + pid, 0, 1, 5000)
    anna, boris = tgsim.user("Анна"), tgsim.user("Борис")
    for pid in range(1, rounds + 1):
        item = 100 + pid
        # both checkouts are in flight before either is answered
        va = anna.send(f"/sp_buy {2 * pid} {item} 1", wait=False)
        vb = boris.send(f"/sp_buy {2 * pid + 1} {item} 1", wait=False)
        anna.wait_reaction(va.get("version", 0))
        boris.wait_reaction(vb.get("version", 0))
        got = sorted([anna.screen().text.split(":")[0], boris.screen().text.split(":")[0]])
        assert got == ["ok", "out of range"], (anna.screen().text, boris.screen().text)
        loser = anna if anna.screen().text.startswith("out") else boris
        assert "Товар закончился" in loser.screen().text
        assert level(con, item, 0) == (1, 1)
        assert hk.scalar(con, "SELECT count(*) FROM warehouse_reservation WHERE product_id = ?", item) == 1
    consistent(w)
