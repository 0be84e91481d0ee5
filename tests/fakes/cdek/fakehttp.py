"""Shared plumbing of the fakes of external HTTP APIs (stdlib only).

A fake is a ThreadingHTTPServer on 127.0.0.1:<free port> run in a thread of
the test process. Every fake has the same control surface, under /_ctl/:

  POST /_ctl/fault    {"path": "/v2/calculator/tariff", "status": 503, "count": 1,
                       "delay_ms": 0, "body": {...}}   the next `count` requests whose
                       path starts with `path` wait delay_ms, then answer status/body
                       (status 0 = answer normally after the delay; count -1 = forever)
  POST /_ctl/clear    drop every fault
  GET  /_ctl/requests every request seen: [{"method", "path", "query", "headers", "body"}]

and the Python side (Fake.fault(), .requests(), .clear()) calls the same
code directly.

A Response whose body is an iterator of bytes is sent with chunked
transfer encoding, one chunk per item, flushed as it comes (server-sent
events); the iterator may sleep between items, and raising Cut ends the
connection in the middle, without the final chunk, as a dropped stream.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple


class Cut(Exception):
    """Raised by a streamed body: close the connection mid-stream."""


class Response:
    def __init__(self, status: int, body: Any = None, headers: Optional[Dict[str, str]] = None):
        self.status = status
        self.body = body
        self.headers = headers or {}


class Fake:
    """Subclasses implement handle(method, path, query, headers, body) -> Response."""

    name = "fake"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults: List[dict] = []
        self.log: List[dict] = []
        self.server: Optional[ThreadingHTTPServer] = None
        self.thread: Optional[threading.Thread] = None

    # ---- life
    def start(self) -> "Fake":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

            def log_message(self, *a):  # quiet
                pass

            def _serve(self, method: str) -> None:
                u = urllib.parse.urlsplit(self.path)
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
                hdrs = {k.lower(): v for k, v in self.headers.items()}
                try:
                    resp = fake._dispatch(method, u.path, q, hdrs, raw)
                except Exception as e:  # a bug in the fake: say so loudly
                    resp = Response(500, {"fake_error": repr(e)})
                body = resp.body
                if hasattr(body, "__next__"):
                    self._stream(resp)
                    return
                if isinstance(body, (dict, list)):
                    data = json.dumps(body, ensure_ascii=False).encode()
                    ctype = "application/json"
                elif isinstance(body, bytes):
                    data, ctype = body, "application/octet-stream"
                else:
                    data, ctype = (body or "").encode(), "text/plain; charset=utf-8"
                try:
                    self.send_response(resp.status)
                    self.send_header("Content-Type", resp.headers.get("Content-Type", ctype))
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in resp.headers.items():
                        if k != "Content-Type":
                            self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout we induced)

            def _stream(self, resp: Response) -> None:
                try:
                    self.send_response(resp.status)
                    for k, v in resp.headers.items():
                        self.send_header(k, v)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.flush()
                    for piece in resp.body:
                        if piece:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                            self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except Cut:
                    self.close_connection = True
                    try:
                        self.wfile.flush()
                        self.connection.shutdown(2)
                    except OSError:
                        pass
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (cancel, timeout)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_DELETE(self):
                self._serve("DELETE")

            def do_PUT(self):
                self._serve("PUT")

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name=self.name, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- control
    def fault(self, path: str, status: int = 503, count: int = 1, delay_ms: int = 0, body: Any = None) -> None:
        with self.lock:
            self.faults.append({"path": path, "status": status, "count": count, "delay_ms": delay_ms,
                                "body": body if body is not None else {"error": f"induced {status}"}})

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()

    def requests(self, path_prefix: str = "") -> List[dict]:
        with self.lock:
            return [r for r in self.log if r["path"].startswith(path_prefix)]

    def _take_fault(self, path: str) -> Optional[dict]:
        with self.lock:
            for f in self.faults:
                if path.startswith(f["path"]) and f["count"] != 0:
                    if f["count"] > 0:
                        f["count"] -= 1
                    return dict(f)
        return None

    def _dispatch(self, method: str, path: str, q: dict, hdrs: dict, raw: bytes) -> Response:
        if path.startswith("/_ctl/"):
            return self._control(method, path[6:], raw)
        try:
            body = json.loads(raw) if raw and "json" in hdrs.get("content-type", "") else None
        except ValueError:
            return Response(400, {"errors": [{"code": "v2_invalid_format", "message": "bad JSON"}]})
        with self.lock:
            self.log.append({"method": method, "path": path, "query": q, "headers": hdrs,
                             "body": body if body is not None else raw.decode(errors="replace")})
        f = self._take_fault(path)
        if f:
            if f["delay_ms"]:
                time.sleep(f["delay_ms"] / 1000.0)
            if f["status"]:
                return Response(f["status"], f["body"])
        return self.handle(method, path, q, hdrs, body if body is not None else raw)

    def _control(self, method: str, what: str, raw: bytes) -> Response:
        arg = json.loads(raw) if raw else {}
        if what == "fault":
            self.fault(**arg)
            return Response(200, {"ok": True})
        if what == "clear":
            self.clear()
            return Response(200, {"ok": True})
        if what == "requests":
            return Response(200, self.requests())
        r = self.control(what, arg)
        return r if r is not None else Response(404, {"error": "unknown control " + what})

    # ---- subclass hooks
    def handle(self, method: str, path: str, q: dict, hdrs: dict, body: Any) -> Response:
        raise NotImplementedError

    def control(self, what: str, arg: dict) -> Optional[Response]:
        return None
