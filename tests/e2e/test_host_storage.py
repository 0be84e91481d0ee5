"""The database under outside readers, backups, a full disk and a read-only
filesystem (docs/RELIABILITY.md): walord keeps its SQLite locks whatever
its health check does, loses no update it acknowledged, and refuses work it
cannot store instead of half-doing it."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import fskit
import hostkit as hk

SQLITE3 = shutil.which("sqlite3")


def _sqlite3(db: Path, *cmd: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The sqlite3 command line, as an operator or a cron job would run it."""
    assert SQLITE3, "the sqlite3 command line is missing: run packaging/install-deps.sh"
    return subprocess.run([SQLITE3, "-bail", "-cmd", ".timeout 10000", str(db), *cmd],
                          capture_output=True, text=True, timeout=timeout)


def integrity(db: Path) -> str:
    r = _sqlite3(db, "PRAGMA integrity_check")
    return r.stdout.strip() if r.returncode == 0 else f"sqlite3 failed: {r.stderr.strip()}"


def pending_updates(tgsim) -> int:
    """Updates Telegram still holds for the bot: not acknowledged yet."""
    return tgsim.bots()[0]["pending_update_count"]


# ---------------------------------------------------------------- outside readers

class OutsideReader(threading.Thread):
    """Another process's view of the database, over and over: a count through
    the sqlite3 command line, then `.backup` into a new file. Each sqlite3
    run opens and closes its own connection, which is what once let it
    delete walord's live WAL when walord's locks were gone. It also notes
    whether the WAL file is there each time."""

    def __init__(self, db: Path, backups: Path):
        super().__init__(daemon=True)
        self.db, self.backups_dir = db, backups
        self.stop = threading.Event()
        self.backups: list[Path] = []
        self.errors: list[str] = []
        self.rounds = 0
        self.wal_missing = 0

    def run(self):
        while not self.stop.is_set():
            if not Path(str(self.db) + "-wal").exists():
                self.wal_missing += 1
            r = _sqlite3(self.db, "SELECT count(*) FROM wh_migrations")
            if r.returncode != 0 or not r.stdout.strip().isdigit():
                self.errors.append(f"count: rc={r.returncode} {r.stdout.strip()} {r.stderr.strip()}")
            dest = self.backups_dir / f"copy-{self.rounds:03d}.db"
            r = _sqlite3(self.db, f".backup '{dest}'")
            if r.returncode == 0:
                self.backups.append(dest)
            else:
                self.errors.append(f".backup: rc={r.returncode} {r.stderr.strip()}")
            self.rounds += 1
            self.stop.wait(0.2)


@pytest.mark.features("F-HOST-10")
@pytest.mark.sqlite_only("the database file's own storage (a full or read-only disk under it)")
def test_outside_readers_and_backups_lose_nothing_under_the_health_check(tgsim, walord, tmp_path):
    """Regression (issue 13): the health check used to open() and close() the
    database file, which drops every POSIX lock walord's connections hold;
    the next outside sqlite3 to close then took itself for the last user,
    deleted walord's WAL, and committed updates vanished."""
    w = hk.start(walord, tmp_path, plugins=("hello",), walor={"db_check_interval": 1})
    w.wait_log(r"database health check every 1 s")
    users = [tgsim.user(f"Гость{i}") for i in range(3)]
    for u in users:
        u.send("/hello")
        u.expect("Вы нажали кнопку")
    backups = tmp_path / "backups"
    backups.mkdir()
    reader = OutsideReader(w.db_path, backups)
    reader.start()

    presses = {u.id: 0 for u in users}
    update_ids = []
    began = time.monotonic()
    try:
        # at one check a second, 23 s are at least 20 checks with a reader
        # and a backup in between each
        while time.monotonic() - began < 23:
            for u in users:
                assert w.running, "walord died under outside readers\n" + w.log_tail(30)
                update_ids.append(u.press("➕ Ещё", wait=False)["update_id"])
                presses[u.id] += 1
            time.sleep(0.05)
    finally:
        reader.stop.set()
        reader.join(120)
    assert w.running, "walord died under outside readers\n" + w.log_tail(30)
    assert reader.rounds >= 20 and not reader.errors, reader.errors[:5]
    assert reader.wal_missing == 0, f"walord's WAL file was gone {reader.wal_missing} time(s)"

    # every press Telegram was told is stored ...
    hk.wait_until(lambda: pending_updates(tgsim) == 0, timeout=30, what="every update acknowledged")
    # ... is visible to a separate connection, and had its effect exactly once
    con = w.db()
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_inbox WHERE done_at IS NULL") == 0,
                  timeout=30, what="every stored update handled")
    stored = {r[0] for r in con.execute("SELECT update_id FROM wh_inbox")}
    lost = [i for i in update_ids if i not in stored]
    assert not lost, f"{len(lost)} of {len(update_ids)} acknowledged updates are not in the database"
    for u in users:
        assert hk.scalar(con, "SELECT clicks FROM hello_clicks WHERE user_id = ?", u.id) == presses[u.id]
    con.close()
    assert "database health check failed" not in w.log()
    w.stop()

    assert integrity(w.db_path) == "ok"
    assert len(reader.backups) >= 20
    for b in reader.backups:
        assert integrity(b) == "ok", b


