"""Shared bits of the loyalty e2e tests (tests/e2e/test_loyalty_*.py).

walord runs `orders` + `loyalty` and the test plugin `ordprobe`, which
creates, pays, moves and cancels orders of the calling user through the
orders service (checkout does not exist yet); loyalty sees them only as
order.paid / order.cancelled / order.completed events, as in production."""

from __future__ import annotations

import re

import hostkit as hk
from test_orders_kit import clock, cmd, new_order  # noqa: F401  (re-exported)

SECTION = "🎁 Промо и скидки"
MY = "💎 Мои бонусы"

# settings of the tests: round figures
LOYALTY_INI = ("[plugin.loyalty]\ncashback_pct = 7\nbonus_share_pct = 50\nref_min_order = 1000\n"
               "ref_reward = 300\nref_pct = 5\nref_tiers = 2:500\n")


def start(walord, tmp_path, free_port, catalog=False, loyalty_ini="", orders_ini="", **kw):
    plugins = ["orders", "ordprobe", "loyalty"] + (["catalog"] if catalog else [])
    port = free_port()
    conf = {"50-ordprobe.ini": "[plugin.ordprobe]\n", "70-loyalty.ini": LOYALTY_INI + loyalty_ini}
    if orders_ini:
        conf["40-orders.ini"] = "[plugin.orders]\n" + orders_ini
    w = hk.start(walord, tmp_path, plugins=plugins, extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files=conf, **kw)
    w.port = port
    return w


def customer(tgsim, name="Анна", first="/start"):
    u = tgsim.user(name)
    u.send(first)
    return u


def manager(tgsim, w, name="Борис"):
    m = tgsim.user(name)
    m.send("/start")
    con = w.db()
    con.execute("UPDATE wh_users SET role = 2 WHERE id = ?", (m.id,))
    con.commit()
    return m


def order(u, goods: int, **keys) -> int:
    """An order of one line worth `goods` kopecks; keys as ordprobe takes them
    (promo=, cert=, bonus=, personal=, delivery= in kopecks, pcode=, ccode=)."""
    spec = f"1x1@{goods} " + " ".join(f"{k}={v}" for k, v in keys.items())
    return new_order(u, spec.strip())


def pay(u, oid):
    assert cmd(u, f"/ordprobe_paid {oid}") == "paid:0"


def complete(u, oid):
    for to in ("processing", "shipped", "delivered", "completed"):
        assert cmd(u, f"/ordprobe_status {oid} {to}") == "status:0", to


def cancel(u, oid):
    assert cmd(u, f"/ordprobe_cancel {oid} 1") == "cancel:0"


def settled(w, timeout=10.0):
    """Waits until loyalty has handled every event; fails on a failed delivery."""
    con = w.db()

    def done():
        failed = hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = 'loyalty' "
                                "AND failed_at IS NOT NULL")
        assert failed == 0, con.execute("SELECT last_error FROM wh_event_deliveries WHERE plugin = 'loyalty'"
                                        " AND last_error IS NOT NULL").fetchall()
        return hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = 'loyalty' "
                              "AND delivered_at IS NULL") == 0
    hk.wait_until(done, timeout=timeout, what="loyalty's event deliveries")
    # an error while delivering is retried later: it must not have happened at all
    assert hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = 'loyalty' "
                          "AND last_error IS NOT NULL") == 0


def balance(w, uid) -> int:
    return hk.scalar(w.db(), "SELECT coalesce(sum(amount), 0) FROM loyalty_ledger WHERE user_id = ?", uid)


def redeliver(w):
    """Every event loyalty handled is delivered once more (at-least-once
    delivery after a crash): stop, mark them undelivered, start."""
    w.stop()
    con = w.db()
    con.execute("UPDATE wh_event_deliveries SET delivered_at = NULL, attempts = 0, next_try = 0 "
                "WHERE plugin = 'loyalty'")
    con.commit()
    con.close()
    w.start()
    settled(w)


def promo(w, code, pct, limit=0, expires_at=0, once=0, active=1):
    con = w.db()
    cur = con.execute("INSERT INTO loyalty_promo(code, pct, usage_limit, expires_at, once_per_user, active,"
                      " created_at) VALUES (?, ?, ?, ?, ?, ?, 0)", (code, pct, limit, expires_at, once, active))
    con.commit()
    return cur.lastrowid


def cert(w, code, face, expires_at=None):
    con = w.db()
    exp = expires_at if expires_at is not None else 4102444800  # 2100
    cur = con.execute("INSERT INTO loyalty_cert(code, face, balance, expires_at, created_at) VALUES (?, ?, ?, ?, 0)",
                      (code, face, face, exp))
    con.commit()
    return cur.lastrowid


def bot_texts(u):
    return [m.get("text") or "" for m in u.bot_messages()]


def wait_text(u, part, what=None):
    """The first bot message containing `part` (literal), waited for."""
    return hk.wait_until(lambda: next((t for t in bot_texts(u) if part in t), None), timeout=10,
                         what=what or part)


# ---- the quote of the test plugin loybench (tests/plugins/loybench): N calls
# of the pricing provider's adjust() for a 10-line order with every adjustment
# present; test_loyalty_checkout.py checks one, bench/e2e measures many

def quote_setup(walord, tmp_path, tgsim):
    w = hk.start(walord, tmp_path, plugins=["loyalty", "loybench"], conf_files={"70-loyalty.ini": LOYALTY_INI})
    promo(w, "WELCOME", 10)
    cert(w, "GIFT-BENCH", 300000)
    u = customer(tgsim, "Бенч")
    con = w.db()
    con.execute("INSERT INTO loyalty_ledger(user_id, amount, kind, note, created_at) VALUES (?, 100000, 'manual', "
                "'бенч', 0)", (u.id,))
    con.execute("INSERT INTO loyalty_personal(user_id, pct, set_at) VALUES (?, 5, 0)", (u.id,))
    con.commit()
    return w, u


def quote_run(u, n):
    """`bench: quote_per_s=… lines=…` of n quotes"""
    u.send(f"/loybench {n} WELCOME GIFT-BENCH", timeout=600)
    got = u.screen().text
    assert re.fullmatch(r"bench: quote_per_s=\d+ lines=\d+", got), got
    return got
