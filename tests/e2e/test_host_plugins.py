"""Plugin loading (refusal reasons, one line each), handler failures, and the
tester data wipe."""

from __future__ import annotations

import re

import pytest

import hostkit as hk
import walor_harness as wh


def _sdk_minor() -> int:
    text = (wh.REPO_ROOT / "sdk" / "include" / "walor" / "version.h").read_text()
    return int(re.search(r"#define\s+WALOR_SDK_MINOR\s+(\d+)", text).group(1))


@pytest.mark.features("F-HOST-07")
def test_broken_plugins_are_refused_with_one_line_each(tgsim, walord, tmp_path):
    plugins = ["hello", "probe", "badmagic", "newminor", "needsmissing", "dupname", "failload"]
    w = hk.start(walord, tmp_path, plugins=plugins)
    log = w.log()
    reasons = {
        "badmagic": r"plugin badmagic refused: wrong magic",
        "newminor": rf"plugin newminor refused: needs host SDK 1\.{_sdk_minor() + 1}\b",
        "needsmissing": r"plugin needsmissing refused: requires plugin 'nosuchplugin'",
        "dupname": r"plugin dupname refused: duplicate plugin name 'probe'",
        "failload": r"plugin failload refused: load failed",
    }
    for name, rx in reasons.items():
        assert hk.count_lines(log, rx) == 1, f"{name}: want one line matching {rx!r}\n{w.log_tail(40)}"
        # exactly one refusal line for that plugin, and it is an error
        lines = [ln for ln in log.splitlines() if f"plugin {name} refused" in ln]
        assert len(lines) == 1 and " error " in f" {lines[0]} ", lines
    assert re.search(r"\b2 of 7 plugins loaded", log), w.log_tail(40)
    assert hk.count_lines(log, r"plugin (hello|probe) \S+ loaded") == 2

    u = tgsim.user("Алла")
    u.send("/failcmd")                  # registered by failload's load(), which then failed
    assert u.screen().text == hk.UNKNOWN_CMD
    u.send("/dupcmd")                   # the impostor's command never existed
    assert u.screen().text == hk.UNKNOWN_CMD
    u.send("/hello")                    # the good plugins run
    u.expect("Привет! Вы нажали кнопку 0 раз.")
    u.send("/count")
    u.expect("count:")
    u.send("/start t7")                 # the real probe's deep link, not the impostor's
    u.expect("deep:7")
    w.stop()


@pytest.mark.features("F-HOST-07")
def test_handler_failure_gets_polite_answer_and_log_line(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Борис")
    u.send("/boom")
    s = u.screen()
    assert s.text.startswith(hk.ERROR_TEXT), s
    assert "EDB" not in s.text and "database" not in s.text.lower()
    w.wait_log(r" error \[probe\] boom failed: .*in update \d+", timeout=2)
    # the bot goes on serving this user and others
    u.send("/hello")
    u.expect("Вы нажали кнопку 0 раз.")
    w.stop()


@pytest.mark.features("F-HOST-02")
def test_tester_data_wipe(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    vera = tgsim.user("Вера", username="vera_test")
    gleb = tgsim.user("Глеб")
    for u in (vera, gleb):
        u.send("/hello")
        u.press("➕ Ещё")
        u.expect("Вы нажали кнопку 1 раз.")
        u.send("/count")
        u.expect("count:")

    # the owner makes Vera a tester by @username
    boss.send("/admin")
    boss.press("👥 Персонал")
    boss.press("➕ Тестировщик")
    boss.expect("Отправьте Telegram ID")
    boss.send("@vera_test")
    boss.expect("✅ Вера теперь тестировщик.")
    vera.expect("Вам выданы права: тестировщик.")
    con = w.db()
    assert hk.scalar(con, "SELECT role FROM wh_users WHERE id = ?", vera.id) == 1

    # Vera, now a tester, uses hello some more
    vera.send("/hello")
    vera.press("➕ Ещё")
    vera.expect("Вы нажали кнопку 2 раза.")
    vera.send("/start")
    vera.press(hk.INTRO_BTN)
    vera.send("Вера")
    vera.press("Москва")
    vera.expect("Записал.")
    assert hk.scalar(con, "SELECT count(*) FROM hello_intro WHERE user_id = ?", vera.id) == 1

    boss.send("/admin")
    boss.press("👥 Персонал")
    boss.press("🧹 Очистить данные тестировщиков")
    boss.expect("Удалить все данные тестировщиков")
    boss.press("🧹 Да, удалить")
    hk.wait_until(lambda: (boss.last_answer() or {}).get("text") == "🧹 Данные тестировщиков удалены (1).",
                  what="the wipe confirmation")
    for table in ("hello_clicks", "hello_intro", "probe_seen"):
        assert hk.scalar(con, f"SELECT count(*) FROM {table} WHERE user_id = ?", vera.id) == 0, table
    # a customer's data stays; Vera stays a registered tester
    assert hk.scalar(con, "SELECT clicks FROM hello_clicks WHERE user_id = ?", gleb.id) == 1
    assert hk.scalar(con, "SELECT count(*) FROM probe_seen WHERE user_id = ?", gleb.id) == 1
    assert hk.scalar(con, "SELECT role FROM wh_users WHERE id = ?", vera.id) == 1
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE '%тестировщик%'") >= 2
    vera.send("/hello")
    vera.expect("Вы нажали кнопку 0 раз.")


@pytest.mark.features("F-HOST-02")
def test_wipe_cancel_and_customer_cannot_wipe(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    t = tgsim.user("Тест", username="t_user")
    t.send("/hello")
    t.press("➕ Ещё")
    boss.send("/admin")
    boss.press("👥 Персонал")
    boss.press("➕ Тестировщик")
    boss.send(str(t.id))
    boss.expect("теперь тестировщик")
    boss.press("🧹 Очистить данные тестировщиков")
    boss.press("✖️ Отмена")
    boss.expect("Персонал")
    con = w.db()
    assert hk.scalar(con, "SELECT clicks FROM hello_clicks WHERE user_id = ?", t.id) == 1
    # the tester cannot trigger the wipe with a forged button
    t.press_data("staff:wipe!", force=True)
    hk.wait_until(lambda: (t.last_answer() or {}).get("text") == hk.DENIED, what="the denial")
    assert hk.scalar(con, "SELECT clicks FROM hello_clicks WHERE user_id = ?", t.id) == 1
