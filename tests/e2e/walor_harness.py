"""Process harness for the e2e tests: start tgsim and walord, write configs,
wait for readiness, stop cleanly and check the exit code.

Standard library only. The pytest fixtures that use it are in conftest.py;
bench drivers and scripts may import it too (it does not import pytest).

Environment:
  WALOR_BUILD_DIR   build tree to test (default: <repo>/build)
  WALOR_SANITIZED   1 when the tree is an ASan/UBSan build (also read from CMakeCache)
  WALOR_VALGRIND    1 to run walord under valgrind (errors and definite leaks fail)
  WALOR_TIMEOUT_SCALE  multiply every harness timeout (default 1; ×3 sanitized, ×10 valgrind)
  WALOR_DB_ENGINE   sqlite (default) or postgresql: each walord then gets a new database
                    in one throw-away cluster per session (tests/e2e/pgkit.py)
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import pgkit

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "walord: ready"
TGSIM_TOKEN = "100:test-token"

# Environment variables walord reads that override its config: never inherit
# them from the developer's shell, a test sets them explicitly through env=.
_WALOR_ENV_OVERRIDES = (
    "WALOR_BOT_TOKEN", "WALOR_API_ROOT", "WALOR_DB", "WALOR_OWNERS",
    "WALOR_PLUGIN_DIR", "WALOR_CONFIG", "BOT_TOKEN",
)

# Lines a sanitizer prints even when it does not change the exit code.
_SANITIZER_RE = re.compile(
    r"^(==\d+==ERROR: (Address|Leak)Sanitizer|.*: runtime error: |"
    r"==\d+== (Invalid (read|write|free)|Conditional jump|Syscall param)|"
    r"WARNING: ThreadSanitizer)", re.M)


class HarnessError(AssertionError):
    """A process did not behave as the harness expected (shown as a test failure)."""


# ---------------------------------------------------------------- utilities

def build_dir() -> Path:
    d = os.environ.get("WALOR_BUILD_DIR")
    return Path(d).resolve() if d else REPO_ROOT / "build"


def is_sanitized(bdir: Path) -> bool:
    if os.environ.get("WALOR_SANITIZED", "") not in ("", "0"):
        return True
    cache = bdir / "CMakeCache.txt"
    try:
        return re.search(r"^WALOR_SANITIZE:BOOL=(ON|1|TRUE|YES)$",
                         cache.read_text(errors="replace"), re.M | re.I) is not None
    except OSError:
        return False


def use_valgrind() -> bool:
    return os.environ.get("WALOR_VALGRIND", "") not in ("", "0")


def timeout_scale(bdir: Optional[Path] = None) -> float:
    s = os.environ.get("WALOR_TIMEOUT_SCALE")
    if s:
        return float(s)
    if use_valgrind():
        return 10.0
    if is_sanitized(bdir or build_dir()):
        return 3.0
    return 1.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (bind to 0 where the program allows it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    rows = text.splitlines()
    cut = rows[-lines:]
    head = f"--- last {len(cut)} of {len(rows)} lines of {path} ---\n" if len(rows) > lines \
        else f"--- {path} ---\n"
    return head + "\n".join(cut)


def _wait_for_file(path: Path, proc: subprocess.Popen, timeout: float, what: str,
                   log: Path) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = path.read_text().strip()
            if text:
                return text
        except OSError:
            pass
        if proc.poll() is not None:
            raise HarnessError(f"{what} exited with code {proc.returncode} during start\n"
                               + tail(log))
        time.sleep(0.02)
    raise HarnessError(f"{what}: {path.name} not written within {timeout:.0f} s\n" + tail(log))


def _terminate(proc: subprocess.Popen, timeout: float) -> Optional[int]:
    """SIGTERM and wait; returns the exit code, or None if it had to be killed."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


# ---------------------------------------------------------------- tgsim

