#!/usr/bin/env python3
"""crash: the crash campaign of `make crash` (issue 13; docs/RELIABILITY.md "Crashes").

    WALOR_BUILD_DIR=build /usr/bin/python3 bench/crash.py [--cycles 100] [--seed S] [--keep]

One walord with the six shop plugins (and the `hello` example) against tgsim
and the fakes of CDEK, DaData and the E-COM provider, under load the whole
time: customers browse, add to the cart, check out (DaData, CDEK) and pay
(the provider's webhook, repeated until walord answers 200, as a gateway
does); the owner moves paid orders along and cancels abandoned ones; CDEK
reports deliveries; two users press hello's counter. N times walord is
killed with SIGKILL at a random moment (half of them while updates are in
flight) and started again. At the end, with everything settled and walord
stopped cleanly, the invariants are checked:

  lost_updates   updates acknowledged to Telegram that are not done; hello
                 presses not counted; webhooks answered 200 whose payment is
                 not on the order; replies stored and never delivered
                 (wh_msgq); event deliveries given up
  double_effects an order more than the confirms that made it; a payment,
                 a bonus, a stock movement or a CDEK waybill twice for one
                 order; hello presses counted twice
  ledger_mismatch stock on hand or reserved not equal to the ledger's sums;
                 reserved not equal to the lines of the orders holding stock;
                 a paid order without exactly one waybill; walorctl stock-check
  dup_messages   messages Telegram had taken that went out again after a
                 restart (a crash between Telegram's answer and the deletion
                 of the stored row); by kind on stderr
  integrity      PRAGMA integrity_check

Prints exactly one line on stdout:
    bench: crash_cycles=N lost_updates=L double_effects=D ledger_mismatch=M dup_messages=K integrity=ok
details on stderr. Exit 1 when L, D or M is not 0, integrity is not ok, or no
customer got through a checkout (then the load did not run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
os.environ.setdefault("TGSIM_WAIT_TIMEOUT", "30")   # waits cross a kill and a restart

import hostkit as hk  # noqa: E402
import shopkit as sk  # noqa: E402
import walor_harness as wh  # noqa: E402
from test_catalog_browse import Shop  # noqa: E402
from test_pay_kit import post  # noqa: E402
from tgsim import Sim  # noqa: E402

OWNER = hk.OWNER_ID
WAIT = 30.0
PRODUCTS = [("Роза", [("50 мл", 150000, 300), ("100 мл", 250000, 500)]), ("Мыло", []),
            ("Свеча", [("1 шт", 90000, 200)])]
STOCK = 20000


def log(msg: str) -> None:
    print(f"crash: {msg}", file=sys.stderr, flush=True)


class Stop(Exception):
    pass


class Campaign:
    def __init__(self, args, work: Path):
        self.args = args
        self.rnd = random.Random(args.seed)
        self.work = work
        self.bdir = wh.build_dir()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.update_ids: list[int] = []
        self.hello: Counter = Counter()            # presses per user
        self.confirms: Counter = Counter()         # "✅ Подтвердить" per user
        self.paid_200: set[int] = set()            # orders whose webhook walord answered 200
        self.flows = Counter()                     # completed / restarted customer flows
        self.dups = Counter()                      # re-sent stored messages Telegram had taken, by kind
        self.resent = 0
        self.kills = 0

    # ---- processes
    def start(self):
        self.sim_srv = wh.TgsimServer(self.bdir, self.work / "tgsim", args=["--quiet"]).start()
        self.sim = Sim(self.sim_srv.url)
        self.cdek = sk.FakeCdek().start()
        sk.default_prices(self.cdek)
        self.dadata = sk.FakeDadata().start()
        self.ecom = sk.EcomFake().start(wh.free_port())
        self.port = wh.free_port()
        extra, files = sk.shop_conf(self.port, self.cdek.url, self.dadata.url, self.ecom.url)
        plugins = sk.PLUGINS + ["hello"]
        self.w = wh.Walord(self.bdir, self.work / "walord", api_root=self.sim_srv.url, plugins=plugins,
                           owners=[OWNER], extra_ini=extra, conf_files=files, token=self.sim_srv.token,
                           walor={"log_level": "info"},
                           plugin_dir=hk.plugin_dir(self.work, plugins))
        self.w.port = self.port
        self.w.start()
        self.con = sqlite3.connect(str(self.w.db_path), timeout=30, check_same_thread=False)
        self.con.execute("PRAGMA busy_timeout = 30000")

    def close(self):
        for f in (self.cdek, self.dadata, self.ecom):
            try:
                f.stop()
            except Exception:
                pass
        try:
            self.con.close()
        except Exception:
            pass
        if self.w.running:
            self.w.kill9()
        self.sim_srv.stop()

    def q(self, sql, *args):
        with self.lock:
            return self.con.execute(sql, args).fetchall()

    def q1(self, sql, *args):
        rows = self.q(sql, *args)
        return rows[0][0] if rows else None

    def note(self, reply: dict):
        if isinstance(reply, dict) and reply.get("update_id"):
            with self.lock:
                self.update_ids.append(reply["update_id"])
        return reply

    # ---- the shop before the campaign: products and stock, through the bot
    def seed(self):
        shop = Shop(self.w)
        self.items = []
        for name, variants in PRODUCTS:
            pid = shop.product(name, price=50000, variants=variants)
            if variants:
                for no, (label, kop, _g) in enumerate(variants, 1):
                    self.items.append((pid, no, name, f"{label} — {kop // 100:,} ₽".replace(",", " ")))
            else:
                self.items.append((pid, 0, name, "🛒 Купить — 500 ₽"))
        boss = hk.owner(self.sim)
        boss.send("/start")
        lines = "\n".join(f"{pid}.{no} {STOCK}" if no else f"{pid} {STOCK}" for pid, no, _n, _b in self.items)
        sums = "\n".join(f"{pid}.{no} {STOCK * 100}" if no else f"{pid} {STOCK * 100}"
                         for pid, no, _n, _b in self.items)
        sk.supply(boss, lines, sums)
        self.boss = boss

    # ---- load
    def guard(self, fn, name):
        def run():
            while not self.stop.is_set():
                try:
                    fn()
                except Stop:
                    return
                except (AssertionError, OSError, KeyError, IndexError, urllib.error.URLError) as e:
                    # a step that did not come as expected: start the flow over
                    with self.lock:
                        self.flows[f"{name} restarted"] += 1
                    if self.args.verbose:
                        log(f"{name}: {type(e).__name__}: {str(e)[:300]}")
                    time.sleep(0.2)
                except Exception:
                    log(f"{name}: unexpected\n{traceback.format_exc()}")
                    time.sleep(0.5)
        t = threading.Thread(target=run, name=name, daemon=True)
        t.start()
        return t

    def live(self):
        if self.stop.is_set():
            raise Stop()

    def act(self, fn, *a, **kw):
        self.live()
        kw.setdefault("timeout", WAIT)
        return self.note(fn(*a, **kw))

    def screen_with(self, u, pred, what):
        """the newest of the last bot messages that pred accepts (waits for it)"""
        def find(chat):
            self.live()
            for m in reversed([m for m in chat["messages"] if m["from"] == "bot"][-3:]):
                if pred(m):
                    return m
            return None
        return u.wait_for(find, timeout=WAIT, what=what)

    def customer(self, u, phone):
        rnd = random.Random(u.id)

        def flow():
            pid, no, name, btn = rnd.choice(self.items)
            self.act(u.send, "/start")
            self.act(u.press, sk.CATALOG)
            self.act(u.press, name)
            self.act(u.press, btn)
            self.act(u.send, "/cart")
            self.act(u.press, sk.CHECKOUT_BTN)
            oid = self.checkout(u, phone, rnd)
            self.pay(u, oid)
            with self.lock:
                self.flows["customer flows completed"] += 1
        return flow

    def checkout(self, u, phone, rnd) -> int:
        """answers the checkout's steps as they come, confirms, returns the order number"""
        for _ in range(14):
            self.live()
            s = step_screen(u)
            t = s.text
            b = s.button_texts
            if "Шаг 1. Как вас зовут" in t:
                self.act(u.send, u.first_name)
            elif "Номер телефона" in t:
                self.act(u.send, phone)
            elif "Электронная почта" in t:
                self.act(u.press, "Без почты")
            elif "Адрес доставки" in t:
                self.act(u.send, "Москва, Тверская 1")
            elif "Способ доставки" in t:
                self.act(u.press, next(x for x in b if x.startswith("🏪 Пункт выдачи СДЭК")))
            elif "ункты выдачи СДЭК" in t:
                self.act(u.press, next(x for x in b if x.startswith("1. ")))
            elif "Есть промокод?" in t or "сертификат" in t:
                self.act(u.press, "Пропустить")
            elif "Можно списать" in t:
                spend = [x for x in b if x.startswith("Списать ")]
                self.act(u.press, spend[0] if spend and rnd.random() < 0.5 else "Пропустить")
            elif "Комментарий к заказу" in t:
                self.act(u.press, "Без комментария")
            elif "Проверьте заказ" in t:
                with self.lock:
                    self.confirms[u.id] += 1
                self.act(u.press, "✅ Подтвердить", wait=False)
                m = self.screen_with(u, lambda m: re.search(r"Заказ №(\d+) оформлен", m.get("text") or ""),
                                     "the order placed")
                return int(re.search(r"Заказ №(\d+) оформлен", m["text"]).group(1))
            else:
                raise AssertionError(f"unknown checkout screen: {t[:120]!r}")
        raise AssertionError("checkout did not end")

    def pay(self, u, oid):
        """the QR arrives, the customer pays, the gateway calls back until it gets 200"""
        self.screen_with(u, lambda m: m.get("photo") and f"Оплата заказа №{oid}" in (m.get("caption") or ""),
                         f"the payment QR of order {oid}")
        inv = hk.wait_until(lambda: self.q1("SELECT invoice_id FROM pay_ecom_invoice WHERE order_id = ?", oid),
                            timeout=WAIT, what="the invoice id")
        self.ecom.set_status(inv, 2)
        deadline = time.monotonic() + 120
        while True:
            self.live()
            try:
                status, _ = post(self.w, f"/p/pay-ecom/webhook/{sk.PAY_SECRET}", {"id": inv, "status": 2}, timeout=20)
            except OSError:
                status = 0               # walord is down: the gateway tries again
            if status == 200:
                with self.lock:
                    self.paid_200.add(oid)
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"the webhook of order {oid} never got 200 (last {status})")
            time.sleep(0.3)
        # the notice may be a message of its own or the QR's caption, edited
        self.screen_with(u, lambda m: f"Оплата заказа №{oid} получена" in (m.get("text") or m.get("caption") or ""),
                         f"the payment notice of order {oid}")

    def presser(self, u):
        rnd = random.Random(u.id)

        def press():
            self.live()
            r = self.sim.press(u.id, text="➕ Ещё")
            with self.lock:
                self.update_ids.append(r["update_id"])
                self.hello[u.id] += 1
            time.sleep(rnd.uniform(0.01, 0.08))
        return press

    def staff(self):
        rnd = random.Random(OWNER)

        def step():
            self.live()
            time.sleep(rnd.uniform(0.2, 0.8))
            moving = self.q("SELECT id FROM orders_order WHERE status IN ('paid', 'processing', 'shipped', "
                            "'delivered') ORDER BY random() LIMIT 1")
            stale = self.q("SELECT id FROM orders_order WHERE status = 'new' AND created_at < ? LIMIT 1",
                           int(time.time()) - 60)
            if stale:
                self.act(self.boss.press_data, f"ord:o:{stale[0][0]}", force=True)
                self.act(self.boss.press, "❌ Отменить")
                self.act(self.boss.press, "❌ Да, отменить")
            elif moving:
                self.act(self.boss.press_data, f"ord:o:{moving[0][0]}", force=True)
                nxt = [b for b in self.boss.screen().button_texts if b.startswith("▶️")]
                if nxt:
                    self.act(self.boss.press, nxt[0])
            ships = self.q("SELECT uuid FROM checkout_cdek_shipment WHERE state = 'active' AND uuid <> '' "
                           "ORDER BY random() LIMIT 1")
            if ships and rnd.random() < 0.3:
                try:                      # CDEK retries its webhook as well; a refused one comes again
                    self.cdek.push_status(ships[0][0], "DELIVERED")
                except (OSError, AssertionError):
                    pass
        return step

    # ---- kills
    def busy(self) -> bool:
        return (self.q1("SELECT count(*) FROM wh_inbox WHERE done_at IS NULL") or 0) > 0

    def count_dups(self):
        """walord is down: the stored messages go out again at the start; those
        Telegram had already taken are duplicates"""
        for rid, chat, method, body, created in self.q("SELECT id, chat_id, method, body, created_at FROM wh_msgq"):
            self.resent += 1
            p = json.loads(body)
            want = p.get("text") if method in ("sendMessage", "editMessageText") else p.get("caption")
            if want is None or method not in ("sendMessage", "sendPhoto", "sendDocument", "editMessageText"):
                continue
            try:
                msgs = self.sim.chat(chat)["messages"]
            except Exception:
                continue
            if method == "editMessageText":
                seen = any(m["message_id"] == p.get("message_id") and m.get("html") == want for m in msgs)
            else:
                seen = any(m["from"] == "bot" and m.get("date", 0) >= created - 2 and
                           want in (m.get("html") or "", m.get("caption") or "", m.get("text") or "")
                           for m in msgs)
            if seen:
                self.dups["edit re-applied" if method == "editMessageText" else method] += 1

    def campaign(self):
        for cycle in range(self.args.cycles):
            time.sleep(self.rnd.uniform(0.3, 2.0))
            if cycle % 2:               # aim at updates in flight
                deadline = time.monotonic() + 3
                while not self.busy() and time.monotonic() < deadline:
                    time.sleep(0.002)
                time.sleep(self.rnd.uniform(0, 0.005))
            self.w.kill9()
            self.kills += 1
            self.count_dups()
            self.w.start()
            if (cycle + 1) % 10 == 0:
                log(f"{cycle + 1} cycles, {len(self.update_ids)} updates, {dict(self.flows)}")

    # ---- the end
    def settle(self):
        def quiet():
            pend = self.sim.bots()[0]["pending_update_count"]
            rows = self.q("SELECT (SELECT count(*) FROM wh_inbox WHERE done_at IS NULL), "
                          "(SELECT count(*) FROM wh_msgq), "
                          "(SELECT count(*) FROM wh_event_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL), "
                          "(SELECT count(*) FROM wh_jobs WHERE run_at <= ? AND attempts < 5)", int(time.time()))
            return pend == 0 and rows[0] == (0, 0, 0, 0)
        hk.wait_until(quiet, timeout=120, what="walord to settle (inbox, messages, events, jobs)", interval=0.3)

    def check(self) -> dict:
        con = sqlite3.connect(str(self.w.db_path))
        q = lambda sql, *a: con.execute(sql, a).fetchall()  # noqa: E731
        bad = Counter()

        def fault(kind, what):
            bad[kind] += 1
            log(f"{kind}: {what}")

        # lost updates
        done = {r[0] for r in q("SELECT update_id FROM wh_inbox WHERE done_at IS NOT NULL")}
        for uid in set(self.update_ids) - done:
            fault("lost", f"update {uid} acknowledged but not done")
        clicks = dict(q("SELECT user_id, clicks FROM hello_clicks"))
        for uid, n in self.hello.items():
            got = clicks.get(uid, 0)
            if got < n:
                fault("lost", f"hello: {n - got} of {n} presses of user {uid} not counted")
            elif got > n:
                fault("double", f"hello: {got - n} presses of user {uid} counted twice")
        for oid in sorted(self.paid_200):
            st = q("SELECT status FROM orders_order WHERE id = ?", oid)
            if not st or st[0][0] in ("new", "cancelled"):
                fault("lost", f"order {oid}: the webhook got 200, the order is {st[0][0] if st else 'missing'}")
        for rid, method, chat in q("SELECT id, method, chat_id FROM wh_msgq"):
            fault("lost", f"message {rid} ({method} to {chat}) stored and never delivered")
        for ev, plugin, err in q("SELECT e.event, d.plugin, d.last_error FROM wh_event_deliveries d "
                                 "JOIN wh_events e ON e.id = d.event_id WHERE d.failed_at IS NOT NULL"):
            fault("lost", f"event {ev} to {plugin} given up: {err}")

        # double effects
        for uid, n in q("SELECT user_id, count(*) FROM orders_order GROUP BY user_id"):
            if n > self.confirms.get(uid, 0):
                fault("double", f"user {uid}: {n} orders from {self.confirms.get(uid, 0)} confirms")
        for oid, n in q("SELECT order_id, count(*) FROM orders_history WHERE to_status = 'paid' GROUP BY order_id "
                        "HAVING count(*) > 1"):
            fault("double", f"order {oid} paid {n} times")
        for oid, kind, n in q("SELECT order_id, kind, count(*) FROM loyalty_ledger WHERE order_id > 0 "
                              "GROUP BY order_id, kind HAVING count(*) > 1"):
            fault("double", f"order {oid}: {n} loyalty rows of kind {kind}")
        for oid, pid, vno, kind, n in q("SELECT order_id, product_id, variant_no, kind, count(*) FROM warehouse_ledger "
                                        "WHERE order_id IS NOT NULL GROUP BY order_id, product_id, variant_no, kind "
                                        "HAVING count(*) > 1"):
            fault("double", f"order {oid}: stock of {pid}.{vno} moved {n} times ({kind})")
        posts = Counter(r["body"].get("number") for r in self.cdek.requests("/v2/orders") if r["method"] == "POST")
        for number, n in posts.items():
            if n > 1:
                fault("double", f"CDEK waybill {number} created {n} times")

        # ledgers
        for pid, vno, on_hand, reserved, lq, lr in q(
                "SELECT i.product_id, i.variant_no, i.on_hand, i.reserved, COALESCE(sum(l.qty), 0), "
                "COALESCE(sum(l.reserved), 0) FROM warehouse_item i LEFT JOIN warehouse_ledger l "
                "ON l.product_id = i.product_id AND l.variant_no = i.variant_no GROUP BY i.product_id, i.variant_no"):
            if on_hand != lq or reserved != lr:
                fault("ledger", f"{pid}.{vno}: on hand {on_hand} / reserved {reserved}, ledger {lq} / {lr}")
            held = q("SELECT COALESCE(sum(l.qty), 0) FROM orders_line l JOIN orders_order o ON o.id = l.order_id "
                     "WHERE o.stock = 'reserved' AND l.product_id = ? AND l.variant_no = ?", pid, vno)[0][0]
            if held != reserved:
                fault("ledger", f"{pid}.{vno}: reserved {reserved}, open orders' lines {held}")
        for oid, n in q("SELECT o.id, (SELECT count(*) FROM checkout_cdek_shipment s WHERE s.order_id = o.id) "
                        "FROM orders_order o WHERE o.status IN ('paid', 'processing', 'shipped', 'delivered', "
                        "'completed') AND o.delivery_type IN ('pickup', 'courier')"):
            if n != 1:
                fault("ledger", f"paid order {oid} has {n} waybills")
        r = sk.stock_check(self.bdir, self.w.config_path)
        if r.returncode != 0:
            fault("ledger", f"walorctl stock-check: {(r.stdout + r.stderr).strip()[-400:]}")
        integrity = q("PRAGMA integrity_check")[0][0]
        orders = q("SELECT status, count(*) FROM orders_order GROUP BY status")
        con.close()
        log(f"orders by status: {dict(orders)}; updates {len(self.update_ids)}; hello presses "
            f"{sum(self.hello.values())}; customer flows {dict(self.flows)}; stored messages re-sent at starts "
            f"{self.resent}, of them already delivered: {dict(self.dups) or 0}")
        return {"lost": bad["lost"], "double": bad["double"], "ledger": bad["ledger"], "integrity": integrity}


