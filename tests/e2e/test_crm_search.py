"""crm plugin: client search (F-CRM-02) — @username, Telegram ID, a phone in
any notation, part of a name in any case with ё = е; a query of one
character, one that finds nobody; pages of results."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_crm_kit import customer, new_order, search, settled, start


def found(screen):
    return sorted(t[2:] for t in screen.button_texts if t.startswith("👤 "))


@pytest.mark.features("F-CRM-02")
def test_search_by_username_id_phone_name(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    semen = customer(tgsim, "Семён", last_name="Ёлкин", username="Semyon_E")
    anna = customer(tgsim, "Анна", username="anna_k")
    oleg = customer(tgsim, "Олег")
    new_order(anna, "10x1@1000 phone=+7(912)345-67-89 name=Анна_Петровна")
    new_order(oleg, "10x1@1000 phone=8-800-555-35-35")
    settled(w)
    cases = {
        "@semyon_e": ["Семён Ёлкин"], "@SEMYON": ["Семён Ёлкин"], "@anna": ["Анна"],
        "семен": ["Семён Ёлкин"], "СЕМЁН": ["Семён Ёлкин"], "елкин": ["Семён Ёлкин"], "ЁЛК": ["Семён Ёлкин"],
        "петровна": ["Анна"],                                   # the name given at checkout
        str(oleg.id): ["Олег"],
        "+7 912 345-67-89": ["Анна"], "89123456789": ["Анна"], "8 (912) 345 67 89": ["Анна"],
        "912-345-67-89": ["Анна"], "9123456789": ["Анна"], "+7 912 345": ["Анна"], "345-67-89": ["Анна"],
        "8 800 555 35 35": ["Олег"], "5553535": ["Олег"],
    }
    for query, who in cases.items():
        s = search(owner, query)
        assert found(s) == who, (query, s.text)
        owner.press("✖️ Отмена") if "✖️ Отмена" in s.button_texts else None


@pytest.mark.features("F-CRM-02")
def test_search_short_and_nothing_found(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    customer(tgsim, "Анна")
    s = search(owner, "а")
    assert "хотя бы 2 символа" in s.text, s.text
    owner.send("@")
    assert "хотя бы 2 символа" in owner.screen().text
    owner.send("Зинаида")
    s = owner.screen()
    assert "Никого не нашлось по запросу «Зинаида»" in s.text and "✖️ Отмена" in s.button_texts, s.text
    owner.send("12")                                            # a number: neither an ID here nor a phone
    assert "Никого не нашлось" in owner.screen().text
    owner.send("<b>Анна</b>")
    s = owner.screen()
    assert "&lt;b&gt;Анна&lt;/b&gt;" in s.html                  # the query is shown escaped
    owner.send("анна")
    assert found(owner.screen()) == ["Анна"]
    assert hk.scalar(w.db(), "SELECT query FROM crm_lastq WHERE user_id = ?", hk.OWNER_ID) == "анна"


@pytest.mark.features("F-CRM-02", "F-CRM-01")
def test_search_pages_and_back_from_the_card(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    for i in range(11):
        customer(tgsim, f"Иван{i:02d}")
    s = search(owner, "иван")
    assert len(found(s)) == 8 and "Страница 1 из 2" in s.text, s.text
    owner.press("▶️")
    s = owner.screen()
    assert found(s) == ["Иван08", "Иван09", "Иван10"], s.text
    owner.press("👤 Иван09")
    assert "👤 Иван09" in owner.screen().text
    owner.press("⬅️ Назад")
    assert found(owner.screen()) == ["Иван08", "Иван09", "Иван10"]
