"""Several walord instances serving one bot on one PostgreSQL database
(host/core/cluster.h, docs/RELIABILITY.md "Several instances").

Three instances behind nginx (tests/e2e/nginx-cluster.conf.in) in webhook
mode: any instance stores any update. The test plugin cluprobe records what
each update, job and blast did (tests/plugins/cluprobe). These tests always
use PostgreSQL — a database of their own in the session's throw-away
cluster — so they run in the default (SQLite) suite and are skipped when the
whole suite runs on PostgreSQL, where they would only run twice.
"""

from __future__ import annotations

import json
import http.client
import os
import random
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import hostkit as hk
import pgkit
import walor_harness as wh

SECRET = "cluster_Secret_42"
HOOK = "/telegram/webhook"
NGINX_CONF = Path(__file__).resolve().parent / "nginx-cluster.conf.in"

pytestmark = pytest.mark.skipif(
    pgkit.is_pg(), reason="runs in the default suite: it always uses a PostgreSQL database of its own")


class Nginx:
    """nginx in the foreground with the test's config (Debian's nginx-light)."""

    def __init__(self, workdir: Path, port: int, upstreams: list[int]):
        self.dir = workdir
        self.port = port
        self.proc = None
        exe = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(exe):
            pytest.fail("nginx is not installed: packaging/install-deps.sh installs nginx-light")
        self.exe = exe
        self.dir.mkdir(parents=True, exist_ok=True)
        text = NGINX_CONF.read_text()
        text = (text.replace("@PREFIX@", str(self.dir)).replace("@PORT@", str(port))
                .replace("@UPSTREAMS@", "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in upstreams))
                # workers of a root master would run as nobody, who cannot enter the test's temp dir
                .replace("@USER@", "user root;" if os.geteuid() == 0 else ""))
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(text)

    def start(self) -> "Nginx":
        self.proc = subprocess.Popen([self.exe, "-p", str(self.dir), "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=open(self.dir / "stderr.log", "wb"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", "/healthz")
                c.getresponse().read()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError("nginx exited: " + (self.dir / "stderr.log").read_text()
                                         + (self.dir / "error.log").read_text(errors="replace"))
                time.sleep(0.05)
        raise AssertionError("nginx did not answer within 10 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def nginx_procs():
    made = []
    yield made
    for n in made:
        n.stop()


def start_cluster(walord, tmp_path, free_port, nginx_procs, n=3, plugins=("cluprobe",), extra="",
                  telegram=None, webhook=True, front=None, **kw):
    """n walords on one new PostgreSQL database; in webhook mode behind nginx
    on port front (any free one by default). Each walord gets .port (its own
    listener) and .front (nginx's)."""
    conninfo = pgkit.cluster().new_database("c")
    ports = [free_port() for _ in range(n)]
    tg = dict(telegram or {})
    if webhook:
        front = front or free_port()
        nginx_procs.append(Nginx(tmp_path / "nginx", front, ports).start())
        tg.update({"mode": "webhook", "webhook_url": f"http://127.0.0.1:{front}{HOOK}", "webhook_secret": SECRET})
    ws = []
    for p in ports:
        w = hk.start(walord, tmp_path, plugins, walor={"db": conninfo}, telegram=tg,
                     extra_ini=f"[http]\nlisten = 127.0.0.1:{p}\n" + extra, **kw)
        w.port = p
        w.front = front
        ws.append(w)
    return ws


def clock(port: int, advance: int) -> None:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/_test/clock", body=json.dumps({"advance_s": advance}).encode(),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 200


def seen_by_chat(con):
    rows = con.execute("SELECT chat_id, n, update_id, pid FROM cluprobe_seen ORDER BY chat_id, handled_no").fetchall()
    out: dict[int, list] = {}
    for chat, n, uid, pid in rows:
        out.setdefault(chat, []).append((n, uid, pid))
    return out


@pytest.mark.features("F-HOST-07", "F-HOST-04", "F-HOST-06")
def test_three_instances_behind_nginx_lose_nothing_across_kill9(tgsim, walord, tmp_path, free_port, nginx_procs):
    rnd = random.Random()
    ws = start_cluster(walord, tmp_path, free_port, nginx_procs, n=3,
                       extra="[plugin.cluprobe]\nwork_ms = 40\n")
    users = [tgsim.user(f"Покупатель{i}") for i in range(5)]
    per_user = 14
    con = ws[0].db()
    jobs_user = tgsim.user("Планировщик")
    jobs_user.send("/jobs 20", wait=False)

    def sender(u):
        for i in range(1, per_user + 1):
            tgsim.send(u.id, f"/seq {i}")
            time.sleep(rnd.uniform(0.0, 0.08))

    threads = [threading.Thread(target=sender, args=(u,)) for u in users]
    for t in threads:
        t.start()
    kills = 0
    # kill -9 a random instance while updates are in flight, and bring it back
    for _ in range(4):
        time.sleep(rnd.uniform(0.5, 1.2))
        victim = rnd.choice(ws)
        victim.kill9()
        kills += 1
        time.sleep(rnd.uniform(0.2, 0.6))
        victim.start()
    for t in threads:
        t.join()
    total = len(users) * per_user
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM cluprobe_seen") >= total, timeout=60,
                  what=f"{total} handled updates")
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_inbox WHERE done_at IS NULL") == 0, timeout=30,
                  what="no update left pending")
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM cluprobe_jobs") >= 20, timeout=30,
                  what="the 20 jobs")
    time.sleep(1)  # anything that would run twice has had its chance

    by_chat = seen_by_chat(con)
    for u in users:
        got = by_chat.get(u.id, [])
        # every update once, none lost, in the order the user sent them
        assert [n for n, _, _ in got] == list(range(1, per_user + 1)), (u.first_name, got)
        assert [uid for _, uid, _ in got] == sorted(uid for _, uid, _ in got)
    assert hk.scalar(con, "SELECT count(*) FROM (SELECT update_id FROM cluprobe_seen GROUP BY update_id "
                          "HAVING count(*) > 1) AS d") == 0
    # the chats really were spread over instances (pids of several processes)
    assert hk.scalar(con, "SELECT count(DISTINCT pid) FROM cluprobe_seen") >= 2
    # each job once
    keys = con.execute("SELECT key, count(*) FROM cluprobe_jobs GROUP BY key").fetchall()
    assert sorted(k for k, _ in keys) == sorted(f"{jobs_user.id}-{i}" for i in range(20))
    assert all(c == 1 for _, c in keys), keys
    assert hk.scalar(con, "SELECT count(*) FROM wh_jobs WHERE plugin = 'cluprobe'") == 0
    assert kills == 4
    for w in ws:
        assert "SECRET" not in w.log() and SECRET not in w.log()


