"""Updates walord cannot or must not handle are set aside, not retried for
ever (issue 13, item 7b).

A forged callback whose data JSON-encodes a NUL (\\u0000) used to fail the
whole getUpdates answer: the offset never moved, the same answer came back,
and nobody got a reply any more. Now the answer is read update by update,
an update with a NUL in any string (C strings end there: a plugin would see
"hello:inc" for "hello:inc\\u0000x") or one that does not parse at all is
stored in wh_quarantine, confirmed to Telegram like any other, reported to
the owners, and never reaches a plugin; the updates after it go on."""

from __future__ import annotations

import json
import time

import pytest

import hostkit as hk
from test_host_http import HOOK, SECRET, request, webhook_walord


def _callback(user, data: str, qid: str) -> dict:
    return {"callback_query": {
        "id": qid, "chat_instance": "1",
        "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
        "message": {"message_id": 1, "date": int(time.time()),
                    "chat": {"id": user.id, "type": "private", "first_name": user.first_name}},
        "data": data}}


def _reports(owner) -> list[str]:
    return [m.get("caption") or "" for m in owner.bot_messages() if m.get("document")]


@pytest.mark.features("F-HOST-04", "F-HOST-07")
def test_nul_and_unparseable_updates_are_set_aside_and_the_rest_goes_on(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=("hello",))
    boss = hk.owner(tgsim)
    boss.send("/start")
    u = tgsim.user("Хакер")
    u.send("/hello")
    u.expect("Вы нажали кнопку 0 раз")
    con = w.db()

    # a press whose data would read "hello:inc" in C, a text with a NUL, and an
    # update jansson cannot read at all (a lone UTF-16 surrogate), in one batch
    ids = [tgsim.inject_update(_callback(u, "hello:inc\u0000x", "forged-1")),
           tgsim.inject_update(hk.message_update(u, "/hello\u0000 drop table")),
           tgsim.inject_raw('{"message":{"message_id":7,"date":1,"chat":{"id":%d,"type":"private"},'
                            '"from":{"id":%d,"first_name":"X"},"text":"\\ud800 oops"}}' % (u.id, u.id))]
    # the updates after them are handled: the bot is not stuck
    u.press("➕ Ещё", timeout=10)
    u.expect("Вы нажали кнопку 1 раз", timeout=10)

    rows = {r[0]: r[1] for r in con.execute("SELECT update_id, reason FROM wh_quarantine")}
    assert set(rows) == set(ids), rows
    assert "NUL" in rows[ids[0]] and "NUL" in rows[ids[1]]
    assert "invalid Unicode" in rows[ids[2]] or "surrogate" in rows[ids[2]].lower(), rows[ids[2]]
    # stored as done: confirmed to Telegram, never handled, not run again after a restart
    assert hk.scalar(con, "SELECT count(*) FROM wh_inbox WHERE update_id IN (?, ?, ?) AND done_at IS NOT NULL "
                          "AND kind = 'set aside'", *ids) == 3
    assert tgsim.bots()[0]["pending_update_count"] == 0
    # no plugin saw them: the forged press did not count, "/hello\0…" got no counter screen
    assert hk.scalar(con, "SELECT clicks FROM hello_clicks WHERE user_id = ?", u.id) == 1
    # the forged press was answered (the spinner stops); tgsim never issued that query id
    assert any(e["method"] == "answerCallbackQuery" for e in tgsim.log(method="answerCallbackQuery"))
    # the owners hear about each one
    hk.wait_until(lambda: len([c for c in _reports(boss) if "incoming update" in c]) >= 3, timeout=10,
                  what="three reports to the owner")
    log = w.log()
    for i in ids:
        assert f"update {i} set aside" in log
    w.restart()
    u.press("➕ Ещё", timeout=10)
    u.expect("Вы нажали кнопку 2 раз", timeout=10)
    assert hk.scalar(con, "SELECT clicks FROM hello_clicks WHERE user_id = ?", u.id) == 2


@pytest.mark.features("F-HOST-07")
def test_webhook_with_a_nul_or_a_bad_update_is_acknowledged_and_set_aside(walord, tgsim, tmp_path, free_port):
    w = webhook_walord(walord, tmp_path, free_port)
    u = tgsim.user("Вера")
    u.send("/start")
    u.expect(hk.MENU_TEXT)
    con = w.db()
    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    # answered 200, or Telegram would send it again and hold every later update back
    nul = {"update_id": 999000101, **_callback(u, "m:core.main\u0000", "q-101")}
    st, _, body = request(w.port, "POST", HOOK, json.dumps(nul), good)
    assert st == 200, body
    raw = ('{"update_id":999000102,"message":{"message_id":3,"chat":{"id":%d,"type":"private"},'
           '"from":{"id":%d},"text":"\\udc00"}}' % (u.id, u.id))
    st, _, body = request(w.port, "POST", HOOK, raw, good)
    assert st == 200, body
    assert {r[0] for r in con.execute("SELECT update_id FROM wh_quarantine")} == {999000101, 999000102}
    # tgsim's own push of a raw update goes through too, and what follows it
    tgsim.inject_raw('{"message":{"chat":{"id":%d,"type":"private"},"from":{"id":%d},"text":"\\ud800"}}'
                     % (u.id, u.id))
    u.send("/start")
    hk.wait_until(lambda: sum(1 for m in u.bot_messages() if hk.MENU_TEXT in (m.get("text") or "")) >= 2,
                  what="the menu after the bad update")
    assert hk.scalar(con, "SELECT count(*) FROM wh_quarantine") == 3
    assert tgsim.bots()[0]["pending_update_count"] == 0
