#!/usr/bin/env python3
"""stock_bench: reserve + release pairs per second through the `stock`
service (plugins/warehouse/stock.c), as a checkout calls it.

It starts tgsim and walord (with the warehouse and the test plugin
stockprobe, tests/plugins/stockprobe) in a temporary directory, puts stock
on one item, and has a user send `/sp_bench ITEM N`: stockprobe runs N
pairs on walord's worker, each pair one transaction (BEGIN IMMEDIATE,
reserve 1 unit for a new order, release it, COMMIT — two ledger rows, a
reservation row and two `stock.changed` events written), times them with
CLOCK_MONOTONIC and answers with the rate. Prints one line:

    bench: stock_reserve_per_s=N

    WALOR_BUILD_DIR   build tree (default <repo>/build)
    STOCK_BENCH_N     pairs (default 5000)

Run: python3 bench/stock_bench.py   (exit 1 on any failure)"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import walor_harness as wh  # noqa: E402
from benchkit import plugin_dir  # noqa: E402
from tgsim import Sim  # noqa: E402


def main() -> int:
    bdir = wh.build_dir()
    n = int(os.environ.get("STOCK_BENCH_N", "5000"))
    with tempfile.TemporaryDirectory(prefix="walor-stock-bench-") as tmp:
        tmp = Path(tmp)
        plugins = plugin_dir(bdir, tmp, ("warehouse",), ("stockprobe",))
        srv = wh.TgsimServer(bdir, tmp / "tgsim").start()
        w = wh.Walord(bdir, tmp / "walord", api_root=srv.url, token=srv.token,
                      plugins=["warehouse", "stockprobe"], owners=[4200001], plugin_dir=plugins,
                      walor={"log_level": "info"})
        try:
            w.start()
            con = w.db()
            con.execute("INSERT INTO warehouse_item(product_id, variant_no, on_hand, reserved, unit_cost) "
                        "VALUES (1, 0, 1000, 0, 10000)")
            con.execute("INSERT INTO warehouse_ledger(at, product_id, variant_no, kind, qty, reserved, "
                        "stock_after, available_after, unit_cost, staff_id) "
                        "VALUES (0, 1, 0, 'supply', 1000, 0, 1000, 1000, 10000, 0)")
            con.commit()
            u = Sim(srv.url).user("Бенч")
            u.send(f"/sp_bench 1 {n}", timeout=600)
            text = u.screen().text
            m = re.search(r"bench: stock_reserve_per_s=(\d+)", text)
            if not m:
                print(f"stock_bench: unexpected answer {text!r}", file=sys.stderr)
                return 1
            left = con.execute("SELECT on_hand, reserved FROM warehouse_item WHERE product_id = 1").fetchone()
            if tuple(left) != (1000, 0):
                print(f"stock_bench: stock not restored: {left}", file=sys.stderr)
                return 1
            print(f"bench: stock_reserve_per_s={m.group(1)}")
            return 0
        finally:
            w.stop()
            srv.stop()


if __name__ == "__main__":
    sys.exit(main())
