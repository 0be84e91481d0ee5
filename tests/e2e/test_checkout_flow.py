"""checkout-cdek (plugins/checkout-cdek): the checkout conversation driven as a
customer would, against the fakes of CDEK (tests/fakes/cdek) and DaData
(tests/fakes/dadata): typing and by location, remembered contacts, each
"Изменить" path, restart mid-checkout, /cancel, stale buttons, DaData and CDEK
down or slow, free-delivery thresholds at their edges.

Orders come from the real `orders` plugin; `ordprobe` (tests/plugins) gives
the `stock` and `payment` services when a test needs them."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import hostkit as hk
from test_catalog_browse import Shop

FAKES = Path(__file__).resolve().parents[1] / "fakes"
sys.path[:0] = [str(FAKES / "cdek"), str(FAKES / "dadata")]

from fake_cdek import FakeCdek, TEST_ACCOUNT, TEST_SECRET  # noqa: E402
from fake_dadata import FakeDadata, API_KEY, SECRET  # noqa: E402

CHECKOUT_BTN = "✅ Оформить заказ"
SECRET_HOOK = "s3cr3t-hook-0123456789abcdef"


@pytest.fixture
def cdek():
    f = FakeCdek().start()
    yield f
    f.stop()


@pytest.fixture
def dadata():
    f = FakeDadata().start()
    yield f
    f.stop()


class Checkout:
    """walord with catalog, orders and checkout-cdek pointed at the fakes."""

    def __init__(self, walord, tmp_path, cdek, dadata, free_port, extra="", probe=None, more=(), more_ini="",
                 flip_slashes=False):
        self.cdek, self.dadata = cdek, dadata
        # flip_slashes: every base URL written the other way round (DaData's
        # without its '/', CDEK's and the public address with one): same result
        dd = "" if flip_slashes else "/"
        cd = "/" if flip_slashes else ""
        self.port = free_port()
        plugins = ["catalog", "orders", "checkout-cdek"] + (["ordprobe"] if probe is not None else []) + list(more)
        ini = (f"[http]\nlisten = 127.0.0.1:{self.port}\n"
               "[plugin.checkout-cdek]\n"
               f"cdek_base_url = {cdek.url}/v2{cd}\n"
               f"cdek_client_id = {TEST_ACCOUNT}\ncdek_client_secret = {TEST_SECRET}\n"
               f"dadata_clean_url = {dadata.url}/api/v1{dd}\n"
               f"dadata_suggest_url = {dadata.url}/suggestions/api/4_1/rs{dd}\n"
               f"dadata_api_key = {API_KEY}\ndadata_secret = {SECRET}\n"
               "cdek_timeout_ms = 1500\ndadata_timeout_ms = 1000\n"
               f"webhook_secret = {SECRET_HOOK}\npublic_url = http://127.0.0.1:{self.port}{cd}\n" + extra)
        if probe is not None:
            ini += "[plugin.ordprobe]\n" + probe
        ini += more_ini
        self.w = hk.start(walord, tmp_path, plugins=plugins, extra_ini=ini)
        self.shop = Shop(self.w)
        self.con = self.w.db()

    def hook_url(self, secret=SECRET_HOOK):
        return f"http://127.0.0.1:{self.port}/p/checkout-cdek/cdek/hook/{secret}"

    def orders(self):
        return self.con.execute("SELECT id, status, total, delivery_cost, delivery_manual, address_verified, "
                                "delivery_type, pickup_point, courier_details, phone, email, contact_name, "
                                "address, comment, tracking, extra_json FROM orders_order ORDER BY id").fetchall()

    def cart(self, uid):
        return self.con.execute("SELECT product_id, variant_no, qty FROM catalog_cart WHERE user_id = ? "
                                "ORDER BY product_id, variant_no", (uid,)).fetchall()


def buy(u, pid, button):
    u.send(f"/start p{pid}")
    u.press(button)


def to_checkout(u):
    u.send("/cart")
    u.press(CHECKOUT_BTN)
    assert "Как вас зовут" in u.screen().text, u.dump()


def contacts(u, name="Анна Петрова", phone="8 (916) 123-45-67", email="anna@yandex/ru"):
    u.send(name)
    assert "Номер телефона" in u.screen().text, u.dump()
    u.send(phone)
    assert "Электронная почта" in u.screen().text, u.dump()
    if email is None:
        u.press("Без почты")
    else:
        u.send(email)


def default_prices(cdek):
    cdek.set_price(136, 44, 250.0)
    cdek.set_price(137, 44, 400.0)
    cdek.set_price(136, 270, 350.0)
    cdek.set_price(137, 270, 600.0)


@pytest.mark.features("F-CHK-01", "F-CHK-02", "F-CHK-03", "F-CHK-04", "F-CHK-05", "F-CHK-07")
@pytest.mark.parametrize("flip_slashes", [False, True], ids=["as-documented", "slashes-flipped"])
def test_typed_checkout_to_order(tgsim, walord, tmp_path, cdek, dadata, free_port, flip_slashes):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port, flip_slashes=flip_slashes)
    default_prices(cdek)
    pid = k.shop.product("Роза", variants=[("50 мл", 150000, 300)], discount=10)
    u = tgsim.user("Анна")
    buy(u, pid, "50 мл — 1 350 ₽")
    buy(u, pid, "50 мл — 1 350 ₽")
    to_checkout(u)
    u.send("Анна Петрова")
    u.send("12")                                   # DaData: garbage → asked again with the reason
    assert "Не получилось распознать номер «12»" in u.screen().text
    u.send("8 (916) 123-45-67")
    u.send("anna@")                                # not an email
    assert "не похож на электронную почту" in u.screen().text
    u.send("anna@yandex/ru")                       # DaData fixes the typo
    assert "Адрес доставки" in u.screen().text
    u.send("абракадабра")
    assert "Не получилось найти адрес «абракадабра»" in u.screen().text
    u.send("Москва, Тверская 1")
    s = u.screen()
    # parcel: 2 × 300 g + 40 g (one started five) = 640 × 1.1 = 704 + small box 150 = 854 g
    assert "Вес посылки: 0,9 кг" in s.text, s.text      # a decimal comma, as money has
    assert "🏪 Пункт выдачи СДЭК — 250 ₽" in s.button_texts and "🚚 Курьер СДЭК — 400 ₽" in s.button_texts, s
    calc = cdek.requests("/v2/calculator/tariff")
    assert sorted(r["body"]["tariff_code"] for r in calc) == [136, 137]
    assert all(r["body"]["packages"][0]["weight"] == 854 and r["body"]["to_location"]["code"] == 44 for r in calc)
    assert all(r["body"]["packages"][0]["length"] == 20 for r in calc)
    u.press("🏪 Пункт выдачи СДЭК — 250 ₽")
    s = u.screen()
    # the nearest four by haversine from Tverskaya 1, nearest first: not Butovo, not Khimki
    labels = [t for t in s.button_texts if t[0].isdigit()]
    assert labels == ["1. ул. Тверская, 3", "2. Охотный ряд, 2", "3. ул. Петровка, 20", "4. ул. Арбат, 10"], labels
    assert "Ежедневно 10:00-22:00" in s.text and " м" in s.text
    u.press("1. ул. Тверская, 3")
    assert "Комментарий к заказу" in u.screen().text
    u.send("Позвоните за час <b>")
    s = u.screen()
    assert "Проверьте заказ" in s.text
    assert "Анна Петрова, +7 916 123-45-67, anna@yandex.ru" in s.text
    assert "г Москва, ул Тверская, д 1" in s.text and "не проверен" not in s.text
    assert "Роза, 50 мл — 1 350 ₽ × 2 шт = 2 700 ₽" in s.text
    assert "Товары: 3 000 ₽" in s.text and "Скидки на товары: −300 ₽" in s.text
    assert "Доставка: 250 ₽" in s.text and "Итого: 2 950 ₽" in s.text
    assert "Позвоните за час &lt;b&gt;" in s.html          # user text escaped
    u.press("✅ Подтвердить")
    s = u.screen()
    assert "Заказ №" in s.text and "2 950 ₽" in s.text and "подтвердит оплату" in s.text, s.text
    (oid, status, total, dcost, manual, verified, dtype, point, _, phone, email, name, addr, comment, _, extra), = k.orders()
    assert (status, total, dcost, manual, verified, dtype) == ("new", 295000, 25000, 0, 1, "pickup")
    assert point == "ул. Тверская, 3" and phone == "+7 916 123-45-67" and email == "anna@yandex.ru"
    assert name == "Анна Петрова" and comment == "Позвоните за час <b>" and addr == "г Москва, ул Тверская, д 1"
    x = json.loads(extra)
    assert x["city_code"] == 44 and x["point_code"] == "MSK1" and x["weight_g"] == 854 and x["tariff"] == 136
    assert k.cart(u.id) == []
    assert k.con.execute("SELECT name, phone, email FROM checkout_cdek_customer WHERE user_id = ?",
                         (u.id,)).fetchone() == ("Анна Петрова", "+7 916 123-45-67", "anna@yandex.ru")
    owner = hk.owner(tgsim)
    owner.send("/start")
    owner.press_data(f"ord:o:{oid}", force=True)
    assert "📍 Адрес: г Москва, ул Тверская, д 1 ✔️" in owner.screen().text   # verified by DaData
    # only one token for all those calls: it is cached
    assert cdek.token_count() == 1


@pytest.mark.features("F-CHK-01", "F-CHK-02", "F-CHK-03", "F-CHK-06")
def test_location_courier_and_remembered_details(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port)
    default_prices(cdek)
    pid = k.shop.product("Свеча", variants=[("1 шт", 50000, 200)])
    u = tgsim.user("Борис")
    buy(u, pid, "1 шт — 500 ₽")
    to_checkout(u)
    contacts(u, "Борис", "+7 916 000-11-22", None)
    u.send_location(55.7576, 37.6131)              # geolocated through DaData
    s = u.screen()
    assert "Адрес: г Москва, ул Тверская, д 1" in s.text, s.text
    u.press("🚚 Курьер СДЭК — 400 ₽")
    assert "Подъезд" in u.screen().text
    u.send("2")
    assert "Этаж" in u.screen().text
    u.send("5")
    u.send("25К")
    u.press("Без комментария")
    s = u.screen()
    assert "Курьер СДЭК: подъезд 2, этаж 5, домофон 25К" in s.text and "Доставка: 400 ₽" in s.text
    u.press("✅ Подтвердить")
    row = k.orders()[-1]
    assert row[6] == "courier" and row[8] == "подъезд 2, этаж 5, домофон 25К" and row[3] == 40000
    assert json.loads(row[15])["lat"] == pytest.approx(55.7576)
    # the next order: everything offered as it was
    buy(u, pid, "1 шт — 500 ₽")
    to_checkout(u)
    u.press("✅ Борис")
    u.press("✅ +7 916 000-11-22")
    u.press("Без почты")
    u.send("Москва, Тверская 1")
    u.press("🚚 Курьер СДЭК — 400 ₽")
    u.press("✅ Как в прошлый раз: подъезд 2, этаж 5, домофон 25К")
    u.press("Без комментария")
    assert "подъезд 2, этаж 5, домофон 25К" in u.screen().text
    u.press("✅ Подтвердить")
    assert len(k.orders()) == 2 and k.orders()[-1][8] == "подъезд 2, этаж 5, домофон 25К"


@pytest.mark.features("F-CHK-01", "F-CHK-05", "F-CHK-06")
def test_every_change_path_from_the_summary(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port)
    default_prices(cdek)
    pid = k.shop.product("Чай", variants=[("100 г", 30000, 100)])
    u = tgsim.user("Вера")
    buy(u, pid, "100 г — 300 ₽")
    to_checkout(u)
    contacts(u, "Вера", "89161112233", "vera@mail.ru")
    u.send("Москва, Тверская 1")
    u.press("🏪 Пункт выдачи СДЭК — 250 ₽")
    u.press("2. Охотный ряд, 2")
    u.press("Без комментария")
    assert "Проверьте заказ" in u.screen().text
    # contacts
    u.press("✏️ Контакты")
    contacts(u, "Вера Иванова", "89161112234", None)
    s = u.screen()
    assert "Проверьте заказ" in s.text and "Вера Иванова, +7 916 111-22-34" in s.text and "vera@" not in s.text
    # pickup point
    u.press("✏️ Пункт выдачи")
    u.press("3. ул. Петровка, 20")
    assert "Пункт выдачи СДЭК: ул. Петровка, 20" in u.screen().text
    # the city's points were fetched once: the second list came from the cache
    assert len(cdek.requests("/v2/deliverypoints")) == 1
    # delivery type → courier details → back to the summary
    u.press("✏️ Способ доставки")
    u.press("🚚 Курьер СДЭК — 400 ₽")
    u.send("1")
    u.send("3")
    u.press("Нет")
    s = u.screen()
    assert "Курьер СДЭК: подъезд 1, этаж 3, домофон " in s.text and "Доставка: 400 ₽" in s.text, s.text
    u.press("✏️ Подъезд, этаж")
    u.send("4")
    u.send("7")
    u.send("12")
    assert "подъезд 4, этаж 7, домофон 12" in u.screen().text
    # address: DaData cannot clean a partial one and offers its suggestions
    u.press("✏️ Адрес")
    u.send("сухонская 11")
    s = u.screen()
    assert "Точного адреса «сухонская 11» не нашлось" in s.text and "г Москва, ул Сухонская, д 11" in s.button_texts
    u.press("г Москва, ул Сухонская, д 11")
    u.press("🏪 Пункт выдачи СДЭК — 250 ₽")
    u.press("1. ул. Петровка, 20")               # nearest to Sukhonskaya now
    assert "📍 г Москва, ул Сухонская, д 11\n" in u.screen().text
    # address: another city, new rates, new points
    u.press("✏️ Адрес")
    u.send("Новосибирск, Ленина 10")
    s = u.screen()
    assert "🏪 Пункт выдачи СДЭК — 350 ₽" in s.button_texts and "🚚 Курьер СДЭК — 600 ₽" in s.button_texts
    u.press("🏪 Пункт выдачи СДЭК — 350 ₽")
    labels = [t for t in u.screen().button_texts if t[0].isdigit()]
    assert labels == ["1. ул. Ленина, 12", "2. Красный пр-т, 50"], labels
    u.press("1. ул. Ленина, 12")
    s = u.screen()
    assert "г Новосибирск, ул Ленина, д 10" in s.text and "Доставка: 350 ₽" in s.text
    # comment
    u.press("✏️ Комментарий")
    u.send("Оставить у двери")
    s = u.screen()
    assert "💬 Оставить у двери" in s.text and "Итого: 650 ₽" in s.text
    u.press("✅ Подтвердить")
    row = k.orders()[-1]
    assert row[6] == "pickup" and row[7] == "ул. Ленина, 12" and json.loads(row[15])["point_code"] == "NSK1" and row[11] == "Вера Иванова" and row[2] == 65000


def pickup_points_for(tgsim, pid, name, typed):
    """A new customer's checkout up to the pickup points for the typed address."""
    u = tgsim.user(name)
    buy(u, pid, "1 шт — 200 ₽")
    to_checkout(u)
    contacts(u, name, "89170000000", None)
    u.send(typed)
    s = u.screen()
    pickup = [b for b in s.button_texts if b.startswith("🏪 Пункт выдачи СДЭК — ")]
    if pickup:                                     # a choice of delivery types first
        u.press(pickup[0])
    return u, u.screen()


