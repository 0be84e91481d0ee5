"""The loyalty quote, measured: N calls of the pricing provider's adjust()
for a 10-line order with every adjustment present (personal discount, promo
code, certificate, all bonuses), through the test plugin tests/plugins/loybench,
in the real walord with its SQLite database. tests/e2e/test_loyalty_checkout.py
checks the same call once (four adjustment lines); this only measures.

    WALOR_BUILD_DIR=$PWD/build /usr/bin/python3 -m pytest bench/e2e/bench_loyalty_quote.py -q -s

prints `bench: quote_per_s=… lines=4` (BENCH_LOYALTY_N quotes, default 20000)."""

from __future__ import annotations

import os

from test_loyalty_kit import quote_run, quote_setup

N = int(os.environ.get("BENCH_LOYALTY_N", "20000"))


def bench_quote(tgsim, walord, tmp_path):
    w, u = quote_setup(walord, tmp_path, tgsim)
    print(quote_run(u, N))
