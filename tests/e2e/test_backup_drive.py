"""backup-gdrive and Google Drive (F-BAK-02), against the fake Google of
tests/fakes/gdrive: a service account signing its JWT into a shared drive
(one multipart request, or Google's resumable upload in chunk jobs that
survive a failed chunk), a user's OAuth refresh token, the retention that
deletes only the plugin's own files, and the failures the owners hear of
once, with Drive's own words: the service account's 403
storageQuotaExceeded (EXTERNAL-APIS.md §5.3), a key Google no longer
accepts, an access token that expired early (401, then a new one)."""

from __future__ import annotations

import pytest

import hostkit as hk
import test_backup_kit as bk


@pytest.fixture
def google():
    f = bk.GDriveFake().start()
    yield f
    f.stop()


def drive_start(walord, tmp_path, free_port, google, extra="", key=True, folder=bk.FOLDER, **kw):
    key_file = bk.service_account(tmp_path, google) if key else None
    return bk.start(walord, tmp_path, free_port, ini=bk.drive_ini(google, key_file, folder, extra), **kw)


def backup(w, u, n):
    u.press(bk.NOW_BTN)
    return bk.finished(w, n)[n - 1]


@pytest.mark.features("F-BAK-02", "F-BAK-01")
def test_service_account_uploads_into_the_shared_drive(tgsim, walord, tmp_path, free_port, google):
    google.add_folder(bk.FOLDER, shared=True)
    w = drive_start(walord, tmp_path, free_port, google)
    anna, _ = bk.owners(tgsim)
    assert "Google Диск: сервисный аккаунт, общий диск" in bk.section(anna).text
    run = backup(w, anna, 1)
    run = bk.uploaded(w, run["id"])
    assert run["drive"] == "ok", run
    (fid, f), = google.backups().items()
    assert run["drive_id"] == fid and f["name"] == run["file"] and f["parents"] == [bk.FOLDER]
    assert f["data"] == (w.backups / run["file"]).read_bytes()
    assert f["appProperties"]["walor_sha256"] == run["sha256"]
    assert int(f["appProperties"]["walor_created"]) == run["started_at"]
    ups = google.requests("/upload/drive/v3/files")
    assert [(r["method"], r["query"]["uploadType"], r["query"]["supportsAllDrives"]) for r in ups] == \
        [("POST", "multipart", "true")]
    tok = google.requests("/token")
    assert len(tok) == 1 and "grant-type%3Ajwt-bearer" in tok[0]["body"]      # the fake checked the RS256 JWT
    assert "ya29" not in (tmp_path / "walord" / "walord.log").read_text()     # the token is never logged
    s = bk.section(anna)
    assert "☁️ Google Диск" in s.text and "⚠️" not in s.text, s.text


@pytest.mark.features("F-BAK-02")
def test_resumable_upload_in_chunk_jobs_survives_a_failed_chunk(tgsim, walord, tmp_path, free_port, google):
    google.add_folder(bk.FOLDER, shared=True)
    w = drive_start(walord, tmp_path, free_port, google, extra="drive_chunk_kb = 256\n")
    bk.grow(w, 6000)                  # over 5 MB: resumable, in 256 KiB chunks
    anna, _ = bk.owners(tgsim)
    bk.section(anna)
    google.fault("/upload/drive/v3/files", status=503, count=1)     # the session's start fails once
    run = backup(w, anna, 1)
    assert run["bytes"] > 5 * 1024 * 1024
    hk.wait_until(lambda: bk.runs(w)[0]["drive_attempts"] == 1, timeout=20 * w.scale, what="a retry planned")
    assert bk.runs(w)[0]["drive"] == "pending"
    bk.clock(w, 61)                   # the retry after a minute
    hk.wait_until(lambda: bk.runs(w)[0]["drive_offset"] > 0, timeout=20 * w.scale, what="a chunk stored")
    assert bk.runs(w)[0]["drive"] == "uploading" and bk.runs(w)[0]["drive_attempts"] == 0
    google.fault("/upload/drive/v3/files", status=503, count=1)     # a chunk fails in the middle
    hk.wait_until(lambda: bk.runs(w)[0]["drive_attempts"] == 1, timeout=60 * w.scale, what="a chunk failed")
    assert bk.runs(w)[0]["drive_inflight"] == 1                      # it does not know what Drive kept
    bk.clock(w, 61)
    done = bk.uploaded(w, run["id"], timeout=120)
    assert done["drive"] == "ok", done
    (fid, f), = google.backups().items()
    assert f["data"] == (w.backups / run["file"]).read_bytes()
    puts = [r for r in google.requests("/upload/drive/v3/files") if r["method"] == "PUT"]
    chunks = (run["bytes"] + 256 * 1024 - 1) // (256 * 1024)
    asked = [p for p in puts if p["headers"]["content-range"].startswith("bytes */")]
    assert len(asked) == 1                                           # after the failed chunk: how much is stored?
    assert len(puts) == chunks + 2                                   # every chunk once, the failed one again, the question
    assert all(p["query"]["upload_id"] == puts[0]["query"]["upload_id"] for p in puts)   # one session throughout
    assert bk.count_text(anna, "Google Диск не принял") == 0        # retried, not reported


