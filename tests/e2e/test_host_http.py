"""The HTTP listener (host/http/http.c): /healthz, /metrics, plugin routes, the
Telegram webhook, the test clock and the listener's defences (body limit,
slow clients, wrong methods and paths)."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import threading
import time

import pytest

import hostkit as hk

SECRET = "s3cret_Token-1"
HOOK = "/telegram/webhook"


def http_ini(port: int, **keys) -> str:
    lines = ["[http]", f"listen = 127.0.0.1:{port}"]
    lines += [f"{k} = {v}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def request(port: int, method: str, path: str, body=None, headers=None, timeout: float = 10):
    """(status, headers dict with lower-case names, body bytes)"""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        con.request(method, path, body=body, headers=headers or {})
        r = con.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        con.close()


def declare_body(port: int, path: str, length: int, headers=None):
    """Sends only the headers of a POST with Content-Length = length and
    returns (status, body) of the answer, which must come without the body."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n{extra}\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < \
            int(re.search(rb"Content-Length: (\d+)", data, re.I).group(1)):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def listener(walord, tmp_path, free_port, plugins=("hello", "probe"), telegram=None, walor=None,
             **http_keys):
    port = free_port()
    w = hk.start(walord, tmp_path, plugins, extra_ini=http_ini(port, **http_keys), telegram=telegram,
                 walor=walor)
    # "walord: ready" comes with the first poll, which may precede the listener
    w.wait_log(r"HTTP listener on ")
    w.port = port
    return w


def metric(text: str, name: str, labels: str = "") -> float:
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert m, f"{name}{labels} not in /metrics"
    return float(m.group(1))


# ---------------------------------------------------------------- test clock

@pytest.mark.infra
def test_test_clock(walord, tmp_path, free_port):
    w = listener(walord, tmp_path, free_port, plugins=("hello",))
    st, hd, body = request(w.port, "GET", "/_test/clock")
    assert st == 200 and hd["content-type"] == "application/json"
    now = json.loads(body)["now"]
    assert abs(now - time.time()) < 5
    st, _, body = request(w.port, "POST", "/_test/clock", {"advance_s": 86400})
    assert st == 200
    assert json.loads(body)["now"] >= now + 86400
    assert json.loads(request(w.port, "GET", "/_test/clock")[2])["now"] >= now + 86400
    st, _, body = request(w.port, "POST", "/_test/clock", {"advance_s": "soon"})
    assert st == 400 and "error" in json.loads(body)
    st, hd, _ = request(w.port, "DELETE", "/_test/clock")
    assert st == 405 and "POST" in hd["allow"]


@pytest.mark.infra
def test_test_clock_absent_without_test_mode(walord, tmp_path, free_port):
    w = listener(walord, tmp_path, free_port, plugins=("hello",), walor={"test_mode": False})
    st, _, body = request(w.port, "POST", "/_test/clock", {"advance_s": 60})
    assert st == 404 and json.loads(body) == {"error": "not found"}


@pytest.mark.infra
def test_test_mode_refuses_a_public_listener(walord, tmp_path, free_port):
    port = free_port()
    w = walord(plugins=["hello"], plugin_dir=hk.plugin_dir(tmp_path, ["hello"]),
               extra_ini=f"[http]\nlisten = 127.0.0.1:{free_port()}, 0.0.0.0:{port}\n", start=False)
    w.start(wait_ready=False)
    w.wait_log(r"0\.0\.0\.0:\d+ is not a loopback address, and test_mode is on; refusing to start")
    # a refusal that logs and then exits 0 would look like a clean stop to systemd
    assert w.wait_exit() == 1, w.log_tail(20)


@pytest.mark.infra
def test_bad_http_config_is_refused(walord, tmp_path, free_port):
    w = walord(plugins=["hello"], plugin_dir=hk.plugin_dir(tmp_path, ["hello"]),
               extra_ini=f"[http]\nlisten = 127.0.0.1:{free_port()}\nmax_body = lots\n", start=False)
    w.start(wait_ready=False)
    w.wait_log(r'\[http\] max_body: expected a size .* got "lots"')
    assert w.wait_exit() == 1, w.log_tail(20)


