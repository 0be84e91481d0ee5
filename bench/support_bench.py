#!/usr/bin/env python3
"""support_bench: 50 customers talking to a slow streaming model while other
customers browse the catalog — does the shop stay fast? (support-groq,
walor_http_start: a model call must not hold a worker thread)

    WALOR_BUILD_DIR=build /usr/bin/python3 bench/support_bench.py [--streams 50] [--tps 30] [--seconds 15]

1. tgsim, the fake OpenAI-compatible server (tests/fakes/openai, in this
   process) sending --tps tokens a second, and walord with catalog +
   support-groq (production settings: 4 workers, drafts once a second);
   the catalog of catalog_bench.py (10,000 products) seeded into a stopped
   walord's database;
2. idle: --browsers customers browse the catalog closed loop for --seconds
   (category pages and product cards, as catalog_bench does): p99 latency;
3. streaming: --streams other customers each ask the assistant, wait for
   the whole streamed answer (60 tokens, 2 s at 30 tokens/s: drafts, then
   the message), and ask again, for as long as the same browsing runs
   again: p99 latency of the browsing, the streams in flight (sampled from
   the fake), the answers completed.

Prints one line on stdout:
    bench: support_streams=N support_tps=T browse_idle_p99_ms=X browse_streaming_p99_ms=Y
           browse_p99_ratio=R support_answers=A support_inflight_avg=F
details on stderr. Exit 1 on any failure. Measured, never asserted: the aim
(docs/PERFORMANCE.md) is a ratio within 2.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchkit import REPO, build_dir, built, fail, finish, plugin_dir, start_tgsim, start_walord, stop, write_ini
from catalog_bench import Ctl, browse, p99_ms, seed, shoppers

sys.path[:0] = [str(REPO / "tests" / "fakes" / "cdek"), str(REPO / "tests" / "fakes" / "openai")]
from fake_openai import FakeOpenAI  # noqa: E402

KEY = "gsk_bench_key"
ANSWER_WORDS = 59  # + "конец" = 60 tokens


def main() -> None:
    ap = argparse.ArgumentParser(description="support streaming benchmark")
    ap.add_argument("--streams", type=int, default=50)
    ap.add_argument("--tps", type=float, default=30)
    ap.add_argument("--browsers", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()

    bdir = build_dir()
    walord, tgsim = bdir / "bin" / "walord", bdir / "bin" / "tgsim"
    built(walord, tgsim)
    work = Path(tempfile.mkdtemp(prefix="walor-supbench-"))
    procs: list[tuple[subprocess.Popen, str]] = []
    ai = FakeOpenAI(keys=[KEY])
    ai.tokens_per_s = a.tps
    counter = [0]
    clock = threading.Lock()

    def answer(body):
        with clock:
            counter[0] += 1
            n = counter[0]
        return {"content": " ".join(f"слово{i}" for i in range(ANSWER_WORDS)) + f" конец{n}"}
    ai.default = answer
    ok = False
    try:
        ai.start()
        # a short chat history keeps the talkers' long polls (woken by every draft) small
        sim, port = start_tgsim(tgsim, work, "--log-cap", "20000", "--chat-history", "8")
        procs.append((sim, "tgsim"))
        pdir = plugin_dir(bdir, work, ["catalog", "support-groq"])
        ini = write_ini(work, pdir, "catalog, support-groq", port,
                        "\n[plugin.catalog]\nenabled = yes\npage_size = 8\n"
                        f"\n[plugin.support-groq]\nenabled = yes\nbase_url = {ai.base_url}\nkeys = {KEY}\n"
                        "per_minute = 60\ndaily_tokens = 0\ntools = off\n")
        log = work / "walord.log"
        w = start_walord(walord, ini, log)
        stop(w, "walord (first run)", timeout=15)
        cats, prods = seed(work / "walor.db")
        w = start_walord(walord, ini, log)
        procs.append((w, "walord"))

        ctl = Ctl(port)
        browsers = shoppers(ctl, a.browsers)
        talkers = [uid for uid, _ in shoppers(ctl, a.streams, "Собеседник", "/support")]
        idle, _ = browse(port, browsers, cats, prods, a.seconds, 1)

        # the streams: ask, wait for the final message, ask again
        done = threading.Event()
        answers, errors, lock = [0], [], threading.Lock()

        def talk(uid: int) -> None:
            c, last = Ctl(port), 0
            try:
                while not done.is_set():
                    c.call("POST", f"users/{uid}/send", {"text": "Расскажите о чае подробно"})
                    deadline = time.monotonic() + 60
                    # the answer takes 60 tokens / tps; then look twice a second (a long poll
                    # would wake on every draft and load tgsim more than walord)
                    time.sleep(ANSWER_WORDS / a.tps * 0.8)
                    while True:  # until a newer message carries the answer's last word
                        chat = c.call("GET", f"users/{uid}/chat")
                        ends = [m["message_id"] for m in chat["messages"]
                                if m["from"] == "bot" and "конец" in (m.get("text") or "")]
                        if ends and ends[-1] > last:
                            last = ends[-1]
                            break
                        if time.monotonic() > deadline:
                            raise RuntimeError("no answer within 60 s")
                        time.sleep(0.5)
                    with lock:
                        answers[0] += 1
            except Exception as e:  # noqa: BLE001 - reported, fails the run
                with lock:
                    errors.append(f"talker {uid}: {e}")

        threads = [threading.Thread(target=talk, args=(uid,)) for uid in talkers]
        for t in threads:
            t.start()
        time.sleep(4)  # every conversation is streaming before the browsing starts
        base = answers[0]
        t0 = time.monotonic()
        busy, _ = browse(port, browsers, cats, prods, a.seconds, 2)
        elapsed = time.monotonic() - t0
        got = answers[0] - base
        done.set()
        for t in threads:
            t.join()
        if errors:
            fail("; ".join(errors[:3]))
        if w.poll() is not None:
            fail("walord died during the run")
        procs.remove((w, "walord"))
        stop(w, "walord", timeout=20)
        # streams in flight: answers complete every 60/tps s per stream
        inflight = got * (ANSWER_WORDS + 1) / a.tps / elapsed if elapsed else 0
        idle_p99, busy_p99 = p99_ms(idle), p99_ms(busy)
        ratio = busy_p99 / idle_p99 if idle_p99 else 0
        print(f"support_bench: {a.streams} streams at {a.tps:g} tokens/s, {a.browsers} browsers; idle {len(idle)} "
              f"ops p50 {idle[len(idle) // 2] * 1000:.2f} ms, streaming {len(busy)} ops p50 "
              f"{busy[len(busy) // 2] * 1000:.2f} ms; {got} answers in {elapsed:.1f} s", file=sys.stderr)
        print(f"bench: support_streams={a.streams} support_tps={a.tps:g} browse_idle_p99_ms={idle_p99:.1f} "
              f"browse_streaming_p99_ms={busy_p99:.1f} browse_p99_ratio={ratio:.2f} support_answers={got} "
              f"support_inflight_avg={inflight:.1f}")
        ok = True
    finally:
        finish(procs, work, ok, a.keep)
        ai.stop()


if __name__ == "__main__":
    main()