@pytest.mark.features("F-HOST-10")
@pytest.mark.sqlite_only("the database file's own storage (a full or read-only disk under it)")
def test_nothing_in_walord_opens_the_database_files(tgsim, walord, tmp_path):
    """The paths that come from outside (a plugin's file: photo, the log
    file) are refused when they name the database or its -wal/-shm: opening
    and closing one would drop every lock walord holds."""
    w = hk.start(walord, tmp_path, plugins=("hello", "probe"))
    u = tgsim.user("Фёдор")
    u.send("/hello")
    for path in (w.db_path, f"{w.db_path}-wal", f"{w.db_path}-shm", f"{w.db_path.parent}/./{w.db_path.name}"):
        u.send(f"/photo {path}")
        u.expect(f"photo: -8 {path} is the database or one of its files")
    png = tmp_path / "pixel.png"
    png.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                  "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"))
    u.send(f"/photo {png}")
    u.expect("photo: 0")
    assert Path(f"{w.db_path}-wal").exists() and w.running
    w.stop()
    assert integrity(w.db_path) == "ok"

    # a log file that is the database is refused before anything starts
    bad = tmp_path / "bad.ini"
    bad.write_text(w.config_path.read_text().replace("[walor]\n", f"[walor]\nlog_file = {w.db_path}-wal\n", 1))
    r = walord.check_config(bad)
    assert r.returncode == 2 and "is the database or one of its files" in r.stderr + r.stdout, r


# ---------------------------------------------------------------- disk full, read-only

DOWN = "База данных не принимает запись"
UP = "Запись в базу данных снова работает"
USER_NOTE = "Бот сейчас не может сохранять данные"


def texts_of(user, part: str) -> list[str]:
    return [m.get("text") or "" for m in user.bot_messages() if part in (m.get("text") or "")]


def seen(db: Path, sql: str) -> int:
    r = _sqlite3(db, sql)
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip())


def wait_retries(w, n: int):
    """n more rounds of the poller offering the same refused batch (one a second)."""
    start = w.log().count("updates not stored")
    hk.wait_until(lambda: w.log().count("updates not stored") >= start + n, timeout=10 + 2 * n,
                  what=f"{n} more refused store attempts")


def shop_on(walord, tgsim, tmp_path, fs: Path, **kw):
    w = hk.start(walord, tmp_path, plugins=("hello", "probe"), walor={"db": fs / "walor.db"}, **kw)
    w.db_path = fs / "walor.db"
    boss = hk.owner(tgsim)
    boss.send("/start")
    anna = tgsim.user("Анна")
    anna.send("/count")
    anna.expect("count:")
    # an empty WAL: the next write must grow a file on the disk about to fill up
    assert _sqlite3(w.db_path, "PRAGMA wal_checkpoint(TRUNCATE)").returncode == 0
    return w, boss, anna