@pytest.mark.features("F-CHK-03", "F-CHK-05")
def test_every_city_of_the_cdek_fake_has_addresses_and_real_distances(tgsim, walord, tmp_path, cdek, dadata,
                                                                       free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port)
    pid = k.shop.product("Мыло", variants=[("1 шт", 20000, 100)])
    u, s = pickup_points_for(tgsim, pid, "Гульнара", "Казань, ул. Баумана, 10")   # a city the CDEK fake serves
    labels = [t for t in s.button_texts if t[0].isdigit()]
    assert labels == ["1. ул. Баумана, 19", "2. ул. Пушкина, 5", "3. пр-т Победы, 91"], u.dump()
    dists = re.findall(r"📏 (\d+(?:[.,]\d+)?) (м|км)", s.text)
    assert len(dists) == 3, s.text                 # every point has its distance, none is empty
    assert dists[0][1] == "м" and 100 < int(dists[0][0]) < 300, dists   # ~190 m down Bauman street
    assert dists[2][1] == "км", dists
    u.press("1. ул. Баумана, 19")
    u.press("Без комментария")
    assert "г Казань, ул Баумана, д 10" in u.screen().text, u.dump()
    # a street no geocoder knows: DaData gives the city's centre, which is no place to measure from
    u, s = pickup_points_for(tgsim, pid, "Ильдар", "Казань, ул. Неведомая, 3")
    assert "Пункты выдачи СДЭК в вашем городе" in s.text and "ул. Баумана, 19" in s.text, u.dump()
    assert "📏" not in s.text, s.text              # no empty distance lines
    # the other cities the CDEK fake knows clean too, each to its own nearest pickup point
    for name, typed, point in (("Пётр", "Санкт-Петербург, Невский проспект 28", "Невский пр-т, 30"),
                               ("Ева", "Екатеринбург, Малышева 51", "ул. Малышева, 50"),
                               ("Олег", "Москва, ул. Арбат, 5", "ул. Арбат, 10")):
        u, s = pickup_points_for(tgsim, pid, name, typed)
        assert s.button_texts[0] == f"1. {point}" and re.search(r"📏 \d", s.text), u.dump()


