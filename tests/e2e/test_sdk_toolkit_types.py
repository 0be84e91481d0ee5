"""The corners of the SDK 1.3 toolkit, through the test plugin
tests/plugins/formprobe: every typed step as a person answers it (e-mail,
a shared contact, a photo, a date within bounds, signed money, a choice from
a table that changes under the user, text asked by prompt_fn) and the JSON
types that land in on_done; a hand-written conversation with the host's
cancel and no on_cancel; a list rendered by index; walor_texts refusing a
taken key."""

from __future__ import annotations

import datetime
import json
import struct
import zlib
from zoneinfo import ZoneInfo

import pytest

import hostkit as hk
from test_orders_kit import clock

CANCEL = "✖️ Отмена"


def start(walord, tmp_path, free_port, **kw):
    port = free_port()
    w = hk.start(walord, tmp_path, plugins=("formprobe",), extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n", **kw)
    w.port = port
    return w


def png(width, height):
    """A valid grey PNG of that size (tgsim reads the size from it)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def shop_date(w, days=0):
    now = datetime.datetime.fromtimestamp(clock(w), ZoneInfo("Europe/Moscow")).date()
    return now + datetime.timedelta(days=days)


@pytest.mark.features("F-HOST-07")
def test_every_typed_step_and_the_json_it_stores(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = tgsim.user("Иван")
    u.send("/form")
    u.send("не почта")
    assert "Напишите адрес почты, например name@example.ru" in u.screen().text
    u.send(" Ivan@Example.RU ")
    assert u.screen().text == "Телефон:"
    u.send_contact("79161234567", "Иван")                  # "share my contact" answers a PHONE step
    u.send("вот фото")
    assert "Пришлите фотографию" in u.screen().text
    u.send_photo(data=png(640, 480), filename="shelf.png")
    sent = [m for m in u.messages() if m["from"] != "bot" and m.get("photo")][-1]["photo"]
    assert len(sent) == 2                                  # a thumbnail first, then the photo itself
    largest = max(sent, key=lambda p: p["width"] * p["height"])["file_id"]
    lo, hi = shop_date(w), shop_date(w, 30)
    assert u.screen().text == f"Дата ({lo:%d.%m.%Y}–{hi:%d.%m.%Y}):"          # {min} {max} as dates
    u.send((hi + datetime.timedelta(days=1)).strftime("%d.%m.%Y"))
    assert f"Выберите дату с {lo:%d.%m.%Y} по {hi:%d.%m.%Y}" in u.screen().text
    u.send("завтра")
    assert u.screen().text == "Сумма (−1 000 ₽ … 1 000 ₽):"
    u.send("-2000")
    assert "Введите сумму от −1 000 ₽ до 1 000 ₽" in u.screen().text
    u.send("−500,50")
    s = u.screen()
    assert s.text == "Размер:" and s.button_texts == ["Средний", "Маленький", CANCEL], s
    u.send("Огромный")
    assert "Выберите один из вариантов кнопкой." in u.screen().text
    con = w.db()
    con.execute("DELETE FROM formprobe_size WHERE value = 's'")          # gone while the question is on screen
    con.commit()
    u.press("Маленький")
    s = u.screen()
    assert s.text.startswith("❌ Этот вариант больше недоступен") and s.button_texts == ["Средний", CANCEL], s
    u.send("  средний ")                                  # a choice may be typed: its label, any case
    s = u.screen()
    assert s.html == "Заметка для <b>Ivan@example.ru</b>:", s.html             # prompt_fn
    u.send("строка 1\nстрока <2>")
    s = u.screen()
    assert s.text == "Сводка: Ivan@example.ru, размер m" and s.button_texts[:2] == ["✅ Готово", "✏️ Изменить"]
    u.press("✅ Готово")
    u.expect("записано")
    data = json.loads(hk.scalar(con, "SELECT data FROM formprobe_done"))
    assert data == {"email": "Ivan@example.ru", "phone": "+79161234567", "photo": largest,
                    "day": f"{shop_date(w, 1):%Y-%m-%d}", "delta": -50050, "size": "m",
                    "note": "строка 1\nстрока <2>"}, data
    assert isinstance(data["delta"], int)                 # kopecks, an integer


@pytest.mark.features("F-HOST-07")
def test_plain_conversation_with_the_host_cancel_and_no_on_cancel(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = tgsim.user("Оля")
    u.send("/plain")
    s = u.screen()
    assert s.text == "Как дела?" and s.button_texts == ["Хорошо", CANCEL]
    u.press(CANCEL)
    assert u.last_answer()["text"] == "Отменено"
    s = u.screen()
    assert hk.MENU_TEXT in s.text and s.edited, s                 # the question became the menu
    u.send("/plain")
    u.send("/cancel")
    texts = [m.get("text") or "" for m in u.bot_messages()]
    assert texts[-2] == hk.CANCELLED and hk.MENU_TEXT in texts[-1], texts
    u.send("/plain")
    u.press("Хорошо")
    u.expect("Кнопка: good")
    assert hk.scalar(w.db(), "SELECT active FROM wh_conv WHERE chat_id = ?", u.id) == 0


@pytest.mark.features("F-HOST-07")
def test_list_rendered_by_index(tgsim, walord, tmp_path, free_port):
    start(walord, tmp_path, free_port)
    u = tgsim.user("Петя")
    u.send("/items 7")
    s = u.screen()
    assert s.text == "Пункты:\nПункт 1\nПункт 2\nПункт 3\n\nСтраница 1 из 3\n\nКонец списка", s.text
    assert s.button_texts == ["▶️"]
    u.press("▶️")
    assert u.screen().text.startswith("Пункты:\nПункт 4\nПункт 5\nПункт 6\n\nСтраница 2 из 3")
    assert u.screen().button_texts == ["◀️", "▶️"]
    u.press_data("fp:l:7:9", force=True)
    assert u.screen().text == "Пункты:\nПункт 7\n\nСтраница 3 из 3\n\nКонец списка"
    u.send("/items 0")
    s = u.screen()
    assert s.text == "Пусто.\n\nКонец списка" and s.button_texts == []


@pytest.mark.features("F-HOST-07")
def test_texts_table_with_a_taken_key_refuses_the_plugin(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, conf_files={"60-formprobe.ini": "[plugin.formprobe]\nbad_texts = yes\n"})
    w.wait_log(r"plugin formprobe refused: .*texts\[1\]: text formprobe\.hello is already registered", timeout=5)
    u = tgsim.user("Гриша")
    u.send("/form")
    u.expect(hk.UNKNOWN_CMD)


@pytest.mark.features("F-HOST-07")
def test_step_extensions_of_the_real_screens(tgsim, walord, tmp_path, free_port):
    """What the checkout, warehouse and B2B screens needed from the toolkit:
    formprobe's /order form (tests/plugins/formprobe)."""
    w = start(walord, tmp_path, free_port)
    u = tgsim.user("Нина")
    u.send("/order")
    s = u.screen()
    assert s.text == "Куда?" and s.button_texts == ["✅ Москва, Тверская 1", CANCEL], s   # keep_label
    u.send_location(55.7576, 37.6131)                      # WALOR_STEP_LOCATION: a shared point answers
    s = u.screen()
    assert s.text == "Почта:" and s.button_texts == ["Без почты", CANCEL], s             # skip_label
    u.send("нина@")
    assert u.screen().text.startswith("❌ Адрес «нина@» не похож на почту.")             # {input} in .error
    u.press("Без почты")
    assert u.screen().text == "Список:"
    u.send_document("photo.jpg", b"\xff\xd8\xff\x00binary", mime_type="image/jpeg")
    assert "не текстовый файл" in u.screen().text          # WALOR_STEP_FILE: only text files
    u.send("мыло 1\nплохо <2>")
    s = u.screen()
    assert s.text.startswith("❌ Строки «мыло 1\nплохо <2>» не подходят."), s.text      # {input} in a validator's why
    assert "&lt;2&gt;" in s.html
    big = "".join(f"товар {i}\n" for i in range(6000))     # longer than one message could be
    u.send_document("list.txt", big.encode(), mime_type="text/plain")
    assert u.screen().text == "Доставка:"
    u.send("0")                                            # nothing to pay: "Кто платит" is not asked
    s = u.screen()
    assert s.text == "Заказ: точка 55.7576, 37.6131; строк 6000; доставка 0 ₽", s.text
    assert s.button_texts == ["✅ Провести", "✏️ Изменить", CANCEL], s                  # done_label
    u.send("чай 2\nкофе 3")                               # WALOR_STEP_AT_SUMMARY: a new list replaces it
    s = u.screen()
    assert s.text == "Заказ: точка 55.7576, 37.6131; строк 2; доставка 0 ₽", s.text
    u.press("✏️ Изменить")
    s = u.screen()
    assert "Кто платит" not in s.button_texts and "Доставка" in s.button_texts, s      # ask_if: not now
    u.press("Доставка")
    u.send("300")                                          # now it applies: asked after the edit
    s = u.screen()
    assert s.text == "Кто платит 300 ₽?", s.text
    u.press("Магазин")
    assert u.screen().text == "Заказ: точка 55.7576, 37.6131; строк 2; доставка 300 ₽, платит shop"
    u.send("чай 2\nнет на складе")
    s = u.screen()
    assert s.text.startswith("Заказ:") and "строк 2" in s.text
    ok = s.button_data("✅ Провести")
    u.press("✅ Провести")                                 # walor_form_retry(c, NULL, why): the summary again
    s = u.screen()
    assert s.text.startswith("❌ Не хватает товара: исправьте список.\n\nЗаказ:"), s.text
    assert hk.scalar(w.db(), "SELECT count(*) FROM formprobe_done") == 0
    u.send("чай 2")
    u.press_data(ok, force=True)                           # the older summary's button still counts
    u.expect("записано")
    data = json.loads(hk.scalar(w.db(), "SELECT data FROM formprobe_done"))
    assert data["place"] == {"lat": pytest.approx(55.7576), "lon": pytest.approx(37.6131)}
    assert data["email"] is None and data["list"] == "чай 2" and data["cost"] == 30000 and data["payer"] == "shop"