@pytest.mark.features("F-BAK-02")
def test_service_account_without_a_shared_drive_gets_403_told_once(tgsim, walord, tmp_path, free_port, google):
    google.add_folder(bk.FOLDER, shared=False)          # a folder in someone's My Drive, shared with the account
    w = drive_start(walord, tmp_path, free_port, google)
    anna, petr = bk.owners(tgsim)
    bk.section(anna)
    run = bk.uploaded(w, backup(w, anna, 1)["id"])
    assert run["drive"] == "failed" and "403 storageQuotaExceeded" in run["drive_error"], run
    assert "Service Accounts do not have storage quota" in run["drive_error"]
    for u in (anna, petr):
        msg = u.expect(f"☁️ Google Диск не принял бэкап №{run['id']}")
        assert "storageQuotaExceeded" in msg["text"] and "общий диск" in msg["text"] and "drive = oauth" in msg["text"]
    assert bk.runs(w)[0]["local"] == 1 and (w.backups / run["file"]).exists()      # the archive is safe
    s = bk.section(anna)
    assert "⚠️ Последняя ошибка" in s.text and "storageQuotaExceeded" in s.text, s.text
    # the same error again: not told again
    run2 = bk.uploaded(w, backup(w, anna, 2)["id"])
    assert run2["drive"] == "failed"
    assert bk.count_text(anna, "Google Диск не принял") == 1 and bk.count_text(petr, "Google Диск не принял") == 1
    # the owner moves the folder to a shared drive: uploads work, and they hear it once
    google.add_folder(bk.FOLDER, shared=True)
    run3 = bk.uploaded(w, backup(w, anna, 3)["id"])
    assert run3["drive"] == "ok"
    anna.expect(f"☁️ Google Диск снова принимает бэкапы: №{run3['id']} загружен.")
    assert len(google.backups()) == 1


@pytest.mark.features("F-BAK-02")
def test_a_key_google_no_longer_accepts_and_an_expired_access_token(tgsim, walord, tmp_path, free_port, google):
    google.add_folder(bk.FOLDER, shared=True)
    w = drive_start(walord, tmp_path, free_port, google)
    anna, _ = bk.owners(tgsim)
    bk.section(anna)
    assert bk.uploaded(w, backup(w, anna, 1)["id"])["drive"] == "ok"
    # the access token dies before its hour: Drive says 401, the plugin gets a new one
    google.expire_tokens()
    assert bk.uploaded(w, backup(w, anna, 2)["id"])["drive"] == "ok"
    assert google.issued == 2 and len(google.backups()) == 2
    posts = [r for r in google.requests("/upload/drive/v3/files") if r["method"] == "POST"]
    assert len(posts) == 3                                          # the second one twice: refused (401), then with a new token
    assert posts[1]["headers"]["authorization"] != posts[2]["headers"]["authorization"]
    # the key is deleted in Google Cloud: the token endpoint refuses it
    google.revoke_key(bk.SA_EMAIL)
    google.expire_tokens()
    run = bk.uploaded(w, backup(w, anna, 3)["id"])
    assert run["drive"] == "failed" and "invalid_grant: Invalid JWT Signature." in run["drive_error"], run
    msg = anna.expect(f"☁️ Google Диск не принял бэкап №{run['id']}")
    assert "invalid_grant" in msg["text"] and "ключ сервисного аккаунта удалён или отозван" in msg["text"]
    assert len(google.backups()) == 2


