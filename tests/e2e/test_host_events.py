"""Events (transactional outbox, delivered after commit, in order per
aggregate, exactly once in effect) and services (versioned tables checked at
start). Plugins: tests/plugins/evpub (publisher, provides "counter" 1.3),
tests/plugins/evsub (subscriber, requires "counter" 1.2) and evsub2
(requires "counter" 2.0: refused)."""

from __future__ import annotations

import json

import pytest

import hostkit as hk


def _seen(con, agg=None):
    if agg is None:
        return con.execute("SELECT aggregate, n FROM evsub_seen ORDER BY id").fetchall()
    return [r[0] for r in con.execute("SELECT n FROM evsub_seen WHERE aggregate = ? ORDER BY id", (agg,))]


def _emitted(con, agg):
    """n of each event of the aggregate, in event (commit) order."""
    return [json.loads(r[0])["n"] for r in
            con.execute("SELECT payload FROM wh_events WHERE aggregate = ? ORDER BY id", (agg,))]


@pytest.mark.infra
def test_order_per_aggregate_rollback_and_service_versions(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["evpub", "evsub", "evsub2"])
    log = w.log()
    want = r"plugin evsub2 refused: requires service counter 2\.0, but only counter 1\.3 \(evpub\) is loaded"
    assert hk.count_lines(log, want) == 1, w.log_tail(40)
    assert hk.count_lines(log, r"plugin evsub refused") == 0, w.log_tail(40)

    ann, bob = tgsim.user("Анна"), tgsim.user("Борис")
    ann.send("/counter")
    ann.expect("counter 1.3 (3): 0")       # evsub got the 1.3 table though it asked for >= 1.2

    # two chats emit into two aggregates at the same time, a third batch follows
    ann.send("/emit 4 a", wait=False)
    bob.send("/emit 4 b", wait=False)
    ann.expect("emit:4")
    bob.expect("emit:4")
    ann.send("/emit 3 a")
    ann.expect("emit:3")
    con = w.db()
    t = 5 * w.scale
    hk.wait_until(lambda: len(_seen(con, "a")) >= 7 and len(_seen(con, "b")) >= 4, timeout=t,
                  what="11 deliveries")
    assert _emitted(con, "a") == [1, 2, 3, 4, 1, 2, 3]
    assert _seen(con, "a") == _emitted(con, "a")
    assert _seen(con, "b") == _emitted(con, "b") == [1, 2, 3, 4]
    assert con.execute("SELECT DISTINCT svc_minor, v FROM evsub_seen").fetchall() == [(3, 1)]

    # rolled back: neither the row nor the event exists, nothing is delivered
    ann.send("/emitfail")
    ann.expect("emitfail")
    # an event outside any transaction, without "v": the host adds "v": 1
    ann.send("/emitone x")
    ann.expect("emitone")
    hk.wait_until(lambda: _seen(con, "x"), timeout=t, what="the event of /emitone")
    assert hk.scalar(con, "SELECT v FROM evsub_seen WHERE aggregate = 'x'") == 1
    assert json.loads(hk.scalar(con, "SELECT payload FROM wh_events WHERE aggregate = 'x'"))["v"] == 1
    assert hk.scalar(con, "SELECT count(*) FROM wh_events WHERE aggregate = 'fail'") == 0
    assert hk.scalar(con, "SELECT count(*) FROM evpub_rows WHERE agg = 'fail'") == 0
    assert _seen(con, "fail") == []

    # the refused subscriber gets nothing; every delivery of evsub is marked once
    assert hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE plugin = 'evsub2'") == 0
    assert hk.scalar(con, "SELECT count(*) FROM evsub2_seen") == 0
    rows = con.execute("SELECT count(*), count(delivered_at), sum(attempts) FROM wh_event_deliveries "
                       "WHERE plugin = 'evsub'").fetchone()
    assert rows == (12, 12, 12), rows
    w.stop()


@pytest.mark.infra
def test_failing_subscriber_is_retried_and_blocks_only_its_aggregate(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["evpub", "evsub"])
    u = tgsim.user("Вера")
    con = w.db()
    u.send("/failnext 3 r")                  # two error returns, then a rolled-back nested level
    u.expect("failnext:3")
    u.send("/emit 3 r")
    u.expect("emit:3")
    hk.wait_until(lambda: hk.scalar(con, "SELECT attempts FROM wh_event_deliveries d JOIN wh_events e "
                                         "ON e.id = d.event_id WHERE e.aggregate = 'r' ORDER BY e.id LIMIT 1"),
                  timeout=5 * w.scale, what="the first failed attempt")
    # another aggregate is not held up by r's retries
    u.send("/emitone other")
    u.expect("emitone")
    hk.wait_until(lambda: _seen(con, "other"), timeout=2 * w.scale, what="the other aggregate's event")
    assert _seen(con, "r") == [], "r's later events overtook its failing first one"
    # retried after 1 s and 2 s, then delivered once, in order
    hk.wait_until(lambda: len(_seen(con, "r")) >= 3, timeout=10 * w.scale, what="r delivered after retries")
    assert _seen(con, "r") == [1, 2, 3]
    # the second run rolled back a nested level: its row is gone, the outer row stayed
    # and the delivery counted (a level's rollback undoes that level only)
    assert _seen(con, "nested") == []
    att = con.execute("SELECT d.attempts, d.last_error, d.failed_at FROM wh_event_deliveries d JOIN wh_events e "
                      "ON e.id = d.event_id WHERE e.aggregate = 'r' ORDER BY e.id").fetchall()
    assert att == [(3, None, None), (1, None, None), (1, None, None)], att
    log = w.log()
    assert hk.count_lines(log, r"\[evsub\] event evpub\.tick #\d+ \(aggregate 'r'\) attempt \d failed") == 2, \
        w.log_tail(40)
    assert hk.count_lines(log, r"attempt 1 failed, retry in 1 s: invalid argument") == 1
    assert hk.count_lines(log, r"attempt 2 failed, retry in 2 s: invalid argument") == 1
    w.stop()


@pytest.mark.infra
def test_crash_between_commit_and_delivery_delivers_each_event_once(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["evpub", "evsub"])
    u = tgsim.user("Глеб")
    con = w.db()
    u.send("/evslow 300")                    # each delivery sleeps inside its transaction
    u.expect("evslow:300")
    u.send("/emit 6 k")
    u.expect("emit:6")
    hk.wait_until(lambda: _seen(con, "k"), timeout=5 * w.scale, what="the first delivery")
    w.kill9()                                # mid-delivery: one sleeping in its transaction, others pending
    before = len(_seen(con, "k"))
    assert 1 <= before < 6, before
    w.start()                                # the knob is gone with the process: no more sleeping
    hk.wait_until(lambda: len(_seen(con, "k")) >= 6, timeout=5 * w.scale, what="the rest after the restart")
    assert _seen(con, "k") == [1, 2, 3, 4, 5, 6]
    assert hk.scalar(con, "SELECT count(*) FROM wh_event_deliveries WHERE delivered_at IS NULL") == 0
    print(f"delivered before the kill: {before}/6")
    w.stop()


@pytest.mark.infra
def test_missing_provider_refuses_consumer_and_host_runs(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=["hello", "evsub"])
    want = r"plugin evsub refused: requires service counter 1\.2, but no loaded plugin provides it"
    assert hk.count_lines(w.log(), want) == 1, w.log_tail(40)
    u = tgsim.user("Дина")
    u.send("/counter")                       # the refused plugin's command is gone
    u.expect(hk.UNKNOWN_CMD)
    u.send("/hello")
    u.expect("Вы нажали кнопку 0 раз.")
    w.stop()
