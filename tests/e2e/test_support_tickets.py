"""support-groq, tickets and operators (F-SUP-04, F-SUP-05, F-SUP-06):
escalation by the button, /operator, the model's marker and its tool, the
staff's push; two operators pressing "Взять" at once; reply mode relaying
text, photos and documents both ways; the ticket screen with its history
paged; closing; the operator writing to a closed ticket; forged callbacks."""

from __future__ import annotations

import base64
import threading

import pytest

import hostkit as hk
from tgsim import Screen, SimError
from test_support_kit import (ESCALATED, OPERATOR, ai, ask, bot_texts, customer, escalated, manager,  # noqa: F401
                              messages, open_support, start, ticket, wait_ticket)

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def times(w, tid):
    return w.db().execute("SELECT created_at, escalated_at, taken_at, closed_at, status FROM support_ticket "
                          "WHERE id = ?", (tid,)).fetchone()


@pytest.mark.features("F-SUP-04", "F-SUP-05")
def test_escalation_by_button_command_marker_and_tool(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m = manager(tgsim, w)
    # the button under an answer
    anna = customer(tgsim, "Анна")
    open_support(anna)
    ai.say("Вот ответ.")
    ask(anna, "вопрос", "Вот ответ.")
    assert ticket(w, anna.id)[1] == "ai"
    anna.press(OPERATOR)
    anna.expect(ESCALATED)
    t = wait_ticket(w, anna.id, "wait")
    assert t[2] == "покупатель нажал «Оператор»"
    push = m.expect(f"Обращение №{t[0]}")
    assert "вопрос" in push["text"] and "Анна" in push["text"]
    c, e, tk, cl, st = times(w, t[0])
    assert c > 0 and e >= c and tk == 0 and cl == 0
    anna.press(OPERATOR)
    anna.expect("уже у оператора")

    # /operator, before any question
    boris = customer(tgsim, "Борис")
    boris.send("/operator")
    boris.expect(ESCALATED)
    assert wait_ticket(w, boris.id, "wait")[2] == "покупатель попросил оператора"

    # the model's marker: the customer never sees it
    vera = customer(tgsim, "Вера")
    open_support(vera)
    ai.say("К сожалению, я не могу оформить возврат. [[ОПЕРАТОР]]")
    a = ask(vera, "хочу вернуть товар", "не могу оформить возврат")
    assert "[[" not in a["text"]
    vera.expect(ESCALATED)
    assert wait_ticket(w, vera.id, "wait")[2] == "ассистент не может помочь"

    # the model's tool
    gleb = customer(tgsim, "Глеб")
    open_support(gleb)
    ai.call_tool("call_operator", reason="жалоба на доставку")
    gleb.send("курьер нагрубил", wait=False)
    gleb.expect(ESCALATED)
    assert wait_ticket(w, gleb.id, "wait")[2] == "жалоба на доставку"
    assert sum(f"Обращение №" in t and "ждёт оператора" in t for t in bot_texts(m)) == 4


@pytest.mark.features("F-SUP-05", "F-SUP-06")
def test_operator_dialogue_relays_text_photos_and_files_both_ways(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m = manager(tgsim, w)
    u, tid = escalated(tgsim, w, m)
    m.press("✋ Взять")
    m.expect(f"Ответ по обращению №{tid}")
    u.expect("Оператор Борис подключился")
    assert times(w, tid)[2] > 0 and ticket(w, u.id)[3] == m.id

    m.send("Здравствуйте! <b>Чем</b> помочь?")
    m.expect("Отправлено")
    got = u.expect("Здравствуйте! <b>Чем</b> помочь?")  # escaped: the operator's text is not HTML
    assert "Оператор Борис" in got["text"] and "✍️ Ответить" in Screen(got).button_texts
    u.send("Вот фото товара", wait=False)  # goes to the operator: nothing comes back
    m.expect("Вот фото товара")
    u.send_photo(caption="царапина", data=PNG, wait=False)
    m.wait_for(lambda chat: any(x.get("photo") and "царапина" in (x.get("caption") or "") for x in chat["messages"]),
               what="the customer's photo at the operator")
    u.send_document("чек.pdf", b"%PDF-1.4 test", mime_type="application/pdf", caption="чек", wait=False)
    m.wait_for(lambda chat: any((x.get("document") or {}).get("file_name") == "чек.pdf" for x in chat["messages"]),
               what="the customer's document at the operator")
    m.send_photo(caption="так?", data=PNG)
    u.wait_for(lambda chat: any(x.get("photo") and "так?" in (x.get("caption") or "") for x in chat["messages"]),
               what="the operator's photo at the customer")
    m.send_document("инструкция.txt", b"1. 2. 3.", mime_type="text/plain")
    u.wait_for(lambda chat: any((x.get("document") or {}).get("file_name") == "инструкция.txt"
                                for x in chat["messages"]), what="the operator's document at the customer")
    kinds = [(a, k) for a, k, _, _ in messages(w, tid) if a in ("customer", "operator")]
    assert kinds == [("operator", "text"), ("customer", "text"), ("customer", "photo"), ("customer", "document"),
                     ("operator", "photo"), ("operator", "document")]

    # the customer ends it; the operator's next message does not go out
    u.press("✅ Вопрос решён")
    u.expect("Обращение закрыто")
    m.expect(f"Покупатель закрыл обращение №{tid}")
    c, e, tk, cl, st = times(w, tid)
    assert st == "closed" and cl >= tk >= e >= c
    before = len(u.bot_messages())
    m.send("Ещё вопрос?")
    m.expect(f"Обращение №{tid} закрыто — сообщение не отправлено")
    assert len(u.bot_messages()) == before
    assert messages(w, tid)[-1][2] != "Ещё вопрос?"
    # a new question opens a new ticket with the assistant
    ai.say("Снова ассистент.")
    open_support(u)
    ask(u, "новый вопрос", "Снова ассистент.")
    t2 = ticket(w, u.id)
    assert t2[0] != tid and t2[1] == "ai"


@pytest.mark.features("F-SUP-05")
def test_two_operators_take_one_ticket(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m1 = manager(tgsim, w, "Борис")
    m2 = manager(tgsim, w, "Глеб")
    u = customer(tgsim)
    u.send("/operator")
    tid = wait_ticket(w, u.id, "wait")[0]
    p1 = m1.expect(f"Обращение №{tid}")
    p2 = m2.expect(f"Обращение №{tid}")
    results = []

    def take(m, push):
        results.append(tgsim.press(m.id, data=f"supt:take:{tid}", message_id=push["message_id"]))
    threads = [threading.Thread(target=take, args=(m1, p1)), threading.Thread(target=take, args=(m2, p2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    owner = hk.wait_until(lambda: ticket(w, u.id)[3], what="an operator")
    winner, loser = (m1, m2) if owner == m1.id else (m2, m1)
    winner.expect(f"Ответ по обращению №{tid}")
    loser.wait_for(lambda chat: chat["callback_answers"] and "уже взял" in chat["callback_answers"][-1]["text"],
                   what="the alert that someone was faster")
    u.expect("подключился")
    assert sum("подключился" in t for t in bot_texts(u)) == 1
    assert hk.scalar(w.db(), "SELECT count(*) FROM support_message WHERE ticket_id = ? AND text LIKE '%взял%'",
                     tid) == 1


@pytest.mark.features("F-SUP-05", "F-SUP-06")
def test_ticket_screen_pages_the_history(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m = manager(tgsim, w)
    u, tid = escalated(tgsim, w, m)
    open_support(u)
    for i in range(24):
        u.send(f"сообщение {i:02d}", wait=False)
    hk.wait_until(lambda: hk.scalar(w.db(), "SELECT count(*) FROM support_message WHERE ticket_id = ? AND "
                                            "author = 'customer'", tid) == 24, what="24 messages kept")
    m.send("/admin")
    m.press("💬 Поддержка")
    s = m.screen()
    assert "Ждут оператора: 1" in s.text
    m.press("🆘 Ждут (1)")
    m.press(f"📂 №{tid}")
    s = m.screen()
    assert f"Обращение №{tid}" in s.text and "сообщение 23" in s.text and "сообщение 10" not in s.text
    assert "👤 Карточка клиента" not in s.button_texts       # no crm plugin: no card to open
    m.press("◀️ Раньше")
    s = m.screen()
    assert "сообщение 10" in s.text and "сообщение 23" not in s.text
    m.press("◀️ Раньше")
    assert "сообщение 00" in m.screen().text
    assert "◀️ Раньше" not in m.screen().button_texts
    m.press("✋ Взять")
    s = Screen(m.expect(f"Ответ по обращению №{tid}"))
    assert ticket(w, u.id)[1] == "operator"
    # reply mode ends with the host's cancel: what the operator writes then stays with them
    assert "✖️ Отмена" in s.button_texts
    m.press("✖️ Отмена")
    before = len(u.bot_messages())
    m.send("это не покупателю")
    assert len(u.bot_messages()) == before
    assert "это не покупателю" not in [x[2] for x in messages(w, tid)]
    m.press("✍️ Ответить")
    m.expect(f"Ответ по обращению №{tid}")
    m.send("а это покупателю")
    u.expect("а это покупателю")


@pytest.mark.features("F-SUP-05")
def test_forged_ticket_callbacks(tgsim, walord, tmp_path, free_port, ai):
    w = start(walord, tmp_path, free_port, ai)
    m = manager(tgsim, w)
    u, tid = escalated(tgsim, w, m)
    # a customer forging staff buttons: the host refuses by role
    for data in (f"supt:take:{tid}", f"supt:close:{tid}", "supa:l:wait:0", "supo:topics:0"):
        u.press_data(data, force=True)
        assert "Недостаточно прав" in (u.last_answer() or {}).get("text", ""), data
    assert ticket(w, u.id)[1] == "wait"
    # a manager forging: unknown tickets and garbage
    m.press_data("supt:take:999999", force=True)
    assert "Такого обращения нет" in m.last_answer()["text"]
    m.press_data("supt:close:abc", force=True)
    assert "устарела" in m.last_answer()["text"]
    m.press_data("supt:reply:-1", force=True)
    assert "устарела" in m.last_answer()["text"]
    m.press_data("supo:topics:0", force=True)  # the owner's
    assert "Недостаточно прав" in m.last_answer()["text"]
    assert ticket(w, u.id)[1] == "wait"
    # another customer cannot close Анна's ticket: "done" closes only one's own
    b = customer(tgsim, "Борис")
    b.press_data("sup:done", force=True)
    assert "Открытых обращений нет" in b.last_answer()["text"]
    assert ticket(w, u.id)[1] == "wait"
    with pytest.raises(SimError):
        tgsim.press(u.id, text="✋ Взять")  # no such button at the customer


@pytest.mark.features("F-SUP-06", "F-CRM-01")
def test_ticket_opens_the_client_card_when_crm_is_loaded(tgsim, walord, tmp_path, free_port, ai):
    """Staff open the client card from a ticket (crm's service); its "back"
    returns to the ticket. Without crm the ticket has no such button."""
    w = start(walord, tmp_path, free_port, ai, more=("crm",))
    m = manager(tgsim, w)
    u, tid = escalated(tgsim, w, m)
    m.send("/admin")
    m.press("💬 Поддержка")
    m.press("🆘 Ждут (1)")
    m.press(f"📂 №{tid}")
    assert f"Обращение №{tid}" in m.screen().text
    m.press("👤 Карточка клиента")
    card = m.screen().text
    assert u.first_name in card and str(u.id) in card, m.dump()
    m.press("⬅️ Назад")
    assert f"Обращение №{tid}" in m.screen().text, m.dump()
