"""A fake of the Ekomkassa API and payment gateway (EXTERNAL-APIS.md §2.1) for
the pay-ecom tests (tests/e2e/test_pay_*.py) and bench/webhook_bench.py.

Protocol (the plugin's default paths; group code "700"):
    POST /fiscalorder/v5/getToken          {"login","pass"} → {"token","timestamp"}; 401 on a bad login.
                                           A token lives 24 h of the fake's clock (or until /_ctl/expire).
    Every other call needs the header `Token: <token>`; a missing or expired one → 401
    {"error": {"code": 4, "text": "ExpiredToken", ...}}.
    POST /api/v1/payments                  {"external_id","amount","description","callback_url",...}
                                           → {"id","status":0,"payment_url","qr_payload"}; the same
                                           external_id returns the same invoice (never a second one)
    GET  /api/v1/payments/<id>             → {"id","status": 0..4} (numeric gateway codes), or the
                                           string form ("ready"/"done"/"fail") when string_status is on
    POST /api/v1/payments/<id>/refund      → {"id","status":3}
    POST /fiscalorder/v5/<group>/sell      ATOL body → {"uuid","status":"wait","error":null,"timestamp"};
                                           the same external_id returns the same uuid
    GET  /fiscalorder/v5/<group>/report/<uuid>
                                           → {"uuid","status":"wait"|"done"|"fail","error",..,"payload":{..,"ofd_receipt_url"}}

Control (tests):
    POST /_ctl/invoice  {"id", "status": 0..4, "reason"?}     set an invoice's status
    POST /_ctl/pay      {"id", "format": "numeric"|"string"|"fiscal"}
                        status 2 and POST the callback to the invoice's callback_url → {"callback_status"}
    POST /_ctl/receipt  {"uuid", "status": "done"|"fail", "error"?}
    POST /_ctl/fault    {"op": "token"|"create"|"status"|"refund"|"sell"|"report"|"any",
                         "kind": "500"|"delay"|"close"|"401", "count": n (-1 = until cleared), "delay": s}
    POST /_ctl/clear_faults
    POST /_ctl/expire   every token becomes invalid (the next call gets 401)
    POST /_ctl/string_status {"on": true}
    GET  /_ctl/log      [{"op","method","path","body","token"}]
    GET  /_ctl/state    {"invoices": {...}, "receipts": {...}, "tokens_issued": n}
    POST /_ctl/reset

The payment page: GET /pay/<id> (the invoice's payment_url) pays the invoice as a
customer would (status 2, then the callback).

In a test: `f = EcomFake().start(port)`; `f.url`; `f.pay(id)`; `f.stop()`. Standalone:
`python3 tests/fakes/ecom/fake_ecom.py --port 8097` (--port 0: any free port, the
first line printed names it; --auto-pay S: every new invoice is paid S seconds
later, for the offline demo of tools/run-demo.sh).
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOGIN, PASSWORD = "shop", "shop-password"
TOKEN_TTL = 24 * 3600
STRING_OF = {0: "ready", 1: "ready", 2: "done", 3: "fail", 4: "fail"}


class EcomFake:
    def __init__(self, login: str = LOGIN, password: str = PASSWORD):
        self.login, self.password = login, password
        self.lock = threading.Lock()
        self.srv = None
        self.url = ""
        self.auto_pay = None                # seconds after which a new invoice pays itself
        self.reset()

    def reset(self) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.tokens: dict = {}          # token → expires (fake's time)
            self.issued = 0
            self.invoices: dict = {}        # id → {...}
            self.by_ext: dict = {}          # external_id → invoice id
            self.receipts: dict = {}        # uuid → {...}
            self.receipt_by_ext: dict = {}
            self.faults: list = []
            self.log: list = []
            self.string_status = False

    # ---- control, in process ----
    def fault(self, op: str, kind: str = "500", count: int = 1, delay: float = 0.0) -> None:
        with self.lock:
            self.faults.append({"op": op, "kind": kind, "count": count, "delay": delay})

    def clear_faults(self) -> None:
        with self.lock:
            self.faults = []

    def set_status(self, inv_id: str, status: int, reason: str = "") -> None:
        with self.lock:
            self.invoices[inv_id]["status"] = status
            self.invoices[inv_id]["reason"] = reason

    def set_receipt(self, uuid: str, status: str, error: str = "") -> None:
        with self.lock:
            self.receipts[uuid]["status"] = status
            self.receipts[uuid]["error"] = error

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = {}

    def callback_body(self, inv_id: str, fmt: str = "numeric") -> dict:
        inv = self.invoices[inv_id]
        if fmt == "string":
            return {"uuid": inv_id, "status": STRING_OF[inv["status"]]}
        return {"id": inv_id, "status": inv["status"]}

    def pay(self, inv_id: str, fmt: str = "numeric") -> int:
        """Marks the invoice paid and posts the callback; returns the HTTP status the bot answered."""
        self.set_status(inv_id, 2)
        url = self.invoices[inv_id]["callback_url"]
        body = json.dumps(self.callback_body(inv_id, fmt)).encode()
        req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def pay_quietly(self, inv_id: str) -> None:
        """pay() from a timer or the payment page: nobody to raise to."""
        try:
            self.pay(inv_id)
        except (OSError, KeyError):
            pass

    def requests(self, op: str | None = None) -> list:
        with self.lock:
            return [r for r in self.log if op is None or r["op"] == op]

    def state(self) -> dict:
        with self.lock:
            return {"invoices": json.loads(json.dumps(self.invoices)),
                    "receipts": json.loads(json.dumps(self.receipts)), "tokens_issued": self.issued}

    # ---- server ----
    def start(self, port: int, host: str = "127.0.0.1") -> "EcomFake":
        fake = self

        class H(_Handler):
            pass
        H.fake = fake
        self.srv = ThreadingHTTPServer((host, port), H)
        self.srv.request_queue_size = 1024
        self.srv.daemon_threads = True
        self.url = f"http://{host}:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.srv:
            self.srv.shutdown()
            self.srv.server_close()
            self.srv = None

    # ---- the API, called by the handler under no lock ----
    def take_fault(self, op: str):
        with self.lock:
            for f in self.faults:
                if f["op"] in (op, "any") and f["count"] != 0:
                    if f["count"] > 0:
                        f["count"] -= 1
                    return dict(f)
        return None


class _Handler(BaseHTTPRequestHandler):
    fake: EcomFake = None  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        # headers and body go out in two writes: without this, Nagle and the
        # client's delayed ACK add ~40 ms to every other keep-alive answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, obj) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, code: int, text: str) -> None:
        self._send(status, {"error": {"code": code, "text": text, "error_id": f"e{time.time_ns()}",
                                      "type": "system"}})

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return raw.decode(), (json.loads(raw) if raw else {})
        except ValueError:
            return raw.decode(errors="replace"), None

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def _route(self, method: str) -> None:
        f = self.fake
        path = self.path.split("?", 1)[0]
        raw, body = self._body()
        if path.startswith("/_ctl/"):
            return self._ctl(method, path[6:], body or {})
        pm = re.fullmatch(r"/pay/([^/]+)", path)
        if method == "GET" and pm:
            return self._pay_page(pm.group(1))
        op, m = self._op(method, path)
        with f.lock:
            f.log.append({"op": op, "method": method, "path": path, "body": raw,
                          "token": self.headers.get("Token")})
        if op is None:
            return self._error(404, 404, "not found")
        flt = f.take_fault(op)
        if flt:
            if flt["kind"] == "delay":
                time.sleep(flt["delay"] or 3.0)
            elif flt["kind"] == "close":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            elif flt["kind"] == "401":
                return self._error(401, 4, "ExpiredToken")
            else:
                return self._error(int(flt["kind"]) if flt["kind"].isdigit() else 500, 1, "induced failure")
        if op == "token":
            if not body or body.get("login") != f.login or body.get("pass") != f.password:
                return self._error(401, 12, "wrong login or password")
            with f.lock:
                f.issued += 1
                tok = f"tok-{f.issued}-{time.time_ns()}"
                f.tokens[tok] = time.time() + TOKEN_TTL
            return self._send(200, {"token": tok, "timestamp": time.strftime("%d.%m.%Y %H:%M:%S")})
        tok = self.headers.get("Token")
        with f.lock:
            ok = tok in f.tokens and f.tokens[tok] > time.time()
        if not ok:
            return self._error(401, 4, "ExpiredToken")
        if body is None:
            return self._error(400, 2, "malformed JSON")
        return getattr(self, "_" + op)(body, m)

    @staticmethod
    def _op(method: str, path: str):
        table = [
            ("POST", r"/fiscalorder/v[45]/getToken", "token"),
            ("POST", r"/api/v1/payments", "create"),
            ("GET", r"/api/v1/payments/([^/]+)", "status"),
            ("POST", r"/api/v1/payments/([^/]+)/refund", "refund"),
            ("POST", r"/fiscalorder/v[45]/([^/]+)/sell", "sell"),
            ("GET", r"/fiscalorder/v[45]/([^/]+)/report/([^/]+)", "report"),
        ]
        for meth, rx, op in table:
            m = re.fullmatch(rx, path)
            if m and meth == method:
                return op, m
        return None, None

    # ---- the API ----
    def _create(self, body, m):
        f = self.fake
        ext = body.get("external_id")
        amount = body.get("amount")
        if not ext or not isinstance(amount, (int, float)) or amount <= 0:
            return self._error(400, 3, "external_id and a positive amount are required")
        with f.lock:
            if ext in f.by_ext:
                inv = f.invoices[f.by_ext[ext]]
            else:
                inv_id = f"inv-{len(f.invoices) + 1:05d}"
                inv = {"id": inv_id, "external_id": ext, "amount": amount, "status": 0, "reason": "",
                       "callback_url": body.get("callback_url", ""), "description": body.get("description", "")}
                f.invoices[inv_id] = inv
                f.by_ext[ext] = inv_id
                if f.auto_pay is not None:
                    t = threading.Timer(f.auto_pay, f.pay_quietly, [inv_id])
                    t.daemon = True
                    t.start()
            out = {"id": inv["id"], "status": inv["status"], "payment_url": f"{f.url}/pay/{inv['id']}",
                   "qr_payload": f"https://qr.nspk.ru/{inv['id']}?type=02&sum={round(inv['amount'] * 100)}&cur=RUB"}
        return self._send(200, out)

    def _pay_page(self, inv_id: str):
        f = self.fake
        with f.lock:
            known = inv_id in f.invoices
        if known:   # after the answer: the callback may take the bot a moment
            threading.Thread(target=f.pay_quietly, args=(inv_id,), daemon=True).start()
        html = ("<!doctype html><meta charset=utf-8><title>Оплата</title><h1>"
                + ("Оплачено ✅ — вернитесь в чат" if known else "Счёт не найден") + "</h1>").encode()
        self.send_response(200 if known else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(html)))
        self.end_headers()
        self.wfile.write(html)

    def _status(self, body, m):
        f = self.fake
        with f.lock:
            inv = f.invoices.get(m.group(1))
            if not inv:
                return self._error(404, 404, "no such payment")
            st = STRING_OF[inv["status"]] if f.string_status else inv["status"]
            out = {"id": inv["id"], "status": st, "amount": inv["amount"]}
            if inv["reason"]:
                out["reason"] = inv["reason"]
        return self._send(200, out)

    def _refund(self, body, m):
        f = self.fake
        with f.lock:
            inv = f.invoices.get(m.group(1))
            if not inv:
                return self._error(404, 404, "no such payment")
            if inv["status"] != 2:
                return self._error(400, 5, "not paid")
            inv["status"] = 3
        return self._send(200, {"id": inv["id"], "status": 3})

    def _sell(self, body, m):
        f = self.fake
        ext = body.get("external_id")
        rc = body.get("receipt") or {}
        items, total = rc.get("items") or [], rc.get("total")
        if not ext or not items or total is None:
            return self._error(400, 3, "external_id, items and total are required")
        if abs(sum(i.get("sum", 0) for i in items) - total) > 0.001:
            return self._error(400, 32, "the items do not add up to total")
        with f.lock:
            uuid = f.receipt_by_ext.get(ext)
            if not uuid:
                uuid = f"rcpt-{len(f.receipts) + 1:05d}"
                f.receipts[uuid] = {"uuid": uuid, "external_id": ext, "group": m.group(1), "status": "wait",
                                    "error": "", "body": body}
                f.receipt_by_ext[ext] = uuid
        return self._send(200, {"uuid": uuid, "status": "wait", "error": None,
                                "timestamp": time.strftime("%d.%m.%Y %H:%M:%S")})

    def _report(self, body, m):
        f = self.fake
        with f.lock:
            r = f.receipts.get(m.group(2))
            if not r:
                return self._error(404, 404, "no such document")
            out = {"uuid": r["uuid"], "status": r["status"], "error": None, "group_code": r["group"],
                   "external_id": r["external_id"], "kind": "CASH_VOUCHER_V2",
                   "timestamp": time.strftime("%d.%m.%Y %H:%M:%S"), "payload": None}
            if r["status"] == "done":
                out["payload"] = {"total": r["body"]["receipt"]["total"], "fiscal_document_number": 1234,
                                  "ofd_receipt_url": f"https://ofd.example/receipt/{r['uuid']}"}
            elif r["status"] == "fail":
                out["error"] = {"code": 10, "text": r["error"] or "ФН переполнен", "type": "driver"}
        return self._send(200, out)

    # ---- control ----
    def _ctl(self, method: str, what: str, body: dict) -> None:
        f = self.fake
        if what == "log":
            return self._send(200, f.requests())
        if what == "state":
            return self._send(200, f.state())
        if what == "reset":
            f.reset()
        elif what == "invoice":
            f.set_status(body["id"], int(body["status"]), body.get("reason", ""))
        elif what == "pay":
            return self._send(200, {"callback_status": f.pay(body["id"], body.get("format", "numeric"))})
        elif what == "receipt":
            f.set_receipt(body["uuid"], body["status"], body.get("error", ""))
        elif what == "fault":
            f.fault(body.get("op", "any"), str(body.get("kind", "500")), int(body.get("count", 1)),
                    float(body.get("delay", 0)))
        elif what == "clear_faults":
            f.clear_faults()
        elif what == "expire":
            f.expire_tokens()
        elif what == "string_status":
            with f.lock:
                f.string_status = bool(body.get("on", True))
        else:
            return self._error(404, 404, "unknown control")
        return self._send(200, {"ok": True})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--port", type=int, default=8097)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--auto-pay", type=float, default=None, metavar="S")
    a = ap.parse_args()
    f = EcomFake().start(a.port, a.host)
    f.auto_pay = a.auto_pay
    print(f"fake Ekomkassa on {f.url} (login {LOGIN!r})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        f.stop()


if __name__ == "__main__":
    main()
