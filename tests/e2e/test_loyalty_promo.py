"""loyalty plugin, promo codes and certificates on the customer's side
(plugins/loyalty/cart_ext.c, codes.c, orders_ev.c): a promo code typed in the
cart in any case, Cyrillic too, the cart's line and total with the personal
discount, refusals (unknown, malformed, expired by the clock, deactivated,
one use per customer), the usage limit when two customers pay at the same
time, a certificate bigger than the order (with and without keeping the
rest)."""

from __future__ import annotations

import threading

import pytest

import hostkit as hk
from test_catalog_browse import Shop
from test_loyalty_kit import (balance, cancel, cert, clock, cmd, customer, order, pay, promo, settled, start)

ENTER = "🎟 Ввести промокод"
CHANGE = "🎟 Изменить промокод"


def cart_with(tgsim, w, price=100000, name="Анна"):
    shop = Shop(w)
    pid = shop.product("Лаванда", price=price)
    u = customer(tgsim, name)
    u.send(f"/start p{pid}")
    u.press(f"🛒 Купить — {price // 100:,} ₽".replace(",", " "))
    u.send("/cart")
    return u


def type_code(u, code):
    s = u.screen()
    u.press(CHANGE if CHANGE in s.button_texts else ENTER)
    assert "Напишите промокод" in u.screen().text
    u.send(code)
    return u.screen()


@pytest.mark.features("F-CAT-10", "F-LOY-07", "F-LOY-09")
def test_promo_in_cart_any_case_and_cyrillic(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, catalog=True)
    promo(w, "WELCOME", 10)
    promo(w, "СКИДКА-ЕЖ", 20)                                 # stored in the comparable form (Ё → Е)
    u = cart_with(tgsim, w)
    assert "Итого: 1 000 ₽" in u.screen().text
    s = type_code(u, "  welcome ")
    assert "Промокод <b>WELCOME</b> применён: скидка 10%" in s.html
    u.press("🛒 Вернуться в корзину")
    s = u.screen()
    assert "🎟 Промокод WELCOME (−10%): −100 ₽" in s.text and "Итого: 900 ₽" in s.text, s.text
    s = type_code(u, "Скидка-ёж")                             # lower case, ё for Ё
    assert "Промокод <b>СКИДКА-ЕЖ</b> применён" in s.html, s.html
    u.press("🛒 Вернуться в корзину")
    assert "Итого: 800 ₽" in u.screen().text
    for typed, why in (("НЕТТАКОГО", "Такого промокода нет."), ("два слова", "буквы и цифры без пробелов"),
                       ("<b>x</b>", "буквы и цифры без пробелов")):
        u.send(typed) if "Напишите промокод" in u.screen().text else type_code(u, typed)
        assert why in u.screen().text, (typed, u.screen().text)
    u.press("✖️ Отмена")
    u.press("🛒 Вернуться в корзину")
    assert "Итого: 800 ₽" in u.screen().text                  # a refused code changed nothing
    # the personal discount comes first, the promo on what is left
    con = w.db()
    con.execute("INSERT INTO loyalty_personal(user_id, pct, set_at) VALUES (?, 10, 0)", (u.id,))
    con.commit()
    u.send("/cart")
    s = u.screen()
    assert "Персональная скидка 10%: −100 ₽" in s.text and "(−20%): −180 ₽" in s.text, s.text
    assert "Итого: 720 ₽" in s.text
    u.press(CHANGE)
    u.press("🗑 Убрать промокод")
    u.press("🛒 Вернуться в корзину")
    assert "Итого: 900 ₽" in u.screen().text and ENTER in u.screen().button_texts


@pytest.mark.features("F-LOY-07")
def test_promo_expiry_deactivation_and_once_per_customer(tgsim, walord, tmp_path, free_port):
    # the clock moves two days: keep the orders plugin's abandoned-cart reminder out of this chat
    w = start(walord, tmp_path, free_port, catalog=True, orders_ini="cart_remind_h = 720\n")
    now = clock(w)
    promo(w, "SOON", 10, expires_at=now + 86400)
    promo(w, "OFF", 10, active=0)
    promo(w, "ONCE", 15, once=1)
    u = cart_with(tgsim, w)
    assert "применён" in type_code(u, "soon").text
    u.press("🛒 Вернуться в корзину")
    assert "Итого: 900 ₽" in u.screen().text
    clock(w, advance=2 * 86400)                               # the code expires while it sits in the cart
    u.send("/cart")
    s = u.screen()
    assert "Промокод SOON больше не действует" in s.text and "Итого: 1 000 ₽" in s.text, s.text
    assert "Срок действия промокода истёк." in type_code(u, "SOON").text
    u.send("off")
    assert "Этот промокод больше не действует." in u.screen().text
    u.send("once")
    assert "применён" in u.screen().text
    oid = order(u, 100000, promo=15000, pcode="ONCE")
    pay(u, oid)
    settled(w)
    assert hk.scalar(w.db(), "SELECT count(*) FROM loyalty_cart_promo WHERE user_id = ?", u.id) == 0
    assert "Вы уже использовали этот промокод." in type_code(u, "ONCE").text
    cancel(u, oid)                                            # a cancelled order gives the use back
    settled(w)
    u.send("/cart")                                           # the command above left the conversation
    assert "применён" in type_code(u, "ONCE").text


