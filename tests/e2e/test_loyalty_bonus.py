"""loyalty plugin, bonuses (plugins/loyalty/orders_ev.c, screen.c, service.c):
cashback on completion only and exactly once (also when every event is
delivered again), spending bonuses on payment and giving bonuses, the promo
code's use and the certificate back on cancel, the "Мои бонусы" screen with
the balance in the menu label, staff edits of bonuses and the personal
discount by customer ID."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_loyalty_kit import (MY, SECTION, balance, cancel, cert, complete, customer, manager, order, pay, promo,
                              bot_texts, redeliver, settled, start, wait_text)


@pytest.mark.features("F-LOY-01")
def test_cashback_on_completion_only_once(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = customer(tgsim)
    assert MY in u.screen().button_texts                 # nothing yet: the plain label
    oid = order(u, 100000)                               # 1 000 ₽
    pay(u, oid)
    settled(w)
    assert balance(w, u.id) == 0                         # paid is not completed
    other = order(u, 50000)
    pay(u, other)
    cancel(u, other)                                     # a cancelled order never earns
    complete(u, oid)
    settled(w)
    assert balance(w, u.id) == 7000                      # 7 % of 1 000 ₽
    wait_text(u, f"Начислено 70 ₽ бонусов за заказ №{oid}")
    con = w.db()
    assert con.execute("SELECT kind, amount, order_id FROM loyalty_ledger WHERE user_id = ?",
                       (u.id,)).fetchall() == [("cashback", 7000, oid)]
    redeliver(w)                                         # at least once → still once
    assert balance(w, u.id) == 7000
    assert hk.scalar(w.db(), "SELECT count(*) FROM loyalty_ledger") == 1
    assert sum("Начислено 70 ₽" in (m.get("text") or "") for m in u.bot_messages()) == 1
    u.send("/start")
    assert f"{MY} (70 ₽)" in u.screen().button_texts, u.screen()


@pytest.mark.features("F-LOY-01", "F-LOY-02")
def test_cashback_on_money_not_on_bonuses(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = customer(tgsim)
    first = order(u, 200000)
    pay(u, first)
    complete(u, first)
    settled(w)
    assert balance(w, u.id) == 14000                     # 140 ₽
    oid = order(u, 100000, bonus=14000)                  # pays 140 ₽ of 1 000 ₽ in bonuses
    pay(u, oid)
    settled(w)
    assert balance(w, u.id) == 0
    complete(u, oid)
    settled(w)
    assert balance(w, u.id) == 6020                      # 7 % of 860 ₽


@pytest.mark.features("F-ORD-10", "F-PAY-04", "F-LOY-02", "F-LOY-07", "F-LOY-08")
def test_cancel_after_paying_restores_bonuses_promo_and_certificate(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = customer(tgsim)
    first = order(u, 500000)
    pay(u, first)
    complete(u, first)
    settled(w)
    assert balance(w, u.id) == 35000                     # 350 ₽
    pid = promo(w, "WELCOME", 10, limit=5)
    kid = cert(w, "GIFT-AAAA", 30000)
    # goods 1 000 ₽: promo −100, certificate −300, bonuses −200
    oid = order(u, 100000, promo=10000, pcode="WELCOME", cert=30000, ccode="GIFT-AAAA", bonus=20000)
    pay(u, oid)
    settled(w)
    con = w.db()
    assert balance(w, u.id) == 15000
    assert hk.scalar(con, "SELECT used FROM loyalty_promo WHERE id = ?", pid) == 1
    assert con.execute("SELECT state, used_by, used_order, balance FROM loyalty_cert WHERE id = ?",
                       (kid,)).fetchone() == ("used", u.id, oid, 0)
    cancel(u, oid)
    settled(w)
    assert balance(w, u.id) == 35000
    assert hk.scalar(con, "SELECT used FROM loyalty_promo WHERE id = ?", pid) == 0
    assert con.execute("SELECT state, used_by, balance FROM loyalty_cert WHERE id = ?",
                       (kid,)).fetchone() == ("active", 0, 30000)
    text = wait_text(u, f"↩️ Заказ №{oid} отменён:")
    assert "200 ₽ бонусов возвращены" in text and "GIFT-AAAA" in text, text
    redeliver(w)                                         # paid and cancelled once more: nothing moves
    con = w.db()
    assert balance(w, u.id) == 35000
    assert hk.scalar(con, "SELECT used FROM loyalty_promo WHERE id = ?", pid) == 0
    assert hk.scalar(con, "SELECT balance FROM loyalty_cert WHERE id = ?", kid) == 30000
    assert hk.scalar(con, "SELECT count(*) FROM loyalty_ledger WHERE kind = 'spend_back'") == 1


@pytest.mark.features("F-LOY-02", "F-LOY-03")
def test_my_bonuses_screen(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = customer(tgsim)
    u.press(MY)
    s = u.screen()
    assert "Баланс: 0 ₽" in s.text and "Пока пусто." in s.text
    bot = tgsim.bots()[0]["username"]
    assert f"https://t.me/{bot}?start=ref{u.id}" in s.text, s.text
    assert "Приглашено: 0" in s.text and "ещё 2" in s.text
    for _ in range(12):                                  # 12 cashback rows: two pages of history
        oid = order(u, 10000)
        pay(u, oid)
        complete(u, oid)
    settled(w)
    assert balance(w, u.id) == 12 * 700
    u.send("/bonus")
    s = u.screen()
    assert "Баланс: <b>84 ₽</b>" in s.html, s.html
    assert s.text.count("+7 ₽ — кэшбэк за заказ") == 10
    u.press("Старее ▶️")
    assert u.screen().text.count("+7 ₽ — кэшбэк за заказ") == 2
    u.press_data("loyb:h:99", force=True)                          # past the end: the last page
    assert u.screen().text.count("+7 ₽ — кэшбэк за заказ") == 2
    u.press_data("loyb:h:abc", force=True)                         # forged: the first page
    assert u.screen().text.count("+7 ₽ — кэшбэк за заказ") == 10


@pytest.mark.features("F-CRM-06", "F-LOY-09", "F-HOST-03")
def test_staff_edit_bonuses_and_personal_discount(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = customer(tgsim)
    m = manager(tgsim, w)
    m.send("/admin")
    m.press(SECTION)
    m.press("💎 Бонусы клиента")
    m.send("abc")
    assert "Клиент с таким ID не найден" in m.screen().text
    m.send("999999")
    assert "Клиент с таким ID не найден" in m.screen().text
    m.send(str(u.id))
    assert "Бонусы: 0 ₽" in bot_texts(m)[-2]                # the card, then the question
    m.send("много")
    assert "Напишите сумму со знаком" in m.screen().text
    m.send("+500")
    m.send("подарок <b>ко дню рождения</b>")
    assert "баланс 500 ₽" in m.screen().text
    text = wait_text(u, "Вам начислено 500 ₽ бонусов")
    assert "подарок <b>ко дню рождения</b>" in text      # escaped: shown as typed
    assert balance(w, u.id) == 50000
    con = w.db()
    assert con.execute("SELECT kind, by_user, note FROM loyalty_ledger WHERE user_id = ?",
                       (u.id,)).fetchall() == [("manual", m.id, "подарок <b>ко дню рождения</b>")]
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE ?", f"%клиента {u.id}%") == 1
    # taking more than there is is refused and nothing changes
    m.press("⬅️ Назад")
    m.press("💎 Бонусы клиента")
    m.send(str(u.id))
    m.send("-600")
    m.send("ошибка")
    assert any("баланс уйдёт в минус" in t for t in bot_texts(m)[-2:])
    assert balance(w, u.id) == 50000
    m.send("-200")
    m.send("ошибка")
    assert balance(w, u.id) == 30000
    # the personal discount
    m.send("/admin")
    m.press(SECTION)
    m.press("🏷 Скидка клиента")
    m.send(str(u.id))
    m.send("100")
    assert "от 0 до 99" in m.screen().text
    m.send("10%")
    assert "персональная скидка 10%" in m.screen().text
    wait_text(u, "персональная скидка 10%")
    assert hk.scalar(con, "SELECT pct FROM loyalty_personal WHERE user_id = ?", u.id) == 10
    u.press(MY) if MY in u.screen().button_texts else u.send("/bonus")
    assert "персональная скидка: <b>10%</b>" in u.screen().html


@pytest.mark.features("F-LOY-02", "F-PAY-04")
def test_balance_never_below_zero_when_two_orders_spend_it(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = customer(tgsim)
    first = order(u, 500000)
    pay(u, first)
    complete(u, first)
    settled(w)
    assert balance(w, u.id) == 35000
    # both quoted before either was paid: each spends the whole balance
    a = order(u, 100000, bonus=35000)
    b = order(u, 100000, bonus=35000)
    pay(u, a)
    pay(u, b)
    settled(w)
    assert balance(w, u.id) == 0                              # the second takes what is left: nothing
    con = w.db()
    assert con.execute("SELECT order_id, amount FROM loyalty_ledger WHERE kind = 'spend'").fetchall() == \
        [(a, -35000)]
    hk.wait_until(lambda: f"заказ {b} оплачен с бонусами 35000" in w.log(), what="the owner's report")
    cancel(u, b)                                              # nothing was taken: nothing comes back
    settled(w)
    assert balance(w, u.id) == 0
    cancel(u, a)
    settled(w)
    assert balance(w, u.id) == 35000


@pytest.mark.features("F-HOST-02")
def test_tester_wipe_clears_loyalty_data(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    boss = hk.owner(tgsim)
    boss.send("/start")
    t = customer(tgsim, "Тестер", first=f"/start ref{boss.id}")
    c = customer(tgsim, "Клиент")
    con = w.db()
    con.execute("UPDATE wh_users SET role = 1 WHERE id = ?", (t.id,))
    for uid in (t.id, c.id):
        con.execute("INSERT INTO loyalty_ledger(user_id, amount, kind, note, created_at) VALUES (?, 500, 'manual', "
                    "'тест', 0)", (uid,))
        con.execute("INSERT INTO loyalty_personal(user_id, pct, set_at) VALUES (?, 5, 0)", (uid,))
    con.commit()
    assert hk.scalar(con, "SELECT count(*) FROM loyalty_referral WHERE friend_id = ?", t.id) == 1
    boss.send("/admin")
    boss.press("👥 Персонал")
    boss.press("🧹 Очистить данные тестировщиков")
    boss.press("🧹 Да, удалить")
    hk.wait_until(lambda: "Данные тестировщиков удалены" in ((boss.last_answer() or {}).get("text") or ""),
                  what="the wipe confirmation")
    for table, col in (("loyalty_ledger", "user_id"), ("loyalty_personal", "user_id"),
                       ("loyalty_referral", "friend_id")):
        assert hk.scalar(con, f"SELECT count(*) FROM {table} WHERE {col} = ?", t.id) == 0, table
        if table != "loyalty_referral":
            assert hk.scalar(con, f"SELECT count(*) FROM {table} WHERE {col} = ?", c.id) == 1, table
