#!/usr/bin/env python3
"""orders_bench: order creation through the `orders` service, as checkout
will call it, in the real walord with the real warehouse.

    WALOR_BUILD_DIR=build /usr/bin/python3 bench/orders_bench.py [--orders 2000]

1. starts tgsim and walord with orders, warehouse and the test plugin
   ordprobe (tests/plugins/ordprobe), lets walord create its tables, stops it;
2. seeds the warehouse with three tracked products (1000, 1001, 1002) and
   enough stock for every order;
3. starts walord again (production log level, default workers) and sends
   `/ordprobe_bench N` once: ordprobe creates N orders of 3 lines one after
   another, each in its own transaction with the stock reservation through
   the `stock` service, its history row and its order.created event (whose
   delivery, scheduling the auto-cancel job, runs on the other workers
   meanwhile), and times the loop with CLOCK_MONOTONIC;
4. checks the orders and reservations are all there, stops walord (exit 0).

Prints one line on stdout:
    bench: order_create_per_s=N
details on stderr. Exit 1 on any failure. Measured, never asserted.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchkit import build_dir, built, ctl, fail, finish, plugin_dir, start_tgsim, start_walord, stop, write_ini

PRODUCTS = (1000, 1001, 1002)


def main() -> None:
    ap = argparse.ArgumentParser(description="order creation benchmark")
    ap.add_argument("--orders", type=int, default=2000)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()

    bdir = build_dir()
    walord, tgsim = bdir / "bin" / "walord", bdir / "bin" / "tgsim"
    built(walord, tgsim)

    work = Path(tempfile.mkdtemp(prefix="walor-ordbench-"))
    plugdir = plugin_dir(bdir, work, ("orders", "warehouse"), ("ordprobe",))
    procs: list[tuple[subprocess.Popen, str]] = []
    ok = False
    try:
        sim, port = start_tgsim(tgsim, work)
        procs.append((sim, "tgsim"))
        ini = write_ini(work, plugdir, "orders warehouse ordprobe", port)
        log = work / "walord.log"
        stop(start_walord(walord, ini, log), "walord (first run)")
        con = sqlite3.connect(work / "walor.db")
        with con:
            for pid in PRODUCTS:
                con.execute("INSERT INTO warehouse_item(product_id, variant_no, on_hand, reserved, unit_cost) "
                            "VALUES (?, 0, ?, 0, 5000)", (pid, 10 * a.orders))
        con.close()
        w = start_walord(walord, ini, log)
        procs.append((w, "walord"))

        u = ctl(port, "POST", "users", {"first_name": "Бенчмарк"})
        r = ctl(port, "POST", f"users/{u['id']}/send", {"text": f"/ordprobe_bench {a.orders}"})
        ver, line = r.get("version", 0), None
        deadline = time.monotonic() + 600
        while line is None and time.monotonic() < deadline:
            chat = ctl(port, "GET", f"users/{u['id']}/chat", query={"after_version": ver, "timeout_ms": 5000})
            ver = chat["version"]
            for m in chat["messages"]:
                if m["from"] == "bot" and (m.get("text") or "").startswith("bench:"):
                    line = m["text"]
        if not line or not re.fullmatch(r"bench: order_create_per_s=\d+", line):
            fail(f"ordprobe answered {line!r}")
        con = sqlite3.connect(work / "walor.db")
        n_orders = con.execute("SELECT count(*) FROM orders_order").fetchone()[0]
        n_res = con.execute("SELECT count(*) FROM warehouse_reservation WHERE state = 'reserved'").fetchone()[0]
        con.close()
        if n_orders != a.orders or n_res != 3 * a.orders:
            fail(f"{n_orders} orders and {n_res} reservations, expected {a.orders} and {3 * a.orders}")
        procs.remove((w, "walord"))
        stop(w, "walord")
        print(f"orders_bench: {a.orders} orders of 3 lines with their reservations", file=sys.stderr)
        print(line)
        ok = True
    finally:
        finish(procs, work, ok, a.keep)


if __name__ == "__main__":
    main()
