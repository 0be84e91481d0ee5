"""checkout-cdek's pricing extension point (sdk/include/walor/services/pricing.h)
with the test provider tests/plugins/fakepricing: its steps appear between the
delivery and the comment, a refused code is asked again with the provider's
reason, the adjustment lines land in the quote and in the order by kind, and
each step has its own "✏️" on the summary."""

from __future__ import annotations

import pytest

from test_checkout_flow import Checkout, buy, cdek, contacts, dadata, default_prices, to_checkout  # noqa: F401


@pytest.mark.features("F-CHK-01", "F-CHK-08")
def test_pricing_steps_adjust_the_quote_and_the_order(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port, extra="free_msk_pickup = 3000\n", more=["fakepricing"],
                 more_ini="[plugin.fakepricing]\nbonus = 300\n")
    default_prices(cdek)
    pid = k.shop.product("Набор", variants=[("1 шт", 320000, 100)])
    u = tgsim.user("Оля")
    buy(u, pid, "1 шт — 3 200 ₽")
    to_checkout(u)
    contacts(u, "Оля", "89160000002", None)
    u.send("Москва, Тверская 1")
    assert "🏪 Пункт выдачи СДЭК — бесплатно" in u.screen().button_texts    # 3 200 ₽ before discounts
    u.press("🏪 Пункт выдачи СДЭК — бесплатно")
    u.press("1. ул. Тверская, 3")
    assert "Введите промокод" in u.screen().text
    u.send("NOPE")
    assert "Промокод не найден" in u.screen().text
    u.send("welcome")
    s = u.screen()
    assert "У вас 300 бонусов" in s.text and "Списать 300 ₽" in s.button_texts
    u.press("Списать 300 ₽")
    u.press("Без комментария")
    s = u.screen()
    # 3 200 − 120 − 300 = 2 780 ₽ of goods: below the 3 000 ₽ threshold now, so delivery is paid
    assert "промокод WELCOME: −120 ₽" in s.text and "бонусы: −300 ₽" in s.text, s.text
    assert "Доставка: 250 ₽" in s.text and "До бесплатной доставки осталось 220 ₽" in s.text
    assert "Итого: 3 030 ₽" in s.text
    assert "✏️ Промокод" in s.button_texts and "✏️ Бонусы" in s.button_texts
    u.press("✏️ Бонусы")
    u.press("Пропустить")
    s = u.screen()
    assert "бонусы" not in s.text and "Доставка: бесплатно" in s.text and "Итого: 3 080 ₽" in s.text, s.text
    u.press("✅ Подтвердить")
    row = k.con.execute("SELECT total, promo_discount, promo_code, bonus_spent, delivery_cost FROM orders_order"
                        ).fetchone()
    assert row == (308000, 12000, "WELCOME", 0, 0)
