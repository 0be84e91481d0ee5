"""bookings: every bad input of issue 17 gets a clear answer and loses
nothing — a time taken meanwhile, a day in the past or beyond the horizon,
a day off, a stale calendar page, a forged callback for another client's
booking, cancelling inside the notice, a service hidden during the flow, a
booking at 00:30 Moscow time, and a calendar change that leaves a booking
outside the hours."""

from __future__ import annotations

import datetime as dt

import pytest

import hostkit as hk
from test_bookings_kit import (DONE, add_service, advance_to, book, booking, bookings, calendar_data, cells, epoch,
                               events, ics_of, jobs, manager, pick, press_day, press_on_screen, start, to_calendar,
                               to_monday_morning)


def days_shown(u):
    return {d.split(":d:")[1] for row in u.screen().buttons for _, d in row if d and ":d:" in d}


@pytest.mark.features("F-BOOK-03")
def test_time_taken_meanwhile(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    tue = mon + dt.timedelta(days=1)
    a, b = tgsim.user("Аня"), tgsim.user("Боря")
    to_calendar(a, "Массаж")
    press_day(a, tue)
    assert "11:00" in a.screen().button_texts
    book(b, "Массаж", tue, "11:00")                       # Боря is quicker
    b.expect("Вы записаны")
    a.press("11:00")
    scr = a.screen()
    assert "Это время уже заняли" in scr.text and "Ближайшее свободное время" in scr.text, a.dump()
    assert not any("11:00" in t for t in scr.button_texts)
    assert len(bookings(w)) == 1


@pytest.mark.features("F-BOOK-02", "F-BOOK-03")
def test_past_beyond_horizon_and_day_off(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="horizon_days = 30\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    u = tgsim.user("Вика")
    to_calendar(u, "Массаж")
    # forged days (the calendar never offers them): each is told, and the calendar comes back
    u.press_data(calendar_data(u, f"d:{mon - dt.timedelta(days=1)}"), force=True)
    assert "Этот день уже прошёл" in u.screen().text and "Выберите день" in u.screen().text
    u.press_data(calendar_data(u, f"d:{mon + dt.timedelta(days=30)}"), force=True)
    last = mon + dt.timedelta(days=29)
    assert "Так далеко записи ещё нет: можно записаться до" in u.screen().text and f" {last.day} " in u.screen().text
    sat = mon + dt.timedelta(days=5)
    assert sat.isoformat() not in days_shown(u)
    press_on_screen(u, calendar_data(u, f"d:{sat}"))
    assert "— выходной" in u.screen().text
    press_on_screen(u, calendar_data(u, "d:2026-02-30"))     # no such date
    assert (u.last_answer() or {}).get("text") == "Эта кнопка устарела"
    # a closed day's cell only answers
    u.press("·")
    assert (u.last_answer() or {}).get("text") == "В этот день записи нет"
    # typed text is not a day
    u.send("завтра")
    assert "Выберите день кнопкой в календаре" in u.screen().text
    assert bookings(w) == []


@pytest.mark.features("F-BOOK-02", "F-BOOK-03")
def test_stale_calendar_page(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port,
              ini="auto_confirm = yes\nworkdays = ежедневно\nhours = 00:00-24:00\nnotice_min = 0\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 30, "online")
    sat = mon + dt.timedelta(days=5)
    con = w.db()   # Saturday works one hour: one booking fills it (30 min + 15 min buffer)
    con.execute("INSERT INTO bookings_exception(day, working, open_min, close_min) VALUES (?, 1, 600, 660)",
                (sat.isoformat(),))
    con.commit()
    a, b = tgsim.user("Аня"), tgsim.user("Боря")
    to_calendar(a, "Массаж")
    assert {mon.isoformat(), sat.isoformat()} <= days_shown(a)
    page = a.screen()
    # someone takes Saturday's hour; the page still shows the day
    book(b, "Массаж", sat, "10:00")
    b.expect("Вы записаны")
    a.press_data(page.button_data(str(sat.day)), message_id=page.message_id)
    assert "свободного времени уже нет" in a.screen().text and sat.isoformat() not in days_shown(a), a.dump()
    # a page drawn late on Monday, pressed after midnight
    advance_to(w, mon, 23, 20)
    to_calendar(a, "Массаж")
    page = a.screen()
    assert mon.isoformat() in days_shown(a)
    advance_to(w, mon + dt.timedelta(days=1), 0, 5)
    a.press_data(page.button_data(str(mon.day)), message_id=page.message_id)
    assert "Этот день уже прошёл" in a.screen().text and mon.isoformat() not in days_shown(a), a.dump()
    assert len(bookings(w)) == 1


@pytest.mark.features("F-BOOK-05")
def test_forged_callbacks_for_another_clients_booking(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    a, b = tgsim.user("Аня"), tgsim.user("Боря")
    book(a, "Массаж", mon + dt.timedelta(days=3), "11:00")
    a.expect("Вы записаны")
    (bid, *_), = bookings(w)
    con = w.db()
    con.execute("UPDATE bookings_booking SET proposed_at = ? WHERE id = ?", (epoch(mon + dt.timedelta(days=3), 15), bid))
    con.commit()
    before = booking(w, bid)
    b.send("/start")
    for data in (f"bkm:v:{bid}", f"bkm:x:{bid}", f"bkm:ra:{bid}:{epoch(mon + dt.timedelta(days=3), 15)}",
                 f"bkm:rd:{bid}", "bkm:v:abc"):
        press_on_screen(b, data)
        assert (b.last_answer() or {}).get("text") == "Запись не найдена.", (data, b.dump())
        assert "Мои записи" in b.screen().text and "Массаж" not in b.screen().text
    # staff actions are not a client's: the host refuses them before the plugin runs
    press_on_screen(b, f"bks:x:{bid}")
    assert hk.DENIED in b.dump()
    assert tuple(booking(w, bid)) == tuple(before)
    assert [e["status"] for e in events(w, bid)] == ["confirmed"]


@pytest.mark.features("F-BOOK-05")
def test_cancel_with_reason_and_inside_the_notice(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\ncancel_notice_h = 24\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    staff = manager(tgsim, w)
    u = tgsim.user("Галя")
    book(u, "Массаж", mon, "11:00")                       # in 3 hours
    book(u, "Массаж", mon + dt.timedelta(days=3), "11:00")
    (soon, *_), (later, *_) = bookings(w)
    u.send("/mybookings")
    assert [d for row in u.screen().buttons for _, d in row][:2] == [f"bkm:v:{soon}", f"bkm:v:{later}"]  # soonest first
    u.press_data(f"bkm:v:{soon}")
    assert "меньше 24 ч" in u.screen().text and "Напишите нам" in u.screen().text
    assert "❌ Отменить запись" not in u.screen().button_texts
    press_on_screen(u, f"bkm:x:{soon}")              # an old button or a forged one
    assert "меньше 24 ч" in (u.last_answer() or {}).get("text", "")
    assert booking(w, soon)["status"] == "confirmed"
    # three days ahead: cancelled with a reason, staff told, the time free again
    u.send("/mybookings")
    u.press_data(f"bkm:v:{later}")
    u.press("❌ Отменить запись")
    assert "Почему отменяете" in u.screen().text
    u.press("Изменились планы")
    u.expect("Запись отменена")
    b = booking(w, later)
    assert (b["status"], b["reason"], b["cancelled_by"]) == ("cancelled", "Изменились планы", "client")
    assert cells(w, later) == [] and jobs(w, later) == []
    assert [e["status"] for e in events(w, later)] == ["confirmed", "cancelled"]
    staff.expect(f"Клиент отменил запись №{later}")
    assert "Изменились планы" in staff.screen().text
    to_calendar(u, "Массаж")
    press_day(u, mon + dt.timedelta(days=3))
    assert "11:00" in u.screen().button_texts


@pytest.mark.features("F-BOOK-01", "F-BOOK-03")
def test_service_hidden_during_the_flow(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    sid = add_service(w, "Массаж", 2500, 60, "online")
    add_service(w, "Консультация", 1000, 30, "online")
    staff = manager(tgsim, w)
    a, b = tgsim.user("Аня"), tgsim.user("Боря")
    to_calendar(a, "Массаж")
    to_calendar(b, "Массаж")
    pick(b, mon + dt.timedelta(days=1), "11:00")
    b.send("89160000000")
    assert "Проверьте запись" in b.screen().text
    press_on_screen(staff, f"bksv:h:{sid}")           # staff hide it from its card
    assert hk.scalar(w.db(), "SELECT hidden FROM bookings_service WHERE id = ?", sid) == 1
    press_day(a, mon + dt.timedelta(days=1))
    assert "недоступна" in (a.last_answer() or {}).get("text", "")
    assert "Выберите услугу" in a.screen().text and not any(t.startswith("Массаж") for t in a.screen().button_texts)
    b.press(DONE)
    assert "недоступна" in b.dump()
    assert bookings(w) == []
    # nor can it be started again from an old card
    press_on_screen(a, f"bkc:go:{sid}")
    assert "недоступна" in (a.last_answer() or {}).get("text", "")


@pytest.mark.features("F-BOOK-03", "F-BOOK-06")
def test_half_past_midnight_moscow(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port,
              ini="auto_confirm = yes\nworkdays = ежедневно\nhours = 00:00-06:00\nnotice_min = 0\n")
    mon = to_monday_morning(w)
    add_service(w, "Ночная сессия", 3000, 60, "online")
    staff = manager(tgsim, w)
    u = tgsim.user("Дина")
    tue = mon + dt.timedelta(days=1)
    book(u, "Ночная сессия", tue, "00:30")
    u.expect("Вы записаны")
    (bid, _, _, _, starts, *_), = bookings(w)
    assert starts == epoch(tue, 0, 30)
    assert dt.datetime.fromtimestamp(starts, dt.timezone.utc).date() == mon      # the day before, in UTC
    assert f"вт, {tue:%d.%m.%Y}, 00:30" in u.dump()
    _, ics = ics_of(tgsim, u)
    assert f"DTSTART;TZID=Europe/Moscow:{tue:%Y%m%d}T003000" in ics
    # staff see it on Tuesday, not on Monday
    press_on_screen(staff, "bks:d:0")
    assert "Записей нет" in staff.screen().text
    press_on_screen(staff, "bks:d:1")
    assert any(t.startswith(f"✅ №{bid}") for t in staff.screen().button_texts)
    # the hour's reminder is at 23:30 Monday; no morning reminder after the session
    assert [(k, t) for k, t, _ in jobs(w, bid)] == [(f"{bid}:hour", epoch(mon, 23, 30))]
    advance_to(w, mon, 23, 31)
    u.expect("Через час ваша сессия")


@pytest.mark.features("F-BOOK-02", "F-BOOK-04")
def test_calendar_change_warns_and_never_moves(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    owner = hk.owner(tgsim)
    owner.send("/start")
    u = tgsim.user("Ира")
    tue, wed = mon + dt.timedelta(days=1), mon + dt.timedelta(days=2)
    book(u, "Массаж", tue, "17:00")
    book(u, "Массаж", wed, "11:00")
    (late, *_), (wed_id, *_) = bookings(w)
    before = [tuple(booking(w, i)) for i in (late, wed_id)]
    press_on_screen(owner, "bkcal:home")
    owner.press("🕘 Часы")
    owner.send("10:00-16:00")                            # one step: no summary
    warn = owner.expect("Записей вне рабочего времени: 1")
    assert f"№{late}" in warn["text"] and "никуда не перенесены" in warn["text"]
    assert [tuple(booking(w, i)) for i in (late, wed_id)] == before
    owner.press(f"№{late}")
    assert "вне рабочего времени" in owner.screen().text
    # a break outside the new hours is refused with the reason, then a good one is kept
    press_on_screen(owner, "bkcal:home")
    owner.press("☕ Перерыв")
    owner.send("16:30-17:00")
    assert "Перерыв должен быть внутри рабочего дня" in owner.screen().text
    owner.send("13:00-14:00")
    assert "Перерыв: 13:00–14:00" in owner.dump()
    # a day off on a booked day
    press_on_screen(owner, "bkcal:home")
    owner.press("➕ Выходной день")
    owner.send(f"{wed:%d.%m.%Y}")
    warn = owner.expect("Записей вне рабочего времени: 2")
    assert f"№{wed_id}" in warn["text"]
    assert [tuple(booking(w, i)) for i in (late, wed_id)] == before
    assert hk.scalar(w.db(), "SELECT value FROM wh_settings WHERE key = 'bookings.hours'") == "10:00-16:00"
    # clients are not offered that day any more
    to_calendar(u, "Массаж")
    assert wed.isoformat() not in days_shown(u)
