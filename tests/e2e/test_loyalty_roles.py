"""A manager removed in the middle of a staff form cannot finish it (issue
13, 7a): seen before the fix, an ex-manager finished "new promo code" (a
50 % code was created) and "add bonuses" (5 000 ₽ credited to himself).
Removing the role ends his staff conversations, and the role is checked at
every step, so a conversation his role no longer allows is refused even
when it was still open."""

from __future__ import annotations

import pytest

import hostkit as hk
from test_loyalty_kit import SECTION, balance, bot_texts, manager, start


def remove_by_owner(owner, name):
    owner.send("/admin")
    owner.press("👥 Персонал")
    owner.press(f"✖️ {name} (менеджер)")


def regrant(w, m):
    con = w.db()
    con.execute("UPDATE wh_users SET role = 2 WHERE id = ?", (m.id,))
    con.commit()


def section(m):
    m.send("/admin")
    m.press(SECTION)


@pytest.mark.features("F-HOST-02", "F-LOY-07", "F-LOY-09")
def test_removed_manager_cannot_finish_promo_or_bonus(tgsim, walord, tmp_path, free_port):
    w = start(walord, tmp_path, free_port)
    owner = hk.owner(tgsim)
    owner.send("/start")
    m = manager(tgsim, w, "Борис")
    con = w.db()

    # "new promo code": removed at the last of five steps
    section(m)
    m.press("➕ Промокод")
    for answer in ("HALF", "50", "0", "30"):
        m.send(answer)
    once = m.screen()
    assert "Да, один раз" in once.button_texts
    remove_by_owner(owner, "Борис")
    assert hk.scalar(con, "SELECT role FROM wh_users WHERE id = ?", m.id) == 0
    assert hk.scalar(con, "SELECT active FROM wh_conv WHERE chat_id = ?", m.id) == 0   # ended with the role
    m.press("Да, один раз", message_id=once.message_id)   # the question asked before the removal
    assert m.last_answer()["text"] == hk.STALE
    assert hk.scalar(con, "SELECT count(*) FROM loyalty_promo") == 0

    # "add bonuses" to himself: removed before the reason
    regrant(w, m)
    section(m)
    m.press("💎 Бонусы клиента")
    m.send(str(m.id))
    m.send("+5000")
    remove_by_owner(owner, "Борис")
    m.send("подарок")
    assert balance(w, m.id) == 0
    assert not any("Вам начислено" in t for t in bot_texts(m))

    # the role taken away while the form stayed open (no removal screen):
    # the next answer is refused at the step itself
    regrant(w, m)
    section(m)
    m.press("➕ Промокод")
    for answer in ("HALF", "50", "0", "30"):
        m.send(answer)
    con.execute("UPDATE wh_users SET role = 0 WHERE id = ?", (m.id,))
    con.commit()
    m.press("Да, один раз")
    ans = hk.wait_until(m.last_answer, what="an answer to the press")
    assert ans["text"] == hk.DENIED and ans.get("show_alert") is True
    assert hk.scalar(con, "SELECT count(*) FROM loyalty_promo") == 0
    assert hk.scalar(con, "SELECT active FROM wh_conv WHERE chat_id = ?", m.id) == 0
    w.wait_log(rf"user {m.id} \(role 0\) refused loyalty.adm_promo", timeout=2)
