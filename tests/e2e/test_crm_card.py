"""crm plugin: the client card (F-CRM-01) opened from the search (F-CRM-02),
from an order's card and by a forged button; the history (F-CRM-03)."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_crm_kit import cmd, customer, manager, new_order, open_card, pay, search, section, settled, start


@pytest.mark.features("F-CRM-01", "F-CRM-02")
def test_card_shows_everything_the_shop_knows(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    anna = customer(tgsim, "Анна", username="anna_k")
    a1 = new_order(anna, "10x2@150000 phone=+79123456789 email=anna@example.ru addr=Москва,Тверская,1 name=Анна")
    pay(anna, a1)
    a2 = new_order(anna, "11x1@50000 phone=+79123456789")
    pay(anna, a2)
    new_order(anna, "11x1@70000")                      # placed, never paid
    settled(w)
    s = section(owner)
    assert "Всего: 2 клиента" in s.text, s.text
    s = open_card(owner, "анна", "Анна")
    for part in ("👤 Анна", "@anna_k", f"ID {anna.id}", "+79123456789", "anna@example.ru", "Москва,Тверская,1",
                 "3 заказа, оплачено 2 на 3 500 ₽", "Средний чек: 1 750 ₽", "Бонусы: 0 ₽", "скидка 0%",
                 "приглашено друзей: 0", "Заметки нет"):
        assert part in s.text, (part, s.text)


@pytest.mark.features("F-CRM-01", "F-LOY-03")
def test_card_source_referrer_and_friends(tgsim, walord, tmp_path, free_port):
    """The source of a client who came by a friend's invitation, and the
    friend count on the inviter's card (loyalty's referral)."""
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    anna = customer(tgsim, "Анна")
    customer(tgsim, "Борис", first=f"/start ref{anna.id}")
    s = open_card(owner, "борис", "Борис")
    assert f"Источник: 🤝 пригласил(а) Анна (ID {anna.id})" in s.text, s.text
    s = open_card(owner, "анна", "Анна")
    assert "приглашено друзей: 1" in s.text and "Источник: —" in s.text, s.text


@pytest.mark.features("F-CRM-01", "F-CRM-03")
def test_card_and_history_with_bookings(tgsim, walord, tmp_path, free_port):
    """With the bookings plugin the card counts the client's completed
    sessions and the history lists the bookings after the orders, each
    button opening the booking's staff card (the bookings service)."""
    import test_bookings_kit as bk
    w = start(walord, tmp_path, free_port, plugins=("orders", "ordprobe", "bookings", "crm"))
    owner = hk.owner(tgsim)
    owner.send("/start")
    monday = bk.to_monday_morning(w)
    bk.add_service(w, "Массаж", 2500)
    anna = customer(tgsim, "Анна")
    bk.book(anna, "Массаж", monday, "10:00", fmt="💻 Онлайн")
    bk.book(anna, "Массаж", monday, "12:00", fmt="💻 Онлайн")
    first, second = [r[0] for r in bk.bookings(w)]
    con = w.db()
    # one of them was done (as staff would mark it; its screen is the bookings plugin's own test)
    con.execute("UPDATE bookings_booking SET status = 'completed', completed_at = ? WHERE id = ?",
                (bk.epoch(monday, 11), first))
    con.commit()
    new_order(anna, "10x1@100000")
    s = open_card(owner, "анна", "Анна")
    assert "Услуги: 1 запись на 2 500 ₽" in s.text, s.text
    owner.press("📜 История")
    s = owner.screen()
    assert "Заказов: 1" in s.text and "Записей на услуги: 2" in s.text, s.text
    assert "Массаж" in s.text and "☑️ проведена" in s.text and "⏳ ждёт подтверждения" in s.text, s.text
    owner.press("🗓 Массаж")                                   # the first booking button: its staff card
    assert "Массаж" in owner.screen().text and owner.screen().message_id == s.message_id
    assert second
    # and back: the booking's staff card opens the client card, whose "back" returns to the booking
    booking_head = owner.screen().text.splitlines()[0]
    owner.press("👤 Карточка клиента")
    assert "Анна" in owner.screen().text and "Услуги: 1 запись на 2 500 ₽" in owner.screen().text
    owner.press("⬅️ Назад")
    assert owner.screen().text.splitlines()[0] == booking_head, owner.dump()
