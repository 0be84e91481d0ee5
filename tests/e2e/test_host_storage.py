"""The database under outside readers, backups, a full disk and a read-only
filesystem (docs/RELIABILITY.md): walord keeps its SQLite locks whatever
its health check does, loses no update it acknowledged, and refuses work it
cannot store instead of half-doing it."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

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
