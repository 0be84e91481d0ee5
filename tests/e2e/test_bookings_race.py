"""bookings: no double booking. Two clients confirm the same time at the
same moment — one gets it, the other is told and offered the nearest free
times; two services of different lengths that overlap without starting at
the same time are refused just the same, because the database's cell index
decides, not a read-then-write."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

import hostkit as hk
from test_bookings_kit import (DONE, add_service, bookings, cells, epoch, events, pick, press_day, start,
                               to_calendar, to_monday_morning)


def at_summary(u, name, d, hhmm, phone):
    to_calendar(u, name)
    pick(u, d, hhmm)
    u.send(phone)
    assert "Проверьте запись" in u.screen().text, u.dump()


def race(a, b):
    """Both press "✅ Готово" without waiting for the bot."""
    va, vb = a.chat()["version"], b.chat()["version"]
    a.press(DONE, wait=False)
    b.press(DONE, wait=False)
    a.wait_reaction(va)
    b.wait_reaction(vb)


def outcome(a, b):
    booked = [u for u in (a, b) if any("Вы записаны" in (m.get("text") or "") for m in u.bot_messages())]
    refused = [u for u in (a, b) if any("только что занял другой клиент" in (m.get("text") or "")
                                        for m in u.bot_messages())]
    return booked, refused


@pytest.mark.features("F-BOOK-03")
def test_same_time_pressed_at_once(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    tue = mon + dt.timedelta(days=1)
    a, b = tgsim.user("Аня"), tgsim.user("Боря")
    at_summary(a, "Массаж", tue, "11:00", "89160000001")
    at_summary(b, "Массаж", tue, "11:00", "89160000002")
    race(a, b)
    hk.wait_until(lambda: sum(len(outcome(a, b)[i]) for i in (0, 1)) == 2, what="one booking, one refusal")
    (winner,), (loser,) = outcome(a, b)
    rows = bookings(w)
    assert len(rows) == 1 and rows[0][1] == winner.id and rows[0][4] == epoch(tue, 11)
    assert len(cells(w, rows[0][0])) == 15
    assert hk.scalar(w.db(), "SELECT count(*) FROM bookings_cell") == 15
    assert len(events(w)) == 1
    # the loser is offered the nearest free times (11:00 itself is gone) and books one
    offer = loser.screen()
    assert "Ближайшее свободное время" in offer.text
    times = [t for t in offer.button_texts if t[:2] in ("пн", "вт", "ср")]
    assert times and all("11:00" not in t for t in times), offer
    assert "12:30" in times[0]                             # 11:00 + 60 min + 15 min buffer → 12:15 → 12:30
    loser.press(times[0])
    loser.press(next(t for t in loser.screen().button_texts if t.startswith("↩️")))   # the phone typed before
    loser.press(DONE)
    loser.expect("Вы записаны")
    assert [r[4] for r in bookings(w)] == [epoch(tue, 11), epoch(tue, 12, 30)]


@pytest.mark.features("F-BOOK-03")
def test_overlapping_lengths_are_refused_by_the_database(tgsim, walord, tmp_path, free_port):
    """A 90-minute session at 10:00 and a 30-minute one at 11:00 start at different
    times but overlap: a unique start alone would let both in."""
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\nbuffer_min = 0\n")
    mon = to_monday_morning(w)
    add_service(w, "Долгая", 4000, 90, "online")
    add_service(w, "Короткая", 1000, 30, "online")
    wed = mon + dt.timedelta(days=2)
    a, b = tgsim.user("Галя"), tgsim.user("Дима")
    at_summary(a, "Долгая", wed, "10:00", "89160000003")
    at_summary(b, "Короткая", wed, "11:00", "89160000004")
    race(a, b)
    hk.wait_until(lambda: sum(len(x) for x in outcome(a, b)) == 2, what="one booking, one refusal")
    rows = bookings(w)
    assert len(rows) == 1
    # the constraint itself: a cell held by one booking cannot be taken by another, whoever writes it
    con = w.db()
    held = cells(w, rows[0][0])
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO bookings_cell(cell, booking_id) VALUES (?, 999)", (held[-1],))
    con.rollback()
    # and the engine no longer offers any time that would overlap
    c = tgsim.user("Ева")
    to_calendar(c, "Короткая")
    press_day(c, wed)
    times = [t for t in c.screen().button_texts if t[:2].isdigit()]
    if rows[0][2] == hk.scalar(w.db(), "SELECT id FROM bookings_service WHERE name = 'Долгая'"):
        assert times[0] == "11:30"                        # 10:00-11:30 taken
    else:
        assert "10:30" in times and "11:00" not in times and "10:00" in times
