"""broadcast plugin: the report (F-BRD-02) — blocked users counted apart,
marked and left out until they write again; "⏹ Остановить" (twice); the
recipients file; audiences built from orders, links and registration
(F-BRD-01)."""

from __future__ import annotations

import csv
import io

import pytest

import hostkit as hk
from test_broadcast_kit import clock, cmd, compose, finished, got, last_id, new_order, start, users


def _send(owner, text, audience="👥 Всем", days=None):
    compose(owner, text)
    owner.press(audience)
    if days is not None:
        owner.send(str(days))
    owner.press("🚀 Отправить сейчас")


@pytest.mark.features("F-BRD-02")
def test_blocked_counted_apart_left_out_until_they_write(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    a, b, gone = users(tgsim, 3)
    con = w.db()
    # `gone` blocks the bot, and the bot missed the news (no my_chat_member): Telegram's 403 tells it
    gone.block()
    hk.wait_until(lambda: hk.scalar(con, "SELECT blocked FROM wh_users WHERE id = ?", gone.id) == 1,
                  what="the block")
    con.execute("UPDATE wh_users SET blocked = 0 WHERE id = ?", (gone.id,))
    con.commit()
    _send(owner, "Первая рассылка")
    r = finished(w, last_id(w))
    assert (r["total"], r["sent"], r["blocked"], r["failed"]) == (3, 2, 1, 0), r
    rep = owner.expect("Рассылка №1 завершена", timeout=10)
    assert "Доставлено: 2" in rep["text"] and "Заблокировали бота: 1" in rep["text"], rep["text"]
    assert hk.scalar(con, "SELECT blocked FROM wh_users WHERE id = ?", gone.id) == 1   # marked
    # the next broadcast leaves them out
    _send(owner, "Вторая рассылка")
    r = finished(w, last_id(w))
    assert (r["total"], r["sent"], r["blocked"]) == (2, 2, 0), r
    # they come back and write: included again
    gone.unblock()
    gone.send("/start")
    hk.wait_until(lambda: hk.scalar(con, "SELECT blocked FROM wh_users WHERE id = ?", gone.id) == 0,
                  what="the unblock")
    _send(owner, "Третья рассылка")
    r = finished(w, last_id(w))
    assert (r["total"], r["sent"]) == (3, 3), r
    gone.expect("Третья рассылка")
    assert got(gone, "Первая рассылка") == 0 and got(gone, "Вторая рассылка") == 0
    # the recipients file of the first one
    owner.press_data(f"bc:csv:1", force=True)
    doc = owner.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("document")), None),
                         what="the recipients file")
    assert doc["document"]["file_name"] == "broadcast-1.csv"
    data = tgsim.file_bytes(doc["document"]["file_id"]).decode("utf-8-sig")
    rows = {int(r[0]): r for r in csv.reader(io.StringIO(data), delimiter=";") if r[0].isdigit()}
    assert rows[gone.id][3] == "заблокировал бота" and rows[a.id][3] == "доставлено", rows
    assert rows[b.id][2] == b.first_name


@pytest.mark.features("F-BRD-01", "F-BRD-02")
def test_stop_twice(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, telegram={"bulk_rate": 2}, bc_ini="lanes = 1\n")
    owner = hk.owner(tgsim)
    owner.send("/start")
    clients = users(tgsim, 12)
    _send(owner, "Медленная рассылка")
    bid = last_id(w)
    con = w.db()
    hk.wait_until(lambda: hk.scalar(con, "SELECT n_sent FROM broadcast_msg WHERE id = ?", bid) >= 2, timeout=20,
                  what="a couple of deliveries")
    prog = owner.expect("Рассылка №1: обработано", timeout=10)
    owner.press("⏹ Остановить", message_id=prog["message_id"])
    assert "остановлена" in (owner.last_answer() or {}).get("text", "").lower()
    finished(w, bid)
    # the message in flight at the press gets its outcome; then nothing more moves
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM broadcast_rcpt WHERE bcast_id = ? AND state = 1",
                                    bid) == 0, what="the message in flight")
    r = finished(w, bid)
    assert r["status"] == "stopped" and r["sent"] < 12, r
    # the same button again (the old message, or a forged press): refused, nothing changes
    owner.press_data(f"bc:stop:{bid}", force=True)
    assert "уже остановлена" in owner.last_answer()["text"], owner.last_answer()
    import time
    time.sleep(1.5)                                            # nothing more goes out after a stop
    after = finished(w, bid)
    assert after["sent"] == r["sent"], (r, after)
    delivered = sum(got(c, "Медленная рассылка") for c in clients)
    assert delivered <= r["sent"]
    rep = owner.expect("Рассылка №1 остановлена", timeout=10)
    assert f"Не отправлено: {12 - r['sent'] - r['unknown']}" in rep["text"], rep["text"]
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE 'остановил рассылку №1%'") == 1


@pytest.mark.features("F-BRD-01")
def test_audiences_from_orders_links_and_registration(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    buyer, shopper, idle = users(tgsim, 3)
    oid = int(cmd(buyer, "/ordprobe_new 10x1@150000").split(":")[1])
    assert cmd(buyer, f"/ordprobe_paid {oid}") == "paid:0"
    new_order(shopper, "11x1@50000")                           # never paid: "без заказов"
    con = w.db()
    con.execute("UPDATE wh_users SET seen_at = seen_at - 40 * 86400, registered_at = registered_at - 40 * 86400 "
                "WHERE id = ?", (idle.id,))
    con.commit()
    # a tracking link and one who came with it
    con.execute("INSERT INTO crm_link(code, code_lc, title, created_at, created_by) VALUES ('BK', 'bk', 'ВК', 0, 0)")
    con.commit()
    vk = tgsim.user("Пришедший")
    vk.send("/start link_BK")

    def reach(button, days=None):
        compose(owner, "Проба")
        owner.press(button)
        if days is not None:
            owner.send(str(days))
        t = owner.screen().text
        owner.press("✖️ Отмена")
        return t

    assert "С оплаченным заказом: 1 получатель" in reach("💳 С оплаченным заказом")
    assert "3 получателя" in reach("🛒 Без заказов")           # shopper, idle, vk (not the author)
    assert "1 получатель" in reach("😴 Неактивным N дней", 30)
    assert "3 получателя" in reach("🆕 Новым за N дней", 7)    # everyone but idle (and the author)
    compose(owner, "Проба")
    owner.press("🛍 Купившим товар")
    owner.send("p10")
    assert "1 получатель" in owner.screen().text and "Купили p10" in owner.screen().text
    owner.press("✖️ Отмена")
    compose(owner, "Проба")
    owner.press("🔗 По трекинг-ссылке")
    owner.press("🔗 ВК")
    assert "1 получатель" in owner.screen().text, owner.screen().text
    owner.press("🚀 Отправить сейчас")
    r = finished(w, last_id(w))
    assert r["total"] == 1 and r["sent"] == 1, r
    vk.expect("Проба")
