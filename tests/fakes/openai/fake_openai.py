"""A fake of an OpenAI-compatible chat completions API (shared/design/EXTERNAL-APIS.md §4:
Groq; §4.6: the portable subset OpenAI, Ollama, vLLM and llama.cpp share), stdlib only.

    from fake_openai import FakeOpenAI
    ai = FakeOpenAI(keys=["gsk_one", "gsk_two"]).start()
    ai.base_url                          # ".../openai/v1" (Groq's path); ".../v1" works too
    ai.say("Да, есть в наличии.")        # the next answer (FIFO queue of scripted answers)
    ai.call_tool("find_product", query="чай")          # the next answer is a tool call
    ai.script(lambda req: {"content": ...})            # an answer computed from the request
    ai.fail(500) / ai.fail(429, retry_after=7) / ai.hang() / ai.cut(after_tokens=3)
    ai.revoke("gsk_one")                 # this key gets 401 from now on (403 with status=403)
    ai.limit("gsk_two", retry_after=30)  # this key gets one 429 with retry-after: 30
    ai.tokens_per_s = 30                 # slow mode: every stream sends 30 tokens a second
    ai.tools = False                     # a server without tool calling: 400 when "tools" is sent
    ai.calls()                           # every request: {"key", "path", "stream", "body"}
    ai.release()                         # let hanging requests go

Answers (a dict, or a callable taking the request body and returning one):
    {"content": "text"}                             finish_reason "stop"
    {"tool_calls": [{"name": "f", "arguments": {...}}], "content": None}
    {"status": 500|503|429|400, "message": "...", "retry_after": 7}
    {"hang": True}                                  headers only (streams), then nothing
    {"cut_after": 3, "content": "..."}              a stream that stops after 3 tokens, no [DONE]
With no scripted answer left, `default(body)` answers (a polite greeting unless replaced).

Streaming ("stream": true) is text/event-stream: "data: {chat.completion.chunk}" lines, the
first with the role, one per token (a token is a word with its trailing space), tool call
arguments split over several chunks as OpenAI sends them, a final chunk with finish_reason,
`usage` and Groq's `x_groq.usage`, then "data: [DONE]". Requests are checked like Groq does:
no or unknown bearer key 401; an unknown model 404; `n` other than 1, `logprobs`,
`logit_bias`, `messages[].name`, a role other than system/user/assistant/tool: 400.
Every 429 carries `retry-after` and the x-ratelimit-* headers; other answers only the latter.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Union

from fakehttp import Cut, Fake, Response

MODEL = "llama-3.3-70b-versatile"
Answer = Union[dict, Callable[[dict], dict]]


def tokens_of(text: str) -> List[str]:
    return re.findall(r"\S+\s*|\s+", text) or [""]


class FakeOpenAI(Fake):
    name = "fake-openai"

    def __init__(self, keys=("gsk_test_key_1",), model: str = MODEL) -> None:
        super().__init__()
        self.keys: Dict[str, Any] = {k: "ok" for k in keys}  # "ok", 401, 403
        self.key_limits: Dict[str, List[int]] = {}          # key -> [retry_after, count]
        self.model = model
        self.answers: List[Answer] = []
        self.tokens_per_s = 0.0
        self.tools = True
        self.default: Callable[[dict], dict] = lambda body: {"content": "Здравствуйте! Чем могу помочь?"}
        self._release = threading.Event()
        self._calls: List[dict] = []

    @property
    def base_url(self) -> str:
        return self.url + "/openai/v1"

    # ---- scripting
    def say(self, content: str, **kw) -> None:
        with self.lock:
            self.answers.append(dict(kw, content=content))

    def call_tool(self, name: str, **arguments) -> None:
        with self.lock:
            self.answers.append({"tool_calls": [{"name": name, "arguments": arguments}]})

    def script(self, fn: Answer) -> None:
        with self.lock:
            self.answers.append(fn)

    def fail(self, status: int = 500, count: int = 1, retry_after: Optional[int] = None,
             message: Optional[str] = None) -> None:
        with self.lock:
            for _ in range(count):
                self.answers.append({"status": status, "retry_after": retry_after, "message": message})

    def hang(self, count: int = 1) -> None:
        with self.lock:
            self.answers.extend({"hang": True} for _ in range(count))

    def cut(self, after_tokens: int = 3, content: str = "Этот ответ оборвётся на середине, "
                                                      "и клиент должен это заметить.") -> None:
        with self.lock:
            self.answers.append({"cut_after": after_tokens, "content": content})

    def revoke(self, key: str, status: int = 401) -> None:
        with self.lock:
            self.keys[key] = status

    def limit(self, key: str, retry_after: int = 30, count: int = 1) -> None:
        """The next `count` requests with this key get 429 (count -1: all of them)."""
        with self.lock:
            self.key_limits[key] = [retry_after, count]

    def release(self) -> None:
        self._release.set()

    def calls(self) -> List[dict]:
        with self.lock:
            return list(self._calls)

    def stop(self) -> None:
        self._release.set()
        super().stop()

    # ---- the API
    def handle(self, method: str, path: str, q: dict, hdrs: dict, body: Any) -> Response:
        p = re.sub(r"^/openai", "", path)
        auth = hdrs.get("authorization", "")
        key = auth[7:] if auth.startswith("Bearer ") else ""
        if p == "/v1/models" and method == "GET":
            return self._models(key)
        if p != "/v1/chat/completions" or method != "POST":
            return Response(404, {"error": {"message": "Unknown request URL", "type": "invalid_request_error",
                                            "code": "unknown_url"}})
        with self.lock:
            self._calls.append({"key": key, "path": path, "stream": bool(isinstance(body, dict) and
                                                                         body.get("stream")),
                                "body": body})
            state = self.keys.get(key)
            limited_for = None
            lim = self.key_limits.get(key)
            if state == "ok" and lim and lim[1] != 0:
                if lim[1] > 0:
                    lim[1] -= 1
                limited_for = lim[0]
        if state is None:
            return self._error(401, "Invalid API Key", "invalid_request_error", "invalid_api_key")
        if state in (401, 403):
            return self._error(state, "Invalid API Key" if state == 401 else "Forbidden",
                               "invalid_request_error" if state == 401 else "permission_error",
                               "invalid_api_key" if state == 401 else "forbidden")
        if limited_for is not None:
            return self._rate_limited(limited_for)
        bad = self._validate(body)
        if bad:
            return bad
        answer = self._next_answer(body)
        if "status" in answer:
            st = answer["status"]
            if st == 429:
                return self._rate_limited(answer.get("retry_after") or 7)
            return self._error(st, answer.get("message") or {400: "Bad request", 500: "Internal Server Error",
                                                             503: "Service Unavailable"}.get(st, "error"),
                               "invalid_request_error" if st < 500 else "internal_server_error", None)
        if body.get("stream"):
            return Response(200, self._sse(body, answer), self._headers({"Content-Type": "text/event-stream"}))
        if answer.get("hang"):
            self._release.wait(120)
            return Response(503, {"error": {"message": "released"}})
        return Response(200, self._completion(body, answer), self._headers())

    def _models(self, key: str) -> Response:
        if self.keys.get(key) != "ok":
            return self._error(401, "Invalid API Key", "invalid_request_error", "invalid_api_key")
        return Response(200, {"object": "list", "data": [{"id": self.model, "object": "model",
                                                          "owned_by": "Meta", "active": True}]})

    def _next_answer(self, body: dict) -> dict:
        with self.lock:
            a = self.answers.pop(0) if self.answers else None
        if a is None:
            a = self.default
        return a(body) if callable(a) else a

    def _validate(self, body: Any) -> Optional[Response]:
        if not isinstance(body, dict):
            return self._error(400, "request body must be a JSON object", "invalid_request_error", None)
        if body.get("model") != self.model:
            return self._error(404, f"The model `{body.get('model')}` does not exist or you do not have "
                                    "access to it.", "invalid_request_error", "model_not_found")
        for k in ("logprobs", "logit_bias", "top_logprobs"):
            if k in body:
                return self._error(400, f"`{k}` is not supported with this model", "invalid_request_error", None)
        if body.get("n", 1) != 1:
            return self._error(400, "'n' : number must be at most 1", "invalid_request_error", None)
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not msgs:
            return self._error(400, "'messages' : minimum number of items is 1", "invalid_request_error", None)
        for m in msgs:
            if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool"):
                return self._error(400, "'messages.role' : value is not one of the allowed values",
                                   "invalid_request_error", None)
            if "name" in m:
                return self._error(400, "'messages.name' : property 'name' is unsupported",
                                   "invalid_request_error", None)
            if m["role"] == "tool" and not m.get("tool_call_id"):
                return self._error(400, "'messages.tool_call_id' is required for tool messages",
                                   "invalid_request_error", None)
        if body.get("tools") and not self.tools:
            return self._error(400, "tools are not supported by this model", "invalid_request_error", None)
        return None

    def _headers(self, extra: Optional[dict] = None) -> dict:
        h = {"x-ratelimit-limit-requests": "14400", "x-ratelimit-limit-tokens": "6000",
             "x-ratelimit-remaining-requests": "14399", "x-ratelimit-remaining-tokens": "5800",
             "x-ratelimit-reset-requests": "6s", "x-ratelimit-reset-tokens": "2.2s"}
        h.update(extra or {})
        return h

    def _error(self, status: int, message: str, typ: str, code: Optional[str]) -> Response:
        err = {"message": message, "type": typ}
        if code:
            err["code"] = code
        return Response(status, {"error": err}, self._headers())

    def _rate_limited(self, retry_after: int) -> Response:
        return Response(429, {"error": {"message": f"Rate limit reached for model `{self.model}` on tokens per "
                                                   f"minute (TPM). Please try again in {retry_after}s.",
                                        "type": "tokens", "code": "rate_limit_exceeded"}},
                        self._headers({"retry-after": str(retry_after), "x-ratelimit-remaining-tokens": "0"}))

    @staticmethod
    def _usage(body: dict, completion: int) -> dict:
        prompt = max(1, len(json.dumps(body.get("messages", []), ensure_ascii=False)) // 4)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                "queue_time": 0.01, "prompt_time": 0.001, "completion_time": 0.01, "total_time": 0.02}

    def _tool_calls(self, answer: dict) -> List[dict]:
        out = []
        for i, t in enumerate(answer.get("tool_calls") or []):
            args = t.get("arguments", {})
            out.append({"id": t.get("id") or f"call_{uuid.uuid4().hex[:12]}", "type": "function",
                        "function": {"name": t["name"],
                                     "arguments": args if isinstance(args, str) else
                                     json.dumps(args, ensure_ascii=False)}, "index": i})
        return out

    def _completion(self, body: dict, answer: dict) -> dict:
        calls = self._tool_calls(answer)
        msg: Dict[str, Any] = {"role": "assistant", "content": answer.get("content")}
        if calls:
            msg["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in calls]
        ntok = len(tokens_of(answer.get("content") or ""))
        return {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion", "created": int(time.time()),
                "model": self.model,
                "choices": [{"index": 0, "message": msg, "logprobs": None,
                             "finish_reason": "tool_calls" if calls else "stop"}],
                "usage": self._usage(body, ntok), "system_fingerprint": "fp_fake",
                "x_groq": {"id": "req_" + uuid.uuid4().hex}}

    def _sse(self, body: dict, answer: dict):
        cid = "chatcmpl-" + uuid.uuid4().hex
        created = int(time.time())

        def chunk(delta: dict, finish: Optional[str] = None, usage: Optional[dict] = None) -> bytes:
            c: Dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created,
                                 "model": self.model, "system_fingerprint": "fp_fake",
                                 "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                              "finish_reason": finish}]}
            if usage:
                c["x_groq"] = {"id": "req_" + uuid.uuid4().hex, "usage": usage}
                c["usage"] = usage
            return b"data: " + json.dumps(c, ensure_ascii=False).encode() + b"\n\n"

        def pace() -> None:
            if self.tokens_per_s:
                time.sleep(1.0 / self.tokens_per_s)

        def gen():
            if answer.get("hang"):  # the headers went out; nothing follows
                self._release.wait(120)
                raise Cut()
            calls = self._tool_calls(answer)
            content = answer.get("content")
            if calls:
                yield chunk({"role": "assistant", "content": None})
                for c in calls:
                    args = c["function"]["arguments"]
                    yield chunk({"tool_calls": [{"index": c["index"], "id": c["id"], "type": "function",
                                                 "function": {"name": c["function"]["name"], "arguments": ""}}]})
                    for i in range(0, len(args), 7):
                        pace()
                        yield chunk({"tool_calls": [{"index": c["index"],
                                                     "function": {"arguments": args[i:i + 7]}}]})
                yield chunk({}, "tool_calls", self._usage(body, len(calls) * 5))
                yield b"data: [DONE]\n\n"
                return
            toks = tokens_of(content or "")
            yield chunk({"role": "assistant", "content": ""})
            for i, t in enumerate(toks):
                if answer.get("cut_after") is not None and i >= answer["cut_after"]:
                    raise Cut()
                pace()
                yield chunk({"content": t})
            yield chunk({}, "stop", self._usage(body, len(toks)))
            yield b"data: [DONE]\n\n"

        return gen()


def demo_answer(body: dict) -> dict:
    """The offline demo's model: names what the shop's catalog gave it for the
    question (so the answer is grounded and gets product buttons), else says
    it found nothing; asks for a person when the customer does."""
    msgs = body.get("messages") or [{}]
    question = next((m.get("content") or "" for m in reversed(msgs) if m.get("role") == "user"), "")
    if any(w in question.lower() for w in ("оператор", "человек", "жалоб")):
        return {"content": "Сейчас позову оператора. [[ОПЕРАТОР]]"}
    system = msgs[0].get("content") or ""
    at = system.find("Товары из каталога")
    lines = [ln.strip() for ln in system[at:].splitlines()[1:] if ln.strip()] if at >= 0 else []
    if not lines:
        return {"content": "В каталоге я такого не нашёл. Уточните, что вы ищете, — или нажмите «👤 Оператор»."}
    return {"content": "Вот что есть в каталоге:\n" + "\n".join(lines[:12]) + "\nПодсказать что-то ещё?"}


def main() -> None:  # python3 fake_openai.py: the demo's model (tools/run-demo.sh)
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens-per-s", type=float, default=25)
    a = ap.parse_args()
    f = FakeOpenAI(keys=["demo-key"]).start()
    f.tools = False  # retrieval only: the answer is built from the prompt's products
    f.tokens_per_s = a.tokens_per_s
    f.default = demo_answer
    print(f"fake OpenAI-compatible model at {f.base_url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
