"""catalog plugin, staff side (plugins/catalog/admin.c): the admin section
"📦 Товары" — categories (create, hide/show, rename/delete by the owner only,
move, sort screen) and products (creation conversation with variants and
their numbered errors, the admin card, delete), roles enforced by the host,
and the action log."""

from __future__ import annotations

import pytest

import hostkit as hk

SECTION = "📦 Товары"
CATALOG_BTN = "🛍 Каталог"


def start(walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["catalog"])
    return w, w.db()


def admin(u):
    u.send("/admin")
    u.expect(hk.ADMIN_TITLE)
    u.press(SECTION)
    return u.screen()


def manager(tgsim, con, name="Борис"):
    m = tgsim.user(name)
    m.send("/start")
    con.execute("UPDATE wh_users SET role = 2 WHERE id = ?", (m.id,))
    con.commit()
    return m


def log_rows(con, like):
    return hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE ?", like)


def customer_items(u):
    u.send("/start")
    u.press(CATALOG_BTN)
    nav = {"◀️ Назад", "Вперёд ▶️", "⬆️ Наверх", "🗂 В начало каталога", "🏠 Главное меню", "🔎 Поиск"}
    return [t for t in u.screen().button_texts if t not in nav]


def new_category(u, name):
    u.press("➕ Раздел")
    u.expect("Напишите название раздела")
    u.send(name)
    u.expect(f"«{name}» создан")


