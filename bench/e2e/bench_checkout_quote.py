"""The checkout's real-time quote, measured (not asserted): the time from the
customer's typed address to the delivery screen with both CDEK rates — one
DaData clean, one DaData findById, two CDEK tariff calls and the quote — with
every fake answering in 50 ms (BENCH_CHECKOUT_N checkouts, default 50):

    WALOR_BUILD_DIR=$PWD/build /usr/bin/python3 -m pytest bench/e2e/bench_checkout_quote.py -q -s

prints `bench: checkout_quote_p50_ms=… checkout_quote_p99_ms=… n=…`."""

from __future__ import annotations

import os
import time

from test_checkout_flow import Checkout, buy, cdek, contacts, dadata, default_prices, to_checkout  # noqa: F401

N = int(os.environ.get("BENCH_CHECKOUT_N", "50"))


def bench_checkout_quote(tgsim, walord, tmp_path, cdek, dadata, free_port):
    k = Checkout(walord, tmp_path, cdek, dadata, free_port)
    default_prices(cdek)
    pid = k.shop.product("Бенч", variants=[("1 шт", 100000, 300)])
    u = tgsim.user("Бенч")
    buy(u, pid, "1 шт — 1 000 ₽")
    to_checkout(u)
    contacts(u, "Бенч", "89160000009", None)
    cdek.fault("/v2/", status=0, delay_ms=50, count=-1)
    dadata.fault("/", status=0, delay_ms=50, count=-1)
    took = []
    for i in range(N):
        t0 = time.monotonic()
        u.send("Москва, Тверская 1")
        took.append((time.monotonic() - t0) * 1000)
        assert "🏪 Пункт выдачи СДЭК — 250 ₽" in u.screen().button_texts, u.dump()
        u.press("🏪 Пункт выдачи СДЭК — 250 ₽")
        u.press("1. ул. Тверская, 3")
        if i == 0:
            u.press("Без комментария")
        u.press("✏️ Адрес")
    took.sort()
    p50 = took[len(took) // 2]
    p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
    print(f"\nbench: checkout_quote_p50_ms={p50:.0f} checkout_quote_p99_ms={p99:.0f} n={len(took)}")
