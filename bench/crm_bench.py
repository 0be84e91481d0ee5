#!/usr/bin/env python3
"""crm_bench: the CRM over a client base of 100,000 — search and the Excel
export — in the real walord (plugins orders, loyalty, crm) against tgsim.

    WALOR_BUILD_DIR=build /usr/bin/python3 bench/crm_bench.py [--clients 100000] [--queries 200]

1. walord creates its tables once; the database is then seeded with SQLite
   (a benchmark's shortcut, not a plugin's): 100,000 users with Russian
   names (half with a @username), 30 % of them with 1-3 orders (paid,
   cancelled or new) carrying a phone, a bonus ledger row for every tenth;
2. walord starts again; the CRM's every-minute job folds the names and
   takes the phones from the orders service (the first run after the seed
   reads all of them), and the benchmark waits for it;
3. the owner searches in the bot as a manager would — "🔎 Найти клиента",
   then a query: parts of names in any case (ё/е), phones in several
   notations, @usernames, IDs — and each is timed from the message to the
   bot's answer in tgsim (end to end: Telegram's side included);
4. the owner asks for "📥 Выгрузка в Excel" → "Всё время", timed from the
   press to the document in tgsim; the file's rows are counted.

Prints one line on stdout:
    bench: crm_clients=N crm_search_p50_ms=A crm_search_p99_ms=B crm_search_e2e_p99_ms=E crm_export_s=C
(search: the handler's own time, from the CRM's debug log line; e2e: from
the message to the answer in tgsim, the transport included).
Exit 1 on any failure. Measured, never asserted."""

from __future__ import annotations

import argparse
import io
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from benchkit import build_dir, built, ctl, fail, finish, plugin_dir, start_tgsim, start_walord, stop, write_ini

OWNER = 1
FIRST = 7_000_000
FIRST_NAMES = ["Иван", "Пётр", "Семён", "Анна", "Мария", "Ольга", "Алексей", "Дмитрий", "Елена", "Наталья",
               "Сергей", "Андрей", "Татьяна", "Юлия", "Фёдор", "Артём", "Ксения", "Алёна", "Виктор", "Зоя"]
LAST_NAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков",
              "Морозов", "Волков", "Алексеев", "Ёлкин", "Фёдоров", "Семёнов", "Орлов", "Зайцев", "Павлов"]


class Owner:
    """The owner in tgsim: acts, then waits for a bot message that is new or
    changed since (an edit after a button, a new message after text)."""

    def __init__(self, port):
        self.port = port

    def _snapshot(self):
        chat = ctl(self.port, "GET", f"users/{OWNER}/chat")
        return chat["version"], {m["message_id"]: (m.get("text"), bool(m.get("document")))
                                 for m in chat["messages"] if m["from"] == "bot"}

    def act(self, path, body, pred, what, timeout=60):
        """(the answer, seconds from the action to it)"""
        version, before = self._snapshot()
        t0 = time.monotonic()
        ctl(self.port, "POST", f"users/{OWNER}/{path}", body)
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            chat = ctl(self.port, "GET", f"users/{OWNER}/chat", query={"after_version": version, "timeout_ms": 2000})
            version = chat["version"]
            for m in reversed([m for m in chat["messages"] if m["from"] == "bot"]):
                if before.get(m["message_id"]) != (m.get("text"), bool(m.get("document"))) and pred(m):
                    return m, time.monotonic() - t0
        fail(f"the bot did not show {what}")
        raise AssertionError


def seed(db: Path, n: int, rnd: random.Random) -> tuple[list, list]:
    now = int(time.time())
    con = sqlite3.connect(db)
    users, phones = [], []
    with con:
        rows = []
        for i in range(n):
            uid = FIRST + i
            first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
            if first[-1] in "аяА" and not last.endswith("ин"):
                last += "а"
            un = f"user{uid}" if i % 2 == 0 else None
            reg = now - rnd.randrange(365 * 86400)
            rows.append((uid, un, first, last, reg, reg + rnd.randrange(now - reg + 1)))
            users.append((uid, first, last, un))
        con.executemany("INSERT INTO wh_users(id, username, first_name, last_name, registered_at, seen_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", rows)
        orders = []
        for uid, *_ in users[: int(n * 0.3)]:
            phone = f"+79{rnd.randrange(10**9):09d}"
            phones.append((uid, phone))
            for k in range(rnd.randint(1, 3)):
                t = now - rnd.randrange(300 * 86400)
                status = rnd.choice(["completed", "completed", "paid", "cancelled", "new"])
                paid = t + 60 if status != "new" else 0
                total = rnd.randrange(50_000, 2_000_000)
                orders.append((uid, status, t, t, paid, total, total, phone, f"{uid}@example.ru"))
        con.executemany("INSERT INTO orders_order(user_id, status, created_at, updated_at, paid_at, goods, total, "
                        "phone, email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", orders)
        con.executemany("INSERT INTO loyalty_ledger(user_id, amount, kind, created_at) VALUES (?, ?, 'manual', ?)",
                        ((uid, 10_000, now) for uid, *_ in users[::10]))
    con.close()
    return users, phones


