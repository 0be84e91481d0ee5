"""bookings: reminders (F-BOOK-06) — in the morning of the day and an hour
before, to the client and the staff, as persistent jobs that survive a
restart (and a kill -9), move with a rescheduled booking and vanish with a
cancelled one; the staff's daily plan at the morning time."""

from __future__ import annotations

import datetime as dt

import pytest

import hostkit as hk
from test_bookings_kit import (add_service, advance_to, book, booking, bookings, epoch, jobs, manager, press_day,
                               press_on_screen, start, to_monday_morning)


def count(u, text):
    return sum(text in (m.get("text") or "") for m in u.bot_messages())


@pytest.mark.features("F-BOOK-06")
def test_morning_and_hour_reminders_survive_a_restart(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\nmorning_time = 09:00\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    m = manager(tgsim, w)
    u, v = tgsim.user("Аня"), tgsim.user("Боря")
    tue = mon + dt.timedelta(days=1)
    book(u, "Массаж", tue, "12:00")
    book(v, "Массаж", tue, "15:00")
    (a_id, *_), (b_id, *_) = bookings(w)
    assert [(k, t) for k, t, _ in jobs(w, a_id)] == [(f"{a_id}:morning", epoch(tue, 9)), (f"{a_id}:hour", epoch(tue, 11))]
    # walord dies and comes back: the jobs are in the database
    w.kill9()
    w.start()
    assert len(jobs(w)) == 4
    advance_to(w, tue, 9, 1)
    u.expect("Сегодня у вас сессия")
    v.expect("Сегодня у вас сессия")
    plan = m.expect("План на")
    assert "записей: 2" in plan["text"] and "12:00 — Массаж, Аня" in plan["text"] and "15:00 — Массаж, Боря" in plan["text"]
    assert not any("Через час" in (x.get("text") or "") for x in u.bot_messages())
    advance_to(w, tue, 11, 1)
    u.expect("Через час ваша сессия")
    hk.wait_until(lambda: count(m, "Через час") == 1, what="the staff's hour reminder")
    assert f"Запись №{a_id}" in next(x["text"] for x in reversed(m.bot_messages()) if "Через час" in x["text"])
    assert count(v, "Через час") == 0
    # each once: another tick of the clock sends nothing again
    advance_to(w, tue, 11, 40)
    assert count(u, "Через час") == 1 and count(u, "Сегодня у вас") == 1 and count(m, "План на") == 1
    assert [k for k, _, _ in jobs(w)] == [f"{b_id}:hour"]


@pytest.mark.features("F-BOOK-06")
def test_reminders_move_and_vanish_with_the_booking(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    m = manager(tgsim, w)
    u = tgsim.user("Вера")
    wed, fri = mon + dt.timedelta(days=2), mon + dt.timedelta(days=4)
    book(u, "Массаж", wed, "10:00")
    book(u, "Массаж", wed, "14:00")
    (first, *_), (second, *_) = bookings(w)
    # a booking at 10:00: the hour's reminder (09:00) is not after the morning one, so only it
    assert [k for k, _, _ in jobs(w, first)] == [f"{first}:hour"]
    # moved to Friday: its jobs follow, with the new start in their payload
    press_on_screen(m, f"bks:b:{second}")
    m.press("🔁 Перенести")
    press_day(m, fri)
    m.press("16:00")
    u.expect("Мастер предлагает перенести")
    u.press("✅ Подходит")
    u.expect("Запись перенесена")
    assert [(k, t, p["starts_at"]) for k, t, p in jobs(w, second)] == \
        [(f"{second}:morning", epoch(fri, 9), epoch(fri, 16)), (f"{second}:hour", epoch(fri, 15), epoch(fri, 16))]
    # cancelled: gone
    press_on_screen(m, f"bks:b:{first}")
    m.press("❌ Отменить")
    m.send("Неисправность в кабинете")
    u.expect("Ваша запись отменена")
    assert jobs(w, first) == []
    # Wednesday passes without a reminder
    advance_to(w, wed, 15, 0)
    assert count(u, "Через час") == 0 and count(u, "Сегодня у вас") == 0
    assert booking(w, second)["starts_at"] == epoch(fri, 16)
