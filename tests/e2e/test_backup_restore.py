"""`walorctl restore` (F-BAK-04, plugins/backup-gdrive/README.md): the drill —
a shop with stock, an order paid and completed, bonuses and a promo code is
backed up from the owner's button, wiped, restored, and has the same rows in
every table and works — and every way a restore must refuse: walord still
running, a damaged, cut or foreign archive, a backup from a newer schema.
The drill's shop has a confirmed booking too (bookings plugin)."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

import hostkit as hk
import test_backup_kit as bk
import test_orders_kit as ok
import test_pay_kit as pk
from test_checkout_flow import cdek, dadata, default_prices  # noqa: F401
from test_loyalty_kit import settled
from test_shop_flow import MY_ORDERS, checkout, ecom, open_product, promo, supply  # noqa: F401
from test_shop_flow import start as shop_start
from test_catalog_browse import Shop
from test_bookings_kit import MENU as BOOKINGS_MENU, add_service, book, to_monday_morning
import datetime as dt


def backup_from_the_bot(w, boss, tgsim, n=1):
    bk.section(boss)
    boss.press(bk.NOW_BTN)
    run = bk.finished(w, n)[n - 1]
    assert run["state"] == "ok", run
    doc = bk.wait_document(boss, n)
    return run, tgsim.file_bytes(doc["document"]["file_id"])


def wipe(w):
    """the disaster: the database is gone (walord stopped first)"""
    assert not w.running
    for side in ("", "-wal", "-shm"):
        Path(str(w.db_path) + side).unlink(missing_ok=True)


@pytest.mark.features("F-BAK-04", "F-BAK-01", "F-BAK-03")
@pytest.mark.sqlite_only("the archive's SQLite file, read back with sqlite3 (PostgreSQL: test_pg_backup.py)")
def test_drill_backup_wipe_restore_same_rows_and_the_shop_works(tgsim, walord, tmp_path, free_port, cdek, dadata,
                                                                  ecom):
    d = tmp_path / "backups"
    d.mkdir()
    w = shop_start(walord, tmp_path, free_port, cdek, dadata, ecom, extra_plugins=["bookings", "backup-gdrive"],
                   extra_conf={"85-backup-gdrive.ini": f"[plugin.backup-gdrive]\ndir = {d}\ntime = off\n"})
    default_prices(cdek)
    mon = to_monday_morning(w)                       # the bookings' calendar needs a known week
    shop = Shop(w)
    rose = shop.product("Роза", variants=[("50 мл", 150000, 300)])
    soap = shop.product("Мыло", price=50000)
    boss = hk.owner(tgsim)
    boss.send("/start")
    supply(boss, f"{rose}.1 10\n{soap} 4", f"{rose}.1 6000\n{soap} 800")        # stock
    promo(boss, "Весна", 10)
    anna = tgsim.user("Анна")
    open_product(anna, "Роза")
    anna.press("50 мл — 1 500 ₽")
    checkout(anna, "89161234567")
    anna.press("✅ Подтвердить")
    oid = hk.scalar(w.db(), "SELECT max(id) FROM orders_order")
    inv = pk.invoice_of(w, oid)
    assert ecom.pay(inv) == 200                                                  # paid
    anna.expect(f"✅ Оплата заказа №{oid} получена")
    track = hk.wait_until(lambda: hk.scalar(w.db(), "SELECT tracking FROM orders_order WHERE id = ?", oid),
                          what="the tracking number")
    uuid = cdek.order_by_number(f"W{oid}")["uuid"]
    for st in ("RECEIVED_AT_SHIPMENT_WAREHOUSE", "ACCEPTED_AT_PICK_UP_POINT"):
        assert cdek.push_status(uuid, st) == 200
    boss.press_data(f"ord:o:{oid}", force=True)
    boss.press("▶️ ✅ Выполнен")
    anna.expect("💎 Начислено")                                                # bonuses
    settled(w)
    add_service(w, "Консультация", 1500, 30, "online")                         # a booking
    book(anna, "Консультация", mon + dt.timedelta(days=1), "15:30", phone="+7 903 000-11-22")
    anna.expect("Мастер подтвердит запись")
    boss.expect("Новая запись")
    boss.press("✅ Подтвердить")
    anna.expect("Ваша запись подтверждена")
    con = w.db()
    before = {
        "order": con.execute("SELECT status, total, tracking FROM orders_order WHERE id = ?", (oid,)).fetchone(),
        "stock": con.execute("SELECT product_id, variant_no, on_hand, reserved FROM warehouse_item "
                             "ORDER BY 1, 2").fetchall(),
        "bonus": con.execute("SELECT user_id, amount, kind FROM loyalty_ledger").fetchall(),
        "promo": con.execute("SELECT code, used FROM loyalty_promo").fetchall(),
        "booking": con.execute("SELECT client_id, status, starts_at FROM bookings_booking").fetchall(),
    }
    con.close()
    assert before["order"] == ("completed", 175000, track) and before["bonus"] and before["promo"] == [("ВЕСНА", 0)]
    assert [(b[0], b[1]) for b in before["booking"]] == [(anna.id, "confirmed")]

    run, data = backup_from_the_bot(w, boss, tgsim)
    manifest, copy_bytes = bk.unzip(data)
    archive = tmp_path / run["file"]
    archive.write_bytes(data)
    copy = tmp_path / "in-the-archive.db"
    copy.write_bytes(copy_bytes)
    expected = bk.dump(copy)
    for t in ("orders_order", "orders_line", "warehouse_item", "warehouse_ledger", "loyalty_ledger", "loyalty_promo",
              "catalog_product", "wh_users", "bookings_booking", "bookings_service"):
        assert expected[t], t                                                   # the shop is in it

    # ---- the disaster and the restore
    w.stop()
    wipe(w)
    r = bk.walorctl(w, "restore", str(archive))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"restored {w.db_path} from {archive}" in r.stdout and "integrity ok" in r.stdout, r.stdout
    assert "kept as" not in r.stdout                                            # there was nothing to keep
    assert not Path(str(w.db_path) + "-wal").exists()                           # one file, folded by SQLite
    assert not list(tmp_path.glob("walord/*.restore-*"))
    got = bk.dump(w.db_path)
    assert sorted(got) == sorted(expected)
    for table in expected:
        assert got[table] == expected[table], table                             # the same rows in every table
    assert bk.table_rows(w.db_path) == manifest["tables"]

    # ---- the shop works: a customer opens the catalog and their order
    w.start()
    con = w.db()
    assert con.execute("SELECT status, total, tracking FROM orders_order WHERE id = ?", (oid,)).fetchone() == \
        before["order"]
    assert con.execute("SELECT product_id, variant_no, on_hand, reserved FROM warehouse_item ORDER BY 1, 2"
                       ).fetchall() == before["stock"]
    assert con.execute("SELECT user_id, amount, kind FROM loyalty_ledger").fetchall() == before["bonus"]
    assert con.execute("SELECT client_id, status, starts_at FROM bookings_booking").fetchall() == before["booking"]
    con.close()
    s = open_product(anna, "Мыло")
    assert "🛒 Купить — 500 ₽" in s.button_texts, s
    anna.send("/start")
    anna.press(MY_ORDERS)
    rows = [t for t in anna.screen().button_texts if t.startswith("№")]
    assert len(rows) == 1 and rows[0].startswith(f"№{oid} · ✅ Выполнен"), rows
    anna.send("/start")                                                        # and their booking
    anna.press(BOOKINGS_MENU)
    anna.press("📋 Мои записи")
    assert any(b.startswith("✅ вт,") and b.endswith("· Консультация") for b in anna.screen().button_texts), \
        anna.dump()
    # and a running walord is never restored over
    r = bk.walorctl(w, "restore", str(archive))
    assert r.returncode == 1 and "walord is running" in r.stderr and "nothing was changed" in r.stderr, r.stderr
    assert "50 мл — 1 500 ₽" in open_product(anna, "Роза").button_texts     # walord went on serving


def hello_shop(walord, tmp_path, free_port, tgsim, clicks=1):
    w = bk.start(walord, tmp_path, free_port)
    boss, _ = bk.owners(tgsim)
    u = tgsim.user("Покупатель")
    u.send("/hello")
    for _ in range(clicks):
        u.press("➕ Ещё")
    return w, boss, u


def clicks(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT coalesce(sum(clicks), 0) FROM hello_clicks").fetchone()[0]
    finally:
        con.close()


@pytest.mark.features("F-BAK-04")
@pytest.mark.sqlite_only("the archive's SQLite file, read back with sqlite3 (PostgreSQL: test_pg_backup.py)")
def test_restore_over_a_shop_keeps_it_aside(tgsim, walord, tmp_path, free_port):
    w, boss, u = hello_shop(walord, tmp_path, free_port, tgsim, clicks=1)
    run, data = backup_from_the_bot(w, boss, tgsim)
    archive = tmp_path / run["file"]
    archive.write_bytes(data)
    for _ in range(2):
        u.press("➕ Ещё")                              # changes the restore takes back
    hk.wait_until(lambda: clicks(w.db_path) == 3, what="three clicks stored")
    w.stop()
    r = bk.walorctl(w, "restore", str(archive))
    assert r.returncode == 0, r.stderr
    aside = next(tmp_path.glob("walord/walor.db.before-restore-*"))
    assert f"kept as {aside}" in r.stdout
    assert clicks(w.db_path) == 1 and clicks(aside) == 3 and bk.integrity(aside) == "ok"
    w.start()
    u.press("➕ Ещё")
    hk.wait_until(lambda: clicks(w.db_path) == 2, what="the restored shop counts on")


def rezip(manifest, db: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("walor.db", db)
    return out.getvalue()


@pytest.mark.features("F-BAK-04")
@pytest.mark.sqlite_only("the archive's SQLite file, read back with sqlite3 (PostgreSQL: test_pg_backup.py)")
def test_bad_archives_are_refused_and_change_nothing(tgsim, walord, tmp_path, free_port):
    w, boss, u = hello_shop(walord, tmp_path, free_port, tgsim, clicks=2)
    run, data = backup_from_the_bot(w, boss, tgsim)
    manifest, db = bk.unzip(data)
    u.press("➕ Ещё")
    hk.wait_until(lambda: clicks(w.db_path) == 3, what="a click after the backup")
    w.stop()
    live = bk.dump(w.db_path)

    cases = {}
    cases["damaged"] = bytearray(data)
    cases["damaged"][len(data) // 2] ^= 0xff
    cases["cut short"] = data[: len(data) * 2 // 3]
    cases["not an archive"] = b"just some text, not a zip\n" * 10
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "another program's zip")
    cases["a foreign zip"] = other.getvalue()
    # a database that is not what the manifest says (a row deleted, the manifest kept)
    changed = tmp_path / "changed.db"
    changed.write_bytes(db)
    c = sqlite3.connect(changed)
    c.execute("DELETE FROM hello_clicks")
    c.commit()
    c.close()
    cases["manifest mismatch"] = rezip(manifest, changed.read_bytes())
    why = {"damaged": ("damaged", "not a readable backup archive", "not the one its manifest describes"),
           "cut short": ("not a readable backup archive", "damaged"),
           "not an archive": ("not a readable backup archive",),
           "a foreign zip": ("not a Walor backup",),
           "manifest mismatch": ("not the one its manifest describes",)}
    for name, blob in cases.items():
        f = tmp_path / f"bad-{name.replace(' ', '-')}.zip"
        f.write_bytes(bytes(blob))
        for args in ((), ("--check",)):
            r = bk.walorctl(w, "restore", str(f), *args)
            assert r.returncode == 1, (name, r.stdout, r.stderr)
            assert any(x in r.stderr for x in why[name]) and "nothing was changed" in r.stderr, (name, r.stderr)
        assert bk.dump(w.db_path) == live, name                      # untouched
        assert not list(tmp_path.glob("walord/*.restore-*")) and not list(tmp_path.glob("walord/*.before-*"))
    r = bk.walorctl(w, "restore", str(tmp_path / "no-such-backup.zip"))
    assert r.returncode == 1 and "cannot read" in r.stderr, r.stderr
    assert bk.dump(w.db_path) == live


@pytest.mark.features("F-BAK-04")
@pytest.mark.sqlite_only("the archive's SQLite file, read back with sqlite3 (PostgreSQL: test_pg_backup.py)")
def test_a_backup_from_a_newer_schema_is_refused(tgsim, walord, tmp_path, free_port):
    w, boss, u = hello_shop(walord, tmp_path, free_port, tgsim)
    run, data = backup_from_the_bot(w, boss, tgsim)
    manifest, db = bk.unzip(data)
    known = manifest["schema"]["hello"]
    newer = tmp_path / "newer.db"
    newer.write_bytes(db)
    c = sqlite3.connect(newer)
    c.execute("INSERT INTO wh_migrations(owner, version, applied_at) VALUES ('hello', ?, 0)", (known + 1,))
    c.execute("INSERT INTO wh_migrations(owner, version, applied_at) VALUES ('bookings', 1, 0)")
    c.execute("CREATE TABLE bookings_slot(id INTEGER PRIMARY KEY)")
    c.commit()
    c.close()
    raw = newer.read_bytes()
    m = dict(manifest, schema=dict(manifest["schema"], hello=known + 1, bookings=1),
             database=dict(manifest["database"], bytes=len(raw), sha256=bk.sha256(raw)),
             tables=bk.table_rows(newer))
    f = tmp_path / "from-tomorrow.zip"
    f.write_bytes(rezip(m, raw))
    w.stop()
    live = bk.dump(w.db_path)
    r = bk.walorctl(w, "restore", str(f))
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"newer version: hello {known + 1} (this walord knows {known})" in r.stderr, r.stderr
    assert "nothing was changed" in r.stderr and bk.dump(w.db_path) == live
    # the same schema with a plugin this walord lacks: restored, with a note
    m["schema"]["hello"] = known
    c = sqlite3.connect(newer)
    c.execute("DELETE FROM wh_migrations WHERE owner = 'hello' AND version = ?", (known + 1,))
    c.commit()
    c.close()
    raw = newer.read_bytes()
    m.update(database=dict(m["database"], bytes=len(raw), sha256=bk.sha256(raw)), tables=bk.table_rows(newer))
    f.write_bytes(rezip(m, raw))
    r = bk.walorctl(w, "restore", str(f))
    assert r.returncode == 0, r.stderr
    assert "tables of bookings, which this walord does not load" in r.stdout, r.stdout
    assert bk.table_rows(w.db_path)["bookings_slot"] == 0
    shutil.rmtree(tmp_path / "backups", ignore_errors=True)
