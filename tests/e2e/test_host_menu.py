"""Registration, deep links, the main menu and the admin panel by role, and
forged callbacks — driven through tgsim as a shop's customers and staff would."""

from __future__ import annotations

import time

import pytest

import hostkit as hk


@pytest.mark.features("F-HOST-05", "F-HOST-07")
def test_start_registers_user_and_shows_main_menu(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    t0 = int(time.time())
    anna = tgsim.user("Анна", last_name="Петрова", username="anna_p", language_code="ru")
    anna.send("/start")
    s = anna.screen()
    assert hk.MENU_TEXT in s.text, s
    # plugin buttons in their order, then the host's own; no staff button for a customer
    assert s.button_texts == [hk.HELLO_BTN, hk.INTRO_BTN, hk.ABOUT_BTN]
    assert hk.ADMIN_BTN not in s.button_texts

    row = w.db().execute("SELECT first_name, last_name, username, language_code, registered_at, role, blocked "
                         "FROM wh_users WHERE id = ?", (anna.id,)).fetchone()
    assert row is not None, "no wh_users row after /start"
    first, last, username, lang, reg_at, role, blocked = row
    assert (first, last, username, lang, role, blocked) == ("Анна", "Петрова", "anna_p", "ru", 0, 0)
    assert t0 - 5 <= reg_at <= int(time.time()) + 5

    # a second /start does not register again (registered_at kept)
    anna.send("/start")
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_users WHERE id = ?", anna.id) == 1
    assert hk.scalar(w.db(), "SELECT registered_at FROM wh_users WHERE id = ?", anna.id) == reg_at


@pytest.mark.features("F-HOST-07")
def test_main_menu_dynamic_label(tgsim, walord, tmp_path):
    hk.start(walord, tmp_path)
    u = tgsim.user("Борис")
    u.send("/start")
    u.press(hk.HELLO_BTN)
    u.expect("Привет! Вы нажали кнопку 0 раз.")
    u.press("➕ Ещё")
    u.expect("Вы нажали кнопку 1 раз.")
    u.press("➕ Ещё")
    u.expect("Вы нажали кнопку 2 раза.")
    assert u.last_answer()["text"] == "+1"
    u.send("/start")
    s = u.screen()
    assert hk.MENU_TEXT in s.text, s
    assert s.button_texts == ["👋 Привет (2)", hk.INTRO_BTN, hk.ABOUT_BTN], s
    # another customer's label is their own
    v = tgsim.user("Вера")
    v.send("/start")
    assert v.screen().button_texts[0] == hk.HELLO_BTN


@pytest.mark.features("F-HOST-07")
def test_customer_goes_back_to_main_menu(tgsim, walord, tmp_path):
    hk.start(walord, tmp_path)
    u = tgsim.user("Борис")
    u.send("/start")
    u.press(hk.ABOUT_BTN)
    u.expect("Информация о магазине скоро появится.")
    u.press("⬅️ Назад")                 # m:core.main
    s = u.screen()
    assert hk.MENU_TEXT in s.text, s
    u.press(hk.HELLO_BTN)
    u.expect("Вы нажали кнопку 0 раз.")
    u.press("🏠 Меню")                  # m:core.main: the menu replaces the counter in place
    s = u.screen()
    assert hk.MENU_TEXT in s.text, s
    assert s.edited and len(u.bot_messages()) == 1
    assert (u.last_answer() or {}).get("text") != hk.DENIED


@pytest.mark.features("F-HOST-07", "F-HOST-08")
def test_open_shop_has_no_vacation_notice(tgsim, walord, tmp_path):
    hk.start(walord, tmp_path)
    u = tgsim.user("Анна")
    u.send("/start")
    assert "Магазин временно не принимает заказы" not in u.screen().text


@pytest.mark.features("F-HOST-06", "F-HOST-05")
def test_deep_links(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Вика")
    u.send("/start t42")                # the probe plugin's prefix "t"
    u.expect("deep:42")
    assert u.screen().text == "deep:42"
    # the first /start's payload is kept with the registration (referrals, tracking links)
    assert hk.scalar(w.db(), "SELECT start_payload FROM wh_users WHERE id = ?", u.id) == "t42"

    n = len(u.bot_messages())
    u.send("/start zzz_unknown")        # nobody's prefix: the ordinary start screen
    msgs = u.bot_messages()
    assert len(msgs) > n
    assert hk.MENU_TEXT in msgs[-1]["text"]
    assert not any("deep:" in (m["text"] or "") for m in msgs[n:])


@pytest.mark.features("F-HOST-01", "F-HOST-02", "F-HOST-07")
def test_menus_by_role_and_manager_added_by_owner(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path)
    boss = hk.owner(tgsim)
    boris = tgsim.user("Борис", username="boris_m")

    # a customer: no admin button, /admin refused politely
    boris.send("/start")
    assert hk.ADMIN_BTN not in boris.screen().button_texts
    boris.send("/admin")
    assert boris.screen().text == hk.DENIED

    # the owner sees the admin panel with the plugins' sections and header line
    boss.send("/start")
    s = boss.screen()
    assert s.button_texts[-1] == hk.ADMIN_BTN, s
    boss.press(hk.ADMIN_BTN)
    s = boss.screen()
    assert s.text.startswith(hk.ADMIN_TITLE), s
    assert "🔬 проб: 0" in s.text
    # two columns, by area: clients (hello), undeclared (probe), system, then the way back
    assert [[t for t, _ in row] for row in s.buttons] == [
        ["📇 Контакты"], ["🔬 Проба"], ["⚙️ Настройки", "👥 Персонал"], ["📚 Инструкции", "📜 Журнал действий"],
        ["📄 Лог", "🔄 Перезапуск"], ["♻️ Обновить меню у всех"], ["🏠 Главное меню"]], s
    boss.press("🔬 Проба")
    boss.expect("🔬 раздел пробы")
    boss.press("⬅️ Назад")

    # the owner makes Boris a manager by his Telegram id
    boss.press("👥 Персонал")
    boss.expect("Персонал")
    boss.press("➕ Менеджер")
    boss.expect("Отправьте Telegram ID пользователя")
    boss.send(str(boris.id))
    boss.expect("✅ Борис теперь менеджер.")
    boris.expect("Вам выданы права: менеджер.")
    con = w.db()
    assert hk.scalar(con, "SELECT role FROM wh_users WHERE id = ?", boris.id) == 2
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE user_id = ? AND what LIKE ?",
                     hk.OWNER_ID, f"%{boris.id}%") >= 1
    staff = boss.screen()
    assert "Менеджеры: Борис @boris_m" in staff.text, staff

    # the manager now sees the admin panel, without the owner-only sections
    boris.send("/start")
    s = boris.screen()
    assert hk.ADMIN_BTN in s.button_texts, s
    boris.press(hk.ADMIN_BTN)
    s = boris.screen()
    assert s.text.startswith(hk.ADMIN_TITLE)
    assert "🔬 Проба" in s.button_texts
    assert "⚙️ Настройки" not in s.button_texts and "👥 Персонал" not in s.button_texts
    # and a MANAGER callback works for him
    boris.press_data("pr:x", force=True)
    boris.expect("секрет")

    # the owner takes the role back: Boris is a customer again
    boss.send("/admin")
    boss.press("👥 Персонал")
    boss.press("✖️ Борис (менеджер)")
    assert hk.scalar(con, "SELECT role FROM wh_users WHERE id = ?", boris.id) == 0
    boris.send("/start")
    assert hk.ADMIN_BTN not in boris.screen().button_texts


@pytest.mark.features("F-HOST-01", "F-HOST-02", "F-HOST-08")
@pytest.mark.parametrize("data", ["set:l:0", "set:e:hello.greeting", "pr:x", "m:core.admin",
                                  "m:core.settings", "staff:add:2", "staff:wipe!"])
def test_forged_staff_callback_from_customer_is_refused(tgsim, walord, tmp_path, data):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Гоша")
    u.send("/start")
    con = w.db()
    before = len(u.messages())
    u.press_data(data, force=True)
    ans = hk.wait_until(u.last_answer, what="an answer to the forged press")
    assert ans["text"] == hk.DENIED
    assert ans.get("show_alert") is True
    # nothing changed: no new message, no screen replaced, no conversation, no role
    msgs = u.messages()
    assert len(msgs) == before
    assert hk.MENU_TEXT in msgs[-1]["text"] and not msgs[-1]["edited"]
    assert "секрет" not in [m["text"] for m in msgs]
    assert hk.scalar(con, "SELECT count(*) FROM wh_conv WHERE active = 1") == 0
    assert hk.scalar(con, "SELECT count(*) FROM wh_users WHERE role > 0") == 0
    assert hk.scalar(con, "SELECT count(*) FROM wh_settings") == 0
    w.wait_log(rf"user {u.id} \(role 0\) refused", timeout=2)


@pytest.mark.features("F-HOST-07", "F-HOST-08")
def test_greeting_is_personal(tgsim, walord, tmp_path):
    """The default greeting and the owner's /start text both name the user
    ({first_name}); the name is data and is escaped."""
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Ирина")
    u.send("/start")
    assert u.screen().text == "👋 Ирина, добро пожаловать! Выберите раздел:"
    tricky = tgsim.user("<b>Ян</b>")
    tricky.send("/start")
    s = tricky.screen()
    assert s.text.startswith("👋 <b>Ян</b>, добро") and "<b>Ян</b>" not in s.html.replace("&lt;b&gt;Ян&lt;/b&gt;", "")
    con = w.db()
    con.execute("INSERT INTO wh_settings(key, value, updated_by, updated_at) VALUES "
                "('shop.start_text', '<b>{first_name}</b>, рады вас видеть в нашем магазине!', NULL, 0)")
    con.commit()
    u.send("/start")
    s = u.screen()
    assert s.text == "Ирина, рады вас видеть в нашем магазине!" and "<b>Ирина</b>" in s.html


@pytest.mark.features("F-HOST-07", "F-HOST-08")
def test_channel_button_from_the_owners_setting(tgsim, walord, tmp_path):
    """Seed 2.1 "Telegram-канал (ссылка)": a URL button in the main menu when
    the owner named the channel, none when not."""
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Анна")
    u.send("/start")
    assert not any(b.get("url") for row in u.screen().raw["reply_markup"]["inline_keyboard"] for b in row)
    boss = hk.owner(tgsim)
    boss.send("/start")
    # the owner names it in ⚙️ Настройки: a wrong one is refused with the reason
    boss.send("/admin")
    boss.press("⚙️ Настройки")
    boss.press_data("set:e:shop.channel")
    for bad in ("мой канал", "@abc", "https://vk.com/shop", "t.me/"):
        boss.send(bad)
        assert "Укажите канал как @имя_канала" in boss.screen().text, (bad, boss.screen().text)
    boss.send("@Walor_Shop")
    boss.expect("✅ Сохранено")
    u.send("/menu")
    assert [(b["text"], b.get("url")) for row in u.screen().raw["reply_markup"]["inline_keyboard"] for b in row
            if b.get("url")] == [("📢 Наш канал", "https://t.me/Walor_Shop")]
    con = w.db()
    for value, url in (("@my_shop", "https://t.me/my_shop"), ("t.me/my_shop", "https://t.me/my_shop"),
                       ("https://t.me/+AbCd-123", "https://t.me/+AbCd-123")):
        con.execute("INSERT INTO wh_settings(key, value, updated_by, updated_at) VALUES ('shop.channel', ?, 0, 0) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (value,))
        con.commit()
        u.send("/menu")
        rows = u.screen().raw["reply_markup"]["inline_keyboard"]
        urls = [(b["text"], b.get("url")) for row in rows for b in row if b.get("url")]
        assert urls == [("📢 Наш канал", url)], urls
        labels = [b["text"] for row in rows for b in row]
        assert labels.index("📢 Наш канал") < labels.index(hk.ABOUT_BTN)   # before "ℹ️ О нас"
    con.execute("DELETE FROM wh_settings WHERE key = 'shop.channel'")
    con.commit()
    u.send("/menu")
    assert not any(b.get("url") for row in u.screen().raw["reply_markup"]["inline_keyboard"] for b in row)
