#!/usr/bin/env python3
"""broadcast_bench: one broadcast to 100,000 users through the real walord
(plugins orders, crm, broadcast) against tgsim at its flood limit.

    WALOR_BUILD_DIR=build /usr/bin/python3 bench/broadcast_bench.py [--users 100000] [--rate 1000] [--lanes 4]

1. tgsim with flood control on (--rate-global RATE, 1 a second per chat,
   as Telegram's 30/s scaled up so the run takes ~2 minutes instead of ~1
   hour) and 100,000 users whose chats with the bot are open
   (POST /_sim/users/bulk);
2. walord with the same bulk_rate = RATE (the host paces at 97 % of it),
   its user table seeded with the same 100,000 users (SQLite, before the
   start) and the owner;
3. the owner composes the broadcast in the bot (✍️ Новая рассылка → text →
   Без кнопки → 👥 Всем → 🚀 Отправить сейчас), as in the shop;
4. while it runs, walord's RSS is sampled from /proc every 0.2 s; at the
   end tgsim's call log gives the deliveries, their first and last time,
   the duplicates (a chat with two copies) and the 429s.

Prints one line on stdout:
    bench: broadcast_msgs=N broadcast_efficiency=E broadcast_429=K broadcast_dups=D broadcast_peak_rss_mb=M
efficiency = deliveries / ((last - first) × RATE): 1.0 is the configured
rate, 0.97 the host's pacing margin. Exit 1 on any failure (a delivery
missing, a duplicate, a 429). Measured, never asserted."""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchkit import build_dir, built, ctl, fail, finish, plugin_dir, start_tgsim, start_walord, stop, write_ini

OWNER = 1
FIRST = 5_000_000
TEXT = "Большая распродажа"