@pytest.mark.features("F-CHK-01")
def test_restart_cancel_and_stale_buttons(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port)
    default_prices(cdek)
    pid = k.shop.product("Мыло", variants=[("1 шт", 20000, 100)])
    u = tgsim.user("Галя")
    buy(u, pid, "1 шт — 200 ₽")
    to_checkout(u)
    contacts(u, "Галя", "89160000000", None)
    assert "Адрес доставки" in u.screen().text
    k.w.restart()                                    # resumes where she was
    u.send("Москва, Тверская 1")
    s = u.screen()
    assert "Пункт выдачи СДЭК" in s.text or "🏪 Пункт выдачи СДЭК — 250 ₽" in s.button_texts, u.dump()
    pickup = s.button_data("🏪 Пункт выдачи СДЭК — 250 ₽")
    u.send("/cancel")
    assert k.cart(u.id) == [(pid, 1, 1)]             # the cart is intact
    u.press_data(pickup, force=True)                 # a button of the finished checkout
    assert "устарела" in (u.last_answer() or {}).get("text", "") or "устарела" in u.screen().text
    assert k.orders() == []
    # the cancel button says so and offers the cart
    to_checkout(u)
    u.press("✖️ Отмена")
    assert "Товары остались в корзине" in u.screen().text and k.cart(u.id) == [(pid, 1, 1)]
    # a second press of "Подтвердить" makes no second order
    to_checkout(u)
    contacts(u, "Галя", "89160000000", None)
    u.send("Москва, Тверская 1")
    u.press("🏪 Пункт выдачи СДЭК — 250 ₽")
    u.press("1. ул. Тверская, 3")
    u.press("Без комментария")
    ok = u.screen().button_data("✅ Подтвердить")
    u.press("✅ Подтвердить")
    u.press_data(ok, force=True)
    assert len(k.orders()) == 1
    # an empty cart cannot be checked out
    u.send("/cart")
    assert CHECKOUT_BTN not in u.screen().button_texts


