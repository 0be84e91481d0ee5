"""backup-gdrive without Google (plugins/backup-gdrive/README.md): the owners'
"💾 Бэкапы" section, a backup made now and every night, what the owners
receive (a verified archive with its manifest), the history and downloads,
encryption, and the bad cases — two backups at once, the disk filling up in
the middle of one, an archive too big for Telegram, a client or manager
pressing the owners' buttons."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

import fskit
import hostkit as hk
import test_backup_kit as bk


@pytest.mark.features("F-BAK-01", "F-BAK-03")
@pytest.mark.sqlite_only("the archive's SQLite file, read back with sqlite3 (PostgreSQL: test_pg_backup.py)")
def test_backup_now_reaches_every_owner_verified(tgsim, walord, tmp_path, free_port):
    w = bk.start(walord, tmp_path, free_port)
    anna, petr = bk.owners(tgsim)
    client = tgsim.user("Покупатель")
    client.send("/hello")
    client.press("➕ Ещё")
    s = bk.section(anna)
    assert "Последний: ещё не было" in s.text and "Ежедневный бэкап выключен" in s.text, s.text
    assert "Google Диск: не подключён" in s.text and "Шифрование: выключено" in s.text
    anna.press(bk.NOW_BTN)
    (run,) = bk.finished(w)
    assert run["state"] == "ok" and run["reason"] == "manual" and run["requested_by"] == hk.OWNER_ID, run
    # every owner gets the archive, with its checksum in the caption
    for u in (anna, petr):
        doc = bk.wait_document(u)
        assert doc["document"]["file_name"] == run["file"]
        assert f"SHA-256: {run['sha256'][:16]}…" in doc["caption"] and f"Бэкап №{run['id']}" in doc["caption"]
    data = tgsim.file_bytes(bk.wait_document(anna)["document"]["file_id"])
    assert bk.sha256(data) == run["sha256"] and len(data) == run["bytes"]
    assert (w.backups / run["file"]).read_bytes() == data            # kept in the folder too
    manifest, db = bk.unzip(data)
    assert manifest["format"] == "walor-backup" and manifest["version"] == 1
    assert manifest["walord"] == "1.0.0" and manifest["sdk"] == "1.3"
    assert manifest["plugins"] == {"hello": "1.3.0", "backup-gdrive": "1.0.0"}, manifest["plugins"]
    assert manifest["schema"]["host.core"] >= 1 and manifest["schema"]["backup-gdrive"] == 1
    assert manifest["schema"]["hello"] >= 1
    assert manifest["database"]["sha256"] == bk.sha256(db) and manifest["database"]["bytes"] == len(db)
    copy = tmp_path / "copy.db"
    copy.write_bytes(db)
    assert bk.integrity(copy) == "ok"
    assert bk.table_rows(copy) == manifest["tables"]
    assert manifest["tables"]["hello_clicks"] == 1 and manifest["tables"]["wh_users"] == 3
    # the section and the history tell what happened
    s = bk.section(anna)
    assert f"Последний: ✅ №{run['id']}" in s.text and "📨 Telegram" in s.text and "🗄 на сервере" in s.text, s.text
    anna.press(bk.HISTORY_BTN)
    s = anna.screen()
    assert f"№{run['id']}" in s.text and "вручную" in s.text and run["sha256"][:16] in s.text, s.text
    assert f"📥 Архив №{run['id']}" in s.button_texts
    assert not list(w.backups.glob(".bk-tmp-*"))
    # walorctl agrees that it can be restored here
    r = bk.walorctl(w, "restore", str(w.backups / run["file"]), "--check")
    assert r.returncode == 0 and "can be restored here" in r.stdout, r.stdout + r.stderr
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what = ?", f"запустил бэкап №{run['id']}") == 1


@pytest.mark.features("F-BAK-01")
def test_daily_backup_at_the_configured_time_in_the_shops_zone(tgsim, walord, tmp_path, free_port):
    w = bk.start(walord, tmp_path, free_port, ini="time = 04:15\n")
    anna, _ = bk.owners(tgsim)
    assert "Ежедневно в 04:15" in bk.section(anna).text
    now = bk.clock(w)
    msk = zoneinfo.ZoneInfo("Europe/Moscow")
    local = datetime.datetime.fromtimestamp(now, msk)
    due = local.replace(hour=4, minute=15, second=0, microsecond=0)
    if due <= local:
        due += datetime.timedelta(days=1)
    bk.clock(w, int(due.timestamp()) - now - 30)
    assert bk.runs(w) == []                                   # not yet
    bk.clock(w, 60)
    (run,) = bk.finished(w)
    assert run["reason"] == "daily" and run["requested_by"] == 0 and run["state"] == "ok"
    assert datetime.datetime.fromtimestamp(run["started_at"], msk).strftime("%H:%M") in ("04:15", "04:16")
    bk.wait_document(anna)


@pytest.mark.features("F-BAK-01", "F-BAK-03")
def test_two_backups_started_at_once_make_one(tgsim, walord, tmp_path, free_port):
    w = bk.start(walord, tmp_path, free_port)
    bk.grow(w, 3000)                  # a few MB: the first backup takes a moment
    anna, petr = bk.owners(tgsim)
    bk.section(anna)
    bk.section(petr)
    # both owners press at the same moment (two chats: handled in parallel),
    # and Anna presses twice
    anna.press(bk.NOW_BTN, wait=False)
    petr.press(bk.NOW_BTN, wait=False)
    anna.press(bk.NOW_BTN, wait=False)
    said = lambda: bk.answers(anna, "запущен", "уже делается") + bk.answers(petr, "запущен", "уже делается")  # noqa: E731
    hk.wait_until(lambda: len(said()) == 3, timeout=15 * w.scale, what="the three presses answered")
    (run,) = bk.finished(w)
    started = [a for a in said() if "запущен" in a]
    refused = [a for a in said() if f"Бэкап №{run['id']} уже делается — второй не нужен" in a]
    assert len(started) == 1 and len(refused) == 2, said()
    assert len(bk.runs(w)) == 1 and run["state"] == "ok"
    for u in (anna, petr):
        bk.wait_document(u)
        assert len(bk.documents(u)) == 1
    # once it is done, the next one is welcome
    anna.press(bk.NOW_BTN)
    rows = bk.finished(w, 2)
    assert [r["state"] for r in rows] == ["ok", "ok"] and rows[0]["file"] != rows[1]["file"]


@pytest.mark.features("F-BAK-01")
@pytest.mark.parametrize("stage", ["copy", "zip"])
@pytest.mark.sqlite_only("a full disk under the SQLite copy")
def test_disk_full_during_a_backup_leaves_nothing_and_says_why(tgsim, walord, tmp_path, free_port, stage):
    small = tmp_path / "small"
    size_kb = 4096
    with fskit.tmpfs(small, f"{size_kb}k"):
        w = bk.start(walord, tmp_path, free_port, dir=small)
        anna, petr = bk.owners(tgsim)
        bk.grow(w, 700)               # incompressible: the archive is as big as the copy
        db_kb = bk.query(w, "PRAGMA page_count")[0]["page_count"] * 4
        # copy: less room than one copy; zip: room for the copy, not for the archive beside it
        room_kb = db_kb // 2 if stage == "copy" else db_kb + db_kb // 3
        filler = small / "filler"
        filler.write_bytes(b"\0" * max(0, (fskit.free_bytes(small) - room_kb * 1024)))
        bk.section(anna)
        anna.press(bk.NOW_BTN)
        (run,) = bk.finished(w)
        assert run["state"] == "failed" and run["file"] is None and run["local"] == 0, run
        assert "не хватает места" in run["error"], run["error"]
        assert ("копия базы не сделана" if stage == "copy" else "архив не записан") in run["error"]
        for u in (anna, petr):
            msg = u.expect(f"❌ Бэкап №{run['id']} не сделан")
            assert "не хватает места" in msg["text"]
            assert bk.documents(u) == []
        assert sorted(p.name for p in small.iterdir()) == ["filler"]      # nothing half-written
        s = bk.section(anna)
        assert f"Последний: ❌ №{run['id']}" in s.text and "⚠️ Последняя ошибка" in s.text, s.text
        # room again: the next backup works
        filler.unlink()
        anna.press(bk.NOW_BTN)
        rows = bk.finished(w, 2)
        assert rows[1]["state"] == "ok"
        assert sorted(p.name for p in small.iterdir()) == [rows[1]["file"]]
        bk.wait_document(anna)
        w.stop()


@pytest.mark.features("F-BAK-01", "F-BAK-03")
def test_archive_too_big_for_telegram_stays_on_the_server(tgsim, walord, tmp_path, free_port):
    w = bk.start(walord, tmp_path, free_port, ini="telegram_max_mb = 1\n")
    bk.grow(w, 1500)
    anna, petr = bk.owners(tgsim)
    bk.section(anna)
    anna.press(bk.NOW_BTN)
    (run,) = bk.finished(w)
    assert run["state"] == "ok" and run["telegram"] == "too_big" and run["bytes"] > 1024 * 1024
    for u in (anna, petr):
        msg = u.expect(f"💾 Бэкап №{run['id']} готов, но архив")
        assert "больше 1 МБ" in msg["text"] and str(w.backups) in msg["text"]
        assert bk.documents(u) == []
    assert (w.backups / run["file"]).stat().st_size == run["bytes"]
    # nor can it be downloaded through the bot
    anna.press_data(f"bkp:g:{run['id']}", force=True)
    anna.expect("Telegram не даёт боту прислать его")


@pytest.mark.features("F-BAK-03")
@pytest.mark.sqlite_only("the archive's SQLite file, read back with sqlite3 (PostgreSQL: test_pg_backup.py)")
def test_download_the_live_database_and_a_kept_archive(tgsim, walord, tmp_path, free_port):
    w = bk.start(walord, tmp_path, free_port, ini="keep_local = 1\n")
    anna, _ = bk.owners(tgsim)
    bk.section(anna)
    anna.press(bk.NOW_BTN)
    bk.finished(w)
    anna.press(bk.NOW_BTN)
    first, second = bk.finished(w, 2)
    assert first["local"] == 0 and second["local"] == 1        # keep_local = 1: the older one is gone
    assert not (w.backups / first["file"]).exists()
    bk.wait_document(anna, 2)
    bk.section(anna)
    anna.press(bk.HISTORY_BTN)
    s = anna.screen()
    assert f"📥 Архив №{second['id']}" in s.button_texts and f"📥 Архив №{first['id']}" not in s.button_texts
    before = len(bk.documents(anna))
    anna.press(f"📥 Архив №{second['id']}")
    doc = bk.wait_document(anna, before + 1)
    assert bk.sha256(tgsim.file_bytes(doc["document"]["file_id"])) == second["sha256"]
    anna.press_data(f"bkp:g:{first['id']}", force=True)          # an old button
    anna.expect("Этого архива больше нет")
    # the live database, as a consistent copy
    bk.section(anna)
    anna.press(bk.DB_BTN)
    doc = bk.wait_document(anna, 1, prefix="walor-2")
    assert doc["document"]["file_name"].endswith(".db")
    live = tmp_path / "live.db"
    live.write_bytes(tgsim.file_bytes(doc["document"]["file_id"]))
    assert bk.integrity(live) == "ok"
    assert bk.table_rows(live)["backup_gdrive_run"] == 2
    assert not list(w.backups.glob(".bk-tmp-*"))
    assert hk.scalar(w.db(), "SELECT count(*) FROM wh_action_log WHERE what = 'скачал текущую базу данных'") == 1


@pytest.mark.features("F-BAK-01", "F-BAK-03")
@pytest.mark.sqlite_only("the archive's SQLite file, read back with sqlite3 (PostgreSQL: test_pg_backup.py)")
def test_encrypted_archive_and_a_wrong_passphrase(tgsim, walord, tmp_path, free_port):
    w = bk.start(walord, tmp_path, free_port, ini=f"passphrase = {bk.PASSPHRASE}\n")
    anna, _ = bk.owners(tgsim)
    assert "Шифрование: 🔒 AES-256-GCM" in bk.section(anna).text
    anna.press(bk.NOW_BTN)
    (run,) = bk.finished(w)
    assert run["file"].endswith(".zip.enc") and run["encrypted"] == 1
    doc = bk.wait_document(anna)
    assert "🔒 зашифрован" in doc["caption"]
    data = tgsim.file_bytes(doc["document"]["file_id"])
    assert data[:8] == b"WALORENC" and b"walor.db" not in data and b"manifest" not in data
    enc = tmp_path / run["file"]
    enc.write_bytes(data)
    pw = tmp_path / "pass.txt"
    pw.write_text("wrong horse battery staple\n")
    out = tmp_path / "out.zip"
    r = bk.walorctl(w, "decrypt", str(enc), str(out), "--passphrase-file", str(pw))
    assert r.returncode == 1 and "wrong passphrase" in r.stderr and not out.exists(), r.stderr
    r = bk.walorctl(w, "restore", str(enc), "--check", "--passphrase-file", str(pw))
    assert r.returncode == 1 and "wrong passphrase" in r.stderr, r.stderr
    pw.write_text(bk.PASSPHRASE + "\n")
    r = bk.walorctl(w, "decrypt", str(enc), str(out), "--passphrase-file", str(pw))
    assert r.returncode == 0, r.stderr
    manifest, db = bk.unzip(out.read_bytes())
    assert manifest["database"]["sha256"] == bk.sha256(db)
    # the passphrase from the plugin's own configuration serves walorctl too
    r = bk.walorctl(w, "restore", str(enc), "--check")
    assert r.returncode == 0, r.stderr
    # a changed byte is damage, not a wrong passphrase
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 1
    enc.write_bytes(bytes(bad))
    r = bk.walorctl(w, "restore", str(enc), "--check")
    assert r.returncode == 1 and "damaged" in r.stderr, r.stderr


@pytest.mark.features("F-BAK-03")
def test_the_section_is_the_owners(tgsim, walord, tmp_path, free_port):
    w = bk.start(walord, tmp_path, free_port, owners=(hk.OWNER_ID,))
    anna = hk.owner(tgsim)
    anna.send("/start")
    boris = tgsim.user("Борис")
    boris.send("/start")
    bk.ok.make_role(w, boris, 2)                        # a manager
    boris.send("/admin")
    assert bk.SECTION not in boris.screen().button_texts
    for data in ("bkp:now", "bkp:db", "bkp:h:1"):
        boris.press_data(data, force=True)
        assert boris.last_answer()["text"] == hk.DENIED
    assert bk.runs(w) == []
    assert "Последний: ещё не было" in bk.section(anna).text


@pytest.mark.features("F-BAK-01", "F-BAK-04")
def test_the_documented_encryption_format_is_what_walorctl_reads(tgsim, walord, tmp_path, free_port):
    """plugins/backup-gdrive/README.md "Encryption", followed here with
    Python's own AES-GCM and PBKDF2: walorctl decrypts what the table says"""
    import hashlib
    import hmac
    import os
    import struct
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    w = bk.start(walord, tmp_path, free_port)
    plain = b"PK\x03\x04 any bytes of a zip " * 1000
    salt, nonce, iters, pw = os.urandom(16), os.urandom(12), 20000, bk.PASSPHRASE.encode()
    master = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iters).derive(pw)
    key = hmac.new(master, b"walor-backup aes-256-gcm", hashlib.sha256).digest()
    check = hmac.new(master, b"walor-backup check", hashlib.sha256).digest()[:16]
    header = b"WALORENC" + bytes([1, 1, 0, 0]) + struct.pack(">I", iters) + salt + nonce + check
    assert len(header) == 60
    enc = tmp_path / "by-hand.zip.enc"
    enc.write_bytes(header + AESGCM(key).encrypt(nonce, plain, header))
    out = tmp_path / "by-hand.zip"
    r = bk.walorctl(w, "decrypt", str(enc), str(out), env={"WALOR_BACKUP_PASSPHRASE": bk.PASSPHRASE})
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == plain
    # the header is the additional data: a changed nonce byte is damage, caught by the tag
    bad = header[:32] + bytes([header[32] ^ 1]) + header[33:]
    enc.write_bytes(bad + AESGCM(key).encrypt(nonce, plain, header))
    out.unlink()
    r = bk.walorctl(w, "decrypt", str(enc), str(out), env={"WALOR_BACKUP_PASSPHRASE": bk.PASSPHRASE})
    assert r.returncode == 1 and "damaged" in r.stderr and not out.exists(), r.stderr
