"""loyalty plugin, the staff section "🎁 Промо и скидки" (plugins/loyalty/
admin.c): creating a promo code step by step with a check at every step,
the list with usage, the card with the uses, deactivate / activate, delete
by the owner only (a manager's forged delete is refused by the host),
certificates in a batch, the card with who used it, sending one to a
customer; forged and stale callbacks; the action log."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_loyalty_kit import SECTION, balance, bot_texts, clock, customer, manager, order, pay, settled, start


def section(u):
    u.send("/admin")
    u.press(SECTION)
    return u.screen()


def log_rows(w, like):
    return hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what LIKE ?", like)


def said(u, part):
    """`part` is in one of the last two bot messages (an error, then the question again)."""
    return any(part in t for t in bot_texts(u)[-2:])


@pytest.mark.features("F-LOY-07", "F-HOST-03")
def test_create_promo_list_deactivate_delete(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    s = section(owner)
    assert "Промокодов: 0" in s.text
    owner.press("➕ Промокод")
    for bad in ("ab", "два слова", "x" * 33):
        owner.send(bad)
        assert said(owner, "от 3 до 32 букв"), bad
    owner.send("Весна-2026")
    owner.send("0")
    assert said(owner, "от 1 до 100")
    owner.send("15")
    owner.send("много")
    assert said(owner, "от 0 до 1 000 000")
    owner.send("2")
    owner.send("-1")
    assert said(owner, "от 0 до 3650")
    owner.send("30")
    owner.press("Да, один раз")
    s = owner.screen()
    assert "🎟 <b>ВЕСНА-2026</b>" in s.html and "Скидка: 15%" in s.text and "Использовано: 0/2" in s.text, s.text
    assert "Один раз на клиента: да" in s.text and "✅ действует" in s.text
    con = w.db()
    pid, exp, created = con.execute("SELECT id, expires_at, created_at FROM loyalty_promo WHERE code = 'ВЕСНА-2026'"
                                    ).fetchone()
    assert exp - created == 30 * 86400
    assert log_rows(w, "создал промокод ВЕСНА-2026%") == 1
    # the same code again (any case) is refused at the first step
    owner.send("/admin")
    owner.press(SECTION)
    owner.press("➕ Промокод")
    owner.send("весна-2026")
    assert said(owner, "Такой промокод уже есть")
    owner.press("✖️ Отмена")
    # a use shows in the card
    u = customer(tgsim)
    oid = order(u, 100000, promo=15000, pcode="ВЕСНА-2026")
    pay(u, oid)
    settled(w)
    section(owner)
    owner.press("🎟 Промокоды")
    s = owner.screen()
    assert "ВЕСНА-2026 — 15% — 1/2 — ✅ действует" in s.text, s.text
    owner.press("ВЕСНА-2026")
    s = owner.screen()
    assert f"заказ №{oid} — Анна" in s.text and "засчитано" in s.text, s.text
    owner.press("⛔ Деактивировать")
    assert "⛔ выключен" in owner.screen().text
    assert hk.scalar(con, "SELECT active FROM loyalty_promo WHERE id = ?", pid) == 0
    owner.press("✅ Активировать")
    assert "✅ действует" in owner.screen().text
    assert log_rows(w, "деактивировал промокод ВЕСНА-2026") == 1 and log_rows(w, "включил промокод ВЕСНА-2026") == 1
    owner.press("🗑 Удалить")
    assert "Удалить промокод <b>ВЕСНА-2026</b>?" in owner.screen().html
    owner.press("✖️ Отмена")
    assert hk.scalar(con, "SELECT count(*) FROM loyalty_promo") == 1
    owner.press("🗑 Удалить")
    owner.press("🗑 Да, удалить")
    assert hk.scalar(con, "SELECT count(*) FROM loyalty_promo") == 0
    assert "Промокодов пока нет" in owner.screen().text
    assert log_rows(w, "удалил промокод ВЕСНА-2026") == 1


@pytest.mark.features("F-LOY-07")
def test_manager_cannot_delete_and_forged_callbacks(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    con = w.db()
    con.execute("INSERT INTO loyalty_promo(code, pct, created_at) VALUES ('KEEP', 5, 0)")
    con.commit()
    pid = hk.scalar(con, "SELECT id FROM loyalty_promo")
    m = manager(tgsim, w)
    section(m)
    m.press("🎟 Промокоды")
    m.press("KEEP")
    assert "🗑 Удалить" not in m.screen().button_texts     # the owner's button only
    m.press_data(f"loyo:pdok:{pid}", force=True)             # forged by a manager: the host refuses
    assert hk.DENIED in "\n".join(bot_texts(m)[-2:]) or m.last_answer()["text"] == hk.DENIED
    assert hk.scalar(con, "SELECT count(*) FROM loyalty_promo") == 1
    for data in ("loya:p:999", "loya:poff:999", "loya:k:999", "loya:ks:999"):
        m.press_data(data, force=True)
        assert m.last_answer()["text"] == "Не найдено: возможно, уже удалено.", data
        assert "🎁 Промо и скидки" in m.screen().text
    for data in ("loya:p:abc", "loya:pl:-1", "loya:zzz", "loya:p:99999999999999999999"):
        m.press_data(data, force=True)
        assert "🎁 Промо и скидки" in m.screen().text, data
    assert hk.scalar(con, "SELECT active FROM loyalty_promo") == 1
    c = customer(tgsim, "Клиент")
    c.press_data("loya:s", force=True)                       # a customer pressing a staff button
    assert hk.DENIED in "\n".join(bot_texts(c)[-2:]) or c.last_answer()["text"] == hk.DENIED
    owner = hk.owner(tgsim)
    owner.send("/start")
    owner.press_data("loyo:pdok:999", force=True)            # the owner, an unknown id
    assert owner.last_answer()["text"] == "Не найдено: возможно, уже удалено."


@pytest.mark.features("F-LOY-08", "F-HOST-03")
def test_certificates_batch_card_and_send(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    u = customer(tgsim)
    m = manager(tgsim, w)
    section(m)
    m.press("➕ Сертификаты")
    m.send("три тысячи")
    assert said(m, "Номинал — целое число рублей")
    m.send("3000")
    m.send("0")
    assert said(m, "от 1 до 3650")
    m.send("90")
    m.send("51")
    assert said(m, "от 1 до 50")
    m.send("3")
    s = m.screen()
    assert "Создано сертификатов: 3 по 3 000 ₽" in s.text, s.text
    con = w.db()
    codes = [r[0] for r in con.execute("SELECT code FROM loyalty_cert ORDER BY id").fetchall()]
    assert len(codes) == 3 and len(set(codes)) == 3 and all(c.startswith("GIFT-") for c in codes)
    assert all(c in s.text for c in codes)
    assert con.execute("SELECT DISTINCT face, balance, expires_at - created_at FROM loyalty_cert").fetchall() == \
        [(300000, 300000, 90 * 86400)]
    assert log_rows(w, "создал сертификаты: 3 шт.%") == 1
    # used by a customer: the card says who and when
    oid = order(u, 500000, cert=300000, ccode=codes[0])
    pay(u, oid)
    settled(w)
    m.press("🎁 Сертификаты")
    m.press(codes[0])
    s = m.screen()
    assert "☑️ использован" in s.text and f"Использовал: Анна" in s.text and f"заказ №{oid}" in s.text, s.text
    assert "✉️ Отправить клиенту" not in s.button_texts
    m.press("⬅️ Назад")
    m.press(codes[1])
    m.press("✉️ Отправить клиенту")
    m.send("12345")
    assert said(m, "Клиент с таким ID не найден")
    m.send(str(u.id))
    got = u.screen()
    assert "подарочный сертификат на 3 000 ₽" in got.text and codes[1] in got.text, got.text
    assert hk.scalar(con, "SELECT sent_to FROM loyalty_cert WHERE code = ?", codes[1]) == u.id
    assert "Отправлен: Анна" in m.screen().text
    assert log_rows(w, f"отправил сертификат {codes[1]} клиенту {u.id}") == 1


@pytest.mark.features("F-LOY-07", "F-LOY-09")
def test_expired_conversations_write_nothing(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port, orders_ini="cart_remind_h = 720\n")
    u = customer(tgsim)
    m = manager(tgsim, w)
    section(m)
    m.press("➕ Промокод")
    m.send("LATE")
    m.send("10")
    clock(w, advance=31 * 60)                                 # the staff conversation lasts 30 minutes
    m.send("5")
    hk.wait_until(lambda: "Время на ответ истекло" in "\n".join(bot_texts(m)), what="the expiry message")
    assert hk.scalar(w.db(), "SELECT count(*) FROM loyalty_promo") == 0
    section(m)
    m.press("💎 Бонусы клиента")
    m.send(str(u.id))
    m.send("+500")
    clock(w, advance=31 * 60)
    m.send("подарок")
    hk.wait_until(lambda: sum("Время на ответ истекло" in t for t in bot_texts(m)) == 2, what="the expiry message")
    assert balance(w, u.id) == 0
    assert not any("Вам начислено" in t for t in bot_texts(u))


@pytest.mark.features("F-LOY-07", "F-LOY-08")
def test_promo_and_certificate_lists_page_by_ten(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    con = w.db()
    con.executemany("INSERT INTO loyalty_promo(code, pct, created_at) VALUES (?, 5, 0)",
                    [(f"P{i:02d}",) for i in range(1, 13)])
    con.executemany("INSERT INTO loyalty_cert(code, face, balance, expires_at, created_at) "
                    "VALUES (?, 100000, 100000, 4000000000, 0)", [(f"GIFT-{i:02d}",) for i in range(1, 12)])
    con.commit()
    m = manager(tgsim, w)
    section(m)
    for button, codes, n in (("🎟 Промокоды", "P", 12), ("🎁 Сертификаты", "GIFT-", 11)):
        m.press(button)
        b = m.screen().button_texts
        newest = [f"{codes}{i:02d}" for i in range(n, n - 10, -1)]
        assert [t for t in b if t.startswith(codes)] == newest, b
        assert "Старее ▶️" in b and "◀️ Новее" not in b
        m.press("Старее ▶️")
        b = m.screen().button_texts
        assert [t for t in b if t.startswith(codes)] == [f"{codes}{i:02d}" for i in range(n - 10, 0, -1)], b
        assert "◀️ Новее" in b and "Старее ▶️" not in b
        m.press("◀️ Новее")
        assert [t for t in m.screen().button_texts if t.startswith(codes)] == newest
        m.press("⬅️ Назад")
    m.press_data("loya:pl:7", force=True)                    # past the last page: the last one
    assert [t for t in m.screen().button_texts if t.startswith("P")] == ["P02", "P01"]
