"""warehouse, staff side (plugins/warehouse/admin.c, forms.c, supply.c): the
section "🏬 Склад" — suppliers and supplies in three steps with the weighted-
average cost worked out by hand here, the overview with its 🟢🟡🔴 marks,
one level edited, bulk write-off and stock-take with every bad line named
and nothing half-applied, search, roles and the action log. Products come
from the catalog plugin (through its `catalog` service); the tests put them
into the catalog's tables directly, as an import would."""

from __future__ import annotations

import http.client
import json
import re
import subprocess

import pytest

import hostkit as hk

SECTION = "🏬 Склад"


def start(walord, tmp_path, free_port=None):
    kw = {}
    if free_port:
        port = free_port()
        kw["extra_ini"] = f"[http]\nlisten = 127.0.0.1:{port}\n"
    w = hk.start(walord, tmp_path, plugins=["catalog", "warehouse"], **kw)
    if free_port:
        w.port = port
    return w, w.db()


def product(con, name, variants=(), low=0, hidden=0, price=100000):
    cur = con.execute("INSERT INTO catalog_product(category_id, name, name_lc, price, low_stock, hidden) "
                      "VALUES (0, ?, ?, ?, ?, ?)", (name, name.lower().replace("ё", "е"), price, low, hidden))
    pid = cur.lastrowid
    for no, label in enumerate(variants, 1):
        con.execute("INSERT INTO catalog_variant(product_id, no, label, price) VALUES (?, ?, ?, ?)",
                    (pid, no, label, price))
    con.commit()
    return pid


def stock(con, pid, vno, qty, cost):
    """A level as an earlier supply left it (level + its ledger row)."""
    con.execute("INSERT INTO warehouse_item(product_id, variant_no, on_hand, reserved, unit_cost) "
                "VALUES (?, ?, ?, 0, ?)", (pid, vno, qty, cost))
    con.execute("INSERT INTO warehouse_ledger(at, product_id, variant_no, kind, qty, reserved, stock_after, "
                "available_after, unit_cost, staff_id) VALUES (0, ?, ?, 'supply', ?, 0, ?, ?, ?, 0)",
                (pid, vno, qty, qty, qty, cost))
    con.commit()


def level(con, pid, vno=0):
    return con.execute("SELECT on_hand, unit_cost FROM warehouse_item WHERE product_id = ? AND variant_no = ?",
                       (pid, vno)).fetchone()


def admin(u):
    u.send("/admin")
    u.expect(hk.ADMIN_TITLE)
    u.press(SECTION)
    return u.screen()


def logged(con, like):
    return hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE ?", like)


