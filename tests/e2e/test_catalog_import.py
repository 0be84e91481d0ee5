"""catalog plugin, F-CAT-07: the owner's Excel export and import
(plugins/catalog/import.c). The export document is read back with
openpyxl; imports are sent as Telegram documents, which the host downloads
for the plugin (SDK 1.1 file_download)."""

from __future__ import annotations

import io

import openpyxl
import pytest

import hostkit as hk
from test_catalog_browse import Shop

MENU_BTN = "📥 Импорт / 📤 Экспорт"
HEADER = ["ID товара", "Категория", "Название", "Описание", "Вариант", "Цена, ₽", "Вес, г", "Скидка, %",
          "Скрыт", "Фото"]


def start(walord, tmp_path):
    d = tmp_path / "imports"
    d.mkdir()
    w = hk.start(walord, tmp_path, plugins=["catalog"])
    return w, Shop(w), d


def open_import(sim):
    boss = hk.owner(sim)
    boss.send("/start")
    boss.press(hk.ADMIN_BTN)
    boss.press(MENU_BTN)
    boss.expect("Пришлите файл .xlsx или .csv")
    return boss


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Каталог"
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def last_document(sim, boss):
    docs = [m for m in boss.bot_messages() if m.get("document")]
    assert docs, boss.dump()
    return docs[-1]


@pytest.mark.features("F-CAT-07")
def test_export_reads_back_and_round_trips(tgsim, walord, tmp_path):
    w, shop, d = start(walord, tmp_path)
    face = shop.cat("Лицо", parent=shop.cat("Уход"))
    shop.product("Крем «Ёжик»", cat=face, variants=[("50 мл", 100000, 300), ("100 мл", 180050, 550)],
                 discount=10, description="<b>нежный</b>", photo="AgACAgIAAxk")
    shop.product("Пуэр", cat=shop.cat("Чай"), price=45050, hidden=1, image_url="https://img.example/p.jpg")
    boss = open_import(tgsim)
    boss.press("📤 Выгрузить")
    doc = hk.wait_until(lambda: [m for m in boss.bot_messages() if m.get("document")], what="export document")[-1]
    assert doc["document"]["file_name"].endswith(".xlsx")
    data = tgsim.file_bytes(doc["document"]["file_id"])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.title == "Каталог"
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1][:6] == [1, "Уход / Лицо", "Крем «Ёжик»", "<b>нежный</b>", "50 мл", 1000]
    assert rows[2][4:10] == ["100 мл", 1800.5, 550, 10, 0, "AgACAgIAAxk"]
    assert rows[3][1:3] == ["Чай", "Пуэр"] and rows[3][5] == 450.5 and rows[3][8] == 1
    assert rows[3][9] == "https://img.example/p.jpg"

    # the export, imported again, changes nothing
    (d / "export.xlsx").write_bytes(data)
    boss.send_document("export.xlsx", (d / "export.xlsx").read_bytes())
    boss.expect("Предпросмотр импорта")
    s = boss.screen()
    assert "Новых товаров: 0" in s.text and "Изменённых: 0" in s.text and "Ошибок: 0" in s.text, s
    assert "Изменений нет" in s.text
    assert "✅ Применить" not in s.button_texts