@pytest.mark.features("F-HOST-06")
def test_a_blast_from_three_instances_stays_under_the_bots_rate(tgsim, walord, tmp_path, free_port, nginx_procs):
    """Each instance paces its bulk sends at 1/n of bulk_rate: three blasts at
    once, one per instance, keep the bot under tgsim's flood limit."""
    ws = start_cluster(walord, tmp_path, free_port, nginx_procs, n=3,
                       telegram={"bulk_rate": 20, "bulk_per_chat_rate": 30})
    for w in ws:
        w.wait_log(r"cluster: 3 live instance\(s\)", timeout=10)
    tgsim.set_ratelimit(global_per_s=24, per_chat_per_s=0)
    users = [tgsim.user(f"Подписчик{i}") for i in range(3)]
    each = 30
    for u in users:
        u.send(f"/blast {each}", wait=False)

    def blasts(u):
        return sum(1 for m in u.bot_messages() if (m.get("text") or "").startswith("blast "))

    hk.wait_until(lambda: all(blasts(u) >= each for u in users), timeout=60, what="every blast delivered")
    con = ws[0].db()
    # the three blasts were sent by more than one instance (else the test proves nothing)
    stats = tgsim.stats()
    assert stats.get("count429", 0) == 0, stats
    handled_by = {w.pid for w in ws if "blast" in w.log()}
    assert len(handled_by) >= 2, "the /blast updates all went to one instance"
    assert hk.scalar(con, "SELECT count(*) FROM wh_msgq") is not None


@pytest.mark.features("F-HOST-02")
def test_one_instance_polls_and_another_takes_over_when_it_dies(tgsim, walord, tmp_path, free_port, nginx_procs):
    ws = start_cluster(walord, tmp_path, free_port, nginx_procs, n=2, webhook=False)
    standby = [w for w in ws if "another instance polls Telegram" in w.log()]
    assert len(standby) == 1, [w.log_tail(20) for w in ws]
    poller = next(w for w in ws if w is not standby[0])
    u = tgsim.user("Вера")
    u.send("/seq 1")
    u.expect("seq 1")
    poller.kill9()
    standby[0].wait_log("this one polls now", timeout=15)
    u.send("/seq 2")
    u.expect("seq 2")
    con = standby[0].db()
    assert [n for n, _, _ in seen_by_chat(con)[u.id]] == [1, 2]