@pytest.mark.features("F-HOST-10", "F-HOST-04")
@pytest.mark.sqlite_only("the database file's own storage (a full or read-only disk under it)")
def test_disk_full_refuses_new_work_and_recovers_by_itself(tgsim, walord, tmp_path):
    with fskit.tmpfs(tmp_path / "fs", "16m") as fs:
        w, boss, anna = shop_on(walord, tgsim, tmp_path, fs)
        filler = fskit.fill(fs)
        sent = [anna.send("/count", wait=False)["update_id"] for _ in range(3)]
        w.wait_log(r"database storage: the disk is full \(database or disk is full\)")
        boss.expect(DOWN)
        wait_retries(w, 3)
        # not stored, so not acknowledged: Telegram still holds all three
        assert pending_updates(tgsim) == 3
        assert w.running
        assert seen(w.db_path, "SELECT count(*) FROM probe_seen") == 1
        assert seen(w.db_path, f"SELECT count(*) FROM wh_inbox WHERE update_id >= {min(sent)}") == 0
        assert "на диске кончилось место" in texts_of(boss, DOWN)[0]
        assert w.log().count("database storage: the disk is full") == 1          # one clear line
        assert "error-" not in str([m.get("document") for m in boss.bot_messages()])  # no report per update

        filler.unlink()                                  # space returns
        w.wait_log("database storage: writable again")
        boss.expect(UP)
        hk.wait_until(lambda: pending_updates(tgsim) == 0, timeout=15, what="the held updates acknowledged")
        hk.wait_until(lambda: len(texts_of(anna, "count:")) == 4, timeout=15, what="the three answers")
        assert seen(w.db_path, "SELECT count(*) FROM probe_seen") == 4          # each once
        assert sorted(seen(w.db_path, f"SELECT count(*) FROM probe_seen WHERE update_id = {i}") for i in sent) == [1, 1, 1]
        assert len(texts_of(boss, DOWN)) == 1 and len(texts_of(boss, UP)) == 1
        anna.send("/count")                              # business as usual
        anna.expect("count:")
        w.stop()
        assert integrity(w.db_path) == "ok"


@pytest.mark.features("F-HOST-10", "F-HOST-04")
@pytest.mark.sqlite_only("the database file's own storage (a full or read-only disk under it)")
def test_disk_full_in_the_middle_of_a_handler_keeps_nothing_half_done(tgsim, walord, tmp_path):
    with fskit.tmpfs(tmp_path / "fs", "16m") as fs:
        w, boss, anna = shop_on(walord, tgsim, tmp_path, fs)
        filler = fskit.fill(fs)
        # room for storing an update, not for what its handler writes
        os.truncate(filler, max(0, filler.stat().st_size - 256 * 1024))
        fill_id = anna.send("/fill 2048", wait=False)["update_id"]
        anna.expect(USER_NOTE)
        boss.expect(DOWN)
        # the update is stored and held, not done; none of its writes is there
        assert seen(w.db_path, f"SELECT count(*) FROM wh_inbox WHERE update_id = {fill_id} AND done_at IS NULL") == 1
        assert seen(w.db_path, f"SELECT count(*) FROM probe_seen WHERE update_id = {fill_id}") == 0
        assert seen(w.db_path, "SELECT count(*) FROM probe_blob") == 0
        # and new work is refused meanwhile
        count_id = anna.send("/count", wait=False)["update_id"]
        wait_retries(w, 2)
        assert pending_updates(tgsim) == 1
        assert w.running

        filler.unlink()
        w.wait_log("handling 1 update\\(s\\) held while the database could not be written")
        hk.wait_until(lambda: texts_of(anna, f"fill:{fill_id}"), timeout=15, what="the held /fill done")
        hk.wait_until(lambda: texts_of(anna, f"count:{count_id}"), timeout=15, what="the refused /count done")
        assert seen(w.db_path, f"SELECT count(*) FROM probe_seen WHERE update_id = {fill_id}") == 1
        assert seen(w.db_path, "SELECT count(*) FROM probe_blob") == 1
        assert seen(w.db_path, "SELECT count(*) FROM wh_inbox WHERE done_at IS NULL") == 0
        assert len(texts_of(boss, DOWN)) == 1
        assert "error-" not in str([m.get("document") for m in boss.bot_messages()])
        w.stop()
        assert integrity(w.db_path) == "ok"


