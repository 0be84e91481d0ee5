"""Going live: `walord --check-config` refuses a configuration that cannot go
live and names the file and line (the shipped conf.d as it is, no plugin,
an empty conf_dir, example addresses, CDEK's test server or account, an
empty INN with receipts on), accepts the placeholders in test mode, and
`walorctl setup` fills in what a shop must give, refusing bad answers one
field at a time and writing nothing when it is stopped."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

import walor_harness as wh

ROOT = wh.REPO_ROOT
TOKEN = "123456:AAHgoLiveTestToken0123456789abcdefg"
CDEK_TEST_ID = "wqGwiQx0gg8mLtiEKsUinjVSICCjtTEP"


def shop(tmp_path: Path, build_dir: Path, walor_extra: dict | None = None) -> Path:
    """A copy of the shipped configuration laid out as the package installs
    it: walor.ini with conf_dir = conf.d, the NN-<plugin>.ini files in conf.d/."""
    etc = tmp_path / "etc"
    (etc / "conf.d").mkdir(parents=True)
    ini = (ROOT / "conf.d" / "walor.ini").read_text()
    ini = ini.replace("conf_dir = .", "conf_dir = conf.d")
    ini = re.sub(r"^db = .*$", f"db = {tmp_path / 'walor.db'}", ini, flags=re.M)
    ini = re.sub(r"^plugin_dir = .*$", f"plugin_dir = {build_dir / 'lib' / 'walor' / 'plugins'}", ini, flags=re.M)
    for k, v in (walor_extra or {}).items():   # the file's own line, not a duplicate key
        ini = re.sub(rf"^(; )?{k} =.*$", f"{k} = {v}", ini, count=1, flags=re.M)
    (etc / "walor.ini").write_text(ini)
    for f in (ROOT / "conf.d").glob("[0-9]*.ini"):
        shutil.copy(f, etc / "conf.d" / f.name)
    return etc


def check(build_dir: Path, etc: Path, env=None) -> subprocess.CompletedProcess:
    return wh.check_config(build_dir, etc / "walor.ini", env={"WALOR_BOT_TOKEN": TOKEN, **(env or {})})


def errors(r: subprocess.CompletedProcess) -> list[str]:
    return [l for l in r.stderr.splitlines() if l.startswith("error: ")]


def line_of(path: Path, pattern: str) -> int:
    for n, l in enumerate(path.read_text().splitlines(), 1):
        if re.match(pattern, l):
            return n
    raise AssertionError(f"no line {pattern!r} in {path}")


def setkeys(path: Path, **keys) -> None:
    """Sets key = value on the file's own (maybe commented) line, else at the end."""
    text = path.read_text()
    for k, v in keys.items():
        text, n = re.subn(rf"^(; )?{k} =.*$", f"{k} = {v}", text, count=1, flags=re.M)
        if not n:
            text += f"{k} = {v}\n"
    path.write_text(text)


@pytest.mark.features("F-HOST-02", "F-CHK-04")
def test_shipped_configuration_cannot_go_live(build_dir, tmp_path):
    etc = shop(tmp_path, build_dir)
    r = check(build_dir, etc)
    assert r.returncode == 2, r.stdout + r.stderr
    errs = errors(r)
    assert f"error: {etc}/walor.ini:{line_of(etc / 'walor.ini', 'owners =')}: walor.owners: no owner" in "\n".join(errs)
    cdek = etc / "conf.d" / "50-checkout-cdek.ini"
    assert any(e.startswith(f"error: {cdek}:{line_of(cdek, 'cdek_client_id =')}: plugin.checkout-cdek.cdek_client_id: "
                            "no CDEK account") for e in errs), errs
    assert "configuration NOT ready" in r.stdout
    assert "cannot be loaded" not in r.stderr      # the plugin's own reason, once
    # the example plugin and the demo data are not in it
    assert not list((etc / "conf.d").glob("*hello*"))
    assert re.search(r"^demo = no\s", (etc / "conf.d" / "20-catalog.ini").read_text(), re.M)