@pytest.mark.features("F-HOST-04")
def test_cron_ticks_once_and_settings_are_shared(tgsim, walord, tmp_path, free_port, nginx_procs):
    """Two instances fire the same minute: one runs it. A setting the owner
    changes on one is what the other reads (nothing caches it)."""
    ws = start_cluster(walord, tmp_path, free_port, nginx_procs, n=2, plugins=("jobs", "cluprobe"),
                       extra="[plugin.jobs]\ncrons = minute\n")
    con = ws[0].db()
    before = hk.scalar(con, "SELECT count(*) FROM jobs_runs WHERE name = 'minute'")
    for minute in range(3):
        for w in ws:
            clock(w.port, 60)
        hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM jobs_runs WHERE name = 'minute'")
                      >= before + minute + 1, timeout=15, what=f"minute {minute + 1}")
    time.sleep(1.5)
    runs = hk.scalar(con, "SELECT count(*) FROM jobs_runs WHERE name = 'minute'") - before
    assert runs == 3, runs
    # a setting written through one instance's database is the other's at once
    con.execute("INSERT INTO wh_settings(key, value, updated_by, updated_at) VALUES ('shop.open', 'no', NULL, 0) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
    con.commit()
    u = tgsim.user("Гость")
    for _ in range(2):  # through nginx: each instance in turn
        u.send("/start")
    closed = [m for m in u.bot_messages() if "Магазин временно не принимает заказы" in (m.get("text") or "")]
    assert len(closed) >= 2, u.dump()


@pytest.mark.features("F-PAY-02", "F-HOST-07")
def test_payments_through_three_instances_are_applied_once_across_kill9(tgsim, walord, tmp_path, free_port,
                                                                        nginx_procs):
    """The provider's webhooks reach any instance through nginx, each one
    several times, while instances are killed: every order is paid once."""
    import types

    import test_orders_kit as ok
    import test_pay_kit as pk

    fake = pk.EcomFake().start(free_port())
    front = free_port()
    try:
        ini = (f"[plugin.pay-ecom]\napi_url = {fake.url}\ngateway_url = {fake.url}\nlogin = {pk.LOGIN}\n"
               f"password = {pk.PASSWORD}\nwebhook_secret = {pk.SECRET}\ngroup_code = 700\n"
               f"public_url = http://127.0.0.1:{front}\napi_timeout_ms = 1500\nfiscal = no\n")
        ws = start_cluster(walord, tmp_path, free_port, nginx_procs, n=3, front=front,
                           plugins=("orders", "ordprobe", "pay-ecom"),
                           conf_files={"50-ordprobe.ini": "[plugin.ordprobe]\nstock = yes\n", "60-pay-ecom.ini": ini})
        gateway = types.SimpleNamespace(port=front)
        users = [tgsim.user(f"Плательщик{i}") for i in range(4)]
        orders = []
        for u in users:
            u.send("/start")
            for _ in range(2):
                oid = pk.new_order(u)
                pk.ask_details(u, oid)
                orders.append((u, oid, pk.invoice_of(ws[0], oid)))
        for _, _, inv in orders:
            fake.set_status(inv, 2)

        def provider(inv):
            # the provider says it three times, and again after any answer but 200
            for _ in range(3):
                for _ in range(40):
                    try:
                        if pk.post(gateway, f"/p/pay-ecom/webhook/{pk.SECRET}", {"id": inv, "status": 2},
                                   timeout=10)[0] == 200:
                            break
                    except OSError:
                        pass
                    time.sleep(0.25)
        threads = [threading.Thread(target=provider, args=(inv,)) for _, _, inv in orders]
        for t in threads:
            t.start()
        rnd = random.Random()
        for _ in range(2):
            time.sleep(rnd.uniform(0.1, 0.5))
            victim = rnd.choice(ws)
            victim.kill9()
            time.sleep(0.3)
            victim.start()
        for t in threads:
            t.join()
        w = ws[0]
        for u, oid, _ in orders:
            hk.wait_until(lambda: ok.status(w, oid) == "paid", timeout=30, what=f"order {oid} paid")
            u.expect(f"✅ Оплата заказа №{oid} получена", timeout=30)
        time.sleep(1)
        for u, oid, _ in orders:
            assert pk.paid_moves(w, oid) == 1, oid
            assert len(pk.events(w, "order.paid", oid)) == 1, oid
    finally:
        fake.stop()


@pytest.mark.features("F-HOST-09", "F-HOST-07")
def test_events_reach_each_subscriber_once_and_in_order_across_instances(tgsim, walord, tmp_path, free_port,
                                                                         nginx_procs):
    """Events emitted through three instances, delivered while every instance
    runs deliveries and one is killed: each event once, in order per
    aggregate."""
    ws = start_cluster(walord, tmp_path, free_port, nginx_procs, n=3, plugins=("evpub", "evsub"))
    users = [tgsim.user(f"Издатель{i}") for i in range(3)]
    for u in users:
        u.send("/evslow 30", wait=False)  # a slow subscriber: deliveries are in flight when the kill comes
    for k, u in enumerate(users):
        for _ in range(3):
            u.send(f"/emit 4 agg{k}", wait=False)
    time.sleep(0.8)
    victim = ws[1]
    victim.kill9()
    time.sleep(0.5)
    victim.start()
    con = ws[0].db()
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM evsub_seen") >= 36, timeout=60,
                  what="36 deliveries")
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE delivered_at IS NULL "
                                         "AND failed_at IS NULL") == 0, timeout=30, what="nothing left to deliver")
    time.sleep(1)
    for k in range(3):
        seen = [r[0] for r in con.execute("SELECT n FROM evsub_seen WHERE aggregate = ? ORDER BY id", (f"agg{k}",))]
        assert seen == [1, 2, 3, 4] * 3, (k, seen)
    assert hk.scalar(con, "SELECT count(*) FROM evsub_seen") == 36
