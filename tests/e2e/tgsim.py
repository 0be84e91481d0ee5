"""Python client for tools/tgsim (the fake Telegram Bot API) and a small user DSL.

Standard library only.

    sim = Sim("http://127.0.0.1:8081")
    u = sim.user("Анна")                 # a new Telegram user
    u.send("/start")                     # waits until the bot reacted (version long-poll)
    u.press("Каталог")                   # inline button by text (newest message having it)
    assert "Каталог" in u.screen().text  # newest bot message
    u.expect("Корзина пуста")            # waits until a bot message contains it
    u.press_data("order:999", force=True)  # forged callback_data (security tests)
    u.last_answer()                      # last answerCallbackQuery seen by this user

Failed waits raise AssertionError showing the chat as the user sees it: that
text is what a developer reads when an e2e test fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple

DEFAULT_TIMEOUT = float(os.environ.get("TGSIM_WAIT_TIMEOUT", "5"))
QUIET_MS = 100


class SimError(Exception):
    """A control-API call failed; .status and .body carry the reply."""

    def __init__(self, status: int, body: Any, what: str):
        self.status = status
        self.body = body
        msg = body.get("error") if isinstance(body, dict) else body
        super().__init__(f"{what}: HTTP {status}: {msg}")


# ---------------------------------------------------------------- HTTP

def _http(method: str, url: str, body: Any = None, timeout: float = 30.0,
          raw: Optional[bytes] = None, headers: Optional[dict] = None) -> Tuple[int, Any]:
    data = raw
    hdrs = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, payload, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        status, payload, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
    if "json" in ctype:
        return status, json.loads(payload.decode() or "null")
    return status, payload


# ---------------------------------------------------------------- screens

def buttons_of(message: dict) -> List[List[Tuple[str, Optional[str]]]]:
    """Inline keyboard of a chat-view message as rows of (text, callback_data)."""
    rows = ((message.get("reply_markup") or {}).get("inline_keyboard")) or []
    return [[(b.get("text"), b.get("callback_data", b.get("url"))) for b in row] for row in rows]


class Screen:
    """A bot message as the user sees it."""

    def __init__(self, message: dict):
        self.raw = message
        self.message_id: int = message["message_id"]
        self.text: str = message.get("text") or message.get("caption") or ""
        self.html: str = message.get("html") or ""
        self.caption: Optional[str] = message.get("caption")
        self.photo = message.get("photo")
        self.document = message.get("document")
        self.edited: bool = bool(message.get("edited"))
        self.buttons = buttons_of(message)

    @property
    def button_texts(self) -> List[str]:
        return [t for row in self.buttons for t, _ in row]

    def button_data(self, text: str) -> Optional[str]:
        for row in self.buttons:
            for t, d in row:
                if t == text:
                    return d
        return None

    def __contains__(self, s: str) -> bool:
        return s in self.text

    def __repr__(self) -> str:
        return f"Screen(#{self.message_id} {self.text!r} buttons={self.buttons!r})"


def format_chat(chat: dict, last: int = 10) -> str:
    """The chat as readable text, for assertion messages."""
    u = chat.get("user", {})
    out = [f"--- chat of {u.get('first_name')} (id {u.get('id')}) with @{chat.get('bot')}, "
           f"version {chat.get('version')}{', bot BLOCKED' if chat.get('blocked') else ''} ---"]
    msgs = chat.get("messages", [])
    if len(msgs) > last:
        out.append(f"  … {len(msgs) - last} earlier messages")
    for m in msgs[-last:]:
        who = "bot " if m["from"] == "bot" else "user"
        body = m.get("text") or m.get("caption") or ""
        extra = []
        if m.get("photo"):
            extra.append("[photo]")
        if m.get("document"):
            extra.append(f"[document {m['document'].get('file_name')}]")
        if m.get("contact"):
            extra.append(f"[contact {m['contact'].get('phone_number')}]")
        if m.get("location"):
            extra.append("[location]")
        if m.get("edited"):
            extra.append("(edited)")
        lines = (" ".join(extra) + (" " if extra and body else "") + body).split("\n")
        out.append(f"[{who} #{m['message_id']}] {lines[0]}")
        out.extend("            " + ln for ln in lines[1:])
        for row in buttons_of(m):
            out.append("            " + " ".join(f"[{t} → {d}]" for t, d in row))
    kb = (chat.get("keyboard") or {}).get("keyboard")
    if kb:
        out.append("reply keyboard: " + " | ".join(
            " ".join(b if isinstance(b, str) else b.get("text", "?") for b in row) for row in kb))
    answers = chat.get("callback_answers") or []
    if answers:
        a = answers[-1]
        out.append(f"last callback answer: {a.get('text')!r}"
                   f"{' (alert)' if a.get('show_alert') else ''}")
    return "\n".join(out)


# ---------------------------------------------------------------- Sim

class Sim:
    """The control API of one tgsim (and raw Bot API calls, as a bot would make)."""

    def __init__(self, base_url: str, bot: Optional[str] = None, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.bot = bot
        self.timeout = timeout

    def close(self) -> None:
        pass

    # -- plumbing
    def _url(self, path: str, query: Optional[dict] = None) -> str:
        q = {k: v for k, v in (query or {}).items() if v is not None}
        if self.bot and "bot" not in q:
            q["bot"] = self.bot
        return f"{self.base_url}/_sim/{path}" + ("?" + urllib.parse.urlencode(q) if q else "")

    def _ctl(self, method: str, path: str, body: Any = None, query: Optional[dict] = None,
             timeout: Optional[float] = None, ok=(200,)) -> Any:
        if body is not None:
            body = {k: v for k, v in body.items() if v is not None}
        status, data = _http(method, self._url(path, query), body,
                             timeout=timeout or self.timeout)
        if status not in ok:
            raise SimError(status, data, f"{method} /_sim/{path}")
        return data

    # -- users
    def create_user(self, first_name: str, last_name: Optional[str] = None,
                    username: Optional[str] = None, language_code: Optional[str] = None,
                    id: Optional[int] = None) -> dict:
        return self._ctl("POST", "users", {"first_name": first_name, "last_name": last_name,
                                           "username": username, "language_code": language_code,
                                           "id": id})

    def users(self) -> List[dict]:
        return self._ctl("GET", "users")

    def user(self, first_name: str = "Анна", **kw) -> "User":
        """Creates a new user (keyword args as create_user) and returns its DSL object."""
        return User(self, self.create_user(first_name, **kw))

    def existing_user(self, user_id: int) -> "User":
        for u in self.users():
            if u["id"] == user_id:
                return User(self, u)
        raise KeyError(f"no tgsim user {user_id}")

    # -- user actions (raw; User wraps them with waiting)
    def send(self, user_id: int, text: str, reply_to_message_id: Optional[int] = None) -> dict:
        return self._ctl("POST", f"users/{user_id}/send",
                         {"text": text, "reply_to_message_id": reply_to_message_id})

    def send_photo(self, user_id: int, caption: Optional[str] = None,
                   filename: Optional[str] = None, data: Optional[bytes] = None) -> dict:
        return self._ctl("POST", f"users/{user_id}/send_photo", {
            "caption": caption, "filename": filename,
            "data_base64": _b64(data) if data is not None else None})

    def send_document(self, user_id: int, filename: str, data: bytes,
                      mime_type: Optional[str] = None, caption: Optional[str] = None) -> dict:
        return self._ctl("POST", f"users/{user_id}/send_document", {
            "filename": filename, "data_base64": _b64(data), "mime_type": mime_type,
            "caption": caption})

    def send_contact(self, user_id: int, phone_number: str, first_name: Optional[str] = None,
                     **kw) -> dict:
        return self._ctl("POST", f"users/{user_id}/send_contact",
                         {"phone_number": phone_number, "first_name": first_name, **kw})

    def send_location(self, user_id: int, latitude: float, longitude: float) -> dict:
        return self._ctl("POST", f"users/{user_id}/send_location",
                         {"latitude": latitude, "longitude": longitude})

    def press(self, user_id: int, text: Optional[str] = None, data: Optional[str] = None,
              message_id: Optional[int] = None, force: bool = False) -> dict:
        return self._ctl("POST", f"users/{user_id}/press", {
            "text": text, "data": data, "message_id": message_id, "force": force or None})

    def block(self, user_id: int) -> dict:
        return self._ctl("POST", f"users/{user_id}/block", {})

    def unblock(self, user_id: int) -> dict:
        return self._ctl("POST", f"users/{user_id}/unblock", {})

    def chat(self, user_id: int, after_version: Optional[int] = None,
             timeout_ms: Optional[int] = None) -> dict:
        t = (timeout_ms or 0) / 1000 + self.timeout
        return self._ctl("GET", f"users/{user_id}/chat",
                         query={"after_version": after_version, "timeout_ms": timeout_ms},
                         timeout=t)

    # -- the rest of the control API
    def inject_update(self, update: dict) -> int:
        q = {"bot": self.bot} if self.bot else None
        status, data = _http("POST", f"{self.base_url}/_sim/updates"
                             + ("?" + urllib.parse.urlencode(q) if q else ""), update)
        if status != 200:
            raise SimError(status, data, "POST /_sim/updates")
        return data["update_id"]

    def fault(self, method: str, kind: str = "500", count: int = 1,
              retry_after: Optional[int] = None, hang_ms: Optional[int] = None) -> dict:
        return self._ctl("POST", "faults", {"method": method, "kind": str(kind), "count": count,
                                            "retry_after": retry_after, "hang_ms": hang_ms})

    def faults(self) -> List[dict]:
        return self._ctl("GET", "faults")

    def clear_faults(self) -> None:
        self._ctl("DELETE", "faults")

    def set_ratelimit(self, global_per_s: int = 0, per_chat_per_s: int = 0) -> dict:
        return self._ctl("POST", "ratelimit", {"global_per_s": global_per_s,
                                               "per_chat_per_s": per_chat_per_s})

    def disable_methods(self, *methods: str) -> List[str]:
        """Answer these Bot API methods 404 "Not Found", as a server that predates
        them (no arguments: all enabled again); returns the list."""
        return self._ctl("POST", "methods", {"disable": list(methods)})["disabled"]

    def log(self, method: Optional[str] = None, since_seq: int = 0) -> List[dict]:
        return self._ctl("GET", "log", query={"method": method, "since_seq": since_seq or None})

    def stats(self) -> dict:
        return self._ctl("GET", "stats")

    def reset(self) -> None:
        self._ctl("POST", "reset", {})

    def bots(self) -> List[dict]:
        return self._ctl("GET", "bots")

    def file_bytes(self, file_id: str) -> bytes:
        status, data = _http("GET", self._url("files/" + urllib.parse.quote(file_id)))
        if status != 200:
            raise SimError(status, data, "GET /_sim/files")
        return data

    # -- Bot API, as the bot would call it (returns Telegram's whole reply)
    def bot_api(self, token: str, method: str, params: Optional[dict] = None,
                timeout: Optional[float] = None, **kw) -> dict:
        p = dict(params or {}, **kw)
        _, data = _http("POST", f"{self.base_url}/bot{token}/{method}", p,
                        timeout=timeout or self.timeout)
        return data


def _b64(data: bytes) -> str:
    import base64
    return base64.b64encode(data).decode()


# ---------------------------------------------------------------- User DSL

class User:
    """One Telegram user talking to the bot. Actions wait for the bot's reaction
    by default (wait=False to opt out); waits fail with the current screen."""

    def __init__(self, sim: Sim, info: dict):
        self.sim = sim
        self.info = info
        self.id: int = info["id"]
        self.first_name: str = info.get("first_name", "")

    def __repr__(self) -> str:
        return f"User({self.first_name!r}, id={self.id})"

    # -- reading
    def chat(self) -> dict:
        return self.sim.chat(self.id)

    def messages(self) -> List[dict]:
        return self.chat()["messages"]

    def bot_messages(self) -> List[dict]:
        return [m for m in self.messages() if m["from"] == "bot"]

    def screen(self) -> Screen:
        """The newest bot message; AssertionError when the bot never wrote."""
        chat = self.chat()
        bots = [m for m in chat["messages"] if m["from"] == "bot"]
        if not bots:
            raise AssertionError("the bot has sent no message yet\n" + format_chat(chat))
        return Screen(bots[-1])

    def last_answer(self) -> Optional[dict]:
        answers = self.chat()["callback_answers"]
        return answers[-1] if answers else None

    def dump(self) -> str:
        return format_chat(self.chat())

    # -- waiting
    def wait_for(self, pred: Callable[[dict], Any], timeout: float = DEFAULT_TIMEOUT,
                 what: Optional[str] = None) -> Any:
        """Waits until pred(chat) is truthy (chat = the /chat view) and returns its value."""
        deadline = time.monotonic() + timeout
        chat = self.sim.chat(self.id)
        while True:
            got = pred(chat)
            if got:
                return got
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout:g}s waiting for "
                                     f"{what or getattr(pred, '__name__', 'condition')}\n"
                                     + format_chat(chat))
            chat = self.sim.chat(self.id, after_version=chat["version"],
                                 timeout_ms=max(1, int(min(left, 5) * 1000)))

    def expect(self, substring: str, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Waits for a bot message whose text/caption contains substring; returns it."""
        def has(chat):
            for m in reversed(chat["messages"]):
                if m["from"] == "bot" and substring in (m.get("text") or m.get("caption") or ""):
                    return m
            return None
        return self.wait_for(has, timeout, what=f"a bot message containing {substring!r}")

    def wait_reaction(self, since_version: int, timeout: float = DEFAULT_TIMEOUT,
                      action: str = "the last action", quiet_ms: int = QUIET_MS) -> dict:
        """Waits until the chat version passes since_version, then until it stays
        unchanged for quiet_ms (the bot may send several messages)."""
        deadline = time.monotonic() + timeout
        chat = self.sim.chat(self.id)
        while chat["version"] <= since_version:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the bot did not react to {action} within {timeout:g}s\n"
                                     + format_chat(chat))
            chat = self.sim.chat(self.id, after_version=since_version,
                                 timeout_ms=max(1, int(min(left, 5) * 1000)))
        while time.monotonic() < deadline:
            nxt = self.sim.chat(self.id, after_version=chat["version"], timeout_ms=quiet_ms)
            if nxt["version"] == chat["version"]:
                return nxt
            chat = nxt
        return chat

    def _after(self, reply: dict, wait: bool, timeout: float, action: str) -> dict:
        if wait:
            self.wait_reaction(reply.get("version", 0), timeout, action)
        return reply

    # -- acting
    def send(self, text: str, wait: bool = True, timeout: float = DEFAULT_TIMEOUT,
             reply_to_message_id: Optional[int] = None) -> dict:
        r = self.sim.send(self.id, text, reply_to_message_id=reply_to_message_id)
        return self._after(r, wait, timeout, f"send({text!r})")

    def send_photo(self, caption: Optional[str] = None, data: Optional[bytes] = None,
                   filename: Optional[str] = None, wait: bool = True,
                   timeout: float = DEFAULT_TIMEOUT) -> dict:
        r = self.sim.send_photo(self.id, caption=caption, filename=filename, data=data)
        return self._after(r, wait, timeout, "send_photo()")

    def send_document(self, filename: str, data: bytes, mime_type: Optional[str] = None,
                      caption: Optional[str] = None, wait: bool = True,
                      timeout: float = DEFAULT_TIMEOUT) -> dict:
        r = self.sim.send_document(self.id, filename, data, mime_type=mime_type, caption=caption)
        return self._after(r, wait, timeout, f"send_document({filename!r})")

    def send_contact(self, phone_number: str, first_name: Optional[str] = None,
                     wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> dict:
        r = self.sim.send_contact(self.id, phone_number, first_name)
        return self._after(r, wait, timeout, f"send_contact({phone_number!r})")

    def send_location(self, latitude: float, longitude: float, wait: bool = True,
                      timeout: float = DEFAULT_TIMEOUT) -> dict:
        r = self.sim.send_location(self.id, latitude, longitude)
        return self._after(r, wait, timeout, "send_location()")

    def press(self, text: str, message_id: Optional[int] = None, wait: bool = True,
              timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Presses the inline button with this text (newest bot message having it).
        Falls back to a reply-keyboard button with that text (sent as a message)."""
        try:
            r = self.sim.press(self.id, text=text, message_id=message_id)
        except SimError as e:
            if e.status != 404:
                raise
            chat = self.chat()
            kb = (chat.get("keyboard") or {}).get("keyboard") or []
            if message_id is None and any(
                    (b if isinstance(b, str) else b.get("text")) == text
                    for row in kb for b in row):
                return self.send(text, wait=wait, timeout=timeout)
            raise AssertionError(f"no button {text!r} to press\n" + format_chat(chat)) from None
        return self._after(r, wait, timeout, f"press({text!r})")

    def press_data(self, data: str, force: bool = False, message_id: Optional[int] = None,
                   wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Presses the button carrying this callback_data; force=True forges the
        callback even when no such button exists."""
        try:
            r = self.sim.press(self.id, data=data, message_id=message_id, force=force)
        except SimError as e:
            if e.status != 404:
                raise
            raise AssertionError(f"no button with data {data!r} to press\n"
                                 + self.dump()) from None
        return self._after(r, wait, timeout, f"press_data({data!r})")

    def block(self) -> dict:
        return self.sim.block(self.id)

    def unblock(self) -> dict:
        return self.sim.unblock(self.id)


# ---------------------------------------------------------------- process

class TgsimProcess:
    """Starts a tgsim binary on a free port (for tests of tgsim itself and demos).

        with TgsimProcess(exe, tokens=["123:ABC"]) as p:
            sim = Sim(p.url)
    """

    def __init__(self, exe: os.PathLike, tokens: Sequence[str] = ("123456:TEST",),
                 args: Iterable[str] = (), env: Optional[dict] = None):
        self.exe = Path(exe)
        self.tokens = [tokens] if isinstance(tokens, str) else list(tokens)
        self.args = list(args)
        self.env = env
        self.proc: Optional[subprocess.Popen] = None
        self.port = 0
        self._dir = tempfile.TemporaryDirectory(prefix="tgsim-")
        self.log_path = Path(self._dir.name) / "tgsim.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> "TgsimProcess":
        port_file = Path(self._dir.name) / "port"
        cmd = [str(self.exe), "--listen", "127.0.0.1:0", "--port-file", str(port_file)]
        for t in self.tokens:
            cmd += ["--token", t]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd + self.args, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if port_file.exists() and port_file.read_text().strip():
                self.port = int(port_file.read_text().split()[0])
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"tgsim did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 10.0) -> Optional[int]:
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def __enter__(self) -> "TgsimProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self._dir.cleanup()
