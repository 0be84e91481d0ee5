"""Moving a shop from SQLite to PostgreSQL: `walord --migrate` makes the
schema, `walorctl migrate-db` copies and checks the data
(tools/walorctl/migrate_db.c, docs/operator-guide.md "Moving to
PostgreSQL"). Always uses a PostgreSQL database of its own, so it runs in
the default suite and is skipped in the PostgreSQL run."""

from __future__ import annotations

import os
import subprocess

import pytest

import hostkit as hk
import pgkit

pytestmark = pytest.mark.skipif(
    pgkit.is_pg(), reason="runs in the default suite: it always uses a PostgreSQL database of its own")

PLUGINS = ("hello", "catalog", "warehouse", "orders", "support-groq")


def walorctl(build_dir, config, *args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([str(build_dir / "bin" / "walorctl"), "--config", str(config), *args],
                          capture_output=True, text=True, timeout=120, env=e)


def walord_migrate(build_dir, config, conninfo):
    e = {k: v for k, v in os.environ.items() if not k.startswith("WALOR_")}
    e["WALOR_DB"] = conninfo
    return subprocess.run([str(build_dir / "bin" / "walord"), "--config", str(config), "--migrate"],
                          capture_output=True, text=True, timeout=120, env=e)


@pytest.mark.features("F-HOST-04", "F-BAK-01")
def test_a_shop_moves_from_sqlite_to_postgresql(tgsim, walord, tmp_path, build_dir):
    w = hk.start(walord, tmp_path, PLUGINS, walor={"db": tmp_path / "shop.db"})
    users = [tgsim.user(f"Клиент{i}") for i in range(3)]
    for i, u in enumerate(users):
        u.send("/hello")
        for k in range(i + 1):
            u.press("➕ Ещё")
            u.expect(f"Вы нажали кнопку {k + 1} раз")
    con = w.db()
    con.execute("INSERT INTO catalog_category(parent_id, name, name_lc) VALUES (0, 'Чай', 'чай')")
    con.execute("INSERT INTO catalog_product(category_id, name, name_lc, price) VALUES (1, 'Пуэр', 'пуэр', 125000)")
    con.commit()
    con.close()
    w.stop()

    dest = pgkit.cluster().new_database("m")
    # without the schema the copy refuses, and says how to make it
    r = walorctl(build_dir, w.config_path, "migrate-db", str(tmp_path / "shop.db"), dest)
    assert r.returncode == 1 and "--migrate" in r.stderr, r
    m = walord_migrate(build_dir, w.config_path, dest)
    assert m.returncode == 0, m.stderr[-2000:]
    r = walorctl(build_dir, w.config_path, "migrate-db", str(tmp_path / "shop.db"), dest)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "tables copied and checked" in r.stdout
    assert "hello_clicks" in r.stdout and "catalog_product" in r.stdout and "wh_users" in r.stdout, r.stdout
    assert "support_fts " in r.stdout, r.stdout          # SQLite's FTS5 table into its PostgreSQL twin
    assert dest.split("password")[0] in dest and "password" not in r.stdout
    # a second copy onto a database that has users refuses and writes nothing
    again = walorctl(build_dir, w.config_path, "migrate-db", str(tmp_path / "shop.db"), dest)
    assert again.returncode == 1 and "refusing" in again.stderr, again

    # the same shop on PostgreSQL: the counters go on, new ids follow the copied ones
    p = walord(plugins=list(PLUGINS), plugin_dir=hk.plugin_dir(tmp_path, PLUGINS), owners=[hk.OWNER_ID],
               walor={"db": dest})
    pcon = p.db()
    assert hk.scalar(pcon, "SELECT count(*) FROM hello_clicks") == 3
    users[2].send("/hello")
    users[2].press("➕ Ещё")
    users[2].expect("Вы нажали кнопку 4 раз")
    pcon.execute("INSERT INTO catalog_product(category_id, name, name_lc, price) VALUES (1, 'Улун', 'улун', 90000)")
    pcon.commit()
    assert [r[0] for r in pcon.execute("SELECT id FROM catalog_product ORDER BY id").fetchall()] == [1, 2]
    assert hk.scalar(pcon, "SELECT sum(price) FROM catalog_product") == 215000


@pytest.mark.features("F-HOST-04")
def test_migrate_db_refuses_wrong_arguments(tgsim, walord, tmp_path, build_dir):
    w = hk.start(walord, tmp_path, ("hello",))
    w.stop()
    r = walorctl(build_dir, w.config_path, "migrate-db", str(tmp_path / "nowhere.db"), "host=/nonexistent dbname=x")
    assert r.returncode == 1 and "nowhere.db" in r.stderr, r
    r = walorctl(build_dir, w.config_path, "migrate-db", "postgresql:///a", "postgresql:///b")
    assert r.returncode == 2, r
    r = walorctl(build_dir, w.config_path, "migrate-db", "only-one")
    assert r.returncode == 2 and "conninfo" in r.stderr, r