class TgsimServer:
    """One tools/tgsim process on 127.0.0.1:<free port>."""

    def __init__(self, bdir: Path, workdir: Path, token: str = TGSIM_TOKEN,
                 args: Sequence[str] = ()):
        self.exe = bdir / "bin" / "tgsim"
        self.workdir = Path(workdir)
        self.token = token
        self.args = list(args)
        self.log_path = self.workdir / "tgsim.log"
        self.port_file = self.workdir / "tgsim.port"
        self.proc: Optional[subprocess.Popen] = None
        self.port = 0
        self.scale = timeout_scale(bdir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "TgsimServer":
        if not self.exe.exists():
            raise HarnessError(f"{self.exe} not built (cmake --build {self.exe.parent.parent})")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port_file.unlink(missing_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(self.exe), "--listen", "127.0.0.1:0", "--token", self.token,
                 "--port-file", str(self.port_file), *self.args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.workdir)
        text = _wait_for_file(self.port_file, self.proc, 10 * self.scale, "tgsim",
                              self.log_path)
        try:
            self.port = int(text.split()[0])
        except ValueError:
            raise HarnessError(f"tgsim port file holds {text!r}, not a port") from None
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> Optional[int]:
        if self.proc is None:
            return None
        rc = _terminate(self.proc, 10 * self.scale)
        self.proc = None
        return rc


# ---------------------------------------------------------------- walord

def _ini_value(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)


def render_ini(sections: Mapping[str, Mapping[str, object]]) -> str:
    out = []
    for name, keys in sections.items():
        out.append(f"[{name}]")
        for k, v in keys.items():
            if v is not None:
                out.append(f"{k} = {_ini_value(v)}")
        out.append("")
    return "\n".join(out)


class Walord:
    """One walord with its own config directory and database.

    Attributes: config_path, conf_dir, db_path, workdir, log_path, proc.
    """

    def __init__(self, bdir: Path, workdir: Path, *, api_root: Optional[str],
                 plugins: Optional[Iterable[str]] = None, owners: Iterable[int] = (100001,),
                 extra_ini: str = "", walor: Optional[Mapping[str, object]] = None,
                 telegram: Optional[Mapping[str, object]] = None,
                 conf_files: Optional[Mapping[str, str]] = None,
                 env: Optional[Mapping[str, str]] = None, args: Sequence[str] = (),
                 plugin_dir: Optional[os.PathLike] = None, token: str = TGSIM_TOKEN):
        self.bdir = bdir
        self.exe = bdir / "bin" / "walord"
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path = self.workdir / "walor.ini"
        self.conf_dir = self.workdir / "conf.d"
        # on PostgreSQL a conninfo string: a new database of the session's cluster
        self.db_path = self.workdir / "walor.db"
        if pgkit.is_pg() and not (walor and "db" in walor):
            self.db_path = pgkit.cluster().new_database()
        elif walor and walor.get("db"):
            self.db_path = walor["db"] if pgkit.is_conninfo(walor["db"]) else Path(walor["db"])
        self.log_path = self.workdir / "walord.log"
        self.args = list(args)
        self.proc: Optional[subprocess.Popen] = None
        self.scale = timeout_scale(bdir)
        self.starts = 0
        self._log_offset = 0
        self._dbs: list = []

        self.env = {k: v for k, v in os.environ.items() if k not in _WALOR_ENV_OVERRIDES}
        self.env.update(env or {})

        plugins = list(plugins or [])
        wsec: dict[str, object] = {
            "db": self.db_path,
            "plugin_dir": plugin_dir or (bdir / "lib" / "walor" / "plugins"),
            "plugins": plugins or None,
            "owners": list(owners) or None,
            "workers": 4,
            "log_level": "debug",
            "test_mode": True,
        }
        wsec.update(walor or {})
        tsec: dict[str, object] = {"token": token, "api_root": api_root, "poll_timeout": 1}
        tsec.update(telegram or {})
        sections: dict[str, Mapping[str, object]] = {"walor": wsec, "telegram": tsec}
        for p in plugins:
            sections[f"plugin.{p}"] = {"enabled": True}

        self.conf_dir.mkdir(exist_ok=True)
        text = "; written by tests/e2e/walor_harness.py\n" + render_ini(sections)
        if extra_ini:
            text += "\n" + extra_ini.strip("\n") + "\n"
        self.config_path.write_text(text)
        # walord refuses a conf_dir without any .ini (check.c): the plugins'
        # sections are in walor.ini here, so conf.d gets a note saying so
        (self.conf_dir / "00-harness.ini").write_text(
            "; written by tests/e2e/walor_harness.py: the plugins are enabled in ../walor.ini\n")
        for name, body in (conf_files or {}).items():
            (self.conf_dir / name).write_text(body)

    # -- process control

    def _command(self) -> list[str]:
        cmd = [str(self.exe), "--config", str(self.config_path), *self.args]
        if use_valgrind():
            # --run-libc-freeres=no: at exit valgrind has glibc free its own state,
            # which unloads every dlopen()ed library; caches that cairo and pixman
            # keep in their static data (plugins' libraries) then look "definitely
            # lost". walord never unloads plugins, so without it a report is ours.
            cmd = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                   "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
                   "--run-libc-freeres=no", "--track-origins=yes", *cmd]
        return cmd

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def start(self, wait_ready: bool = True) -> "Walord":
        if self.running:
            raise HarnessError("walord is already running")
        if not self.exe.exists():
            raise HarnessError(f"{self.exe} not built (cmake --build {self.bdir})")
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            if self.starts:
                log.write(f"\n===== harness: restart #{self.starts} =====\n".encode())
                log.flush()
                self._log_offset = log.tell()
            self.proc = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         cwd=self.workdir, env=self.env)
        self.starts += 1
        if wait_ready:
            self.wait_log(re.escape(READY_LINE), timeout=10, what="'walord: ready'")
        return self

    def wait_log(self, pattern: str, timeout: float = 10, what: Optional[str] = None,
                 since_start: bool = True) -> re.Match:
        """Wait until regex `pattern` appears in the log (of this run by default).
        Fails early if walord exits. `timeout` is scaled for sanitizer/valgrind runs."""
        rx = re.compile(pattern, re.M)
        limit = timeout * self.scale
        deadline = time.monotonic() + limit
        while True:
            text = self._read_log(self._log_offset if since_start else 0)
            m = rx.search(text)
            if m:
                return m
            if self.proc is not None and self.proc.poll() is not None:
                raise HarnessError(f"walord exited with code {self.proc.returncode} while "
                                   f"waiting for {what or pattern!r}\n" + tail(self.log_path))
            if time.monotonic() > deadline:
                raise HarnessError(f"no {what or repr(pattern)} in walord's log within "
                                   f"{limit:.0f} s\n" + tail(self.log_path))
            time.sleep(0.02)

    def stop(self, expect_code: int = 0) -> int:
        """SIGTERM, wait, and require exit code `expect_code` (0: a clean shutdown,
        so sanitizer and leak reports fail the test)."""
        if self.proc is None:
            raise HarnessError("walord is not running")
        proc, self.proc = self.proc, None
        rc = _terminate(proc, 20 * self.scale)
        if rc is None:
            raise HarnessError(f"walord did not exit within {20 * self.scale:.0f} s of SIGTERM"
                               " (killed)\n" + tail(self.log_path))
        problems = []
        if rc != expect_code:
            problems.append(f"walord exited with code {rc}, expected {expect_code}")
        m = _SANITIZER_RE.search(self._read_log(self._log_offset))
        if m:
            problems.append(f"sanitizer/valgrind report in the log: {m.group(0).strip()!r}")
        if problems:
            raise HarnessError("; ".join(problems) + "\n" + tail(self.log_path, 120))
        return rc

    def kill9(self) -> None:
        """SIGKILL, as a crash would (no assertion on the exit code)."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.kill()
        proc.wait()

    def restart(self, wait_ready: bool = True) -> "Walord":
        """Stop cleanly (if running) and start again with the same config and DB."""
        if self.running:
            self.stop()
        elif self.proc is not None:          # exited on its own: collect it
            self.proc.wait()
            self.proc = None
        return self.start(wait_ready=wait_ready)

    def wait_exit(self, timeout: float = 10) -> int:
        """Wait for walord to exit on its own (e.g. after a fatal error); returns the code."""
        if self.proc is None:
            raise HarnessError("walord is not running")
        try:
            rc = self.proc.wait(timeout=timeout * self.scale)
        except subprocess.TimeoutExpired:
            raise HarnessError(f"walord still running after {timeout * self.scale:.0f} s\n"
                               + tail(self.log_path)) from None
        self.proc = None
        return rc

    def signal(self, sig: int) -> None:
        if self.proc is None or self.proc.poll() is not None:
            raise HarnessError("walord is not running")
        self.proc.send_signal(sig)

    # -- inspection

    def _read_log(self, offset: int = 0) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log(self) -> str:
        """The whole log (all runs of this instance)."""
        return self._read_log(0)

    def log_tail(self, lines: int = 60) -> str:
        return tail(self.log_path, lines)

    @property
    def on_pg(self) -> bool:
        return pgkit.is_conninfo(self.db_path)

    def db(self):
        """A new connection to walord's database (closed at teardown): sqlite3's,
        or on PostgreSQL pgkit's look-alike of it."""
        if self.on_pg:
            con = pgkit.connect(self.db_path)
            self._dbs.append(con)
            return con
        con = sqlite3.connect(str(self.db_path), timeout=10 * self.scale)
        con.execute(f"PRAGMA busy_timeout = {int(10000 * self.scale)}")
        self._dbs.append(con)
        return con

    def close(self) -> None:
        """Teardown: close DB connections; stop walord if still running (checked)."""
        for con in self._dbs:
            try:
                con.close()
            except Exception:
                pass
        self._dbs.clear()
        if self.running:
            self.stop()
        elif self.proc is not None:
            rc = self.proc.wait()
            self.proc = None
            raise HarnessError(f"walord exited on its own with code {rc} during the test\n"
                               + tail(self.log_path))


def check_config(bdir: Path, config_path: os.PathLike, env: Optional[Mapping[str, str]] = None,
                 timeout: float = 30) -> subprocess.CompletedProcess:
    """Run `walord --check-config --config FILE`; returns the CompletedProcess (text)."""
    e = {k: v for k, v in os.environ.items() if k not in _WALOR_ENV_OVERRIDES}
    e.update(env or {})
    return subprocess.run([str(bdir / "bin" / "walord"), "--check-config", "--config",
                           str(config_path)], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=e, timeout=timeout * timeout_scale(bdir))
