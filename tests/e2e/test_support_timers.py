"""support-groq, timers (F-SUP-07), all persistent jobs moved by the test
clock: the reminder when a ticket waits for an operator (once per silence,
also across a restart), back to the assistant after 24 hours of silence, the
daily summary, the archive of closed tickets."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import hostkit as hk
from test_support_kit import (ai, ask, bot_texts, clock, customer, escalated, manager, open_support,  # noqa: F401
                              start, ticket, wait_ticket)


def to_next_nine(now: int) -> int:
    """Seconds from `now` to a minute past the next 09:00 in Moscow (the day after today)."""
    msk = datetime.fromtimestamp(now, ZoneInfo("Europe/Moscow"))
    nine = (msk + timedelta(days=1)).replace(hour=9, minute=1, second=0, microsecond=0)
    return int(nine.timestamp()) - now


def reminders(m, tid):
    return sum(f"Обращение №{tid}</b> ждёт оператора уже" in (x.get("html") or "") or
               (f"Обращение №{tid} ждёт оператора уже" in (x.get("text") or "")) for x in m.bot_messages())


@pytest.mark.features("F-SUP-07")
def test_operator_timeout_reminds_once_and_survives_a_restart(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m = manager(tgsim, w)
    u, tid = escalated(tgsim, w, m)
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_jobs WHERE plugin = 'support-groq' AND name = 'op_timeout' "
                             "AND key = ?", f"t{tid}") == 1
    w.restart()
    clock(w, 16 * 60)
    m.expect(f"ждёт оператора уже 16 мин")
    clock(w, 16 * 60)
    hk.wait_until(lambda: hk.scalar(w.db(), "SELECT count(*) FROM wh_jobs WHERE plugin = 'support-groq' AND "
                                            "name = 'op_timeout'") == 0, what="the reminder job done")
    assert reminders(m, tid) == 1

    # taken, then the customer writes and nobody answers: a reminder about that
    m.press("✋ Взять")
    m.expect(f"Ответ по обращению №{tid}")
    open_support(u)
    u.send("вы тут?", wait=False)
    m.expect("вы тут?")
    clock(w, 16 * 60)
    m.expect("покупатель ждёт ответа")
    # the operator answers: no more reminders for that message
    m.send("да, я тут")
    u.expect("да, я тут")
    clock(w, 60 * 60)
    assert sum("покупатель ждёт ответа" in t for t in bot_texts(m)) == 1


@pytest.mark.features("F-SUP-07", "F-SUP-05")
def test_silence_hands_back_to_the_assistant(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m = manager(tgsim, w)
    u, tid = escalated(tgsim, w, m)
    m.press("✋ Взять")
    m.send("Сейчас посмотрю")
    u.expect("Сейчас посмотрю")
    clock(w, 23 * 3600)
    assert ticket(w, u.id)[1] == "operator"
    clock(w, 2 * 3600)
    u.expect("снова отвечает ассистент")
    m.expect(f"Обращение №{tid} затихло")
    assert ticket(w, u.id)[1] == "ai"
    ai.say("Я снова здесь.")
    open_support(u)
    ask(u, "а теперь?", "Я снова здесь.")
    assert ticket(w, u.id)[0] == tid  # the same ticket, with the assistant again


@pytest.mark.features("F-SUP-07")
def test_daily_summary_and_archive(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m = manager(tgsim, w)
    u = customer(tgsim)
    open_support(u)
    ai.say("Ответ ассистента.")
    ask(u, "вопрос", "Ответ ассистента.")
    u.press("👤 Оператор")
    tid = wait_ticket(w, u.id, "wait")[0]
    m.expect(f"Обращение №{tid}")
    m.press("✋ Взять")
    m.press_data(f"supt:close:{tid}", force=True)
    u.expect("Оператор закрыл обращение")
    clock(w, to_next_nine(clock(w)))  # tomorrow 09:00 in the shop's zone: the summary of today
    s = m.expect("Поддержка за")
    assert "Новых обращений: 1" in s["text"] and "Передано операторам: 1" in s["text"]
    assert "Закрыто: 1" in s["text"] and "Ответов ассистента: 1" in s["text"]
    assert hk.scalar(w.db(), "SELECT archived FROM support_ticket WHERE id = ?", tid) == 0
    clock(w, 31 * 86400)
    hk.wait_until(lambda: hk.scalar(w.db(), "SELECT archived FROM support_ticket WHERE id = ?", tid) == 1,
                  what="the ticket archived")
    m.send("/admin")
    m.press("💬 Поддержка")
    m.press("✅ Закрытые")
    assert f"№{tid}" not in m.screen().text
    m.press("⬅️ Назад")
    m.press("🗄 Архив")
    assert f"№{tid}" in m.screen().text
