"""Shared bits of the backup-gdrive e2e tests (tests/e2e/test_backup_*.py):
walord with the plugin and a backup folder of the test's own, the owners'
section, the archives as the owners receive them, walorctl, and the fake
Google (tests/fakes/gdrive) with a service account whose RSA key is made
here for each test."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3

import pgkit
import subprocess
import sys
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import hostkit as hk
import test_orders_kit as ok

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "gdrive"))
from fake_gdrive import GDriveFake  # noqa: E402,F401

OWNER2_ID = 4200002
SECTION = "💾 Бэкапы"
NOW_BTN = "▶️ Сделать бэкап сейчас"
HISTORY_BTN = "📜 История"
DB_BTN = "📥 Скачать базу (.db)"
SA_EMAIL = "backup-bot@walor-test.iam.gserviceaccount.com"
FOLDER = "0AShopSharedDrive"
PASSPHRASE = "correct horse battery staple"


def start(walord, tmp_path, free_port, ini="", plugins=("hello",), owners=(hk.OWNER_ID, OWNER2_ID), conf=None,
          dir=None, **kw):
    port = free_port()
    d = dir or tmp_path / "backups"
    d.mkdir(exist_ok=True)
    # no nightly backup unless the test asks for one: a run near 03:30 must not add one
    body = f"[plugin.backup-gdrive]\ndir = {d}\n" + ("" if "time =" in ini else "time = off\n") + ini
    w = hk.start(walord, tmp_path, plugins=[*plugins, "backup-gdrive"], owners=list(owners),
                 extra_ini=f"[http]\nlisten = 127.0.0.1:{port}\n",
                 conf_files={"85-backup-gdrive.ini": body, **(conf or {})}, **kw)
    w.port = port
    w.backups = d
    return w


def owners(tgsim):
    a = hk.owner(tgsim)
    b = tgsim.user("Пётр", id=OWNER2_ID, username="owner_petr", language_code="ru")
    for u in (a, b):
        u.send("/start")
    return a, b


def section(u):
    u.send("/admin")
    u.expect(hk.ADMIN_TITLE)
    u.press(SECTION)
    return u.screen()


def query(w, sql, *args):
    """rows of walord's database on a connection of its own, closed at once (a
    restore needs every other connection gone)"""
    con = pgkit.connect(w.db_path) if w.on_pg else sqlite3.connect(str(w.db_path), timeout=10 * w.scale)
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(sql, args)]
    finally:
        con.close()


def runs(w):
    return query(w, "SELECT * FROM backup_gdrive_run ORDER BY id")


def finished(w, n=1, timeout=30.0):
    """the first n backups ended (ok or failed): their rows"""
    def done():
        rs = runs(w)
        return rs if len([r for r in rs if r["state"] in ("ok", "failed")]) >= n else None
    return hk.wait_until(done, timeout=timeout * w.scale, what=f"{n} backup(s) finished")


def uploaded(w, backup_id, states=("ok", "failed"), timeout=30.0):
    def done():
        r = [x for x in runs(w) if x["id"] == backup_id]
        return r[0] if r and r[0]["drive"] in states else None
    return hk.wait_until(done, timeout=timeout * w.scale, what=f"backup {backup_id} on Drive: {states}")


def documents(u, prefix="walor-backup-"):
    return [m for m in u.bot_messages() if (m.get("document") or {}).get("file_name", "").startswith(prefix)]


def wait_document(u, n=1, prefix="walor-backup-", timeout=20.0):
    return hk.wait_until(lambda: documents(u, prefix)[n - 1] if len(documents(u, prefix)) >= n else None,
                         timeout=timeout, what=f"document {prefix}… number {n}")


def answers(u, *parts):
    """the texts of the button answers (toasts, alerts) this user got that contain one of parts"""
    return [a.get("text") or "" for a in u.chat()["callback_answers"]
            if any(p in (a.get("text") or "") for p in parts)]


def texts(u):
    return [m.get("text") or m.get("caption") or "" for m in u.bot_messages()]


def count_text(u, part):
    return sum(1 for t in texts(u) if part in t)


def unzip(data: bytes):
    """manifest and database bytes of an archive"""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["manifest.json", "walor.db"], z.namelist()
        return json.loads(z.read("manifest.json")), z.read("walor.db")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_rows(db: Path):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def dump(db: Path):
    """every row of every table, for comparing two databases"""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
    finally:
        con.close()


def integrity(db: Path) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def walorctl(w, *args, env=None, timeout=120):
    import os
    e = dict(os.environ)
    e.pop("WALOR_BACKUP_PASSPHRASE", None)
    e.update(env or {})
    r = subprocess.run([str(w.bdir / "bin" / "walorctl"), "--config", str(w.config_path), *args],
                       capture_output=True, text=True, timeout=timeout * w.scale, env=e)
    assert "Sanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr
    return r


def clock(w, advance=None):
    return ok.clock(w, advance)


def service_account(tmp_path, fake, email=SA_EMAIL):
    """an RSA key made for this test: the JSON key file walor reads, the
    public half registered with the fake Google"""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    fake.add_service_account(email, key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    path = tmp_path / "sa-key.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "walor-test", "private_key_id": "k1",
                                "private_key": pem, "client_email": email, "client_id": "1",
                                "token_uri": fake.token_url}))
    return path


def drive_ini(fake, key_file=None, folder=FOLDER, extra=""):
    if key_file:
        auth = f"drive = service_account\ndrive_key_file = {key_file}\n"
    else:
        auth = (f"drive = oauth\ndrive_client_id = walor-client\ndrive_client_secret = s3cret\n"
                f"drive_refresh_token = 1//refresh\ndrive_token_url = {fake.token_url}\n")
    return auth + f"drive_folder_id = {folder}\ndrive_api_url = {fake.url}\n" + extra


def grow(w, kbytes):
    """incompressible rows (a table of the test's own, written through SQLite) so an archive has a size"""
    if w.on_pg:
        con = pgkit.connect(w.db_path)
        try:
            con.execute("CREATE TABLE IF NOT EXISTS test_pad(b BYTEA)")
            con.execute(f"INSERT INTO test_pad SELECT decode(string_agg(md5(random()::text), ''), 'hex') "
                        f"FROM generate_series(1, 64 * {kbytes}) AS g(i) GROUP BY i % {kbytes}")
            con.commit()
        finally:
            con.close()
        return
    con = sqlite3.connect(str(w.db_path), timeout=10 * w.scale)
    try:
        con.execute("CREATE TABLE IF NOT EXISTS test_pad(b BLOB)")
        con.execute(f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < {kbytes}) "
                    "INSERT INTO test_pad SELECT randomblob(1024) FROM n")
        con.commit()
    finally:
        con.close()