# ---------------------------------------------------------------- health

@pytest.mark.features("F-HOST-10")
@pytest.mark.sqlite_only("a database file damaged under walord")
def test_healthz_follows_the_database(walord, tmp_path, free_port):
    w = listener(walord, tmp_path, free_port, plugins=("hello",))
    st, hd, body = request(w.port, "GET", "/healthz")
    assert (st, body) == (200, b"ok\n")
    assert hd.get("connection", "").lower() != "close"   # two-phase handler: keep-alive works
    st, hd, _ = request(w.port, "POST", "/healthz", "x")
    assert st == 405 and hd["allow"] == "GET, HEAD"

    # What really breaks an open SQLite connection: its pages are cached, so
    # chmod, unlink or renaming change nothing. After a write and a
    # checkpoint every connection must re-read page 1 from the main file;
    # garbage in the header there makes it "not a database".
    con = w.db()
    con.execute("CREATE TABLE IF NOT EXISTS zz_health (x)")
    con.execute("INSERT INTO zz_health VALUES (1)")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    con.close()
    with open(w.db_path, "r+b") as f:
        header = f.read(16)
        f.seek(0)
        f.write(b"not-sqlite-at-al")   # the 16-byte magic string only
    try:
        st, _, body = request(w.port, "GET", "/healthz")
        assert st == 503 and json.loads(body) == {"error": "database unavailable"}
        w.wait_log("health check: the database is unusable")
    finally:
        with open(w.db_path, "r+b") as f:
            f.write(header)
    hk.wait_until(lambda: request(w.port, "GET", "/healthz")[0] == 200, what="healthz back to 200")


# ---------------------------------------------------------------- metrics

@pytest.mark.infra
def test_metrics_move_with_updates(walord, tgsim, tmp_path, free_port):
    w = listener(walord, tmp_path, free_port, plugins=("hello", "probe"))
    st, hd, body = request(w.port, "GET", "/metrics")
    assert st == 200 and hd["content-type"].startswith("text/plain; version=0.0.4")
    before = body.decode()
    for name in ("walor_updates_received_total", "walor_updates_handled_total", "walor_updates_failed_total",
                 "walor_handler_duration_seconds_bucket", "walor_outbox_queue_length", "walor_telegram_429_total",
                 "walor_telegram_errors_total", "walor_db_pool_waits_total", "walor_jobs_run_total",
                 "walor_jobs_failed_total", "walor_plugins_loaded", "walor_worker_queue_length"):
        assert f"# TYPE {name.replace('_bucket', '')} " in before, name
    assert metric(before, "walor_plugins_loaded") == 2

    u = tgsim.user("Анна")
    u.send("/start")
    u.send("/start")
    u.send("/boom")   # probe: the handler fails
    hk.wait_until(lambda: metric(request(w.port, "GET", "/metrics")[2].decode(), "walor_updates_failed_total",
                                 '{kind="message"}') >= 1, what="a failed update counted")
    after = request(w.port, "GET", "/metrics")[2].decode()
    lbl = '{kind="message"}'
    assert metric(after, "walor_updates_handled_total", lbl) - metric(before, "walor_updates_handled_total", lbl) == 2
    assert metric(after, "walor_updates_failed_total", lbl) - metric(before, "walor_updates_failed_total", lbl) == 1
    assert metric(after, "walor_updates_received_total", lbl) == metric(before, "walor_updates_received_total", lbl) + 3
    assert metric(after, "walor_handler_duration_seconds_count") >= 3
    assert metric(after, "walor_handler_duration_seconds_bucket", '{le="+Inf"}') == \
        metric(after, "walor_handler_duration_seconds_count")
    assert metric(after, "walor_updates_stored_total", '{via="polling"}') >= 3
    assert metric(after, "walor_telegram_requests_total") > metric(before, "walor_telegram_requests_total")


# ---------------------------------------------------------------- plugin routes

