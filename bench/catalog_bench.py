#!/usr/bin/env python3
"""catalog_bench: browsing a big catalog through the real walord + tgsim.

    WALOR_BUILD_DIR=build /usr/bin/python3 bench/catalog_bench.py [--users 16] [--seconds 10]

1. starts tgsim and walord with the catalog plugin only (production log level,
   walord's default workers), lets walord create its tables, stops it;
2. seeds its database directly with SQL (the fast way, walord stopped):
   200 categories (20 top-level, each with 9 subcategories), 50 products in
   each (10,000), a third with 3 variants, a fifth discounted, long names,
   so every category has 7–8 pages;
3. starts walord again; each of --users simulated customers opens the
   catalog and then, closed loop, alternates two callback presses on the
   same message: a random category page (`cat:c:<cat>:<page>`, the list with
   pagination) and a random product card of that category (`cat:p:<id>:0`).
   One operation = press sent → tgsim has walord's answerCallbackQuery for
   that press (walord's last call of a press: the edit comes first);
4. stops walord (SIGTERM, exit code 0 required).

Prints one line on stdout:
    bench: catalog_browse_per_s=N catalog_p99_ms=X
details (p50, counts, seeding time) on stderr. Exit 1 on any failure. The
driver is Python: with --users 16 it keeps walord's workers busy on this
machine (check that walord, not the driver, is the saturated process with
top when comparing figures across machines). Measured, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from benchkit import build_dir, built, fail, finish, start_tgsim, start_walord, stop, write_ini
TOP, SUB, PER_LEAF = 20, 9, 50  # 20 + 20×9 = 200 categories, 50 products in each = 10,000


class Ctl:
    """tgsim's control API over one keep-alive connection (one per thread)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body=None, query=None):
        url = f"/_sim/{path}" + ("?" + urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (0, 1):
            try:
                self.conn.request(method, url, body=data, headers=hdrs)
                r = self.conn.getresponse()
                payload = r.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        if r.status != 200:
            fail(f"{method} {url}: HTTP {r.status} {payload[:200]!r}")
        return json.loads(payload)


def seed(db: Path) -> tuple[list, dict]:
    """Categories and products written as the plugin writes them; returns the
    category ids and {category: [product ids]}."""
    con = sqlite3.connect(db)
    cats, prods = [], {}
    with con:
        for t in range(TOP):
            cur = con.execute("INSERT INTO catalog_category(parent_id, name, name_lc, sort) VALUES (0, ?, ?, ?)",
                              (f"Раздел {t + 1}", f"раздел {t + 1}", t))
            top = cur.lastrowid
            cats.append(top)
            for s in range(SUB):
                name = f"Подраздел {t + 1}.{s + 1} с довольно длинным названием"
                cur = con.execute("INSERT INTO catalog_category(parent_id, name, name_lc, sort) VALUES (?, ?, ?, ?)",
                                  (top, name, name.lower(), s))
                cats.append(cur.lastrowid)
        rnd = random.Random(42)
        n = 0
        for cid in cats:
            for i in range(PER_LEAF):
                n += 1
                name = f"Товар №{n} «{rnd.choice(['Роза', 'Ёжик', 'Пуэр', 'Крем', 'Лилия'])}» {rnd.randint(1, 999)} мл"
                variants = n % 3 == 0
                cur = con.execute(
                    "INSERT INTO catalog_product(category_id, name, name_lc, description, price, discount_pct, sort)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (cid, name, name.lower().replace("ё", "е"), "<b>Описание</b> товара " * 5,
                     0 if variants else rnd.randint(100, 500000), 15 if n % 5 == 0 else 0, i))
                pid = cur.lastrowid
                prods.setdefault(cid, []).append(pid)
                if variants:
                    con.executemany("INSERT INTO catalog_variant(product_id, no, label, price, weight_g, sort)"
                                    " VALUES (?, ?, ?, ?, ?, ?)",
                                    [(pid, k, f"{k * 50} мл", k * 100000, k * 300, k) for k in (1, 2, 3)])
    con.close()
    return cats, prods


def shoppers(ctl: Ctl, n: int, name: str = "Покупатель", first: str = "/start") -> list:
    """n new tgsim users who sent `first`: [(user id, the bot's last message id)]."""
    users = []
    for i in range(n):
        u = ctl.call("POST", "users", {"first_name": f"{name} {i}"})
        r = ctl.call("POST", f"users/{u['id']}/send", {"text": first})
        chat = ctl.call("GET", f"users/{u['id']}/chat", query={"after_version": r.get("version", 0),
                                                                "timeout_ms": 10000})
        mids = [m["message_id"] for m in chat["messages"] if m["from"] == "bot"]
        if not mids:
            fail(f"user {u['id']}: no answer to {first}")
        users.append((u["id"], mids[-1]))
    return users