@pytest.mark.features("F-CAT-07")
def test_import_preview_confirm_apply(tgsim, walord, tmp_path):
    w, shop, d = start(walord, tmp_path)
    tea = shop.cat("Чай")
    pid = shop.product("Пуэр", cat=tea, variants=[("50 г", 50000, 50), ("100 г", 90000, 100)])
    (d / "new.xlsx").write_bytes(xlsx([
        [pid, "Чай", "Пуэр", "", "100 г", 95000 / 100, 100, 0, 0, None],
        [pid, "Чай", "Пуэр", "", "250 г", 2000, 250, 0, 0, None],
        [None, "Уход / Тело", "Масло", "Для тела", "30 мл", 500, 100, 5, 0, None],
        [None, "Уход / Тело", "Масло", "Для тела", "60 мл", "900,50", None, 5, 0, None],
        [None, "/", "Подарок", "", None, 1500, None, None, None, "https://x.example/g.png"],
    ]))
    boss = open_import(tgsim)
    boss.send_document("new.xlsx", (d / "new.xlsx").read_bytes())
    s = boss.expect("Предпросмотр импорта")
    s = boss.screen()
    assert "Новых товаров: 2" in s.text and "Изменённых: 1" in s.text and "Новых категорий: 2" in s.text, s
    assert f"ID {pid} «Пуэр»: варианты/цены" in s.text
    # nothing is written before the confirmation
    assert hk.scalar(shop.con, "SELECT count(*) FROM catalog_product") == 1
    boss.press("✅ Применить")
    boss.expect("Импорт применён")
    con = w.db()
    assert con.execute("SELECT no, label, price, weight_g FROM catalog_variant WHERE product_id = ? ORDER BY sort",
                       (pid,)).fetchall() == [(2, "100 г", 95000, 100), (3, "250 г", 200000, 250)]
    oil = con.execute("SELECT p.id, c.name, p.description, p.discount_pct, p.name_lc FROM catalog_product p "
                      "JOIN catalog_category c ON c.id = p.category_id WHERE p.name = 'Масло'").fetchone()
    assert oil[1:] == ("Тело", "Для тела", 5, "масло")
    assert con.execute("SELECT label, price, weight_g FROM catalog_variant WHERE product_id = ? ORDER BY sort",
                       (oil[0],)).fetchall() == [("30 мл", 50000, 100), ("60 мл", 90050, 0)]
    assert con.execute("SELECT category_id, price, image_url FROM catalog_product WHERE name = 'Подарок'"
                       ).fetchone() == (0, 150000, "https://x.example/g.png")
    assert hk.scalar(con, "SELECT count(*) FROM catalog_category") == 3
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what = ?",
                     "импорт каталога: 2 новых товаров, 1 изменённых, 2 новых категорий") == 1
    # the changed product is announced to other plugins (new ones are not: nothing cached them yet)
    assert con.execute("SELECT aggregate FROM wh_events WHERE event = 'catalog.product_changed'").fetchall() == \
        [(f"product:{pid}",)]


@pytest.mark.features("F-CAT-07")
def test_import_with_three_bad_rows_changes_nothing(tgsim, walord, tmp_path):
    w, shop, d = start(walord, tmp_path)
    tea = shop.cat("Чай")
    pid = shop.product("Пуэр", cat=tea, price=50000)
    before = shop.con.execute("SELECT * FROM catalog_product ORDER BY id").fetchall()
    # a good change of an existing product in the same file: not applied either
    rows = [[pid, "Чай", "Пуэр выдержанный", "", None, 700, None, 10, None, None]]
    rows += [[None, "Чай", f"Чай №{i}", "", None, 100 + i, None, None, None, None] for i in range(1, 39)]
    rows += [[None, "Чай", "Плохой 1", "", None, "abc", None, None, None, None],
             [9999, "Чай", "Плохой 2", "", None, 10, None, None, None, None],
             [None, "Чай", "Плохой 3", "", None, 10, None, 150, None, None]]
    (d / "bad.xlsx").write_bytes(xlsx(rows))
    boss = open_import(tgsim)
    boss.send_document("bad.xlsx", (d / "bad.xlsx").read_bytes())
    boss.expect("Предпросмотр импорта")
    s = boss.screen()
    assert "Ошибок: 3" in s.text and "Новых товаров: 0" in s.text, s
    assert "строка 41: цена «abc» — не число" in s.text
    assert "строка 42: товара с ID 9999 нет в каталоге" in s.text
    assert "строка 43: скидка «150»" in s.text
    assert "✅ Применить" not in s.button_texts
    # a forged "apply" press cannot apply a plan with errors either (the host's
    # "✖️ Отмена" under the preview names the conversation: _x<seq>)
    seq = [x[2:] for row in s.buttons for _, x in row if x and x.startswith("_x")]
    assert seq, s.buttons
    boss.press_data(f"_c{seq[0]}:apply", force=True)
    assert shop.con.execute("SELECT * FROM catalog_product ORDER BY id").fetchall() == before
    assert hk.scalar(shop.con, "SELECT count(*) FROM catalog_category") == 1
    assert hk.scalar(shop.con, "SELECT count(*) FROM catalog_variant") == 0
    assert hk.scalar(shop.con, "SELECT count(*) FROM wh_action_log") == 0