@pytest.mark.features("F-CHK-02", "F-CHK-03", "F-CHK-09")
def test_dadata_down_accepts_as_typed(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port)
    default_prices(cdek)
    pid = k.shop.product("Масло", variants=[("10 мл", 40000, 50)])
    u = tgsim.user("Дина")
    buy(u, pid, "10 мл — 400 ₽")
    to_checkout(u)
    u.send("Дина")
    dadata.fault("/api/v1/clean/phone", status=0, delay_ms=2500)   # slower than dadata_timeout_ms
    u.send("+7 916 555-44-33", timeout=15)
    assert "Электронная почта" in u.screen().text
    dadata.fault("/api/v1/clean", status=403, count=-1)            # out of balance from now on
    dadata.fault("/suggestions", status=429, count=-1)
    u.send("dina@example.org")
    u.send("Москва, Тверская 1")
    assert any("не удалось проверить" in m.get("text", "") for m in u.bot_messages()[-3:]), u.dump()
    s = u.screen()
    # no coordinates, but the city written first is in CDEK's city list: the rates still come
    assert "🏪 Пункт выдачи СДЭК — 250 ₽" in s.button_texts, s
    assert cdek.requests("/v2/location/cities")[0]["query"]["city"] == "Москва"
    u.press("🏪 Пункт выдачи СДЭК — 250 ₽")
    s = u.screen()
    assert "Пункты выдачи СДЭК в вашем городе" in s.text and "1. ул. Арбат, 10" in s.button_texts   # no distances
    u.press("1. ул. Арбат, 10")
    u.press("Без комментария")
    s = u.screen()
    assert "адрес не проверен" in s.text and "Доставка: 250 ₽" in s.text
    u.press("✅ Подтвердить")
    row = k.orders()[-1]
    assert row[5] == 0 and row[4] == 0 and row[9] == "+7 916 555-44-33" and row[12] == "Москва, Тверская 1"
    assert row[7] == "ул. Арбат, 10" and json.loads(row[15])["point_code"] == "MSK5"
    # staff see it on the order card: the address without the "verified" mark
    owner = hk.owner(tgsim)
    owner.send("/start")
    owner.press_data(f"ord:o:{row[0]}", force=True)
    card = owner.screen().text
    assert "📍 Адрес: Москва, Тверская 1" in card and "Москва, Тверская 1 ✔️" not in card, card
    # an address without a known city: the manager prices the delivery
    buy(u, pid, "10 мл — 400 ₽")
    to_checkout(u)
    contacts(u, "Дина", "+7 916 555-44-33", None)
    u.send("Тверская 1, кв 5")
    s = u.screen()
    assert "🏪 Пункт выдачи СДЭК — менеджер рассчитает доставку вручную" in s.button_texts, s
    u.press("🏪 Пункт выдачи СДЭК — менеджер рассчитает доставку вручную")
    assert "Напишите адрес удобного пункта" in u.screen().text
    u.send("Тверская 3, СДЭК")
    u.press("Без комментария")
    s = u.screen()
    assert "адрес не проверен" in s.text and "менеджер рассчитает доставку вручную" in s.text
    u.press("✅ Подтвердить")
    row = k.orders()[-1]
    assert row[5] == 0 and row[4] == 1 and row[7] == "Тверская 3, СДЭК"


