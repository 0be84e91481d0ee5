"""Shared bits of the support-groq e2e tests (tests/e2e/test_support_*.py).

walord runs catalog + orders + support-groq (and ordprobe, the test plugin
that creates a customer's orders and is the `stock` provider) against tgsim
and the fake OpenAI-compatible server (tests/fakes/openai). The fake is
scripted per test: ai.say(...), ai.call_tool(...), ai.fail(...), and every
request it got is in ai.calls(), so a test reads what the prompt held."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import hostkit as hk
from test_catalog_browse import Shop
from test_loyalty_kit import customer, manager  # noqa: F401  (re-exported)
from test_orders_kit import clock, cmd, new_order  # noqa: F401  (re-exported)

FAKES = Path(__file__).resolve().parents[1] / "fakes"
sys.path[:0] = [str(FAKES / "cdek"), str(FAKES / "openai")]

from fake_openai import FakeOpenAI  # noqa: E402

KEYS = ["gsk_live_key_one_AAAA", "gsk_live_key_two_BBBB"]
SUPPORT = "💬 Поддержка"
OPERATOR = "👤 Оператор"
ESCALATED = "Передал ваш вопрос оператору"
AI_DOWN = "Ассистент сейчас недоступен"


@pytest.fixture
def ai():
    f = FakeOpenAI(keys=KEYS).start()
    yield f
    f.stop()


def ini(ai, keys=KEYS, **extra) -> str:
    conf = {"base_url": ai.base_url, "keys": ", ".join(keys), "timeout_s": 10, "idle_timeout_s": 2,
            "draft_interval_ms": 200}
    conf.update(extra)
    return "[plugin.support-groq]\n" + "".join(f"{k} = {v}\n" for k, v in conf.items())


def start(walord, tmp_path, free_port, ai, keys=KEYS, settings: str = "", stock: bool = True, more=(), **extra):
    port = free_port()
    plugins = ["catalog", "orders", "ordprobe", "support-groq"] + list(more)
    conf = {"50-ordprobe.ini": "[plugin.ordprobe]\n" + ("stock = yes\n" if stock else ""),
            "80-support-groq.ini": ini(ai, keys, **extra) + settings}
    w = hk.start(walord, tmp_path, plugins=plugins, extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files=conf)
    w.port = port
    w.shop = Shop(w)
    return w


def escalated(tgsim, w, m, name="Анна"):
    """A customer who sent /operator, the ticket waiting, the push at manager m: (customer, ticket id)."""
    u = customer(tgsim, name)
    u.send("/operator")
    u.expect(ESCALATED)
    tid = wait_ticket(w, u.id, "wait")[0]
    m.expect(f"Обращение №{tid}")
    return u, tid


def open_support(u):
    u.send("/start")
    u.press(SUPPORT)
    return u.expect("Поддержка")


def bot_texts(u):
    return [m.get("text") or m.get("caption") or "" for m in u.bot_messages()]


def ask(u, question, expect, timeout=15):
    """Sends a question in the support conversation and waits for a new bot
    message containing `expect` (the final answer, not a draft)."""
    before = len(u.bot_messages())
    u.send(question, wait=False)
    return after(u, before, expect, timeout)


def after(u, before, expect, timeout=15):
    """The first bot message past the first `before` that contains `expect`."""
    def found(chat):
        bots = [m for m in chat["messages"] if m["from"] == "bot"][before:]
        return next((m for m in bots if expect in (m.get("text") or m.get("caption") or "")), None)
    return u.wait_for(found, timeout, what=f"a new bot message containing {expect!r}")


def system_prompt(call) -> str:
    return call["body"]["messages"][0]["content"]


def last_user(call) -> str:
    return [m for m in call["body"]["messages"] if m["role"] == "user"][-1]["content"]


def ticket(w, user_id):
    con = w.db()
    row = con.execute("SELECT id, status, reason, operator_id FROM support_ticket WHERE user_id = ? "
                      "ORDER BY id DESC LIMIT 1", (user_id,)).fetchone()
    return row


def wait_ticket(w, user_id, status, timeout=10):
    return hk.wait_until(lambda: (ticket(w, user_id) or (None, None))[1] == status and ticket(w, user_id),
                         timeout=timeout, what=f"ticket of {user_id} in status {status}")


def messages(w, ticket_id):
    return w.db().execute("SELECT author, kind, text, for_ai FROM support_message WHERE ticket_id = ? ORDER BY id",
                          (ticket_id,)).fetchall()


def echo_products(body):
    """A model that answers with the product lines of its system prompt."""
    sysp = body["messages"][0]["content"]
    at = sysp.find("Товары из каталога")
    if at < 0:
        return {"content": "Такого товара нет."}
    lines = [ln.strip() for ln in sysp[at:].splitlines()[1:] if ln.strip()]
    return {"content": "По каталогу:\n" + "\n".join(lines)}


def prices_in(text):
    return re.findall(r"\d[\d  ]*(?:,\d\d)? ₽", text)