@pytest.mark.features("F-CAT-01", "F-CAT-02", "F-CAT-03")
def test_owner_creates_category_and_product_with_variants(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    boss = hk.owner(tgsim)
    s = admin(boss)
    assert "Товары" in s.text and "➕ Раздел" in s.button_texts
    new_category(boss, "Парфюмерия")
    cid = hk.scalar(con, "SELECT id FROM catalog_category WHERE name = 'Парфюмерия'")
    assert hk.scalar(con, "SELECT name_lc FROM catalog_category WHERE id = ?", cid) == "парфюмерия"
    assert log_rows(con, f"создал раздел c{cid} «Парфюмерия»%") == 1
    s = boss.screen()
    assert f"(c{cid})" in s.text and "➕ Товар" in s.button_texts

    # the product: name → variants (2 bad lines first) → description → photo → confirm
    boss.press("➕ Товар")
    boss.expect("Напишите название товара")
    boss.send("Роза ЁЖИК")
    boss.expect("Цена или фасовки")
    boss.send("50 мл:abc:300\n100 мл:1800:550\n:900")
    s = boss.screen()
    assert "ничего не сохранено" in s.text, s
    assert "строка 1" in s.text and "строка 3" in s.text and "строка 2" not in s.text, s
    assert hk.scalar(con, "SELECT count(*) FROM catalog_product") == 0
    assert hk.scalar(con, "SELECT count(*) FROM catalog_variant") == 0
    boss.send("50 мл:1000:300, 100 мл:1800:550")            # still in the step: a good input
    boss.expect("Краткое описание")
    boss.send("<b>незакрытый")
    assert "Telegram не примет" in boss.screen().text, boss.screen()
    boss.send("<b>Свежий</b> аромат")
    boss.expect("Пришлите фото")
    boss.send("просто текст")
    assert "Это не фото" in boss.screen().text
    boss.send_photo()
    boss.expect("Проверьте новый товар")
    s = boss.screen()
    assert "50 мл — 1 000 ₽" in s.text and "100 мл — 1 800 ₽" in s.text, s
    boss.press("✅ Создать")
    pid = hk.scalar(con, "SELECT id FROM catalog_product WHERE name = 'Роза ЁЖИК'")
    assert pid
    row = con.execute("SELECT category_id, name_lc, description, photo_file_id, hidden FROM catalog_product "
                      "WHERE id = ?", (pid,)).fetchone()
    assert row[0] == cid and row[1] == "роза ежик" and row[2] == "<b>Свежий</b> аромат"
    assert row[3] and row[4] == 0
    assert con.execute("SELECT no, label, price, weight_g FROM catalog_variant WHERE product_id = ? ORDER BY no",
                       (pid,)).fetchall() == [(1, "50 мл", 100000, 300), (2, "100 мл", 180000, 550)]
    assert log_rows(con, f"создал товар p{pid} «Роза ЁЖИК»%") == 1
    s = boss.screen()
    assert f"(p{pid})" in s.text and "Фото: есть" in s.text and "✏️ Название" in s.button_texts, s

    # editing variants keeps the number of a label that stays
    boss.press("💰 Цена / фасовки")
    boss.send("100 мл:2000:550\n200 мл:3500")
    boss.expect("Сохранено")
    assert con.execute("SELECT no, label, price FROM catalog_variant WHERE product_id = ? ORDER BY no",
                       (pid,)).fetchall() == [(2, "100 мл", 200000), (3, "200 мл", 350000)]
    assert log_rows(con, f"изменил цену/фасовки товара p{pid}%") == 1
    # discount with validation
    boss.press("🔥 Скидка %")
    boss.send("150")
    assert "от 0 до 99" in boss.screen().text
    boss.send("15%")
    boss.expect("Сохранено")
    assert hk.scalar(con, "SELECT discount_pct FROM catalog_product WHERE id = ?", pid) == 15
    assert log_rows(con, f"изменил скидку товара p{pid} «Роза ЁЖИК»: 0% → 15%") == 1

    # hide / show: the customer sees the product only when visible
    anna = tgsim.user("Анна")
    assert customer_items(anna) == ["📁 Парфюмерия"]
    boss.press("🙈 Скрыть")
    assert hk.scalar(con, "SELECT hidden FROM catalog_product WHERE id = ?", pid) == 1
    assert log_rows(con, f"скрыл товар p{pid} «Роза ЁЖИК»") == 1
    anna.press("📁 Парфюмерия")
    assert "Роза" not in " ".join(anna.screen().button_texts)
    boss.press("👁 Показать")
    assert customer_items(anna) == ["📁 Парфюмерия"]
    anna.press("📁 Парфюмерия")
    assert any("Роза ЁЖИК" in t for t in anna.screen().button_texts)

    # hiding the category hides it from the customer; staff still see it, marked
    boss.press("⬅️ К разделу")
    boss.press("🙈 Скрыть")
    assert hk.scalar(con, "SELECT hidden FROM catalog_category WHERE id = ?", cid) == 1
    assert log_rows(con, f"скрыл раздел c{cid} «Парфюмерия»") == 1
    assert customer_items(anna) == []
    boss.press("⬆️ Наверх")
    assert f"🙈 📁 c{cid} Парфюмерия" in boss.screen().button_texts
    boss.press(f"🙈 📁 c{cid} Парфюмерия")
    boss.press("👁 Показать")
    assert customer_items(anna) == ["📁 Парфюмерия"]
    assert log_rows(con, f"показал раздел c{cid} «Парфюмерия»") == 1


@pytest.mark.features("F-CAT-01", "F-CAT-02")
def test_manager_cannot_rename_or_delete_owner_can(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    boss = hk.owner(tgsim)
    admin(boss)
    new_category(boss, "Чай")
    cid = hk.scalar(con, "SELECT id FROM catalog_category WHERE name = 'Чай'")
    boss.press("➕ Товар")
    boss.send("Пуэр")
    boss.send("1500")
    boss.press("⏭ Пропустить")
    boss.press("⏭ Пропустить")
    boss.press("✅ Создать")
    pid = hk.scalar(con, "SELECT id FROM catalog_product WHERE name = 'Пуэр'")
    assert hk.scalar(con, "SELECT price FROM catalog_product WHERE id = ?", pid) == 150000

    mgr = manager(tgsim, con)
    s = admin(mgr)
    mgr.press("📁 c%d Чай" % cid)
    s = mgr.screen()
    assert "✏️ Переименовать" not in s.button_texts and "🗑 Удалить" not in s.button_texts
    assert "🙈 Скрыть" in s.button_texts
    # forged owner-only presses are refused by the host
    for data in (f"cown:rc:{cid}", f"cown:dc:{cid}", f"cown:dca:{cid}", f"cown:rp:{pid}", f"cown:dpy:{pid}"):
        mgr.press_data(data, force=True)
        ans = hk.wait_until(mgr.last_answer, what="an answer")
        assert ans["text"] == hk.DENIED, data
    assert hk.scalar(con, "SELECT name FROM catalog_category WHERE id = ?", cid) == "Чай"
    assert hk.scalar(con, "SELECT count(*) FROM catalog_product WHERE id = ?", pid) == 1
    assert hk.scalar(con, "SELECT count(*) FROM wh_conv WHERE active = 1 AND chat_id = ?", mgr.id) == 0
    # but the manager may edit the other fields
    mgr.press(f"p{pid} Пуэр")
    assert "✏️ Название" not in mgr.screen().button_texts
    mgr.press("📏 Единица")
    mgr.send("гр")
    mgr.expect("Сохранено")
    assert hk.scalar(con, "SELECT unit FROM catalog_product WHERE id = ?", pid) == "гр"

    # the owner renames the category and the product (name_lc follows)
    boss.press_data(f"cadm:t:{cid}:0", force=True)
    boss.press("✏️ Переименовать")
    boss.send("Зелёный чай")
    boss.expect("Сохранено")
    assert con.execute("SELECT name, name_lc FROM catalog_category WHERE id = ?", (cid,)).fetchone() == \
        ("Зелёный чай", "зеленый чай")
    assert log_rows(con, f"переименовал раздел c{cid} «Чай» → «Зелёный чай»") == 1
    boss.press_data(f"cadm:p:{pid}", force=True)
    boss.press("✏️ Название")
    boss.send("Шу Пуэр")
    boss.expect("Сохранено")
    assert con.execute("SELECT name, name_lc FROM catalog_product WHERE id = ?", (pid,)).fetchone() == \
        ("Шу Пуэр", "шу пуэр")

    # delete a non-empty category: only "вместе с товарами"
    boss.press_data(f"cadm:t:{cid}:0", force=True)
    boss.press("🗑 Удалить")
    s = boss.screen()
    assert "товаров: 1" in s.text and "🗑 Удалить вместе с товарами" in s.button_texts
    assert "🗑 Да, удалить" not in s.button_texts
    boss.press("🗑 Удалить вместе с товарами")
    assert hk.scalar(con, "SELECT count(*) FROM catalog_category") == 0
    assert hk.scalar(con, "SELECT count(*) FROM catalog_product") == 0
    assert log_rows(con, f"удалил раздел c{cid} «Зелёный чай» вместе с содержимым%товаров 1") == 1

    # delete a product with confirmation, and an empty category
    admin(boss)
    new_category(boss, "Пусто")
    eid = hk.scalar(con, "SELECT id FROM catalog_category WHERE name = 'Пусто'")
    boss.press("🗑 Удалить")
    boss.press("🗑 Да, удалить")
    assert hk.scalar(con, "SELECT count(*) FROM catalog_category WHERE id = ?", eid) == 0
    assert log_rows(con, f"удалил раздел c{eid} «Пусто»") == 1


@pytest.mark.features("F-CAT-01", "F-CAT-02")
@pytest.mark.parametrize("data", ["cadm:t:0:0", "cadm:nc:0", "cadm:h:1", "cadm:e:1:disc", "cadm:s:0",
                                  "cown:dc:1", "cown:dpy:1", "cadm:p:1", "cadm:ph:1", "cadm:e:1:var",
                                  "cadm:e:1:xids", "cadm:e:1:photo", "cown:rp:1", "cown:dp:1"])
def test_forged_admin_callback_from_customer_is_refused(tgsim, walord, tmp_path, data):
    w, con = start(walord, tmp_path)
    con.execute("INSERT INTO catalog_category(id, parent_id, name, name_lc) VALUES (1, 0, 'Чай', 'чай')")
    con.execute("INSERT INTO catalog_product(id, category_id, name, name_lc, price) VALUES (1, 1, 'Пуэр', 'пуэр', 100)")
    con.commit()
    u = tgsim.user("Гоша")
    u.send("/start")
    before = len(u.messages())
    u.press_data(data, force=True)
    ans = hk.wait_until(u.last_answer, what="an answer to the forged press")
    assert ans["text"] == hk.DENIED
    assert len(u.messages()) == before
    assert hk.scalar(con, "SELECT count(*) FROM wh_conv WHERE active = 1") == 0
    assert hk.scalar(con, "SELECT hidden FROM catalog_category WHERE id = 1") == 0
    assert con.execute("SELECT name, hidden, price FROM catalog_product").fetchall() == [("Пуэр", 0, 100)]
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log") == 0


@pytest.mark.features("F-CAT-01")
def test_sort_screen_and_move(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    boss = hk.owner(tgsim)
    admin(boss)
    for n in ("А", "Б", "В"):
        new_category(boss, n)
        boss.press("⬆️ Наверх")
    ids = {n: hk.scalar(con, "SELECT id FROM catalog_category WHERE name = ?", n) for n in ("А", "Б", "В")}
    con.execute("INSERT INTO catalog_product(id, category_id, name, name_lc, price, sort) VALUES "
                "(50, 0, 'Товар', 'товар', 100, 1)")
    con.commit()
    before = con.execute("SELECT id, sort FROM catalog_category ORDER BY id").fetchall()
    admin(boss)
    boss.press("🔢 Порядок")
    boss.expect("в нужном порядке")
    boss.send(f"c{ids['В']} c999 p50 p77 xyz")
    s = boss.screen()
    assert "c999" in s.text and "p77" in s.text and "xyz" in s.text and "Ничего не изменено" in s.text, s
    assert con.execute("SELECT id, sort FROM catalog_category ORDER BY id").fetchall() == before
    boss.send(f"с{ids['В']} c{ids['А']}")                     # Cyrillic "с" works too
    boss.expect("Порядок сохранён")
    got = [t for t in boss.screen().button_texts if t.startswith("📁")]
    assert got == [f"📁 c{ids['В']} В", f"📁 c{ids['А']} А", f"📁 c{ids['Б']} Б"], got
    assert log_rows(con, f"изменил порядок в корне каталога: c{ids['В']} c{ids['А']}") == 1
    anna = tgsim.user("Анна")
    assert customer_items(anna)[:3] == ["📁 В", "📁 А", "📁 Б"]

    # move: no cycles
    boss.press(f"📁 c{ids['А']} А")
    boss.press("↪️ Переместить")
    boss.send(f"c{ids['Б']}")
    boss.expect("Сохранено")
    assert hk.scalar(con, "SELECT parent_id FROM catalog_category WHERE id = ?", ids["А"]) == ids["Б"]
    boss.press_data(f"cadm:t:{ids['Б']}:0", force=True)
    boss.press("↪️ Переместить")
    boss.send(f"c{ids['А']}")                                  # Б into its own child А
    assert "подраздел" in boss.screen().text
    assert hk.scalar(con, "SELECT parent_id FROM catalog_category WHERE id = ?", ids["Б"]) == 0
    boss.press("🗂 В корень каталога")
    boss.expect("Сохранено")
    assert log_rows(con, f"переместил раздел c{ids['А']} «А»: корень → c{ids['Б']}") == 1


@pytest.mark.features("F-CAT-02")
def test_help_section_for_managers(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    mgr = manager(tgsim, con)
    mgr.send("/help")
    assert "Товары: как добавить и изменить" in mgr.screen().text or \
        "Товары: как добавить и изменить" in " ".join(mgr.screen().button_texts)
    anna = tgsim.user("Анна")
    anna.send("/help")
    assert "Товары: как добавить" not in anna.screen().text


@pytest.mark.features("F-CAT-02", "F-CAT-10")
def test_crosssell_edited_from_the_admin_card(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    con.execute("INSERT INTO catalog_category(id, parent_id, name, name_lc) VALUES (1, 0, 'Чай', 'чай'),"
                " (2, 0, 'Посуда', 'посуда')")
    for pid, cat, name in ((1, 1, "Пуэр"), (2, 1, "Улун"), (3, 2, "Чайник"), (4, 2, "Пиала"), (5, 2, "Поднос")):
        con.execute("INSERT INTO catalog_product(id, category_id, name, name_lc, price, sort) VALUES (?,?,?,?,?,?)",
                    (pid, cat, name, name.lower(), 100000, pid))
    con.commit()
    boss = hk.owner(tgsim)
    boss.send("/start")
    boss.press_data("cadm:p:1", force=True)
    s = boss.screen()
    assert "Допродажа в корзине: —" in s.text and "✨ Допродажа: товары" in s.button_texts

    # unknown IDs, garbage, a repeat and the product itself are all named; nothing is saved
    boss.press("✨ Допродажа: товары")
    boss.expect("Какие товары предлагать в корзине")
    boss.send("p3 p999 чайник p3 p1 c2")
    s = boss.screen()
    assert "Таких товаров нет: p999." in s.text
    assert "Непонятные ID: чайник, c2" in s.text
    assert "Повторяются или указан сам товар: p3, p1." in s.text
    assert "Ничего не изменено." in s.text
    assert hk.scalar(con, "SELECT crosssell_ids FROM catalog_product WHERE id = 1") == ""
    boss.send(", ".join(f"p{i}" for i in range(2, 14)))
    boss.expect("Слишком много товаров: не больше 10.")
    # Cyrillic р and bare numbers are understood; stored as numbers
    boss.send("р4 3")
    boss.expect("Сохранено")
    assert hk.scalar(con, "SELECT crosssell_ids FROM catalog_product WHERE id = 1") == "4 3"
    assert "Допродажа в корзине: p4 p3" in boss.screen().text
    assert log_rows(con, "изменил допродажу товара p1 «Пуэр»: «» → «p4 p3»") == 1

    boss.press("✨ Допродажа: заголовок")
    boss.send("<b>С этим берут:")                       # an unclosed tag is refused by the preview
    boss.expect("Telegram не примет этот текст")
    boss.send("<b>С этим берут:</b>")
    boss.expect("Сохранено")
    assert hk.scalar(con, "SELECT crosssell_text FROM catalog_product WHERE id = 1") == "<b>С этим берут:</b>"

    # the customer's cart shows exactly that: the heading and the merchant's products first
    u = tgsim.user("Анна")
    u.send("/start p1")
    u.press("🛒 Купить — 1 000 ₽")
    u.send("/cart")
    s = u.screen()
    assert "<b>С этим берут:</b>" in s.html
    assert [t for t in s.button_texts if t.startswith("✨ ")] == ["✨ Пиала", "✨ Чайник", "✨ Улун"]

    # "-" clears both; the cart falls back to the same category and the standard heading
    boss.press_data("cadm:e:1:xids", force=True)
    boss.send("-")
    boss.expect("Сохранено")
    boss.press_data("cadm:e:1:xtext", force=True)
    boss.send("-")
    boss.expect("Сохранено")
    assert con.execute("SELECT crosssell_ids, crosssell_text FROM catalog_product WHERE id = 1").fetchone() == ("", "")
    u.send("/cart")
    s = u.screen()
    assert "Вам может понравиться" in s.text
    assert [t for t in s.button_texts if t.startswith("✨ ")] == ["✨ Улун"]

    # a customer cannot reach the editor
    u.press_data("cadm:e:1:xids", force=True)
    assert hk.wait_until(u.last_answer, what="an answer")["text"] == hk.DENIED


@pytest.mark.features("F-CAT-03")
def test_variant_errors_are_numbered_and_nothing_is_saved(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    con.execute("INSERT INTO catalog_product(id, category_id, name, name_lc, price) VALUES (1, 0, 'Роза', 'роза', 100)")
    con.execute("INSERT INTO catalog_variant(product_id, no, label, price, weight_g, sort) VALUES (1, 1, '5 мл', 60000, 50, 1)")
    con.commit()
    boss = hk.owner(tgsim)
    boss.send("/start")
    boss.press_data("cadm:p:1", force=True)
    boss.press("💰 Цена / фасовки")
    boss.expect("Цена или фасовки товара")

    def before():
        return con.execute("SELECT no, label, price, weight_g FROM catalog_variant ORDER BY no").fetchall()

    # comma-separated: errors by item number
    boss.send("50 мл:abc:300, 100 мл:1800:550, :900, 200 мл:1:2:3")
    t = boss.screen().text
    assert "Ошибки в фасовках — ничего не сохранено" in t, t
    assert "вариант 1:" in t and "вариант 3:" in t and "вариант 4:" in t and "вариант 2:" not in t, t
    assert "лишнее двоеточие" in t
    # lines with several items: line and item
    boss.send("50 мл:1000:300\n100 мл:1800:550, 200 мл:-5:10")
    t = boss.screen().text
    assert "строка 2, вариант 2:" in t and "строка 1" not in t, t
    # one per line: errors by line number
    boss.send("50 мл:1000:300\nбез цены\n100 мл:1800:550\n:900")
    t = boss.screen().text
    assert "строка 2:" in t and "строка 4:" in t and "строка 1:" not in t and "строка 3:" not in t, t
    assert "нужно Название:Цена:Вес" in t
    assert before() == [(1, "5 мл", 60000, 50)]
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log") == 0
    # the conversation is still waiting: a good answer saves
    boss.send("5 мл:650:50, 10 мл:1100:90")
    boss.expect("Сохранено")
    assert before() == [(1, "5 мл", 65000, 50), (2, "10 мл", 110000, 90)]


@pytest.mark.features("F-CAT-02")
def test_expired_edit_conversation_changes_nothing(tgsim, walord, tmp_path, free_port):
    import http.client
    import json

    port = free_port()
    w = hk.start(walord, tmp_path, plugins=["catalog"], extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n")
    con = w.db()
    con.execute("INSERT INTO catalog_product(id, category_id, name, name_lc, price) VALUES (1, 0, 'Роза', 'роза', 100)")
    con.commit()
    boss = hk.owner(tgsim)
    boss.send("/start")
    boss.press_data("cadm:p:1", force=True)
    boss.press("🔥 Скидка %")
    boss.expect("Скидка товара")
    # the edit conversation lives 30 minutes: move the host clock past it
    hc = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    hc.request("POST", "/_test/clock", body=json.dumps({"advance_s": 1801}).encode(),
               headers={"Content-Type": "application/json"})
    assert hc.getresponse().status == 200
    hc.close()
    boss.send("15")
    boss.expect("Время на ответ истекло")
    assert hk.scalar(con, "SELECT discount_pct FROM catalog_product WHERE id = 1") == 0
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log") == 0