@pytest.mark.parametrize("how", ["503", "timeout"])
@pytest.mark.features("F-CHK-04", "F-CHK-09")
def test_cdek_down_manual_delivery(tgsim, walord, tmp_path, cdek, dadata, free_port, how):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    m = tgsim.user("Мария")                                        # a manager
    m.send("/start")
    k.w.db().execute("UPDATE wh_users SET role = 2 WHERE id = ?", (m.id,)).connection.commit()
    pid = k.shop.product("Духи", variants=[("50 мл", 300000, 400)])
    u = tgsim.user("Ева")
    buy(u, pid, "50 мл — 3 000 ₽")
    to_checkout(u)
    contacts(u, "Ева", "89165550000", None)
    if how == "503":
        cdek.fault("/v2/calculator", status=503, count=-1)
        cdek.fault("/v2/deliverypoints", status=502, count=-1)
    else:
        cdek.fault("/v2/calculator", status=0, delay_ms=3000, count=2)
    u.send("Москва, Тверская 1", timeout=20)
    s = u.screen()
    assert "менеджер рассчитает доставку вручную" in s.text
    assert "🚚 Курьер СДЭК — менеджер рассчитает доставку вручную" in s.button_texts
    u.press("🏪 Пункт выдачи СДЭК — менеджер рассчитает доставку вручную")
    if how == "503":                                               # no list either: the customer names one
        assert "Напишите адрес удобного пункта" in u.screen().text
        u.send("Тверская 3")
    else:
        u.press("1. ул. Тверская, 3")                              # the points still come
    u.press("Без комментария")
    assert "Итого: 3 000 ₽" in u.screen().text
    u.press("✅ Подтвердить")
    assert "рассчитает вручную" in u.screen().text
    row = k.orders()[-1]
    assert row[4] == 1 and row[3] == 0 and row[2] == 300000
    # the managers and owners are told once the order exists, and open it from the notice
    notice = m.expect(f"Доставка вручную: СДЭК не рассчитал доставку заказа №{row[0]} на 3 000 ₽")
    owner.expect(notice["text"])
    m.press("📋 Открыть заказ")
    assert f"№{row[0]}" in m.screen().text
    assert not any("Доставка вручную" in (x.get("text") or "") for x in u.bot_messages())


