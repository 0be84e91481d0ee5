"""Online backups (host/db/backup.c, docs/RELIABILITY.md "Backups"):
`walorctl backup FILE` while walord serves users, the restore by hand that
docs/operator-guide.md describes, the clear refusals, and the SDK 1.3 slot
walor_db_backup a plugin's job calls."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import fskit
import hostkit as hk
from test_host_storage import integrity, pending_updates, _sqlite3


def walorctl(build_dir, w, *args, timeout=120):
    r = subprocess.run([str(build_dir / "bin" / "walorctl"), "--config", str(w.config_path), *args],
                       capture_output=True, text=True, timeout=timeout * w.scale)
    assert "Sanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr
    return r


def clicks(db: Path) -> int:
    r = _sqlite3(db, "SELECT coalesce(sum(clicks), 0) FROM hello_clicks")
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip())


class Presser(threading.Thread):
    """Users pressing hello's "➕ Ещё", each waiting for the bot's answer."""

    def __init__(self, users):
        super().__init__(daemon=True)
        self.users, self.stop, self.presses, self.error = users, threading.Event(), 0, None

    def run(self):
        try:
            while not self.stop.is_set():
                for u in self.users:
                    u.press("➕ Ещё")
                    self.presses += 1
        except Exception as e:          # shown by the test, not lost in the thread
            self.error = e


@pytest.mark.features("F-BAK-01", "F-HOST-10")
@pytest.mark.sqlite_only("a copy of the database file, checked and restored as a file (PostgreSQL: test_pg_backup)")
def test_walorctl_backup_while_walord_serves_users_and_restore_by_hand(tgsim, walord, tmp_path, build_dir):
    w = hk.start(walord, tmp_path, plugins=("hello",))
    users = [tgsim.user(f"Покупатель{i}") for i in range(3)]
    for u in users:
        u.send("/hello")
        u.expect("Вы нажали кнопку")
    presser = Presser(users)
    presser.start()
    copies = []
    try:
        for i in range(6):
            n = presser.presses
            hk.wait_until(lambda: presser.presses >= n + 3 or presser.error, timeout=30, what="more presses")
            dest = tmp_path / f"walor-{i}.db"
            r = walorctl(build_dir, w, "backup", str(dest))
            assert r.returncode == 0, r.stderr
            assert f"written to {dest}" in r.stdout and "integrity ok" in r.stdout, r.stdout
            copies.append(dest)
    finally:
        presser.stop.set()
        presser.join(60)
    assert presser.error is None, presser.error
    assert w.running
    seen = []
    for c in copies:
        assert integrity(c) == "ok", c
        assert not Path(str(c) + "-wal").exists() and not Path(str(c) + "-shm").exists()
        seen.append(clicks(c))
    assert seen == sorted(seen) and seen[-1] > seen[0], seen   # each copy a later moment
    assert not list(tmp_path.glob("*.tmp-*"))

    hk.wait_until(lambda: pending_updates(tgsim) == 0, timeout=30, what="every press acknowledged")
    con = w.db()
    hk.wait_until(lambda: hk.scalar(con, "SELECT count(*) FROM wh_inbox WHERE done_at IS NULL") == 0,
                  timeout=30, what="every press handled")
    con.close()          # the restore below needs walord to be the database's last user
    assert clicks(w.db_path) == presser.presses

    # ---- the operator guide's restore, step by step ----
    backup = tmp_path / "before-restore.db"
    assert walorctl(build_dir, w, "backup", str(backup)).returncode == 0
    at_backup = clicks(backup)
    users[0].press("➕ Ещё")                         # a change the restore takes back
    hk.wait_until(lambda: clicks(w.db_path) == at_backup + 1, what="the press stored")
    w.stop()                                         # 1. stop walord (systemctl stop walord)
    for side in ("-wal", "-shm"):                    # 2. its last user gone, the database is one file
        assert not Path(str(w.db_path) + side).exists(), side
    assert integrity(backup) == "ok"                 # 3. check the copy, put it in place
    shutil.copyfile(backup, w.db_path)
    w.start()                                        # 4. start walord
    assert clicks(w.db_path) == at_backup
    users[1].press("➕ Ещё")
    hk.wait_until(lambda: clicks(w.db_path) == at_backup + 1, what="the restored shop works")
    w.stop()
    assert integrity(w.db_path) == "ok"


@pytest.mark.features("F-BAK-01")
@pytest.mark.sqlite_only("a copy of the database file, checked and restored as a file (PostgreSQL: test_pg_backup)")
def test_walorctl_backup_refusals(tgsim, walord, tmp_path, build_dir):
    w = hk.start(walord, tmp_path, plugins=("hello",))
    tgsim.user("Анна").send("/hello")

    r = walorctl(build_dir, w, "backup")
    assert r.returncode == 2 and "walorctl backup FILE" in r.stderr
    r = walorctl(build_dir, w, "backup", str(tmp_path / "no-such-dir" / "x.db"))
    assert r.returncode == 1 and "no-such-dir does not exist" in r.stderr, r.stderr

    dest = tmp_path / "copy.db"
    assert walorctl(build_dir, w, "backup", str(dest)).returncode == 0
    r = walorctl(build_dir, w, "backup", str(dest))
    assert r.returncode == 1 and "already exists" in r.stderr and "--replace" in r.stderr, r.stderr
    r = walorctl(build_dir, w, "backup", str(dest), "--replace")
    assert r.returncode == 0, r.stderr

    for live in (w.db_path, Path(str(w.db_path) + "-wal"), Path(str(w.db_path) + "-shm")):
        r = walorctl(build_dir, w, "backup", str(live), "--replace")
        assert r.returncode == 1 and "the live database or one of its files" in r.stderr, r.stderr
    assert w.running and integrity(w.db_path) == "ok"

    # the configuration points at another application's database, or at no database
    other = tmp_path / "other.db"
    assert _sqlite3(other, "CREATE TABLE notes(x)").returncode == 0
    cfg = tmp_path / "other.ini"
    cfg.write_text(w.config_path.read_text().replace(str(w.db_path), str(other)))
    r = subprocess.run([str(build_dir / "bin" / "walorctl"), "--config", str(cfg), "backup",
                        str(tmp_path / "o.db")], capture_output=True, text=True)
    assert r.returncode == 1 and "not a Walor database" in r.stderr, r.stderr
    assert _sqlite3(other, ".tables").stdout.split() == ["notes"]      # left as it was
    cfg.write_text(w.config_path.read_text().replace(str(w.db_path), str(tmp_path / "none.db")))
    r = subprocess.run([str(build_dir / "bin" / "walorctl"), "--config", str(cfg), "backup",
                        str(tmp_path / "o.db")], capture_output=True, text=True)
    assert r.returncode == 1 and "does not exist" in r.stderr, r.stderr
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "o.db").exists()

    # no room for the copy: a clear reason, and nothing left behind
    with fskit.tmpfs(tmp_path / "small", "256k") as small:
        fskit.fill(small)
        r = walorctl(build_dir, w, "backup", str(small / "copy.db"))
        assert r.returncode == 1 and "no space left" in r.stderr, r.stderr
        assert sorted(p.name for p in small.iterdir()) == ["filler"]
    assert w.running


@pytest.mark.features("F-BAK-01")
@pytest.mark.sqlite_only("a copy of the database file, checked and restored as a file (PostgreSQL: test_pg_backup)")
def test_db_backup_slot_from_a_plugin_job(tgsim, walord, tmp_path):
    w = hk.start(walord, tmp_path, plugins=("hello", "probe"))
    u = tgsim.user("Вера")
    u.send("/hello")
    dest = tmp_path / "job-copy.db"

    u.send(f"/backup {dest}")
    u.expect("backup: ok")
    assert integrity(dest) == "ok"
    assert _sqlite3(dest, f"SELECT count(*) FROM wh_users WHERE id = {u.id}").stdout.strip() == "1"
    u.send(f"/backup {dest}")
    u.expect("backup: err=-4")                           # WALOR_EEXIST
    u.send(f"/backup {dest} replace")
    hk.wait_until(lambda: sum("backup: ok" in (m.get("text") or "") for m in u.bot_messages()) == 2,
                  what="the replacing backup")
    u.send(f"/backup {tmp_path}/nowhere/x.db")
    u.expect("backup: err=-5")                           # WALOR_ENOTFOUND: no such directory
    u.send(f"/backup {tmp_path}/flags.db 0x80")
    u.expect("backup: err=-1")                           # unknown flag
    u.send(f"/backup {w.db_path}-wal replace")
    u.expect("the live database or one of its files")
    u.send(f"/backuptx {tmp_path}/tx.db")
    u.expect("backup: err=-3")                           # WALOR_EPHASE inside a transaction
    assert not (tmp_path / "tx.db").exists() and not (tmp_path / "flags.db").exists()
    assert "backup written to" in w.log()
    w.stop()
    assert integrity(w.db_path) == "ok"
