"""pytest fixtures for the Walor e2e suite (stdlib + pytest only).

    @pytest.mark.features("F-HOST-05")
    def test_start_registers_user(tgsim, walord):
        w = walord(plugins=["hello"], owners=[100001])
        ...                      # drive the bot through `tgsim` (tests/e2e/tgsim.py: Sim)
        assert w.db().execute("select count(*) from users").fetchone()[0] == 1
        w.stop()                 # optional: teardown stops it too; exit code must be 0

Fixtures
  build_dir      Path of the build tree (WALOR_BUILD_DIR, default <repo>/build)
  tgsim_server   the tgsim process (TgsimServer: .url, .port, .token, .log())
  tgsim          tgsim.Sim(tgsim_server.url): the test's view of the fake Telegram
  walord         factory: walord(plugins=[...], extra_ini="...", owners=[...], env={...},
                 walor={key: value} (overrides [walor]), telegram={...}, conf_files=
                 {"10-x.ini": "..."}, plugin_dir=..., args=[...], api_root=..., start=True)
                 → Walord (.stop() .kill9() .restart() .log() .db() .config_path ...);
                 walord.check_config(path) runs `walord --check-config`.
  free_port      a factory returning free TCP ports on 127.0.0.1

Each test gets its own tgsim and its own temp directories (tmp_path), so tests
are independent and can run in parallel.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pgkit  # noqa: E402
import walor_harness as wh  # noqa: E402

FEATURE_ID_RE = re.compile(r"^F-[A-Z0-9]+-\d{2,}$")
# The feature register lives in shared/ beside the repository (absent in some clones).
FEATURES_MD = wh.REPO_ROOT.parent / "shared" / "spec" / "FEATURES.md"


def _known_feature_ids():
    try:
        text = FEATURES_MD.read_text(errors="replace")
    except OSError:
        return None
    return set(re.findall(r"^\|\s*(F-[A-Z0-9]+-\d+)\s*\|", text, re.M))


# ---------------------------------------------------------------- markers, reports

def pytest_configure(config):
    # Also declared in pytest.ini; repeated here so --strict-markers passes when
    # the suite is run with another ini file.
    config.addinivalue_line(
        "markers", "features(*ids): feature IDs of shared/spec/FEATURES.md this test proves")
    config.addinivalue_line(
        "markers", "infra: tests the harness or the machinery itself, not a feature of FEATURES.md")
    config.addinivalue_line(
        "markers", "sqlite_only(why): tests SQLite's own files (copies, headers, a full disk); "
                   "skipped when the suite runs on PostgreSQL (WALOR_DB_ENGINE=postgresql)")


def pytest_collection_modifyitems(config, items):
    if pgkit.is_pg():
        for item in items:
            m = item.get_closest_marker("sqlite_only")
            if m:
                why = m.args[0] if m.args else "SQLite's files"
                item.add_marker(pytest.mark.skip(reason=f"on PostgreSQL: {why}"))
    known = _known_feature_ids()
    bad = []
    # A test counts only if it says what it proves (CODE_STYLE.md "Tests").
    unnamed = [item.nodeid for item in items
               if not any(True for _ in item.iter_markers("features"))
               and not any(True for _ in item.iter_markers("infra"))]
    if unnamed:
        raise pytest.UsageError(
            "every e2e test needs @pytest.mark.features(\"F-XXX-NN\", ...) naming what it proves, "
            "or @pytest.mark.infra when it tests the harness itself:\n  " + "\n  ".join(unnamed))
    for item in items:
        for m in item.iter_markers("features"):
            wrong = [a for a in m.args if not (isinstance(a, str) and FEATURE_ID_RE.match(a)
                                                and (known is None or a in known))]
            if wrong or not m.args:
                bad.append(f"{item.nodeid}: @pytest.mark.features{m.args!r}")
    if bad:
        where = f"listed in {FEATURES_MD}" if known is not None else "of the form F-HOST-05"
        raise pytest.UsageError(f"feature IDs must be {where}:\n  " + "\n  ".join(bad))


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _failed(request) -> bool:
    return any(getattr(getattr(request.node, "rep_" + w, None), "failed", False)
               for w in ("setup", "call"))


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def build_dir() -> Path:
    d = wh.build_dir()
    if not d.is_dir():
        pytest.fail(f"build tree {d} not found: run `make build` (or set WALOR_BUILD_DIR)")
    return d


@pytest.fixture
def free_port():
    return wh.free_port


@pytest.fixture
def tgsim_server(build_dir, tmp_path, request):
    srv = wh.TgsimServer(build_dir, tmp_path / "tgsim")
    try:
        srv.start()
    except wh.HarnessError as e:
        pytest.fail(str(e), pytrace=False)
    yield srv
    rc = srv.stop()
    if _failed(request):
        print(wh.tail(srv.log_path, 40))
    elif rc not in (0, -15):
        print(f"tgsim exited with code {rc}\n" + wh.tail(srv.log_path, 40))


@pytest.fixture
def tgsim(tgsim_server):
    from tgsim import Sim          # tests/e2e/tgsim.py
    sim = Sim(tgsim_server.url)
    yield sim
    close = getattr(sim, "close", None)
    if callable(close):
        close()


class _WalordFactory:
    def __init__(self, build_dir: Path, tmp_path: Path, tgsim_server):
        self.build_dir = build_dir
        self.tmp_path = tmp_path
        self.tgsim_server = tgsim_server
        self.instances: list[wh.Walord] = []

    def __call__(self, plugins=None, extra_ini: str = "", owners=(100001,), env=None, *,
                 walor=None, telegram=None, conf_files=None, plugin_dir=None, args=(),
                 api_root=None, start: bool = True) -> wh.Walord:
        n = len(self.instances)
        w = wh.Walord(self.build_dir, self.tmp_path / (f"walord-{n}" if n else "walord"),
                      api_root=api_root or self.tgsim_server.url,
                      token=self.tgsim_server.token, plugins=plugins, owners=owners,
                      extra_ini=extra_ini, walor=walor, telegram=telegram,
                      conf_files=conf_files, env=env, args=args, plugin_dir=plugin_dir)
        self.instances.append(w)
        if start:
            try:
                w.start()
            except wh.HarnessError as e:
                pytest.fail(str(e), pytrace=False)
        return w

    def check_config(self, config_path, env=None):
        return wh.check_config(self.build_dir, config_path, env=env)


@pytest.fixture
def walord(build_dir, tmp_path, tgsim_server, request):
    factory = _WalordFactory(build_dir, tmp_path, tgsim_server)
    yield factory
    errors = []
    for w in factory.instances:
        try:
            w.close()
        except wh.HarnessError as e:
            errors.append(str(e))
    if _failed(request):
        for w in factory.instances:
            print(w.log_tail(80))
    if errors:
        pytest.fail("\n\n".join(errors), pytrace=False)
