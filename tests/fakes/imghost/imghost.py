"""A fake imgbb-style image host (EXTERNAL-APIS.md §6.1) for the catalog's
F-CAT-11 tests (tests/e2e/test_catalog_imghost.py).

    POST /1/upload?key=<key>   multipart/form-data: image (the file), name
        → 200 {"data": {"id", "url", "display_url", ...}, "success": true, "status": 200}
        → 400 {"status_code": 400, "error": {"message", "code"}, "status_txt"} for a wrong
          key or a missing image
    GET  /i/<id>.jpg           the uploaded bytes

Control (for tests):
    POST /_ctl/mode    {"mode": "ok" | "error" | "slow" | "garbage", "status": 500, "delay": 3.0}
    GET  /_ctl/uploads [{"key_ok", "name", "filename", "size", "sha256", "id"}, ...]
    POST /_ctl/reset

In a test: `host = ImgHost(key).start(port)`; `host.url`; `host.uploads()`;
`host.set_mode("slow", delay=3)`; `host.stop()`. Standalone:
`python3 tests/fakes/imghost/imghost.py --port 8099 --key secret`.
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def _parts(ctype: str, body: bytes) -> dict:
    """name → (filename, bytes) of a multipart/form-data body."""
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    out = {}
    if not msg.is_multipart():
        return out
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            out[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return out


class ImgHost:
    def __init__(self, key: str = "test-imghost-key"):
        self.key = key
        self.mode = {"mode": "ok"}
        self.images: dict = {}
        self.log: list = []
        self.lock = threading.Lock()
        self.srv = None
        self.url = ""

    # ---- control, in process ----
    def set_mode(self, mode: str, **kw) -> None:
        with self.lock:
            self.mode = {"mode": mode, **kw}

    def uploads(self) -> list:
        with self.lock:
            return [dict(u) for u in self.log]

    def reset(self) -> None:
        with self.lock:
            self.mode = {"mode": "ok"}
            self.images.clear()
            self.log.clear()

    def start(self, port: int = 0, host: str = "127.0.0.1") -> "ImgHost":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, obj) -> None:
                self._send(status, json.dumps(obj, ensure_ascii=False).encode())

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/_ctl/uploads":
                    return self._json(200, fake.uploads())
                if path.startswith("/i/"):
                    img = fake.images.get(path[3:].split(".", 1)[0])
                    if img is not None:
                        return self._send(200, img, "image/jpeg")
                self._json(404, {"error": "not found"})

            def do_POST(self):
                u = urlsplit(self.path)
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                if u.path == "/_ctl/mode":
                    fake.set_mode(**json.loads(body or b"{}"))
                    return self._json(200, {"ok": True})
                if u.path == "/_ctl/reset":
                    fake.reset()
                    return self._json(200, {"ok": True})
                if u.path != "/1/upload":
                    return self._json(404, {"error": "not found"})
                with fake.lock:
                    mode = dict(fake.mode)
                key = (parse_qs(u.query).get("key") or [""])[0]
                parts = _parts(self.headers.get("Content-Type") or "", body)
                fname, img = parts.get("image", (None, b""))
                name = parts.get("name", (None, b""))[1].decode(errors="replace")
                rec = {"key_ok": key == fake.key, "name": name, "filename": fname, "size": len(img),
                       "sha256": hashlib.sha256(img).hexdigest(), "id": None, "mode": mode["mode"]}
                with fake.lock:
                    fake.log.append(rec)
                if mode["mode"] == "slow":
                    time.sleep(float(mode.get("delay", 3)))
                if mode["mode"] == "error":
                    status = int(mode.get("status", 500))
                    return self._json(status, {"status_code": status, "error": {"message": "induced", "code": 0},
                                               "status_txt": "Error"})
                if mode["mode"] == "garbage":
                    return self._send(200, b"<html>not json</html>", "text/html")
                if key != fake.key:
                    return self._json(400, {"status_code": 400, "error": {"message": "Invalid API v1 key.",
                                                                          "code": 100}, "status_txt": "Bad Request"})
                if not img:
                    return self._json(400, {"status_code": 400, "error": {"message": "Empty upload source.",
                                                                          "code": 130}, "status_txt": "Bad Request"})
                with fake.lock:
                    iid = f"img{len(fake.images) + 1}"
                    fake.images[iid] = img
                    rec["id"] = iid
                url = f"{fake.url}/i/{iid}.jpg"
                self._json(200, {"data": {"id": iid, "title": name, "url_viewer": f"{fake.url}/v/{iid}",
                                          "url": url, "display_url": url, "width": "800", "height": "600",
                                          "size": str(len(img)), "time": str(int(time.time())), "expiration": "0",
                                          "delete_url": f"{fake.url}/v/{iid}/deletehash"},
                                 "success": True, "status": 200})

        self.srv = ThreadingHTTPServer((host, port), Handler)
        self.srv.daemon_threads = True
        self.url = f"http://{host}:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.srv:
            self.srv.shutdown()
            self.srv.server_close()
            self.srv = None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default="test-imghost-key")
    a = ap.parse_args()
    h = ImgHost(a.key).start(a.port)
    print(f"imghost: listening on {h.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        h.stop()


if __name__ == "__main__":
    main()
