"""analytics' staff screens: manual revenue (F-AN-07) recorded by a manager,
listed, changed and deleted by the owner only and counted everywhere from
its date; a period typed as two dates and the month picker (F-AN-02), with
every bad answer named; the admin panel button and the role checks."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_analytics_kit as ak
import test_orders_kit as ok


def manager(w, sim):
    m = sim.user("Мария")
    m.send("/start")
    ok.make_role(w, m, 2)
    return m


def record(u, amount: str, date_button: str | None, date_text: str | None, category: str, comment: str | None):
    ak.stats(u)
    u.press("✍️ Ручная выручка")
    u.press("➕ Записать продажу")
    u.expect("Сумма продажи")
    u.send(amount)
    u.expect("Дата продажи")
    if date_button:
        u.press(date_button)
    else:
        u.send(date_text)
    u.expect("Категория")
    u.press(category)
    u.expect("Комментарий")
    if comment is None:
        u.press("⏭ Пропустить")
    else:
        u.send(comment)
    u.expect("Записать продажу?")
    u.press("✅ Готово")
    assert u.last_answer()["text"].startswith("✅ Записано")
    return u.expect("Ручная выручка")


@pytest.mark.features("F-AN-07", "F-AN-01")
def test_manual_revenue_recorded_listed_edited_by_owner_only(tgsim, walord, tmp_path, free_port):
    w, _ = ak.start(walord, tmp_path, free_port)
    boss = hk.owner(tgsim)
    boss.send("/start")
    m = manager(w, tgsim)
    t = ak.now(w)
    yesterday = ak.local(ak.day_start(t) - 1).strftime("%d.%m.%Y")
    # a manager records two sales; bad answers are named and asked again
    ak.stats(m)
    m.press("✍️ Ручная выручка")
    m.expect("записей пока нет")
    m.press("➕ Записать продажу")
    m.send("-5")
    m.expect("❌")
    m.send("12 500,50")
    m.expect("Дата продажи")
    future = ak.local(t + 3 * 86400).strftime("%d.%m.%Y")
    m.send(future)
    m.expect("Нужна дата не позже сегодняшней")
    m.send("31.02.2026")
    m.expect("❌")
    m.press("Сегодня")
    m.press("Маркетплейс")
    m.send("заказы с Озона за день")
    scr = m.expect("Записать продажу?")
    assert "12 500,50 ₽" in scr["text"] and "Маркетплейс" in scr["text"]
    m.press("✅ Готово")
    assert m.last_answer()["text"] == "✅ Записано: №1, 12 500,50 ₽"
    record(m, "3000", None, yesterday, "Офлайн-продажа", None)
    rows = w.db().execute("SELECT id, amount, day, category, comment, staff_id FROM analytics_manual ORDER BY id").fetchall()
    assert rows == [(1, 1250050, ak.day_start(t), "Маркетплейс", "заказы с Озона за день", m.id),
                    (2, 300000, ak.day_start(t) - 86400, "Офлайн-продажа", "", m.id)]
    # listed newest date first
    scr = m.screen()
    assert "Записей: 2, на 15 500,50 ₽" in scr.text
    assert scr.text.index("№1") < scr.text.index("№2")
    # counted: today only the first, all time both
    got = ak.figures(ak.stats(m)["text"])
    assert got["today"] == 1250050 and got["all"] == 1550050
    # a manager may look, not change: no buttons, and a forged press is refused by the host
    ak.stats(m)
    m.press("✍️ Ручная выручка")
    m.press("№1")
    assert "Изменить или удалить запись может владелец" in m.screen().text
    assert "✏️ Изменить" not in m.screen().button_texts
    m.press_data("ano:d:1", force=True)
    assert hk.DENIED in (m.last_answer() or {}).get("text", "") + m.screen().text
    # the owner changes the amount, keeps the rest with one press each
    ak.stats(boss)
    boss.press("✍️ Ручная выручка")
    boss.press("№1")
    boss.press("✏️ Изменить")
    boss.send("10000")
    boss.press(next(b for b in boss.screen().button_texts if b.startswith("↩️ Оставить")))
    boss.press(next(b for b in boss.screen().button_texts if b.startswith("↩️ Оставить")))
    boss.press(next(b for b in boss.screen().button_texts if b.startswith("↩️ Оставить")))
    boss.expect("Сохранить изменения?")
    boss.press("✅ Готово")
    assert boss.last_answer()["text"] == "✅ Изменения сохранены."
    assert "Сумма: 10 000 ₽" in boss.screen().text
    assert hk.scalar(w.db(), "SELECT amount FROM analytics_manual WHERE id = 1") == 1000000
    assert hk.scalar(w.db(), "SELECT comment FROM analytics_manual WHERE id = 1") == "заказы с Озона за день"
    # and deletes the second: it counts nowhere any more, but the row is kept
    ak.stats(boss)
    boss.press("✍️ Ручная выручка")
    boss.press("№2")
    boss.press("🗑 Удалить")
    boss.press("🗑 Да, удалить")
    assert hk.scalar(w.db(), "SELECT deleted FROM analytics_manual WHERE id = 2") == 1
    assert ak.figures(ak.stats(boss)["text"])["all"] == 1000000
    log = [r[0] for r in w.db().execute("SELECT what FROM wh_action_log WHERE what LIKE 'ручная выручка%' ORDER BY id")]
    assert log[0].startswith("ручная выручка №1: 12 500,50 ₽") and "сумма → 10 000 ₽" in log[2]
    assert log[-1] == "ручная выручка №2 удалена"


@pytest.mark.features("F-AN-02", "F-AN-03")
def test_periods_typed_and_picked(tgsim, walord, tmp_path, free_port):
    w, tea, boss, u = ak.tea_shop(walord, tmp_path, free_port, tgsim)
    oid = ok.new_order(u, f"{tea}x1@50000")
    assert ok.cmd(u, f"/ordprobe_paid {oid}") == "paid:0"
    t = ak.now(w)
    today = ak.local(t).strftime("%d.%m.%Y")
    long_ago = ak.local(t - 200 * 86400).strftime("%d.%m.%Y")
    # the chart over two typed dates: the end before the start, too long, then right
    ak.stats(boss)
    boss.press("📅 График за период")
    boss.press("🗓 Ввести даты")
    boss.expect("С какой даты?")
    boss.send("вчера?")
    boss.expect("❌")
    boss.send(today)
    boss.expect("По какую дату")
    boss.send(ak.local(t - 86400).strftime("%d.%m.%Y"))
    boss.expect("Вторая дата раньше первой")
    boss.press("✖️ Отмена")
    boss.expect("📊 Статистика")
    ak.stats(boss)
    boss.press("📅 График за период")
    boss.press("🗓 Ввести даты")
    boss.send(long_ago)
    boss.send(today)
    boss.expect("Слишком длинный период: не больше 93 дней")
    before = len(ak.photos(boss))
    boss.press("✖️ Отмена")
    ak.stats(boss)
    boss.press("📅 График за период")
    boss.press("🗓 Ввести даты")
    week_ago = ak.local(t - 6 * 86400).strftime("%d.%m.%Y")
    boss.send(week_ago)
    boss.send("сегодня")
    boss.expect("⏳ Готовлю график выручки")
    msg = ak.wait_photo(boss, before)
    assert f"Выручка · {week_ago} – {today}" in msg["caption"] and "Итого: 500 ₽" in msg["caption"]
    assert "активных дней: 1 из 7" in msg["caption"]
    img = ak.png_decode(tgsim.file_bytes(msg["photo"][-1]["file_id"]))
    bars = ak.bar_columns(img)
    assert len(bars) == 1 and bars[0][0] > (200 + 1110) / 2                 # today: the last of the 7 days
    # a P&L over the same dates typed in another way (longer periods are fine for Excel)
    before = len(ak.documents(boss))
    ak.stats(boss)
    boss.press("📑 P&L (Excel)")
    boss.press("🗓 Ввести даты")
    boss.send(long_ago)
    boss.send("сегодня")
    boss.expect("⏳ Готовлю P&L")
    doc = ak.wait_document(boss, before)
    assert f"{long_ago} – {today}" in doc["caption"]
    # the month picker: this year's months up to now, older years by ◀️
    ak.stats(boss)
    boss.press("🔤 ABC-анализ")
    boss.press("📅 Выбрать месяц")
    scr = boss.screen()
    d = ak.local(t).date()
    names = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
             "ноябрь", "декабрь"]
    assert names[d.month - 1] in scr.button_texts and (d.month == 12 or names[d.month] not in scr.button_texts)
    boss.press(f"◀️ {d.year - 1}")
    assert "декабрь" in boss.screen().button_texts
    before = len(ak.documents(boss))
    boss.press("декабрь")
    doc = ak.wait_document(boss, before)
    assert f"за декабрь {d.year - 1}: за период продаж нет" in doc["caption"]


@pytest.mark.features("F-AN-01")
def test_statistics_is_for_staff(tgsim, walord, tmp_path, free_port):
    w, _ = ak.start(walord, tmp_path, free_port)
    boss, u = hk.owner(tgsim), tgsim.user("Анна")
    boss.send("/admin")
    assert "📊 Статистика" in boss.screen().button_texts
    boss.press("📊 Статистика")
    boss.expect("💰 Выручка")
    u.send("/start")
    u.send("/stats")
    assert "Статистика" not in u.bot_messages()[-1]["text"]
    u.press_data("an:s", force=True)
    assert hk.DENIED in (u.last_answer() or {}).get("text", "") + u.screen().text
    u.press_data("an:p:pnl:2026:1", force=True)
    assert not ak.documents(u)
