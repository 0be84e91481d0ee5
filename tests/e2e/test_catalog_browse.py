"""catalog plugin, customer side (plugins/catalog): browsing the tree with
pagination, hidden things, the product card with stock through a fake
`stock` provider (tests/plugins/fakestock), back-in-stock pushes, search and
the p<ID> deep link."""

from __future__ import annotations

import pytest

import hostkit as hk

CATALOG_BTN = "🛍 Каталог"
NOT_FOUND = "Товар не найден или недоступен."
CAT_NOT_FOUND = "Этот раздел недоступен."


def fold(s: str) -> str:
    return s.lower().replace("ё", "е")


class Shop:
    """Writes catalog rows straight into walord's database."""

    def __init__(self, w):
        self.w = w
        self.con = w.db()

    def cat(self, name, parent=0, hidden=0, sort=0):
        cur = self.con.execute(
            "INSERT INTO catalog_category(parent_id, name, name_lc, hidden, sort) VALUES (?,?,?,?,?)",
            (parent, name, fold(name), hidden, sort))
        self.con.commit()
        return cur.lastrowid

    def product(self, name, cat=0, price=100000, variants=(), hidden=0, discount=0, low=0,
                description="", details="", image_url=None, photo=None, sort=0):
        cur = self.con.execute(
            "INSERT INTO catalog_product(category_id, name, name_lc, description, details, price, hidden,"
            " discount_pct, low_stock, image_url, photo_file_id, sort) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (cat, name, fold(name), description, details, price, hidden, discount, low, image_url, photo, sort))
        pid = cur.lastrowid
        for no, (label, kop, grams) in enumerate(variants, 1):
            self.con.execute("INSERT INTO catalog_variant(product_id, no, label, price, weight_g, sort)"
                             " VALUES (?,?,?,?,?,?)", (pid, no, label, kop, grams, no))
        self.con.commit()
        return pid


def start(walord, tmp_path, page_size=None, stock=False, demo=False):
    plugins = ["catalog"] + (["fakestock"] if stock else [])
    extra = ""
    if page_size is not None or demo:
        extra = "[plugin.catalog]\n"
        if page_size is not None:
            extra += f"page_size = {page_size}\n"
        if demo:
            extra += "demo = yes\n"
    w = hk.start(walord, tmp_path, plugins=plugins, extra_ini=extra)
    return w, Shop(w)


def open_catalog(u):
    u.send("/start")
    u.press(CATALOG_BTN)
    return u.screen()


def item_buttons(screen):
    nav = {"◀️ Назад", "Вперёд ▶️", "⬆️ Наверх", "🗂 В начало каталога", "🏠 Главное меню", "🔎 Поиск"}
    return [t for t in screen.button_texts if t not in nav]


@pytest.mark.features("F-CAT-04")
def test_nested_folders_and_navigation(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    perf = shop.cat("Парфюмерия", sort=1)
    women = shop.cat("Женские", parent=perf)
    shop.cat("Чай", sort=2)
    shop.product("Роза", cat=women, variants=[("50 мл", 100000, 300)])
    shop.product("Распродажа", cat=perf, discount=20)
    u = tgsim.user("Анна")
    s = open_catalog(u)
    assert "Каталог" in s.text
    assert item_buttons(s) == ["📁 Парфюмерия", "📁 Чай"]
    mid = s.message_id
    u.press("📁 Парфюмерия")
    s = u.screen()
    assert s.message_id == mid and "Парфюмерия" in s.text  # edited in place
    assert item_buttons(s) == ["📁 Женские", "🔥 Распродажа (−20%)"]
    assert "🗂 В начало каталога" not in s.button_texts  # the parent is the root
    u.press("📁 Женские")
    s = u.screen()
    assert s.message_id == mid and item_buttons(s) == ["Роза"]
    assert "⬆️ Наверх" in s.button_texts and "🗂 В начало каталога" in s.button_texts
    u.press("⬆️ Наверх")
    assert "Парфюмерия" in u.screen().text
    u.press("📁 Женские")
    u.press("🗂 В начало каталога")
    assert item_buttons(u.screen()) == ["📁 Парфюмерия", "📁 Чай"]
    u.press("🏠 Главное меню")
    assert hk.MENU_TEXT in u.screen().text


@pytest.mark.features("F-CAT-04")
@pytest.mark.parametrize("n,pages", [(1, 1), (3, 1), (4, 2), (7, 3)])
def test_pagination_edges(tgsim, walord, tmp_path, n, pages):
    w, shop = start(walord, tmp_path, page_size=3)
    cat = shop.cat("Раздел")
    for i in range(n):
        shop.product(f"Товар {i + 1:02d}", cat=cat, sort=i)
    u = tgsim.user("Анна")
    open_catalog(u)
    u.press("📁 Раздел")
    seen = []
    for page in range(pages):
        s = u.screen()
        seen += item_buttons(s)
        if pages > 1:
            assert f"Страница {page + 1} из {pages}" in s.text
            assert ("◀️ Назад" in s.button_texts) == (page > 0)
            assert ("Вперёд ▶️" in s.button_texts) == (page < pages - 1)
        else:
            assert "Страница" not in s.text and "Вперёд ▶️" not in s.button_texts
        if page < pages - 1:
            u.press("Вперёд ▶️")
    assert seen == [f"Товар {i + 1:02d}" for i in range(n)]
    if pages > 1:
        u.press("◀️ Назад")
        assert f"Страница {pages - 1} из {pages}" in u.screen().text
    # a page number past the end shows the last page
    u.press_data(f"cat:c:{cat}:99", force=True)
    assert item_buttons(u.screen())[-1] == f"Товар {n:02d}"


@pytest.mark.features("F-CAT-04")
def test_long_names_are_cut_on_utf8_boundaries(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path, page_size=20)
    long = "Очень-очень длинное название товара " * 8 + "🍵"
    for i in range(20):
        shop.product(f"{i:02d} {long}")
    u = tgsim.user("Анна")
    s = open_catalog(u)
    items = item_buttons(s)
    assert len(items) == 20
    for t in items:
        assert len(t.encode()) <= 60 and t.endswith("…")
    u.press(items[0])
    assert "00 Очень-очень" in u.screen().text


@pytest.mark.features("F-CAT-01", "F-CAT-04", "F-HOST-06")
def test_hidden_never_shown(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    vis = shop.cat("Открытый")
    hid = shop.cat("Секретный", hidden=1)
    inner = shop.product("Внутри скрытого", cat=hid)
    shop.product("Видимый", cat=vis)
    hp = shop.product("Скрытый товар", cat=vis, hidden=1)
    u = tgsim.user("Анна")
    s = open_catalog(u)
    assert item_buttons(s) == ["📁 Открытый"]
    u.press("📁 Открытый")
    assert item_buttons(u.screen()) == ["Видимый"]
    # forged callbacks
    u.press_data(f"cat:c:{hid}:0", force=True)
    assert u.last_answer()["text"] == CAT_NOT_FOUND
    assert "Секретный" not in u.screen().text
    for pid in (hp, inner):
        u.press_data(f"cat:p:{pid}:0", force=True)
        assert u.last_answer()["text"] == NOT_FOUND
        u.press_data(f"cat:v:{pid}:0", force=True)
        assert u.last_answer()["text"] == NOT_FOUND
    # deep links
    for pid in (hp, inner, 999999):
        u.send(f"/start p{pid}")
        assert NOT_FOUND in u.screen().text
    u.send("/start pxyz")
    assert NOT_FOUND in u.screen().text
    # search neither
    u.send("/search скрыт")
    assert "ничего не нашлось" in u.screen().text


@pytest.mark.features("F-CAT-05", "F-HOST-06")
def test_card_variants_discount_details(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    cat = shop.cat("Ароматы")
    pid = shop.product("Роза <&>", cat=cat, discount=20,
                       variants=[("5 мл", 60000, 50), ("50 мл", 350000, 300)],
                       description="<p>Нежный <b>цветочный</b> аромат</p><script>x</script><span>ok</span>",
                       details="Ноты: роза, <i>пион</i>")
    plain = shop.product("Свеча", cat=cat, price=49000)
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    s = u.screen()
    assert "Роза <&>" in s.text and "Скидка 20%" in s.text
    assert "Нежный цветочный аромат" in s.text and "<script>" not in s.text
    assert "<b>цветочный</b>" in s.html
    assert "5 мл — 480 ₽" in s.button_texts and "50 мл — 2 800 ₽" in s.button_texts
    u.press("📖 Подробнее")
    s = u.screen()
    assert "Ноты: роза, пион" in s.text and "⬅️ Свернуть" in s.button_texts
    u.press("⬅️ Свернуть")
    u.press("5 мл — 480 ₽")
    assert u.last_answer()["text"] == "✅ Добавлено в корзину"  # the cart (test_catalog_cart.py)
    u.press("⬅️ К списку")
    assert "Ароматы" in u.screen().text
    u.press("Свеча")
    assert "🛒 Купить — 490 ₽" in u.screen().button_texts
    assert plain


@pytest.mark.features("F-CAT-05")
def test_card_survives_bad_description(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    pid = shop.product("Длинный", description="<b>слово</b> " * 900, variants=[("1 шт", 10000, 1)])
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    s = u.screen()
    assert "Длинный" in s.text and "1 шт — 100 ₽" in s.button_texts


@pytest.mark.features("F-CAT-05", "F-CAT-11")
def test_card_large_preview_when_image_url(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    pid = shop.product("С фото", image_url="https://img.example/rose.jpg", variants=[("1 шт", 10000, 1)])
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    s = u.screen()
    assert "С фото" in s.text
    assert "https://img.example/rose.jpg" in s.html
    opts = s.raw.get("link_preview_options") or {}
    assert opts.get("show_above_text") and opts.get("prefer_large_media"), s.raw
    assert not s.photo


@pytest.mark.features("F-CAT-05", "F-CAT-06")
def test_low_stock_out_of_stock_and_back_in_stock_push(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path, stock=True)
    low = shop.product("Мало", low=5, variants=[("50 мл", 100000, 300), ("100 мл", 180000, 550)])
    plenty = shop.product("Много", low=5, variants=[("50 мл", 100000, 300)])
    out = shop.product("Закончился", variants=[("50 мл", 100000, 300)])
    mixed = shop.product("Смешанный", low=5, variants=[("50 мл", 100000, 300), ("100 мл", 180000, 550)])
    single = shop.product("Одиночный", low=5)
    owner = hk.owner(tgsim)
    owner.send("/start")
    for cmd in (f"{low} 1 1", f"{low} 2 2", f"{plenty} 1 10", f"{out} 1 0", f"{mixed} 1 2", f"{mixed} 2 30",
                f"{single} 0 4"):
        owner.send(f"/fakestock_set {cmd}")
    anna, boris = tgsim.user("Анна"), tgsim.user("Борис")
    anna.send(f"/start p{low}")
    assert "⚠️ 50 мл — осталось: 1 шт\n⚠️ 100 мл — осталось: 2 шт" in anna.screen().text
    # each variant is its own stock: the plentiful one does not hide the one running out
    anna.send(f"/start p{mixed}")
    assert "⚠️ 50 мл — осталось: 2 шт" in anna.screen().text and "100 мл — осталось" not in anna.screen().text
    anna.send(f"/start p{single}")
    assert "⚠️ Осталось: 4 шт" in anna.screen().text
    anna.send(f"/start p{plenty}")
    assert "Осталось" not in anna.screen().text and "осталось" not in anna.screen().text
    for u in (anna, boris):
        u.send(f"/start p{out}")
        s = u.screen()
        assert "Нет в наличии" in s.text and "50 мл — 1 000 ₽" not in s.button_texts
        u.press("🔔 Сообщить о поступлении")
        assert "Мы напишем" in u.last_answer()["text"]
    anna.press("🔔 Сообщить о поступлении")
    assert "уже подписаны" in anna.last_answer()["text"]
    con = w.db()
    assert hk.scalar(con, "SELECT count(*) FROM catalog_subscription WHERE product_id = ?", out) == 2
    owner.send(f"/fakestock_set {out} 1 4")
    for u in (anna, boris):
        m = u.expect("Снова в наличии")
        assert "Закончился" in (m.get("text") or "")
    hk.wait_until(lambda: hk.scalar(w.db(), "SELECT count(*) FROM catalog_subscription") == 0,
                  what="subscriptions dropped")
    # 4 → 6 is not "back in stock": no second push
    owner.send(f"/fakestock_set {out} 1 6")
    hk.wait_until(lambda: hk.scalar(w.db(), "SELECT count(*) FROM wh_event_deliveries d JOIN wh_events e"
                                            " ON e.id = d.event_id WHERE e.event = 'stock.changed'"
                                            " AND d.plugin = 'catalog' AND d.delivered_at IS NOT NULL") == 9,
                  what="every stock.changed delivered")
    pushes = [m for m in anna.bot_messages() if "Снова в наличии" in (m.get("text") or "")]
    assert len(pushes) == 1
    anna.press("🛍 Открыть товар")
    assert "50 мл — 1 000 ₽" in anna.screen().button_texts


@pytest.mark.features("F-CAT-05")
def test_without_stock_service_everything_in_stock(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    pid = shop.product("Любой", low=100, variants=[("50 мл", 100000, 300)])
    u = tgsim.user("Анна")
    u.send(f"/start p{pid}")
    s = u.screen()
    assert "Осталось" not in s.text and "Нет в наличии" not in s.text
    assert "50 мл — 1 000 ₽" in s.button_texts


@pytest.mark.features("F-CAT-08")
def test_search_cyrillic_case(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path)
    shop.product("ёжик в тумане")
    shop.product("Ель новогодняя")
    shop.product("100% хлопок_x")
    u = tgsim.user("Анна")
    u.send("/start")
    u.send("/search ЁЖИК")
    s = u.screen()
    assert "найдено: 1" in s.text and "ёжик в тумане" in s.button_texts
    u.send("/search ежик")
    assert "ёжик в тумане" in u.screen().button_texts
    u.send("/search ЕЛЬ")
    assert u.screen().button_texts[0] == "Ель новогодняя"
    u.send("/search %")
    assert "100% хлопок_x" in u.screen().button_texts and "найдено: 1" in u.screen().text
    u.send("/search кактус")
    assert "ничего не нашлось" in u.screen().text
    # the conversation way
    open_catalog(u)
    u.press("🔎 Поиск")
    assert "Напишите название" in u.screen().text
    u.send("Тумане")
    s = u.screen()
    assert "ёжик в тумане" in s.button_texts
    u.press("ёжик в тумане")
    assert "ёжик в тумане" in u.screen().text


@pytest.mark.features("F-CAT-04", "F-CAT-05")
def test_demo_catalog(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path, demo=True)
    u = tgsim.user("Анна")
    s = open_catalog(u)
    assert "📁 Парфюмерия" in s.button_texts
    con = w.db()
    assert hk.scalar(con, "SELECT count(*) FROM catalog_product") >= 15
    assert hk.scalar(con, "SELECT count(*) FROM catalog_category WHERE parent_id <> 0") >= 2
    u.press("📁 Парфюмерия")
    u.press("📁 Женские ароматы")
    u.press("Цветущий сад")
    assert "5 мл — 600 ₽" in u.screen().button_texts


@pytest.mark.features("F-CAT-04")
def test_pagination_with_long_names_stays_in_telegram_limits(tgsim, walord, tmp_path):
    w, shop = start(walord, tmp_path, page_size=20)                    # the largest page size allowed
    long = "Очень длинное название раздела с эмодзи 🍵 и «кавычками» & <тегами> " * 3
    cat = shop.cat(long[:100])
    for i in range(5):
        shop.cat(f"{i} {long}", parent=cat, sort=i)
    names = [f"{i:02d} " + "Ароматная вода с очень длинным описанием в названии 🌹 " * 5 for i in range(60)]
    for i, n in enumerate(names):
        shop.product(n, cat=cat, sort=i, discount=30 if i % 2 else 0)
    u = tgsim.user("Анна")
    open_catalog(u)
    u.press_data(f"cat:c:{cat}:0", force=True)
    seen, pages = [], 0
    while True:
        s = u.screen()
        pages += 1
        assert len(s.text.encode()) <= 4096 and len(s.html.encode()) <= 4096
        datas = [d for row in s.buttons for _, d in row]
        assert len(datas) <= 100
        assert all(d and len(d.encode()) <= 64 for d in datas), datas
        items = item_buttons(s)
        assert 0 < len(items) <= 20
        assert all(len(t.encode()) <= 60 for t in items), items
        assert "&lt;тегами&gt;" in s.html                              # the category name, escaped
        seen += items
        if "Вперёд ▶️" not in s.button_texts:
            break
        u.press("Вперёд ▶️")
    assert pages == 4 and "Страница 4 из 4" in u.screen().text
    assert len(seen) == 65 and len(set(seen)) == 65
    assert all(t.startswith("📁 ") for t in seen[:5])
    # discounted ones are marked, cut names keep the mark
    sale = [t for t in seen[5:] if t.startswith("🔥 ")]
    assert len(sale) == 30 and all(t.endswith("…") for t in seen[5:])
    # the last product opens, and its card leads back to the page it came from
    u.press(seen[-1])
    s = u.screen()
    assert "59 Ароматная вода" in s.text and len(s.html.encode()) <= 4096
    u.press("⬅️ К списку")
    assert "Страница 4 из 4" in u.screen().text
