"""Conversations (state kept by the host across restarts), /cancel, and
buttons that can no longer work: every press gets an answer, never silence."""

from __future__ import annotations

import json

import pytest

import hostkit as hk


def _intro_until_city(u, name="Мария"):
    u.send("/start")
    u.press(hk.INTRO_BTN)
    u.expect("Как вас зовут?")
    ask = u.screen()
    assert ask.button_texts == ["✖️ Отмена"]
    u.send(name)
    u.expect(f"Приятно познакомиться, {name}! Из какого вы города?")
    return ask


@pytest.mark.features("F-HOST-07")
def test_conversation_survives_restart(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Мария")
    _intro_until_city(u)
    row = w.db().execute("SELECT active, name, state, data FROM wh_conv WHERE chat_id = ?", (u.id,)).fetchone()
    assert row[:3] == (1, "hello.intro", "city")
    assert json.loads(row[3]) == {"name": "Мария"}

    w.restart()
    u.send("Казань")
    u.expect("Привет, Мария из города Казань! Записал.")
    con = w.db()
    assert con.execute("SELECT name, city FROM hello_intro WHERE user_id = ?", (u.id,)).fetchone() == \
        ("Мария", "Казань")
    assert hk.scalar(con, "SELECT active FROM wh_conv WHERE chat_id = ?", u.id) == 0
    # the conversation is over: more text is not taken as a city
    u.send("Самара")
    u.expect(hk.NOT_UNDERSTOOD)
    assert con.execute("SELECT city FROM hello_intro WHERE user_id = ?", (u.id,)).fetchone() == ("Казань",)


@pytest.mark.features("F-HOST-07")
def test_conversation_data_lives_until_return(tgsim, walord, tmp_path):
    hk.start(walord, tmp_path)
    u = tgsim.user("Мария")
    # hello reads the name from the conversation data, ends the conversation, then
    # prints the name: the data must stay valid until the callback returns (api.h)
    for i in range(3):
        name = f"Мария{i}"
        u.send("/start")
        u.press(hk.INTRO_BTN)
        u.expect("Как вас зовут?")
        u.send(name)
        u.expect(f"Приятно познакомиться, {name}!")
        u.press("Москва")
        u.expect("из города Москва! Записал.")
        assert u.screen().text == f"Привет, {name} из города Москва! Записал."


@pytest.mark.features("F-HOST-07")
def test_conversation_survives_kill9(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Пётр")
    _intro_until_city(u, "Пётр")
    w.kill9()
    w.start()
    u.press("Санкт-Петербург")
    u.expect("Привет, Пётр из города Санкт-Петербург! Записал.")
    assert w.db().execute("SELECT name, city FROM hello_intro WHERE user_id = ?", (u.id,)).fetchone() == \
        ("Пётр", "Санкт-Петербург")


@pytest.mark.features("F-HOST-07")
def test_cancel_inside_and_outside_conversation(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Олег")
    u.send("/cancel")
    u.expect(hk.NOTHING_TO_CANCEL)

    _intro_until_city(u, "Олег")
    u.send("/cancel")
    msgs = u.bot_messages()
    assert any(m["text"] == hk.CANCELLED for m in msgs[-2:]), u.dump()
    assert hk.MENU_TEXT in msgs[-1]["text"]
    assert hk.scalar(w.db(), "SELECT active FROM wh_conv WHERE chat_id = ?", u.id) == 0
    u.send("Москва")                    # no longer an answer to anything
    u.expect(hk.NOT_UNDERSTOOD)
    assert hk.scalar(w.db(), "SELECT count(*) FROM hello_intro") == 0
    u.send("/cancel")
    assert u.screen().text == hk.NOTHING_TO_CANCEL


@pytest.mark.features("F-HOST-07")
def test_conversation_cancel_button(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Инна")
    _intro_until_city(u, "Инна")
    u.press("✖️ Отмена")
    assert u.last_answer()["text"] == "Отменено"
    assert hk.MENU_TEXT in u.screen().text
    assert hk.scalar(w.db(), "SELECT active FROM wh_conv WHERE chat_id = ?", u.id) == 0


def _answers_after(u, n):
    return hk.wait_until(lambda: (lambda c: c if len(c["callback_answers"]) > n else None)(u.chat()),
                         what="an answer to the press")


def _assert_stale(u, before_answers: int, pressed: dict):
    """The press was answered as stale, and the pressed message now shows the main menu."""
    chat = _answers_after(u, before_answers)
    assert chat["callback_answers"][-1]["text"] == hk.STALE
    mid = pressed["message_id"]
    msg = next(m for m in u.messages() if m["message_id"] == mid)
    assert hk.MENU_TEXT in (msg["text"] or ""), u.dump()
    assert [t for row in (msg["reply_markup"] or {}).get("inline_keyboard", []) for t in
            (b["text"] for b in row)][:2] == [hk.HELLO_BTN, hk.INTRO_BTN]


@pytest.mark.features("F-HOST-07")
def test_stale_conversation_button(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Света")
    ask_name = _intro_until_city(u, "Света")
    u.press("Москва")
    u.expect("из города Москва! Записал.")
    # the finished conversation's buttons are still on screen: press them
    n = len(u.chat()["callback_answers"])
    _assert_stale(u, n, u.press("Санкт-Петербург"))
    n = len(u.chat()["callback_answers"])
    _assert_stale(u, n, u.press("✖️ Отмена", message_id=ask_name.message_id))
    assert w.db().execute("SELECT city FROM hello_intro WHERE user_id = ?", (u.id,)).fetchone() == ("Москва",)

    # a button of an earlier conversation while a new one runs is stale too
    u.press(hk.INTRO_BTN)
    u.expect("Как вас зовут?")
    n = len(u.chat()["callback_answers"])
    u.press_data("_c1:city:Санкт-Петербург", force=True)   # the first conversation's button
    chat = _answers_after(u, n)
    assert chat["callback_answers"][-1]["text"] == hk.STALE
    assert hk.scalar(w.db(), "SELECT state FROM wh_conv WHERE chat_id = ? AND active = 1", u.id) == "name"


@pytest.mark.features("F-HOST-07")
@pytest.mark.parametrize("data", ["zz:1", "nosuchprefix:abc", "~AAAAAAAAAAAA", "~", "garbage", "_c99999:x"])
def test_stale_unknown_or_expired_button(tgsim, walord, tmp_path, data):
    hk.start(walord, tmp_path)
    u = tgsim.user("Тимур")
    u.send("/start")
    u.press(hk.HELLO_BTN)
    u.expect("Вы нажали кнопку 0 раз.")
    n = len(u.chat()["callback_answers"])
    _assert_stale(u, n, u.press_data(data, force=True))


@pytest.mark.features("F-HOST-07")
def test_long_callback_data_goes_through_token_store(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Лида")
    u.send("/long")
    s = u.screen()
    assert s.text == "длинная кнопка"
    data = s.button_data("📏 Длинная")
    assert data.startswith("~") and len(data.encode()) <= 64, data
    full = hk.scalar(w.db(), "SELECT data FROM wh_cbtokens WHERE token = ?", data)
    assert full is not None and full.startswith("pl:") and len(full) == 200
    u.press("📏 Длинная")
    u.expect("длина:197")
    assert u.last_answer()["text"] == "197"
    # the token still works after a restart (it lives in the DB)
    w.restart()
    u.press("📏 Длинная")
    hk.wait_until(lambda: sum(m["text"] == "длина:197" for m in u.bot_messages()) == 2,
                  what="a second answer after the restart")
