"""bookings: the client's booking from "🗓 Индивидуальные сессии" to the
confirmation — format, place, the calendar of free days, free times
(duration, buffer and notice respected), the phone (saved and offered next
time), the summary, the .ics file and booking.changed; staff confirming a
pending booking."""

from __future__ import annotations

import datetime as dt

import pytest

import hostkit as hk
from test_bookings_kit import (DONE, MENU, add_service, book, bookings, cells, confirm, epoch, events, ics_of,
                               manager, open_service, pick, press_day, press_on_screen, start, to_calendar,
                               to_monday_morning)


@pytest.mark.features("F-BOOK-03", "F-BOOK-01")
def test_offline_booking_at_the_clients_address(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    sid = add_service(w, "Массаж спины", 2500, 60, "both", descr="Расслабляющий <b>массаж</b>")
    add_service(w, "Скрытая", hidden=1)
    staff = manager(tgsim, w)
    u = tgsim.user("Анна")
    open_service(u, "Массаж спины")
    card = u.screen()
    assert "Расслабляющий массаж" in card.text and "2 500 ₽" in card.text and "1 ч" in card.text
    u.send("/start")
    u.press(MENU)
    assert not any(t.startswith("Скрытая") for t in u.screen().button_texts)

    to_calendar(u, "Массаж спины", fmt="🏠 Очно", place="🚗 У меня — напишу адрес", address="Москва, Тверская 1, кв. 5")
    cal = u.screen()
    # Monday 08:00 with 2 h notice: today is bookable; Saturday and Sunday are not pressable
    days = {d.split(":d:")[1] for row in cal.buttons for _, d in row if d and ":d:" in d}
    assert mon.isoformat() in days and (mon + dt.timedelta(days=4)).isoformat() in days
    assert (mon + dt.timedelta(days=5)).isoformat() not in days and (mon + dt.timedelta(days=6)).isoformat() not in days
    press_day(u, mon)
    times = [t for t in u.screen().button_texts if t[:2].isdigit()]
    assert times[0] == "10:00" and times[-1] == "18:00" and "10:30" in times   # 60 min until 19:00, step 30
    u.press("11:00")
    assert "Телефон" in u.screen().text
    confirm(u, "8 (916) 123-45-67")
    u.expect("✅ Вы записаны!")

    (bid, client, service, status, starts, ends, busy, price, fmt, place, addr, phone, *_), = bookings(w)
    assert (client, service, status, fmt, place, addr, phone) == \
        (u.id, sid, "confirmed", "offline", "client", "Москва, Тверская 1, кв. 5", "+79161234567")
    assert starts == epoch(mon, 11) and ends == epoch(mon, 12) and busy == epoch(mon, 12, 15) and price == 250000
    assert len(cells(w, bid)) == 15                                      # 60 min + 15 min buffer, 5-minute cells
    assert events(w, bid) == [{"v": 1, "booking_id": bid, "client_id": u.id, "service_id": sid,
                               "service_name": "Массаж спины", "status": "confirmed", "price": 250000,
                               "starts_at": starts, "completed_at": None}]
    # the .ics: text/calendar, local Moscow time with its zone
    msg, ics = ics_of(tgsim, u)
    assert msg["document"]["mime_type"] == "text/calendar"
    assert f"DTSTART;TZID=Europe/Moscow:{mon:%Y%m%d}T110000\r\n" in ics
    assert "TZOFFSETTO:+0300" in ics and f"UID:booking-{bid}@walor" in ics
    assert "LOCATION:Москва\\, Тверская 1\\, кв. 5" in ics.replace("\r\n ", "")
    staff.expect("Новая запись")
    assert "Анна" in staff.screen().text and "+79161234567" in staff.screen().text


@pytest.mark.features("F-BOOK-03", "F-BOOK-04")
def test_pending_booking_confirmed_by_staff(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    mon = to_monday_morning(w)
    add_service(w, "Консультация", 1500, 30, "online")
    staff = manager(tgsim, w)
    u = tgsim.user("Борис")
    # an online-only service asks neither the format nor the place
    book(u, "Консультация", mon + dt.timedelta(days=1), "15:30", phone="+7 903 000-11-22")
    u.expect("Мастер подтвердит запись")
    assert not any(m.get("document") for m in u.bot_messages())        # the .ics comes with the confirmation
    (bid, *_), = bookings(w)
    staff.expect("Новая запись")
    staff.press("✅ Подтвердить")
    u.expect("Ваша запись подтверждена")
    _, ics = ics_of(tgsim, u)
    assert f"DTSTART;TZID=Europe/Moscow:{mon + dt.timedelta(days=1):%Y%m%d}T153000" in ics
    assert [e["status"] for e in events(w, bid)] == ["pending", "confirmed"]
    # the card's button pressed again: nothing changes
    press_on_screen(staff, f"bks:ok:{bid}")
    assert [e["status"] for e in events(w, bid)] == ["pending", "confirmed"]
    assert "Уже сделано" in (staff.last_answer() or {}).get("text", "")


@pytest.mark.features("F-BOOK-03")
def test_saved_phone_and_address_are_offered(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2000, 45, "offline")
    u = tgsim.user("Вера")
    book(u, "Массаж", mon + dt.timedelta(days=2), "12:00", place="🚗 У меня — напишу адрес",
         address="Казань, ул. Баумана, 10")
    u.expect("Вы записаны")
    open_service(u, "Массаж")
    u.press("📅 Записаться")
    u.press("🚗 У меня — напишу адрес")
    u.press("📍 Казань, ул. Баумана, 10")                                # not typed again
    pick(u, mon + dt.timedelta(days=3), "12:00")
    u.press("📞 +79161234567")                                          # nor the phone
    assert "Проверьте запись" in u.screen().text and "Казань, ул. Баумана, 10" in u.screen().text
    u.press(DONE)
    u.expect("Вы записаны")
    rows = bookings(w)
    assert [(r[10], r[11]) for r in rows] == [("Казань, ул. Баумана, 10", "+79161234567")] * 2
    assert hk.scalar(w.db(), "SELECT address FROM bookings_client WHERE user_id = ?", u.id) == "Казань, ул. Баумана, 10"