@pytest.mark.features("F-HOST-02", "F-CHK-04", "F-PAY-02")
def test_placeholders_are_refused_in_a_live_shop_and_named(build_dir, tmp_path):
    etc = shop(tmp_path, build_dir, walor_extra={"owners": "4200001", "public_url": "https://bot.example.com/",
                                                 "listen": "127.0.0.1:8080"})
    cdek = etc / "conf.d" / "50-checkout-cdek.ini"
    setkeys(cdek, cdek_base_url="https://api.edu.cdek.ru/v2/", cdek_client_id=CDEK_TEST_ID,
            cdek_client_secret="RmAmgvSgSl1yirlz9QupbzOJVqhCxcP5")
    pay = etc / "conf.d" / "60-pay-ecom.ini"
    setkeys(pay, enabled="yes", login="shop", password="pw-12345678", group_code="700")
    r = check(build_dir, etc)
    assert r.returncode == 2, r.stdout + r.stderr
    text = "\n".join(errors(r))
    ini = etc / "walor.ini"
    assert f"{ini}:{line_of(ini, 'public_url = ')}: walor.public_url: bot.example.com is an example address" in text
    assert f"{cdek}:{line_of(cdek, 'cdek_base_url = https://api.edu')}: plugin.checkout-cdek.cdek_base_url: " \
           "CDEK's test server" in text
    assert f"{cdek}:{line_of(cdek, 'cdek_client_id = wq')}: plugin.checkout-cdek.cdek_client_id: " \
           "CDEK's public test account" in text
    # later lines win: the check names the line that is in effect
    assert f"{pay}:{line_of(pay, 'inn =')}: plugin.pay-ecom.inn: fiscal = yes needs the company's INN" in text
    assert f"{pay}:{line_of(pay, 'company_email =')}: plugin.pay-ecom.company_email" in text

    # the same files in test mode: warnings, and the configuration passes
    ini.write_text(ini.read_text().replace("[walor]\n", "[walor]\ntest_mode = yes\n", 1))
    r = check(build_dir, etc)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not errors(r)
    assert "(accepted in test mode)" in r.stderr and "CDEK's test server" in r.stderr
    assert r.stdout.rstrip().endswith("configuration OK")

    # cdek_test = yes says the test server and account are meant: no error, a warning
    ini.write_text(ini.read_text().replace("test_mode = yes\n", "").replace("https://bot.example.com/",
                                                                             "https://bot.myshop.ru/"))
    setkeys(cdek, cdek_test="yes")
    setkeys(pay, inn="7707083893", company_email="shop@myshop.ru", payment_address="https://t.me/myshop_bot",
            webhook_secret="0123456789abcdef0123")
    r = check(build_dir, etc)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "warning: " in r.stderr and "CDEK's test environment" in r.stderr
    # the plugin's own public_url/webhook_secret still work, with a warning
    assert f"{pay}:{line_of(pay, 'webhook_secret = ')}: plugin.pay-ecom.webhook_secret: deprecated" in r.stderr


@pytest.mark.features("F-HOST-02")
def test_no_plugin_and_empty_conf_dir_are_refused_even_in_test_mode(build_dir, tmp_path):
    etc = tmp_path / "etc"
    (etc / "conf.d").mkdir(parents=True)
    ini = etc / "walor.ini"
    ini.write_text(f"[walor]\ntest_mode = yes\nowners = 4200001\ndb = {tmp_path / 'w.db'}\n"
                   f"plugin_dir = {build_dir / 'lib' / 'walor' / 'plugins'}\n")
    r = check(build_dir, etc)
    assert r.returncode == 2
    text = "\n".join(errors(r))
    assert f"error: {ini}: walor.plugins: no plugin is enabled" in text
    assert f"error: {ini}: walor.conf_dir: {etc}/conf.d holds no .ini file" in text

    # the old guide's mistake: walor.ini copied with conf_dir = . next to nothing
    ini.write_text(ini.read_text() + "conf_dir = .\n")
    (etc / "conf.d" / "20-catalog.ini").write_text("[plugin.catalog]\nenabled = yes\n")
    r = check(build_dir, etc)
    assert r.returncode == 2
    assert f"error: {ini}:{line_of(ini, 'conf_dir = ')}: walor.conf_dir: {etc} holds no .ini file" in "\n".join(errors(r))

    # and a plugin that cannot load is an error of check-config, naming its section
    ini.write_text(ini.read_text().replace("conf_dir = .\n", ""))
    (etc / "conf.d" / "30-nope.ini").write_text("[plugin.nope]\nenabled = yes\n")
    r = check(build_dir, etc)
    assert r.returncode == 2
    assert f"error: {etc}/conf.d/30-nope.ini:2: plugin.nope.enabled: the plugin cannot be loaded: no file" \
        in "\n".join(errors(r))