@pytest.mark.features("F-CAT-07")
def test_import_5000_products(tgsim, walord, tmp_path):
    w, shop, d = start(walord, tmp_path)
    rows = [[None, f"Раздел {i % 20} / Полка {i % 7}", f"Товар №{i}", "", "1 шт", 100 + i, 10, None, None, None]
            for i in range(1, 5001)]
    (d / "big.xlsx").write_bytes(xlsx(rows))
    boss = open_import(tgsim)
    boss.send_document("big.xlsx", (d / "big.xlsx").read_bytes(), timeout=60)
    boss.expect("Предпросмотр импорта", timeout=60)
    assert "Новых товаров: 5000" in boss.screen().text
    boss.press("✅ Применить", timeout=120)
    boss.expect("Импорт применён", timeout=120)
    con = w.db()
    assert hk.scalar(con, "SELECT count(*) FROM catalog_product") == 5000
    assert hk.scalar(con, "SELECT count(*) FROM catalog_variant") == 5000


@pytest.mark.features("F-CAT-07")
def test_owner_uploads_xlsx_through_telegram(tgsim, walord, tmp_path):
    """The real path: the owner sends the file as a document, the host
    downloads it (SDK 1.1 file_download), the plugin previews and applies."""
    w, shop, d = start(walord, tmp_path)
    boss = open_import(tgsim)
    boss.send("каталог")
    boss.expect("Пришлите файл .xlsx или .csv документом")
    boss.send_document("каталог.txt", b"x")
    boss.expect("Нужен файл .xlsx или .csv")
    boss.send_document("каталог.xlsx", xlsx([
        [None, "Чай", "Сенча", "", "50 г", 400, 50, 0, 0, None],
    ]))
    boss.expect("Предпросмотр импорта")
    assert "Новых товаров: 1" in boss.screen().text
    boss.press("✅ Применить")
    boss.expect("Импорт применён")
    assert hk.scalar(w.db(), "SELECT count(*) FROM catalog_product WHERE name = 'Сенча'") == 1


@pytest.mark.features("F-CAT-07")
def test_csv_import_as_excel_saves_it(tgsim, walord, tmp_path):
    """A .csv as Russian Excel writes it: UTF-8 with a BOM, ';' between
    fields, decimal commas, a quoted field holding ';' and a line break."""
    w, shop, d = start(walord, tmp_path)
    tea = shop.cat("Чай")
    pid = shop.product("Пуэр", cat=tea, price=50000)
    csv = ("\ufeff" + ";".join(HEADER) + "\r\n"
           + f"{pid};Чай;Пуэр;;;650,50;;;;\r\n"
           + ';Чай / Зелёный;Сенча;"Свежий; ароматный\r\nурожай";50 г;400;50;10;0;\r\n'
           + ";Чай / Зелёный;Сенча;\"Свежий; ароматный\r\nурожай\";100 г;750;100;10;0;\r\n").encode()
    boss = open_import(tgsim)
    boss.send_document("прайс.csv", csv)
    boss.expect("Предпросмотр импорта")
    s = boss.screen()
    assert "Новых товаров: 1" in s.text and "Изменённых: 1" in s.text and "Ошибок: 0" in s.text, s
    boss.press("✅ Применить")
    boss.expect("Импорт применён")
    con = w.db()
    assert hk.scalar(con, "SELECT price FROM catalog_product WHERE id = ?", pid) == 65050
    row = con.execute("SELECT id, description, discount_pct FROM catalog_product WHERE name = 'Сенча'").fetchone()
    assert row[1] == "Свежий; ароматный\nурожай" and row[2] == 10
    assert con.execute("SELECT label, price, weight_g FROM catalog_variant WHERE product_id = ? ORDER BY sort",
                       (row[0],)).fetchall() == [("50 г", 40000, 50), ("100 г", 75000, 100)]
