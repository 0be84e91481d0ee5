"""crm plugin: the Excel export (F-CRM-07): a row per client with the
card's figures and a summary sheet for the period, reconciled with the
orders plugin's own table to the kopeck."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_crm_kit import cancel, customer, manager, new_order, pay, read_xlsx, section, settled, start

SALE = "paid_at > 0 AND status <> 'cancelled' AND (flags & 2) = 0"


@pytest.mark.features("F-CRM-07")
def test_export_reconciles_with_orders_to_the_kopeck(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    anna = customer(tgsim, "Анна", username="anna")
    oleg = customer(tgsim, "Олег")
    zoya = customer(tgsim, "Зоя")                               # registered, never ordered
    tess = customer(tgsim, "Тестер")
    con = w.db()
    con.execute("UPDATE wh_users SET role = 1 WHERE id = ?", (tess.id,))   # a tester: her orders are no sales
    con.commit()
    a1 = new_order(anna, "10x3@41167 phone=+79123456789 email=a@x.ru")      # 1 235,01 ₽
    a2 = new_order(anna, "11x1@99999")
    a3 = new_order(anna, "12x7@1")
    for o in (a1, a2, a3):
        pay(anna, o)
    cancel(anna, a3)                                            # paid, then cancelled: no sale
    o1 = new_order(oleg, "10x1@250050 delivery=35000")
    pay(oleg, o1)
    new_order(oleg, "10x1@70000")                               # never paid
    new_order(tess, "10x1@500000")
    settled(w)
    section(owner)
    owner.press("📥 Выгрузка в Excel")
    owner.press("Всё время")
    doc = owner.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("document")), None), timeout=20,
                         what="the export file")
    assert doc["document"]["file_name"].startswith("clients-") and doc["document"]["file_name"].endswith(".xlsx")
    book = read_xlsx(tgsim.file_bytes(doc["document"]["file_id"]))
    head, *rows = book["Клиенты"]
    col = {name: i for i, name in enumerate(head)}
    by_id = {int(r[col["ID"]]): r for r in rows}
    assert set(by_id) == {hk.OWNER_ID, anna.id, oleg.id, zoya.id, tess.id}
    for uid, r in by_id.items():
        n, sales, total = con.execute(f"SELECT count(*), coalesce(sum(CASE WHEN {SALE} THEN 1 ELSE 0 END), 0), "
                                      f"coalesce(sum(CASE WHEN {SALE} THEN total END), 0) FROM orders_order "
                                      "WHERE user_id = ?", (uid,)).fetchone()
        assert int(r[col["Заказов"]]) == n, (uid, r)
        assert int(r[col["Оплачено"]]) == sales, (uid, r)
        assert round(r[col["Сумма оплат"]] * 100) == total, (uid, r, total)      # to the kopeck
        assert round(r[col["Средний чек"]] * 100) == (total // sales if sales else 0), (uid, r)
    assert by_id[anna.id][col["Username"]] == "@anna" and by_id[anna.id][col["Телефон"]] == "+79123456789"
    assert round(by_id[anna.id][col["Сумма оплат"]] * 100) == 3 * 41167 + 99999
    summary = {r[0]: r[1] for r in book["Сводка"][1:] if len(r) > 1}
    users = hk.scalar(con, "SELECT count(*) FROM wh_users")
    buyers = hk.scalar(con, f"SELECT count(DISTINCT user_id) FROM orders_order WHERE {SALE}")
    repeat = hk.scalar(con, f"SELECT count(*) FROM (SELECT user_id FROM orders_order WHERE {SALE} GROUP BY user_id "
                            "HAVING count(*) > 1) AS r")
    sales, revenue = con.execute(f"SELECT count(*), sum(total) FROM orders_order WHERE {SALE}").fetchone()
    assert summary["Клиентов"] == users == 5
    assert summary["Новых клиентов"] == 5
    assert summary["Покупателей"] == buyers == 2
    assert summary["Конверсия"] == pytest.approx(buyers / users)
    assert summary["Повторные покупки"] == pytest.approx(repeat / buyers) == pytest.approx(0.5)
    assert summary["Оплаченных заказов"] == sales == 3
    assert round(summary["Выручка"] * 100) == revenue == 3 * 41167 + 99999 + 250050 + 35000
    assert round(summary["Средний чек"] * 100) == revenue // sales
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE 'выгрузил клиентов%'") == 1


@pytest.mark.features("F-CRM-07")
def test_export_period_counts_only_its_sales(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    anna = customer(tgsim, "Анна")
    old = new_order(anna, "10x1@100000")
    pay(anna, old)
    con = w.db()
    # an old sale and an old registration: outside the last 7 days
    con.execute("UPDATE orders_order SET created_at = created_at - 60 * 86400, paid_at = paid_at - 60 * 86400 "
                "WHERE id = ?", (old,))
    con.execute("UPDATE wh_users SET registered_at = registered_at - 60 * 86400 WHERE id = ?", (anna.id,))
    con.commit()
    fresh = new_order(anna, "10x1@30000")
    pay(anna, fresh)
    settled(w)
    section(owner)
    owner.press("📥 Выгрузка в Excel")
    owner.press("7 дней")
    doc = owner.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("document")), None), timeout=20,
                         what="the export file")
    book = read_xlsx(tgsim.file_bytes(doc["document"]["file_id"]))
    summary = {r[0]: r[1] for r in book["Сводка"][1:] if len(r) > 1}
    assert summary["Клиентов"] == 2 and summary["Новых клиентов"] == 1     # the owner is new, Anna is not
    assert summary["Оплаченных заказов"] == 1 and round(summary["Выручка"] * 100) == 30000
    assert summary["Повторные покупки"] == 0
    head, *rows = book["Клиенты"]
    anna_row = next(r for r in rows if int(r[0]) == anna.id)
    assert round(anna_row[head.index("Сумма оплат")] * 100) == 130000          # the card's figures: all time