@pytest.mark.infra
def test_plugin_routes(walord, tmp_path, free_port):
    w = listener(walord, tmp_path, free_port, plugins=("hello", "probe"))
    st, hd, body = request(w.port, "GET", "/p/probe/echo?q=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82&x=1",
                           headers={"X-Probe": "hdr"})
    assert st == 200 and hd["content-type"] == "text/plain; charset=utf-8"
    assert body.decode() == "GET|echo|hdr|привет|"
    st, _, body = request(w.port, "POST", "/p/probe/echo", "тело запроса", headers={"Content-Type": "text/plain"})
    assert (st, body.decode()) == (200, "POST|echo|-|-|тело запроса")

    st, hd, body = request(w.port, "PUT", "/p/probe/echo", "x")
    assert st == 405 and hd["allow"] == "GET, HEAD, POST" and json.loads(body) == {"error": "method not allowed"}
    for path in ("/p/probe/nope", "/p/nobody/echo", "/p/probe", "/nothing", "/p/probe/echo/more"):
        st, hd, body = request(w.port, "GET", path)
        assert st == 404 and hd["content-type"] == "application/json", path
        assert json.loads(body) == {"error": "not found"}

    st, _, body = request(w.port, "GET", "/p/probe/boom")
    assert st == 500 and json.loads(body) == {"error": "internal error"}
    w.wait_log(r"\[probe\] route GET /p/probe/boom failed: ")
    st, _, body = request(w.port, "GET", "/p/probe/mute")
    assert st == 500 and "error" in json.loads(body)

    # a route's own limit (64 KiB by default) and the listener's (max_body)
    st, body = declare_body(w.port, "/p/probe/echo", 64 * 1024 + 1)
    assert st == 413 and json.loads(body) == {"error": "request body too large"}
    st, _, _ = request(w.port, "POST", "/p/probe/echo", b"x" * (64 * 1024))
    assert st == 200

    # requests run in parallel on the workers and the connection stays usable
    con = http.client.HTTPConnection("127.0.0.1", w.port, timeout=10)
    for i in range(5):
        con.request("GET", f"/p/probe/echo?q={i}")
        r = con.getresponse()
        assert r.status == 200 and r.read().decode() == f"GET|echo|-|{i}|"
        assert (r.getheader("Connection") or "").lower() != "close"
    con.close()


@pytest.mark.infra
def test_stop_waits_for_routes_in_flight(walord, tmp_path, free_port):
    w = listener(walord, tmp_path, free_port, plugins=("hello", "probe"))
    got = {}

    def slow():
        got["slow"] = request(w.port, "GET", "/p/probe/slow")

    threads = [threading.Thread(target=slow)]
    threads[0].start()
    time.sleep(0.3)                      # the handler is running
    w.signal(signal.SIGTERM)
    threads[0].join(10)
    assert got["slow"][0] == 200 and got["slow"][2] == b"slow"
    assert w.wait_exit() == 0
    assert "HTTP listener stopped" in w.log()


# ---------------------------------------------------------------- listener defences

@pytest.mark.infra
def test_body_limit_and_slow_clients(walord, tmp_path, free_port):
    w = listener(walord, tmp_path, free_port, plugins=("hello",), max_body="2K", request_timeout=2)
    # declared too large: answered at once, nothing read
    st, _, body = request(w.port, "POST", "/_test/clock", b"{" + b" " * 4096 + b"}")
    assert st == 413 and json.loads(body) == {"error": "request body too large"}

    # slowloris: half a header, then silence
    slow = socket.create_connection(("127.0.0.1", w.port))
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    t0 = time.monotonic()
    for _ in range(3):   # others are served meanwhile
        assert request(w.port, "GET", "/healthz", timeout=2)[0] == 200
    slow.settimeout(10)
    assert slow.recv(100) == b""     # closed by the listener…
    waited = time.monotonic() - t0
    assert 1.5 <= waited <= 6, waited   # …after request_timeout (2 s)
    slow.close()


# ---------------------------------------------------------------- webhook

