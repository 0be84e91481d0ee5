"""The SDK 1.3 conversation toolkit, driven through the hello example
(sdk/examples/hello/hello.c) as a person would: a staff form of three
typed steps asked again with the reason, a summary with "✏️ Изменить", skip
and keep-the-old-value, a duplicate refused in on_done; the host's
"✖️ Отмена" and /cancel with the plugin's on_cancel; a paged list with stale
and forged page numbers; an expired form; the role checked at every step and
on the list's callback prefix; the admin panel in two columns by area."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_loyalty_kit import manager
from test_orders_kit import clock

CONTACTS = "📇 Контакты"
ADD = "➕ Добавить"
CANCEL = "✖️ Отмена"
SKIP = "⏭ Пропустить"
LIST_STALE = "Эта кнопка устарела — вот первая страница."


def start(walord, tmp_path, free_port, plugins=("hello", "probe")):
    port = free_port()
    w = hk.start(walord, tmp_path, plugins=plugins, extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n")
    w.port = port
    return w


def contacts(u):
    u.send("/admin")
    u.press(CONTACTS)
    return u.screen()


def texts(u):
    return [m.get("text") or "" for m in u.bot_messages()]


def rows(w):
    return w.db().execute("SELECT name, phone, birthday FROM hello_contacts ORDER BY id").fetchall()


def conv_active(w, u):
    return hk.scalar(w.db(), "SELECT coalesce(max(active), 0) FROM wh_conv WHERE chat_id = ?", u.id)


def add(m, name, phone=None, birthday=None):
    """A contact through the form; None presses ⏭ Пропустить. Ends at the summary."""
    m.press(ADD)
    m.send(name)
    m.press(SKIP) if phone is None else m.send(phone)
    m.press(SKIP) if birthday is None else m.send(birthday)
    return m.screen()


@pytest.mark.features("F-HOST-01", "F-HOST-03")
def test_staff_form_asks_again_with_the_reason_then_summary_and_edit(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    m = manager(tgsim, w)
    s = contacts(m)
    assert s.text == "📇 Контактов пока нет." and s.button_texts == [ADD, "⬅️ Админ-панель"], s
    m.press(ADD)
    s = m.screen()
    assert s.text == "Имя контакта:" and s.button_texts == [CANCEL]      # the host draws the cancel
    m.send("Я" * 65)
    s = m.screen()
    assert s.text.startswith("❌ ") and "от 1 до 64" in s.text and s.text.endswith("Имя контакта:"), s.text
    m.send("Анна <b>")
    s = m.screen()
    assert s.text == "Телефон Анна <b>:" and "&lt;b&gt;" in s.html          # data in prompts is escaped
    assert s.button_texts == [SKIP, CANCEL]
    m.send("12345")
    assert "Напишите номер телефона, например +7 912 345-67-89" in m.screen().text
    m.send("8 (912) 345-67-89")
    m.send("31.02.1990")
    assert "Такой даты нет в календаре" in m.screen().text
    m.send("01.01.2999")                                                    # the future: max is today
    assert "Выберите дату с " in m.screen().text
    m.send("25.12.1990")
    s = m.screen()
    assert s.text == "Анна <b>\nТелефон: +79123456789\nДень рождения: 25.12.1990", s.text
    assert s.button_texts == ["✅ Готово", "✏️ Изменить", CANCEL]
    # ✏️ Изменить: one step, then straight back to the summary
    m.press("✏️ Изменить")
    s = m.screen()
    assert s.text.endswith("Что изменить?")
    assert s.button_texts == ["Имя", "Телефон", "День рождения", "⬅️ Назад", CANCEL], s
    m.press("Телефон")
    s = m.screen()
    assert s.text == "Телефон Анна <b>:" and "↩️ Оставить: +79123456789" in s.button_texts, s
    m.send("+7 916 000-00-01")
    s = m.screen()
    assert s.text == "Анна <b>\nТелефон: +79160000001\nДень рождения: 25.12.1990", s.text
    assert rows(w) == []                                                    # nothing before ✅ Готово
    m.press("✅ Готово")
    s = m.screen()
    assert "Анна &lt;b&gt; — +79160000001" in s.html and s.button_texts[0] == "✏️ Анна <b>", s
    assert rows(w) == [("Анна <b>", "+79160000001", "1990-12-25")]
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what = 'добавил контакт Анна <b>'") == 1
    assert conv_active(w, m) == 0


@pytest.mark.features("F-HOST-01")
def test_skip_keep_the_old_value_and_a_refusal_in_on_done(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    m = manager(tgsim, w)
    contacts(m)
    s = add(m, "Борис")                                                     # both optional steps skipped
    assert s.text == "Борис\nТелефон: —\nДень рождения: —", s.text
    m.press("✅ Готово")
    s = add(m, "Вера", "+79123456789", "сегодня")
    m.press("✅ Готово")
    # the same phone again: on_done refuses with the reason and asks the phone once more
    add(m, "Галя", "89123456789", "1.2.2000")
    m.press("✅ Готово")
    s = m.screen()
    assert s.text.startswith("❌ Этот телефон уже записан у другого контакта.") and s.text.endswith("Телефон Галя:")
    assert "↩️ Оставить: +79123456789" in s.button_texts
    m.send("+79001112233")
    s = m.screen()                                                          # back at the summary, not the birthday
    assert s.text == "Галя\nТелефон: +79001112233\nДень рождения: 01.02.2000", s.text
    m.press("✅ Готово")
    assert [r[:2] for r in rows(w)] == [("Борис", None), ("Вера", "+79123456789"), ("Галя", "+79001112233")]
    # editing Вера: the same form started with her data, every old answer kept with one press
    m.press("✏️ Вера")
    s = m.screen()
    assert s.text == "Имя контакта:" and s.button_texts == ["↩️ Оставить: Вера", CANCEL], s
    m.press("↩️ Оставить: Вера")
    assert m.screen().button_texts == ["↩️ Оставить: +79123456789", SKIP, CANCEL]
    m.press("↩️ Оставить: +79123456789")
    m.send("02.03.1985")
    m.press("✅ Готово")
    assert rows(w)[1] == ("Вера", "+79123456789", "1985-03-02")
    assert hk.scalar(w.db(), "SELECT count(*) FROM hello_contacts") == 3
    # a client's own form keeps old answers the same way
    u = tgsim.user("Мария")
    u.send("/start")
    u.press(hk.INTRO_BTN)
    u.send("Мария")
    u.press("Москва")
    u.send("/start")
    u.press(hk.INTRO_BTN)
    s = u.screen()
    assert s.text == "Как вас зовут?" and s.button_texts == ["↩️ Оставить: Мария", CANCEL], s
    u.press("↩️ Оставить: Мария")
    assert u.screen().button_texts == ["Москва", "Санкт-Петербург", "↩️ Оставить: Москва", CANCEL]
    u.send("Тверь")
    u.expect("Привет, Мария из города Тверь! Записал.")


@pytest.mark.features("F-HOST-01")
def test_cancel_by_button_and_by_command_runs_on_cancel(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    m = manager(tgsim, w)
    contacts(m)
    m.press(ADD)
    m.send("Дима")
    question = m.screen()
    m.press(CANCEL)
    assert m.last_answer()["text"] == "Отменено"
    s = m.screen()                                          # on_cancel: the list, in place of the question
    assert s.message_id == question.message_id and s.text == "📇 Контактов пока нет.", s
    assert conv_active(w, m) == 0 and rows(w) == []
    m.press(ADD)
    m.send("Дима")
    question = m.screen()
    n = len(texts(m))
    m.send("/cancel")
    assert texts(m)[n:] == ["📇 Контактов пока нет."]      # on_cancel's screen only, no host text
    assert conv_active(w, m) == 0 and rows(w) == []
    # that question's ✖️ is stale now
    m.press(CANCEL, message_id=question.message_id)
    assert m.last_answer()["text"] == hk.STALE
    m.send("Дима")
    assert m.screen().text == hk.NOT_UNDERSTOOD or hk.NOT_UNDERSTOOD in texts(m)[-2]


@pytest.mark.features("F-HOST-01", "F-HOST-02")
def test_paged_list_stale_and_forged_pages_and_a_client_refused(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    con = w.db()
    con.executemany("INSERT INTO hello_contacts(name, phone) VALUES (?, ?)",
                    [(f"К{i:02d}", f"+7900000{i:04d}") for i in range(1, 13)])
    con.commit()
    m = manager(tgsim, w)

    def names():
        return [t.split(" ", 1)[1] for t in m.screen().button_texts if t.startswith("✏️ ")]

    s = contacts(m)
    assert names() == ["К01", "К02", "К03", "К04", "К05"]
    assert "К01 — +79000000001" in s.text and s.text.endswith("Страница 1 из 3")
    assert "▶️" in s.button_texts and "◀️" not in s.button_texts
    assert s.button_texts[-2:] == [ADD, "⬅️ Админ-панель"]
    listing = s.message_id
    m.press("▶️")
    assert names() == ["К06", "К07", "К08", "К09", "К10"] and m.screen().message_id == listing  # edited in place
    assert "◀️" in m.screen().button_texts and "▶️" in m.screen().button_texts
    m.press_data("hellos:p:99", force=True)                 # past the end: the last page
    s = m.screen()
    assert names() == ["К11", "К12"] and s.text.endswith("Страница 3 из 3") and "▶️" not in s.button_texts
    for forged in ("hellos:p:abc", "hellos:p:-1", "hellos:p:", "hellos:p:1x"):
        m.press_data("hellos:p:1", force=True)
        assert names()[0] == "К06"
        m.press_data(forged, force=True)
        assert m.last_answer()["text"] == LIST_STALE, forged
        assert names() == ["К01", "К02", "К03", "К04", "К05"], forged
    assert m.screen().message_id == listing and len([t for t in texts(m) if "Контакт" in t]) == 1
    # the list's prefix is the host's to guard: a client gets "denied", no list, no form
    c = tgsim.user("Клиент")
    c.send("/start")
    before = len(c.messages())
    for data in ("hellos:p:1", "hellos:new", "hellos:e:1", "m:hello.contacts"):
        c.press_data(data, force=True)
        ans = hk.wait_until(c.last_answer, what="an answer to the forged press")
        assert ans["text"] == hk.DENIED and ans.get("show_alert") is True, data
    assert len(c.messages()) == before and conv_active(w, c) == 0
    w.wait_log(rf"user {c.id} \(role 0\) refused hellos", timeout=2)


@pytest.mark.features("F-HOST-01")
def test_expired_form_writes_nothing(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    m = manager(tgsim, w)
    contacts(m)
    m.press(ADD)
    m.send("Зоя")
    clock(w, advance=31 * 60)                               # the form lasts 30 minutes
    m.send("+79990000000")
    hk.wait_until(lambda: any("Время на ответ истекло" in t for t in texts(m)), what="the expiry message")
    assert rows(w) == [] and conv_active(w, m) == 0
    m.send("05.05.1995")                                    # no longer an answer to anything
    assert hk.NOT_UNDERSTOOD in "\n".join(texts(m)[-2:])
    assert rows(w) == []


@pytest.mark.features("F-HOST-02")
def test_role_is_checked_at_every_step(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    m = manager(tgsim, w)
    contacts(m)
    add(m, "Лев", "+79005554433")                           # at the summary (birthday skipped)
    con = w.db()
    con.execute("UPDATE wh_users SET role = 0 WHERE id = ?", (m.id,))   # the role goes while the form is open
    con.commit()
    m.press("✅ Готово")
    ans = hk.wait_until(m.last_answer, what="an answer")
    assert ans["text"] == hk.DENIED
    assert rows(w) == [] and conv_active(w, m) == 0
    w.wait_log(rf"user {m.id} \(role 0\) refused hello.contact", timeout=2)


@pytest.mark.features("F-HOST-01")
def test_admin_panel_two_columns_grouped_by_area(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port,
              plugins=("hello", "probe", "catalog", "warehouse", "orders", "ordprobe", "loyalty"))
    boss = hk.owner(tgsim)
    boss.send("/admin")
    s = boss.screen()
    lines = s.text.split("\n")
    assert lines[0] == hk.ADMIN_TITLE and len(lines) >= 2    # the plugins' counts stay on top
    assert [[t for t, _ in row] for row in s.buttons] == [
        ["📋 Заказы", "🚚 Доставка"], ["🏢 Заказ B2B"],                          # sales
        ["📦 Товары", "🏬 Склад"], ["📥 Импорт / 📤 Экспорт"],                  # goods and stock
        ["🎁 Промо и скидки", "📇 Контакты"],                                   # clients and marketing
        ["🔬 Проба"],                                                           # an area not declared
        ["⚙️ Настройки", "👥 Персонал"], ["📚 Инструкции", "📜 Журнал действий"],  # system
        ["📄 Лог", "🔄 Перезапуск"], ["♻️ Обновить меню у всех"],
        ["🏠 Главное меню"]], s
    m = manager(tgsim, w)                                    # a manager: the owner-only buttons drop out
    m.send("/admin")
    assert [[t for t, _ in row] for row in m.screen().buttons] == [
        ["📋 Заказы", "🚚 Доставка"], ["🏢 Заказ B2B"], ["📦 Товары", "🏬 Склад"],
        ["🎁 Промо и скидки", "📇 Контакты"], ["🔬 Проба"], ["📚 Инструкции"], ["🏠 Главное меню"]]