# what each checkout step says (checkout-cdek, loyalty): order notices may
# arrive between two steps, so the step is the newest message saying one
STEPS = ("Шаг 1. Как вас зовут", "Номер телефона", "Электронная почта", "Адрес доставки", "Способ доставки",
         "ункты выдачи СДЭК", "Есть промокод?", "сертификат", "Можно списать", "Комментарий к заказу",
         "Проверьте заказ")


def step_screen(u):
    from tgsim import Screen
    bots = [m for m in u.chat()["messages"] if m["from"] == "bot"][-4:]
    for m in reversed(bots):
        if any(k in (m.get("text") or "") for k in STEPS):
            return Screen(m)
    return Screen(bots[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycles", type=int, default=int(os.environ.get("CRASH_CYCLES", "100")))
    ap.add_argument("--customers", type=int, default=3)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, database)")
    ap.add_argument("--verbose", action="store_true", help="log every restarted flow")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.randrange(1 << 30)
    work = Path(tempfile.mkdtemp(prefix="walor-crash-"))
    log(f"seed {args.seed}, {args.cycles} cycles, work directory {work}")
    c = Campaign(args, work)
    ok = False
    try:
        c.start()
        c.seed()
        users = [c.sim.user(f"Покупатель{i}") for i in range(args.customers)]
        pressers = [c.sim.user(f"Нажимающий{i}") for i in range(2)]
        for u in pressers:
            u.send("/hello")
            u.expect("Вы нажали кнопку 0 раз")
        threads = [c.guard(c.customer(u, f"8916{1000000 + i:07d}"), f"customer{i}") for i, u in enumerate(users)]
        threads += [c.guard(c.presser(u), f"presser{i}") for i, u in enumerate(pressers)]
        threads.append(c.guard(c.staff(), "staff"))
        c.campaign()
        c.stop.set()
        for t in threads:
            t.join(timeout=WAIT * 3)
        c.settle()
        c.w.stop()                              # a clean stop: exit code 0, no sanitizer report
        res = c.check()
        ok = res["lost"] == 0 and res["double"] == 0 and res["ledger"] == 0 and res["integrity"] == "ok"
        if not c.flows["customer flows completed"] or not c.hello:
            # the driver no longer walks the shop (a changed screen): the figures would say nothing
            log("no customer got through a checkout: the load did not run, nothing was tested")
            ok = False
        print(f"bench: crash_cycles={c.kills} lost_updates={res['lost']} double_effects={res['double']} "
              f"ledger_mismatch={res['ledger']} dup_messages={sum(v for k, v in c.dups.items() if k.startswith('send'))} "
              f"integrity={res['integrity']}", flush=True)
    except Exception:
        log(traceback.format_exc())
        log(wh.tail(c.w.log_path, 40) if hasattr(c, "w") else "walord did not start")
    finally:
        c.close()
        if args.keep or not ok:
            log(f"work directory kept: {work}")
        else:
            import shutil
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