@pytest.mark.features("F-HOST-10")
@pytest.mark.sqlite_only("the database file's own storage (a full or read-only disk under it)")
def test_disk_full_in_webhook_mode_answers_non_200_until_space_returns(tgsim, walord, tmp_path, free_port):
    from test_host_http import HOOK, SECRET, http_ini, request
    port = free_port()
    tg = {"mode": "webhook", "webhook_url": f"http://127.0.0.1:{port}{HOOK}", "webhook_secret": SECRET}
    with fskit.tmpfs(tmp_path / "fs", "16m") as fs:
        w, boss, anna = shop_on(walord, tgsim, tmp_path, fs, extra_ini=http_ini(port), telegram=tg)
        filler = fskit.fill(fs)
        sent = anna.send("/count", wait=False)["update_id"]
        boss.expect(DOWN)
        st, _, body = request(port, "GET", "/healthz")
        assert st == 503 and b"database storage unavailable" in body
        upd = {"update_id": sent + 1000, **hk.message_update(anna, "/count")}
        st, _, body = request(port, "POST", HOOK, upd, {"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert st == 503 and b"database storage unavailable" in body      # Telegram sends it again
        assert pending_updates(tgsim) == 1
        assert seen(w.db_path, f"SELECT count(*) FROM wh_inbox WHERE update_id = {sent}") == 0

        filler.unlink()
        boss.expect(UP)
        hk.wait_until(lambda: pending_updates(tgsim) == 0, timeout=15, what="the re-sent update stored")
        hk.wait_until(lambda: texts_of(anna, f"count:{sent}"), timeout=15, what="its answer")
        assert request(port, "GET", "/healthz")[0] == 200
        assert seen(w.db_path, f"SELECT count(*) FROM probe_seen WHERE update_id = {sent}") == 1
        w.stop()
        assert integrity(w.db_path) == "ok"


@pytest.mark.features("F-HOST-10", "F-HOST-04")
@pytest.mark.sqlite_only("the database file's own storage (a full or read-only disk under it)")
def test_read_only_file_system_refuses_work_and_loses_nothing(tgsim, walord, tmp_path):
    with fskit.ext4(tmp_path) as fs:
        w, boss, anna = shop_on(walord, tgsim, tmp_path, fs.where)
        fs.go_read_only()                                # as after an I/O error (errors=remount-ro)
        sent = anna.send("/count", wait=False)["update_id"]
        w.wait_log(r"database storage: the file system is read-only")
        boss.expect(DOWN)
        assert "только для чтения" in texts_of(boss, DOWN)[0]
        assert "fsck" in texts_of(boss, DOWN)[0]
        wait_retries(w, 2)
        assert pending_updates(tgsim) == 1 and w.running
        assert w.log().count("database storage: the file system is read-only") == 1
        assert seen(w.db_path, f"SELECT count(*) FROM wh_inbox WHERE update_id = {sent}") == 0

        # what the owner is told to do: stop walord, repair and mount the disk, start walord
        w.stop()
        fs.repair_and_remount()
        w.start()
        hk.wait_until(lambda: pending_updates(tgsim) == 0, timeout=15, what="the held update acknowledged")
        hk.wait_until(lambda: texts_of(anna, f"count:{sent}"), timeout=15, what="its answer")
        assert seen(w.db_path, f"SELECT count(*) FROM probe_seen WHERE update_id = {sent}") == 1
        assert len(texts_of(anna, f"count:{sent}")) == 1
        w.stop()
        assert integrity(w.db_path) == "ok"


@pytest.mark.features("F-HOST-10")
@pytest.mark.sqlite_only("the database file's own storage (a full or read-only disk under it)")
def test_disk_full_holds_a_job_without_counting_a_failure(tgsim, walord, tmp_path):
    with fskit.tmpfs(tmp_path / "fs", "16m") as fs:
        w, boss, anna = shop_on(walord, tgsim, tmp_path, fs)
        filler = fskit.fill(fs)
        os.truncate(filler, max(0, filler.stat().st_size - 256 * 1024))
        anna.send("/later 2048")                       # the job is stored; its own write will not fit
        anna.expect("later: scheduled")
        w.wait_log(r"job fill \(key -\) could not write \(the database's storage fails\): held")
        boss.expect(DOWN)
        assert seen(w.db_path, "SELECT count(*) FROM wh_jobs WHERE attempts = 0 AND last_error IS NULL") == 1
        assert seen(w.db_path, "SELECT count(*) FROM probe_blob") == 0

        filler.unlink()
        boss.expect(UP)
        anna.expect("later:done", timeout=20)
        assert seen(w.db_path, "SELECT count(*) FROM wh_jobs") == 0
        assert seen(w.db_path, "SELECT count(*) FROM probe_blob") == 1
        assert len(texts_of(anna, "later:done")) == 1
        assert "error-" not in str([m.get("document") for m in boss.bot_messages()])    # not a job failure
        assert "attempt 1 failed" not in w.log()
        w.stop()
        assert integrity(w.db_path) == "ok"