@pytest.mark.features("F-BAK-02")
def test_a_users_oauth_refresh_token_and_a_full_drive(tgsim, walord, tmp_path, free_port, google):
    google.add_folder("my-drive-folder", shared=False)          # a personal @gmail.com Drive
    google.add_oauth_user("walor-client", "s3cret", "1//refresh")
    w = drive_start(walord, tmp_path, free_port, google, key=False, folder="my-drive-folder")
    anna, _ = bk.owners(tgsim)
    assert "Google Диск: аккаунт Google (OAuth)" in bk.section(anna).text
    assert bk.uploaded(w, backup(w, anna, 1)["id"])["drive"] == "ok"     # a user has storage of their own
    assert "grant_type=refresh_token" in google.requests("/token")[0]["body"]
    assert "s3cret" not in (tmp_path / "walord" / "walord.log").read_text()
    google.set_quota(len(next(iter(google.backups().values()))["data"]) + 10)
    run = bk.uploaded(w, backup(w, anna, 2)["id"])
    assert run["drive"] == "failed" and "The user's Drive storage quota has been exceeded." in run["drive_error"]
    anna.expect("403 storageQuotaExceeded: The user's Drive storage quota has been exceeded.")
    # the refresh token is revoked
    google.set_quota(None)
    google.revoke_key("1//refresh")
    google.expire_tokens()
    run = bk.uploaded(w, backup(w, anna, 3)["id"])
    assert "invalid_grant: Token has been expired or revoked." in run["drive_error"], run


@pytest.mark.features("F-BAK-02", "F-BAK-03")
def test_retention_deletes_only_its_own_old_backups(tgsim, walord, tmp_path, free_port, google):
    google.add_folder(bk.FOLDER, shared=True)
    w = drive_start(walord, tmp_path, free_port, google,
                    extra="keep_daily = 2\nkeep_weekly = 0\nkeep_monthly = 0\nkeep_local = 1\ntime = off\n")
    anna, _ = bk.owners(tgsim)
    theirs = google.add_file(bk.FOLDER, "accounts-2025.xlsx")
    lookalike = google.add_file(bk.FOLDER, "walor-backup-old.zip", app={"walor": "something-else"})
    bk.section(anna)
    ids = []
    for day in range(4):
        ids.append(bk.uploaded(w, backup(w, anna, day + 1)["id"])["id"])
        bk.clock(w, 86400)                                   # one backup a day
    hk.wait_until(lambda: len(google.backups()) == 2, timeout=20 * w.scale, what="the retention")
    rows = {r["id"]: r for r in bk.runs(w)}
    kept = sorted(r["drive_id"] for r in rows.values() if r["drive"] == "ok")
    assert kept == sorted(google.backups()) and [rows[i]["drive"] for i in ids] == ["deleted", "deleted", "ok", "ok"]
    assert theirs in google.files and lookalike in google.files           # never anything else in the folder
    deletes = [r["path"] for r in google.requests("/drive/v3/files/") if r["method"] == "DELETE"]
    assert sorted(deletes) == sorted(f"/drive/v3/files/{rows[i]['drive_id']}" for i in ids[:2])
    # keep_local = 1: the third is only on Drive now, and comes from there when asked for
    third = rows[ids[2]]
    assert [rows[i]["local"] for i in ids] == [0, 0, 0, 1] and not (w.backups / third["file"]).exists()
    bk.wait_document(anna, 4)
    bk.section(anna)
    anna.press(bk.HISTORY_BTN)
    s = anna.screen()
    assert f"📥 Архив №{third['id']}" in s.button_texts and f"📥 Архив №{ids[0]}" not in s.button_texts, s
    anna.press(f"📥 Архив №{third['id']}")
    doc = bk.wait_document(anna, 5)
    assert bk.sha256(tgsim.file_bytes(doc["document"]["file_id"])) == third["sha256"]
    assert any(r["query"].get("alt") == "media" for r in google.requests(f"/drive/v3/files/{third['drive_id']}"))
