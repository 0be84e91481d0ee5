#!/usr/bin/env python3
"""webhook_bench: payment webhooks through the real walord + pay-ecom + orders.

    WALOR_BUILD_DIR=build /usr/bin/python3 bench/webhook_bench.py [--orders 2000] [--clients 16]

1. starts tgsim, the fake Ekomkassa (tests/fakes/ecom) and walord with
   orders, ordprobe (the test plugin that creates orders) and pay-ecom
   (production log level, walord's default 4 workers); a customer creates
   --orders orders with /ordprobe_bench;
2. stops walord and gives every order a pending invoice (rows in
   pay_ecom_invoice, the same invoices paid in the fake), then starts it
   again;
3. --clients threads post one valid webhook per order to
   /p/pay-ecom/webhook/<secret> over keep-alive connections. Each is checked
   against the fake (a GET of the invoice status) before the order becomes
   paid (orders.mark_paid, order.paid, the customer's message);
4. checks that every order is paid exactly once and the fake was asked once
   per webhook, stops walord (exit code 0 required).

Prints one line on stdout:
    bench: webhooks_per_s=N
details on stderr. Exit 1 on any failure. Measured, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
sys.path.insert(0, str(REPO / "tests" / "fakes" / "ecom"))

import walor_harness as wh  # noqa: E402
from benchkit import fail, plugin_dir  # noqa: E402
from fake_ecom import LOGIN, PASSWORD, EcomFake  # noqa: E402
from tgsim import Sim  # noqa: E402

SECRET = "bench-webhook-secret-0123456789"


def main() -> None:
    ap = argparse.ArgumentParser(description="payment webhooks per second")
    ap.add_argument("--orders", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--log-level", default="info", help="walord's log level (debug shows each call's time)")
    a = ap.parse_args()
    bdir = wh.build_dir()
    work = Path(tempfile.mkdtemp(prefix="walor-webhook-bench-"))
    tg = wh.TgsimServer(bdir, work / "tgsim")
    fake = EcomFake().start(wh.free_port())
    w = None
    try:
        tg.start()
        sim = Sim(tg.url)
        user = sim.user("Бенчмарк")
        port = wh.free_port()
        ini = (f"[plugin.pay-ecom]\napi_url = {fake.url}\ngateway_url = {fake.url}\nlogin = {LOGIN}\n"
               f"password = {PASSWORD}\ngroup_code = 700\nwebhook_secret = {SECRET}\n"
               f"public_url = http://127.0.0.1:{port}\nfiscal = no\nreconcile_s = 86400\n")
        w = wh.Walord(bdir, work / "walord", api_root=tg.url, token=tg.token,
                      plugins=["orders", "ordprobe", "pay-ecom"], plugin_dir=plugin_dir(bdir, work, ("orders", "pay-ecom"), ("ordprobe",)),
                      walor={"log_level": a.log_level}, extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                      conf_files={"50-ordprobe.ini": "[plugin.ordprobe]\nstock = yes\n", "60-pay-ecom.ini": ini})
        w.start()
        user.send("/start")
        t0 = time.monotonic()
        user.send(f"/ordprobe_bench {a.orders}", wait=False)
        user.expect("bench: order_create_per_s=", timeout=600)
        print(f"webhook_bench: {a.orders} orders created in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        w.stop()

        con = sqlite3.connect(w.db_path)
        ids = [r[0] for r in con.execute("SELECT id FROM orders_order WHERE status = 'new' ORDER BY id")]
        if len(ids) != a.orders:
            fail(f"{len(ids)} new orders, expected {a.orders}")
        now = int(time.time())
        con.executemany("INSERT INTO pay_ecom_invoice(order_id, user_id, amount, state, invoice_id, link, qr,"
                        " sent_at, last_check_at, created_at, updated_at) VALUES (?, ?, 60000, 'pending', ?, 'x',"
                        " 'x', ?, ?, ?, ?)",
                        [(i, user.id, f"inv-b{i}", now, now, now, now) for i in ids])
        con.commit()
        con.close()
        with fake.lock:
            for i in ids:
                fake.invoices[f"inv-b{i}"] = {"id": f"inv-b{i}", "external_id": f"walor-{i}-1", "amount": 600.0,
                                              "status": 2, "reason": "", "callback_url": "", "description": ""}
        w.start()

        shares = [ids[k::a.clients] for k in range(a.clients)]
        bad: list = []
        go = threading.Barrier(a.clients + 1)

        def client(mine):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            go.wait()
            for i in mine:
                c.request("POST", f"/p/pay-ecom/webhook/{SECRET}", body=json.dumps({"id": f"inv-b{i}", "status": 2}),
                          headers={"Content-Type": "application/json"})
                r = c.getresponse()
                body = r.read()
                if r.status != 200 or body != b'{"result":"paid"}':
                    bad.append((i, r.status, body[:100]))
            c.close()
        ts = [threading.Thread(target=client, args=(s,)) for s in shares]
        for t in ts:
            t.start()
        go.wait()
        t0 = time.monotonic()
        for t in ts:
            t.join()
        dt = time.monotonic() - t0
        if bad:
            fail(f"{len(bad)} webhooks failed, first: {bad[0]}")
        db = sqlite3.connect(w.db_path)
        paid = db.execute("SELECT count(*) FROM orders_order WHERE status = 'paid'").fetchone()[0]
        moves = db.execute("SELECT count(*) FROM orders_history WHERE to_status = 'paid'").fetchone()[0]
        db.close()
        checks = len(fake.requests("status"))
        if paid != a.orders or moves != a.orders or checks != a.orders:
            fail(f"paid {paid}, paid moves {moves}, status checks {checks}; expected {a.orders} each")
        print(f"webhook_bench: {a.orders} webhooks from {a.clients} clients in {dt:.2f} s, each re-checked",
              file=sys.stderr)
        w.stop()
        print(f"bench: webhooks_per_s={a.orders / dt:.0f}")
    finally:
        if w is not None and w.running:
            w.stop()
        tg.stop()
        fake.stop()
        if a.keep:
            print(f"webhook_bench: work directory {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
