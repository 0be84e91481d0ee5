"""The offline demo (`make run` without BOT_TOKEN = tools/run-demo.sh), started
as a newcomer would: the customer clicks from the catalog through the cart and
the checkout (the DaData and CDEK fakes) to a QR invoice that the E-COM fake
pays by itself, sees "оплачен", and Ctrl-C leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

import hostkit as hk
from tgsim import Sim

ROOT = Path(__file__).resolve().parents[2]
SKIP = ("Пропустить", "Без комментария")
SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:")


def descendants(pid: int) -> set[int]:
    """Every live process below pid (from /proc, no psutil needed)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Demo:
    def __init__(self, build_dir: Path, tmp_path: Path, run: int = 1):
        self.out = tmp_path / f"run-demo-{run}.out"
        self.var = tmp_path / "var"                 # kept from one run to the next, as var/ is
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        env = dict(os.environ, TGSIM_PORT="0", WALOR_DEMO_VAR=str(self.var), WALOR_DEMO_PAY_DELAY="1",
                   WALOR_BUILD_DIR=str(build_dir), TMPDIR=str(self.tmp))
        env.pop("BOT_TOKEN", None)
        # its own session: the test's Ctrl-C goes to the demo's process group, as a terminal's would
        self.proc = subprocess.Popen([str(ROOT / "tools" / "run-demo.sh")], cwd=tmp_path, env=env,
                                     stdout=self.out.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)

    def text(self) -> str:
        return self.out.read_text(errors="replace")

    def wait_ready(self) -> str:
        def ready():
            assert self.proc.poll() is None, "run-demo.sh exited:\n" + self.text()
            m = re.search(r"откройте (http://127\.0\.0\.1:\d+)/", self.text())
            return m and "walord: ready" in self.text() and m.group(1)
        return hk.wait_until(ready, timeout=60, what="the demo to start")

    def ctrl_c(self) -> int:
        os.killpg(self.proc.pid, signal.SIGINT)
        return self.proc.wait(timeout=60)

    def kill(self) -> None:
        if self.proc.poll() is None:
            for pid in descendants(self.proc.pid) | {self.proc.pid}:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait()


@pytest.fixture
def demo(build_dir, tmp_path):
    d = Demo(build_dir, tmp_path)
    yield d
    d.kill()


def bot_texts(u) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in u.bot_messages()]


@pytest.mark.features("F-CAT-04", "F-CHK-01", "F-CHK-03", "F-CHK-04", "F-PAY-01", "F-PAY-02")
def test_demo_customer_pays_an_order_offline_and_ctrl_c_stops_everything(demo):
    url = demo.wait_ready()
    helpers = descendants(demo.proc.pid)
    names = {Path(f"/proc/{p}/comm").read_text().strip() for p in helpers if alive(p)}
    # the fakes of CDEK, DaData, E-COM and the support assistant's model
    assert {"tgsim", "walord"} <= names and sum(1 for p in helpers if "python" in
                                                 Path(f"/proc/{p}/comm").read_text()) == 4, names

    sim = Sim(url)
    u = sim.existing_user(100002)                  # «Покупатель», created by the script
    u.send("/start")
    u.press("🛍 Каталог")
    u.press("📁 Парфюмерия")
    u.press("📁 Женские ароматы")
    u.press("Цветущий сад")
    u.press("5 мл — 600 ₽")
    assert u.last_answer()["text"] == "✅ Добавлено в корзину"
    u.press("🏠 Главное меню")
    u.press("🛒 Корзина (1)")                      # the count shows in the main menu
    assert "Цветущий сад, 5 мл" in u.screen().text
    u.press("✅ Оформить заказ")
    u.send("Демо Покупатель")
    u.send("8 916 123-45-67")
    u.press("Без почты")
    u.send("Москва, Тверская 1")                   # cleaned by the DaData fake
    s = u.screen()
    assert "Адрес: г Москва, ул Тверская, д 1" in s.text, u.dump()
    pickup = next(b for b in s.button_texts if b.startswith("🏪 Пункт выдачи СДЭК — "))  # priced by the CDEK fake
    assert pickup.endswith("₽"), s.button_texts
    u.press(pickup)
    u.press("1. ул. Тверская, 3")
    # the optional steps (promo code, certificate, bonuses with loyalty; the comment) are skipped
    for _ in range(6):
        s = u.screen()
        if "Проверьте заказ" in s.text:
            break
        u.press(next((b for b in s.button_texts if b in SKIP), f"a skip button on {s.text!r}"))
    assert "Проверьте заказ" in u.screen().text, u.dump()
    u.press("✅ Подтвердить")
    u.expect("✅ Заказ №1 оформлен")
    qr = u.expect("💳 Оплата заказа №1")
    # the «💳 Оплатить» link stays on this machine too: the fake's payment page
    assert qr["photo"] and re.search(r"http://127\.0\.0\.1:\d+/pay/", str(qr.get("reply_markup"))), qr
    # nobody pays in the demo: the fake's invoice settles by itself a second later
    u.expect("✅ Оплата заказа №1 получена", timeout=30)
    u.expect("Заказ №1 оплачен")
    assert not any("Ошибка" in t for t in bot_texts(u))

    db = sqlite3.connect(demo.var / "demo.db")
    assert db.execute("SELECT status, delivery_type FROM orders_order WHERE id = 1").fetchone() == ("paid", "pickup")
    assert db.execute("SELECT state FROM pay_ecom_invoice WHERE order_id = 1").fetchone() == ("paid",)
    db.close()

    assert demo.ctrl_c() == 0
    left = [p for p in helpers if alive(p)]
    assert left == [], f"still running after Ctrl-C: {left}\n" + demo.text()
    assert list(demo.tmp.iterdir()) == []          # its run directory (generated config) is gone
    assert not SANITIZER.search(demo.text()), demo.text()


