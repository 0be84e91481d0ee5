#!/usr/bin/env python3
"""analytics_bench: the analytics reports over a shop with a million orders.

    WALOR_BUILD_DIR=build /usr/bin/python3 bench/analytics_bench.py [--orders 1000000] [--days 730]

1. starts tgsim and walord with orders, catalog, warehouse and analytics,
   lets them create their tables, stops walord;
2. seeds by SQL: 1,000 products with stock, N orders of 10 lines each spread
   evenly over the last D days (B2B every 50th, cancelled every 20th, a
   promo discount every 3rd, delivery on each), their warehouse ledger
   (a reservation and a sale per line at the average cost, a restock for the
   cancelled ones), refunds, write-offs, completed bookings and manual
   revenue (the ledger's running levels are synthetic: the timings do not
   depend on them);
3. starts walord again (production log level, default workers), and the
   owner asks, one after another, for the P&L, ABC and stock movements of
   the last full month and the stock valuation (each built in the
   analytics job), and opens the summary (all-time figures over every
   order). Meanwhile walord's RSS is sampled every 10 ms and a manager
   presses a cheap screen (the main menu) over and over: its answer time
   shows whether staff stay served while a report builds;
4. stops walord (exit 0).

Prints one line on stdout:
    bench: an_orders=N an_pnl_ms=… an_pnl_cpu_ms=… an_abc_ms=… an_abc_cpu_ms=…
           an_moves_ms=… an_moves_cpu_ms=… an_stock_ms=… an_summary_ms=…
           an_summary_cpu_ms=… an_rss_mb=… an_menu_p50_ms=… an_menu_max_ms=…
(build times from walord's log line "analytics: <kind> report … built and
sent in N ms, M ms CPU" — wall time and the building thread's CPU time;
the summary's answer time as the owner sees it and walord's CPU time for
it; RSS the peak while reports were built; the menu's answer times
measured during the builds). Details on stderr. Exit 1 on failure.
Measured, never asserted. --keep keeps the seeded work directory (2.7 GB)
and --reuse DIR measures it again without seeding."""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchkit import REPO, build_dir, built, fail, finish, plugin_dir, start_tgsim, start_walord, stop, write_ini

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from tgsim import Sim  # noqa: E402

MSK = ZoneInfo("Europe/Moscow")
OWNER = 1
PRODUCTS = 1000
LINES = 10
MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь",
          "декабрь"]


