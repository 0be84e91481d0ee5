"""broadcast plugin: bad input while composing (F-BRD-01) — HTML that does
not parse, a photo too large or sent as a file, a caption over Telegram's
limit, a bad button, an empty segment, a time in the past — each refused
with the reason and nothing lost; and a photo broadcast with its button."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import hostkit as hk
from test_broadcast_kit import SECTION, clock, compose, finished, got, last_id, start, users


def said(u, part):
    return any(part in (m.get("text") or "") for m in u.bot_messages()[-2:])


def open_new(owner):
    owner.send("/admin")
    owner.press(SECTION)
    owner.press("✍️ Новая рассылка")


@pytest.mark.features("F-BRD-01")
def test_broken_html_is_refused_with_the_reason(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    open_new(owner)
    owner.send("<b>Скидки до 30%")
    assert said(owner, "ошибка в разметке: тег <b> не закрыт"), owner.screen().text
    owner.send("Скидки <foo>сегодня</foo>")
    assert said(owner, "неизвестный тег <foo>"), owner.screen().text
    owner.send("Скидки & подарки")
    assert said(owner, "символ & нужно записать как &amp;"), owner.screen().text
    owner.send("Скидки &amp; подарки <i>только сегодня</i>")
    assert said(owner, "кнопку-ссылку"), owner.screen().text
    assert hk.scalar(w.db(), "SELECT html FROM broadcast_msg WHERE status = 'draft'") == \
        "Скидки &amp; подарки <i>только сегодня</i>"
    # a bad button, then none
    for bad in ("Каталог", "Каталог | example.com", " | https://example.com", "Каталог | https://a b"):
        owner.send(bad)
        assert said(owner, "Кнопка пишется так"), (bad, owner.screen().text)
    owner.press("Без кнопки")
    assert said(owner, "Кому отправить?")
    # cancelled: the draft goes
    owner.press("✖️ Отмена")
    assert hk.scalar(w.db(), "SELECT count(*) FROM broadcast_msg") == 0


PNG_1x1 = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


@pytest.mark.features("F-BRD-01", "F-BRD-02")
def test_photo_broadcast_and_photos_refused(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    clients = users(tgsim, 2)
    open_new(owner)
    big = PNG_1x1 + b"\0" * (10 * 1024 * 1024)           # 10 MB and a bit: over Telegram's photo limit
    owner.send_document("sale.png", big, mime_type="image/png")
    assert said(owner, "Фото больше 10 МБ"), owner.screen().text
    owner.send_document("sale.png", PNG_1x1, mime_type="image/png")
    assert said(owner, "пришлите её как фото"), owner.screen().text
    owner.send_document("price.pdf", b"%PDF-1.4", mime_type="application/pdf")
    assert said(owner, "файлы не рассылаются"), owner.screen().text
    owner.send_photo(caption="Я" * 1025)
    assert said(owner, "Telegram принимает не больше 1024"), owner.screen().text
    owner.send_photo(caption="<b>Новинка</b>: крем с SPF")
    owner.send("Купить | https://example.com/spf")
    preview = [m for m in owner.bot_messages() if m.get("photo") and "Новинка" in (m.get("caption") or "")]
    assert preview, owner.bot_messages()
    owner.press("👥 Всем")
    owner.press("🚀 Отправить сейчас")
    r = finished(w, last_id(w))
    assert r["sent"] == 2 and r["failed"] == 0, r
    for c in clients:
        m = c.wait_for(lambda chat: next((x for x in chat["messages"] if x.get("photo")), None), what="the photo")
        assert m["caption"] == "Новинка: крем с SPF" and m["reply_markup"]["inline_keyboard"][0][0]["url"] == \
            "https://example.com/spf"


@pytest.mark.features("F-BRD-01")
def test_empty_segment_offers_no_send(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    users(tgsim, 2)
    compose(owner, "Только для тестировщиков")
    owner.press("🧪 Тестировщикам")
    s = owner.screen()
    assert "никого нет" in s.text, s.text
    assert "🚀 Отправить сейчас" not in s.button_texts and "👥 Другая аудитория" in s.button_texts
    owner.press("👥 Другая аудитория")
    owner.press("😴 Неактивным N дней")
    owner.send("0")
    assert said(owner, "от 1 до 3650")
    owner.send("30")
    assert "никого нет" in owner.screen().text                 # everyone was here today
    assert hk.scalar(w.db(), "SELECT count(*) FROM broadcast_rcpt") == 0


@pytest.mark.features("F-BRD-01")
def test_schedule_past_refused_future_sent_at_its_time(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    (anna,) = users(tgsim, 1)
    compose(owner, "Завтра открываемся в 10:00")
    owner.press("👥 Всем")
    owner.press("🕒 Запланировать")
    for bad, why in (("вчера", "напишите дату и время"), ("31.02 10:00", "такого дня нет"),
                     ("01.01.2020 10:00", "уже прошло")):
        owner.send(bad)
        assert said(owner, why), (bad, owner.screen().text)
    now = clock(w)
    when = datetime.fromtimestamp(now + 2 * 3600, ZoneInfo("Europe/Moscow")).strftime("%d.%m.%Y %H:%M")
    owner.send(when)
    s = owner.screen()
    assert "запланирована на" in s.text and "⏹ Отменить" in s.button_texts, s.text
    bid = last_id(w)
    assert hk.scalar(w.db(), "SELECT status FROM broadcast_msg WHERE id = ?", bid) == "scheduled"
    w.restart()                                                 # a persistent job: survives a restart
    clock(w, 3600)
    assert got(anna, "открываемся") == 0
    clock(w, 3700)
    r = finished(w, bid)
    assert r["sent"] == 1, r
    anna.expect("Завтра открываемся")