def webhook_walord(walord, tmp_path, free_port, mode="webhook"):
    port = free_port()
    tg = {"mode": mode, "webhook_url": f"http://127.0.0.1:{port}{HOOK}", "webhook_secret": SECRET}
    w = hk.start(walord, tmp_path, ("hello",), extra_ini=http_ini(port), telegram=tg)
    w.wait_log(r"HTTP listener on ")
    w.port = port
    return w


@pytest.mark.infra
def test_webhook_end_to_end(walord, tgsim, tmp_path, free_port):
    w = webhook_walord(walord, tmp_path, free_port)
    bots = tgsim.bots()
    assert bots[0]["webhook_url"] == f"http://127.0.0.1:{w.port}{HOOK}"
    u = tgsim.user("Вера")
    u.send("/start")
    u.expect(hk.MENU_TEXT)
    assert "getUpdates" not in {e.get("method") for e in tgsim.log()}
    assert SECRET not in w.log()

    con = w.db()
    stored = hk.scalar(con, "SELECT count(*) FROM wh_inbox")
    upd = {"update_id": 999000001, **hk.message_update(u, "/start")}
    st, _, body = request(w.port, "POST", HOOK, upd, {"X-Telegram-Bot-Api-Secret-Token": "guess_Zq81"})
    assert st == 401 and json.loads(body) == {"error": "unauthorized"}
    st, _, _ = request(w.port, "POST", HOOK, upd)
    assert st == 401
    assert hk.scalar(con, "SELECT count(*) FROM wh_inbox") == stored
    w.wait_log("webhook: request from 127.0.0.1 with a wrong or missing secret token refused")
    assert "guess_Zq81" not in w.log()

    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    for bad in ("{not json", "[1, 2]", '{"message": {}}'):
        st, _, body = request(w.port, "POST", HOOK, bad, good)
        assert st == 400 and json.loads(body) == {"error": "malformed update"}, bad
    st, hd, _ = request(w.port, "GET", HOOK)
    assert st == 405 and hd["allow"] == "POST"
    st, body = declare_body(w.port, HOOK, 1024 * 1024 + 1, good)
    assert st == 413 and json.loads(body) == {"error": "request body too large"}
    assert hk.scalar(con, "SELECT count(*) FROM wh_inbox") == stored

    st, _, _ = request(w.port, "POST", HOOK, upd, good)
    assert st == 200
    assert hk.scalar(con, "SELECT count(*) FROM wh_inbox WHERE update_id = 999000001") == 1
    st, _, _ = request(w.port, "POST", HOOK, upd, good)   # Telegram's retry: stored once
    assert st == 200
    assert hk.scalar(con, "SELECT count(*) FROM wh_inbox WHERE update_id = 999000001") == 1


@pytest.mark.infra
def test_switching_modes_loses_no_update(walord, tgsim, tmp_path, free_port):
    w = webhook_walord(walord, tmp_path, free_port, mode="polling")
    u = tgsim.user("Глеб")
    u.send("/start")
    u.expect(hk.MENU_TEXT)
    w.stop()

    def mode(m):
        text = w.config_path.read_text()
        w.config_path.write_text(re.sub(r"^mode = \w+$", f"mode = {m}", text, flags=re.M))

    def answered_after(n):
        hk.wait_until(lambda: len(u.bot_messages()) > n, timeout=15, what="the bot's answer")

    n = len(u.bot_messages())
    u.send("/start", wait=False)           # walord is down, no webhook: Telegram keeps it
    mode("webhook")
    w.start()
    answered_after(n)                      # delivered by the webhook push
    w.stop()

    n = len(u.bot_messages())
    u.send("/start", wait=False)           # down, webhook still set: the push fails and is kept
    time.sleep(0.3)
    mode("polling")
    w.start()
    answered_after(n)                      # deleteWebhook, then getUpdates hands it over
    assert tgsim.bots()[0]["webhook_url"] == ""
    con = w.db()
    assert hk.scalar(con, "SELECT count(*) FROM wh_inbox WHERE done_at IS NULL") == 0
    assert hk.scalar(con, "SELECT count(*) FROM wh_inbox") >= 3