def seed(db: Path, orders: int, days: int, now: int) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -200000")
    t0 = now - days * 86400
    step = days * 86400 / orders
    with con:
        con.execute("INSERT INTO catalog_category(id, parent_id, name, name_lc) VALUES (1, 0, 'Товары', 'товары')")
        con.execute(f"""WITH RECURSIVE p(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < {PRODUCTS})
            INSERT INTO catalog_product(id, category_id, name, name_lc, price)
            SELECT i, 1, 'Товар ' || i, 'товар ' || i, 10000 + (i % 100) * 1000 FROM p""")
        con.execute(f"""INSERT INTO warehouse_item(product_id, variant_no, on_hand, reserved, unit_cost)
            SELECT id, 0, 100000, 0, price * 6 / 10 FROM catalog_product""")
        con.execute("""INSERT INTO warehouse_ledger(at, product_id, variant_no, kind, qty, reserved, stock_after,
            available_after, unit_cost, staff_id) SELECT 0, product_id, 0, 'supply', on_hand, 0, on_hand, on_hand,
            unit_cost, 1 FROM warehouse_item""")
    print(f"analytics_bench: seeding {orders} orders of {LINES} lines over {days} days…", file=sys.stderr)
    t = time.monotonic()
    with con:
        # lines first, so that each order's goods is the sum of its lines
        con.execute(f"""WITH RECURSIVE o(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM o WHERE i < {orders}),
            l(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM l WHERE j < {LINES})
            INSERT INTO orders_line(order_id, no, product_id, variant_no, name, variant_label, base_price,
                                    unit_price, qty, weight_g)
            SELECT i, j, 1 + (i * {LINES} + j) * 37 % {PRODUCTS}, 0, 'Товар ' || (1 + (i * {LINES} + j) * 37 % {PRODUCTS}),
                   '', 10000 + ((1 + (i * {LINES} + j) * 37 % {PRODUCTS}) % 100) * 1000,
                   10000 + ((1 + (i * {LINES} + j) * 37 % {PRODUCTS}) % 100) * 1000, 1 + (i + j) % 3, 100
            FROM o, l""")
        print(f"analytics_bench: lines in {time.monotonic() - t:.0f} s", file=sys.stderr)
        con.execute(f"""WITH RECURSIVE o(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM o WHERE i < {orders}),
            g(i, goods, paid) AS (SELECT i, (SELECT sum(unit_price * qty) FROM orders_line WHERE order_id = i),
                                         {t0} + CAST(i * {step} AS INTEGER) FROM o)
            INSERT INTO orders_order(id, user_id, source, status, created_at, updated_at, paid_at, goods,
                                     delivery_cost, promo_discount, promo_code, total, stock)
            SELECT i, CASE WHEN i % 50 = 0 THEN 0 ELSE 1000 + i * 7919 % 100000 END,
                   CASE WHEN i % 50 = 0 THEN 2 ELSE 0 END,
                   CASE WHEN i % 20 = 0 THEN 'cancelled' WHEN paid > {now} - 86400 THEN 'paid' ELSE 'completed' END,
                   paid - 60, paid, paid, goods, 30000,
                   CASE WHEN i % 3 = 0 THEN goods * 5 / 100 ELSE 0 END, CASE WHEN i % 3 = 0 THEN 'SALE' ELSE '' END,
                   goods - CASE WHEN i % 3 = 0 THEN goods * 5 / 100 ELSE 0 END + 30000,
                   CASE WHEN i % 20 = 0 THEN 'returned' ELSE 'sold' END
            FROM g""")
        print(f"analytics_bench: orders in {time.monotonic() - t:.0f} s", file=sys.stderr)
        for kind, extra in (("reserve", "0, l.qty"), ("sale", "-l.qty, -l.qty")):
            con.execute(f"""INSERT INTO warehouse_ledger(at, product_id, variant_no, kind, qty, reserved,
                    stock_after, available_after, unit_cost, staff_id, order_id)
                SELECT o.paid_at, l.product_id, 0, CASE WHEN '{kind}' = 'sale' AND o.source = 2 THEN 'b2b'
                       ELSE '{kind}' END, {extra}, 50000, 50000,
                       (10000 + (l.product_id % 100) * 1000) * 6 / 10, 0, o.id
                FROM orders_order o JOIN orders_line l ON l.order_id = o.id ORDER BY o.id, l.no""")
            print(f"analytics_bench: ledger {kind} rows in {time.monotonic() - t:.0f} s", file=sys.stderr)
        con.execute("""INSERT INTO warehouse_ledger(at, product_id, variant_no, kind, qty, reserved, stock_after,
                available_after, unit_cost, staff_id, order_id)
            SELECT o.paid_at + 3600, l.product_id, 0, 'restock', l.qty, 0, 50000, 50000,
                   (10000 + (l.product_id % 100) * 1000) * 6 / 10, 1, o.id
            FROM orders_order o JOIN orders_line l ON l.order_id = o.id WHERE o.status = 'cancelled'
            ORDER BY o.paid_at + 3600, o.id, l.no""")
        con.execute(f"""WITH RECURSIVE w(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM w WHERE i < {days * 2})
            INSERT INTO warehouse_ledger(at, product_id, variant_no, kind, qty, reserved, stock_after,
                available_after, unit_cost, staff_id, comment)
            SELECT {t0} + i * 43200 + 7, 1 + i % {PRODUCTS}, 0, 'writeoff', -2, 0, 50000, 50000, 6000, 1, 'брак'
            FROM w""")
        con.execute("""INSERT INTO orders_refund(order_id, amount, kind, reason, staff_id, at, notified_at)
            SELECT id, total / 10, 'manual', 'скидка за задержку', 1, paid_at + 86400, paid_at + 86400
            FROM orders_order WHERE id % 997 = 0""")
        con.execute("UPDATE orders_order SET refunded = total / 10 WHERE id % 997 = 0")
        con.execute(f"""WITH RECURSIVE b(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM b WHERE i < {days * 20})
            INSERT INTO analytics_booking(booking_id, client_id, service_id, service_name, status, price, starts_at,
                                          completed_at, updated_at)
            SELECT i, 1000 + i, 1, 'Стрижка', 'completed', 150000, {t0} + i * 4320, {t0} + i * 4320 + 3600,
                   {t0} + i * 4320 + 3600 FROM b""")
        con.execute(f"""WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < {days})
            INSERT INTO analytics_manual(amount, day, category, comment, staff_id, created_at, updated_at)
            SELECT 500000, {t0} + i * 86400, 'Офлайн-продажа', 'ярмарка', 1, {t0} + i * 86400, {t0} + i * 86400
            FROM m""")
    print(f"analytics_bench: seeded in {time.monotonic() - t:.0f} s", file=sys.stderr)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


class RssSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.on, self.stopped = pid, 0, False, False

    def run(self):
        status = Path(f"/proc/{self.pid}/status")
        while not self.stopped:
            if self.on:
                try:
                    kb = int(re.search(r"VmRSS:\s+(\d+)", status.read_text()).group(1))
                    self.peak = max(self.peak, kb)
                except (OSError, AttributeError):
                    pass
            time.sleep(0.01)


def cpu_ms(pid: int) -> float:
    """CPU time walord has used so far (utime + stime)."""
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000 / __import__("os").sysconf("SC_CLK_TCK")


def last_month(now: int):
    d = datetime.fromtimestamp(now, MSK).date().replace(day=1) - timedelta(days=1)
    return d.year, d.month


def main() -> None:
    ap = argparse.ArgumentParser(description="analytics reports over a million orders")
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--reuse", metavar="DIR", help="a work directory kept by --keep: skip the seeding (kept again)")
    a = ap.parse_args()

    bdir = build_dir()
    walord, tgsim = bdir / "bin" / "walord", bdir / "bin" / "tgsim"
    built(walord, tgsim)
    if a.reuse:
        work = Path(a.reuse)
        a.keep = True
        a.orders = sqlite3.connect(work / "walor.db").execute("SELECT count(*) FROM orders_order").fetchone()[0]
        plugdir = work / "plugins"
    else:
        work = Path(tempfile.mkdtemp(prefix="walor-anbench-"))
        plugdir = plugin_dir(bdir, work, ("orders", "catalog", "warehouse", "analytics"))
    procs: list = []
    ok = False
    try:
        (work / "tgsim.port").unlink(missing_ok=True)
        simp, port = start_tgsim(tgsim, work)
        procs.append((simp, "tgsim"))
        ini = write_ini(work, plugdir, "orders catalog warehouse analytics", port,
                        f"\n[plugin.analytics]\ntmp_dir = {work}\n")
        log = work / "walord.log"
        now = int(time.time())
        if not a.reuse:
            stop(start_walord(walord, ini, log), "walord (first run)")
            seed(work / "walor.db", a.orders, a.days, now)
        else:  # a new tgsim numbers its updates from 1 again: forget the old ones
            log.rename(work / "walord.log.old")
            c0 = sqlite3.connect(work / "walor.db")
            c0.execute("DELETE FROM wh_inbox")
            c0.commit()
            c0.close()

        w = start_walord(walord, ini, log, timeout=120)
        procs.append((w, "walord"))
        sim = Sim(f"http://127.0.0.1:{port}")
        owner = sim.user("Ольга", id=OWNER)
        manager = sim.user("Марк")
        owner.send("/start")
        manager.send("/start")
        con = sqlite3.connect(work / "walor.db")
        con.execute("UPDATE wh_users SET role = 2 WHERE id = ?", (manager.id,))
        con.commit()
        con.close()
        rss = RssSampler(w.pid)
        rss.start()
        base_kb = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{w.pid}/status").read_text()).group(1))

        y, m = last_month(now)
        figures, menu_ms = {}, []

        def timed_menu():
            t = time.monotonic()
            manager.send("/start", timeout=30)
            menu_ms.append((time.monotonic() - t) * 1000)

        def build(kind: str, presses: list):
            seen = len(log.read_text(errors="replace"))
            owner.send("/stats", timeout=120)
            for p in presses:
                owner.press_data(p, force=True, timeout=60)
            rss.on = True
            deadline = time.monotonic() + 600
            pat = re.compile(rf"analytics: {kind} report of .* built and sent in (\d+) ms, (\d+) ms CPU \((\d+) rows\)")
            while time.monotonic() < deadline:
                timed_menu()
                got = pat.search(log.read_text(errors="replace")[seen:])
                if got:
                    rss.on = False
                    figures[kind] = int(got.group(1))
                    figures[kind + "_cpu"] = int(got.group(2))
                    print(f"analytics_bench: {kind}: {got.group(1)} ms ({got.group(2)} ms CPU), {got.group(3)} rows",
                          file=sys.stderr)
                    return
                if "failed" in log.read_text(errors="replace")[seen:]:
                    fail(f"the {kind} report failed:\n" + log.read_text(errors='replace')[-2000:])
                time.sleep(0.05)
            fail(f"no {kind} report within 600 s")

        t, c0 = time.monotonic(), cpu_ms(w.pid)
        owner.send("/stats", timeout=120)
        summary_ms, summary_cpu = (time.monotonic() - t) * 1000, cpu_ms(w.pid) - c0
        for _ in range(20):                                  # the menu's answer time when nothing builds
            timed_menu()
        idle = statistics.median(menu_ms)
        menu_ms.clear()
        build("pnl", [f"an:p:pnl:{y}:{m}"])
        build("abc", [f"an:p:abc:{y}:{m}"])
        build("moves", [f"an:p:moves:{y}:{m}"])
        build("stock", ["an:r:stock"])
        rss.stopped = True
        procs.remove((w, "walord"))
        stop(w, "walord")
        peak_mb = rss.peak / 1024
        print(f"analytics_bench: load average {Path('/proc/loadavg').read_text().split()[0:3]} on "
              f"{__import__('os').cpu_count()} CPUs", file=sys.stderr)
        print(f"analytics_bench: walord RSS {base_kb / 1024:.0f} MB at start, peak {peak_mb:.0f} MB while building; "
              f"main menu {idle:.0f} ms idle, {statistics.median(menu_ms):.0f} ms median / {max(menu_ms):.0f} ms max "
              f"during the builds ({len(menu_ms)} presses); report month {MONTHS[m - 1]} {y}", file=sys.stderr)
        print(f"bench: an_orders={a.orders} an_pnl_ms={figures['pnl']} an_pnl_cpu_ms={figures['pnl_cpu']} "
              f"an_abc_ms={figures['abc']} an_abc_cpu_ms={figures['abc_cpu']} an_moves_ms={figures['moves']} "
              f"an_moves_cpu_ms={figures['moves_cpu']} an_stock_ms={figures['stock']} an_summary_ms={summary_ms:.0f} "
              f"an_summary_cpu_ms={summary_cpu:.0f} "
              f"an_rss_mb={peak_mb:.0f} an_menu_p50_ms={statistics.median(menu_ms):.0f} "
              f"an_menu_max_ms={max(menu_ms):.0f}")
        ok = True
    finally:
        finish(procs, work, ok, a.keep)


if __name__ == "__main__":
    main()
