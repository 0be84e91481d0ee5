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


@pytest.mark.features("F-BAK-01", "F-BAK-03")
def test_backup_gdrive_archive_and_restore_on_postgresql(tgsim, walord, tmp_path, free_port, build_dir):
    """backup-gdrive on PostgreSQL: the archive holds pg_dump's archive with
    the host's schema in its manifest; walorctl restore checks it, refuses
    while walord is connected, and puts it back with pg_restore."""
    import hashlib
    import io
    import json
    import zipfile

    import test_backup_kit as bk

    db = pgkit.cluster().new_database("g")
    w = bk.start(walord, tmp_path, free_port, walor={"db": db})
    anna, _ = bk.owners(tgsim)
    client = tgsim.user("Покупатель")
    client.send("/hello")
    client.press("➕ Ещё")
    client.expect("Вы нажали кнопку 1 раз")
    bk.section(anna)
    anna.press(bk.NOW_BTN)
    (run,) = bk.finished(w)
    assert run["state"] == "ok", run
    data = tgsim.file_bytes(bk.wait_document(anna)["document"]["file_id"])
    assert hashlib.sha256(data).hexdigest() == run["sha256"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["manifest.json", "walor.pgdump"], z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        dump = z.read("walor.pgdump")
    assert manifest["database"]["engine"] == "postgresql" and dump[:5] == b"PGDMP"
    assert manifest["database"]["sha256"] == hashlib.sha256(dump).hexdigest()
    assert manifest["schema"]["host.core"] >= 1 and manifest["schema"]["backup-gdrive"] == 1
    (tmp_path / "walor.pgdump").write_bytes(dump)
    assert "hello_clicks" in listing(tmp_path / "walor.pgdump")
    archive = w.backups / run["file"]

    # after the backup the counter moves on; the restore brings it back to 1
    client.press("➕ Ещё")
    client.expect("Вы нажали кнопку 2 раз")
    r = bk.walorctl(w, "restore", str(archive), "--check")
    assert r.returncode == 0 and "can be restored here" in r.stdout, r.stdout + r.stderr
    r = bk.walorctl(w, "restore", str(archive))
    assert r.returncode == 1 and "stop every instance first" in r.stderr, r.stderr
    w.stop()
    r = bk.walorctl(w, "restore", str(archive))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "kept as" in r.stdout
    w.start()
    assert hk.scalar(w.db(), "SELECT clicks FROM hello_clicks WHERE user_id = ?", client.id) == 1