@pytest.mark.features("F-CHK-08")
def test_free_delivery_thresholds_at_the_edges(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port,
                 extra="free_msk_pickup = 3000\nfree_msk_courier = 5000\n"
                       "free_region_pickup_pct = 10\nfree_region_courier_pct = 5\n")
    default_prices(cdek)
    big = k.shop.product("Набор", variants=[("1 шт", 299900, 100)])
    rub = k.shop.product("Открытка", variants=[("1 шт", 100, 10)])
    u = tgsim.user("Жанна")
    buy(u, big, "1 шт — 2 999 ₽")
    to_checkout(u)
    contacts(u, "Жанна", "89160000001", None)
    u.send("Москва, Тверская 1")
    s = u.screen()                                   # 1 ₽ short of the Moscow pickup threshold
    assert "🏪 Пункт выдачи СДЭК — 250 ₽" in s.button_texts
    assert "До бесплатной доставки в пункт выдачи осталось 1 ₽" in s.text
    assert "До бесплатной доставки курьером осталось 2 001 ₽" in s.text
    u.press("✖️ Отмена")
    buy(u, rub, "1 шт — 1 ₽")                       # exactly 3 000 ₽
    to_checkout(u)
    u.press("✅ Жанна") if "✅ Жанна" in u.screen().button_texts else u.send("Жанна")
    u.send("89160000001") if "Номер телефона" in u.screen().text else None
    if "Электронная почта" in u.screen().text:
        u.press("Без почты")
    u.send("Москва, Тверская 1")
    s = u.screen()
    assert "🏪 Пункт выдачи СДЭК — бесплатно" in s.button_texts and "🚚 Курьер СДЭК — 400 ₽" in s.button_texts
    assert "пункт выдачи осталось" not in s.text
    # regions: 350 ₽ is free when it is at most 10 % of 3 000 ₽? No: from 3 500 ₽
    u.press("✖️ Отмена")
    to_checkout(u)
    u.send("Жанна")
    u.send("89160000001")
    u.press("Без почты")
    u.send("Новосибирск, Ленина 10")
    s = u.screen()
    assert "🏪 Пункт выдачи СДЭК — 350 ₽" in s.button_texts
    assert "До бесплатной доставки в пункт выдачи осталось 500 ₽" in s.text
    assert "До бесплатной доставки курьером осталось 9 000 ₽" in s.text
    u.press("🏪 Пункт выдачи СДЭК — 350 ₽")
    u.press("1. ул. Ленина, 12")
    u.press("Без комментария")
    s = u.screen()
    assert "Доставка: 350 ₽" in s.text and "До бесплатной доставки осталось 500 ₽" in s.text
    assert "Итого: 3 350 ₽" in s.text


