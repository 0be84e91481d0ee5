"""loyalty as the checkout's pricing provider (plugins/loyalty/pricing.c with
the real checkout-cdek): the promo code applied in the cart is offered in
the promo step, a certificate and bonuses are steps of their own, the
summary shows one line per discount in the documented order (personal →
promo → certificate → bonuses), a certificate bigger than what is left takes
the goods to zero and leaves nothing for bonuses, refused codes are asked
again, the order carries every sum, and paying it redeems them."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_checkout_flow import buy, cdek, contacts, dadata, default_prices, to_checkout, Checkout  # noqa: F401
from test_loyalty_kit import LOYALTY_INI, balance, cmd, quote_run, quote_setup, settled


def give(k, uid, bonus=0, personal=0):
    if bonus:
        k.con.execute("INSERT INTO loyalty_ledger(user_id, amount, kind, note, created_at) "
                      "VALUES (?, ?, 'manual', 'тест', 0)", (uid, bonus))
    if personal:
        k.con.execute("INSERT INTO loyalty_personal(user_id, pct, set_at) VALUES (?, ?, 0)", (uid, personal))
    k.con.commit()


def shown(u, part):
    """The newest bot message containing `part`: after a refused answer the
    checkout edits its earlier question, so the newest message is the refusal."""
    text = next((m.get("text") or "" for m in reversed(u.bot_messages()) if part in (m.get("text") or "")), None)
    assert text is not None, u.dump()
    return text


def to_discounts(u, pid):
    buy(u, pid, "1 шт — 3 200 ₽")
    u.send("/cart")
    u.press("🎟 Ввести промокод")
    u.send("welcome")
    to_checkout(u)
    contacts(u, "Оля", "89160000002", None)
    u.send("Москва, Тверская 1")
    u.press(next(b for b in u.screen().button_texts if b.startswith("🏪 Пункт выдачи СДЭК")))
    u.press("1. ул. Тверская, 3")


@pytest.mark.features("F-LOY-02", "F-LOY-07", "F-LOY-08", "F-LOY-09", "F-PAY-04", "F-CAT-10")
def test_checkout_steps_and_the_order_of_discounts(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port, probe="", more=["loyalty"], more_ini=LOYALTY_INI)
    default_prices(cdek)
    k.con.execute("INSERT INTO loyalty_promo(code, pct, created_at) VALUES ('WELCOME', 10, 0)")
    k.con.execute("INSERT INTO loyalty_cert(code, face, balance, expires_at, created_at) "
                  "VALUES ('GIFT-BIG', 500000, 500000, 4102444800, 0)")
    k.con.commit()
    pid = k.shop.product("Набор", variants=[("1 шт", 320000, 100)])
    u = tgsim.user("Оля")
    u.send("/start")
    give(k, u.id, bonus=50000, personal=10)
    to_discounts(u, pid)
    s = u.screen()
    assert "Есть промокод?" in s.text and "Применить WELCOME" in s.button_texts, s
    u.press("Применить WELCOME")
    assert "подарочный сертификат" in u.screen().text
    u.send("GIFT-NOPE")
    assert "Такого сертификата нет." in u.screen().text
    u.press("Пропустить")
    # 3 200 − 10 % = 2 880; − 10 % = 2 592; bonuses up to 50 % of that, the balance is 500 ₽
    assert "Можно списать до 500 ₽" in shown(u, "Можно списать")
    u.send("600")
    assert "На счёте только 500 ₽ бонусов." in u.screen().text
    u.press("Списать 500 ₽")
    u.press("Без комментария")
    text = shown(u, "Итого")
    assert "персональная скидка 10%: −320 ₽" in text, text
    assert "промокод WELCOME (−10%): −288 ₽" in text and "бонусы: −500 ₽" in text
    assert text.index("персональная") < text.index("промокод") < text.index("бонусы")
    # a certificate bigger than what is left: the goods go to zero, nothing is left for bonuses
    u.press("✏️ Сертификат")
    u.send("gift-big")
    text = u.screen().text
    assert "сертификат GIFT-BIG: −2 592 ₽" in text and "бонусы:" not in text, text
    u.press("✅ Подтвердить")
    row = k.con.execute("SELECT id, personal_discount, promo_discount, promo_code, cert_discount, cert_code, "
                        "bonus_spent, total, delivery_cost FROM orders_order").fetchone()
    oid = row[0]
    assert row[1:7] == (32000, 28800, "WELCOME", 259200, "GIFT-BIG", 0)
    assert row[7] == row[8]                                   # only the delivery is paid
    assert cmd(u, f"/ordprobe_paid {oid}") == "paid:0"
    settled(k.w)
    assert k.con.execute("SELECT state, used_order FROM loyalty_cert").fetchone() == ("used", oid)
    assert hk.scalar(k.con, "SELECT used FROM loyalty_promo") == 1
    assert balance(k.w, u.id) == 50000                        # no bonuses were spent
    assert hk.scalar(k.con, "SELECT count(*) FROM loyalty_cart_promo") == 0
    # the paid notice comes from an event, on its own time: let it arrive
    # first so the card below is the newest message
    u.expect(f"Заказ №{oid} оплачен")
    # the customer's order card shows the same lines
    u.press_data(f"myo:o:{oid}", force=True)
    card = u.screen().text
    assert "Персональная скидка: −320 ₽" in card and "Промокод WELCOME: −288 ₽" in card, card
    assert "Сертификат GIFT-BIG: −2 592 ₽" in card and "Оплачено бонусами" not in card


@pytest.mark.features("F-LOY-02", "F-LOY-07", "F-LOY-08", "F-LOY-09")
def test_quote_applies_every_adjustment(tgsim, walord, tmp_path):
    """The pricing provider's adjust() on a 10-line order with a personal
    discount, a promo code, a certificate and bonuses: four adjustment lines
    (bench/e2e/bench_loyalty_quote.py measures the same call)."""
    w, u = quote_setup(walord, tmp_path, tgsim)
    assert quote_run(u, 1).endswith("lines=4")
