"""broadcast plugin: composing and sending (F-BRD-01), the report
(F-BRD-02)."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_broadcast_kit import compose, finished, got, last_id, start, users


@pytest.mark.features("F-BRD-01", "F-BRD-02")
def test_text_broadcast_to_everyone_with_report(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    clients = users(tgsim, 4)
    s = compose(owner, "<b>Скидки</b> до 30% на всё!", "Каталог | https://example.com/sale")
    assert "Кому отправить?" in s.text, s.text
    preview = [m for m in owner.bot_messages() if "Скидки до 30%" in (m.get("text") or "")]
    assert preview and preview[-1]["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://example.com/sale"
    owner.press("👥 Всем")
    s = owner.screen()
    assert "Все пользователи: 4 получателя" in s.text, s.text   # the author has the preview
    owner.press("🚀 Отправить сейчас")
    bid = last_id(w)
    r = finished(w, bid)
    assert r == {"total": 4, "sent": 4, "blocked": 0, "failed": 0, "unknown": 0, "status": "done"}, r
    assert got(owner, "Скидки до 30%") == 1                  # the preview only
    for c in clients:
        c.wait_for(lambda chat: any("Скидки до 30%" in (m.get("text") or "") for m in chat["messages"]),
                   what="the broadcast")
        assert got(c, "Скидки до 30%") == 1
    done = owner.expect("Рассылка №1 завершена", timeout=10)
    assert "Доставлено: 4" in done["text"] and "Заблокировали бота: 0" in done["text"], done["text"]


def _one_copy_each(clients, text):
    return {c.id: got(c, text) for c in clients}


@pytest.mark.features("F-BRD-01", "F-BRD-02")
def test_kill9_mid_send_no_one_twice_none_skipped_silently(tgsim, walord, tmp_path, free_port):
    """A crash in the middle of a broadcast: after the restart it goes on
    where it stopped. Every recipient gets the message at most once; one who
    did not get it is one the report says is unconfirmed (in flight at the
    crash, at most one a lane), never one marked delivered or still waiting;
    "📤 Дослать неподтверждённым" then reaches them too."""
    w = start(walord, tmp_path, free_port, telegram={"bulk_rate": 5}, bc_ini="lanes = 2\n")
    owner = hk.owner(tgsim)
    owner.send("/start")
    clients = users(tgsim, 30)
    text = "Распродажа склада: всё по 99 ₽"
    compose(owner, text)
    owner.press("👥 Всем")
    owner.press("🚀 Отправить сейчас")
    bid = last_id(w)
    con = w.db()
    for crash in (8, 20):                        # two crashes, at different points
        hk.wait_until(lambda: hk.scalar(con, "SELECT n_sent FROM broadcast_msg WHERE id = ?", bid) >= crash,
                      timeout=30, what=f"{crash} deliveries")
        w.kill9()
        in_flight = hk.scalar(con, "SELECT count(*) FROM broadcast_rcpt WHERE bcast_id = ? AND state = 1", bid)
        assert in_flight <= 2, in_flight         # one a lane at most
        w.start()
    r = finished(w, bid, timeout=60)
    assert r["status"] == "done" and r["total"] == 30, r
    states = dict(con.execute("SELECT user_id, state FROM broadcast_rcpt WHERE bcast_id = ?", (bid,)).fetchall())
    assert set(states.values()) <= {2, 5}, states            # delivered or unconfirmed: nothing left waiting
    assert r["unknown"] <= 4 and r["sent"] + r["unknown"] == 30, r
    hk.wait_until(lambda: sum(_one_copy_each(clients, text).values()) >= r["sent"] - 1, timeout=10,
                  what="the deliveries to show in tgsim")
    copies = _one_copy_each(clients, text)
    assert max(copies.values()) == 1, copies                  # nobody twice
    for uid, n in copies.items():
        if states[uid] == 2:
            assert n == 1, (uid, states[uid])                 # delivered means delivered
        if n == 0:
            assert states[uid] == 5, (uid, states[uid])       # missing only if reported unconfirmed
    if r["unknown"]:
        rep = owner.expect("Рассылка №1 завершена", timeout=10)   # the report, after the last progress
        assert "Не подтверждено: %d" % r["unknown"] in rep["text"], rep["text"]
        # the owner sends it to them once more: now nobody is without it
        owner.press("📤 Дослать неподтверждённым")
        r = finished(w, bid)
        assert r["unknown"] == 0 and r["sent"] == 30, r
        hk.wait_until(lambda: min(_one_copy_each(clients, text).values()) >= 1, timeout=10,
                      what="the unconfirmed ones to get it")
        again = _one_copy_each(clients, text)
        assert all(again[uid] == 1 for uid, n in copies.items() if n == 0), again