def walord_pids(demo) -> list[int]:
    return [p for p in descendants(demo.proc.pid) if alive(p) and Path(f"/proc/{p}/comm").read_text().strip() == "walord"]


@pytest.mark.features("F-HOST-11")
def test_demo_restart_button_brings_walord_back(demo):
    url = demo.wait_ready()
    first = walord_pids(demo)
    assert len(first) == 1, first
    boss = Sim(url).existing_user(100001)          # «Владелец», the demo's owner
    boss.send("/admin")
    boss.press("🔄 Перезапуск")
    boss.press("🔄 Да, перезапустить", wait=False)
    boss.expect("Перезапускаюсь")
    # exit 75 is a restart, as systemd's unit makes it: the demo goes on with a new walord
    def back():
        assert demo.proc.poll() is None, "the demo ended:\n" + demo.text()
        return demo.text().count("walord: ready") == 2
    hk.wait_until(back, timeout=60, what="walord to start again")
    assert "run-demo: walord asked for a restart (exit 75)" in demo.text(), demo.text()
    assert demo.proc.poll() is None, demo.text()
    again = walord_pids(demo)
    assert len(again) == 1 and again != first, (first, again)
    boss.send("/start")
    boss.expect(hk.MENU_TEXT)
    assert demo.ctrl_c() == 0
    assert not SANITIZER.search(demo.text()), demo.text()


@pytest.mark.features("F-HOST-11")
def test_demo_ends_with_walords_code_on_any_other_exit(demo):
    demo.wait_ready()
    helpers = descendants(demo.proc.pid)
    (pid,) = walord_pids(demo)
    os.kill(pid, signal.SIGKILL)                   # a crash is no restart request
    assert demo.proc.wait(timeout=60) == 128 + signal.SIGKILL, demo.text()
    assert "run-demo: walord exited (137)" in demo.text(), demo.text()
    assert "asked for a restart" not in demo.text()
    left = [p for p in helpers if alive(p)]
    assert left == [], f"still running: {left}\n" + demo.text()


@pytest.mark.features("F-HOST-05")
def test_demo_restarted_keeps_every_chat(build_dir, tmp_path):
    first = Demo(build_dir, tmp_path)
    try:
        url = first.wait_ready()
        u = Sim(url).existing_user(100002)
        u.send("/start")
        u.press("🛍 Каталог")
        before = [m["text"] for m in u.chat()["messages"]]
        assert first.ctrl_c() == 0
    finally:
        first.kill()
    assert (first.var / "tgsim-state.json").exists()

    second = Demo(build_dir, tmp_path, run=2)      # make run again: the database and the chats stay
    try:
        sim = Sim(second.wait_ready())
        assert {u["id"] for u in sim.users()} == {100001, 100002}
        u = sim.existing_user(100002)
        assert [m["text"] for m in u.chat()["messages"]] == before
        # the bot may write to the customer before they write again: the chat exists for tgsim
        sent = sim.bot_api("100:demo-token", "sendMessage", {"chat_id": 100002, "text": "Мы снова работаем"})
        assert sent["ok"], sent
        u.send("/start")
        u.expect(hk.MENU_TEXT)
        db = sqlite3.connect(second.var / "demo.db")
        assert db.execute("SELECT blocked FROM wh_users WHERE id = 100002").fetchone() == (0,)
        db.close()
        assert second.ctrl_c() == 0
        assert not SANITIZER.search(second.text()), second.text()
    finally:
        second.kill()
