"""The scheduler (host/sched/sched.c): one-shot persistent jobs (run later, survive a
restart, cancel and replace by key, retried with backoff) and cron jobs (fire
on the minute and not twice, in the shop's time zone, catch-up after
downtime, no overlap). Plugin: tests/plugins/jobs. Time moves through the
test clock (POST /_test/clock on the [http] listen address, test mode only),
so "15 minutes later" takes a second."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import time
from zoneinfo import ZoneInfo

import pytest

import hostkit as hk

MSK = ZoneInfo("Europe/Moscow")
DONE = "готово"


def _clock(port: int, advance: int | None = None) -> int:
    """The host clock (epoch s), moved forward by `advance` seconds first."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        if advance is None:
            con.request("GET", "/_test/clock")
        else:
            con.request("POST", "/_test/clock", body=json.dumps({"advance_s": advance}).encode(),
                        headers={"Content-Type": "application/json"})
        r = con.getresponse()
        body = r.read()
        assert r.status == 200, (r.status, body)
        return json.loads(body)["now"]
    finally:
        con.close()


def _start(walord, tmp_path, free_port, crons: str = "", **keys):
    port = free_port()
    conf = "[plugin.jobs]\n" + f"crons = {crons}\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
    w = hk.start(walord, tmp_path, plugins=["jobs"], extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files={"10-jobs.ini": conf})
    w.port = port
    return w


def _done_count(user) -> int:
    return sum(1 for m in user.bot_messages() if (m.get("text") or "") == DONE)


def _runs(con, name: str) -> list[int]:
    return [r[0] for r in con.execute("SELECT at FROM jobs_runs WHERE name = ? ORDER BY id", (name,))]


def _settle(w, seconds: float = 1.0):
    """Long enough for anything wrongly due to have run."""
    time.sleep(seconds * min(w.scale, 2))


@pytest.mark.features("F-ORD-03")
def test_job_runs_15_minutes_later_once(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port)
    u = tgsim.user("Анна")
    con = w.db()
    u.send("/later 900")
    u.expect("later:900")
    now = _clock(w.port)
    row = con.execute("SELECT plugin, name, key, run_at, attempts FROM wh_jobs").fetchall()
    assert len(row) == 1 and row[0][:3] == ("jobs", "later", "k") and row[0][4] == 0, row
    assert now + 895 <= row[0][3] <= now + 900, (row, now)
    # the row was written in the command's transaction, together with its jobs_later row
    assert hk.scalar(con, "SELECT count(*) FROM jobs_later") == 1

    _clock(w.port, 14 * 60)
    _settle(w)
    assert _done_count(u) == 0, u.dump()
    _clock(w.port, 2 * 60)
    u.expect(DONE)
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_jobs") == 0, timeout=3 * w.scale,
                  what="the done job's row deleted")
    _settle(w)
    assert _done_count(u) == 1, u.dump()
    assert len(_runs(con, "later")) == 1
    w.stop()


@pytest.mark.features("F-ORD-03")
def test_job_survives_a_restart(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port)
    u = tgsim.user("Борис")
    u.send("/later 900")
    u.expect("later:900")
    w.restart()                              # the clock offset is gone with the process: real time again
    con = w.db()
    assert hk.scalar(con, "SELECT count(*) FROM wh_jobs") == 1
    _settle(w, 0.5)
    assert _done_count(u) == 0
    _clock(w.port, 16 * 60)
    u.expect(DONE)
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_jobs") == 0, timeout=3 * w.scale,
                  what="the done job's row deleted")
    _settle(w)
    assert _done_count(u) == 1, u.dump()
    w.stop()


@pytest.mark.features("F-ORD-03")
def test_cancel_by_key(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port)
    u = tgsim.user("Вера")
    con = w.db()
    u.send("/later 900")
    u.expect("later:900")
    u.send("/cancel_later")
    u.expect("cancelled")
    assert hk.scalar(con, "SELECT count(*) FROM wh_jobs") == 0
    _clock(w.port, 20 * 60)
    _settle(w)
    assert _done_count(u) == 0, u.dump()
    u.send("/cancel_later")
    u.expect("nothing to cancel")
    w.stop()


