"""Backups on PostgreSQL: the plugins' walor_db_backup() and `walorctl backup`
write pg_dump's custom format, checked with pg_restore --list before the
rename into place (host/db/pg.c). SQLite's side is test_host_backup.py.
Always uses a PostgreSQL database of its own: runs in the default suite."""

from __future__ import annotations

import os
import subprocess

import pytest

import hostkit as hk
import pgkit

pytestmark = pytest.mark.skipif(
    pgkit.is_pg(), reason="runs in the default suite: it always uses a PostgreSQL database of its own")


def listing(path) -> str:
    r = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.features("F-BAK-01")
def test_backup_slot_and_walorctl_dump_postgresql(tgsim, walord, tmp_path, build_dir):
    w = hk.start(walord, tmp_path, ("hello", "probe"), walor={"db": pgkit.cluster().new_database("b")})
    u = tgsim.user("Вера")
    u.send("/hello")
    dest = tmp_path / "job-copy.dump"
    u.send(f"/backup {dest}")
    u.expect("backup: ok")
    assert "TABLE DATA public wh_users" in listing(dest) and "hello_clicks" in listing(dest)
    u.send(f"/backup {dest}")
    u.expect("backup: err=-4")                           # WALOR_EEXIST
    u.send(f"/backup {tmp_path}/nowhere/x.dump")
    u.expect("backup: err=-5")                           # WALOR_ENOTFOUND: no such directory
    u.send(f"/backuptx {tmp_path}/tx.dump")
    u.expect("backup: err=-3")                           # WALOR_EPHASE inside a transaction
    assert not (tmp_path / "tx.dump").exists()
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]
    r = subprocess.run([str(build_dir / "bin" / "walorctl"), "--config", str(w.config_path), "backup",
                        str(tmp_path / "ctl.dump")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "wh_users" in listing(tmp_path / "ctl.dump")
