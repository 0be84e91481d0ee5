"""crm plugin: what staff do from the client card — the note (F-CRM-04; "-"
deletes, over the limit, two managers at once), a direct message (F-CRM-05;
escaped, a blocked client reported as such), bonuses and the personal
discount through loyalty (F-CRM-06; ledger and action log); the card from an
order and the history (F-CRM-01, F-CRM-03); forged buttons (roles)."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_crm_kit import (cmd, customer, manager, new_order, open_card, pay, search, section, settled, start)


def said(u, part):
    return any(part in (m.get("text") or "") for m in u.bot_messages()[-3:])


@pytest.mark.features("F-CRM-04")
def test_note_saved_deleted_too_long_and_two_managers(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    anna = customer(tgsim, "Анна")
    boris = manager(tgsim, w, "Борис")
    open_card(owner, "анна", "Анна")
    owner.press("📝 Заметка")
    owner.send("Я" * 1001)                                     # over the limit: refused, asked again
    assert said(owner, "не больше 1000 символов"), owner.screen().text
    owner.send("Любит <b>розы</b>, звонить после 18:00")
    s = owner.screen()
    assert "Любит &lt;b&gt;розы&lt;/b&gt;, звонить после 18:00" in s.html and "Ольга" in s.text, s.text
    con = w.db()
    assert hk.scalar(con, "SELECT note FROM crm_client WHERE user_id = ?", anna.id) == \
        "Любит <b>розы</b>, звонить после 18:00"
    # two managers open the note; Boris saves first, the owner's save is refused and shows his
    open_card(boris, "анна", "Анна")
    boris.press("📝 Заметка")
    owner.press("📝 Заметка")
    boris.send("Просила не звонить")
    owner.send("Постоянная клиентка")
    s = owner.screen()
    assert "Пока вы писали, заметку сохранил(а) Борис" in s.text and "Просила не звонить" in s.text, s.text
    assert hk.scalar(con, "SELECT note FROM crm_client WHERE user_id = ?", anna.id) == "Просила не звонить"
    owner.send("Просила не звонить; постоянная клиентка")      # written again, knowing Boris's
    assert hk.scalar(con, "SELECT note FROM crm_client WHERE user_id = ?", anna.id) == \
        "Просила не звонить; постоянная клиентка"
    owner.press("📝 Заметка")
    owner.send("-")
    s = owner.screen()
    assert "Заметки нет" in s.text, s.text
    assert hk.scalar(con, "SELECT note FROM crm_client WHERE user_id = ?", anna.id) == ""
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE '%заметку клиента%'") == 4


@pytest.mark.features("F-CRM-05")
def test_direct_message_escaped_and_blocked_reported(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    anna = customer(tgsim, "Анна")
    oleg = customer(tgsim, "Олег")
    open_card(owner, "анна", "Анна")
    owner.press("✉️ Написать")
    owner.send("Ваш заказ <готов> & ждёт вас")
    assert "Ваш заказ &lt;готов&gt; &amp; ждёт вас" in owner.screen().html    # the summary
    owner.press("✅ Готово")
    assert said(owner, "✅ Сообщение доставлено")
    m = anna.expect("Сообщение от магазина")
    assert "Ваш заказ <готов> & ждёт вас" in m["text"], m
    oleg.block()
    open_card(owner, "олег", "Олег")
    owner.press("✉️ Написать")
    owner.send("Скидка для вас")
    owner.press("✅ Готово")
    assert said(owner, "🚫 Клиент заблокировал бота — сообщение не доставлено"), owner.bot_messages()[-3:]
    assert not said(owner, "✅ Сообщение доставлено")
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what LIKE 'написал клиенту%'") == 1


@pytest.mark.features("F-CRM-06", "F-HOST-03")
def test_bonus_and_discount_through_loyalty(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    anna = customer(tgsim, "Анна")
    open_card(owner, "анна", "Анна")
    owner.press("💎 Бонусы")
    owner.send("-100")                                        # more than the balance: said at the end
    owner.send("Проверка")
    owner.press("✅ Готово")
    assert said(owner, "Нельзя списать больше"), owner.bot_messages()[-3:]
    owner.send("500")
    s = owner.screen()
    assert "✅ Готово" in s.button_texts                      # back to the summary
    owner.press("✅ Готово")
    assert said(owner, "баланс: 500 ₽"), owner.bot_messages()[-3:]
    assert "Бонусы: 500 ₽" in owner.screen().text
    anna.expect("500 ₽")
    con = w.db()
    assert hk.scalar(con, "SELECT sum(amount) FROM loyalty_ledger WHERE user_id = ?", anna.id) == 50000
    assert hk.scalar(con, "SELECT by_user FROM loyalty_ledger WHERE user_id = ?", anna.id) == hk.OWNER_ID
    owner.press("🏷 Скидка")
    owner.send("150")
    assert said(owner, "от 0 до 99")
    owner.send("7")
    assert "скидка 7%" in owner.screen().text
    assert hk.scalar(con, "SELECT pct FROM loyalty_personal WHERE user_id = ?", anna.id) == 7
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE 'бонусы клиента%' "
                          "OR what LIKE 'персональная скидка%'") == 2


@pytest.mark.features("F-CRM-01", "F-CRM-03", "F-ORD-04")
def test_card_from_an_order_and_history(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    anna = customer(tgsim, "Анна")
    ids = [new_order(anna, f"10x1@{100000 + i * 100}") for i in range(10)]
    pay(anna, ids[0])
    settled(w)
    owner.press_data(f"ord:o:{ids[-1]}", force=True)
    owner.press("👤 Карточка клиента")
    s = owner.screen()
    assert "👤 Анна" in s.text and "10 заказов, оплачено 1" in s.text, s.text
    assert "Полная карточка появится" not in s.text
    owner.press("📜 История")
    s = owner.screen()
    assert f"№{ids[-1]}" in s.text and "Заказов: 10" in s.text and "Страница 1 из 2" in s.text, s.text
    owner.press("▶️")
    s = owner.screen()
    assert f"№{ids[0]}" in s.text and "💳 оплачен" in s.text, s.text
    owner.press(f"🧾 Заказ №{ids[0]}")                         # opens the order's own staff card
    assert f"Заказ №{ids[0]}" in owner.screen().text
    owner.press_data(f"ord:u:{ids[-1]}", force=True)
    owner.press("⬅️ Назад")                                    # back to the order the card came from
    assert f"Заказ №{ids[-1]}" in owner.screen().text, owner.screen().text


@pytest.mark.features("F-CRM-01", "F-HOST-02")
@pytest.mark.parametrize("data", ["crm:c:{other}", "crm:n:{other}", "crm:m:{other}", "crm:h:{other}::0",
                                  "crm:x:a", "crm:lq:1", "bc:stop:1", "bc:csv:1"])
def test_forged_card_buttons_refused_to_clients(tgsim, walord, tmp_path, free_port, data):
    w = start(walord, tmp_path, free_port, plugins=("orders", "ordprobe", "loyalty", "crm", "broadcast"))
    anna = customer(tgsim, "Анна")
    other = customer(tgsim, "Олег")
    new_order(other, "10x1@1000 phone=+79990001122")
    anna.press_data(data.format(other=other.id), force=True)
    assert hk.DENIED in (anna.last_answer() or {}).get("text", ""), anna.last_answer()
    assert not any("+79990001122" in (m.get("text") or "") for m in anna.bot_messages())
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_jobs WHERE plugin = 'crm'") == 0


@pytest.mark.features("F-CRM-01")
def test_card_without_orders_and_loyalty(tgsim, walord, tmp_path, free_port):
    """The card works with only the CRM: the figures of missing plugins are
    left out, not shown as zeros or errors."""
    w = start(walord, tmp_path, free_port, plugins=("crm",), conf_files={})
    owner = hk.owner(tgsim)
    owner.send("/start")
    customer(tgsim, "Анна", username="anna")
    s = open_card(owner, "@anna", "Анна")
    assert "👤 Анна" in s.text and "@anna" in s.text, s.text
    assert "Бонусы" not in s.text and "заказ" not in s.text and "💎 Бонусы" not in s.button_texts, s.text