def queries(users, phones, k, rnd):
    q = []
    for _ in range(k):
        kind = rnd.randrange(5)
        uid, first, last, un = rnd.choice(users)
        if kind == 0:
            q.append(last[: rnd.randint(3, len(last))].upper().replace("Ё", "Е"))      # any case, ё = е
        elif kind == 1:
            q.append(f"{first} {last}".lower())
        elif kind == 2 and phones:
            _, p = rnd.choice(phones)
            d = p[2:]
            q.append(rnd.choice([p, "8" + d, f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}", d[-7:]]))
        elif kind == 3:
            q.append(f"@user{FIRST + 2 * rnd.randrange(len(users) // 2)}")
        else:
            q.append(str(uid))
    return q


def main() -> None:
    ap = argparse.ArgumentParser(description="CRM search and export over a big client base")
    ap.add_argument("--clients", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    rnd = random.Random(15)

    bdir = build_dir()
    walord, tgsim = bdir / "bin" / "walord", bdir / "bin" / "tgsim"
    built(walord, tgsim)
    work = Path(tempfile.mkdtemp(prefix="walor-crmbench-"))
    plugdir = plugin_dir(bdir, work, ("orders", "loyalty", "crm"))
    procs: list[tuple[subprocess.Popen, str]] = []
    ok = False
    try:
        sim, port = start_tgsim(tgsim, work)
        procs.append((sim, "tgsim"))
        ctl(port, "POST", "users", {"first_name": "Владелец", "id": OWNER})
        # debug: the CRM logs each search's own time ("crm: search: N found in X ms")
        ini = write_ini(work, plugdir, "orders loyalty crm", port, log_level="debug")
        log = work / "walord.log"
        stop(start_walord(walord, ini, log), "walord (first run)")
        t0 = time.monotonic()
        users, phones = seed(work / "walor.db", a.clients, rnd)
        print(f"crm_bench: seeded {a.clients} clients, {len(phones)} with orders, in {time.monotonic() - t0:.1f} s",
              file=sys.stderr)
        w = start_walord(walord, ini, log)
        procs.append((w, "walord"))
        db = sqlite3.connect(work / "walor.db", timeout=30)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 180:
            named = db.execute("SELECT count(*) FROM crm_client WHERE name_fold <> ''").fetchone()[0]
            done = db.execute("SELECT count(*) FROM crm_state WHERE key = 'contacts.done' AND value = 1").fetchone()[0]
            if named >= a.clients and done:
                break
            time.sleep(1)
        else:
            fail("the CRM did not take in the seeded clients within 3 minutes")
        print(f"crm_bench: the CRM's sync took them in within {time.monotonic() - t0:.0f} s (its job runs every "
              "minute)", file=sys.stderr)

        o = Owner(port)
        o.act("send", {"text": "/start"}, lambda m: "Выберите раздел" in (m.get("text") or ""), "the menu")
        o.act("send", {"text": "/admin"}, lambda m: "Админ-панель" in (m.get("text") or ""), "the admin panel")
        o.act("press", {"text": "👥 Клиенты"}, lambda m: "Всего:" in (m.get("text") or ""), "the section")
        times, found = [], 0
        o.act("press", {"text": "🔎 Найти клиента"}, lambda m: "Кого ищем" in (m.get("text") or ""), "the question")
        for q in queries(users, phones, a.queries, rnd):
            m, dt = o.act("send", {"text": q},
                          lambda m: "Клиенты по запросу" in (m.get("text") or "") or
                          "Никого не нашлось" in (m.get("text") or ""), f"the results of {q!r}")
            times.append(dt * 1000)
            found += "Клиенты по запросу" in m["text"]
            if "Клиенты по запросу" in m["text"]:
                o.act("press", {"text": "🔎 Другой поиск"}, lambda m: "Кого ищем" in (m.get("text") or ""),
                      "the search question")
            # nobody found: the form asks again, the next query goes straight in
        times.sort()
        p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
        inner = sorted(float(x) for x in re.findall(r"crm: search: \d+ found in ([0-9.]+) ms",
                                                    log.read_text(errors="replace")))
        if len(inner) != len(times):
            fail(f"{len(inner)} search lines in walord's log for {len(times)} searches")
        i50, i99 = inner[len(inner) // 2], inner[min(len(inner) - 1, int(len(inner) * 0.99))]
        print(f"crm_bench: {len(times)} searches ({found} with results): in walord p50 {i50:.1f} ms, p99 {i99:.1f} ms; "
              f"message to answer through tgsim p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms",
              file=sys.stderr)

        o.act("send", {"text": "/admin"}, lambda m: "Админ-панель" in (m.get("text") or ""), "the admin panel")
        o.act("press", {"text": "👥 Клиенты"}, lambda m: "Всего:" in (m.get("text") or ""), "the section")
        o.act("press", {"text": "📥 Выгрузка в Excel"}, lambda m: "За какой" in (m.get("text") or ""), "the periods")
        m, export_s = o.act("press", {"text": "Всё время"}, lambda m: bool(m.get("document")), "the export file")
        data = ctl(port, "GET", f"files/{m['document']['file_id']}", timeout=120)
        z = zipfile.ZipFile(io.BytesIO(data))
        sheet = z.read("xl/worksheets/sheet1.xml")
        rows = sheet.count(b"<row ") - 1
        if rows != a.clients + 1:                                   # + the owner
            fail(f"the export has {rows} client rows, expected {a.clients + 1}")
        print(f"crm_bench: export of {rows} clients in {export_s:.2f} s ({len(data) / 1e6:.1f} MB)", file=sys.stderr)
        procs.remove((w, "walord"))
        stop(w, "walord")
        print(f"bench: crm_clients={a.clients} crm_search_p50_ms={i50:.1f} crm_search_p99_ms={i99:.1f} "
              f"crm_search_e2e_p99_ms={p99:.1f} crm_export_s={export_s:.2f}")
        ok = True
    finally:
        finish(procs, work, ok, a.keep)


if __name__ == "__main__":
    main()
