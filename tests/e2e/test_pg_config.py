"""[walor] db as a PostgreSQL conninfo: the password, in the conninfo or in
db_password_file, is never shown (--check-config, logs, walorctl), and a
server that is not there is named without it. Always uses a PostgreSQL
database of its own: runs in the default suite."""

from __future__ import annotations

import os
import subprocess

import pytest

import hostkit as hk
import pgkit

pytestmark = pytest.mark.skipif(
    pgkit.is_pg(), reason="runs in the default suite: it always uses a PostgreSQL database of its own")

PW = "Sup3r-S3cret-pw"


@pytest.mark.features("F-HOST-04")
def test_the_password_is_never_shown(tgsim, walord, tmp_path, build_dir):
    base = pgkit.cluster().new_database("p")
    # the throw-away cluster trusts local connections, so any password opens it
    w = hk.start(walord, tmp_path, ("hello",), walor={"db": f"{base} password={PW}"})
    u = tgsim.user("Вера")
    u.send("/hello")
    u.expect("Вы нажали кнопку 0 раз")
    r = walord.check_config(w.config_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "password=***" in r.stdout and PW not in r.stdout + r.stderr
    ctl = subprocess.run([str(build_dir / "bin" / "walorctl"), "--config", str(w.config_path), "users"],
                         capture_output=True, text=True, timeout=60)
    assert ctl.returncode == 0 and PW not in ctl.stdout + ctl.stderr, ctl.stderr
    w.stop()
    assert PW not in w.log()

    # from a file, and a URL whose server is not there: named, without the password
    (tmp_path / "db.pw").write_text(PW + "\n")
    sock = tmp_path / "nowhere"
    sock.mkdir()
    url = f"postgresql://walor:{PW}@/shop?host={sock}"
    bad = walord(plugins=["hello"], plugin_dir=hk.plugin_dir(tmp_path, ["hello"]),
                 walor={"db": url, "db_password_file": tmp_path / "db.pw"}, start=False)
    bad.start(wait_ready=False)
    rc = bad.wait_exit(timeout=20)
    assert rc != 0
    log = bad.log()
    assert "cannot open database postgresql://walor:***@/shop" in log, log[-2000:]
    assert PW not in log
