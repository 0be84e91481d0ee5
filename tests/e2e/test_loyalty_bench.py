"""The loyalty quote, measured (never asserted): N calls of the pricing
provider's adjust() for a 10-line order with every adjustment present
(personal discount, promo code, certificate, all bonuses), through the test
plugin tests/plugins/loybench, in the real walord with its SQLite database.
The benchmark runs only with WALOR_BENCH=1:

    WALOR_BENCH=1 /usr/bin/python3 -m pytest tests/e2e/test_loyalty_bench.py -q -s

and prints `bench: quote_per_s=… lines=4`."""

from __future__ import annotations

import os
import re

import pytest

import hostkit as hk
from test_loyalty_kit import LOYALTY_INI, cert, customer, promo

N = int(os.environ.get("BENCH_LOYALTY_N", "20000"))


def prepare(walord, tmp_path, tgsim):
    w = hk.start(walord, tmp_path, plugins=["loyalty", "loybench"], conf_files={"70-loyalty.ini": LOYALTY_INI})
    promo(w, "WELCOME", 10)
    cert(w, "GIFT-BENCH", 300000)
    u = customer(tgsim, "Бенч")
    con = w.db()
    con.execute("INSERT INTO loyalty_ledger(user_id, amount, kind, note, created_at) VALUES (?, 100000, 'manual', "
                "'бенч', 0)", (u.id,))
    con.execute("INSERT INTO loyalty_personal(user_id, pct, set_at) VALUES (?, 5, 0)", (u.id,))
    con.commit()
    return w, u


def run(u, n):
    u.send(f"/loybench {n} WELCOME GIFT-BENCH", timeout=600)
    got = u.screen().text
    assert re.fullmatch(r"bench: quote_per_s=\d+ lines=\d+", got), got
    return got


@pytest.mark.features("F-LOY-02", "F-LOY-07", "F-LOY-08", "F-LOY-09")
def test_every_adjustment_present(tgsim, walord, tmp_path):
    w, u = prepare(walord, tmp_path, tgsim)
    assert run(u, 1).endswith("lines=4")


@pytest.mark.skipif(os.environ.get("WALOR_BENCH") != "1", reason="a benchmark: WALOR_BENCH=1 runs it")
@pytest.mark.features("F-LOY-02")
def test_bench_quote(tgsim, walord, tmp_path):
    w, u = prepare(walord, tmp_path, tgsim)
    print(run(u, N))
