"""support-groq, API key rotation (F-SUP-03): a refused key (401/403) is set
aside and the owner told once, a rate-limited one (429) rests for its
retry-after, 5xx and a hanging server move to the next key, and when every
key fails the customer hears an operator will answer and the ticket goes to
the staff."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_support_kit import (AI_DOWN, KEYS, ai, ask, bot_texts, customer, manager, open_support,  # noqa: F401
                              start, wait_ticket)


def keys_used(ai, since=0):
    return [c["key"] for c in ai.calls()[since:]]


@pytest.mark.features("F-SUP-03")
def test_refused_key_is_set_aside_and_the_owner_told_once(tgsim, walord, tmp_path, free_port, ai):
    start(walord, tmp_path, free_port, ai)
    boss = hk.owner(tgsim)
    boss.send("/start")
    u = customer(tgsim)
    open_support(u)
    ai.revoke(KEYS[0])
    for i in range(3):
        ai.say(f"ответ {i}")
        ask(u, f"вопрос {i}", f"ответ {i}")
    used = keys_used(ai)
    assert used.count(KEYS[0]) == 1  # tried once, never again
    assert used[-2:] == [KEYS[1], KEYS[1]]
    boss.expect("отклонил ключ №1 (…AAAA)")
    assert sum("отклонил ключ" in t for t in bot_texts(boss)) == 1
    assert not any(KEYS[0] in t for t in bot_texts(boss))  # never the key itself


@pytest.mark.features("F-SUP-03")
def test_rate_limited_key_rests_for_retry_after(tgsim, walord, tmp_path, free_port, ai):
    start(walord, tmp_path, free_port, ai)
    u = customer(tgsim)
    open_support(u)
    ai.say("первый")
    ask(u, "один", "первый")          # key 1 (round robin starts there)
    ai.limit(KEYS[1], retry_after=600)
    ai.say("второй")
    n = len(ai.calls())
    ask(u, "два", "второй")            # key 2 → 429 → key 1
    assert keys_used(ai, n) == [KEYS[1], KEYS[0]]
    n = len(ai.calls())
    for i in range(3):
        ai.say(f"ещё {i}")
        ask(u, f"ещё вопрос {i}", f"ещё {i}")
    assert keys_used(ai, n) == [KEYS[0]] * 3  # key 2 rests for its 600 s


@pytest.mark.features("F-SUP-03")
def test_server_errors_and_a_hanging_server_move_to_the_next_key(tgsim, walord, tmp_path, free_port, ai):
    start(walord, tmp_path, free_port, ai)
    u = customer(tgsim)
    open_support(u)
    ai.fail(500)
    ai.say("после 500")
    n = len(ai.calls())
    ask(u, "вопрос", "после 500")
    assert len(set(keys_used(ai, n))) == 2
    ai.fail(503)
    ai.fail(503)
    ai.say("после двух 503")
    ask(u, "ещё", "после двух 503")  # both keys failed once: a retry
    ai.hang()
    ai.say("после зависания")
    n = len(ai.calls())
    ask(u, "и ещё", "после зависания")  # idle_timeout_s = 2 in the tests
    assert len(ai.calls()) - n == 2


@pytest.mark.features("F-SUP-03", "F-SUP-04")
def test_every_key_revoked_hands_over_to_an_operator(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m = manager(tgsim, w)
    u = customer(tgsim)
    open_support(u)
    for k in KEYS:
        ai.revoke(k, status=403)
    u.send("помогите выбрать чай", wait=False)
    u.expect(AI_DOWN, timeout=15)
    t = wait_ticket(w, u.id, "wait")
    assert t[2].startswith("модель недоступна")
    m.expect(f"Обращение №{t[0]}")
    assert "помогите выбрать чай" in m.screen().text and "✋ Взять" in m.screen().button_texts
    n = len(ai.calls())
    # the next question goes straight to the operator: no key is left to try
    u.send("алло?", wait=False)
    u.expect("Передано оператору")
    assert len(ai.calls()) == n