@pytest.mark.features("F-HOST-02", "F-CHK-04")
def test_walord_refuses_to_start_what_check_config_refuses(walord, tgsim, tmp_path):
    cdek = "[plugin.checkout-cdek]\nenabled = yes\ncdek_base_url = https://api.edu.cdek.ru/v2\n"
    w = walord(plugins=["catalog", "checkout-cdek"], walor={"test_mode": False},
               conf_files={"50-checkout-cdek.ini": cdek}, start=False)
    w.start(wait_ready=False)
    assert w.wait_exit() == 2
    log = w.log()
    assert re.search(r"50-checkout-cdek.ini:3: plugin.checkout-cdek.cdek_base_url: CDEK's test server", log), log
    assert "the configuration is not ready for a live shop" in log


def setup_run(build_dir: Path, etc: Path, answers: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALOR_")}
    return subprocess.run([str(build_dir / "bin" / "walorctl"), "--config", str(etc / "walor.ini"), "setup"],
                          input="".join(a + "\n" for a in answers), capture_output=True, text=True, env=env,
                          timeout=30)


@pytest.mark.features("F-HOST-02", "F-CHK-04", "F-PAY-01")
def test_setup_refuses_bad_answers_per_field_and_writes_a_live_configuration(build_dir, tmp_path):
    etc = shop(tmp_path, build_dir)
    r = setup_run(build_dir, etc, [
        "not-a-token", TOKEN,
        "Ольга", "0", "4200001, 4200002",
        "http://shop.myshop.ru", "https://bot.example.com", "https://bot.myshop.ru/",
        CDEK_TEST_ID, "ShopAccount12345",
        "short", "ShopSecret-12345",
        "maybe", "yes",
        "shop-login", "pw 12", "pw-12345678", "700",
        "yes",
        "7707083894", "770708389", "7707083893",
        "shop@example.com", "shop@myshop.ru",
        "https://t.me/your_shop_bot", "https://t.me/myshop_bot",
    ])
    assert r.returncode == 0, r.stdout + r.stderr
    refusals = [l for l in r.stdout.splitlines() if "refused:" in l]
    assert len(refusals) == 13, r.stdout
    assert "a bot token looks like" in refusals[0]
    assert "public test account" in "\n".join(refusals)
    assert "control digit" in "\n".join(refusals)
    written = (etc / "conf.d" / "90-setup.ini").read_text()
    assert "owners = 4200001, 4200002" in written
    assert "public_url = https://bot.myshop.ru/" in written and "listen = 127.0.0.1:8080" in written
    assert "cdek_client_id = ShopAccount12345" in written and "inn = 7707083893" in written
    assert TOKEN not in written
    assert (etc / "credentials" / "bot-token").read_text() == TOKEN + "\n"
    secret = (etc / "credentials" / "webhook-secret").read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    for f in ("conf.d/90-setup.ini", "credentials/bot-token", "credentials/webhook-secret"):
        assert stat.S_IMODE((etc / f).stat().st_mode) == 0o640, f

    # what setup wrote passes the go-live checks, the secrets read as the unit's credentials
    r = wh.check_config(build_dir, etc / "walor.ini", env={"CREDENTIALS_DIRECTORY": str(etc / "credentials")})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "configuration OK" in r.stdout

    # running it again keeps the webhook secret the providers already know
    r = setup_run(build_dir, etc, [TOKEN, "4200001", "", "ShopAccount12345", "ShopSecret-12345", "no"])
    assert r.returncode == 0, r.stdout
    assert (etc / "credentials" / "webhook-secret").read_text().strip() == secret
    assert "[plugin.pay-ecom]\nenabled = no" in (etc / "conf.d" / "90-setup.ini").read_text()


@pytest.mark.features("F-HOST-02")
def test_setup_stopped_halfway_writes_nothing(build_dir, tmp_path):
    etc = shop(tmp_path, build_dir)
    before = sorted(p.name for p in (etc / "conf.d").iterdir())
    r = setup_run(build_dir, etc, [TOKEN, "4200001", "https://bot.myshop.ru"])   # then end of input
    assert r.returncode == 1
    assert "nothing was written" in r.stdout
    assert sorted(p.name for p in (etc / "conf.d").iterdir()) == before
    assert not (etc / "credentials").exists()
    # five wrong answers to one field stop it too
    r = setup_run(build_dir, etc, ["x"] * 5 + [TOKEN, "4200001", "", "ShopAccount12345", "ShopSecret-12345", "no"])
    assert r.returncode == 1 and "too many wrong answers" in r.stdout
    assert not (etc / "conf.d" / "90-setup.ini").exists()
