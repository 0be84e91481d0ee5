"""Outbound HTTP for plugins (SDK 1.2 walor_http_fetch, host/http/httpc.c), seen
through the probe plugin's /fetch command against a local server: statuses,
methods and bodies pass through, headers arrive, redirects are followed,
timeouts, refused connections and oversized answers are errors with a
reason, a fetch inside a transaction is refused, and neither the query
string nor the Authorization header reaches the log."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import hostkit as hk


class _Handler(BaseHTTPRequestHandler):
    seen: list = []

    def log_message(self, *a):  # keep pytest output clean
        pass

    def _answer(self, status: int, body: bytes, ctype: str = "application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        _Handler.seen.append({"method": self.command, "path": self.path, "body": body,
                              "auth": self.headers.get("Authorization"), "probe": self.headers.get("X-Probe"),
                              "expect": self.headers.get("Expect")})
        path = self.path.split("?", 1)[0]
        if path == "/echo":
            self._answer(200, json.dumps({"m": self.command, "b": body}, ensure_ascii=False).encode())
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self._answer(code, b'{"error":"induced"}')
        elif path == "/redirect":
            self._answer(302, b"", extra={"Location": "/echo"})
        elif path == "/slow":
            time.sleep(1.5)
            self._answer(200, b"late")
        elif path == "/big":
            self._answer(200, b"x" * 100_000, "text/plain")
        else:
            self._answer(404, b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


@pytest.fixture
def upstream(free_port):
    _Handler.seen = []
    port = free_port()
    srv = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{port}"
    srv.shutdown()
    srv.server_close()


@pytest.mark.infra
def test_plugin_fetches_over_http(tgsim, walord, tmp_path, upstream, free_port):
    w = hk.start(walord, tmp_path)
    u = tgsim.user("Анна")

    u.send(f"/fetch GET 3000 0 {upstream}/echo?key=QUERY-SECRET-7&x=1")
    u.expect('status=200 len=')
    assert 'type=application/json body={"m": "GET", "b": ""}' in u.screen()
    got = _Handler.seen[-1]
    assert got["auth"] == "Bearer PROBE-SECRET-42" and got["probe"] == "1"
    assert got["path"] == "/echo?key=QUERY-SECRET-7&x=1"

    u.send(f"/fetch POST 3000 0 {upstream}/echo тело запроса")
    u.expect('body={"m": "POST", "b": "тело запроса"}')
    assert _Handler.seen[-1]["expect"] is None   # no 100-continue round trip

    u.send(f"/fetch PUT 3000 0 {upstream}/echo {{}}")
    u.expect('body={"m": "PUT", "b": "{}"}')

    # an error status is a response, not an error: the plugin decides
    u.send(f"/fetch GET 3000 0 {upstream}/status/503")
    u.expect('status=503 len=19 type=application/json body={"error":"induced"}')

    # redirects are followed; the final response's headers are reported
    u.send(f"/fetch GET 3000 0 {upstream}/redirect")
    u.expect('status=200')
    assert '"m": "GET"' in u.screen()

    # too slow, too big, nobody listening, not http
    u.send(f"/fetch GET 300 0 {upstream}/slow", timeout=10)
    u.expect(f"err=-10 GET 127.0.0.1:{upstream.rsplit(':', 1)[1]}/slow timed out after 300 ms")
    u.send(f"/fetch GET 3000 1000 {upstream}/big")
    u.expect("err=-14 the response of")
    dead = free_port()
    u.send(f"/fetch GET 3000 0 http://127.0.0.1:{dead}/echo")
    u.expect("err=-15 GET 127.0.0.1:")
    u.send("/fetch GET 3000 0 file:///etc/passwd")
    u.expect("err=-1 http_fetch: the URL must start with http:// or https://")
    u.send(f"/fetch TRACE 3000 0 {upstream}/echo")
    u.expect("err=-1 http_fetch: unsupported method")

    # a network wait never holds the write lock
    u.send(f"/fetchtx {upstream}/echo")
    u.expect("err=-3 http_fetch inside a transaction")

    u.send("/urlesc город Москва&a=1/2")
    u.expect("esc=%D0%B3%D0%BE%D1%80%D0%BE%D0%B4%20%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0%26a%3D1%2F2")

    w.wait_log(r"\[probe\] http: GET 127\.0\.0\.1:\d+/slow timed out after 300 ms")
    log = w.log()
    assert "QUERY-SECRET-7" not in log and "PROBE-SECRET-42" not in log
    assert "тело запроса" not in log


@pytest.mark.features("F-HOST-02")
def test_plugin_notifies_staff(tgsim, walord, tmp_path):
    """walor_notify_staff (SDK 1.2): owners from the config and managers get
    the notice, testers and customers do not, blocked staff are skipped."""
    w = hk.start(walord, tmp_path)
    owner = hk.owner(tgsim)
    mgr, tester, client, gone = (tgsim.user(n) for n in ("Мария", "Тимур", "Анна", "Гоша"))
    for u in (owner, mgr, tester, client, gone):
        u.send("/start")
    con = w.db()
    for u, role in ((mgr, 2), (tester, 1), (gone, 2)):
        con.execute("UPDATE wh_users SET role = ? WHERE id = ?", (role, u.id))
    con.execute("UPDATE wh_users SET blocked = 1 WHERE id = ?", (gone.id,))
    con.commit()

    client.send("/staff 2 Новый платёж <проверить>")
    client.expect("staff: 2")
    owner.expect("Новый платёж <проверить>")
    mgr.expect("Новый платёж <проверить>")
    client.send("/staff 3 Только владельцу")
    client.expect("staff: 1")
    owner.expect("Только владельцу")
    client.send("/staff 1 тестерам нельзя")
    client.expect("staff: -1")
    time.sleep(0.3)   # anything wrongly sent would have arrived by now
    for u in (tester, gone):
        assert "Новый платёж" not in u.screen()
    assert "Только владельцу" not in mgr.screen()
