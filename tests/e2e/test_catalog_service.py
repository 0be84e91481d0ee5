"""catalog plugin, what other plugins see (plugins/catalog/service.c): the
`catalog` service 1.0 read through the test consumer tests/plugins/catprobe
(its commands reply with exactly what item()/items() returned), and the
events catalog.product_changed / catalog.product_deleted it records; the
deletion of a product followed everywhere (variants, cart lines,
back-in-stock subscriptions)."""

from __future__ import annotations

import re

import pytest

import hostkit as hk
from test_catalog_browse import Shop

ENOTFOUND = "item rc=-5"


def start(walord, tmp_path, stock=False):
    plugins = ["catalog", "catprobe"] + (["fakestock"] if stock else [])
    w = hk.start(walord, tmp_path, plugins=plugins)
    return w, Shop(w)


def ask(u, cmd):
    u.send(cmd)
    return u.screen().text


def item_lines(text):
    """'p<pid>.<vno>' of every item line of a /catprobe_items answer."""
    return re.findall(r"^(p\d+\.\d+) ", text, re.M)


def head(text):
    return text.splitlines()[0]


class Tree:
    """root: Чай (p), Скрытый (hidden p); c1 Парфюмерия: Роза (2 variants, −10 %),
    Ёжик; c1/c3 Женские: Лилия; c2 Уход: Крем; c4 Архив (hidden): Старый."""

    def __init__(self, shop):
        self.c1 = shop.cat("Парфюмерия", sort=1)
        self.c2 = shop.cat("Уход", sort=2)
        self.c4 = shop.cat("Архив", sort=3, hidden=1)
        self.c3 = shop.cat("Женские", parent=self.c1, sort=1)
        self.tea = shop.product("Чай", price=45050, sort=1)
        self.hid = shop.product("Скрытый", price=100, sort=5, hidden=1)
        self.rose = shop.product("Роза", cat=self.c1, variants=[("50 мл", 100000, 300), ("100 мл", 180000, 550)],
                                 discount=10, low=3, sort=1)
        self.hog = shop.product("Ёжик", cat=self.c1, price=20000, sort=2)
        self.lily = shop.product("Лилия", cat=self.c3, price=30000)
        self.cream = shop.product("Крем", cat=self.c2, price=40000)
        self.old = shop.product("Старый", cat=self.c4, price=50000)


