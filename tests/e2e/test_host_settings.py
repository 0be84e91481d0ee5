"""The owner's settings editor (F-HOST-08) and merchant text overrides."""

from __future__ import annotations

import pytest

import hostkit as hk

GREETING_LABEL = "Приветствие в счётчике"


def _open_settings(boss):
    boss.send("/admin")
    boss.press("⚙️ Настройки")
    boss.expect("Настройки")
    return boss.screen()


@pytest.mark.features("F-HOST-08", "F-HOST-07")
def test_owner_edits_plugin_setting_with_validation(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    s = _open_settings(boss)
    btn = f"{GREETING_LABEL}: Привет"
    assert btn in s.button_texts, s
    boss.press(btn)
    boss.expect(f"Введите новое значение для «{GREETING_LABEL}».")
    assert "Сейчас: Привет" in boss.screen().text
    con = w.db()

    boss.send("   ")                    # empty once trimmed
    boss.expect("❌ Введите строку длиной от 1 до 40 символов")
    boss.send("Я" * 41)                 # one character too many
    assert boss.screen().text.startswith("❌ Введите строку длиной от 1 до 40 символов")
    assert hk.scalar(con, "SELECT count(*) FROM wh_settings WHERE key = 'hello.greeting'") == 0

    # the old value is still in use while the owner is typing
    client = tgsim.user("Клиент")
    client.send("/hello")
    client.expect("Привет! Вы нажали кнопку 0 раз.")

    boss.send("Здравствуйте")           # 12 characters: fine
    boss.expect(f"✅ Сохранено: «{GREETING_LABEL}» = Здравствуйте")
    assert hk.scalar(con, "SELECT value FROM wh_settings WHERE key = 'hello.greeting'") == "Здравствуйте"
    assert hk.scalar(con, "SELECT updated_by FROM wh_settings WHERE key = 'hello.greeting'") == hk.OWNER_ID
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE '%hello.greeting%'") >= 1
    assert f"{GREETING_LABEL}: Здравствуйте" in boss.screen().button_texts

    client.send("/hello")
    client.expect("Здравствуйте! Вы нажали кнопку 0 раз.")

    # the conversation ended with the save, so more text is not a value
    boss.send("Ещё текст")
    boss.expect(hk.NOT_UNDERSTOOD)
    assert hk.scalar(con, "SELECT value FROM wh_settings WHERE key = 'hello.greeting'") == "Здравствуйте"

    # "↩️ По умолчанию" goes back to the plugin's default
    s = _open_settings(boss)
    boss.press(f"{GREETING_LABEL}: Здравствуйте")
    boss.press("↩️ По умолчанию")
    assert hk.scalar(con, "SELECT count(*) FROM wh_settings WHERE key = 'hello.greeting'") == 0
    client.send("/hello")
    assert client.screen().text == "Привет! Вы нажали кнопку 0 раз."


@pytest.mark.features("F-HOST-08")
def test_setting_edit_cancel_keeps_value(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    _open_settings(boss)
    boss.press(f"{GREETING_LABEL}: Привет")
    boss.send("/cancel")
    boss.expect(hk.CANCELLED)
    boss.send("Новое")
    boss.expect(hk.NOT_UNDERSTOOD)
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_settings") == 0


@pytest.mark.features("F-HOST-08", "F-HOST-07")
def test_vacation_mode_toggle(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    client = tgsim.user("Клиент")
    client.send("/start")
    assert client.screen().text == hk.menu_text("Клиент")       # open: no notice
    s = _open_settings(boss)
    label = "Магазин открыт (нет — режим отпуска): да"
    assert label in s.button_texts, s
    boss.press(label)
    hk.wait_until(lambda: "Магазин открыт (нет — режим отпуска): нет" in boss.screen().button_texts,
                  what="the toggled setting")
    assert hk.scalar(w.db(), "SELECT value FROM wh_settings WHERE key = 'shop.open'") == "no"
    client.send("/start")
    assert "🏖 Магазин временно не принимает заказы." in client.screen().text
    boss.press("Магазин открыт (нет — режим отпуска): нет")
    hk.wait_until(lambda: label in boss.screen().button_texts, what="the setting toggled back")
    client.send("/start")
    assert client.screen().text == hk.menu_text("Клиент")


@pytest.mark.features("F-HOST-07")
def test_merchant_text_override(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, start=False)
    texts = w.conf_dir / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    (texts / "10-shop.ini").write_text(
        "; merchant's own wording\n"
        "[hello]\n"
        "counter = {greeting}, счёт: <b>{n}</b>\n"
        "[core]\n"
        "menu = 🛍 Магазин «Ромашка». Что будем делать?\n")
    hk.start_checked(w)
    u = tgsim.user("Зоя")
    u.send("/start")
    assert u.screen().text == "🛍 Магазин «Ромашка». Что будем делать?"
    u.send("/hello")
    s = u.screen()
    assert s.text == "Привет, счёт: 0"
    assert "<b>0</b>" in s.html
    # texts that were not overridden keep their defaults
    u.send("/start")
    u.press(hk.INTRO_BTN)
    u.expect("Как вас зовут?")


@pytest.mark.features("F-HOST-07")
def test_unknown_text_key_is_reported_not_fatal(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, start=False)
    texts = w.conf_dir / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    (texts / "20-typo.ini").write_text("[hello]\ncounterr = опечатка\n")
    hk.start_checked(w)
    w.wait_log(r"unknown text key hello\.counterr", timeout=2)
    u = tgsim.user("Ян")
    u.send("/hello")
    u.expect("Привет! Вы нажали кнопку 0 раз.")
