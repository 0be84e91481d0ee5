"""bookings: "📅 Записи" for staff — lists by status and by day, the card,
cancel with a reason (the client is told), complete with the final price
(booking.changed, the `bookings` service's totals), a new time the client
accepts or declines, a message to the client; services (F-BOOK-01): the
form, hide, delete only by the owner and never with future bookings."""

from __future__ import annotations

import datetime as dt

import pytest

import hostkit as hk
from test_bookings_kit import (DONE, MENU, add_service, book, booking, bookings, cells, epoch, events, ics_of, jobs,
                               manager, open_service, press_day, press_on_screen, probe, start, to_calendar,
                               to_monday_morning)


def staff_screen(m):
    m.send("/admin")
    m.press("📅 Записи")


@pytest.mark.features("F-BOOK-04")
def test_lists_cancel_and_complete(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    m = manager(tgsim, w)
    a, b = tgsim.user("Аня"), tgsim.user("Боря")
    book(a, "Массаж", mon, "14:00")
    book(b, "Массаж", mon + dt.timedelta(days=1), "10:00")
    (ida, *_), (idb, *_) = bookings(w)
    staff_screen(m)
    scr = m.screen()
    assert "Ждут подтверждения: 2" in scr.text and "Сегодня: 1" in scr.text and "Завтра: 1" in scr.text
    m.press("⏳ Ожидают")
    assert [t.split(" · ")[0] for t in m.screen().button_texts[:2]] == [f"⏳ №{ida}", f"⏳ №{idb}"]
    m.press("⬅️ Назад")
    m.press("🗓 Завтра")
    assert any(t.startswith(f"⏳ №{idb}") for t in m.screen().button_texts)
    assert not any(t.startswith(f"⏳ №{ida}") for t in m.screen().button_texts)
    m.press(next(t for t in m.screen().button_texts if t.startswith(f"⏳ №{idb}")))
    card = m.screen().text
    assert f"Запись №{idb}" in card and "Боря" in card and "+79161234567" in card and "2 500 ₽" in card
    # a date typed for its list
    m.press("⬅️ Назад")
    m.press("🔎 На дату")
    m.send(f"{mon:%d.%m.%Y}")
    assert any(t.startswith(f"⏳ №{ida}") for t in m.screen().button_texts)

    # cancel with a reason: the client reads it, the time is free again
    m.press(next(t for t in m.screen().button_texts if t.startswith(f"⏳ №{ida}")))
    m.press("❌ Отменить")
    m.send("Мастер заболел")
    a.expect("Ваша запись отменена")
    assert "Мастер заболел" in a.screen().text
    row = booking(w, ida)
    assert (row["status"], row["reason"], row["cancelled_by"]) == ("cancelled", "Мастер заболел", "staff")
    assert cells(w, ida) == [] and jobs(w, ida) == []

    # complete with the final price: it is what the event and the service report
    press_on_screen(m, f"bks:b:{idb}")
    m.press("🏁 Завершить")
    assert "↩️ Оставить: 2 500 ₽" in m.screen().button_texts
    m.send("3 100,50")
    assert "Запись завершена" in m.dump()
    row = booking(w, idb)
    assert (row["status"], row["price"]) == ("completed", 310050) and row["completed_at"] > epoch(mon, 7)
    ev = events(w, idb)[-1]
    assert (ev["status"], ev["price"], ev["completed_at"]) == ("completed", 310050, row["completed_at"])
    b.expect("Спасибо, что пришли")
    assert jobs(w, idb) == []
    # the service CRM and analytics read
    assert probe(m, f"/bkprobe_totals {b.id}") == "totals:0:1:310050"
    assert probe(m, f"/bkprobe_totals {a.id}") == "totals:0:0:0"
    t = row["completed_at"]
    assert probe(m, f"/bkprobe_period {t} {t + 1}") == "period:0:1:310050"
    assert probe(m, f"/bkprobe_period {t + 1} {t + 100}") == "period:0:0:0"
    assert probe(m, f"/bkprobe_list {b.id} 0 10") == \
        f"list:1:{idb},completed,310050,{epoch(mon + dt.timedelta(days=1), 10)},Массаж;"
    assert probe(m, f"/bkprobe_card {idb}") == f"card:bks:b:{idb}"
    assert probe(m, "/bkprobe_card 999") == "card:none"
    # every change reached a subscriber, in order
    hk.wait_until(lambda: [r[0] for r in w.db().execute("SELECT status FROM bkprobe_seen WHERE booking_id = ? "
                                                         "ORDER BY id", (idb,))] == ["pending", "completed"],
                  what="booking.changed delivered to a subscriber")
    # a completed booking is not cancelled by an old button
    press_on_screen(m, f"bks:x:{idb}")
    assert booking(w, idb)["status"] == "completed"


@pytest.mark.features("F-BOOK-04")
def test_new_time_accepted_or_declined(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    m = manager(tgsim, w)
    u = tgsim.user("Вера")
    tue, thu = mon + dt.timedelta(days=1), mon + dt.timedelta(days=3)
    book(u, "Массаж", tue, "11:00")
    (bid, *_), = bookings(w)
    press_on_screen(m, f"bks:b:{bid}")
    m.press("🔁 Перенести")
    assert "Перенос записи" in m.screen().text
    press_day(m, thu)
    m.press("15:00")
    assert "ждём ответа клиента" in m.screen().text
    assert booking(w, bid)["starts_at"] == epoch(tue, 11)         # not moved until the client agrees
    u.expect("Мастер предлагает перенести")
    u.press("✅ Подходит")
    u.expect("Запись перенесена")
    row = booking(w, bid)
    assert (row["starts_at"], row["seq"], row["proposed_at"]) == (epoch(thu, 15), 1, 0)
    assert cells(w, bid)[0] == epoch(thu, 15) // 300 and len(cells(w, bid)) == 15
    assert [(k, t) for k, t, _ in jobs(w, bid)] == [(f"{bid}:morning", epoch(thu, 9)), (f"{bid}:hour", epoch(thu, 14))]
    assert events(w, bid)[-1]["starts_at"] == epoch(thu, 15)
    _, ics = ics_of(tgsim, u)
    assert f"DTSTART;TZID=Europe/Moscow:{thu:%Y%m%d}T150000" in ics and "SEQUENCE:1" in ics
    m.expect(f"запись №{bid} перенесена")
    # the old offer's button again: nothing
    press_on_screen(u, f"bkm:ra:{bid}:{epoch(thu, 15)}")
    assert (u.last_answer() or {}).get("text") == "Это предложение уже неактуально."

    # a second offer, declined: the time stays
    press_on_screen(m, f"bks:b:{bid}")
    m.press("🔁 Перенести")
    press_day(m, thu + dt.timedelta(days=1))
    m.press("12:00")
    u.expect("Мастер предлагает перенести")
    u.press("↩️ Оставить прежнее время")
    m.expect("Клиент отказался от переноса")
    row = booking(w, bid)
    assert (row["starts_at"], row["proposed_at"], row["seq"]) == (epoch(thu, 15), 0, 1)


@pytest.mark.features("F-BOOK-04")
def test_offer_taken_before_the_client_answers(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    m = manager(tgsim, w)
    u, v = tgsim.user("Гена"), tgsim.user("Дина")
    wed = mon + dt.timedelta(days=2)
    book(u, "Массаж", wed, "10:00")
    (bid, *_), = bookings(w)
    press_on_screen(m, f"bks:b:{bid}")
    m.press("🔁 Перенести")
    press_day(m, wed)
    m.press("16:00")
    u.expect("Мастер предлагает перенести")
    book(v, "Массаж", wed, "16:00")                       # offers hold no time
    v.expect("Вы записаны")
    u.press("✅ Подходит")
    assert "уже заняли" in (u.last_answer() or {}).get("text", "")
    m.expect(f"Перенос записи №{bid}")
    row = booking(w, bid)
    assert (row["starts_at"], row["proposed_at"]) == (epoch(wed, 10), 0)
    assert len(cells(w, bid)) == 15 and cells(w, bid)[0] == epoch(wed, 10) // 300


@pytest.mark.features("F-BOOK-04")
def test_message_the_client(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    m = manager(tgsim, w)
    u = tgsim.user("Жора")
    book(u, "Массаж", mon + dt.timedelta(days=1), "12:00")
    (bid, *_), = bookings(w)
    press_on_screen(m, f"bks:b:{bid}")
    m.press("✉️ Написать клиенту")
    m.send("Возьмите, пожалуйста, <полотенце> & тапочки")
    u.expect("Сообщение от мастера")
    assert "<полотенце> & тапочки" in u.screen().text
    m.expect("Сообщение отправлено")


@pytest.mark.features("F-BOOK-01")
def test_services_form_hide_and_delete(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n")
    mon = to_monday_morning(w)
    owner = hk.owner(tgsim)
    owner.send("/start")
    m = manager(tgsim, w)
    m.send("/admin")
    m.press("📅 Записи")
    m.press("🧾 Услуги")
    m.press("➕ Новая услуга")
    m.send("Ароматерапия")
    m.send("Сеанс с <b>маслами</b>")
    m.send("2 000")
    m.send("50")
    m.press("🏠 Очно")
    m.send_photo()
    m.press(next(t for t in m.screen().button_texts if t.startswith("↩️ Оставить")))
    assert "Ароматерапия" in m.screen().text and "2 000 ₽" in m.screen().text and "фото есть" in m.screen().text
    m.press(DONE)
    assert "Так клиенты увидят описание" in m.dump()
    sid = hk.scalar(w.db(), "SELECT id FROM bookings_service WHERE name = 'Ароматерапия'")
    row = w.db().execute("SELECT descr, price, duration_min, format, photo, hidden FROM bookings_service WHERE id = ?",
                         (sid,)).fetchone()
    assert row[:4] + row[5:] == ("Сеанс с <b>маслами</b>", 200000, 50, "offline", 0) and row[4]
    # a duration off the 5-minute grid and broken HTML are refused with a reason
    m.press("✏️ Изменить")
    m.press(next(t for t in m.screen().button_texts if t.startswith("↩️ Оставить")))     # name
    m.send("Сеанс <b>без конца")
    m.press(next(t for t in m.screen().button_texts if t.startswith("↩️ Оставить")))     # price
    m.send("52")
    assert "кратно 5" in m.screen().text
    m.send("55")
    m.press(next(t for t in m.screen().button_texts if t.startswith("↩️ Оставить")))     # format
    m.press(next(t for t in m.screen().button_texts if t.startswith("↩️ Оставить")))     # photo
    m.press(next(t for t in m.screen().button_texts if t.startswith("↩️ Оставить")))     # position
    m.press(DONE)
    assert "Описание не получается показать" in m.screen().text, m.dump()
    assert hk.scalar(w.db(), "SELECT duration_min FROM bookings_service WHERE id = ?", sid) == 50   # nothing saved
    m.send("Сеанс с маслами & музыкой")                   # plain text: escaped, no preview needed
    m.press(DONE)
    row = w.db().execute("SELECT descr, duration_min FROM bookings_service WHERE id = ?", (sid,)).fetchone()
    assert row == ("Сеанс с маслами &amp; музыкой", 55)
    # clients see it; a booking makes it undeletable
    u = tgsim.user("Зоя")
    open_service(u, "Ароматерапия")
    card = u.screen()
    assert card.photo and "Сеанс с маслами & музыкой" in card.text and "55 мин" in card.text
    u.press("⬅️ Все услуги")                               # the photo card goes, the list comes back
    assert "Выберите услугу" in u.screen().text
    assert not any(m.get("photo") and not m.get("deleted") for m in u.bot_messages())
    book(u, "Ароматерапия", mon + dt.timedelta(days=2), "12:00", place="🏠 У мастера")
    u.expect("Вы записаны")
    press_on_screen(m, f"bksv:s:{sid}")
    m.press("🗑 Удалить")
    assert "только владелец" in (m.last_answer() or {}).get("text", "")
    press_on_screen(owner, f"bksv:s:{sid}")
    owner.press("🗑 Удалить")
    assert "можно только скрыть" in (owner.last_answer() or {}).get("text", "")
    owner.press("🙈 Скрыть")
    u.send("/start")
    u.press(MENU)
    assert "Сейчас нет услуг" in u.screen().text
    # with its booking over, the owner deletes it; history keeps the name
    con = w.db()
    con.execute("UPDATE bookings_booking SET status = 'completed', completed_at = 1")
    con.commit()
    press_on_screen(owner, f"bksv:s:{sid}")
    owner.press("🗑 Удалить")
    owner.press("🗑 Да, удалить")
    assert hk.scalar(w.db(), "SELECT count(*) FROM bookings_service") == 0
    assert hk.scalar(w.db(), "SELECT service_name FROM bookings_booking") == "Ароматерапия"


@pytest.mark.features("F-BOOK-04")
def test_analytics_counts_the_completed_booking(tgsim, walord, tmp_path, free_port):
    """The real pair: booking.changed from this plugin is what analytics keeps,
    at the final price, and a later cancel by staff takes it back out."""
    w = start(walord, tmp_path, free_port, ini="auto_confirm = yes\n",
              plugins=("orders", "analytics", "bookings", "bkprobe"))
    mon = to_monday_morning(w)
    add_service(w, "Массаж", 2500, 60, "online")
    m = manager(tgsim, w)
    u = tgsim.user("Ира")
    book(u, "Массаж", mon, "11:00")
    book(u, "Массаж", mon + dt.timedelta(days=1), "11:00")
    (first, *_), (second, *_) = bookings(w)
    press_on_screen(m, f"bks:b:{first}")
    m.press("🏁 Завершить")
    m.send("2 800")
    press_on_screen(m, f"bks:b:{second}")
    m.press("❌ Отменить")
    m.send("Клиент не пришёл")

    def facts():
        return w.db().execute("SELECT booking_id, status, price, completed_at IS NOT NULL FROM analytics_booking "
                              "ORDER BY booking_id").fetchall()
    hk.wait_until(lambda: facts() == [(first, "completed", 280000, 1), (second, "cancelled", 250000, 0)],
                  what="analytics' facts from booking.changed")
