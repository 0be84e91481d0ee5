"""support-groq, topics (F-SUP-02): /relax /health /skin /home /mix set the
topic whose prompt leads the system prompt; the owner edits a prompt, adds a
topic and removes one in the bot; managers cannot."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_support_kit import ai, ask, customer, manager, start, system_prompt  # noqa: F401


@pytest.mark.features("F-SUP-02")
def test_topic_commands_lead_the_prompt(tgsim, walord, tmp_path, free_port, ai):
    start(walord, tmp_path, free_port, ai)
    u = customer(tgsim)
    for cmd, mark in [("/relax", "отдых, расслабление и сон"), ("/health", "не ставь диагнозов"),
                      ("/skin", "уход за кожей"), ("/home", "товары для дома"), ("/mix", "подборки и подарки")]:
        u.send(cmd)
        u.expect("Тема:")
        ai.say(f"ответ на {cmd}")
        ask(u, "что посоветуете?", f"ответ на {cmd}")
        sp = system_prompt(ai.calls()[-1])
        assert sp.startswith("Тема разговора") and mark in sp, (cmd, sp[:200])
        assert "Правила:" in sp
    u.send("/support")
    u.expect("Поддержка")
    u.press("🧴 Уход за кожей")
    ai.say("про кожу")
    ask(u, "крем?", "про кожу")
    assert "уход за кожей" in system_prompt(ai.calls()[-1])


@pytest.mark.features("F-SUP-02")
def test_owner_edits_adds_and_removes_topics_in_the_bot(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    boss = hk.owner(tgsim)
    boss.send("/admin")
    boss.press("💬 Поддержка")
    boss.press("🗂 Темы")
    assert "/topic relax" in boss.screen().text
    boss.press("✏️ 🧘 Отдых и сон")
    boss.expect("Новый промпт темы")
    boss.send("Ты ведёшь разговор о сне: советуй травяные чаи и аромасвечи.")
    boss.expect("Промпт сохранён")
    u = customer(tgsim)
    u.send("/relax")
    ai.say("ромашка")
    ask(u, "не могу уснуть", "ромашка")
    assert system_prompt(ai.calls()[-1]).startswith("Ты ведёшь разговор о сне")

    boss.send("/admin")
    boss.press("💬 Поддержка")
    boss.press("🗂 Темы")
    boss.press("➕ Новая тема")
    boss.send("Pets!")  # refused: the name's characters
    boss.expect("латинские строчные")
    boss.send("relax")
    boss.expect("Такая тема уже есть")
    boss.send("pets")
    boss.send("🐾 Питомцы")
    boss.send("Тема — товары для кошек и собак.")
    boss.press("✅ Готово")
    boss.expect("Тема добавлена: /topic pets")
    u.send("/topic pets")
    u.expect("Тема: <b>🐾 Питомцы</b>".replace("<b>", "").replace("</b>", ""))
    ai.say("для кошек")
    ask(u, "корм?", "для кошек")
    assert system_prompt(ai.calls()[-1]).startswith("Тема — товары для кошек")

    boss.send("/admin")
    boss.press("💬 Поддержка")
    boss.press("🗂 Темы")
    rid = "relax"
    boss.press_data(f"supo:tdel:{rid}", force=True)
    boss.press("🗑 Удалить")
    assert hk.scalar(w.db(), "SELECT count(*) FROM support_topic WHERE slug = 'relax'") == 0
    u.send("/relax")
    u.expect("Такой темы нет")
    assert "🐾 Питомцы" in u.screen().button_texts

    m = manager(tgsim, w)
    m.send("/admin")
    m.press("💬 Поддержка")
    assert "🗂 Темы" not in m.screen().button_texts
