"""loyalty plugin, referrals (plugins/loyalty/referral.c): the ref<ID> deep
link binds a friend on the first start only; the referrer's reward after
the friend's first paid order at or above the minimum, the lifetime share of
later completed orders, a two-level chain, tiers once each, messages to both
sides; a self-referral, a second link, a link followed by a returning
customer, an unknown referrer and garbage are ignored."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_loyalty_kit import (balance, bot_texts, complete, customer, order, pay, redeliver, settled, start,
                              wait_text)


def referrer_of(w, uid):
    return hk.scalar(w.db(), "SELECT referrer_id FROM loyalty_referral WHERE friend_id = ?", uid)


def kinds(w, uid):
    return [r[0] for r in w.db().execute("SELECT kind FROM loyalty_ledger WHERE user_id = ? ORDER BY id",
                                         (uid,)).fetchall()]


@pytest.mark.features("F-HOST-06", "F-LOY-03", "F-LOY-04", "F-LOY-05", "F-LOY-06")
def test_referral_chain_rewards_and_tiers(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)                    # min 1 000 ₽, reward 300 ₽, 5 %, tier 2:500
    a = customer(tgsim, "Алла")
    b = customer(tgsim, "Борис", first=f"/start ref{a.id}")
    assert "Вас пригласил(а) Алла" in "\n".join(bot_texts(b))
    assert "👋" in b.screen().text                           # and the main menu
    wait_text(a, "По вашей ссылке пришёл(ла) Борис")
    c = customer(tgsim, "Вера", first=f"/start ref{a.id}")
    d = customer(tgsim, "Глеб", first=f"/start ref{b.id}")   # Boris invites Gleb: a chain
    assert (referrer_of(w, b.id), referrer_of(w, c.id), referrer_of(w, d.id)) == (a.id, a.id, b.id)

    small = order(b, 50000)                                   # 500 ₽: below the minimum
    pay(b, small)
    settled(w)
    assert balance(w, a.id) == 0
    first = order(b, 150000)
    pay(b, first)
    settled(w)
    assert balance(w, a.id) == 30000
    wait_text(a, "Борис оплатил(а) первый заказ — вам начислено 300 ₽")
    wait_text(b, "Алла получил(а) бонусы за приглашение")
    second = order(b, 150000)                                 # a second paid order: no second reward
    pay(b, second)
    settled(w)
    assert balance(w, a.id) == 30000

    cfirst = order(c, 100000)                                 # exactly the minimum counts
    pay(c, cfirst)
    settled(w)
    assert balance(w, a.id) == 30000 + 30000 + 50000          # and the second friend reaches tier 2
    wait_text(a, "Новая ступень: 2 друга с заказами! Вам начислено 500 ₽")     # not "2 друзей"
    assert kinds(w, a.id) == ["ref_first", "ref_first", "tier"]

    # lifetime share: the orders after the first qualifying one, on completion
    for oid in (small, first, second):
        complete(b, oid)
    settled(w)
    assert balance(w, a.id) == 110000 + 7500                  # 5 % of the second order only
    wait_text(a, "+75 ₽ бонусов за покупку друга (Борис)")
    # the chain: Gleb's first order rewards Boris, not Alla
    dfirst = order(d, 200000)
    pay(d, dfirst)
    settled(w)
    assert balance(w, a.id) == 117500
    assert "ref_first" in kinds(w, b.id)
    redeliver(w)                                              # every event again: every reward still once
    assert balance(w, a.id) == 117500
    assert kinds(w, a.id).count("tier") == 1
    assert sum("Новая ступень" in t for t in bot_texts(a)) == 1
    # the screen counts friends and shows the tiers done
    a.send("/bonus")
    s = a.screen()
    assert "Приглашено: 2, из них сделали заказ: 2" in s.text and "Все ступени пройдены" in s.text, s.text


@pytest.mark.features("F-LOY-03")
def test_only_first_start_binds(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    a = customer(tgsim, "Алла")
    c = customer(tgsim, "Вера")
    me = tgsim.user("Сам")
    me.send(f"/start ref{me.id}")                             # self-referral on the first start
    assert "👋" in me.screen().text
    me.send(f"/start ref{a.id}")                              # a later link does not bind
    assert referrer_of(w, me.id) is None
    old = customer(tgsim, "Давний")                           # a returning customer follows a link
    old.send(f"/start ref{a.id}")
    assert referrer_of(w, old.id) is None
    f = customer(tgsim, "Друг", first=f"/start ref{a.id}")
    f.send(f"/start ref{c.id}")                               # a second link: no rebinding
    assert referrer_of(w, f.id) == a.id
    u = customer(tgsim, "Гость", first="/start ref999999")   # nobody with that id
    assert referrer_of(w, u.id) is None and "👋" in u.screen().text
    g = customer(tgsim, "Мусор", first="/start ref12x")
    assert referrer_of(w, g.id) is None and "👋" in g.screen().text
    assert hk.scalar(w.db(), "SELECT count(*) FROM loyalty_referral") == 1
    assert not any("По вашей ссылке" in t for t in bot_texts(c) + bot_texts(me))
    assert sum("По вашей ссылке" in t for t in bot_texts(a)) == 1