def press(c: Ctl, uid: int, mid: int, data: str) -> float:
    """A forged press on the message; seconds until walord answered it."""
    t = time.monotonic()
    r = c.call("POST", f"users/{uid}/press", {"data": data, "message_id": mid, "force": True})
    qid, ver = r["callback_query_id"], r.get("version", 0)
    while True:
        chat = c.call("GET", f"users/{uid}/chat", query={"after_version": ver, "timeout_ms": 10000})
        ans = chat.get("callback_answers") or []
        if any(x.get("callback_query_id") == qid for x in ans[-4:]):
            return time.monotonic() - t
        if chat["version"] == ver:
            raise RuntimeError(f"no answer to {data} within 10 s")
        ver = chat["version"]


def browse(port: int, users: list, cats: list, prods: dict, seconds: float, seed_no: int = 0) -> tuple:
    """Every user browses closed loop for `seconds`, alternating a random
    category page and a product card: (sorted latencies in s, elapsed s)."""
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def run(uid: int, mid: int, n: int) -> None:
        c = Ctl(port)
        rnd = random.Random(seed_no * 1000 + n)
        mine = []
        try:
            press(c, uid, mid, "cat:c:0:0")               # warm: the root page
            while time.monotonic() < stop_at:
                cid = rnd.choice(cats)
                page = rnd.randrange(0, (PER_LEAF + SUB + 7) // 8)
                mine.append(press(c, uid, mid, f"cat:c:{cid}:{page}"))
                mine.append(press(c, uid, mid, f"cat:p:{rnd.choice(prods[cid])}:{page}"))
        except Exception as e:  # noqa: BLE001 - reported, fails the run
            with lock:
                errors.append(f"user {uid}: {e}")
        with lock:
            lat.extend(mine)

    t1 = time.monotonic()
    threads = [threading.Thread(target=run, args=(uid, mid, i)) for i, (uid, mid) in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        fail("; ".join(errors[:3]))
    if not lat:
        fail("no operation completed")
    lat.sort()
    return lat, time.monotonic() - t1


def p99_ms(lat: list) -> float:
    return lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description="catalog browsing benchmark")
    ap.add_argument("--users", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()

    bdir = build_dir()
    walord, tgsim = bdir / "bin" / "walord", bdir / "bin" / "tgsim"
    plugin = bdir / "lib" / "walor" / "plugins" / "catalog.so"
    built(walord, tgsim, plugin)

    work = Path(tempfile.mkdtemp(prefix="walor-catbench-"))
    procs: list[tuple[subprocess.Popen, str]] = []
    ok = False
    try:
        sim, port = start_tgsim(tgsim, work, "--log-cap", "20000")
        procs.append((sim, "tgsim"))
        ini = write_ini(work, plugin.parent, "catalog", port, "\n[plugin.catalog]\nenabled = yes\npage_size = 8\n")
        log = work / "walord.log"
        w = start_walord(walord, ini, log)   # creates the tables
        stop(w, "walord (first run)", timeout=15)
        t0 = time.monotonic()
        cats, prods = seed(work / "walor.db")
        seed_s = time.monotonic() - t0
        w = start_walord(walord, ini, log)
        procs.append((w, "walord"))

        users = shoppers(Ctl(port), a.users)
        lat, elapsed = browse(port, users, cats, prods, a.seconds)
        if w.poll() is not None:
            fail("walord died during the run")
        procs.remove((w, "walord"))
        stop(w, "walord", timeout=15)
        p99 = p99_ms(lat)
        p50 = lat[len(lat) // 2] * 1000
        print(f"catalog_bench: {len(cats)} categories, {sum(map(len, prods.values()))} products seeded in "
              f"{seed_s:.2f} s; {len(lat)} operations by {a.users} users in {elapsed:.1f} s; p50 {p50:.2f} ms",
              file=sys.stderr)
        print(f"bench: catalog_browse_per_s={len(lat) / elapsed:.0f} catalog_p99_ms={p99:.1f}")
        ok = True
    finally:
        finish(procs, work, ok, a.keep)


if __name__ == "__main__":
    main()
