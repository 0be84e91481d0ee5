"""Shared bits of the bookings e2e tests (tests/e2e/test_bookings_*.py).

Every test starts walord with the bookings plugin (and the bkprobe test
plugin, a consumer of the `bookings` service) and moves the host clock to a
known wall time in Moscow first — a Monday, 07:50 — so "today", the default
week (пн-пт, 10:00-19:00) and the minimum notice (2 h) give the same
calendar whatever the real date. The clock only moves forward
(POST /_test/clock), so each test starts from the next Monday after the
real now.

Services are put in the table directly (the service admin has its own test);
bookings are made as a client does, through the bot."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import hostkit as hk
from test_orders_kit import clock  # noqa: F401  (the host clock, moved forward)

MSK = ZoneInfo("Europe/Moscow")
MENU = "🗓 Индивидуальные сессии"
DONE = "✅ Готово"
CANCEL = "✖️ Отмена"


def start(walord, tmp_path, free_port, ini: str = "", plugins=("bookings", "bkprobe"), **kw):
    port = free_port()
    conf = {"60-bookings.ini": "[plugin.bookings]\n" + ini} if ini else {}
    w = hk.start(walord, tmp_path, plugins=list(plugins), extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files=conf, **kw)
    w.port = port
    return w


def local(t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, MSK)


def epoch(d: dt.date, hh: int, mm: int = 0) -> int:
    return int(dt.datetime(d.year, d.month, d.day, hh, mm, tzinfo=MSK).timestamp())


def to_monday_morning(w) -> dt.date:
    """Moves the host clock to the next Monday 07:50 Moscow time (10:00 stays more than the
    2-hour notice away while the test runs); returns that date."""
    now = clock(w)
    t = local(now)
    days = (7 - t.weekday()) % 7 or 7
    target = dt.datetime.combine(t.date() + dt.timedelta(days=days), dt.time(7, 50), MSK)
    clock(w, int(target.timestamp()) - now)
    return target.date()


def advance_to(w, d: dt.date, hh: int, mm: int = 0):
    now = clock(w)
    want = epoch(d, hh, mm)
    assert want >= now, (local(now), d, hh, mm)
    return clock(w, want - now)


def add_service(w, name, price_rub=2500, minutes=60, fmt="both", hidden=0, descr="", photo="", position=0) -> int:
    con = w.db()
    cur = con.execute("INSERT INTO bookings_service(name, descr, price, duration_min, format, photo, position, hidden,"
                      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                      (name, descr, price_rub * 100, minutes, fmt, photo, position, hidden))
    con.commit()
    return cur.lastrowid


def set_setting(w, key, value):
    con = w.db()
    con.execute("INSERT INTO wh_settings(key, value, updated_by, updated_at) VALUES (?, ?, 0, 0) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (f"bookings.{key}", str(value)))
    con.commit()


def make_role(w, user, role: int):
    user.send("/start")
    con = w.db()
    con.execute("UPDATE wh_users SET role = ? WHERE id = ?", (role, user.id))
    con.commit()


def manager(tgsim, w, name="Мария"):
    m = tgsim.user(name)
    make_role(w, m, 2)
    return m


def day_label(d: dt.date) -> str:
    return str(d.day)


def open_service(u, name):
    u.send("/start")
    u.press(MENU)
    u.press(next(t for t in u.screen().button_texts if t.startswith(name + " — ")))


def to_calendar(u, name, fmt=None, place=None, address=None):
    """From the main menu to the calendar of service `name`."""
    open_service(u, name)
    u.press("📅 Записаться")
    if fmt:
        u.press(fmt)
    if place:
        u.press(place)
    if address:
        u.send(address)
    assert "Выберите день" in u.screen().text, u.dump()


def pick(u, d: dt.date, hhmm: str):
    """On the calendar: the day, then the time."""
    press_day(u, d)
    u.press(hhmm)


def press_day(u, d: dt.date):
    """Presses day d on the calendar (by its data, so the month's layout does not matter)."""
    scr = u.screen()
    want = f":d:{d.isoformat()}"
    data = next((dd for row in scr.buttons for _, dd in row if dd and dd.endswith(want)), None)
    assert data, f"day {d} is not pressable\n" + u.dump()
    u.press_data(data)


def press_on_screen(u, data: str):
    """Presses callback data on the newest bot message, whether a button there carries it
    (an old card, a notification, a forged id) or not."""
    return u.press_data(data, force=True, message_id=u.screen().message_id)


def calendar_data(u, payload: str) -> str:
    """The callback data a calendar button with this conversation payload would carry (to forge one)."""
    scr = u.screen()
    data = next(dd for row in scr.buttons for _, dd in row if dd and dd.startswith("_c"))
    return data.split(":", 1)[0] + ":" + payload


def confirm(u, phone="8 (916) 123-45-67", wait=True):
    """From the phone question to "✅ Готово"."""
    if phone:
        u.send(phone)
    assert "Проверьте запись" in u.screen().text, u.dump()
    return u.press(DONE, wait=wait)


def book(u, name, d, hhmm, phone="8 (916) 123-45-67", **kw):
    to_calendar(u, name, **kw)
    pick(u, d, hhmm)
    confirm(u, phone)


def bookings(w):
    return w.db().execute("SELECT id, client_id, service_id, status, starts_at, ends_at, busy_until, price, format,"
                          " place, address, phone, reason, seq FROM bookings_booking ORDER BY id").fetchall()


def booking(w, bid):
    con = w.db()
    con.row_factory = __import__("sqlite3").Row
    return con.execute("SELECT * FROM bookings_booking WHERE id = ?", (bid,)).fetchone()


def cells(w, bid):
    return [r[0] for r in w.db().execute("SELECT cell FROM bookings_cell WHERE booking_id = ? ORDER BY cell", (bid,))]


def events(w, bid=None):
    evs = [json.loads(r[0]) for r in w.db().execute(
        "SELECT payload FROM wh_events WHERE event = 'booking.changed' ORDER BY id")]
    return [e for e in evs if bid is None or e["booking_id"] == bid]


def jobs(w, bid=None):
    rows = w.db().execute("SELECT key, run_at, payload FROM wh_jobs WHERE plugin = 'bookings' AND name = 'remind' "
                          "ORDER BY run_at").fetchall()
    return [(k, t, json.loads(p)) for k, t, p in rows if bid is None or k.startswith(f"{bid}:")]


PROBE = re.compile(r"^(totals|period|list|card|error):")


def probe(u, text: str) -> str:
    before = len(u.bot_messages())

    def answer(chat):
        bots = [m for m in chat["messages"] if m["from"] == "bot"][before:]
        return next((m["text"] for m in bots if PROBE.match(m.get("text") or "")), None)
    u.send(text, wait=False)
    return u.wait_for(answer, what=f"bkprobe's answer to {text!r}")


def ics_of(tgsim, u):
    """The newest .ics document the bot sent the user: (message, text)."""
    m = next(m for m in reversed(u.bot_messages()) if m.get("document"))
    doc = m["document"]
    assert doc["file_name"].endswith(".ics")
    return m, tgsim.file_bytes(doc["file_id"]).decode()
