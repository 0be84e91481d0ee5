"""benchkit: what the plugins' benchmarks (bench/*_bench.py) share — a
failure message, the build tree, tgsim and walord started and stopped as
plain processes, the plugin directory and the work directory's end.

Every benchmark fails the same way: one line `<bench>: <why>` on stderr and
exit status 1 (the name is the script's)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
TOKEN = "100:bench-token"
READY = "walord: ready"


def name() -> str:
    return Path(sys.argv[0]).stem


def fail(msg: str) -> None:
    print(f"{name()}: {msg}", file=sys.stderr)
    raise SystemExit(1)


def build_dir() -> Path:
    return Path(os.environ.get("WALOR_BUILD_DIR") or REPO / "build").resolve()


def built(*files: Path) -> None:
    for f in files:
        if not f.exists():
            fail(f"{f} is not built (make build)")


def plugin_dir(bdir: Path, work: Path, plugins, tests=()) -> Path:
    """work/plugins with links to the named plugins (lib/walor/plugins) and
    test plugins (lib/walor/test-plugins) of the build, and nothing else."""
    d = work / "plugins"
    d.mkdir()
    sos = [bdir / "lib" / "walor" / "plugins" / f"{p}.so" for p in plugins]
    sos += [bdir / "lib" / "walor" / "test-plugins" / f"{p}.so" for p in tests]
    built(*sos)
    for so in sos:
        (d / so.name).symlink_to(so)
    return d


def ctl(port: int, method: str, path: str, body=None, query=None, timeout: float = 600):
    """tgsim's control API (/_sim/<path>): the JSON answer, or the bytes of a
    file (files/<id>); anything but 200 fails the run."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        url = f"/_sim/{path}" + ("?" + urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, url, body=data, headers={"Content-Type": "application/json"} if data else {})
        r = conn.getresponse()
        payload = r.read()
        if r.status != 200:
            fail(f"{method} {url}: HTTP {r.status} {payload[:300]!r}")
        return json.loads(payload) if r.getheader("Content-Type", "").startswith("application/json") else payload
    finally:
        conn.close()


def start_tgsim(tgsim: Path, work: Path, *args: str) -> tuple[subprocess.Popen, int]:
    """tgsim on a free port of 127.0.0.1 (its log in work/tgsim.log)."""
    pf = work / "tgsim.port"
    with open(work / "tgsim.log", "wb") as out:
        sim = subprocess.Popen([str(tgsim), "--listen", "127.0.0.1:0", "--token", TOKEN, "--port-file", str(pf),
                                *args, "--quiet"], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while not (pf.exists() and pf.read_text().strip()):
        if time.monotonic() > deadline or sim.poll() is not None:
            sim.kill()
            fail("tgsim did not start")
        time.sleep(0.05)
    return sim, int(pf.read_text().split()[0])


def write_ini(work: Path, plugin_dir: Path, plugins: str, port: int, extra: str = "", plugin_conf=None,
              log_level: str = "info") -> Path:
    """work/walor.ini and work/conf.d/NN-<plugin>.ini for each plugin (walord
    refuses a conf_dir without the plugins' files), `plugin_conf` holding
    more lines of a plugin's section: {"broadcast": "lanes = 4"}. `extra`
    goes into [telegram]."""
    confd = work / "conf.d"
    confd.mkdir(exist_ok=True)
    for i, p in enumerate(plugins.replace(",", " ").split()):
        more = (plugin_conf or {}).get(p, "")
        (confd / f"{50 + i}-{p}.ini").write_text(f"[plugin.{p}]\nenabled = yes\n{more}\n")
    ini = work / "walor.ini"
    ini.write_text(f"""; written by bench/{name()}.py
[walor]
db = {work / 'walor.db'}
plugin_dir = {plugin_dir}
conf_dir = {confd}
plugins = {plugins}
owners = 1
log_level = {log_level}

[telegram]
token = {TOKEN}
api_root = http://127.0.0.1:{port}
{extra}""")
    # walord refuses a conf_dir without any .ini (host/core/check.c): the
    # plugins' sections are in walor.ini here, so conf.d gets a note saying so
    (work / "conf.d").mkdir(exist_ok=True)
    (work / "conf.d" / "00-bench.ini").write_text(f"; bench/{name()}.py keeps every section in {ini}\n")
    return ini


def start_walord(walord: Path, ini: Path, log: Path, timeout: float = 20) -> subprocess.Popen:
    """walord without the caller's WALOR_* environment, once it logs READY."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALOR_") and k != "BOT_TOKEN"}
    with open(log, "ab") as out:
        p = subprocess.Popen([str(walord), "--config", str(ini)], stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if READY in log.read_text(errors="replace"):
            return p
        if p.poll() is not None:
            fail(f"walord exited with {p.returncode} during start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    p.kill()
    fail(f"walord not ready within {timeout:g} s")
    raise AssertionError


def stop(p: subprocess.Popen, what: str, timeout: float = 30) -> None:
    """SIGTERM; a process that does not stop in time or exits non-zero fails the run."""
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        fail(f"{what} did not stop within {timeout:g} s")
    if rc != 0:
        fail(f"{what} exited with code {rc}")


def finish(procs: list, work: Path, ok: bool, keep: bool) -> None:
    """For a `finally`: stops what is still running (newest first) and removes
    the work directory unless the run failed or --keep asked to keep it."""
    for p, _what in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    if ok and not keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"{name()}: work directory {work} kept", file=sys.stderr)
