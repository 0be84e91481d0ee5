"""Shared bits of the orders e2e tests (tests/e2e/test_orders_*.py).

Orders are created through the test plugin tests/plugins/ordprobe (checkout
does not exist yet): `/ordprobe_new 10.1x2@150000 11x1@50000 delivery=30000`
creates an order of the calling user through the `orders` service. With
`stock=True` ordprobe is also the `stock` provider: levels in ordprobe_stock,
every move in ordprobe_ledger."""

from __future__ import annotations

import http.client
import json
import re

import hostkit as hk


def start(walord, tmp_path, free_port, stock=True, payment=False, catalog=False, orders_ini="", extra_plugins=(),
          probe_ini="", **kw):
    plugins = ["orders", "ordprobe"] + (["catalog"] if catalog else []) + list(extra_plugins)
    port = free_port()
    probe = "[plugin.ordprobe]\n" + ("stock = yes\n" if stock else "") + ("payment = yes\n" if payment else "") + probe_ini
    conf = {"50-ordprobe.ini": probe}
    if orders_ini:
        conf["40-orders.ini"] = "[plugin.orders]\n" + orders_ini
    w = hk.start(walord, tmp_path, plugins=plugins, extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files=conf, **kw)
    w.port = port
    return w


def clock(w, advance: int | None = None) -> int:
    """The host clock (epoch s), moved forward by `advance` seconds first (test mode only)."""
    con = http.client.HTTPConnection("127.0.0.1", w.port, timeout=10)
    try:
        if advance is None:
            con.request("GET", "/_test/clock")
        else:
            con.request("POST", "/_test/clock", body=json.dumps({"advance_s": advance}).encode(),
                        headers={"Content-Type": "application/json"})
        r = con.getresponse()
        body = r.read()
        assert r.status == 200, (r.status, body)
        return json.loads(body)["now"]
    finally:
        con.close()


PROBE_REPLY = re.compile(r"^(order|error|paid|status|cancel|track|shot|meta|get|stock|bench|refund)[: ]")


def cmd(u, text: str) -> str:
    """Sends a probe command and returns ordprobe's one-line answer (the
    customer's notifications may come after it)."""
    before = len(u.bot_messages())

    def answer(chat):
        bots = [m for m in chat["messages"] if m["from"] == "bot"][before:]
        return next((m["text"] for m in bots if PROBE_REPLY.match(m.get("text") or "")), None)
    u.send(text, wait=False)
    return u.wait_for(answer, what=f"ordprobe's answer to {text!r}")


def new_order(u, spec: str) -> int:
    got = cmd(u, f"/ordprobe_new {spec}")
    m = re.fullmatch(r"order:(\d+)", got)
    assert m, got
    return int(m.group(1))


def set_stock(u, pid, vno, qty):
    assert cmd(u, f"/ordprobe_stock {pid} {vno} {qty}") == "stock:0"


def level(w, pid, vno):
    return hk.scalar(w.db(), "SELECT qty FROM ordprobe_stock WHERE product_id = ? AND variant_no = ?", pid, vno)


def ledger(w, order_id):
    return w.db().execute("SELECT product_id, variant_no, qty, reason FROM ordprobe_ledger WHERE order_id = ? "
                          "ORDER BY id", (order_id,)).fetchall()


def status(w, order_id):
    return hk.scalar(w.db(), "SELECT status FROM orders_order WHERE id = ?", order_id)


def events(w, name, order_id=None):
    evs = [json.loads(r[0]) for r in w.db().execute("SELECT payload FROM wh_events WHERE event = ? ORDER BY id",
                                                     (name,))]
    return [e for e in evs if order_id is None or e.get("order_id") == order_id]


def history(w, order_id):
    return w.db().execute("SELECT from_status, to_status, by_user, note FROM orders_history WHERE order_id = ? "
                          "ORDER BY id", (order_id,)).fetchall()


def make_role(w, user, role: int):
    """Staff and testers are normally added in ⚙️ Персонал; the tests set the
    host's role column directly (the user must have written to the bot)."""
    con = w.db()
    con.execute("UPDATE wh_users SET role = ? WHERE id = ?", (role, user.id))
    con.commit()
