"""Shared bits of the broadcast e2e tests (tests/e2e/test_broadcast_*.py).

walord runs `orders`, `ordprobe` (orders of the calling user, as checkout
would create them), `crm` (tracking links) and `broadcast`."""

from __future__ import annotations

import hostkit as hk
from test_orders_kit import clock, cmd, new_order  # noqa: F401  (re-exported)

SECTION = "📣 Рассылка"


def start(walord, tmp_path, free_port, plugins=("orders", "ordprobe", "crm", "broadcast"), bc_ini="", **kw):
    port = free_port()
    conf = {"50-ordprobe.ini": "[plugin.ordprobe]\n", "85-broadcast.ini": "[plugin.broadcast]\n" + bc_ini}
    conf.update(kw.pop("conf_files", {}))
    w = hk.start(walord, tmp_path, plugins=list(plugins), extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files=conf, **kw)
    w.port = port
    return w


def users(tgsim, n, prefix="Клиент"):
    out = []
    for i in range(n):
        u = tgsim.user(f"{prefix}{i}")
        u.send("/start")
        out.append(u)
    return out


def compose(u, text, button=None):
    """From the section to the audience question (the preview is sent)."""
    u.send("/admin")
    u.press(SECTION)
    u.press("✍️ Новая рассылка")
    u.send(text)
    if button:
        u.send(button)
    else:
        u.press("Без кнопки")
    return u.screen()


def got(u, text):
    """How many messages of the broadcast (its text) the user got."""
    return sum(1 for m in u.bot_messages() if text in (m.get("text") or m.get("caption") or ""))


def finished(w, bid, timeout=30.0):
    con = w.db()
    hk.wait_until(lambda: hk.scalar(con, "SELECT status FROM broadcast_msg WHERE id = ?", bid) in ("done", "stopped"),
                  timeout=timeout, what=f"broadcast {bid} to finish")
    return dict(zip(("total", "sent", "blocked", "failed", "unknown", "status"),
                    con.execute("SELECT total, n_sent, n_blocked, n_failed, n_unknown, status FROM broadcast_msg "
                                "WHERE id = ?", (bid,)).fetchone()))


def last_id(w):
    return hk.scalar(w.db(), "SELECT max(id) FROM broadcast_msg")
