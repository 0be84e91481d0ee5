"""Operations (host/ops*.c, report*.c, help*.c, tools/walorctl): the action
log, error reports, help with its PDF, the DB health check, the log
download, the restart button, the UI reset and walorctl."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

import hostkit as hk
import walor_harness as wh

TOKEN = wh.TGSIM_TOKEN


def _admin(boss, section=None):
    boss.send("/admin")
    boss.expect(hk.ADMIN_TITLE)
    if section:
        boss.press(section)
    return boss.screen()


def _documents(user):
    return [m for m in user.bot_messages() if m.get("document")]


def _doc_bytes(tgsim, msg) -> bytes:
    return tgsim.file_bytes(msg["document"]["file_id"])


def _pdftotext(data: bytes, tmp_path) -> str:
    p = tmp_path / "doc.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(p), "-"], check=True,
                          capture_output=True).stdout.decode()


# ---------------------------------------------------------------- F-HOST-03

@pytest.mark.features("F-HOST-03")
def test_owner_browses_action_log(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    s = _admin(boss, "⚙️ Настройки")
    toggle = next(b for b in s.button_texts if b.startswith("Магазин открыт"))
    boss.press(toggle)                                  # shop.open = no (logged by core)
    s = _admin(boss, "📜 Журнал действий")
    assert "Журнал действий" in s.text
    assert "настройка shop.open = нет" in s.text, s
    assert "Ольга @owner_olga (4200001)" in s.text, s
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", s.text), s
    assert "▶️" not in s.button_texts

    # many entries: 10 a page, newest first, ◀️ ▶️
    con = w.db()
    now = int(time.time())
    con.executemany("INSERT INTO wh_action_log(user_id, plugin, what, at) VALUES (?, 'core', ?, ?)",
                    [(hk.OWNER_ID, f"запись {i:02d}", now + i) for i in range(25)])
    con.commit()
    boss.press("⬅️ Назад")
    boss.press("📜 Журнал действий")
    s = boss.screen()
    assert "запись 24" in s.text and "запись 15" in s.text and "запись 14" not in s.text, s
    assert s.text.index("запись 24") < s.text.index("запись 15")
    boss.press("▶️")
    s = boss.screen()
    assert "стр. 2" in s.text and "запись 14" in s.text and "запись 05" in s.text, s
    boss.press("▶️")
    s = boss.screen()
    assert "запись 04" in s.text and "настройка shop.open" in s.text and "▶️" not in s.button_texts, s
    boss.press("◀️")
    assert "стр. 2" in boss.screen().text

    # not for managers, not even with a forged button
    mgr = tgsim.user("Менеджер")
    mgr.send("/start")
    con.execute("UPDATE wh_users SET role = 2 WHERE id = ?", (mgr.id,))
    con.commit()
    s = _admin(mgr)
    assert "📜 Журнал действий" not in s.button_texts and "📚 Инструкции" in s.button_texts
    mgr.press_data("ops:a:0", force=True)
    assert mgr.last_answer()["text"] == hk.DENIED


# ---------------------------------------------------------------- F-HOST-04

@pytest.mark.features("F-HOST-04")
def test_failure_report_to_owner_scrubbed_and_deduplicated(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    boss.send("/start")
    client = tgsim.user("Анна", username="anna")
    client.send("/start")
    client.send(f"/boom {TOKEN}")                  # the token in the update must not leak
    client.expect(hk.ERROR_TEXT)
    doc = boss.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("document")), None),
                        what="the error report")
    assert doc["document"]["file_name"].startswith("error-probe-")
    assert doc["document"]["file_name"].endswith(".txt")
    assert "probe" in doc["caption"] and "boom" in doc["caption"]
    text = _doc_bytes(tgsim, doc).decode()
    assert "Плагин: probe" in text and "Где: boom" in text, text
    assert "Ошибка: database error" in text, text
    assert f"Пользователь: {client.id} Анна @anna (клиент)" in text, text
    assert "Диалог: нет" in text
    assert '"update_id"' in text and "/boom [скрыто]" in text, text
    assert TOKEN not in text and "test-token" not in text
    assert "Время: " in text

    # the same failure within 10 minutes: no second document
    client.send(f"/boom {TOKEN}")
    client.expect(hk.ERROR_TEXT)
    time.sleep(1.0 * w.scale)
    assert len(_documents(boss)) == 1, boss.dump()
    assert "held back" in w.log()


# ---------------------------------------------------------------- F-HOST-09

CLIENT_HELP = "Как пользоваться ботом"
STAFF_HELP = ["Админ-панель", "Роли и персонал"]
OWNER_HELP = ["Настройки магазина", "Обслуживание бота"]


@pytest.mark.features("F-HOST-09")
def test_help_by_role_and_pdf(tgsim, walord, tmp_path):
    hk.start(walord, tmp_path, walor={"shop_name": "Ёлочка"})
    client = tgsim.user("Клиент")
    client.send("/help")
    s = client.screen()
    assert "Справка" in s.text
    assert CLIENT_HELP in s.button_texts
    assert not set(STAFF_HELP + OWNER_HELP) & set(s.button_texts), s
    client.press(CLIENT_HELP)
    s = client.screen()
    assert CLIENT_HELP in s.text and "/cancel" in s.text
    client.press("⬅️ К списку")
    assert CLIENT_HELP in client.screen().button_texts
    # a staff section by a forged button: refused as stale
    client.press_data("help:s:1", force=True)
    assert "Роли" not in client.screen().text
    client.press_data("opsm:pdf", force=True)
    assert client.last_answer()["text"] == hk.DENIED

    boss = hk.owner(tgsim)
    s = _admin(boss, "📚 Инструкции")
    for t in [CLIENT_HELP] + STAFF_HELP + OWNER_HELP:
        assert t in s.button_texts, s
    boss.press("Роли и персонал")
    assert "Тестировщик" in boss.screen().text
    boss.press("⬅️ К списку")
    boss.press("📄 Скачать PDF")
    doc = boss.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("document")), None),
                        what="the PDF")
    assert doc["document"]["file_name"] == "Инструкции.pdf"
    pdf = _doc_bytes(tgsim, doc)
    assert pdf.startswith(b"%PDF")
    text = _pdftotext(pdf, tmp_path)
    assert "Инструкции — Ёлочка" in text
    for t in [CLIENT_HELP] + STAFF_HELP + OWNER_HELP:
        assert t in text, t
    assert "Если бот задаёт вопрос" in text       # ё and е after the Ё of the title

    # a manager's PDF has no owner sections
    mgr = tgsim.user("Менеджер")
    mgr.send("/start")
    con = sqlite_con(walord)
    con.execute("UPDATE wh_users SET role = 2 WHERE id = ?", (mgr.id,))
    con.commit()
    _admin(mgr, "📚 Инструкции")
    assert "Настройки магазина" not in mgr.screen().button_texts
    mgr.press("📄 Скачать PDF")
    doc = mgr.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("document")), None),
                       what="the PDF")
    text = _pdftotext(_doc_bytes(tgsim, doc), tmp_path)
    assert "Роли и персонал" in text and "Настройки магазина" not in text


def _dejavu_charset() -> set[int]:
    out = subprocess.run(["fc-query", "-f", "%{charset}", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
                         check=True, capture_output=True, text=True).stdout
    cps = set()
    for r in out.split():
        a, _, b = r.partition("-")
        cps.update(range(int(a, 16), int(b or a, 16) + 1))
    return cps


@pytest.mark.features("F-HOST-09")
def test_help_pdf_draws_the_plugins_emoji_and_each_heading_once(tgsim, walord, tmp_path):
    hk.start(walord, tmp_path, plugins=["catalog", "warehouse"])
    boss = hk.owner(tgsim)
    _admin(boss, "📚 Инструкции")
    boss.press("🛍 Каталог")
    text = boss.screen().text
    assert text.count("Каталог") == text.count("«🛍 Каталог»") + 1, text   # the heading, not again below it
    boss.press("⬅️ К списку")
    boss.press("📄 Скачать PDF")
    doc = boss.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("document")), None),
                        what="the PDF")
    assert doc["document"]["mime_type"] == "application/pdf"
    pdf = _doc_bytes(tgsim, doc)
    text = _pdftotext(pdf, tmp_path)
    # the sentence that lost its emoji («папками , товары со скидкой — значком .»): each
    # picture is in its place, read back as U+FFFC
    flat = " ".join(text.split())
    assert re.search("папками \ufffc ?, товары со скидкой — значком \ufffc ?\\.", flat), flat
    assert "[U+" not in text                        # every emoji of these plugins has a picture
    assert text.count("Каталог\n") == 1 and "Каталог\nКаталог" not in text
    # every character the PDF holds as text has a glyph in its font: no empty boxes
    missing = {c for c in text if ord(c) > 32 and ord(c) != 0xFFFC} - {chr(c) for c in _dejavu_charset()}
    assert not missing, missing
    (tmp_path / "help.pdf").write_bytes(pdf)
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "help.pdf")], check=True, capture_output=True,
                            text=True).stdout
    assert sum(1 for line in images.splitlines() if " image " in line and " rgb " in line) > 10, images


def sqlite_con(walord):
    return walord.instances[0].db()


# ---------------------------------------------------------------- F-HOST-10

@pytest.mark.features("F-HOST-10")
@pytest.mark.sqlite_only("a database file damaged under walord")
def test_db_health_check_failure_exits_non_zero(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, walor={"db_check_interval": 1})
    w.wait_log(r"database health check every 1 s")
    time.sleep(1.5)
    assert w.running                                 # a healthy database passes
    with open(w.db_path, "r+b") as f:                # the file goes bad under walord
        f.write(b"this is not a database file at all" * 4)
    rc = w.wait_exit(timeout=15)
    assert rc != 0, w.log_tail()
    assert "database health check failed" in w.log()


# ---------------------------------------------------------------- F-HOST-11

@pytest.mark.features("F-HOST-11")
def test_log_download(tgsim, walord, tmp_path):
    logf = tmp_path / "walord-file.log"
    w = hk.start(walord, tmp_path, walor={"log_file": logf})
    boss = hk.owner(tgsim)
    _admin(boss, "📄 Лог")
    doc = boss.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("document")), None),
                        what="the log file")
    assert doc["document"]["file_name"] == "walord.log"
    body = _doc_bytes(tgsim, doc).decode()
    assert "ready in" in body and TOKEN not in body
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what = 'скачал лог сервера'") == 1


@pytest.mark.features("F-HOST-11")
def test_log_download_without_log_file(tgsim, walord, tmp_path):
    hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    _admin(boss, "📄 Лог")
    boss.expect("Файл лога не настроен")


@pytest.mark.features("F-HOST-11")
def test_restart_button_exits_75(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    _admin(boss, "🔄 Перезапуск")
    boss.expect("Перезапустить бота?")
    boss.press("🔄 Да, перезапустить", wait=False)
    assert w.wait_exit(timeout=20) == 75
    log = w.log()
    assert "exiting with 75" in log
    assert not re.search(r"ERROR: (Address|Leak)Sanitizer|runtime error:", log), w.log_tail(60)
    boss.expect("Перезапускаюсь")
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what = 'перезапустил бота'") == 1
    # as systemd would: it comes back and works
    w.start()
    boss.send("/start")
    boss.expect(hk.MENU_TEXT)


# ---------------------------------------------------------------- F-HOST-12

@pytest.mark.features("F-HOST-12", "F-HOST-07")
def test_ui_reset_resends_menu_to_everyone(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    boss.send("/start")
    clients = [tgsim.user(f"Клиент{i}") for i in range(4)]
    for c in clients:
        c.send("/start")
    gone = tgsim.user("Ушедший")
    gone.send("/start")
    gone.block()
    hk.wait_until(lambda: hk.scalar(w.db(), "SELECT blocked FROM wh_users WHERE id = ?", gone.id) == 1,
                  what="the block to be recorded")
    before = {c.id: len(c.bot_messages()) for c in clients}

    s = _admin(boss, "♻️ Обновить меню у всех")
    assert "всем пользователям (5)" in s.text, s
    boss.press("♻️ Да, отправить всем")
    done = boss.expect("завершено: отправлено 5 из 5", timeout=20)
    assert done["edited"]                            # one message, edited as it goes
    for c in clients:
        m = c.wait_for(lambda chat, c=c: len([x for x in chat["messages"] if x["from"] == "bot"])
                       > before[c.id], what="the re-sent menu")
        last = c.screen()
        assert hk.MENU_TEXT in last.text, last
        assert hk.ADMIN_BTN not in last.button_texts
        assert m
    # the owner's own copy carries the staff button (it may come after the progress
    # message's last edit: replies go before broadcasts)
    owner_menus = boss.wait_for(lambda chat: (lambda ms: ms if len(ms) >= 2 else None)(
        [m for m in chat["messages"] if m["from"] == "bot" and hk.MENU_TEXT in (m.get("text") or "")]),
        what="the owner's copy of the menu")
    assert any(hk.ADMIN_BTN in [b["text"] for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                                for b in row] for m in owner_menus[1:])
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what LIKE 'обновил меню%'") == 1


# ---------------------------------------------------------------- walorctl

def _ctl(build_dir, w, *args, check=True):
    exe = build_dir / "bin" / "walorctl"
    r = subprocess.run([str(exe), "--config", str(w.config_path), *args], capture_output=True,
                       text=True, timeout=60 * w.scale)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    assert "Sanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr
    return r


@pytest.mark.features("F-HOST-11")
def test_walorctl(tgsim, walord, tmp_path, build_dir):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    boss.send("/start")
    anna = tgsim.user("Анна", username="anna")
    anna.send("/start")
    w.stop()

    r = _ctl(build_dir, w, "check-config")
    assert "configuration OK" in r.stdout and TOKEN not in r.stdout

    r = _ctl(build_dir, w, "plugins")
    assert re.search(r"probe\.so\s+probe\s+\S+\s+SDK 1\.\d+", r.stdout), r.stdout
    assert re.search(r"hello\.so\s+hello\s+", r.stdout) and "enabled" in r.stdout, r.stdout

    r = _ctl(build_dir, w, "users")
    assert re.search(rf"^{hk.OWNER_ID}\s+owner\s+no\s+.*Ольга @owner_olga$", r.stdout, re.M), r.stdout
    assert re.search(rf"^{anna.id}\s+client\s+no\s+.*Анна @anna$", r.stdout, re.M), r.stdout
    assert "2 user(s)" in r.stdout
    r = _ctl(build_dir, w, "users", "--role", "owner")
    assert "1 user(s)" in r.stdout and "Анна" not in r.stdout
    assert _ctl(build_dir, w, "users", "--role", "boss", check=False).returncode == 2

    r = _ctl(build_dir, w, "jobs")
    assert "job" in r.stdout

    r = _ctl(build_dir, w, "migrate")
    assert "host.core" in r.stdout and "plugins' migrations are applied by walord" in r.stdout

    # a fresh database: migrate creates the host's tables
    fresh = tmp_path / "fresh.ini"
    fresh.write_text(w.config_path.read_text().replace(str(w.db_path), str(tmp_path / "fresh.db")))
    exe = build_dir / "bin" / "walorctl"
    r = subprocess.run([str(exe), "--config", str(fresh), "users"], capture_output=True, text=True)
    assert r.returncode == 1 and "does not exist" in r.stderr
    r = subprocess.run([str(exe), "--config", str(fresh), "migrate"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe), "--config", str(fresh), "users"], capture_output=True, text=True)
    assert r.returncode == 0 and "0 user(s)" in r.stdout
    assert subprocess.run([str(exe), "--config", str(fresh), "bogus"], capture_output=True).returncode == 2


@pytest.mark.features("F-HOST-12", "F-HOST-07")
def test_ui_reset_does_not_hold_back_a_busy_users_replies(tgsim, walord, tmp_path):
    """Issue 13: during "♻️ Обновить меню у всех" a chat's replies waited behind
    its paced broadcast message (a /start took 46 s). Replies go first: the
    broadcast to 30 users at 4 messages a second takes ~8 s, and a user late
    in it presses a button five times meanwhile; every reply reaches them
    before their copy of the menu (tgsim's call log, in the order it took
    the calls)."""
    w = hk.start(walord, tmp_path, plugins=("hello",), telegram={"bulk_rate": 4})
    boss = hk.owner(tgsim)
    boss.send("/start")
    clients = [tgsim.user(f"Клиент{i}") for i in range(30)]
    for c in clients:
        c.send("/start")
    busy = clients[-1]                     # the menus go out in user id order: this one is near the end
    busy.send("/hello")
    busy.expect("Вы нажали кнопку 0 раз")
    _admin(boss, "♻️ Обновить меню у всех")
    start_seq = tgsim.stats()["last_seq"]
    boss.press("♻️ Да, отправить всем")
    for i in range(1, 6):
        busy.press("➕ Ещё", timeout=30)
        busy.expect(f"Вы нажали кнопку {i} раз", timeout=30)
    boss.expect("завершено: отправлено 31 из 31", timeout=60)   # queued, that is: they go at their pace
    busy.wait_for(lambda chat: sum(1 for m in chat["messages"] if m["from"] == "bot" and
                                   hk.MENU_TEXT in (m.get("text") or "")) >= 2,
                  timeout=60, what="the broadcast's menu")
    edits = [e["seq"] for e in tgsim.log(method="editMessageText", since_seq=start_seq)
             if e["chat_id"] == busy.id and e["status"] == 200]
    menus = [e["seq"] for e in tgsim.log(method="sendMessage", since_seq=start_seq)
             if e["chat_id"] == busy.id and e["status"] == 200]
    assert len(edits) >= 5 and len(menus) == 1, (edits, menus)
    assert max(edits) < menus[0], f"replies at {edits} waited for the broadcast message at {menus[0]}"
    # and the broadcast was still under way when the last reply went: the test tested something
    owner_menu = [e["seq"] for e in tgsim.log(method="sendMessage", since_seq=start_seq)
                  if e["chat_id"] == hk.OWNER_ID and e["status"] == 200]
    assert owner_menu and max(edits) < max(owner_menu)


@pytest.mark.features("F-HOST-12")
def test_ui_reset_counts_a_blocked_user_apart(tgsim, walord, tmp_path):
    """The reset once said "отправлено 2 из 2" although one send got 403: it
    counted what was queued. It counts Telegram's answers now, and a user
    who blocked the bot (and whose block the bot had missed) is said apart
    and marked, so the next reset leaves them out."""
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    boss.send("/start")
    client, gone = tgsim.user("Клиент"), tgsim.user("Ушедший")
    client.send("/start")
    gone.send("/start")
    gone.block()
    con = w.db()
    hk.wait_until(lambda: hk.scalar(con, "SELECT blocked FROM wh_users WHERE id = ?", gone.id) == 1,
                  what="the block")
    con.execute("UPDATE wh_users SET blocked = 0 WHERE id = ?", (gone.id,))   # as if my_chat_member was lost
    con.commit()
    _admin(boss, "♻️ Обновить меню у всех")
    boss.press("♻️ Да, отправить всем")
    done = boss.expect("завершено: отправлено 2 из 3", timeout=20)
    assert "Заблокировали бота: 1" in done["text"], done["text"]
    assert hk.scalar(con, "SELECT blocked FROM wh_users WHERE id = ?", gone.id) == 1
    _admin(boss, "♻️ Обновить меню у всех")
    boss.press("♻️ Да, отправить всем")
    done = boss.expect("завершено: отправлено 2 из 2", timeout=20)
    assert "Заблокировали" not in done["text"], done["text"]