@pytest.mark.features("F-CAT-02", "F-CAT-03")
def test_service_item(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    t = Tree(shop)
    u = tgsim.user("Анна")
    u.send("/start")

    assert ask(u, "/catprobe_item 999999 0") == ENOTFOUND            # unknown product
    assert ask(u, f"/catprobe_item {t.rose} 0") == ENOTFOUND         # variant 0 of a product with variants
    assert ask(u, f"/catprobe_item {t.rose} 3") == ENOTFOUND         # a variant it does not have
    assert ask(u, f"/catprobe_item {t.tea} 1") == ENOTFOUND          # a variant of a product without any
    assert ask(u, f"/catprobe_item {t.rose} -1") == ENOTFOUND

    assert ask(u, f"/catprobe_item {t.rose} 2") == (
        f"item p{t.rose}.2 name=«Роза» variant=«100 мл» cat={t.c1} «Парфюмерия» base=180000 unit=162000 "
        "weight=550 disc=10 low=3 hidden=0")
    assert ask(u, f"/catprobe_item {t.tea} 0") == (
        f"item p{t.tea}.0 name=«Чай» variant=«» cat=0 «» base=45050 unit=45050 weight=0 disc=0 low=0 hidden=0")
    # hidden items are found, flagged: the product itself, or a category above it
    assert ask(u, f"/catprobe_item {t.hid} 0").endswith("hidden=1")
    assert ask(u, f"/catprobe_item {t.old} 0").endswith("hidden=1")
    assert ask(u, f"/catprobe_item {t.lily} 0").endswith("hidden=0")
    # names reach the consumer raw (it escapes them itself)
    odd = shop.product("<b>Тег</b> & «кавычки»", price=100)
    assert "name=«<b>Тег</b> & «кавычки»»" in ask(u, f"/catprobe_item {odd} 0")
    assert "name=«&lt;b&gt;Тег&lt;/b&gt; &amp; «кавычки»»" in u.screen().html

    # a deleted product is unknown
    shop.con.execute("DELETE FROM catalog_product WHERE id = ?", (t.cream,))
    shop.con.commit()
    assert ask(u, f"/catprobe_item {t.cream} 0") == ENOTFOUND


@pytest.mark.features("F-CAT-02", "F-CAT-03", "F-CAT-08")
def test_service_items_order_paging_and_queries(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    t = Tree(shop)
    u = tgsim.user("Анна")
    u.send("/start")

    # catalog order: the root's products, then the tree depth-first (a
    # category's products before its subcategories'), variants by number
    visible = [f"p{t.tea}.0", f"p{t.rose}.1", f"p{t.rose}.2", f"p{t.hog}.0", f"p{t.lily}.0", f"p{t.cream}.0"]
    text = ask(u, "/catprobe_items 0 0 0")
    assert head(text) == "items n=6 total=6 null=0"
    assert item_lines(text) == visible
    assert f"p{t.rose}.1 name=«Роза» variant=«50 мл» cat={t.c1} «Парфюмерия» base=100000 unit=90000 weight=300" \
        in text

    # staff flag: hidden ones too, flagged, in their places
    text = ask(u, "/catprobe_items 1 0 0")
    assert head(text) == "items n=8 total=8 null=0"
    assert item_lines(text) == [f"p{t.tea}.0", f"p{t.hid}.0"] + visible[1:] + [f"p{t.old}.0"]
    hidden = [ln.split()[0] for ln in text.splitlines()[1:] if ln.endswith("hidden=1")]
    assert hidden == [f"p{t.hid}.0", f"p{t.old}.0"]

    # paging: total stays the full count
    text = ask(u, "/catprobe_items 0 1 2")
    assert head(text) == "items n=2 total=6 null=0"
    assert item_lines(text) == visible[1:3]
    text = ask(u, "/catprobe_items 0 5 10")
    assert head(text) == "items n=1 total=6 null=0" and item_lines(text) == visible[5:]
    assert ask(u, "/catprobe_items 0 6 10") == "items n=0 total=6 null=1"
    assert ask(u, "/catprobe_items 0 4000000000 1") == "items n=0 total=6 null=1"

    # Cyrillic, case-insensitive, ё = е
    text = ask(u, "/catprobe_items 0 0 0 РОЗ")
    assert head(text) == "items n=2 total=2 null=0" and item_lines(text) == visible[1:3]
    assert item_lines(ask(u, "/catprobe_items 0 0 0 ежик")) == [f"p{t.hog}.0"]
    assert item_lines(ask(u, "/catprobe_items 0 0 0 ЁЖ")) == [f"p{t.hog}.0"]
    assert ask(u, "/catprobe_items 0 0 0 старый") == "items n=0 total=0 null=1"   # only in a hidden category
    assert item_lines(ask(u, "/catprobe_items 1 0 0 старый")) == [f"p{t.old}.0"]
    # LIKE wildcards are plain characters
    assert ask(u, "/catprobe_items 0 0 0 %") == "items n=0 total=0 null=1"
    assert ask(u, "/catprobe_items 0 0 0 _") == "items n=0 total=0 null=1"

    # a number is a product ID too (or a part of a name)
    assert item_lines(ask(u, f"/catprobe_items 0 0 0 {t.lily}")) == [f"p{t.lily}.0"]
    assert item_lines(ask(u, f"/catprobe_items 0 0 0 {t.rose}")) == visible[1:3]
    assert ask(u, f"/catprobe_items 0 0 0 {t.hid}") == "items n=0 total=0 null=1"
    num = shop.product("Набор 777", price=100)
    text = ask(u, f"/catprobe_items 0 0 0 777")
    assert f"p{num}.0" in item_lines(text)


@pytest.mark.features("F-CAT-02")
def test_product_events_on_edit_and_delete(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    con = shop.con
    cat = shop.cat("Чай")
    pid = shop.product("Пуэр", cat=cat, price=150000)
    other = shop.product("Улун", cat=cat, price=90000)
    boss = hk.owner(tgsim)
    boss.send("/start")

    def events():
        return con.execute("SELECT event, product_id, v FROM catprobe_event ORDER BY seq").fetchall()

    boss.press_data(f"cadm:p:{pid}", force=True)
    boss.press("🔥 Скидка %")
    boss.send("15")
    boss.expect("Сохранено")
    hk.wait_until(lambda: events() == [("catalog.product_changed", pid, 1)], what="product_changed")
    boss.press("💰 Цена / фасовки")
    boss.send("50 г:500:50, 100 г:900:100")
    boss.expect("Сохранено")
    boss.press("🙈 Скрыть")
    hk.wait_until(lambda: len(events()) == 3, what="two more product_changed")
    assert events() == [("catalog.product_changed", pid, 1)] * 3

    # an edit refused for bad input changes nothing and says nothing
    boss.press("🔥 Скидка %")
    boss.send("150")
    boss.expect("Скидка — целое число от 0 до 99")
    boss.press("✖️ Отмена")

    boss.press("🗑 Удалить")
    boss.press("🗑 Да, удалить")
    hk.wait_until(lambda: len(events()) == 4, what="product_deleted")
    assert events()[3] == ("catalog.product_deleted", pid, 1)
    assert hk.scalar(con, "SELECT count(*) FROM catalog_product WHERE id = ?", pid) == 0
    assert hk.scalar(con, "SELECT count(*) FROM catalog_product WHERE id = ?", other) == 1
    # the event is in the outbox of the transaction that deleted it, under the product's aggregate
    assert hk.scalar(con, "SELECT count(*) FROM wh_events WHERE event = 'catalog.product_deleted' "
                          "AND aggregate = ?", f"product:{pid}") == 1


@pytest.mark.features("F-CAT-02", "F-CAT-06", "F-CAT-09")
def test_deleted_product_leaves_carts_and_subscriptions(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path, stock=True)
    con = shop.con
    cat = shop.cat("Парфюмерия")
    gone = shop.product("Роза", cat=cat, variants=[("5 мл", 60000, 50), ("50 мл", 350000, 300)])
    stays = shop.product("Лилия", cat=cat, price=120000)
    gone2 = shop.product("Ирис", cat=cat, price=80000)
    boss = hk.owner(tgsim)
    boss.send("/start")
    boss.send(f"/fakestock_set {gone2} 0 0")
    anna, boris = tgsim.user("Анна"), tgsim.user("Борис")
    for u in (anna, boris):
        u.send(f"/start p{gone}")
        u.press("5 мл — 600 ₽")
        u.send(f"/start p{stays}")
        u.press("🛒 Купить — 1 200 ₽")
        u.send(f"/start p{gone2}")
        u.press("🔔 Сообщить о поступлении")
    assert hk.scalar(con, "SELECT count(*) FROM catalog_cart") == 4
    assert hk.scalar(con, "SELECT count(*) FROM catalog_subscription") == 2
    cart_events = hk.scalar(con, "SELECT count(*) FROM wh_events WHERE event = 'cart.changed'")

    # the owner deletes Роза from its card
    boss.press_data(f"cadm:p:{gone}", force=True)
    boss.press("🗑 Удалить")
    boss.press("🗑 Да, удалить")
    assert con.execute("SELECT user_id, product_id FROM catalog_cart ORDER BY user_id").fetchall() == \
        [(anna.id, stays), (boris.id, stays)]
    assert hk.scalar(con, "SELECT count(*) FROM catalog_variant WHERE product_id = ?", gone) == 0
    # each customer's cart changed: one cart.changed each, in the same transaction
    assert hk.scalar(con, "SELECT count(*) FROM wh_events WHERE event = 'cart.changed'") == cart_events + 2
    # the cart shows the rest, the card is gone
    anna.send("/cart")
    s = anna.screen()
    assert "Лилия" in s.text and "Роза" not in s.text
    anna.send(f"/start p{gone}")
    anna.expect("Товар не найден или недоступен.")

    # deleting a category with its products drops their subscriptions too, one event per product
    boss.press_data(f"cadm:t:{cat}:0", force=True)
    boss.press("🗑 Удалить")
    boss.press("🗑 Удалить вместе с товарами")
    assert hk.scalar(con, "SELECT count(*) FROM catalog_cart") == 0
    assert hk.scalar(con, "SELECT count(*) FROM catalog_subscription") == 0
    hk.wait_until(lambda: sorted(r[0] for r in con.execute(
        "SELECT product_id FROM catprobe_event WHERE event = 'catalog.product_deleted'")) == sorted([gone, stays, gone2]),
        what="three product_deleted events")
