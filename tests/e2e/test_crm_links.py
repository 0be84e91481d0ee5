"""crm plugin: tracking links (F-CRM-08) — created by the owner with a
checked code, the t.me deep link and its QR code, clicks, unique and new
users, their orders and revenue, archive and back; the source on the card;
the link_ deep link (F-HOST-06)."""

from __future__ import annotations

import subprocess

import pytest

import hostkit as hk
from test_crm_kit import customer, manager, new_order, open_card, pay, section, settled, start


def said(u, part):
    return any(part in (m.get("text") or "") for m in u.bot_messages()[-2:])


@pytest.mark.features("F-CRM-08", "F-HOST-06", "F-CRM-01")
def test_link_created_clicked_counted_archived(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    section(owner)
    owner.press("🔗 Трекинг-ссылки")
    assert "Ссылок пока нет" in owner.screen().text
    owner.press("➕ Новая ссылка")
    for bad in ("реклама", "vk march", "x" * 33, "bk-1"):
        owner.send(bad)
        assert said(owner, "только латинские буквы, цифры и «_»"), (bad, owner.screen().text)
    owner.send("BK")
    owner.send("Реклама ВК")
    owner.press("✅ Готово")
    s = owner.screen()
    assert "https://t.me/walor_demo_bot?start=link_BK" in s.text and "Переходов: 0" in s.text, s.text
    con = w.db()
    # the same code in another case is taken
    section(owner)
    owner.press("🔗 Трекинг-ссылки")
    owner.press("➕ Новая ссылка")
    owner.send("bk")
    assert said(owner, "Ссылка с таким кодом уже есть")
    owner.press("✖️ Отмена")
    # clicks: two new users, one of them twice, and an old customer
    old = customer(tgsim, "Старый")
    new1 = tgsim.user("Новый1")
    new1.send("/start link_BK")
    assert new1.screen().text.startswith("👋 Новый1"), new1.screen().text   # the shop's menu, as any /start
    new1.send("/start link_BK")
    new2 = tgsim.user("Новый2")
    new2.send("/start link_bk")                                 # typed in another case: the same link
    old.send("/start link_BK")
    stranger = tgsim.user("Чужой")
    stranger.send("/start link_NOPE")                           # an unknown code: just the menu
    assert stranger.screen().text.startswith("👋 Чужой")
    oid = new_order(new1, "10x1@123450")
    pay(new1, oid)
    new_order(new2, "10x1@50000")                               # not paid
    pay(old, new_order(old, "10x1@99900"))                      # old customers' money is not the link's
    settled(w)
    owner.send("/admin")
    owner.press("👥 Клиенты")
    owner.press("🔗 Трекинг-ссылки")
    assert "Реклама ВК (link_BK): переходов 4, уникальных 3" in owner.screen().text, owner.screen().text
    owner.press("🔗 Реклама ВК")
    s = owner.screen()
    for part in ("Переходов: 4 (уникальных 3)", "Новых пользователей: 2", "оплаченных заказов: 1 на 1 234,50 ₽"):
        assert part in s.text, (part, s.text)
    assert hk.scalar(con, "SELECT count(*) FROM crm_click") == 4
    # the QR code decodes to the deep link
    owner.press("🖼 QR-код")
    qr = owner.wait_for(lambda chat: next((m for m in chat["messages"] if m.get("photo")), None), what="the QR")
    png = tmp_path / "qr.png"
    png.write_bytes(tgsim.file_bytes(qr["photo"][-1]["file_id"]))
    out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "https://t.me/walor_demo_bot?start=link_BK", out
    # the card says where the client came from
    s = open_card(owner, "новый1", "Новый1")
    assert "Источник: 🔗 Реклама ВК (link_BK)" in s.text, s.text
    # archive: hidden from the list, clicks still counted; and back
    owner.send("/admin")
    owner.press("👥 Клиенты")
    owner.press("🔗 Трекинг-ссылки")
    owner.press("🔗 Реклама ВК")
    owner.press("🗄 В архив")
    assert "в архиве" in owner.screen().text
    owner.press("⬅️ Назад")                                    # to the archive, where it is now
    assert "Реклама ВК" in owner.screen().text and "в архиве" in owner.screen().text
    owner.press("🔗 Активные")
    assert "Реклама ВК" not in owner.screen().text
    tgsim.user("Поздний").send("/start link_BK")
    owner.press("🗄 Архив")
    owner.press("🔗 Реклама ВК")
    assert "Переходов: 5" in owner.screen().text
    owner.press("♻️ Вернуть из архива")
    assert "активна" in owner.screen().text
    assert hk.scalar(con, "SELECT count(*) FROM wh_action_log WHERE what LIKE '%трекинг-ссылк%'") == 3


@pytest.mark.features("F-CRM-08")
def test_managers_see_links_but_only_the_owner_creates(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    boris = manager(tgsim, w, "Борис")
    section(boris)
    boris.press("🔗 Трекинг-ссылки")
    assert "➕ Новая ссылка" not in boris.screen().button_texts
    boris.press_data("crm:ln", force=True)
    assert "владелец" in boris.last_answer()["text"], boris.last_answer()
    con = w.db()
    con.execute("INSERT INTO crm_link(code, code_lc, title, created_at, created_by) VALUES ('BK', 'bk', 'ВК', 0, 0)")
    con.commit()
    boris.press_data("crm:lx:1", force=True)
    assert hk.scalar(con, "SELECT archived FROM crm_link WHERE id = 1") == 0