class Owner:
    """The owner in tgsim: sends, presses, waits for the bot's answer."""

    def __init__(self, port):
        self.port = port
        self.version = 0

    def _wait(self, pred, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            chat = ctl(self.port, "GET", f"users/{OWNER}/chat",
                       query={"after_version": self.version, "timeout_ms": 2000})
            self.version = chat["version"]
            bots = [m for m in chat["messages"] if m["from"] == "bot"]
            if bots and pred(bots[-1]):
                return bots[-1]
        fail(f"the bot did not show {what}")

    # tgsim holds every chat to 1 message a second (Telegram allows short
    # bursts in a private chat): a person's pace keeps the owner's replies
    # from ever meeting a 429
    def send(self, text, expect):
        time.sleep(1.1)
        ctl(self.port, "POST", f"users/{OWNER}/send", {"text": text})
        return self._wait(lambda m: expect in (m.get("text") or ""), repr(expect))

    def press(self, label, expect):
        time.sleep(1.1)
        ctl(self.port, "POST", f"users/{OWNER}/press", {"text": label})
        return self._wait(lambda m: expect in (m.get("text") or ""), repr(expect))


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description="100,000-message broadcast benchmark")
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--rate", type=float, default=1000, help="bulk_rate of walord = tgsim's global limit")
    ap.add_argument("--lanes", type=int, default=4)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()

    bdir = build_dir()
    walord, tgsim = bdir / "bin" / "walord", bdir / "bin" / "tgsim"
    built(walord, tgsim)
    work = Path(tempfile.mkdtemp(prefix="walor-bcbench-"))
    plugdir = plugin_dir(bdir, work, ("orders", "crm", "broadcast"))
    procs: list[tuple[subprocess.Popen, str]] = []
    ok = False
    try:
        sim, port = start_tgsim(tgsim, work, "--rate-global", f"{a.rate:g}", "--rate-per-chat", "1",
                                "--log-cap", str(a.users + 100_000), "--chat-history", "8")
        procs.append((sim, "tgsim"))
        t0 = time.monotonic()
        ctl(port, "POST", "users", {"first_name": "Владелец", "id": OWNER})
        ctl(port, "POST", "users/bulk", {"count": a.users, "first_id": FIRST, "first_name": "Клиент",
                                         "open_chat": True})
        print(f"broadcast_bench: {a.users} tgsim users in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        ini = write_ini(work, plugdir, "orders crm broadcast", port, f"bulk_rate = {a.rate:g}\nbulk_per_chat_rate = 1\n",
                        plugin_conf={"broadcast": f"lanes = {a.lanes}"})
        log = work / "walord.log"
        stop(start_walord(walord, ini, log), "walord (first run)")
        con = sqlite3.connect(work / "walor.db")
        now = int(time.time())
        with con:
            con.executemany("INSERT INTO wh_users(id, first_name, registered_at, seen_at) VALUES (?, 'Клиент', ?, ?)",
                            ((FIRST + i, now, now) for i in range(a.users)))
        con.close()
        w = start_walord(walord, ini, log)
        procs.append((w, "walord"))

        o = Owner(port)
        o.send("/start", "Выберите раздел")
        o.send("/admin", "Админ-панель")
        o.press("📣 Рассылка", "Рассылка")
        o.press("✍️ Новая рассылка", "Пришлите текст")
        o.send(f"<b>{TEXT}</b>: всё по 99 ₽", "кнопку-ссылку")
        o.press("Без кнопки", "Кому отправить")
        o.press("👥 Всем", "получател")
        seq0 = ctl(port, "GET", "stats")["last_seq"]
        peak = [rss_mb(w.pid)]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb(w.pid))
                time.sleep(0.2)
        th = threading.Thread(target=sample, daemon=True)
        th.start()
        o.press("🚀 Отправить сейчас", "запущена")
        t_start = time.monotonic()
        db = sqlite3.connect(work / "walor.db", timeout=30)
        deadline = t_start + a.users / (a.rate * 0.5) + 120
        status = None
        while time.monotonic() < deadline:
            status = db.execute("SELECT status, n_sent, total FROM broadcast_msg ORDER BY id DESC LIMIT 1").fetchone()
            if status and status[0] in ("done", "stopped"):
                break
            time.sleep(1)
        done.set()
        th.join()
        wall = time.monotonic() - t_start
        if not status or status[0] != "done" or status[1] != a.users:
            fail(f"the broadcast ended as {status} after {wall:.0f} s")
        # tgsim's account of it: every delivery to a client, once
        log_ = ctl(port, "GET", "log", query={"method": "sendMessage", "since_seq": seq0}, timeout=600)
        sends = [e for e in log_ if e["status"] == 200 and e["chat_id"] >= FIRST]
        per_chat: dict[int, int] = {}
        for e in sends:
            per_chat[e["chat_id"]] = per_chat.get(e["chat_id"], 0) + 1
        dups = sum(n - 1 for n in per_chat.values() if n > 1)
        n429 = sum(1 for e in ctl(port, "GET", "log", query={"since_seq": seq0}, timeout=600) if e["status"] == 429)
        span = (sends[-1]["t_ms"] - sends[0]["t_ms"]) / 1000 if len(sends) > 1 else 0
        eff = len(sends) / (span * a.rate) if span > 0 else 0
        if len(per_chat) != a.users:
            fail(f"{len(per_chat)} users got it, expected {a.users}")
        if dups or n429:
            fail(f"{dups} duplicates, {n429} × 429")
        print(f"broadcast_bench: {len(sends)} messages in {span:.1f} s at {a.rate:g}/s configured "
              f"({len(sends) / span:.0f}/s delivered, {a.lanes} lanes); {wall:.0f} s from the press to done",
              file=sys.stderr)
        procs.remove((w, "walord"))
        stop(w, "walord")
        print(f"bench: broadcast_msgs={len(sends)} broadcast_efficiency={eff:.3f} broadcast_429={n429} "
              f"broadcast_dups={dups} broadcast_peak_rss_mb={peak[0]:.1f}")
        ok = True
    finally:
        finish(procs, work, ok, a.keep)


if __name__ == "__main__":
    main()
