"""analytics: completed bookings count in revenue from the booking.changed
events the bookings plugin emits (here tests/plugins/bookprobe): one fact
per booking, the latest change wins (completed then cancelled counts
nowhere; a price corrected on completion counts at the new price), a
repeated event changes nothing, and a payload that cannot be read is
logged and skipped instead of failing the delivery forever."""

from __future__ import annotations

import json

import pytest

import hostkit as hk
import test_analytics_kit as ak


def facts(w):
    return w.db().execute("SELECT booking_id, status, price, completed_at IS NOT NULL FROM analytics_booking "
                          "ORDER BY booking_id").fetchall()


@pytest.mark.features("F-AN-01")
def test_bookings_count_once_at_their_final_state(tgsim, walord, tmp_path, free_port):
    w, _ = ak.start(walord, tmp_path, free_port)
    boss = hk.owner(tgsim)
    boss.send("/start")
    t = ak.now(w)
    assert ak.bp(boss, "/bp 10 pending 200000") == "bp:0"
    assert ak.bp(boss, "/bp 10 confirmed 200000") == "bp:0"
    assert ak.bp(boss, "/bp 10 completed 180000") == "bp:0"           # the final price
    assert ak.bp(boss, "/bp 11 completed 90000") == "bp:0"
    assert ak.bp(boss, "/bp 11 cancelled 90000") == "bp:0"            # undone: counts nowhere
    assert ak.bp(boss, f"/bp 12 completed 50000 done={t - 40 * 86400}") == "bp:0"   # long ago
    assert ak.bp(boss, "/bp_raw " + json.dumps({"v": 1, "booking_id": 13, "status": "done?", "price": 1})) == "bp:0"
    assert ak.bp(boss, "/bp_raw " + json.dumps({"v": 2, "booking_id": 14, "status": "completed", "price": 1})) == "bp:0"
    hk.wait_until(lambda: len(facts(w)) == 3, what="three booking facts")
    hk.wait_until(lambda: hk.scalar(w.db(), "SELECT count(*) FROM wh_event_deliveries d JOIN wh_events e ON "
                                    "e.id = d.event_id WHERE e.event = 'booking.changed' AND d.plugin = 'analytics' "
                                    "AND d.delivered_at IS NOT NULL") == 8, what="every event delivered")
    assert facts(w) == [(10, "completed", 180000, 1), (11, "cancelled", 90000, 0), (12, "completed", 50000, 1)]
    assert "booking.changed ignored: unreadable payload (booking 13)" in w.log_tail(400)
    assert "booking.changed ignored: unreadable payload (booking 14)" in w.log_tail(400)
    got = ak.figures(ak.stats(boss)["text"])
    assert got["today"] == 180000 == ak.expected_bookings(w.db(), ak.day_start(t), ak.day_start(t) + 86400)[0]
    assert got["all"] == 230000 == ak.expected_bookings(w.db(), 0, 2**62)[0]
    # the same change announced again (a redelivery, a repeat) changes nothing
    assert ak.bp(boss, "/bp 10 completed 180000") == "bp:0"
    assert ak.bp(boss, "/bp 15 confirmed 1000") == "bp:0"
    hk.wait_until(lambda: len(facts(w)) == 4, what="the next fact")
    assert ak.figures(ak.stats(boss)["text"])["all"] == 230000