@pytest.mark.features("F-LOY-07")
def test_promo_limit_holds_when_two_customers_pay_at_once(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, catalog=True)
    pid = promo(w, "LAST", 10, limit=1)
    a, b = customer(tgsim, "Алла"), customer(tgsim, "Борис")
    oa = order(a, 100000, promo=10000, pcode="LAST")          # both got the discount in their quotes
    ob = order(b, 100000, promo=10000, pcode="LAST")
    answers = {}

    def paying(u, oid):
        answers[u.id] = cmd(u, f"/ordprobe_paid {oid}")
    threads = [threading.Thread(target=paying, args=(a, oa)), threading.Thread(target=paying, args=(b, ob))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == {a.id: "paid:0", b.id: "paid:0"}
    settled(w)
    con = w.db()
    assert hk.scalar(con, "SELECT used FROM loyalty_promo WHERE id = ?", pid) == 1
    states = sorted(r[0] for r in con.execute("SELECT state FROM loyalty_promo_use").fetchall())
    assert states == ["over", "used"]
    # the owner gets an error report about the order paid over the limit
    hk.wait_until(lambda: "reported: loyalty: заказ" in w.log() and "сверх лимита" in w.log(), what="the report")
    c = cart_with(tgsim, w, name="Вера")
    assert "Промокод уже использован максимальное число раз." in type_code(c, "last").text
    # the counted order is cancelled: the use is free again
    counted = hk.scalar(con, "SELECT order_id FROM loyalty_promo_use WHERE state = 'used'")
    who = a if counted == oa else b
    cancel(who, counted)
    settled(w)
    assert hk.scalar(con, "SELECT used FROM loyalty_promo WHERE id = ?", pid) == 0
    c.send("last")
    assert "применён" in c.screen().text


@pytest.mark.features("F-LOY-08")
def test_certificate_bigger_than_the_order(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = customer(tgsim)
    kid = cert(w, "GIFT-BIG", 500000)                         # 5 000 ₽ on a 1 000 ₽ order
    oid = order(u, 100000, cert=100000, ccode="GIFT-BIG", delivery=30000)
    pay(u, oid)
    settled(w)
    con = w.db()
    assert con.execute("SELECT state, balance, used_by, used_order FROM loyalty_cert WHERE id = ?",
                       (kid,)).fetchone() == ("used", 0, u.id, oid)  # the rest is not kept
    assert hk.scalar(con, "SELECT total FROM orders_order WHERE id = ?", oid) == 30000  # delivery only
    assert balance(w, u.id) == 0
    cancel(u, oid)
    settled(w)
    assert con.execute("SELECT state, balance FROM loyalty_cert WHERE id = ?", (kid,)).fetchone() == ("active", 500000)


@pytest.mark.features("F-LOY-08")
def test_certificate_keeps_the_rest_when_configured(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, loyalty_ini="cert_keep_rest = yes\n")
    u = customer(tgsim)
    kid = cert(w, "GIFT-REST", 500000)
    oid = order(u, 100000, cert=100000, ccode="GIFT-REST")
    pay(u, oid)
    settled(w)
    con = w.db()
    assert con.execute("SELECT state, balance FROM loyalty_cert WHERE id = ?", (kid,)).fetchone() == ("active", 400000)
    o2 = order(u, 600000, cert=400000, ccode="GIFT-REST")
    pay(u, o2)
    settled(w)
    assert con.execute("SELECT state, balance FROM loyalty_cert WHERE id = ?", (kid,)).fetchone() == ("used", 0)
    cancel(u, oid)
    settled(w)
    assert con.execute("SELECT state, balance FROM loyalty_cert WHERE id = ?", (kid,)).fetchone() == ("active", 100000)
