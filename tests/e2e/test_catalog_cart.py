"""catalog plugin, the cart (plugins/catalog/cart.c): adding from the card,
the dynamic main-menu label, ➖/➕, the typed quantity, stock limits through
the fake stock provider (tests/plugins/fakestock) and pre-order mode,
vacation mode, clear with confirmation, checkout without a checkout plugin,
forged adds of hidden products, totals with discounts, cross-sell, the
cart.changed event."""

from __future__ import annotations

import json

import pytest

import hostkit as hk
from test_catalog_browse import Shop

CART = "🛒 Корзина"
ADDED = "✅ Добавлено в корзину"
NOT_FOUND = "Товар не найден или недоступен."


def start(walord, tmp_path, stock=False):
    plugins = ["catalog"] + (["fakestock"] if stock else [])
    w = hk.start(walord, tmp_path, plugins=plugins)
    return w, Shop(w)


def set_setting(w, key, value):
    con = w.db()
    con.execute("INSERT INTO wh_settings(key, value, updated_by, updated_at) VALUES (?, ?, NULL, 0) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
    con.commit()


def cart_rows(w, uid):
    return w.db().execute("SELECT product_id, variant_no, qty FROM catalog_cart WHERE user_id = ? "
                          "ORDER BY product_id, variant_no", (uid,)).fetchall()


def open_cart(u):
    u.send("/cart")
    return u.screen()


def data_of(screen, prefix):
    return [d for row in screen.buttons for _, d in row if d and d.startswith(prefix)]


@pytest.mark.features("F-CAT-09")
def test_add_from_card_and_menu_label(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    pid = shop.product("Роза", variants=[("5 мл", 60000, 50), ("50 мл", 350000, 300)])
    u = tgsim.user("Анна")
    u.send("/start")
    assert CART in u.screen().button_texts          # empty: the plain label
    u.press(CART)
    s = u.screen()
    assert "пуста" in s.text and "🛍 В каталог" in s.button_texts
    u.send(f"/start p{pid}")
    card = u.screen()
    assert not any(b.startswith(CART) for b in card.button_texts)     # nothing in the cart yet
    u.press("5 мл — 600 ₽")
    ans = u.last_answer()
    assert ans["text"] == ADDED and not ans.get("show_alert")
    # the card now leads to the cart, drawn over itself
    hk.wait_until(lambda: f"{CART} (1)" in u.screen().button_texts, what="the cart button on the card")
    assert u.screen().message_id == card.message_id and "Роза" in u.screen().text
    u.press("5 мл — 600 ₽")
    u.press("50 мл — 3 500 ₽")
    assert cart_rows(w, u.id) == [(pid, 1, 2), (pid, 2, 1)]
    hk.wait_until(lambda: f"{CART} (3)" in u.screen().button_texts, what="the count on the card")
    u.press(f"{CART} (3)")
    assert "Итого: 4 700 ₽" in u.screen().text
    u.send(f"/start p{pid}")
    u.press("🏠 Главное меню")
    s = u.screen()
    assert f"{CART} (3)" in s.button_texts, s
    mid = s.message_id
    u.press(f"{CART} (3)")
    s = u.screen()
    assert s.message_id == mid                      # edits the menu in place
    assert "1. <b>Роза, 5 мл</b>" in s.html and "600 ₽ × 2 шт = <b>1 200 ₽</b>" in s.html, s.html
    assert "2. <b>Роза, 50 мл</b>" in s.html and "3 500 ₽ × 1 шт = <b>3 500 ₽</b>" in s.html
    assert "Итого: 4 700 ₽" in s.text
    assert "2 шт" in s.button_texts and "1 шт" in s.button_texts
    # the name opens the card
    u.press("1. Роза, 5 мл")
    assert "Роза" in u.screen().text and "5 мл — 600 ₽" in u.screen().button_texts
    # the event
    evs = [json.loads(r[0]) for r in w.db().execute(
        "SELECT payload FROM wh_events WHERE event = 'cart.changed' ORDER BY id")]
    assert len(evs) == 3
    assert evs[-1]["v"] == 1 and evs[-1]["user_id"] == u.id and evs[-1]["lines"] == 2 and evs[-1]["qty"] == 3


@pytest.mark.features("F-CAT-09")
def test_plus_minus_and_remove(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    pid = shop.product("Свеча", price=49000)
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    u.press("🛒 Купить — 490 ₽")
    s = open_cart(u)
    mid = s.message_id
    u.press_data(f"cart:i:{pid}:0")
    s = u.screen()
    assert s.message_id == mid and "2 шт" in s.button_texts and "Итого: 980 ₽" in s.text
    u.press_data(f"cart:i:{pid}:0")
    assert "Итого: 1 470 ₽" in u.screen().text
    u.press_data(f"cart:d:{pid}:0")
    assert "2 шт" in u.screen().button_texts
    u.press_data(f"cart:d:{pid}:0")
    u.press_data(f"cart:d:{pid}:0")                 # 1 → 0 removes the line
    assert "пуста" in u.screen().text
    assert cart_rows(w, u.id) == []
    # a ➖ of an old screen does nothing harmful
    u.press_data(f"cart:d:{pid}:0", force=True)
    assert "уже нет в корзине" in u.last_answer()["text"]
    assert cart_rows(w, u.id) == []


@pytest.mark.features("F-CAT-09")
def test_typed_quantity(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    pid = shop.product("Чай", variants=[("100 г", 30000, 100)])
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    u.press("100 г — 300 ₽")
    open_cart(u)
    u.press("1 шт")
    assert "Сколько штук «Чай, 100 г»" in u.screen().text
    u.send("много")
    s = u.screen()
    assert "Нужно целое число" in s.text and "✖️ Отмена" in s.button_texts
    u.send("-3")
    assert "Нужно целое число" in u.screen().text
    u.send("5000")
    assert "не больше 999" in u.screen().text
    u.send(" 7 ")
    s = u.screen()
    assert "7 шт" in s.button_texts and "Итого: 2 100 ₽" in s.text
    assert cart_rows(w, u.id) == [(pid, 1, 7)]
    # cancel keeps the quantity
    u.press("7 шт")
    u.press("✖️ Отмена")
    assert "7 шт" in u.screen().button_texts
    # 0 removes
    u.press("7 шт")
    u.send("0")
    assert "пуста" in u.screen().text
    assert cart_rows(w, u.id) == []


@pytest.mark.features("F-CAT-09")
def test_stock_limit_and_preorder(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path, stock=True)
    pid = shop.product("Редкий", variants=[("50 мл", 100000, 300)])
    out = shop.product("Закончился", variants=[("50 мл", 100000, 300)])
    owner = hk.owner(tgsim)
    owner.send("/start")
    owner.send(f"/fakestock_set {pid} 1 2")
    owner.send(f"/fakestock_set {out} 1 0")
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    u.press("50 мл — 1 000 ₽")
    u.press("50 мл — 1 000 ₽")
    assert u.last_answer()["text"] == ADDED
    u.press("50 мл — 1 000 ₽")                      # a third: only 2 in stock
    ans = u.last_answer()
    assert "в наличии только 2 шт" in ans["text"] and ans.get("show_alert") is True
    assert cart_rows(w, u.id) == [(pid, 1, 2)]
    open_cart(u)
    u.press_data(f"cart:i:{pid}:1")
    assert "в наличии только 2 шт" in u.last_answer()["text"]
    assert "2 шт" in u.screen().button_texts
    u.press("2 шт")
    u.send("5")
    assert "в наличии только 2 шт" in u.screen().text   # stays in the conversation
    u.send("1")
    assert "1 шт" in u.screen().button_texts
    # out of stock: a forged variant press is refused
    u.press_data(f"cat:v:{out}:1", force=True)
    assert "нет в наличии" in u.last_answer()["text"]
    # pre-order: zero stock and more than the stock are fine
    set_setting(w, "shop.preorder", "1")
    u.press_data(f"cat:v:{out}:1", force=True)
    assert u.last_answer()["text"] == ADDED
    open_cart(u)
    u.press("1 шт")  # the first line: Редкий
    u.send("5")
    assert cart_rows(w, u.id) == [(pid, 1, 5), (out, 1, 1)]


@pytest.mark.features("F-CAT-09")
def test_vacation_blocks_adding(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    pid = shop.product("Свеча", price=49000)
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    u.press("🛒 Купить — 490 ₽")
    u.press("🛒 Купить — 490 ₽")
    set_setting(w, "shop.open", "0")
    u.press("🛒 Купить — 490 ₽")
    ans = u.last_answer()
    assert "каникулах" in ans["text"] and ans.get("show_alert") is True
    s = open_cart(u)
    assert "каникулах" in s.text
    u.press_data(f"cart:i:{pid}:0")
    assert "каникулах" in u.last_answer()["text"]
    assert cart_rows(w, u.id) == [(pid, 0, 2)]
    u.press("2 шт")
    u.send("5")
    assert "каникулах" in u.expect("каникулах")["text"]
    assert cart_rows(w, u.id) == [(pid, 0, 2)]
    # decreasing is still fine
    open_cart(u)
    u.press_data(f"cart:d:{pid}:0")
    assert cart_rows(w, u.id) == [(pid, 0, 1)]
    set_setting(w, "shop.open", "1")
    u.press_data(f"cart:i:{pid}:0")
    assert cart_rows(w, u.id) == [(pid, 0, 2)]


@pytest.mark.features("F-CAT-10")
def test_clear_with_confirmation(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    a = shop.product("Свеча", price=49000)
    b = shop.product("Мыло", price=20000)
    u = tgsim.user("Анна")
    for pid, btn in ((a, "🛒 Купить — 490 ₽"), (b, "🛒 Купить — 200 ₽")):
        u.send(f"/start p{pid}")
        u.press(btn)
    s = open_cart(u)
    mid = s.message_id
    u.press("🗑 Очистить")
    s = u.screen()
    assert s.message_id == mid and "Очистить корзину?" in s.text and "(2 позиции)" in s.text
    u.press("↩️ Нет, назад")
    assert "Итого: 690 ₽" in u.screen().text
    assert len(cart_rows(w, u.id)) == 2
    u.press("🗑 Очистить")
    u.press("🗑 Да, очистить")
    assert "пуста" in u.screen().text and u.last_answer()["text"] == "Корзина очищена."
    assert cart_rows(w, u.id) == []
    u.send("/start")
    assert CART in u.screen().button_texts


@pytest.mark.features("F-CAT-10")
def test_checkout_without_checkout_plugin(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    pid = shop.product("Свеча", price=49000)
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    u.press("🛒 Купить — 490 ₽")
    open_cart(u)
    u.press("✅ Оформить заказ")
    ans = u.last_answer()
    assert ans["text"] == "Оформление заказа пока не подключено." and ans.get("show_alert") is True
    assert cart_rows(w, u.id) == [(pid, 0, 1)]


@pytest.mark.features("F-CAT-09")
def test_hidden_products_cannot_be_added(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    hid_cat = shop.cat("Секрет", hidden=1)
    hp = shop.product("Скрытый", hidden=1, variants=[("1 шт", 10000, 1)])
    inner = shop.product("В скрытом разделе", cat=hid_cat, price=10000)
    vis = shop.product("Видимый", variants=[("1 шт", 10000, 1)])
    u = tgsim.user("Анна")
    u.send("/start")
    for data in (f"cat:v:{hp}:1", f"cat:v:{inner}:0", f"cat:v:{vis}:7", f"cat:v:{vis}:0", "cat:v:999999:0",
                 f"cart:i:{hp}:1", f"cart:i:{inner}:0"):
        u.press_data(data, force=True)
        assert cart_rows(w, u.id) == [], data
    u.press_data(f"cat:v:{hp}:1", force=True)
    assert u.last_answer()["text"] == NOT_FOUND
    # hidden after it was added: left out of the screen and the label, back when shown again
    u.send(f"/start p{vis}")
    u.press("1 шт — 100 ₽")
    con = w.db()
    con.execute("UPDATE catalog_product SET hidden = 1 WHERE id = ?", (vis,))
    con.commit()
    assert "пуста" in open_cart(u).text
    u.send("/start")
    assert CART in u.screen().button_texts
    con.execute("UPDATE catalog_product SET hidden = 0 WHERE id = ?", (vis,))
    con.commit()
    assert "Видимый" in open_cart(u).text


@pytest.mark.features("F-CAT-09", "F-CAT-10")
def test_totals_with_discount_and_crosssell(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    cat = shop.cat("Ароматы")
    rose = shop.product("Роза", cat=cat, discount=20, variants=[("5 мл", 60000, 50), ("50 мл", 350000, 300)])
    odd = shop.product("Копейки", cat=cat, discount=15, price=999)   # 849,15 → 849 kopecks
    for i in range(4):
        shop.product(f"Другой {i}", cat=cat, sort=i + 1)
    shop.product("Скрытый сосед", cat=cat, hidden=1, sort=0)
    u = tgsim.user("Анна")
    u.send(f"/start p{rose}")
    u.press("5 мл — 480 ₽")
    u.press("5 мл — 480 ₽")
    u.press("50 мл — 2 800 ₽")
    u.send(f"/start p{odd}")
    u.press("🛒 Купить — 8,49 ₽")
    s = open_cart(u)
    assert "<s>600 ₽</s> 480 ₽ (−20%) × 2 шт = <b>960 ₽</b>" in s.html, s.html
    assert "2 800 ₽ (−20%) × 1 шт = <b>2 800 ₽</b>" in s.html
    # 960 + 2800 + 8,49
    assert "Итого: 3 768,49 ₽" in s.text
    xs = [t for t in s.button_texts if t.startswith("✨ ")]
    assert xs == ["✨ Другой 0", "✨ Другой 1", "✨ Другой 2"], s.button_texts
    u.press("✨ Другой 1")
    assert "Другой 1" in u.screen().text
    # the service's view, as checkout will see it, is what the screen shows
    con = w.db()
    assert hk.scalar(con, "SELECT sum(qty) FROM catalog_cart WHERE user_id = ?", u.id) == 4


def start_with_probe(walord, tmp_path, cart_ext="yes", checkout="yes"):
    extra = f"[plugin.catprobe]\ncart_ext = {cart_ext}\ncheckout = {checkout}\n"
    w = hk.start(walord, tmp_path, plugins=["catalog", "catprobe"], extra_ini=extra)
    return w, Shop(w)


@pytest.mark.features("F-CAT-10")
def test_cart_extension_and_checkout_services(tgsim, walord, tmp_path):
    """The hooks loyalty and checkout will use, through tests/plugins/catprobe:
    cart_ext adds a line, a button and an amount; checkout's button goes to
    the checkout plugin, which reads the order with the cart service."""
    w, shop = start_with_probe(walord, tmp_path)
    rose = shop.product("Роза", discount=20, variants=[("5 мл", 60000, 50), ("50 мл", 350000, 300)])
    tea = shop.product("Чай <зелёный>", price=45050)
    u = tgsim.user("Анна")
    u.send(f"/start p{rose}")
    u.press("5 мл — 480 ₽")
    u.press("5 мл — 480 ₽")
    u.send(f"/start p{tea}")
    u.press("🛒 Купить — 450,50 ₽")
    s = open_cart(u)
    # 2 × 480 + 450,50 = 1 410,50; the extension takes 10 %: 141,05
    assert "🎟 Промокод <b>ПРОБА</b> (2 поз.): −141,05 ₽" in s.html, s.html
    assert "Итого: 1 269,45 ₽" in s.text
    assert "🎟 Ввести промокод" in s.button_texts
    u.press("🎟 Ввести промокод")
    assert u.screen().text == "catprobe: промокод"
    u.press("🛒 Назад в корзину")
    assert "Итого: 1 269,45 ₽" in u.screen().text

    assert data_of(u.screen(), "catprobe:checkout")
    u.press("✅ Оформить заказ")
    t = u.screen().text
    assert t.splitlines()[0] == "order n=2", t
    assert f"p{rose}.1 «Роза» «5 мл» 48000×2 base=60000" in t
    assert f"p{tea}.0 «Чай <зелёный>» «» 45050×1 base=45050" in t
    assert t.endswith("cleared rc=0")
    assert cart_rows(w, u.id) == []


@pytest.mark.features("F-CAT-10")
def test_failing_cart_extension_leaves_the_cart_usable(tgsim, walord, tmp_path):
    w, shop = start_with_probe(walord, tmp_path, cart_ext="fail", checkout="no")
    pid = shop.product("Пуэр", price=150000)
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    u.press("🛒 Купить — 1 500 ₽")
    s = open_cart(u)
    assert "Итого: 1 500 ₽" in s.text and "Промокод" not in s.text
    assert "🎟 Ввести промокод" not in s.button_texts
    assert "catalog: cart extension failed" in w.log()
    u.press("✅ Оформить заказ")
    assert "не подключено" in u.last_answer()["text"]


@pytest.mark.features("F-CAT-09", "F-CAT-05", "F-CAT-11")
def test_photo_card_keeps_its_photo_and_gains_the_cart_button(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    u = tgsim.user("Анна")
    u.send_photo(caption="для каталога")
    mine = [m for m in u.messages() if m["from"] != "bot" and m.get("photo")]
    file_id = mine[-1]["photo"][-1]["file_id"]
    pid = shop.product("Фото", photo=file_id, variants=[("1 шт", 10000, 1)])
    u.send(f"/start p{pid}")
    card = u.screen()
    assert card.photo and "Фото" in card.text
    u.press("1 шт — 100 ₽")
    # the same photo message: its caption and keyboard were edited, no text copy was sent
    hk.wait_until(lambda: f"{CART} (1)" in u.screen().button_texts, what="the cart button on the photo card")
    s = u.screen()
    assert s.message_id == card.message_id and s.photo and "Фото" in s.text