def consistent(w):
    """walorctl stock-check: every level equals the sum of its ledger."""
    r = subprocess.run([str(w.bdir / "bin" / "walorctl"), "--config", str(w.config_path), "stock-check"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def advance(w, seconds):
    con = http.client.HTTPConnection("127.0.0.1", w.port, timeout=10)
    try:
        con.request("POST", "/_test/clock", body=json.dumps({"advance_s": seconds}).encode(),
                    headers={"Content-Type": "application/json"})
        r = con.getresponse()
        assert r.status == 200, (r.status, r.read())
        r.read()
    finally:
        con.close()


@pytest.mark.features("F-WH-04", "F-WH-05", "F-WH-07", "F-WH-09", "F-HOST-03")
def test_supply_in_three_steps_with_average_cost(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    rose = product(con, "Роза ЁЖИК", variants=("50 мл", "100 мл"))
    soap = product(con, "Мыло <дегтярное>")
    boss = hk.owner(tgsim)
    admin(boss)

    # the suppliers directory: add, list
    boss.press("🏭 Поставщики")
    boss.expect("Поставщиков пока нет")
    boss.press("➕ Добавить поставщика")
    boss.expect("название нового поставщика")
    boss.send("   ")
    assert "от 1 до 100 символов" in boss.screen().text
    boss.send("ООО «Ромашка»")
    boss.expect("Поставщик добавлен")
    assert "#1 ООО «Ромашка» — поставок: 0" in boss.screen().text
    assert logged(con, "добавил поставщика #1 «ООО «Ромашка»»") == 1

    # step 1: choose the supplier
    boss.press("🚚 Поставка")
    boss.expect("шаг 1 из 3")
    boss.press("🏭 ООО «Ромашка»")
    boss.expect("шаг 2 из 3")
    # step 2: every bad line named at once, nothing kept
    boss.send(f"{rose} 3\n999 1\n{soap} -1\n{soap} abc\n{rose}.1 10\n{rose}.1 2\n{rose}.7 1\n{soap}.1 1")
    s = boss.screen().text
    assert "строка 1: у товара" in s and f"{rose}.1, {rose}.2" in s, s
    assert "строка 2: товара 999 нет в каталоге" in s, s
    assert "строка 3: количество не может быть отрицательным" in s, s
    assert "строка 4: «abc» — не целое количество" in s, s
    assert "строка 5" not in s, s
    assert f"строка 6: {rose}.1 уже есть в строке 5" in s, s
    assert f"строка 7: у товара {rose} нет фасовки {rose}.7" in s, s
    assert f"строка 8: у товара {soap} нет фасовок" in s, s
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_supply") == 0
    boss.send(f"{rose}.1 10\n{soap} 4")
    boss.expect("шаг 3 из 3")
    # step 3: batch totals; a missing line and a stranger are refused
    boss.send(f"{rose}.1 2500\n{rose}.2 100")
    s = boss.screen().text
    assert f"строка 2: {rose}.2 нет в этой поставке" in s and f"нет суммы для {soap}" in s, s
    boss.send(f"{rose}.1 2 500\n{soap} 1000,50")
    boss.expect("проверьте")
    s = boss.screen().text
    # 2 500 ₽ / 10 = 250 ₽; 1 000,50 ₽ / 4 = 250,125 ₽ → 250,13 ₽ (half-up); empty stock: cost = unit cost
    assert "+10 шт, партия 2 500 ₽ → 250 ₽ за шт; себестоимость 0 ₽ → 250 ₽" in s, s
    assert "Мыло &lt;дегтярное&gt;" not in s and "Мыло <дегтярное>" in s, s   # escaped on the wire
    assert "+4 шт, партия 1 000,50 ₽ → 250,13 ₽ за шт; себестоимость 0 ₽ → 250,13 ₽" in s, s
    assert "Позиций: 2, 14 шт на 3 500,50 ₽" in s, s
    assert level(con, rose, 1) is None                      # nothing before ✅
    boss.press("✅ Провести поставку")
    boss.expect("Поставка №1 проведена")
    assert level(con, rose, 1) == (10, 25000)
    assert level(con, soap) == (4, 25013)
    assert con.execute("SELECT supplier_id, total FROM warehouse_supply").fetchall() == [(1, 350050)]
    assert con.execute("SELECT kind, qty, stock_after, unit_cost, supply_id, staff_id FROM warehouse_ledger "
                       "WHERE product_id = ? ORDER BY id", (rose,)).fetchall() == \
        [("supply", 10, 10, 25000, 1, hk.OWNER_ID)]
    assert logged(con, "провёл поставку №1 от «ООО «Ромашка»»: 2 позиции, 14 шт на 3 500,50 ₽") == 1

    # the second supply averages: (10 × 250 + 1 500) / 15 = 266,666… → 266,67 ₽;
    # soap: (4 × 250,13 + 3 × 300) / 7 = (1000,52 + 900) / 7 = 271,502… → 271,50 ₽
    boss.press("🚚 Поставка")
    boss.press("🏭 ООО «Ромашка»")
    boss.send(f"{rose}.1 5\n{soap} 3")
    boss.send(f"{soap} 900\n{rose}.1 1500")
    boss.expect("проверьте")
    s = boss.screen().text
    assert "+5 шт, партия 1 500 ₽ → 300 ₽ за шт; себестоимость 250 ₽ → 266,67 ₽" in s, s
    assert "+3 шт, партия 900 ₽ → 300 ₽ за шт; себестоимость 250,13 ₽ → 271,50 ₽" in s, s
    boss.press("✅ Провести поставку")
    boss.expect("Поставка №2 проведена")
    assert level(con, rose, 1) == (15, 26667)
    assert level(con, soap) == (7, 27150)
    assert con.execute("SELECT unit_cost, new_avg FROM warehouse_supply_line WHERE supply_id = 2 ORDER BY "
                       "product_id").fetchall() == [(30000, 26667), (30000, 27150)]
    boss.press("⬅️ Склад")
    boss.press("🏭 Поставщики")
    assert "#1 ООО «Ромашка» — поставок: 2, на 5 900,50 ₽" in boss.screen().text
    consistent(w)


@pytest.mark.features("F-WH-01", "F-WH-02", "F-WH-09", "F-HOST-03")
def test_overview_marks_card_and_edit(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    a = product(con, "Амбра", low=3)
    b = product(con, "Бергамот", variants=("10 мл", "30 мл"), low=5)
    product(con, "Ветивер", hidden=1)
    stock(con, a, 0, 10, 15000)
    stock(con, b, 1, 5, 20000)             # at the threshold: yellow
    boss = hk.owner(tgsim)
    s = admin(boss)
    assert "В наличии: 2 позиции, 15 шт на 2 500 ₽" in s.text, s
    boss.press("📋 Остатки")
    s = boss.screen().text
    assert f"🟢 {a} Амбра: 10 шт × 150 ₽ = 1 500 ₽" in s, s
    assert f"🟡 {b}.1 Бергамот — 10 мл: 5 шт × 200 ₽ = 1 000 ₽" in s, s
    assert f"🔴 {b}.2 Бергамот — 30 мл: 0 шт × 0 ₽ = 0 ₽" in s, s
    assert "Всего: 4 позиции — 🟢 1 · 🟡 1 · 🔴 2" in s and "На складе: 15 шт на 2 500 ₽" in s, s

    boss.press(f"🟡 {b}.1")
    boss.expect("Последние движения")
    assert "На складе: 5 шт · в резерве: 0 · доступно: 5" in boss.screen().text
    boss.press("✏️ Изменить остаток")
    boss.expect("Напишите новое количество")
    for bad in ("abc", "-2", "1.5", "10000001"):
        boss.send(bad)
        assert "Нужно целое число от 0 до 1 000 000" in boss.screen().text, bad
    assert level(con, b, 1) == (5, 20000)
    boss.send("8")
    boss.expect("Остаток «Бергамот — 10 мл»: 5 → 8 (+3)")
    assert level(con, b, 1) == (8, 20000)
    assert con.execute("SELECT kind, qty, stock_after, unit_cost, staff_id FROM warehouse_ledger WHERE "
                       "product_id = ? AND kind = 'edit'", (b,)).fetchall() == [("edit", 3, 8, 20000, hk.OWNER_ID)]
    assert logged(con, f"изменил остаток {b}.1 «Бергамот — 10 мл»: 5 → 8 (+3)") == 1
    s = boss.screen().text
    assert "🟢" in s and "правка +3 → 8 · 200 ₽ · Ольга · правка остатка" in s, s
    assert "поставка +5 → 5 · 200 ₽ · бот" in s, s

    # search by part of the name, Ё = Е, case-insensitive
    boss.press("⬅️ Склад")
    boss.press("🔎 Поиск")
    boss.send("бергам")
    s = boss.screen()
    assert "найдено 2" in s.text and f"🟢 {b}.1" in s.button_texts, s
    boss.press("🔎 Искать ещё")
    boss.send("нет такого")
    boss.expect("ничего не нашлось")
    consistent(w)


@pytest.mark.features("F-WH-03", "F-WH-06", "F-WH-09", "F-HOST-03")
def test_writeoff_and_stocktake_forms(tgsim, walord, tmp_path, free_port):
    w, con = start(walord, tmp_path, free_port)
    a = product(con, "Амбра")
    b = product(con, "Бергамот", variants=("10 мл", "30 мл"))
    stock(con, a, 0, 10, 15000)
    stock(con, b, 1, 5, 20000)
    stock(con, b, 2, 2, 30000)
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press("🗑 Списание")
    boss.expect("Списание")
    boss.send(f"{a} 3\n{b}.1 6\n{a} 1\n{b} 1\nx 1\n{b}.2 0")
    s = boss.screen().text
    assert "Ничего не списано" in s, s
    assert "строка 1" not in s, s
    assert "строка 2: доступно 5 шт, списать 6 нельзя" in s, s
    assert f"строка 3: {a} уже есть в строке 1" in s, s
    assert "строка 4: у товара" in s and "строка 5: «x» — не номер товара" in s, s
    assert "строка 6: количество должно быть больше нуля" in s, s
    assert level(con, a) == (10, 15000) and level(con, b, 1) == (5, 20000)

    boss.send(f"# бой при переезде\n{a} 3\n{b}.1 5")
    boss.expect("Списание: проверьте")
    s = boss.screen().text
    assert f"{a} Амбра: 10 → 7 (−3)" in s and f"{b}.1 Бергамот — 10 мл: 5 → 0 (−5)" in s, s
    assert "Строк: 2, всего −8 шт на −1 450 ₽" in s, s
    assert level(con, a) == (10, 15000)
    boss.press("✅ Списать")
    boss.expect("Списано: 2 позиции, −8 шт")
    assert level(con, a) == (7, 15000) and level(con, b, 1) == (0, 20000)
    assert con.execute("SELECT product_id, variant_no, qty, comment FROM warehouse_ledger WHERE kind = 'writeoff' "
                       "ORDER BY id").fetchall() == [(a, 0, -3, "бой при переезде"), (b, 1, -5, "бой при переезде")]
    assert logged(con, "списание: 2 строки, изменено 2 позиции, −8 шт%бой при переезде") == 1

    # stock-take: discrepancies shown, equal lines counted, applied on ✅
    boss.press("⬅️ Склад")
    boss.press("📝 Инвентаризация")
    boss.send(f"{a} 6\n{b}.1 0\n{b}.2 4\n{b}.2 5")
    assert f"строка 4: {b}.2 уже есть в строке 3" in boss.screen().text
    boss.send(f"{a} 6\n{b}.1 0\n{b}.2 4")
    boss.expect("расхождения")
    s = boss.screen().text
    assert f"{a} Амбра: учёт 7, факт 6 (−1)" in s and f"{b}.2 Бергамот — 30 мл: учёт 2, факт 4 (+2)" in s, s
    assert "совпадает: 1, расхождений: 2 (+1 шт на 450 ₽)" in s, s
    boss.press("✅ Исправить остатки")
    boss.expect("исправлено 2 позиции (+1 шт)")
    assert level(con, a) == (6, 15000) and level(con, b, 2) == (4, 30000)
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_ledger WHERE kind = 'stocktake'") == 2

    # an expired confirmation changes nothing
    boss.press("⬅️ Склад")
    boss.press("🗑 Списание")
    boss.send(f"{a} 1")
    boss.expect("Списание: проверьте")
    advance(w, 2 * 3600)
    boss.press("✅ Списать")
    boss.expect("Время на ответ истекло")
    assert level(con, a) == (6, 15000)
    consistent(w)


@pytest.mark.features("F-WH-03", "F-WH-09")
def test_bulk_writeoff_from_a_file(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    ids = [product(con, f"Товар {i}") for i in range(2000)]
    for pid in ids:
        con.execute("INSERT INTO warehouse_item(product_id, variant_no, on_hand, reserved, unit_cost) "
                    "VALUES (?, 0, 5, 0, 100)", (pid,))
        con.execute("INSERT INTO warehouse_ledger(at, product_id, variant_no, kind, qty, reserved, stock_after, "
                    "available_after, unit_cost, staff_id) VALUES (0, ?, 0, 'supply', 5, 0, 5, 5, 100, 0)", (pid,))
    con.commit()
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press("🗑 Списание")
    # over the form limit (10,000 lines): refused with the line number, nothing written
    huge = "".join(f"{ids[i % 2000]} 1\n" for i in range(10001))
    boss.send_document("spisanie.txt", huge.encode(), mime_type="text/plain")
    s = boss.screen().text
    assert "Ничего не списано" in s and "строка 10001: слишком много строк" in s, s
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_ledger WHERE kind = 'writeoff'") == 0
    boss.send_document("photo.jpg", b"\xff\xd8\xff\x00binary", mime_type="image/jpeg")
    assert "не текстовый файл" in boss.screen().text
    # 2,000 lines from a file (a whole shop's write-off): preview cut, all applied in one go
    boss.send_document("spisanie.txt", "".join(f"{pid} 2\n" for pid in ids).encode(), mime_type="text/plain",
                       caption="списание за ноябрь")               # the file is read, not its caption
    boss.expect("Списание: проверьте")
    s = boss.screen().text
    assert "… и ещё 1960" in s and "Строк: 2000, всего −4000 шт" in s, s
    boss.press("✅ Списать")
    boss.expect("Списано: 2 000 позиций")
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_ledger WHERE kind = 'writeoff'") == 2000
    assert hk.scalar(con, "SELECT sum(on_hand) FROM warehouse_item") == 6000
    # the overview pages through 2,000 items, 15 a page, totals over all of them
    boss.press("📋 Остатки")
    s = boss.screen()
    assert "Страница 1 из 134" in s.text and "Всего: 2 000 позиций — 🟢 2000" in s.text and "Вперёд ▶️" in s.button_texts
    assert "На складе: 6000 шт на 6 000 ₽" in s.text, s
    boss.press("Вперёд ▶️")
    s = boss.screen()
    assert "Страница 2 из 134" in s.text and f"{ids[15]} Товар 15: 3 шт" in s.text and "◀️ Назад" in s.button_texts, s
    consistent(w)


@pytest.mark.features("F-WH-01")
def test_roles_and_forged_buttons(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    a = product(con, "Амбра")
    stock(con, a, 0, 3, 100)
    anna = tgsim.user("Анна")
    anna.send("/start")
    anna.press_data("wrh:o:0", force=True)
    assert hk.DENIED in (anna.last_answer() or {}).get("text", "") or hk.DENIED in anna.screen().text
    anna.press_data("wrh:e:1:0", force=True)
    assert hk.scalar(con, "SELECT count(*) FROM wh_conv WHERE chat_id = ? AND active = 1", anna.id) == 0

    m = tgsim.user("Борис")
    m.send("/start")
    con.execute("UPDATE wh_users SET role = 2 WHERE id = ?", (m.id,))
    con.commit()
    admin(m)
    # a forged or stale item: told, and back to the section
    m.press_data("wrh:i:999:0", force=True)
    assert "Такого товара нет в каталоге" in (m.last_answer() or {}).get("text", ""), m.dump()
    m.press_data("wrh:i:abc", force=True)
    m.expect("Выберите действие")
    m.press_data(f"wrh:i:{a}:0", force=True)
    m.expect("Последние движения")


@pytest.mark.features("F-WH-01", "F-WH-09")
def test_deleted_product_is_archived_not_reservable(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["catalog", "warehouse", "stockprobe"])
    con = w.db()
    a = product(con, "Амбра")
    b = product(con, "Бергамот")
    stock(con, a, 0, 4, 100)
    stock(con, b, 0, 2, 100)
    anna = tgsim.user("Анна")
    anna.send(f"/sp_buy 5 {a} 1")
    assert anna.screen().text.startswith("ok")
    boss = hk.owner(tgsim)
    boss.send("/start")
    boss.press_data(f"cown:dpy:{a}", force=True)          # the owner deletes it in 📦 Товары
    assert hk.scalar(con, "SELECT count(*) FROM catalog_product WHERE id = ?", a) == 0
    hk.wait_until(lambda: hk.scalar(con, "SELECT deleted FROM warehouse_item WHERE product_id = ?", a) == 1,
                  what="catalog.product_deleted handled")
    anna.send(f"/sp_avail {a}")
    assert anna.screen().text == "not found: доступно 0"
    anna.send(f"/sp_buy 6 {a} 1 {b} 1")
    assert anna.screen().text.startswith("not found")
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_reservation WHERE order_id = 6") == 0
    # the order placed before the deletion still sells; the ledger keeps the level
    anna.send("/sp_commit 5")
    assert anna.screen().text == "ok: commit 5"
    assert level(con, a) == (3, 100)
    admin(boss)
    boss.press("📋 Остатки")
    s = boss.screen().text
    assert "Амбра" not in s and "Бергамот" in s and "Всего: 1 позиция" in s, s
    boss.press("⬅️ Склад")
    boss.press("🗑 Списание")
    boss.send(f"{a} 1")
    assert f"строка 1: товара {a} нет в каталоге" in boss.screen().text
    consistent(w)


@pytest.mark.features("F-WH-01", "F-WH-04")
def test_demo_stock_fills_an_empty_warehouse_once(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["catalog", "warehouse"],
                 conf_files={"40-demo.ini": "[plugin.catalog]\ndemo = yes\n[plugin.warehouse]\ndemo = yes\n"})
    con = w.db()
    anna = tgsim.user("Анна")
    anna.send("/start p1")                      # the catalog loads its demo; the card asks for stock
    s = anna.screen()
    assert "Цветущий сад" in s.text and "❌ Нет в наличии" not in s.text, s
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_supply") == 1
    assert hk.scalar(con, "SELECT name FROM warehouse_supplier") == "Демо-поставщик"
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press("📋 Остатки")
    s = boss.screen().text
    assert "🟢" in s and "🟡" in s and "🔴" in s, s
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_supply") == 1   # once
    consistent(w)


@pytest.mark.features("F-WH-01", "F-CAT-01")
def test_demo_stock_is_there_when_the_owner_opens_the_warehouse_first(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["catalog", "warehouse"],
                 conf_files={"40-demo.ini": "[plugin.catalog]\ndemo = yes\n[plugin.warehouse]\ndemo = yes\n"})
    con = w.db()
    boss = hk.owner(tgsim)
    s = admin(boss)                             # nobody has opened the catalog yet
    m = re.search(r"В наличии: (\d+) позици[яий]", s.text)
    assert m and int(m.group(1)) > 0, s.text
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_supply") == 1
    consistent(w)


@pytest.mark.features("F-CAT-01")
def test_demo_catalog_is_there_when_staff_open_products_first(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["catalog"], conf_files={"40-demo.ini": "[plugin.catalog]\ndemo = yes\n"})
    boss = hk.owner(tgsim)
    boss.send("/admin")
    boss.expect(hk.ADMIN_TITLE)
    boss.press("📦 Товары")                     # before anybody opened the catalog
    assert any("Парфюмерия" in t for t in boss.screen().button_texts), boss.dump()
    assert hk.scalar(w.db(), "SELECT count(*) FROM catalog_product") > 0


@pytest.mark.features("F-WH-04", "F-WH-09")
def test_supply_of_an_empty_item_fires_back_in_stock(tgsim, walord, tmp_path):
    w, con = start(walord, tmp_path)
    tea = product(con, "Пуэр")
    anna = tgsim.user("Анна")
    anna.send(f"/start p{tea}")
    assert "❌ Нет в наличии" in anna.screen().text            # never supplied: 0, not "always in stock"
    anna.press("🔔 Сообщить о поступлении")
    assert "Мы напишем" in (anna.last_answer() or {}).get("text", ""), anna.dump()
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press("🚚 Поставка")
    boss.send("Чайный дом")                                     # a new supplier typed in
    boss.expect("шаг 2 из 3")
    boss.send(f"{tea} 3")
    boss.send(f"{tea} 900")
    boss.press("✅ Провести поставку")
    boss.expect("Поставка №1 проведена")
    anna.expect("Снова в наличии: Пуэр")
    # a second supply (3 → 6) is no comeback: no second message
    boss.press("🚚 Поставка")
    boss.press("🏭 Чайный дом")
    boss.send(f"{tea} 3")
    boss.send(f"{tea} 900")
    boss.press("✅ Провести поставку")
    boss.expect("Поставка №2 проведена")
    # both stock.changed events delivered to the catalog before counting its messages
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = 'catalog' "
                                         "AND delivered_at IS NOT NULL") == 2, what="two deliveries")
    assert sum("Снова в наличии" in (m.get("text") or "") for m in anna.bot_messages()) == 1
    assert level(con, tea) == (6, 30000)
    events = [json.loads(r[0]) for r in con.execute(
        "SELECT payload FROM wh_events WHERE event = 'stock.changed' AND aggregate = ? ORDER BY id", (f"stock:{tea}",))]
    assert [(e["before"], e["after"], e["reason"]) for e in events] == [(0, 3, "supply"), (3, 6, "supply")]


@pytest.mark.features("F-WH-02", "F-WH-03", "F-WH-06", "F-WH-07")
def test_reserved_units_bound_edits_and_forged_supplier(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["catalog", "warehouse", "stockprobe"])
    con = w.db()
    a = product(con, "Амбра")
    stock(con, a, 0, 5, 100)
    anna = tgsim.user("Анна")
    anna.send(f"/sp_buy 9 {a} 3")                       # an unpaid order holds 3 of the 5
    assert anna.screen().text.startswith("ok")
    boss = hk.owner(tgsim)
    admin(boss)
    boss.press("📋 Остатки")
    assert f"{a} Амбра: 5 шт (резерв 3) × 1 ₽ = 5 ₽" in boss.screen().text
    boss.press(f"🟢 {a}")
    boss.press("✏️ Изменить остаток")
    boss.send("2")
    assert "В резерве 3 шт — остаток не может быть меньше" in boss.screen().text
    boss.send("/cancel")
    admin(boss)
    boss.press("🗑 Списание")
    boss.send(f"{a} 3")
    assert "строка 1: доступно 2 шт, списать 3 нельзя" in boss.screen().text
    boss.send("/cancel")
    admin(boss)
    boss.press("📝 Инвентаризация")
    boss.send(f"{a} 2")
    assert "строка 1: в резерве 3 шт — факт не может быть меньше" in boss.screen().text
    assert level(con, a) == (5, 100)
    boss.send("/cancel")

    # a new supplier typed in a cancelled supply is not written
    admin(boss)
    boss.press("🚚 Поставка")
    boss.send("Ромашка")
    boss.expect("шаг 2 из 3")
    boss.press("✖️ Отмена")
    boss.expect("Поставка отменена")
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_supplier") == 0
    # the supplier deleted while the supply waits for ✅: told, the supplier asked again
    boss.press("🏭 Поставщики")
    boss.press("➕ Добавить поставщика")
    boss.send("Ромашка")
    boss.expect("Поставщик добавлен")
    boss.press("🚚 Поставка")
    boss.press("🏭 Ромашка")                            # a quick answer: the name, as if typed
    boss.send(f"{a} 1")
    boss.send(f"{a} 100")
    boss.expect("Остатки изменятся после")
    con.execute("DELETE FROM warehouse_supplier WHERE name = 'Ромашка'")
    con.commit()
    boss.press("✅ Провести поставку")
    s = boss.screen().text
    assert "Этого поставщика больше нет" in s and "шаг 1 из 3" in s, boss.dump()
    assert hk.scalar(con, "SELECT count(*) FROM warehouse_supply") == 0
    consistent(w)
