"""orders plugin, the `orders` service (plugins/orders/service.c) as checkout,
payments and loyalty use it, driven through tests/plugins/ordprobe: creation
with the stock reservation (all or nothing), the snapshot, the sums check,
every transition allowed and refused, mark_paid exactly once (also after a
cancel), cancel with release / return / write-off (ledger rows), the events
and their payloads, testers' orders, tracking and meta."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_orders_kit as ok

ERANGE, EINVAL, ENOTFOUND = -13, -1, -5


@pytest.mark.features("F-ORD-02", "F-ORD-01")
def test_create_reserves_stock_and_keeps_a_snapshot(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    ok.set_stock(u, 10, 1, 5)
    oid = ok.new_order(u, "10.1x2@150000/200000 11x1@50000 delivery=30000 promo=10000 pcode=ВЕСНА "
                          "addr=Москва,_Тверская_1 type=courier phone=+79990001122")
    con = w.db()
    row = con.execute("SELECT user_id, status, goods, product_discount, delivery_cost, promo_discount, total, "
                      "promo_code, address, stock FROM orders_order WHERE id = ?", (oid,)).fetchone()
    assert row == (u.id, "new", 350000, 100000, 30000, 10000, 370000, "ВЕСНА", "Москва,_Тверская_1", "reserved")
    lines = con.execute("SELECT no, product_id, variant_no, name, variant_label, base_price, unit_price, qty "
                        "FROM orders_line WHERE order_id = ? ORDER BY no", (oid,)).fetchall()
    assert lines == [(1, 10, 1, "Товар 10", "фасовка 1", 200000, 150000, 2),
                     (2, 11, 0, "Товар 11", "", 50000, 50000, 1)]
    # reserved through the stock service, in the same transaction
    assert ok.level(w, 10, 1) == 3
    assert ok.ledger(w, oid) == [(10, 1, -2, "reserve")]      # 11 is untracked
    assert ok.history(w, oid) == [("", "new", 0, "")]
    ev = ok.events(w, "order.created", oid)
    assert ev == [{"v": 1, "order_id": oid, "user_id": u.id, "total": 370000, "source": "customer"}]
    assert ok.cmd(u, f"/ordprobe_get {oid}") == "get:0:new:370000:2:0:Товар 10"
    assert ok.cmd(u, "/ordprobe_get 999") == f"get:{ENOTFOUND}"


@pytest.mark.features("F-ORD-02")
def test_create_is_all_or_nothing(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    ok.set_stock(u, 10, 1, 5)
    ok.set_stock(u, 12, 0, 1)
    # the second line lacks stock: nothing is reserved, no order exists
    assert ok.cmd(u, "/ordprobe_new 10.1x2@1000 12x2@1000") == f"error:{ERANGE}:1"
    assert ok.level(w, 10, 1) == 5 and ok.level(w, 12, 0) == 1
    con = w.db()
    assert hk.scalar(con, "SELECT count(*) FROM orders_order") == 0
    assert hk.scalar(con, "SELECT count(*) FROM orders_line") == 0
    assert hk.scalar(con, "SELECT count(*) FROM ordprobe_ledger") == 0
    assert ok.events(w, "order.created") == []
    # sums that do not add up are refused before anything is written
    assert ok.cmd(u, "/ordprobe_new 10.1x1@1000 total=999") == f"error:{EINVAL}:-1"
    assert ok.cmd(u, "/ordprobe_new 10.1x1@1000 bonus=-5") == f"error:{EINVAL}:-1"
    assert hk.scalar(con, "SELECT count(*) FROM orders_order") == 0
    # discounts larger than the goods: the total is 0, never negative
    oid = ok.new_order(u, "10.1x1@1000 cert=5000 ccode=GIFT")
    assert hk.scalar(con, "SELECT total FROM orders_order WHERE id = ?", oid) == 0


@pytest.mark.features("F-ORD-01")
def test_every_transition_allowed_and_refused(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    ok.set_stock(u, 10, 0, 5)
    oid = ok.new_order(u, "10x2@100000 bonus=5000 pcode=P1")
    st = lambda to: ok.cmd(u, f"/ordprobe_status {oid} {to}")   # noqa: E731
    # new: only payment (mark_paid) or cancel move it
    for to in ("processing", "shipped", "delivered", "completed"):
        assert st(to) == f"status:{ERANGE}", to
    assert st("new") == "status:1"
    assert st("paid") == f"status:{EINVAL}" and st("cancelled") == f"status:{EINVAL}"
    assert st("lost") == f"status:{EINVAL}"
    assert ok.status(w, oid) == "new"
    # paid, exactly once
    assert ok.cmd(u, f"/ordprobe_paid {oid} PAY-1") == "paid:0"
    assert ok.cmd(u, f"/ordprobe_paid {oid} PAY-2") == "paid:1"
    assert ok.status(w, oid) == "paid"
    assert ok.ledger(w, oid) == [(10, 0, -2, "reserve"), (10, 0, -2, "sale")]
    paid = ok.events(w, "order.paid", oid)
    assert paid == [{"v": 1, "order_id": oid, "user_id": u.id, "total": 195000, "goods": 200000,
                     "promo_code": "P1", "cert_code": "", "bonus_spent": 5000, "payment_ref": "PAY-1"}]
    # paid: forward one step only, no way back to new
    assert st("new") == f"status:{ERANGE}" and st("shipped") == f"status:{ERANGE}"
    assert st("processing") == "status:0"
    assert st("delivered") == f"status:{ERANGE}"
    assert st("paid") == "status:0"                            # one step back (no second order.paid)
    assert st("paid") == "status:1"
    assert st("processing") == "status:0"
    assert st("shipped") == "status:0"
    assert st("processing") == "status:0"                      # one step back
    assert st("shipped") == "status:0"
    assert st("completed") == f"status:{ERANGE}"
    assert st("delivered") == "status:0"
    assert st("shipped") == "status:0"
    assert st("delivered") == "status:0"
    assert st("completed") == "status:0"
    # completed is final
    for to in ("delivered", "shipped", "new"):
        assert st(to) == f"status:{ERANGE}", to
    assert ok.cmd(u, f"/ordprobe_cancel {oid} 1") == f"cancel:{ERANGE}"
    assert ok.cmd(u, f"/ordprobe_paid {oid}") == "paid:1"
    assert [h[:2] for h in ok.history(w, oid)] == [
        ("", "new"), ("new", "paid"), ("paid", "processing"), ("processing", "paid"), ("paid", "processing"),
        ("processing", "shipped"),
        ("shipped", "processing"), ("processing", "shipped"), ("shipped", "delivered"),
        ("delivered", "shipped"), ("shipped", "delivered"), ("delivered", "completed")]
    changed = ok.events(w, "order.status_changed", oid)
    assert [(e["from"], e["to"], e["by"]) for e in changed][:2] == [("new", "paid", 0), ("paid", "processing", 0)]
    assert len(changed) == 11
    assert ok.events(w, "order.completed", oid) == [
        {"v": 1, "order_id": oid, "user_id": u.id, "total": 195000, "goods": 200000, "bonus_spent": 5000}]
    assert len(ok.events(w, "order.paid", oid)) == 1
    assert ok.cmd(u, "/ordprobe_status 999 processing") == f"status:{ENOTFOUND}"
    assert ok.cmd(u, "/ordprobe_paid 999") == f"paid:{ENOTFOUND}"
    assert ok.cmd(u, "/ordprobe_cancel 999 1") == f"cancel:{ENOTFOUND}"


@pytest.mark.features("F-ORD-02", "F-ORD-10")
def test_cancel_releases_returns_or_writes_off(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    ok.set_stock(u, 10, 0, 10)
    # unpaid: the reservation is released whatever staff choose
    a = ok.new_order(u, "10x2@1000")
    assert ok.level(w, 10, 0) == 8
    assert ok.cmd(u, f"/ordprobe_cancel {a} 0") == "cancel:0"
    assert ok.cmd(u, f"/ordprobe_cancel {a} 0") == "cancel:1"
    assert ok.level(w, 10, 0) == 10
    assert ok.ledger(w, a) == [(10, 0, -2, "reserve"), (10, 0, 2, "release")]
    ev = ok.events(w, "order.cancelled", a)
    assert ev == [{"v": 1, "order_id": a, "user_id": u.id, "from": "new", "was_paid": False, "promo_code": "",
                   "cert_code": "", "bonus_spent": 0, "stock": "released"}]
    # paid, cancelled with return: the goods are back on the shelf
    b = ok.new_order(u, "10x3@1000 bonus=500 pcode=SALE cert=200 ccode=GIFT-1")
    assert ok.cmd(u, f"/ordprobe_paid {b}") == "paid:0"
    assert ok.cmd(u, f"/ordprobe_status {b} processing") == "status:0"
    assert ok.cmd(u, f"/ordprobe_cancel {b} 1") == "cancel:0"
    assert ok.level(w, 10, 0) == 10
    assert [r[3] for r in ok.ledger(w, b)] == ["reserve", "sale", "restock"]
    ev = ok.events(w, "order.cancelled", b)[0]
    assert (ev["from"], ev["was_paid"], ev["stock"], ev["bonus_spent"], ev["promo_code"], ev["cert_code"]) == \
        ("processing", True, "returned", 500, "SALE", "GIFT-1")
    # paid, cancelled with write-off: back and written off, so the stock stays down
    c = ok.new_order(u, "10x4@1000")
    assert ok.cmd(u, f"/ordprobe_paid {c}") == "paid:0"
    assert ok.cmd(u, f"/ordprobe_cancel {c} 0") == "cancel:0"
    assert ok.level(w, 10, 0) == 6
    assert [(r[2], r[3]) for r in ok.ledger(w, c)] == [(-4, "reserve"), (-4, "sale"), (4, "restock")]
    wo = w.db().execute("SELECT product_id, qty, comment FROM ordprobe_ledger WHERE reason = 'writeoff'").fetchall()
    assert wo == [(10, -4, f"заказ №{c} отменён: списание")]
    assert ok.events(w, "order.cancelled", c)[0]["stock"] == "written_off"
    assert hk.scalar(w.db(), "SELECT stock FROM orders_order WHERE id = ?", c) == "written_off"


@pytest.mark.features("F-ORD-01")
def test_payment_after_cancel_is_kept_and_reported(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    m = tgsim.user("Мария")
    m.send("/start")
    ok.make_role(w, m, 2)
    u = tgsim.user("Анна")
    oid = ok.new_order(u, "10x1@1000")
    assert ok.cmd(u, f"/ordprobe_cancel {oid} 1") == "cancel:0"
    assert ok.cmd(u, f"/ordprobe_paid {oid} LATE-7") == f"paid:{ERANGE}"
    row = w.db().execute("SELECT status, flags, payment_ref FROM orders_order WHERE id = ?", (oid,)).fetchone()
    assert row == ("cancelled", 1, "LATE-7")
    assert ok.events(w, "order.paid", oid) == []
    # the manager is told in her chat and opens the order from the notice; the customer is not told this
    notice = m.expect(f"Оплата после отмены: по заказу №{oid} пришло 10 ₽ (платёж LATE-7)")
    assert "Верните деньги или восстановите заказ" in notice["text"]
    m.press("📋 Открыть заказ")
    assert f"№{oid}" in m.screen().text
    assert not any("Оплата после отмены" in (x.get("text") or "") for x in u.bot_messages())
    assert not any(x.get("document") for x in m.bot_messages())     # a notice, not a software error report


@pytest.mark.features("F-HOST-02")
def test_tester_order_is_created_paid(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    t = tgsim.user("Тест")
    t.send("/start")
    ok.make_role(w, t, 1)
    ok.set_stock(t, 10, 0, 5)
    oid = ok.new_order(t, "10x2@1000")
    row = w.db().execute("SELECT status, flags, paid_at > 0, payment_ref FROM orders_order WHERE id = ?",
                         (oid,)).fetchone()
    assert row == ("paid", 2, 1, "tester")
    assert [r[3] for r in ok.ledger(w, oid)] == ["reserve", "sale"]
    assert ok.history(w, oid)[-1] == ("new", "paid", 0, "tester")
    # no auto-cancel for it, and a customer's order still waits for payment
    ok.clock(w, 20 * 60)
    c = tgsim.user("Анна")
    oid2 = ok.new_order(c, "10x1@1000")
    assert ok.status(w, oid2) == "new"
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_jobs WHERE key = ?", str(oid)) == 0


@pytest.mark.features("F-ORD-04")
def test_tracking_screenshot_and_meta(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    oid = ok.new_order(u, "10x1@1000")
    assert ok.cmd(u, f"/ordprobe_track {oid} CDEK123") == "track:0"
    assert ok.cmd(u, "/ordprobe_track 999 X") == f"track:{ENOTFOUND}"
    assert hk.scalar(w.db(), "SELECT tracking FROM orders_order WHERE id = ?", oid) == "CDEK123"
    assert ok.cmd(u, f"/ordprobe_meta {oid} invoice") == f"meta:0:{ENOTFOUND}:"
    assert ok.cmd(u, f"/ordprobe_meta {oid} invoice INV-9") == "meta:0:0:INV-9"
    assert w.db().execute("SELECT plugin, key, value FROM orders_meta").fetchall() == [("ordprobe", "invoice", "INV-9")]
    assert ok.cmd(u, f"/ordprobe_meta {oid} invoice") == f"meta:0:{ENOTFOUND}:"     # NULL deletes
    assert ok.cmd(u, "/ordprobe_meta 999 invoice X") == f"meta:{ENOTFOUND}:{ENOTFOUND}:"


@pytest.mark.features("F-HOST-02")
def test_testers_orders_are_wiped_with_their_data(tgsim, walord, tmp_path, free_port):
    w = ok.start(walord, tmp_path, free_port)
    t = tgsim.user("Тест")
    t.send("/start")
    ok.make_role(w, t, 1)
    mine = ok.new_order(t, "10x1@1000")
    ok.cmd(t, f"/ordprobe_meta {mine} note X")
    c = tgsim.user("Анна")
    kept = ok.new_order(c, "10x1@1000")
    boss = hk.owner(tgsim)
    boss.send("/admin")
    boss.press("👥 Персонал")
    boss.press("🧹 Очистить данные тестировщиков")
    boss.press("🧹 Да, удалить")
    hk.wait_until(lambda: (boss.last_answer() or {}).get("text", "").startswith("🧹 Данные тестировщиков удалены"),
                  what="the wipe confirmation")
    con = w.db()
    for table, col in (("orders_order", "id"), ("orders_line", "order_id"), ("orders_history", "order_id"),
                       ("orders_meta", "order_id")):
        assert hk.scalar(con, f"SELECT count(*) FROM {table} WHERE {col} = ?", mine) == 0, table
    assert ok.status(w, kept) == "new" and len(ok.history(w, kept)) == 1