@pytest.mark.features("F-ORD-03")
def test_replace_by_key(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port)
    u = tgsim.user("Глеб")
    con = w.db()
    u.send("/later 600")
    u.expect("later:600")
    u.send("/later 1200")
    u.expect("later:1200")
    now = _clock(w.port)
    rows = con.execute("SELECT run_at, gen FROM wh_jobs").fetchall()
    assert len(rows) == 1 and now + 1190 <= rows[0][0] <= now + 1200 and rows[0][1] == 1, (rows, now)
    _clock(w.port, 15 * 60)                  # past the first time, before the second
    _settle(w)
    assert _done_count(u) == 0, u.dump()
    _clock(w.port, 6 * 60)
    u.expect(DONE)
    _settle(w)
    assert _done_count(u) == 1, u.dump()
    w.stop()


@pytest.mark.infra
def test_cron_fires_on_the_next_minute_and_not_twice(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port, crons="minute")
    con = w.db()
    state = con.execute("SELECT last_run, runs FROM wh_cron_state WHERE plugin = 'jobs' AND name = 'minute'")
    assert state.fetchall() == [(None, 0)]   # seen, never run: nothing runs at start
    now = _clock(w.port)
    _settle(w, 0.3)
    n0 = len(_runs(con, "minute"))           # a real minute may have passed since the start
    # to 5 s past the next minute: one tick crossed, and 55 s of real time before the next one
    now = _clock(w.port, 60 - now % 60 + 5)
    hk.wait_until(lambda: len(_runs(con, "minute")) == n0 + 1, timeout=3 * w.scale, what="the minute's run")
    _settle(w)
    assert len(_runs(con, "minute")) == n0 + 1
    first = _runs(con, "minute")[-1]
    assert first // 60 == now // 60, (first, now)
    # a jump of ten minutes is one run, not ten
    _clock(w.port, 600)
    hk.wait_until(lambda: len(_runs(con, "minute")) == n0 + 2, timeout=3 * w.scale, what="the next run")
    _settle(w)
    assert len(_runs(con, "minute")) == n0 + 2
    assert _runs(con, "minute")[-1] - first >= 600
    row = con.execute("SELECT runs, last_error FROM wh_cron_state WHERE name = 'minute'").fetchone()
    assert row == (n0 + 2, None), row
    w.stop()


