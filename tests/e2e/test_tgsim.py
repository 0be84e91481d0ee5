"""Tests of tools/tgsim alone: the test plays the bot (Bot API over urllib)
and the users (control API). Run:
    WALOR_BUILD_DIR=$PWD/build /usr/bin/python3 -m pytest tests/e2e/test_tgsim.py
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tgsim import Screen, Sim, SimError, TgsimProcess, User

TOKEN = "123456:TEST-token_abc"
BOT_ID = 123456


def _exe() -> Path:
    d = Path(os.environ.get("WALOR_BUILD_DIR", "build"))
    if not d.is_absolute() and not d.exists():
        d = Path(__file__).resolve().parents[2] / d
    return d / "bin" / "tgsim"


@pytest.fixture(scope="module")
def proc():
    exe = _exe()
    if not exe.exists():
        pytest.fail(f"{exe} not built (set WALOR_BUILD_DIR)", pytrace=False)
    p = TgsimProcess(exe, tokens=[TOKEN], args=["--quiet"]).start()
    yield p
    rc = p.stop()
    log = p.log()
    assert rc == 0, f"tgsim exited with {rc}\n{log}"
    # sanitizer builds: UBSan reports do not change the exit code by themselves
    assert "runtime error" not in log and "Sanitizer" not in log, log


@pytest.fixture
def sim(proc):
    s = Sim(proc.url)
    s.reset()
    s.set_ratelimit(0, 0)
    yield s
    s.clear_faults()


# ---------------------------------------------------------------- helpers

def api(sim: Sim, method: str, token: str = TOKEN, http_timeout: float = 30, **params) -> dict:
    """A Bot API call with a JSON body, as a bot makes it."""
    return sim.bot_api(token, method, params, timeout=http_timeout)


def api_form(sim: Sim, method: str, fields: dict, files: dict | None = None,
             timeout: float = 10) -> dict:
    """multipart/form-data (files: name -> (filename, bytes, mime)) or urlencoded."""
    url = f"{sim.base_url}/bot{TOKEN}/{method}"
    if files:
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                         .encode() + str(v).encode() + b"\r\n")
        for k, (fn, data, mime) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; '
                         f'filename="{fn}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
                         + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        ctype = f"multipart/form-data; boundary={boundary}"
    else:
        body = urllib.parse.urlencode(fields).encode()
        ctype = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        return json.loads(e.read())


def png(w: int = 200, h: int = 100) -> bytes:
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def started_user(sim: Sim, name: str = "Анна") -> User:
    """A user who opened the bot (so the bot may write to them); its update is consumed."""
    u = sim.user(name)
    u.send("/start", wait=False)
    drain(sim)
    return u


def drain(sim: Sim) -> list:
    r = api(sim, "getUpdates")
    ups = r["result"]
    if ups:
        api(sim, "getUpdates", offset=ups[-1]["update_id"] + 1)
    return ups


def send(sim: Sim, chat_id: int, text: str, **kw) -> dict:
    return api(sim, "sendMessage", chat_id=chat_id, text=text, **kw)


def err(reply: dict) -> tuple:
    assert reply["ok"] is False, reply
    return reply["error_code"], reply["description"]


KB = {"inline_keyboard": [[{"text": "Каталог", "callback_data": "cat:1"},
                           {"text": "Сайт", "url": "https://example.com"}]]}


# ---------------------------------------------------------------- basics

@pytest.mark.infra
def test_get_me_unauthorized_and_unknown_method(sim):
    me = api(sim, "getMe")
    assert me["ok"] and me["result"]["id"] == BOT_ID and me["result"]["is_bot"] is True
    assert me["result"]["username"] == "walor_demo_bot"
    assert err(api(sim, "getMe", token="999:nope")) == (401, "Unauthorized")
    assert err(api(sim, "sendTelepathy")) == (404, "Not Found")
    # method names are case-insensitive, GET with query parameters works
    with urllib.request.urlopen(f"{sim.base_url}/bot{TOKEN}/getme") as r:
        assert json.loads(r.read())["ok"] is True


@pytest.mark.infra
def test_params_by_query_and_form(sim):
    u = started_user(sim)
    q = urllib.parse.urlencode({"chat_id": u.id, "text": "через GET"})
    with urllib.request.urlopen(f"{sim.base_url}/bot{TOKEN}/sendMessage?{q}") as r:
        assert json.loads(r.read())["result"]["text"] == "через GET"
    r = api_form(sim, "sendMessage", {"chat_id": u.id, "text": "<i>форма</i>",
                                      "parse_mode": "HTML", "reply_markup": json.dumps(KB)})
    assert r["ok"], r
    assert r["result"]["reply_markup"] == KB
    assert r["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 5}]


# ---------------------------------------------------------------- updates

@pytest.mark.infra
def test_long_poll_blocks_wakes_and_does_not_block_others(sim):
    u = sim.user("Борис")
    t0 = time.monotonic()
    assert api(sim, "getUpdates", timeout=1)["result"] == []
    assert 0.9 <= time.monotonic() - t0 < 2.5

    box = {}

    def poll():
        box["r"] = api(sim, "getUpdates", timeout=10)
        box["t"] = time.monotonic()

    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.3)
    t1 = time.monotonic()
    assert api(sim, "getMe")["ok"]          # other requests are served meanwhile
    assert time.monotonic() - t1 < 0.5
    t_send = time.monotonic()
    u.send("привет", wait=False)
    th.join(5)
    assert box["r"]["result"][0]["message"]["text"] == "привет"
    assert box["t"] - t_send < 0.5


@pytest.mark.infra
def test_offset_semantics_and_limit(sim):
    u = sim.user("Вера")
    ids = [u.send(f"m{i}", wait=False)["update_id"] for i in range(4)]
    assert [x["update_id"] for x in api(sim, "getUpdates", limit=2)["result"]] == ids[:2]
    assert [x["update_id"] for x in api(sim, "getUpdates", offset=ids[1])["result"]] == ids[1:]
    # ids[0] is confirmed now and gone for good
    assert [x["update_id"] for x in api(sim, "getUpdates")["result"]] == ids[1:]
    # a negative offset keeps only the last N
    assert [x["update_id"] for x in api(sim, "getUpdates", offset=-1)["result"]] == ids[3:]
    assert [x["update_id"] for x in api(sim, "getUpdates")["result"]] == ids[3:]
    assert api(sim, "getUpdates", offset=ids[3] + 1)["result"] == []


@pytest.mark.infra
def test_update_shapes_and_allowed_updates_remembered(sim):
    u = sim.user("Глеб", username="gleb")
    u.send("/start promo_1", wait=False)
    m = drain(sim)[0]["message"]
    assert m["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert m["chat"] == {"id": u.id, "first_name": "Глеб", "username": "gleb", "type": "private"}
    assert m["from"]["language_code"] == "ru"
    api(sim, "getUpdates", allowed_updates=["callback_query"])
    u.send("не доставится", wait=False)
    assert api(sim, "getUpdates")["result"] == []       # filter remembered
    api(sim, "getUpdates", allowed_updates=[])          # back to the default set
    u.send("доставится", wait=False)
    assert drain(sim)[0]["message"]["text"] == "доставится"


@pytest.mark.infra
def test_injected_duplicate_is_delivered(sim):
    u = sim.user("Дина")
    first = u.send("раз", wait=False)["update_id"]
    ups = drain(sim)
    dup = dict(ups[0])
    sim.inject_update(dup)                               # same update_id, already confirmed
    again = api(sim, "getUpdates", offset=first + 1)["result"]
    assert [x["update_id"] for x in again] == [first]
    auto = sim.inject_update({"message": ups[0]["message"]})
    assert auto > first


# ---------------------------------------------------------------- HTML and limits

@pytest.mark.infra
@pytest.mark.parametrize("html,text,entities", [
    ("<b>Жирный</b> и <i>курсив</i>", "Жирный и курсив",
     [{"type": "bold", "offset": 0, "length": 6}, {"type": "italic", "offset": 9, "length": 6}]),
    ("a &lt;b&gt; &amp; &quot;c&quot; &#1071; &#x44F; &nbsp;", 'a <b> & "c" Я я &nbsp;', []),
    ('<a href="https://t.me/x">ссылка</a>', "ссылка",
     [{"type": "text_link", "offset": 0, "length": 6, "url": "https://t.me/x"}]),
    ('<pre><code class="language-c">int x;</code></pre>', "int x;",
     [{"type": "pre", "offset": 0, "length": 6, "language": "c"}]),
    ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler><blockquote expandable>q</blockquote>',
     "stq", [{"type": "spoiler", "offset": 0, "length": 1},
             {"type": "spoiler", "offset": 1, "length": 1},
             {"type": "expandable_blockquote", "offset": 2, "length": 1}]),
    ("  \n<b>😀</b> x \n", "😀 x", [{"type": "bold", "offset": 0, "length": 2}]),
])
def test_html_parsing(sim, html, text, entities):
    u = started_user(sim)
    r = send(sim, u.id, html, parse_mode="HTML")
    assert r["ok"], r
    assert r["result"]["text"] == text
    assert r["result"].get("entities", []) == entities
    view = u.screen()
    assert view.text == text and view.html == html


@pytest.mark.infra
@pytest.mark.parametrize("html,desc", [
    ("Hello, <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 7'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
])
def test_html_errors(sim, html, desc):
    u = started_user(sim)
    assert err(send(sim, u.id, html, parse_mode="HTML")) == (
        400, "Bad Request: can't parse entities: " + desc)


@pytest.mark.infra
def test_lengths_after_entity_parsing(sim):
    u = started_user(sim)
    assert send(sim, u.id, "<b>" + "я" * 4096 + "</b>", parse_mode="HTML")["ok"]
    assert send(sim, u.id, "&amp;" * 4096, parse_mode="HTML")["ok"]
    assert err(send(sim, u.id, "&amp;" * 4097, parse_mode="HTML")) == (
        400, "Bad Request: message is too long")
    assert send(sim, u.id, "😀" * 2048)["ok"]               # 4096 UTF-16 units
    assert err(send(sim, u.id, "😀" * 2049))[1] == "Bad Request: message is too long"
    for empty in ("", "   ", "<b></b>"):
        assert err(send(sim, u.id, empty, parse_mode="HTML")) == (
            400, "Bad Request: message text is empty")
    photo = png(10, 10)
    ok = api_form(sim, "sendPhoto", {"chat_id": u.id, "caption": "<b>x</b>" + "к" * 1023,
                                     "parse_mode": "HTML"}, {"photo": ("p.png", photo, "image/png")})
    assert ok["ok"], ok
    bad = api_form(sim, "sendPhoto", {"chat_id": u.id, "caption": "к" * 1025},
                   {"photo": ("p.png", photo, "image/png")})
    assert err(bad) == (400, "Bad Request: message caption is too long")


@pytest.mark.infra
def test_keyboard_rules(sim):
    u = started_user(sim)

    def kb(*buttons):
        return send(sim, u.id, "kb", reply_markup={"inline_keyboard": [list(buttons)]})

    assert kb({"text": "ok", "callback_data": "x" * 64})["ok"]
    assert err(kb({"text": "long", "callback_data": "x" * 65}))[1] == "Bad Request: BUTTON_DATA_INVALID"
    # 33 Cyrillic letters are 66 bytes
    assert err(kb({"text": "ru", "callback_data": "ж" * 33}))[1] == "Bad Request: BUTTON_DATA_INVALID"
    assert kb({"text": "ru", "callback_data": "ж" * 32})["ok"]
    assert err(kb({"text": "empty", "callback_data": ""}))[1] == "Bad Request: BUTTON_DATA_INVALID"
    assert "Text buttons are unallowed" in err(kb({"text": "no action"}))[1]
    assert "exactly one" in err(kb({"text": "two", "callback_data": "a", "url": "https://x.io"}))[1]
    assert err(kb({"text": "", "callback_data": "a"}))[1] == "Bad Request: BUTTON_TEXT_INVALID"
    assert err(kb({"text": "u", "url": "ftp://x"}))[1] == "Bad Request: BUTTON_URL_INVALID"
    assert err(send(sim, u.id, "x", reply_markup="{not json"))[0] == 400
    r = send(sim, u.id, "reply kb", reply_markup={"keyboard": [["Каталог", {"text": "Корзина"}]],
                                                  "resize_keyboard": True})
    assert r["ok"] and "reply_markup" not in r["result"]   # only inline keyboards show
    assert u.chat()["keyboard"]["keyboard"][0][0] == "Каталог"
    send(sim, u.id, "убрали", reply_markup={"remove_keyboard": True})
    assert u.chat()["keyboard"] is None


# ---------------------------------------------------------------- chats

@pytest.mark.infra
def test_chat_errors_blocked_and_my_chat_member(sim):
    assert err(send(sim, 424242, "x")) == (400, "Bad Request: chat not found")
    never = sim.user("Молчун")
    assert err(send(sim, never.id, "x")) == (
        403, "Forbidden: bot can't initiate conversation with a user")
    u = started_user(sim)
    msg = send(sim, u.id, "до блока")["result"]
    u.block()
    upd = drain(sim)[0]["my_chat_member"]
    assert upd["new_chat_member"]["status"] == "kicked"
    assert err(send(sim, u.id, "x")) == (403, "Forbidden: bot was blocked by the user")
    assert err(api(sim, "editMessageText", chat_id=u.id, message_id=msg["message_id"],
                   text="y"))[0] == 403
    with pytest.raises(SimError) as e:
        u.send("hi", wait=False)
    assert e.value.status == 409
    u.unblock()
    assert drain(sim)[0]["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert send(sim, u.id, "снова")["ok"]


@pytest.mark.infra
def test_edits_deletes_and_chat_view(sim):
    u = started_user(sim)
    v0 = u.chat()["version"]
    m = send(sim, u.id, "<b>Корзина</b>", parse_mode="HTML", reply_markup=KB)["result"]
    mid = m["message_id"]
    assert u.chat()["version"] == v0 + 1
    same = api(sim, "editMessageText", chat_id=u.id, message_id=mid, text="<b>Корзина</b>",
               parse_mode="HTML", reply_markup=KB)
    assert err(same)[1].startswith("Bad Request: message is not modified: specified new "
                                   "message content and reply markup are exactly the same")
    # same text, keyboard dropped: that is a change (no reply_markup = remove it)
    r = api(sim, "editMessageText", chat_id=u.id, message_id=mid, text="<b>Корзина</b>",
            parse_mode="HTML")
    assert r["ok"] and "reply_markup" not in r["result"] and "edit_date" in r["result"]
    r = api(sim, "editMessageReplyMarkup", chat_id=u.id, message_id=mid, reply_markup=KB)
    assert r["ok"]
    assert err(api(sim, "editMessageReplyMarkup", chat_id=u.id, message_id=mid,
                   reply_markup=KB))[1].startswith("Bad Request: message is not modified")
    r = api(sim, "editMessageText", chat_id=u.id, message_id=mid, text="Пусто <i>совсем</i>",
            parse_mode="HTML", reply_markup=KB)
    assert r["ok"]
    s = u.screen()
    assert (s.text, s.html, s.edited) == ("Пусто совсем", "Пусто <i>совсем</i>", True)
    assert s.buttons == [[("Каталог", "cat:1"), ("Сайт", "https://example.com")]]
    assert err(api(sim, "editMessageText", chat_id=u.id, message_id=999, text="x")) == (
        400, "Bad Request: message to edit not found")
    assert err(api(sim, "editMessageCaption", chat_id=u.id, message_id=mid, caption="x"))[0] == 400
    user_msg = u.messages()[0]["message_id"]
    assert err(api(sim, "editMessageText", chat_id=u.id, message_id=user_msg, text="x"))[1] == \
        "Bad Request: message can't be edited"
    # long-poll on the version returns as soon as the bot changes the chat
    v = u.chat()["version"]
    threading.Timer(0.2, lambda: api(sim, "deleteMessage", chat_id=u.id, message_id=mid)).start()
    t0 = time.monotonic()
    c = sim.chat(u.id, after_version=v, timeout_ms=5000)
    assert c["version"] > v and time.monotonic() - t0 < 2
    assert all(x["message_id"] != mid for x in c["messages"])
    assert err(api(sim, "deleteMessage", chat_id=u.id, message_id=mid)) == (
        400, "Bad Request: message to delete not found")


@pytest.mark.infra
def test_copy_forward_and_reply(sim):
    u = started_user(sim)
    m = send(sim, u.id, "оригинал", reply_parameters={"message_id": 1})["result"]
    assert m["reply_to_message"]["message_id"] == 1
    assert err(send(sim, u.id, "x", reply_parameters={"message_id": 99}))[1] == \
        "Bad Request: message to be replied not found"
    c = api(sim, "copyMessage", chat_id=u.id, from_chat_id=u.id, message_id=m["message_id"])
    assert c["ok"] and c["result"]["message_id"] == m["message_id"] + 1
    f = api(sim, "forwardMessage", chat_id=u.id, from_chat_id=u.id, message_id=m["message_id"])
    assert f["result"]["text"] == "оригинал" and f["result"]["forward_origin"]["type"] == "user"
    assert err(api(sim, "copyMessage", chat_id=u.id, from_chat_id=u.id, message_id=77))[1] == \
        "Bad Request: message to copy not found"
    assert api(sim, "sendChatAction", chat_id=u.id, action="typing")["result"] is True
    assert err(api(sim, "sendChatAction", chat_id=u.id, action="dancing"))[0] == 400
    cmds = [{"command": "start", "description": "Начать"}]
    assert api(sim, "setMyCommands", commands=cmds)["ok"]
    assert api(sim, "getMyCommands")["result"] == cmds
    assert err(api(sim, "setMyCommands", commands=[{"command": "Bad!", "description": "x"}]))[0] == 400


# ---------------------------------------------------------------- buttons

@pytest.mark.infra
def test_press_by_text_answer_and_forged(sim):
    u = started_user(sim)
    send(sim, u.id, "старое", reply_markup={"inline_keyboard": [[{"text": "Каталог", "callback_data": "old"}]]})
    m = send(sim, u.id, "меню", reply_markup=KB)["result"]
    r = u.press("Каталог", wait=False)
    cq = drain(sim)[0]["callback_query"]
    assert cq["id"] == r["callback_query_id"] and cq["data"] == "cat:1"   # newest message wins
    assert cq["message"]["message_id"] == m["message_id"] and cq["from"]["id"] == u.id
    assert cq["chat_instance"]
    assert api(sim, "answerCallbackQuery", callback_query_id=cq["id"], text="Готово",
               show_alert=True)["ok"]
    assert err(api(sim, "answerCallbackQuery", callback_query_id=cq["id"])) == (
        400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    assert err(api(sim, "answerCallbackQuery", callback_query_id="12345"))[0] == 400
    assert u.last_answer()["text"] == "Готово" and u.last_answer()["show_alert"] is True
    # by data, on an older message
    u.press_data("old", wait=False)
    assert drain(sim)[0]["callback_query"]["data"] == "old"
    # a url button gives its url and no update
    assert sim.press(u.id, text="Сайт")["url"] == "https://example.com"
    assert drain(sim) == []
    with pytest.raises(AssertionError) as e:
        u.press("Нет такой", wait=False)
    assert "[Каталог → cat:1]" in str(e.value)           # the failure shows the screen
    with pytest.raises(AssertionError):
        u.press_data("admin:delete_all", wait=False)
    u.press_data("admin:delete_all", force=True, wait=False)
    cq = drain(sim)[0]["callback_query"]
    assert cq["data"] == "admin:delete_all" and cq["message"]["message_id"] == m["message_id"]


# ---------------------------------------------------------------- files

@pytest.mark.infra
def test_files_upload_get_file_and_download(sim):
    u = started_user(sim)
    data = "Прайс;100\n".encode() * 50
    r = api_form(sim, "sendDocument", {"chat_id": u.id, "caption": "прайс"},
                 {"document": ("price.csv", data, "application/octet-stream")})
    assert r["ok"], r
    doc = r["result"]["document"]
    assert (doc["file_name"], doc["mime_type"], doc["file_size"]) == ("price.csv", "text/csv", len(data))
    f = api(sim, "getFile", file_id=doc["file_id"])["result"]
    with urllib.request.urlopen(f"{sim.base_url}/file/bot{TOKEN}/{f['file_path']}") as resp:
        assert resp.read() == data
    img = png(400, 200)
    p = api_form(sim, "sendPhoto", {"chat_id": u.id}, {"photo": ("p.png", img, "image/png")})["result"]
    sizes = p["photo"]
    assert sizes[-1]["width"] == 400 and sizes[-1]["height"] == 200 and sizes[0]["width"] == 90
    # the chat view keeps the Content-Type each upload came with, as given, for tests of the bot
    jpeg_claim = api_form(sim, "sendPhoto", {"chat_id": u.id}, {"photo": ("qr.png", img, "image/jpeg")})["result"]
    views = {m["message_id"]: m for m in u.chat()["messages"]}
    assert views[p["message_id"]]["upload"] == {"filename": "p.png", "content_type": "image/png"}
    assert views[jpeg_claim["message_id"]]["upload"] == {"filename": "qr.png", "content_type": "image/jpeg"}
    assert views[r["result"]["message_id"]]["upload"]["content_type"] == "application/octet-stream"
    again = api(sim, "sendPhoto", chat_id=u.id, photo=sizes[-1]["file_id"])
    assert again["ok"] and again["result"]["photo"][-1]["file_id"] == sizes[-1]["file_id"]
    assert err(api(sim, "sendPhoto", chat_id=u.id, photo="nonsense"))[1] == \
        "Bad Request: wrong file identifier/HTTP URL specified"
    assert err(api_form(sim, "sendPhoto", {"chat_id": u.id},
                        {"photo": ("x.png", b"not an image", "image/png")}))[1] == \
        "Bad Request: IMAGE_PROCESS_FAILED"
    assert err(api(sim, "getFile", file_id="zzz"))[1] == "Bad Request: invalid file_id"
    # what users send can be downloaded by the bot too
    u.send_document("чек.pdf", b"%PDF-1.4 fake", wait=False)
    d = drain(sim)[0]["message"]["document"]
    assert d["mime_type"] == "application/pdf"
    f = api(sim, "getFile", file_id=d["file_id"])["result"]
    with urllib.request.urlopen(f"{sim.base_url}/file/bot{TOKEN}/{f['file_path']}") as resp:
        assert resp.read() == b"%PDF-1.4 fake"
    u.send_photo(caption="фото", wait=False)
    m = drain(sim)[0]["message"]
    assert m["caption"] == "фото" and m["photo"][-1]["width"] == 1


# ---------------------------------------------------------------- webhook

class _Receiver:
    def __init__(self, fail_first: int):
        self.got = []
        self.fail_left = fail_first
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail_left > 0:
                    outer.fail_left -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.got.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                                  json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        ThreadingHTTPServer.request_queue_size = 1024
        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}/hook"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.mark.infra
def test_webhook_push_secret_order_retry_and_409(sim):
    rec = _Receiver(fail_first=2)
    try:
        u = sim.user("Ева")
        r = api(sim, "setWebhook", url=rec.url, secret_token="s3cr3t_-X")
        assert r["ok"] and r["description"] == "Webhook was set"
        assert err(api(sim, "getUpdates")) == (
            409, "Conflict: can't use getUpdates method while webhook is active; "
                 "use deleteWebhook to delete the webhook first")
        ids = [u.send(f"w{i}", wait=False)["update_id"] for i in range(3)]
        deadline = time.monotonic() + 8
        while len(rec.got) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [g[1]["update_id"] for g in rec.got] == ids
        assert {g[0] for g in rec.got} == {"s3cr3t_-X"}
        info = api(sim, "getWebhookInfo")["result"]
        assert info["url"] == rec.url and info["pending_update_count"] == 0
        assert "500" in info["last_error_message"] and info["last_error_date"] > 0
        assert err(api(sim, "setWebhook", url=rec.url, secret_token="bad token!"))[0] == 400
        assert api(sim, "deleteWebhook")["description"] == "Webhook was deleted"
        u.send("после", wait=False)
        assert drain(sim)[0]["message"]["text"] == "после"
    finally:
        rec.close()


@pytest.mark.infra
def test_set_webhook_terminates_long_poll(sim):
    box = {}
    th = threading.Thread(target=lambda: box.update(r=api(sim, "getUpdates", timeout=5)))
    th.start()
    time.sleep(0.2)
    api(sim, "setWebhook", url="http://127.0.0.1:9/none")
    th.join(3)
    assert err(box["r"]) == (409, "Conflict: terminated by setWebhook request")
    api(sim, "deleteWebhook")


# ---------------------------------------------------------------- faults, flood control, log

@pytest.mark.infra
def test_faults(sim):
    u = started_user(sim)
    sim.fault("sendMessage", "500", count=2)
    assert err(send(sim, u.id, "a")) == (500, "Internal Server Error")
    assert err(send(sim, u.id, "a"))[0] == 500
    assert send(sim, u.id, "a")["ok"]
    sim.fault("*", "429", retry_after=3)
    r = api(sim, "getMe")
    assert err(r) == (429, "Too Many Requests: retry after 3")
    assert r["parameters"] == {"retry_after": 3}
    sim.fault("sendMessage", "hang", hang_ms=300)
    t0 = time.monotonic()
    with pytest.raises((http.client.HTTPException, ConnectionError, socket.timeout, urllib.error.URLError)):
        send(sim, u.id, "hung")
    assert 0.25 < time.monotonic() - t0 < 3
    sim.fault("sendMessage", "drop")
    with pytest.raises((http.client.HTTPException, ConnectionError, urllib.error.URLError)):
        send(sim, u.id, "dropped")
    assert [m["text"] for m in u.bot_messages()] == ["a"]   # failed calls did nothing
    sim.fault("editMessageText", "500", count=5)
    sim.clear_faults()
    assert sim.faults() == []
    log = sim.log(method="sendMessage")
    assert [e["status"] for e in log] == [500, 500, 200, 0, 0]
    assert all(e["chat_id"] == u.id for e in log)
    stats = sim.stats()
    assert stats["errors_by_code"]["500"] == 2 and stats["count429"] == 1


@pytest.mark.infra
def test_rate_limits(sim):
    u = started_user(sim)
    v = started_user(sim, "Второй")
    sim.set_ratelimit(global_per_s=0, per_chat_per_s=2)
    seq = sim.stats()["last_seq"]
    assert send(sim, u.id, "1")["ok"] and send(sim, u.id, "2")["ok"]
    r = send(sim, u.id, "3")
    assert err(r) == (429, "Too Many Requests: retry after 1")
    assert r["parameters"]["retry_after"] >= 1
    assert send(sim, v.id, "другой чат")["ok"]              # per chat
    assert api(sim, "getMe")["ok"]                           # only message calls count
    time.sleep(1.05)
    assert send(sim, u.id, "4")["ok"]
    sim.set_ratelimit(global_per_s=3, per_chat_per_s=0)
    time.sleep(1.05)
    results = [send(sim, (u.id, v.id)[i % 2], str(i))["ok"] for i in range(4)]
    assert results == [True, True, True, False]
    stats = sim.stats()
    assert stats["count429"] == 2 and stats["rate_limited"] == 2
    log = sim.log(since_seq=seq)
    assert [e["status"] for e in log if e["method"] == "sendMessage"].count(429) == 2
    assert all(e["t_ms"] > 0 for e in log)


# ---------------------------------------------------------------- the user DSL against a tiny bot

class _TinyBot(threading.Thread):
    """Polls tgsim like walord would and answers /start and one button."""

    def __init__(self, sim: Sim):
        super().__init__(daemon=True)
        self.sim = sim
        self.stop = False

    def run(self):
        offset = 0
        while not self.stop:
            r = api(self.sim, "getUpdates", offset=offset, timeout=1)
            for upd in r.get("result", []):
                offset = upd["update_id"] + 1
                if "message" in upd and upd["message"].get("text") == "/start":
                    chat = upd["message"]["chat"]["id"]
                    send(self.sim, chat, "Добро пожаловать, <b>гость</b>!", parse_mode="HTML",
                         reply_markup={"inline_keyboard": [[{"text": "Каталог", "callback_data": "cat"}]]})
                    send(self.sim, chat, "Второе сообщение")
                elif "callback_query" in upd:
                    cq = upd["callback_query"]
                    api(self.sim, "answerCallbackQuery", callback_query_id=cq["id"], text="Открываю")
                    api(self.sim, "editMessageText", chat_id=cq["message"]["chat"]["id"],
                        message_id=cq["message"]["message_id"], text="Каталог: пусто")


@pytest.mark.infra
def test_user_dsl_with_a_bot(sim):
    bot = _TinyBot(sim)
    bot.start()
    try:
        u = sim.user("Анна")
        u.send("/start")
        # the action waited for both messages (quiet period)
        assert [m["text"] for m in u.bot_messages()] == ["Добро пожаловать, гость!", "Второе сообщение"]
        assert isinstance(u.screen(), Screen) and u.screen().text == "Второе сообщение"
        u.press("Каталог")
        assert u.expect("пусто")["edited"] is True
        assert u.last_answer()["text"] == "Открываю"
        with pytest.raises(AssertionError) as e:
            u.expect("никогда", timeout=0.3)
        assert "Каталог: пусто" in str(e.value) and "chat of Анна" in str(e.value)
        with pytest.raises(AssertionError) as e:
            u.send("тишина", timeout=0.5)
        assert "did not react" in str(e.value)
    finally:
        bot.stop = True
        bot.join(3)


# ---------------------------------------------------------------- --state-file

def _state_proc(state: Path, *extra) -> TgsimProcess:
    return TgsimProcess(_exe(), tokens=[TOKEN], args=["--quiet", "--state-file", str(state), *extra]).start()


def _stop_clean(p: TgsimProcess) -> None:
    rc = p.stop()
    assert rc == 0, f"tgsim exited with {rc}\n{p.log()}"
    assert "runtime error" not in p.log() and "Sanitizer" not in p.log(), p.log()


def _wait_saved(state: Path, needle: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while needle not in (state.read_text() if state.exists() else ""):
        assert time.monotonic() < deadline, f"{needle!r} not saved to {state}"
        time.sleep(0.05)


@pytest.mark.infra
def test_state_file_keeps_the_world_across_restarts(tmp_path):
    state = tmp_path / "tgsim-state.json"
    p = _state_proc(state)
    sim = Sim(p.url)
    anna = started_user(sim, "Анна")
    boris = sim.user("Борис", username="boris")
    boris.send("/start", wait=False)
    sent = send(sim, anna.id, "<b>Привет</b>, Анна", parse_mode="HTML", reply_markup=KB)["result"]
    img = png(300, 120)
    photo = api_form(sim, "sendPhoto", {"chat_id": anna.id, "caption": "QR"},
                     {"photo": ("qr.png", img, "image/png")})["result"]
    api(sim, "setMyCommands", commands=[{"command": "start", "description": "Начать"}])
    anna.press("Каталог", wait=False)             # pending with Борис's /start: not confirmed yet
    before_anna, before_boris = anna.chat(), boris.chat()
    _stop_clean(p)
    assert state.exists() and not (tmp_path / "tgsim-state.json.tmp").exists()

    p = _state_proc(state)                        # a new process, on another port
    sim = Sim(p.url)
    assert [(u["id"], u["first_name"]) for u in sim.users()] == [(anna.id, "Анна"), (boris.id, "Борис")]
    anna, boris = sim.existing_user(anna.id), sim.existing_user(boris.id)
    assert anna.chat() == before_anna and boris.chat() == before_boris
    # the updates nobody confirmed are still there, under their ids; new ones go on after them
    ups = api(sim, "getUpdates")["result"]
    assert [list(u)[1] for u in ups] == ["message", "callback_query"], ups
    assert ups[0]["message"]["text"] == "/start" and ups[1]["callback_query"]["data"] == "cat:1"
    boris.send("ещё", wait=False)
    ups2 = api(sim, "getUpdates", offset=ups[-1]["update_id"] + 1)["result"]
    assert len(ups2) == 1 and ups2[0]["update_id"] == ups[-1]["update_id"] + 1
    # the bot may still write to its users (no "bot can't initiate conversation"), message ids go on
    again = send(sim, anna.id, "снова")["result"]
    assert again["message_id"] == photo["message_id"] + 1
    # stored files keep their ids and bytes
    fid = photo["photo"][-1]["file_id"]
    assert sim.file_bytes(fid) == img
    f = api(sim, "getFile", file_id=fid)["result"]
    with urllib.request.urlopen(f"{sim.base_url}/file/bot{TOKEN}/{f['file_path']}") as resp:
        assert resp.read() == img
    assert api(sim, "sendPhoto", chat_id=anna.id, photo=fid)["ok"]
    assert api(sim, "getMyCommands")["result"] == [{"command": "start", "description": "Начать"}]
    assert sent["message_id"] in [m["message_id"] for m in anna.chat()["messages"]]
    _stop_clean(p)


@pytest.mark.infra
def test_state_file_is_saved_while_running_and_survives_kill_9(tmp_path):
    state = tmp_path / "state.json"
    p = _state_proc(state)
    sim = Sim(p.url)
    u = started_user(sim, "Вера")
    send(sim, u.id, "до падения")
    _wait_saved(state, "до падения")              # within about a second, not only at exit
    p.proc.kill()
    p.proc.wait()
    p.proc = None
    p = _state_proc(state)
    sim = Sim(p.url)
    texts = [m["text"] for m in sim.existing_user(u.id).chat()["messages"]]
    assert texts == ["/start", "до падения"], texts
    _stop_clean(p)


@pytest.mark.infra
def test_a_bad_state_file_is_refused_and_left_alone(tmp_path):
    state = tmp_path / "state.json"
    for junk in (b'{"tgsim_state": "tgsim", "format": 1, "users": [{"id": 5}]}', b"{not json", b'{"a": 1}'):
        state.write_bytes(junk)
        proc = subprocess.run([str(_exe()), "--token", TOKEN, "--listen", "127.0.0.1:0", "--state-file", str(state)],
                              capture_output=True, text=True, timeout=10)
        assert proc.returncode == 1 and f"state file {state}" in proc.stderr, proc.stderr
        assert state.read_bytes() == junk                 # never overwritten
# ---------------------------------------------------------------- sendMessageDraft

@pytest.mark.infra
def test_send_message_draft(sim):
    u = started_user(sim)
    # "" is the "thinking…" placeholder; the draft is chat state, not a message
    assert api(sim, "sendMessageDraft", chat_id=u.id, draft_id=7, text="") == {"ok": True, "result": True}
    c = u.chat()
    assert (c["draft"]["draft_id"], c["draft"]["text"], c["draft"]["updates"]) == (7, "", 1)
    v = c["version"]
    r = api(sim, "sendMessageDraft", chat_id=u.id, draft_id=7, text="Да, <b>есть</b>", parse_mode="HTML")
    assert r["ok"]
    c = u.chat()
    d = c["draft"]
    assert c["version"] > v
    assert (d["text"], d["html"], d["updates"]) == ("Да, есть", "Да, <b>есть</b>", 2)
    assert d["entities"] == [{"offset": 4, "length": 4, "type": "bold"}]
    assert not [m for m in c["messages"] if m["from"] == "bot"]
    # another id starts a new draft
    api(sim, "sendMessageDraft", chat_id=u.id, draft_id=8, text="Другой")
    assert (u.chat()["draft"]["draft_id"], u.chat()["draft"]["updates"]) == (8, 1)

    assert err(api(sim, "sendMessageDraft", chat_id=u.id, draft_id=0, text="x")) == (
        400, "Bad Request: invalid draft_id")
    assert err(api(sim, "sendMessageDraft", chat_id=u.id, text="x")) == (400, "Bad Request: draft_id is empty")
    assert err(api(sim, "sendMessageDraft", chat_id=u.id, draft_id=1, text="<b>x",
                   parse_mode="HTML"))[1].startswith("Bad Request: can't parse entities")
    assert err(api(sim, "sendMessageDraft", chat_id=u.id, draft_id=1, text="я" * 4097)) == (
        400, "Bad Request: message is too long")
    assert err(api(sim, "sendMessageDraft", chat_id=999999, draft_id=1, text="x"))[0] == 400
    assert u.chat()["draft"]["text"] == "Другой"  # failed calls change nothing

    # the finished message ends the draft
    send(sim, u.id, "Да, есть")
    c = u.chat()
    assert c["draft"] is None and c["messages"][-1]["text"] == "Да, есть"

    # a user who blocked the bot gets no draft either
    u.block()
    assert err(api(sim, "sendMessageDraft", chat_id=u.id, draft_id=2, text="x"))[0] == 403


@pytest.mark.infra
def test_disabled_method_is_unknown(sim):
    """/_sim/methods plays an older Bot API server: the method is 404, as unknown ones are."""
    u = started_user(sim)
    assert sim.disable_methods("sendMessageDraft") == ["sendMessageDraft"]
    assert err(api(sim, "sendMessageDraft", chat_id=u.id, draft_id=1, text="x")) == (404, "Not Found")
    assert send(sim, u.id, "обычное сообщение")["ok"]
    assert sim.disable_methods() == []
    assert api(sim, "sendMessageDraft", chat_id=u.id, draft_id=1, text="x")["ok"]
    sim.disable_methods("sendMessageDraft")
    sim.reset()  # a reset enables everything again
    u = started_user(sim)
    assert api(sim, "sendMessageDraft", chat_id=u.id, draft_id=1, text="x")["ok"]


@pytest.mark.infra
def test_draft_expires():
    p = TgsimProcess(_exe(), tokens=[TOKEN], args=["--quiet", "--draft-lifetime-ms", "300"]).start()
    try:
        s = Sim(p.url)
        u = started_user(s)
        assert api(s, "sendMessageDraft", chat_id=u.id, draft_id=3, text="…думаю")["ok"]
        assert u.chat()["draft"]["text"] == "…думаю"
        time.sleep(0.5)
        assert u.chat()["draft"] is None
    finally:
        assert p.stop() == 0
