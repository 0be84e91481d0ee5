"""Shared bits of the pay-ecom e2e tests (tests/e2e/test_pay_*.py).

walord runs orders + ordprobe (orders are created with /ordprobe_new, as a
customer would get one from checkout) + pay-ecom against the fake Ekomkassa
of tests/fakes/ecom. The customer asks for the payment details with
`/pay <order>` (the same send_details checkout calls)."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import hostkit as hk
import test_orders_kit as ok

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "ecom"))
from fake_ecom import LOGIN, PASSWORD, EcomFake  # noqa: E402

SECRET = "whsec-3f9a7c21d8e64b05"


def start(walord, tmp_path, free_port, staff_chat=0, fiscal=True, extra="", secret_files=False, **kw):
    """secret_files: the password and webhook secret come from *_file keys (systemd credentials)."""
    fake = EcomFake().start(free_port())
    port = free_port()
    if secret_files:
        (tmp_path / "ecom-password").write_text(PASSWORD + "\n")
        (tmp_path / "ecom-secret").write_text(SECRET + "\n")
        secrets = f"password_file = {tmp_path / 'ecom-password'}\nwebhook_secret_file = {tmp_path / 'ecom-secret'}\n"
    else:
        secrets = f"password = {PASSWORD}\nwebhook_secret = {SECRET}\n"
    ini = (f"[plugin.pay-ecom]\napi_url = {fake.url}\ngateway_url = {fake.url}\nlogin = {LOGIN}\n"
           f"{secrets}group_code = 700\n"
           f"public_url = http://127.0.0.1:{port}\nstaff_chat = {staff_chat}\napi_timeout_ms = 1500\n"
           f"fiscal = {'yes' if fiscal else 'no'}\ninn = 7700000000\ncompany_email = shop@example.com\n" + extra)
    plugins = ["orders", "ordprobe", "pay-ecom"]
    w = hk.start(walord, tmp_path, plugins=plugins, extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files={"50-ordprobe.ini": "[plugin.ordprobe]\nstock = yes\n", "60-pay-ecom.ini": ini}, **kw)
    w.port = port
    w.fake = fake
    return w


def stop(w):
    w.fake.stop()


def post(w, path: str, body, timeout: float = 15) -> tuple[int, str]:
    con = http.client.HTTPConnection("127.0.0.1", w.port, timeout=timeout)
    try:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        con.request("POST", path, body=data, headers={"Content-Type": "application/json"})
        r = con.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        con.close()


def webhook(w, body, secret: str = SECRET) -> tuple[int, str]:
    return post(w, f"/p/pay-ecom/webhook/{secret}", body)


def concurrent_webhooks(w, body, n: int) -> list:
    out = [None] * n
    go = threading.Barrier(n)

    def one(i):
        go.wait()
        out[i] = webhook(w, body)
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def row(w, order_id):
    con = w.db()
    con.row_factory = __import__("sqlite3").Row
    r = con.execute("SELECT * FROM pay_ecom_invoice WHERE order_id = ?", (order_id,)).fetchone()
    return dict(r) if r else None


def wait_row(w, order_id, pred, what="the invoice row"):
    return hk.wait_until(lambda: (lambda r: r if r and pred(r) else None)(row(w, order_id)), timeout=15 * w.scale,
                         what=what)


def order(w, order_id) -> dict:
    r = w.db().execute("SELECT status, flags, payment_screenshot, payment_ref FROM orders_order WHERE id = ?",
                       (order_id,)).fetchone()
    return dict(zip(("status", "flags", "payment_screenshot", "payment_ref"), r)) if r else None


def new_order(u, spec="10x2@150000 delivery=30000") -> int:
    return ok.new_order(u, spec)


def payment_message(u, order_id) -> dict:
    """Waits for the photo with the payment details of order_id."""
    want = f"Оплата заказа №{order_id}"

    def has(chat):
        return next((m for m in reversed(chat["messages"])
                     if m["from"] == "bot" and m.get("photo") and want in (m.get("caption") or "")), None)
    return u.wait_for(has, timeout=15, what=f"the payment QR of order {order_id}")


def ask_details(u, order_id) -> dict:
    u.send(f"/pay {order_id}", wait=False)
    return payment_message(u, order_id)


def invoice_of(w, order_id) -> str:
    return wait_row(w, order_id, lambda r: r["invoice_id"], "an invoice id")["invoice_id"]


def qr_text(sim, message: dict, tmp_path: Path) -> str:
    """Decodes the QR code of a photo message with zbarimg."""
    data = sim.file_bytes(message["photo"][-1]["file_id"])
    p = tmp_path / f"qr-{message['message_id']}.png"
    p.write_bytes(data)
    out = subprocess.run(["zbarimg", "-q", "--raw", str(p)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def count_texts(u, substring: str) -> int:
    return sum(1 for m in u.bot_messages() if substring in (m.get("text") or m.get("caption") or ""))


def events(w, name, order_id):
    return ok.events(w, name, order_id)


def paid_moves(w, order_id) -> int:
    return hk.scalar(w.db(), "SELECT count(*) FROM orders_history WHERE order_id = ? AND to_status = 'paid'",
                     order_id)


MONEY_RE = re.compile(r"\d[\d\s]*₽")