@pytest.mark.infra
def test_daily_job_runs_at_10_moscow_time(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port, crons="ten")
    con = w.db()
    now = _clock(w.port)
    local = dt.datetime.fromtimestamp(now, MSK)
    tomorrow_ten = (local + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    target = int(tomorrow_ten.timestamp())
    assert tomorrow_ten.astimezone(dt.timezone.utc).hour == 7      # 10:00 MSK = 07:00 UTC
    # to 09:59 tomorrow (today's 10:00, if still ahead, runs once on the way)
    _clock(w.port, target - 60 - now)
    _settle(w)
    before = len(_runs(con, "ten"))
    assert before in (0, 1)
    _clock(w.port, 90)                       # 10:00:30 Moscow time
    hk.wait_until(lambda: len(_runs(con, "ten")) == before + 1, timeout=3 * w.scale, what="the 10:00 run")
    _settle(w)
    runs = _runs(con, "ten")
    assert len(runs) == before + 1, runs
    ran = dt.datetime.fromtimestamp(runs[-1], MSK)
    assert (ran.date(), ran.hour, ran.minute) == (tomorrow_ten.date(), 10, 0), ran
    w.stop()


@pytest.mark.infra
def test_catch_up_after_downtime(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port, crons="catchup,nocatchup")
    con = w.db()
    assert hk.scalar(con, "SELECT count(*) FROM wh_cron_state WHERE plugin = 'jobs'") == 2
    w.stop()
    # walord was down for two days: both 03:00 and 04:00 passed twice
    with con:
        con.execute("UPDATE wh_cron_state SET checked_at = checked_at - 2 * 86400 WHERE plugin = 'jobs'")
    w.start()
    hk.wait_until(lambda: _runs(con, "catchup"), timeout=3 * w.scale, what="the catch-up run")
    _settle(w)
    assert len(_runs(con, "catchup")) == 1
    assert _runs(con, "nocatchup") == []
    log = w.log()
    assert hk.count_lines(log, r"\[jobs\] cron job catchup: the run of .* was missed while walord was down: "
                               r"running it now") == 1, w.log_tail(30)
    assert hk.count_lines(log, r"\[jobs\] cron job nocatchup: the run of .* was missed while walord was down: "
                               r"skipped") == 1, w.log_tail(30)
    # caught up: the next start has nothing to catch up
    w.restart()
    _settle(w)
    assert len(_runs(con, "catchup")) == 1
    assert _runs(con, "nocatchup") == []
    w.stop()


@pytest.mark.infra
def test_failing_job_is_retried_with_backoff(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port)
    u = tgsim.user("Дина")
    con = w.db()

    def job():
        return con.execute("SELECT attempts, run_at, last_error FROM wh_jobs WHERE name = 'flaky'").fetchone()

    u.send("/flaky")
    u.expect("flaky")
    hk.wait_until(lambda: (job() or (0,))[0] == 1, timeout=3 * w.scale, what="the first failed attempt")
    attempts, run_at, err = job()
    now = _clock(w.port)
    assert now + 25 <= run_at <= now + 30 and "timed out" in err.lower(), (run_at, now, err)
    _clock(w.port, 20)
    _settle(w)
    assert job()[0] == 1                     # not before its 30 s
    _clock(w.port, 15)
    hk.wait_until(lambda: job()[0] == 2, timeout=3 * w.scale, what="the second attempt")
    now = _clock(w.port)
    assert now + 55 <= job()[1] <= now + 60, (job(), now)       # then a minute
    _clock(w.port, 65)
    u.expect("flaky ok after 3 runs")
    hk.wait_until(lambda: job() is None, timeout=3 * w.scale, what="the row deleted after success")
    assert hk.scalar(con, "SELECT n FROM jobs_flaky") == 3
    log = w.log()
    assert hk.count_lines(log, r"\[jobs\] job flaky \(key -\) attempt 1 failed, retry in 30 s") == 1, w.log_tail(30)
    assert hk.count_lines(log, r"\[jobs\] job flaky \(key -\) attempt 2 failed, retry in 60 s") == 1, w.log_tail(30)
    w.stop()


@pytest.mark.infra
def test_cron_never_overlaps_itself(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port, crons="slow", slow_ms=2500)
    con = w.db()
    now = _clock(w.port)
    _settle(w, 0.3)
    n0 = len(_runs(con, "slow"))
    _clock(w.port, 60 - now % 60 + 5)
    hk.wait_until(lambda: len(_runs(con, "slow")) == n0 + 1, timeout=3 * w.scale, what="the slow run")
    _clock(w.port, 60)                       # the next tick while the first run still sleeps
    w.wait_log(r"\[jobs\] cron job slow: the previous run is still going, the tick at .* is skipped",
               timeout=3, what="the skipped tick")
    hk.wait_until(lambda: hk.scalar(con, "SELECT runs FROM wh_cron_state WHERE name = 'slow'") == n0 + 1,
                  timeout=5 * w.scale, what="the slow run's end")
    assert len(_runs(con, "slow")) == n0 + 1
    w.stop()


@pytest.mark.features("F-ORD-03")
def test_job_of_a_disabled_plugin_waits_for_it(tgsim, walord, tmp_path, free_port):
    w = _start(walord, tmp_path, free_port)
    u = tgsim.user("Ефим")
    u.send("/later 60")
    u.expect("later:60")
    w.stop()
    # the same database without the plugin: the row stays, said once
    port = free_port()
    other = hk.start(walord, tmp_path, plugins=["hello"], walor={"db": w.db_path},
                     extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n")
    _clock(port, 600)
    _settle(other)
    assert hk.count_lines(other.log(), r"1 one-shot job\(s\) jobs\.later wait in wh_jobs: no such handler is "
                                       r"loaded") == 1, other.log_tail(30)
    other.stop()
    con = w.db()
    assert hk.scalar(con, "SELECT count(*) FROM wh_jobs WHERE attempts = 0") == 1
    assert _done_count(u) == 0
    w.start()                                # back: it runs when due
    _clock(w.port, 120)
    u.expect(DONE)
    w.stop()
