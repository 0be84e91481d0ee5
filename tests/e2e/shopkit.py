"""The whole shop in one walord, for tests/e2e/test_shop_flow.py and the
crash campaign (bench/crash.py): its configuration against the fakes of
CDEK, DaData and the payment provider, and what the owner and a customer do
through the bot. Standard library only (no pytest): bench/ imports it too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hostkit as hk

FAKES = Path(__file__).resolve().parents[1] / "fakes"
sys.path[:0] = [str(FAKES / "cdek"), str(FAKES / "dadata"), str(FAKES / "ecom")]

from fake_cdek import FakeCdek, TEST_ACCOUNT, TEST_SECRET  # noqa: E402,F401
from fake_dadata import FakeDadata, API_KEY, SECRET  # noqa: E402,F401
from fake_ecom import EcomFake, LOGIN, PASSWORD  # noqa: E402,F401

PLUGINS = ["catalog", "warehouse", "orders", "checkout-cdek", "pay-ecom", "loyalty"]
CATALOG = "🛍 Каталог"
MY_ORDERS = "📦 Мои заказы"
CHECKOUT_BTN = "✅ Оформить заказ"
SECRET_HOOK = "s3cr3t-hook-0123456789abcdef"     # CDEK's webhook path secret
PAY_SECRET = "whsec-3f9a7c21d8e64b05"             # the payment provider's


def default_prices(cdek):
    cdek.set_price(136, 44, 250.0)
    cdek.set_price(137, 44, 400.0)
    cdek.set_price(136, 270, 350.0)
    cdek.set_price(137, 270, 600.0)


def shop_conf(port: int, cdek_url: str, dadata_url: str, ecom_url: str) -> tuple[str, dict]:
    """([http] listen, conf.d files) of a walord with the six shop plugins on port."""
    checkout = (f"[plugin.checkout-cdek]\ncdek_base_url = {cdek_url}/v2\n"
                f"cdek_client_id = {TEST_ACCOUNT}\ncdek_client_secret = {TEST_SECRET}\n"
                f"dadata_clean_url = {dadata_url}/api/v1/\n"
                f"dadata_suggest_url = {dadata_url}/suggestions/api/4_1/rs/\n"
                f"dadata_api_key = {API_KEY}\ndadata_secret = {SECRET}\n"
                "cdek_timeout_ms = 1500\ndadata_timeout_ms = 1000\n"
                f"webhook_secret = {SECRET_HOOK}\npublic_url = http://127.0.0.1:{port}\n")
    pay = (f"[plugin.pay-ecom]\napi_url = {ecom_url}\ngateway_url = {ecom_url}\nlogin = {LOGIN}\n"
           f"password = {PASSWORD}\nwebhook_secret = {PAY_SECRET}\ngroup_code = 700\n"
           f"public_url = http://127.0.0.1:{port}\napi_timeout_ms = 1500\nfiscal = no\n")
    loyalty = "[plugin.loyalty]\ncashback_pct = 7\nbonus_share_pct = 50\n"
    return (f"[http]\nlisten = 127.0.0.1:{port}\n",
            {"60-checkout.ini": checkout, "60-pay-ecom.ini": pay, "70-loyalty.ini": loyalty})


def admin(u, section):
    u.send("/admin")
    u.expect(hk.ADMIN_TITLE)
    u.press(section)


def supply(boss, lines, sums, number=1):
    """A supply as the owner makes it in «🏬 Склад»: supplier, items, batch sums."""
    admin(boss, "🏬 Склад")
    boss.press("🏭 Поставщики")
    boss.press("➕ Добавить поставщика")
    boss.send("ООО «Ромашка»")
    boss.expect("Поставщик добавлен")
    boss.press("🚚 Поставка")
    boss.press("🏭 ООО «Ромашка»")
    boss.send(lines)
    boss.expect("шаг 3 из 3")
    boss.send(sums)
    boss.expect("проверьте")
    boss.press("✅ Провести поставку")
    boss.expect(f"Поставка №{number} проведена")


def promo(boss, code, pct):
    """A promo code made in «🎁 Промо и скидки»: code, %, uses, days, once per client."""
    admin(boss, "🎁 Промо и скидки")
    boss.press("➕ Промокод")
    for answer in (code, str(pct), "5", "30"):
        boss.send(answer)
    boss.press("Да, один раз")
    assert "Использовано: 0/5" in boss.screen().text, boss.dump()


def open_product(u, name):
    u.send("/start")
    u.press(CATALOG)
    u.press(name)
    return u.screen()


def checkout(u, phone):
    """From the cart to the summary, as the steps come: contacts, address,
    pickup point, then whatever loyalty asks (a cart promo is applied)."""
    u.send("/cart")
    u.press(CHECKOUT_BTN)
    u.send(u.first_name)
    u.send(phone)
    u.press("Без почты")
    u.send("Москва, Тверская 1")
    u.press("🏪 Пункт выдачи СДЭК — 250 ₽")
    u.press("1. ул. Тверская, 3")
    for _ in range(4):
        s = u.screen()
        if "Проверьте заказ" in s.text:
            return s
        if "Есть промокод?" in s.text:
            applied = [b for b in s.button_texts if b.startswith("Применить ")]
            u.press(applied[0] if applied else "Пропустить")
        elif "сертификат" in s.text:
            u.press("Пропустить")
        elif "Комментарий" in s.text:
            u.press("Без комментария")
        else:
            raise AssertionError(u.dump())
    raise AssertionError(u.dump())


def ledger(con, order_id):
    return con.execute("SELECT product_id, variant_no, kind, qty, reserved, unit_cost FROM warehouse_ledger "
                       "WHERE order_id = ? ORDER BY id", (order_id,)).fetchall()


def item(con, pid, vno):
    return con.execute("SELECT on_hand, reserved, unit_cost FROM warehouse_item WHERE product_id = ? AND "
                       "variant_no = ?", (pid, vno)).fetchone()


def stock_check(bdir: Path, config_path: Path) -> subprocess.CompletedProcess:
    """`walorctl stock-check`: the warehouse's own consistency check (exit 0 = consistent)."""
    return subprocess.run([str(bdir / "bin" / "walorctl"), "--config", str(config_path), "stock-check"],
                          capture_output=True, text=True, timeout=60)