def _clock(port, advance):
    import http.client
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    con.request("POST", "/_test/clock", body=json.dumps({"advance_s": advance}).encode(),
                headers={"Content-Type": "application/json"})
    r = con.getresponse()
    r.read()
    con.close()
    assert r.status == 200


@pytest.mark.features("F-CHK-01", "F-CHK-05")
def test_forged_buttons_expiry_and_vacation(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port)
    default_prices(cdek)
    pid = k.shop.product("Соль", variants=[("1 шт", 10000, 100)])
    u = tgsim.user("Зоя")
    buy(u, pid, "1 шт — 100 ₽")
    to_checkout(u)
    contacts(u, "Зоя", "89160000003", None)
    u.send("Москва, Тверская 1")
    conv = u.screen().button_data("🏪 Пункт выдачи СДЭК — 250 ₽").split(":", 1)[0]
    u.press_data(f"{conv}:d:boat", force=True)       # no such delivery type: the question again
    assert "Способ доставки" in u.screen().text
    u.press("🏪 Пункт выдачи СДЭК — 250 ₽")
    u.press_data(f"{conv}:p:99", force=True)         # no such pickup point
    u.press_data(f"{conv}:p:-1", force=True)
    s = u.screen()
    assert "Ближайшие пункты выдачи" in s.text and "1. ул. Тверская, 3" in s.button_texts
    u.press("1. ул. Тверская, 3")
    u.press("Без комментария")
    u.press_data(f"{conv}:e:x:7", force=True)        # an extension step that does not exist
    assert "Проверьте заказ" in u.screen().text
    u.press_data("chk:whatever", force=True)          # the start button with junk restarts, harmlessly
    assert "Как вас зовут" in u.screen().text
    assert k.orders() == []
    # 6 hours of silence: the checkout expires, the cart stays
    _clock(k.port, 6 * 3600 + 60)
    u.send("Зоя")
    u.expect("Время на ответ истекло")
    assert k.cart(u.id) == [(pid, 1, 1)] and k.orders() == []
    # vacation mode: no checkout
    k.con.execute("INSERT INTO wh_settings(key, value, updated_by, updated_at) VALUES ('shop.open', 'no', NULL, 0) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
    k.con.commit()
    u.send("/cart")
    u.press(CHECKOUT_BTN)
    assert "не принимает заказы" in u.last_answer()["text"]
