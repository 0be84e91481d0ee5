"""Shared bits of the host e2e tests (tests/e2e/test_host_*.py).

The host tests load the example plugin `hello` (build/lib/walor/plugins) and
the test plugins of tests/plugins (build/lib/walor/test-plugins): walord
takes one plugin_dir, so a test gets a folder of symlinks to the .so files
it asks for.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Iterable

import walor_harness as wh

# not tgsim's first automatic id (100001), so that a customer is never the owner by accident
OWNER_ID = 4200001

# core texts (host/core/core.c), as the user reads them
MENU_TEXT = "добро пожаловать! Выберите раздел:"   # after "👋 <first name>, "


def menu_text(first_name: str) -> str:
    """the default greeting, as the user with that first name reads it"""
    return f"👋 {first_name}, {MENU_TEXT}"
DENIED = "⛔ Недостаточно прав для этого действия."
STALE = "Эта кнопка устарела — вот актуальное меню."
ERROR_TEXT = "😔 Что-то пошло не так."
UNKNOWN_CMD = "Такой команды нет. Откройте меню: /start"
NOT_UNDERSTOOD = "Я не понял сообщение. Выберите действие в меню:"
CANCELLED = "Действие отменено."
NOTHING_TO_CANCEL = "Нечего отменять. Меню: /start"
ADMIN_BTN = "🛠 Админ-панель"
ADMIN_TITLE = "🛠 Админ-панель"

# hello (sdk/examples/hello/hello.c)
HELLO_BTN = "👋 Привет"
INTRO_BTN = "📝 Познакомиться"
ABOUT_BTN = "ℹ️ О нас"


def plugin_dir(tmp_path: Path, names: Iterable[str]) -> Path:
    """A folder with <name>.so symlinks for the plugins a test loads."""
    bdir = wh.build_dir()
    where = [bdir / "lib" / "walor" / "plugins", bdir / "lib" / "walor" / "test-plugins"]
    d = tmp_path / "plugins"
    d.mkdir(exist_ok=True)
    for n in names:
        for w in where:
            so = w / f"{n}.so"
            if so.exists():
                link = d / so.name
                if not link.exists():
                    link.symlink_to(so)
                break
        else:
            raise AssertionError(f"plugin {n}.so is built in none of {where}: "
                                 "run `make build` (tests/plugins must be configured)")
    return d


def start(walord, tmp_path: Path, plugins=("hello", "probe"), **kw):
    """walord with the given plugins from both plugin folders."""
    plugins = list(plugins)
    kw.setdefault("owners", [OWNER_ID])
    return walord(plugins=plugins, plugin_dir=plugin_dir(tmp_path, plugins), **kw)


def owner(sim, name: str = "Ольга"):
    return sim.user(name, id=OWNER_ID, username="owner_olga", language_code="ru")


def wait_until(fn, timeout: float = 5.0, what: str = "condition", interval: float = 0.02):
    """Polls fn() until it returns something truthy; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what} (last: {got!r})")
        time.sleep(interval)


def scalar(con, sql: str, *args):
    row = con.execute(sql, args).fetchone()
    return row[0] if row else None


def count_lines(log: str, pattern: str) -> int:
    return len(re.findall(pattern, log, re.M))


def message_update(user, text: str, message_id: int = 900001) -> dict:
    """A raw Telegram Update for a text message from `user` (for /_sim/updates)."""
    upd = {
        "message": {
            "message_id": message_id,
            "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
            "chat": {"id": user.id, "first_name": user.first_name, "type": "private"},
            "date": int(time.time()),
            "text": text,
        }
    }
    if text.startswith("/"):
        n = len(text.split()[0])
        upd["message"]["entities"] = [{"offset": 0, "length": n, "type": "bot_command"}]
    return upd


def start_checked(w):
    """w.start(), but if walord exits during start the test fails in its body
    (with the log) instead of leaving a dead process for the teardown."""
    w.start(wait_ready=False)
    deadline = time.monotonic() + 10 * w.scale
    while time.monotonic() < deadline:
        if wh.READY_LINE in w._read_log(w._log_offset):
            return w
        if w.proc is not None and w.proc.poll() is not None:
            rc = w.wait_exit()
            raise AssertionError(f"walord exited with code {rc} during start\n" + w.log_tail(20))
        time.sleep(0.02)
    raise AssertionError("walord not ready in time\n" + w.log_tail(20))
